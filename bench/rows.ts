/** Turn each figure's measurements into table rows with their targets. */
import type { FanoutResult } from './fanout.js';
import type { LatencyResult } from './latency.js';
import type { RegistryResult } from './memory.js';
import type { ReceiveResult } from './receive.js';
import type { StartupResult } from './startup.js';
import type { Row } from './table.js';

const MIB = 2 ** 20;

export function receiveRows(r: ReceiveResult, messages: number, senders: number): Row[] {
  const ratio = r.medianRatio;
  const cpu = (v: number | null): string => (v === null ? '?' : v.toFixed(0));
  return [
    {
      figure: '1. receive throughput',
      unit: 'msg/s',
      p2pchat: r.medianRate.p2pchat,
      baseline: r.medianRate.bare,
      baselineName: 'bare net server',
      ratio,
      target: '>= 0.8x bare, 0 lost',
      pass: ratio >= 0.8 && r.lost.p2pchat === 0,
      note: `${messages} messages, one connection each, ${senders} concurrent senders, median of ${r.p2pchat.length} rounds (ratio: median of the per-round ratios); lost: p2pchat ${r.lost.p2pchat}, bare ${r.lost.bare}; ` +
        `receiver CPU per message: p2pchat ${cpu(r.medianCpuUs.p2pchat)} us, bare ${cpu(r.medianCpuUs.bare)} us`,
    },
  ];
}

export function latencyRows(r: LatencyResult, messages: number): Row[] {
  const p50 = r.median.p2pchat.p50 / r.median.bare.p50;
  const p99 = r.median.p2pchat.p99 / r.median.bare.p99;
  const note = `${messages} sequential messages, /send to the receiver's event vs bare sender -> bare server, median of ${r.p2pchat.length} rounds; lost: ${r.lost.p2pchat}`;
  return [
    {
      figure: '2. latency p50',
      unit: 'ms',
      p2pchat: r.median.p2pchat.p50,
      baseline: r.median.bare.p50,
      baselineName: 'bare round trip',
      ratio: p50,
      target: '<= 2x bare',
      pass: p50 <= 2 && r.lost.p2pchat === 0,
      note,
    },
    {
      figure: '2. latency p99',
      unit: 'ms',
      p2pchat: r.median.p2pchat.p99,
      baseline: r.median.bare.p99,
      baselineName: 'bare round trip',
      ratio: p99,
      target: '< 5 ms and <= 2x bare',
      pass: r.median.p2pchat.p99 < 5 && p99 <= 2 && r.lost.p2pchat === 0,
    },
  ];
}

export function fanoutRows(r: FanoutResult, peers: number, unresponsive: number, timeoutMs: number): Row[] {
  const speedup = r.serialMs / r.medianMs;
  const exits = r.p2pchat.map((x) => `${x.notified}/${x.failed}`).join(', ');
  return [
    {
      figure: '3. quit fan-out',
      unit: 'ms',
      p2pchat: r.medianMs,
      baseline: r.serialMs,
      baselineName: 'serial, estimated',
      ratio: speedup,
      target: `<= ${timeoutMs + 1000} ms, >= 20x faster`,
      pass: r.medianMs <= timeoutMs + 1000 && speedup >= 20,
      note:
        `${peers} known peers, ${unresponsive} unresponsive (full accept queue, ${r.unresponsiveChecked.silent}/${r.unresponsiveChecked.of} checked silent), ` +
        `--timeout ${timeoutMs} ms to keep the run short; notified/failed per round: ${exits}; ratio is the speed-up. ` +
        `Serial = the same sender one peer at a time, measured over a 1-in-${r.serialSample.scale} sample ` +
        `(${r.serialSample.targets - r.serialSample.unresponsive} responsive + ${r.serialSample.unresponsive} unresponsive: ${r.serialSample.ms.toFixed(0)} ms) and scaled x${r.serialSample.scale}`,
    },
  ];
}

export function startupRows(r: StartupResult): Row[] {
  const ratio = r.median.p2pchat / r.median.bare;
  return [
    {
      figure: '4. start-up',
      unit: 'ms',
      p2pchat: r.median.p2pchat,
      baseline: r.median.bare,
      baselineName: 'listen-only script',
      ratio,
      target: '<= 2x',
      pass: ratio <= 2,
      note: `spawn to the listening line, median of ${r.p2pchat.length} starts each`,
    },
  ];
}

export function memoryRows(receive: ReceiveResult, registry: RegistryResult, messages: number, small: number, large: number): Row[] {
  const rss = receive.medianRss.p2pchat === null ? Number.NaN : receive.medianRss.p2pchat / MIB;
  const bare = receive.medianRss.bare === null ? null : receive.medianRss.bare / MIB;
  return [
    {
      figure: '5. resident set',
      unit: 'MiB',
      p2pchat: rss,
      baseline: bare,
      baselineName: 'bare net server',
      ratio: bare === null ? null : rss / bare,
      target: '< 100 MiB',
      pass: rss < 100 && receive.peersListed === messages,
      note: `after each receive round (VmRSS, median): ${messages} messages seen, ${receive.peersListed} peers in the list (/peers)`,
    },
    {
      figure: '5. registry op growth',
      unit: 'x',
      p2pchat: registry.p2pchat.large / registry.p2pchat.small,
      baseline: registry.list.growth,
      baselineName: 'list, original design',
      ratio: null,
      target: '<= 3x (flat)',
      pass: registry.p2pchat.growth <= 3,
      note:
        `per-op time at ${large} vs ${small} peers: ${registry.p2pchat.small.toFixed(0)} -> ${registry.p2pchat.large.toFixed(0)} ns; ` +
        `a bare Map doing the same look-ups grows ${registry.map.growth.toFixed(2)}x (cache misses), a list searched from the front ${registry.list.growth.toFixed(0)}x`,
    },
  ];
}
