/**
 * JSON for lines that a terminal may show: like JSON.stringify, but every
 * control and bidirectional code point that JSON leaves raw (DEL, C1, U+2028,
 * U+2029, bidi overrides and isolates) is written as a \u escape too. The
 * result parses back to the same value.
 */
// eslint-disable-next-line no-control-regex
const LEFT_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeCodePoint(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(LEFT_RAW, escapeCodePoint);
}
