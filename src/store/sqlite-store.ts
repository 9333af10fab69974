/**
 * The history database: one SQLite file per listening port, in WAL mode, with
 * an FTS5 word index. Writes are batched (one transaction per event-loop
 * turn, held open up to 5 ms while a burst keeps writing: write-batcher.ts)
 * and each append resolves once its batch has committed.
 *
 * Locking: `locking_mode=EXCLUSIVE` holds SQLite's own POSIX lock on the file
 * for as long as the store is open. A second p2pchat opening the same file
 * gets STORE_LOCKED, and the kernel drops the lock when the holder dies, even
 * by SIGKILL, so a crash never leaves the store locked. (Exclusive mode also
 * means WAL runs without the -shm file.)
 *
 * Durability: synchronous=NORMAL by default. A committed batch is in the WAL
 * file before the append resolves, so it survives the process being killed;
 * a power cut may lose the last batches but never the file's consistency.
 * `synchronous: 'full'` adds an fsync per batch.
 *
 * Faults: opening throws a typed StoreError (see store-errors.ts); once open,
 * a failing write is reported through onError once, the records are kept in
 * memory (bounded) and stored with the next batch that commits; reads that
 * fail are reported once and answer from what memory holds.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { PeerId } from '../transport/transport.js';
import { DEFAULT_CHECKPOINT, checkpointDecision, type CheckpointPolicy } from './checkpoint-policy.js';
import { MemoryStore } from './memory-store.js';
import { inspect, migrate, type MigrationResult } from './schema.js';
import { ftsMatchExpression, matchesWords, queryWords } from './search-words.js';
import type { HistoryQuery, KnownPeer, MessageStatus, MessageStore, StoredMessage } from './store.js';
import { RECORD_VERSION } from './store.js';
import { StoreError, describeStoreFailure, rawCode, storeErrorCode, toStoreError } from './store-errors.js';
import {
  DEFAULT_LIMIT,
  DEFAULT_PEERS,
  DEFAULT_RECALL,
  MAX_LIMIT,
  collapseRepeats,
  mergePeer,
  normalizeLimit,
  peerProblem,
  recordProblem,
  statusProblem,
  withStatus,
} from './store-rules.js';
import { WriteBatcher } from './write-batcher.js';

/** Rows committed but not yet in the word index before they are added at once (see schema v3). */
const INDEX_BATCH_ROWS = 1024;

export interface SqliteStoreOptions {
  /** How long opening waits for another process's lock before STORE_LOCKED (ms). Default 200. */
  readonly lockTimeoutMs?: number;
  /** 'normal' (default): survives a killed process; 'full': also a power cut, one fsync per batch. */
  readonly synchronous?: 'normal' | 'full';
  /** Known peers kept; the least recently seen go first. Default 10,000. */
  readonly maxPeers?: number;
  /** Ops kept in memory while writes fail. Default 10,000. */
  readonly maxUnsaved?: number;
  /** While writes fail, retry at most this often (ms). Default 1000. */
  readonly retryMs?: number;
  /** SQLite page cache, KiB. Default 8192 (8 MiB): the resident set stays flat however long the history. */
  readonly cacheKiB?: number;
  /** When the WAL is folded into the file (see checkpoint-policy.ts). Default: after 1 s without writes, or at 16 MiB. */
  readonly checkpoint?: Partial<CheckpointPolicy>;
  /** Tests: when a batch is committed. Default setImmediate (one transaction per event-loop turn). */
  readonly schedule?: (flush: () => void) => void;
  /** How long a batch may be held open while writes keep coming (ms). Default 5; 0: one per turn. */
  readonly maxDelayMs?: number;
}

type WriteOp =
  | { readonly op: 'append'; readonly record: StoredMessage }
  | { readonly op: 'status'; readonly id: string; readonly status: MessageStatus; readonly error: string | null }
  | { readonly op: 'peer'; readonly peer: KnownPeer }
  | { readonly op: 'forget'; readonly id: PeerId };

interface MessageRow {
  seq: number;
  id: string;
  at: number;
  direction: 'in' | 'out';
  peer: string;
  name: string | null;
  kind: StoredMessage['kind'];
  text: string;
  status: MessageStatus;
  remote: string | null;
  verified: number | null;
  line: string | null;
  error: string | null;
}

interface PeerRow {
  id: string;
  name: string | null;
  verified: number;
  last_seen: number;
}

