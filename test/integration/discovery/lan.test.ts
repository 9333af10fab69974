/**
 * LAN discovery over real multicast, only inside network namespaces that the
 * test creates and deletes (TestNetwork.lan). Each peer is the discovery
 * fixture (test/fixtures/mdns-peer.ts) in its own namespace. If namespaces
 * cannot be made here, these tests fail with that reason.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discovered, lost, startMdnsPeer, type MdnsEvent } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

const FIND_MS = 10_000;

const ofKind = (events: MdnsEvent[], kind: string): MdnsEvent[] => events.filter((e) => e.event === kind);

describe('LAN discovery: peers on one segment', () => {
  it('two peers find each other, verified, by ip:port and name; neither finds itself', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      const [atAlice, atBob] = await Promise.all([
        alice.waitFor(discovered(bob.id), FIND_MS, 'Bob discovered'),
        bob.waitFor(discovered(alice.id), FIND_MS, 'Alice discovered'),
      ]);
      assert.deepEqual(
        { id: atAlice.id, name: atAlice.name, ip: atAlice.ip, port: atAlice.port, verified: atAlice.verified, via: atAlice.via },
        { id: '192.0.2.2:5001', name: 'Bob', ip: '192.0.2.2', port: 5001, verified: true, via: 'mdns' },
      );
      assert.deepEqual([atBob.name, atBob.verified], ['Alice', true]);
      // Let re-announcements and query answers go by: still one entry each, and never ourselves.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.deepEqual((await alice.list()).map((p) => p.id), [bob.id]);
      assert.deepEqual((await bob.list()).map((p) => p.id), [alice.id]);
      for (const peer of [alice, bob]) {
        assert.deepEqual(ofKind(peer.events, 'discovered').length, 1, `one discovered event at ${peer.id}: ${JSON.stringify(peer.events)}`);
        assert.deepEqual(ofKind(peer.events, 'rejected'), [], 'our own looped-back announcements are not rejections');
        assert.deepEqual(ofKind(peer.events, 'warning'), []);
      }
    } finally {
      network.destroy();
    }
  });

  it('stop sends a goodbye: the other side reports lost (goodbye) within 1 s; a restarted peer is found again', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      let bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      await alice.waitFor(discovered(bob.id), FIND_MS, 'Bob discovered');

      const from = alice.events.length;
      assert.equal(await bob.quit(), 0);
      const stopped = bob.events.find((e) => e.event === 'stopped');
      assert.ok(stopped, `Bob reported stopped: ${JSON.stringify(bob.events.slice(-3))}`);
      const gone = await alice.waitForAfter(from, lost(bob.id), 5000, 'Bob lost');
      assert.deepEqual([gone.reason, gone.name, gone.via], ['goodbye', 'Bob', 'mdns']);
      const ms = gone.at - (stopped.calledAt as number);
      assert.ok(ms < 1000, `goodbye to lost took ${ms.toFixed(0)} ms`);
      assert.deepEqual(await alice.list(), []);

      // Same address, new process, new name: found again, and it finds Alice (who was there first).
      const again = alice.events.length;
      bob = await startMdnsPeer(network, network.host(1), { name: 'Bobby', port: 5001 });
      const back = await alice.waitForAfter(again, discovered(bob.id), FIND_MS, 'Bob found again');
      assert.deepEqual([back.name, back.verified], ['Bobby', true]);
      await bob.waitFor(discovered(alice.id, 'Alice'), FIND_MS, 'the restarted Bob finds Alice');
      // stop() twice is safe: the fixture's quit stops again after an explicit stop.
      bob.write('stop');
      await bob.waitFor((e) => e.event === 'stopped', 5000, 'stopped');
      assert.equal(await bob.quit(), 0);
    } finally {
      network.destroy();
    }
  });

  it('three peers on a bridge: each finds the other two', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(3);
    try {
      const peers = await Promise.all(
        ['Ann', 'Ben', 'Cat'].map((name, i) => startMdnsPeer(network, network.host(i), { name, port: 6000 + i })),
      );
      await Promise.all(
        peers.flatMap((peer) => peers.filter((other) => other !== peer).map((other) => peer.waitFor(discovered(other.id, ['Ann', 'Ben', 'Cat'][peers.indexOf(other)]), FIND_MS, `${other.id} at ${peer.id}`))),
      );
      for (const peer of peers) {
        const ids = (await peer.list()).map((p) => p.id).sort();
        assert.deepEqual(ids, peers.filter((p) => p !== peer).map((p) => p.id).sort());
      }
    } finally {
      network.destroy();
    }
  });

  it('the interface option: the LAN address works (bound to 0.0.0.0, not to it); loopback keeps a peer off the LAN', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000, interface: '192.0.2.1' });
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001, interface: '192.0.2.2' });
      await Promise.all([alice.waitFor(discovered(bob.id), FIND_MS, 'Bob at Alice'), bob.waitFor(discovered(alice.id), FIND_MS, 'Alice at Bob')]);

      // Carol, on Bob's machine, multicasting on loopback only: Alice never hears of her, she never hears of Alice.
      const carol = await startMdnsPeer(network, network.host(1), { name: 'Carol', port: 5002, interface: '127.0.0.1' });
      await new Promise((resolve) => setTimeout(resolve, 3500));
      assert.deepEqual(alice.events.filter(discovered(carol.id)), [], 'Carol is not announced on the LAN');
      assert.deepEqual(carol.events.filter(discovered(alice.id)), [], 'and does not hear it');
      // Linux hands her the LAN's packets all the same (Bob's socket joined the group on tn0): she ignores them as off her link.
      const ignored = ((await carol.stats()).stats as { ignored: number }).ignored;
      assert.ok(ignored > 0, `Carol ignored ${ignored} packets`);
    } finally {
      network.destroy();
    }
  });

  it('a SIGKILLed peer sends no goodbye and is dropped when its TTL runs out (short TTL)', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const ttlSeconds = 3;
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000, ttlSeconds });
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001, ttlSeconds });
      await alice.waitFor(discovered(bob.id), FIND_MS, 'Bob discovered');
      // Alive past several TTLs: the re-announcements keep Bob listed.
      await new Promise((resolve) => setTimeout(resolve, ttlSeconds * 2500));
      assert.deepEqual(alice.events.filter(lost(bob.id)), [], 'a live peer does not expire');

      const from = alice.events.length;
      const killedAt = Date.now();
      await bob.kill();
      const gone = await alice.waitForAfter(from, lost(bob.id), 15_000, 'Bob expired');
      assert.equal(gone.reason, 'expired');
      const ms = gone.at - killedAt;
      // No earlier than a third of the TTL (his last re-announcement), no later than the TTL plus a sweep and margin.
      assert.ok(ms > 500 && ms < ttlSeconds * 1000 + 3000, `expired ${ms.toFixed(0)} ms after the kill`);
      assert.deepEqual(await alice.list(), []);
    } finally {
      network.destroy();
    }
  });
});
