/**
 * Slow clients against the built CLI, with small injected limits
 * (--idle-timeout 2000 --message-deadline 4000): 1,000 silent connections and
 * 100 that trickle a byte a second. Valid messages sent meanwhile arrive
 * within 1 s; the silent ones are closed by the idle timeout, the tricklers by
 * the deadline. Then, with --max-connections 100, a flood of 300 idle
 * connections does not lock out a real sender: the idlest make room.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { delay, loggedTexts, rawSend, report, startSinks, tempDir, type Sinks } from './support.js';

const SILENT = 1000;
const TRICKLERS = 100;
const IDLE_MS = 2000;
const DEADLINE_MS = 4000;

const temp = tempDir('slow');
const opened: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

interface Held {
  readonly socket: net.Socket;
  /** Stamped before connecting: the server's timer cannot start earlier, so an age from here is never short. */
  readonly openedAt: number;
  /** Stamped once connected: the latest the client knows of; ages from here bound how late a close came. */
  readonly connectedAt: number;
  closedAt?: number;
}

/** Open `count` connections, `batch` at a time, keeping them open; each records when it was opened, connected and closed. */
async function hold(port: number, count: number, batch = 100): Promise<Held[]> {
  const held: Held[] = [];
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const openedAt = performance.now();
        const socket = net.connect({ host: '127.0.0.1', port });
        socket.on('error', () => undefined);
        socket.resume();
        await once(socket, 'connect');
        const entry: Held = { socket, openedAt, connectedAt: performance.now() };
        socket.once('close', () => (entry.closedAt = performance.now()));
        held.push(entry);
      }),
    );
  }
  opened.push(() => held.forEach((h) => h.socket.destroy()));
  return held;
}

/** Send a valid message; resolve with the ms until the peer reported it. */
async function latency(peer: HeadlessPeer, claim: string, text: string): Promise<number> {
  const started = performance.now();
  const arrived = peer.waitFor((e) => e.type === 'message' && e.text === text, 10_000);
  await rawSend(peer.port, `${claim} Prompt ${text}`);
  await arrived;
  return performance.now() - started;
}

