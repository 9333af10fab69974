/**
 * Keeps the discovery figure of `npm run bench` runnable: a tiny round in
 * network namespaces. No timing assertions (targets belong to the bench);
 * it checks that each measurement happens and yields sane numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discoveryRows, measureDiscovery } from '../../../bench/discovery.js';
import { renderTable } from '../../../bench/table.js';

describe('benchmark smoke run: LAN discovery', () => {
  it('measures discovery, goodbye and load on a small scale and renders the rows', { timeout: 120_000 }, async () => {
    const result = await measureDiscovery({ rounds: 2, peers: 20, announceRounds: 2 });
    assert.equal(result.findMs.length, 2);
    assert.equal(result.goodbyeMs.length, 2);
    for (const value of [...result.findMs, ...result.answerMs, ...result.goodbyeMs]) assert.ok(Number.isFinite(value) && value >= 0, String(value));
    assert.equal(result.load.listed, 20, 'every announced peer listed');
    assert.ok(result.load.announcements >= 38, `announcements read: ${result.load.announcements}`);
    assert.ok(result.load.cpuUsPerAnnouncement.p2pchat > 0 && result.load.cpuUsPerAnnouncement.bare > 0);
    assert.ok(result.load.rss.p2pchat > 0 && result.load.rss.bare > 0);
    const rows = discoveryRows(result);
    assert.deepEqual(rows.map((r) => r.figure), ['6. LAN discovery p95', '6. LAN goodbye p95', '6. LAN CPU per announcement', '6. LAN resident set']);
    assert.ok(renderTable(rows).includes('6. LAN discovery p95'));
  });

  it('a run that could not happen is one MISS row that says why', () => {
    const rows = discoveryRows(new Error('cannot set up a test network namespace'));
    assert.deepEqual(rows.map((r) => [r.pass, r.note]), [[false, 'could not run: cannot set up a test network namespace']]);
  });
});
