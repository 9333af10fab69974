import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasUnsafeCharacters, sanitizeForDisplay } from '../../../src/ui/sanitize.js';
import { DANGEROUS, DANGEROUS_CHARACTERS, textWithDangerous } from '../../helpers/dangerous.js';

describe('sanitizeForDisplay', () => {
  it('makes escape sequences visible and inert', () => {
    assert.equal(sanitizeForDisplay('\x1b[2Jcleared'), '\\x1b[2Jcleared');
    assert.equal(sanitizeForDisplay('\x1b]0;pwned\x07'), '\\x1b]0;pwned\\x07');
    assert.equal(sanitizeForDisplay('\x1b[8mhidden\x1b[0m'), '\\x1b[8mhidden\\x1b[0m');
    // C1 CSI (U+009B) and OSC (U+009D) are escape sequences too in some terminals.
    assert.equal(sanitizeForDisplay('\u009b2J\u009d0;t\u009c'), '\\x9b2J\\x9d0;t\\x9c');
  });

  it('shows tabs, newlines and carriage returns as \\t \\n \\r, other C0 and DEL as \\xHH', () => {
    assert.equal(sanitizeForDisplay('a\tb\nc\rd'), 'a\\tb\\nc\\rd');
    assert.equal(sanitizeForDisplay('\u0000\u0007\u0008\u007f'), '\\x00\\x07\\x08\\x7f');
  });

  it('makes bidi overrides, isolates, marks and line separators visible', () => {
    const cases: Array<[string, string]> = [
      ['\u202a', '\\u{202a}'],
      ['\u202b', '\\u{202b}'],
      ['\u202c', '\\u{202c}'],
      ['\u202d', '\\u{202d}'],
      ['\u202e', '\\u{202e}'],
      ['\u2066', '\\u{2066}'],
      ['\u2067', '\\u{2067}'],
      ['\u2068', '\\u{2068}'],
      ['\u2069', '\\u{2069}'],
      ['\u200e', '\\u{200e}'],
      ['\u200f', '\\u{200f}'],
      ['\u061c', '\\u{061c}'],
      ['\u2028', '\\u{2028}'],
      ['\u2029', '\\u{2029}'],
    ];
    for (const [input, shown] of cases) assert.equal(sanitizeForDisplay(`x${input}y`), `x${shown}y`, JSON.stringify(input));
    assert.equal(sanitizeForDisplay('invoice\u202efdp.exe'), 'invoice\\u{202e}fdp.exe');
  });

  it('leaves ordinary Unicode exactly as it is', () => {
    for (const text of ['Zoë café', '你好，世界', 'Привет', 'مرحبا', '🎉 👩‍👩‍👧 🏳️‍🌈', 'a\\x1b stays a backslash', '']) {
      assert.equal(sanitizeForDisplay(text), text);
      assert.equal(hasUnsafeCharacters(text), false, text);
    }
  });

  it('hasUnsafeCharacters agrees with sanitizeForDisplay, call after call', () => {
    assert.equal(hasUnsafeCharacters('\x1b'), true);
    assert.equal(hasUnsafeCharacters('\x1b'), true);
    assert.equal(hasUnsafeCharacters('plain'), false);
  });

  it(`makes each of the ${DANGEROUS_CHARACTERS.length} dangerous code points of the Unicode oracle inert`, () => {
    assert.ok(DANGEROUS_CHARACTERS.length > 70, 'the oracle found C0, DEL, C1, the bidi controls and U+2028/9');
    for (const character of DANGEROUS_CHARACTERS) {
      const shown = sanitizeForDisplay(`x${character}y`);
      const what = `U+${character.codePointAt(0)?.toString(16).padStart(4, '0')}`;
      assert.equal(DANGEROUS.test(shown), false, `${what} shown raw: ${JSON.stringify(shown)}`);
      assert.equal(hasUnsafeCharacters(character), true, what);
    }
  });

  it('never lets a dangerous code point through, and changes nothing else (property)', () => {
    fc.assert(
      fc.property(textWithDangerous(), (text) => {
        const shown = sanitizeForDisplay(text);
        assert.equal(DANGEROUS.test(shown), false, JSON.stringify(shown));
        // Removing the escapes' text from both sides leaves the same safe characters.
        const safeOnly = [...text].filter((c) => !DANGEROUS.test(c)).join('');
        assert.equal(shown.replace(/\\(x[0-9a-f]{2}|u\{[0-9a-f]{4}\}|[tnr])/g, ''), safeOnly.replace(/\\(x[0-9a-f]{2}|u\{[0-9a-f]{4}\}|[tnr])/g, ''));
        assert.equal(hasUnsafeCharacters(text), shown !== text);
      }),
      { numRuns: 3000 },
    );
  });
});
