/**
 * Rooms (issue 14) in the session: our own id per room at start-up, and
 * `joined`/`left` from the room transports' (debounced) peer-up/peer-down.
 * A peer that joins is put in the node's list at once, verified (its key was
 * proven by the handshake) with source `room:<name>`: so `/send @ab12cd34`
 * finds it before it has said anything, and quit's `exit` reaches it.
 *
 * The transports themselves are built in compose.ts and started by the
 * node's start(); this feature only reports. Absent without --room.
 */
import type { Options } from '../../config/schema.js';
import type { RoomTransport } from '../../transport/room/room-transport.js';
import type { PeerId } from '../../transport/transport.js';
import type { Feature, FeatureContext } from '../feature.js';
import { roomsOf } from '../rooms-of.js';

export function createRoomsFeature(options: Options): Feature | undefined {
  if (options.rooms.length === 0) return undefined;
  const unsubscribe: (() => void)[] = [];
  return {
    name: 'rooms',
    start(context: FeatureContext): void {
      for (const room of roomsOf(context.node)) unsubscribe.push(follow(room, context));
    },
    stop(): void {
      for (const off of unsubscribe.splice(0)) off();
    },
  };
}

/** Report `room`'s membership from now on, starting with whoever is already up. */
function follow(room: RoomTransport, { node, view }: FeatureContext): () => void {
  view.roomJoined({ room: room.room, id: room.id });
  // Names of peers that are up, for the `left` line (a peer-down carries no name).
  const up = new Map<PeerId, string | null>();
  const joined = (id: PeerId, name: string | null): void => {
    if (up.has(id)) return;
    up.set(id, name);
    node.remember(id, name, room.name as `room:${string}`, true);
    view.roomPeer({ type: 'joined', peer: id, name, room: room.room });
  };
  const onUp = ({ id, name }: { id: PeerId; name: string | null }): void => joined(id, name);
  const onDown = ({ id }: { id: PeerId }): void => {
    if (!up.has(id)) return;
    const name = up.get(id) ?? node.peer(id)?.name ?? null;
    up.delete(id);
    view.roomPeer({ type: 'left', peer: id, name, room: room.room });
  };
  room.on('peer-up', onUp);
  room.on('peer-down', onDown);
  // Peers that said hello while the node was still starting (synchronously after subscribing: none slips between).
  for (const peer of room.peers()) if (peer.up) joined(peer.id, peer.name);
  return () => {
    room.off('peer-up', onUp);
    room.off('peer-down', onDown);
  };
}
