import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../src/store/memory-store.js';
import type { StoredMessage } from '../../../src/store/store.js';
import { record } from '../../helpers/store-files.js';

const ids = (records: readonly StoredMessage[]): string[] => records.map((r) => r.id);

describe('MemoryStore', () => {
  it('answers the last N overall and per peer, newest last (default 50)', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 120; i += 1) await store.append(record(i));
    assert.equal(store.query({}).length, 50);
    assert.deepEqual(ids(store.query({ limit: 3 })), ['m117', 'm118', 'm119']);
    assert.deepEqual(ids(store.query({ peer: '127.0.0.1:5002', limit: 3 })), ['m107', 'm112', 'm117']);
    assert.deepEqual(store.query({ limit: 0 }), []);
    assert.equal(store.query({ limit: -5 }).length, 50, 'a bad limit is the default');
  });

  it('is bounded: past maxMessages the oldest go', async () => {
    const store = new MemoryStore({ maxMessages: 10 });
    for (let i = 0; i < 25; i += 1) await store.append(record(i));
    assert.equal(store.size, 10);
    assert.deepEqual(ids(store.query({ limit: 100 })), Array.from({ length: 10 }, (_, i) => `m${15 + i}`));
  });

  it('searches whole words, every one, case and accents ignored; no words find nothing', async () => {
    const store = new MemoryStore();
    await store.append(record(1, { text: 'Deploy the café tonight' }));
    await store.append(record(2, { text: 'deployed yesterday' }));
    await store.append(record(3, { text: 'CAFE closed' }));
    assert.deepEqual(ids(store.query({ words: 'cafe' })), ['m1', 'm3']);
    assert.deepEqual(ids(store.query({ words: 'deploy CAFÉ' })), ['m1']);
    assert.deepEqual(store.query({ words: '"*)' }), []);
  });

  it('a second append of an id is a retry: it keeps its place, only the outcome changes; updateStatus likewise', async () => {
    const store = new MemoryStore();
    await store.append(record(1, { direction: 'out', status: 'queued' }));
    await store.append(record(2));
    await store.append(record(1, { direction: 'out', status: 'failed', error: 'ECONNREFUSED', text: 'other' }));
    assert.deepEqual(store.query({}).map((r) => [r.id, r.status, r.error, r.text]), [
      ['m1', 'failed', 'ECONNREFUSED', 'message 1'],
      ['m2', 'received', undefined, 'message 2'],
    ]);
    await store.updateStatus('m1', 'sent');
    assert.equal(store.query({ limit: 2 })[0]?.status, 'sent');
    assert.equal('error' in (store.query({ limit: 2 })[0] ?? {}), false);
    await store.updateStatus('nope', 'sent');
    assert.equal(store.size, 2);
  });

  it('refuses a bad record with STORE_BAD_RECORD and stores nothing', async () => {
    const store = new MemoryStore();
    const errors: { code: string; message: string }[] = [];
    store.onError = (error) => errors.push(error as { code: string; message: string } & Error);
    await store.append(record(1, { direction: 'up' as 'in' }));
    assert.equal(store.size, 0);
    assert.deepEqual(errors.map((e) => e.code), ['STORE_BAD_RECORD']);
    assert.match(errors[0]?.message ?? '', /direction "up"/);
  });

  it('remembers peers (upsert), most recent first, bounded, and forgets only the peer', async () => {
    const store = new MemoryStore({ maxPeers: 2 });
    store.rememberPeer({ id: 'a', name: 'Alice', verified: true, lastSeen: 10 });
    store.rememberPeer({ id: 'b', name: 'Bob', verified: false, lastSeen: 20 });
    store.rememberPeer({ id: 'a', name: null, verified: true, lastSeen: 30 });
    assert.deepEqual(store.knownPeers(), [
      { id: 'a', name: 'Alice', verified: true, lastSeen: 30 },
      { id: 'b', name: 'Bob', verified: false, lastSeen: 20 },
    ]);
    store.rememberPeer({ id: 'c', name: 'Carol', verified: false, lastSeen: 40 });
    assert.deepEqual(store.knownPeers().map((p) => p.id), ['c', 'a'], 'the stalest went');
    await store.append(record(1, { peer: 'a' }));
    store.forgetPeer('a');
    assert.deepEqual(store.knownPeers().map((p) => p.id), ['c']);
    assert.deepEqual(ids(store.query({ peer: 'a' })), ['m1'], 'its messages stay');
  });

  it('a flood of new peers keeps the most recently seen maxPeers, whatever order they came in', () => {
    const store = new MemoryStore({ maxPeers: 100 });
    // Times out of order, as peers learnt from an earlier run and new ones mix.
    const seen = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 5000) + 1);
    for (const [i, lastSeen] of seen.entries()) store.rememberPeer({ id: `p${i}`, name: null, verified: false, lastSeen });
    const kept = store.knownPeers(10_000);
    assert.equal(kept.length, 100);
    assert.deepEqual(kept.map((p) => p.lastSeen), Array.from({ length: 100 }, (_, i) => 5000 - i));
  });

  it('recentOutgoingTexts: own chat lines only, newest last, repeats in a row once', async () => {
    const store = new MemoryStore();
    const out = (i: number, text: string, kind: StoredMessage['kind'] = 'chat') => store.append(record(i, { direction: 'out', status: 'sent', text, kind }));
    await out(1, 'one');
    await out(2, 'two');
    await out(3, 'two');
    await out(4, 'hello', 'hello');
    await store.append(record(5, { text: 'theirs' }));
    await out(6, 'three');
    assert.deepEqual(store.recentOutgoingTexts(), ['one', 'two', 'three']);
    assert.deepEqual(store.recentOutgoingTexts(2), ['two', 'three']);
  });
});
