/**
 * Keeps figure 7 runnable: a tiny round of the history figure against the
 * built CLI. No timing assertions (targets belong to `npm run bench`): it
 * checks that both sides lose nothing and the numbers are sane.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { historyRows, measureHistory } from '../../bench/history.js';
import { renderTable } from '../../bench/table.js';

const positive = (value: number, what: string): void => assert.ok(Number.isFinite(value) && value > 0, `${what} = ${value}`);

describe('history benchmark smoke run', () => {
  it('measures receive with and without history and start-up with a stored history', { timeout: 120_000 }, async () => {
    const options = { messages: 300, senders: 10, rounds: 1, stored: 2000, startupRounds: 1 };
    const result = await measureHistory(options);
    assert.deepEqual(result.receive.lost, { on: 0, off: 0 });
    positive(result.receive.medianRatio, 'receive ratio');
    positive(result.startup.median.full, 'start-up, stored history');
    positive(result.startup.median.empty, 'start-up, empty history');
    assert.ok(result.startup.median.full >= result.startup.median.listeningFull, 'ready comes after listening');
    const rows = historyRows(result, options);
    assert.equal(rows.length, 2);
    assert.match(renderTable(rows), /7\. receive with history/);
  });
});
