/**
 * Shared tools of the reliability suite: raw loopback clients, listeners that
 * read (sinks) or never accept (black holes), the --log reader, the unsafe
 * code point check, and the one summary line each case prints.
 * Everything here talks to 127.0.0.0/8 only, on ports the suite opened.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { JsonEvent } from '../helpers/headless-peer.js';

/** The one summary line of a case, with its figures. */
export function report(line: string): void {
  console.log(`reliability: ${line}`);
}

/**
 * What must never reach a screen or a log raw: C0 (a newline is allowed, it
 * separates lines), DEL, C1, the bidirectional controls and marks, and the
 * line/paragraph separators.
 */
// eslint-disable-next-line no-control-regex
export const RAW_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function countUnsafe(text: string): number {
  return text.match(RAW_UNSAFE)?.length ?? 0;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `p2pchat-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  readonly direction: 'in' | 'out';
  readonly [field: string]: unknown;
}

/** Every record of a --log file (each line must be JSON; a bad line throws). */
export function readLog(file: string): LogLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

/** How often each received text appears in the log ('in' records). */
export function loggedTexts(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of readLog(file)) {
    if (record.direction !== 'in') continue;
    const key = String(record.text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** Run `task` over `items` with at most `concurrency` at once; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
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

// A child whose listeners never accept: its event loop is blocked for good
// after it prints its ports, so the kernel queues at most backlog + 1
// connections per listener and drops every further SYN.
const BLACKHOLE_SCRIPT = `
const net = require('node:net');
const count = Number(process.argv[1]);
const ports = [];
let pending = count;
for (let i = 0; i < count; i += 1) {
  const server = net.createServer();
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    ports.push(server.address().port);
    pending -= 1;
    if (pending === 0) {
      process.stdout.write(JSON.stringify(ports) + '\\n', () => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    }
  });
}`;

export interface Blackholes {
  readonly ports: number[];
  close(): Promise<void>;
}

/**
 * `count` unresponsive peers: listening, accept queue full, so a connect to
 * them hangs (SYNs dropped) until the sender's own timeout.
 */
export async function startBlackholes(count: number): Promise<Blackholes> {
  const child = spawn(process.execPath, ['-e', BLACKHOLE_SCRIPT, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('black hole listeners did not start')), 10_000);
    readline.createInterface({ input: child.stdout }).once('line', (text) => {
      clearTimeout(timer);
      resolve(text);
    });
  });
  const ports = JSON.parse(line) as number[];
  // Fill each accept queue: connect until a connect no longer completes (all listeners at once).
  const fillers: net.Socket[] = [];
  await Promise.all(
    ports.map(async (port) => {
      for (let attempt = 0; attempt < 8; attempt += 1) {
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        const connected = await Promise.race([once(socket, 'connect').then(() => true), delay(250).then(() => false)]);
        if (!connected) {
          socket.destroy();
          return;
        }
        fillers.push(socket);
      }
    }),
  );
  return {
    ports,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** A free port with nothing listening on it: bind 0, read it, close. */
export async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** The remote port of a JSON event's `remote` field (`127.0.0.1:54321`). */
export function remotePort(event: JsonEvent): number {
  return Number(String(event.remote).split(':').pop());
}

export const MiB = 1024 * 1024;
