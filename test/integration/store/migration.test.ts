/**
 * Schema migrations from every earlier version. The v1 and v2 files are
 * written here by raw SQL (not by the migration code under test), as those
 * versions of p2pchat left them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { SCHEMA_VERSION } from '../../../src/store/schema.js';
import { isStoreError } from '../../../src/store/store-errors.js';
import { record, tempFolder } from '../../helpers/store-files.js';

/** The v1 schema exactly as released: messages and peers, no word index. */
const V1_SQL = `
PRAGMA application_id = 1345474627;
PRAGMA user_version = 1;
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, at INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')), peer TEXT NOT NULL, name TEXT,
  kind TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL, remote TEXT, verified INTEGER, line TEXT, error TEXT
);
CREATE INDEX messages_by_peer ON messages (peer, seq);
CREATE TABLE peers (id TEXT PRIMARY KEY, name TEXT, verified INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX peers_by_last_seen ON peers (last_seen);
INSERT INTO messages (id, at, direction, peer, name, kind, text, status) VALUES
  ('old1', 1000, 'in', '127.0.0.1:5001', 'Bob', 'chat', 'the old deploy notes', 'received'),
  ('old2', 2000, 'out', '127.0.0.1:5001', 'Bob', 'chat', 'thanks for the notes', 'sent'),
  ('old3', 3000, 'in', '127.0.0.1:5002', NULL, 'hello', 'hello', 'received');
INSERT INTO peers (id, name, verified, last_seen) VALUES ('127.0.0.1:5001', 'Bob', 1, 2000);
`;

/** What v2 added, as released: the word index filled by a trigger per row. */
const V2_SQL = `
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = 'messages', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
  INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE INDEX messages_own_lines ON messages (seq) WHERE direction = 'out' AND kind = 'chat';
PRAGMA user_version = 2;
INSERT INTO messages (id, at, direction, peer, name, kind, text, status) VALUES
  ('v2a', 4000, 'in', '127.0.0.1:5001', 'Bob', 'chat', 'notes written by version two', 'received');
`;

function writeRaw(file: string, sql: string): void {
  const db = new Database(file);
  db.exec(sql);
  db.close();
}

