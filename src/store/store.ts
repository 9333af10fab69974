/**
 * The seam for what p2pchat remembers. The node appends one typed, versioned
 * record per event (a message in or out, a control word, a send result) and
 * shows the event only once `append` has resolved: stored before shown.
 * The `--log` JSONL writer is the first implementation (append only); the
 * history database is the second (append and query).
 */
import type { MessageKind } from '../protocol/line.js';
import type { PeerId } from '../transport/transport.js';

export const RECORD_VERSION = 1;

/** Where a message stands. `delivered` only where the transport proves it (rooms). */
export type MessageStatus = 'received' | 'sending' | 'sent' | 'failed' | 'queued' | 'gave-up' | 'delivered' | 'cancelled';

export interface StoredMessage {
  readonly v: typeof RECORD_VERSION;
  /** Local id, unique in this store; a retried message keeps its id. */
  readonly id: string;
  /** Epoch ms. */
  readonly at: number;
  readonly direction: 'in' | 'out';
  /** The other side. */
  readonly peer: PeerId;
  /** The peer's name as known when stored; null when unknown. */
  readonly name: string | null;
  readonly kind: MessageKind;
  readonly text: string;
  readonly status: MessageStatus;
  /** Incoming: the connection's source; whether the claim matched it. */
  readonly remote?: string;
  readonly verified?: boolean;
  /** Outgoing: the exact line; why it failed. */
  readonly line?: string;
  readonly error?: string;
}

export interface HistoryQuery {
  /** Only this peer. */
  readonly peer?: PeerId;
  /** Words to find (full-text). */
  readonly words?: string;
  /** Most records, newest last (default 50). */
  readonly limit?: number;
}

/** A peer remembered from earlier runs. */
export interface KnownPeer {
  readonly id: PeerId;
  readonly name: string | null;
  readonly verified: boolean;
  /** Epoch ms. */
  readonly lastSeen: number;
}

export interface MessageStore {
  /** What it is, for messages ("history /path/file.db", "log /path/file"). */
  readonly label: string;
  /**
   * Keep one record. Returns once it is durable (or as durable as the store
   * gets): at once for a synchronous store, or a promise for a batching one.
   * Never throws or rejects: a failure is reported through `onError` once
   * and the store carries on without it.
   */
  append(record: StoredMessage): void | Promise<void>;
  /** A later status of a message already appended (sent, failed, queued…). */
  updateStatus?(id: string, status: MessageStatus, error?: string): Promise<void>;
  /** Newest last. Stores that only append return []. */
  query(query: HistoryQuery): StoredMessage[];
  /** Peers from earlier runs, most recently seen first (at most `limit`). */
  knownPeers?(limit?: number): KnownPeer[];
  /** Upsert: a null name keeps the name already known; lastSeen never goes back. */
  rememberPeer?(peer: KnownPeer): void;
  /** Forget the peer row only; its messages stay in the history. */
  forgetPeer?(id: PeerId): void;
  /**
   * The user's own chat lines, newest last, repeats in a row collapsed: what
   * Up/Down recalls across runs. Cheap: it never scans the whole history.
   */
  recentOutgoingTexts?(limit?: number): string[];
  /** Told of a failure, once until writes succeed again. */
  onError: (error: NodeJS.ErrnoException) => void;
  /** Flush and close; idempotent, never throws. */
  close(): void;
}