/** An error about the op itself, not the disk: SQLite refusing a value, or the driver unable to bind one. */
function isRefusedOp(error: unknown): boolean {
  return error instanceof TypeError || error instanceof RangeError || /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/.test(rawCode(error));
}

const COLUMNS = 'seq, id, at, direction, peer, name, kind, text, status, remote, verified, line, error';

function toRecord(row: MessageRow): StoredMessage {
  return {
    v: RECORD_VERSION,
    id: row.id,
    at: row.at,
    direction: row.direction,
    peer: row.peer,
    name: row.name,
    kind: row.kind,
    text: row.text,
    status: row.status,
    ...(row.remote === null ? {} : { remote: row.remote }),
    ...(row.verified === null ? {} : { verified: row.verified === 1 }),
    ...(row.line === null ? {} : { line: row.line }),
    ...(row.error === null ? {} : { error: row.error }),
  };
}

function toPeer(row: PeerRow): KnownPeer {
  return { id: row.id, name: row.name, verified: row.verified === 1, lastSeen: row.last_seen };
}

/** Create the missing folders 0700 (a chat history is private); existing ones are left as they are. */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let dir = folder; !fs.existsSync(dir); dir = path.dirname(dir)) {
    missing.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    fs.mkdirSync(dir, { mode: 0o700 });
    // mkdir's mode passes through the umask; set it exactly.
    fs.chmodSync(dir, 0o700);
  }
}

/**
 * Create the file 0600 before SQLite does (SQLite gives its -wal file the same
 * mode), or tighten an existing one. Then prove the file and its folder can be
 * written: SQLite would quietly open a read-only file read-only and fail later
 * with a lock error, so a read-only file, folder or mount is told here (EROFS,
 * EACCES), before any message depends on it.
 */
function makeFile(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600));
    fs.chmodSync(file, 0o600);
  } catch (error) {
    if (rawCode(error) !== 'EEXIST') throw error;
    fs.closeSync(fs.openSync(file, fs.constants.O_RDWR));
    const mode = fs.statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) fs.chmodSync(file, mode & 0o700);
  }
  // The -wal file is created beside it.
  fs.accessSync(path.dirname(file), fs.constants.W_OK);
}

/**
 * Cheap checks that the file is whole, without reading the history: the
 * header's page count fits the file (a truncated copy fails here), and the
 * right-hand edge of the messages and peers tables reads (where a cut-off
 * file is missing pages). Their cost does not grow with the history.
 */
function checkWhole(db: Database.Database, file: string, folded: boolean): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const size = fs.statSync(file).size;
  if (folded && size < pages * pageSize) {
    throw new StoreError('STORE_CORRUPT', describeStoreFailure('STORE_CORRUPT', file, `${size} bytes on disk, the header says ${pages * pageSize}`));
  }
  db.prepare('SELECT seq, text FROM messages ORDER BY seq DESC LIMIT 1').get();
  db.prepare('SELECT id FROM peers ORDER BY id DESC LIMIT 1').get();
  // Not the word index: a look-up there walks every segment and costs more the longer the
  // history (the open bench saw it). Damage in it is found, and reported once, by a search.
}

export class SqliteStore implements MessageStore {
  readonly label: string;
  readonly path: string;
  /** The schema versions before and after opening (from 0 for a new file). */
  readonly migration: MigrationResult;
  /** Told of a failure, once until writes (or reads) succeed again. Must not throw. */
  onError: (error: Error) => void = () => undefined;
  readonly #db: Database.Database;
  readonly #batcher: WriteBatcher<WriteOp>;
  readonly #maxPeers: number;
  readonly #sql: ReturnType<typeof prepare>;
  readonly #checkpoint: CheckpointPolicy;
  readonly #indexRows: Database.Transaction<() => number>;
  #lastCommit = 0;
  #checkpointTimer: NodeJS.Timeout | undefined;
  #checkpointSoon = false;
  #checkpointFailing = false;
  #readFailing = false;
  #closed = false;
  /** The last `seq` in the word index (fts_state), and the newest row committed. */
  #indexed: number;
  #newest: number;
  #indexSoon = false;
  #indexFailing = false;

