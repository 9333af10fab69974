/**
 * Rooms end to end: RoomTransports in separate processes inside a
 * loopback-only namespace, found through a local hyperdht testnet. Every wait
 * is bounded and says what it saw; every namespace is deleted in `after`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomLab, type RoomEvent, type RoomPeerChild } from '../../helpers/room.js';

const JOIN_MS = 30_000;
const isUp = (id: string) => (e: RoomEvent) => e.ev === 'peer-up' && e.id === id;
const isDown = (id: string) => (e: RoomEvent) => e.ev === 'peer-down' && e.id === id;
const inboundText = (text: string) => (e: RoomEvent) => e.ev === 'inbound' && e.line === text;

async function withLab(fn: (lab: RoomLab) => Promise<void>): Promise<void> {
  const lab = await RoomLab.start();
  try {
    await fn(lab);
  } finally {
    await lab.destroy();
  }
}

async function meshed(peers: RoomPeerChild[]): Promise<void> {
  for (const a of peers) for (const b of peers) if (a !== b) await a.waitFor(isUp(b.id), JOIN_MS, `peer-up of ${b.label}`);
}

describe('rooms on a local testnet', { timeout: 180_000 }, () => {
  it('two peers join a room and exchange messages both ways, each acknowledged', async () => {
    await withLab(async (lab) => {
      const [alice, bob] = await Promise.all([lab.peer({ name: 'Alice' }), lab.peer({ name: 'Bob' })]);
      await meshed([alice, bob]);
      const up = alice.events.find(isUp(bob.id));
      assert.deepEqual(up, { ev: 'peer-up', id: bob.id, name: 'Bob', via: 'room:lobby' });

      const toBob = await alice.send(bob.id, 'hello Bob, with  two spaces ✓');
      assert.equal(toBob.ok, true, JSON.stringify(toBob));
      assert.equal(toBob.delivered, true);
      const got = await bob.waitFor(inboundText('hello Bob, with  two spaces ✓'), 10_000, 'the message from Alice');
      assert.deepEqual(got, {
        ev: 'inbound',
        transport: 'room:lobby',
        line: 'hello Bob, with  two spaces ✓',
        remote: { address: alice.id, port: 0 },
        peer: { id: alice.id, name: 'Alice', kind: 'chat', messageId: 'Alice-1' },
      });

      const toAlice = await bob.send(alice.id, 'hi Alice');
      assert.deepEqual([toAlice.ok, toAlice.delivered], [true, true], JSON.stringify(toAlice));
      await alice.waitFor(inboundText('hi Alice'), 10_000, 'the reply');

      // Ordered, each shown once, over the one stream per pair.
      const many = await Promise.all(Array.from({ length: 30 }, (_, i) => alice.send(bob.id, `burst ${i}`)));
      assert.ok(many.every((r) => r.ok === true && r.delivered === true), JSON.stringify(many.filter((r) => r.ok !== true)));
      const burst = bob.all((e) => e.ev === 'inbound' && String(e.line).startsWith('burst ')).map((e) => e.line);
      assert.deepEqual(burst, Array.from({ length: 30 }, (_, i) => `burst ${i}`));
      assert.deepEqual((await alice.peers()).map((p) => [p.id, p.streams, p.up]), [[bob.id, 1, true]]);
      // Larger than a frame may be: refused here, nothing reaches Bob, the stream stays.
      const huge = await alice.send(bob.id, 'y'.repeat(70_000));
      assert.deepEqual([huge.ok, huge.failure], [false, 'error']);
      assert.match(String(huge.error), /over the room's limit of 65536 bytes/);
      const after = await alice.send(bob.id, 'small again');
      assert.equal(after.delivered, true);
      assert.equal(alice.all((e) => e.ev === 'peer-down' || e.ev === 'rejected' || e.ev === 'warning').length, 0, JSON.stringify(alice.events.slice(-5)));
    });
  });

  it('three peers: everyone reaches everyone, and an exit is seen by the others at once', async () => {
    await withLab(async (lab) => {
      const peers = await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => lab.peer({ name })));
      const [ann, ben, cat] = peers as [RoomPeerChild, RoomPeerChild, RoomPeerChild];
      await meshed(peers);
      for (const from of peers) {
        for (const to of peers) {
          if (from === to) continue;
          const text = `${from.label} to ${to.label}`;
          const result = await from.send(to.id, text);
          assert.deepEqual([result.ok, result.delivered], [true, true], `${text}: ${JSON.stringify(result)}`);
          const got = await to.waitFor(inboundText(text), 10_000, text);
          assert.equal((got.peer as { id: string }).id, from.id, 'the proven sender');
        }
      }
      // Cat quits the way ChatNode does: exit to each peer (acknowledged), then close.
      for (const to of [ann, ben]) {
        const result = await cat.send(to.id, 'exit', { kind: 'exit' });
        assert.equal(result.delivered, true, JSON.stringify(result));
      }
      await cat.close();
      for (const other of [ann, ben]) {
        const exit = await other.waitFor((e) => e.ev === 'inbound' && (e.peer as { kind: string }).kind === 'exit', 5000, 'the exit from Cat');
        assert.equal((exit.peer as { id: string }).id, cat.id);
        // Well under the down grace: an exit needs no waiting.
        await other.waitFor(isDown(cat.id), 5000, 'peer-down of Cat');
        assert.equal(other.all(isDown(cat.id)).length, 1);
      }
      assert.equal(ann.all(isDown(ben.id)).length + ben.all(isDown(ann.id)).length, 0, 'nobody else left');
      const late = await ann.send(cat.id, 'are you there?', { timeoutMs: 1500 });
      assert.deepEqual([late.ok, late.failure], [false, 'timeout'], JSON.stringify(late));
    });
  });

  it('a peer that disappears without exit is reported down once, after its stream times out and the grace', async () => {
    await withLab(async (lab) => {
      const [ann, ben] = await Promise.all([lab.peer({ name: 'Ann' }), lab.peer({ name: 'Ben' })]);
      await meshed([ann, ben]);
      const killed = performance.now();
      await ben.kill();
      const down = await ann.waitFor(isDown(ben.id), 60_000, 'peer-down of Ben after SIGKILL');
      assert.equal(down.via, 'room:lobby');
      console.log(`peer-down after SIGKILL: ${((performance.now() - killed) / 1000).toFixed(1)} s`);
      assert.equal(ann.all(isDown(ben.id)).length, 1);
    });
  });

  it('a restarted peer keeps its identity: same @id, recognised, and a message sent while it was away arrives once', async () => {
    await withLab(async (lab) => {
      const ann = await lab.peer({ name: 'Ann' });
      const ben = await lab.peer({ name: 'Ben' });
      await meshed([ann, ben]);
      const firstId = ben.id;
      assert.equal(ben.events.find((e) => e.ev === 'listening')?.created, true);
      await ben.close();
      await ann.waitFor(isDown(firstId), 10_000, 'peer-down of Ben');
      // Sent while Ben is away: queued for him, written on his next stream.
      const pending = ann.send(firstId, 'while you were out', { timeoutMs: 30_000 });
      const again = await lab.peer({ name: 'Ben', identity: lab.identityFile('Ben') });
      assert.equal(again.id, firstId, 'same identity file, same room: same id');
      assert.equal(again.events.find((e) => e.ev === 'listening')?.created, false);
      const result = await pending;
      assert.deepEqual([result.ok, result.delivered], [true, true], JSON.stringify(result));
      await again.waitFor(inboundText('while you were out'), 10_000, 'the queued message');
      await ann.waitForCount(isUp(firstId), 2, JOIN_MS, 'Ben up again under the same id');
      const reply = await again.send(ann.id, 'back');
      assert.equal(reply.delivered, true);
      const got = await ann.waitFor(inboundText('back'), 10_000, 'the reply');
      assert.equal((got.peer as { id: string }).id, firstId);
      assert.equal(again.all(inboundText('while you were out')).length, 1);
    });
  });

  it('another room is another topic and another id: nothing crosses', async () => {
    await withLab(async (lab) => {
      const ann = await lab.peer({ name: 'Ann', room: 'lobby' });
      const annElsewhere = await lab.peer({ name: 'Ann2', room: 'other', identity: lab.identityFile('Ann') });
      const ben = await lab.peer({ name: 'Ben', room: 'other' });
      assert.notEqual(annElsewhere.id, ann.id, 'one id per room, from the same identity');
      await meshed([annElsewhere, ben]);
      assert.equal(ann.all((e) => e.ev === 'peer-up').length, 0, 'the lobby saw nobody');
      const result = await ann.send(ben.id, 'wrong room', { timeoutMs: 1000 });
      assert.deepEqual([result.ok, result.failure], [false, 'unreachable'], JSON.stringify(result));
    });
  });
});
