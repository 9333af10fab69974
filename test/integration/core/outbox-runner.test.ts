/**
 * The outbox runner over real loopback sockets: plain TCP's sendMessage to a
 * port that is closed, then opened on the same number. Every port here was
 * opened by the test (listen on 0, read it, close, reuse).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import { Outbox, type OutboxEntry, type OutboxMessage } from '../../../src/core/outbox.js';
import { OutboxRunner, type OutboxRunnerEvents, type OutboxSend } from '../../../src/core/outbox-runner.js';
import { RetrySchedule, type RetryScheduleOptions } from '../../../src/core/retry-schedule.js';
import { parseAddress } from '../../../src/protocol/address.js';
import { openOutbox } from '../../../src/store/outbox-journal.js';
import { sendMessage } from '../../../src/transport/tcp/sender.js';
import { startBlackholes } from '../../helpers/blackhole.js';
import { listenAgain } from '../../helpers/listen-again.js';
import { closedPort } from '../../helpers/net.js';
import { Wakeups, waitUntil } from '../../helpers/wait.js';

/** Plain TCP, as the node will wire it: the entry's line to the entry's `to`. */
function tcpSend(timeoutMs = 2000): OutboxSend {
  return (entry: OutboxEntry) => {
    const address = parseAddress(entry.to);
    if (!address.ok) return Promise.resolve({ ok: false, failure: 'error', error: address.error.detail });
    return sendMessage(address.address, entry.line, { timeoutMs, graceMs: 50 });
  };
}

function message(id: string, port: number): OutboxMessage {
  const text = `message ${id}`;
  return { id, to: `127.0.0.1:${port}`, kind: 'chat', text, line: `127.0.0.1:5000 alice ${text}` };
}

