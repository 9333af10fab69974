import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { onLink, subnetsOf } from '../../../src/discovery/link.js';

const table = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', cidr: '127.0.0.1/8' }],
  eth0: [
    { address: '192.0.2.1', family: 'IPv4', cidr: '192.0.2.1/24' },
    { address: 'fe80::1', family: 'IPv6', cidr: 'fe80::1/64' },
  ],
  wlan0: [{ address: '10.1.2.3', family: 'IPv4', cidr: '10.1.0.0/16' }],
  odd: [{ address: '198.51.100.7', family: 'IPv4', cidr: null }],
};

describe('link: which sources are on our link (RFC 6762 §11)', () => {
  it('every interface by default: inside one of the subnets is on-link, anything else is not', () => {
    const all = subnetsOf(table);
    for (const ip of ['192.0.2.1', '192.0.2.254', '127.0.0.1', '127.9.9.9', '10.1.255.1', '198.51.100.7']) assert.equal(onLink(ip, all), true, ip);
    for (const ip of ['192.0.3.1', '10.2.0.1', '198.51.100.8', '8.8.8.8', 'fe80::2', 'nonsense']) assert.equal(onLink(ip, all), false, ip);
  });

  it('with an interface chosen, only its subnet', () => {
    const eth0 = subnetsOf(table, '192.0.2.1');
    assert.equal(onLink('192.0.2.77', eth0), true);
    assert.equal(onLink('127.0.0.1', eth0), false);
    assert.equal(onLink('10.1.2.4', eth0), false);
    assert.deepEqual(subnetsOf(table, '192.0.2.99'), []);
  });

  it('a /0 or /32 prefix behaves', () => {
    assert.equal(onLink('203.0.113.5', subnetsOf({ x: [{ address: '203.0.113.1', family: 'IPv4', cidr: '203.0.113.1/0' }] })), true);
    assert.equal(onLink('203.0.113.5', subnetsOf({ x: [{ address: '203.0.113.1', family: 'IPv4', cidr: '203.0.113.1/32' }] })), false);
  });
});
