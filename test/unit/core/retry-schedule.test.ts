import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Backoff, RetrySchedule } from '../../../src/core/retry-schedule.js';

/** A random source that returns `values` in turn, then repeats the last. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)] as number;
}

describe('RetrySchedule', () => {
  it('doubles from 1 s and stops at 60 s (no jitter drawn)', () => {
    const schedule = new RetrySchedule({ random: () => 0 });
    const table: [number, number][] = [
      [1, 1000],
      [2, 2000],
      [3, 4000],
      [4, 8000],
      [5, 16_000],
      [6, 32_000],
      [7, 60_000],
      [8, 60_000],
      [50, 60_000],
      [10_000, 60_000],
    ];
    for (const [attempt, ms] of table) assert.equal(schedule.next(attempt), ms, `attempt ${attempt}`);
  });

  it('adds up to 10 % of the step as jitter, from the injected random source', () => {
    const schedule = new RetrySchedule({ random: sequence(0.5, 0.999, 0) });
    assert.equal(schedule.next(4), 8400);
    assert.equal(schedule.next(4), 8799);
    assert.equal(schedule.next(4), 8000);
    assert.equal(new RetrySchedule({ random: () => 0.5 }).next(100), 63_000);
    assert.equal(new RetrySchedule().maxDelayMs, 66_000);
  });

  it('treats attempt 0, negatives, fractions and NaN as the first failure', () => {
    const schedule = new RetrySchedule({ random: () => 0 });
    for (const attempt of [0, -3, 0.5, Number.NaN, -Infinity]) assert.equal(schedule.next(attempt), 1000, String(attempt));
    assert.equal(schedule.next(2.9), 2000);
    assert.equal(schedule.next(Infinity), 1000);
  });

  it('keeps a random source outside [0, 1) from pushing past the jitter', () => {
    for (const r of [1, 7, -1, Number.NaN]) assert.equal(new RetrySchedule({ random: () => r }).next(3), 4000, String(r));
  });

  it('takes other steps, caps and factors', () => {
    const schedule = new RetrySchedule({ baseMs: 50, capMs: 300, factor: 3, jitter: 0, random: () => 0.9 });
    assert.deepEqual([1, 2, 3, 4].map((n) => schedule.next(n)), [50, 150, 300, 300]);
  });

  it('refuses options out of range, naming the option', () => {
    const cases: [ConstructorParameters<typeof RetrySchedule>[0], RegExp][] = [
      [{ baseMs: 0 }, /baseMs must be a positive number of ms, not 0/],
      [{ baseMs: Number.NaN }, /baseMs/],
      [{ capMs: 500 }, /capMs must be at least baseMs \(1000 ms\), not 500/],
      [{ factor: 0.5 }, /factor must be 1 or more, not 0.5/],
      [{ jitter: 1 }, /jitter must be in \[0, 1\), not 1/],
      [{ jitter: -0.1 }, /jitter/],
    ];
    for (const [options, message] of cases) assert.throws(() => new RetrySchedule(options), { name: 'RangeError', message });
  });

  describe('properties', () => {
    const options = fc.record({
      baseMs: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 600_000 }),
      jitter: fc.double({ min: 0, max: 0.99, noNaN: true }),
      factorExtra: fc.double({ min: 0, max: 3, noNaN: true }),
    });

    it('never waits longer than the cap plus its jitter, nor less than the step', () => {
      fc.assert(
        fc.property(options, fc.integer({ min: -5, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (o, attempt, r) => {
          const schedule = new RetrySchedule({ baseMs: o.baseMs, capMs: o.baseMs + o.extra, jitter: o.jitter, random: () => r });
          const delay = schedule.next(attempt);
          assert.ok(delay <= schedule.capMs * (1 + schedule.jitter), `${delay} > cap ${schedule.capMs} + jitter ${schedule.jitter}`);
          assert.ok(delay >= Math.floor(schedule.step(attempt)), `${delay} < step ${schedule.step(attempt)}`);
          assert.ok(Number.isInteger(delay));
        }),
      );
    });

    it('never shrinks from one failure to the next until the cap, whatever the random numbers, while factor >= 1 + jitter', () => {
      fc.assert(
        fc.property(options, fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 40, maxLength: 40 }), (o, randoms) => {
          const factor = 1 + o.jitter + o.factorExtra + 0.01;
          const schedule = new RetrySchedule({ baseMs: o.baseMs, capMs: o.baseMs + o.extra, factor, jitter: o.jitter, random: sequence(...randoms) });
          let previous = -1;
          for (let attempt = 1; schedule.step(attempt) < schedule.capMs; attempt += 1) {
            const delay = schedule.next(attempt);
            // Whole ms: with a factor near 1, two steps can floor to the same value.
            assert.ok(delay >= previous, `attempt ${attempt}: ${delay} after ${previous}`);
            previous = delay;
          }
        }),
      );
    });

    it('with the defaults, strictly grows from 1 s to the cap whatever the jitter', () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 7, maxLength: 7 }), (randoms) => {
          const schedule = new RetrySchedule({ random: sequence(...randoms) });
          const delays = [1, 2, 3, 4, 5, 6, 7].map((n) => schedule.next(n));
          for (let i = 1; i < delays.length; i += 1) assert.ok((delays[i] as number) > (delays[i - 1] as number), delays.join(', '));
        }),
      );
    });

    it('the step alone never decreases, cap included', () => {
      fc.assert(
        fc.property(options, fc.integer({ min: 1, max: 100 }), (o, attempt) => {
          const schedule = new RetrySchedule({ baseMs: o.baseMs, capMs: o.baseMs + o.extra, factor: 1 + o.factorExtra });
          assert.ok(schedule.step(attempt + 1) >= schedule.step(attempt));
        }),
      );
    });
  });
});

describe('Backoff', () => {
  it('counts failures and resets on a sign of life', () => {
    const backoff = new Backoff(new RetrySchedule({ random: () => 0 }));
    assert.deepEqual([backoff.fail(), backoff.fail(), backoff.fail()], [1000, 2000, 4000]);
    assert.equal(backoff.failures, 3);
    backoff.reset();
    assert.equal(backoff.failures, 0);
    assert.equal(backoff.fail(), 1000);
  });

  it('starts from a restored count', () => {
    const backoff = new Backoff(new RetrySchedule({ random: () => 0 }), 5);
    assert.equal(backoff.fail(), 32_000);
    assert.equal(new Backoff(new RetrySchedule(), -2).failures, 0);
  });
});