function versionOf(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

describe('history schema migrations', () => {
  it('opens a v1 file: migrates to the latest, keeps every row and peer, and indexes the old texts', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'v1.db');
    writeRaw(file, V1_SQL);
    const store = SqliteStore.open(file);
    t.after(() => store.close());
    assert.deepEqual(store.migration, { from: 1, to: SCHEMA_VERSION });
    assert.equal(SCHEMA_VERSION, 3);
    assert.deepEqual(store.query({}).map((r) => [r.id, r.text, r.name]), [
      ['old1', 'the old deploy notes', 'Bob'],
      ['old2', 'thanks for the notes', 'Bob'],
      ['old3', 'hello', null],
    ]);
    assert.deepEqual(store.query({ words: 'notes' }).map((r) => r.id), ['old1', 'old2'], 'rows from v1 are in the word index');
    assert.deepEqual(store.recentOutgoingTexts(), ['thanks for the notes']);
    assert.deepEqual(store.knownPeers(), [{ id: '127.0.0.1:5001', name: 'Bob', verified: true, lastSeen: 2000 }]);
    await store.append(record(9, { text: 'new notes' }));
    assert.deepEqual(store.query({ words: 'notes' }).map((r) => r.id), ['old1', 'old2', 'm9']);
    store.close();
    assert.equal(versionOf(file), 3);
    const again = SqliteStore.open(file);
    assert.deepEqual(again.migration, { from: 3, to: 3 }, 'nothing to do the second time');
    again.close();
  });

  it('opens a v2 file: the per-row trigger goes, every old row stays found, and new rows are found before and after a restart', async (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'v2.db');
    writeRaw(file, `${V1_SQL}\n${V2_SQL}`);
    const store = SqliteStore.open(file);
    assert.deepEqual(store.migration, { from: 2, to: 3 });
    assert.deepEqual(store.query({ words: 'notes' }).map((r) => r.id), ['old1', 'old2', 'v2a'], 'what v2 indexed is still found');
    for (let i = 0; i < 3; i += 1) await store.append(record(i, { text: `fresh notes ${i}` }));
    assert.deepEqual(store.query({ words: 'fresh notes' }).map((r) => r.id), ['m0', 'm1', 'm2'], 'rows not yet in the index are found: the search indexes them first');
    await store.append(record(3, { text: 'notes after the search' }));
    store.close();
    const db = new Database(file, { readonly: true });
    const triggers = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    const state = db.prepare('SELECT indexed FROM fts_state').get() as { indexed: number };
    const newest = db.prepare('SELECT max(seq) AS n FROM messages').get() as { n: number };
    db.close();
    assert.deepEqual(triggers, ['messages_fts_delete', 'messages_fts_update']);
    assert.equal(state.indexed, newest.n, 'close indexed the rest');
    const again = SqliteStore.open(file);
    t.after(() => again.close());
    assert.deepEqual(again.query({ words: 'notes' }).map((r) => r.id), ['old1', 'old2', 'v2a', 'm0', 'm1', 'm2', 'm3']);
  });

  it('rows a crash left out of the word index are found by the next search, and the index is whole after it', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'crashed.db');
    SqliteStore.open(file).close();
    // What a process killed between a commit and the next index batch leaves: rows after fts_state.indexed.
    writeRaw(file, "INSERT INTO messages (id, at, direction, peer, name, kind, text, status) VALUES ('k1', 1, 'in', 'p', 'P', 'chat', 'left unindexed', 'received'), ('k2', 2, 'in', 'p', 'P', 'chat', 'also unindexed', 'received');");
    const store = SqliteStore.open(file);
    t.after(() => store.close());
    assert.deepEqual(store.query({ words: 'unindexed' }).map((r) => r.id), ['k1', 'k2']);
    store.close();
    const db = new Database(file);
    // 'integrity-check' with rank 1 also compares the index with the messages table.
    assert.doesNotThrow(() => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run());
    db.close();
  });

  it('sets up a new file and a zero-byte file from version 0', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const empty = path.join(folder.dir, 'empty.db');
    fs.writeFileSync(empty, '');
    for (const file of [path.join(folder.dir, 'new.db'), empty]) {
      const store = SqliteStore.open(file);
      assert.deepEqual(store.migration, { from: 0, to: 3 }, file);
      assert.deepEqual(store.query({ words: 'x' }), []);
      store.close();
    }
  });

  it('a migration that fails leaves the file at its old version (one transaction)', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'v1-clash.db');
    // A v1 file with something in the way of v2's index: the v2 step fails half-way.
    writeRaw(file, `${V1_SQL}\nCREATE TABLE messages_fts (x);`);
    assert.throws(() => SqliteStore.open(file), (error: unknown) => isStoreError(error) && /already exists/.test(String((error.cause as Error).message)));
    assert.equal(versionOf(file), 1);
    const db = new Database(file, { readonly: true });
    const triggers = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger'").get() as { n: number };
    db.close();
    assert.equal(triggers.n, 0, 'no part of v2 was left behind');
  });

  it('refuses a file from a newer p2pchat (STORE_TOO_NEW) and leaves it untouched', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'v99.db');
    writeRaw(file, V1_SQL.replace('user_version = 1', 'user_version = 99'));
    const before = fs.readFileSync(file);
    assert.throws(() => SqliteStore.open(file), {
      code: 'STORE_TOO_NEW',
      message: `history file "${file}" was written by a newer p2pchat (schema v99, this p2pchat reads up to v3)`,
    });
    assert.deepEqual(fs.readFileSync(file), before);
  });

  it('refuses an SQLite file that is not a p2pchat history (STORE_FOREIGN) and leaves it untouched', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const file = path.join(folder.dir, 'someone-else.db');
    writeRaw(file, 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER); INSERT INTO accounts VALUES (1, 100);');
    const before = fs.readFileSync(file);
    assert.throws(() => SqliteStore.open(file), { code: 'STORE_FOREIGN', message: `history file "${file}" is an SQLite file that is not a p2pchat history (application_id 0, user_version 0)` });
    assert.deepEqual(fs.readFileSync(file), before);
  });
});
