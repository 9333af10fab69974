/**
 * Room names and the Hyperswarm topic each one joins. Pure: no I/O.
 *
 * The topic is the 32-byte SHA-256 digest of the 16 ASCII bytes
 * `p2pchat/room/v1:` (70 32 70 63 68 61 74 2f 72 6f 6f 6d 2f 76 31 3a)
 * followed by the room name in UTF-8 after Unicode NFC normalisation, with no
 * terminator: `topic = SHA-256("p2pchat/room/v1:" || UTF-8(NFC(name)))`.
 * Any program that computes the same digest joins the same room. The prefix
 * keeps p2pchat's rooms apart from other Hyperswarm applications that hash
 * bare words (a topic `sha256("lobby")` is someone else's lobby).
 */
import { createHash } from 'node:crypto';

/** The domain-separation prefix hashed before the room name. */
export const ROOM_TOPIC_PREFIX = 'p2pchat/room/v1:';

/** Longest room name in UTF-8 bytes (after NFC). */
export const MAX_ROOM_NAME_BYTES = 100;

export type RoomNameResult = { readonly ok: true; readonly name: string } | { readonly ok: false; readonly error: string };

// Whitespace, C0/C1 controls, and invisible format characters (bidi overrides,
// zero-width joiners): a room name is one visible token in `room:<name>`, and
// two names that look alike on screen must not be two rooms.
const FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Check and normalise a room name: 1 to 100 UTF-8 bytes after NFC, no
 * whitespace, control or format characters. Case matters (`Dev` and `dev` are
 * two rooms). Never throws.
 */
export function parseRoomName(input: string): RoomNameResult {
  const name = input.normalize('NFC');
  if (name.length === 0) return { ok: false, error: 'a room name cannot be empty' };
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_ROOM_NAME_BYTES) {
    return { ok: false, error: `room name "${name.slice(0, 20)}…" is ${bytes} bytes long: at most ${MAX_ROOM_NAME_BYTES} bytes` };
  }
  const bad = FORBIDDEN.exec(name);
  if (bad) {
    const code = `U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    return { ok: false, error: `room name ${JSON.stringify(name)} contains ${code}: no spaces, control or invisible characters` };
  }
  return { ok: true, name };
}

/**
 * The 32-byte Hyperswarm topic of a room (see the file header for the exact
 * bytes). Throws a RangeError for a name `parseRoomName` refuses.
 */
export function roomTopic(room: string): Buffer {
  const parsed = parseRoomName(room);
  if (!parsed.ok) throw new RangeError(parsed.error);
  return createHash('sha256').update(ROOM_TOPIC_PREFIX, 'ascii').update(parsed.name, 'utf8').digest();
}
