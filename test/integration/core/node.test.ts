/** Two real peers on loopback, ephemeral ports, in one process. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import type { ChatNode} from '../../../src/core/node.js';
import { type IncomingMessage, type Rejected } from '../../../src/core/node.js';
import { createTestNode } from '../../helpers/node.js';
import { closedPort, rawSend } from '../../helpers/net.js';

const opened: Array<{ close(): unknown }> = [];
after(async () => {
  for (const thing of opened) await thing.close();
});

async function startNode(name: string, timeoutMs = 2000): Promise<ChatNode> {
  const node = createTestNode({ name, ip: '127.0.0.1', host: '127.0.0.1', port: 0, timeoutMs });
  await node.start();
  opened.push(node);
  return node;
}

function nextMessage(node: ChatNode): Promise<IncomingMessage> {
  return once(node, 'message').then(([m]) => m as IncomingMessage);
}

describe('two peers on loopback', () => {
  it('exchange messages both ways, with the right from, name and text', async () => {
    const alice = await startNode('Alice');
    const bob = await startNode('Bob');
    const atBob = nextMessage(bob);
    const sent = await alice.send(`127.0.0.1:${bob.port}`, 'Hello there!');
    assert.equal(sent.ok, true);
    assert.equal(sent.line, `127.0.0.1:${alice.port} Alice Hello there!`);
    const got = await atBob;
    assert.deepEqual([got.kind, got.from, got.name, got.text, got.verified], ['chat', `127.0.0.1:${alice.port}`, 'Alice', 'Hello there!', true]);

    const atAlice = nextMessage(alice);
    await bob.send(`127.0.0.1:${alice.port}`, 'hi  back');
    const back = await atAlice;
    assert.deepEqual([back.from, back.name, back.text], [`127.0.0.1:${bob.port}`, 'Bob', 'hi  back']);
    // Each knows the other: by the send, and by the message.
    assert.ok(alice.peer(`127.0.0.1:${bob.port}`));
    assert.equal(bob.peer(`127.0.0.1:${alice.port}`)?.name, 'Alice');
  });

  it('connect marks the sender connected on the receiver, and the target on the sender', async () => {
    const alice = await startNode('Alice');
    const bob = await startNode('Bob');
    const atBob = nextMessage(bob);
    const outcome = await alice.connect(`127.0.0.1:${bob.port}`);
    assert.equal(outcome.ok, true);
    const got = await atBob;
    assert.equal(got.kind, 'connect');
    assert.equal(got.change, 'connected');
    assert.equal(bob.peer(`127.0.0.1:${alice.port}`)?.connected, true);
    assert.equal(alice.peer(`127.0.0.1:${bob.port}`)?.connected, true);
  });

  it('exit removes the sender', async () => {
    const alice = await startNode('Alice');
    const bob = await startNode('Bob');
    let atBob = nextMessage(bob);
    await alice.send(`127.0.0.1:${bob.port}`, 'hello');
    await atBob;
    assert.equal(bob.peers().length, 1);
    atBob = nextMessage(bob);
    await alice.send(`127.0.0.1:${bob.port}`, 'exit');
    const got = await atBob;
    assert.equal(got.change, 'removed');
    assert.equal(bob.peers().length, 0);
  });

  it('quit notifies every known peer with exit, then stops listening', async () => {
    const alice = await startNode('Alice');
    const others = await Promise.all(['B', 'C', 'D'].map((n) => startNode(n)));
    for (const other of others) {
      const got = nextMessage(other);
      await alice.send(`127.0.0.1:${other.port}`, 'hello');
      await got;
    }
    const exits = others.map((other) => nextMessage(other));
    const summary = await alice.quit();
    assert.deepEqual([summary.notified, summary.failed], [3, 0]);
    for (const got of await Promise.all(exits)) assert.equal(got.kind, 'exit');
    for (const other of others) assert.equal(other.peers().length, 0);
    assert.equal((await rawSend(alice.port, 'x')).error, 'ECONNREFUSED');
  });

  it('a send to a closed port reports "refused" well within the timeout', async () => {
    const alice = await startNode('Alice', 3000);
    const port = await closedPort();
    const outcome = await alice.send(`127.0.0.1:${port}`, 'anyone?');
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.failure, 'refused');
      assert.match(outcome.error, /refused/);
      assert.ok(outcome.ms < 3000, `took ${outcome.ms} ms`);
    }
    assert.equal(alice.peers().length, 0, 'a failed send adds no peer');
  });

  it('a malformed message is rejected with a reason, and the next good one still arrives', async () => {
    const bob = await startNode('Bob');
    const rejected = once(bob, 'rejected').then(([r]) => r as Rejected);
    await rawSend(bob.port, 'this is not a message');
    const r = await rejected;
    assert.equal(r.reason, 'malformed');
    assert.match(r.detail, /not ip:port/);
    assert.equal(bob.peers().length, 0);
    const got = nextMessage(bob);
    await rawSend(bob.port, `127.0.0.1:7000 Carol still here`);
    assert.equal((await got).text, 'still here');
  });

  it('reads a message to its end however it is split, past 1024 bytes', async () => {
    const bob = await startNode('Bob');
    const text = 'x'.repeat(3000);
    const got = nextMessage(bob);
    await new Promise<void>((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the writes' failures reject the outer promise
      const socket = net.connect({ host: '127.0.0.1', port: bob.port }, async () => {
        const bytes = Buffer.from(`127.0.0.1:7000 Carol ${text}`);
        for (let i = 0; i < bytes.length; i += 700) {
          socket.write(bytes.subarray(i, i + 700));
          await new Promise((r) => setTimeout(r, 5));
        }
        socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
      socket.resume();
    });
    assert.equal((await got).text, text);
  });

  it('closes as soon as the message is in, writing nothing back', async () => {
    const bob = await startNode('Bob');
    const socket = net.connect({ host: '127.0.0.1', port: bob.port });
    await once(socket, 'connect');
    let reply = 0;
    socket.on('data', (chunk: Buffer) => (reply += chunk.length));
    socket.end('127.0.0.1:7000 Carol bye');
    await once(socket, 'close');
    assert.equal(reply, 0);
  });

  it('quit tells a peer whose claim did not match only once a send of ours reached it', async () => {
    // Carol listens on 127.0.1.1 and says so, as Debian's host-name address makes
    // many original peers do, but her connections come from 127.0.0.1.
    const carol = createTestNode({ name: 'Carol', ip: '127.0.1.1', host: '127.0.1.1', port: 0, timeoutMs: 2000 });
    await carol.start();
    opened.push(carol);
    const carolAt = `127.0.1.1:${carol.port}`;

    const alice = await startNode('Alice');
    let atAlice = nextMessage(alice);
    await carol.send(`127.0.0.1:${alice.port}`, 'hello');
    assert.equal((await atAlice).verified, false);
    const unproven = await alice.quit();
    assert.deepEqual([unproven.notified, unproven.skipped], [0, 1], 'an unproven claim is not told');

    const dave = await startNode('Dave');
    atAlice = nextMessage(dave);
    await carol.send(`127.0.0.1:${dave.port}`, 'hello');
    await atAlice;
    assert.equal((await dave.send(carolAt, 'hi Carol')).ok, true);
    const exitAtCarol = new Promise<IncomingMessage>((resolve) => carol.on('message', (m) => m.kind === 'exit' && resolve(m)));
    const reached = await dave.quit();
    assert.deepEqual([reached.notified, reached.skipped], [1, 0], 'a peer we reached is told');
    assert.equal((await exitAtCarol).from, `127.0.0.1:${dave.port}`);
  });
});

describe('signs of life', () => {
  it('a peer learnt from the LAN or a room is a sign of life; one remembered from an earlier run is not', () => {
    const node = createTestNode({ name: 'Alive' });
    const alive: string[] = [];
    node.on('alive', (id) => alive.push(id));
    node.remember('127.0.0.1:6001', 'Lan', 'lan', true);
    node.remember('127.0.0.1:6002', 'Old', 'known');
    node.remember(`@${'ab'.repeat(32)}`, 'Roomie', 'room:x', true);
    assert.deepEqual(alive, ['127.0.0.1:6001', `@${'ab'.repeat(32)}`]);
    assert.deepEqual(node.peers().map((p) => [p.address, p.source, p.verified]), [
      ['127.0.0.1:6001', 'lan', true],
      ['127.0.0.1:6002', 'known', false],
      [`@${'ab'.repeat(32)}`, 'room:x', true],
    ]);
  });
});

