/**
 * Raw loopback networking for tests: a port with nothing on it, a one-shot
 * raw sender, and listeners that read each connection to its end (sinks, so
 * a test can claim an address it opened). Everything here talks to
 * 127.0.0.0/8 only, on ports the test itself opened.
 */
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** A free port with nothing listening on it: bind 0, read it, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RawSendOptions {
  /** Source address, e.g. 127.0.0.2 for a spoofed sender. */
  readonly localAddress?: string;
  /** Write one byte per write, waiting `byteDelayMs` between them. */
  readonly byteAtATime?: boolean;
  readonly byteDelayMs?: number;
  /** Give up (destroy) after this long (default 10 s). */
  readonly timeoutMs?: number;
}

export interface RawSendResult {
  /** Our side's port: the server reports it as the remote port. */
  readonly localPort: number;
  /** The error code, if the connection failed (e.g. ECONNRESET after a rejection). */
  readonly error?: string;
}

/**
 * Open a connection to 127.0.0.1:`port`, write `payload` (at once or a byte
 * at a time), end, and resolve when the connection has closed. Never rejects.
 */
export function rawSend(port: number, payload: string | Buffer, options: RawSendOptions = {}): Promise<RawSendResult> {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return new Promise((resolve) => {
    let localPort = 0;
    let error: string | undefined;
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: options.localAddress, noDelay: true });
    const timer = setTimeout(() => {
      error ??= 'TIMEOUT';
      socket.destroy();
    }, options.timeoutMs ?? 10_000);
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ localPort, error });
    });
    socket.resume();
    socket.once('connect', () => {
      localPort = socket.localPort ?? 0;
      if (!options.byteAtATime) {
        socket.end(bytes);
        return;
      }
      void (async () => {
        for (let i = 0; i < bytes.length; i += 1) {
          if (socket.destroyed) return;
          await new Promise<void>((done) => socket.write(bytes.subarray(i, i + 1), () => done()));
          await delay(options.byteDelayMs ?? 1);
        }
        socket.end();
      })();
    });
  });
}

export interface Sinks {
  readonly ports: number[];
  /** Everything each port received, one string per connection. */
  readonly received: Map<number, string[]>;
  close(): Promise<void>;
}

/** `count` listeners on 127.0.0.1 that read each connection to its end and close it. */
export async function startSinks(count: number): Promise<Sinks> {
  const servers: net.Server[] = [];
  const received = new Map<number, string[]>();
  const sockets = new Set<net.Socket>();
  for (let i = 0; i < count; i += 1) {
    const server = net.createServer((socket) => {
      sockets.add(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('end', () => {
        const port = (server.address() as net.AddressInfo).port;
        received.get(port)?.push(Buffer.concat(chunks).toString('utf8'));
        socket.end();
      });
      socket.on('close', () => sockets.delete(socket));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    received.set((server.address() as net.AddressInfo).port, []);
    servers.push(server);
  }
  return {
    ports: servers.map((server) => (server.address() as net.AddressInfo).port),
    received,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
