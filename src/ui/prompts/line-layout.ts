/**
 * Where the conversation prompt draws its draft, pure: one terminal row,
 * scrolled sideways when the draft is wider than the room after the prompt's
 * message (as irssi and weechat do), with `…` at a side that has more.
 *
 * Why one row: Inquirer's screen manager puts the cursor where readline's
 * own arithmetic says (`rl.getCursorPos()` over the prompt and `rl.line`),
 * and counts rows with `String.length / columns`. Both go wrong once a
 * prompt wraps: wrap-ansi wraps at word boundaries (readline assumes a hard
 * wrap at the last column), and `.length` counts a CJK character as one
 * column and an emoji as two UTF-16 units. Within one row that is shorter
 * than the terminal, in columns AND in UTF-16 units, every one of those
 * computations is exact, at any width, so the cursor is drawn exactly where
 * the next typed character lands.
 *
 * Widths come from the same measure readline uses (./readline-width.ts), so
 * the layout and the cursor agree by construction.
 */
import { sanitizeForDisplay } from '../sanitize.js';

/** One user-perceived character of the draft, as drawn. */
export interface Cell {
  /** Its UTF-16 index in the draft. */
  readonly start: number;
  readonly end: number;
  /** What is drawn: the text itself, `⏎` for a line break, an escape such as `\x1b` for a control character. */
  readonly shown: string;
  /** Terminal columns of `shown`. */
  readonly width: number;
  /** Drawn in the dim colour: a line break or an escape, not text. */
  readonly special: boolean;
}

export interface LayoutInput {
  readonly text: string;
  /** UTF-16 index, a grapheme boundary. */
  readonly cursor: number;
  /** The previous first visible index (kept when the cursor is still in view). */
  readonly scroll: number;
  /** Terminal columns. */
  readonly columns: number;
  /** Columns and UTF-16 units taken by the prompt's message before the draft. */
  readonly prefixWidth: number;
  readonly prefixLength: number;
  /** Columns of a string, as readline measures them. */
  readonly width: (text: string) => number;
}

export interface Layout {
  /** The new first visible index. */
  readonly scroll: number;
  readonly leftMore: boolean;
  readonly rightMore: boolean;
  /** The visible cells before and after the cursor. */
  readonly before: readonly Cell[];
  readonly after: readonly Cell[];
}

/** Drawn where the draft goes on beyond the row. */
export const MORE = '…';
/** Drawn for a line break inside a pasted draft. */
export const LINE_BREAK = '⏎';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The draft as drawn, one cell per grapheme. */
export function cellsOf(text: string, width: (text: string) => number): Cell[] {
  const cells: Cell[] = [];
  for (const { segment, index } of graphemes.segment(text)) {
    const end = index + segment.length;
    if (segment === '\n' || segment === '\r\n') {
      cells.push({ start: index, end, shown: LINE_BREAK, width: width(LINE_BREAK), special: true });
      continue;
    }
    const shown = sanitizeForDisplay(segment);
    cells.push({ start: index, end, shown, width: width(shown), special: shown !== segment });
  }
  return cells;
}

/** The index of the cell that starts at `offset`, or the next one (cells.length at the end). */
function cellAt(cells: readonly Cell[], offset: number): number {
  let low = 0;
  let high = cells.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cells[mid] as Cell).start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Lay the draft out in one row of `columns`: the prompt's message, then as
 * much of the draft around the cursor as fits, in at most `columns - 1`
 * columns and UTF-16 units (the last column stays free, so nothing ever
 * wraps), the cursor always inside.
 */
export function layoutLine(input: LayoutInput, cells: readonly Cell[] = cellsOf(input.text, input.width)): Layout {
  const { columns, prefixWidth, prefixLength } = input;
  const markWidth = input.width(MORE);
  // One column for the cursor after the last character, one never used.
  const roomWidth = Math.max(1, columns - 1 - prefixWidth - 1);
  const roomUnits = Math.max(1, columns - 1 - prefixLength - 1);
  const cursorCell = cellAt(cells, input.cursor);

  /** From cell `first`: how far the row goes, and whether a `…` closes it. */
  const fill = (first: number): { end: number; rightMore: boolean } => {
    const left = first > 0 ? markWidth : 0;
    let width = left;
    let units = left > 0 ? MORE.length : 0;
    let end = first;
    while (end < cells.length) {
      const cell = cells[end] as Cell;
      if (width + cell.width > roomWidth || units + cell.shown.length > roomUnits) break;
      width += cell.width;
      units += cell.shown.length;
      end += 1;
    }
    if (end === cells.length) return { end, rightMore: false };
    // Make room for the `…` on the right.
    while (end > first && (width + markWidth > roomWidth || units + MORE.length > roomUnits)) {
      end -= 1;
      width -= (cells[end] as Cell).width;
      units -= (cells[end] as Cell).shown.length;
    }
    return { end, rightMore: true };
  };
  // The cursor is in view when its cell is drawn, or it sits right after the last one.
  const shows = (first: number): boolean => {
    const { end, rightMore } = fill(first);
    return cursorCell >= first && (cursorCell < end || (cursorCell === end && !rightMore));
  };

  let first = Math.min(cellAt(cells, input.scroll), cells.length);
  if (!shows(first)) {
    if (cursorCell < first) {
      // Moving left out of view: show the cursor a third of the way in, some context before it.
      first = cursorCell;
      let width = 0;
      while (first > 0 && width + (cells[first - 1] as Cell).width <= roomWidth / 3) {
        first -= 1;
        width += (cells[first] as Cell).width;
      }
    } else {
      // Moving right out of view: the fewest cells dropped on the left that bring the cursor in,
      // plus a few more so typing on does not scroll at every key.
      first = Math.min(cursorCell, cells.length);
      let width = 0;
      const target = Math.max(1, roomWidth - Math.min(8, Math.floor(roomWidth / 4)) - markWidth * 2);
      while (first > 0 && width + (cells[first - 1] as Cell).width <= target) {
        first -= 1;
        width += (cells[first] as Cell).width;
      }
    }
    // Whatever the arithmetic above, never leave the cursor out.
    while (first < cursorCell && !shows(first)) first += 1;
  }
  // Room to spare at the right (the terminal grew, text was deleted): show more of the left.
  while (first > 0 && !fill(first).rightMore && !fill(first - 1).rightMore && shows(first - 1)) first -= 1;
  const { end, rightMore } = fill(first);
  return {
    scroll: first < cells.length ? (cells[first] as Cell).start : input.text.length,
    leftMore: first > 0,
    rightMore,
    before: cells.slice(first, Math.min(cursorCell, end)),
    after: cells.slice(Math.min(cursorCell, end), end),
  };
}
