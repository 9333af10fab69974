/**
 * Malformed packets and hostile TXT values, sent for real over multicast from
 * another namespace: each is rejected with its reason and the source, the
 * process lives on, and discovery still works afterwards. Text is left as
 * sent in the events (the display sanitises), never trusted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { discovered, startMdnsPeer, startMdnsTool, type MdnsEvent, type MdnsPeer, type MdnsTool } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

const SERVICE = '_p2pchat._tcp.local';
const SOURCE = '192.0.2.2:5353';

type Txt = (string | { hex: string })[];

/** One instance with these TXT entries and SRV port (the TXT left out when `txt` is null). */
function service(tag: string, txt: Txt | null, port = 7000): Record<string, unknown>[] {
  const instance = `${tag}.${SERVICE}`;
  const records: Record<string, unknown>[] = [
    { name: SERVICE, type: 'PTR', ttl: 60, data: instance },
    { name: instance, type: 'SRV', ttl: 60, data: { port, target: 'x.local' } },
  ];
  if (txt) records.push({ name: instance, type: 'TXT', ttl: 60, data: txt });
  return records;
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

/** Raw datagrams that are not DNS messages, or that lie about their own lengths. */
function rawPackets(): [string, Buffer][] {
  const header = (qd: number, an: number): Buffer => {
    const b = Buffer.alloc(12);
    b.writeUInt16BE(0x8400, 2); // response, authoritative
    b.writeUInt16BE(qd, 4);
    b.writeUInt16BE(an, 6);
    return b;
  };
  const txt = dnsPacket.encode({ type: 'response', answers: [{ name: `t.${SERVICE}`, type: 'TXT', ttl: 60, data: ['abc'] }] });
  const overflow = Buffer.from(txt);
  overflow[overflow.length - 4] = 200; // the TXT string says 200 bytes; 3 follow
  return [
    ['text', Buffer.from('hello, is this 5353?')],
    ['an empty datagram', Buffer.alloc(0)],
    ['a short header', Buffer.from([0, 0, 0x84])],
    ['a header promising 65535 answers', header(0, 65535)],
    ['a name compressed into itself', Buffer.concat([header(1, 0), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])])],
    ['a TXT string longer than its record', overflow],
  ];
}

async function expectRejected(alice: MdnsPeer, sendIt: () => Promise<unknown>, reason: string, detail: RegExp, what: string): Promise<MdnsEvent> {
  const from = alice.events.length;
  await sendIt();
  const event = await alice.waitForAfter(from, (e) => e.event === 'rejected', 5000, `rejection of ${what}`);
  assert.deepEqual([event.reason, event.source, event.via], [reason, SOURCE, 'mdns'], `${what}: ${JSON.stringify(event)}`);
  assert.match(String(event.detail), detail, what);
  assert.ok(String(event.detail).length < 300, `${what}: detail is bounded (${String(event.detail).length})`);
  return event;
}

