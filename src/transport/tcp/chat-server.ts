/**
 * A thin TCP server: one connection carries one message. It collects bytes
 * until the sender ends, enforces the limits as bytes arrive, decodes UTF-8
 * once, parses, and emits typed events. It never prints, survives every socket
 * error, and `close()` is safe to call twice.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { freeFileDescriptors, openFileLimit } from './fd-limit.js';
import type { DropReason, Remote, TransportDropped, TransportRejected, TransportRejectReason } from '../transport.js';

export interface ServerLimits {
  /** Largest message accepted, in bytes (default 64 KiB). Past it the connection is closed. */
  readonly maxMessageBytes: number;
  /** Close a connection that sends nothing for this long (default 10 s; checked as in `sweepInterval`). */
  readonly idleTimeoutMs: number;
  /** Close a connection whose message is not complete after this long (default 30 s; checked as in `sweepInterval`). */
  readonly messageDeadlineMs: number;
  /** Most incoming connections open at once (default 512). The longest idle one makes room. */
  readonly maxConnections: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxMessageBytes: 64 * 1024,
  idleTimeoutMs: 10_000,
  messageDeadlineMs: 30_000,
  maxConnections: 512,
};

export interface ReceivedEvent {
  readonly remote: Remote;
  /** The decoded text of the whole connection, unparsed. */
  readonly raw: string;
}

export type RejectedEvent = TransportRejected;
export type DroppedEvent = TransportDropped;

export interface ServerEvents {
  message: [ReceivedEvent];
  rejected: [RejectedEvent];
  dropped: [DroppedEvent];
  /** A listener-level problem that did not stop the server (e.g. EMFILE on accept). */
  warning: [Error];
}

export interface ServerStats {
  accepted: number;
  rejected: number;
  dropped: number;
  open: number;
}

interface Connection {
  readonly socket: net.Socket;
  readonly remote: Remote;
  readonly chunks: Buffer[];
  bytes: number;
  /** performance.now() when accepted, for the message deadline. */
  readonly startedAt: number;
  /** performance.now() of the last data, for the idle timeout and eviction. */
  lastActivity: number;
  done: boolean;
}

/**
 * How often the open connections are checked against the idle timeout and
 * the message deadline: a tenth of the shorter one, within 50 ms..1 s. A limit
 * therefore fires up to this much late, never early.
 */
export function sweepInterval(limits: Pick<ServerLimits, 'idleTimeoutMs' | 'messageDeadlineMs'>): number {
  const tenth = Math.min(limits.idleTimeoutMs, limits.messageDeadlineMs) / 10;
  return Math.min(1000, Math.max(50, Math.round(tenth)));
}

