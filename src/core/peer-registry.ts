/**
 * The active-peer list and its rules (PROTOCOL.md, "Control words" and "The
 * peer list"). Pure: time comes in as a parameter, nothing is printed or sent.
 * Every operation is O(1), eviction at the cap included.
 */
import { type ChatMessage } from '../protocol/line.js';
import { formatAddress, parseAddress, type PeerAddress } from '../protocol/address.js';

/**
 * Where an entry came from: typed or reached by us (`manual`), heard from on
 * the plain protocol (`heard`), found on the LAN (`lan`), remembered from an
 * earlier run (`known`), or a member of a room (`room:<name>`).
 */
export type PeerSource = 'manual' | 'heard' | 'lan' | 'known' | `room:${string}`;

/** Why the last send to a peer failed, and since when (epoch ms). */
export interface Unreachable {
  readonly since: number;
  readonly reason: string;
}

export interface PeerEntry {
  /** The key: `ip:port` for the plain protocol, `@` + key for room peers. */
  readonly address: string;
  /** The IP and port, for `ip:port` entries. */
  readonly ip?: string;
  readonly port?: number;
  source: PeerSource;
  /** Set while sends fail; cleared by the next message or successful send. */
  unreachable: Unreachable | undefined;
  /** The latest name the peer used; null until it speaks. */
  name: string | null;
  connected: boolean;
  /** Epoch ms. */
  firstSeen: number;
  lastSeen: number;
  /** Messages received from this peer. */
  messages: number;
  /**
   * Whether the entry was made by a sender whose claimed IP matched its
   * connection (or by our own successful send). A control word from an
   * unverified sender never removes or changes a verified entry.
   */
  verified: boolean;
  /**
   * Whether one of our own sends reached this address. Quit tells verified or
   * reached peers only: a claim nobody proved must not choose where quit
   * connects, but an honest peer with an odd address (127.0.1.1) that we have
   * talked to is still told.
   */
  reached: boolean;
}

export type RegistryChange =
  | 'added' // a new entry
  | 'refreshed' // an existing entry heard from again
  | 'connected' // marked connected (added if new)
  | 'removed' // an `exit` removed it
  | 'unknown-exit' // an `exit` from a peer not in the list: nothing to do
  | 'protected' // an unverified sender tried to change a verified entry: ignored
  | 'full'; // the list is at its cap and nothing could be evicted: ignored

export interface ApplyResult {
  readonly change: RegistryChange;
  /** The entry after the change (the removed one for `removed`). */
  readonly peer?: PeerEntry;
  /** An entry evicted to make room, if any. */
  readonly evicted?: PeerEntry;
}

export interface PeerRegistryOptions {
  /**
   * Most entries kept (default 1000). At the cap the least recently heard
   * unverified entry makes room; forged `hello`s therefore cannot grow the list,
   * nor push out peers that proved their address.
   */
  readonly maxPeers?: number;
}

export const DEFAULT_MAX_PEERS = 1000;

/** One unverified entry in the eviction order. */
interface Link {
  readonly key: string;
  older: Link | undefined;
  newer: Link | undefined;
}

export class PeerRegistry {
  readonly maxPeers: number;
  // Maps keep insertion order and a refresh does not re-insert, so the list
  // reads first seen first: pickers and tables never reorder under the
  // user's fingers (a `connect` from Carol once moved her to the top).
  readonly #peers = new Map<string, PeerEntry>();
  // The unverified entries alone, in the same order, as a linked list:
  // eviction takes the head. Not a second Map: V8 leaves a deleted Map slot in
  // place until the next rehash, so finding a Map's first key walks over every
  // slot deleted since, up to a third of the capacity (thousands at 100,000
  // peers) on each eviction.
  readonly #unverified = new Map<string, Link>();
  #oldest: Link | undefined;
  #newest: Link | undefined;

  constructor(options: PeerRegistryOptions = {}) {
    this.maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
  }

  get size(): number {
    return this.#peers.size;
  }

  get(address: PeerAddress | string): PeerEntry | undefined {
    return this.#peers.get(typeof address === 'string' ? address : formatAddress(address));
  }

