/**
 * Oversize: 10 MiB messages (one write each, three times, then one trickled in
 * 64 KiB pieces) to the built CLI. Each is rejected as too large as soon as it
 * passes the 64 KiB limit: the server keeps at most the limit and reads at most
 * one socket read (64 KiB) beyond it, the process's peak resident memory grows
 * by less than 20 MiB, and the next message arrives and is logged once.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { ChatServer } from '../../src/transport/tcp/chat-server.js';
import { startHeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { delay, loggedTexts, memoryOf, MiB, rawSend, report, startSinks, tempDir, type Sinks } from './support.js';

const LIMIT = 64 * 1024;
/** libuv reads a TCP socket 64 KiB at a time: the read that crosses the limit is the most read past it. */
const ONE_READ = 64 * 1024;

const temp = tempDir('oversize');
const opened: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

/** Write `total` bytes in `piece`-sized writes, waiting for each; stop when the peer closes. */
function trickleBig(port: number, prefix: string, total: number, piece: number): Promise<{ written: number; error?: string }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let written = 0;
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code));
    socket.on('close', () => resolve({ written, error }));
    socket.resume();
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- a failed write ends in 'close', which resolves
    socket.once('connect', async () => {
      socket.write(prefix);
      while (written < total && !socket.destroyed) {
        await new Promise<void>((done) => socket.write(Buffer.alloc(piece, 0x61), () => done()));
        written += piece;
        await delay(1);
      }
      socket.end();
    });
  });
}

test('oversize: a 10 MiB message is rejected within one read past 64 KiB, memory stays flat, the next message arrives', { timeout: 60_000 }, async () => {
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, 'oversize.log');
  const peer = await startHeadlessPeer({ name: 'Target', args: ['--log', logFile, '--max-message-bytes', String(LIMIT)] });
  opened.push(() => peer.stop());
  const pid = peer.child.pid as number;

  // Warm up (first message, first JSON event), then take the baseline.
  await rawSend(peer.port, `${claim} Sender warm up`);
  await peer.waitFor((e) => e.type === 'message' && e.text === 'warm up');
  const before = memoryOf(pid);

  const big = Buffer.concat([Buffer.from(`${claim} Sender `), Buffer.alloc(10 * MiB, 0x61)]);
  const isTooLarge = (e: JsonEvent): boolean => e.type === 'rejected' && e.reason === 'too-large';
  const sendErrors: string[] = [];
  for (let round = 1; round <= 3; round += 1) {
    const result = await rawSend(peer.port, big, { timeoutMs: 20_000 });
    sendErrors.push(result.error ?? 'none');
    await peer.waitForCount(isTooLarge, round, 10_000);
  }
  const trickled = await trickleBig(peer.port, `${claim} Sender `, 10 * MiB, 64 * 1024);
  await peer.waitForCount(isTooLarge, 4, 10_000);
  const afterAll = memoryOf(pid);

  const rejections = peer.events.filter(isTooLarge);
  assert.equal(rejections.length, 4);
  for (const e of rejections) assert.match(String(e.detail), new RegExp(`larger than ${LIMIT} bytes`));
  assert.ok(trickled.written < 10 * MiB, `the trickling sender wrote all ${trickled.written} bytes`);
  assert.ok(sendErrors.every((e) => e !== 'none' && e !== 'TIMEOUT'), `sender saw ${sendErrors.join(', ')}`);

  const growth = afterAll.peak - before.rss;
  assert.ok(growth < 20 * MiB, `peak resident memory grew by ${(growth / MiB).toFixed(1)} MiB`);

  await rawSend(peer.port, `${claim} Sender the next message`);
  await peer.waitFor((e) => e.type === 'message' && e.text === 'the next message', 5000);
  assert.equal(await peer.quit(), 0);
  const logged = loggedTexts(logFile);
  assert.deepEqual([...logged], [['warm up', 1], ['the next message', 1]]);

  report(
    `oversize: 4/4 10 MiB messages rejected as too-large (limit ${LIMIT} B; the trickled one cut after ${(trickled.written / 1024).toFixed(0)} KiB written), ` +
      `peak RSS growth ${(growth / MiB).toFixed(1)} MiB (limit 20), next message arrived, logged once`,
  );
});

test('oversize: the server reads at most one socket read past the limit before it cuts a 10 MiB message', { timeout: 60_000 }, async () => {
  // In process, for the byte count the ChatServer reports with each rejection.
  const server = new ChatServer({ maxMessageBytes: LIMIT });
  await server.listen(0, '127.0.0.1');
  opened.push(() => server.close());
  const port = server.address()?.port as number;
  const read: number[] = [];
  server.on('rejected', (e) => e.reason === 'too-large' && read.push(e.bytes));
  const big = Buffer.concat([Buffer.from('127.0.0.1:5000 Sender '), Buffer.alloc(10 * MiB, 0x61)]);
  for (let round = 0; round < 5; round += 1) await rawSend(port, big, { timeoutMs: 20_000 });
  assert.equal(read.length, 5);
  const most = Math.max(...read);
  assert.ok(most > LIMIT && most <= LIMIT + ONE_READ, `read ${most} bytes`);
  assert.equal(server.stats.accepted, 0);
  report(
    `oversize: 5/5 10 MiB messages cut after ${Math.min(...read)}-${most} bytes read of ${10 * MiB + 22} ` +
      `(limit ${LIMIT} B kept at most; the read that crosses it is at most ${ONE_READ} B: libuv reads 64 KiB at a time)`,
  );
});
