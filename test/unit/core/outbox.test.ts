import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Outbox, type OutboxMessage, type OutboxOp } from '../../../src/core/outbox.js';
import { RetrySchedule } from '../../../src/core/retry-schedule.js';
import type { MessageKind } from '../../../src/protocol/line.js';

const A = '127.0.0.1:5001';
const B = '127.0.0.1:5002';

function message(id: string, to = A, text = `text of ${id}`, kind: MessageKind = 'chat'): OutboxMessage {
  return { id, to, kind, text, line: `127.0.0.1:5000 alice ${text}` };
}

/** No jitter: the delays are exactly 1 s, 2 s, 4 s … */
function outbox(options: { ttlMs?: number; maxEntries?: number } = {}): { box: Outbox; ops: OutboxOp[] } {
  const box = new Outbox({ schedule: new RetrySchedule({ random: () => 0 }), ...options });
  const ops: OutboxOp[] = [];
  box.onOps = (batch) => ops.push(...batch);
  return { box, ops };
}

const ids = (entries: readonly { id: string }[]): string[] => entries.map((e) => e.id);

describe('Outbox: queueing', () => {
  it('queues a message, due at once, and says how many are ahead', () => {
    const { box, ops } = outbox();
    const first = box.enqueue(message('m1'), 1000);
    const second = box.enqueue(message('m2'), 1001);
    assert.ok(first.ok && second.ok);
    assert.equal(first.ahead, 0);
    assert.equal(second.ahead, 1);
    assert.deepEqual(
      { ...first.entry },
      { id: 'm1', to: A, kind: 'chat', text: 'text of m1', line: '127.0.0.1:5000 alice text of m1', createdAt: 1000, attempts: 0, nextAt: 1000, lastError: null, lastFailure: null, sending: false },
    );
    assert.deepEqual(ids(box.due(1001)), ['m1']);
    assert.equal(box.size, 2);
    assert.equal(box.peerCount, 1);
    assert.deepEqual(ops.map((op) => op.op), ['enqueue', 'enqueue']);
  });

  it('refuses exit, a duplicate id, a malformed message and a full outbox, changing nothing', () => {
    const { box, ops } = outbox({ maxEntries: 2 });
    assert.ok(box.enqueue(message('m1'), 1).ok);
    const cases: [OutboxMessage, string, RegExp][] = [
      [message('x', B, 'exit', 'exit'), 'exit-not-queued', /an exit is never queued: telling 127\.0\.0\.1:5002 we left/],
      [message('m1', B), 'duplicate-id', /message m1 is already queued/],
      [message('', B), 'invalid', /needs a non-empty id/],
      [{ ...message('y'), to: '' }, 'invalid', /message y has no recipient/],
      [{ ...message('y'), line: '' }, 'invalid', /message y has an empty line/],
      [{ ...message('y'), kind: 'shout' as MessageKind }, 'invalid', /kind "shout", not chat, hello or connect/],
      [null as unknown as OutboxMessage, 'invalid', /not a message/],
    ];
    for (const [input, reason, detail] of cases) {
      const result = box.enqueue(input, 2);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.reason, reason);
      assert.match(result.detail, detail);
    }
    assert.ok(box.enqueue(message('m2'), 3).ok);
    const full = box.enqueue(message('m3'), 4);
    assert.ok(!full.ok);
    assert.equal(full.reason, 'full');
    assert.match(full.detail, /already holds 2 messages; m3 was not queued/);
    assert.equal(box.size, 2);
    assert.deepEqual(ops.map((op) => op.op), ['enqueue', 'enqueue']);
  });

  it('keeps connect and hello', () => {
    const { box } = outbox();
    assert.ok(box.enqueue(message('c', A, 'connect', 'connect'), 1).ok);
    assert.ok(box.enqueue(message('h', B, 'hello', 'hello'), 1).ok);
  });

  it('enqueueMany tells the journal once', () => {
    const { box } = outbox();
    const batches: number[] = [];
    box.onOps = (ops) => batches.push(ops.length);
    const results = box.enqueueMany([message('m1', A), message('m2', B), message('m2', B), message('x', A, 'exit', 'exit')], 5);
    assert.deepEqual(results.map((r) => r.ok), [true, true, false, false]);
    assert.deepEqual(batches, [2]);
  });

  it('hands out copies: changing one changes nothing', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 1);
    const [entry] = box.list();
    (entry as { attempts: number }).attempts = 99;
    assert.equal(box.get('m1')?.attempts, 0);
  });

  it('rejects a bad ttl or size', () => {
    assert.throws(() => new Outbox({ ttlMs: 0 }), { name: 'RangeError', message: /ttlMs must be a positive number of ms, not 0/ });
    assert.throws(() => new Outbox({ maxEntries: 1.5 }), { name: 'RangeError', message: /maxEntries must be a positive integer, not 1.5/ });
  });
});