  /** Every entry, first seen first (newcomers at the end). */
  list(): PeerEntry[] {
    return [...this.#peers.values()];
  }

  /** Apply a received message's rules. `verified`: its claimed IP matched the connection. */
  apply(message: ChatMessage, now: number, verified = true): ApplyResult {
    return this.applyFrom(formatAddress(message), message, now, verified);
  }

  /**
   * The same rules for a sender known by id (an authenticated room peer, say).
   * `source` is what a new entry records.
   */
  applyFrom(
    key: string,
    message: Pick<ChatMessage, 'kind' | 'name'>,
    now: number,
    verified = true,
    source: PeerSource = 'heard',
  ): ApplyResult {
    const existing = this.#peers.get(key);
    if (existing && existing.verified && !verified) {
      return { change: 'protected', peer: existing };
    }
    if (message.kind === 'exit') {
      if (!existing) return { change: 'unknown-exit' };
      this.#delete(key);
      return { change: 'removed', peer: existing };
    }
    if (existing) {
      existing.name = message.name;
      existing.lastSeen = now;
      existing.messages += 1;
      existing.unreachable = undefined;
      // Speaking makes a remembered entry a live one.
      if (existing.source === 'known') existing.source = source;
      existing.verified ||= verified;
      this.#touch(key, existing);
      if (message.kind === 'connect') {
        existing.connected = true;
        return { change: 'connected', peer: existing };
      }
      return { change: 'refreshed', peer: existing };
    }
    const made = this.#insert(key, message.name, now, verified, source);
    if (!made.peer) return made;
    made.peer.messages = 1;
    if (message.kind === 'connect') {
      made.peer.connected = true;
      return { change: 'connected', peer: made.peer, evicted: made.evicted };
    }
    return made;
  }

  /** A successful send to `address`: add it if new (name unknown until it speaks). */
  noteSent(address: PeerAddress | string, now: number): ApplyResult {
    const key = typeof address === 'string' ? address : formatAddress(address);
    const existing = this.#peers.get(key);
    if (existing) {
      // Reaching the address proves it exists; it does not prove who spoke
      // from it, so `verified` (which guards the entry) stays as it was.
      existing.reached = true;
      existing.unreachable = undefined;
      return { change: 'refreshed', peer: existing };
    }
    const made = this.#insert(key, null, now, true, 'manual');
    if (made.peer) made.peer.reached = true;
    return made;
  }

  /** A send to a known peer failed: mark it unreachable (it can still be tried). */
  noteFailed(address: string, reason: string, now: number): PeerEntry | undefined {
    const entry = this.#peers.get(address);
    if (entry && entry.unreachable === undefined) entry.unreachable = { since: now, reason };
    return entry;
  }

  /**
   * A peer from elsewhere (an earlier run, the LAN): added if new, never
   * changing an entry that exists. Not verified until it speaks.
   */
  remember(address: string, name: string | null, now: number, source: PeerSource, verified = false): ApplyResult {
    const existing = this.#peers.get(address);
    if (existing) return { change: 'refreshed', peer: existing };
    return this.#insert(address, name, now, verified, source);
  }

  /** We sent `connect` to this peer: mark it connected on our side too. */
  markConnected(address: PeerAddress | string): PeerEntry | undefined {
    const entry = this.get(address);
    if (entry) entry.connected = true;
    return entry;
  }

  remove(address: PeerAddress | string): boolean {
    return this.#delete(typeof address === 'string' ? address : formatAddress(address));
  }

  #delete(key: string): boolean {
    this.#unlink(key);
    return this.#peers.delete(key);
  }

  /** Heard again: last in the eviction order (or out of it, once verified); the list order stays. */
  #touch(key: string, entry: PeerEntry): void {
    this.#unlink(key);
    if (!entry.verified) this.#link(key);
  }

  #set(key: string, entry: PeerEntry): void {
    this.#peers.set(key, entry);
    if (!entry.verified) this.#link(key);
  }

  /** Make `key` the most recently heard unverified entry. */
  #link(key: string): void {
    const link: Link = { key, older: this.#newest, newer: undefined };
    if (this.#newest) this.#newest.newer = link;
    else this.#oldest = link;
    this.#newest = link;
    this.#unverified.set(key, link);
  }

  #unlink(key: string): void {
    const link = this.#unverified.get(key);
    if (!link) return;
    this.#unverified.delete(key);
    if (link.older) link.older.newer = link.newer;
    else this.#oldest = link.newer;
    if (link.newer) link.newer.older = link.older;
    else this.#newest = link.older;
  }

  #insert(key: string, name: string | null, now: number, verified: boolean, source: PeerSource): ApplyResult {
    let evicted: PeerEntry | undefined;
    if (this.#peers.size >= this.maxPeers) {
      evicted = this.#evictOldestUnverified();
      if (!evicted) return { change: 'full' };
    }
    const parsed = parseAddress(key);
    // One shape for every entry (a conditional spread made each a dictionary: 5 µs an insert).
    const peer: PeerEntry = {
      ip: parsed.ok ? parsed.address.ip : undefined,
      port: parsed.ok ? parsed.address.port : undefined,
      address: key,
      source,
      unreachable: undefined,
      name,
      connected: false,
      firstSeen: now,
      lastSeen: now,
      messages: 0,
      verified,
      reached: false,
    };
    this.#set(key, peer);
    return { change: 'added', peer, evicted };
  }

  #evictOldestUnverified(): PeerEntry | undefined {
    const oldest = this.#oldest;
    if (!oldest) return undefined;
    const entry = this.#peers.get(oldest.key);
    this.#delete(oldest.key);
    return entry;
  }
}
