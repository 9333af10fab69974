/**
 * The outbox through the built CLI (issue 13), on loopback with real
 * sockets: a send to a peer that is away is queued and arrives once the peer
 * is up, with the same id; a sign of life triggers a retry at once; order
 * holds; /cancel; the TTL; /all with peers down.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Outbox } from '../../../src/core/outbox.js';
import { OutboxJournal, defaultOutboxPath } from '../../../src/store/outbox-journal.js';
import { startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../../helpers/headless-peer.js';
import { listenAgain } from '../../helpers/listen-again.js';
import { closedPort } from '../../helpers/net.js';

// Every peer keeps its outbox under a data folder of this test's own.
const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-outbox-it-'));
const peers: HeadlessPeer[] = [];
after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  fs.rmSync(dataHome, { recursive: true, force: true });
});

async function peer(name: string, args: string[] = []): Promise<HeadlessPeer> {
  const p = await startHeadlessPeer({ name, args, env: { XDG_DATA_HOME: dataHome } });
  peers.push(p);
  return p;
}

const isChat = (e: JsonEvent): boolean => e.type === 'message' && e.kind === 'chat';

describe('the outbox, through the CLI', () => {
  it('queues a send to a closed port; once the peer listens there the message arrives with the same id', async () => {
    const port = await closedPort();
    const alice = await peer('Alice', ['--timeout', '2000']);
    const B = `127.0.0.1:${port}`;
    alice.command(`/send ${B} are you back?`);
    const queued = await alice.waitFor((e) => e.type === 'queued');
    assert.deepEqual([queued.to, queued.text, queued.attempt], [B, 'are you back?', 1]);
    assert.match(String(queued.error), /refused/);
    assert.ok(Number(queued.retryInMs) >= 900 && Number(queued.retryInMs) <= 1100, `first back-off step ${String(queued.retryInMs)}`);
    const bob = await peer('Bob', ['--port', String(port)]);
    const got = await bob.waitFor(isChat, 15_000);
    assert.deepEqual([got.from, got.text], [`127.0.0.1:${alice.port}`, 'are you back?']);
    const sent = await alice.waitFor((e) => e.type === 'sent' && e.id === queued.id, 5000);
    assert.ok(Number(sent.attempts) >= 2, `attempts ${String(sent.attempts)}`);
    alice.command('/outbox');
    const list = await alice.waitFor((e) => e.type === 'outbox');
    assert.deepEqual(list.messages, []);
  });

  it('a chat from the returning peer triggers an immediate retry, well under the next back-off step', async () => {
    const port = await closedPort();
    const alice = await peer('Alice', ['--timeout', '2000']);
    alice.command(`/send 127.0.0.1:${port} ping`);
    // Attempt 3 fails after 1 s + 2 s: the next step is 4 s.
    const third = await alice.waitFor((e) => e.type === 'queued' && e.attempt === 3, 15_000);
    assert.ok(Number(third.retryInMs) >= 3600, `third back-off step ${String(third.retryInMs)}`);
    const bob = await peer('Bob', ['--port', String(port)]);
    const started = Date.now();
    bob.command(`/send 127.0.0.1:${alice.port} I am here`);
    const got = await bob.waitFor(isChat, 10_000);
    const ms = Date.now() - started;
    assert.equal(got.text, 'ping');
    assert.ok(ms < Number(third.retryInMs) / 2, `arrived ${ms} ms after the sign of life; the back-off step was ${String(third.retryInMs)} ms`);
  });

  it('a send killed in the middle of its first attempt is queued at the next start and arrives, flagged as one that may arrive twice', async (t) => {
    const bobPort = await closedPort();
    const alicePort = await closedPort();
    // On Bob's port for now: a listener that takes the line and never closes, so the attempt is under way when Alice dies.
    let took = (): void => undefined;
    const taken = new Promise<void>((resolve) => (took = resolve));
    const sockets = new Set<net.Socket>();
    const holder = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => took());
    });
    const closeHolder = async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      if (holder.listening) await new Promise((resolve) => holder.close(resolve));
    };
    t.after(closeHolder);
    await listenAgain(holder, bobPort);
    const alice = await peer('Alice', ['--port', String(alicePort), '--timeout', '20000']);
    alice.command(`/send 127.0.0.1:${bobPort} written before the crash`);
    await taken;
    alice.child.kill('SIGKILL');
    await alice.exited;
    assert.equal(alice.events.filter((e) => e.type === 'sent' || e.type === 'queued').length, 0, 'killed before the attempt settled');
    await closeHolder();

    const bob = await peer('Bob', ['--port', String(bobPort)]);
    const again = await peer('Alice', ['--port', String(alicePort), '--timeout', '2000']);
    const warning = await again.waitFor((e) => e.type === 'warning');
    assert.match(String(warning.message), /^1 queued message was being sent when p2pchat last stopped; it may arrive twice/);
    const got = await bob.waitFor(isChat, 10_000);
    assert.deepEqual([got.from, got.text], [`127.0.0.1:${alicePort}`, 'written before the crash']);
    const sent = await again.waitFor((e) => e.type === 'sent', 5000);
    assert.equal(sent.text, 'written before the crash');
    again.command('/outbox');
    assert.deepEqual((await again.waitFor((e) => e.type === 'outbox')).messages, []);
  });

  it('a long outbox loads after start-up: /peers answers first, and a send made meanwhile still goes behind what waits', async () => {
    const port = await closedPort();
    const away = await closedPort();
    const seeded = new Outbox();
    const opened = OutboxJournal.open(defaultOutboxPath(port, { XDG_DATA_HOME: dataHome }, os.homedir()), seeded, { sync: 'none' });
    assert.ok(opened.ok);
    const count = 50_000;
    seeded.enqueueMany(
      Array.from({ length: count }, (_, i) => ({ id: `old${i}`, to: `127.0.0.1:${away}`, kind: 'chat' as const, text: `old ${i}`, line: `127.0.0.1:${port} Alice old ${i}` })),
      Date.now(),
    );
    opened.journal.close();
    const alice = await peer('Alice', ['--port', String(port), '--timeout', '2000']);
    alice.command('/peers');
    alice.command(`/send 127.0.0.1:${away} new one`);
    alice.command('/outbox');
    const list = await alice.waitFor((e) => e.type === 'outbox', 20_000);
    const kinds = alice.events.map((e) => e.type);
    const notice = alice.events.findIndex((e) => e.type === 'notice' && /^The outbox holds 50000 messages/.test(String(e.message)));
    assert.ok(kinds.indexOf('peers') >= 0 && kinds.indexOf('peers') < notice, `the chat answered before the outbox was loaded: ${JSON.stringify(kinds.slice(0, 6))}`);
    const queued = await alice.waitFor((e) => e.type === 'queued' && e.text === 'new one');
    assert.equal(queued.error, `behind ${count} earlier messages`);
    const texts = (list.messages as { text: string }[]).map((m) => m.text);
    assert.equal(texts.length, count + 1);
    assert.deepEqual([texts[0], texts.at(-1)], ['old 0', 'new one']);
  });

  it('keeps the order across a queue of 20 messages; /outbox lists them in order', async () => {
    const port = await closedPort();
    const alice = await peer('Alice', ['--timeout', '2000']);
    const texts = Array.from({ length: 20 }, (_, i) => `message ${i + 1}`);
    for (const text of texts) alice.command(`/send 127.0.0.1:${port} ${text}`);
    const queued = await alice.waitForCount((e) => e.type === 'queued', 20);
    assert.deepEqual(queued.map((e) => e.text), texts);
    alice.command('/outbox');
    const list = await alice.waitFor((e) => e.type === 'outbox');
    assert.deepEqual((list.messages as { text: string }[]).map((m) => m.text), texts);
    const bob = await peer('Bob', ['--port', String(port)]);
    const got = await bob.waitForCount(isChat, 20, 20_000);
    assert.deepEqual(got.map((e) => e.text), texts);
    const sent = await alice.waitForCount((e) => e.type === 'sent', 20);
    assert.deepEqual(sent.map((e) => e.id), queued.map((e) => e.id));
  });

  it('/cancel takes a waiting message out; an unknown id is an error', async () => {
    const port = await closedPort();
    const alice = await peer('Alice', ['--timeout', '2000']);
    alice.command(`/send 127.0.0.1:${port} keep me`);
    alice.command(`/send 127.0.0.1:${port} drop me`);
    const [, drop] = await alice.waitForCount((e) => e.type === 'queued', 2);
    alice.command(`/cancel ${String(drop?.id)}`);
    await alice.waitFor((e) => e.type === 'notice' && /Cancelled/.test(String(e.message)));
    alice.command('/cancel nosuchid');
    const error = await alice.waitFor((e) => e.type === 'error');
    assert.match(String(error.message), /no queued message/);
    alice.command('/outbox');
    const list = await alice.waitFor((e) => e.type === 'outbox');
    assert.deepEqual((list.messages as { text: string }[]).map((m) => m.text), ['keep me']);
    const bob = await peer('Bob', ['--port', String(port)]);
    await bob.waitFor(isChat, 15_000);
    await alice.waitFor((e) => e.type === 'sent');
    // A marker sent after it arrives last: nothing else was in between.
    alice.command(`/send 127.0.0.1:${port} marker`);
    const got = await bob.waitForCount(isChat, 2, 10_000);
    assert.deepEqual(got.map((e) => e.text), ['keep me', 'marker']);
  });

  it('gives a message up after --outbox-ttl and reports it', async () => {
    const port = await closedPort();
    const alice = await peer('Alice', ['--timeout', '2000', '--outbox-ttl', '2s']);
    alice.command(`/send 127.0.0.1:${port} too late`);
    const queued = await alice.waitFor((e) => e.type === 'queued');
    const started = Date.now();
    const gaveUp = await alice.waitFor((e) => e.type === 'gave-up', 10_000);
    assert.deepEqual([gaveUp.id, gaveUp.text, gaveUp.to], [queued.id, 'too late', `127.0.0.1:${port}`]);
    assert.ok(Number(gaveUp.attempts) >= 1);
    assert.match(String(gaveUp.error), /refused/);
    assert.ok(Date.now() - started < 5000, 'given up within the ttl and a margin');
    alice.command('/outbox');
    assert.deepEqual((await alice.waitFor((e) => e.type === 'outbox')).messages, []);
  });

  it('/all to 5 peers of which 2 are down: 3 sent, 2 queued; they arrive once the two come back', async () => {
    const alice = await peer('Alice', ['--timeout', '2000']);
    const A = `127.0.0.1:${alice.port}`;
    const others = await Promise.all(['B1', 'B2', 'B3', 'B4', 'B5'].map((name) => peer(name, ['--peer', A])));
    await alice.waitForCount((e) => e.type === 'message' && e.kind === 'hello', 5);
    const down = others.slice(3);
    const downPorts = down.map((p) => p.port);
    // Killed, not quit: they never said exit, and are still in Alice's list.
    await Promise.all(down.map((p) => p.stop()));
    alice.command('/all hello everyone');
    const broadcast = await alice.waitFor((e) => e.type === 'broadcast', 10_000);
    assert.deepEqual([broadcast.sent, broadcast.queued, broadcast.failed, broadcast.skipped], [3, 2, 0, 0]);
    const index = alice.events.indexOf(broadcast);
    const perPeer = alice.events.slice(0, index).filter((e) => (e.type === 'sent' || e.type === 'queued') && e.text === 'hello everyone');
    assert.equal(perPeer.length, 5, 'each peer has its own event before the summary');
    assert.deepEqual(perPeer.filter((e) => e.type === 'queued').map((e) => e.to).sort(), downPorts.map((p) => `127.0.0.1:${p}`).sort());
    for (const up of others.slice(0, 3)) assert.equal((await up.waitFor(isChat)).text, 'hello everyone');
    const back = await Promise.all(downPorts.map((port, i) => peer(`Back${i}`, ['--port', String(port), '--peer', A])));
    for (const p of back) assert.equal((await p.waitFor(isChat, 10_000)).text, 'hello everyone');
  });
});
