/**
 * One catalogue of the errors p2pchat reports to a user at start-up. Each has
 * a stable `code` (tests match on it), the exit status it ends the program
 * with, and one sentence that quotes the offending value and, where there is
 * one, says what to do. The README lists the catalogue; a test keeps it in step.
 */
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

export const ERROR_CATALOGUE = {
  P2P_BAD_OPTION: { exitCode: EXIT_USAGE, when: 'a flag with a bad value, or an unknown flag' },
  P2P_MISSING_OPTION: { exitCode: EXIT_USAGE, when: '--name or --port missing where nobody can be asked' },
  P2P_CONFIG_INVALID: { exitCode: EXIT_USAGE, when: 'the config file cannot be read, is not JSON, has an unknown key or a bad value' },
  P2P_ENV_INVALID: { exitCode: EXIT_USAGE, when: 'a P2PCHAT_* environment variable has a bad value' },
  P2P_PORT_IN_USE: { exitCode: EXIT_FAILURE, when: 'the port is taken (the interactive start-up asks again)' },
  P2P_LISTEN_FAILED: { exitCode: EXIT_FAILURE, when: 'any other bind failure: privileges, no such --host' },
  P2P_LOG_FAILED: { exitCode: EXIT_FAILURE, when: 'the --log file cannot be opened' },
  P2P_IDENTITY_UNREADABLE: { exitCode: EXIT_FAILURE, when: 'the --identity file (rooms) is missing where it should be, not a file, unreadable or too large' },
  P2P_IDENTITY_MALFORMED: { exitCode: EXIT_FAILURE, when: 'the --identity file is not a p2pchat identity, or is damaged' },
  P2P_IDENTITY_PERMISSIONS: { exitCode: EXIT_FAILURE, when: 'the --identity file is readable by others: chmod 600 it' },
  P2P_IDENTITY_WRITE_FAILED: { exitCode: EXIT_FAILURE, when: 'a new identity file (or its folder) cannot be created' },
} as const satisfies Record<string, { exitCode: number; when: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export class P2PError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'P2PError';
    this.code = code;
  }

  /** The exit status this error ends the program with. */
  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exitCode;
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
