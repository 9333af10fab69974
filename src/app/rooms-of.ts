/**
 * Which room transports a node was built with. compose.ts builds them; the
 * rooms feature (features/rooms.ts) reads them to report membership. Kept
 * apart so that neither the node nor the Feature interface has to know about
 * rooms, and so this module imports nothing of hyperswarm (types only).
 */
import type { ChatNode } from '../core/node.js';
import type { RoomTransport } from '../transport/room/room-transport.js';

const ROOMS = new WeakMap<ChatNode, readonly RoomTransport[]>();

/** Record the rooms of `node` (compose.ts only). */
export function setRoomsOf(node: ChatNode, rooms: readonly RoomTransport[]): void {
  ROOMS.set(node, rooms);
}

/** The room transports of `node`, in --room order; empty without --room. */
export function roomsOf(node: ChatNode): readonly RoomTransport[] {
  return ROOMS.get(node) ?? [];
}
