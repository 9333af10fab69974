/**
 * A full disk never stops the chat. On a 512 KiB tmpfs mounted for the test:
 * a store with some history, then a filler file takes every free byte. The
 * next appends fail to commit: the store says so once (STORE_FULL), every
 * append still resolves, queries answer (from disk and from what is kept in
 * memory), and opening another history there gives the memory store and one
 * warning. Once the filler is gone, the kept records are written, and a
 * reopen finds every one. Needs root with mount rights (as here and in CI).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { MemoryStore } from '../../src/store/memory-store.js';
import { openHistory } from '../../src/store/open-history.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { StoreError } from '../../src/store/store-errors.js';
import { canMount, mountTmpfs, record, tempFolder } from '../helpers/store-files.js';
import { report } from './support.js';

const folder = tempFolder('p2pchat-store-full-');
after(folder.remove);

/** Resolve with `promise`, or fail saying `what` after `ms`: an append that hangs is a failure too. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Write zeros to `file` until the disk refuses; returns the bytes written. */
function fillDisk(file: string): number {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  let written = 0;
  try {
    for (;;) written += fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  return written;
}

const text = (i: number): string => `line ${i} word${i} ${'some text to take room '.repeat(5)}`;

test('a full disk: one warning, appends keep resolving, queries answer, and nothing is lost once there is room', { skip: canMount() ? false : 'needs root with mount rights (tmpfs)', timeout: 60_000 }, async () => {
  const unmount = mountTmpfs(folder.dir, '512k');
  let store: SqliteStore | undefined;
  try {
    const file = path.join(folder.dir, 'p2pchat', 'history-5000.db');
    // retryMs 0: every batch tries the disk again, and still only one warning may come.
    store = SqliteStore.open(file, { retryMs: 0 });
    const errors: StoreError[] = [];
    store.onError = (error) => errors.push(error as StoreError);
    // One batch: on a disk this small, twenty one-by-one commits would fill it with WAL frames alone.
    await within(Promise.all(Array.from({ length: 20 }, async (_, i) => store?.append(record(i, { text: text(i) })))), 5000, 'the first 20 appends');
    assert.equal(errors.length, 0, errors.map((e) => e.message).join(' | '));

    const filler = path.join(folder.dir, 'filler');
    const filled = fillDisk(filler);

    // Keep going well past the first failure: 300 appends in batches of 10.
    let firstFailure = -1;
    for (let i = 20; i < 320; i += 10) {
      const batch = Array.from({ length: 10 }, (_, k) => store?.append(record(i + k, { text: text(i + k) })) ?? Promise.resolve());
      await within(Promise.all(batch), 5000, `appends ${i}..${i + 9} resolve on a full disk`);
      if (firstFailure < 0 && errors.length > 0) firstFailure = i;
    }
    assert.ok(firstFailure >= 0, `the disk never filled (filler ${filled} bytes)`);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['STORE_FULL'],
      `one warning for ${320 - firstFailure} appends on a full disk: ${errors.map((e) => e.message).join(' | ')}`,
    );
    assert.match(errors[0]?.message ?? '', /^history file ".*history-5000\.db" cannot be written: the disk is full \(SQLITE_FULL\); new messages are kept in memory until writes succeed again$/);
    assert.equal(store.failing, true);

    // Queries answer: the newest (kept in memory), one per peer, a word from disk and a word from memory.
    assert.deepEqual(store.query({ limit: 3 }).map((r) => r.id), ['m317', 'm318', 'm319']);
    assert.deepEqual(store.query({ peer: '127.0.0.1:5002', limit: 2 }).map((r) => r.id), ['m312', 'm317']);
    assert.deepEqual(store.query({ words: 'word3' }).map((r) => r.id), ['m3']);
    assert.deepEqual(store.query({ words: 'word300' }).map((r) => r.id), ['m300']);
    assert.equal(store.query({ limit: 1000 }).length, 320);

    // Another history on the same full disk falls back to memory with one sentence.
    const other = openHistory(path.join(folder.dir, 'other.db'));
    assert.ok(other.store instanceof MemoryStore);
    assert.equal(other.code, 'STORE_FULL');
    assert.match(other.warning ?? '', /^History file ".*other\.db" cannot be written: the disk is full \(SQLITE_FULL\); this session keeps its history in memory only\.$/);

    // Room again: the next batch writes everything kept, in order.
    fs.rmSync(filler);
    await within(store.append(record(320, { text: text(320) })), 5000, 'append after the disk has room');
    assert.equal(store.failing, false);
    assert.equal(errors.length, 1);
    store.close();
    store = SqliteStore.open(file);
    const ids = store.query({ limit: 1000 }).map((r) => r.id);
    assert.deepEqual(ids, Array.from({ length: 321 }, (_, i) => `m${i}`));
    report(`store full disk: 512 KiB tmpfs full after append ${firstFailure}, ${320 - firstFailure} appends resolved on a full disk with 1 warning, all 321 on disk once there was room`);
  } finally {
    store?.close();
    unmount();
  }
});
