/**
 * The outbox on disk: an append-only file of JSON lines, one per operation
 * (enqueue, attempt, sent, failed, cancel, gave-up; the format is in
 * ./outbox-codec.ts), replayed at start to
 * rebuild the Outbox, compacted by writing the live state to a temporary
 * file and renaming it over the journal.
 *
 * Crash safety, and what each choice costs (measured on this machine's ext4:
 * write ≈ 1.4 µs, write + fdatasync ≈ 150 µs per line):
 * - Every operation is written with `fs.writeSync` before the call that made
 *   it returns, so a process killed at any moment (SIGKILL, a crash) leaves a
 *   journal the kernel already holds. The `attempt` line is written before a
 *   byte goes out: an attempt with no result after a restart is a send that
 *   may have arrived, and the only kind of duplicate there can be.
 * - fdatasync (default `sync: 'accepted'`) only after an enqueue or a cancel:
 *   losing those to a power cut would lose, or resurrect, a message. Losing
 *   an attempt/sent/failed line can at worst send a message once more, so
 *   those skip the 150 µs and a drain runs at the speed of the network.
 * - A live send is journaled (enqueue, attempt) before its first attempt,
 *   with the enqueue marked tentative: its fdatasync waits until that
 *   attempt fails and the message is really queued. A message that goes out
 *   at once costs two plain writes, and a crash mid-attempt still finds it.
 * - A line cut short by a crash is the last one and has no newline: replay
 *   drops it and truncates the file there, so the next line starts clean.
 * - Compaction writes the temporary file, fdatasyncs it, renames it over the
 *   journal and syncs the folder: a crash leaves either file whole.
 * - File mode 0600; a folder the journal creates is 0700. Messages are private.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Outbox, type OutboxEntry, type OutboxOp, type OutboxOptions } from '../core/outbox.js';
import { decodeOutboxLine, encodeOutboxOp } from './outbox-codec.js';

/** Lines replayed between two looks at the clock in `openInSlices` (about 2 ms here). */
const REPLAY_STEP_LINES = 1024;

/** Compact when the journal is this many times the live state's size (default 4). */
export const DEFAULT_COMPACT_FACTOR = 4;
/** …and at least this big (default 64 KiB), so a small journal is left alone. */
export const DEFAULT_COMPACT_MIN_BYTES = 64 * 1024;

/**
 * When to fdatasync: `accepted` after an enqueue or a cancel (the default),
 * `all` after every write, `none` never (a process crash is still safe; a
 * power cut may lose the last lines).
 */
export type JournalSync = 'accepted' | 'all' | 'none';

export type OutboxJournalErrorCode = 'P2P_OUTBOX_OPEN_FAILED' | 'P2P_OUTBOX_WRITE_FAILED';

/** A journal that cannot be opened or written. `cause` is the system error code (ENOSPC…). */
export class OutboxJournalError extends Error {
  readonly code: OutboxJournalErrorCode;
  readonly path: string;
  readonly systemCode: string;

  constructor(code: OutboxJournalErrorCode, file: string, systemCode: string, message: string) {
    super(message);
    this.name = 'OutboxJournalError';
    this.code = code;
    this.path = file;
    this.systemCode = systemCode;
  }
}

export interface OutboxJournalOptions {
  /** Default 4. */
  readonly compactFactor?: number;
  /** Default 64 KiB. */
  readonly compactMinBytes?: number;
  /** Default `accepted`. */
  readonly sync?: JournalSync;
}

/** What replay found. */
export interface ReplayReport {
  /** Lines applied. */
  readonly ops: number;
  /** Lines that were not an operation, or did not fit the state (e.g. an unknown id): skipped. */
  readonly skipped: number;
  /** Bytes of a last line cut short by a crash, dropped and truncated (0 if none). */
  readonly tornBytes: number;
  /** The journal's size after replay. */
  readonly bytes: number;
  /** Entries whose last attempt has no result: they may reach their peer twice. */
  readonly inDoubt: readonly OutboxEntry[];
}

