import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hasUnsafeCharacters, sanitizeForDisplay } from '../../src/ui/sanitize.js';

// Everything a terminal may act on rather than draw: C0, DEL, C1, bidi controls and marks, U+2028/2029.
// eslint-disable-next-line no-control-regex
const DANGEROUS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

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

  it('never lets a dangerous code point through, and changes nothing else (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
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
