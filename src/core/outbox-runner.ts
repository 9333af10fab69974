/**
 * Drives an Outbox: tries each due message through an injected `send`, one
 * in flight per peer and peers in parallel, records each result (the
 * outbox's journal, if any, writes it before the event goes out) and keeps
 * one timer for the next thing due. Transport-agnostic: it never opens a
 * socket and never parses a line; `send` is whatever reaches the peer.
 */
import { EventEmitter } from 'node:events';
import type { OutboxEntry, OutboxMessage, EnqueueResult, CancelResult, Outbox } from './outbox.js';
import type { PeerId, SendFailure } from '../transport/transport.js';

/** Time and one timer, injected so tests can replace them. */
export interface OutboxClock {
  /** Epoch ms (the outbox keeps wall-clock times: they outlive the process). */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Date.now and the global timers. */
export const systemClock: OutboxClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** What `send` reports: the shape of a transport's SendResult. */
export interface OutboxSendResult {
  readonly ok: boolean;
  readonly failure?: SendFailure;
  /** In words, e.g. `connection refused: nothing is listening on 127.0.0.1:5001`. */
  readonly error?: string;
}

/** Send one entry's line to its peer. Should never reject; a rejection counts as a failure of kind `error`. */
export type OutboxSend = (entry: OutboxEntry) => Promise<OutboxSendResult>;

export interface OutboxRunnerEvents {
  /** An attempt starts (`attempt` counts from 1). */
  sending: [{ readonly id: string; readonly to: PeerId; readonly attempt: number }];
  /** An attempt failed; the next is in `retryInMs`. */
  queued: [
    {
      readonly id: string;
      readonly to: PeerId;
      readonly text: string;
      readonly attempt: number;
      readonly retryInMs: number;
      readonly error: string;
      readonly failure: SendFailure;
    },
  ];
  /** The whole line was written and the connection ended: all plain TCP can prove. */
  sent: [{ readonly id: string; readonly to: PeerId; readonly attempts: number }];
  /** Given up after the outbox's ttl. `error` is the last failure. */
  'gave-up': [{ readonly id: string; readonly to: PeerId; readonly text: string; readonly attempts: number; readonly error: string }];
}

export interface OutboxRunnerOptions {
  /** Default: `systemClock`. */
  readonly clock?: OutboxClock;
}

/** The longest a Node timer can wait (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class OutboxRunner extends EventEmitter<OutboxRunnerEvents> {
  readonly outbox: Outbox;
  readonly #send: OutboxSend;
  readonly #clock: OutboxClock;
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: unknown;
  #pumpQueued = false;
  #started = false;
  #closed = false;

  constructor(outbox: Outbox, send: OutboxSend, options: OutboxRunnerOptions = {}) {
    super();
    this.outbox = outbox;
    this.#send = send;
    this.#clock = options.clock ?? systemClock;
  }

  /** Attempts in flight right now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Begin: give up what is too old, try what is due, arm the timer. Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#pump();
  }

  /** Queue a message; its first attempt starts right after this returns if nothing is ahead of it. */
  enqueue(message: OutboxMessage): EnqueueResult {
    const result = this.outbox.enqueue(message, this.#clock.now());
    if (result.ok) this.#schedulePump();
    return result;
  }

  /**
   * A fresh message whose first attempt the caller makes at once (a live
   * send): it is journaled, in flight, before a byte goes out, so a crash
   * during that attempt leaves it queued instead of lost. The runner never
   * starts an attempt of its own for it; the caller reports the result with
   * `settle`. Refused (changing nothing) as `enqueue` refuses, and when
   * anything waits for the peer already: that goes first.
   */
  claim(message: OutboxMessage): EnqueueResult {
    if (this.outbox.queueOf(message.to).length > 0) {
      return { ok: false, reason: 'behind', detail: `messages to ${message.to} are waiting; this one goes behind them` };
    }
    const result = this.outbox.enqueue(message, this.#clock.now(), true);
    if (!result.ok) return result;
    const entry = this.outbox.markSending(message.id) as OutboxEntry;
    return { ...result, entry };
  }

  /**
   * The result of a claimed message's attempt. Sent: it leaves the outbox.
   * `retry`: a failure that waiting can cure, so it stays queued; returns
   * the back-off before its next attempt (ms). Otherwise it is dropped, for
   * the caller to report as failed. Undefined for an id not in flight.
   */
  settle(id: string, result: OutboxSendResult, retry: boolean): number | undefined {
    let retryInMs: number | undefined;
    if (result.ok) {
      if (!this.outbox.markSent(id)) return undefined;
      retryInMs = 0;
    } else if (retry) {
      retryInMs = this.outbox.markFailed(id, result.error ?? 'send failed', this.#clock.now(), result.failure ?? 'error');
    } else {
      retryInMs = this.outbox.discard(id) ? 0 : undefined;
    }
    // The next message to that peer, or the timer for this one's retry.
    if (retryInMs !== undefined) this.#schedulePump();
    return retryInMs;
  }

  /** Queue several at once (one journal write and sync), e.g. a send to all. */
  enqueueMany(messages: readonly OutboxMessage[]): EnqueueResult[] {
    const results = this.outbox.enqueueMany(messages, this.#clock.now());
    if (results.some((r) => r.ok)) this.#schedulePump();
    return results;
  }

  /**
   * A sign of life from `peer`: retry its queue at once and reset its
   * back-off. Returns true when something became due.
   */
  wake(peer: PeerId): boolean {
    const woke = this.outbox.wake(peer, this.#clock.now());
    if (woke) this.#schedulePump();
    return woke;
  }

  /** Take a waiting message out (not one in flight). */
  cancel(id: string): CancelResult {
    const result = this.outbox.cancel(id);
    if (result.ok) this.#schedulePump();
    return result;
  }

  /**
   * Stop trying: no new attempt starts. Resolves once the attempts in flight
   * have settled and been recorded. Safe to call twice.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight.values());
  }

  /** Coalesce the pumps that many settles in one turn ask for into one. */
  #schedulePump(): void {
    if (this.#pumpQueued || !this.#started || this.#closed) return;
    this.#pumpQueued = true;
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    // A message given up behind a failing head was never tried: the head's
    // failure is why, so it is named for the ones behind it too.
    const lastErrorOf = new Map<PeerId, string>();
    for (const entry of this.outbox.expire(now)) {
      const error = entry.lastError ?? lastErrorOf.get(entry.to) ?? 'never tried';
      if (entry.lastError) lastErrorOf.set(entry.to, entry.lastError);
      this.emit('gave-up', { id: entry.id, to: entry.to, text: entry.text, attempts: entry.attempts, error });
    }
    for (const due of this.outbox.due(now)) {
      const entry = this.outbox.markSending(due.id);
      if (!entry) continue;
      this.emit('sending', { id: entry.id, to: entry.to, attempt: entry.attempts });
      const attempt = this.#attempt(entry).finally(() => this.#inFlight.delete(entry.id));
      this.#inFlight.set(entry.id, attempt);
    }
    this.#arm(now);
  }

  async #attempt(entry: OutboxEntry): Promise<void> {
    let result: OutboxSendResult;
    try {
      result = await this.#send(entry);
    } catch (error) {
      result = { ok: false, failure: 'error', error: error instanceof Error ? error.message : String(error) };
    }
    if (result.ok) {
      const sent = this.outbox.markSent(entry.id);
      if (sent) this.emit('sent', { id: sent.id, to: sent.to, attempts: sent.attempts });
    } else {
      const error = result.error ?? 'send failed';
      const failure = result.failure ?? 'error';
      const retryInMs = this.outbox.markFailed(entry.id, error, this.#clock.now(), failure);
      if (retryInMs !== undefined) {
        this.emit('queued', { id: entry.id, to: entry.to, text: entry.text, attempt: entry.attempts, retryInMs, error, failure });
      }
    }
    this.#schedulePump();
  }

  /** One timer for the earliest next attempt or give-up. */
  #arm(now: number): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.outbox.nextWakeAt();
    if (next === null) return;
    // At most one back-off step ahead: should the wall clock go back, the
    // pump after it finds the stranded heads (Outbox.due) instead of waiting.
    const ms = Math.min(Math.max(1, next - now), this.outbox.schedule.maxDelayMs, MAX_TIMER_MS);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pump();
    }, ms);
  }
}
