/** The start-up-without-a-room bench runs, measures both builds, and leaves no copy behind (a smoke test: no timing asserted). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { ROOT } from '../../bench/procs.js';
import { measureRoomsStartup, roomsStartupRows } from '../../bench/rooms-startup.js';

it('bench: start-up without a room against a TCP-only build', { timeout: 60_000 }, async () => {
  const result = await measureRoomsStartup({ rounds: 1 });
  assert.equal(result.withRooms.length, 1);
  assert.equal(result.tcpOnly.length, 1);
  const [row] = roomsStartupRows(result);
  assert.ok(row && Number.isFinite(row.ratio) && (row.ratio ?? 0) > 0, JSON.stringify(row));
  assert.deepEqual(fs.readdirSync(ROOT).filter((name) => name.startsWith('.bench-tcp-only-')), []);
});
