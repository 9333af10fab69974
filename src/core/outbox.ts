/**
 * Messages waiting for a peer that could not take them: pure state, no
 * sockets, no clock reads, no files. Time comes in as `now` (epoch ms); what
 * changed goes out as operations (`onOps`), which the journal appends to a
 * file and replays through `apply` after a restart. Live calls and replay
 * take the same code path, so the rebuilt outbox is the one that crashed.
 *
 * Rules, each with its reason:
 * - Per-peer FIFO. Only the head of a peer's queue is ever tried, so nothing
 *   overtakes an earlier message to the same peer (PROTOCOL.md: "messages to
 *   one peer go one connection after another, in the order they were
 *   written"). Peers are independent of each other.
 * - The back-off belongs to the peer, not to a message: it is the peer that
 *   is away. A send that works, or any sign of life (`wake`), resets it.
 * - `exit` is never queued: telling a peer we left, hours after we came
 *   back, would be a lie. `connect` and `hello` are kept.
 * - Giving up (`expire`) also goes from the front of each queue: a later
 *   message is never dropped while an earlier one to that peer still waits.
 */
import type { MessageKind } from '../protocol/line.js';
import type { PeerId, SendFailure } from '../transport/transport.js';
import { Backoff, RetrySchedule } from './retry-schedule.js';

/** How long a message waits before the outbox gives it up (`--outbox-ttl`, default 24 h). */
export const DEFAULT_OUTBOX_TTL_MS = 24 * 60 * 60 * 1000;
/** Most messages held at once (default 100,000): the outbox's memory is bounded. */
export const DEFAULT_OUTBOX_MAX_ENTRIES = 100_000;

/** What to send, as the caller formatted it. */
export interface OutboxMessage {
  /** Local id (the store's); a retried message keeps it. */
  readonly id: string;
  readonly to: PeerId;
  readonly kind: MessageKind;
  /** The trimmed body, for lists and events. */
  readonly text: string;
  /** The exact line to write. */
  readonly line: string;
}

/** One waiting message, as `list()` and the results show it (a copy: changing it changes nothing). */
export interface OutboxEntry extends OutboxMessage {
  /** Epoch ms of `enqueue`. */
  readonly createdAt: number;
  /** Attempts started so far (the one in flight included). */
  readonly attempts: number;
  /**
   * Epoch ms of the next attempt, for the head of a queue; an entry behind
   * the head waits for the head instead.
   */
  readonly nextAt: number;
  /** Why the last attempt failed, in words; null before any failure. */
  readonly lastError: string | null;
  readonly lastFailure: SendFailure | null;
  /** An attempt is in flight right now. */
  readonly sending: boolean;
}

/**
 * A change to the outbox, as the journal stores it. `enqueue` may carry the
 * state of an entry that was already tried (a compacted journal writes it so);
 * `backoff` is only written by compaction.
 */
export type OutboxOp =
  | {
      readonly op: 'enqueue';
      readonly id: string;
      readonly to: PeerId;
      readonly kind: MessageKind;
      readonly text: string;
      readonly line: string;
      readonly at: number;
      readonly attempts?: number;
      readonly nextAt?: number;
      readonly lastError?: string;
      readonly failure?: SendFailure;
      /**
       * Live only, never written: the caller is about to make the first
       * attempt itself (`OutboxRunner.claim`). The journal writes the line
       * but holds its fdatasync until the attempt fails and the message is
       * really queued; a sent one never pays for it.
       */
      readonly tentative?: true;
    }
  | { readonly op: 'attempt'; readonly id: string }
  | { readonly op: 'sent'; readonly id: string }
  | { readonly op: 'failed'; readonly id: string; readonly error: string; readonly failure: SendFailure; readonly nextAt: number; readonly failures: number }
  | { readonly op: 'cancel'; readonly id: string }
  | { readonly op: 'gave-up'; readonly id: string }
  | { readonly op: 'backoff'; readonly to: PeerId; readonly failures: number };

