import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classify, formatMessage, nameProblem, parseMessage } from '../../../src/protocol/line.js';
import { unsendableReason } from '../../../src/protocol/compat.js';
import { canonicalIp, formatAddress, parseAddress } from '../../../src/protocol/address.js';

describe('parseMessage: valid lines', () => {
  const cases: Array<[string, string, { ip: string; port: number; name: string; text: string; kind: string }]> = [
    ['plain chat', '192.168.1.10:5000 Alice Hello there!', { ip: '192.168.1.10', port: 5000, name: 'Alice', text: 'Hello there!', kind: 'chat' }],
    ['hello', '127.0.0.1:6000 Bob hello', { ip: '127.0.0.1', port: 6000, name: 'Bob', text: 'hello', kind: 'hello' }],
    ['CONNECT upper case', '127.0.0.1:6000 Bob CONNECT', { ip: '127.0.0.1', port: 6000, name: 'Bob', text: 'CONNECT', kind: 'connect' }],
    ['exit with spaces and CRLF', '  127.0.0.1:6000 Bob   Exit \r\n', { ip: '127.0.0.1', port: 6000, name: 'Bob', text: 'Exit', kind: 'exit' }],
    ['Hello! is chat', '127.0.0.1:1 Bob Hello!', { ip: '127.0.0.1', port: 1, name: 'Bob', text: 'Hello!', kind: 'chat' }],
    ['connect_ack is chat', '127.0.0.1:65535 Bob connect_ack', { ip: '127.0.0.1', port: 65535, name: 'Bob', text: 'connect_ack', kind: 'chat' }],
    ['body keeps inner runs of spaces', '10.0.0.1:7000 Carol a  b\t c', { ip: '10.0.0.1', port: 7000, name: 'Carol', text: 'a  b\t c', kind: 'chat' }],
    ['tab separators', '10.0.0.1:7000\tCarol\thi', { ip: '10.0.0.1', port: 7000, name: 'Carol', text: 'hi', kind: 'chat' }],
    ['IPv6 in brackets', '[::1]:5001 Dave hi', { ip: '::1', port: 5001, name: 'Dave', text: 'hi', kind: 'chat' }],
    ['IPv6 full', '[2001:db8::7]:80 Eve yo', { ip: '2001:db8::7', port: 80, name: 'Eve', text: 'yo', kind: 'chat' }],
    ['IPv6 long form, canonicalised', '[2001:DB8:0:0:0:0:0:7]:80 Eve yo', { ip: '2001:db8::7', port: 80, name: 'Eve', text: 'yo', kind: 'chat' }],
    ['IPv4-mapped IPv6 is IPv4', '[::ffff:127.0.0.1]:80 Eve yo', { ip: '127.0.0.1', port: 80, name: 'Eve', text: 'yo', kind: 'chat' }],
    ['unicode name and body', '127.0.0.1:5000 Zoë 你好 🎉', { ip: '127.0.0.1', port: 5000, name: 'Zoë', text: '你好 🎉', kind: 'chat' }],
    ['multi-line body', '127.0.0.1:5000 Al line1\nline2', { ip: '127.0.0.1', port: 5000, name: 'Al', text: 'line1\nline2', kind: 'chat' }],
  ];
  for (const [title, line, expected] of cases) {
    it(title, () => {
      const result = parseMessage(line);
      assert.ok(result.ok, `expected ok, got ${JSON.stringify(result)}`);
      assert.deepEqual({ ...result.message }, expected);
    });
  }
});

