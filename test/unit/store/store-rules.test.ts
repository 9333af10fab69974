import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collapseRepeats, mergePeer, normalizeLimit, peerProblem, recordProblem, statusProblem, withStatus } from '../../../src/store/store-rules.js';
import type { KnownPeer } from '../../../src/store/store.js';
import type { StoredMessage } from '../../../src/store/store.js';
import { record } from '../../helpers/store-files.js';

describe('store rules', () => {
  it('normalizeLimit: integers 0..max pass, clamped; anything else is the fallback', () => {
    const table: [unknown, number][] = [
      [undefined, 50],
      [0, 0],
      [7, 7],
      [10_000, 10_000],
      [10_001, 10_000],
      [-1, 50],
      [2.5, 50],
      [Number.NaN, 50],
      [Number.POSITIVE_INFINITY, 50],
      ['7', 50],
      [null, 50],
    ];
    for (const [limit, expected] of table) assert.equal(normalizeLimit(limit, 50), expected, String(limit));
  });

  it('recordProblem accepts a good record and names what is wrong with a bad one', () => {
    assert.equal(recordProblem(record(1)), null);
    assert.equal(recordProblem(record(1, { name: null, verified: true, remote: '127.0.0.1:40000' })), null);
    const bad: [Partial<StoredMessage> | null, RegExp][] = [
      [{ id: '' }, /^id "" is not a string/],
      [{ id: 'x'.repeat(201) }, /^id "x+" is not a string of 1\.\.200/],
      [{ at: Number.NaN }, /at NaN is not a time/],
      [{ direction: 'sideways' as 'in' }, /direction "sideways"/],
      [{ kind: 'shout' as 'chat' }, /kind "shout" is unknown/],
      [{ text: 42 as unknown as string }, /text is not a string/],
      [{ status: 'lost' as 'sent' }, /status "lost" is unknown/],
      [{ peer: undefined as unknown as string }, /peer is not a string/],
      [{ remote: 40000 as unknown as string }, /remote is not a string/],
      [{ error: {} as unknown as string }, /error is not a string/],
      [{ verified: 'yes' as unknown as boolean }, /verified is not a boolean/],
    ];
    for (const [fields, pattern] of bad) assert.match(recordProblem(record(1, fields ?? {})) ?? '', pattern);
    assert.equal(recordProblem(null as unknown as StoredMessage), 'not an object');
  });

  it('peerProblem and statusProblem accept good values and name what is wrong', () => {
    const good: KnownPeer = { id: '127.0.0.1:5001', name: null, verified: false, lastSeen: 1 };
    assert.equal(peerProblem(good), null);
    const badPeers: [Partial<KnownPeer>, RegExp][] = [
      [{ id: '' }, /^peer id "" is not a string/],
      [{ lastSeen: Number.NaN }, /lastSeen NaN is not a time/],
      [{ verified: 1 as unknown as boolean }, /verified is not a boolean/],
      [{ name: 7 as unknown as string }, /name is neither/],
    ];
    for (const [fields, pattern] of badPeers) assert.match(peerProblem({ ...good, ...fields }) ?? '', pattern);
    assert.equal(peerProblem(undefined as unknown as KnownPeer), 'peer is not an object');
    assert.equal(statusProblem('m1', 'sent', undefined), null);
    assert.equal(statusProblem('m1', 'gave-up', 'timed out'), null);
    assert.equal(statusProblem('m1', 'lost', undefined), 'status update of m1: status "lost" is unknown');
    assert.equal(statusProblem('m1', 'failed', 42), 'status update of m1: error is not a string');
    assert.equal(statusProblem(7, 'sent', undefined), 'status update: id is not a string');
  });

  it('mergePeer keeps a known name over null and never moves lastSeen back', () => {
    const known = { id: 'a', name: 'Alice', verified: true, lastSeen: 100 };
    assert.deepEqual(mergePeer(undefined, known), known);
    assert.deepEqual(mergePeer(known, { id: 'a', name: null, verified: false, lastSeen: 50 }), { id: 'a', name: 'Alice', verified: false, lastSeen: 100 });
    assert.deepEqual(mergePeer(known, { id: 'a', name: 'Al', verified: true, lastSeen: 200 }), { id: 'a', name: 'Al', verified: true, lastSeen: 200 });
  });

  it('collapseRepeats drops repeats in a row only, newest last, at most limit', () => {
    assert.deepEqual(collapseRepeats(['c', 'c', 'b', 'c', 'a', 'a'], 10), ['a', 'c', 'b', 'c']);
    assert.deepEqual(collapseRepeats(['c', 'c', 'b', 'c', 'a'], 2), ['b', 'c']);
    assert.deepEqual(collapseRepeats([], 5), []);
  });

  it('withStatus sets the error, or removes the old one when none is given', () => {
    const failed = withStatus(record(1, { direction: 'out', status: 'sending' }), 'failed', 'ECONNREFUSED');
    assert.equal(failed.error, 'ECONNREFUSED');
    const sent = withStatus(failed, 'sent');
    assert.equal(sent.status, 'sent');
    assert.equal('error' in sent, false);
  });
});
