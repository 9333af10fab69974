/**
 * Figure 1, receive throughput (and the resident set of figure 5): `messages`
 * messages, one connection each, from `senders` concurrent senders, into a
 * headless p2pchat vs the bare Node server. The clock runs from the first
 * connect to the last message line read from the receiver's stdout.
 *
 * Every message claims a different address (127.1.x.y, the receiver's own
 * port), so that p2pchat ends with one peer per message in its list. Those are
 * loopback addresses on a port we opened, and the receiver is SIGKILLed
 * afterwards, never told to quit, so it sends nothing to them.
 */
import { fire } from './load.js';
import { cpuMicros, memoryOf, startBareServer, startP2pchat, type Target } from './procs.js';
import { median } from './stats.js';

export interface ReceiveOptions {
  readonly messages: number;
  readonly senders: number;
  readonly rounds: number;
  /** Give up on a round after this long (lost = the messages not seen). */
  readonly roundTimeoutMs?: number;
}

export interface ReceiveRound {
  readonly rate: number;
  readonly ms: number;
  readonly lost: number;
  readonly sendErrors: number;
  /** Resident set after the round, bytes. */
  readonly rss: number | null;
  readonly peakRss: number | null;
  /** The receiver's own CPU time per message, microseconds (10 ms resolution overall). */
  readonly cpuUs: number | null;
}

export interface ReceiveResult {
  readonly p2pchat: ReceiveRound[];
  readonly bare: ReceiveRound[];
  /** Entries in p2pchat's peer list after the first round (from `/peers`). */
  readonly peersListed: number;
  readonly medianRate: { p2pchat: number; bare: number };
  /** Median over rounds of p2pchat's rate / the bare server's rate in the same round. */
  readonly medianRatio: number;
  readonly medianCpuUs: { p2pchat: number | null; bare: number | null };
  readonly lost: { p2pchat: number; bare: number };
  readonly medianRss: { p2pchat: number | null; bare: number | null };
}

function payload(port: number, index: number): string {
  return `127.1.${(index >> 8) & 255}.${index & 255}:${port} s${index % 50} message number ${index} from the bench`;
}

/** One round of `messages` into `target` (also used by the history figure). */
export async function oneRound(target: Target, options: ReceiveOptions): Promise<ReceiveRound> {
  let seen = 0;
  let lastAt = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  target.onLine = (line) => {
    if (!target.isMessage(line)) return;
    seen += 1;
    lastAt = performance.now();
    if (seen === options.messages) done();
  };
  const cpuBefore = cpuMicros(target.pid);
  const started = performance.now();
  const load = await fire(target.port, options.messages, options.senders, (i) => payload(target.port, i));
  // Every connection is closed by now; let the receiver print the rest.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, options.roundTimeoutMs ?? 10_000)))]);
  clearTimeout(timer);
  const ms = (seen === options.messages ? lastAt : performance.now()) - started;
  const memory = memoryOf(target.pid);
  const cpuAfter = cpuMicros(target.pid);
  return {
    rate: (seen / ms) * 1000,
    ms,
    lost: options.messages - seen,
    sendErrors: load.errors,
    rss: memory?.rss ?? null,
    peakRss: memory?.peak ?? null,
    cpuUs: cpuBefore === null || cpuAfter === null || seen === 0 ? null : (cpuAfter - cpuBefore) / seen,
  };
}

async function countPeers(target: Target): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(-1), 10_000);
    target.onLine = (line) => {
      if (!line.startsWith('{"type":"peers"')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { peers: unknown[] }).peers.length);
    };
    target.write('/peers');
  });
}

export async function measureReceive(options: ReceiveOptions): Promise<ReceiveResult> {
  const p2pchat: ReceiveRound[] = [];
  const bare: ReceiveRound[] = [];
  let peersListed = -1;
  // Warm this process's load generator up first: its JIT is shared by both sides.
  const warm = await startBareServer();
  try {
    await oneRound(warm, { ...options, messages: Math.min(options.messages, 2000) });
  } finally {
    await warm.kill();
  }
  for (let round = 0; round < options.rounds; round += 1) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['p2pchat', 'bare'] as const) : (['bare', 'p2pchat'] as const);
    for (const kind of order) {
      const target =
        kind === 'p2pchat'
          ? await startP2pchat('Receiver', ['--max-peers', String(Math.max(1000, options.messages))])
          : await startBareServer();
      try {
        const result = await oneRound(target, options);
        if (kind === 'p2pchat') {
          p2pchat.push(result);
          if (round === 0) peersListed = await countPeers(target);
        } else bare.push(result);
      } finally {
        await target.kill();
      }
    }
  }
  const mid = (values: (number | null)[]): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length ? median(known) : null;
  };
  return {
    p2pchat,
    bare,
    peersListed,
    medianRate: { p2pchat: median(p2pchat.map((r) => r.rate)), bare: median(bare.map((r) => r.rate)) },
    lost: {
      p2pchat: p2pchat.reduce((sum, r) => sum + r.lost, 0),
      bare: bare.reduce((sum, r) => sum + r.lost, 0),
    },
    medianRatio: median(p2pchat.map((r, i) => r.rate / (bare[i]?.rate ?? Number.NaN))),
    medianCpuUs: { p2pchat: mid(p2pchat.map((r) => r.cpuUs)), bare: mid(bare.map((r) => r.cpuUs)) },
    medianRss: { p2pchat: mid(p2pchat.map((r) => r.rss)), bare: mid(bare.map((r) => r.rss)) },
  };
}
