/**
 * Keeps figure 6b of `npm run bench` (the outbox through the CLI) runnable:
 * a small round of it. No timing assertions; exact counts and order only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { measureOutboxCli, outboxCliRows } from '../../bench/outbox-cli.js';

describe('benchmark smoke run: outbox through the CLI', () => {
  it('measures figure 6b on a small scale with exact counts', { timeout: 120_000 }, async () => {
    const options = { peers: 20, unresponsive: 4, timeoutMs: 1000, drain: 50, wakes: 1, startupMessages: 2000, startupRounds: 1 };
    const r = await measureOutboxCli(options);
    assert.deepEqual([r.all.sent, r.all.queued, r.all.failed, r.all.skipped], [16, 4, 0, 0]);
    assert.equal(r.wake.ms.length, 1);
    assert.ok(r.drain.outbox > 0 && r.drain.live > 0, JSON.stringify(r.drain));
    assert.ok(r.startup.fullReady > 0 && r.startup.emptyReady > 0, JSON.stringify(r.startup));
    assert.ok(r.startup.fullLoaded >= r.startup.fullReady, JSON.stringify(r.startup));
    assert.equal(outboxCliRows(r, options).length, 4);
  });
});
