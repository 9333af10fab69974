/**
 * Drive the discovery fixtures (test/fixtures/mdns-peer.ts, mdns-tool.ts)
 * inside a TestNetwork's namespaces: spawn, read their JSON lines, wait for
 * events with a bound. Every child is killed by `kill()` or by the network's
 * `destroy()`; call one of them in `finally`/`t.after`.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { exitWithin, stopChild } from './child.js';
import type { TestHost, TestNetwork } from './netns.js';
import { waitUntil, Wakeups } from './wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PEER_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'mdns-peer.ts');
export const TOOL_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'mdns-tool.ts');

export type MdnsEvent = { event: string; at: number } & Record<string, unknown>;

export interface JsonChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every event so far, in order. */
  readonly events: MdnsEvent[];
  stderr(): string;
  /** Write one line to stdin. */
  write(line: string): void;
  /** The first event (seen or to come) matching `predicate`. */
  waitFor(predicate: (e: MdnsEvent) => boolean, timeoutMs: number, what: string): Promise<MdnsEvent>;
  /** The first event matching `predicate` that arrives after index `from` (e.g. `events.length` before a command). */
  waitForAfter(from: number, predicate: (e: MdnsEvent) => boolean, timeoutMs: number, what: string): Promise<MdnsEvent>;
  readonly exited: Promise<number | null>;
  /** SIGKILL if still running; resolves once gone. Idempotent. */
  kill(): Promise<void>;
}

/** Spawn `node --import tsx <file> ...args` inside `host` and read its JSON lines. */
export function spawnJsonChild(network: TestNetwork, host: TestHost, file: string, args: readonly string[], label: string): JsonChild {
  const child = network.spawn(host, process.execPath, ['--import', 'tsx', file, ...args], { cwd: ROOT, stdio: 'pipe' });
  const events: MdnsEvent[] = [];
  const wakeups = new Wakeups(label);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => wakeups.end());
  if (child.stdout) {
    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      try {
        events.push(JSON.parse(line) as MdnsEvent);
      } catch {
        events.push({ event: 'unparsable', at: Date.now(), line });
      }
      wakeups.wake();
    });
  }
  const waitForAfter = (from: number, predicate: (e: MdnsEvent) => boolean, timeoutMs: number, what: string): Promise<MdnsEvent> => {
    let scanned = from;
    const check = (): MdnsEvent | undefined => {
      for (; scanned < events.length; scanned += 1) {
        const event = events[scanned] as MdnsEvent;
        if (predicate(event)) return event;
      }
      return undefined;
    };
    const describe = (): string =>
      `${label}: waiting for ${what}; ${events.length} events, last: ${JSON.stringify(events.slice(-4))}; stderr: ${stderr.slice(-2000)}`;
    return waitUntil(check, timeoutMs, describe, wakeups);
  };
  return {
    child,
    pid: child.pid ?? 0,
    events,
    stderr: () => stderr,
    write: (line) => void child.stdin?.write(`${line}\n`),
    waitFor: (predicate, timeoutMs, what) => waitForAfter(0, predicate, timeoutMs, what),
    waitForAfter,
    exited,
    kill: () => stopChild(child, exited),
  };
}

export interface PeerConfig {
  readonly name: string;
  /** Default: the host's address. */
  readonly ip?: string;
  readonly port: number;
  readonly interface?: string;
  readonly ttlSeconds?: number;
  readonly maxPeers?: number;
  readonly requeryMs?: number;
  /** Default true: start discovery at once. */
  readonly autostart?: boolean;
  readonly quiet?: readonly string[];
}

export interface MdnsPeer extends JsonChild {
  readonly host: TestHost;
  readonly id: string;
  /** Send `quit` (goodbye, then exit) and wait for the exit code. */
  quit(timeoutMs?: number): Promise<number | null>;
  /** Ask for the current peer list. */
  list(timeoutMs?: number): Promise<{ id: string; name: string; verified: boolean }[]>;
  /** Ask for stats (discovery counters, CPU microseconds, resident set). */
  stats(timeoutMs?: number): Promise<MdnsEvent>;
}

