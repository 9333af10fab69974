/**
 * The history kept in memory only: what a session uses when the history file
 * cannot be opened (or with history turned off), and what the SQLite store
 * keeps while its disk refuses writes. Same interface and rules as the SQLite
 * store, bounded: past `maxMessages` the oldest record goes.
 */
import type { PeerId } from '../transport/transport.js';
import type { HistoryQuery, KnownPeer, MessageStatus, MessageStore, StoredMessage } from './store.js';
import { StoreError } from './store-errors.js';
import {
  DEFAULT_LIMIT,
  DEFAULT_PEERS,
  DEFAULT_RECALL,
  collapseRepeats,
  mergePeer,
  normalizeLimit,
  peerProblem,
  recordProblem,
  statusProblem,
  withStatus,
} from './store-rules.js';
import { matchesWords, queryWords } from './search-words.js';

export interface MemoryStoreOptions {
  /** Records kept; the oldest goes first. Default 10,000. */
  readonly maxMessages?: number;
  /** Known peers kept; the least recently seen goes first. Default 1,000. */
  readonly maxPeers?: number;
  /** Default `history in memory`. */
  readonly label?: string;
}

export class MemoryStore implements MessageStore {
  readonly label: string;
  /** Told of a record it refused (STORE_BAD_RECORD); memory itself does not fail. */
  onError: (error: Error) => void = () => undefined;
  readonly #maxMessages: number;
  readonly #maxPeers: number;
  /** Peers held past maxPeers before a prune (an eighth, at least 16); pruned before any look at the list. */
  readonly #peerSlack: number;
  // A Map keeps insertion order, and re-setting a key keeps its place: a
  // status update does not move a message, exactly as in the SQLite store.
  readonly #messages = new Map<string, StoredMessage>();
  readonly #peers = new Map<PeerId, KnownPeer>();

  constructor(options: MemoryStoreOptions = {}) {
    this.label = options.label ?? 'history in memory';
    this.#maxMessages = Math.max(1, options.maxMessages ?? 10_000);
    this.#maxPeers = Math.max(1, options.maxPeers ?? 1000);
    this.#peerSlack = Math.max(16, Math.floor(this.#maxPeers / 8));
  }

  /** Records held now. */
  get size(): number {
    return this.#messages.size;
  }

  has(id: string): boolean {
    return this.#messages.has(id);
  }

  /** Stores at once. A known id is a retry: only its status and error change. */
  append(record: StoredMessage): Promise<void> {
    this.put(record);
    return Promise.resolve();
  }

  /** `append` without the promise, for callers that replay records in bulk. */
  put(record: StoredMessage): void {
    if (this.#refused(recordProblem(record))) return;
    const known = this.#messages.get(record.id);
    if (known) {
      this.#messages.set(record.id, withStatus(known, record.status, record.error));
      return;
    }
    this.#messages.set(record.id, record);
    while (this.#messages.size > this.#maxMessages) {
      const oldest = this.#messages.keys().next().value as string;
      this.#messages.delete(oldest);
    }
  }

  updateStatus(id: string, status: MessageStatus, error?: string): Promise<void> {
    if (this.#refused(statusProblem(id, status, error))) return Promise.resolve();
    const known = this.#messages.get(id);
    if (known) this.#messages.set(id, withStatus(known, status, error));
    return Promise.resolve();
  }

  query(query: HistoryQuery = {}): StoredMessage[] {
    const limit = normalizeLimit(query.limit, DEFAULT_LIMIT);
    const tokens = query.words === undefined ? null : queryWords(String(query.words));
    if (limit === 0 || (tokens !== null && tokens.length === 0)) return [];
    const all = [...this.#messages.values()];
    const found: StoredMessage[] = [];
    for (let i = all.length - 1; i >= 0 && found.length < limit; i -= 1) {
      const record = all[i] as StoredMessage;
      if (query.peer !== undefined && record.peer !== query.peer) continue;
      if (tokens !== null && !matchesWords(record.text, tokens)) continue;
      found.push(record);
    }
    return found.reverse();
  }

  knownPeers(limit: number = DEFAULT_PEERS): KnownPeer[] {
    const n = normalizeLimit(limit, DEFAULT_PEERS);
    if (this.#peers.size > this.#maxPeers) this.#prunePeers();
    return [...this.#peers.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, n);
  }

  rememberPeer(peer: KnownPeer): void {
    if (this.#refused(peerProblem(peer))) return;
    this.#peers.set(peer.id, mergePeer(this.#peers.get(peer.id), peer));
    // Pruned in batches: a look for the stalest at every new peer cost a scan
    // of the whole list per message once it was full (a flood of senders).
    if (this.#peers.size > this.#maxPeers + this.#peerSlack) this.#prunePeers();
  }

  /** Keep the `maxPeers` most recently seen. */
  #prunePeers(): void {
    const stalest = [...this.#peers.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    for (const p of stalest.slice(0, this.#peers.size - this.#maxPeers)) this.#peers.delete(p.id);
  }

  forgetPeer(id: PeerId): void {
    // The peers past the bound go first, as they would have: forgetting one must not bring a stale one back.
    if (this.#peers.size > this.#maxPeers) this.#prunePeers();
    this.#peers.delete(id);
  }

  recentOutgoingTexts(limit: number = DEFAULT_RECALL): string[] {
    const n = normalizeLimit(limit, DEFAULT_RECALL);
    const all = [...this.#messages.values()];
    const texts: string[] = [];
    for (let i = all.length - 1; i >= 0 && texts.length < n * 4; i -= 1) {
      const r = all[i] as StoredMessage;
      if (r.direction === 'out' && r.kind === 'chat') texts.push(r.text);
    }
    return collapseRepeats(texts, n);
  }

  #refused(problem: string | null): boolean {
    if (problem === null) return false;
    this.onError(new StoreError('STORE_BAD_RECORD', `not stored in memory: ${problem}`));
    return true;
  }

  /** Nothing to flush; the records stay readable. Idempotent. */
  close(): void {}
}
