/**
 * One peer: its transports, the peer list and the store, wired together. It
 * parses what arrives, applies the peer rules and the spoof policy, keeps
 * every event in the store before it is shown, sends in order per peer, and
 * emits typed events; a View decides how to show them. It never prints.
 *
 * Transports, the store and the clock come in by injection (hyperswarm's
 * `opts.dht || new DHT()`): the node builds none of them.
 */
import { EventEmitter } from 'node:events';
import { formatAddress } from '../protocol/address.js';
import { ORIGINAL_RECV_BYTES, unsendableReason } from '../protocol/compat.js';
import { splitMessage } from '../protocol/split.js';
import { classify, formatMessage, parseMessage, trimWhitespace, type MessageKind, type RejectReason } from '../protocol/line.js';
import type { MessageStore, StoredMessage } from '../store/store.js';
import { freeFileDescriptors } from '../transport/tcp/fd-limit.js';
import { DEFAULT_SEND_TIMEOUT_MS } from '../transport/tcp/sender.js';
import type {
  DropReason,
  Inbound,
  Outbound,
  PeerId,
  Remote,
  SendFailure,
  SendResult,
  Transport,
  TransportDropped,
  TransportRejected,
  TransportRejectReason,
} from '../transport/transport.js';
import { deadlinePassed, fanOut, recipients } from './fanout.js';
import { PeerQueue } from './peer-queue.js';
import { DEFAULT_MAX_PEERS, PeerRegistry, type ApplyResult, type PeerEntry, type PeerSource, type RegistryChange } from './peer-registry.js';
import { claimMatches, type VerifyMode } from './verify.js';

/** Most sends in flight at once for quit and send-to-all (fewer if the file limit is lower). */
const FAN_OUT_CONCURRENCY = 512;

export interface ChatNodeOptions {
  readonly name: string;
  /** The address written into outgoing messages. */
  readonly ip: string;
  /** Every way of reaching peers; the first that `owns` a peer id carries its sends. */
  readonly transports: readonly Transport[];
  /** Where events are kept before they are shown (default: nowhere). */
  readonly store?: MessageStore;
  readonly timeoutMs?: number;
  readonly maxPeers?: number;
  readonly verify?: VerifyMode;
  /** This machine's non-loopback addresses, for the spoof check. */
  readonly ownAddresses?: ReadonlySet<string>;
  /** Clock (epoch ms), injectable for tests. */
  readonly clock?: () => number;
}

/** A read-only copy of a peer-list entry, safe to hand to a view. */
export type PeerSnapshot = Readonly<PeerEntry>;

export interface IncomingMessage {
  /** Local id in the store. */
  readonly id: string;
  readonly kind: MessageKind;
  /** The claimed `ip:port` (or an authenticated id). */
  readonly from: PeerId;
  readonly name: string;
  readonly text: string;
  /** The connection's source address. */
  readonly remote: string;
  readonly at: Date;
  /** Whether the claimed IP matched the connection (see verify.ts). */
  readonly verified: boolean;
  /** What the message did to the peer list. */
  readonly change: RegistryChange;
  readonly peer?: PeerSnapshot;
}

/** A message refused: malformed, too large, timed out, or unverified in strict mode. */
export interface Rejected {
  /** The connection's source, `ip:port`. */
  readonly remote: string;
  readonly reason: RejectReason | TransportRejectReason;
  readonly detail: string;
}

/** A connection closed with nothing received: empty, idle, made room for, or reset. */
export interface Dropped {
  readonly remote: string;
  readonly reason: DropReason;
  readonly detail: string;
}

/** How `send` treats a message the outbox holds (issue 13): it keeps its id, and a retry updates its stored status. */
export interface SendOptions {
  /** Send under this id (one from `newMessageId`, or the outbox's) instead of a new one. */
  readonly id?: string;
  /** A retry of a message already in the store: update its status instead of appending it again. */
  readonly retry?: boolean;
}

export type SendOutcome = (
  | {
      readonly ok: true;
      readonly id: string;
      readonly to: PeerId;
      readonly text: string;
      /** The exact line of a one-part message (the first part's otherwise). */
      readonly line: string;
      /** Every line sent, in order: one, or the parts of a long message. */
      readonly lines: readonly string[];
      readonly ms: number;
      readonly delivered: boolean;
    }
  | {
      readonly ok: false;
      readonly id: string;
      readonly to: PeerId;
      readonly text: string;
      readonly line: string;
      readonly lines: readonly string[];
      readonly failure: SendFailure | 'invalid';
      readonly error: string;
      readonly ms: number;
    }
) & {
  /** Attempts it took, when the outbox tried more than once (absent: one). */
  readonly attempts?: number;
};

