/**
 * The conversation prompt: `→ Bob › ` and a line to type to him. Built on
 * Inquirer's engine (createPrompt from @inquirer/core) like ../prompts.ts,
 * and re-openable the same way: it reports its whole state (`onState`) on
 * every key, the caller passes it back as `initial` when PromptHost re-opens
 * it after printing an incoming line above, and it reports its outcome
 * synchronously (`onAnswer`) before Inquirer resolves a tick later.
 *
 * Keys (the editing itself is ./line-editor.ts, pure):
 * - Enter: the draft's lines (`send`), or a `/command` (`command`);
 * - ↑/↓: the caller's history, newest last; ↓ past the newest brings the draft back;
 * - a bracketed paste (enabled while open: ESC[?2004h … ESC[?2004l) is one
 *   draft however many lines it has, shown on one row with `⏎` between them;
 * - Ctrl+C clears a draft; at an empty prompt the first reports `arm-quit`,
 *   a second within `quitWindowMs` reports `quit`; Ctrl+D at an empty prompt
 *   reports `quit`;
 * - Esc reports `back` keeping the draft; Esc again on that unchanged draft
 *   (or at an empty prompt) reports `back` with nothing kept.
 *
 * How it works around Inquirer (see the report in the commit for details):
 * - Ctrl+C: Inquirer rejects with ExitPromptError on readline's 'SIGINT'
 *   event. This prompt swaps that listener for one that does nothing and
 *   takes the key in its own keypress handler. (With no listener at all,
 *   readline would close itself on Ctrl+C.)
 * - Ctrl+D: readline closes itself on Ctrl+D when its own line is empty,
 *   which would leave the prompt hanging. `rl.line` here always ends with a
 *   space (see render), so it is never empty.
 * - The cursor: the screen manager puts it where `rl.getCursorPos()` says,
 *   from the rendered row minus `rl.line`. So the row is laid out on one
 *   line (./line-layout.ts) and `rl.line` is set, at every render, to the
 *   text after the cursor: readline's arithmetic then lands on the exact
 *   column, with wide characters, at any width. The first render of an
 *   opening happens before the prompt can reach `rl`, so it draws once more.
 * - Esc: readline waits `escapeCodeTimeout` (500 ms) after a lone ESC for
 *   the rest of a sequence. That value is fixed when the first readline
 *   interface attaches to the input stream; `setEscapeTimeout` must run
 *   before Inquirer's first prompt to make it short.
 * - The prompt erases itself when it closes, whatever the outcome: the
 *   caller prints what happened (`→ Bob: …`), so a copy of the prompt row
 *   would only repeat it.
 */
import readline from 'node:readline';
import { createPrompt, useEffect, useKeypress, useRef, useState, type KeypressEvent } from '@inquirer/core';
import { truncate } from '../format.js';
import { sanitizeForDisplay } from '../sanitize.js';
import type { Theme } from '../theme.js';
import { applyKey, EMPTY_DRAFT, type ConversationOutcome, type DraftState, type Key } from './line-editor.js';
import { cellsOf, layoutLine, MORE, type Cell } from './line-layout.js';
import { readlineWidth } from './readline-width.js';

export { draftOf, EMPTY_DRAFT, type ConversationOutcome, type DraftState } from './line-editor.js';

/** Turn bracketed paste on and off (xterm's mode 2004). */
export const PASTE_ON = '\x1b[?2004h';
export const PASTE_OFF = '\x1b[?2004l';
/** Erase from the start of the row to the end of the screen: before a redraw at a new width. */
const ERASE_BELOW = '\r\x1b[J';

/** Default time a first Ctrl+C at an empty prompt keeps quitting armed. */
export const QUIT_WINDOW_MS = 3000;
/** Default wait after a lone ESC for the rest of an escape sequence (readline's own default is 500 ms). */
export const ESCAPE_TIMEOUT_MS = 25;

export interface ConversationConfig {
  /** Who you talk to, as shown: a name (`Bob`) or an address. Sanitised and cut to fit here. */
  readonly to: string;
  /** The key for the name's colour (default `to`). */
  readonly colourKey?: string;
  readonly theme: Theme;
  /** Lines sent before, newest last. Default none. */
  readonly history?: readonly string[];
  /** The state to re-open with (a reprint, a kept draft, an armed quit). Default empty. */
  readonly initial?: DraftState;
  /** Default Date.now. */
  readonly now?: () => number;
  /** Default QUIT_WINDOW_MS (3 s). */
  readonly quitWindowMs?: number;
  /** Told the whole state after every key: keep it to re-open from. */
  readonly onState?: (state: DraftState) => void;
  /** Told the outcome the moment it is decided (before the promise resolves). */
  readonly onAnswer?: (outcome: ConversationOutcome) => void;
}

/** Inquirer's prompt context; `clearPromptOnDone` is ignored (this prompt always erases itself). */
export interface ConversationContext {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly signal?: AbortSignal;
  readonly clearPromptOnDone?: boolean;
}

interface InnerConfig extends ConversationConfig {
  readonly output: NodeJS.WritableStream & { columns?: number };
}

/** The parts of readline's Interface used here (Inquirer's type leaves some out). */
interface PromptReadline {
  line: string;
  cursor: number;
  listeners(event: 'SIGINT'): ((...args: unknown[]) => void)[];
  removeListener(event: 'SIGINT', listener: (...args: unknown[]) => void): void;
  on(event: 'SIGINT', listener: () => void): void;
}

/**
 * Make a lone Esc arrive after `ms` instead of readline's 500 ms. Must run
 * before the first readline interface (any Inquirer prompt) attaches to
 * `input`: the wait is fixed then, for the life of the stream. Returns false
 * when it is too late (the wait stays as it was).
 */
