/**
 * History is on by default, so a CLI started by a test or a bench would write
 * into the user's ~/.local/share/p2pchat. Every helper that spawns the CLI
 * gives it its own XDG_DATA_HOME, a fresh folder under one temporary root per
 * test process (removed when that process exits), unless the caller chose an
 * XDG_DATA_HOME itself (a restart test passes the same one twice). Fresh per
 * child: a port reused by the system never finds an earlier test's history.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let root: string | undefined;

/** This process's temporary root (created on the first call, removed at exit). */
export function testDataRoot(): string {
  if (root === undefined) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-data-'));
    root = made;
    process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return root;
}

/** A new, empty data home under the process's temporary root. */
export function freshDataHome(): string {
  return fs.mkdtempSync(path.join(testDataRoot(), 'home-'));
}

/** `env` with XDG_DATA_HOME set to a fresh data home unless `env` already names one. */
export function withTestDataHome(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return env.XDG_DATA_HOME === undefined ? { ...env, XDG_DATA_HOME: freshDataHome() } : env;
}