export interface QuitSummary {
  readonly notified: number;
  readonly failed: number;
  /** Peers not told: unverified and never reached (their address is only a claim); 0 with --verify off. */
  readonly skipped: number;
  readonly failures: readonly SendOutcome[];
  readonly ms: number;
}

/** What "send to all" did: one outcome per peer told, and who was left out. */
export interface BroadcastSummary {
  readonly id: string;
  readonly text: string;
  readonly outcomes: readonly SendOutcome[];
  readonly sent: number;
  readonly failed: number;
  /** Peers whose copy waits in the outbox (issue 13); absent without one. */
  readonly queued?: number;
  /** Peers not told: unverified and never reached. */
  readonly skipped: number;
  readonly ms: number;
}

export interface ChatNodeEvents {
  message: [IncomingMessage];
  rejected: [Rejected];
  dropped: [Dropped];
  warning: [string];
  /** The peer list gained or lost an entry (for a picker that is open). */
  'peers-changed': [];
  /** A sign of life from a peer learnt elsewhere (a LAN announcement, a room join): retry what waits for it. */
  alive: [PeerId];
}

export type QuitProgress = (ok: number, failed: number, total: number) => void;

function label(remote: Remote): string {
  return formatAddress({ ip: remote.address, port: remote.port });
}

export class ChatNode extends EventEmitter<ChatNodeEvents> {
  readonly name: string;
  readonly ip: string;
  readonly timeoutMs: number;
  readonly verify: VerifyMode;
  readonly #transports: readonly Transport[];
  readonly #store: MessageStore | undefined;
  readonly #registry: PeerRegistry;
  readonly #queue = new PeerQueue();
  readonly #ownAddresses: ReadonlySet<string>;
  readonly #clock: () => number;
  readonly #idPrefix: string;
  #nextId = 0;
  // Events wait for the store: the tail of the chain of those not yet shown.
  #showing: Promise<void> | undefined;
  #quitting: Promise<QuitSummary> | undefined;
  #closed: Promise<void> | undefined;

