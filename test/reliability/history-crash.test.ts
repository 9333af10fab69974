/**
 * SIGKILL of the real CLI during a burst loses nothing it showed. The built
 * CLI (headless, --history on one file for all rounds) receives 10,000
 * messages from 50 concurrent raw loopback senders; the test reads its JSON
 * `message` events and kills it with SIGKILL at a random point of the burst,
 * 10 rounds. After each kill the store opens cleanly, and every message the
 * CLI had emitted is in it exactly once (stored before shown). Each round's
 * start is the restart of the previous one: the CLI must open the history
 * without a warning every time.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { tempFolder } from '../helpers/store-files.js';
import { waitUntil } from '../helpers/wait.js';
import { seeded } from '../helpers/seeded.js';
import { rawSend, report } from './support.js';

const ROUNDS = 10;
const MESSAGES = 10_000;
const SENDERS = 50;

const folder = tempFolder('p2pchat-history-crash-');
after(folder.remove);

async function start(file: string, round: number): Promise<HeadlessPeer> {
  const cli = await startHeadlessPeer({ name: 'Sink', args: ['--history', file, '--max-peers', '1000'], startTimeoutMs: 30_000 });
  // The listening line comes first; a warning about the history would follow at once.
  cli.command('/peers');
  await cli.waitFor((e) => e.type === 'peers', 20_000);
  const warnings = cli.events.filter((e) => e.type === 'warning');
  assert.deepEqual(warnings, [], `round ${round}: the CLI opened the history without a warning`);
  return cli;
}

/** How often each of this round's texts is stored. */
function storedCounts(file: string, round: number): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT text FROM messages WHERE kind = 'chat' AND text LIKE ?").all(`r${round}-%`) as { text: string }[];
    const counts = new Map<string, number>();
    for (const { text } of rows) counts.set(text, (counts.get(text) ?? 0) + 1);
    return counts;
  } finally {
    db.close();
  }
}

test('SIGKILL of the CLI in a 10,000-message burst from 50 senders: every emitted message stored once, 10 rounds', { timeout: 900_000 }, async () => {
  const file = path.join(folder.dir, 'history.db');
  const seed = Number(process.env.HISTORY_CRASH_SEED ?? Date.now() % 2 ** 31);
  const random = seeded(seed);
  const summary: string[] = [];
  let totalEmitted = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const killAfter = 100 + Math.floor(random() * (MESSAGES - 1100));
    const cli = await start(file, round);
    const where = `round ${round} (seed ${seed}, kill after ${killAfter})`;
    let killed = false;
    try {
      const perSender = MESSAGES / SENDERS;
      const senders = Array.from({ length: SENDERS }, async (_, s) => {
        for (let i = 0; i < perSender && !killed; i += 1) {
          await rawSend(cli.port, `127.0.0.1:${40_000 + s} S${s} r${round}-s${s}-${i}\n`, { timeoutMs: 20_000 });
        }
      });
      const emitted = (): number => cli.events.filter((e) => e.type === 'message' && e.kind === 'chat').length;
      await waitUntil(() => emitted() >= killAfter || undefined, 120_000, () => `${where}: ${emitted()} messages emitted`);
      cli.child.kill('SIGKILL');
      killed = true;
      await cli.exited;
      await Promise.all(senders);
      const texts = cli.events.filter((e) => e.type === 'message' && e.kind === 'chat').map((e) => String(e.text));

      // The store opens cleanly after every kill (folding the WAL in).
      SqliteStore.open(file).close();
      const counts = storedCounts(file, round);
      const missing = texts.filter((text) => !counts.has(text));
      const duplicates = [...counts.entries()].filter(([, n]) => n > 1).map(([text]) => text);
      assert.deepEqual(missing.slice(0, 5), [], `${where}: emitted messages missing from the store (${missing.length})`);
      assert.deepEqual(duplicates.slice(0, 5), [], `${where}: messages stored twice`);
      assert.equal(new Set(texts).size, texts.length, `${where}: a message was emitted twice`);
      totalEmitted += texts.length;
      summary.push(`${texts.length}/${counts.size}`);
    } finally {
      killed = true;
      await cli.stop();
    }
  }
  // The restart after the last kill opens too.
  const last = await start(file, ROUNDS);
  await last.stop();
  report(`history crash (CLI): ${ROUNDS} SIGKILLs mid-burst (seed ${seed}), ${totalEmitted} emitted messages all stored once; emitted/stored per round: ${summary.join(', ')}`);
});
