import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_REFRESH, refreshDelayMs } from '../../../../src/transport/room/refresh-schedule.js';

describe('refreshDelayMs', () => {
  it('looks again soon when alone, doubling up to the cap', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => refreshDelayMs(n, 0)),
      [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000],
    );
  });
  it('looks every 30 s with company', () => {
    assert.equal(refreshDelayMs(0, 1), 30_000);
    assert.equal(refreshDelayMs(9, 5), 30_000);
  });
  it('takes tiny values for tests', () => {
    assert.equal(refreshDelayMs(2, 0, { aloneMs: 10, maxMs: 25, withPeersMs: 50 }), 25);
    assert.equal(refreshDelayMs(2, 1, { aloneMs: 10, maxMs: 25, withPeersMs: 50 }), 25);
    assert.deepEqual(DEFAULT_REFRESH, { aloneMs: 1000, maxMs: 60_000, withPeersMs: 30_000 });
  });
});
