/**
 * Split a message into parts that each fit one connection of the original
 * peers (PROTOCOL.md, "Transport": they keep the first 1024 bytes of a
 * connection, and die on a character cut at byte 1024). Pure.
 *
 * How the parts relate to the text:
 *
 * - A text whose line fits (`prefixBytes` + its UTF-8 size <= `maxBytes`) is
 *   one part, exactly the text, whatever it holds (even a bare control word:
 *   that one the user meant, and the caller asks about it).
 * - A longer text is split after trimming its ASCII whitespace (receivers drop
 *   it anyway). Every part is non-empty and has no leading or trailing ASCII
 *   whitespace. A cut falls at a whitespace run (the run is the cut's `gap`
 *   and travels in no part) or, inside a word longer than a part, at a
 *   character boundary (the gap is empty): at a grapheme boundary when one
 *   is near (so an emoji ZWJ sequence or an accent stays whole), else at a
 *   code point boundary, never inside a UTF-8 character.
 * - So `parts.map((p) => p.gap + p.text).join('')` is the trimmed text, and
 *   for a text without whitespace the parts concatenate to it exactly.
 * - No part of a split text is, once trimmed, a bare control word (`hello`,
 *   `connect`, `exit`, any case): the receiver would act on it instead of
 *   showing it. Such a word is kept attached to its neighbour (the part
 *   before it, or for the first part the one after it). The one case where
 *   the text is not reproduced: when the whitespace run between the word and
 *   its neighbour is itself too long for a part, that run is shortened to one
 *   space inside the part (the only way to keep the word from acting).
 */
import { classify, ORIGINAL_RECV_BYTES } from './line.js';

export interface WirePart {
  /** The body to send: non-empty, no leading or trailing ASCII whitespace (when split). */
  readonly text: string;
  /** The whitespace of the original text between the previous part and this one ('' for the first, and for a cut inside a word). */
  readonly gap: string;
}

/** The smallest room for a part that splitting accepts: a few characters and a control word's neighbour. */
export const MIN_PART_BYTES = 64;

// How far back from the byte limit a grapheme boundary may be and still be
// preferred to a code point cut: a ZWJ family emoji with skin tones is ~35
// UTF-16 units, and a part should not shrink much for it.
const GRAPHEME_REACH = 40;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isSpaceAt(text: string, index: number): boolean {
  return index < text.length && isWhitespace(text.charCodeAt(index));
}

/** UTF-8 bytes of the code point starting at `index`, and its length in UTF-16 units. */
function codePointAt(text: string, index: number): { bytes: number; units: number } {
  const code = text.charCodeAt(index);
  if (code < 0x80) return { bytes: 1, units: 1 };
  if (code < 0x800) return { bytes: 2, units: 1 };
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = text.charCodeAt(index + 1);
    if (next >= 0xdc00 && next <= 0xdfff) return { bytes: 4, units: 2 };
  }
  // Other BMP characters, and a lone surrogate (sent as U+FFFD, 3 bytes, as Buffer does).
  return { bytes: 3, units: 1 };
}

function utf8Bytes(text: string, from = 0, to = text.length): number {
  let bytes = 0;
  for (let i = from; i < to; ) {
    const point = codePointAt(text, i);
    bytes += point.bytes;
    i += point.units;
  }
  return bytes;
}

/** The largest code point boundary `end` > from with bytes(text[from:end]) <= budget (at least one code point). */
function fitEnd(text: string, from: number, budget: number): number {
  let bytes = 0;
  let i = from;
  while (i < text.length) {
    const point = codePointAt(text, i);
    if (bytes + point.bytes > budget) break;
    bytes += point.bytes;
    i += point.units;
  }
  return i === from ? from + codePointAt(text, from).units : i;
}

/** The last grapheme boundary in (from, end], not far before `end`; `end` when there is none. */
function graphemeCut(text: string, from: number, end: number): number {
  if (end >= text.length) return end;
  const start = Math.max(from, end - 2 * GRAPHEME_REACH);
  const window = text.slice(start, Math.min(text.length, end + GRAPHEME_REACH));
  let best = -1;
  for (const { index } of graphemes.segment(window)) {
    const at = start + index;
    if (at > end) break;
    // The window's first index is a boundary only if the window starts where the part does.
    if (at > from && (index > 0 || start === from) && at >= end - GRAPHEME_REACH) best = at;
  }
  return best > from ? best : end;
}

interface Span {
  start: number;
  end: number;
  /** Start of the gap before this span (== start when there is none). */
  gapStart: number;
}

function isBareControlWord(text: string): boolean {
  return classify(text) !== 'chat';
}

/**
 * Split `text` for the wire. `prefixBytes` is the UTF-8 size of what precedes
 * the body on the line, `<ip>:<port> <name> ` with its two spaces (see
 * formatMessage); `maxBytes` is the size one connection may carry (default
 * ORIGINAL_RECV_BYTES, 1024). Throws a RangeError when less than
 * MIN_PART_BYTES remain for the body.
 */
export function splitForWire(text: string, prefixBytes: number, maxBytes: number = ORIGINAL_RECV_BYTES): WirePart[] {
  const budget = maxBytes - prefixBytes;
  if (!Number.isInteger(prefixBytes) || prefixBytes < 0 || budget < MIN_PART_BYTES) {
    throw new RangeError(
      `cannot split for a ${maxBytes}-byte line after a ${prefixBytes}-byte prefix: at least ${MIN_PART_BYTES} bytes must remain for the message`,
    );
  }
  if (utf8Bytes(text) <= budget) return [{ text, gap: '' }];

  let first = 0;
  let last = text.length;
  while (first < last && isWhitespace(text.charCodeAt(first))) first += 1;
  while (last > first && isWhitespace(text.charCodeAt(last - 1))) last -= 1;
  const body = text.slice(first, last);

  const spans = greedy(body, budget);
  const fixed = attachControlWords(body, spans, budget);
  return fixed.map((span) => ({ text: span.text, gap: span.gap }));
}

