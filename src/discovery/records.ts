/**
 * The peers LAN discovery currently vouches for, and the rules that keep a
 * forger from changing them. Pure: time comes in as a parameter, nothing is
 * sent or printed; the mDNS edge (mdns.ts) turns the results into events.
 *
 * Rules (issue 11):
 * - one record per `ip:port`; an announcement is `verified` when its packet
 *   came from the address it advertises;
 * - a verified record wins: an unverified announcement or goodbye for it
 *   changes nothing, not even its expiry (a forger must not keep a dead
 *   verified peer alive either);
 * - a record lives for its announcement's TTL, renewed by each announcement;
 * - at the `maxPeers` cap the least recently heard unverified record makes
 *   room; verified records are never pushed out, so a flood of forged
 *   services can neither grow the set nor displace a peer that proved its
 *   address;
 * - one address holds at most `maxVerifiedPerAddress` verified records: a
 *   host that announces a thousand ports of its own (each one "verified")
 *   gets the rest kept as unverified, so it cannot fill the list with
 *   records nobody may evict.
 *
 * Every operation is O(1) but `expire`, which looks at each record once.
 */
import type { PeerId } from '../transport/transport.js';

/** One announcement as read from a packet (see packet.ts). */
export interface Sighting {
  readonly id: PeerId;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly verified: boolean;
  /** How long the announcement is good for: its records' TTL, in ms. */
  readonly ttlMs: number;
}

export interface DiscoveryRecord {
  readonly id: PeerId;
  readonly ip: string;
  readonly port: number;
  name: string;
  verified: boolean;
  /** Epoch ms. */
  readonly firstSeen: number;
  lastSeen: number;
  /** Epoch ms after which the record is dropped unless announced again. */
  expiresAt: number;
}

export type SightingResult =
  /** A new record; `evicted` made room for it at the cap. */
  | { readonly change: 'added'; readonly record: DiscoveryRecord; readonly evicted?: DiscoveryRecord }
  /** A known record now has another name, or became verified. */
  | { readonly change: 'updated'; readonly record: DiscoveryRecord }
  /** A known record announced again, unchanged: only its expiry moved. */
  | { readonly change: 'refreshed'; readonly record: DiscoveryRecord }
  /** An unverified announcement for a verified record: ignored. */
  | { readonly change: 'protected'; readonly record: DiscoveryRecord }
  /** At the cap with only verified records: ignored. */
  | { readonly change: 'full' };

export type GoodbyeResult =
  | { readonly change: 'removed'; readonly record: DiscoveryRecord }
  /** An unverified goodbye for a verified record: ignored. */
  | { readonly change: 'protected'; readonly record: DiscoveryRecord }
  | { readonly change: 'unknown' };

export interface DiscoveryRecordsOptions {
  /** Most records kept (default 1000, as the peer list's cap). */
  readonly maxPeers?: number;
  /** Most verified records of one IP address (default 16: many chat processes on one machine, not a thousand). */
  readonly maxVerifiedPerAddress?: number;
}

export const DEFAULT_MAX_DISCOVERED = 1000;
export const DEFAULT_MAX_VERIFIED_PER_ADDRESS = 16;

/** One unverified record in the eviction order (least recently heard first). */
interface Link {
  readonly id: PeerId;
  older: Link | undefined;
  newer: Link | undefined;
}

export class DiscoveryRecords {
  readonly maxPeers: number;
  readonly maxVerifiedPerAddress: number;
  readonly #records = new Map<PeerId, DiscoveryRecord>();
  /** Verified records per IP. */
  readonly #verifiedAt = new Map<string, number>();
  // The unverified records alone, as a linked list: eviction takes the head in
  // O(1). Not the head of a second Map: V8 keeps deleted Map slots until the
  // next rehash, so a Map's first key costs a walk over every slot deleted
  // since, and a flood deletes one on every insert (see peer-registry.ts).
  readonly #unverified = new Map<PeerId, Link>();
  #oldest: Link | undefined;
  #newest: Link | undefined;