/** Start the discovery fixture in `host`; resolves once it is `ready` (and `started` unless autostart is false). */
export async function startMdnsPeer(network: TestNetwork, host: TestHost, config: PeerConfig, startTimeoutMs = 20_000): Promise<MdnsPeer> {
  const full = { ip: host.address, ...config };
  const proc = spawnJsonChild(network, host, PEER_FIXTURE, [JSON.stringify(full)], `peer ${config.name}`);
  try {
    await proc.waitFor((e) => e.event === 'ready', startTimeoutMs, 'ready');
    if (config.autostart !== false) await proc.waitFor((e) => e.event === 'started' || e.event === 'start-failed', startTimeoutMs, 'started');
  } catch (error) {
    await proc.kill();
    throw error;
  }
  const ask = async (command: string, event: string, timeoutMs: number): Promise<MdnsEvent> => {
    const from = proc.events.length;
    proc.write(command);
    return proc.waitForAfter(from, (e) => e.event === event, timeoutMs, event);
  };
  return {
    ...proc,
    host,
    id: `${full.ip}:${config.port}`,
    quit: (timeoutMs = 10_000) => {
      proc.write('quit');
      return exitWithin(proc.child, proc.exited, timeoutMs);
    },
    list: async (timeoutMs = 5000) => (await ask('list', 'list', timeoutMs)).peers as { id: string; name: string; verified: boolean }[],
    stats: (timeoutMs = 5000) => ask('stats', 'stats', timeoutMs),
  };
}

export interface MdnsTool extends JsonChild {
  /** Send one JSON command and wait until the tool says it was sent. */
  command(command: Record<string, unknown>, timeoutMs?: number): Promise<MdnsEvent>;
}

/** Start the forge/listen/block tool in `host`; resolves once it is `ready`. */
export async function startMdnsTool(network: TestNetwork, host: TestHost, mode: 'forge' | 'listen' | 'block', options: { quiet?: boolean; bind?: string } = {}, startTimeoutMs = 20_000): Promise<MdnsTool> {
  const proc = spawnJsonChild(network, host, TOOL_FIXTURE, [mode, JSON.stringify({ ip: host.address, ...options })], `${mode} tool`);
  try {
    await proc.waitFor((e) => e.event === 'ready', startTimeoutMs, 'ready');
  } catch (error) {
    await proc.kill();
    throw error;
  }
  let next = 0;
  return {
    ...proc,
    command: async (command, timeoutMs = 30_000) => {
      next += 1;
      const id = `c${next}`;
      proc.write(JSON.stringify({ ...command, id }));
      return proc.waitFor((e) => e.event === 'sent' && e.id === id, timeoutMs, `command ${String(command.op)} sent`);
    },
  };
}

/** A matcher for the `discovered` event of `id` (optionally with a name). */
export const discovered = (id: string, name?: string) => (e: MdnsEvent): boolean => e.event === 'discovered' && e.id === id && (name === undefined || e.name === name);
/** A matcher for the `lost` event of `id`. */
export const lost = (id: string) => (e: MdnsEvent): boolean => e.event === 'lost' && e.id === id;

/** The records of one service as a forger writes them: any name, any claimed address, any TTL (0: a goodbye). */
export function forgedService(claim: { name: string; ip: string; port: number; ttl?: number; instance?: string }): Record<string, unknown>[] {
  const service = '_p2pchat._tcp.local';
  const instance = claim.instance ?? `${claim.name}@forged-${claim.port}.${service}`;
  const ttl = claim.ttl ?? 60;
  return [
    { name: service, type: 'PTR', ttl, data: instance },
    { name: instance, type: 'SRV', ttl, data: { port: claim.port, target: 'forger.local' } },
    { name: instance, type: 'TXT', ttl, data: ['v=1', `name=${claim.name}`, `ip=${claim.ip}`] },
  ];
}

/**
 * Ask `check` every `everyMs` until it returns a value other than undefined
 * or false; reject after `timeoutMs` with `describe()`. For looks that are
 * questions to a child (list, stats), which `waitUntil` cannot await.
 */
export async function pollUntil<T>(check: () => Promise<T | false | undefined>, timeoutMs: number, describe: () => string, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
