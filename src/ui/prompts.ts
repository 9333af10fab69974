/**
 * The three prompts the menu needs, built on Inquirer's own prompt engine
 * (`createPrompt` from @inquirer/core) rather than the stock ones because each
 * must be re-openable exactly where the user left it: an incoming message
 * cancels the open prompt (AbortSignal), is printed above, and the prompt is
 * opened again with the same state. So every prompt here
 *
 * - reports its live state (`onState`): the half-typed text and cursor, or the
 *   highlighted choice, which the caller passes back as `initial` on re-open;
 * - reports its answer synchronously (`onAnswer`) the moment Enter is
 *   accepted, because Inquirer resolves one tick later and an abort landing in
 *   that tick must not throw a finished answer away.
 *
 * Escape cancels the prompt with `CANCELLED` (back to the menu).
 */
import type readline from 'node:readline';
import {
  createPrompt,
  isBackspaceKey,
  isDownKey,
  isEnterKey,
  isUpKey,
  makeTheme,
  useEffect,
  useKeypress,
  usePagination,
  usePrefix,
  useRef,
  useState,
  type KeypressEvent,
} from '@inquirer/core';
import type { Theme } from './theme.js';

// Hide the cursor while a list is open; Inquirer shows it again when the prompt closes.
const CURSOR_HIDE = '\x1b[?25l';

/** What a prompt resolves with when the user presses Escape. */
export const CANCELLED: unique symbol = Symbol('cancelled');
export type Cancelled = typeof CANCELLED;

/** readline's own Interface: Inquirer's type omits `cursor` and keyed `write`. */
type NodeReadline = readline.Interface;

function isEscape(key: KeypressEvent): boolean {
  return key.name === 'escape';
}

function prefixTheme(theme: Theme) {
  return makeTheme({
    prefix: { idle: theme.accent('?'), done: theme.success('✔') },
    style: {
      answer: (text: string) => theme.accent(text),
      message: (text: string) => theme.bold(text),
      error: (text: string) => theme.error(`> ${text}`),
      help: (text: string) => theme.notice(text),
      highlight: (text: string) => theme.accent(text),
    },
  });
}

// ---------------------------------------------------------------------------
// Text

export interface TextState {
  readonly value: string;
  readonly cursor: number;
}

export interface TextConfig {
  readonly message: string;
  readonly theme: Theme;
  /** Text already in the line when the prompt opens (a re-open restores the draft). */
  readonly initial?: TextState;
  /** A reason to refuse the answer, or undefined to accept it. May be async. */
  readonly validate?: (value: string) => string | undefined | Promise<string | undefined>;
  /** Dim hint after the message, e.g. "(Esc to go back)". */
  readonly hint?: string;
  readonly onState?: (state: TextState) => void;
  readonly onAnswer?: (value: string) => void;
}

/** One line of text. Resolves with exactly what was typed, or CANCELLED on Escape. */
export const textPrompt = createPrompt<string | Cancelled, TextConfig>((config, done) => {
  const theme = prefixTheme(config.theme);
  const [status, setStatus] = useState<'idle' | 'loading' | 'done'>('idle');
  const [value, setValue] = useState(config.initial?.value ?? '');
  const [error, setError] = useState<string | undefined>(undefined);
  const [, setRestored] = useState(false);
  const prefix = usePrefix({ status, theme });

  useEffect((rl) => {
    const initial = config.initial;
    if (!initial || initial.value === '') return;
    const line = rl as unknown as NodeReadline;
    line.write(initial.value);
    // Put the cursor back where the user had it, not at the end.
    for (let i = initial.cursor; i < initial.value.length; i += 1) line.write(null, { name: 'left' });
    // rl.write() emits no keypress, so nothing would redraw: the screen kept the cursor
    // at the end of the text while the next key went in where readline's cursor is.
    setRestored(true);
  }, []);

  useKeypress(async (key, rl) => {
    if (status !== 'idle') return;
    const line = rl as unknown as NodeReadline;
    if (isEscape(key)) {
      setStatus('done');
      done(CANCELLED);
      return;
    }
    if (isEnterKey(key)) {
      // readline has already emptied its line on Enter: `value` holds the text.
      const answer = value;
      setStatus('loading');
      const problem = config.validate ? await config.validate(answer) : undefined;
      if (problem === undefined) {
        setStatus('done');
        config.onAnswer?.(answer);
        done(answer);
      } else {
        line.write(answer);
        setError(problem);
        setStatus('idle');
        config.onState?.({ value: answer, cursor: answer.length });
      }
      return;
    }
    setValue(line.line);
    setError(undefined);
    config.onState?.({ value: line.line, cursor: line.cursor });
  });

  const message = theme.style.message(config.message, status);
  const hint = config.hint && status !== 'done' ? ` ${config.theme.notice(config.hint)}` : '';
  const shown = status === 'done' ? theme.style.answer(value) : value;
  return [`${prefix} ${message}${hint} ${shown}`, error ? theme.style.error(error) : undefined];
});

// ---------------------------------------------------------------------------
// Choice

export interface Choice<T> {
  /** What the user types to pick it ("1", "0"). */
  readonly key: string;
  readonly label: string;
  readonly value: T;
}

export interface ChoiceConfig<T> {
  readonly message: string;
  readonly theme: Theme;
  readonly choices: readonly Choice<T>[];
  /** The index highlighted when the prompt opens (default 0). */
  readonly initial?: number;
  /** Rows shown at once (default 10). */
  readonly pageSize?: number;
  readonly onState?: (active: number) => void;
  readonly onAnswer?: (value: T) => void;
}

