/**
 * Rooms on Hyperswarm: the second Transport. One RoomTransport is one room
 * (name `room:<name>`), with its own Hyperswarm and its own key pair derived
 * from the user's identity (keys.ts says why). Peers are `@<64 hex>` ids
 * proven by the Noise handshake; every pair shares one encrypted stream that
 * carries framed messages (frame.ts) and acknowledgements.
 *
 * Delivery: `send` resolves `{ ok: true, delivered: true }` when the
 * receiver's ack arrives, or fails with `timeout`. While it waits, a frame
 * with no ack is written again on every new stream to that peer, and the
 * receiver drops copies by message id: within one send nothing is lost and
 * nothing shown twice. After a timeout the frame is forgotten here; an outbox
 * that retries with the same message id is deduplicated the same way.
 *
 * Nothing of hyperswarm (or its native parts) is loaded until `listen()`:
 * a p2pchat without rooms starts exactly as before.
 */
import { EventEmitter } from 'node:events';
import type Hyperswarm from 'hyperswarm';
import type { PeerDiscoverySession, SwarmConnection } from 'hyperswarm';
import type { Outbound, PeerId, Remote, SendResult, Transport, TransportEvents, TransportRejectReason } from '../transport.js';
import type { BootstrapNode } from './bootstrap.js';
import { RoomConnection, type ConnectionLimits } from './connection.js';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, type Frame } from './frame.js';
import type { Identity } from './identity.js';
import { roomKeyPair, type KeyPair } from './keys.js';
import { formatRoomPeer, isRoomPeerId, shortRoomPeer } from './peer-id.js';
import { DEFAULT_DOWN_GRACE_MS, Presence } from './presence.js';
import { DEFAULT_RATE_LIMIT, type RateLimit } from './rate-limit.js';
import { DEFAULT_REFRESH, refreshDelayMs, type RefreshOptions } from './refresh-schedule.js';
import { SeenIds } from './seen-ids.js';
import { parseRoomName, roomTopic } from './topic.js';

export interface RoomTransportOptions {
  /** The room's name (checked by `parseRoomName`). */
  readonly room: string;
  /** The user's identity (identity.ts); the room key is derived from it. */
  readonly identity: Pick<Identity, 'seed'>;
  /** Our chat name, sent in the `hi` frame on every stream. */
  readonly name: string;
  /**
   * DHT bootstrap nodes (`--dht-bootstrap`). Undefined or empty: hyperswarm's
   * public bootstrap nodes. Tests must always pass their testnet's.
   */
  readonly bootstrap?: readonly BootstrapNode[];
  /** Largest frame JSON accepted or sent (default 65,536 bytes). */
  readonly maxFrameBytes?: number;
  /** Per-peer limit on frames received (default DEFAULT_RATE_LIMIT: burst 200, 50/s). */
  readonly rateLimit?: RateLimit;
  /** Pace of our own message frames (default: 90 % of DEFAULT_RATE_LIMIT, so a default receiver never drops us; null: none). */
  readonly pace?: RateLimit | null;
  /** Bytes held for a peer that stopped reading before it is dropped (default 1 MiB). */
  readonly maxWriteBufferBytes?: number;
  /** How long a peer may leave our writes blocked (default 30,000 ms). */
  readonly stallTimeoutMs?: number;
  /** How long a new stream may take to say hello (default 10,000 ms). */
  readonly helloTimeoutMs?: number;
  /** Wait after a peer's last stream closed before `peer-down` (default 2000 ms). */
  readonly downGraceMs?: number;
  /** How long a peer dropped for breaking a limit is refused (default 60,000 ms). */
  readonly banMs?: number;
  /** Discovery refresh schedule (default DEFAULT_REFRESH). */
  readonly refresh?: RefreshOptions;
  /** How long `listen()` waits for the first announcement before resolving with a warning (default 20,000 ms). */
  readonly announceTimeoutMs?: number;
  /** Monotonic clock in ms (default performance.now). */
  readonly now?: () => number;
}

export const DEFAULT_MAX_WRITE_BUFFER_BYTES = 1024 * 1024;
export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
export const DEFAULT_HELLO_TIMEOUT_MS = 10_000;
export const DEFAULT_BAN_MS = 60_000;
export const DEFAULT_ANNOUNCE_TIMEOUT_MS = 20_000;
const DEFAULT_PACE: RateLimit = { burst: Math.floor(DEFAULT_RATE_LIMIT.burst * 0.9), perSecond: DEFAULT_RATE_LIMIT.perSecond * 0.9 };

/** A peer as this room sees it. */
export interface RoomPeer {
  readonly id: PeerId;
  readonly name: string | null;
  /** Open streams to it: 1 in a settled room (more only while Hyperswarm replaces one). */
  readonly streams: number;
  readonly up: boolean;
}

