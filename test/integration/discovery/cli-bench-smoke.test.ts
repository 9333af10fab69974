/** The CLI discovery bench (figure 6b) runs and gives one figure per measured round. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoveryCliRows, measureDiscoveryCli } from '../../../bench/discovery-cli.js';

describe('bench: LAN discovery through the CLI', () => {
  it('two measured rounds give two figures each and two rows', { timeout: 120_000 }, async () => {
    const result = await measureDiscoveryCli(2);
    assert.deepEqual([result.findMs.length, result.spawnMs.length, result.goodbyeMs.length], [2, 2, 2]);
    for (const ms of [...result.findMs, ...result.goodbyeMs]) assert.ok(ms >= 0 && ms < 10_000, String(ms));
    assert.deepEqual(discoveryCliRows(result).map((row) => row.figure), ['6c. LAN discovery, CLI p95', '6c. LAN goodbye, CLI p95']);
  });
});
