/**
 * Figure 4, start-up: from spawn to the `listening` line on stdout, for the
 * built CLI in headless mode vs a Node script that only listens and prints.
 */
import path from 'node:path';
import { BASELINES, CLI, spawnNode } from './procs.js';
import { median } from './stats.js';

export interface StartupOptions {
  readonly rounds: number;
}

export interface StartupResult {
  readonly p2pchat: number[];
  readonly bare: number[];
  readonly median: { readonly p2pchat: number; readonly bare: number };
}

export const P2PCHAT_ARGS = [CLI, '--json', '--name', 'Starter', '--ip', '127.0.0.1', '--host', '127.0.0.1', '--port', 'auto'];
export const BARE_ARGS = [path.join(BASELINES, 'listen-only.js')];

/** Spawn to the `listening` line, in ms (also used by the rooms start-up figure). */
export async function timeToListening(args: readonly string[]): Promise<number> {
  const started = performance.now();
  const child = spawnNode(args);
  try {
    const line = await child.first;
    const ms = performance.now() - started;
    if (!line.includes('"listening"')) throw new Error(`unexpected first line: ${line}`);
    return ms;
  } finally {
    await child.kill();
  }
}

export async function measureStartup(options: StartupOptions): Promise<StartupResult> {
  // One unmeasured start each: the first pays for a cold file cache.
  await timeToListening(P2PCHAT_ARGS);
  await timeToListening(BARE_ARGS);
  const p2pchat: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    if (round % 2 === 0) {
      p2pchat.push(await timeToListening(P2PCHAT_ARGS));
      bare.push(await timeToListening(BARE_ARGS));
    } else {
      bare.push(await timeToListening(BARE_ARGS));
      p2pchat.push(await timeToListening(P2PCHAT_ARGS));
    }
  }
  return { p2pchat, bare, median: { p2pchat: median(p2pchat), bare: median(bare) } };
}