  constructor(options: DiscoveryRecordsOptions = {}) {
    const max = options.maxPeers ?? DEFAULT_MAX_DISCOVERED;
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`maxPeers must be a whole number of at least 1, not ${String(max)}`);
    this.maxPeers = max;
    const perAddress = options.maxVerifiedPerAddress ?? DEFAULT_MAX_VERIFIED_PER_ADDRESS;
    if (!Number.isInteger(perAddress) || perAddress < 1) {
      throw new RangeError(`maxVerifiedPerAddress must be a whole number of at least 1, not ${String(perAddress)}`);
    }
    this.maxVerifiedPerAddress = perAddress;
  }

  get size(): number {
    return this.#records.size;
  }

  get(id: PeerId): DiscoveryRecord | undefined {
    return this.#records.get(id);
  }

  /** Every record, in no promised order. */
  list(): DiscoveryRecord[] {
    return [...this.#records.values()];
  }

  /** Apply one announcement received at `now`. */
  see(sighting: Sighting, now: number): SightingResult {
    const existing = this.#records.get(sighting.id);
    if (existing) {
      if (existing.verified && !sighting.verified) return { change: 'protected', record: existing };
      const upgrade = sighting.verified && !existing.verified && this.#verifiedRoom(existing.ip);
      const changed = existing.name !== sighting.name || upgrade;
      existing.name = sighting.name;
      existing.lastSeen = now;
      existing.expiresAt = now + sighting.ttlMs;
      if (upgrade) {
        existing.verified = true;
        this.#countVerified(existing.ip, 1);
        this.#unlink(existing.id);
      } else if (!existing.verified) {
        // Heard again: to the back of the eviction order.
        this.#unlink(existing.id);
        this.#link(existing.id);
      }
      return changed ? { change: 'updated', record: existing } : { change: 'refreshed', record: existing };
    }
    let evicted: DiscoveryRecord | undefined;
    if (this.#records.size >= this.maxPeers) {
      evicted = this.#evictOldestUnverified();
      if (!evicted) return { change: 'full' };
    }
    const record: DiscoveryRecord = {
      id: sighting.id,
      ip: sighting.ip,
      port: sighting.port,
      name: sighting.name,
      // Past its address's quota a verified announcement is kept as unverified: evictable.
      verified: sighting.verified && this.#verifiedRoom(sighting.ip),
      firstSeen: now,
      lastSeen: now,
      expiresAt: now + sighting.ttlMs,
    };
    this.#records.set(record.id, record);
    if (record.verified) this.#countVerified(record.ip, 1);
    else this.#link(record.id);
    return evicted ? { change: 'added', record, evicted } : { change: 'added', record };
  }

  /** Apply a goodbye (records with TTL 0) for `id`; `verified`: it came from the peer's own address. */
  goodbye(id: PeerId, verified: boolean): GoodbyeResult {
    const existing = this.#records.get(id);
    if (!existing) return { change: 'unknown' };
    if (existing.verified && !verified) return { change: 'protected', record: existing };
    this.#delete(id);
    return { change: 'removed', record: existing };
  }

  /** Remove and return every record whose TTL ran out by `now`. */
  expire(now: number): DiscoveryRecord[] {
    const gone: DiscoveryRecord[] = [];
    for (const record of this.#records.values()) {
      if (record.expiresAt <= now) gone.push(record);
    }
    for (const record of gone) this.#delete(record.id);
    return gone;
  }

  /** Verified records of `ip` (for tests and stats). */
  verifiedAt(ip: string): number {
    return this.#verifiedAt.get(ip) ?? 0;
  }

  clear(): void {
    this.#records.clear();
    this.#verifiedAt.clear();
    this.#unverified.clear();
    this.#oldest = undefined;
    this.#newest = undefined;
  }

  #delete(id: PeerId): void {
    const record = this.#records.get(id);
    if (!record) return;
    if (record.verified) this.#countVerified(record.ip, -1);
    else this.#unlink(id);
    this.#records.delete(id);
  }

  #verifiedRoom(ip: string): boolean {
    return (this.#verifiedAt.get(ip) ?? 0) < this.maxVerifiedPerAddress;
  }

  #countVerified(ip: string, delta: number): void {
    const count = (this.#verifiedAt.get(ip) ?? 0) + delta;
    if (count > 0) this.#verifiedAt.set(ip, count);
    else this.#verifiedAt.delete(ip);
  }

  #evictOldestUnverified(): DiscoveryRecord | undefined {
    const oldest = this.#oldest;
    if (!oldest) return undefined;
    const record = this.#records.get(oldest.id);
    this.#delete(oldest.id);
    return record;
  }

  #link(id: PeerId): void {
    const link: Link = { id, older: this.#newest, newer: undefined };
    if (this.#newest) this.#newest.newer = link;
    else this.#oldest = link;
    this.#newest = link;
    this.#unverified.set(id, link);
  }

  #unlink(id: PeerId): void {
    const link = this.#unverified.get(id);
    if (!link) return;
    this.#unverified.delete(id);
    if (link.older) link.older.newer = link.newer;
    else this.#oldest = link.newer;
    if (link.newer) link.newer.older = link.older;
    else this.#newest = link.older;
  }
}
