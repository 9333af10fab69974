/**
 * Rooms figures: join time, message latency and throughput over a room
 * against plain TCP (one connection per message) in the same run. Hyperswarm
 * may run only inside a test namespace, so the measuring happens in
 * bench/rooms-worker.ts, spawned in a loopback-only namespace made and
 * deleted here, with its own hyperdht testnet; the TCP baseline runs in the
 * same worker on the namespace's loopback.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { TestNetwork } from '../test/helpers/netns.js';
import { ROOT } from './procs.js';
import { median, percentile } from './stats.js';
import type { Row } from './table.js';

export interface RoomsOptions {
  /** Join rounds, each with a fresh room and fresh keys. */
  readonly joins: number;
  /** Sequential messages for latency, each way measured after `warmup`. */
  readonly messages: number;
  readonly warmup: number;
  /** Messages for the throughput figure. */
  readonly throughput: number;
  /** Concurrent plain-TCP senders for its throughput baseline. */
  readonly tcpConcurrency: number;
  /** Give up after this long (default 120 s). */
  readonly timeoutMs?: number;
}

interface Raw {
  readonly join: number[];
  readonly room: { oneWay: number[]; acked: number[]; lost: number };
  readonly tcp: { oneWay: number[]; lost: number };
  readonly roomRate: { ms: number; received: number; delivered: number };
  readonly tcpRate: { ms: number; received: number; failed: number };
}

export interface RoomsResult {
  readonly join: { readonly median: number; readonly p95: number; readonly rounds: number };
  readonly latency: {
    readonly room: { readonly p50: number; readonly p99: number; readonly ackedP50: number; readonly lost: number };
    readonly tcp: { readonly p50: number; readonly p99: number; readonly lost: number };
  };
  readonly throughput: {
    readonly room: { readonly rate: number; readonly received: number; readonly delivered: number };
    readonly tcp: { readonly rate: number; readonly received: number; readonly failed: number };
  };
}

export async function measureRooms(options: RoomsOptions): Promise<RoomsResult> {
  const network = TestNetwork.isolated(1);
  try {
    const child = network.spawn(network.host(0), process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'rooms-worker.ts'), JSON.stringify(options)], {
      cwd: ROOT,
    }) as ChildProcessWithoutNullStreams;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timeoutMs = options.timeoutMs ?? 120_000;
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`rooms bench worker failed (exit ${code}): ${stderr.slice(-2000) || stdout.slice(-500)}`);
    return summarize(JSON.parse(line) as Raw);
  } finally {
    network.destroy();
  }
}

function summarize(raw: Raw): RoomsResult {
  return {
    join: { median: median(raw.join), p95: percentile(raw.join, 95), rounds: raw.join.length },
    latency: {
      room: { p50: percentile(raw.room.oneWay, 50), p99: percentile(raw.room.oneWay, 99), ackedP50: percentile(raw.room.acked, 50), lost: raw.room.lost },
      tcp: { p50: percentile(raw.tcp.oneWay, 50), p99: percentile(raw.tcp.oneWay, 99), lost: raw.tcp.lost },
    },
    throughput: {
      room: { rate: raw.roomRate.received / (raw.roomRate.ms / 1000), received: raw.roomRate.received, delivered: raw.roomRate.delivered },
      tcp: { rate: raw.tcpRate.received / (raw.tcpRate.ms / 1000), received: raw.tcpRate.received, failed: raw.tcpRate.failed },
    },
  };
}

export function roomsRows(r: RoomsResult, options: RoomsOptions): Row[] {
  const where = 'in one process inside a loopback-only namespace with a 3-node hyperdht testnet';
  const p50 = r.latency.room.p50 / r.latency.tcp.p50;
  const p99 = r.latency.room.p99 / r.latency.tcp.p99;
  const rate = r.throughput.room.rate / r.throughput.tcp.rate;
  const complete = r.throughput.room.received === options.throughput && r.throughput.room.delivered === options.throughput;
  return [
    {
      figure: '6. room join',
      unit: 'ms',
      p2pchat: r.join.median,
      baseline: null,
      baselineName: '-',
      ratio: null,
      target: '< 1000 ms median',
      pass: r.join.median < 1000,
      note: `listen() to the first peer-up, another peer already in the room; median of ${r.join.rounds} rounds (fresh room and keys each), p95 ${r.join.p95.toFixed(0)} ms; ${where}`,
    },
    {
      figure: '6. room latency p50',
      unit: 'ms',
      p2pchat: r.latency.room.p50,
      baseline: r.latency.tcp.p50,
      baselineName: 'plain TCP, conn per msg',
      ratio: p50,
      target: '<= 2x plain TCP',
      pass: p50 <= 2 && r.latency.room.lost === 0,
      note:
        `${options.messages} sequential messages, send() to the receiver's inbound event; with the receiver's ack back: p50 ${r.latency.room.ackedP50.toFixed(2)} ms; ` +
        `baseline: sendMessage to a bare net server, to its 'end'; lost: room ${r.latency.room.lost}, tcp ${r.latency.tcp.lost}`,
    },
    {
      figure: '6. room latency p99',
      unit: 'ms',
      p2pchat: r.latency.room.p99,
      baseline: r.latency.tcp.p99,
      baselineName: 'plain TCP, conn per msg',
      ratio: p99,
      target: '<= 2x plain TCP',
      pass: p99 <= 2 && r.latency.room.lost === 0,
    },
    {
      figure: '6. room throughput',
      unit: 'msg/s',
      p2pchat: r.throughput.room.rate,
      baseline: r.throughput.tcp.rate,
      baselineName: 'plain TCP, conn per msg',
      ratio: rate,
      target: '>= 1x plain TCP, all acked',
      pass: rate >= 1 && complete,
      note:
        `${options.throughput} messages at once over one room connection until every ack is back (received ${r.throughput.room.received}, acked ${r.throughput.room.delivered}, no copies) ` +
        `vs ${options.tcpConcurrency} concurrent plain-TCP senders, one connection per message (received ${r.throughput.tcp.received}, failed ${r.throughput.tcp.failed}); rate limit and pacing off`,
    },
  ];
}
