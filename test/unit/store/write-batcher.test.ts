import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteBatcher } from '../../../src/store/write-batcher.js';

/** A batcher over an in-test "disk" that can be told to fail; turns and time are driven by hand. */
function harness(options: { maxUnsaved?: number; retryMs?: number; maxDelayMs?: number } = {}) {
  const committed: number[][] = [];
  const failures: unknown[] = [];
  const recoveries: [number, number][] = [];
  const turns: (() => void)[] = [];
  let clock = 0;
  let disk: 'ok' | 'full' = 'ok';
  const batcher = new WriteBatcher<number>({
    commit: (ops) => {
      if (disk === 'full') throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      committed.push([...ops]);
    },
    onFailure: (error) => failures.push(error),
    onRecovery: (saved, dropped) => recoveries.push([saved, dropped]),
    schedule: (flush) => turns.push(flush),
    now: () => clock,
    ...options,
  });
  return {
    batcher,
    committed,
    failures,
    recoveries,
    /** End the current event-loop turn: microtasks first (as in Node), then run what was scheduled. */
    endTurn: async () => {
      await Promise.resolve();
      turns.splice(0).forEach((flush) => flush());
    },
    pendingTurns: () => turns.length,
    setDisk: (state: 'ok' | 'full') => void (disk = state),
    advance: (ms: number) => void (clock += ms),
  };
}

describe('WriteBatcher', () => {
  it('one commit per turn, holding every write of that turn in order; each promise resolves after it', async () => {
    const h = harness();
    const resolved: number[] = [];
    const writes = [1, 2, 3].map((n) => h.batcher.write(n).then(() => resolved.push(n)));
    h.batcher.post(4);
    assert.equal(h.pendingTurns(), 1, 'one flush scheduled for the whole turn');
    await Promise.resolve();
    assert.deepEqual(resolved, [], 'nothing resolves before the commit');
    await h.endTurn();
    await Promise.all(writes);
    assert.deepEqual(h.committed, [[1, 2, 3, 4]]);
    assert.deepEqual(resolved, [1, 2, 3]);
    void h.batcher.write(5);
    await h.endTurn();
    assert.deepEqual(h.committed, [[1, 2, 3, 4], [5]]);
    assert.equal(h.batcher.batches, 2);
  });

  it('flush() commits now (a read sees its own writes) and the scheduled turn then has nothing to do', async () => {
    const h = harness();
    void h.batcher.write(1);
    h.batcher.flush();
    assert.deepEqual(h.committed, [[1]]);
    await h.endTurn();
    assert.deepEqual(h.committed, [[1]]);
  });

  it('a failing disk is reported once, writes still resolve, and the kept ops are saved first when it recovers', async () => {
    const h = harness({ retryMs: 1000 });
    h.setDisk('full');
    const first = h.batcher.write(1);
    await h.endTurn();
    await first;
    assert.equal(h.failures.length, 1);
    assert.equal(h.batcher.failing, true);
    assert.deepEqual(h.batcher.unsaved, [1]);

    // Within the retry pause: no commit is tried, the write resolves at once, nothing is reported again.
    const second = h.batcher.write(2);
    await h.endTurn();
    await second;
    assert.equal(h.batcher.batches, 1);
    assert.deepEqual(h.batcher.unsaved, [1, 2]);

    h.advance(1000);
    void h.batcher.write(3);
    await h.endTurn();
    assert.equal(h.batcher.batches, 2, 'retried after the pause');
    assert.equal(h.failures.length, 1, 'still reported once');

    h.setDisk('ok');
    h.advance(1000);
    void h.batcher.write(4);
    await h.endTurn();
    assert.deepEqual(h.committed, [[1, 2, 3, 4]], 'old ops first, in order');
    assert.deepEqual(h.recoveries, [[3, 0]]);
    assert.equal(h.batcher.failing, false);
    assert.deepEqual(h.batcher.unsaved, []);

    h.setDisk('full');
    void h.batcher.write(5);
    await h.endTurn();
    assert.equal(h.failures.length, 2, 'a new failure after a success is reported again');
  });

  it('keeps at most maxUnsaved ops while failing, dropping the oldest and counting them', async () => {
    const h = harness({ maxUnsaved: 3, retryMs: 0 });
    h.setDisk('full');
    for (let n = 1; n <= 5; n += 1) void h.batcher.write(n);
    await h.endTurn();
    assert.deepEqual(h.batcher.unsaved, [3, 4, 5]);
    assert.equal(h.batcher.dropped, 2);
    h.setDisk('ok');
    h.batcher.flush(true);
    assert.deepEqual(h.committed, [[3, 4, 5]]);
    assert.deepEqual(h.recoveries, [[3, 2]]);
    assert.equal(h.batcher.dropped, 0);
  });

  it('flush(true) retries unsaved ops with nothing new and inside the pause (close saves what it can)', async () => {
    const h = harness({ retryMs: 60_000 });
    h.setDisk('full');
    void h.batcher.write(1);
    await h.endTurn();
    h.batcher.flush();
    assert.equal(h.batcher.batches, 1, 'a plain flush with nothing new does not retry');
    h.setDisk('ok');
    h.batcher.flush(true);
    assert.deepEqual(h.committed, [[1]]);
  });

  it('under a burst the batch stays open while each turn brings more writes, and commits at the first turn with none', async () => {
    const h = harness({ maxDelayMs: 5 });
    const first = h.batcher.write(1);
    await Promise.resolve();
    // Each turn: another write arrives (another connection ended), a tenth of a millisecond later.
    for (let n = 2; n <= 6; n += 1) {
      void h.batcher.write(n);
      h.advance(0.1);
      await h.endTurn();
      assert.deepEqual(h.committed, [], `still open after write ${n}`);
    }
    await h.endTurn();
    await first;
    assert.deepEqual(h.committed, [[1, 2, 3, 4, 5, 6]], 'one transaction for the burst');
    assert.equal(h.pendingTurns(), 0);
  });

  it('a batch held open commits by maxDelayMs after its first write, however long the burst', async () => {
    const h = harness({ maxDelayMs: 5 });
    void h.batcher.write(1);
    await Promise.resolve();
    for (let n = 2; n <= 20; n += 1) {
      h.advance(1);
      void h.batcher.write(n);
      await h.endTurn();
    }
    assert.deepEqual(h.committed[0], [1, 2, 3, 4, 5, 6], 'committed at the turn 5 ms after the first write');
    assert.ok(h.committed.every((batch) => batch.length <= 6), JSON.stringify(h.committed));
    await h.endTurn();
    await h.endTurn();
    assert.deepEqual(h.committed.flat(), Array.from({ length: 20 }, (_, i) => i + 1), 'every write once, in order');
  });

  it('the writes of the callback that opened a batch count as one arrival: a lone message and its peer row commit at the next turn', async () => {
    const h = harness({ maxDelayMs: 5 });
    void h.batcher.write(1);
    h.batcher.post(2);
    await Promise.resolve();
    await h.endTurn();
    assert.deepEqual(h.committed, [[1, 2]]);
  });

  it('maxDelayMs 0 commits at every turn, as a plain per-turn batcher', async () => {
    const h = harness({ maxDelayMs: 0 });
    void h.batcher.write(1);
    void h.batcher.write(2);
    await h.endTurn();
    void h.batcher.write(3);
    await h.endTurn();
    assert.deepEqual(h.committed, [[1, 2], [3]]);
  });
});