/**
 * Where the outbox of the peer on `port` lives:
 * `$XDG_DATA_HOME/p2pchat/outbox-<port>.jsonl`, or under
 * `<homedir>/.local/share` when XDG_DATA_HOME is unset or not absolute (the
 * XDG spec says to ignore a relative one). One per port: two peers on one
 * machine keep separate queues.
 */
export function defaultOutboxPath(port: number, env: NodeJS.ProcessEnv, homedir: string): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir, '.local', 'share');
  return path.join(base, 'p2pchat', `outbox-${port}.jsonl`);
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? 'error';
}

function writeAll(fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
}

/** Sync a folder so a rename in it is durable; a no-op where folders cannot be opened (Windows). */
function syncFolder(folder: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(folder, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Best effort: the rename itself is already atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export type OpenJournalResult =
  | { readonly ok: true; readonly journal: OutboxJournal; readonly replay: ReplayReport }
  | { readonly ok: false; readonly error: OutboxJournalError };

/**
 * The journal of one Outbox. Open it with `OutboxJournal.open`, which
 * replays the file into the (empty) outbox and then records every change the
 * outbox makes.
 */
export class OutboxJournal {
  readonly path: string;
  readonly compactFactor: number;
  readonly compactMinBytes: number;
  readonly sync: JournalSync;
  /**
   * Told when a write or a compaction fails (disk full, I/O error), once
   * until one succeeds again. The outbox goes on in memory meanwhile; the
   * next write rewrites the whole state, so the file catches up.
   */
  onError: (error: OutboxJournalError) => void = () => undefined;
  readonly #outbox: Outbox;
  #fd: number | undefined;
  #bytes: number;
  #enqueueBytes = 0;
  #enqueueCount = 0;
  /** A write failed: the file may lack an operation, so the next write is a full rewrite. */
  #behind = false;
  #failing = false;
  #retryIn = 0;
  #retryEvery = 1;
  #compactions = 0;
  /** Tentative enqueues written but not yet synced: synced by their first failure. */
  readonly #unsynced = new Set<string>();

  private constructor(file: string, fd: number, bytes: number, outbox: Outbox, options: OutboxJournalOptions) {
    this.path = file;
    this.#fd = fd;
    this.#bytes = bytes;
    this.#outbox = outbox;
    this.compactFactor = options.compactFactor ?? DEFAULT_COMPACT_FACTOR;
    this.compactMinBytes = options.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.sync = options.sync ?? 'accepted';
  }

  /**
   * Open (or create) the journal at `file`, replay it into `outbox` (which
   * must be empty) and from then on journal its every change. Never throws
   * for a file problem: a file that cannot be created, opened or read is a
   * typed failure (the outbox may then hold part of the file: drop it).
   */
  static open(file: string, outbox: Outbox, options: OutboxJournalOptions = {}): OpenJournalResult {
    const opening = OutboxJournal.#opening(file, outbox, options);
    if ('failed' in opening) return opening.failed;
    for (;;) {
      const step = opening.next();
      if (step !== undefined) return step;
    }
  }

  /**
   * `open`, with the replay cut into slices of about `sliceMs` (default 8)
   * between which the event loop runs: a long outbox loads while the chat
   * already answers. The outbox must not be used before this resolves.
   */
  static async openInSlices(file: string, outbox: Outbox, options: OutboxJournalOptions & { readonly sliceMs?: number } = {}): Promise<OpenJournalResult> {
    const opening = OutboxJournal.#opening(file, outbox, options);
    if ('failed' in opening) return opening.failed;
    const sliceMs = Math.max(1, options.sliceMs ?? 8);
    let sliceStarted = performance.now();
    for (;;) {
      const step = opening.next();
      if (step !== undefined) return step;
      if (performance.now() - sliceStarted >= sliceMs) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStarted = performance.now();
      }
    }
  }

  /**
   * Everything up to the replay (folder, descriptor, mode), then a stepper:
   * each `next()` replays about a thousand lines and returns undefined, until
   * it returns the result.
   */
  static #opening(file: string, outbox: Outbox, options: OutboxJournalOptions): { failed: OpenJournalResult } | { next: () => OpenJournalResult | undefined } {
    if (outbox.size > 0) throw new Error('OutboxJournal.open needs an empty outbox to replay into');
    const fail = (error: unknown, doing: string): OpenJournalResult => {
      const code = codeOf(error);
      return {
        ok: false,
        error: new OutboxJournalError('P2P_OUTBOX_OPEN_FAILED', file, code, `cannot ${doing} outbox file "${file}" (${code}); check the path and its permissions`),
      };
    };
    const folder = path.dirname(file);
    try {
      fs.mkdirSync(path.dirname(folder), { recursive: true });
      // Only a folder we create is made private; an existing one is the user's.
      if (!fs.existsSync(folder)) fs.mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      return { failed: fail(error, 'create the folder of the') };
    }
    let fd: number;
    try {
      fd = fs.openSync(file, 'a', 0o600);
    } catch (error) {
      return { failed: fail(error, 'open the') };
    }
    let journal: OutboxJournal;
    let replaying: Generator<void, ReplayReport>;
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) {
        fs.closeSync(fd);
        return { failed: fail({ code: 'not a regular file' }, 'use the') };
      }
      // Our own file, holding private messages: tighten a looser mode.
      if ((stat.mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
      journal = new OutboxJournal(file, fd, stat.size, outbox, options);
      replaying = journal.#replay();
    } catch (error) {
      fs.closeSync(fd);
      return { failed: fail(error, 'read the') };
    }
    const next = (): OpenJournalResult | undefined => {
      let replay: ReplayReport;
      try {
        const step = replaying.next();
        if (!step.done) return undefined;
        replay = step.value;
        if (replay.tornBytes > 0) fs.ftruncateSync(fd, replay.bytes);
        fs.rmSync(`${file}.tmp`, { force: true });
      } catch (error) {
        fs.closeSync(fd);
        return fail(error, 'read the');
      }
      journal.#bytes = replay.bytes;
      outbox.onOps = (ops) => journal.#append(ops);
      journal.#maybeCompact();
      return { ok: true, journal, replay };
    };
    return { next };
  }

  /** The journal's size in bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Compactions since open. */
  get compactions(): number {
    return this.#compactions;
  }

  /** An estimate of what the live state takes in a compacted file. */
  get liveBytes(): number {
    const average = this.#enqueueCount > 0 ? this.#enqueueBytes / this.#enqueueCount : 0;
    return Math.ceil(average * this.#outbox.size);
  }

  /**
   * Rewrite the journal as the live state (temporary file, rename over).
   * Returns false, reporting through `onError`, when it could not; the old
   * journal is then still in place.
   */
  compact(): boolean {
    if (this.#fd === undefined) return false;
    const temp = `${this.path}.tmp`;
    let tempFd: number | undefined;
    try {
      tempFd = fs.openSync(temp, 'w', 0o600);
      let bytes = 0;
      let enqueueBytes = 0;
      let enqueueCount = 0;
      let batch: string[] = [];
      const flush = (): void => {
        if (batch.length === 0) return;
        const chunk = Buffer.from(`${batch.join('\n')}\n`);
        writeAll(tempFd as number, chunk);
        bytes += chunk.length;
        batch = [];
      };
      for (const op of this.#outbox.compactOps()) {
        const line = encodeOutboxOp(op);
        if (op.op === 'enqueue') {
          enqueueBytes += line.length + 1;
          enqueueCount += 1;
        }
        batch.push(line);
        if (batch.length >= 1024) flush();
      }
      flush();
      fs.fdatasyncSync(tempFd);
      fs.closeSync(tempFd);
      tempFd = undefined;
      fs.renameSync(temp, this.path);
      syncFolder(path.dirname(this.path));
      // The old descriptor points at the replaced file: write to the new one.
      const fd = fs.openSync(this.path, 'a', 0o600);
      fs.closeSync(this.#fd);
      this.#fd = fd;
      this.#bytes = bytes;
      this.#enqueueBytes = enqueueBytes;
      this.#enqueueCount = enqueueCount;
      this.#behind = false;
      this.#retryIn = 0;
      this.#retryEvery = 1;
      this.#compactions += 1;
      // The new file was synced whole, tentative entries included.
      this.#unsynced.clear();
      this.#recovered();
      return true;
    } catch (error) {
      if (tempFd !== undefined) fs.closeSync(tempFd);
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Replaced on the next try; ignored at open.
      }
      this.#report(error);
      return false;
    }
  }

  /** Sync and close; the outbox stays usable in memory. Idempotent, never throws. */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    if (this.#outbox.onOps) this.#outbox.onOps = undefined;
    try {
      fs.fdatasyncSync(fd);
    } catch {
      // Closing anyway: there is nothing left to do with the descriptor.
    }
    try {
      fs.closeSync(fd);
    } catch {
      // Already gone.
    }
  }

  /**
   * Read the file in 1 MiB chunks (a 100,000-message journal held whole,
   * as bytes, as a string and as lines at once, cost more than the outbox
   * itself) and apply each complete line. A last line without its newline
   * was cut short by a crash: its write never returned, so the operation
   * never happened. It is dropped (and truncated by the caller).
   */
  *#replay(): Generator<void, ReplayReport> {
    const fd = fs.openSync(this.path, 'r');
    let ops = 0;
    let skipped = 0;
    let complete = 0;
    let total = 0;
    try {
      const chunk = Buffer.allocUnsafe(1 << 20);
      let carry: Buffer = Buffer.alloc(0);
      for (;;) {
        const read = fs.readSync(fd, chunk, 0, chunk.length, null);
        if (read === 0) break;
        total += read;
        const bytes = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
        const end = bytes.lastIndexOf(0x0a) + 1;
        // Copy the unfinished tail: `chunk` is reused by the next read.
        carry = Buffer.from(bytes.subarray(end));
        complete += end;
        if (end === 0) continue;
        const text = bytes.toString('utf8', 0, end);
        // Line by line without split(): an array of every line in the chunk
        // would outlive a few young-generation collections and be promoted.
        for (let from = 0; from < text.length; ) {
          const to = text.indexOf('\n', from);
          const line = text.slice(from, to);
          from = to + 1;
          if (line.length === 0) continue;
          const op = decodeOutboxLine(line);
          if (op && this.#outbox.apply(op)) {
            ops += 1;
            if (op.op === 'enqueue') this.#countEnqueue(line);
          } else {
            skipped += 1;
          }
          // A slice for openInSlices: a few milliseconds of lines.
          if ((ops + skipped) % REPLAY_STEP_LINES === 0) yield;
        }
      }
    } finally {
      fs.closeSync(fd);
    }
    const inDoubt = this.#outbox.recoverInFlight();
    return { ops, skipped, tornBytes: total - complete, bytes: complete, inDoubt };
  }

  #countEnqueue(line: string): void {
    // Lines are mostly ASCII: length is close enough for a compaction threshold, and cheap.
    this.#enqueueBytes += line.length + 1;
    this.#enqueueCount += 1;
  }

  #append(ops: readonly OutboxOp[]): void {
    if (this.#fd === undefined) return;
    if (this.#behind) {
      // The file missed an earlier operation: rewrite it whole instead.
      this.#tryCompact();
      return;
    }
    const lines = ops.map(encodeOutboxOp);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    try {
      writeAll(this.#fd, bytes);
      this.#bytes += bytes.length;
      let accepted = false;
      // Every op is looked at (not `some`): each keeps the set of unsynced tentative enqueues current.
      for (const op of ops) if (this.#accepts(op)) accepted = true;
      if (this.sync === 'all' || (this.sync === 'accepted' && accepted)) fs.fdatasyncSync(this.#fd);
      this.#recovered();
    } catch (error) {
      this.#behind = true;
      this.#report(error);
      return;
    }
    for (let i = 0; i < ops.length; i += 1) if ((ops[i] as OutboxOp).op === 'enqueue') this.#countEnqueue(lines[i] as string);
    this.#maybeCompact();
  }

  /** Whether `op` makes (or unmakes) a message the user was told is queued: worth an fdatasync. */
  #accepts(op: OutboxOp): boolean {
    switch (op.op) {
      case 'enqueue':
        if (op.tentative !== true) return true;
        this.#unsynced.add(op.id);
        return false;
      case 'failed':
        return this.#unsynced.delete(op.id);
      case 'cancel':
        // A tentative one that never became queued was never promised.
        return !this.#unsynced.delete(op.id);
      case 'sent':
      case 'gave-up':
        this.#unsynced.delete(op.id);
        return false;
      default:
        return false;
    }
  }

  #maybeCompact(): void {
    if (this.#bytes > Math.max(this.compactMinBytes, this.compactFactor * this.liveBytes)) this.#tryCompact();
  }

  /** Compact, but after a failure (disk full) only every 1, 2, 4 … 1024 operations, not on each. */
  #tryCompact(): void {
    if (this.#retryIn > 0) {
      this.#retryIn -= 1;
      return;
    }
    if (!this.compact()) {
      this.#retryEvery = Math.min(1024, this.#retryEvery * 2);
      this.#retryIn = this.#retryEvery;
    }
  }

  #report(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    const code = codeOf(error);
    this.onError(
      new OutboxJournalError(
        'P2P_OUTBOX_WRITE_FAILED',
        this.path,
        code,
        `cannot write outbox file "${this.path}" (${code}); queued messages are kept in memory until it works again`,
      ),
    );
  }

  #recovered(): void {
    this.#failing = false;
  }
}

