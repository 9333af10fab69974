import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StoreError, storeErrorCode, toStoreError, type StoreErrorCode } from '../../../src/store/store-errors.js';
import { historyWarning } from '../../../src/store/open-history.js';

function raw(code: string, message = 'x'): Error {
  return Object.assign(new Error(message), { code });
}

describe('store error codes', () => {
  const table: [Error, StoreErrorCode][] = [
    [raw('SQLITE_CORRUPT'), 'STORE_CORRUPT'],
    [raw('SQLITE_CORRUPT_VTAB'), 'STORE_CORRUPT'],
    [raw('SQLITE_NOTADB'), 'STORE_CORRUPT'],
    [raw('SQLITE_BUSY'), 'STORE_LOCKED'],
    [raw('SQLITE_BUSY_RECOVERY'), 'STORE_LOCKED'],
    [raw('SQLITE_LOCKED'), 'STORE_LOCKED'],
    [raw('SQLITE_FULL'), 'STORE_FULL'],
    [raw('ENOSPC'), 'STORE_FULL'],
    [raw('EDQUOT'), 'STORE_FULL'],
    [raw('SQLITE_IOERR_WRITE', 'disk I/O error: no space left on device'), 'STORE_FULL'],
    [raw('SQLITE_READONLY'), 'STORE_READONLY'],
    [raw('SQLITE_READONLY_DIRECTORY'), 'STORE_READONLY'],
    [raw('EROFS'), 'STORE_READONLY'],
    [raw('EACCES'), 'STORE_READONLY'],
    [raw('ERR_DLOPEN_FAILED'), 'STORE_UNAVAILABLE'],
    [new Error('Could not locate the bindings file. Tried: ...'), 'STORE_UNAVAILABLE'],
    [raw('SQLITE_IOERR_FSYNC'), 'STORE_IO'],
    [raw('SQLITE_CANTOPEN'), 'STORE_IO'],
    [new Error('anything else'), 'STORE_IO'],
  ];
  for (const [error, code] of table) {
    it(`${(error as { code?: string }).code ?? error.message} -> ${code}`, () => assert.equal(storeErrorCode(error), code));
  }

  it('a StoreError keeps its code and passes through toStoreError', () => {
    const error = new StoreError('STORE_TOO_NEW', 'm');
    assert.equal(storeErrorCode(error), 'STORE_TOO_NEW');
    assert.equal(toStoreError(error, '/p'), error);
  });

  it('toStoreError quotes the path and the raw code, and keeps the cause', () => {
    const cause = raw('SQLITE_BUSY');
    const error = toStoreError(cause, '/h/history-5000.db');
    assert.equal(error.code, 'STORE_LOCKED');
    assert.equal(error.message, 'history file "/h/history-5000.db" is in use by another running p2pchat (SQLITE_BUSY)');
    assert.equal(error.cause, cause);
  });

  it('the warning is one sentence', () => {
    assert.equal(
      historyWarning('history file "/h/x.db" cannot be written: the disk is full (SQLITE_FULL)'),
      'History file "/h/x.db" cannot be written: the disk is full (SQLITE_FULL); this session keeps its history in memory only.',
    );
  });
});
