/**
 * The test oracle for code points that must never reach a screen or a log
 * raw, taken from Unicode's own properties rather than copied from the
 * implementation: a code point missing from both would otherwise go unseen.
 * Cc is C0, DEL and C1; Bidi_Control is U+061C, U+200E/F, U+202A-E and
 * U+2066-9; U+2028/2029 end a line in JavaScript and in some terminals.
 */
import fc from 'fast-check';

/** Matches one dangerous code point (no `g` flag: `test` keeps no state). */
export const DANGEROUS = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;

/** Every dangerous code point, found by scanning all of Unicode with the oracle. */
export const DANGEROUS_CHARACTERS: readonly string[] = (() => {
  const found: string[] = [];
  for (let code = 0; code <= 0x10ffff; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) continue; // lone surrogates are not characters
    const character = String.fromCodePoint(code);
    if (DANGEROUS.test(character)) found.push(character);
  }
  return found;
})();

/**
 * Strings that often hold dangerous code points: runs of arbitrary text
 * (any code point, surrogates as pairs) mixed with ones drawn from the whole
 * dangerous set, so each of them turns up within a few thousand runs.
 */
export function textWithDangerous(maxParts = 12): fc.Arbitrary<string> {
  const part = fc.oneof(fc.constantFrom(...DANGEROUS_CHARACTERS), fc.string({ unit: 'binary', maxLength: 12 }));
  return fc.array(part, { maxLength: maxParts }).map((parts) => parts.join(''));
}
