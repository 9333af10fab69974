import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalIp } from '../../../src/protocol/address.js';
import { claimMatches } from '../../../src/core/verify.js';

describe('claimMatches', () => {
  const own = new Set(['192.0.2.2', 'fe80::1']);
  const cases: Array<[string, string, boolean, string]> = [
    ['127.0.0.1', '127.0.0.1', true, 'same address'],
    ['127.0.0.1', '::ffff:127.0.0.1', true, 'IPv4-mapped source'],
    ['127.0.0.1', '127.0.0.2', false, 'another loopback address'],
    ['192.0.2.2', '127.0.0.1', true, 'own LAN address over loopback'],
    ['192.0.2.9', '127.0.0.1', false, 'someone else over loopback'],
    ['192.0.2.2', '198.51.100.7', false, 'own address claimed from outside'],
    ['2001:DB8::1', '2001:db8::1', true, 'IPv6 case'],
    ['0:0::1', '::1', true, 'IPv6 long form'],
    ['127.0.1.1', '127.0.0.1', false, 'the Debian host-name address is not own'],
  ];
  for (const [claimed, remote, expected, title] of cases) {
    it(`${title}: ${claimed} from ${remote} -> ${expected}`, () => {
      assert.equal(claimMatches(claimed, remote, own), expected);
    });
  }
  it('canonicalIp: one spelling per address', () => {
    assert.equal(canonicalIp('::FFFF:10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIp('::ffff:abcd'), '::ffff:abcd');
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('2001:DB8:0:0:0:0:0:7'), '2001:db8::7');
    assert.equal(canonicalIp('192.0.2.1'), '192.0.2.1');
  });
});
