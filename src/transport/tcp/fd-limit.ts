/**
 * How many file descriptors this process may still open. Every connection,
 * in or out, takes one; past the limit accept() and connect() fail with
 * EMFILE, and libuv then sheds incoming connections silently (it accepts and
 * closes them to keep its loop from spinning), so nobody would hear of it.
 * Knowing the headroom lets the server cap itself below it and report why.
 * Linux only (/proc); elsewhere the answers are undefined and nothing changes.
 */
import fs from 'node:fs';

/** The soft limit on open files (`ulimit -n`), or undefined where it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const limits = fs.readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!match || match[1] === 'unlimited') return undefined;
    return Number(match[1]);
  } catch {
    return undefined;
  }
}

/** How many descriptors are open now, or undefined where it cannot be read. */
export function openFileCount(): number | undefined {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return undefined;
  }
}

/** Descriptors still free (limit minus open), or undefined where unknown. */
export function freeFileDescriptors(): number | undefined {
  const limit = openFileLimit();
  const open = openFileCount();
  return limit === undefined || open === undefined ? undefined : Math.max(0, limit - open);
}