test('slow clients: 1,000 silent + 100 trickling; a valid message still arrives within 1 s', { timeout: 120_000 }, async () => {
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, 'slow.log');
  const peer = await startHeadlessPeer({
    name: 'Target',
    args: ['--log', logFile, '--idle-timeout', String(IDLE_MS), '--message-deadline', String(DEADLINE_MS), '--max-connections', '2000'],
  });
  opened.push(() => peer.stop());

  const silent = await hold(peer.port, SILENT);
  const tricklers = await hold(peer.port, TRICKLERS);
  const line = Buffer.from(`${claim} Trickler this message never ends `);
  let sentBytes = 0;
  const trickle = setInterval(() => {
    for (const t of tricklers) {
      if (t.closedAt !== undefined) continue;
      t.socket.write(line.subarray(sentBytes % line.length, (sentBytes % line.length) + 1));
    }
    sentBytes += 1;
  }, 1000);
  opened.push(() => clearInterval(trickle));
  const start = Math.min(...silent.map((h) => h.openedAt));

  // Valid messages while every slow connection is open, and while they are being closed.
  const latencies: number[] = [];
  latencies.push(await latency(peer, claim, 'meanwhile 1'));
  await delay(1000);
  latencies.push(await latency(peer, claim, 'meanwhile 2'));
  await delay(Math.max(0, start + IDLE_MS - performance.now()));
  latencies.push(await latency(peer, claim, 'meanwhile 3 (idle closes)'));
  await delay(Math.max(0, start + DEADLINE_MS + 100 - performance.now()));
  latencies.push(await latency(peer, claim, 'meanwhile 4 (deadline closes)'));

  const isIdleDrop = (e: JsonEvent): boolean => e.type === 'dropped' && e.reason === 'idle' && String(e.detail).includes(`no data for ${IDLE_MS} ms`);
  const isDeadline = (e: JsonEvent): boolean =>
    e.type === 'rejected' && e.reason === 'timed-out' && String(e.detail).includes(`incomplete after ${DEADLINE_MS} ms`);
  await peer.waitForCount(isIdleDrop, SILENT, 20_000);
  await peer.waitForCount(isDeadline, TRICKLERS, 20_000);
  clearInterval(trickle);
  const closedInTime = async (list: Held[]): Promise<void> => {
    const end = performance.now() + 5000;
    while (list.some((h) => h.closedAt === undefined) && performance.now() < end) await delay(50);
  };
  await closedInTime(silent);
  await closedInTime(tricklers);
  // Shortest age from before the connect (never less than the server's own timer);
  // longest from after it (the server closes up to one sweep late, plus a busy 2-core machine's lag).
  const shortest = (list: Held[]): number => Math.min(...list.map((h) => (h.closedAt ?? Infinity) - h.openedAt));
  const longest = (list: Held[]): number => Math.max(...list.map((h) => (h.closedAt ?? Infinity) - h.connectedAt));
  const silentMin = shortest(silent);
  const silentMax = longest(silent);
  const trickleMin = shortest(tricklers);
  const trickleMax = longest(tricklers);

  assert.ok(Math.max(...latencies) < 1000, `latencies ${latencies.map(Math.round).join(', ')} ms`);
  assert.equal(peer.events.filter(isIdleDrop).length, SILENT);
  assert.equal(peer.events.filter(isDeadline).length, TRICKLERS);
  // Silent ones go by the idle timeout, never before it and well before the deadline (the sweep,
  // a tenth of the idle timeout, leaves 1.8 s of margin); tricklers by the deadline, not before.
  // The 1 ms is for rounding between the two processes' clocks, not for lateness.
  assert.ok(silentMin >= IDLE_MS - 1, `a silent connection closed after ${silentMin} ms`);
  assert.ok(silentMax < DEADLINE_MS, `a silent connection lived ${silentMax} ms`);
  assert.ok(trickleMin >= DEADLINE_MS - 1 && trickleMax < DEADLINE_MS + 3000, `tricklers closed between ${trickleMin} and ${trickleMax} ms`);

  assert.equal(await peer.quit(), 0);
  const logged = loggedTexts(logFile);
  assert.equal(logged.size, 4);
  assert.ok([...logged.values()].every((n) => n === 1));
  report(
    `slow clients: ${SILENT} silent + ${TRICKLERS} trickling 1 byte/s: 4/4 valid messages arrived in ${latencies.map(Math.round).join(', ')} ms (limit 1000); ` +
      `${SILENT}/${SILENT} silent closed by the idle timeout (${IDLE_MS} ms; at least ${Math.round(silentMin)} ms from the connect call, at most ${Math.round(silentMax)} ms from connected), ` +
      `${TRICKLERS}/${TRICKLERS} tricklers by the deadline (${DEADLINE_MS} ms; at least ${Math.round(trickleMin)}, at most ${Math.round(trickleMax)} ms); 4/4 logged once`,
  );
});

test('slow clients: at --max-connections 100, 300 idle connections make room for a real sender', { timeout: 60_000 }, async () => {
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, 'cap.log');
  const peer = await startHeadlessPeer({ name: 'Capped', args: ['--log', logFile, '--max-connections', '100'] });
  opened.push(() => peer.stop());

  const flood = await hold(peer.port, 300, 50);
  const isEvicted = (e: JsonEvent): boolean => e.type === 'dropped' && e.reason === 'capacity';
  await peer.waitForCount(isEvicted, 200, 10_000);
  const ms = await latency(peer, claim, 'through the flood');
  const evicted = peer.events.filter(isEvicted).length;
  const stillOpen = flood.filter((h) => h.closedAt === undefined).length;
  assert.ok(ms < 1000, `took ${ms} ms`);
  assert.ok(evicted >= 200, `${evicted} evicted`);
  assert.ok(stillOpen <= 100, `${stillOpen} flood connections still open`);
  assert.equal(await peer.quit(), 0);
  assert.equal(loggedTexts(logFile).get('through the flood'), 1);
  report(`eviction: 300 idle connections at --max-connections 100: ${evicted} evicted as idlest (reason capacity), ${stillOpen} left open, a valid message arrived in ${Math.round(ms)} ms and was logged once`);
});
