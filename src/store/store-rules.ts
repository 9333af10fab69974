/**
 * The rules every MessageStore follows, pure, so the SQLite store and the
 * memory store cannot drift: limits, record checks, the peer upsert, the
 * Up/Down recall list.
 */
import type { KnownPeer, MessageStatus, StoredMessage } from './store.js';

/** `query()` returns this many records when no limit is given. */
export const DEFAULT_LIMIT = 50;
/** No query returns more than this: a history is read in pages, not whole. */
export const MAX_LIMIT = 10_000;
/** `recentOutgoingTexts()` default. */
export const DEFAULT_RECALL = 100;
/** `knownPeers()` default. */
export const DEFAULT_PEERS = 1000;

/** A usable limit: an integer 0..max; anything else (NaN, -1, 2.5, '7') is `fallback`. */
export function normalizeLimit(limit: unknown, fallback: number, max = MAX_LIMIT): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) return fallback;
  return Math.min(limit, max);
}

const STATUSES: ReadonlySet<string> = new Set<MessageStatus>(['received', 'sending', 'sent', 'failed', 'queued', 'gave-up', 'delivered', 'cancelled']);
const KINDS: ReadonlySet<string> = new Set(['hello', 'connect', 'exit', 'chat']);
/** Ids are local and short; a longer one is a caller's mistake, not a message. */
const MAX_ID = 200;

export function isMessageStatus(value: unknown): value is MessageStatus {
  return typeof value === 'string' && STATUSES.has(value);
}

/** Why `record` cannot be stored, or null when it can. Types say the same; this guards the JavaScript edge. */
export function recordProblem(record: StoredMessage): string | null {
  const r = record as unknown as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) return 'not an object';
  if (typeof r.id !== 'string' || r.id.length === 0 || r.id.length > MAX_ID) return `id ${JSON.stringify(r.id)} is not a string of 1..${MAX_ID} characters`;
  if (typeof r.at !== 'number' || !Number.isFinite(r.at)) return `record ${r.id}: at ${String(r.at)} is not a time`;
  if (r.direction !== 'in' && r.direction !== 'out') return `record ${r.id}: direction ${JSON.stringify(r.direction)} is not in or out`;
  if (typeof r.peer !== 'string') return `record ${r.id}: peer is not a string`;
  if (r.name !== null && typeof r.name !== 'string') return `record ${r.id}: name is neither a string nor null`;
  if (typeof r.kind !== 'string' || !KINDS.has(r.kind)) return `record ${r.id}: kind ${JSON.stringify(r.kind)} is unknown`;
  if (typeof r.text !== 'string') return `record ${r.id}: text is not a string`;
  if (!isMessageStatus(r.status)) return `record ${r.id}: status ${JSON.stringify(r.status)} is unknown`;
  for (const field of ['remote', 'line', 'error'] as const) {
    if (r[field] !== undefined && typeof r[field] !== 'string') return `record ${r.id}: ${field} is not a string`;
  }
  if (r.verified !== undefined && typeof r.verified !== 'boolean') return `record ${r.id}: verified is not a boolean`;
  return null;
}

/** Why `peer` cannot be remembered, or null when it can. */
export function peerProblem(peer: KnownPeer): string | null {
  const p = peer as unknown as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return 'peer is not an object';
  if (typeof p.id !== 'string' || p.id.length === 0 || p.id.length > MAX_ID) return `peer id ${JSON.stringify(p.id)} is not a string of 1..${MAX_ID} characters`;
  if (p.name !== null && typeof p.name !== 'string') return `peer ${p.id}: name is neither a string nor null`;
  if (typeof p.verified !== 'boolean') return `peer ${p.id}: verified is not a boolean`;
  if (typeof p.lastSeen !== 'number' || !Number.isFinite(p.lastSeen)) return `peer ${p.id}: lastSeen ${String(p.lastSeen)} is not a time`;
  return null;
}

/** Why a status update cannot be stored, or null when it can. */
export function statusProblem(id: unknown, status: unknown, error: unknown): string | null {
  if (typeof id !== 'string') return 'status update: id is not a string';
  if (!isMessageStatus(status)) return `status update of ${id}: status ${JSON.stringify(status)} is unknown`;
  if (error !== undefined && typeof error !== 'string') return `status update of ${id}: error is not a string`;
  return null;
}

/**
 * A peer remembered again: the latest verified flag, a null name keeps the
 * known one (a send to an address names nobody), lastSeen never goes back
 * (an out-of-order write must not make a peer look older).
 */
export function mergePeer(known: KnownPeer | undefined, next: KnownPeer): KnownPeer {
  if (!known) return next;
  return { id: next.id, name: next.name ?? known.name, verified: next.verified, lastSeen: Math.max(known.lastSeen, next.lastSeen) };
}

/** Newest last, a line repeated in a row kept once (as a shell's ignoredups). */
export function collapseRepeats(textsNewestFirst: readonly string[], limit: number): string[] {
  const out: string[] = [];
  for (const text of textsNewestFirst) {
    if (out.length >= limit) break;
    if (out[out.length - 1] !== text) out.push(text);
  }
  return out.reverse();
}

/** A record with a later status: `error` set, or removed when not given (a retry that succeeded). */
export function withStatus(record: StoredMessage, status: MessageStatus, error?: string): StoredMessage {
  const { error: _old, ...rest } = record;
  return error === undefined ? { ...rest, status } : { ...rest, status, error };
}
