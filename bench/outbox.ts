/**
 * Figure 6, the outbox (issue 13), each against a baseline measured in the same run:
 * - resident set of a process holding 100,000 queued messages, vs an empty outbox;
 * - start-up (spawn to `ready`: journal replay in one go) with them, vs an empty
 *   outbox, in the resident-set row's note (the CLI loads it in slices after
 *   start-up: its start-up target is figure 6b); and after a churn of 100,000
 *   messages queued and sent (what compaction keeps small), as a row;
 * - a returning peer: its first queued message arrives how soon after its first
 *   sign of life (`wake`), while its back-off step is 60 s;
 * - a queue of 1,000 to one peer drains at what share of the live send rate
 *   (sendMessage one after another) to that same peer.
 * Loopback only: every port is one this bench opened (listening on 0), or
 * reserved that way and closed.
 */
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Outbox, type OutboxMessage } from '../src/core/outbox.js';
import { OutboxRunner } from '../src/core/outbox-runner.js';
import { parseAddress } from '../src/protocol/address.js';
import { OutboxJournal } from '../src/store/outbox-journal.js';
import { sendMessage } from '../src/transport/tcp/sender.js';
import { ROOT, memoryOf, spawnNode, type LineChild } from './procs.js';
import { median } from './stats.js';
import type { Row } from './table.js';

const CHILD = path.join(ROOT, 'bench', 'outbox-child.js');
const MIB = 2 ** 20;

export interface OutboxBenchOptions {
  /** Messages queued for the resident set and start-up figures (100,000). */
  readonly messages: number;
  /** Peers they are queued for, round robin (100). */
  readonly peers: number;
  /** Returning peers timed, one after another (5). */
  readonly wakes: number;
  /** Start-ups timed per journal (7). */
  readonly startupRounds: number;
  /** Messages in the drain figure (1,000), and its rounds (3). */
  readonly drain: number;
  readonly drainRounds: number;
  /** How long to let the resident set settle (40 s: V8 gives memory back about 20 s after a burst). */
  readonly settleMs: number;
}

export interface OutboxBenchResult {
  /** Bytes; steady = after settling, peak = VmHWM. Null where /proc is missing. */
  readonly rss: { readonly full: number | null; readonly peak: number | null; readonly empty: number | null };
  readonly startup: { readonly fullMs: number[]; readonly emptyMs: number[]; readonly churnMs: number[]; readonly replayMs: number };
  readonly journal: { readonly fullBytes: number; readonly churnBytes: number; readonly churnCompactions: number };
  /** Wake to first arrival, ms, per returning peer; the step the wake cut short. */
  readonly wake: { readonly ms: number[]; readonly rightMessage: number; readonly stepMs: number };
  /** Messages per second. */
  readonly drain: { readonly outbox: number[]; readonly live: number[]; readonly ratios: number[]; readonly lost: number };
}

function text(i: number): string {
  return `message number ${i}, a line of ordinary length for a chat`;
}

function queued(i: number, port: number): OutboxMessage {
  return { id: `m${i}`, to: `127.0.0.1:${port}`, kind: 'chat', text: text(i), line: `127.0.0.1:5000 Bench ${text(i)}` };
}

/** Ports with nothing on them: listened on 0, read, closed. */
async function reservePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    ports.push((server.address() as net.AddressInfo).port);
    await new Promise((resolve) => server.close(resolve));
  }
  return ports;
}

