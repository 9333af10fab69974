/**
 * The conversation prompt's line editor, pure: a draft (text and cursor) and
 * what each key does to it, returned as a new state and, for the keys that
 * end the prompt, an outcome. Time comes in as a parameter (the Ctrl+C
 * window), the history is the caller's. No I/O, no terminal.
 *
 * The cursor is a UTF-16 index into the text that always sits on a
 * grapheme boundary: ←, →, Backspace and Delete move over or remove a whole
 * user-perceived character (an accent with its letter, a flag, a ZWJ family).
 */
import { trimWhitespace } from '../../protocol/line.js';

/** Everything needed to re-open the prompt exactly as it was: plain data, pass it back as `initial`. */
export interface DraftState {
  readonly text: string;
  /** UTF-16 index into `text`, on a grapheme boundary. */
  readonly cursor: number;
  /** While Up/Down walk the history: which entry is shown, and the draft to return to below the newest. */
  readonly browsing?: { readonly index: number; readonly stash: { readonly text: string; readonly cursor: number } };
  /** Inside a bracketed paste (a paste can span a re-open). */
  readonly pasting: boolean;
  /** The last pasted key was a CR, so an LF right after it is the same line break. */
  readonly afterCR: boolean;
  /** When a first Ctrl+C at an empty prompt armed quitting (epoch ms). */
  readonly armedAt?: number;
  /** This draft was kept by an Esc and not changed since: a second Esc discards it. */
  readonly kept: boolean;
  /** First visible UTF-16 index of a draft wider than the terminal (the layout keeps it steady). */
  readonly scroll: number;
}

export const EMPTY_DRAFT: DraftState = { text: '', cursor: 0, pasting: false, afterCR: false, kept: false, scroll: 0 };

/** A draft holding `text`, cursor at its end (to re-open after a failed send, a "no", a kept Esc). */
export function draftOf(text: string): DraftState {
  return { ...EMPTY_DRAFT, text, cursor: text.length };
}

/** A key as readline's keypress decoder reports it. */
export interface Key {
  readonly name?: string;
  readonly sequence?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly shift?: boolean;
}

/** How the prompt ended. A discriminated union: switch on `type`. */
export type ConversationOutcome =
  /** Enter: every non-blank line of the draft, in order, each to be sent as its own message. */
  | { readonly type: 'send'; readonly lines: readonly string[] }
  /** Enter on one line starting with `/` (not `//`): for the caller to parse. Trimmed. */
  | { readonly type: 'command'; readonly line: string }
  /**
   * Esc. `draft` is the draft to re-open with later (undefined: nothing to
   * keep); `discarded` is the text a second Esc threw away.
   */
  | { readonly type: 'back'; readonly draft: DraftState | undefined; readonly discarded?: string }
  /** First Ctrl+C at an empty prompt: tell the user, and re-open with `state` (it remembers when). */
  | { readonly type: 'arm-quit'; readonly state: DraftState }
  /** A second Ctrl+C within the window, or Ctrl+D, at an empty prompt. */
  | { readonly type: 'quit'; readonly key: 'ctrl-c' | 'ctrl-d' };

export interface EditorContext {
  /** Lines sent before, newest last (Up shows the newest first). */
  readonly history: readonly string[];
  /** Now, epoch ms. */
  readonly now: number;
  /** How long a first Ctrl+C keeps quitting armed. */
  readonly quitWindowMs: number;
}

