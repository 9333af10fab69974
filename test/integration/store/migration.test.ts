/**
 * Schema migrations from every earlier version. The v1 file is written here
 * by raw SQL (not by the migration code under test), as a v1 p2pchat left it.
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
    assert.equal(SCHEMA_VERSION, 2);
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
    assert.equal(versionOf(file), 2);
    const again = SqliteStore.open(file);
    assert.deepEqual(again.migration, { from: 2, to: 2 }, 'nothing to do the second time');
    again.close();
  });

  it('sets up a new file and a zero-byte file from version 0', (t) => {
    const folder = tempFolder();
    t.after(folder.remove);
    const empty = path.join(folder.dir, 'empty.db');
    fs.writeFileSync(empty, '');
    for (const file of [path.join(folder.dir, 'new.db'), empty]) {
      const store = SqliteStore.open(file);
      assert.deepEqual(store.migration, { from: 0, to: 2 }, file);
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
      message: `history file "${file}" was written by a newer p2pchat (schema v99, this p2pchat reads up to v2)`,
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