interface Sink {
  readonly port: number;
  /** Texts of each connection, in arrival order. */
  readonly received: string[];
  /** Resolves when `count` connections have ended. */
  until(count: number, timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A peer that reads each connection to its end; on `port` (0: the system picks). */
async function startSink(port = 0): Promise<Sink> {
  const received: string[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      socket.destroy();
      for (const waiter of waiters) waiter();
    });
    socket.on('close', () => sockets.delete(socket));
  });
  // A reserved port may be held a moment by another process's outgoing connection.
  for (let tries = 0; ; tries += 1) {
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', resolve);
        resolve(undefined);
      });
    });
    if (!error) break;
    if (error.code !== 'EADDRINUSE' || tries >= 100) throw error;
    await delay(50);
  }
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    until: (count, timeoutMs) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (received.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(true);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          resolve(false);
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A journal of `messages` queued for `ports` round robin, each peer's head
 * failed often enough that its next try is a full 60 s step away.
 */
function writeQueuedJournal(file: string, messages: number, ports: readonly number[]): number {
  const outbox = new Outbox({ maxEntries: Math.max(messages, 1) });
  const opened = OutboxJournal.open(file, outbox);
  if (!opened.ok) throw opened.error;
  const now = Date.now();
  for (let from = 0; from < messages; from += 1000) {
    const batch: OutboxMessage[] = [];
    for (let i = from; i < Math.min(messages, from + 1000); i += 1) batch.push(queued(i, ports[i % ports.length] as number));
    outbox.enqueueMany(batch, now);
  }
  for (const head of outbox.due(now)) {
    for (let failures = 0; failures < 7; failures += 1) {
      outbox.markSending(head.id);
      outbox.markFailed(head.id, 'connection refused', now, 'refused');
    }
  }
  opened.journal.close();
  return fs.statSync(file).size;
}

/** 100,000 messages queued and sent, one after another, through a journal that compacts. */
function writeChurnJournal(file: string, messages: number, port: number): { bytes: number; compactions: number } {
  const outbox = new Outbox();
  const opened = OutboxJournal.open(file, outbox);
  if (!opened.ok) throw opened.error;
  for (let from = 0; from < messages; from += 1000) {
    const batch: OutboxMessage[] = [];
    for (let i = from; i < Math.min(messages, from + 1000); i += 1) batch.push(queued(i, port));
    outbox.enqueueMany(batch, Date.now());
    for (const entry of batch) {
      outbox.markSending(entry.id);
      outbox.markSent(entry.id);
    }
  }
  const compactions = opened.journal.compactions;
  opened.journal.close();
  return { bytes: fs.statSync(file).size, compactions };
}

async function startChild(mode: 'startup' | 'serve', file: string): Promise<{ child: LineChild; ms: number; ready: { size: number; replayMs: number } }> {
  const started = performance.now();
  const child = spawnNode([CHILD, mode, file], 60_000);
  const line = await child.first;
  const ms = performance.now() - started;
  return { child, ms, ready: JSON.parse(line) as { size: number; replayMs: number } };
}

/**
 * A child's resident set after `waitMs`, the lowest seen while polling each
 * second: V8 grows its young generation during a burst of allocation (the
 * replay) and gives it back about 20 s later, once allocation is quiet.
 */
async function settledRss(child: LineChild, waitMs: number): Promise<{ rss: number | null; peak: number | null }> {
  const deadline = performance.now() + waitMs;
  let seen = memoryOf(child.pid);
  if (!seen) return { rss: null, peak: null };
  while (performance.now() < deadline) {
    await delay(Math.min(1000, Math.max(0, deadline - performance.now())));
    const now = memoryOf(child.pid);
    if (!now) break;
    seen = { rss: Math.min(seen.rss, now.rss), peak: now.peak };
  }
  return seen;
}

async function timeWakes(child: LineChild, ports: readonly number[], count: number): Promise<{ ms: number[]; rightMessage: number }> {
  const ms: number[] = [];
  let rightMessage = 0;
  for (let k = 0; k < Math.min(count, ports.length); k += 1) {
    const port = ports[k] as number;
    const sink = await startSink(port);
    try {
      // Listening alone would change nothing for 60 s: the wake is the sign of life.
      const woke = performance.now();
      child.write(`wake 127.0.0.1:${port}`);
      const arrived = await sink.until(1, 10_000);
      ms.push(arrived ? performance.now() - woke : Number.NaN);
      // The peer's first queued message, not any: message k went to port k.
      if (sink.received[0]?.endsWith(text(k))) rightMessage += 1;
    } finally {
      await sink.close();
    }
  }
  return { ms, rightMessage };
}

/** One message after another, as a chat without an outbox sends; messages per second. */
async function liveRate(port: number, count: number): Promise<number> {
  const to = { ip: '127.0.0.1', port };
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const result = await sendMessage(to, `127.0.0.1:5000 Bench ${text(i)}`, { graceMs: 50 });
    if (!result.ok) throw new Error(`live send failed: ${result.error}`);
  }
  return count / ((performance.now() - started) / 1000);
}

