/**
 * Start-up: parse flags, pick the mode (interactive, headless JSON, or plain
 * lines for piped stdin), run it, and return the exit code.
 *
 * Exit codes: 0 after a quit (from the menu, /quit, end of input, or the first
 * Ctrl+C/SIGTERM); 1 when the chat cannot start (port in use, log not
 * writable); 2 for a bad flag or a missing one; 130 on a second Ctrl+C.
 */
import { CommanderError } from 'commander';
import { describeError, isP2PError, P2PError } from './errors.js';
import { createProgram, type CliOptions } from './program.js';
import type { Printer } from './script-mode.js';
import { buildNode, openLog, startNode } from './start.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

function fail(message: string): void {
  process.stderr.write(`p2pchat: ${message}\n`);
}

/**
 * A promise that resolves on the first SIGINT or SIGTERM; a second SIGINT
 * leaves at once with 130.
 */
export function onQuitSignal(): Promise<void> {
  return new Promise((resolve) => {
    let seen = false;
    const handler = (signal: NodeJS.Signals): void => {
      if (seen && signal === 'SIGINT') process.exit(EXIT_INTERRUPTED);
      seen = true;
      resolve();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

export async function main(argv: readonly string[] = process.argv): Promise<number> {
  const program = createProgram();
  try {
    program.parse(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    throw error;
  }
  const options = program.opts<CliOptions>();
  if (options.color === false) process.env.NO_COLOR = '1';

  const interactive = !options.json && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  try {
    if (interactive) {
      const { runInteractive } = await import('./ui/interactive.js');
      return await runInteractive(options);
    }
    return await runScripted(options);
  } catch (error) {
    if (isP2PError(error)) {
      fail(error.message);
      return error.code === 'P2P_MISSING_OPTION' ? EXIT_USAGE : EXIT_FAILURE;
    }
    fail(`unexpected error: ${describeError(error)}`);
    return EXIT_FAILURE;
  }
}

async function runScripted(options: CliOptions): Promise<number> {
  if (options.name === undefined || options.port === undefined) {
    const missing = options.name === undefined ? '--name' : '--port';
    throw new P2PError(
      'P2P_MISSING_OPTION',
      `${missing} is required when stdin is not a terminal; e.g. p2pchat --name Alice --port 5000${options.json ? ' --json' : ''}`,
    );
  }
  const log = openLog(options);
  const node = buildNode(options, options.name, options.port, log);
  try {
    await startNode(node);
  } catch (error) {
    log?.close();
    throw error;
  }
  const printer: Printer = options.json
    ? (await import('./json-printer.js')).createJsonPrinter(process.stdout)
    : (await import('./ui/text-printer.js')).createTextPrinter(process.stdout);
  // A reader that went away (EPIPE) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  const { runScript } = await import('./script-mode.js');
  await runScript(node, printer, { input: process.stdin, bootstrap: options.peer, quitRequested: onQuitSignal() });
  process.stdin.destroy();
  return EXIT_OK;
}
