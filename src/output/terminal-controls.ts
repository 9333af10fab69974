/**
 * Every code point a terminal acts on instead of drawing: C0 controls
 * (U+0000–U+001F, ESC among them, hence every escape sequence), DEL, C1
 * controls (U+0080–U+009F), the bidirectional controls and marks (U+202A–202E,
 * U+2066–2069, U+200E, U+200F, U+061C) and the line and paragraph separators
 * (U+2028, U+2029). One class, shared by the display sanitiser and the JSON
 * output, so the two can never disagree.
 */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
export const TERMINAL_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