describe('Outbox: per-peer order, back-off, signs of life', () => {
  it('only the head of each peer is due, peers independently', () => {
    const { box } = outbox();
    box.enqueue(message('a1', A), 1);
    box.enqueue(message('a2', A), 1);
    box.enqueue(message('b1', B), 1);
    assert.deepEqual(ids(box.due(2)), ['a1', 'b1']);
    assert.equal(box.markSending('a2'), undefined, 'a later message never overtakes');
    assert.equal(box.markSending('a1')?.attempts, 1);
    assert.equal(box.markSending('a1'), undefined, 'one in flight per peer');
    assert.deepEqual(ids(box.due(2)), ['b1'], 'the head in flight is not due');
  });

  it('a failed head blocks the rest; back-off 1 s, 2 s, 4 s; a success resets it and the next goes at once', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 0);
    box.enqueue(message('m2'), 0);
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 3; i += 1) {
      box.markSending('m1');
      delays.push(box.markFailed('m1', 'connection refused', now, 'refused') as number);
      assert.deepEqual(box.due(now + (delays[i] as number) - 1), [], 'nothing before its time, m2 neither');
      now += delays[i] as number;
      assert.deepEqual(ids(box.due(now)), ['m1']);
    }
    assert.deepEqual(delays, [1000, 2000, 4000]);
    assert.equal(box.failuresOf(A), 3);
    const head = box.get('m1');
    assert.deepEqual([head?.attempts, head?.lastError, head?.lastFailure, head?.nextAt], [3, 'connection refused', 'refused', 7000]);
    box.markSending('m1');
    assert.equal(box.markSent('m1')?.attempts, 4);
    assert.equal(box.failuresOf(A), 0);
    assert.deepEqual(ids(box.due(now)), ['m2']);
    box.markSending('m2');
    assert.equal(box.markFailed('m2', 'refused', now), 1000, 'the back-off starts again');
  });

  it('wake: a sign of life makes the head due at once and resets the back-off', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 0);
    for (let i = 0; i < 4; i += 1) {
      box.markSending('m1');
      box.markFailed('m1', 'refused', i * 100_000);
    }
    assert.equal(box.get('m1')?.nextAt, 300_000 + 8000);
    assert.deepEqual(box.due(300_001), []);
    assert.equal(box.wake(A, 300_001), true);
    assert.deepEqual(ids(box.due(300_001)), ['m1']);
    assert.equal(box.failuresOf(A), 0);
    assert.equal(box.wake(A, 300_002), false, 'already due');
    assert.equal(box.wake(B, 300_002), false, 'nothing queued for B');
    box.markSending('m1');
    assert.equal(box.markFailed('m1', 'refused', 300_003), 1000);
  });

  it('wake while in flight: if that attempt fails, try again at once', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 0);
    box.markSending('m1');
    box.markFailed('m1', 'refused', 0);
    box.markSending('m1');
    assert.equal(box.wake(A, 10), false);
    assert.equal(box.markFailed('m1', 'refused', 20), 0);
    assert.deepEqual(ids(box.due(20)), ['m1']);
    box.markSending('m1');
    assert.equal(box.markFailed('m1', 'refused', 30), 1000, 'the next failure backs off from the first step');
  });

  it('a head whose time lies beyond any back-off step is due: the clock went back', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 10_000_000);
    box.markSending('m1');
    box.markFailed('m1', 'refused', 10_000_000);
    assert.deepEqual(box.due(10_000_500), []);
    assert.deepEqual(ids(box.due(1_000)), ['m1'], 'an hour-scale jump back does not strand it');
  });

  it('markSent and markFailed ignore an unknown id or one that is not the head', () => {
    const { box, ops } = outbox();
    box.enqueue(message('m1'), 0);
    box.enqueue(message('m2'), 0);
    assert.equal(box.markSent('nope'), undefined);
    assert.equal(box.markSent('m2'), undefined);
    assert.equal(box.markFailed('m2', 'x', 0), undefined);
    assert.equal(box.markFailed('nope', 'x', 0), undefined);
    assert.equal(box.size, 2);
    assert.equal(ops.length, 2);
  });
});

