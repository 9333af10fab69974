/**
 * SIGKILL during a burst loses nothing that was reported appended. A child
 * (test/fixtures/store-burst.ts) appends 10,000 messages from 50 concurrent
 * senders and prints each id once its append resolved; the parent kills it
 * with SIGKILL at a random point of the burst, 10 rounds on one file. After
 * each kill the store opens cleanly, every printed id is there exactly once,
 * each sender's messages are a gap-free prefix of what it sent, and SQLite's
 * and FTS5's own integrity checks pass. Every other round caps the WAL small,
 * so that checkpoints run throughout the burst and kills land in them too.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { runFixture, tempFolder } from '../helpers/store-files.js';
import { seeded } from '../helpers/seeded.js';
import { report } from './support.js';

const ROUNDS = 10;
const MESSAGES = 10_000;
const SENDERS = 50;

const folder = tempFolder('p2pchat-store-crash-');
after(folder.remove);

interface Check {
  readonly stored: number;
  readonly duplicates: number;
  readonly missing: string[];
  readonly gaps: string[];
  readonly integrity: string;
}

function check(file: string, round: number, printed: readonly string[]): Check {
  const db = new Database(file);
  try {
    const rows = db.prepare('SELECT id FROM messages WHERE id LIKE ?').all(`r${round}-%`) as { id: string }[];
    const counts = new Map<string, number>();
    for (const { id } of rows) counts.set(id, (counts.get(id) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    const missing = printed.filter((id) => !counts.has(id));
    // Each sender awaits its appends in order, so what it has stored is i = s, s + 50, ... without a hole.
    const gaps: string[] = [];
    for (let s = 0; s < SENDERS; s += 1) {
      const have = [...counts.keys()].filter((id) => id.startsWith(`r${round}-s${s}-`)).map((id) => Number(id.split('-')[2])).sort((a, b) => a - b);
      have.forEach((i, k) => {
        if (i !== s + k * SENDERS) gaps.push(`sender ${s}: ${have.slice(0, k + 1).slice(-3).join(',')}`);
      });
    }
    const integrity = (db.pragma('integrity_check', { simple: true }) as string) ?? '';
    db.prepare("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").run();
    return { stored: rows.length, duplicates, missing, gaps: gaps.slice(0, 5), integrity };
  } finally {
    db.close();
  }
}

test('SIGKILL in a burst of 10,000 appends from 50 senders loses nothing reported, 10 rounds', { timeout: 300_000 }, async () => {
  const file = path.join(folder.dir, 'crash.db');
  const seed = Number(process.env.STORE_CRASH_SEED ?? Date.now() % 2 ** 31);
  const random = seeded(seed);
  const summary: string[] = [];
  let total = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    // Somewhere between the first hundred and the last thousand appends of the burst.
    const killAfter = 100 + Math.floor(random() * (MESSAGES - 1100));
    // Odd rounds cap the WAL at 256 KiB: checkpoints run all through the burst and some kills land in one.
    const walCap = round % 2 === 1 ? [String(256 * 1024)] : [];
    const child = runFixture('store-burst.ts', [file, String(round), String(MESSAGES), String(SENDERS), ...walCap]);
    try {
      await child.waitForLine((l) => l === 'open', 30_000, `round ${round} (seed ${seed}): the child opened the store`);
      let printed = 0;
      await child.waitForLine(() => (printed = child.lines.length - 1) >= killAfter || child.lines.includes('done'), 60_000, `round ${round} (seed ${seed}): ${killAfter} ids printed (saw ${printed})`);
      child.child.kill('SIGKILL');
      const { signal } = await child.exited;
      const ids = child.lines.filter((l) => l.startsWith(`r${round}-`));
      const finished = child.lines.includes('done');
      assert.ok(signal === 'SIGKILL' || finished, `round ${round}: the child ended by ${signal}; stderr: ${child.stderr()}`);
      assert.equal(child.stderr(), '', `round ${round}: the store reported no error`);

      // The store must open cleanly after every kill (this also folds the WAL into the file).
      const store = SqliteStore.open(file);
      store.close();
      const result = check(file, round, ids);
      const where = `round ${round} (seed ${seed}, killed after ${ids.length} printed ids)`;
      assert.deepEqual(result.missing.slice(0, 5), [], `${where}: printed ids missing from the store`);
      assert.equal(result.duplicates, 0, `${where}: ids stored twice`);
      assert.deepEqual(result.gaps, [], `${where}: a sender's stored messages have a hole`);
      assert.equal(result.integrity, 'ok', `${where}: integrity_check`);
      // At most one append per sender can have committed without its id being printed yet.
      assert.ok(result.stored >= ids.length && result.stored <= ids.length + SENDERS, `${where}: ${result.stored} stored for ${ids.length} printed`);
      total += ids.length;
      summary.push(`${ids.length}/${result.stored}${finished ? ' (finished)' : ''}`);
    } finally {
      await child.kill();
    }
  }
  report(`store crash: ${ROUNDS} SIGKILLs mid-burst (seed ${seed}), ${total} reported ids all stored once; printed/stored per round: ${summary.join(', ')}`);
});
