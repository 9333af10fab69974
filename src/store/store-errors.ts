/**
 * The history store's failures, each with a stable code. Opening a store
 * throws a `StoreError`; a running store hands one to `onError`. The caller
 * never has to look at SQLite's own codes: `storeErrorCode` maps them here,
 * purely, so the mapping is a table test.
 */

export type StoreErrorCode =
  | 'STORE_CORRUPT' // not a database, truncated, or damaged pages (SQLITE_CORRUPT, SQLITE_NOTADB)
  | 'STORE_FOREIGN' // a valid SQLite file that is not a p2pchat history: left untouched
  | 'STORE_TOO_NEW' // written by a newer p2pchat (schema version above ours): left untouched
  | 'STORE_LOCKED' // another running p2pchat holds the store (SQLITE_BUSY)
  | 'STORE_READONLY' // read-only file, folder or file system (SQLITE_READONLY, EROFS, EACCES)
  | 'STORE_FULL' // no space left (SQLITE_FULL, ENOSPC, EDQUOT)
  | 'STORE_UNAVAILABLE' // the SQLite driver itself could not be loaded (no native binary for this Node)
  | 'STORE_BAD_RECORD' // append() was given a record that breaks the StoredMessage shape: not stored
  | 'STORE_IO'; // any other I/O failure (SQLITE_IOERR, SQLITE_CANTOPEN, ...)

export class StoreError extends Error {
  readonly code: StoreErrorCode;

  /** @param cause The underlying error (a SqliteError, an ErrnoException), kept as `cause`. */
  constructor(code: StoreErrorCode, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'StoreError';
    this.code = code;
  }
}

export function isStoreError(value: unknown): value is StoreError {
  return value instanceof StoreError;
}

/** The `code` of a thrown value (SqliteError and ErrnoException both carry one), or ''. */
export function rawCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Which store failure a raw error is. SQLite's extended codes (SQLITE_BUSY_RECOVERY,
 * SQLITE_IOERR_WRITE...) share their primary code's prefix. A disk-full write often
 * surfaces as SQLITE_IOERR_WRITE with errno ENOSPC behind it, hence the message test.
 */
export function storeErrorCode(error: unknown): StoreErrorCode {
  if (isStoreError(error)) return error.code;
  const code = rawCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) return 'STORE_CORRUPT';
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) return 'STORE_LOCKED';
  if (/^SQLITE_FULL/.test(code) || code === 'ENOSPC' || code === 'EDQUOT' || /no space left|disk is full|database or disk is full/i.test(message)) {
    return 'STORE_FULL';
  }
  if (/^SQLITE_READONLY/.test(code) || code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || /read-only file system/i.test(message)) {
    return 'STORE_READONLY';
  }
  if (code === 'ERR_DLOPEN_FAILED' || /could not locate the bindings file|was compiled against a different Node\.js version/i.test(message)) {
    return 'STORE_UNAVAILABLE';
  }
  return 'STORE_IO';
}

const WHAT: Record<StoreErrorCode, string> = {
  STORE_CORRUPT: 'is damaged (not a database, truncated or corrupt)',
  STORE_FOREIGN: 'is an SQLite file that is not a p2pchat history',
  STORE_TOO_NEW: 'was written by a newer p2pchat',
  STORE_LOCKED: 'is in use by another running p2pchat',
  STORE_READONLY: 'cannot be written (read-only file, folder or disk)',
  STORE_FULL: 'cannot be written: the disk is full',
  STORE_UNAVAILABLE: 'cannot be opened: the SQLite driver did not load',
  STORE_BAD_RECORD: 'was given a record it cannot store',
  STORE_IO: 'cannot be read or written (I/O error)',
};

/** `history file "<path>" is in use by another running p2pchat (SQLITE_BUSY)`: one clause, no full stop. */
export function describeStoreFailure(code: StoreErrorCode, path: string, raw = ''): string {
  return `history file "${path}" ${WHAT[code]}${raw ? ` (${raw})` : ''}`;
}

/** Wrap any thrown value as a StoreError about `path`; a StoreError passes through. */
export function toStoreError(error: unknown, path: string): StoreError {
  if (isStoreError(error)) return error;
  const code = storeErrorCode(error);
  return new StoreError(code, describeStoreFailure(code, path, rawCode(error)), error);
}
