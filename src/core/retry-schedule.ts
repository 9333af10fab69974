/**
 * When to try a peer again after a failed send: exponential back-off with
 * jitter, and a reset on a sign of life. Pure: the randomness is injected,
 * there is no clock and no timer here (the outbox holds the times, its runner
 * the one timer).
 *
 * The model is hyperswarm's lib/retry-timer.js and lib/peer-info.js: a short
 * first step so a peer that blinked is retried quickly, longer steps for one
 * that stays away, jitter *added* to each step so that peers that failed
 * together do not all retry in the same millisecond, and the count of
 * failures kept with the peer and cleared as soon as it proves alive
 * (hyperswarm sets `retries = 0` on `connected`).
 */

/** Options of a retry schedule; every field has a default. */
export interface RetryScheduleOptions {
  /** The first step, after one failure (default 1000 ms). */
  readonly baseMs?: number;
  /** No step is longer than this (default 60,000 ms); jitter comes on top. */
  readonly capMs?: number;
  /** Each step is this many times the one before (default 2). */
  readonly factor?: number;
  /**
   * Jitter as a fraction of the step, in [0, 1) (default 0.1): a step of 8 s
   * becomes 8.0 to 8.8 s. While `factor >= 1 + jitter` (the defaults: 2 and
   * 0.1) a jittered step stays below the next step, so the delays grow until
   * the cap whatever the random numbers.
   */
  readonly jitter?: number;
  /** A random number in [0, 1) (default Math.random); injected so tests can fix it. */
  readonly random?: () => number;
}

export const DEFAULT_RETRY_BASE_MS = 1000;
export const DEFAULT_RETRY_CAP_MS = 60_000;
export const DEFAULT_RETRY_FACTOR = 2;
export const DEFAULT_RETRY_JITTER = 0.1;

/** The delays between attempts: 1 s, 2 s, 4 s … 60 s, each plus up to 10 % jitter (by default). */
export class RetrySchedule {
  readonly baseMs: number;
  readonly capMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly #random: () => number;

  /** @throws RangeError naming the bad option, when an option is out of range. */
  constructor(options: RetryScheduleOptions = {}) {
    this.baseMs = options.baseMs ?? DEFAULT_RETRY_BASE_MS;
    this.capMs = options.capMs ?? DEFAULT_RETRY_CAP_MS;
    this.factor = options.factor ?? DEFAULT_RETRY_FACTOR;
    this.jitter = options.jitter ?? DEFAULT_RETRY_JITTER;
    this.#random = options.random ?? Math.random;
    if (!(Number.isFinite(this.baseMs) && this.baseMs > 0)) throw new RangeError(`retry baseMs must be a positive number of ms, not ${this.baseMs}`);
    if (!(Number.isFinite(this.capMs) && this.capMs >= this.baseMs)) {
      throw new RangeError(`retry capMs must be at least baseMs (${this.baseMs} ms), not ${this.capMs}`);
    }
    if (!(Number.isFinite(this.factor) && this.factor >= 1)) throw new RangeError(`retry factor must be 1 or more, not ${this.factor}`);
    if (!(this.jitter >= 0 && this.jitter < 1)) throw new RangeError(`retry jitter must be in [0, 1), not ${this.jitter}`);
  }

  /** The longest delay `next` can return: the cap plus its full jitter. */
  get maxDelayMs(): number {
    return Math.floor(this.capMs * (1 + this.jitter));
  }

  /**
   * The step without jitter after `attempt` consecutive failures (1 = the
   * first failure): base × factor^(attempt − 1), at most the cap. An attempt
   * below 1 (or not a number) counts as 1.
   */
  step(attempt: number): number {
    const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
    // Compare before multiplying on: factor^n overflows to Infinity long
    // after it passed the cap, and Infinity × 0 jitter would be NaN.
    let step = this.baseMs;
    for (let i = 1; i < n && step < this.capMs; i += 1) step *= this.factor;
    return Math.min(step, this.capMs);
  }

  /** The delay in whole ms before the next attempt, after `attempt` consecutive failures, jitter included. */
  next(attempt: number): number {
    const step = this.step(attempt);
    const r = this.#random();
    // A random source outside [0, 1) must not push a delay past the cap's jitter.
    const unit = r >= 0 && r < 1 ? r : 0;
    return Math.floor(step + step * this.jitter * unit);
  }
}

/**
 * One peer's failures in a row, and the delay each asks for. A sign of life
 * (a message from the peer, an announcement, a send that worked) resets it,
 * so the next failure waits the first step again rather than the longest.
 */
export class Backoff {
  readonly schedule: RetrySchedule;
  #failures = 0;

  constructor(schedule: RetrySchedule, failures = 0) {
    this.schedule = schedule;
    this.#failures = Math.max(0, Math.floor(failures));
  }

  /** Failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** Count one more failure; returns the delay before the next attempt. */
  fail(): number {
    this.#failures += 1;
    return this.schedule.next(this.#failures);
  }

  /** A sign of life: the next failure starts from the first step again. */
  reset(): void {
    this.#failures = 0;
  }
}
