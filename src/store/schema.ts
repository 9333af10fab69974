/**
 * The history file's schema, versioned by `PRAGMA user_version` and marked as
 * ours by `PRAGMA application_id`. MIGRATIONS[n] takes a file from version n
 * to n + 1; a file is only ever moved forward, inside one transaction, so a
 * crash mid-migration leaves the old version intact.
 *
 * v1: messages (insertion order = `seq`) and known peers.
 * v2: the FTS5 word index over message texts (filled from the v1 rows) and a
 *     small index for the user's own recent lines (Up/Down recall).
 * v3: the word index is filled in batches, not by a trigger per row:
 *     `fts_state.indexed` is the last `seq` in it, and the rows after it are
 *     added before a search, past a thousand of them, when writes pause, and
 *     at close (sqlite-store.ts). A per-row trigger made each commit write a
 *     new index segment: 13 µs of the 18 a message cost in a burst, and half
 *     of a lone message's commit. Delete and text-update triggers stay, for
 *     rows already indexed.
 */
import type Database from 'better-sqlite3';
import { StoreError, describeStoreFailure } from './store-errors.js';

/** "P2PC": tells a p2pchat history from any other SQLite file. */
export const APPLICATION_ID = 0x50325043;

const V1 = `
CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at INTEGER NOT NULL,
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  peer TEXT NOT NULL,
  name TEXT,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  status TEXT NOT NULL,
  remote TEXT,
  verified INTEGER,
  line TEXT,
  error TEXT
);
CREATE INDEX messages_by_peer ON messages (peer, seq);
CREATE TABLE peers (
  id TEXT PRIMARY KEY,
  name TEXT,
  verified INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX peers_by_last_seen ON peers (last_seen);
`;

// External-content FTS5: the text is stored once (in messages), the index
// holds only the words. Triggers keep it in step with every insert, update
// and delete; 'rebuild' indexes the rows a v1 file already had.
const V2 = `
CREATE VIRTUAL TABLE messages_fts USING fts5(
  text,
  content = 'messages',
  content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);
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
`;

const V3 = `
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
CREATE TABLE fts_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  indexed INTEGER NOT NULL
);
INSERT INTO fts_state (id, indexed) SELECT 1, coalesce(max(seq), 0) FROM messages;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.seq <= (SELECT indexed FROM fts_state) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
WHEN old.seq <= (SELECT indexed FROM fts_state) BEGIN
  INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
  INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
END;
`;

/** MIGRATIONS[n]: version n -> n + 1. */
export const MIGRATIONS: readonly string[] = [V1, V2, V3];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/**
 * The file's schema version, after checking it is ours to open. Reads only
 * the header and the schema table: run it before anything that writes (even
 * the switch to WAL rewrites the header), so a refused file stays untouched.
 * @throws StoreError STORE_FOREIGN (another program's SQLite file), STORE_TOO_NEW
 */
export function inspect(db: Database.Database, path: string): number {
  const appId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (appId !== APPLICATION_ID) {
    // An empty file (new, or zero bytes) is ours to set up; anything else with tables is someone else's.
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (appId !== 0 || version !== 0 || tables.n > 0) {
      throw new StoreError('STORE_FOREIGN', describeStoreFailure('STORE_FOREIGN', path, `application_id ${appId}, user_version ${version}`));
    }
  }
  if (version > SCHEMA_VERSION) {
    throw new StoreError('STORE_TOO_NEW', describeStoreFailure('STORE_TOO_NEW', path, `schema v${version}, this p2pchat reads up to v${SCHEMA_VERSION}`));
  }
  return version;
}

/**
 * Bring the open database up to SCHEMA_VERSION. Call inside a write
 * transaction: a step that fails rolls every step back.
 * @throws StoreError STORE_FOREIGN, STORE_TOO_NEW (and whatever SQLite throws, for the caller to map)
 */
export function migrate(db: Database.Database, path: string): MigrationResult {
  const from = inspect(db, path);
  for (let version = from; version < SCHEMA_VERSION; version += 1) db.exec(MIGRATIONS[version] as string);
  if (from !== SCHEMA_VERSION) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }
  return { from, to: SCHEMA_VERSION };
}
