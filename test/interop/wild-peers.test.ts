/**
 * p2pchat sending to two habits seen in the wild: a peer that never closes a
 * connection it accepted, and one that writes an acknowledgement before
 * closing. Sends succeed without waiting for the peer, and the reply is
 * drained, never shown.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { startSinks } from '../helpers/net.js';
import { waitUntil } from '../helpers/wait.js';
import { ACK_LINE, startWildPeer, type WildPeer } from './wild-peers.js';

const closers: Array<{ stop?: () => Promise<void>; close?: () => Promise<void> }> = [];
after(async () => {
  await Promise.all(closers.map(async (c) => (c.stop ?? c.close)?.()));
});

// A send that waited for the peer would fail at this timeout, so `sent` proves it did not.
const SEND_TIMEOUT_MS = 4000;

async function p2pchat(name: string): Promise<HeadlessPeer> {
  const peer = await startHeadlessPeer({ name, args: ['--timeout', String(SEND_TIMEOUT_MS)] });
  closers.push(peer);
  return peer;
}

async function wild(habit: 'never-close' | 'ack'): Promise<WildPeer> {
  const peer = await startWildPeer(habit);
  closers.push(peer);
  return peer;
}

const WAIT_MS = 5000;

describe('peers in the wild', () => {
  it('a peer that never closes: the send succeeds once written, and p2pchat drops the socket itself', async () => {
    const silent = await wild('never-close');
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const W = `127.0.0.1:${silent.port}`;

    const started = Date.now();
    alice.command(`/send ${W} are you there?`);
    const result = await alice.waitFor((e) => e.type === 'sent' || e.type === 'send-failed');
    assert.equal(result.type, 'sent', JSON.stringify(result));
    assert.ok(Date.now() - started < SEND_TIMEOUT_MS, 'the send did not wait for the peer to close');

    await waitUntil(() => silent.connections[0]?.ended === true, WAIT_MS, () => 'waiting for the FIN at the never-closing peer');
    const connection = silent.connections[0];
    assert.ok(connection);
    assert.equal(Buffer.concat(connection.chunks).toString('utf8'), `${A} Alice are you there?`);
    // The peer never closes; p2pchat lets go of the socket after its short grace. Over TCP
    // that is silent (our FIN went already), so probe: a byte written to a socket that
    // p2pchat still holds is drained; once p2pchat has dropped it, the kernel answers RST.
    const probes = setInterval(() => connection.socket.write('?'), 200);
    try {
      await waitUntil(() => connection.closed, WAIT_MS, () => 'waiting for p2pchat to drop the socket');
    } finally {
      clearInterval(probes);
    }

    // Quitting sends exit to it too, and does not hang on it.
    assert.equal(await alice.quit(), 0);
    assert.deepEqual(alice.events.at(-1), { type: 'exit', notified: 1, failed: 0 });
    await waitUntil(() => silent.connections.length === 2 && silent.connections[1]?.ended === true, WAIT_MS, () => 'waiting for the exit message');
    assert.equal(Buffer.concat(silent.connections[1]?.chunks ?? []).toString('utf8'), `${A} Alice exit`);
  });

  it('a peer that acknowledges: the send succeeds and the reply is never shown', async () => {
    const acker = await wild('ack');
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const W = `127.0.0.1:${acker.port}`;

    for (const text of ['one', 'two', 'three']) alice.command(`/send ${W} ${text}`);
    const results = await alice.waitForCount((e) => e.type === 'sent' || e.type === 'send-failed', 3);
    assert.deepEqual(
      results.map((e) => [e.type, e.text]).sort(),
      [['sent', 'one'], ['sent', 'three'], ['sent', 'two']],
    );
    await waitUntil(() => acker.connections.filter((c) => c.closed).length === 3, WAIT_MS, () => 'waiting for three closed connections');
    assert.deepEqual(
      acker.connections.map((c) => Buffer.concat(c.chunks).toString('utf8')).sort(),
      [`${A} Alice one`, `${A} Alice three`, `${A} Alice two`],
    );

    assert.equal(await alice.quit(), 0);
    // Nothing of the acknowledgement reached the user: no chat, no rejection, no stray text.
    const shown = alice.events.filter((e) => !['listening', 'sent', 'exit'].includes(e.type));
    assert.deepEqual(shown, []);
    const everything = JSON.stringify(alice.events) + alice.stderr();
    assert.ok(!everything.includes(ACK_LINE.trim()), 'the acknowledgement is not shown');
  });

  it('a sender that waits for a reply before closing: p2pchat writes nothing back and takes the message at its FIN', async () => {
    // The claimed address is a sink this test opened: should Bob ever quit and send exit there, it lands here.
    const sink = await startSinks(1);
    closers.push(sink);
    const claim = `127.0.0.1:${sink.ports[0]}`;
    const bob = await p2pchat('Bob');
    // Like a Python sender doing sendall(); settimeout(1); recv(1024); close().
    const waitMs = 1000;
    const socket = net.connect({ host: '127.0.0.1', port: bob.port });
    closers.push({ close: () => Promise.resolve(void socket.destroy()) });
    socket.on('error', () => undefined);
    const reply: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => reply.push(chunk));
    socket.once('connect', () => {
      socket.write(`${claim} Waiter did anyone get this?`);
      setTimeout(() => socket.end(), waitMs);
    });
    const got = await bob.waitFor((e) => e.type === 'message' || e.type === 'rejected');
    assert.deepEqual([got.type, got.name, got.text], ['message', 'Waiter', 'did anyone get this?']);
    await waitUntil(() => socket.closed, WAIT_MS, () => 'waiting for the connection to close');
    assert.equal(Buffer.concat(reply).length, 0, 'p2pchat never replies');
  });
});
