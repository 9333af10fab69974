/**
 * Terminal columns of a string exactly as readline counts them, because
 * Inquirer's screen manager places the cursor with readline's count
 * (`rl.getCursorPos()`): a layout made with any other measure (string-width,
 * a hand-written table) can disagree by a column on an emoji or an
 * ambiguous-width character, and the cursor is then drawn off by that much.
 *
 * Node does not export its `getStringWidth`; `getCursorPos()` is public and
 * uses it. So a detached, closed readline interface with no output (hence
 * infinitely wide: no wrapping in the count) is asked where the cursor would
 * be after the string. Results are cached per string (graphemes repeat).
 */
import readline from 'node:readline';
import { PassThrough } from 'node:stream';

interface Probe {
  line: string;
  cursor: number;
  setPrompt(prompt: string): void;
  getCursorPos(): { rows: number; cols: number };
}

let probe: Probe | undefined;
const cache = new Map<string, number>();
const CACHE_MAX = 4096;

function getProbe(): Probe {
  if (probe === undefined) {
    const made = readline.createInterface({ input: new PassThrough(), terminal: false });
    made.close();
    made.setPrompt('');
    probe = made;
  }
  return probe;
}

/** Columns of `text` (no newlines) as readline counts them: CJK and emoji 2, combining marks 0. */
export function readlineWidth(text: string): number {
  const known = cache.get(text);
  if (known !== undefined) return known;
  const p = getProbe();
  p.line = text;
  p.cursor = text.length;
  const { cols } = p.getCursorPos();
  p.line = '';
  p.cursor = 0;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, cols);
  return cols;
}
