import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_RATE_LIMIT, TokenBucket } from '../../../../src/transport/room/rate-limit.js';

describe('TokenBucket', () => {
  it('documents its default: bursts of 200, 50 frames/s', () => {
    assert.deepEqual(DEFAULT_RATE_LIMIT, { burst: 200, perSecond: 50 });
  });
  it('allows a burst, then refills at the rate', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 10 }, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)], [true, true, true, false]);
    assert.equal(bucket.waitMs(0), 100);
    assert.equal(bucket.take(99), false);
    assert.equal(bucket.take(100), true);
    assert.equal(bucket.available(10_000), 3, 'capped at the burst');
  });
  it('refills nothing when the clock steps back', () => {
    const bucket = new TokenBucket({ burst: 2, perSecond: 1 }, 1000);
    bucket.take(1000);
    bucket.take(1000);
    assert.equal(bucket.take(0), false);
    assert.equal(bucket.take(1500), false);
    assert.equal(bucket.take(2000), true);
  });
  it('cannot wait for more than the burst', () => {
    assert.equal(new TokenBucket({ burst: 2, perSecond: 1 }, 0).waitMs(0, 3), Number.POSITIVE_INFINITY);
  });
  it('refuses a limit that is not positive', () => {
    assert.throws(() => new TokenBucket({ burst: 0, perSecond: 1 }, 0), /burst > 0 and perSecond > 0, got 0 and 1/);
  });
  it('never lets more than burst + rate x time through (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (burst, perSecond, gaps) => {
        const bucket = new TokenBucket({ burst, perSecond }, 0);
        let now = 0;
        let passed = 0;
        for (const gap of gaps) {
          now += gap;
          if (bucket.take(now)) passed += 1;
        }
        assert.ok(passed <= burst + (now / 1000) * perSecond + 1e-9, `${passed} passed in ${now} ms`);
      }),
    );
  });
});
