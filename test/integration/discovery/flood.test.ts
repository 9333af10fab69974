/**
 * A flood of 1,000 distinct fake services in about two seconds, from a third
 * namespace, at a peer with a small cap: the tracked set stays at the cap,
 * verified peers stay, and the receiver's CPU time is reported against the
 * flood's duration and the flooder's own CPU time. Real multicast, only in
 * the namespaces this test makes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discovered, pollUntil, startMdnsPeer, startMdnsTool, type MdnsEvent, type MdnsPeer } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

const CAP = 300;
const FLOOD = 1000;
const FIND_MS = 10_000;

/** Wait until `peer` has read `count` announcements, or their number stops growing for 2 s (UDP may drop some). */
async function settled(peer: MdnsPeer, count: number): Promise<MdnsEvent> {
  let last = -1;
  let stableSince = Date.now();
  let stats: MdnsEvent | undefined;
  return pollUntil(
    async () => {
      stats = await peer.stats();
      const seen = (stats.stats as { announcements: number }).announcements;
      if (seen !== last) {
        last = seen;
        stableSince = Date.now();
      }
      return seen >= count || Date.now() - stableSince > 2000 ? stats : undefined;
    },
    30_000,
    () => `announcements read: ${last} of ${count}; last stats ${JSON.stringify(stats)}`,
  );
}

const listed = (peer: MdnsPeer, id: string, name: string) =>
  pollUntil(async () => (await peer.list()).some((p) => p.id === id && p.name === name && p.verified), FIND_MS, () => `${id} (${name}) verified in ${peer.id}'s list`);

describe('LAN discovery: a flood of fake services', () => {
  it('1,000 unverified then 1,000 self-verified fake services: the list stays at the cap and verified peers stay', { timeout: 120_000 }, async (t) => {
    const network = TestNetwork.lan(3);
    try {
      // Alice prints no per-peer events (thousands of lines, and their printing would be most of her CPU): her stats and list tell.
      const quiet = ['discovered', 'lost', 'rejected'];
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000, maxPeers: CAP, quiet });
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      const mallory = await startMdnsTool(network, network.host(2), 'forge');
      await listed(alice, bob.id, 'Bob');

      const before = await alice.stats();
      const flood = await mallory.command({ op: 'flood', flood: { count: FLOOD, ip: 'foreign', portBase: 20_000, spreadMs: 2000 } }, 60_000);
      const after = await settled(alice, (before.stats as { announcements: number }).announcements + FLOOD);
      const list = await alice.list();
      const read = (after.stats as { announcements: number }).announcements - (before.stats as { announcements: number }).announcements;
      const evicted = (after.stats as { evicted: number }).evicted;
      assert.ok(list.length <= CAP, `${list.length} tracked, cap ${CAP}`);
      // UDP may drop some on a busy machine; half of them is still well past the cap.
      assert.ok(read >= FLOOD / 2, `read ${read} of ${FLOOD}`);
      assert.equal(list.length, CAP, 'full to the cap, no more');
      // read also counts Bob's re-announcements, a handful.
      assert.ok(evicted >= read - 10 + 1 - CAP, `evicted ${evicted} of ${read} read`);
      assert.deepEqual(list.filter((p) => p.verified).map((p) => [p.id, p.name]), [[bob.id, 'Bob']]);
      assert.equal((after.stats as { rejected: number }).rejected, 0, 'nothing in the flood was malformed');
      const cpuMs = ((after.cpuUs as number) - (before.cpuUs as number)) / 1000;
      t.diagnostic(
        `unverified flood: ${String(flood.packets)} packets in ${(flood.ms as number).toFixed(0)} ms; Alice read ${read}, evicted ${evicted}, ` +
          `CPU ${cpuMs.toFixed(0)} ms (flooder's own CPU ${((flood.cpuUs as number) / 1000).toFixed(0)} ms); RSS ${((after.rss as number) / 2 ** 20).toFixed(1)} MiB`,
      );

      // Now Mallory's own address on a thousand ports: each one "verified" by its source.
      const before2 = await alice.stats();
      const flood2 = await mallory.command({ op: 'flood', flood: { count: FLOOD, ip: 'own', portBase: 30_000, spreadMs: 2000 } }, 60_000);
      const after2 = await settled(alice, (before2.stats as { announcements: number }).announcements + FLOOD);
      const list2 = await alice.list();
      assert.ok(list2.length <= CAP, `${list2.length} tracked`);
      const verifiedFromMallory = list2.filter((p) => p.verified && p.id.startsWith('192.0.2.3:'));
      assert.ok(verifiedFromMallory.length <= 16, `${verifiedFromMallory.length} verified records for one address`);
      assert.ok(list2.some((p) => p.id === bob.id && p.verified && p.name === 'Bob'), 'Bob stays');

      // A newcomer still gets in: Carol, a second peer on Bob's machine.
      const carol = await startMdnsPeer(network, network.host(1), { name: 'Carol', port: 5002, quiet });
      await listed(alice, carol.id, 'Carol');
      assert.ok((await alice.list()).length <= CAP);
      await bob.waitFor(discovered(carol.id, 'Carol'), FIND_MS, 'Bob finds Carol on his own machine');
      const cpuMs2 = ((after2.cpuUs as number) - (before2.cpuUs as number)) / 1000;
      t.diagnostic(
        `self-verified flood: ${String(flood2.packets)} packets in ${(flood2.ms as number).toFixed(0)} ms; Alice CPU ${cpuMs2.toFixed(0)} ms ` +
          `(flooder's own ${((flood2.cpuUs as number) / 1000).toFixed(0)} ms); ${verifiedFromMallory.length} kept verified`,
      );
      // Alive and answering after all of it.
      assert.equal(alice.child.exitCode, null);
    } finally {
      network.destroy();
    }
  });
});
