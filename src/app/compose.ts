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
import type { RoomTransport } from '../transport/room/room-transport.js';
import { buildRooms } from './rooms-compose.js';
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
