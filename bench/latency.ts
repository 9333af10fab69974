/**
 * Figure 2, latency: `messages` messages one after another between two
 * headless p2pchat peers, from writing `/send` to the sender's stdin to
 * reading the receiver's `message` line. The baseline is the same trip through
 * bare Node: a sender script that turns each stdin line into one connection,
 * and the bare server printing one line per message.
 */
import path from 'node:path';
import { BASELINES, spawnNode, startBareServer, startP2pchat, type LineChild, type Target } from './procs.js';
import { median, percentile } from './stats.js';

export interface LatencyOptions {
  readonly messages: number;
  readonly rounds: number;
  /** Unmeasured messages first, so both sides run warm code (default 50). */
  readonly warmup?: number;
}

export interface LatencyRound {
  readonly p50: number;
  readonly p99: number;
  readonly lost: number;
}

export interface LatencyResult {
  readonly p2pchat: LatencyRound[];
  readonly bare: LatencyRound[];
  readonly median: { p2pchat: { p50: number; p99: number }; bare: { p50: number; p99: number } };
  readonly lost: { p2pchat: number; bare: number };
}

/** Send `count` messages one at a time; resolve with each trip in ms (lost ones are missing). */
async function trips(sender: LineChild, receiver: Target, line: (i: number) => string, count: number, timeoutMs = 5000): Promise<number[]> {
  const times: number[] = [];
  let arrived: () => void = () => undefined;
  receiver.onLine = (text) => {
    if (receiver.isMessage(text)) arrived();
  };
  for (let i = 0; i < count; i += 1) {
    let timer: NodeJS.Timeout | undefined;
    const got = new Promise<boolean>((resolve) => {
      arrived = () => resolve(true);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const started = performance.now();
    sender.write(line(i));
    const ok = await got;
    const ms = performance.now() - started;
    clearTimeout(timer);
    if (ok) times.push(ms);
  }
  return times;
}

function summarize(times: number[], count: number): LatencyRound {
  return { p50: percentile(times, 50), p99: percentile(times, 99), lost: count - times.length };
}

async function p2pchatRound(options: LatencyOptions): Promise<LatencyRound> {
  const receiver = await startP2pchat('Bob');
  const sender = await startP2pchat('Alice');
  try {
    const line = (i: number): string => `/send 127.0.0.1:${receiver.port} latency message ${i}`;
    await trips(sender, receiver, line, options.warmup ?? 50);
    return summarize(await trips(sender, receiver, line, options.messages), options.messages);
  } finally {
    await Promise.all([sender.kill(), receiver.kill()]);
  }
}

async function bareRound(options: LatencyOptions): Promise<LatencyRound> {
  const receiver = await startBareServer();
  const sender = spawnNode([path.join(BASELINES, 'bare-sender.js')]);
  try {
    const line = (i: number): string => `${receiver.port} 127.0.0.1:1 Alice latency message ${i}`;
    await trips(sender, receiver, line, options.warmup ?? 50);
    return summarize(await trips(sender, receiver, line, options.messages), options.messages);
  } finally {
    await Promise.all([sender.kill(), receiver.kill()]);
  }
}

export async function measureLatency(options: LatencyOptions): Promise<LatencyResult> {
  const p2pchat: LatencyRound[] = [];
  const bare: LatencyRound[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    if (round % 2 === 0) {
      p2pchat.push(await p2pchatRound(options));
      bare.push(await bareRound(options));
    } else {
      bare.push(await bareRound(options));
      p2pchat.push(await p2pchatRound(options));
    }
  }
  const mid = (rounds: LatencyRound[]): { p50: number; p99: number } => ({
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
  });
  const lost = (rounds: LatencyRound[]): number => rounds.reduce((sum, r) => sum + r.lost, 0);
  return { p2pchat, bare, median: { p2pchat: mid(p2pchat), bare: mid(bare) }, lost: { p2pchat: lost(p2pchat), bare: lost(bare) } };
}