interface Peer {
  /** Each connection's text, with when it ended (performance.now()). */
  readonly received: { text: string; at: number }[];
  readonly changed: Wakeups;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1:`port` and read each connection to its end. */
async function listenOn(t: TestContext, port: number): Promise<Peer> {
  const received: { text: string; at: number }[] = [];
  const changed = new Wakeups(`peer on ${port}`);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('end', () => {
      if (chunks.length > 0) received.push({ text: Buffer.concat(chunks).toString('utf8'), at: performance.now() });
      socket.destroy();
      changed.wake();
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await listenAgain(server, port);
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  };
  t.after(close);
  return { received, changed, close };
}

type Event = { [K in keyof OutboxRunnerEvents]: { type: K } & OutboxRunnerEvents[K][0] }[keyof OutboxRunnerEvents];

/** A runner over a fresh outbox, recording every event; closed after the test. */
function runner(t: TestContext, schedule: RetryScheduleOptions, options: { ttlMs?: number; timeoutMs?: number; outbox?: Outbox } = {}) {
  const outbox = options.outbox ?? new Outbox({ schedule: new RetrySchedule(schedule), ttlMs: options.ttlMs });
  const run = new OutboxRunner(outbox, tcpSend(options.timeoutMs));
  const events: Event[] = [];
  const changed = new Wakeups('runner');
  for (const type of ['sending', 'queued', 'sent', 'gave-up'] as const) {
    run.on(type, (event: object) => {
      events.push({ type, ...event } as Event);
      changed.wake();
    });
  }
  t.after(() => run.close());
  run.start();
  const seen = (): string => JSON.stringify(events.map((e) => `${e.type} ${e.id}`));
  return { run, outbox, events, changed, seen };
}

const texts = (peer: Peer): string[] => peer.received.map((r) => r.text);

describe('OutboxRunner over loopback TCP', () => {
  it('retries a closed port with back-off, and the message arrives with the same id once the peer listens', async (t) => {
    const port = await closedPort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-runner-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'outbox.jsonl');
    const opened = openOutbox({ path: file, schedule: new RetrySchedule({ baseMs: 100, capMs: 400 }) });
    t.after(() => opened.journal?.close());
    const { run, events, changed, seen } = runner(t, {}, { outbox: opened.outbox });
    const journalAtSent: string[] = [];
    run.on('sent', () => journalAtSent.push(fs.readFileSync(file, 'utf8').trim().split('\n').at(-1) ?? ''));

    const queued = run.enqueue(message('m1', port));
    assert.ok(queued.ok);
    assert.equal(events.length, 0, 'no event before enqueue returns');
    await waitUntil(() => events.filter((e) => e.type === 'queued').length >= 2, 5000, seen, changed);
    const failures = events.filter((e) => e.type === 'queued');
    for (const failure of failures) {
      assert.equal(failure.id, 'm1');
      assert.equal(failure.failure, 'refused');
      assert.match(failure.error, new RegExp(`^connection refused: nothing is listening on 127\\.0\\.0\\.1:${port}$`));
      assert.equal(failure.text, 'message m1');
    }
    assert.ok(failures[0] && failures[0].retryInMs >= 100 && failures[0].retryInMs <= 110, `first step ${failures[0]?.retryInMs}`);
    assert.ok(failures[1] && failures[1].retryInMs >= 200 && failures[1].retryInMs <= 220, `second step ${failures[1]?.retryInMs}`);

    const peer = await listenOn(t, port);
    const sent = await waitUntil(() => events.find((e) => e.type === 'sent'), 5000, seen, changed);
    assert.equal(sent.id, 'm1');
    await waitUntil(() => peer.received.length === 1, 5000, () => JSON.stringify(texts(peer)), peer.changed);
    assert.deepEqual(texts(peer), ['127.0.0.1:5000 alice message m1']);
    const attempts = events.filter((e) => e.type === 'sending').map((e) => e.attempt);
    assert.deepEqual(attempts, Array.from({ length: attempts.length }, (_, i) => i + 1));
    assert.ok(sent.type === 'sent' && sent.attempts === attempts.length && sent.attempts >= 3, seen());
    assert.deepEqual(journalAtSent.map((line) => JSON.parse(line)), [['s', 'm1']], 'recorded before the event');
    assert.equal(run.outbox.size, 0);
    assert.equal(run.outbox.nextWakeAt(), null);
  });

  it('a sign of life retries at once, far sooner than the next back-off step', async (t) => {
    const port = await closedPort();
    const { run, events, changed, seen } = runner(t, { baseMs: 30_000, capMs: 60_000 });
    run.enqueue(message('m1', port));
    const failure = await waitUntil(() => events.find((e) => e.type === 'queued'), 5000, seen, changed);
    assert.ok(failure.type === 'queued' && failure.retryInMs >= 30_000, seen());
    const peer = await listenOn(t, port);
    // Listening alone changes nothing: the back-off holds for 30 s.
    await delay(300);
    assert.deepEqual(texts(peer), []);
    const woke = performance.now();
    assert.equal(run.wake(`127.0.0.1:${port}`), true);
    await waitUntil(() => peer.received.length === 1, 10_000, () => JSON.stringify(texts(peer)), peer.changed);
    const ms = (peer.received[0]?.at ?? Infinity) - woke;
    assert.ok(ms < 5000, `arrived ${ms.toFixed(0)} ms after the wake; the next step was ${failure.retryInMs} ms`);
    await waitUntil(() => events.find((e) => e.type === 'sent'), 5000, seen, changed);
    assert.equal(run.outbox.failuresOf(`127.0.0.1:${port}`), 0);
    assert.equal(run.wake('127.0.0.1:1'), false, 'a peer with nothing queued');
  });

  it('twenty messages wait behind a failing head and arrive in order, each once', async (t) => {
    const port = await closedPort();
    const { run, events, changed, seen } = runner(t, { baseMs: 50, capMs: 200 });
    const ids = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const results = run.enqueueMany(ids.map((id) => message(id, port)));
    assert.deepEqual(results.map((r) => r.ok && r.ahead), ids.map((_, i) => i));
    await waitUntil(() => events.filter((e) => e.type === 'queued').length >= 3, 5000, seen, changed);
    assert.deepEqual([...new Set(events.map((e) => e.id))], ['m00'], 'only the head was tried while the peer was away');

    const peer = await listenOn(t, port);
    await waitUntil(() => peer.received.length >= 20, 10_000, () => JSON.stringify(texts(peer)), peer.changed);
    await waitUntil(() => events.filter((e) => e.type === 'sent').length === 20, 5000, seen, changed);
    assert.deepEqual(texts(peer), ids.map((id) => `127.0.0.1:5000 alice message ${id}`));
    assert.deepEqual(events.filter((e) => e.type === 'sent').map((e) => e.id), ids);
    await delay(100);
    assert.equal(peer.received.length, 20, 'nothing twice');
  });

  it('cancels a waiting message; the rest still arrives in order', async (t) => {
    const port = await closedPort();
    const { run, events, changed, seen } = runner(t, { baseMs: 100, capMs: 200 });
    run.enqueueMany(['m1', 'm2', 'm3'].map((id) => message(id, port)));
    await waitUntil(() => events.find((e) => e.type === 'queued'), 5000, seen, changed);
    const cancelled = run.cancel('m2');
    assert.ok(cancelled.ok);
    assert.equal(cancelled.entry.text, 'message m2');
    assert.equal(run.cancel('m2').ok, false);
    assert.deepEqual(run.outbox.list().map((e) => e.id), ['m1', 'm3']);
    const peer = await listenOn(t, port);
    await waitUntil(() => peer.received.length >= 2, 10_000, () => JSON.stringify(texts(peer)), peer.changed);
    await waitUntil(() => events.filter((e) => e.type === 'sent').length === 2, 5000, seen, changed);
    assert.deepEqual(texts(peer), ['127.0.0.1:5000 alice message m1', '127.0.0.1:5000 alice message m3']);
  });

  it('gives up after the ttl, in order, naming the last failure', async (t) => {
    const port = await closedPort();
    const { run, events, changed, seen } = runner(t, { baseMs: 50, capMs: 100 }, { ttlMs: 500 });
    run.enqueueMany(['m1', 'm2', 'm3'].map((id) => message(id, port)));
    const started = performance.now();
    await waitUntil(() => events.filter((e) => e.type === 'gave-up').length === 3, 5000, seen, changed);
    assert.ok(performance.now() - started >= 450, 'not before the ttl');
    const gaveUp = events.filter((e) => e.type === 'gave-up');
    assert.deepEqual(gaveUp.map((e) => e.id), ['m1', 'm2', 'm3']);
    for (const e of gaveUp) assert.match(e.error, /^connection refused: nothing is listening on /);
    assert.ok(gaveUp[0]?.type === 'gave-up' && gaveUp[0].attempts >= 3, seen());
    assert.deepEqual(gaveUp.slice(1).map((e) => e.type === 'gave-up' && e.attempts), [0, 0]);
    assert.equal(run.outbox.size, 0);
    assert.equal(run.outbox.nextWakeAt(), null);
  });

  it('peers go in parallel: one that never answers holds up only itself, and its message in flight cannot be cancelled', async (t) => {
    const holes = await startBlackholes(1);
    t.after(() => holes.close());
    const port = await closedPort();
    const peer = await listenOn(t, port);
    const hole = holes.ports[0] as number;
    const { run, events, changed, seen } = runner(t, { baseMs: 60_000, capMs: 60_000 }, { timeoutMs: 1500 });
    run.enqueue(message('stuck', hole));
    run.enqueue(message('later', hole));
    run.enqueue(message('free', port));
    await waitUntil(() => peer.received.length === 1, 5000, () => JSON.stringify(texts(peer)), peer.changed);
    assert.deepEqual(texts(peer), ['127.0.0.1:5000 alice message free']);
    assert.equal(run.outbox.get('stuck')?.sending, true, 'still waiting on the black hole');
    const refused = run.cancel('stuck');
    assert.ok(!refused.ok);
    assert.equal(refused.reason, 'sending');
    const failed = await waitUntil(() => events.find((e) => e.type === 'queued'), 5000, seen, changed);
    assert.ok(failed.type === 'queued' && failed.id === 'stuck' && failed.failure === 'timeout', seen());
    assert.ok(run.cancel('stuck').ok, 'once it settled, it can be');
    assert.deepEqual(run.outbox.list().map((e) => e.id), ['later']);
  });

  it('close() waits for the attempt in flight and starts no other', async (t) => {
    const port = await closedPort();
    const { run, events, changed, seen } = runner(t, { baseMs: 20, capMs: 20, jitter: 0 });
    run.enqueue(message('m1', port));
    await waitUntil(() => events.find((e) => e.type === 'sending'), 5000, seen, changed);
    await run.close();
    assert.equal(run.inFlight, 0);
    const after = events.length;
    await delay(200);
    assert.equal(events.length, after, `no attempt after close: ${seen()}`);
    await run.close();
    assert.equal(run.outbox.size, 1, 'the message stays queued for the next start');
  });

  it('a claimed live send is in the journal, in flight, before its attempt; a crash then finds it queued (in doubt), not lost', async (t) => {
    const holes = await startBlackholes(1);
    t.after(() => holes.close());
    const hole = holes.ports[0] as number;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-runner-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'outbox.jsonl');
    const opened = openOutbox({ path: file, schedule: new RetrySchedule({ baseMs: 60_000, capMs: 60_000 }) });
    t.after(() => opened.journal?.close());
    const { run, events } = runner(t, {}, { outbox: opened.outbox });
    const live = message('live', hole);
    const claimed = run.claim(live);
    assert.ok(claimed.ok && claimed.entry.sending && claimed.entry.attempts === 1, JSON.stringify(claimed));
    // The caller's attempt: to a peer that never answers, so it is still under way when the "crash" comes.
    const attempt = tcpSend(1000)(claimed.entry);
    assert.deepEqual(
      fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as unknown[])[0]),
      ['e', 'a'],
      'enqueue and attempt are on disk before the attempt settles',
    );
    // What a process killed now leaves: replay into a fresh outbox.
    fs.copyFileSync(file, `${file}.copy`);
    const replayed = openOutbox({ path: `${file}.copy` });
    t.after(() => replayed.journal?.close());
    assert.deepEqual(replayed.replay?.inDoubt.map((e) => e.id), ['live'], 'queued again, flagged as one that may arrive twice');
    assert.deepEqual(replayed.outbox.due(Date.now()).map((e) => e.id), ['live'], 'and due for a retry at once');

    assert.deepEqual(run.outbox.due(Date.now()), [], 'the runner does not start an attempt of its own for it');
    assert.equal(run.claim(message('second', hole)).ok, false, 'a second live send to that peer goes behind it instead');
    const result = await attempt;
    assert.ok(!result.ok && result.failure === 'timeout');
    const retryInMs = run.settle('live', result, true);
    assert.ok(retryInMs !== undefined && retryInMs >= 60_000, `queued with its back-off: ${retryInMs}`);
    assert.equal(run.outbox.get('live')?.sending, false);
    assert.equal(run.outbox.get('live')?.lastFailure, 'timeout');
    assert.deepEqual(events, [], 'a claimed attempt is the caller\'s to report');

    const port = await closedPort();
    const peer = await listenOn(t, port);
    const ok = run.claim(message('ok', port));
    assert.ok(ok.ok);
    const sent = await tcpSend()(ok.entry);
    assert.equal(run.settle('ok', sent, false), 0);
    assert.equal(run.outbox.get('ok'), undefined, 'sent: it leaves the outbox');
    await waitUntil(() => peer.received.length === 1, 5000, () => JSON.stringify(texts(peer)), peer.changed);

    const bad = run.claim(message('bad', port));
    assert.ok(bad.ok);
    assert.equal(run.settle('bad', { ok: false, failure: 'error', error: 'a failure waiting cannot cure' }, false), 0);
    assert.equal(run.outbox.get('bad'), undefined, 'dropped, for the caller to report as failed');
    assert.equal(run.outbox.failuresOf(`127.0.0.1:${port}`), 0, 'without counting against the peer');
    assert.equal(run.settle('bad', { ok: true }, false), undefined, 'a second settle changes nothing');
  });
});