interface Pending {
  readonly peer: PeerId;
  readonly id: string;
  readonly bytes: Buffer;
  readonly started: number;
  readonly waiters: ((result: SendResult) => void)[];
  readonly timers: NodeJS.Timeout[];
}

/** Load hyperswarm (and with it hyperdht, sodium-native, udx-native). Only `listen()` calls it. */
export async function loadHyperswarm(): Promise<typeof Hyperswarm> {
  const module = await import('hyperswarm');
  return module.default;
}

export class RoomTransport extends EventEmitter<TransportEvents> implements Transport {
  /** `room:<name>`: the transport's name and the source of its peers in lists. */
  readonly name: string;
  readonly room: string;
  /** Our own id in this room. */
  readonly id: PeerId;
  readonly keyPair: KeyPair;
  readonly topic: Buffer;
  readonly #options: RoomTransportOptions;
  readonly #limits: ConnectionLimits;
  readonly #now: () => number;
  readonly #presence: Presence;
  readonly #seen = new SeenIds();
  /** Every open stream per peer id; the last is the one we write to. */
  readonly #streams = new Map<PeerId, RoomConnection[]>();
  /** Peers ever connected in this room: the ones `send` may wait for. */
  readonly #known = new Set<PeerId>();
  readonly #pending = new Map<string, Pending>();
  /** Peers refused after breaking a limit, with the timer that lets them back. */
  readonly #banned = new Map<PeerId, NodeJS.Timeout>();
  readonly #warned = new Set<string>();
  #swarm: Hyperswarm | null = null;
  #discovery: PeerDiscoverySession | null = null;
  #listening: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  #presenceTimer: NodeJS.Timeout | null = null;
  #refreshTimer: NodeJS.Timeout | null = null;
  #refreshAttempt = 0;
  /** Aborted by close(): a join still waiting for its announcement stops waiting. */
  readonly #abort = new AbortController();