/** A queue of `count` to the peer on `port`, through a journaled outbox and its runner; messages per second. */
async function outboxRate(port: number, count: number, file: string): Promise<number> {
  const outbox = new Outbox();
  const opened = OutboxJournal.open(file, outbox);
  if (!opened.ok) throw opened.error;
  const runner = new OutboxRunner(outbox, (entry) => {
    const address = parseAddress(entry.to);
    if (!address.ok) return Promise.resolve({ ok: false, error: address.error.detail });
    return sendMessage(address.address, entry.line, { graceMs: 50 });
  });
  outbox.enqueueMany(Array.from({ length: count }, (_, i) => queued(i, port)), Date.now());
  let sent = 0;
  const drained = new Promise<void>((resolve) =>
    runner.on('sent', () => {
      sent += 1;
      if (sent === count) resolve();
    }),
  );
  const started = performance.now();
  runner.start();
  await Promise.race([drained, delay(60_000)]);
  const rate = sent / ((performance.now() - started) / 1000);
  await runner.close();
  opened.journal.close();
  return rate;
}

/** Both ways to one fresh peer, in the order given; `lost` counts messages missing or out of order. */
async function drainRound(count: number, file: string, outboxFirst: boolean): Promise<{ outbox: number; live: number; lost: number }> {
  const sink = await startSink();
  try {
    let live = 0;
    let outbox = 0;
    if (outboxFirst) outbox = await outboxRate(sink.port, count, file);
    live = await liveRate(sink.port, count);
    if (!outboxFirst) outbox = await outboxRate(sink.port, count, file);
    await sink.until(2 * count, 10_000);
    const inOrder = [sink.received.slice(0, count), sink.received.slice(count)].every((half) => half.every((line, i) => line.endsWith(text(i))));
    return { outbox, live, lost: 2 * count - sink.received.length + (inOrder ? 0 : count) };
  } finally {
    await sink.close();
  }
}

