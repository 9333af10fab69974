/**
 * Keeps the store figure of `npm run bench` runnable: the same measurement
 * on 2,000 messages. No timing assertions (targets belong to the bench); it
 * checks that every part runs, the store and the JSONL scan agree, and the
 * numbers are sane.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureStore, storeRows } from '../../../bench/store.js';
import { renderTable } from '../../../bench/table.js';

const positive = (value: number, what: string): void => assert.ok(Number.isFinite(value) && value > 0, `${what} = ${value}`);

describe('store benchmark smoke run', () => {
  it('measures the history figures on 2,000 messages and renders them', { timeout: 90_000 }, async () => {
    const options = { messages: 2000, queries: 20, baselineQueries: 10, openRounds: 3, appends: 500, senders: 10 };
    const result = await measureStore(options);
    assert.equal(result.mismatches, 0, 'the store finds what scanning the JSONL log finds');
    assert.ok(result.search.hits > 0, 'the searches find something');
    positive(result.search.p50, 'search p50');
    assert.ok(result.search.p99 >= result.search.p50);
    positive(result.scan.p50, 'scan p50');
    positive(result.bytesPerMessage.sqlite, 'bytes per message');
    positive(result.bytesPerMessage.jsonl, 'JSONL bytes per message');
    if (process.platform === 'linux') positive(result.rss.full ?? Number.NaN, 'resident set');
    positive(result.open.full, 'open');
    positive(result.append.batched.rate, 'batched rate');
    assert.ok(result.append.batched.batches < options.appends / 2, `batched: ${result.append.batched.batches} transactions for ${options.appends} appends`);
    assert.equal(result.append.serial.batches, options.appends / 5, 'one transaction per message');
    const rows = storeRows(result, options);
    assert.equal(rows.length, 7);
    for (const row of rows) positive(row.p2pchat, row.figure);
    const table = renderTable(rows);
    for (const figure of ['6. /search p50', '6. /search p99', '6. history bytes/message', '6. history resident set', '6. history open', '6. append throughput', '6. stored-before-shown']) {
      assert.ok(table.includes(figure), `table shows ${figure}`);
    }
  });
});
