/**
 * JSON for lines that a terminal may show: like JSON.stringify, but every
 * control and bidirectional code point that JSON leaves raw (DEL, C1, U+2028,
 * U+2029, bidi overrides and isolates) is written as a \u escape too. The
 * result parses back to the same value.
 */
import { TERMINAL_CONTROLS } from './terminal-controls.js';

// JSON.stringify has already escaped C0; the rest of the class is left raw by it.
function escapeCodePoint(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(TERMINAL_CONTROLS, escapeCodePoint);
}
