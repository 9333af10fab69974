/**
 * Room peer ids: `@` followed by the 64 lower-case hex digits of the peer's
 * Ed25519 public key, the key its Noise handshake proved. Pure helpers for
 * formatting, shortening and matching what a user types.
 */

/** Fewest hex digits a typed prefix needs, so a guess cannot pick a peer by accident. */
export const MIN_PEER_PREFIX = 8;

const FULL_ID = /^@[0-9a-f]{64}$/;
const PREFIX = /^@?([0-9a-fA-F]+)…?$/;

/** `@` + 64 hex of a 32-byte public key. */
export function formatRoomPeer(publicKey: Uint8Array): string {
  if (publicKey.length !== 32) throw new RangeError(`a room peer key has 32 bytes, not ${publicKey.length}`);
  return `@${Buffer.from(publicKey).toString('hex')}`;
}

/** Whether `id` is a full room peer id (`@` + 64 lower-case hex). */
export function isRoomPeerId(id: string): boolean {
  return FULL_ID.test(id);
}

/** The 32-byte key of a full room peer id, or null. */
export function parseRoomPeer(id: string): Buffer | null {
  return isRoomPeerId(id) ? Buffer.from(id.slice(1), 'hex') : null;
}

/** The short form for lists and notices: `@` + the first 8 hex digits + `…`. */
export function shortRoomPeer(id: string): string {
  const hex = id.startsWith('@') ? id.slice(1) : id;
  return `@${hex.slice(0, MIN_PEER_PREFIX)}…`;
}

export type PeerMatch =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly reason: 'not-a-prefix' | 'too-short' | 'none' | 'ambiguous'; readonly error: string; readonly candidates: readonly string[] };

/**
 * Resolve what a user typed (`@ab12cd34`, `ab12cd34…`, a full id; any case)
 * to exactly one of `known` ids. A prefix needs at least 8 hex digits and must
 * match one id only; a full id must be known. Never throws.
 */
export function matchRoomPeer(typed: string, known: Iterable<string>): PeerMatch {
  const found = PREFIX.exec(typed.trim());
  if (!found?.[1]) {
    return { ok: false, reason: 'not-a-prefix', error: `"${typed}" is not a room peer id (@ followed by hex digits)`, candidates: [] };
  }
  const hex = found[1].toLowerCase();
  if (hex.length < MIN_PEER_PREFIX) {
    return { ok: false, reason: 'too-short', error: `"${typed}" is too short: type at least ${MIN_PEER_PREFIX} hex digits of the peer id`, candidates: [] };
  }
  const candidates = [...new Set(known)].filter((id) => isRoomPeerId(id) && id.startsWith(`@${hex}`)).sort();
  if (candidates.length === 1) return { ok: true, id: candidates[0] as string };
  if (candidates.length === 0) return { ok: false, reason: 'none', error: `no room peer matches "${typed}"`, candidates };
  return {
    ok: false,
    reason: 'ambiguous',
    error: `"${typed}" matches ${candidates.length} room peers (${candidates.map(shortRoomPeer).join(', ')}): type more digits`,
    candidates,
  };
}