  constructor(options: RoomTransportOptions) {
    super();
    const room = parseRoomName(options.room);
    if (!room.ok) throw new RangeError(room.error);
    this.room = room.name;
    this.name = `room:${room.name}`;
    this.topic = roomTopic(room.name);
    this.keyPair = roomKeyPair(options.identity.seed, room.name);
    this.id = formatRoomPeer(this.keyPair.publicKey);
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#presence = new Presence(options.downGraceMs ?? DEFAULT_DOWN_GRACE_MS);
    // Checked here so a bad name fails at construction, not on the first stream.
    encodeFrame({ t: 'hi', name: options.name });
    this.#limits = {
      maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
      rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
      pace: options.pace === undefined ? DEFAULT_PACE : options.pace,
      maxWriteBufferBytes: options.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER_BYTES,
      stallTimeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS,
      helloTimeoutMs: options.helloTimeoutMs ?? DEFAULT_HELLO_TIMEOUT_MS,
    };
  }

  /**
   * Join the room: load hyperswarm, announce and look up the topic (as server
   * and client). Resolves once announced, or after `announceTimeoutMs` with a
   * `warning` (discovery goes on). Rejects if the swarm cannot start.
   * Calling it again returns the same promise.
   */
  listen(): Promise<void> {
    this.#listening ??= this.#join();
    return this.#listening;
  }

  async #join(): Promise<void> {
    if (this.#closing) throw new Error(`${this.name} is closed`);
    const Swarm = await loadHyperswarm();
    if (this.#closing) throw new Error(`${this.name} is closed`);
    const bootstrap = this.#options.bootstrap;
    const swarm = new Swarm({
      keyPair: this.keyPair,
      // Refused at the handshake, before any stream exists; and Hyperswarm stops dialling it.
      firewall: (remotePublicKey) => this.#banned.has(formatRoomPeer(remotePublicKey)),
      ...(bootstrap && bootstrap.length > 0 ? { bootstrap: bootstrap.map((b) => ({ host: b.host, port: b.port })) } : {}),
    });
    this.#swarm = swarm;
    swarm.on('connection', (stream) => this.#onStream(stream));
    try {
      await swarm.listen();
    } catch (error) {
      await swarm.destroy().catch(() => undefined);
      throw error;
    }
    if (this.#closing) return;
    this.#discovery = swarm.join(this.topic, { client: true, server: true, onerror: (error) => this.#warn(error) });
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.#options.announceTimeoutMs ?? DEFAULT_ANNOUNCE_TIMEOUT_MS;
    const announced = await Promise.race([
      this.#discovery.flushed().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      }),
      new Promise<true>((resolve) => this.#abort.signal.addEventListener('abort', () => resolve(true), { once: true })),
    ]);
    clearTimeout(timer);
    if (!announced && !this.#closing) this.#warn(new Error(`${this.name}: not announced on the DHT within ${timeoutMs} ms; still trying`));
    this.#scheduleRefresh();
  }

  owns(peer: PeerId): boolean {
    return this.#known.has(peer);
  }

  /** Peers seen in this room, up or in their grace period, with their stream counts. */
  peers(): RoomPeer[] {
    const ids = new Set([...this.#presence.upIds(), ...this.#streams.keys()]);
    return [...ids].map((id) => ({ id, name: this.#presence.name(id), streams: this.#streams.get(id)?.length ?? 0, up: this.#presence.isUp(id) }));
  }

  send(peer: PeerId, message: Outbound, options: { readonly timeoutMs: number }): Promise<SendResult> {
    const started = this.#now();
    const fail = (failure: 'error' | 'unreachable', error: string): Promise<SendResult> =>
      Promise.resolve({ ok: false, failure, error, ms: this.#now() - started });
    if (this.#closing) return fail('error', `${this.name} is closed`);
    if (!isRoomPeerId(peer)) return fail('error', `"${peer}" is not a room peer id`);
    if (!this.#known.has(peer)) return fail('unreachable', `${shortRoomPeer(peer)} is not in ${this.name}`);
    let bytes: Buffer;
    try {
      bytes = encodeFrame({ t: 'msg', id: message.id, kind: message.kind, name: message.name, text: message.text }, this.#limits.maxFrameBytes);
    } catch (error) {
      return fail('error', (error as Error).message);
    }
    return new Promise<SendResult>((resolve) => {
      const key = pendingKey(peer, message.id);
      let entry = this.#pending.get(key);
      const fresh = !entry;
      if (!entry) {
        entry = { peer, id: message.id, bytes, started, waiters: [], timers: [] };
        this.#pending.set(key, entry);
      }
      // A second send of the same id (an outbox retry) shares the first one's ack.
      entry.waiters.push(resolve);
      const pending = entry;
      const timer = setTimeout(() => {
        const index = pending.waiters.indexOf(resolve);
        if (index >= 0) pending.waiters.splice(index, 1);
        if (pending.waiters.length === 0) this.#dropPending(key);
        resolve({
          ok: false,
          failure: 'timeout',
          error: `${shortRoomPeer(peer)} did not acknowledge within ${options.timeoutMs} ms`,
          ms: this.#now() - started,
        });
      }, options.timeoutMs);
      entry.timers.push(timer);
      if (fresh) this.#active(peer)?.write(bytes, true);
    });
  }

  /** Leave the room: pending sends fail, streams close, the swarm is destroyed. Safe to call twice. No events after. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#abort.abort();
    if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
    for (const timer of this.#banned.values()) clearTimeout(timer);
    for (const [key, entry] of [...this.#pending]) {
      this.#dropPending(key);
      for (const waiter of entry.waiters) waiter({ ok: false, failure: 'error', error: `${this.name} closed before ${shortRoomPeer(entry.peer)} acknowledged`, ms: this.#now() - entry.started });
    }
    // Wait for a join in progress, so its swarm is the one destroyed.
    await this.#listening?.catch(() => undefined);
    for (const streams of this.#streams.values()) for (const connection of [...streams]) connection.close(true);
    this.#streams.clear();
    const swarm = this.#swarm;
    this.#swarm = null;
    if (swarm) await swarm.destroy().catch(() => undefined);
  }

  #onStream(stream: SwarmConnection): void {
    stream.on('error', () => undefined);
    if (this.#closing) {
      stream.destroy();
      return;
    }
    const peer = formatRoomPeer(stream.remotePublicKey);
    if (this.#banned.has(peer)) {
      // Normally refused by the firewall already; a stream that was being set up when the ban began ends here.
      stream.destroy();
      return;
    }
    const connection = new RoomConnection(
      stream,
      peer,
      this.#limits,
      {
        frame: (c, frame) => this.#onFrame(c, frame),
        violation: (c, reason, detail, bytes) => this.#onViolation(c, reason, detail, bytes),
        closed: (c) => this.#onClosed(c),
      },
      this.#now,
    );
    const streams = this.#streams.get(peer) ?? [];
    streams.push(connection);
    this.#streams.set(peer, streams);
    this.#known.add(peer);
    this.#presence.opened(peer);
    this.#schedulePresence();
    connection.write(encodeFrame({ t: 'hi', name: this.#options.name }), false);
    // The newest stream is the one Hyperswarm keeps: anything unacknowledged goes out again on it.
    this.#resendTo(connection);
  }

  #onFrame(connection: RoomConnection, frame: Frame): void {
    const peer = connection.peer;
    switch (frame.t) {
      case 'hi':
        if (this.#presence.hello(peer, frame.name)) {
          this.#refreshAttempt = 0;
          this.emit('peer-up', { id: peer, name: frame.name, via: this.name });
        }
        return;
      case 'ack': {
        const entry = this.#pending.get(pendingKey(peer, frame.id));
        // Acks are free only for what we sent; unsolicited ones count against the peer's limit.
        if (!entry) {
          connection.charge();
          return;
        }
        this.#dropPending(pendingKey(peer, frame.id));
        const ms = this.#now() - entry.started;
        for (const waiter of entry.waiters) waiter({ ok: true, delivered: true, ms });
        return;
      }
      case 'msg': {
        if (this.#seen.add(peer, frame.id)) {
          if (frame.kind === 'exit') this.#presence.exited(peer);
          this.emit('inbound', {
            transport: this.name,
            line: frame.text,
            remote: remoteOf(peer),
            peer: { id: peer, name: frame.name, kind: frame.kind, messageId: frame.id },
          });
        }
        // Every copy is acked: the sender resent it because it had no ack.
        if (!connection.closed) connection.write(encodeFrame({ t: 'ack', id: frame.id }), false);
        return;
      }
    }
  }

  #onViolation(connection: RoomConnection, reason: TransportRejectReason, detail: string, bytes: number): void {
    this.#ban(connection.peer);
    // Close every stream of a peer that broke the rules, not just the one it used.
    for (const other of [...(this.#streams.get(connection.peer) ?? [])]) if (other !== connection) other.close();
    this.emit('rejected', { remote: remoteOf(connection.peer), reason, detail: `${shortRoomPeer(connection.peer)}: ${detail}; disconnected`, bytes });
  }

  #onClosed(connection: RoomConnection): void {
    const peer = connection.peer;
    const streams = (this.#streams.get(peer) ?? []).filter((c) => c !== connection);
    if (streams.length > 0) this.#streams.set(peer, streams);
    else this.#streams.delete(peer);
    if (this.#closing) return;
    // The stream we were writing to went: the next one carries what is still unacknowledged.
    const active = streams.at(-1);
    if (active && streams.length > 0) this.#resendTo(active);
    if (this.#presence.closed(peer, this.#now()) === 'down') this.emit('peer-down', { id: peer, via: this.name });
    this.#schedulePresence();
  }

  #ban(peer: PeerId): void {
    clearTimeout(this.#banned.get(peer));
    const timer = setTimeout(() => {
      this.#banned.delete(peer);
      // Hyperswarm marks a firewalled peer banned for the swarm's life; the ban here is for banMs.
      this.#swarm?.peers.get(peer.slice(1))?.ban(false);
    }, this.#options.banMs ?? DEFAULT_BAN_MS);
    timer.unref();
    this.#banned.set(peer, timer);
  }

  #active(peer: PeerId): RoomConnection | undefined {
    return this.#streams.get(peer)?.at(-1);
  }

  #resendTo(connection: RoomConnection): void {
    for (const entry of this.#pending.values()) if (entry.peer === connection.peer) connection.write(entry.bytes, true);
  }

  #dropPending(key: string): void {
    const entry = this.#pending.get(key);
    if (!entry) return;
    this.#pending.delete(key);
    for (const timer of entry.timers) clearTimeout(timer);
  }

  /** One timer for every peer's down grace. */
  #schedulePresence(): void {
    if (this.#presenceTimer) clearTimeout(this.#presenceTimer);
    this.#presenceTimer = null;
    const next = this.#presence.nextDeadline();
    if (next === null || this.#closing) return;
    this.#presenceTimer = setTimeout(() => {
      this.#presenceTimer = null;
      for (const peer of this.#presence.due(this.#now())) this.emit('peer-down', { id: peer, via: this.name });
      this.#schedulePresence();
    }, Math.max(0, next - this.#now()) + 1);
  }

  #scheduleRefresh(): void {
    if (this.#closing || !this.#discovery) return;
    const delay = refreshDelayMs(this.#refreshAttempt, this.#presence.upIds().length, this.#options.refresh ?? DEFAULT_REFRESH);
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      this.#refreshAttempt += 1;
      this.#discovery?.refresh({ client: true, server: true }).catch((error: Error) => this.#warn(error));
      this.#scheduleRefresh();
    }, delay);
    // Discovery is housekeeping: it must not keep a process alive that is otherwise done.
    this.#refreshTimer.unref();
  }

  /** Report a problem once per distinct message. */
  #warn(error: Error): void {
    if (this.#closing || this.#warned.has(error.message)) return;
    this.#warned.add(error.message);
    this.emit('warning', error);
  }
}

function pendingKey(peer: PeerId, id: string): string {
  return `${peer} ${id}`;
}

function remoteOf(peer: PeerId): Remote {
  return { address: peer, port: 0 };
}
