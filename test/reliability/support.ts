/**
 * Shared tools of the reliability suite: listeners that never accept (black
 * holes; raw clients, sinks and closed ports come from ../helpers/net), the --log reader, the unsafe
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

export { closedPort, rawSend, startSinks, type RawSendOptions, type RawSendResult, type Sinks } from '../helpers/net.js';

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