describe('Outbox: cancel and give up', () => {
  it('cancels a waiting message; not one in flight, not an unknown one', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 0);
    box.enqueue(message('m2'), 0);
    box.enqueue(message('m3'), 0);
    box.markSending('m1');
    const busy = box.cancel('m1');
    assert.ok(!busy.ok);
    assert.equal(busy.reason, 'sending');
    assert.match(busy.detail, /m1 is being sent right now and cannot be taken back/);
    const unknown = box.cancel('zz');
    assert.ok(!unknown.ok);
    assert.equal(unknown.reason, 'unknown');
    assert.match(unknown.detail, /no queued message "zz"/);
    const middle = box.cancel('m2');
    assert.ok(middle.ok);
    assert.equal(middle.entry.id, 'm2');
    box.markSent('m1');
    assert.deepEqual(ids(box.list()), ['m3']);
  });

  it('cancelling a failing head hands its wait to the next message', () => {
    const { box } = outbox();
    box.enqueue(message('m1'), 0);
    box.enqueue(message('m2'), 0);
    box.markSending('m1');
    box.markFailed('m1', 'refused', 0);
    assert.ok(box.cancel('m1').ok);
    assert.deepEqual(box.due(999), [], 'the peer is still away: m2 waits the same back-off');
    assert.deepEqual(ids(box.due(1000)), ['m2']);
    assert.ok(box.cancel('m2').ok);
    assert.equal(box.peerCount, 0);
  });

  it('gives up from the front of each queue once the ttl has passed, skipping one in flight', () => {
    const { box, ops } = outbox({ ttlMs: 1000 });
    box.enqueue(message('a1', A), 0);
    box.enqueue(message('a2', A), 500);
    box.enqueue(message('b1', B), 0);
    box.markSending('a1');
    box.markFailed('a1', 'connection refused', 10, 'refused');
    box.markSending('b1');
    assert.deepEqual(box.expire(999), []);
    const gone = box.expire(1000);
    assert.deepEqual(ids(gone), ['a1'], 'a2 is younger, b1 is in flight');
    assert.equal(gone[0]?.lastError, 'connection refused');
    assert.equal(gone[0]?.attempts, 1);
    assert.deepEqual(ids(box.expire(1500, 1000)), ['a2']);
    assert.deepEqual(ids(box.expire(5000, 10_000)), []);
    assert.deepEqual(ids(box.expire(20_000, 10_000)), [], 'b1 still in flight');
    box.markFailed('b1', 'timed out', 20_000, 'timeout');
    assert.deepEqual(ids(box.expire(20_000, 10_000)), ['b1']);
    assert.equal(ops.filter((op) => op.op === 'gave-up').length, 3);
  });

  it('nextWakeAt: the earliest attempt or give-up among heads not in flight', () => {
    const { box } = outbox({ ttlMs: 60_000 });
    assert.equal(box.nextWakeAt(), null);
    box.enqueue(message('a1', A), 100);
    assert.equal(box.nextWakeAt(), 100);
    box.markSending('a1');
    assert.equal(box.nextWakeAt(), null, 'only head in flight: its settle wakes us');
    box.markFailed('a1', 'refused', 200);
    assert.equal(box.nextWakeAt(), 1200);
    for (let i = 0; i < 8; i += 1) {
      box.markSending('a1');
      box.markFailed('a1', 'refused', 1000 * i);
    }
    assert.equal(box.nextWakeAt(), 60_100, 'the give-up (100 + 60 s) comes before the capped step (7 s + 60 s)');
    assert.equal(box.nextWakeAt(1000), 1100);
  });
});

