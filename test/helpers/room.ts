/**
 * A lab for room tests: one loopback-only namespace (TestNetwork.isolated)
 * with a hyperdht testnet inside it, and room peers and hostile clients as
 * fixture processes in the same namespace (test/fixtures/room-*.ts), each
 * speaking JSON lines. Nothing here touches the host's network: every
 * Hyperswarm runs inside the namespace, bootstrapped from the testnet only.
 * `destroy()` (in `finally` or `t.after`) kills every child and deletes the
 * namespace.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { stopChild } from './child.js';
import { TestNetwork } from './netns.js';
import { waitUntil, Wakeups } from './wait.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export type RoomEvent = { ev: string } & Record<string, unknown>;

/** A fixture process speaking JSON lines. */
export class JsonChild {
  readonly events: RoomEvent[] = [];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #wakeups: Wakeups;
  #stderr = '';

  constructor(readonly label: string, child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    this.#wakeups = new Wakeups(label);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    void this.exited.then(() => this.#wakeups.end());
    readline.createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as RoomEvent);
      } catch {
        this.events.push({ ev: 'unparsable', line });
      }
      this.#wakeups.wake();
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  command(value: Record<string, unknown>): void {
    this.#child.stdin.write(`${JSON.stringify(value)}\n`);
  }

  /** Events matching `predicate` so far. */
  all(predicate: (e: RoomEvent) => boolean): RoomEvent[] {
    return this.events.filter(predicate);
  }

  /** The first event (seen or to come) matching `predicate`. */
  waitFor(predicate: (e: RoomEvent) => boolean, timeoutMs: number, what: string): Promise<RoomEvent> {
    return waitUntil(() => this.events.find(predicate), timeoutMs, () => this.#describe(what), this.#wakeups);
  }

  /** Resolve once `count` events match. */
  waitForCount(predicate: (e: RoomEvent) => boolean, count: number, timeoutMs: number, what: string): Promise<RoomEvent[]> {
    return waitUntil(
      () => {
        const found = this.events.filter(predicate);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      () => this.#describe(`${count} x ${what}`),
      this.#wakeups,
    );
  }

  kill(): Promise<void> {
    return stopChild(this.#child, this.exited);
  }

  #describe(what: string): string {
    const tail = this.events.slice(-12).map((e) => JSON.stringify(e).slice(0, 300));
    return `${this.label}: waiting for ${what}; last events:\n  ${tail.join('\n  ')}${this.#stderr ? `\nstderr: ${this.#stderr.slice(-1500)}` : ''}`;
  }
}

export interface PeerOptions {
  readonly name: string;
  readonly room?: string;
  /** Identity file (default: a fresh one in the lab's folder, named after the peer). */
  readonly identity?: string;
  /** RoomTransportOptions to pass (tiny timeouts for tests). */
  readonly options?: Record<string, unknown>;
}

/** Shorter than the defaults, with margin for a loaded 2-core machine. */
export const TEST_TRANSPORT_OPTIONS = {
  downGraceMs: 1500,
  refresh: { aloneMs: 500, maxMs: 2000, withPeersMs: 2000 },
  announceTimeoutMs: 10_000,
};

export class RoomLab {
  readonly network: TestNetwork;
  readonly dir: string;
  readonly bootstrap: string[];
  readonly #children: JsonChild[] = [];

  private constructor(network: TestNetwork, dir: string, bootstrap: string[]) {
    this.network = network;
    this.dir = dir;
    this.bootstrap = bootstrap;
  }

  /** A namespace with a running testnet. Destroys what it made if it fails. */
  static async start(): Promise<RoomLab> {
    const network = TestNetwork.isolated(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-rooms-'));
    let testnet: JsonChild | undefined;
    try {
      testnet = new JsonChild('testnet', spawnFixture(network, 'room-testnet.ts', []));
      const ready = await testnet.waitFor((e) => e.ev === 'testnet', 20_000, 'the testnet to start');
      const lab = new RoomLab(network, dir, ready.bootstrap as string[]);
      lab.#children.push(testnet);
      return lab;
    } catch (error) {
      await testnet?.kill();
      network.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  identityFile(name: string): string {
    return path.join(this.dir, `${name}.identity.json`);
  }

  /** Start a room peer and wait until it has joined. */
  async peer(options: PeerOptions): Promise<RoomPeerChild> {
    const config = {
      room: options.room ?? 'lobby',
      name: options.name,
      identity: options.identity ?? this.identityFile(options.name),
      bootstrap: this.bootstrap,
      options: { ...TEST_TRANSPORT_OPTIONS, ...options.options },
    };
    const child = new RoomPeerChild(options.name, spawnFixture(this.network, 'room-peer.ts', [JSON.stringify(config)]));
    this.#children.push(child);
    const listening = await child.waitFor((e) => e.ev === 'listening', 20_000, 'listening');
    child.id = listening.id as string;
    return child;
  }

  /** Start a hostile raw client and wait until it is ready. */
  async hostile(mode: string, extra: Record<string, unknown> = {}): Promise<JsonChild> {
    const config = { room: 'lobby', bootstrap: this.bootstrap, mode, ...extra };
    const child = new JsonChild(`hostile:${mode}`, spawnFixture(this.network, 'room-hostile.ts', [JSON.stringify(config)]));
    this.#children.push(child);
    await child.waitFor((e) => e.ev === 'ready', 20_000, 'ready');
    return child;
  }

  /** Kill every child, delete the namespace and the folder. Safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all(this.#children.map((c) => c.kill()));
    this.network.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RoomPeerChild extends JsonChild {
  id = '';
  #sends = 0;

  /** Send `text` to `to`; resolves with the `sent` event's result. */
  async send(to: string, text: string, options: { id?: string; kind?: string; timeoutMs?: number; waitMs?: number } = {}): Promise<Record<string, unknown>> {
    this.#sends += 1;
    const id = options.id ?? `${this.label}-${this.#sends}`;
    this.command({ op: 'send', to, id, kind: options.kind ?? 'chat', text, timeoutMs: options.timeoutMs ?? 10_000 });
    const sent = await this.waitFor((e) => e.ev === 'sent' && e.id === id && e.to === to, options.waitMs ?? (options.timeoutMs ?? 10_000) + 5000, `the result of send ${id}`);
    return sent.result as Record<string, unknown>;
  }

  async peers(): Promise<Array<{ id: string; name: string | null; streams: number; up: boolean }>> {
    const before = this.all((e) => e.ev === 'peers').length;
    this.command({ op: 'peers' });
    const list = await this.waitForCount((e) => e.ev === 'peers', before + 1, 5000, 'a peer list');
    return (list.at(-1) as RoomEvent).peers as Array<{ id: string; name: string | null; streams: number; up: boolean }>;
  }

  /** Ask the transport to close and wait for the process to end. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.command({ op: 'close' });
    await this.waitFor((e) => e.ev === 'closed', timeoutMs, 'closed');
    await this.exited;
  }
}

function spawnFixture(network: TestNetwork, file: string, args: string[]): ChildProcessWithoutNullStreams {
  return network.spawn(network.host(0), process.execPath, ['--import', 'tsx', path.join(FIXTURES, file), ...args], { cwd: ROOT }) as ChildProcessWithoutNullStreams;
}
