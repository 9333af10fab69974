/**
 * A synthetic chat history for the store bench, deterministic (seeded):
 * 200 peers, a third of the lines our own (with the exact line sent, as the
 * real records have), words drawn from a 4,000-word vocabulary with a
 * Zipf-like skew, so that some words are in a tenth of all messages and
 * others in a handful. Also the /search queries run against it.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { StoredMessage } from '../src/store/store.js';
import { seeded } from '../test/helpers/seeded.js';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'be', 'da', 'fi', 'go', 'hu', 'je', 'pa', 'qui', 'ro', 'ze', 'an', 'el'];

/** 4,000 distinct words of 2 to 4 syllables, most frequent first. */
export const VOCABULARY: readonly string[] = (() => {
  const words = new Set<string>();
  for (let i = 0; words.size < 4000; i += 1) {
    let n = i;
    let word = '';
    do {
      word += SYLLABLES[n % SYLLABLES.length];
      n = Math.floor(n / SYLLABLES.length);
    } while (n > 0);
    if (word.length >= 4) words.add(word);
  }
  return [...words];
})();

export const PEERS = 200;

/** xorshift32 (test/helpers/seeded.ts): the same history on every run. */
export { seeded };

export function peerId(p: number): string {
  return `127.0.${Math.floor(p / 250)}.${1 + (p % 250)}:${5000 + (p % 7)}`;
}

/** Message `i` of the synthetic history (`random` advances 4 to 15 times). */
export function syntheticMessage(i: number, random: () => number): StoredMessage {
  const words: string[] = [];
  const count = 3 + Math.floor(random() * 10);
  for (let k = 0; k < count; k += 1) words.push(VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)] as string);
  const text = words.join(' ');
  const p = Math.floor(random() * PEERS);
  const peer = peerId(p);
  const at = 1_700_000_000_000 + i * 1000;
  const id = `${at.toString(36)}-${(i % 4096).toString(36)}`;
  if (i % 3 === 0) {
    return { v: 1, id, at, direction: 'out', peer, name: `peer${p}`, kind: 'chat', text, status: 'sent', line: `127.0.0.1:5000 Me ${text}` };
  }
  return { v: 1, id, at, direction: 'in', peer, name: `peer${p}`, kind: 'chat', text, status: 'received', remote: `127.0.0.1:${40000 + (i % 20000)}`, verified: true };
}

/**
 * Write `count` messages into a new store at `file` and the same records as
 * JSONL at `jsonl`, fast: one transaction, no journal, and the word index
 * built once at the end (SQLite's 'rebuild') instead of batch by batch.
 * The file is then what the store's own appends and indexing would have made.
 */
export function generateHistory(file: string, jsonl: string, count: number, seed = 12345): void {
  SqliteStore.open(file).close();
  const db = new Database(file);
  const out = fs.openSync(jsonl, 'w');
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -262144');
    const insert = db.prepare(
      `INSERT INTO messages (id, at, direction, peer, name, kind, text, status, remote, verified, line, error)
       VALUES (@id, @at, @direction, @peer, @name, @kind, @text, @status, @remote, @verified, @line, NULL)`,
    );
    const random = seeded(seed);
    let chunk = '';
    db.transaction(() => {
      for (let i = 0; i < count; i += 1) {
        const r = syntheticMessage(i, random);
        insert.run({ ...r, remote: r.remote ?? null, verified: r.verified === undefined ? null : r.verified ? 1 : 0, line: r.line ?? null });
        chunk += `${JSON.stringify(r)}\n`;
        if (chunk.length > 4_000_000) {
          fs.writeSync(out, chunk);
          chunk = '';
        }
      }
      db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");
      db.exec('UPDATE fts_state SET indexed = (SELECT coalesce(max(seq), 0) FROM messages)');
    })();
    fs.writeSync(out, chunk);
    db.pragma('journal_mode = WAL');
  } finally {
    fs.closeSync(out);
    db.close();
  }
}

export interface SearchQuery {
  readonly words: string;
  readonly peer?: string;
}

/**
 * `count` searches as people type them: mostly one or two words, common to
 * rare, some limited to one peer, a few that find nothing. Fixed order.
 */
export function searchQueries(count: number): SearchQuery[] {
  const random = seeded(777);
  const word = (from: number, to: number): string => VOCABULARY[from + Math.floor(random() * (to - from))] as string;
  const queries: SearchQuery[] = [];
  for (let i = 0; queries.length < count; i += 1) {
    switch (i % 10) {
      case 0:
      case 1:
        queries.push({ words: word(0, 20) }); // in a tenth of all messages
        break;
      case 2:
      case 3:
        queries.push({ words: word(100, 1000) });
        break;
      case 4:
        queries.push({ words: word(2000, 4000) }); // rare
        break;
      case 5:
        queries.push({ words: `${word(0, 50)} ${word(0, 50)}` });
        break;
      case 6:
        queries.push({ words: `${word(0, 200)} ${word(500, 3000)}` });
        break;
      case 7:
        queries.push({ words: word(0, 100), peer: peerId(Math.floor(random() * PEERS)) });
        break;
      case 8:
        queries.push({ words: `${word(0, 20)} ${word(0, 20)}`, peer: peerId(Math.floor(random() * PEERS)) });
        break;
      default:
        queries.push({ words: `nosuchword${i}` });
    }
  }
  return queries;
}
