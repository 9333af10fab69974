/**
 * A history that cannot be used never stops the chat: corrupt, truncated,
 * read-only, locked by another p2pchat. Opening throws a typed StoreError;
 * openHistory turns that into a memory-only store and one warning sentence.
 *
 * Read-only, as root: permission bits do not stop root (chmod 0400 changes
 * nothing for it), so the read-only cases bind-mount the file or the folder
 * read-only over itself, which refuses writes to everyone (EROFS). They need
 * root with mount rights (as here and in CI) and say so when skipped.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { openHistory } from '../../../src/store/open-history.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { StoreError } from '../../../src/store/store-errors.js';
import { bindReadOnly, canMount, record, runFixture, tempFolder } from '../../helpers/store-files.js';

const MOUNT = canMount() ? false : 'needs root with mount rights (read-only bind mounts)';
const NOT_ROOT = process.getuid?.() === 0 ? 'root ignores chmod 0400; the bind-mount tests cover read-only for root' : false;

/** A folder with a good history of 2,000 messages in it. */
async function withGoodStore(t: TestContext): Promise<{ dir: string; file: string }> {
  const folder = tempFolder();
  t.after(folder.remove);
  const file = path.join(folder.dir, 'good.db');
  const store = SqliteStore.open(file);
  await Promise.all(Array.from({ length: 2000 }, (_, i) => store.append(record(i, { text: `message number ${i} ${'padding '.repeat(20)}` }))));
  store.close();
  return { dir: folder.dir, file };
}

function copyOf(file: string, name: string): string {
  const copy = path.join(path.dirname(file), name);
  fs.copyFileSync(file, copy);
  return copy;
}

