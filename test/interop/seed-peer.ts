/**
 * Drive `seed_peer.py` (the reference peer in the original's style) through
 * its numbered menu on stdin, and read what it prints. Every peer started here
 * is killed by `stop()` (call it in `after`).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWithin, stopChild } from '../helpers/child.js';
import { waitUntil, Wakeups } from '../helpers/wait.js';

export const SEED_PEER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'seed_peer.py');

/** Whether `command --version`-style probing succeeds; used to skip with a message. */
export function hasCommand(command: string, args: string[] = ['--version']): boolean {
  const probe = spawnSync(command, args, { stdio: 'ignore', timeout: 5000 });
  return probe.error === undefined && probe.status !== null;
}

export const PYTHON = 'python3';
export const hasPython = (): boolean => hasCommand(PYTHON);

export interface SeedPeerEntry {
  readonly address: string;
  readonly name: string;
  readonly connected: boolean;
}

export interface SeedPeer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly port: number;
  /** Everything printed on stdout so far. */
  readonly output: () => string;
  readonly stderr: () => string;
  /** Resolve with the first match of `pattern` in stdout at or after `from` (default 0). */
  waitForOutput(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<RegExpExecArray & { end: number }>;
  /** Menu 1: send `text` to ip:port; resolves once it printed "Sent to" or "Failed to send". */
  send(ip: string, port: number, text: string): Promise<string>;
  /** Menu 3: send `connect` to ip:port. */
  connect(ip: string, port: number): Promise<string>;
  /** Menu 2: the peer list as it prints it. */
  peers(): Promise<SeedPeerEntry[]>;
  /** Menu 0: send exit to every known peer and leave; resolves with the exit code. */
  quit(timeoutMs?: number): Promise<number | null>;
  readonly exited: Promise<number | null>;
  /** Kill if still running. Idempotent. */
  stop(): Promise<void>;
}

export const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A pattern for one line the peer printed: `body` is a regular-expression
 * source. Lines from its server thread can follow a prompt on the same line
 * ("Enter choice: 127.0.0.1:5000 Alice hi"), as they do in the original.
 */
export function printed(body: string): RegExp {
  return new RegExp(`(?:^|\\n|Enter choice: )${body}\\n`);
}

/** `printed` for a literal line. */
export const printedLine = (line: string): RegExp => printed(escapeRegExp(line));

export async function startSeedPeer(options: { name?: string; port?: number; startTimeoutMs?: number } = {}): Promise<SeedPeer> {
  const child = spawn(PYTHON, ['-u', SEED_PEER, '127.0.0.1'], {
    stdio: 'pipe',
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  let stdout = '';
  let stderr = '';
  const wakeups = new Wakeups('seed peer');
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    wakeups.wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => wakeups.end());

  const waitForOutput = (pattern: RegExp, { from = 0, timeoutMs = 10_000 } = {}): Promise<RegExpExecArray & { end: number }> => {
    const sticky = new RegExp(pattern.source, pattern.flags.replace('g', '') + 'g');
    const check = (): (RegExpExecArray & { end: number }) | undefined => {
      sticky.lastIndex = from;
      const match = sticky.exec(stdout);
      return match ? Object.assign(match, { end: match.index + match[0].length }) : undefined;
    };
    const describe = (): string => `waiting for ${pattern}; stdout tail: ${JSON.stringify(stdout.slice(-300))}; stderr: ${stderr}`;
    return waitUntil(check, timeoutMs, describe, wakeups);
  };

  const stop = (): Promise<void> => stopChild(child, exited);

  // Menu actions run one at a time: each waits for its own answer before the next is typed.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  };
  const sendVia = (choice: string, ip: string, port: number, text?: string): Promise<string> =>
    serial(async () => {
      const from = stdout.length;
      child.stdin.write(`${choice}\n${ip}\n${port}\n${text === undefined ? '' : `${text}\n`}`);
      const target = escapeRegExp(`${ip}:${port}`);
      const match = await waitForOutput(new RegExp(`(Sent to ${target}: [^\\n]*|Failed to send to ${target}: [^\\n]*)\\n`), { from });
      return match[1] as string;
    });

  let port: number;
  try {
    child.stdin.write(`${options.name ?? 'Seed'}\n${options.port ?? 0}\n`);
    const listening = await waitForOutput(/Server listening on 127\.0\.0\.1:(\d+)\n/, { timeoutMs: options.startTimeoutMs ?? 10_000 });
    port = Number(listening[1]);
    await waitForOutput(/Enter choice: /, { from: listening.end });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    child,
    port,
    output: () => stdout,
    stderr: () => stderr,
    waitForOutput,
    send: (ip, to, text) => sendVia('1', ip, to, text),
    connect: (ip, to) => sendVia('3', ip, to),
    peers: () =>
      serial(async () => {
        const from = stdout.length;
        child.stdin.write('2\n');
        const match = await waitForOutput(/(No active peers\n|Active peers:\n([\s\S]*?)End of peers\n)/, { from });
        const body = match[2] ?? '';
        return body
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => {
            const [address = '', name = '', state] = line.split(' ');
            return { address, name, connected: state === '(connected)' };
          });
      }),
    quit: (timeoutMs = 15_000) =>
      serial(() => {
        child.stdin.write('0\n');
        return exitWithin(child, exited, timeoutMs);
      }),
    exited,
    stop,
  };
}