/** Convenience: only the bodies to send, in order. */
export function splitMessage(text: string, prefixBytes: number, maxBytes: number = ORIGINAL_RECV_BYTES): string[] {
  return splitForWire(text, prefixBytes, maxBytes).map((part) => part.text);
}

/** Greedy: each part as long as fits, cut at the last whitespace run, else inside the word. */
function greedy(body: string, budget: number): Span[] {
  const spans: Span[] = [];
  let pos = 0;
  let gapStart = 0;
  while (pos < body.length) {
    if (utf8Bytes(body, pos) <= budget) {
      spans.push({ start: pos, end: body.length, gapStart });
      break;
    }
    const end = fitEnd(body, pos, budget);
    let cut = -1;
    // The last whitespace that follows a non-space, within reach (at `end` itself too).
    for (let i = Math.min(end, body.length - 1); i > pos; i -= 1) {
      if (isSpaceAt(body, i) && !isSpaceAt(body, i - 1)) {
        cut = i;
        break;
      }
    }
    if (cut < 0) cut = graphemeCut(body, pos, end);
    let next = cut;
    while (isSpaceAt(body, next)) next += 1;
    spans.push({ start: pos, end: cut, gapStart });
    gapStart = cut;
    pos = next;
  }
  return spans;
}

interface Fixed {
  text: string;
  gap: string;
}

function trailingSpaces(text: string): number {
  let n = 0;
  while (n < text.length && isWhitespace(text.charCodeAt(text.length - 1 - n))) n += 1;
  return n;
}

/**
 * Re-cut around any part that is a bare control word. Done as a pass over the
 * greedy result: such parts are rare (a short word right before a word too
 * long for the rest of a part, or the very last word).
 */
function attachControlWords(body: string, spans: Span[], budget: number): Fixed[] {
  const out: Fixed[] = [];
  for (let i = 0; i < spans.length; i += 1) {
    const span = spans[i] as Span;
    const part = body.slice(span.start, span.end);
    const gap = body.slice(span.gapStart, span.start);
    if (!isBareControlWord(part)) {
      out.push({ text: part, gap });
      continue;
    }
    const previous = out.pop();
    if (previous !== undefined) {
      // Attach to the part before: all of it if it fits, else its last word or grapheme.
      if (utf8Bytes(previous.text + gap + part) <= budget) {
        out.push({ text: previous.text + gap + part, gap: previous.gap });
        continue;
      }
      const moved = tailToMove(previous.text, utf8Bytes(gap + part), budget);
      let keep = previous.text.slice(0, previous.text.length - moved.length);
      const spaces = trailingSpaces(keep);
      const between = keep.slice(keep.length - spaces);
      keep = keep.slice(0, keep.length - spaces);
      if (keep.length > 0) out.push({ text: keep, gap: previous.gap });
      out.push({ text: joinFitting(moved, gap, part, budget), gap: keep.length > 0 ? between : previous.gap });
      continue;
    }
    // The first part: take the start of the next part along (a cut inside its word).
    const following = spans[i + 1] as Span;
    const nextGap = body.slice(following.gapStart, following.start);
    const nextText = body.slice(following.start, following.end);
    const room = budget - utf8Bytes(part) - Math.min(utf8Bytes(nextGap), budget);
    let take = room > 0 ? graphemeCut(nextText, 0, fitEnd(nextText, 0, room)) : 0;
    if (take <= 0 || take > nextText.length) take = codePointAt(nextText, 0).units;
    out.push({ text: joinFitting(part, nextGap, nextText.slice(0, take), budget), gap });
    if (take < nextText.length) {
      spans[i + 1] = { start: following.start + take, end: following.end, gapStart: following.start + take };
    } else {
      i += 1;
    }
  }
  return out;
}

/** What to move from the end of `text` to the control word: its last word if that fits, else one grapheme (or code point). */
function tailToMove(text: string, restBytes: number, budget: number): string {
  let lastSpace = -1;
  for (let i = text.length - 1; i >= 0; i -= 1) {
    if (isWhitespace(text.charCodeAt(i))) {
      lastSpace = i;
      break;
    }
  }
  const word = text.slice(lastSpace + 1);
  if (lastSpace >= 0 && utf8Bytes(word) + restBytes <= budget) return word;
  const segments = [...graphemes.segment(text.slice(-2 * GRAPHEME_REACH))];
  const grapheme = segments[segments.length - 1]?.segment ?? '';
  if (grapheme !== '' && utf8Bytes(grapheme) <= GRAPHEME_REACH) return grapheme;
  const units = text.length >= 2 && codePointAt(text, text.length - 2).units === 2 ? 2 : 1;
  return text.slice(-units);
}

/** `a + gap + b`, the gap shortened to one space when the whole would not fit (the documented exception). */
function joinFitting(a: string, gap: string, b: string, budget: number): string {
  const whole = a + gap + b;
  if (utf8Bytes(whole) <= budget) return whole;
  return `${a}${gap === '' ? '' : gap.slice(0, 1)}${b}`;
}
