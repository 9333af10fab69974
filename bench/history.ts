/**
 * Figure 7, the history in the CLI: receive throughput with the history on
 * (a fresh SQLite file per round) against the same run with --no-history,
 * and start-up with a 1,000,000-message history against an empty one.
 *
 * Start-up is timed from spawn to "ready": the answer to a `/peers` written
 * at spawn, which comes only after the history has opened and the known
 * peers are loaded (the listening line is printed before the history opens,
 * so it alone would not see the store). Both sides are killed with SIGKILL,
 * as in figure 1: a quit would tell the peers of the synthetic history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, startP2pchat, spawnNode } from './procs.js';
import { oneRound, type ReceiveRound } from './receive.js';
import { median } from './stats.js';
import { generateHistory } from './store-data.js';
import type { Row } from './table.js';

export interface HistoryBenchOptions {
  /** Receive: messages per round, concurrent senders, rounds (each side once per round). */
  readonly messages: number;
  readonly senders: number;
  readonly rounds: number;
  /** Start-up: messages in the long history, and starts of each side. */
  readonly stored: number;
  readonly startupRounds: number;
}

export interface HistoryBenchResult {
  readonly receive: {
    readonly on: ReceiveRound[];
    readonly off: ReceiveRound[];
    readonly medianRate: { readonly on: number; readonly off: number };
    /** Median of the per-round ratios on / off. */
    readonly medianRatio: number;
    readonly lost: { readonly on: number; readonly off: number };
  };
  readonly startup: {
    /** Spawn to ready, ms. */
    readonly full: number[];
    readonly empty: number[];
    readonly median: { readonly full: number; readonly empty: number; readonly listeningFull: number; readonly listeningEmpty: number };
    readonly ratio: number;
    readonly historyBytes: number;
  };
  /** Making the long history, ms (not a figure: how long the run took). */
  readonly generateMs: number;
}

async function receiveRounds(options: HistoryBenchOptions, dir: string): Promise<HistoryBenchResult['receive']> {
  const on: ReceiveRound[] = [];
  const off: ReceiveRound[] = [];
  const maxPeers = ['--max-peers', String(Math.max(1000, options.messages))];
  for (let round = 0; round < options.rounds; round += 1) {
    // Alternate which goes first, so neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
    for (const side of order) {
      const extra = side === 'on' ? ['--history', path.join(dir, `receive-${round}.db`)] : ['--no-history'];
      const target = await startP2pchat('Receiver', [...maxPeers, ...extra]);
      try {
        (side === 'on' ? on : off).push(await oneRound(target, { messages: options.messages, senders: options.senders, rounds: 1 }));
      } finally {
        await target.kill();
      }
    }
  }
  return {
    on,
    off,
    medianRate: { on: median(on.map((r) => r.rate)), off: median(off.map((r) => r.rate)) },
    medianRatio: median(on.map((r, i) => r.rate / (off[i]?.rate ?? Number.NaN))),
    lost: { on: on.reduce((sum, r) => sum + r.lost, 0), off: off.reduce((sum, r) => sum + r.lost, 0) },
  };
}

/** Spawn to the listening line and to the answer of `/peers`, ms. */
async function timeToReady(file: string): Promise<{ listening: number; ready: number }> {
  const started = performance.now();
  const child = spawnNode([CLI, '--json', '--name', 'Starter', '--ip', '127.0.0.1', '--host', '127.0.0.1', '--port', 'auto', '--history', file], 30_000);
  try {
    const answered = new Promise<number>((resolve) => {
      child.onLine = (line) => {
        if (line.startsWith('{"type":"peers"')) resolve(performance.now() - started);
      };
    });
    child.write('/peers');
    const first = await child.first;
    const listening = performance.now() - started;
    if (!first.includes('"listening"')) throw new Error(`unexpected first line: ${first}`);
    let timer: NodeJS.Timeout | undefined;
    const ready = await Promise.race([answered, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no /peers answer in 30 s: ${child.stderr()}`)), 30_000)))]);
    clearTimeout(timer);
    return { listening, ready };
  } finally {
    await child.kill();
  }
}

export async function measureHistory(options: HistoryBenchOptions): Promise<HistoryBenchResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-bench-history-'));
  try {
    const receive = await receiveRounds(options, dir);
    const full = path.join(dir, 'full.db');
    const empty = path.join(dir, 'empty.db');
    const generating = performance.now();
    generateHistory(full, '/dev/null', options.stored);
    const generateMs = performance.now() - generating;
    const historyBytes = fs.statSync(full).size;
    // One unmeasured start each: the first pays for a cold file cache.
    await timeToReady(full);
    await timeToReady(empty);
    const runs = { full: [] as { listening: number; ready: number }[], empty: [] as { listening: number; ready: number }[] };
    for (let round = 0; round < options.startupRounds; round += 1) {
      const order = round % 2 === 0 ? (['full', 'empty'] as const) : (['empty', 'full'] as const);
      for (const side of order) runs[side].push(await timeToReady(side === 'full' ? full : empty));
    }
    const mid = (values: { listening: number; ready: number }[], key: 'listening' | 'ready'): number => median(values.map((v) => v[key]));
    const startup = {
      full: runs.full.map((r) => r.ready),
      empty: runs.empty.map((r) => r.ready),
      median: { full: mid(runs.full, 'ready'), empty: mid(runs.empty, 'ready'), listeningFull: mid(runs.full, 'listening'), listeningEmpty: mid(runs.empty, 'listening') },
      ratio: mid(runs.full, 'ready') / mid(runs.empty, 'ready'),
      historyBytes,
    };
    return { receive, startup, generateMs };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function historyRows(r: HistoryBenchResult, o: HistoryBenchOptions): Row[] {
  return [
    {
      figure: '7. receive with history',
      unit: 'msg/s',
      p2pchat: r.receive.medianRate.on,
      baseline: r.receive.medianRate.off,
      baselineName: 'same run, --no-history',
      ratio: r.receive.medianRatio,
      target: '>= 0.8x, 0 lost',
      pass: r.receive.medianRatio >= 0.8 && r.receive.lost.on === 0,
      note: `${o.messages} messages, one connection each, ${o.senders} senders, median of ${r.receive.on.length} rounds (a fresh history file each); lost: history ${r.receive.lost.on}, --no-history ${r.receive.lost.off}`,
    },
    {
      figure: '7. start-up, long history',
      unit: 'ms',
      p2pchat: r.startup.median.full,
      baseline: r.startup.median.empty,
      baselineName: 'empty history',
      ratio: r.startup.ratio,
      target: '<= 1.2x',
      pass: r.startup.ratio <= 1.2,
      note: `spawn to the answer of /peers (after the history opened), ${o.stored} stored messages (${(r.startup.historyBytes / 2 ** 20).toFixed(0)} MiB), median of ${r.startup.full.length} starts each; to the listening line: ${r.startup.median.listeningFull.toFixed(0)} vs ${r.startup.median.listeningEmpty.toFixed(0)} ms`,
    },
  ];
}