export interface OpenOutboxOptions extends OutboxOptions, OutboxJournalOptions {
  /** The journal file (see `defaultOutboxPath`); null for an outbox in memory only. */
  readonly path: string | null;
  /** Told of write failures after start (see `OutboxJournal.onError`). */
  readonly onError?: (error: OutboxJournalError) => void;
}

export interface OpenedOutbox {
  readonly outbox: Outbox;
  /** Absent when the outbox lives in memory only. */
  readonly journal?: OutboxJournal;
  /** One sentence for the user when the journal could not be used or had unreadable lines. */
  readonly warning?: string;
  /** Absent without a journal. */
  readonly replay?: ReplayReport;
}

/**
 * The outbox as the node starts it: replayed from its journal, or in memory
 * only, with one warning, when the journal cannot be opened. Never throws
 * for a file problem.
 */
export function openOutbox(options: OpenOutboxOptions): OpenedOutbox {
  const outbox = new Outbox(options);
  if (options.path === null) return { outbox };
  return opened(OutboxJournal.open(options.path, outbox, options), outbox, options);
}

/** `openOutbox`, replaying in slices while the event loop runs (see `OutboxJournal.openInSlices`). */
export async function openOutboxInSlices(options: OpenOutboxOptions & { readonly sliceMs?: number }): Promise<OpenedOutbox> {
  const outbox = new Outbox(options);
  if (options.path === null) return { outbox };
  return opened(await OutboxJournal.openInSlices(options.path, outbox, options), outbox, options);
}

function opened(result: OpenJournalResult, outbox: Outbox, options: OpenOutboxOptions): OpenedOutbox {
  if (!result.ok) {
    // A fresh one: a read that failed half-way may have replayed part of the file.
    return { outbox: new Outbox(options), warning: `${result.error.message}; queued messages will not survive a restart` };
  }
  const { journal, replay } = result;
  if (options.onError) journal.onError = options.onError;
  const warning =
    replay.skipped > 0
      ? `outbox file "${journal.path}" had ${replay.skipped} unreadable line${replay.skipped === 1 ? '' : 's'}, skipped`
      : undefined;
  return warning ? { outbox, journal, warning, replay } : { outbox, journal, replay };
}
