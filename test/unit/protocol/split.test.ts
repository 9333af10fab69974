import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classify, formatMessage, ORIGINAL_RECV_BYTES, trimWhitespace } from '../../../src/protocol/line.js';
import { MIN_PART_BYTES, splitForWire, splitMessage, type WirePart } from '../../../src/protocol/split.js';

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const join = (parts: readonly WirePart[]): string => parts.map((part) => part.gap + part.text).join('');
const FROM = { ip: '127.0.0.1', port: 5000 };
/** `127.0.0.1:5000 Alice `: what precedes the body on the wire. */
const PREFIX = bytes(formatMessage(FROM, 'Alice', ''));

/** Every rule of the module's contract, for one split. */
function checkSplit(text: string, prefixBytes: number, parts: readonly WirePart[]): void {
  const budget = ORIGINAL_RECV_BYTES - prefixBytes;
  assert.ok(parts.length >= 1);
  if (bytes(text) <= budget) {
    assert.deepEqual(parts, [{ text, gap: '' }]);
    return;
  }
  for (const [index, part] of parts.entries()) {
    const where = `part ${index} of ${parts.length}: ${JSON.stringify(part.text.slice(0, 60))}`;
    assert.ok(part.text.length > 0, `${where} is empty`);
    assert.equal(trimWhitespace(part.text), part.text, `${where} has surrounding whitespace`);
    assert.ok(prefixBytes + bytes(part.text) <= ORIGINAL_RECV_BYTES, `${where} makes a line of ${prefixBytes + bytes(part.text)} bytes`);
    // A cut inside a UTF-8 character (a lone surrogate here) would not survive encoding.
    assert.equal(Buffer.from(part.text, 'utf8').toString('utf8'), part.text, `${where} is cut inside a character`);
    assert.equal(classify(part.text), 'chat', `${where} is a bare control word`);
    assert.equal(/^[ \t\n\v\f\r]*$/.test(part.gap), true, `${where} has a gap that is not whitespace`);
    if (index === 0) assert.equal(part.gap, '');
  }
  assert.equal(join(parts), trimWhitespace(text), 'the parts and their gaps do not give back the text');
}

describe('splitForWire', () => {
  it('keeps a line that fits as one part, exactly as typed', () => {
    assert.deepEqual(splitForWire('  hi there  ', PREFIX), [{ text: '  hi there  ', gap: '' }]);
    assert.deepEqual(splitForWire('exit', PREFIX), [{ text: 'exit', gap: '' }]);
    const exact = 'x'.repeat(ORIGINAL_RECV_BYTES - PREFIX);
    assert.deepEqual(splitMessage(exact, PREFIX), [exact]);
    assert.equal(splitMessage(`${exact}y`, PREFIX).length, 2);
  });

  it('cuts at the last whitespace that fits, and gives back the whitespace run as the gap', () => {
    const word = 'abcdefghi ';
    const text = word.repeat(200);
    const parts = splitForWire(text, PREFIX);
    checkSplit(text, PREFIX, parts);
    for (const part of parts) assert.match(part.text, /^(abcdefghi )*abcdefghi$/);
    assert.ok(parts.slice(1).every((part) => part.gap === ' '));
    // Greedy: every part but the last is as full as whole words allow.
    for (const part of parts.slice(0, -1)) assert.ok(bytes(part.text) > ORIGINAL_RECV_BYTES - PREFIX - word.length);
  });

  it('cuts a 3,000-byte CJK message into parts <= 1024 bytes that concatenate to the text', () => {
    const text = '你好世界和平'.repeat(167).slice(0, 1000);
    assert.equal(bytes(text), 3000);
    const parts = splitMessage(text, PREFIX);
    assert.equal(parts.join(''), text);
    assert.ok(parts.every((part) => PREFIX + bytes(part) <= ORIGINAL_RECV_BYTES));
    assert.equal(parts.length, 3);
    checkSplit(text, PREFIX, splitForWire(text, PREFIX));
  });

  it('never cuts a 4-byte emoji, and keeps a ZWJ family whole', () => {
    const family = '👨‍👩‍👧‍👦';
    const text = `${'😀'.repeat(200)}${family.repeat(40)}`;
    const parts = splitMessage(text, PREFIX);
    assert.equal(parts.join(''), text);
    for (const part of parts) {
      assert.equal(Buffer.from(part).toString(), part);
      // A part never starts with a joiner: the family was not cut.
      assert.equal(part.startsWith('\u200d'), false);
      assert.equal(/^[\u{1f466}\u{1f467}\u{1f469}]/u.test(part) && !part.startsWith('😀'), false, part.slice(0, 8));
    }
  });

  it('keeps a control word that would stand alone attached to its neighbour', () => {
    const budget = ORIGINAL_RECV_BYTES - PREFIX;
    // The last word alone would be "exit".
    const tail = `${'word '.repeat(Math.floor(budget / 5))}exit`;
    const tailParts = splitForWire(tail, PREFIX);
    checkSplit(tail, PREFIX, tailParts);
    assert.match(tailParts.at(-1)?.text ?? '', /word exit$/);
    // A short word before a word too long for the rest of the part.
    const middle = `Hello ${'y'.repeat(budget)} more`;
    const middleParts = splitForWire(middle, PREFIX);
    checkSplit(middle, PREFIX, middleParts);
    assert.match(middleParts[0]?.text ?? '', /^Hello y+$/);
    // The first part alone would be "CONNECT".
    const first = `CONNECT ${'z'.repeat(budget - 2)}`;
    const firstParts = splitForWire(first, PREFIX);
    checkSplit(first, PREFIX, firstParts);
    assert.match(firstParts[0]?.text ?? '', /^CONNECT z+$/);
  });

  it('shortens a whitespace run too long to travel with a control word (the one exception)', () => {
    const budget = ORIGINAL_RECV_BYTES - PREFIX;
    const text = `${'a'.repeat(budget - 10)}${' '.repeat(budget)}exit`;
    const parts = splitMessage(text, PREFIX);
    assert.ok(parts.every((part) => classify(part) === 'chat' && PREFIX + bytes(part) <= ORIGINAL_RECV_BYTES));
    const squeeze = (value: string): string => value.replace(/\s+/g, '');
    assert.equal(squeeze(parts.join('')), squeeze(text));
    assert.match(parts.at(-1) ?? '', /^a+ exit$/);
  });

  it('refuses a prefix that leaves too little room, with one sentence', () => {
    assert.throws(() => splitForWire('x'.repeat(2000), ORIGINAL_RECV_BYTES - MIN_PART_BYTES + 1), {
      name: 'RangeError',
      message: /at least 64 bytes must remain for the message/,
    });
  });
});

