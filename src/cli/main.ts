/**
 * Start-up: parse flags, merge them with the environment and the config
 * file, pick the mode (interactive, headless JSON, or plain lines for piped
 * stdin), run the session, and return the exit status (core/exit-codes.ts).
 */
import { CommanderError } from 'commander';
import { LineCommands } from '../app/line-commands.js';
import { runSession, type Frontend } from '../app/session.js';
import { formatShowConfig, loadConfig } from '../config/load.js';
import { printLines } from '../output/lines.js';
import type { Options } from '../config/schema.js';
import { describeError, isP2PError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../core/exit-codes.js';
import { createProgram, flagValues } from './program.js';

function fail(message: string): void {
  process.stderr.write(`p2pchat: ${message}\n`);
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw error;
  }
  try {
    const config = loadConfig(flagValues(program));
    if (config.options.showConfig) {
      printLines(process.stdout, formatShowConfig(config));
      return EXIT_OK;
    }
    const options = config.options;
    if (!options.color) process.env.NO_COLOR = '1';
    return await runSession(options, await frontendFor(options));
  } catch (error) {
    if (isP2PError(error)) {
      fail(error.message);
      return error.exitCode;
    }
    fail(`unexpected error: ${describeError(error)}`);
    return EXIT_FAILURE;
  }
}

/** The interactive terminal when both ends are one; otherwise lines in, JSON or text out. */
async function frontendFor(options: Options): Promise<Frontend> {
  const interactive = !options.json && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  if (interactive) {
    // Loaded only when it runs: headless start-up stays small.
    const { createInteractiveFrontend } = await import('../ui/interactive.js');
    return createInteractiveFrontend();
  }
  const view = options.json
    ? (await import('../output/json-view.js')).createJsonView(process.stdout)
    : (await import('../ui/text-view.js')).createTextView(process.stdout);
  // A reader that went away (EPIPE) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  const cannotAskBecause = !process.stdin.isTTY ? 'when stdin is not a terminal' : options.json ? 'with --json' : 'when stdout is not a terminal';
  let source: LineCommands | undefined;
  return {
    view,
    cannotAskBecause,
    commands: () => (source = new LineCommands(process.stdin)),
    interrupt: () => source?.close(),
    dispose: () => process.stdin.destroy(),
  };
}
