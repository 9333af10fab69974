/**
 * Child processes for the benchmark: the built p2pchat CLI in headless mode
 * and the bare-Node baselines, read line by line. Every child is on loopback,
 * on a port it opened itself, and is killed when the bench exits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withTestDataHome } from '../test/helpers/data-home.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'bin.js');
export const BASELINES = path.join(ROOT, 'bench', 'baselines');

const live = new Set<ChildProcessWithoutNullStreams>();
// SIGKILL, never SIGTERM or end of stdin: a p2pchat told to quit would send
// `exit` to every peer in its list, and the receive figure fills that list with
// made-up loopback addresses.
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface LineChild {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** The first stdout line (the `listening` line of every child here). */
  readonly first: Promise<string>;
  /** Called for every stdout line after the first. */
  onLine: (line: string) => void;
  stderr(): string;
  write(line: string): void;
  readonly exited: Promise<number | null>;
  /** SIGKILL if still running; resolves once it is gone. Idempotent. */
  kill(): Promise<void>;
}

/**
 * Spawn `node <args>` and split its stdout into lines without parsing them.
 * A p2pchat keeps its history in a throw-away XDG_DATA_HOME unless `env` names one.
 */
export function spawnNode(args: readonly string[], timeoutMs = 15_000, env: NodeJS.ProcessEnv = {}): LineChild {
  const child = spawn(process.execPath, args, { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1', ...withTestDataHome(env) } });
  live.add(child);
  let rest = '';
  let err = '';
  let gotFirst: (line: string) => void = () => undefined;
  let failFirst: (error: Error) => void = () => undefined;
  const first = new Promise<string>((resolve, reject) => {
    gotFirst = resolve;
    failFirst = reject;
  });
  const timer = setTimeout(() => failFirst(new Error(`no first line from node ${args.join(' ')} in ${timeoutMs} ms`)), timeoutMs);
  // Awaited by the caller; this only keeps an early exit from being "unhandled".
  first.catch(() => undefined);
  let seenFirst = false;
  const handle: LineChild = {
    child,
    pid: child.pid ?? 0,
    first,
    onLine: () => undefined,
    stderr: () => err,
    write: (line) => void child.stdin.write(`${line}\n`),
    exited: new Promise((resolve) => child.once('exit', (code) => {
      live.delete(child);
      clearTimeout(timer);
      failFirst(new Error(`node ${args.join(' ')} exited with ${code}: ${err}`));
      resolve(code);
    })),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await handle.exited;
    },
  };
  child.stdin.on('error', () => undefined);
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (err.length < 10_000) err += chunk;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline >= 0) {
      const line = rest + chunk.slice(start, newline);
      rest = '';
      if (seenFirst) handle.onLine(line);
      else {
        seenFirst = true;
        clearTimeout(timer);
        gotFirst(line);
      }
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    rest += chunk.slice(start);
  });
  return handle;
}

export interface Target extends LineChild {
  readonly port: number;
  /** Is this stdout line a received message? */
  readonly isMessage: (line: string) => boolean;
}

/** The built CLI, headless, on 127.0.0.1 and a port the system picks. */
export async function startP2pchat(name: string, extra: readonly string[] = []): Promise<Target> {
  const proc = spawnNode([CLI, '--json', '--name', name, '--ip', '127.0.0.1', '--host', '127.0.0.1', '--port', 'auto', ...extra]);
  const line = await proc.first.catch(async (error: unknown) => {
    await proc.kill();
    throw error;
  });
  const event = JSON.parse(line) as { type: string; port: number };
  if (event.type !== 'listening') throw new Error(`p2pchat's first event was ${line}`);
  return Object.assign(proc, { port: event.port, isMessage: (l: string) => l.startsWith('{"type":"message"') });
}

/** The bare Node server baseline (bench/baselines/bare-server.js). */
export async function startBareServer(): Promise<Target> {
  const proc = spawnNode([path.join(BASELINES, 'bare-server.js')]);
  const line = await proc.first;
  const port = Number(line.split(' ')[1]);
  return Object.assign(proc, { port, isMessage: () => true });
}

/** Resident set and its peak, in bytes, from /proc (Linux); null elsewhere. */
export function memoryOf(pid: number): { rss: number; peak: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kib('VmRSS'), peak: kib('VmHWM') };
  } catch {
    return null;
  }
}

/** CPU time (user + system) used so far by a process, in microseconds, from /proc (Linux); null elsewhere. */
export function cpuMicros(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime, in clock ticks of 10 ms on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return null;
  }
}
