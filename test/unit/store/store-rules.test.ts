import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collapseRepeats, mergePeer, normalizeLimit, recordProblem, withStatus } from '../../../src/store/store-rules.js';
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
    ];
    for (const [fields, pattern] of bad) assert.match(recordProblem(record(1, fields ?? {})) ?? '', pattern);
    assert.equal(recordProblem(null as unknown as StoredMessage), 'not an object');
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
