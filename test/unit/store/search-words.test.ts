import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_WORDS, ftsMatchExpression, matchesWords, queryWords, searchTokens } from '../../../src/store/search-words.js';

describe('search words', () => {
  const cases: [string, string | null][] = [
    ['hello', '"hello"'],
    ['Hello  WORLD', '"hello" "world"'],
    ['café Crème', '"cafe" "creme"'],
    ['hello hello', '"hello"'],
    // FTS5 syntax is only text: operators become words, the rest separates words.
    ['a AND b', '"a" "and" "b"'],
    ['NOT x OR y', '"not" "x" "or" "y"'],
    ['NEAR(a b, 3)', '"near" "a" "b" "3"'],
    ['text:secret', '"text" "secret"'],
    ['"quoted" phrase*', '"quoted" "phrase"'],
    ['^start -minus +plus', '"start" "minus" "plus"'],
    ['日本語 テキスト', '"日本語" "テキスト"'],
    ['', null],
    ['   ', null],
    ['"*^():-+', null],
    ['🙂 🙂', null],
  ];
  for (const [words, expected] of cases) {
    it(`${JSON.stringify(words)} -> ${String(expected)}`, () => {
      assert.equal(ftsMatchExpression(words), expected);
    });
  }

  it('keeps at most MAX_WORDS distinct words', () => {
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    assert.equal(queryWords(words).length, MAX_WORDS);
  });

  it('an expression is only quoted letters and digits, for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        const expression = ftsMatchExpression(input);
        if (expression === null) return queryWords(input).length === 0;
        return /^"[\p{L}\p{N}]+"( "[\p{L}\p{N}]+")*$/u.test(expression);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches whole words, every one of them, ignoring case and accents', () => {
    const tokens = searchTokens('Cafe deploy');
    assert.equal(matchesWords('We DEPLOY at the café', tokens), true);
    assert.equal(matchesWords('We deployed at the café', tokens), false, 'whole words only');
    assert.equal(matchesWords('deploy', tokens), false, 'every word');
    assert.equal(matchesWords('anything', []), false, 'no words match nothing');
  });
});