describe('LAN discovery: malformed and hostile packets', () => {
  it('rejects each with a reason and the source, stays alive, and still discovers afterwards', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const alice = await startMdnsPeer(network, network.host(0), { name: 'Alice', port: 5000 });
      const mallory: MdnsTool = await startMdnsTool(network, network.host(1), 'forge');
      const send = (answers: Record<string, unknown>[]) => () => mallory.command({ op: 'send', packet: { answers } });

      for (const [what, bytes] of rawPackets()) {
        await expectRejected(alice, () => mallory.command({ op: 'raw', hex: bytes.toString('hex') }), 'malformed', /is not a DNS message/, what);
      }

      const cases: [string, Record<string, unknown>[], string, RegExp][] = [
        ['control characters in the name', service('ctl', ['v=1', 'name=Eve\u001b]0;pwned\u0007', 'ip=192.0.2.2']), 'bad-name', /control character/],
        ['a name of 250 bytes', service('long', ['v=1', `name=${'N'.repeat(250)}`, 'ip=192.0.2.2']), 'bad-name', /longer than 64 characters/],
        ['a name with a space', service('space', ['v=1', 'name=Eve Smith', 'ip=192.0.2.2']), 'bad-name', /contains a space/],
        ['a name that is not UTF-8', service('utf8', ['v=1', { hex: hex('name=') + 'c328' }, 'ip=192.0.2.2']), 'bad-name', /not valid UTF-8/],
        ['no name', service('noname', ['v=1', 'ip=192.0.2.2']), 'missing-field', /no name/],
        ['no ip', service('noip', ['v=1', 'name=Eve']), 'missing-field', /no ip/],
        ['no v', service('nov', ['name=Eve', 'ip=192.0.2.2']), 'missing-field', /no v/],
        ['no TXT at all', service('notxt', null), 'missing-field', /no TXT record/],
        ['v=9', service('v9', ['v=9', 'name=Eve', 'ip=192.0.2.2']), 'malformed', /TXT version "9"/],
        ['a host name as ip', service('host', ['v=1', 'name=Eve', 'ip=evil.example']), 'bad-address', /not an IP address/],
        ['ip 0.0.0.0', service('zero', ['v=1', 'name=Eve', 'ip=0.0.0.0']), 'bad-address', /unspecified/],
        ['port 0', service('port0', ['v=1', 'name=Eve', 'ip=192.0.2.2'], 0), 'bad-address', /port "0"/],
      ];
      for (const [what, answers, reason, detail] of cases) await expectRejected(alice, send(answers), reason, detail, what);

      // About 10 KB of TXT in one datagram (IP-fragmented): 40 names of 245 bytes; the first one counts.
      const huge = service('huge', ['v=1', 'ip=192.0.2.2', ...Array.from({ length: 40 }, (_, i) => `name=${String(i % 10).repeat(245)}`)]);
      const hugeEvent = await expectRejected(alice, send(huge), 'bad-name', /longer than 64 characters/, 'a 10 KB TXT record');
      assert.match(String(hugeEvent.detail), /"0000/, 'the first name of the record is the one judged');

      // A rejected name is quoted as JSON in the sentence (as line.ts quotes), never added.
      const ctl = alice.events.find((e) => e.event === 'rejected' && String(e.detail).includes('"Eve\\u001b]0;pwned\\u0007"'));
      assert.ok(ctl, `the control characters are quoted: ${JSON.stringify(alice.events.filter((e) => e.event === 'rejected').map((e) => e.detail))}`);
      assert.deepEqual(await alice.list(), []);
      assert.deepEqual(alice.events.filter((e) => e.event === 'discovered'), []);
      assert.deepEqual(alice.events.filter((e) => e.event === 'warning'), []);

      // Queries full of junk: nothing to answer, nothing breaks.
      await mallory.command({ op: 'send', packet: { type: 'query', questions: [{ name: '\u0000\u00ff', type: 'ANY' }, { name: 'x'.repeat(60), type: 'PTR' }] } });

      // Still alive and still discovering.
      assert.equal(alice.child.exitCode, null);
      await mallory.command({ op: 'send', packet: { answers: service('fine', ['v=1', 'name=Dave', 'ip=192.0.2.2'], 7001) } });
      const dave = await alice.waitFor(discovered('192.0.2.2:7001', 'Dave'), 5000, 'a good announcement after all that');
      assert.equal(dave.verified, true, 'sent from 192.0.2.2, claiming 192.0.2.2');
      // A valid name (one token, no control character) with a bidi override and a zero-width space
      // arrives as sent: showing it safely is the display's job, in one sanitiser.
      const tricky = 'Dave\u202eevaD\u200b';
      await mallory.command({ op: 'send', packet: { answers: service('tricky', ['v=1', `name=${tricky}`, 'ip=192.0.2.2'], 7002) } });
      await alice.waitFor(discovered('192.0.2.2:7002', tricky), 5000, 'the tricky name unchanged');
      assert.equal(await alice.quit(), 0);
    } finally {
      network.destroy();
    }
  });
});
