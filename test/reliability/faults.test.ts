/**
 * Faults. Quitting the built CLI with 100 known peers, 20 of them unresponsive
 * (accept queue full, SYNs dropped): finishes within the timeout + 2 s and
 * reports exactly 80 notified, 20 failed. Then each sender fault on its own:
 * refused, reset, accept-and-never-read (small: complete, as PROTOCOL.md says;
 * larger than the socket buffers: timeout), and a silent peer: each ends in a
 * clear failure within the timeout.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { sendMessage } from '../../src/transport/tcp/sender.js';
import type { SendResult } from '../../src/transport/transport.js';
import { createTestNode } from '../helpers/node.js';
import { startHeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { closedPort, MiB, rawSend, readLog, report, startBlackholes, startSinks, tempDir } from './support.js';

const TIMEOUT_MS = 2000;

const temp = tempDir('faults');
const opened: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

test('faults: quit with 100 known peers, 20 unresponsive, within timeout + 2 s: 80 notified, 20 failed', { timeout: 60_000 }, async () => {
  const sinks = await startSinks(80);
  opened.push(() => sinks.close());
  const holes = await startBlackholes(20);
  opened.push(() => holes.close());
  const logFile = path.join(temp.dir, 'quit.log');
  const peer = await startHeadlessPeer({ name: 'Leaver', args: ['--log', logFile, '--timeout', String(TIMEOUT_MS)] });
  opened.push(() => peer.stop());

  // Each of the 100 says hello from its own (claimed and real) address.
  const all = [...sinks.ports, ...holes.ports];
  for (const port of all) await rawSend(peer.port, `127.0.0.1:${port} P${port} hello`);
  await peer.waitForCount((e: JsonEvent) => e.type === 'message' && e.kind === 'hello', all.length, 10_000);

  const started = performance.now();
  const code = await peer.quit(TIMEOUT_MS + 10_000);
  const seconds = (performance.now() - started) / 1000;
  assert.equal(code, 0);
  const exit = peer.events.at(-1) as JsonEvent & { failures?: Array<{ to: string; failure: string }> };
  assert.deepEqual([exit.type, exit.notified, exit.failed], ['exit', 80, 20]);
  // The exit event names every peer that could not be told, and why.
  const silent = new Set(holes.ports.map((port) => `127.0.0.1:${port}`));
  assert.deepEqual(exit.failures?.map((f) => [silent.has(f.to), f.failure]), Array.from({ length: 20 }, () => [true, 'timeout']));
  assert.ok(seconds * 1000 < TIMEOUT_MS + 2000, `quit took ${seconds.toFixed(2)} s`);
  // Each responsive peer got exactly one `exit`, from the leaver's address.
  const told = sinks.ports.filter((port) => {
    const got = sinks.received.get(port) ?? [];
    return got.length === 1 && got[0] === `127.0.0.1:${peer.port} Leaver exit`;
  }).length;
  assert.equal(told, 80);

  const records = readLog(logFile);
  const hellos = records.filter((r) => r.direction === 'in' && r.text === 'hello');
  const exits = records.filter((r) => r.direction === 'out' && r.text === 'exit');
  assert.equal(hellos.length, 100);
  assert.equal(new Set(hellos.map((r) => r.from)).size, 100);
  assert.equal(exits.filter((r) => r.ok === true).length, 80);
  assert.equal(exits.filter((r) => r.ok === false && /timed out/.test(String(r.error))).length, 20);
  report(
    `faults: quit with 100 known peers (20 unresponsive) took ${seconds.toFixed(2)} s (limit ${(TIMEOUT_MS + 2000) / 1000} s): ` +
      `${String(exit?.notified)} notified, ${String(exit?.failed)} failed (timed out); ${told}/80 got exactly one exit; log: 100/100 hellos once, 100 exits (80 ok, 20 failed)`,
  );
});

test('faults: each sender fault is a clear failure within the timeout', { timeout: 60_000 }, async () => {
  const results: string[] = [];
  const within = (name: string, result: SendResult, failure: string | null, pattern: RegExp): void => {
    if (failure === null) {
      assert.ok(result.ok, `${name}: ${JSON.stringify(result)}`);
    } else {
      assert.ok(!result.ok, `${name} succeeded`);
      assert.equal(result.failure, failure, `${name}: ${result.error}`);
      assert.match(result.error, pattern);
    }
    assert.ok(result.ms < TIMEOUT_MS + 1000, `${name} took ${result.ms} ms`);
    results.push(`${name} -> ${result.ok ? 'complete' : result.failure} in ${Math.round(result.ms)} ms`);
  };
  const listen = async (server: net.Server): Promise<number> => {
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    opened.push(() => new Promise((resolve) => server.close(resolve)));
    return (server.address() as net.AddressInfo).port;
  };
  const line = '127.0.0.1:5000 Sender hi';
  const huge = Buffer.alloc(32 * MiB, 0x61);
  const options = { timeoutMs: TIMEOUT_MS };

  // Refused: nothing listens.
  within('refused', await sendMessage({ ip: '127.0.0.1', port: await closedPort() }, line, options), 'refused', /connection refused/);

  // Reset: the peer reads a little, then resets; the rest of a large message cannot be written.
  const sockets = new Set<net.Socket>();
  const resetPort = await listen(
    net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => socket.resetAndDestroy());
    }),
  );
  within('reset', await sendMessage({ ip: '127.0.0.1', port: resetPort }, huge, options), 'reset', /reset/);

  // Accept and never read: a small message fits the kernel buffers, so the send is complete
  // (PROTOCOL.md: FIN handed over); one larger than the buffers cannot be, and times out.
  const deafPort = await listen(
    net.createServer({ pauseOnConnect: true }, (socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    }),
  );
  // Closed before the server (after hooks run in reverse), which waits for its connections.
  opened.push(() => sockets.forEach((s) => s.destroy()));
  within('accept-never-read (small)', await sendMessage({ ip: '127.0.0.1', port: deafPort }, line, options), null, /./);
  const deafBig = await sendMessage({ ip: '127.0.0.1', port: deafPort }, huge, options);
  within('accept-never-read (32 MiB)', deafBig, 'timeout', /timed out after 2000 ms/);
  assert.ok(deafBig.ms >= TIMEOUT_MS - 50);

  // Silent: a listener whose accept queue is full drops our SYN.
  const holes = await startBlackholes(1);
  opened.push(() => holes.close());
  const silent = await sendMessage({ ip: '127.0.0.1', port: holes.ports[0] as number }, line, options);
  within('silent (full backlog)', silent, 'timeout', /timed out after 2000 ms/);
  assert.ok(silent.ms >= TIMEOUT_MS - 50);

  // The same through a ChatNode: the outcome carries the sentence a user sees, and is logged.
  const node = createTestNode({ name: 'Sender', ip: '127.0.0.1', host: '127.0.0.1', port: 0, timeoutMs: TIMEOUT_MS });
  await node.start();
  opened.push(() => node.close());
  const outcome = await node.send(`127.0.0.1:${holes.ports[0] as number}`, 'are you there?');
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.failure === 'timeout' && outcome.error.includes(`127.0.0.1:${holes.ports[0]}`));
  assert.equal(node.peers().length, 0, 'a failed send adds no peer');

  report(`sender faults (timeout ${TIMEOUT_MS} ms): ${results.join('; ')}`);
});