export function setEscapeTimeout(input: NodeJS.ReadableStream = process.stdin, ms: number = ESCAPE_TIMEOUT_MS): boolean {
  // emitKeypressEvents marks a stream it has set up with this symbol, and does nothing the second time.
  const attached = Object.getOwnPropertySymbols(input).some((symbol) => symbol.description === 'keypress-decoder');
  if (attached) return false;
  readline.emitKeypressEvents(input, { escapeCodeTimeout: ms } as unknown as readline.Interface);
  return true;
}

function stringOf(cells: readonly Cell[], paint: (cell: Cell) => string = (cell) => cell.shown): string {
  return cells.map(paint).join('');
}

const prompt = createPrompt<ConversationOutcome, InnerConfig>((config, done) => {
  const { theme, output } = config;
  const now = config.now ?? Date.now;
  const quitWindowMs = config.quitWindowMs ?? QUIT_WINDOW_MS;
  const [, setState] = useState<DraftState>(config.initial ?? EMPTY_DRAFT);
  const [, setFrame] = useState(0);
  // Latest values for handlers that run between renders (a paste is drawn once per turn).
  const latest = useRef<DraftState>(config.initial ?? EMPTY_DRAFT);
  const finished = useRef(false);
  const frame = useRef(0);
  const rlRef = useRef<PromptReadline | undefined>(undefined);
  const pending = useRef<NodeJS.Immediate | undefined>(undefined);

  const redraw = (): void => {
    frame.current += 1;
    setFrame(frame.current);
  };
  const report = (next: DraftState): void => {
    latest.current = next;
    config.onState?.(next);
  };

  useEffect((rl) => {
    const line = rl as unknown as PromptReadline;
    rlRef.current = line;
    // Inquirer turns Ctrl+C into ExitPromptError through this event; the keypress handler below takes it instead.
    for (const listener of line.listeners('SIGINT')) line.removeListener('SIGINT', listener);
    const keepOpen = (): void => undefined;
    line.on('SIGINT', keepOpen);
    output.write(PASTE_ON);
    const onResize = (): void => {
      // The terminal has already cut or re-wrapped the row: clear it and all below, then draw anew.
      output.write(ERASE_BELOW);
      redraw();
    };
    output.on('resize', onResize);
    // The first render could not set rl.line: draw again so the cursor is right from the start.
    redraw();
    return () => {
      clearImmediate(pending.current);
      line.removeListener('SIGINT', keepOpen);
      output.removeListener('resize', onResize);
      output.write(PASTE_OFF);
    };
  }, []);

  useKeypress((event) => {
    if (finished.current) return;
    const key = event as KeypressEvent & Key;
    const result = applyKey(latest.current, key, { history: config.history ?? [], now: now(), quitWindowMs });
    report(result.state);
    if (result.outcome !== undefined) {
      finished.current = true;
      config.onAnswer?.(result.outcome);
      setState(result.state);
      done(result.outcome);
      return;
    }
    if (result.state.pasting) {
      // A paste comes as one keypress per character: draw once when this batch is through.
      if (pending.current === undefined) {
        pending.current = setImmediate(() => {
          pending.current = undefined;
          setState(latest.current);
          redraw();
        });
      }
      return;
    }
    setState(result.state);
    // Always draw: readline moved its own cursor for this key, and only a render puts it back.
    redraw();
  });

  const columns = output.columns && output.columns > 0 ? output.columns : 80;
  // The latest state, not `state`: a paste updates it between renders.
  const draft = latest.current;
  const lines = draft.text === '' ? 0 : draft.text.split('\n').length;
  const name = truncate(sanitizeForDisplay(config.to), Math.max(4, Math.floor(columns / 3)));
  const badge = lines > 1 ? ` (${lines} lines)` : '';
  const plainPrefix = `→ ${name}${badge} › `;
  const prefix = `${theme.accent('→')} ${theme.name(name, config.colourKey ?? config.to)}${theme.notice(badge)} ${theme.accent('›')} `;
  const cells = cellsOf(draft.text, readlineWidth);
  const layout = layoutLine(
    {
      text: draft.text,
      cursor: draft.cursor,
      scroll: draft.scroll,
      columns,
      prefixWidth: readlineWidth(plainPrefix),
      prefixLength: plainPrefix.length,
      width: readlineWidth,
    },
    cells,
  );
  if (layout.scroll !== draft.scroll) report({ ...draft, scroll: layout.scroll });
  const paint = (cell: Cell): string => (cell.special ? theme.notice(cell.shown) : cell.shown);
  const left = layout.leftMore ? theme.notice(MORE) : '';
  const right = layout.rightMore ? theme.notice(MORE) : '';
  const rl = rlRef.current;
  if (rl !== undefined) {
    // What follows the cursor on the row, plus a space so it is never empty (Ctrl+D).
    rl.line = `${stringOf(layout.after)}${layout.rightMore ? MORE : ''} `;
    rl.cursor = 0;
  }
  return `${prefix}${left}${stringOf(layout.before, paint)}${stringOf(layout.after, paint)}${right} `;
});

/**
 * Open the conversation prompt. Resolves with the outcome; rejects with
 * Inquirer's AbortPromptError when `context.signal` aborts (PromptHost's
 * reprint), after which it is re-opened from the last `onState`.
 */
export function conversationPrompt(config: ConversationConfig, context: ConversationContext = {}): Promise<ConversationOutcome> {
  const output = (context.output ?? process.stdout) as InnerConfig['output'];
  return prompt(
    { ...config, output },
    { input: context.input, output, signal: context.signal, clearPromptOnDone: true },
  );
}
