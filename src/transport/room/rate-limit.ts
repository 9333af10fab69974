/**
 * A token bucket: the per-peer limit on frames a room peer may send us, and
 * the pace our own sender keeps to stay under a default receiver's limit.
 * Pure: the caller passes the time (ms, any monotonic clock).
 */

export interface RateLimit {
  /** Frames a peer may send at once after being quiet (the bucket's size). */
  readonly burst: number;
  /** Frames per second it may keep up indefinitely (the refill rate). */
  readonly perSecond: number;
}

/**
 * The default per-peer limit: bursts of 200 frames, 50 frames/s sustained.
 * A person typing, a pasted page split into lines and a reconnect resending
 * what was not acknowledged all stay far below it; a flood does not. Acks
 * for messages we sent are free (they are bounded by what we sent).
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 200, perSecond: 50 };

/** No limit (benchmarks, trusted links). */
export const UNLIMITED: RateLimit = { burst: Number.POSITIVE_INFINITY, perSecond: Number.POSITIVE_INFINITY };

export class TokenBucket {
  readonly limit: RateLimit;
  #tokens: number;
  #at: number;

  /** Starts full at time `now`. */
  constructor(limit: RateLimit, now: number) {
    if (!(limit.burst > 0) || !(limit.perSecond > 0)) throw new RangeError(`a rate limit needs burst > 0 and perSecond > 0, got ${limit.burst} and ${limit.perSecond}`);
    this.limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Tokens available at `now` (refilled, capped at `burst`). */
  available(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Take `cost` tokens if there are enough; false (and nothing taken) if not. */
  take(now: number, cost = 1): boolean {
    this.#refill(now);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Milliseconds from `now` until `cost` tokens are available (0 if they are). */
  waitMs(now: number, cost = 1): number {
    this.#refill(now);
    if (this.#tokens >= cost) return 0;
    if (cost > this.limit.burst) return Number.POSITIVE_INFINITY;
    return Math.ceil(((cost - this.#tokens) / this.limit.perSecond) * 1000);
  }

  #refill(now: number): void {
    // A clock that steps back (injected, or adjusted) refills nothing rather than draining.
    const elapsed = Math.max(0, now - this.#at);
    this.#at = Math.max(this.#at, now);
    if (this.#tokens >= this.limit.burst) return;
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (elapsed / 1000) * this.limit.perSecond);
  }
}
