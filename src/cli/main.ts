/**
 * Start-up: parse flags, pick the mode (interactive, headless JSON, or plain
 * lines for piped stdin), run it, and return the exit code (exit-codes.ts).
 */
import { CommanderError } from 'commander';
import { describeError, isP2PError, P2PError } from '../core/errors.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, exitCodeFor, QUIT_SIGNALS } from '../core/exit-codes.js';
import { createProgram, type CliOptions } from './program.js';
import type { Printer } from '../app/script-mode.js';
import { buildNode, openLog } from '../app/start.js';


function fail(message: string): void {
  process.stderr.write(`p2pchat: ${message}\n`);
}

export interface QuitSignalOptions {
  /**
   * Run right before leaving without the full goodbye (second signal, or the
   * bound below passed): flush and close the log here.
   */
  readonly beforeExit?: () => void;
  /**
   * After the first signal, leave anyway once this many ms have passed (the
   * send timeout + 1 s), with EXIT_FAILURE. Default: no bound.
   */
  readonly boundMs?: number;
}

export interface QuitSignals {
  /** Resolves with the first quit signal: quit as from the menu (peers are told `exit`). */
  readonly requested: Promise<NodeJS.Signals>;
  /** Stop listening for the signals. */
  stop(): void;
}

/**
 * Quit on the first SIGINT, SIGTERM or SIGHUP. A second SIGINT or SIGTERM
 * leaves at once, 130 or 143, after flushing the log; a second SIGHUP (it
 * often comes twice) changes nothing. (Node resets every signal to its default
 * at start-up, so `nohup`'s "ignore" never reached us: without this handler a
 * hang-up would end the peer without a goodbye.)
 */
export function onQuitSignal(options: QuitSignalOptions = {}): QuitSignals {
  const signals = QUIT_SIGNALS;
  let seen = false;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((done) => {
    resolve = done;
  });
  const leave = (code: number): void => {
    try {
      options.beforeExit?.();
    } finally {
      process.exit(code);
    }
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (seen) {
      if (signal !== 'SIGHUP') leave(exitCodeFor(signal));
      return;
    }
    seen = true;
    if (options.boundMs !== undefined) {
      // Quit is bounded by the send timeout already; this is the backstop.
      setTimeout(() => leave(EXIT_FAILURE), options.boundMs).unref();
    }
    resolve(signal);
  };
  for (const signal of signals) process.on(signal, handler);
  return { requested, stop: () => signals.forEach((signal) => process.off(signal, handler)) };
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
      const { runInteractive } = await import('../ui/interactive.js');
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
    const why = !process.stdin.isTTY ? 'when stdin is not a terminal' : options.json ? 'with --json' : 'when stdout is not a terminal';
    throw new P2PError(
      'P2P_MISSING_OPTION',
      `${missing} is required ${why}; e.g. p2pchat --name Alice --port 5000${options.json ? ' --json' : ''}`,
    );
  }
  const printer: Printer = options.json
    ? (await import('../output/json-view.js')).createJsonPrinter(process.stdout)
    : (await import('../ui/text-view.js')).createTextPrinter(process.stdout);
  const { runScript } = await import('../app/script-mode.js');
  const log = openLog(options);
  const node = buildNode(options, options.name, options.port, log);
  // A reader that went away (EPIPE) must not take the peer down mid-quit.
  process.stdout.on('error', () => undefined);
  const signals = onQuitSignal({ beforeExit: () => log?.close(), boundMs: options.timeout + 1000 });
  let hungUp = false;
  const quitRequested = signals.requested.then((signal) => {
    hungUp = signal === 'SIGHUP';
  });
  try {
    await runScript(node, printer, { input: process.stdin, bootstrap: options.peer, quitRequested });
  } finally {
    log?.close();
    process.stdin.destroy();
    signals.stop();
  }
  // Peers are told; end as a hung-up program does. A normal exit would make
  // Node restore the modes of a terminal that is gone, and abort on EIO.
  if (hungUp) process.kill(process.pid, 'SIGHUP');
  return EXIT_OK;
}
