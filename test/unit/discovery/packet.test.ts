import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import {
  addressProblem,
  announcementProblem,
  ourRecords,
  readResponse,
  readTxt,
  SERVICE_TYPE,
  type MdnsRecord,
  type PacketItem,
} from '../../../src/discovery/packet.js';

const BOB = { name: 'Bob', ip: '192.0.2.2', port: 5001 };

/** Our records as they travel: encoded and decoded by dns-packet, as the socket would. */
function roundTrip(records: { answers: dnsPacket.Answer[]; additionals: dnsPacket.Answer[] }): dnsPacket.Packet {
  return dnsPacket.decode(dnsPacket.encode({ type: 'response', answers: records.answers, additionals: records.additionals }));
}

/** A hand-made announcement of one instance with these TXT entries and SRV port. */
function announcement(txt: (string | Buffer)[], port = 5001, ttl = 60, instance = `x.${SERVICE_TYPE}`): { answers: MdnsRecord[] } {
  return {
    answers: [
      { name: SERVICE_TYPE, type: 'PTR', ttl, data: instance },
      { name: instance, type: 'SRV', ttl, data: { port, target: 'h.local' } },
      { name: instance, type: 'TXT', ttl, data: txt },
    ],
  };
}

function only(items: PacketItem[]): PacketItem {
  assert.equal(items.length, 1, JSON.stringify(items));
  return items[0] as PacketItem;
}

describe('packet: our records', () => {
  it('announce PTR, SRV, TXT (v, name, ip), the type enumeration and an A record, all with our TTL', () => {
    const records = ourRecords(BOB, 60);
    assert.deepEqual(
      records.answers.map((r) => [r.name, r.type, r.ttl]),
      [
        [SERVICE_TYPE, 'PTR', 60],
        [records.instance, 'SRV', 60],
        [records.instance, 'TXT', 60],
        ['_services._dns-sd._udp.local', 'PTR', 60],
      ],
    );
    assert.equal(records.instance, `Bob@192-0-2-2:5001.${SERVICE_TYPE}`);
    assert.deepEqual(records.additionals, [{ name: 'p2pchat-192-0-2-2-5001.local', type: 'A', ttl: 60, flush: true, data: '192.0.2.2' }]);
    const txt = (records.answers[2]?.data as Buffer[]).map((b) => b.toString());
    assert.deepEqual(txt, ['v=1', 'name=Bob', 'ip=192.0.2.2']);
  });

  it('read back through dns-packet, they are Bob, verified from his own address', () => {
    const item = only(readResponse(roundTrip(ourRecords(BOB, 60)), '192.0.2.2'));
    assert.deepEqual(item, { kind: 'announce', instance: `Bob@192-0-2-2:5001.${SERVICE_TYPE}`, id: '192.0.2.2:5001', name: 'Bob', ip: '192.0.2.2', port: 5001, verified: true, ttlMs: 60_000 });
  });

  it('from another address the same records are unverified', () => {
    const item = only(readResponse(roundTrip(ourRecords(BOB, 60)), '192.0.2.3'));
    assert.equal(item.kind === 'announce' && item.verified, false);
  });

  it('TTL 0 is the goodbye, without the shared type-enumeration record', () => {
    const goodbye = ourRecords(BOB, 0);
    assert.ok(goodbye.answers.every((r) => r.ttl === 0));
    assert.ok(!goodbye.answers.some((r) => r.name.startsWith('_services')));
    assert.deepEqual(only(readResponse(roundTrip(goodbye), '192.0.2.2')), { kind: 'goodbye', instance: goodbye.instance, id: '192.0.2.2:5001', verified: true });
  });

  it('IPv6: AAAA, the id in brackets, canonical spelling', () => {
    const records = ourRecords({ name: 'Six', ip: '2001:db8::1', port: 7000 }, 60);
    assert.equal(records.additionals[0]?.type, 'AAAA');
    const item = only(readResponse(roundTrip(records), '192.0.2.2'));
    assert.equal(item.kind === 'announce' && item.id, '[2001:db8::1]:7000');
  });

  it('a long or dotted name still makes labels within 63 bytes, keeping the address', () => {
    const name = 'é'.repeat(64);
    const records = ourRecords({ name, ip: '192.0.2.2', port: 65535 }, 60);
    const label = records.instance.slice(0, -SERVICE_TYPE.length - 1);
    assert.ok(Buffer.byteLength(label) <= 63, `${Buffer.byteLength(label)} bytes`);
    assert.ok(label.endsWith('@192-0-2-2:65535'));
    assert.equal(ourRecords({ name: 'a.b', ip: '192.0.2.2', port: 1 }, 60).instance, `a-b@192-0-2-2:1.${SERVICE_TYPE}`);
    const item = only(readResponse(roundTrip(records), '192.0.2.2'));
    assert.equal(item.kind === 'announce' && item.name, name, 'the TXT name is whole');
  });

  it('what cannot be announced says why', () => {
    assert.equal(announcementProblem(BOB), undefined);
    assert.match(announcementProblem({ ...BOB, name: 'two words' }) ?? '', /contains a space/);
    assert.match(announcementProblem({ ...BOB, name: '😀'.repeat(64) }) ?? '', /is 256 bytes in UTF-8; a TXT record holds at most 250/);
    assert.match(announcementProblem({ ...BOB, ip: 'localhost' }) ?? '', /"localhost" cannot be announced: it is not an IP address/);
    assert.match(announcementProblem({ ...BOB, port: 0 }) ?? '', /port "0" is not a number from 1 to 65535/);
  });
});