export interface KeyResult {
  readonly state: DraftState;
  readonly outcome?: ConversationOutcome;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// A grapheme cluster longer than this (UTF-16 units) is split by the cursor: rare, and bounded work per key.
const CLUSTER_REACH = 64;
// eslint-disable-next-line no-control-regex -- a typed key with a control character is a command, not text
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function isSpace(char: string | undefined): boolean {
  return char !== undefined && /^[ \t\n\v\f\r]$/.test(char);
}

/** The grapheme boundary before `index` (0 at the start). */
export function previousBoundary(text: string, index: number): number {
  if (index <= 0) return 0;
  const from = Math.max(0, index - CLUSTER_REACH);
  let last = from;
  for (const { index: at } of graphemes.segment(text.slice(from, index))) last = from + at;
  return last;
}

/** The grapheme boundary after `index` (text.length at the end). */
export function nextBoundary(text: string, index: number): number {
  if (index >= text.length) return text.length;
  const slice = text.slice(index, index + CLUSTER_REACH);
  for (const { segment } of graphemes.segment(slice)) return index + segment.length;
  return text.length;
}

function wordLeft(text: string, index: number): number {
  let i = index;
  while (i > 0 && isSpace(text[i - 1])) i -= 1;
  while (i > 0 && !isSpace(text[i - 1])) i -= 1;
  return i;
}

function wordRight(text: string, index: number): number {
  let i = index;
  while (i < text.length && isSpace(text[i])) i += 1;
  while (i < text.length && !isSpace(text[i])) i += 1;
  return i;
}

/** The state with `text` and `cursor`; leaves history browsing and an Esc-kept mark if the text changed. */
function edit(state: DraftState, text: string, cursor: number): DraftState {
  const changed = text !== state.text;
  return {
    ...state,
    text,
    cursor,
    browsing: changed ? undefined : state.browsing,
    kept: state.kept && !changed,
  };
}

function insert(state: DraftState, chunk: string): DraftState {
  const text = state.text.slice(0, state.cursor) + chunk + state.text.slice(state.cursor);
  return edit(state, text, state.cursor + chunk.length);
}

function remove(state: DraftState, from: number, to: number): DraftState {
  if (from >= to) return state;
  return edit(state, state.text.slice(0, from) + state.text.slice(to), from);
}

/** What Enter does with a draft: the lines to send, a command, or nothing (blank). */
export function submit(text: string): ConversationOutcome | undefined {
  const lines = text
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => trimWhitespace(line) !== '');
  if (lines.length === 0) return undefined;
  const only = lines.length === 1 ? trimWhitespace(lines[0] as string) : undefined;
  if (only !== undefined && only.startsWith('/')) {
    // `//text` sends `/text`: the way to say something that starts with a slash.
    if (only.startsWith('//')) return { type: 'send', lines: [only.slice(1)] };
    return { type: 'command', line: only };
  }
  return { type: 'send', lines };
}

function pasted(state: DraftState, key: Key): DraftState {
  if (key.name === 'paste-end') return { ...state, pasting: false, afterCR: false };
  if (key.name === 'return') return { ...insert(state, '\n'), afterCR: true };
  if (key.name === 'enter') return state.afterCR ? { ...state, afterCR: false } : insert(state, '\n');
  const sequence = key.sequence ?? '';
  const chunk = key.name === 'tab' ? '\t' : sequence;
  // Anything else a paste holds is text; control bytes in it are dropped, never obeyed.
  if (chunk === '' || (chunk !== '\t' && CONTROL.test(chunk))) return { ...state, afterCR: false };
  return { ...insert(state, chunk), afterCR: false };
}

function historyStep(state: DraftState, history: readonly string[], step: -1 | 1): DraftState {
  if (history.length === 0) return state;
  const browsing = state.browsing;
  if (browsing === undefined) {
    if (step === 1) return state;
    const index = history.length - 1;
    const text = history[index] as string;
    return { ...state, text, cursor: text.length, scroll: 0, kept: false, browsing: { index, stash: { text: state.text, cursor: state.cursor } } };
  }
  const index = browsing.index + step;
  if (index < 0) return state;
  if (index >= history.length) {
    // Below the newest entry: the draft as it was before Up.
    return { ...state, text: browsing.stash.text, cursor: browsing.stash.cursor, scroll: 0, browsing: undefined, kept: false };
  }
  const text = history[index] as string;
  return { ...state, text, cursor: text.length, scroll: 0, browsing: { index, stash: browsing.stash } };
}

