/**
 * The display sanitiser: every piece of peer-controlled text (address, name,
 * body, rejection details) passes through here before it reaches a terminal.
 *
 * A peer must never be able to clear the screen, move the cursor, set the
 * window title, hide text or reorder what we print. So each character that a
 * terminal would act on instead of draw is replaced by a visible escape:
 *
 * - C0 controls U+0000–U+001F (ESC included, hence every escape sequence),
 *   DEL U+007F and C1 controls U+0080–U+009F: `\xHH`, with the usual short
 *   forms `\t`, `\n`, `\r`;
 * - bidirectional controls U+202A–U+202E, U+2066–U+2069, marks U+200E, U+200F,
 *   U+061C, and the line/paragraph separators U+2028, U+2029: `\u{HHHH}`.
 *
 * Everything else, accents, CJK, emoji and their joiners, is left as is.
 * A backslash is left alone too: the escapes only need to be visible and
 * inert, not reversible.
 */

import { TERMINAL_CONTROLS as UNSAFE } from '../output/terminal-controls.js';

// Without the global flag, so `test` keeps no state between calls.
const UNSAFE_ONE = new RegExp(UNSAFE.source, 'u');

const SHORT: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function escapeOne(char: string): string {
  const short = SHORT[char];
  if (short !== undefined) return short;
  const code = char.codePointAt(0) ?? 0;
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u{${code.toString(16).padStart(4, '0')}}`;
}

/**
 * Text safe to write to a terminal: control characters (C0, DEL, C1, hence
 * ESC sequences) and bidi/line-separator formatting characters become visible
 * escapes such as `\x1b` and `\u{202e}`. Ordinary Unicode is unchanged.
 */
export function sanitizeForDisplay(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/** Whether `text` holds anything `sanitizeForDisplay` would change. */
export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE_ONE.test(text);
}
