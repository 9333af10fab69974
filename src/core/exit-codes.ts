/**
 * Exit codes, documented in the README: 0 after a quit (from the menu,
 * /quit, end of input, or the first Ctrl+C/SIGTERM); 1 when the chat cannot
 * start (port in use, log not writable), or when a quit by signal overran the
 * send timeout + 1 s; 2 for a bad flag or a missing one; 130 on a second
 * Ctrl+C, 143 on a second SIGTERM. After a hang-up (SIGHUP: the terminal
 * closed) peers are told `exit` and the process then ends by SIGHUP itself.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;
export const EXIT_TERMINATED = 143;
/** The exit code for leaving at once on a second SIGINT or SIGTERM. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? EXIT_INTERRUPTED : EXIT_TERMINATED;
}

/** The signals that quit as from the menu: Ctrl+C, a polite kill, a closed terminal. */
export const QUIT_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
