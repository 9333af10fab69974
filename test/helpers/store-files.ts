/**
 * For the history store's tests: temporary folders removed after the test,
 * records made to order, child processes running a fixture script read line
 * by line, and (as root, on Linux) tmpfs mounts and read-only bind mounts,
 * each undone by the function it returns.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredMessage } from '../../src/store/store.js';
import { stopChild } from './child.js';
import { waitUntil, Wakeups } from './wait.js';

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** A fresh folder under the system's temp folder; removed by the returned function (call it in `t.after`). */
export function tempFolder(prefix = 'p2pchat-store-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Record number `i`: chat in from `127.0.0.1:5000 + i % 5` unless `fields` say otherwise. */
export function record(i: number, fields: Partial<StoredMessage> = {}): StoredMessage {
  const port = 5000 + (i % 5);
  return {
    v: 1,
    id: `m${i}`,
    at: 1_700_000_000_000 + i,
    direction: 'in',
    peer: `127.0.0.1:${port}`,
    name: `P${port}`,
    kind: 'chat',
    text: `message ${i}`,
    status: 'received',
    ...fields,
  };
}

/** Can this process mount file systems (root with CAP_SYS_ADMIN, Linux)? */
export function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Mount a tmpfs of `size` (e.g. `512k`) on `dir`; the returned function unmounts it (lazily if busy). */
export function mountTmpfs(dir: string, size: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
  return () => unmount(dir);
}

/**
 * Make `target` (a file or a folder) read-only by bind-mounting it read-only
 * over itself. Root ignores permission bits (chmod 0400 would change nothing
 * for it), but not a read-only mount: writes fail with EROFS for everyone.
 */
export function bindReadOnly(target: string): () => void {
  execFileSync('mount', ['--bind', target, target], { stdio: 'pipe' });
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', target], { stdio: 'pipe' });
  } catch (error) {
    unmount(target);
    throw error;
  }
  return () => unmount(target);
}

function unmount(target: string): void {
  try {
    execFileSync('umount', [target], { stdio: 'pipe' });
  } catch {
    execFileSync('umount', ['-l', target], { stdio: 'pipe' });
  }
}

export interface FixtureChild {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  readonly lines: string[];
  stderr(): string;
  /** The first line (already seen or future) for which `match` holds. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number, what: string): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running; resolves once it is gone. Idempotent. */
  kill(): Promise<void>;
}

/** `node --import tsx test/fixtures/<script> ...args`, stdout split into lines. */
export function runFixture(script: string, args: readonly string[]): FixtureChild {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, script), ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  const wakeups = new Wakeups(`fixture ${script}`);
  let rest = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
    wakeups.wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (err.length < 20_000) err += chunk;
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': it comes once stdout is drained, so no printed line is missed.
    child.once('close', (code, signal) => {
      if (rest) lines.push(rest);
      rest = '';
      wakeups.end();
      resolve({ code, signal });
    });
  });
  return {
    child,
    lines,
    stderr: () => err,
    waitForLine: (match, timeoutMs, what) =>
      waitUntil(() => lines.find(match), timeoutMs, () => `${what}; stdout: ${lines.slice(-5).join(' | ')}; stderr: ${err.slice(-500)}`, wakeups),
    exited,
    kill: () => stopChild(child, exited),
  };
}