describe('Outbox: operations replay to the same state', () => {
  it('apply refuses operations that do not fit, changing nothing', () => {
    const box = new Outbox();
    const bad: OutboxOp[] = [
      { op: 'sent', id: 'nope' },
      { op: 'attempt', id: 'nope' },
      { op: 'failed', id: 'nope', error: 'x', failure: 'error', nextAt: 1, failures: 1 },
      { op: 'cancel', id: 'nope' },
      { op: 'gave-up', id: 'nope' },
      { op: 'backoff', to: A, failures: 3 },
      { op: 'enqueue', id: 'e', to: A, kind: 'exit', text: 'exit', line: 'x exit', at: 1 },
      { op: 'bogus' } as unknown as OutboxOp,
    ];
    for (const op of bad) assert.equal(box.apply(op), false, JSON.stringify(op));
    assert.equal(box.size, 0);
  });

  it('recoverInFlight returns what was mid-send when the process died, and clears the mark', () => {
    const { box, ops } = outbox();
    box.enqueue(message('m1', A), 0);
    box.enqueue(message('b1', B), 0);
    box.markSending('m1');
    const replayed = new Outbox();
    for (const op of ops) replayed.apply(op);
    assert.equal(replayed.get('m1')?.sending, true);
    const recovered = replayed.recoverInFlight();
    assert.deepEqual(ids(recovered), ['m1']);
    assert.equal(recovered[0]?.attempts, 1);
    assert.equal(replayed.get('m1')?.sending, false);
    assert.deepEqual(ids(replayed.due(0)), ['m1', 'b1']);
  });

  // A random life of an outbox: the ops it emitted, and its compacted ops,
  // must both rebuild exactly its state; and what was sent to each peer is
  // the order it was queued in, minus what was cancelled or given up.
  type Step =
    | { kind: 'enqueue'; peer: number }
    | { kind: 'start' }
    | { kind: 'settle'; ok: boolean; peer: number }
    | { kind: 'wake'; peer: number }
    | { kind: 'cancel'; pick: number }
    | { kind: 'tick'; ms: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('enqueue' as const), peer: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('start' as const) }),
    fc.record({ kind: fc.constant('settle' as const), ok: fc.boolean(), peer: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('wake' as const), peer: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  );
  const peerOf = (n: number): string => `127.0.0.1:${6000 + n}`;

  it('a random life: replayed ops and compacted ops rebuild it; per-peer order holds', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 120 }), fc.integer({ min: 1, max: 2 ** 31 }), (steps, seed) => {
        let x = seed;
        const random = (): number => {
          x = (x * 1103515245 + 12345) % 2 ** 31;
          return x / 2 ** 31;
        };
        const box = new Outbox({ schedule: new RetrySchedule({ random }), ttlMs: 60_000 });
        const ops: OutboxOp[] = [];
        box.onOps = (batch) => ops.push(...batch);
        let now = 1_000;
        let next = 0;
        const queued = new Map<string, string[]>();
        const sent = new Map<string, string[]>();
        const dropped = new Set<string>();
        const woken = new Set<string>();
        for (const s of steps) {
          switch (s.kind) {
            case 'enqueue': {
              const id = `m${next++}`;
              if (box.enqueue(message(id, peerOf(s.peer)), now).ok) queued.set(peerOf(s.peer), [...(queued.get(peerOf(s.peer)) ?? []), id]);
              break;
            }
            case 'start':
              for (const entry of box.due(now)) box.markSending(entry.id);
              break;
            case 'settle': {
              const head = box.queueOf(peerOf(s.peer))[0];
              if (!head?.sending) break;
              if (s.ok) {
                box.markSent(head.id);
                sent.set(head.to, [...(sent.get(head.to) ?? []), head.id]);
              } else box.markFailed(head.id, 'refused', now, 'refused');
              break;
            }
            case 'wake':
              box.wake(peerOf(s.peer), now);
              woken.add(peerOf(s.peer));
              break;
            case 'cancel': {
              const all = box.list();
              const pick = all[s.pick % Math.max(1, all.length)];
              if (pick && box.cancel(pick.id).ok) dropped.add(pick.id);
              break;
            }
            case 'tick':
              now += s.ms;
              for (const entry of box.expire(now)) dropped.add(entry.id);
              break;
          }
          // Invariant: at most one in flight per peer, and only a head.
          for (let p = 0; p < 4; p += 1) {
            const queue = box.queueOf(peerOf(p));
            assert.ok(queue.slice(1).every((e) => !e.sending), 'only a head is ever in flight');
          }
        }
        // A wake is not journaled (it only brings a retry forward, and a
        // restart retries what is due anyway): replay equals the live outbox
        // but for retry times, which a replay may only put later.
        const withoutTimes = (list: ReturnType<Outbox['list']>): unknown[] =>
          list.map((entry) => {
            if (!woken.has(entry.to)) return entry;
            const { nextAt: _nextAt, ...rest } = entry;
            return rest;
          });
        const notEarlier = (rebuilt: Outbox): void =>
          rebuilt.list().forEach((entry, i) => assert.ok(entry.nextAt >= (box.list()[i]?.nextAt ?? 0), `replayed ${entry.id} retries earlier than live`));
        const replayed = new Outbox();
        for (const op of ops) assert.ok(replayed.apply(op), `replay refused ${JSON.stringify(op)}`);
        assert.deepEqual(withoutTimes(replayed.list()), withoutTimes(box.list()));
        notEarlier(replayed);
        const compacted = new Outbox();
        for (const op of box.compactOps()) assert.ok(compacted.apply(op), `compacted replay refused ${JSON.stringify(op)}`);
        assert.deepEqual(withoutTimes(compacted.list()), withoutTimes(box.list()));
        notEarlier(compacted);
        for (let p = 0; p < 4; p += 1) {
          // A wake also resets the back-off count live, and it is not journaled.
          assert.ok(compacted.failuresOf(peerOf(p)) >= box.failuresOf(peerOf(p)));
          assert.ok(replayed.failuresOf(peerOf(p)) >= box.failuresOf(peerOf(p)));
          if (!woken.has(peerOf(p))) {
            assert.equal(compacted.failuresOf(peerOf(p)), box.failuresOf(peerOf(p)));
            assert.equal(replayed.failuresOf(peerOf(p)), box.failuresOf(peerOf(p)));
          }
          const expected = (queued.get(peerOf(p)) ?? []).filter((id) => !dropped.has(id));
          const delivered = sent.get(peerOf(p)) ?? [];
          assert.deepEqual(delivered, expected.slice(0, delivered.length), 'sent in the order queued');
          assert.deepEqual(ids(box.queueOf(peerOf(p))), expected.slice(delivered.length), 'the rest waits in order');
        }
      }),
      { numRuns: 300 },
    );
  });
});
