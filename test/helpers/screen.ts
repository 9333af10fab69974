/**
 * A program in a pseudo-terminal (node-pty) whose output drives a real
 * terminal emulator (@xterm/headless, with Unicode 11 widths as xterm.js
 * terminals use for emoji), so a test reads the SCREEN and the CURSOR as a
 * person sees them, not a stream of escape codes: where the cursor is after
 * a redraw, what is left on screen after a resize, which cell the next typed
 * character lands in. The emulator's own replies (cursor reports) go back to
 * the program, as a terminal's do. Every session is killed by `kill()`.
 */
import { stripVTControlCharacters } from 'node:util';
import xterm from '@xterm/headless';
import unicode11 from '@xterm/addon-unicode11';
import pty from 'node-pty';
import { waitUntil, Wakeups } from './wait.js';
import { withTestDataHome } from './data-home.js';

export interface ScreenOptions {
  readonly cols?: number;
  readonly rows?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Cursor {
  readonly x: number;
  readonly y: number;
}

export interface ScreenSession {
  readonly pid: number;
  /** Everything the program wrote, escape codes included. */
  raw(): string;
  /** The visible rows, trailing blanks cut (after the emulator parsed everything received so far). */
  lines(): string[];
  /** The cursor, 0-based, in the visible rows. */
  cursor(): Cursor;
  /** The character drawn at a cell (with its width, 0 for the right half of a wide one). */
  cell(x: number, y: number): { chars: string; width: number };
  /** Type keys (bytes as a keyboard sends them). */
  type(keys: string): void;
  /** Paste text as the terminal does: in bracketed-paste brackets when the program asked for them. */
  paste(text: string): void;
  /** Whether the program has turned bracketed paste on (ESC[?2004h). */
  bracketedPaste(): boolean;
  /** Resize the terminal (the program gets SIGWINCH). */
  resize(cols: number, rows?: number): void;
  /** Wait until the emulator has parsed all output received so far. */
  settled(): Promise<void>;
  /** Wait for `check(screen)` to hold; rejects with the screen after `timeoutMs`. */
  expectScreen<T>(what: string, check: (session: ScreenSession) => T | false | undefined, timeoutMs?: number): Promise<T>;
  /** Wait for `pattern` in the output (escape codes removed) written since the last match; moves past it. */
  expectText(pattern: string | RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code; rejects after `timeoutMs`. */
  expectExit(timeoutMs?: number): Promise<number>;
  signal(name: 'SIGUSR1' | 'SIGTERM'): void;
  /** Kill if still running. Idempotent. */
  kill(): Promise<void>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Run `node --import tsx <script> ...args` in a pseudo-terminal wired to a headless xterm. */
export function spawnInScreen(script: string, args: readonly string[] = [], options: ScreenOptions = {}): ScreenSession {
  const cols = options.cols ?? 80;
  const rows = options.rows ?? 24;
  const term = new xterm.Terminal({ cols, rows, allowProposedApi: true, scrollback: 1000 });
  term.loadAddon(new unicode11.Unicode11Addon());
  term.unicode.activeVersion = '11';
  const child = pty.spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    name: 'xterm-256color',
    cols,
    rows,
    cwd: process.cwd(),
    // Its own data home: the CLI's history and outbox must not land in ~/.local/share, nor meet an earlier run's on a reused port.
    env: { ...process.env, NO_COLOR: '1', ...withTestDataHome(options.env) },
  });
  let raw = '';
  let mark = 0;
  // Bytes handed to the emulator and bytes it has finished parsing.
  let written = 0;
  let parsed = 0;
  const wakeups = new Wakeups('program');
  child.onData((data) => {
    raw += data;
    written += 1;
    term.write(data, () => {
      parsed += 1;
      wakeups.wake();
    });
  });
  // The terminal's answers (e.g. to a cursor position request) go back to the program.
  term.onData((data) => child.write(data));
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => {
    child.onExit((event) => {
      wakeups.end();
      resolve(event);
    });
  });

  const buffer = () => term.buffer.active;
  const session: ScreenSession = {
    pid: child.pid,
    raw: () => raw,
    lines: () => {
      const out: string[] = [];
      for (let y = 0; y < term.rows; y += 1) out.push(buffer().getLine(buffer().viewportY + y)?.translateToString(true) ?? '');
      return out;
    },
    cursor: () => ({ x: buffer().cursorX, y: buffer().cursorY }),
    cell: (x, y) => {
      const cell = buffer().getLine(buffer().viewportY + y)?.getCell(x);
      return { chars: cell?.getChars() ?? '', width: cell?.getWidth() ?? 0 };
    },
    type: (keys) => child.write(keys),
    paste: (text) => {
      // As xterm.js's own paste: line breaks become CR, brackets only when the program enabled them.
      const body = text.replace(/\r?\n/g, '\r');
      child.write(term.modes.bracketedPasteMode ? `\x1b[200~${body}\x1b[201~` : body);
    },
    bracketedPaste: () => term.modes.bracketedPasteMode,
    resize: (newCols, newRows = term.rows) => {
      term.resize(newCols, newRows);
      child.resize(newCols, newRows);
    },
    settled: async () => {
      await waitUntil(() => parsed === written, 5000, () => `emulator still parsing (${parsed} of ${written} chunks)`);
    },
    expectScreen: (what, check, timeoutMs = 10_000) =>
      waitUntil(
        () => (parsed === written ? check(session) : undefined),
        timeoutMs,
        () => `waiting for ${what}; screen (cursor ${JSON.stringify(session.cursor())}):\n${session.lines().map((line) => `|${line}|`).join('\n')}`,
        wakeups,
      ),
    expectText: (pattern, timeoutMs = 10_000) => {
      const regex = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
      const check = (): RegExpMatchArray | undefined => {
        const found = regex.exec(stripVTControlCharacters(raw).slice(mark));
        if (!found) return undefined;
        mark += found.index + found[0].length;
        return found;
      };
      return waitUntil(check, timeoutMs, () => `waiting for ${regex}; output since last match:\n${stripVTControlCharacters(raw).slice(mark)}`, wakeups);
    },
    expectExit: async (timeoutMs = 10_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; screen:\n${session.lines().join('\n')}`)), timeoutMs);
      });
      try {
        return (await Promise.race([exited, timeout])).exitCode;
      } finally {
        clearTimeout(timer);
      }
    },
    signal: (name) => process.kill(child.pid, name),
    kill: async () => {
      if (!wakeups.ended) {
        child.kill('SIGKILL');
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      }
      term.dispose();
    },
  };
  return session;
}
