/**
 * The composition root: builds a ChatNode and what it is given (the TCP
 * transport, the store) from the effective options. The only place that
 * knows which implementations plug into the seams.
 */
import type { Options } from '../config/schema.js';
import { ChatNode } from '../core/node.js';
import { P2PError } from '../core/errors.js';
import { MessageLog } from '../store/jsonl-log.js';
import type { MessageStore } from '../store/store.js';
import { StoreSet } from '../store/store-set.js';
import { defaultAdvertisedIp, ownAddresses } from '../transport/tcp/local-addresses.js';
import { TcpTransport } from '../transport/tcp/tcp-transport.js';
// room-transport.ts loads hyperswarm only in listen(): importing it costs no native module.
import { parseBootstrap } from '../transport/room/bootstrap.js';
import { defaultIdentityPath, IdentityError, loadOrCreateIdentity } from '../transport/room/identity.js';
import { RoomTransport } from '../transport/room/room-transport.js';
import { setRoomsOf } from './rooms-of.js';

export interface Built {
  readonly node: ChatNode;
  readonly tcp: TcpTransport;
  /** One per --room, in order; empty without --room. */
  readonly rooms: readonly RoomTransport[];
}

export function buildNode(options: Options, name: string, port: number, store: MessageStore | undefined): Built {
  const tcp = new TcpTransport({
    host: options.host,
    port,
    limits: {
      maxMessageBytes: options.maxMessageBytes,
      idleTimeoutMs: options.idleTimeout,
      messageDeadlineMs: options.messageDeadline,
      maxConnections: options.maxConnections,
    },
  });
  const rooms = buildRooms(options, name);
  const node = new ChatNode({
    name,
    ip: options.ip ?? defaultAdvertisedIp(),
    transports: [
      tcp,
      // -- more transports (rooms, issue 14) --
      ...rooms,
    ],
    store,
    timeoutMs: options.timeout,
    verify: options.verify,
    maxPeers: options.maxPeers,
    ownAddresses: ownAddresses(),
  });
  setRoomsOf(node, rooms);
  return { node, tcp, rooms };
}

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

/** The stores the options ask for at start-up: the --log writer, or none yet (the history joins once the port is bound). */
export function openStores(options: Options): StoreSet {
  return new StoreSet(options.log === undefined ? [] : [new MessageLog(options.log)]);
}

/** Turn a bind failure into one sentence that says what to do. */
export function listenError(error: unknown, host: string, port: number): P2PError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EADDRINUSE':
      return new P2PError('P2P_PORT_IN_USE', `port ${port} is already in use on ${host}; choose another with --port`);
    case 'EACCES':
      return new P2PError('P2P_LISTEN_FAILED', `not allowed to listen on port ${port}; ports below 1024 need privileges, choose 1024 or above`);
    case 'EADDRNOTAVAIL':
      return new P2PError('P2P_LISTEN_FAILED', `cannot listen on ${host}: no such address on this machine; check --host`);
    default:
      return new P2PError('P2P_LISTEN_FAILED', `cannot listen on ${host}:${port} (${code ?? String(error)})`);
  }
}