describe('parseMessage: malformed lines are rejected with a reason', () => {
  const cases: Array<[string, string, string]> = [
    ['empty', '', 'malformed'],
    ['only whitespace', ' \r\n ', 'malformed'],
    ['one part', '127.0.0.1:5000', 'malformed'],
    ['two parts', '127.0.0.1:5000 Alice', 'malformed'],
    ['two parts and trailing space', '127.0.0.1:5000 Alice   ', 'malformed'],
    ['no colon', 'localhost Alice hi', 'malformed'],
    ['host name', 'example.org:5000 Alice hi', 'not-ip'],
    ['port 0', '127.0.0.1:0 Alice hi', 'bad-port'],
    ['port 65536', '127.0.0.1:65536 Alice hi', 'bad-port'],
    ['port text', '127.0.0.1:abc Alice hi', 'bad-port'],
    ['negative port', '127.0.0.1:-1 Alice hi', 'bad-port'],
    ['empty port', '127.0.0.1: Alice hi', 'bad-port'],
    ['bad IPv4', '256.1.1.1:5000 Alice hi', 'not-ip'],
    ['IPv6 without brackets', '::1:5000 Alice hi', 'not-ip'],
    ['IPv6 brackets no port', '[::1] Alice hi', 'malformed'],
    ['bracketed IPv4', '[127.0.0.1]:5000 Alice hi', 'not-ip'],
    ['IPv6 zone ID', '[fe80::1%eth0]:5000 Alice hi', 'not-ip'],
    ['NUL in address', '127.0.0.1\u0000:5000 Alice hi', 'not-ip'],
    ['replacement char', '\ufffd\ufffd:5000 Alice hi', 'not-ip'],
  ];
  for (const [title, line, reason] of cases) {
    it(title, () => {
      const result = parseMessage(line);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.reason, reason);
        assert.ok(result.error.detail.length > 0);
      }
    });
  }
});

describe('classify', () => {
  it('matches the three control words trimmed and case-insensitively, nothing else', () => {
    assert.equal(classify(' HeLLo '), 'hello');
    assert.equal(classify('connect'), 'connect');
    assert.equal(classify('EXIT\r\n'), 'exit');
    assert.equal(classify('exit now'), 'chat');
    assert.equal(classify('hello!'), 'chat');
  });
});

describe('format', () => {
  it('writes the original format with no trailing newline', () => {
    assert.equal(formatMessage({ ip: '192.168.1.10', port: 5000 }, 'Alice', 'Hello there!'), '192.168.1.10:5000 Alice Hello there!');
    assert.equal(formatAddress({ ip: '::1', port: 5001 }), '[::1]:5001');
  });
  it('parseAddress rejects what formatAddress never writes', () => {
    assert.equal(parseAddress('1.2.3.4:05000').ok, true);
    assert.equal(parseAddress('1.2.3.4:123456').ok, false);
  });
  it('nameProblem explains bad names', () => {
    assert.equal(nameProblem('Alice'), undefined);
    assert.match(nameProblem('Al ice') ?? '', /space/);
    assert.match(nameProblem('') ?? '', /empty/);
    assert.match(nameProblem('a\u001bb') ?? '', /control/);
  });
});

describe('parse(format(x)) round-trips (property)', () => {
  const ws = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
  const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => nameProblem(s) === undefined);
  const body = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 200 })
    .filter((s) => s.length > 0 && !ws.has(s[0] as string) && !ws.has(s[s.length - 1] as string));
  const ipv4 = fc.ipV4();
  const ipv6 = fc.ipV6();
  const address = fc.record({ ip: fc.oneof(ipv4, ipv6), port: fc.integer({ min: 1, max: 65535 }) });

  it('for arbitrary valid names, bodies and addresses', () => {
    fc.assert(
      fc.property(address, name, body, (from, n, text) => {
        const parsed = parseMessage(formatMessage(from, n, text));
        assert.ok(parsed.ok, JSON.stringify(parsed));
        assert.equal(parsed.message.ip, canonicalIp(from.ip));
        assert.equal(parsed.message.port, from.port);
        assert.equal(parsed.message.name, n);
        assert.equal(parsed.message.text, text);
        assert.equal(parsed.message.kind, classify(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary input, and every rejection has a reason', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (input) => {
        const parsed = parseMessage(input);
        if (!parsed.ok) assert.ok(parsed.error.reason && parsed.error.detail);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('lines the original peers cannot take', () => {
  const prefix = '127.0.0.1:5000 Alice ';
  it('unsendableReason refuses a character cut at byte 1024, and nothing else', () => {
    const before = 'a'.repeat(1023 - prefix.length);
    assert.match(unsendableReason(`${prefix}${before}é tail`) ?? '', /byte 1024 falls inside the character "é"/);
    assert.match(unsendableReason(`${prefix}${before.slice(1)}🎉 tail`) ?? '', /"🎉"/);
    assert.equal(unsendableReason(`${prefix}${before}a é`), undefined, 'ASCII at 1023, é after the cut');
    assert.equal(unsendableReason(`${prefix}${before.slice(1)}é tail`), undefined, 'é ends exactly at 1024');
    assert.equal(unsendableReason(`${prefix}short é`), undefined);
  });
});
