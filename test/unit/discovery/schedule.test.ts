import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerAt, DEFAULT_REQUERY_MS, queryDelayMs, timing } from '../../../src/discovery/schedule.js';

describe('schedule: when LAN discovery sends', () => {
  it('announces at start, 1 s later, then every third of the TTL', () => {
    const t = timing(60);
    assert.deepEqual([0, 1, 2, 3, 10].map(t.announceDelaysMs), [0, 1000, 20_000, 20_000, 20_000]);
  });

  it('a short TTL (tests) announces often enough that two lost packets do not expire a live peer', () => {
    const t = timing(2);
    assert.deepEqual([0, 1, 2].map(t.announceDelaysMs), [0, 667, 667]);
    assert.deepEqual([0, 1, 2].map(timing(1).announceDelaysMs), [0, 500, 500], 'never more often than twice a second');
  });

  it('sweeps for expired records every tenth of the TTL, within 100 ms .. 1 s', () => {
    assert.deepEqual([1, 2, 5, 60, 4500].map((ttl) => timing(ttl).sweepMs), [100, 200, 500, 1000, 1000]);
  });

  it('queries at 0, 1 and 3 s, then every re-query interval', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => queryDelayMs(n)), [0, 1000, 2000, DEFAULT_REQUERY_MS, DEFAULT_REQUERY_MS]);
    assert.equal(queryDelayMs(3, 10_000), 10_000);
  });

  it('answers after 20..120 ms, and not within the interval of our last multicast', () => {
    assert.equal(answerAt(10_000, undefined, 0), 10_020);
    assert.equal(answerAt(10_000, undefined, 0.999), 10_119);
    assert.equal(answerAt(10_000, 9_500, 0), 10_500, 'a multicast 500 ms ago: wait for the rest of the second');
    assert.equal(answerAt(10_000, 5_000, 0.5), 10_070);
    assert.equal(answerAt(10_000, 9_990, 0, 0), 10_020, 'interval 0: jitter only');
  });
});
