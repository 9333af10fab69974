import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeResolved, parseHostPort, resolveHost, type LookupFunction } from '../../../src/transport/tcp/resolve-host.js';

/** A look-up that fails as getaddrinfo does for a name under the reserved .invalid TLD (RFC 6761). */
const notFound: LookupFunction = async (hostname) => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
};

describe('parseHostPort', () => {
  const table: readonly (readonly [string, { host: string; port: number; literal: boolean } | RegExp])[] = [
    ['localhost:5001', { host: 'localhost', port: 5001, literal: false }],
    [' bob-laptop.lan:80 ', { host: 'bob-laptop.lan', port: 80, literal: false }],
    ['example.invalid.:1', { host: 'example.invalid.', port: 1, literal: false }],
    ['127.0.0.1:5001', { host: '127.0.0.1', port: 5001, literal: true }],
    ['[::1]:5001', { host: '::1', port: 5001, literal: true }],
    ['[0:0::FFFF:127.0.0.1]:9', { host: '127.0.0.1', port: 9, literal: true }],
    ['localhost', /has no port: write host:port, like localhost:5001\.$/],
    ['localhost:0', /port 0 is outside 1\.\.65535\.$/],
    ['localhost:http', /port "http" is not a number from 1 to 65535\.$/],
    ['::1:5001', /write an IPv6 address as \[addr\]:port\.$/],
    ['[fe80::1%eth0]:5001', /has a zone ID/],
    ['[::1:5001', /is not \[ipv6\]:port\.$/],
    ['[bob]:5001', /"bob" is not an IPv6 address\.$/],
    ['999.1.1.1:5001', /"999\.1\.1\.1" is neither an IP address nor a host name\.$/],
    ['bad_name!:5001', /is neither an IP address nor a host name/],
    ['-dash.lan:5001', /is neither an IP address nor a host name/],
    [`${'a'.repeat(64)}.lan:5001`, /is neither an IP address nor a host name/],
  ];
  for (const [text, expected] of table) {
    it(`${JSON.stringify(text)}`, () => {
      const result = parseHostPort(text);
      if (expected instanceof RegExp) {
        assert.equal(result.ok, false);
        if (!result.ok) assert.match(result.message, expected);
      } else {
        assert.deepEqual(result, { ok: true, value: expected });
      }
    });
  }
});

describe('resolveHost with an injected look-up', () => {
  it('does not look up an IP literal', async () => {
    let asked = 0;
    const result = await resolveHost('[::1]:5001', { lookup: async () => ((asked += 1), [{ address: '127.0.0.1', family: 4 }]) });
    assert.deepEqual(result, { ok: true, address: { ip: '::1', port: 5001 }, host: '::1' });
    assert.equal(asked, 0);
  });

  it('puts the looked-up IP, canonical, on the wire, and asks for the family given', async () => {
    const asked: unknown[] = [];
    const result = await resolveHost('bob-laptop:5001', {
      family: 6,
      lookup: async (hostname, options) => {
        asked.push([hostname, options.family]);
        return [{ address: '0:0:0:0:0:0:0:1', family: 6 }];
      },
    });
    assert.deepEqual(asked, [['bob-laptop', 6]]);
    assert.equal(result.ok, true);
    if (result.ok) {
      assert.deepEqual(result.address, { ip: '::1', port: 5001 });
      assert.equal(describeResolved(result), 'bob-laptop:5001 ([::1]:5001)');
    }
  });

  it('prefers an IPv4 answer when a name has both', async () => {
    const result = await resolveHost('dual.invalid:7', {
      lookup: async () => [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ],
    });
    assert.deepEqual(result, { ok: true, address: { ip: '127.0.0.1', port: 7 }, host: 'dual.invalid' });
    const none = await resolveHost('empty.invalid:7', { lookup: async () => [] });
    assert.equal(none.ok === false && none.reason, 'not-found');
  });

  it('a name that does not resolve gives one sentence', async () => {
    const result = await resolveHost('nobody.invalid:5001', { lookup: notFound });
    assert.deepEqual(result, {
      ok: false,
      reason: 'not-found',
      message: 'The host name "nobody.invalid" does not resolve to an address; check the spelling, or type its IP address.',
    });
  });

  it('a resolver that does not answer is given up on after the time limit', async () => {
    const started = performance.now();
    const result = await resolveHost('slow.invalid:5001', { timeoutMs: 30, lookup: () => new Promise(() => undefined) });
    assert.deepEqual(result, { ok: false, reason: 'timeout', message: 'Looking up "slow.invalid" took longer than 30 ms; type its IP address instead.' });
    assert.ok(performance.now() - started >= 25);
  });

  it('other resolver errors, and answers that are not usable on the wire, are one sentence too', async () => {
    const again = await resolveHost('flaky.invalid:5001', {
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN flaky.invalid'), { code: 'EAI_AGAIN' });
      },
    });
    assert.deepEqual(again, { ok: false, reason: 'error', message: 'Could not look up "flaky.invalid" (EAI_AGAIN); type its IP address instead.' });
    const zoned = await resolveHost('router.invalid:5001', { lookup: async () => [{ address: 'fe80::1%eth0', family: 6 }] });
    assert.equal(zoned.ok, false);
    if (!zoned.ok) assert.match(zoned.message, /resolves to "fe80::1%eth0", which peers cannot write back to/);
  });

  it('bad input is refused before any look-up', async () => {
    const result = await resolveHost('localhost:99999', { lookup: notFound });
    assert.deepEqual(result, { ok: false, reason: 'invalid', message: 'port 99999 is outside 1..65535.' });
  });
});
