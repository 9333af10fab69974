/**
 * Two habits of peers in the wild (PROTOCOL.md, "Peers in the wild"), as small
 * loopback servers on ephemeral ports that record what they receive:
 * - `never-close`: reads the message and never closes the connection;
 * - `ack`: reads once, writes an acknowledgement line, then closes (as a
 *   Python peer doing recv(1024); sendall(b"...\n"); close() would).
 */
import { EventEmitter, once } from 'node:events';
import net from 'node:net';

export type WildHabit = 'never-close' | 'ack';

/** The acknowledgement the `ack` peer writes back; must never show up as chat. */
export const ACK_LINE = 'ACK message received\n';

export interface WildConnection {
  readonly socket: net.Socket;
  readonly chunks: Buffer[];
  /** The peer ended its side (FIN). */
  ended: boolean;
  /** The socket is gone (closed by the sender, never by us for `never-close`). */
  closed: boolean;
}

export interface WildPeer extends EventEmitter<{ connection: [WildConnection]; closed: [WildConnection] }> {
  readonly port: number;
  readonly connections: WildConnection[];
  /** Destroy every socket and stop listening. Idempotent. */
  close(): Promise<void>;
}

export async function startWildPeer(habit: WildHabit): Promise<WildPeer> {
  const emitter = new EventEmitter<{ connection: [WildConnection]; closed: [WildConnection] }>();
  const connections: WildConnection[] = [];
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: Node would otherwise end our side as soon as the sender's FIN arrives.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    const connection: WildConnection = { socket, chunks: [], ended: false, closed: false };
    connections.push(connection);
    emitter.emit('connection', connection);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      connection.chunks.push(chunk);
      if (habit === 'ack' && connection.chunks.length === 1) socket.end(ACK_LINE);
    });
    socket.on('end', () => {
      connection.ended = true;
    });
    socket.on('close', () => {
      connection.closed = true;
      sockets.delete(socket);
      emitter.emit('closed', connection);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  let closing: Promise<void> | undefined;
  return Object.assign(emitter, {
    port,
    connections,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      })),
  });
}
