/**
 * One catalogue of the errors p2pchat reports to a user at start-up. Each has
 * a stable `code` (tests match on it) and one sentence that quotes the
 * offending value and, where there is one, says what to do. Bad flag values
 * are commander's InvalidArgumentError (src/program.ts), exit 2.
 */
export type ErrorCode =
  | 'P2P_MISSING_OPTION' // --name or --port missing where nobody can be asked (exit 2)
  | 'P2P_PORT_IN_USE' // the port is taken (exit 1; the interactive start-up asks again)
  | 'P2P_LISTEN_FAILED' // any other bind failure: privileges, no such --host (exit 1)
  | 'P2P_LOG_FAILED'; // the --log file cannot be opened (exit 1)

export class P2PError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'P2PError';
    this.code = code;
  }
}

export function isP2PError(value: unknown): value is P2PError {
  return value instanceof P2PError;
}

/** The message of any thrown value, for one-line reports. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
