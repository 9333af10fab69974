/**
 * Shared tools of the reliability suite: the --log reader, the unsafe
 * code point check, and the one summary line each case prints; raw clients,
 * sinks and black holes are re-exported from ../helpers.
 * Everything here talks to 127.0.0.0/8 only, on ports the suite opened.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DANGEROUS } from '../helpers/dangerous.js';
import type { JsonEvent } from '../helpers/headless-peer.js';

export { startBlackholes, type Blackholes } from '../helpers/blackhole.js';
export { closedPort, rawSend, startSinks, type RawSendOptions, type RawSendResult, type Sinks } from '../helpers/net.js';

/** The one summary line of a case, with its figures. */
export function report(line: string): void {
  console.log(`reliability: ${line}`);
}

/**
 * What must never reach a screen or a log raw: the Unicode oracle of
 * ../helpers/dangerous (C0, DEL, C1, bidi controls, U+2028/2029), less the
 * newline, which separates lines.
 */
export const RAW_UNSAFE = new RegExp(`(?!\\n)${DANGEROUS.source}`, 'gu');

export function countUnsafe(text: string): number {
  return text.match(RAW_UNSAFE)?.length ?? 0;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `p2pchat-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface LogLine {
  readonly direction: 'in' | 'out';
  readonly [field: string]: unknown;
}

/** Every record of a --log file (each line must be JSON; a bad line throws). */
export function readLog(file: string): LogLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as LogLine);
}

/** How often each received text appears in the log ('in' records). */
export function loggedTexts(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of readLog(file)) {
    if (record.direction !== 'in') continue;
    const key = String(record.text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Run `task` over `items` with at most `concurrency` at once; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** The remote port of a JSON event's `remote` field (`127.0.0.1:54321`). */
export function remotePort(event: JsonEvent): number {
  return Number(String(event.remote).split(':').pop());
}

export const MiB = 1024 * 1024;
