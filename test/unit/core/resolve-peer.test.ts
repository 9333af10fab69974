import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePeer, type ResolvablePeer } from '../../../src/core/resolve-peer.js';

const KEY_A = `@3f9a0c1d${'a'.repeat(56)}`;
const KEY_B = `@3f9a0c1e${'b'.repeat(56)}`;
const PEERS: readonly ResolvablePeer[] = [
  { address: '127.0.0.1:5001', name: 'Bob' },
  { address: '127.0.0.1:5002', name: 'Bobby' },
  { address: '127.0.0.1:5003', name: 'alice' },
  { address: '[::1]:5004', name: 'Carol' },
  { address: '127.0.0.1:5005', name: null },
  { address: KEY_A, name: 'Dave' },
  { address: KEY_B, name: 'Erin' },
  { address: '10.0.0.7:6000', name: 'carl' },
  { address: '10.0.0.7:6001', name: 'Carl' },
];

type Row = readonly [typed: string, expected: string | { reason: string; candidates?: readonly string[]; message: RegExp; address?: string }];

const TABLE: readonly Row[] = [
  ['127.0.0.1:5001', '127.0.0.1:5001'],
  ['  127.0.0.1:5003 ', '127.0.0.1:5003'],
  ['[::1]:5004', '[::1]:5004'],
  ['[0:0:0:0:0:0:0:1]:5004', '[::1]:5004'],
  ['[::ffff:127.0.0.1]:5001', '127.0.0.1:5001'],
  ['127.0.0.1:5009', { reason: 'none', message: /^No peer at 127\.0\.0\.1:5009 in your list\.$/, address: '127.0.0.1:5009' }],
  ['127.0.0.1:70000', { reason: 'invalid', message: /is not a peer address: port 70000 is outside 1\.\.65535\.$/ }],
  ['[::1', { reason: 'invalid', message: /is not a peer address/ }],
  ['::1', '[::1]:5004'],
  ['[::1]', '[::1]:5004'],
  ['10.0.0.7', { reason: 'ambiguous', candidates: ['10.0.0.7:6000', '10.0.0.7:6001'], message: /type more of the port, or the address\.$/ }],
  ['10.9.9.9', { reason: 'none', message: /^No peer at 10\.9\.9\.9 in your list; add the port, like 10\.9\.9\.9:5000\.$/ }],
  ['bob', '127.0.0.1:5001'],
  ['BOB', '127.0.0.1:5001'],
  ['bobb', '127.0.0.1:5002'],
  ['Al', '127.0.0.1:5003'],
  ['car', { reason: 'ambiguous', candidates: ['[::1]:5004', '10.0.0.7:6000', '10.0.0.7:6001'], message: /^"car" could be Carol \(\[::1\]:5004\), carl \(10\.0\.0\.7:6000\) or Carl \(10\.0\.0\.7:6001\): type more of the name, or the address\.$/ }],
  ['carl', { reason: 'ambiguous', candidates: ['10.0.0.7:6000', '10.0.0.7:6001'], message: /could be carl .* or Carl/ }],
  ['b', { reason: 'ambiguous', candidates: ['127.0.0.1:5001', '127.0.0.1:5002'], message: /could be Bob \(127\.0\.0\.1:5001\) or Bobby/ }],
  ['zed', { reason: 'none', message: /^No peer is called "zed" or has a name starting with it; \/peers lists them\.$/ }],
  ['@3f9a0c1d', KEY_A],
  ['@3F9A0C1DAAAA', KEY_A],
  [KEY_B, KEY_B],
  ['@3f9a0c1', { reason: 'invalid', message: /^A room key is @ and at least 8 hex characters, like @3f9a0c1d; "@3f9a0c1" is not one\.$/ }],
  ['@3f9a0c1x', { reason: 'invalid', message: /is not one/ }],
  ['@3f9a0c1f', { reason: 'none', message: /^No peer has a room key starting with @3f9a0c1f\.$/ }],
  ['', { reason: 'invalid', message: /^Type a peer's name/ }],
  ['   ', { reason: 'invalid', message: /^Type a peer's name/ }],
];

describe('resolvePeer', () => {
  for (const [typed, expected] of TABLE) {
    it(`${JSON.stringify(typed)} → ${typeof expected === 'string' ? expected : expected.reason}`, () => {
      const result = resolvePeer(typed, PEERS);
      if (typeof expected === 'string') {
        assert.equal(result.ok, true, result.ok ? '' : result.message);
        if (result.ok) assert.equal(result.peer.address, expected);
        return;
      }
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.reason, expected.reason);
      assert.match(result.message, expected.message);
      assert.deepEqual(result.candidates.map((peer) => peer.address), expected.candidates ?? []);
      assert.equal(result.address === undefined ? undefined : `${result.address.ip}:${result.address.port}`, expected.address);
    });
  }

  it('lists at most three candidates and counts the rest', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ address: `127.0.0.1:${6000 + i}`, name: `sam${i}` }));
    const result = resolvePeer('sam', many);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.candidates.length, 5);
    assert.match(result.message, /could be sam0 \(127\.0\.0\.1:6000\), sam1 \(127\.0\.0\.1:6001\), sam2 \(127\.0\.0\.1:6002\) and 2 more: /);
  });

  it('returns the very object from the list, so the caller keeps its own fields', () => {
    const peers = [{ address: '127.0.0.1:7000', name: 'Zoe', verified: false }];
    const result = resolvePeer('zoe', peers);
    assert.equal(result.ok && result.peer, peers[0]);
  });
});
