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
      assert.equal(alice.all((e) => e.ev === 'peer-down' || e.ev === 'rejected' || e.ev === 'warning').length, 0, JSON.stringify(alice.events.slice(-5)));
    });
  });
});
