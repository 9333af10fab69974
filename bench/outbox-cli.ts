/**
 * Figure 6b, the outbox through the built CLI (issue 13):
 * - `/all` to `peers` peers, `unresponsive` of which never accept: time from
 *   the command to its `broadcast` event, against the send timeout + 1 s,
 *   with exact counts (the silent ones queued, the rest sent);
 * - a returning peer: its queued message arrives how soon after its sign of
 *   life (a chat from it), while its back-off step is 4 s;
 * - a queue of `drain` to one peer drains at what share of the live rate of
 *   `/send` to that same peer, both through the CLI.
 * Loopback only, on ports this bench opened or reserved. Every p2pchat here
 * keeps its outbox in a temporary data folder.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Outbox } from '../src/core/outbox.js';
import { defaultOutboxPath, OutboxJournal } from '../src/store/outbox-journal.js';
import { makeTargets } from './fanout.js';
import { fire } from './load.js';
import { CLI, startP2pchat, type Target } from './procs.js';
import { median } from './stats.js';
import type { Row } from './table.js';

export interface OutboxCliOptions {
  readonly peers: number;
  readonly unresponsive: number;
  readonly timeoutMs: number;
  /** Messages in the drain figure. */
  readonly drain: number;
  /** Returning peers timed. */
  readonly wakes: number;
  /** Messages queued for the start-up figure (100,000), and its rounds (5). */
  readonly startupMessages: number;
  readonly startupRounds: number;
}

export interface OutboxCliResult {
  readonly all: { readonly ms: number; readonly sent: number; readonly queued: number; readonly failed: number; readonly skipped: number };
  readonly wake: { readonly ms: number[]; readonly stepMs: number[] };
  readonly drain: { readonly outbox: number; readonly live: number };
  /** Spawn to `listening`, and to the answer of the first command, ms, medians. */
  readonly startup: {
    readonly fullListening: number;
    readonly fullReady: number;
    readonly emptyListening: number;
    readonly emptyReady: number;
    /** Spawn to the outbox's "resuming" notice (the replay done), with the full outbox. */
    readonly fullLoaded: number;
  };
}

interface Sink {
  readonly port: number;
  readonly texts: string[];
  onText: (() => void) | undefined;
  close(): Promise<void>;
}

async function sink(port = 0): Promise<Sink> {
  const sockets = new Set<net.Socket>();
  const result: Sink = {
    port,
    texts: [],
    onText: undefined,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('end', () => {
      result.texts.push(Buffer.concat(chunks).toString('utf8'));
      socket.end();
      result.onText?.();
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve());
  });
  return Object.assign(result, { port: (server.address() as net.AddressInfo).port });
}

async function reserve(): Promise<number> {
  const s = await sink();
  await s.close();
  return s.port;
}

