/**
 * `--log <file>`: one JSON line per sent and received message, appended
 * synchronously so that a line is on disk before the message is shown.
 */
import fs from 'node:fs';
import { P2PError } from '../core/errors.js';
import { safeJson } from '../output/safe-json.js';

export interface LogRecord {
  readonly at: string;
  readonly direction: 'in' | 'out';
  readonly [field: string]: unknown;
}

export class MessageLog {
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

  write(record: LogRecord): void {
    if (this.#fd === undefined) return;
    try {
      fs.writeSync(this.#fd, `${safeJson(record)}\n`);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.onError(error as NodeJS.ErrnoException);
      this.#failing = true;
    }
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
