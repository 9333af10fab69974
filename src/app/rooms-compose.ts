/**
 * The room transports the options ask for (issue 14), apart from compose.ts
 * so that the whole room code path hangs off this one module: the start-up
 * bench swaps it for an empty one to measure a TCP-only build beside this one.
 * room-transport.ts loads hyperswarm only in listen(): importing it loads no
 * native module.
 */
import type { Options } from '../config/schema.js';
import { P2PError } from '../core/errors.js';
import { parseBootstrap } from '../transport/room/bootstrap.js';
import { defaultIdentityPath, IdentityError, loadOrCreateIdentity } from '../transport/room/identity.js';
import { RoomTransport } from '../transport/room/room-transport.js';

/**
 * One RoomTransport per --room, all keyed from one identity (loaded, or
 * created on first use). Without --room the identity file is not touched.
 * A bad identity file is a start-up error (P2P_IDENTITY_*), one sentence.
 */
export function buildRooms(options: Options, name: string): RoomTransport[] {
  if (options.rooms.length === 0) return [];
  const file = options.identity ?? defaultIdentityPath();
  let identity;
  try {
    identity = loadOrCreateIdentity(file);
  } catch (error) {
    if (error instanceof IdentityError) throw new P2PError(error.code, error.message);
    throw error;
  }
  const bootstrap = parseBootstrap(options.dhtBootstrap.flatMap((entry) => entry.split(',')).filter((entry) => entry !== ''));
  // The same room twice is one membership. A frame is bounded by --max-message-bytes, as a TCP message is.
  return [...new Set(options.rooms)].map(
    (room) => new RoomTransport({ room, identity, name, bootstrap, maxFrameBytes: options.maxMessageBytes }),
  );
}
