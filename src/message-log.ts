/**
 * `--log <file>`: one JSON line per sent and received message, appended
 * synchronously so that a line is on disk before the message is shown.
 */
import fs from 'node:fs';
import { P2PError } from './errors.js';
import { safeJson } from './safe-json.js';

export interface LogRecord {
  readonly at: string;
  readonly direction: 'in' | 'out';
  readonly [field: string]: unknown;
}

export class MessageLog {
  readonly path: string;
  #fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = fs.openSync(path, 'a');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new P2PError('P2P_LOG_FAILED', `cannot open log file "${path}" (${code}); check the path and its permissions`);
    }
  }

  write(record: LogRecord): void {
    if (this.#fd === undefined) return;
    fs.writeSync(this.#fd, `${safeJson(record)}\n`);
  }

  /** Flush to disk and close. Idempotent. */
  close(): void {
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
