/**
 * `--log <file>`: the JSONL export stream, and the first MessageStore. One
 * JSON line per message sent or received, appended synchronously so that a
 * line is handed to the system before the message is shown. It only appends;
 * it is never read back.
 */
import fs from 'node:fs';
import { P2PError } from '../core/errors.js';
import { safeJson } from '../output/safe-json.js';
import type { MessageStore, StoredMessage } from './store.js';

/** One line of the file, in the shape the log has always had. */
export function logLine(record: StoredMessage): Record<string, unknown> {
  const at = new Date(record.at).toISOString();
  if (record.direction === 'in') {
    return {
      at,
      direction: 'in',
      id: record.id,
      kind: record.kind,
      from: record.peer,
      name: record.name,
      text: record.text,
      remote: record.remote,
      verified: record.verified,
    };
  }
  const ok = record.status === 'sent' || record.status === 'delivered';
  return {
    at,
    direction: 'out',
    id: record.id,
    kind: record.kind,
    to: record.peer,
    text: record.text,
    ok,
    status: record.status,
    ...(record.error === undefined ? {} : { error: record.error }),
  };
}

export class MessageLog implements MessageStore {
  readonly path: string;
  /**
   * Told when a write fails (disk full, I/O error). The log never takes the
   * chat down: the failure is reported once, until a write succeeds again.
   */
  onError: (error: NodeJS.ErrnoException) => void = () => undefined;
  #fd: number | undefined;
  #failing = false;

  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = fs.openSync(path, 'a');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new P2PError('P2P_LOG_FAILED', `cannot open log file "${path}" (${code}); check the path and its permissions`);
    }
  }

  get label(): string {
    return `log ${this.path}`;
  }

  append(record: StoredMessage): void {
    this.write(logLine(record));
  }

  /** Write one raw line (the log's own format). */
  write(line: Record<string, unknown>): void {
    if (this.#fd === undefined) return;
    try {
      fs.writeSync(this.#fd, `${safeJson(line)}\n`);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.onError(error as NodeJS.ErrnoException);
      this.#failing = true;
    }
  }

  /** The log is an export stream: nothing is read back. */
  query(): StoredMessage[] {
    return [];
  }

  /** Flush to disk and close. Idempotent; never throws. */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      // A pipe, FIFO or device (/dev/null, /dev/stderr) cannot be synced: EINVAL.
      if (fs.fstatSync(fd).isFile()) fs.fsyncSync(fd);
    } catch (error) {
      this.onError(error as NodeJS.ErrnoException);
    }
    try {
      fs.closeSync(fd);
    } catch (error) {
      this.onError(error as NodeJS.ErrnoException);
    }
  }
}
