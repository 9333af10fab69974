import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { safeJson } from '../../../src/output/safe-json.js';
import { DANGEROUS, DANGEROUS_CHARACTERS, textWithDangerous } from '../../helpers/dangerous.js';

describe('safeJson', () => {
  it('escapes what JSON.stringify leaves raw', () => {
    assert.equal(safeJson({ t: 'a\u202eb\u0085c\u2028d\u007f' }), '{"t":"a\\u202eb\\u0085c\\u2028d\\u007f"}');
    assert.equal(safeJson({ t: '\u001b[2J' }), '{"t":"\\u001b[2J"}');
  });
  it('leaves ordinary Unicode alone', () => {
    assert.equal(safeJson({ t: 'Zoë 你好 🎉 👩‍👩‍👧' }), '{"t":"Zoë 你好 🎉 👩‍👩‍👧"}');
  });
  it(`escapes each of the ${DANGEROUS_CHARACTERS.length} dangerous code points of the Unicode oracle`, () => {
    assert.ok(DANGEROUS_CHARACTERS.length > 70, 'the oracle found C0, DEL, C1, the bidi controls and U+2028/9');
    for (const character of DANGEROUS_CHARACTERS) {
      const out = safeJson({ t: character });
      assert.equal(DANGEROUS.test(out), false, out);
      assert.deepEqual(JSON.parse(out), { t: character });
    }
  });
  it('round-trips and never carries a raw control or bidi code point (property)', () => {
    fc.assert(
      fc.property(textWithDangerous(), (text) => {
        const out = safeJson({ text });
        assert.equal(DANGEROUS.test(out), false, out);
        assert.deepEqual(JSON.parse(out), { text });
      }),
      { numRuns: 3000 },
    );
  });
});
