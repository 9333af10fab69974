/**
 * Parser property test: at least 10,000 generated inputs, from random Unicode
 * and random bytes to near-valid lines, go through parseMessage. None may
 * throw; each is either accepted with consistent fields or rejected with a
 * known reason and a sentence. Lines built valid must be accepted as built.
 */
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import { test } from 'node:test';
import fc from 'fast-check';
import { classify, formatMessage, parseMessage, type RejectReason } from '../../src/protocol/line.js';
import { canonicalIp } from '../../src/protocol/address.js';
import { report } from './support.js';

const REASONS: ReadonlySet<RejectReason> = new Set(['malformed', 'bad-port', 'not-ip', 'too-large', 'timed-out', 'unverified']);
const WS = /[ \t\n\v\f\r]/;
const RUNS_PER_FAMILY = 3000;

const ws = fc.constantFrom(' ', '  ', '\t', ' \t ', '\r', '\n', '\v', '\f', '\r\n');
const token = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }).filter((s) => !WS.test(s));
const ipv4 = fc.ipV4();
const ipv6 = fc.ipV6().map((ip) => `[${ip}]`);
const portText = fc.oneof(
  fc.integer({ min: 1, max: 65535 }).map(String),
  fc.integer({ min: -10, max: 200_000 }).map(String),
  fc.constantFrom('', '0', '65536', '99999', '00080', '+80', '8e3', '0x50', ' 80', '80a', '٣٣'),
);
const host = fc.oneof(ipv4, ipv6, fc.ipV6(), fc.domain(), fc.constantFrom('256.1.1.1', '1.2.3', 'localhost', '[::1', '::ffff:1.2.3.4', ''));
const body = fc.string({ unit: 'grapheme', maxLength: 40 });

/** Near-valid: the right shape with each part drawn from good and bad values. */
const nearValid = fc
  .tuple(fc.option(ws), host, fc.option(fc.constantFrom(':', '::', ']:', '')), portText, fc.option(ws), fc.option(token), fc.option(ws), body, fc.option(ws))
  .map(([lead, h, colon, p, ws1, name, ws2, text, tail]) =>
    `${lead ?? ''}${h}${colon ?? ':'}${p}${ws1 ?? ''}${name ?? ''}${ws2 ?? ''}${text}${tail ?? ''}`,
  );

/** Valid by construction, with the parts the parser must give back. */
const valid = fc
  .tuple(fc.oneof(ipv4, fc.ipV6()), fc.integer({ min: 1, max: 65535 }), token, body.filter((t) => t.trim() !== '' && !WS.test(t[0] ?? ' ') && !WS.test(t.at(-1) ?? ' ')))
  .map(([ip, port, name, text]) => ({ ip, port, name, text, line: formatMessage({ ip, port }, name, text) }));

/** Random bytes decoded as the server does (invalid UTF-8 becomes U+FFFD). */
const bytes = fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('utf8'));
const unicode = fc.string({ unit: 'binary', maxLength: 120 });

test('parser property: every input accepted or rejected with a reason, none throws', () => {
  let inputs = 0;
  let throws = 0;
  let accepted = 0;
  const rejected = new Map<string, number>();

  const check = (input: string): void => {
    inputs += 1;
    let result: ReturnType<typeof parseMessage>;
    try {
      result = parseMessage(input);
    } catch (error) {
      throws += 1;
      throw error;
    }
    if (result.ok) {
      accepted += 1;
      const m = result.message;
      assert.notEqual(isIP(m.ip), 0, `accepted a non-IP ${JSON.stringify(m.ip)}`);
      assert.ok(Number.isInteger(m.port) && m.port >= 1 && m.port <= 65535, `accepted port ${m.port}`);
      assert.ok(m.name.length > 0 && !WS.test(m.name), `name ${JSON.stringify(m.name)}`);
      assert.ok(m.text.length > 0, 'accepted an empty body');
      assert.equal(m.kind, classify(m.text));
      // What p2pchat would send for it parses back to the same message.
      const again = parseMessage(formatMessage(m, m.name, m.text));
      assert.ok(again.ok);
      assert.deepEqual(again.message, m);
    } else {
      assert.ok(REASONS.has(result.error.reason), `unknown reason ${result.error.reason}`);
      assert.equal(typeof result.error.detail, 'string');
      assert.ok(result.error.detail.length > 0, 'a rejection without a sentence');
      rejected.set(result.error.reason, (rejected.get(result.error.reason) ?? 0) + 1);
    }
  };

  for (const family of [unicode, bytes, nearValid]) {
    fc.assert(fc.property(family, (input) => check(input)), { numRuns: RUNS_PER_FAMILY });
  }
  let validRoundTrips = 0;
  fc.assert(
    fc.property(valid, ({ ip, port, name, text, line }) => {
      check(line);
      const parsed = parseMessage(line);
      assert.ok(parsed.ok, `rejected a valid line ${JSON.stringify(line)}`);
      // The address comes back in its one canonical spelling (IPv6 compressed, lower case).
      assert.deepEqual([parsed.message.ip, parsed.message.port, parsed.message.name, parsed.message.text], [canonicalIp(ip), port, name, text]);
      validRoundTrips += 1;
    }),
    { numRuns: RUNS_PER_FAMILY },
  );

  const rejectedTotal = [...rejected.values()].reduce((a, b) => a + b, 0);
  assert.ok(inputs >= 10_000, `only ${inputs} inputs`);
  assert.equal(throws, 0);
  assert.equal(accepted + rejectedTotal, inputs);
  assert.equal(validRoundTrips, RUNS_PER_FAMILY);
  const byReason = [...rejected].map(([reason, n]) => `${reason} ${n}`).join(', ');
  report(
    `parser: ${inputs} generated inputs, ${throws} throws, ${accepted} accepted (${validRoundTrips}/${RUNS_PER_FAMILY} built-valid lines parsed back exactly), ${rejectedTotal} rejected with a reason (${byReason})`,
  );
});