  constructor(options: ChatNodeOptions) {
    super();
    this.name = options.name;
    this.ip = options.ip;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.verify = options.verify ?? 'warn';
    this.#transports = options.transports;
    this.#store = options.store;
    this.#ownAddresses = options.ownAddresses ?? new Set();
    this.#clock = options.clock ?? Date.now;
    this.#registry = new PeerRegistry({ maxPeers: options.maxPeers ?? DEFAULT_MAX_PEERS });
    // Ids sort by run, then by order within the run.
    this.#idPrefix = this.#clock().toString(36);
    for (const transport of this.#transports) {
      transport.on('inbound', (inbound) => this.#onInbound(inbound));
      transport.on('rejected', (event) => this.#onRejected(event));
      transport.on('dropped', (event) => this.#onDropped(event));
      transport.on('warning', (error) => this.#show(undefined, () => this.emit('warning', `${transport.name}: ${error.message}`)));
    }
  }

  /** The listening port: the first transport's that has one. */
  get port(): number {
    for (const transport of this.#transports) if (transport.port !== undefined) return transport.port;
    return 0;
  }

  /** Our own advertised address, `ip:port`. */
  get address(): PeerId {
    return formatAddress({ ip: this.ip, port: this.port });
  }

  /** Start every transport. Rejects with the first system error (EADDRINUSE, EACCES…). */
  async start(): Promise<void> {
    for (const transport of this.#transports) await transport.listen();
  }

  /** The exact plain-TCP line that a send of `text` writes. */
  lineFor(text: string): string {
    return formatMessage({ ip: this.ip, port: this.port }, this.name, trimWhitespace(text));
  }

  /** Every peer, least recently heard first: read-only copies. */
  peers(): PeerSnapshot[] {
    return this.#registry.list().map((peer) => ({ ...peer }));
  }

  peer(id: PeerId): PeerSnapshot | undefined {
    const entry = this.#registry.get(id);
    return entry === undefined ? undefined : { ...entry };
  }

  /** Remove a peer from the list. False if it was not there. */
  forget(id: PeerId): boolean {
    const removed = this.#registry.remove(id);
    if (removed) this.emit('peers-changed');
    return removed;
  }

  /**
   * Add a peer learnt elsewhere (an earlier run, the LAN) without changing an
   * entry that exists. Not verified unless `verified`: it has not spoken.
   */
  remember(id: PeerId, name: string | null, source: PeerSource, verified = false, at = this.#clock()): PeerSnapshot | undefined {
    const result = this.#registry.remember(id, name, at, source, verified);
    this.#changed(result);
    if (source !== 'known') this.emit('alive', id);
    return result.peer === undefined ? undefined : { ...result.peer };
  }

  /**
   * Send one message. Never rejects: the outcome says what went wrong. Sends
   * to one peer leave in the order they were issued (see peer-queue.ts).
   */
  send(to: PeerId, text: string, options: SendOptions = {}): Promise<SendOutcome> {
    const body = trimWhitespace(text);
    const message = this.#outbound(body, options.id);
    const refused = (error: string): Promise<SendOutcome> =>
      Promise.resolve({ ok: false, id: message.id, to, text: body, line: message.line, lines: [message.line], failure: 'invalid', error, ms: 0 });
    if (body === '') return refused('the message is empty');
    const transport = this.#transportFor(to);
    if (!transport) return refused(`no way to reach ${to}: not an ip:port address`);
    const parts = this.#parts(message);
    if (parts === undefined) return refused(unsendableReason(message.line) ?? 'the message cannot be split into parts of 1024 bytes');
    return this.#queue.run(to, async () => {
      // A long line goes out as several messages, in order; the first part
      // that fails stops the rest (PROTOCOL.md, "Transport").
      let result: SendResult = { ok: true, ms: 0 };
      let ms = 0;
      for (const part of parts) {
        result = await transport.send(to, part, { timeoutMs: this.timeoutMs });
        ms += result.ms;
        if (!result.ok) break;
      }
      return this.#record(to, message, { ...result, ms }, parts, options.retry === true);
    });
  }

  /** A fresh local id, for a message the outbox queues without sending it first. */
  newMessageId(): string {
    return this.#newId();
  }

  /**
   * The messages that carry `message` on the wire: itself when its line fits
   * the original peers' 1024 bytes, else parts cut at whitespace or a
   * character boundary (protocol/split.ts). Undefined if it cannot be cut.
   */
  #parts(message: Outbound): Outbound[] | undefined {
    if (Buffer.byteLength(message.line) <= ORIGINAL_RECV_BYTES) return [message];
    const prefix = Buffer.byteLength(formatMessage({ ip: this.ip, port: this.port }, this.name, ''));
    let bodies: string[];
    try {
      bodies = splitMessage(message.text, prefix);
    } catch {
      return undefined;
    }
    return bodies.map((text, index) => ({ ...message, id: `${message.id}.${index + 1}`, kind: classify(text), text, line: this.lineFor(text) }));
  }

  /** Send `connect` and mark the peer connected on our side. */
  async connect(to: PeerId): Promise<SendOutcome> {
    const outcome = await this.send(to, 'connect');
    if (outcome.ok) this.#registry.markConnected(to);
    return outcome;
  }

  /** Greet bootstrap peers with `hello`, concurrently. */
  greet(peers: readonly PeerId[]): Promise<SendOutcome[]> {
    return Promise.all(peers.map((peer) => this.send(peer, 'hello')));
  }

  /**
   * Tell every proven peer `exit` (concurrently, under one deadline of the
   * send timeout), then stop the transports. Idempotent. The store is its
   * owner's to close.
   */
  quit(onProgress?: QuitProgress): Promise<QuitSummary> {
    this.#quitting ??= this.#quit(onProgress);
    return this.#quitting;
  }

  /** Stop every transport without telling anyone (tests, and a second Ctrl+C). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= Promise.all(this.#transports.map((transport) => transport.close())).then(() => undefined);
    return this.#closed;
  }

  async #quit(onProgress?: QuitProgress): Promise<QuitSummary> {
    const started = performance.now();
    // One deadline for the whole goodbye, so quit never takes longer than the
    // send timeout (plus closing), however many sends were already under way.
    const deadline = started + this.timeoutMs;
    const message = this.#outbound('exit');
    let ok = 0;
    let failed = 0;
    let total = 0;
    const failures: SendOutcome[] = [];
    const told = new Set<string>();
    const tell = async (targets: readonly PeerId[]): Promise<void> => {
      const fresh = targets.filter((to) => !told.has(to));
      for (const to of fresh) told.add(to);
      total += fresh.length;
      onProgress?.(ok, failed, total);
      await this.#tellMany(fresh, message, deadline, (outcome) => {
        if (outcome.ok) ok += 1;
        else {
          failed += 1;
          failures.push(outcome);
        }
        onProgress?.(ok, failed, total);
      });
    };
    const proven = (): PeerId[] => this.#proven();
    // Tell the peers we know now at once; a send already under way may add a
    // peer when it completes (each is bounded by its own timeout, which started
    // earlier): tell those too, within what is left of the same deadline.
    const now = tell(proven());
    const later = this.#queue.idle().then(() => tell(proven()));
    await Promise.all([now, later]);
    const skipped = this.#registry.list().filter((peer) => !told.has(peer.address)).length;
    await this.close();
    // Everything shown before the summary: the last events may still wait for the store.
    await this.#showing;
    return { notified: ok, failed, skipped, failures, ms: performance.now() - started };
  }

  /**
   * One message to every peer that quit would tell (verified, or reached
   * before), concurrently under one deadline of the send timeout, in order
   * behind what is already on its way to each. Each peer's outcome is
   * reported as it settles.
   */
  async sendToAll(
    text: string,
    onOutcome?: (outcome: SendOutcome) => void,
    hold?: (to: PeerId, message: Outbound) => boolean,
  ): Promise<BroadcastSummary> {
    const started = performance.now();
    const body = trimWhitespace(text);
    const message = this.#outbound(body);
    const proven = this.#proven();
    const skipped = this.#registry.size - proven.length;
    const outcomes: SendOutcome[] = [];
    if (body === '') return { id: message.id, text: body, outcomes, sent: 0, failed: 0, skipped, ms: 0 };
    // A peer `hold` takes (the outbox queues it behind what already waits) is not sent to here.
    const targets = hold ? proven.filter((to) => !hold(to, message)) : proven;
    await this.#tellMany(targets, message, started + this.timeoutMs, (outcome) => {
      outcomes.push(outcome);
      onOutcome?.(outcome);
    });
    const sent = outcomes.filter((outcome) => outcome.ok).length;
    return { id: message.id, text: body, outcomes, sent, failed: outcomes.length - sent, skipped, ms: performance.now() - started };
  }

  #proven(): PeerId[] {
    return recipients(
      this.#registry.list().map((peer) => ({ id: peer.address, verified: peer.verified, reached: peer.reached })),
      this.verify,
    );
  }