// Typed keys made of several characters ("12") must arrive within this time.
const TYPE_AHEAD_MS = 800;

/**
 * A list: ↑/↓ move, typing a choice's key jumps to it, Enter picks, Escape
 * cancels. Resolves with the chosen value, or CANCELLED.
 */
export const choicePrompt = createPrompt<unknown, ChoiceConfig<unknown>>((config, done) => {
  const theme = prefixTheme(config.theme);
  const { choices } = config;
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const [active, setActive] = useState(Math.min(Math.max(config.initial ?? 0, 0), choices.length - 1));
  const typed = useRef('');
  const typedTimer = useRef<NodeJS.Timeout | undefined>(undefined);
  const prefix = usePrefix({ status, theme });

  useEffect(() => () => clearTimeout(typedTimer.current), []);

  const move = (index: number): void => {
    setActive(index);
    config.onState?.(index);
  };

  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    if (isEnterKey(key)) {
      const choice = choices[active];
      if (!choice) return;
      setStatus('done');
      config.onAnswer?.(choice.value);
      done(choice.value);
      return;
    }
    if (isEscape(key)) {
      setStatus('done');
      done(CANCELLED);
      return;
    }
    if (isUpKey(key) || isDownKey(key)) {
      rl.clearLine(0);
      typed.current = '';
      const step = isUpKey(key) ? -1 : 1;
      move((active + step + choices.length) % choices.length);
      return;
    }
    if (isBackspaceKey(key)) {
      rl.clearLine(0);
      typed.current = '';
      return;
    }
    // Any other key: read what was typed and jump to the choice with that key.
    rl.clearLine(0);
    const char = (key as KeypressEvent & { sequence?: string }).sequence ?? '';
    if (char.length !== 1) return;
    clearTimeout(typedTimer.current);
    const candidates = [`${typed.current}${char}`, char];
    for (const wanted of candidates) {
      const index = choices.findIndex((choice) => choice.key.toLowerCase() === wanted.toLowerCase());
      const extendable = choices.some((choice) => choice.key.toLowerCase().startsWith(wanted.toLowerCase()));
      if (index >= 0 || extendable) {
        typed.current = wanted;
        if (index >= 0) move(index);
        break;
      }
    }
    typedTimer.current = setTimeout(() => {
      typed.current = '';
    }, TYPE_AHEAD_MS);
  });

  const message = theme.style.message(config.message, status);
  const picked = choices[active];
  if (status === 'done') {
    return `${prefix} ${message} ${theme.style.answer(picked?.label ?? '')}`;
  }
  const page = usePagination({
    items: choices,
    active,
    pageSize: config.pageSize ?? 10,
    loop: false,
    renderItem: ({ item, isActive }) => {
      const text = `${item.key}. ${item.label}`;
      return isActive ? theme.style.highlight(`❯ ${text}`) : `  ${text}`;
    },
  });
  const help = theme.style.help('↑↓ or a number, ⏎ to choose');
  return `${prefix} ${message} ${help}\n${page}${CURSOR_HIDE}`;
});

/** Typed wrapper: the engine's generic is fixed at creation. */
export function choose<T>(config: ChoiceConfig<T>, context: Parameters<typeof choicePrompt>[1]): Promise<T | Cancelled> {
  return choicePrompt(config as ChoiceConfig<unknown>, context) as Promise<T | Cancelled>;
}

// ---------------------------------------------------------------------------
// Yes / no

export interface ConfirmConfig {
  readonly message: string;
  readonly theme: Theme;
  /** The answer on a bare Enter (default false). */
  readonly default?: boolean;
  /** The y or n already typed, when the prompt is re-opened after an incoming line. */
  readonly initial?: string;
  /** Told the y or n typed so far, so a re-open can restore it. */
  readonly onState?: (typed: string) => void;
  readonly onAnswer?: (value: boolean) => void;
}

/** y/n; Enter takes the default; Escape is "no". */
export const confirmPrompt = createPrompt<boolean, ConfirmConfig>((config, done) => {
  const theme = prefixTheme(config.theme);
  const fallback = config.default ?? false;
  const [status, setStatus] = useState<'idle' | 'done'>('idle');
  const [answer, setAnswer] = useState<boolean | undefined>(undefined);
  // The last y or n typed; readline empties its line on Enter, so keep it here.
  const [typed, setTyped] = useState(config.initial ?? '');
  const prefix = usePrefix({ status, theme });

  useKeypress((key, rl) => {
    if (status !== 'idle') return;
    const line = rl as unknown as NodeReadline;
    const finish = (value: boolean): void => {
      setAnswer(value);
      setStatus('done');
      config.onAnswer?.(value);
      done(value);
    };
    if (isEnterKey(key)) return finish(typed === '' ? fallback : typed === 'y');
    if (isEscape(key)) return finish(false);
    const last = line.line.slice(-1).toLowerCase();
    rl.clearLine(0);
    const next = isBackspaceKey(key) ? '' : last === 'y' || last === 'n' ? last : typed;
    setTyped(next);
    config.onState?.(next);
  });

  const message = theme.style.message(config.message, status);
  if (status === 'done') return `${prefix} ${message} ${theme.style.answer(answer ? 'yes' : 'no')}`;
  return `${prefix} ${message} ${theme.style.help(fallback ? '(Y/n)' : '(y/N)')} ${typed}`;
});
