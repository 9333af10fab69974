/**
 * MdnsDiscovery's option checks and its stop() without a start: no socket is
 * opened here (this runs in the host's namespace; everything that sends is
 * in test/integration/discovery, inside test namespaces).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiscoveryError } from '../../../src/discovery/discovery.js';
import { interfaceProblem, MdnsDiscovery } from '../../../src/discovery/mdns.js';

const fakeInterfaces = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    { address: '192.0.2.7', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.7/24' },
  ],
} as const;

describe('MdnsDiscovery: options', () => {
  it('defaults: TTL 60 s, 1000 peers, 16 verified per address, answers at most once a second, re-query every 5 min', () => {
    const d = new MdnsDiscovery();
    assert.deepEqual(d.options, { interface: undefined, ttlSeconds: 60, maxPeers: 1000, maxVerifiedPerAddress: 16, answerIntervalMs: 1000, requeryMs: 300_000 });
    assert.equal(d.active, false);
    assert.deepEqual(d.peers(), []);
  });

  const bad: [string, ConstructorParameters<typeof MdnsDiscovery>[0], RegExp][] = [
    ['TTL 0', { ttlSeconds: 0 }, /the TTL 0 is not a whole number of seconds from 1 to 4500/],
    ['TTL 1.5', { ttlSeconds: 1.5 }, /the TTL 1\.5/],
    ['TTL a day', { ttlSeconds: 86_400 }, /the TTL 86400/],
    ['no peers', { maxPeers: 0 }, /the most discovered peers 0/],
    ['per address 0', { maxVerifiedPerAddress: 0 }, /per address 0/],
    ['a negative interval', { answerIntervalMs: -1 }, /the answer interval -1 ms/],
    ['an interface name', { interface: 'eth0' }, /cannot discover on "eth0": "eth0" is not an IPv4 address/],
    ['an address of no interface', { interface: '198.51.100.77' }, /no network interface of this machine has the address 198\.51\.100\.77/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what} with P2P_DISCOVERY_BAD_OPTION`, () => {
      assert.throws(
        () => new MdnsDiscovery(options),
        (error: unknown) => error instanceof DiscoveryError && error.code === 'P2P_DISCOVERY_BAD_OPTION' && message.test(error.message),
      );
    });
  }

  it('interfaceProblem: an IPv4 address of one of the interfaces, nothing else', () => {
    assert.equal(interfaceProblem('192.0.2.7', fakeInterfaces), undefined);
    assert.equal(interfaceProblem('127.0.0.1', fakeInterfaces), undefined);
    assert.match(interfaceProblem('fe80::1', fakeInterfaces) ?? '', /not an IPv4 address \(LAN discovery uses IPv4 multicast\)/);
    assert.match(interfaceProblem('192.0.2.8', fakeInterfaces) ?? '', /no network interface of this machine has the address 192\.0\.2\.8/);
  });

  it('stop() before start() resolves, twice, and start() after it is refused', async () => {
    const d = new MdnsDiscovery();
    await d.stop();
    await d.stop();
    await assert.rejects(d.start({ name: 'A', ip: '192.0.2.1', port: 1 }), (error: unknown) => error instanceof DiscoveryError && error.code === 'P2P_DISCOVERY_STATE');
  });
});
