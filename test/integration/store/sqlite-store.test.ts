/** The history database on real files: append, queries, search, status, peers, recall, modes, batching. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import type { StoredMessage } from '../../../src/store/store.js';
import { record, tempFolder } from '../../helpers/store-files.js';
import { waitUntil } from '../../helpers/wait.js';

const ids = (records: readonly StoredMessage[]): string[] => records.map((r) => r.id);

/** A store in a fresh folder, closed and removed after the test. */
function fresh(t: TestContext, name = 'history.db'): { file: string; open: () => SqliteStore } {
  const folder = tempFolder();
  const file = path.join(folder.dir, name);
  const opened: SqliteStore[] = [];
  t.after(() => {
    for (const store of opened) store.close();
    folder.remove();
  });
  return {
    file,
    open: () => {
      const store = SqliteStore.open(file);
      opened.push(store);
      return store;
    },
  };
}

describe('SqliteStore', () => {
  it('keeps every field across a reopen', async (t) => {
    const { open } = fresh(t);
    const full = record(1, { direction: 'in', remote: '127.0.0.1:40001', verified: false, name: null });
    const out = record(2, { direction: 'out', status: 'failed', line: '127.0.0.1:6000 Me hi', error: 'ECONNREFUSED', kind: 'chat', text: 'hi' });
    const control = record(3, { kind: 'hello', text: 'HELLO' });
    let store = open();
    await Promise.all([store.append(full), store.append(out), store.append(control)]);
    store.close();
    store = open();
    assert.deepEqual(store.query({}), [full, out, control]);
    assert.equal(store.label, `history ${store.path}`);
  });

  it('answers the last N overall (default 50) and per peer, newest last', async (t) => {
    const store = fresh(t).open();
    await Promise.all(Array.from({ length: 120 }, (_, i) => store.append(record(i))));
    assert.equal(store.query({}).length, 50);
    assert.deepEqual(ids(store.query({ limit: 3 })), ['m117', 'm118', 'm119']);
    assert.deepEqual(ids(store.query({ peer: '127.0.0.1:5003', limit: 3 })), ['m108', 'm113', 'm118']);
    assert.deepEqual(store.query({ peer: '127.0.0.1:9999' }), []);
    assert.deepEqual(store.query({ limit: 0 }), []);
    assert.equal(store.query({ limit: Number.NaN }).length, 50, 'a bad limit is the default');
    assert.equal(store.query({ limit: 1_000_000 }).length, 120);
  });

  it('searches whole words, every one, case and accents ignored, newest last, per peer too', async (t) => {
    const store = fresh(t).open();
    const texts = ['Deploy the café tonight', 'deployed yesterday', 'CAFE closed', 'the deploy went fine', 'nothing here'];
    await Promise.all(texts.map((text, i) => store.append(record(i, { text }))));
    assert.deepEqual(ids(store.query({ words: 'deploy' })), ['m0', 'm3']);
    assert.deepEqual(ids(store.query({ words: 'cafe' })), ['m0', 'm2']);
    assert.deepEqual(ids(store.query({ words: 'DEPLOY Café' })), ['m0']);
    assert.deepEqual(ids(store.query({ words: 'deploy', limit: 1 })), ['m3']);
    assert.deepEqual(ids(store.query({ words: 'deploy', peer: '127.0.0.1:5003' })), ['m3']);
    assert.deepEqual(store.query({ words: 'absent' }), []);
  });

  it('user words are never FTS syntax: operators are words, and no input throws or fails', async (t) => {
    const store = fresh(t).open();
    const errors: Error[] = [];
    store.onError = (error) => errors.push(error);
    await store.append(record(1, { text: 'cats AND dogs' }));
    await store.append(record(2, { text: 'cats or dogs NEAR the text column' }));
    assert.deepEqual(ids(store.query({ words: 'AND' })), ['m1'], 'AND is a word, not an operator');
    assert.deepEqual(ids(store.query({ words: 'or near' })), ['m2']);
    assert.deepEqual(ids(store.query({ words: 'text:cats' })), ['m2'], 'no column filter: "text" and "cats" are both words');
    for (const nasty of ['"', '""', '*', 'cats*', 'NEAR(', ')', '^cats', '-dogs', '+', 'a" OR "b', "'; DROP TABLE messages; --", '\u0000', '\uD800', 'x'.repeat(10_000)]) {
      assert.doesNotThrow(() => store.query({ words: nasty }), JSON.stringify(nasty.slice(0, 20)));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (words) => {
        store.query({ words });
      }),
      { numRuns: 500 },
    );
    assert.deepEqual(errors, []);
    assert.equal(store.query({ limit: 10 }).length, 2, 'the table is still there');
  });

  it('updateStatus changes a message later (queued -> sent / gave-up) and it lasts; an unknown id changes nothing', async (t) => {
    const { open } = fresh(t);
    let store = open();
    await store.append(record(1, { direction: 'out', status: 'queued' }));
    await store.append(record(2, { direction: 'out', status: 'queued' }));
    await store.updateStatus('m1', 'sent');
    await store.updateStatus('m2', 'gave-up', 'timed out after 5 tries');
    await store.updateStatus('m404', 'sent');
    store.close();
    store = open();
    assert.deepEqual(store.query({}).map((r) => [r.id, r.status, r.error]), [
      ['m1', 'sent', undefined],
      ['m2', 'gave-up', 'timed out after 5 tries'],
    ]);
    await store.updateStatus('m2', 'sent');
    assert.equal('error' in (store.query({})[1] ?? {}), false, 'no error given clears the old one');
  });

  it('a second append of an id is a retry: one row, same place and text, new outcome', async (t) => {
    const store = fresh(t).open();
    await store.append(record(1, { direction: 'out', status: 'failed', error: 'ETIMEDOUT' }));
    await store.append(record(2));
    await store.append(record(1, { direction: 'out', status: 'sent', text: 'changed?' }));
    assert.deepEqual(store.query({}).map((r) => [r.id, r.status, r.text, r.error]), [
      ['m1', 'sent', 'message 1', undefined],
      ['m2', 'received', 'message 2', undefined],
    ]);
  });

  it('a bad record is refused with STORE_BAD_RECORD and the rest of the batch is stored', async (t) => {
    const store = fresh(t).open();
    const errors: { code?: string; message: string }[] = [];
    store.onError = (error) => errors.push(error);
    await Promise.all([store.append(record(1)), store.append(record(2, { at: Number.NaN })), store.append(record(3))]);
    assert.deepEqual(ids(store.query({})), ['m1', 'm3']);
    assert.deepEqual(errors.map((e) => e.code), ['STORE_BAD_RECORD']);
    assert.match(errors[0]?.message ?? '', /record m2: at NaN is not a time/);
  });

  it('a bad status or peer is refused with STORE_BAD_RECORD; the writes around it are stored', async (t) => {
    const { open } = fresh(t);
    let store = open();
    const errors: { code?: string; message: string }[] = [];
    store.onError = (error) => errors.push(error);
    await store.append(record(1, { direction: 'out', status: 'queued' }));
    await store.updateStatus('m1', 'lost' as 'sent');
    store.rememberPeer({ id: 'p', name: 'P', verified: true, lastSeen: Number.NaN });
    store.rememberPeer({ id: 'q', name: 'Q', verified: true, lastSeen: 5 });
    await store.updateStatus('m1', 'sent');
    assert.deepEqual(errors.map((e) => e.code), ['STORE_BAD_RECORD', 'STORE_BAD_RECORD']);
    assert.equal(store.failing, false);
    store.close();
    store = open();
    assert.equal(store.query({})[0]?.status, 'sent');
    assert.deepEqual(store.knownPeers().map((p) => p.id), ['q']);
  });

  it('a write SQLite itself refuses is reported and skipped, not retried with every later batch', async (t) => {
    const { file, open } = fresh(t);
    open().close();
    // Another program's trigger on the file stands in for any constraint the store did not foresee.
    const db = new Database(file);
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN new.text = 'poison' BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END;");
    db.close();
    const store = open();
    const errors: { code?: string; message: string }[] = [];
    store.onError = (error) => errors.push(error);
    await Promise.all([store.append(record(1)), store.append(record(2, { text: 'poison' })), store.append(record(3))]);
    await store.append(record(4));
    assert.deepEqual(ids(store.query({})), ['m1', 'm3', 'm4']);
    assert.deepEqual(errors.map((e) => e.code), ['STORE_BAD_RECORD']);
    assert.match(errors[0]?.message ?? '', /append not stored: refused by trigger/);
    assert.equal(store.failing, false);
  });

  it('stored before shown: an append resolves only after the batch holding it committed', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const flushes: (() => void)[] = [];
    const store = SqliteStore.open(path.join(folder.dir, 'h.db'), { schedule: (flush) => flushes.push(flush) });
    t.after(() => store.close());
    let resolved = 0;
    const appends = Array.from({ length: 100 }, (_, i) => store.append(record(i)).then(() => (resolved += 1)));
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
    assert.equal(resolved, 0, 'nothing resolved before the commit');
    assert.equal(flushes.length, 1, 'one commit scheduled for the whole turn');
    const before = store.batches;
    flushes.splice(0).forEach((flush) => flush());
    await Promise.all(appends);
    assert.equal(store.batches - before, 1, 'one transaction for 100 appends');
    assert.equal(resolved, 100);
    assert.ok(fs.statSync(`${store.path}-wal`).size > 0, 'the commit is in the WAL file');
  });

  it('a burst whose turns keep bringing appends is committed in a few transactions, each append resolving after its own', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const burst = async (store: SqliteStore): Promise<{ batches: number; late: number }> => {
      const before = store.batches;
      const appends: Promise<void>[] = [];
      let late = 0;
      const append = (i: number): void => {
        const at = store.batches;
        appends.push(store.append(record(i)).then(() => void (store.batches === at && (late += 1))));
      };
      // 100 turns, each with two appends from callbacks of their own, as connections ending in one poll bring them.
      for (let i = 0; i < 200; i += 2) {
        setImmediate(() => append(i));
        setImmediate(() => append(i + 1));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(appends);
      return { batches: store.batches - before, late };
    };
    const grouped = SqliteStore.open(path.join(folder.dir, 'grouped.db'));
    t.after(() => grouped.close());
    const perTurn = SqliteStore.open(path.join(folder.dir, 'per-turn.db'), { maxDelayMs: 0 });
    t.after(() => perTurn.close());
    const held = await burst(grouped);
    const each = await burst(perTurn);
    assert.equal(held.late, 0, 'no append resolved before a commit');
    assert.ok(each.batches >= 90, `without holding, about one transaction per turn: ${each.batches}`);
    assert.ok(held.batches * 5 <= each.batches, `held open: ${held.batches} transactions against ${each.batches}`);
    assert.equal(grouped.query({ limit: 500 }).length, 200);
  });

  it('batches by event-loop turn with the default scheduler', async (t) => {
    const store = fresh(t).open();
    const before = store.batches;
    await Promise.all(Array.from({ length: 500 }, (_, i) => store.append(record(i))));
    assert.equal(store.batches - before, 1);
    for (let i = 500; i < 505; i += 1) await store.append(record(i));
    assert.equal(store.batches - before, 6, 'one by one, one transaction each');
  });

  it('folds the WAL into the file once writes pause, and at once past maxWalBytes', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const wal = (store: SqliteStore): number => (fs.existsSync(`${store.path}-wal`) ? fs.statSync(`${store.path}-wal`).size : 0);
    const idle = SqliteStore.open(path.join(folder.dir, 'idle.db'), { checkpoint: { idleMs: 100 } });
    t.after(() => idle.close());
    await Promise.all(Array.from({ length: 50 }, (_, i) => idle.append(record(i))));
    assert.ok(wal(idle) > 0, 'the commit went to the WAL');
    await waitUntil(() => wal(idle) === 0, 5000, () => `the WAL folded in after 100 ms idle; it has ${wal(idle)} bytes`);
    assert.equal(idle.query({ limit: 100 }).length, 50);

    const busy = SqliteStore.open(path.join(folder.dir, 'busy.db'), { checkpoint: { idleMs: 60_000, maxWalBytes: 64 * 1024 } });
    t.after(() => busy.close());
    for (let round = 0; round < 20; round += 1) await Promise.all(Array.from({ length: 20 }, (_, i) => busy.append(record(round * 20 + i, { text: 'x'.repeat(500) }))));
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(wal(busy) < 256 * 1024, `the WAL stays near its 64 KiB cap without an idle moment: ${wal(busy)} bytes`);
    assert.equal(busy.query({ limit: 1000 }).length, 400);
  });

  it('a query sees writes made in the same turn', (t) => {
    const store = fresh(t).open();
    void store.append(record(1));
    store.rememberPeer({ id: 'p', name: 'P', verified: true, lastSeen: 1 });
    assert.deepEqual(ids(store.query({})), ['m1']);
    assert.equal(store.knownPeers().length, 1);
  });

  it('remembers peers across runs (upsert, most recent first); forgetPeer removes only the peer row', async (t) => {
    const { open } = fresh(t);
    let store = open();
    store.rememberPeer({ id: '127.0.0.1:5001', name: 'Bob', verified: true, lastSeen: 100 });
    store.rememberPeer({ id: '127.0.0.1:5002', name: 'Carol', verified: false, lastSeen: 200 });
    store.rememberPeer({ id: '127.0.0.1:5001', name: null, verified: false, lastSeen: 50 });
    await store.append(record(1, { peer: '127.0.0.1:5002' }));
    store.close();
    store = open();
    assert.deepEqual(store.knownPeers(), [
      { id: '127.0.0.1:5002', name: 'Carol', verified: false, lastSeen: 200 },
      { id: '127.0.0.1:5001', name: 'Bob', verified: false, lastSeen: 100 },
    ]);
    assert.deepEqual(store.knownPeers(1).map((p) => p.id), ['127.0.0.1:5002']);
    store.forgetPeer('127.0.0.1:5002');
    store.close();
    store = open();
    assert.deepEqual(store.knownPeers().map((p) => p.id), ['127.0.0.1:5001']);
    assert.deepEqual(ids(store.query({ peer: '127.0.0.1:5002' })), ['m1'], 'the messages stay');
  });

  it('keeps at most maxPeers peers, dropping the least recently seen', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const store = SqliteStore.open(path.join(folder.dir, 'h.db'), { maxPeers: 3 });
    t.after(() => store.close());
    for (let i = 1; i <= 5; i += 1) store.rememberPeer({ id: `p${i}`, name: null, verified: false, lastSeen: i });
    assert.deepEqual(store.knownPeers().map((p) => p.id), ['p5', 'p4', 'p3']);
  });

  it('recentOutgoingTexts recalls own chat lines across runs, newest last, repeats in a row once', async (t) => {
    const { open } = fresh(t);
    let store = open();
    const out = (i: number, text: string, kind: StoredMessage['kind'] = 'chat') => store.append(record(i, { direction: 'out', status: 'sent', text, kind }));
    await out(1, 'first');
    await out(2, 'again');
    await out(3, 'again');
    await out(4, 'exit', 'exit');
    await store.append(record(5, { text: 'not mine' }));
    store.close();
    store = open();
    await out(6, 'latest');
    assert.deepEqual(store.recentOutgoingTexts(), ['first', 'again', 'latest']);
    assert.deepEqual(store.recentOutgoingTexts(1), ['latest']);
  });

  it('creates missing folders 0700 and the file 0600 (its WAL too); tightens an existing 0644 file', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'a', 'p2pchat', 'history-5000.db');
    fs.chmodSync(folder.dir, 0o755);
    const store = SqliteStore.open(file);
    await store.append(record(1));
    const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);
    assert.equal(mode(path.join(folder.dir, 'a')), '700');
    assert.equal(mode(path.dirname(file)), '700');
    assert.equal(mode(file), '600');
    assert.equal(mode(`${file}-wal`), '600');
    store.close();
    fs.chmodSync(file, 0o644);
    SqliteStore.open(file).close();
    assert.equal(mode(file), '600');
    assert.equal(mode(folder.dir), '755', 'an existing folder is left as it is');
  });

  it('close is idempotent, saves what is queued, and later calls change nothing', async (t) => {
    const { open } = fresh(t);
    let store = open();
    void store.append(record(1));
    store.close();
    store.close();
    await store.append(record(2));
    assert.deepEqual(store.query({}), []);
    store = open();
    assert.deepEqual(ids(store.query({})), ['m1']);
  });
});
