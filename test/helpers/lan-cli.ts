/**
 * The built CLI (`node dist/cli/bin.js --json --discover ...`) inside a test
 * namespace, for the LAN discovery tests and bench: its JSON events, its
 * stdin, a bounded quit. Each CLI gets its own XDG_DATA_HOME (a temp dir,
 * removed by `kill`/`quit`) so no run touches the user's data. Every child
 * is also killed by the network's `destroy()`; call one in `finally`.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { exitWithin, stopChild } from './child.js';
import { ROOT } from './mdns.js';
import type { TestNetwork } from './netns.js';
import { waitUntil, Wakeups } from './wait.js';

export const CLI = path.join(ROOT, 'dist', 'cli', 'bin.js');

export type CliEvent = { type: string; at: number } & Record<string, unknown>;

export interface LanCli {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly name: string;
  /** `ip:port` as the others list it. */
  readonly id: string;
  readonly events: CliEvent[];
  stderr(): string;
  write(line: string): void;
  waitFor(predicate: (e: CliEvent) => boolean, timeoutMs: number, what: string): Promise<CliEvent>;
  waitForAfter(from: number, predicate: (e: CliEvent) => boolean, timeoutMs: number, what: string): Promise<CliEvent>;
  /** `/peers`, answered. */
  peers(timeoutMs?: number): Promise<{ address: string; name: string | null; verified: boolean; source: string; messages: number }[]>;
  /** `/quit` and wait for the exit code (SIGKILL after the bound). */
  quit(timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface LanCliOptions {
  readonly name: string;
  /** Index of the host in the network. */
  readonly host: number;
  readonly port: number;
  /** More flags (default: `--discover`). */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Start the CLI in `network.host(options.host)`; resolves once it listens. */
export async function startLanCli(network: TestNetwork, options: LanCliOptions, startTimeoutMs = 20_000): Promise<LanCli> {
  const host = network.host(options.host);
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-lan-'));
  const args = [CLI, '--json', '--name', options.name, '--ip', host.address, '--port', String(options.port), ...(options.args ?? ['--discover'])];
  const child = network.spawn(host, process.execPath, args, {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, XDG_DATA_HOME: data, XDG_CONFIG_HOME: data, ...options.env },
  });
  const label = `${options.name}@${host.address}`;
  const events: CliEvent[] = [];
  const wakeups = new Wakeups(label);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => {
    wakeups.end();
    fs.rmSync(data, { recursive: true, force: true });
  });
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream, crlfDelay: Infinity }).on('line', (line) => {
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      events.push({ ...parsed, type: String(parsed.type), at: Date.now() });
    } catch {
      events.push({ type: 'unparsable', at: Date.now(), line });
    }
    wakeups.wake();
  });
  const waitForAfter = (from: number, predicate: (e: CliEvent) => boolean, timeoutMs: number, what: string): Promise<CliEvent> => {
    let scanned = from;
    const check = (): CliEvent | undefined => {
      for (; scanned < events.length; scanned += 1) {
        const event = events[scanned] as CliEvent;
        if (predicate(event)) return event;
      }
      return undefined;
    };
    return waitUntil(check, timeoutMs, () => `${label}: waiting for ${what}; ${events.length} events, last: ${JSON.stringify(events.slice(-5))}; stderr: ${stderr.slice(-2000)}`, wakeups);
  };
  const write = (line: string): void => void child.stdin?.write(`${line}\n`);
  const cli: LanCli = {
    child,
    pid: child.pid ?? 0,
    name: options.name,
    id: `${host.address}:${options.port}`,
    events,
    stderr: () => stderr,
    write,
    waitFor: (predicate, timeoutMs, what) => waitForAfter(0, predicate, timeoutMs, what),
    waitForAfter,
    peers: async (timeoutMs = 5000) => {
      const from = events.length;
      write('/peers');
      const event = await waitForAfter(from, (e) => e.type === 'peers', timeoutMs, '/peers');
      return event.peers as Awaited<ReturnType<LanCli['peers']>>;
    },
    quit: (timeoutMs = 10_000) => {
      write('/quit');
      return exitWithin(child, exited, timeoutMs);
    },
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (signal === 'SIGKILL') return stopChild(child, exited);
      child.kill(signal);
      await exitWithin(child, exited, 10_000);
    },
  };
  try {
    await cli.waitFor((e) => e.type === 'listening', startTimeoutMs, 'listening');
  } catch (error) {
    await cli.kill();
    throw error;
  }
  return cli;
}

/** A matcher for the CLI's `discovered` event of `peer`. */
export const found = (peer: string, name?: string) => (e: CliEvent): boolean => e.type === 'discovered' && e.peer === peer && (name === undefined || e.name === name);
/** A matcher for the CLI's `lost` event of `peer`. */
export const left = (peer: string) => (e: CliEvent): boolean => e.type === 'lost' && e.peer === peer;

/** User plus system CPU of a process, in ms, from /proc (the pid is the same in every namespace; Linux's USER_HZ is 100). */
export function cpuMsOf(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}
