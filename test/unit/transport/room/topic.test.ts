import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ROOM_NAME_BYTES, parseRoomName, roomTopic } from '../../../../src/transport/room/topic.js';

// The documented prefix, written out as bytes, not taken from the module under test.
const PREFIX = Buffer.from('703270636861742f726f6f6d2f76313a', 'hex');

describe('roomTopic', () => {
  it('is SHA-256 of the documented prefix bytes and the UTF-8 name (published vectors)', () => {
    assert.equal(PREFIX.toString('ascii'), 'p2pchat/room/v1:');
    assert.equal(roomTopic('lobby').toString('hex'), '81e657900a2e163330a5c47fb05fd68c5544d3bf39a1beef4bfdde3960090dae');
    assert.equal(roomTopic('café').toString('hex'), '032faf82d40572b1243c2c21c365f87e5a47228c0b2487b57746a626ba53b0e0');
  });
  it('matches an independent computation for any valid name', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }), (name) => {
        const parsed = parseRoomName(name);
        fc.pre(parsed.ok);
        const expected = createHash('sha256').update(Buffer.concat([PREFIX, Buffer.from(name.normalize('NFC'), 'utf8')])).digest();
        assert.deepEqual(roomTopic(name), expected);
        assert.equal(roomTopic(name).length, 32);
      }),
    );
  });
  it('normalises to NFC, so a composed and a decomposed é are one room', () => {
    assert.deepEqual(roomTopic('caf\u00e9'), roomTopic('cafe\u0301'));
  });
  it('keeps case: Dev and dev are two rooms', () => {
    assert.notDeepEqual(roomTopic('Dev'), roomTopic('dev'));
  });
  it('throws for a name parseRoomName refuses', () => {
    assert.throws(() => roomTopic('two words'), /contains U\+0020/);
  });
});

describe('parseRoomName', () => {
  const good = ['lobby', 'team-42', 'café', '日本語', 'a', 'x'.repeat(MAX_ROOM_NAME_BYTES)];
  for (const name of good) {
    it(`accepts ${JSON.stringify(name.slice(0, 20))}`, () => assert.deepEqual(parseRoomName(name), { ok: true, name }));
  }
  const bad: Array<[string, RegExp]> = [
    ['', /cannot be empty/],
    ['two words', /contains U\+0020: no spaces/],
    ['tab\there', /U\+0009/],
    ['nul\u0000', /U\+0000/],
    ['bidi\u202e', /U\+202E/],
    ['zero\u200bwidth', /U\+200B/],
    ['x'.repeat(MAX_ROOM_NAME_BYTES + 1), /101 bytes long: at most 100 bytes/],
    ['é'.repeat(51), /102 bytes long/],
  ];
  for (const [name, pattern] of bad) {
    it(`refuses ${JSON.stringify(name.slice(0, 12))}`, () => {
      const result = parseRoomName(name);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.error, pattern);
    });
  }
});
