import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatRoomPeer, isRoomPeerId, matchRoomPeer, parseRoomPeer, shortRoomPeer } from '../../../../src/transport/room/peer-id.js';

const key = (byte: number): Buffer => Buffer.alloc(32, byte);
const A = formatRoomPeer(Buffer.from('ab12cd34' + '00'.repeat(28), 'hex'));
const B = formatRoomPeer(Buffer.from('ab12cd35' + '11'.repeat(28), 'hex'));
const C = formatRoomPeer(Buffer.from('ab12cd35' + '22'.repeat(28), 'hex'));

describe('room peer ids', () => {
  it('formats @ and 64 lower-case hex digits, and parses back', () => {
    assert.equal(formatRoomPeer(key(0xab)), `@${'ab'.repeat(32)}`);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const id = formatRoomPeer(bytes);
        assert.ok(isRoomPeerId(id));
        assert.deepEqual(parseRoomPeer(id), Buffer.from(bytes));
      }),
    );
  });
  it('refuses keys that are not 32 bytes, and ids that are not full ids', () => {
    assert.throws(() => formatRoomPeer(Buffer.alloc(31)), /32 bytes, not 31/);
    for (const id of ['', '@', `@${'AB'.repeat(32)}`, `${'ab'.repeat(32)}`, `@${'ab'.repeat(31)}`, '127.0.0.1:5000']) {
      assert.equal(isRoomPeerId(id), false, id);
      assert.equal(parseRoomPeer(id), null, id);
    }
  });
  it('shortens to @ and 8 hex digits with an ellipsis', () => {
    assert.equal(shortRoomPeer(A), '@ab12cd34…');
  });
});

describe('matchRoomPeer', () => {
  const known = [A, B, C];
  it('resolves a unique prefix of 8 or more digits, in any case, with or without @ or …', () => {
    for (const typed of ['@ab12cd34', 'ab12cd34', '@AB12CD34', '@ab12cd34…', ` ${A} `, A]) {
      assert.deepEqual(matchRoomPeer(typed, known), { ok: true, id: A }, typed);
    }
    assert.deepEqual(matchRoomPeer('@ab12cd3511', known), { ok: true, id: B });
  });
  const failures: Array<[string, string, RegExp]> = [
    ['@ab12cd3', 'too-short', /at least 8 hex digits/],
    ['@ab12cd35', 'ambiguous', /matches 2 room peers \(@ab12cd35…, @ab12cd35…\): type more digits/],
    ['@ffffffff', 'none', /no room peer matches "@ffffffff"/],
    ['Alice', 'not-a-prefix', /is not a room peer id/],
    ['@xyz12345', 'not-a-prefix', /is not a room peer id/],
    ['127.0.0.1:5000', 'not-a-prefix', /is not a room peer id/],
  ];
  for (const [typed, reason, pattern] of failures) {
    it(`reports ${JSON.stringify(typed)} as ${reason}`, () => {
      const result = matchRoomPeer(typed, known);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.reason, reason);
        assert.match(result.error, pattern);
      }
    });
  }
  it('lists the candidates of an ambiguous prefix, sorted', () => {
    const result = matchRoomPeer('@ab12cd35', [C, B, B]);
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(result.candidates, [B, C]);
  });
});
