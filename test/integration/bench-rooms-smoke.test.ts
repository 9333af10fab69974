/**
 * Keeps the rooms figures of `npm run bench` runnable: a tiny round inside a
 * namespace with a testnet. No timing assertions (targets belong to the
 * benchmark); it checks that each figure runs, loses nothing and is sane.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureRooms, roomsRows } from '../../bench/rooms.js';
import { renderTable } from '../../bench/table.js';

describe('rooms benchmark smoke run', () => {
  it('measures join, latency and throughput on a small scale', { timeout: 90_000 }, async () => {
    const options = { joins: 2, messages: 20, warmup: 5, throughput: 300, tcpConcurrency: 10 };
    const r = await measureRooms(options);
    assert.equal(r.join.rounds, 2);
    assert.ok(r.join.median > 0 && r.join.p95 >= r.join.median, JSON.stringify(r.join));
    assert.deepEqual([r.latency.room.lost, r.latency.tcp.lost], [0, 0]);
    assert.ok(r.latency.room.p50 > 0 && r.latency.room.p99 >= r.latency.room.p50, JSON.stringify(r.latency));
    assert.ok(r.latency.room.ackedP50 >= r.latency.room.p50, 'the ack comes after the message');
    assert.deepEqual([r.throughput.room.received, r.throughput.room.delivered], [300, 300]);
    assert.deepEqual([r.throughput.tcp.received, r.throughput.tcp.failed], [300, 0]);
    const rows = roomsRows(r, options);
    assert.deepEqual(rows.map((row) => row.figure), ['6. room join', '6. room latency p50', '6. room latency p99', '6. room throughput']);
    assert.match(renderTable(rows), /6\. room throughput/);
  });
});