  /**
   * Open (creating it, and its folder, if missing) and lock the history at `file`.
   * @throws StoreError STORE_CORRUPT, STORE_FOREIGN, STORE_TOO_NEW, STORE_LOCKED, STORE_READONLY, STORE_FULL, STORE_UNAVAILABLE, STORE_IO
   */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const resolved = path.resolve(file);
    let db: Database.Database | undefined;
    try {
      makeFolder(path.dirname(resolved));
      makeFile(resolved);
      db = new Database(resolved, { timeout: options.lockTimeoutMs ?? 200 });
      // Before anything reads the file: exclusive mode takes the lock at the first access and keeps it.
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma(`cache_size = -${Math.max(256, options.cacheKiB ?? 8192)}`);
      // A long-lived WAL is trimmed back after each checkpoint instead of staying at its largest.
      db.pragma('journal_size_limit = 4194304');
      // Checkpoints are the store's to time, not inside a commit (checkpoint-policy.ts says why).
      db.pragma('wal_autocheckpoint = 0');
      // The first read: takes the lock (STORE_LOCKED here) and refuses a file that is not ours before anything is written.
      inspect(db, resolved);
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      // BEGIN IMMEDIATE takes the write lock now: a read-only file fails here, not at the first message.
      const migration = db.transaction(() => migrate(db as Database.Database, resolved)).immediate();
      if (mode !== 'wal') throw new StoreError('STORE_IO', describeStoreFailure('STORE_IO', resolved, `journal mode ${mode}, not wal`));
      // After a crash the last batches are in the WAL: fold them in, then the size check is exact.
      // On a full disk the fold-in itself can fail; the batches stay safe in the WAL and the
      // store opens anyway (its writes will report the full disk), without the size check.
      let folded = true;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        if (storeErrorCode(error) !== 'STORE_FULL') throw error;
        folded = false;
      }
      checkWhole(db, resolved, folded);
      return new SqliteStore(db, resolved, migration, options);
    } catch (error) {
      try {
        db?.close();
      } catch {
        // Closing a half-open handle only releases the lock; its own failure adds nothing.
      }
      throw toStoreError(error, resolved);
    }
  }

  private constructor(db: Database.Database, file: string, migration: MigrationResult, options: SqliteStoreOptions) {
    this.#db = db;
    this.path = file;
    this.label = `history ${file}`;
    this.migration = migration;
    this.#maxPeers = Math.max(1, options.maxPeers ?? 10_000);
    this.#sql = prepare(db);
    this.#indexed = (this.#sql.indexed.get() as { n: number }).n;
    this.#newest = (this.#sql.newest.get() as { n: number }).n;
    this.#indexRows = db.transaction(() => {
      const newest = (this.#sql.newest.get() as { n: number }).n;
      if (newest > this.#indexed) {
        this.#sql.indexFrom.run(this.#indexed);
        this.#sql.setIndexed.run(newest);
      }
      return newest;
    });
    const commit = db.transaction((ops: readonly WriteOp[]) => this.#apply(ops));
    this.#checkpoint = { ...DEFAULT_CHECKPOINT, ...options.checkpoint };
    this.#batcher = new WriteBatcher<WriteOp>({
      commit: (ops) => {
        commit.immediate(ops);
        this.#committed();
      },
      onFailure: (error) => this.#report(error),
      ...(options.schedule ? { schedule: options.schedule } : {}),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
      ...(options.maxUnsaved === undefined ? {} : { maxUnsaved: options.maxUnsaved }),
      ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
    });
  }

  /** Writes are failing now (the records are kept in memory until they succeed). */
  get failing(): boolean {
    return this.#batcher.failing;
  }

  /** Transactions committed or tried so far: with batching, far fewer than appends. */
  get batches(): number {
    return this.#batcher.batches;
  }

  append(record: StoredMessage): Promise<void> {
    if (this.#refused(recordProblem(record)) || this.#closed) return Promise.resolve();
    return this.#batcher.write({ op: 'append', record });
  }

  /** A later status (queued -> sent, gave-up...). No `error` clears the old one. Unknown ids change nothing. */
  updateStatus(id: string, status: MessageStatus, error?: string): Promise<void> {
    if (this.#refused(statusProblem(id, status, error)) || this.#closed) return Promise.resolve();
    return this.#batcher.write({ op: 'status', id, status, error: error ?? null });
  }

  rememberPeer(peer: KnownPeer): void {
    if (this.#refused(peerProblem(peer)) || this.#closed) return;
    this.#batcher.post({ op: 'peer', peer });
  }

  forgetPeer(id: PeerId): void {
    if (this.#closed || typeof id !== 'string') return;
    this.#batcher.post({ op: 'forget', id });
  }

  /**
   * The last `limit` (default 50, at most 10,000) records, newest last: all,
   * one peer's, or those holding every word of `words` (whole words, case and
   * accents ignored; no search syntax). Never throws.
   */
  query(query: HistoryQuery = {}): StoredMessage[] {
    const limit = normalizeLimit(query.limit, DEFAULT_LIMIT);
    if (limit === 0) return [];
    const match = query.words === undefined ? undefined : ftsMatchExpression(String(query.words));
    if (match === null) return [];
    const peer = typeof query.peer === 'string' ? query.peer : undefined;
    const rows = this.#read(() => {
      if (match !== undefined) {
        // The rows not yet in the word index go in first: a search sees every committed message.
        this.#index();
        const found = (peer === undefined ? this.#sql.search.all(match, limit) : this.#sql.searchPeer.all(match, peer, limit)) as MessageRow[];
        if (this.#indexed >= this.#newest) return found;
        // The index could not take them (a full disk): the rows after it are read one by one,
        // at most the thousand or so committed since the last batch. All are newer than `found`.
        const tokens = queryWords(String(query.words));
        const tail = (this.#sql.after.all(this.#indexed) as MessageRow[]).filter(
          (row) => (peer === undefined || row.peer === peer) && matchesWords(row.text, tokens),
        );
        return [...tail, ...found].slice(0, limit);
      }
      return (peer === undefined ? this.#sql.last.all(limit) : this.#sql.lastPeer.all(peer, limit)) as MessageRow[];
    }, []);
    const stored = rows.reverse().map(toRecord);
    return this.#withUnsaved(stored, { ...query, limit }, limit);
  }

  /** Most recently seen first, at most `limit` (default 1,000). */
  knownPeers(limit: number = DEFAULT_PEERS): KnownPeer[] {
    const n = normalizeLimit(limit, DEFAULT_PEERS);
    const peers = this.#read(() => (this.#sql.peers.all(n) as PeerRow[]).map(toPeer), []);
    if (this.#batcher.unsaved.length === 0) return peers;
    const byId = new Map(peers.map((p) => [p.id, p]));
    for (const op of this.#batcher.unsaved) {
      if (op.op === 'peer') byId.set(op.peer.id, mergePeer(byId.get(op.peer.id), op.peer));
      else if (op.op === 'forget') byId.delete(op.id);
    }
    return [...byId.values()].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, n);
  }

  recentOutgoingTexts(limit: number = DEFAULT_RECALL): string[] {
    const n = normalizeLimit(limit, DEFAULT_RECALL);
    if (n === 0) return [];
    // Fetch extra rows so that collapsed repeats still leave `n` lines, usually.
    const texts = this.#read(() => (this.#sql.ownLines.all(Math.min(MAX_LIMIT, n * 4)) as { text: string }[]).map((r) => r.text), []);
    if (this.#batcher.unsaved.length === 0) return collapseRepeats(texts, n);
    const newer = this.#unsavedView().recentOutgoingTexts(n * 4).reverse();
    return collapseRepeats([...newer, ...texts], n);
  }

  /** Commit what is queued, then release the file (its lock with it). Idempotent, never throws. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#checkpointTimer);
    this.#batcher.flush(true);
    this.#index();
    try {
      // The last connection's close checkpoints and removes the WAL file.
      this.#db.close();
    } catch (error) {
      this.#report(error);
    }
  }

  /** Report a bad record, status or peer (STORE_BAD_RECORD): true when refused. */
  #refused(problem: string | null): boolean {
    if (problem === null) return false;
    this.onError(new StoreError('STORE_BAD_RECORD', `${describeStoreFailure('STORE_BAD_RECORD', this.path)}: ${problem}`));
    return true;
  }

  #apply(ops: readonly WriteOp[]): void {
    let peersTouched = false;
    for (const op of ops) {
      try {
        peersTouched = this.#applyOne(op) || peersTouched;
      } catch (error) {
        // One op SQLite refuses for what it is (a constraint, a value it cannot bind) must not
        // fail its batch again and again: it is reported and skipped; the statement alone was
        // rolled back. A disk or file failure fails the whole batch, to be retried.
        if (!isRefusedOp(error)) throw error;
        this.#refused(`${op.op} not stored: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (peersTouched) {
      const { n } = this.#sql.peerCount.get() as { n: number };
      if (n > this.#maxPeers) this.#sql.prunePeers.run(n - this.#maxPeers);
    }
  }

  /** Write one op; true when it touched the peers table. */
  #applyOne(op: WriteOp): boolean {
    switch (op.op) {
      case 'append': {
        const r = op.record;
        const { lastInsertRowid } = this.#sql.insert.run({
          id: r.id,
          at: Math.trunc(r.at),
          direction: r.direction,
          peer: r.peer,
          name: r.name ?? null,
          kind: r.kind,
          text: r.text,
          status: r.status,
          remote: r.remote ?? null,
          verified: r.verified === undefined ? null : r.verified ? 1 : 0,
          line: r.line ?? null,
          error: r.error ?? null,
        });
        // An upsert of a known id inserts nothing and leaves the connection's last rowid as it was.
        this.#newest = Math.max(this.#newest, Number(lastInsertRowid));
        return false;
      }
      case 'status':
        this.#sql.status.run(op.status, op.error, op.id);
        return false;
      case 'peer':
        this.#sql.peer.run(op.peer.id, op.peer.name ?? null, op.peer.verified ? 1 : 0, Math.trunc(op.peer.lastSeen));
        return true;
      case 'forget':
        this.#sql.forget.run(op.id);
        return false;
    }
  }

  /** After each commit: checkpoint at once past maxWalBytes (after this turn's appends resolved), else once writes pause. */
  #committed(): void {
    this.#lastCommit = performance.now();
    if (this.#newest - this.#indexed >= INDEX_BATCH_ROWS && !this.#indexSoon) {
      // After this turn's appends resolved, as a checkpoint is.
      this.#indexSoon = true;
      setImmediate(() => {
        this.#indexSoon = false;
        if (!this.#closed) this.#index();
      });
    }
    const decision = checkpointDecision(this.#checkpoint, this.#walBytes(), 0);
    if (decision.action === 'now') {
      if (this.#checkpointSoon) return;
      this.#checkpointSoon = true;
      setImmediate(() => {
        this.#checkpointSoon = false;
        this.#runCheckpoint();
      });
    } else if (decision.action === 'wait' && this.#checkpointTimer === undefined) {
      this.#armCheckpoint(decision.inMs);
    }
  }

  #armCheckpoint(inMs: number): void {
    // One timer for the store, re-armed from its own callback: never one per commit.
    this.#checkpointTimer = setTimeout(() => {
      this.#checkpointTimer = undefined;
      if (this.#closed) return;
      // Writes paused: the rows since the last batch go into the word index, then the WAL is folded in.
      if (performance.now() - this.#lastCommit >= this.#checkpoint.idleMs) this.#index();
      const decision = checkpointDecision(this.#checkpoint, this.#walBytes(), performance.now() - this.#lastCommit);
      if (decision.action === 'now') this.#runCheckpoint();
      else if (decision.action === 'wait') this.#armCheckpoint(decision.inMs);
    }, inMs);
    this.#checkpointTimer.unref();
  }

  #runCheckpoint(): void {
    if (this.#closed) return;
    try {
      // TRUNCATE: the WAL file goes back to 0 bytes, so its size says what is left to fold in.
      this.#db.pragma('wal_checkpoint(TRUNCATE)');
      this.#checkpointFailing = false;
    } catch (error) {
      // Nothing is lost: the batches stay in the WAL and are folded in by a later checkpoint or the next open.
      if (!this.#checkpointFailing) this.#report(error, 'the newest messages stay safe in its WAL file');
      this.#checkpointFailing = true;
    }
  }

  /**
   * Add the committed rows after `fts_state.indexed` to the word index, in one
   * transaction. A failure (a full disk) is reported once; until a later try
   * works, a search reads the rows after the index one by one.
   */
  #index(): void {
    if (this.#newest <= this.#indexed) return;
    try {
      // What the table holds now (a batch that failed may have counted rows it never wrote).
      this.#indexed = this.#newest = this.#indexRows.immediate();
      this.#indexFailing = false;
    } catch (error) {
      // While the writes themselves fail, that one warning covers this too: one fault, one line.
      if (!this.#indexFailing && !this.#batcher.failing) this.#report(error, 'the word index waits, and searches read the newest messages one by one meanwhile');
      this.#indexFailing = true;
    }
  }

  #walBytes(): number {
    try {
      return fs.statSync(`${this.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  /** Run a read after committing what is queued (a query sees its own writes); a failure is reported once. */
  #read<T>(read: () => T, fallback: T): T {
    if (this.#closed) return fallback;
    this.#batcher.flush();
    try {
      const value = read();
      this.#readFailing = false;
      return value;
    } catch (error) {
      if (!this.#readFailing) {
        this.#readFailing = true;
        this.#report(error, 'look-ups may miss older messages');
      }
      return fallback;
    }
  }

  #report(error: unknown, then = 'new messages are kept in memory until writes succeed again'): void {
    const failure = toStoreError(error, this.path);
    this.onError(new StoreError(failure.code, `${failure.message}; ${then}`, error));
  }

  /** What the failed batches hold, as a memory store (built only while writes fail). */
  #unsavedView(): MemoryStore {
    const view = new MemoryStore({ maxMessages: MAX_LIMIT * 10 });
    for (const op of this.#batcher.unsaved) {
      if (op.op === 'append') view.put(op.record);
      else if (op.op === 'status') void view.updateStatus(op.id, op.status, op.error ?? undefined);
    }
    return view;
  }

  /** Stored rows plus the unsaved ones (always newer), with unsaved status updates applied. */
  #withUnsaved(stored: StoredMessage[], query: HistoryQuery, limit: number): StoredMessage[] {
    if (this.#batcher.unsaved.length === 0) return stored;
    const view = this.#unsavedView();
    const statuses = new Map<string, { status: MessageStatus; error: string | null }>();
    for (const op of this.#batcher.unsaved) if (op.op === 'status' && !view.has(op.id)) statuses.set(op.id, op);
    const older = stored
      .filter((r) => !view.has(r.id))
      .map((r) => {
        const later = statuses.get(r.id);
        return later ? withStatus(r, later.status, later.error ?? undefined) : r;
      });
    return [...older, ...view.query(query)].slice(-limit);
  }
}

function prepare(db: Database.Database) {
  return {
    // A known id is a retry of the same message: it keeps its place and text, only its outcome changes.
    insert: db.prepare(
      `INSERT INTO messages (id, at, direction, peer, name, kind, text, status, remote, verified, line, error)
       VALUES (@id, @at, @direction, @peer, @name, @kind, @text, @status, @remote, @verified, @line, @error)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, error = excluded.error`,
    ),
    status: db.prepare('UPDATE messages SET status = ?, error = ? WHERE id = ?'),
    peer: db.prepare(
      `INSERT INTO peers (id, name, verified, last_seen) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = coalesce(excluded.name, name), verified = excluded.verified,
       last_seen = max(last_seen, excluded.last_seen)`,
    ),
    forget: db.prepare('DELETE FROM peers WHERE id = ?'),
    peerCount: db.prepare('SELECT count(*) AS n FROM peers'),
    prunePeers: db.prepare('DELETE FROM peers WHERE id IN (SELECT id FROM peers ORDER BY last_seen ASC LIMIT ?)'),
    last: db.prepare(`SELECT ${COLUMNS} FROM messages ORDER BY seq DESC LIMIT ?`),
    lastPeer: db.prepare(`SELECT ${COLUMNS} FROM messages WHERE peer = ? ORDER BY seq DESC LIMIT ?`),
    // FTS5 walks its index newest first and stops at the limit: a common word costs no more than a rare one.
    search: db.prepare(
      `SELECT ${COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')} FROM messages_fts CROSS JOIN messages AS m ON m.seq = messages_fts.rowid
       WHERE messages_fts MATCH ? ORDER BY messages_fts.rowid DESC LIMIT ?`,
    ),
    searchPeer: db.prepare(
      `SELECT ${COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')} FROM messages_fts CROSS JOIN messages AS m ON m.seq = messages_fts.rowid
       WHERE messages_fts MATCH ? AND m.peer = ? ORDER BY messages_fts.rowid DESC LIMIT ?`,
    ),
    ownLines: db.prepare("SELECT text FROM messages WHERE direction = 'out' AND kind = 'chat' ORDER BY seq DESC LIMIT ?"),
    peers: db.prepare('SELECT id, name, verified, last_seen FROM peers ORDER BY last_seen DESC LIMIT ?'),
    indexed: db.prepare('SELECT indexed AS n FROM fts_state WHERE id = 1'),
    newest: db.prepare('SELECT coalesce(max(seq), 0) AS n FROM messages'),
    indexFrom: db.prepare('INSERT INTO messages_fts (rowid, text) SELECT seq, text FROM messages WHERE seq > ? ORDER BY seq'),
    setIndexed: db.prepare('UPDATE fts_state SET indexed = ? WHERE id = 1'),
    after: db.prepare(`SELECT ${COLUMNS} FROM messages WHERE seq > ? ORDER BY seq DESC`),
  };
}
