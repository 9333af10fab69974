/**
 * Faults around discovery, inside test namespaces: UDP 5353 held by another
 * program, bad input to start() and to the options. Each becomes one clear
 * report; the process never crashes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { discovered, PEER_FIXTURE, spawnJsonChild, startMdnsPeer, startMdnsTool } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

describe('LAN discovery: faults', () => {
  it('UDP 5353 taken without sharing (EADDRINUSE): one warning, start() resolves, discovery is off, the process lives on', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const blocker = await startMdnsTool(network, network.host(0), 'block');
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const started = alice.events.find((e) => e.event === 'started');
      assert.ok(started, `start() resolved: ${JSON.stringify(alice.events)}`);
      assert.equal(started.active, false);
      const warnings = alice.events.filter((e) => e.event === 'warning');
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.match(String(warnings[0]?.message), /^LAN discovery is off: UDP 5353: bind EADDRINUSE 0\.0\.0\.0:5353 \(another program holds UDP 5353 without sharing it\); chat goes on without it$/);

      // Bob, next door, never hears of Alice.
      const bob = await startMdnsPeer(network, network.host(1), { name: 'Bob', port: 5001 });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.deepEqual(bob.events.filter((e) => e.event === 'discovered'), []);

      // Alive: it answers, stops cleanly (twice), and exits 0; still one warning.
      assert.deepEqual(await alice.list(), []);
      alice.write('stop');
      await alice.waitFor((e) => e.event === 'stopped', 5000, 'stopped');
      assert.equal(await alice.quit(), 0);
      assert.equal(alice.events.filter((e) => e.event === 'warning').length, 1);
      await blocker.kill();

      // With the port free again, a new start works.
      const again = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      assert.equal(again.events.find((e) => e.event === 'started')?.active, true);
      await bob.waitFor(discovered(again.id, 'Alice'), 10_000, 'Alice once 5353 is free');
    } finally {
      network.destroy();
    }
  });

  it('a name or address that cannot be announced: start() rejects with a code, and nothing is sent', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const listener = await startMdnsTool(network, network.host(0), 'listen');
      const cases: [Record<string, unknown>, string, RegExp][] = [
        [{ name: 'two words', port: 5000 }, 'P2P_DISCOVERY_BAD_SELF', /the name "two words" cannot be announced: it contains a space/],
        [{ name: 'Eve', ip: 'eve.local', port: 5000 }, 'P2P_DISCOVERY_BAD_SELF', /the address "eve.local" cannot be announced: it is not an IP address/],
        [{ name: 'Eve', port: 0 }, 'P2P_DISCOVERY_BAD_SELF', /the port "0" is not a number from 1 to 65535/],
      ];
      for (const [config, code, message] of cases) {
        const peer = await startMdnsPeer(network, network.host(0), { name: 'x', port: 1, ...config });
        const failed = peer.events.find((e) => e.event === 'start-failed');
        assert.ok(failed, JSON.stringify(peer.events));
        assert.equal(failed.code, code);
        assert.match(String(failed.message), message);
        assert.equal(await peer.quit(), 0);
      }
      // 192.0.2.2 is the other host's address, not one of this namespace's.
      const wrong = spawnJsonChild(network, network.host(0), PEER_FIXTURE, [JSON.stringify({ name: 'Eve', ip: '192.0.2.1', port: 5000, interface: '192.0.2.2' })], 'peer Eve');
      const refused = await wrong.waitFor((e) => e.event === 'construct-failed', 20_000, 'the option refused');
      assert.equal(refused.code, 'P2P_DISCOVERY_BAD_OPTION');
      assert.equal(refused.message, 'cannot discover on "192.0.2.2": no network interface of this machine has the address 192.0.2.2');
      assert.equal(await wrong.exited, 0);
      // Nothing of any of them was sent on the network.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      assert.deepEqual(listener.events.filter((e) => e.event === 'packet'), []);
    } finally {
      network.destroy();
    }
  });
});
