/**
 * Drive the real built CLI in a pseudo-terminal (node-pty), as a user would:
 * `expectText(pattern)` waits for text on the screen (ANSI codes stripped),
 * `type` sends keys, `expectExit` waits for the exit code. Every session
 * started here is killed by `kill()` (call it in `after`).
 */
import { stripVTControlCharacters } from 'node:util';
import pty from 'node-pty';
import { withTestDataHome } from './data-home.js';
import { CLI } from './headless-peer.js';
import { waitUntil, Wakeups } from './wait.js';

export const KEYS = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  right: '\x1b[C',
  escape: '\x1b',
  ctrlC: '\x03',
  /** Delete the whole line before the cursor. */
  ctrlU: '\x15',
  backspace: '\x7f',
} as const;

export interface PtySession {
  readonly pid: number;
  /** Everything the program wrote, escape codes included. */
  raw(): string;
  /** Everything the program wrote, escape codes removed. */
  text(): string;
  /**
   * Wait for `pattern` in the output written since the previous match, and
   * move past it. Rejects with the recent output after `timeoutMs`.
   */
  expectText(pattern: string | RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  type(keys: string): void;
  /** Resolves with the exit code; rejects after `timeoutMs`. */
  expectExit(timeoutMs?: number): Promise<number>;
  readonly exited: Promise<{ exitCode: number; signal?: number }>;
  signal(name: 'SIGTERM' | 'SIGINT'): void;
  /** Close the terminal, as closing its window does: the kernel sends SIGHUP. */
  hangUp(): void;
  /** Kill if still running. Idempotent. */
  kill(): Promise<void>;
}

export interface PtyOptions {
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function spawnCliInPty(args: string[], options: PtyOptions = {}): PtySession {
  const term = pty.spawn(process.execPath, [CLI, ...args], {
    name: 'xterm-256color',
    cols: options.cols ?? 120,
    rows: options.rows ?? 40,
    cwd: process.cwd(),
    env: { ...process.env, NO_COLOR: '1', ...withTestDataHome(options.env) },
  });
  let raw = '';
  let mark = 0;
  const wakeups = new Wakeups('program');
  term.onData((data) => {
    raw += data;
    wakeups.wake();
  });
  const exited = new Promise<{ exitCode: number; signal?: number }>((resolve) => {
    term.onExit((event) => {
      wakeups.end();
      resolve(event);
    });
  });
  const text = (): string => stripVTControlCharacters(raw);

  const expectText = (pattern: string | RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> => {
    const regex = typeof pattern === 'string' ? new RegExp(escapeRegExp(pattern)) : pattern;
    const check = (): RegExpMatchArray | undefined => {
      const found = regex.exec(text().slice(mark));
      if (!found) return undefined;
      mark += found.index + found[0].length;
      return found;
    };
    return waitUntil(check, timeoutMs, () => `waiting for ${regex}; output since last match:\n${text().slice(mark)}`, wakeups);
  };

  const kill = async (): Promise<void> => {
    if (wakeups.ended) return;
    term.kill('SIGKILL');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
  };

  return {
    pid: term.pid,
    raw: () => raw,
    text,
    expectText,
    type: (keys) => term.write(keys),
    exited,
    expectExit: async (timeoutMs = 15_000) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms; output:\n${text().slice(-2000)}`)), timeoutMs);
      });
      try {
        return (await Promise.race([exited, timeout])).exitCode;
      } finally {
        clearTimeout(timer);
      }
    },
    signal: (name) => term.kill(name),
    hangUp: () => (term as unknown as { destroy(): void }).destroy(),
    kill,
  };
}