/** Lines of `node` that match, as they come; resolves once `count` have. */
function collect(node: Target, match: (line: string) => boolean, count: number, ms: number): Promise<string[]> {
  const found: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${found.length}/${count} lines in ${ms} ms; stderr ${node.stderr()}`)), ms);
    const previous = node.onLine;
    node.onLine = (line) => {
      previous(line);
      if (match(line) && found.push(line) === count) {
        clearTimeout(timer);
        node.onLine = previous;
        resolve(found);
      }
    };
  });
}

function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const look = (): void => {
      if (check()) resolve();
      else if (performance.now() - started > ms) reject(new Error(what()));
      else setTimeout(look, 2);
    };
    look();
  });
}

async function allRound(options: OutboxCliOptions): Promise<OutboxCliResult['all']> {
  const targets = await makeTargets(options.peers - options.unresponsive, options.unresponsive);
  const ports = [...targets.responsive, ...targets.silent];
  const node = await startP2pchat('Everyone', ['--timeout', String(options.timeoutMs), '--max-peers', String(Math.max(1000, ports.length))]);
  try {
    const hellos = collect(node, (l) => node.isMessage(l), ports.length, 30_000);
    await fire(node.port, ports.length, 50, (i) => `127.0.0.1:${ports[i]} peer${i} hello`);
    await hellos;
    const summary = collect(node, (l) => l.startsWith('{"type":"broadcast"'), 1, options.timeoutMs + 30_000);
    const started = performance.now();
    node.write('/all hello everyone');
    const [line] = await summary;
    const ms = performance.now() - started;
    const b = JSON.parse(line as string) as { sent: number; queued: number; failed: number; skipped: number };
    return { ms, sent: b.sent, queued: b.queued, failed: b.failed, skipped: b.skipped };
  } finally {
    await node.kill();
    await targets.close();
  }
}

async function wakeRound(count: number): Promise<OutboxCliResult['wake']> {
  const ports = await Promise.all(Array.from({ length: count }, reserve));
  const node = await startP2pchat('Waiter', ['--timeout', '1000']);
  const sinks: Sink[] = [];
  try {
    // Three failures each: the next step is 4 s.
    const third = collect(node, (l) => l.startsWith('{"type":"queued"') && l.includes('"attempt":3'), count, 30_000);
    for (const port of ports) node.write(`/send 127.0.0.1:${port} are you back?`);
    const steps = (await third).map((l) => (JSON.parse(l) as { retryInMs: number }).retryInMs);
    const ms: number[] = [];
    for (const port of ports) {
      const s = await sink(port);
      sinks.push(s);
      const started = performance.now();
      await fire(node.port, 1, 1, () => `127.0.0.1:${port} Back I am here`);
      await until(() => s.texts.length > 0, 10_000, () => `nothing arrived at ${port}`);
      ms.push(performance.now() - started);
    }
    return { ms, stepMs: steps };
  } finally {
    await node.kill();
    for (const s of sinks) await s.close();
  }
}

async function drainRound(count: number): Promise<OutboxCliResult['drain']> {
  // Live: /send one after another to a peer that is up, first command to last `sent`.
  const live = await sink();
  const a = await startP2pchat('Live', ['--timeout', '2000']);
  let liveRate: number;
  try {
    const sent = collect(a, (l) => l.startsWith('{"type":"sent"'), count, 60_000);
    const started = performance.now();
    for (let i = 0; i < count; i += 1) a.write(`/send 127.0.0.1:${live.port} message ${i}`);
    await sent;
    liveRate = count / ((performance.now() - started) / 1000);
  } finally {
    await a.kill();
    await live.close();
  }
  // Outbox: the same count queued to a peer that is away; it comes back and says so.
  const port = await reserve();
  const b = await startP2pchat('Queue', ['--timeout', '2000']);
  try {
    const queued = collect(b, (l) => l.startsWith('{"type":"queued"'), count, 60_000);
    for (let i = 0; i < count; i += 1) b.write(`/send 127.0.0.1:${port} message ${i}`);
    await queued;
    const back = await sink(port);
    try {
      const sent = collect(b, (l) => l.startsWith('{"type":"sent"'), count, 60_000);
      const started = performance.now();
      await fire(b.port, 1, 1, () => `127.0.0.1:${port} Back here again`);
      await sent;
      const rate = count / ((performance.now() - started) / 1000);
      await until(() => back.texts.length >= count, 10_000, () => `${back.texts.length}/${count} arrived`);
      const inOrder = back.texts.every((t, i) => t.endsWith(` message ${i}`));
      if (!inOrder || back.texts.length !== count) throw new Error(`drain out of order or lost: ${back.texts.length}/${count}`);
      return { outbox: rate, live: liveRate };
    } finally {
      await back.close();
    }
  } finally {
    await b.kill();
  }
}

/**
 * Spawn the CLI on `port`; ms to its listening line, to the answer of a first
 * `/peers`, and (with `loaded`) to the notice that the outbox was replayed.
 */
async function startOnce(port: number, dataHome: string, loaded = false): Promise<{ listening: number; ready: number; loaded: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, '--json', '--name', 'S', '--ip', '127.0.0.1', '--host', '127.0.0.1', '--port', String(port), '--timeout', '500'], {
    env: { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: dataHome },
    stdio: 'pipe',
  });
  let listening = 0;
  let ready = 0;
  let seen = '';
  try {
    const done = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer from the CLI on ${port} in 30 s: ${seen.slice(0, 300)}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (!listening && seen.includes('"type":"listening"')) {
          listening = performance.now() - started;
          child.stdin.write('/peers\n');
        }
        if (!ready && seen.includes('"type":"peers"')) ready = performance.now() - started;
        if (ready && (!loaded || seen.includes('"message":"The outbox holds'))) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      });
    });
    return { listening, ready, loaded: done };
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

async function startupRound(options: OutboxCliOptions, dataHome: string): Promise<OutboxCliResult['startup']> {
  const port = await reserve();
  const emptyPort = await reserve();
  const peers = await Promise.all(Array.from({ length: 100 }, reserve));
  const outbox = new Outbox();
  const opened = OutboxJournal.open(defaultOutboxPath(port, { XDG_DATA_HOME: dataHome }, os.homedir()), outbox, { sync: 'none' });
  if (!opened.ok) throw opened.error;
  const now = Date.now();
  const text = (i: number): string => `message number ${i}, a line of ordinary length for a chat`;
  outbox.enqueueMany(
    Array.from({ length: options.startupMessages }, (_, i) => ({ id: `m${i}`, to: `127.0.0.1:${peers[i % peers.length]}`, kind: 'chat' as const, text: text(i), line: `127.0.0.1:${port} S ${text(i)}` })),
    now,
  );
  opened.journal.close();
  const full: { listening: number; ready: number; loaded: number }[] = [];
  const empty: { listening: number; ready: number; loaded: number }[] = [];
  for (let i = 0; i < options.startupRounds; i += 1) {
    full.push(await startOnce(port, dataHome, true));
    empty.push(await startOnce(emptyPort, dataHome));
  }
  return {
    fullListening: median(full.map((r) => r.listening)),
    fullReady: median(full.map((r) => r.ready)),
    emptyListening: median(empty.map((r) => r.listening)),
    emptyReady: median(empty.map((r) => r.ready)),
    fullLoaded: median(full.map((r) => r.loaded)),
  };
}

export async function measureOutboxCli(options: OutboxCliOptions): Promise<OutboxCliResult> {
  const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-bench-outbox-'));
  const saved = process.env.XDG_DATA_HOME;
  process.env.XDG_DATA_HOME = dataHome;
  try {
    const all = await allRound(options);
    const wake = await wakeRound(options.wakes);
    const drain = await drainRound(options.drain);
    const startup = await startupRound(options, dataHome);
    return { all, wake, drain, startup };
  } finally {
    if (saved === undefined) delete process.env.XDG_DATA_HOME;
    else process.env.XDG_DATA_HOME = saved;
    fs.rmSync(dataHome, { recursive: true, force: true });
  }
}

export function outboxCliRows(r: OutboxCliResult, options: OutboxCliOptions): Row[] {
  const responsive = options.peers - options.unresponsive;
  const exact = r.all.sent === responsive && r.all.queued === options.unresponsive && r.all.failed === 0 && r.all.skipped === 0;
  const wakeMax = Math.max(...r.wake.ms);
  const ratio = r.drain.outbox / r.drain.live;
  const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  return [
    {
      figure: '6b. start-up through the CLI',
      unit: 'ms',
      p2pchat: r.startup.fullReady,
      baseline: r.startup.emptyReady,
      baselineName: 'empty outbox',
      ratio: r.startup.fullReady / r.startup.emptyReady,
      target: '<= 1.5x',
      pass: r.startup.fullReady / r.startup.emptyReady <= 1.5,
      note:
        `spawn to the answer of a first /peers with ${k(options.startupMessages)} queued for 100 peers (the outbox loads in slices meanwhile); median of ${options.startupRounds}. ` +
        `Spawn to listening: ${r.startup.fullListening.toFixed(0)} vs ${r.startup.emptyListening.toFixed(0)} ms, ` +
        `${(r.startup.fullListening / r.startup.emptyListening).toFixed(2)}x; to the outbox loaded (its "resuming" notice): ${r.startup.fullLoaded.toFixed(0)} ms`,
    },
    {
      figure: '6b. /all through the CLI',
      unit: 'ms',
      p2pchat: r.all.ms,
      baseline: options.timeoutMs + 1000,
      baselineName: 'send timeout + 1 s',
      ratio: r.all.ms / (options.timeoutMs + 1000),
      target: `<= timeout + 1 s, exact counts`,
      pass: r.all.ms <= options.timeoutMs + 1000 && exact,
      note: `${options.peers} peers, ${options.unresponsive} never accept; counts sent ${r.all.sent}, queued ${r.all.queued}, failed ${r.all.failed}, skipped ${r.all.skipped} (expected ${responsive}/${options.unresponsive}/0/0)`,
    },
    {
      figure: '6b. returning peer through the CLI',
      unit: 'ms',
      p2pchat: median(r.wake.ms),
      baseline: median(r.wake.stepMs),
      baselineName: 'back-off step',
      ratio: null,
      target: 'first message < 1000 ms after its sign of life',
      pass: r.wake.ms.length > 0 && wakeMax < 1000,
      note: `${r.wake.ms.length} peers; sign of life = a chat from the peer; max ${wakeMax.toFixed(1)} ms, the step it cut short ${median(r.wake.stepMs).toFixed(0)} ms`,
    },
    {
      figure: '6b. drain through the CLI',
      unit: 'msg/s',
      p2pchat: r.drain.outbox,
      baseline: r.drain.live,
      baselineName: '/send live, one peer',
      ratio,
      target: '>= 0.5x live, in order',
      pass: ratio >= 0.5,
      note: `${options.drain} queued to one peer, from its sign of life to the last sent event, vs ${options.drain} /send to a peer that is up`,
    },
  ];
}