export function normalizeIp(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class ChatServer extends EventEmitter<ServerEvents> {
  readonly limits: ServerLimits;
  readonly stats: ServerStats = { accepted: 0, rejected: 0, dropped: 0, open: 0 };
  readonly #server: net.Server;
  readonly #connections = new Set<Connection>();
  #closing: Promise<void> | undefined;
  #cap: number;
  #capNote = '';
  // One timer for every connection's limits, instead of an idle timer and a
  // deadline timer per connection: arming and clearing two timers for each
  // message was a measurable part of the receive cost. Runs only while
  // connections are open.
  #sweep: NodeJS.Timeout | undefined;

  constructor(limits: Partial<ServerLimits> = {}) {
    super();
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.#cap = this.limits.maxConnections;
    // No noDelay: we never write to an incoming connection (only its FIN),
    // so Nagle has nothing to delay, and setting it costs a syscall per message.
    this.#server = net.createServer((socket) => this.#onConnection(socket));
    // EMFILE and friends on accept: report, keep listening. A bind failure
    // before that is listen()'s to report, not a warning.
    this.#server.on('error', (error) => {
      if (this.#server.listening) this.emit('warning', error);
    });
  }

  /** Bind; resolves with the bound address. Rejects with the system error (e.g. EADDRINUSE). */
  listen(port: number, host: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        this.#server.off('listening', onListening);
        reject(error);
      };
      const onListening = (): void => {
        this.#server.off('error', onError);
        this.#fitCapToFileLimit();
        resolve(this.#server.address() as net.AddressInfo);
      };
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen({ port, host, backlog: 511 });
    });
  }

  /**
   * Most incoming connections kept open at once: `limits.maxConnections`, or
   * fewer when the process's file limit leaves less room (see fd-limit.ts).
   */
  get connectionCap(): number {
    return this.#cap;
  }

  // Past the file limit, libuv sheds new connections without telling anyone
  // (no EMFILE reaches us), real senders included. Capping below it instead
  // makes the idlest connection give way, counted and reported as a drop,
  // and leaves descriptors for sending and for the log.
  #fitCapToFileLimit(): void {
    const free = freeFileDescriptors();
    if (free === undefined) return;
    const room = Math.max(1, free - Math.max(8, Math.floor(free / 4)));
    if (room >= this.#cap) return;
    this.#cap = room;
    this.#capNote = ` (lowered from ${this.limits.maxConnections} to fit the open-file limit of ${openFileLimit() ?? '?'})`;
  }

  address(): net.AddressInfo | null {
    const address = this.#server.address();
    return typeof address === 'object' ? address : null;
  }

  /** Stop listening and close every open connection. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#stopSweep();
      // Report the connections cut short now, not from their 'close' a turn
      // later: whoever awaits close() prints its last line after them.
      for (const connection of this.#connections) {
        if (connection.done) connection.socket.destroy();
        else this.#drop(connection, 'closing', 'closed unfinished: p2pchat is quitting');
      }
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
    });
    return this.#closing;
  }

  #onConnection(socket: net.Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    if (this.#connections.size >= this.#cap) this.#evictIdlest();
    const now = performance.now();
    const connection: Connection = {
      socket,
      remote: { address: normalizeIp(socket.remoteAddress), port: socket.remotePort ?? 0 },
      chunks: [],
      bytes: 0,
      startedAt: now,
      lastActivity: now,
      done: false,
    };
    this.#connections.add(connection);
    this.stats.open = this.#connections.size;
    this.#sweep ??= setInterval(() => this.#checkLimits(), sweepInterval(this.limits)).unref();

    socket.on('data', (chunk: Buffer) => this.#onData(connection, chunk));
    socket.on('end', () => this.#onEnd(connection));
    socket.on('error', (error: NodeJS.ErrnoException) => this.#onError(connection, error));
    socket.on('close', () => this.#onClose(connection));
  }

  #onData(connection: Connection, chunk: Buffer): void {
    if (connection.done) return;
    connection.bytes += chunk.length;
    connection.lastActivity = performance.now();
    if (connection.bytes > this.limits.maxMessageBytes) {
      this.#reject(connection, {
        reason: 'too-large',
        detail: `message is larger than ${this.limits.maxMessageBytes} bytes`,
      });
      return;
    }
    connection.chunks.push(chunk);
  }

  #onEnd(connection: Connection): void {
    if (connection.done) return;
    if (connection.bytes === 0) {
      this.#drop(connection, 'empty', 'connection closed without a message');
      return;
    }
    // Invalid UTF-8 becomes U+FFFD here, never an exception.
    const raw = Buffer.concat(connection.chunks, connection.bytes).toString('utf8');
    this.#finish(connection);
    // Close as soon as the whole message is in; write nothing back. The
    // sender's FIN has arrived and everything before it was read, so closing
    // sends our FIN as end() would, without the writable side's shutdown.
    connection.socket.destroy();
    // Parsing is the node's (above every transport): a malformed line is
    // rejected there, and counted there.
    this.stats.accepted += 1;
    this.emit('message', { remote: connection.remote, raw });
  }

  /** The sweep: close what passed its deadline or went idle; stop when nothing is open. */
  #checkLimits(): void {
    if (this.#connections.size === 0) {
      this.#stopSweep();
      return;
    }
    const now = performance.now();
    for (const connection of this.#connections) {
      if (connection.done) continue;
      if (now - connection.startedAt >= this.limits.messageDeadlineMs) this.#onDeadline(connection);
      else if (now - connection.lastActivity >= this.limits.idleTimeoutMs) this.#onIdle(connection);
    }
  }

  #stopSweep(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  #onIdle(connection: Connection): void {
    const ms = this.limits.idleTimeoutMs;
    this.#timeOut(connection, `no data for ${ms} ms`, `message incomplete after ${ms} ms without data`);
  }

  #onDeadline(connection: Connection): void {
    const ms = this.limits.messageDeadlineMs;
    this.#timeOut(connection, `no message within ${ms} ms`, `message incomplete after ${ms} ms`);
  }

  /** A limit ran out: nothing came (a drop), or part of a message (a rejection). */
  #timeOut(connection: Connection, silentDetail: string, partialDetail: string): void {
    if (connection.bytes === 0) this.#drop(connection, 'idle', silentDetail);
    else this.#reject(connection, { reason: 'timed-out', detail: partialDetail });
  }

  #onError(connection: Connection, error: NodeJS.ErrnoException): void {
    if (connection.done) return;
    this.#drop(connection, 'reset', `connection failed before the message ended (${error.code ?? error.message})`);
  }

  #onClose(connection: Connection): void {
    // A close without 'end' (destroyed by the peer's RST, or by us).
    if (!connection.done) this.#drop(connection, 'reset', 'connection closed before the message ended');
    this.#connections.delete(connection);
    this.stats.open = this.#connections.size;
  }

  #evictIdlest(): void {
    let idlest: Connection | undefined;
    for (const connection of this.#connections) {
      if (connection.done) continue;
      if (!idlest || connection.lastActivity < idlest.lastActivity) idlest = connection;
    }
    if (idlest) {
      this.#drop(idlest, 'capacity', `closed to make room: ${this.#cap} connections open${this.#capNote}`);
    }
  }

  #finish(connection: Connection): void {
    connection.done = true;
    connection.chunks.length = 0;
  }

  #reject(connection: Connection, rejection: { readonly reason: TransportRejectReason; readonly detail: string }): void {
    const bytes = connection.bytes;
    this.#finish(connection);
    connection.socket.destroy();
    this.stats.rejected += 1;
    this.emit('rejected', { ...rejection, remote: connection.remote, bytes });
  }

  #drop(connection: Connection, reason: DropReason, detail: string): void {
    this.#finish(connection);
    connection.socket.destroy();
    this.stats.dropped += 1;
    this.emit('dropped', { remote: connection.remote, reason, detail });
  }
}