/** Apply one key. Keys that end the prompt come back as an outcome. */
export function applyKey(current: DraftState, key: Key, context: EditorContext): KeyResult {
  const name = key.name;
  if (current.pasting) return { state: pasted(current, key) };
  if (name === 'paste-start') return { state: { ...current, pasting: true, afterCR: false, armedAt: undefined } };

  // Only a second Ctrl+C finds quitting armed; any other key disarms it.
  const state: DraftState = key.ctrl && name === 'c' ? current : { ...current, armedAt: undefined };
  const { text, cursor } = state;

  if (key.ctrl && !key.meta) {
    switch (name) {
      case 'c': {
        if (text !== '') return { state: { ...EMPTY_DRAFT } };
        if (state.armedAt !== undefined && context.now - state.armedAt <= context.quitWindowMs) {
          return { state, outcome: { type: 'quit', key: 'ctrl-c' } };
        }
        const armed: DraftState = { ...state, armedAt: context.now };
        return { state: armed, outcome: { type: 'arm-quit', state: armed } };
      }
      case 'd':
        if (text === '') return { state, outcome: { type: 'quit', key: 'ctrl-d' } };
        return { state: remove(state, cursor, nextBoundary(text, cursor)) };
      case 'a':
        return { state: { ...state, cursor: 0 } };
      case 'e':
        return { state: { ...state, cursor: text.length } };
      case 'b':
        return { state: { ...state, cursor: previousBoundary(text, cursor) } };
      case 'f':
        return { state: { ...state, cursor: nextBoundary(text, cursor) } };
      case 'h':
        return { state: remove(state, previousBoundary(text, cursor), cursor) };
      case 'u':
        return { state: remove(state, 0, cursor) };
      case 'k':
        return { state: remove(state, cursor, text.length) };
      case 'w':
      case 'backspace':
        return { state: remove(state, wordLeft(text, cursor), cursor) };
      case 'delete':
        return { state: remove(state, cursor, wordRight(text, cursor)) };
      case 'left':
        return { state: { ...state, cursor: wordLeft(text, cursor) } };
      case 'right':
        return { state: { ...state, cursor: wordRight(text, cursor) } };
      case 'p':
        return { state: historyStep(state, context.history, -1) };
      case 'n':
        return { state: historyStep(state, context.history, 1) };
      default:
        return { state };
    }
  }
  if (key.meta && name !== 'escape') {
    switch (name) {
      case 'b':
      case 'left':
        return { state: { ...state, cursor: wordLeft(text, cursor) } };
      case 'f':
      case 'right':
        return { state: { ...state, cursor: wordRight(text, cursor) } };
      case 'backspace':
        return { state: remove(state, wordLeft(text, cursor), cursor) };
      case 'd':
        return { state: remove(state, cursor, wordRight(text, cursor)) };
      default:
        return { state };
    }
  }

  switch (name) {
    case 'return':
    case 'enter': {
      const outcome = submit(text);
      return outcome === undefined ? { state } : { state, outcome };
    }
    case 'escape': {
      if (text === '') return { state, outcome: { type: 'back', draft: undefined } };
      if (state.kept) return { state: { ...EMPTY_DRAFT }, outcome: { type: 'back', draft: undefined, discarded: text } };
      const draft: DraftState = { ...state, browsing: undefined, armedAt: undefined, kept: true };
      return { state: draft, outcome: { type: 'back', draft } };
    }
    case 'backspace':
      return { state: remove(state, previousBoundary(text, cursor), cursor) };
    case 'delete':
      return { state: remove(state, cursor, nextBoundary(text, cursor)) };
    case 'left':
      return { state: { ...state, cursor: previousBoundary(text, cursor) } };
    case 'right':
      return { state: { ...state, cursor: nextBoundary(text, cursor) } };
    case 'home':
      return { state: { ...state, cursor: 0 } };
    case 'end':
      return { state: { ...state, cursor: text.length } };
    case 'up':
      return { state: historyStep(state, context.history, -1) };
    case 'down':
      return { state: historyStep(state, context.history, 1) };
    case 'tab':
      // Kept for completion later; a pasted tab still goes in (see pasted()).
      return { state };
    default: {
      const sequence = key.sequence ?? '';
      if (sequence === '' || CONTROL.test(sequence)) return { state };
      return { state: insert(state, sequence) };
    }
  }
}