/** Why `enqueue` (or `OutboxRunner.claim`: `behind`, messages wait for that peer) refused a message. */
export type EnqueueRefusal = 'exit-not-queued' | 'duplicate-id' | 'invalid' | 'full' | 'behind';

export type EnqueueResult =
  | {
      readonly ok: true;
      readonly entry: OutboxEntry;
      /** Messages ahead of it to the same peer: 0 means it is the next to go. */
      readonly ahead: number;
    }
  | { readonly ok: false; readonly reason: EnqueueRefusal; readonly detail: string };

/** Why `cancel` refused. */
export type CancelRefusal = 'unknown' | 'sending';

export type CancelResult =
  | { readonly ok: true; readonly entry: OutboxEntry }
  | { readonly ok: false; readonly reason: CancelRefusal; readonly detail: string };

export interface OutboxOptions {
  /** The back-off (default: 1 s doubling to 60 s, 10 % jitter). */
  readonly schedule?: RetrySchedule;
  /** The default of `expire` (default 24 h). */
  readonly ttlMs?: number;
  /** Most entries held; `enqueue` refuses more with `full` (default 100,000). */
  readonly maxEntries?: number;
}

const SENDABLE: ReadonlySet<string> = new Set<MessageKind>(['chat', 'hello', 'connect']);

/** The mutable record behind an entry; never handed out. */
interface Item {
  readonly id: string;
  readonly to: PeerId;
  readonly kind: MessageKind;
  /**
   * Where the text starts in the line when it ends the line (the usual
   * case): the words are then held once. 100,000 queued messages were
   * 3 MB lighter for it.
   */
  readonly text: string | number;
  readonly line: string;
  readonly createdAt: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  lastFailure: SendFailure | null;
  sending: boolean;
}

/** A FIFO with a moving front: `shift()` on a 100,000-entry array copies it each time. */
class PeerQueue {
  /** The one copy of the peer's id every item shares (100,000 copies were 3 MB). */
  readonly to: PeerId;
  backoff: Backoff;
  /** A sign of life arrived while the head was in flight: its failure may predate it. */
  wokeInFlight = false;
  #items: Item[] = [];
  #front = 0;

  constructor(to: PeerId, backoff: Backoff) {
    this.to = to;
    this.backoff = backoff;
  }

  get length(): number {
    return this.#items.length - this.#front;
  }

  get head(): Item | undefined {
    return this.#items[this.#front];
  }

  push(item: Item): void {
    this.#items.push(item);
  }

  shift(): Item | undefined {
    const item = this.#items[this.#front];
    if (item === undefined) return undefined;
    this.#items[this.#front] = undefined as unknown as Item;
    this.#front += 1;
    // Drop the consumed front once it is most of the array: amortised O(1).
    if (this.#front >= 1024 && this.#front * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#front);
      this.#front = 0;
    }
    return item;
  }