export async function measureOutbox(options: OutboxBenchOptions): Promise<OutboxBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-bench-outbox-'));
  try {
    const ports = await reservePorts(options.peers);
    const full = path.join(dir, 'full.jsonl');
    const empty = path.join(dir, 'empty.jsonl');
    const churn = path.join(dir, 'churn.jsonl');
    const fullBytes = writeQueuedJournal(full, options.messages, ports);
    fs.writeFileSync(empty, '');

    // The serving child first: the heads' next try is 60 s away from now.
    const serving = await startChild('serve', full);
    let wake: { ms: number[]; rightMessage: number };
    let rssFull: { rss: number | null; peak: number | null };
    try {
      if (serving.ready.size !== options.messages) throw new Error(`replayed ${serving.ready.size} of ${options.messages} messages`);
      wake = await timeWakes(serving.child, ports, options.wakes);
      rssFull = await settledRss(serving.child, options.settleMs);
    } finally {
      await serving.child.kill();
    }
    const idle = await startChild('serve', empty);
    let rssEmpty: { rss: number | null };
    try {
      rssEmpty = await settledRss(idle.child, Math.min(options.settleMs, 5000));
    } finally {
      await idle.child.kill();
    }

    const churned = writeChurnJournal(churn, options.messages, ports[0] as number);
    const fullMs: number[] = [];
    const emptyMs: number[] = [];
    const churnMs: number[] = [];
    const replayMs: number[] = [];
    const time = async (file: string, into: number[]): Promise<void> => {
      const run = await startChild('startup', file);
      into.push(run.ms);
      if (file === full) replayMs.push(run.ready.replayMs);
      await run.child.kill();
    };
    // One unmeasured start: the first pays for a cold file cache.
    await time(full, []);
    for (let round = 0; round < options.startupRounds; round += 1) {
      const order: [string, number[]][] = [
        [full, fullMs],
        [empty, emptyMs],
        [churn, churnMs],
      ];
      if (round % 2 === 1) order.reverse();
      for (const [file, into] of order) await time(file, into);
    }

    const drain = { outbox: [] as number[], live: [] as number[], ratios: [] as number[], lost: 0 };
    for (let round = 0; round < options.drainRounds; round += 1) {
      const r = await drainRound(options.drain, path.join(dir, `drain-${round}.jsonl`), round % 2 === 1);
      drain.outbox.push(r.outbox);
      drain.live.push(r.live);
      drain.ratios.push(r.outbox / r.live);
      drain.lost += r.lost;
    }

    return {
      rss: { full: rssFull.rss, peak: rssFull.peak, empty: rssEmpty.rss },
      startup: { fullMs, emptyMs, churnMs, replayMs: median(replayMs) },
      journal: { fullBytes, churnBytes: churned.bytes, churnCompactions: churned.compactions },
      wake: { ...wake, stepMs: 60_000 },
      drain,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function outboxRows(r: OutboxBenchResult, options: Pick<OutboxBenchOptions, 'messages' | 'peers' | 'drain'>): Row[] {
  const k = (n: number): string => (n >= 1000 ? `${n / 1000}k` : String(n));
  const rss = r.rss.full === null ? Number.NaN : r.rss.full / MIB;
  const fullMs = median(r.startup.fullMs);
  const emptyMs = median(r.startup.emptyMs);
  const churnMs = median(r.startup.churnMs);
  const wakeMax = Math.max(...r.wake.ms);
  const wakeOk = r.wake.ms.length > 0 && r.wake.ms.every((ms) => ms < 1000) && r.wake.rightMessage === r.wake.ms.length;
  const drainRatio = median(r.drain.ratios);
  return [
    {
      figure: '6. outbox resident set',
      unit: 'MiB',
      p2pchat: rss,
      baseline: r.rss.empty === null ? null : r.rss.empty / MIB,
      baselineName: 'empty outbox',
      ratio: r.rss.empty === null ? null : rss / (r.rss.empty / MIB),
      target: '< 100 MiB',
      pass: rss < 100,
      note:
        `${k(options.messages)} messages queued for ${options.peers} peers, replayed from the journal, after V8 settled; ` +
        `peak right after the replay ${r.rss.peak === null ? '?' : (r.rss.peak / MIB).toFixed(0)} MiB (young generation grown by the burst). ` +
        `Replaying them in one go: spawn to replayed ${fullMs.toFixed(0)} vs ${emptyMs.toFixed(0)} ms empty (journal ${(r.journal.fullBytes / MIB).toFixed(1)} MiB, ` +
        `replay ${r.startup.replayMs.toFixed(0)} ms, ${((r.startup.replayMs / options.messages) * 10_000).toFixed(0)} ms per 10k queued); ` +
        'the CLI loads it in slices after start-up, so its start-up target is row 6b',
    },
    {
      figure: '6. outbox start-up after churn',
      unit: 'ms',
      p2pchat: churnMs,
      baseline: emptyMs,
      baselineName: 'empty outbox',
      ratio: churnMs / emptyMs,
      target: '<= 1.5x',
      pass: churnMs / emptyMs <= 1.5,
      note: `${k(options.messages)} messages queued and sent through the journal: ${r.journal.churnCompactions} compactions left ${(r.journal.churnBytes / 1024).toFixed(1)} KiB`,
    },
    {
      figure: '6. outbox returning peer',
      unit: 'ms',
      p2pchat: median(r.wake.ms),
      baseline: r.wake.stepMs,
      baselineName: 'back-off step',
      ratio: null,
      target: 'first message < 1000 ms after its sign of life',
      pass: wakeOk,
      note:
        `${r.wake.ms.length} peers, one after another, each with ${k(options.messages / options.peers)} queued, among ${k(options.messages)}; ` +
        `max ${wakeMax.toFixed(1)} ms; the first queued message each time: ${r.wake.rightMessage}/${r.wake.ms.length}`,
    },
    {
      figure: '6. outbox drain',
      unit: 'msg/s',
      p2pchat: median(r.drain.outbox),
      baseline: median(r.drain.live),
      baselineName: 'live sends, one peer',
      ratio: drainRatio,
      target: '>= 0.5x live, 0 lost',
      pass: drainRatio >= 0.5 && r.drain.lost === 0,
      note: `a queue of ${k(options.drain)} to one peer through a journaled outbox vs sendMessage one after another to the same peer; median of ${r.drain.ratios.length} rounds; lost or out of order: ${r.drain.lost}`,
    },
  ];
}