describe('packet: reading what the network sends', () => {
  const rejections: [string, { answers: MdnsRecord[] }, string, RegExp][] = [
    ['no TXT', { answers: [{ name: `x.${SERVICE_TYPE}`, type: 'SRV', ttl: 60, data: { port: 1, target: 'h' } }] }, 'missing-field', /no TXT record/],
    ['no SRV', { answers: [{ name: SERVICE_TYPE, type: 'PTR', ttl: 60, data: `x.${SERVICE_TYPE}` }, { name: `x.${SERVICE_TYPE}`, type: 'TXT', ttl: 60, data: ['v=1'] }] }, 'missing-field', /no SRV record/],
    ['no v', announcement(['name=Bob', 'ip=192.0.2.2']), 'missing-field', /no v in its TXT/],
    ['v=2', announcement(['v=2', 'name=Bob', 'ip=192.0.2.2']), 'malformed', /TXT version "2"; this p2pchat reads v=1/],
    ['no ip', announcement(['v=1', 'name=Bob']), 'missing-field', /no ip in its TXT/],
    ['ip without a value', announcement(['v=1', 'name=Bob', 'ip']), 'missing-field', /no ip/],
    ['a host name for ip', announcement(['v=1', 'name=Bob', 'ip=bob.local']), 'bad-address', /ip "bob.local": it is not an IP address/],
    ['0.0.0.0', announcement(['v=1', 'name=Bob', 'ip=0.0.0.0']), 'bad-address', /unspecified/],
    ['multicast', announcement(['v=1', 'name=Bob', 'ip=224.0.0.251']), 'bad-address', /multicast/],
    ['IPv6 zone', announcement(['v=1', 'name=Bob', 'ip=fe80::1%eth0']), 'bad-address', /zone ID/],
    ['port 0', announcement(['v=1', 'name=Bob', 'ip=192.0.2.2'], 0), 'bad-address', /port "0"/],
    ['port as text', { answers: [{ name: `x.${SERVICE_TYPE}`, type: 'SRV', ttl: 60, data: { port: '80', target: 'h' } }, { name: `x.${SERVICE_TYPE}`, type: 'TXT', ttl: 60, data: ['v=1', 'name=B', 'ip=192.0.2.2'] }] }, 'bad-address', /port "80"/],
    ['SRV without data', { answers: [{ name: `x.${SERVICE_TYPE}`, type: 'SRV', ttl: 60 }, { name: `x.${SERVICE_TYPE}`, type: 'TXT', ttl: 60, data: ['v=1', 'name=B', 'ip=192.0.2.2'] }] }, 'bad-address', /port "undefined"/],
    ['no name', announcement(['v=1', 'ip=192.0.2.2']), 'missing-field', /no name/],
    ['empty name', announcement(['v=1', 'name=', 'ip=192.0.2.2']), 'bad-name', /it is empty/],
    ['name with a space', announcement(['v=1', 'name=Bob Smith', 'ip=192.0.2.2']), 'bad-name', /contains a space/],
    ['name with ESC', announcement(['v=1', 'name=Bob\u001b[2J', 'ip=192.0.2.2']), 'bad-name', /control character/],
    ['name with NUL', announcement([Buffer.from('v=1'), Buffer.from('name=B\u0000b'), Buffer.from('ip=192.0.2.2')]), 'bad-name', /control character/],
    ['name of 250 bytes', announcement(['v=1', `name=${'N'.repeat(250)}`, 'ip=192.0.2.2']), 'bad-name', /longer than 64 characters/],
    ['name not UTF-8', announcement([Buffer.from('v=1'), Buffer.concat([Buffer.from('name='), Buffer.from([0xff, 0xfe])]), Buffer.from('ip=192.0.2.2')]), 'bad-name', /not valid UTF-8/],
  ];
  for (const [what, packet, reason, detail] of rejections) {
    it(`rejects ${what}: ${reason}`, () => {
      const item = only(readResponse(packet, '192.0.2.9'));
      assert.equal(item.kind, 'rejected');
      assert.equal(item.kind === 'rejected' && item.reason, reason);
      assert.match(item.kind === 'rejected' ? item.detail : '', detail);
    });
  }

  it('keeps rejection sentences short however long the value', () => {
    const item = only(readResponse(announcement(['v=1', 'name=Bob', `ip=${'9'.repeat(250)}`]), '192.0.2.9'));
    assert.ok(item.kind === 'rejected' && item.detail.length < 200, JSON.stringify(item));
  });

  it('TXT rules: keys case-insensitive, the first of a key wins, entries without = have no value', () => {
    const txt = readTxt(['NAME=Bob', 'name=Mallory', 'flag', '=orphan', '', 'ip=192.0.2.2']);
    assert.deepEqual([...txt.entries()].map(([k, v]) => [k, v?.toString() ?? null]), [
      ['name', 'Bob'],
      ['flag', null],
      ['ip', '192.0.2.2'],
    ]);
    const item = only(readResponse(announcement(['v=1', 'Name=Bob', 'name=Mallory', 'IP=192.0.2.2']), '192.0.2.2'));
    assert.equal(item.kind === 'announce' && item.name, 'Bob');
  });

  it('the id comes from TXT ip and SRV port, not from the instance label or the A record', () => {
    const packet = announcement(['v=1', 'name=Bob', 'ip=192.0.2.2'], 5001, 60, `Alice@192-0-2-1:5000.${SERVICE_TYPE}`);
    const item = only(readResponse({ answers: [...packet.answers, { name: 'h.local', type: 'A', ttl: 60, data: '192.0.2.77' }] }, '192.0.2.2'));
    assert.equal(item.kind === 'announce' && item.id, '192.0.2.2:5001');
  });

  it('the TTL is the least of PTR, SRV and TXT, held within 1 s .. 75 min', () => {
    const at = (srv: number, txt: number, ptr: number): unknown => {
      const instance = `x.${SERVICE_TYPE}`;
      const item = only(
        readResponse(
          {
            answers: [
              { name: SERVICE_TYPE, type: 'PTR', ttl: ptr, data: instance },
              { name: instance, type: 'SRV', ttl: srv, data: { port: 1, target: 'h' } },
              { name: instance, type: 'TXT', ttl: txt, data: ['v=1', 'name=B', 'ip=192.0.2.2'] },
            ],
          },
          '192.0.2.2',
        ),
      );
      return item.kind === 'announce' ? item.ttlMs : item.kind;
    };
    assert.equal(at(120, 4500, 28800), 120_000);
    assert.equal(at(60, 2, 60), 2000);
    assert.equal(at(2 ** 31, 2 ** 31, 2 ** 31), 4_500_000);
    assert.equal(at(60, 0, 60), 1000, 'a zero TXT TTL alone is no goodbye');
    assert.equal(at(0, 60, 60), 'goodbye');
    assert.equal(at(60, 60, 0), 'goodbye');
  });

  it('records of other services and other record types yield nothing', () => {
    const packet = {
      answers: [
        { name: '_http._tcp.local', type: 'PTR', ttl: 60, data: 'printer._http._tcp.local' },
        { name: 'printer._http._tcp.local', type: 'SRV', ttl: 60, data: { port: 80, target: 'p.local' } },
        { name: 'printer._http._tcp.local', type: 'TXT', ttl: 60, data: ['v=1', 'name=P', 'ip=192.0.2.8'] },
        { name: SERVICE_TYPE, type: 'A', ttl: 60, data: '192.0.2.8' },
      ],
    };
    assert.deepEqual(readResponse(packet, '192.0.2.8'), []);
  });

  it('an SRV and TXT without a PTR (a cache refresh) still announce; names match case-insensitively', () => {
    const instance = `X.${SERVICE_TYPE.toUpperCase()}`;
    const item = only(
      readResponse(
        {
          answers: [{ name: `x.${SERVICE_TYPE}`, type: 'SRV', ttl: 60, data: { port: 9, target: 'h' } }],
          additionals: [{ name: instance, type: 'TXT', ttl: 60, data: ['v=1', 'name=X', 'ip=192.0.2.2'] }],
        },
        '192.0.2.2',
      ),
    );
    assert.equal(item.kind === 'announce' && item.id, '192.0.2.2:9');
  });

  it('our own announcement from one of our addresses is skipped; from elsewhere it is rejected as own', () => {
    const packet = roundTrip(ourRecords(BOB, 60));
    const context = { self: '192.0.2.2:5001', local: new Set(['192.0.2.2', '127.0.0.1']) };
    assert.deepEqual(readResponse(packet, '192.0.2.2', context), []);
    const forged = only(readResponse(packet, '192.0.2.3', context));
    assert.deepEqual(forged.kind === 'rejected' && [forged.reason, forged.detail], ['own', '"192.0.2.3" announces our own address "192.0.2.2:5001"']);
  });

  it('many instances in one packet: one item each, in order', () => {
    const answers: MdnsRecord[] = [];
    for (let port = 1; port <= 100; port += 1) answers.push(...announcement(['v=1', `name=P${port}`, 'ip=192.0.2.2'], port, 60, `p${port}.${SERVICE_TYPE}`).answers);
    const items = readResponse({ answers }, '192.0.2.2');
    assert.deepEqual(items.map((i) => (i.kind === 'announce' ? i.port : i.kind)), Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('addressProblem accepts reachable literals only', () => {
    for (const ok of ['192.0.2.1', '127.0.0.1', '10.0.0.1', '::1', '2001:db8::1', 'fe80::1']) assert.equal(addressProblem(ok), undefined, ok);
    for (const bad of ['', '1.2.3', '256.1.1.1', '0.0.0.0', '::', '::ffff:0.0.0.0', '239.1.1.1', 'ff02::fb', '255.255.255.255', 'fe80::1%lo', ' 192.0.2.1']) {
      assert.ok(addressProblem(bad), bad);
    }
  });

  it('property: never throws on arbitrary records, and everything it accepts is valid', () => {
    const data = fc.oneof(fc.string(), fc.uint8Array().map((a) => Buffer.from(a)), fc.array(fc.oneof(fc.string(), fc.uint8Array().map((a) => Buffer.from(a)))), fc.record({ port: fc.anything() }), fc.anything());
    const name = fc.oneof(fc.constant(SERVICE_TYPE), fc.constant(`x.${SERVICE_TYPE}`), fc.string());
    const record = fc.record({ name, type: fc.constantFrom('PTR', 'SRV', 'TXT', 'A', 'X'), ttl: fc.oneof(fc.integer(), fc.double()), data });
    fc.assert(
      fc.property(fc.array(fc.oneof(record, fc.anything())), fc.array(fc.anything()), (answers, additionals) => {
        for (const item of readResponse({ answers, additionals }, '192.0.2.2')) {
          if (item.kind === 'announce') {
            assert.ok(item.port >= 1 && item.port <= 65535);
            assert.equal(addressProblem(item.ip), undefined);
            assert.ok(item.ttlMs >= 1000 && item.ttlMs <= 4_500_000);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
