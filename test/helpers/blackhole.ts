/**
 * Unresponsive peers: the shared fixture bench/baselines/blackhole.js (the
 * benchmark's too) listens and never accepts; this fills each accept queue,
 * so a connect to those ports hangs (SYNs dropped) until the sender's timeout.
 * Loopback only, on ports the fixture opened.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.js';

const BLACKHOLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/baselines/blackhole.js');

/** The fixture leaves by itself after this long, should the runner die before `close()`; longer than any test's timeout. */
const LIFETIME_MS = 120_000;

export interface Blackholes {
  readonly ports: number[];
  close(): Promise<void>;
}

/**
 * `count` unresponsive peers: listening, accept queue full, so a connect to
 * them hangs (SYNs dropped) until the sender's own timeout.
 */
export async function startBlackholes(count: number): Promise<Blackholes> {
  const child = spawn(process.execPath, [BLACKHOLE, String(count), String(LIFETIME_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(child, 'exit');
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('black hole listeners did not start'));
    }, 10_000);
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
      await stopChild(child, exited);
    },
  };
}
