/**
 * Keeps figure 6 of `npm run bench` (the outbox) runnable: a small round of
 * it against the built outbox. No timing assertions (the speed targets
 * belong to the benchmark); it checks that each part runs, loses nothing,
 * sends the right message and yields sane numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureOutbox, outboxRows } from '../../bench/outbox.js';
import { renderTable } from '../../bench/table.js';

const positive = (value: number, what: string): void => assert.ok(Number.isFinite(value) && value > 0, `${what} = ${value}`);

describe('benchmark smoke run: outbox', () => {
  it('measures figure 6 on a small scale and renders its rows', { timeout: 120_000 }, async () => {
    const options = { messages: 2000, peers: 10, wakes: 2, startupRounds: 1, drain: 100, drainRounds: 1, settleMs: 1000 };
    const r = await measureOutbox(options);
    assert.equal(r.wake.ms.length, 2);
    for (const ms of r.wake.ms) positive(ms, 'wake to arrival');
    assert.equal(r.wake.rightMessage, 2, "each returning peer got its first queued message");
    assert.equal(r.drain.lost, 0);
    positive(r.drain.outbox[0] ?? Number.NaN, 'drain rate');
    positive(r.drain.live[0] ?? Number.NaN, 'live rate');
    assert.deepEqual([r.startup.fullMs.length, r.startup.emptyMs.length, r.startup.churnMs.length], [1, 1, 1]);
    positive(r.startup.replayMs, 'replay');
    assert.ok(r.journal.churnCompactions > 0 && r.journal.churnBytes < r.journal.fullBytes, JSON.stringify(r.journal));
    if (process.platform === 'linux') {
      positive(r.rss.full ?? Number.NaN, 'resident set');
      assert.ok((r.rss.peak ?? 0) >= (r.rss.full ?? Infinity), 'the peak is at least the settled figure');
    }
    const rows = outboxRows(r, options);
    assert.equal(rows.length, 4);
    for (const row of rows) positive(row.p2pchat, row.figure);
    const table = renderTable(rows);
    for (const figure of ['6. outbox resident set', '6. outbox start-up after churn', '6. outbox returning peer', '6. outbox drain']) {
      assert.ok(table.includes(figure), `table shows ${figure}`);
    }
  });
});
