/**
 * Figure 6c, LAN discovery through the built CLI (issue 11), inside network
 * namespaces made and deleted here: A runs `p2pchat --json --discover`; each
 * round starts B the same way and times
 * - B's `listening` (bound; discovery starts right after) to A's `discovered`,
 *   and B's spawn to A's `discovered` (Node's start-up included);
 * - B's `/quit` to A's `lost` (the goodbye, sent beside the exit fan-out).
 * The module-level figures (200 peers' CPU and resident set) are in
 * bench/discovery.ts.
 */
import { found, left, startLanCli } from '../test/helpers/lan-cli.js';
import { TestNetwork } from '../test/helpers/netns.js';
import { median, percentile } from './stats.js';
import type { Row } from './table.js';

export interface DiscoveryCliResult {
  readonly findMs: number[];
  readonly spawnMs: number[];
  readonly goodbyeMs: number[];
}

const FIND_MS = 10_000;

/** `rounds` measured rounds after one unmeasured warm-up. */
export async function measureDiscoveryCli(rounds: number): Promise<DiscoveryCliResult> {
  const network = TestNetwork.lan(2);
  const result: DiscoveryCliResult = { findMs: [], spawnMs: [], goodbyeMs: [] };
  try {
    const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5000 });
    for (let i = 0; i <= rounds; i += 1) {
      const from = alice.events.length;
      const spawnedAt = Date.now();
      const bob = await startLanCli(network, { name: `Bob${i}`, host: 1, port: 5001 });
      try {
        const listening = await bob.waitFor((e) => e.type === 'listening', FIND_MS, 'listening');
        const seen = await alice.waitForAfter(from, found(bob.id), FIND_MS, `Bob${i} discovered`);
        // Both sides know each other before the quit, so the goodbye is the only news.
        await bob.waitFor(found(alice.id), FIND_MS, 'Alice discovered by Bob');
        const before = alice.events.length;
        const quitAt = Date.now();
        bob.write('/quit');
        const gone = await alice.waitForAfter(before, left(bob.id), FIND_MS, `Bob${i} lost`);
        await bob.exited;
        if (i === 0) continue;
        result.findMs.push(seen.at - listening.at);
        result.spawnMs.push(seen.at - spawnedAt);
        result.goodbyeMs.push(gone.at - quitAt);
      } finally {
        await bob.kill();
      }
    }
    await alice.kill();
    return result;
  } finally {
    network.destroy();
  }
}

export function discoveryCliRows(result: DiscoveryCliResult | Error): Row[] {
  if (result instanceof Error) {
    return [{ figure: '6c. LAN discovery, CLI', unit: 'ms', p2pchat: Number.NaN, baseline: null, baselineName: '', ratio: null, target: 'runs', pass: false, note: `could not run: ${result.message}` }];
  }
  const ms = (values: number[]): string => `median ${median(values).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms`;
  return [
    {
      figure: '6c. LAN discovery, CLI p95',
      unit: 'ms',
      p2pchat: percentile(result.findMs, 95),
      baseline: null,
      baselineName: '',
      ratio: null,
      target: '<= 1000 ms',
      pass: percentile(result.findMs, 95) <= 1000,
      note: `B's listening to A's discovered event, two CLIs in --json --discover, ${result.findMs.length} rounds: ${ms(result.findMs)}; from B's spawn (Node start-up included): ${ms(result.spawnMs)}`,
    },
    {
      figure: '6c. LAN goodbye, CLI p95',
      unit: 'ms',
      p2pchat: percentile(result.goodbyeMs, 95),
      baseline: null,
      baselineName: '',
      ratio: null,
      target: '<= 300 ms',
      pass: percentile(result.goodbyeMs, 95) <= 300,
      note: `B's /quit written to A's lost (goodbye): ${ms(result.goodbyeMs)}`,
    },
  ];
}
