/**
 * Keeps `npm run bench` runnable: a tiny round of every figure against the
 * built CLI and the baselines. No timing assertions (speed targets belong to
 * the benchmark); it checks that each figure runs, loses nothing and yields
 * sane numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureFanout } from '../../bench/fanout.js';
import { measureLatency } from '../../bench/latency.js';
import { measureRegistry } from '../../bench/memory.js';
import { measureReceive } from '../../bench/receive.js';
import { fanoutRows, latencyRows, memoryRows, receiveRows, startupRows } from '../../bench/rows.js';
import { measureStartup } from '../../bench/startup.js';
import { renderTable } from '../../bench/table.js';

const FANOUT_TIMEOUT_MS = 2000;

const positive = (value: number, what: string): void => assert.ok(Number.isFinite(value) && value > 0, `${what} = ${value}`);

describe('benchmark smoke run', () => {
  it('measures every figure on a small scale and renders the table', { timeout: 90_000 }, async () => {
    const startup = await measureStartup({ rounds: 1 });
    positive(startup.median.p2pchat, 'start-up p2pchat');
    positive(startup.median.bare, 'start-up bare');

    const receive = await measureReceive({ messages: 300, senders: 10, rounds: 1 });
    assert.deepEqual(receive.lost, { p2pchat: 0, bare: 0 });
    assert.equal(receive.p2pchat[0]?.sendErrors, 0);
    assert.equal(receive.peersListed, 300, 'one peer per claimed address');
    positive(receive.medianRate.p2pchat, 'receive rate p2pchat');
    positive(receive.medianRate.bare, 'receive rate bare');
    if (process.platform === 'linux') positive(receive.medianRss.p2pchat ?? Number.NaN, 'resident set');

    const latency = await measureLatency({ messages: 20, rounds: 1, warmup: 5 });
    assert.deepEqual(latency.lost, { p2pchat: 0, bare: 0 });
    positive(latency.median.p2pchat.p50, 'latency p50');
    assert.ok(latency.median.p2pchat.p99 >= latency.median.p2pchat.p50);

    // 2 s, not the bench's 1 s: on a loaded 2-core machine a responsive peer's accept must not
    // count as a timeout, or the exact 18/2 below fails for the wrong reason.
    const fanout = await measureFanout({ peers: 20, unresponsive: 2, timeoutMs: FANOUT_TIMEOUT_MS, rounds: 1, serialScale: 2 });
    assert.deepEqual(fanout.unresponsiveChecked, { silent: 2, of: 2 }, 'the unresponsive peers drop SYNs');
    assert.deepEqual(
      fanout.p2pchat.map((r) => [r.notified, r.failed]),
      [[18, 2]],
    );
    assert.deepEqual([fanout.serialSample.targets, fanout.serialSample.unresponsive], [10, 1]);
    positive(fanout.serialMs, 'serial estimate');

    const registry = measureRegistry({ small: 100, large: 1000, ops: 1000, rounds: 1, baselineOps: 50 });
    positive(registry.p2pchat.growth, 'registry growth');
    positive(registry.list.growth, 'list growth');

    const rows = [
      ...receiveRows(receive, 300, 10),
      ...latencyRows(latency, 20),
      ...fanoutRows(fanout, 20, 2, FANOUT_TIMEOUT_MS),
      ...startupRows(startup),
      ...memoryRows(receive, registry, 300, 100, 1000),
    ];
    assert.equal(rows.length, 7);
    for (const row of rows) positive(row.p2pchat, row.figure);
    const table = renderTable(rows);
    for (const figure of ['1. receive', '2. latency p50', '2. latency p99', '3. quit fan-out', '4. start-up', '5. resident set', '5. registry']) {
      assert.ok(table.includes(figure), `table shows ${figure}`);
    }
  });
});
