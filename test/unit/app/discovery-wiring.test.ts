/**
 * LAN discovery's wiring (issue 11) without the network: the options rows,
 * the wording in the three views, and the flood rule of the text views (the
 * first refusal of each reason shown, the rest only in --json).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { loadConfig } from '../../../src/config/load.js';
import { rowFor } from '../../../src/config/schema.js';
import type { DiscoveryRejected } from '../../../src/discovery/discovery.js';
import { createDiscoveryFeature } from '../../../src/app/features/discovery.js';
import { defaults } from '../../../src/config/schema.js';
import { createJsonView } from '../../../src/output/json-view.js';
import { formatDiscovered, formatLost } from '../../../src/ui/discovery-format.js';
import { createTextView } from '../../../src/ui/text-view.js';
import { PLAIN_THEME } from '../../../src/ui/theme.js';

function capture(): { out: PassThrough; lines: () => string[] } {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { out, lines: () => text.split('\n').slice(0, -1) };
}

const bob = { id: '192.0.2.2:5001', name: 'Bob', ip: '192.0.2.2', port: 5001, verified: true, via: 'mdns' as const };

describe('LAN discovery options', () => {
  it('--discover is off by default, on from the environment or a flag', () => {
    assert.equal(loadConfig({}, {}, '/nonexistent').options.discover, false);
    assert.equal(loadConfig({}, { P2PCHAT_DISCOVER: '1' }, '/nonexistent').options.discover, true);
    assert.equal(loadConfig({ discover: true }, {}, '/nonexistent').options.discover, true);
  });

  it('--discover-interface takes an address of this machine only, with one sentence otherwise', () => {
    const parse = rowFor('discoverInterface').parse;
    assert.deepEqual(parse('127.0.0.1'), { ok: true, value: '127.0.0.1' });
    const wrong = parse('eth0');
    assert.ok(!wrong.ok && /is not an IPv4 address/.test(wrong.problem), JSON.stringify(wrong));
    const absent = parse('203.0.113.77');
    assert.ok(!absent.ok && /no network interface of this machine has the address 203\.0\.113\.77/.test(absent.problem), JSON.stringify(absent));
  });

  it('--discover-ttl is 60 s by default, 1..4500', () => {
    const parse = rowFor('discoverTtl').parse;
    assert.equal(defaults().discoverTtl, 60);
    assert.deepEqual(parse('3'), { ok: true, value: 3 });
    for (const bad of ['0', '4501', '1.5', 'soon']) assert.equal(parse(bad).ok, false, bad);
  });

  it('no feature without --discover; an interface alone only warns', () => {
    assert.equal(createDiscoveryFeature(defaults()), undefined);
    assert.equal(createDiscoveryFeature({ ...defaults(), discover: true })?.name, 'LAN discovery');
    const lone = createDiscoveryFeature({ ...defaults(), discoverInterface: '127.0.0.1' });
    const warnings: string[] = [];
    void lone?.start?.({ view: { warning: (text: string) => warnings.push(text) } } as never);
    assert.deepEqual(warnings, ['--discover-interface is set but LAN discovery is off (add --discover to announce and browse)']);
  });
});

describe('LAN discovery in the views', () => {
  it('words found and left for people, sanitising the name', () => {
    assert.equal(formatDiscovered(bob), 'Found Bob on the LAN (192.0.2.2:5001)');
    assert.equal(formatDiscovered({ ...bob, verified: false }), 'Found Bob on the LAN (192.0.2.2:5001, unverified)');
    assert.equal(formatLost({ id: bob.id, name: 'Bob', via: 'mdns', reason: 'goodbye' }), 'Bob left the LAN');
    assert.match(formatLost({ id: bob.id, name: 'Bob', via: 'mdns', reason: 'expired' }), /^Bob left the LAN \(not heard/);
    // The same sanitiser as chat text: a bidi override is shown escaped.
    const tricky = formatDiscovered({ ...bob, name: 'Bob\u202eevil' });
    assert.ok(!tricky.includes('\u202e') && tricky.includes('evil'), `escaped: ${JSON.stringify(tricky)}`);
  });

  it('JSON carries discovered, lost and every rejected packet', () => {
    const { out, lines } = capture();
    const view = createJsonView(out);
    view.discovered(bob);
    view.lost({ id: bob.id, name: 'Bob', via: 'mdns', reason: 'goodbye' });
    view.discoveryRejected({ via: 'mdns', source: '192.0.2.9:5353', reason: 'bad-name', detail: 'name "E\u001b" has a control character' });
    view.discoveryRejected({ via: 'mdns', source: '192.0.2.9:5353', reason: 'bad-name', detail: 'again' });
    const events = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(events[0], { type: 'discovered', peer: '192.0.2.2:5001', name: 'Bob', via: 'mdns', verified: true });
    assert.deepEqual(events[1], { type: 'lost', peer: '192.0.2.2:5001', name: 'Bob', via: 'mdns', reason: 'goodbye' });
    assert.deepEqual(events[2], { type: 'rejected', via: 'mdns', remote: '192.0.2.9:5353', reason: 'bad-name', detail: 'name "E\u001b" has a control character' });
    assert.equal(events.length, 4);
    assert.ok(lines()[2]?.includes('\\u001b'), 'the control character stays escaped');
  });

  it('text shows the first refusal of each reason only: a flood does not flood the screen', () => {
    const { out, lines } = capture();
    const view = createTextView(out, PLAIN_THEME);
    const junk = (reason: DiscoveryRejected['reason'], i: number): DiscoveryRejected => ({ via: 'mdns', source: `192.0.2.9:5353`, reason, detail: `junk ${i}` });
    for (let i = 0; i < 1000; i += 1) view.discoveryRejected(junk('malformed', i));
    view.discoveryRejected(junk('bad-name', 0));
    view.discovered(bob);
    view.lost({ id: bob.id, name: 'Bob', via: 'mdns', reason: 'goodbye' });
    assert.equal(lines().length, 4, lines().join('\n'));
    assert.match(lines()[0] ?? '', /ignored a LAN announcement from 192\.0\.2\.9:5353 \(malformed\): junk 0; more of this kind are not shown/);
    assert.deepEqual(lines().slice(2), ['Found Bob on the LAN (192.0.2.2:5001)', 'Bob left the LAN']);
  });
});
