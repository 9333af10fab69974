/**
 * Forged announcements, crafted byte by byte from a third namespace
 * (Mallory, 192.0.2.3), claiming a verified peer's address and name. Real
 * multicast, only inside the namespaces this test makes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discovered, forgedService, lost, pollUntil, startMdnsPeer, startMdnsTool, type MdnsEvent, type MdnsTool } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

const SERVICE = '_p2pchat._tcp.local';
const FIND_MS = 10_000;

function send(mallory: MdnsTool, answers: Record<string, unknown>[]): Promise<MdnsEvent> {
  return mallory.command({ op: 'send', packet: { answers } });
}

const rejectedBecause = (reason: string, detail: RegExp) => (e: MdnsEvent): boolean =>
  e.event === 'rejected' && e.reason === reason && e.source === '192.0.2.3:5353' && detail.test(String(e.detail));

describe('LAN discovery: forged announcements change nothing verified', () => {
  it('a forger claiming a verified peer is rejected as protected; its goodbye too; it cannot pose as us', { timeout: 90_000 }, async () => {
    const network = TestNetwork.lan(3);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      const mallory = await startMdnsTool(network, network.host(2), 'forge');
      await Promise.all([alice.waitFor(discovered(bob.id, 'Bob'), FIND_MS, 'Bob discovered'), bob.waitFor(discovered(alice.id, 'Alice'), FIND_MS, 'Alice discovered')]);

      // Bob's address, another name, a long TTL.
      let from = alice.events.length;
      await send(mallory, forgedService({ name: 'Mallory', ip: '192.0.2.2', port: 5001, ttl: 4500 }));
      await alice.waitForAfter(from, rejectedBecause('protected', /unverified announcement for 192\.0\.2\.2:5001/), 5000, 'forged announcement rejected');
      // Bob's own name and his instance label: no better.
      from = alice.events.length;
      await send(mallory, forgedService({ name: 'Bob', ip: '192.0.2.2', port: 5001, instance: `Bob@192-0-2-2:5001.${SERVICE}` }));
      await alice.waitForAfter(from, rejectedBecause('protected', /unverified announcement for 192\.0\.2\.2:5001/), 5000, 'second forgery rejected');

      // A goodbye for Bob from Mallory.
      from = alice.events.length;
      await send(mallory, forgedService({ name: 'Bob', ip: '192.0.2.2', port: 5001, ttl: 0 }));
      await alice.waitForAfter(from, rejectedBecause('protected', /unverified goodbye for 192\.0\.2\.2:5001/), 5000, 'forged goodbye rejected');

      // Alice's own address.
      from = alice.events.length;
      await send(mallory, forgedService({ name: 'Alice', ip: '192.0.2.1', port: 5000 }));
      await alice.waitForAfter(from, rejectedBecause('own', /announces our own address "192\.0\.2\.1:5000"/), 5000, 'own address rejected');

      const list = await alice.list();
      assert.deepEqual(list, [{ id: bob.id, name: 'Bob', ip: '192.0.2.2', port: 5001, verified: true, via: 'mdns' }]);
      assert.deepEqual(alice.events.filter(lost(bob.id)), [], 'Bob was never lost');
      assert.equal(alice.events.filter(discovered(bob.id)).length, 1, 'and never re-discovered under another name');
      assert.deepEqual(bob.events.filter((e) => e.event === 'discovered').map((e) => e.id), [alice.id], "Bob's view is Alice only");

      // An address nobody verified is taken as claimed (unverified), and an unverified goodbye may remove it.
      from = alice.events.length;
      await send(mallory, forgedService({ name: 'Ghost', ip: '192.0.2.50', port: 7000 }));
      const ghost = await alice.waitForAfter(from, discovered('192.0.2.50:7000'), 5000, 'Ghost discovered');
      assert.deepEqual([ghost.name, ghost.verified], ['Ghost', false]);
      await send(mallory, forgedService({ name: 'Ghost', ip: '192.0.2.50', port: 7000, ttl: 0 }));
      const gone = await alice.waitForAfter(from, lost('192.0.2.50:7000'), 5000, 'Ghost gone');
      assert.equal(gone.reason, 'goodbye');
    } finally {
      network.destroy();
    }
  });

  it('a forgery that came first is replaced when the real peer announces (verified wins)', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(3);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const mallory = await startMdnsTool(network, network.host(2), 'forge');
      await send(mallory, forgedService({ name: 'NotBob', ip: '192.0.2.2', port: 5001 }));
      const forged = await alice.waitFor(discovered('192.0.2.2:5001', 'NotBob'), 5000, 'forgery seen first');
      assert.equal(forged.verified, false);

      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      const real = await alice.waitFor(discovered(bob.id, 'Bob'), FIND_MS, 'the real Bob');
      assert.equal(real.verified, true);
      await send(mallory, forgedService({ name: 'NotBob', ip: '192.0.2.2', port: 5001 }));
      await alice.waitFor(rejectedBecause('protected', /192\.0\.2\.2:5001/), 5000, 'the forgery is now rejected');
      assert.deepEqual((await alice.list()).map((p) => [p.id, p.name, p.verified]), [[bob.id, 'Bob', true]]);
    } finally {
      network.destroy();
    }
  });

  it('packets from off our link are ignored (RFC 6762 §11): a unicast announcement from another subnet changes nothing', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      // Mallory gets an address outside 192.0.2.0/24, and Alice a route back to it (so rp_filter is no excuse).
      network.exec(network.host(1), 'ip', ['addr', 'add', '198.51.100.9/24', 'dev', 'tn0']);
      network.exec(network.host(0), 'ip', ['route', 'add', '198.51.100.0/24', 'dev', 'tn0']);
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const offLink = await startMdnsTool(network, network.host(1), 'forge', { bind: '198.51.100.9' });
      const before = ((await alice.stats()).stats as { ignored: number }).ignored;
      for (const to of ['192.0.2.1', '224.0.0.251']) {
        await offLink.command({ op: 'send', to, packet: { answers: forgedService({ name: 'Far', ip: '198.51.100.9', port: 7000 }) } });
      }
      await pollUntil(async () => ((await alice.stats()).stats as { ignored: number }).ignored >= before + 2, 5000, () => 'both packets counted as ignored');
      assert.deepEqual(alice.events.filter((e) => e.event === 'discovered' || e.event === 'rejected'), []);
      // The same announcement from on the link is taken (the filter is not deaf).
      const onLink = await startMdnsTool(network, network.host(1), 'forge');
      await onLink.command({ op: 'send', packet: { answers: forgedService({ name: 'Near', ip: '192.0.2.2', port: 7001 }) } });
      await alice.waitFor(discovered('192.0.2.2:7001', 'Near'), 5000, 'the on-link one');
    } finally {
      network.destroy();
    }
  });
});
