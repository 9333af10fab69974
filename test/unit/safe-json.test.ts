import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { safeJson } from '../../src/safe-json.js';

// Every code point a terminal may act on: C0, DEL, C1, line/paragraph separators, bidi controls.
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw', () => {
    assert.equal(safeJson({ t: 'a\u202eb\u0085c\u2028d\u007f' }), '{"t":"a\\u202eb\\u0085c\\u2028d\\u007f"}');
    assert.equal(safeJson({ t: '\u001b[2J' }), '{"t":"\\u001b[2J"}');
  });
  it('leaves ordinary Unicode alone', () => {
    assert.equal(safeJson({ t: 'Zoë 你好 🎉 👩‍👩‍👧' }), '{"t":"Zoë 你好 🎉 👩‍👩‍👧"}');
  });
  it('round-trips and never carries a raw control or bidi code point (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        const out = safeJson({ text });
        assert.equal(DANGEROUS.test(out), false, out);
        assert.deepEqual(JSON.parse(out), { text });
      }),
      { numRuns: 3000 },
    );
  });
});
