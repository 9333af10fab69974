/**
 * One catalogue of the errors p2pchat reports to a user. Each has a stable
 * `code` (tests and scripts match on it) and one sentence that quotes the
 * offending value and, where there is one, says what to do.
 */
export type ErrorCode =
  | 'P2P_BAD_NAME'
  | 'P2P_BAD_PORT'
  | 'P2P_BAD_ADDRESS'
  | 'P2P_BAD_NUMBER'
  | 'P2P_BAD_OPTION'
  | 'P2P_MISSING_OPTION'
  | 'P2P_PORT_IN_USE'
  | 'P2P_LISTEN_FAILED'
  | 'P2P_LOG_FAILED'
  | 'P2P_BAD_COMMAND';

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