  /** Remove an item anywhere in the queue; O(length), for `cancel`. */
  remove(item: Item): boolean {
    const at = this.#items.indexOf(item, this.#front);
    if (at < 0) return false;
    if (at === this.#front) this.shift();
    else this.#items.splice(at, 1);
    return true;
  }

  *[Symbol.iterator](): Generator<Item> {
    for (let i = this.#front; i < this.#items.length; i += 1) yield this.#items[i] as Item;
  }
}

function textOf(item: Item): string {
  return typeof item.text === 'number' ? item.line.slice(item.text) : item.text;
}

function snapshot(item: Item): OutboxEntry {
  return {
    id: item.id,
    to: item.to,
    kind: item.kind,
    text: textOf(item),
    line: item.line,
    createdAt: item.createdAt,
    attempts: item.attempts,
    nextAt: item.nextAt,
    lastError: item.lastError,
    lastFailure: item.lastFailure,
    sending: item.sending,
  };
}

/** Why a message cannot be queued, or undefined when it can. */
function messageProblem(message: OutboxMessage): string | undefined {
  if (typeof message !== 'object' || message === null) return 'not a message';
  if (typeof message.id !== 'string' || message.id.length === 0) return 'a message needs a non-empty id';
  if (typeof message.to !== 'string' || message.to.length === 0) return `message ${message.id} has no recipient`;
  if (!SENDABLE.has(message.kind)) return `message ${message.id} has kind ${JSON.stringify(message.kind)}, not chat, hello or connect`;
  if (typeof message.line !== 'string' || message.line.length === 0) return `message ${message.id} has an empty line`;
  if (typeof message.text !== 'string') return `message ${message.id} has no text`;
  return undefined;
}

export class Outbox {
  readonly schedule: RetrySchedule;
  readonly ttlMs: number;
  readonly maxEntries: number;
  /**
   * Told of every change, once per call, with all the operations it made
   * (the journal appends them in one write). Not told of replayed `apply`s.
   */
  onOps: ((ops: readonly OutboxOp[]) => void) | undefined;
  readonly #byId = new Map<string, Item>();
  // Insertion order is the order peers first got a message: list() shows them so.
  readonly #peers = new Map<PeerId, PeerQueue>();

  /** @throws RangeError when ttlMs or maxEntries is not a positive number. */
  constructor(options: OutboxOptions = {}) {
    this.schedule = options.schedule ?? new RetrySchedule();
    this.ttlMs = options.ttlMs ?? DEFAULT_OUTBOX_TTL_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_OUTBOX_MAX_ENTRIES;
    if (!(this.ttlMs > 0)) throw new RangeError(`outbox ttlMs must be a positive number of ms, not ${this.ttlMs}`);
    if (!(Number.isInteger(this.maxEntries) && this.maxEntries > 0)) {
      throw new RangeError(`outbox maxEntries must be a positive integer, not ${this.maxEntries}`);
    }
  }

  /** Messages held. */
  get size(): number {
    return this.#byId.size;
  }

  /** Peers with at least one message waiting. */
  get peerCount(): number {
    return this.#peers.size;
  }

  get(id: string): OutboxEntry | undefined {
    const item = this.#byId.get(id);
    return item && snapshot(item);
  }

  /** Every entry: peers in the order they first got a message, each peer's queue in order. */
  list(): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const queue of this.#peers.values()) for (const item of queue) entries.push(snapshot(item));
    return entries;
  }

  /** One peer's queue, in order (empty when nothing waits for it). */
  queueOf(peer: PeerId): OutboxEntry[] {
    const queue = this.#peers.get(peer);
    return queue ? Array.from(queue, snapshot) : [];
  }

  /** Consecutive failures of `peer` since its last sign of life. */
  failuresOf(peer: PeerId): number {
    return this.#peers.get(peer)?.backoff.failures ?? 0;
  }

  /**
   * Queue a message at the end of its peer's queue. It is due at once if
   * nothing is ahead of it. Refuses `exit`, a duplicate id, a malformed
   * message and a full outbox, changing nothing. `tentative`: see OutboxOp.
   */
  enqueue(message: OutboxMessage, now: number, tentative = false): EnqueueResult {
    const ops: OutboxOp[] = [];
    const result = this.#enqueue(message, now, ops, tentative);
    this.#emit(ops);
    return result;
  }

  /** `enqueue` each message; the journal gets them in one write (and one sync), e.g. for a send to all. */
  enqueueMany(messages: readonly OutboxMessage[], now: number): EnqueueResult[] {
    const ops: OutboxOp[] = [];
    const results = messages.map((message) => this.#enqueue(message, now, ops));
    this.#emit(ops);
    return results;
  }

  /**
   * The head of each peer's queue whose time has come and that is not in
   * flight. Also a head whose time lies further ahead than any back-off
   * step: the wall clock went back, and waiting for it would strand it.
   */
  due(now: number): OutboxEntry[] {
    const due: OutboxEntry[] = [];
    const horizon = now + this.schedule.maxDelayMs;
    for (const queue of this.#peers.values()) {
      const head = queue.head;
      if (head && !head.sending && (head.nextAt <= now || head.nextAt > horizon)) due.push(snapshot(head));
    }
    return due;
  }

  /**
   * An attempt starts: counts it and marks the entry in flight (the journal
   * writes this before a byte goes out, so a crash mid-send is known).
   * Returns undefined, changing nothing, unless `id` is the head of its
   * queue and not already in flight.
   */
  markSending(id: string): OutboxEntry | undefined {
    const item = this.#byId.get(id);
    if (!item || item.sending || this.#peers.get(item.to)?.head !== item) return undefined;
    const op: OutboxOp = { op: 'attempt', id };
    this.#apply(op);
    this.#emit([op]);
    return snapshot(item);
  }

  /**
   * The message went out: it leaves the outbox, the peer's back-off resets
   * and the next message to it is due at once. Returns the entry as it was
   * (with its attempts), or undefined for an unknown id.
   */
  markSent(id: string): OutboxEntry | undefined {
    const item = this.#byId.get(id);
    if (!item || this.#peers.get(item.to)?.head !== item) return undefined;
    const entry = snapshot(item);
    const op: OutboxOp = { op: 'sent', id };
    this.#apply(op);
    this.#emit([op]);
    return entry;
  }

  /**
   * The attempt failed: schedules the next one after the peer's back-off
   * step and returns that delay in ms (0 when a sign of life came while it
   * was in flight). Undefined for an unknown id or one that is not the head.
   */
  markFailed(id: string, error: string, now: number, failure: SendFailure = 'error'): number | undefined {
    const item = this.#byId.get(id);
    const queue = item && this.#peers.get(item.to);
    if (!item || !queue || queue.head !== item) return undefined;
    let delay = 0;
    let failures = queue.backoff.failures;
    if (queue.wokeInFlight) {
      // The peer spoke while we were trying: this failure may be older than
      // that sign of life, so try again at once instead of backing off.
      queue.wokeInFlight = false;
    } else {
      delay = queue.backoff.fail();
      failures = queue.backoff.failures;
    }
    const op: OutboxOp = { op: 'failed', id, error, failure, nextAt: now + delay, failures };
    this.#apply(op);
    this.#emit([op]);
    return delay;
  }

  /**
   * A sign of life from `peer` (any message from it, a discovery
   * announcement, a hello): its back-off resets and its head is due at once
   * (or, if in flight and that attempt fails, retried at once). Returns true
   * when a head became due now. Not journaled: it only moves a time earlier.
   */
  wake(peer: PeerId, now: number): boolean {
    const queue = this.#peers.get(peer);
    const head = queue?.head;
    if (!queue || !head) return false;
    queue.backoff.reset();
    if (head.sending) {
      queue.wokeInFlight = true;
      return false;
    }
    if (head.nextAt <= now) return false;
    head.nextAt = now;
    return true;
  }

  /**
   * Take a waiting message out. One in flight cannot be: its bytes may
   * already be on the wire; cancel it again once the attempt settles.
   */
  cancel(id: string): CancelResult {
    const item = this.#byId.get(id);
    if (!item) return { ok: false, reason: 'unknown', detail: `no queued message ${JSON.stringify(id)}` };
    if (item.sending) return { ok: false, reason: 'sending', detail: `message ${id} is being sent right now and cannot be taken back` };
    const entry = snapshot(item);
    const op: OutboxOp = { op: 'cancel', id };
    this.#apply(op);
    this.#emit([op]);
    return { ok: true, entry };
  }

  /**
   * The attempt in flight failed for a reason that waiting cannot cure (the
   * caller reports it as failed): the entry leaves the outbox, journaled as
   * a cancel, and the peer's back-off is left as it was. Undefined, changing
   * nothing, unless `id` is in flight.
   */
  discard(id: string): OutboxEntry | undefined {
    const item = this.#byId.get(id);
    if (!item?.sending) return undefined;
    const entry = snapshot(item);
    const op: OutboxOp = { op: 'cancel', id };
    this.#apply(op);
    this.#emit([op]);
    return entry;
  }

  /**
   * Give up every message queued at least `ttlMs` ago (default: the
   * outbox's ttl), from the front of each queue, skipping one in flight.
   * Returns the given-up entries (with their last error).
   */
  expire(now: number, ttlMs: number = this.ttlMs): OutboxEntry[] {
    const gone: OutboxEntry[] = [];
    const ops: OutboxOp[] = [];
    for (const queue of [...this.#peers.values()]) {
      for (let head = queue.head; head && !head.sending && now - head.createdAt >= ttlMs; head = queue.head) {
        gone.push(snapshot(head));
        const op: OutboxOp = { op: 'gave-up', id: head.id };
        this.#apply(op);
        ops.push(op);
      }
    }
    this.#emit(ops);
    return gone;
  }

  /**
   * When something next needs doing, for one timer: the earliest next
   * attempt or give-up among heads not in flight (epoch ms), or null when
   * nothing waits on time (empty, or every head in flight).
   */
  nextWakeAt(ttlMs: number = this.ttlMs): number | null {
    let next = Infinity;
    for (const queue of this.#peers.values()) {
      const head = queue.head;
      if (!head || head.sending) continue;
      next = Math.min(next, head.nextAt, head.createdAt + ttlMs);
    }
    return next === Infinity ? null : next;
  }

  /**
   * Replay one journaled operation. Never throws; returns false (changing
   * nothing) for one that does not fit the state, e.g. an id it never saw.
   */
  apply(op: OutboxOp): boolean {
    return this.#apply(op);
  }

  /**
   * After a replay: entries still marked in flight belong to a process that
   * died mid-send. Clears the mark (they are due again as they were) and
   * returns them: each may reach its peer twice.
   */
  recoverInFlight(): OutboxEntry[] {
    const recovered: OutboxEntry[] = [];
    for (const queue of this.#peers.values()) {
      const head = queue.head;
      if (head?.sending) {
        head.sending = false;
        recovered.push(snapshot(head));
      }
    }
    return recovered;
  }

  /** The shortest list of operations that rebuilds this state: what compaction writes. */
  *compactOps(): Generator<OutboxOp> {
    for (const [to, queue] of this.#peers) {
      let first = true;
      for (const item of queue) {
        yield {
          op: 'enqueue',
          id: item.id,
          to,
          kind: item.kind,
          text: textOf(item),
          line: item.line,
          at: item.createdAt,
          // The attempt in flight is written as its own op below, as it was live.
          ...(item.attempts > (item.sending ? 1 : 0) ? { attempts: item.attempts - (item.sending ? 1 : 0) } : {}),
          ...(item.nextAt !== item.createdAt ? { nextAt: item.nextAt } : {}),
          ...(item.lastError !== null ? { lastError: item.lastError } : {}),
          ...(item.lastFailure !== null ? { failure: item.lastFailure } : {}),
        };
        if (first && queue.backoff.failures > 0) yield { op: 'backoff', to, failures: queue.backoff.failures };
        if (item.sending) yield { op: 'attempt', id: item.id };
        first = false;
      }
    }
  }

  #emit(ops: readonly OutboxOp[]): void {
    if (ops.length > 0) this.onOps?.(ops);
  }

  #enqueue(message: OutboxMessage, now: number, ops: OutboxOp[], tentative = false): EnqueueResult {
    if (typeof message === 'object' && message !== null && message.kind === 'exit') {
      return { ok: false, reason: 'exit-not-queued', detail: `an exit is never queued: telling ${message.to} we left, once it is back, would be wrong` };
    }
    const problem = messageProblem(message);
    if (problem) return { ok: false, reason: 'invalid', detail: problem };
    if (this.#byId.has(message.id)) return { ok: false, reason: 'duplicate-id', detail: `message ${message.id} is already queued` };
    if (this.#byId.size >= this.maxEntries) {
      return { ok: false, reason: 'full', detail: `the outbox already holds ${this.maxEntries} messages; ${message.id} was not queued` };
    }
    const op: OutboxOp = {
      op: 'enqueue',
      id: message.id,
      to: message.to,
      kind: message.kind,
      text: message.text,
      line: message.line,
      at: now,
      ...(tentative ? { tentative: true as const } : {}),
    };
    this.#apply(op);
    ops.push(op);
    const item = this.#byId.get(message.id) as Item;
    return { ok: true, entry: snapshot(item), ahead: (this.#peers.get(message.to)?.length ?? 1) - 1 };
  }

  /** The one place state changes: live calls and replay both come here. */
  #apply(op: OutboxOp): boolean {
    switch (op.op) {
      case 'enqueue': {
        if (this.#byId.has(op.id) || !SENDABLE.has(op.kind)) return false;
        let queue = this.#peers.get(op.to);
        if (!queue) {
          queue = new PeerQueue(op.to, new Backoff(this.schedule));
          this.#peers.set(op.to, queue);
        }
        const item: Item = {
          id: op.id,
          to: queue.to,
          kind: op.kind,
          text: op.line.endsWith(op.text) ? op.line.length - op.text.length : op.text,
          line: op.line,
          createdAt: op.at,
          attempts: op.attempts ?? 0,
          nextAt: op.nextAt ?? op.at,
          lastError: op.lastError ?? null,
          lastFailure: op.failure ?? null,
          sending: false,
        };
        queue.push(item);
        this.#byId.set(op.id, item);
        return true;
      }
      case 'attempt': {
        const item = this.#headItem(op.id);
        if (!item) return false;
        item.attempts += 1;
        item.sending = true;
        return true;
      }
      case 'failed': {
        const item = this.#headItem(op.id);
        if (!item) return false;
        item.sending = false;
        item.nextAt = op.nextAt;
        item.lastError = op.error;
        item.lastFailure = op.failure;
        const queue = this.#peers.get(item.to) as PeerQueue;
        if (queue.backoff.failures !== op.failures) this.#setFailures(queue, op.failures);
        return true;
      }
      case 'backoff': {
        const queue = this.#peers.get(op.to);
        if (!queue) return false;
        this.#setFailures(queue, op.failures);
        return true;
      }
      case 'sent': {
        const item = this.#headItem(op.id);
        if (!item) return false;
        const queue = this.#peers.get(item.to) as PeerQueue;
        queue.backoff.reset();
        queue.wokeInFlight = false;
        this.#remove(item, false);
        return true;
      }
      case 'cancel':
      case 'gave-up': {
        const item = this.#byId.get(op.id);
        if (!item) return false;
        this.#remove(item, true);
        return true;
      }
      default:
        return false;
    }
  }

  #headItem(id: string): Item | undefined {
    const item = this.#byId.get(id);
    return item && this.#peers.get(item.to)?.head === item ? item : undefined;
  }

  /** Replay sets the count of failures as journaled, without drawing delays. */
  #setFailures(queue: PeerQueue, failures: number): void {
    queue.backoff = new Backoff(this.schedule, failures);
  }

  /**
   * Take `item` out of its queue. When a failing head goes without being
   * sent (cancelled, given up), the next message inherits its wait: the peer
   * is still away, and hammering it at once would ignore the back-off.
   */
  #remove(item: Item, keepWait: boolean): void {
    const queue = this.#peers.get(item.to);
    if (!queue) return;
    const wasHead = queue.head === item;
    queue.remove(item);
    this.#byId.delete(item.id);
    const next = queue.head;
    if (!next) {
      this.#peers.delete(item.to);
      return;
    }
    if (wasHead && keepWait && item.nextAt > next.nextAt) next.nextAt = item.nextAt;
  }
}