describe('history faults', () => {
  it('random bytes: STORE_CORRUPT, and the file is left as it was', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'random.db');
    // Seeded, so a failure can be replayed; 64 KiB of noise is never a valid header.
    let x = 0x9e3779b9;
    const bytes = Buffer.alloc(65536, 0).map(() => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x & 255;
    });
    fs.writeFileSync(file, bytes);
    assert.throws(() => SqliteStore.open(file), { code: 'STORE_CORRUPT', message: `history file "${file}" is damaged (not a database, truncated or corrupt) (SQLITE_NOTADB)` });
    assert.deepEqual(fs.readFileSync(file), bytes);
    assert.equal(fs.existsSync(`${file}-wal`), false);
  });

  it('a truncated file (half, and a cut header): STORE_CORRUPT', async (t) => {
    const { file } = await withGoodStore(t);
    const size = fs.statSync(file).size;
    for (const [name, length] of [['half.db', Math.floor(size / 2)], ['header.db', 50], ['one-page-short.db', size - 4096]] as const) {
      const cut = copyOf(file, name);
      fs.truncateSync(cut, length);
      assert.throws(() => SqliteStore.open(cut), { code: 'STORE_CORRUPT' }, `${name} (${length} of ${size} bytes)`);
    }
    SqliteStore.open(file).close();
  });

  it('damage found only when read is reported once; queries answer [] and appends still resolve', async (t) => {
    const { file } = await withGoodStore(t);
    const store = SqliteStore.open(file);
    t.after(() => store.close());
    const errors: StoreError[] = [];
    store.onError = (error) => errors.push(error as StoreError);
    // The open checks read the header and the right-hand edge; overwrite every other page behind its back.
    const fd = fs.openSync(file, 'r+');
    const size = fs.fstatSync(fd).size;
    for (let at = 4096; at < size - 4096 * 4; at += 4096) fs.writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, at);
    fs.closeSync(fd);
    assert.deepEqual(store.query({ words: 'number', limit: 5000 }), []);
    assert.deepEqual(store.query({ peer: '127.0.0.1:5001', limit: 5000 }), []);
    await store.append(record(5000));
    await store.append(record(5001));
    // Reads and writes each report once: two queries, two appends, two reports.
    assert.deepEqual(
      errors.map((e) => [e.code, e.message.split('; ')[1]]),
      [
        ['STORE_CORRUPT', 'look-ups may miss older messages'],
        ['STORE_CORRUPT', 'new messages are kept in memory until writes succeed again'],
      ],
    );
    // The newest pages were left whole: the last rows still read, and the unsaved ones follow them.
    assert.deepEqual(store.query({ limit: 5 }).map((r) => r.id), ['m1997', 'm1998', 'm1999', 'm5000', 'm5001'], 'this session\'s messages are still answered');
    assert.equal(errors.length, 2);
  });

  it('openHistory: a damaged file gives a working memory store and one warning sentence', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'bad.db');
    fs.writeFileSync(file, 'this is not a database, not even close; '.repeat(200));
    const opened = openHistory(file);
    assert.ok(opened.store instanceof MemoryStore);
    assert.equal(opened.code, 'STORE_CORRUPT');
    assert.equal(opened.warning, `History file "${file}" is damaged (not a database, truncated or corrupt) (SQLITE_NOTADB); this session keeps its history in memory only.`);
    assert.equal(opened.warning?.split('. ').length, 1, 'one sentence');
    await opened.store.append(record(1));
    assert.deepEqual(opened.store.query({}).map((r) => r.id), ['m1']);
  });

  it('openHistory: a good file gives the SQLite store and no warning', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const opened = openHistory(path.join(folder.dir, 'p2pchat', 'history-5000.db'));
    t.after(() => opened.store.close());
    assert.ok(opened.store instanceof SqliteStore);
    assert.equal(opened.warning, undefined);
    assert.equal(opened.code, undefined);
  });

  it('a read-only file (read-only bind mount): STORE_READONLY at open, not at the first message', { skip: MOUNT }, async (t) => {
    const { file } = await withGoodStore(t);
    // Unmounted in finally, not t.after: after-hooks run in order, and the folder's removal came first.
    const undo = bindReadOnly(file);
    try {
      assert.throws(() => SqliteStore.open(file), { code: 'STORE_READONLY', message: `history file "${file}" cannot be written (read-only file, folder or disk) (EROFS)` });
      const opened = openHistory(file);
      assert.equal(opened.code, 'STORE_READONLY');
      assert.ok(opened.store instanceof MemoryStore);
    } finally {
      undo();
    }
  });

  it('a read-only folder: STORE_READONLY for a file in it, new or existing, and for a folder to create in it', { skip: MOUNT }, async (t) => {
    const { dir, file } = await withGoodStore(t);
    const undo = bindReadOnly(dir);
    try {
      for (const target of [file, path.join(dir, 'new.db'), path.join(dir, 'p2pchat', 'history-5000.db')]) {
        assert.throws(() => SqliteStore.open(target), { code: 'STORE_READONLY' }, target);
      }
      assert.equal(fs.existsSync(path.join(dir, 'new.db')), false);
    } finally {
      undo();
    }
  });

  it('a 0400 file when not root: STORE_READONLY', { skip: NOT_ROOT }, async (t) => {
    const { file } = await withGoodStore(t);
    fs.chmodSync(file, 0o400);
    assert.throws(() => SqliteStore.open(file), { code: 'STORE_READONLY' });
  });

  it('a second store on the same file in this process: STORE_LOCKED', async (t) => {
    const { file } = await withGoodStore(t);
    const first = SqliteStore.open(file);
    t.after(() => first.close());
    assert.throws(() => SqliteStore.open(file), { code: 'STORE_LOCKED', message: `history file "${file}" is in use by another running p2pchat (SQLITE_BUSY)` });
    await first.append(record(9999));
    assert.equal(first.query({ limit: 1 })[0]?.id, 'm9999', 'the first store goes on');
  });

  it('two p2pchats on one file: the second gets STORE_LOCKED; SIGKILL of the first frees it, nothing lost', { timeout: 60_000 }, async (t) => {
    const { file } = await withGoodStore(t);
    const holder = runFixture('store-holder.ts', [file]);
    t.after(() => holder.kill());
    await holder.waitForLine((l) => l === 'ready' || l.startsWith('error'), 20_000, 'the holder opened the store');
    assert.deepEqual(holder.lines, ['ready'], holder.stderr());

    const started = performance.now();
    assert.throws(() => SqliteStore.open(file), { code: 'STORE_LOCKED' });
    assert.ok(performance.now() - started < 5000, 'the lock is told quickly, not after a long wait');
    const opened = openHistory(file);
    assert.equal(opened.warning, `History file "${file}" is in use by another running p2pchat (SQLITE_BUSY); this session keeps its history in memory only.`);

    const second = runFixture('store-holder.ts', [file]);
    t.after(() => second.kill());
    await second.waitForLine((l) => l.startsWith('error') || l === 'ready', 20_000, 'the second holder gave up');
    assert.deepEqual(second.lines, ['error STORE_LOCKED']);

    await holder.kill();
    assert.equal((await holder.exited).signal, 'SIGKILL');
    const store = SqliteStore.open(file);
    t.after(() => store.close());
    assert.equal(store.query({ limit: 5000 }).length, 2001, 'the 2,000 and the holder\'s own append');
    assert.match(store.query({ limit: 1 })[0]?.id ?? '', /^held-\d+$/);
  });
});