  /** `message` to each of `targets` under one deadline; each outcome is kept before it is reported. */
  async #tellMany(targets: readonly PeerId[], message: Outbound, deadline: number, onOutcome: (outcome: SendOutcome) => void): Promise<void> {
    if (targets.length === 0) return;
    await fanOut(
      targets,
      (to) =>
        // In order behind anything already on its way to that peer, with
        // what is left of the deadline once its turn comes.
        this.#queue.run(to, async () => {
          const left = Math.ceil(deadline - performance.now());
          const transport = this.#transportFor(to);
          const result = left <= 0 || !transport ? deadlinePassed(to, this.timeoutMs) : await transport.send(to, message, { timeoutMs: left });
          onOutcome(await this.#record(to, message, result));
          return result;
        }),
      {
        timeoutMs: Math.max(1, Math.ceil(deadline - performance.now())),
        // Each send takes a descriptor: stay under the file limit, or the rest fail with EMFILE.
        concurrency: Math.min(FAN_OUT_CONCURRENCY, Math.max(1, (freeFileDescriptors() ?? FAN_OUT_CONCURRENCY) - 8)),
      },
    );
  }

  #changed(result: ApplyResult): void {
    if (result.change === 'added' || result.change === 'removed' || result.evicted) this.emit('peers-changed');
  }

  #transportFor(peer: PeerId): Transport | undefined {
    return this.#transports.find((transport) => transport.owns(peer));
  }

  #newId(): string {
    this.#nextId += 1;
    return `${this.#idPrefix}-${this.#nextId.toString(36)}`;
  }

  #outbound(body: string, id: string = this.#newId()): Outbound {
    return { id, kind: classify(body), name: this.name, text: body, line: this.lineFor(body) };
  }

  /** Keep a send's result, note a reached peer, and resolve once it is stored. */
  async #record(to: PeerId, message: Outbound, result: SendResult, parts: readonly Outbound[] = [message], retry = false): Promise<SendOutcome> {
    const lines = parts.map((part) => part.line);
    const outcome: SendOutcome = result.ok
      ? { ok: true, id: message.id, to, text: message.text, line: message.line, lines, ms: result.ms, delivered: result.delivered ?? false }
      : { ok: false, id: message.id, to, text: message.text, line: message.line, lines, failure: result.failure, error: result.error, ms: result.ms };
    const now = this.#clock();
    if (outcome.ok) this.#changed(this.#registry.noteSent(to, now));
    else this.#registry.noteFailed(to, outcome.error, now);
    if (retry) {
      await this.#store?.updateStatus?.(message.id, outcome.ok ? (outcome.delivered ? 'delivered' : 'sent') : 'queued', outcome.ok ? undefined : outcome.error);
      return outcome;
    }
    await this.#store?.append({
      v: 1,
      id: message.id,
      at: now,
      direction: 'out',
      peer: to,
      name: this.#registry.get(to)?.name ?? null,
      kind: message.kind,
      text: message.text,
      status: outcome.ok ? (outcome.delivered ? 'delivered' : 'sent') : 'failed',
      line: message.line,
      ...(outcome.ok ? {} : { error: outcome.error }),
    });
    return outcome;
  }

  /**
   * Emit once `stored` has settled and every event before it was shown, so
   * that nothing is shown before it is kept and nothing is reordered. A
   * synchronous store (or none) costs nothing: the event goes out at once.
   */
  #show(stored: void | Promise<void>, emit: () => void): void {
    if (stored === undefined && this.#showing === undefined) {
      emit();
      return;
    }
    const next = Promise.all([this.#showing, stored]).then(emit, emit);
    this.#showing = next;
    void next.then(() => {
      if (this.#showing === next) this.#showing = undefined;
    });
  }

  #onInbound(inbound: Inbound): void {
    if (inbound.peer) {
      this.#onAuthenticated(inbound, inbound.peer);
      return;
    }
    const parsed = parseMessage(inbound.line);
    if (!parsed.ok) {
      this.#onRejected({ ...parsed.error, remote: inbound.remote, bytes: Buffer.byteLength(inbound.line) });
      return;
    }
    const message = parsed.message;
    const now = this.#clock();
    const verified = claimMatches(message.ip, inbound.remote.address, this.#ownAddresses);
    if (!verified && this.verify === 'strict') {
      this.#onRejected({
        reason: 'unverified',
        detail: `claims ${formatAddress(message)} but came from ${inbound.remote.address}`,
        remote: inbound.remote,
        bytes: 0,
      });
      return;
    }
    const applied = this.#registry.apply(message, now, verified || this.verify === 'off');
    this.#deliver(formatAddress(message), message, inbound, verified, applied, now);
  }

  /** A message whose sender the transport proved (a room peer's key): always verified. */
  #onAuthenticated(inbound: Inbound, peer: NonNullable<Inbound['peer']>): void {
    const now = this.#clock();
    const message = { kind: peer.kind, name: peer.name, text: trimWhitespace(inbound.line) };
    const applied = this.#registry.applyFrom(peer.id, message, now, true, inbound.transport as PeerSource);
    this.#deliver(peer.id, message, inbound, true, applied, now);
  }

  /** Keep, then show, one accepted message. */
  #deliver(
    from: PeerId,
    message: { readonly kind: MessageKind; readonly name: string; readonly text: string },
    inbound: Inbound,
    verified: boolean,
    applied: ApplyResult,
    now: number,
  ): void {
    this.#changed(applied);
    const incoming: IncomingMessage = {
      id: this.#newId(),
      kind: message.kind,
      from,
      name: message.name,
      text: message.text,
      remote: inbound.peer ? inbound.transport : label(inbound.remote),
      at: new Date(now),
      verified,
      change: applied.change,
      ...(applied.peer ? { peer: { ...applied.peer } } : {}),
    };
    const record: StoredMessage = {
      v: 1,
      id: incoming.id,
      at: now,
      direction: 'in',
      peer: incoming.from,
      name: incoming.name,
      kind: incoming.kind,
      text: incoming.text,
      status: 'received',
      remote: incoming.remote,
      verified,
    };
    // Stored before it is shown: a crash after this line loses nothing.
    this.#show(this.#store?.append(record), () => this.emit('message', incoming));
  }

  #onRejected(event: TransportRejected | (Omit<TransportRejected, 'reason'> & { reason: RejectReason })): void {
    const rejected: Rejected = { remote: label(event.remote), reason: event.reason, detail: event.detail };
    this.#show(undefined, () => this.emit('rejected', rejected));
  }

  #onDropped(event: TransportDropped): void {
    const dropped: Dropped = { remote: label(event.remote), reason: event.reason, detail: event.detail };
    this.#show(undefined, () => this.emit('dropped', dropped));
  }
}