describe('splitForWire properties', () => {
  const ascii = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABC0123456789.,!?-');
  const cjk = fc.constantFrom(...'你好世界中文字符测试漢字かなカナ한국어');
  const emoji = fc.constantFrom('😀', '🎉', '🚀', '👍🏽', '👨‍👩‍👧', '🇫🇷', 'é', 'e\u0301');
  const space = fc.constantFrom(' ', ' ', ' ', '\t', '\n', '  ', '   ');
  const word = (alphabet: fc.Arbitrary<string>, max: number) => fc.array(alphabet, { minLength: 1, maxLength: max }).map((chars) => chars.join(''));
  const control = fc.constantFrom('hello', 'exit', 'connect', 'EXIT', 'Hello');
  const anyWord = fc.oneof(
    { weight: 6, arbitrary: word(ascii, 12) },
    { weight: 3, arbitrary: word(cjk, 12) },
    { weight: 2, arbitrary: word(emoji, 8) },
    { weight: 1, arbitrary: word(fc.oneof(ascii, cjk, emoji), 1500) },
    { weight: 2, arbitrary: control },
  );
  const spaceRun = fc.array(space, { minLength: 1, maxLength: 8 }).map((runs) => runs.join('')).filter((run) => run.length <= 40);
  const message = fc
    .tuple(fc.array(fc.tuple(anyWord, spaceRun), { minLength: 1, maxLength: 400, size: 'max' }), fc.option(spaceRun), fc.option(spaceRun))
    .map(([pairs, lead, trail]) => `${lead ?? ''}${pairs.map(([w, s]) => w + s).join('').trimEnd()}${trail ?? ''}`);
  const prefix = fc.integer({ min: 20, max: 900 });

  it('every line fits, no cut inside a character, the text comes back, order kept', () => {
    let split = 0;
    fc.assert(
      fc.property(message, prefix, (text, prefixBytes) => {
        const parts = splitForWire(text, prefixBytes);
        if (parts.length > 1) split += 1;
        checkSplit(text, prefixBytes, parts);
      }),
      { numRuns: 300 },
    );
    // The property is about splitting: most generated texts must need it.
    assert.ok(split > 150, `only ${split} of 300 texts were split`);
  });

  it('text without whitespace concatenates exactly, in every script', () => {
    const solid = fc.array(fc.oneof(ascii, cjk, emoji), { minLength: 1, maxLength: 3000, size: 'max' }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(solid, prefix, (text, prefixBytes) => {
        const parts = splitMessage(text, prefixBytes);
        assert.equal(parts.join(''), text);
        checkSplit(text, prefixBytes, splitForWire(text, prefixBytes));
      }),
      { numRuns: 300 },
    );
  });
});
