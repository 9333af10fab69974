/**
 * Quit signals, for every mode. The first SIGINT, SIGTERM or SIGHUP asks to
 * quit as from the menu (peers are told `exit`); after it a safety net leaves
 * anyway once the send timeout + 1 s has passed. A second SIGINT or SIGTERM
 * leaves at once, 130 or 143, after `beforeExit` (which flushes the store);
 * a second SIGHUP (it often comes twice: to the session and to the
 * foreground group) changes nothing, since nobody is left to see the screen.
 *
 * Node resets every signal to its default at start-up, so `nohup`'s "ignore"
 * never reached us: without these handlers a hang-up would end the peer
 * without a goodbye.
 */
import { EXIT_FAILURE, exitCodeFor, QUIT_SIGNALS } from '../core/exit-codes.js';

export interface QuitSignalOptions {
  /** Run right before leaving without the full goodbye: flush and close the store. */
  readonly beforeExit: () => void;
  /** After the first signal, leave with EXIT_FAILURE once this many ms have passed. */
  readonly boundMs: number;
  /** How to leave (tests may replace it); default process.exit. */
  readonly exit?: (code: number) => void;
}

export interface QuitSignals {
  /** Resolves with the first quit signal. */
  readonly requested: Promise<NodeJS.Signals>;
  /** A hang-up came: the terminal is gone (end by SIGHUP once peers are told). */
  readonly hungUp: boolean;
  /** A quit began some other way (menu, /quit, Ctrl+C inside a prompt): the next signal leaves at once. */
  quitting(): void;
  /** Stop listening for the signals. */
  stop(): void;
}

export function onQuitSignals(options: QuitSignalOptions): QuitSignals {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: NodeJS.Signals | undefined;
  let quitting = false;
  let hungUp = false;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const requested = new Promise<NodeJS.Signals>((done) => {
    resolve = done;
  });
  const leave = (code: number): void => {
    try {
      options.beforeExit();
    } finally {
      exit(code);
    }
  };
  const handler = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGHUP') hungUp = true;
    if (first !== undefined || quitting) {
      if (signal !== 'SIGHUP') leave(exitCodeFor(signal));
      return;
    }
    first = signal;
    quitting = true;
    // Quit is bounded by the send timeout already; this is the backstop.
    setTimeout(() => leave(EXIT_FAILURE), options.boundMs).unref();
    resolve(signal);
  };
  for (const signal of QUIT_SIGNALS) process.on(signal, handler);
  return {
    requested,
    get hungUp() {
      return hungUp;
    },
    quitting: () => {
      quitting = true;
    },
    stop: () => QUIT_SIGNALS.forEach((signal) => process.off(signal, handler)),
  };
}
