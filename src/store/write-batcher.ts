/**
 * Batched writes (group commit): every write made in one event-loop turn goes
 * into one transaction, committed right after the turn (setImmediate). A
 * commit is the cost (every page it touched appended to the WAL and, with
 * synchronous=FULL, an fsync), so a batch of 50 pays for one, not 50.
 *
 * Under a burst each turn brings only a message or two (each connection's
 * end is its own I/O event), so one transaction per turn was one per
 * message. So the batch is held open while writes keep coming: when the
 * turn that was to commit finds writes from other callbacks than the one
 * that opened the batch, it waits one more turn, and again while each turn
 * brings more, up to `maxDelayMs` after the batch's first write. A lone
 * write, or the last of a burst, is committed at the first turn that brought
 * nothing new; the most a write waits for its commit is `maxDelayMs` plus
 * one turn. Each write's promise resolves once its batch has committed:
 * stored before shown.
 *
 * When a commit fails (disk full, I/O error) the batcher reports it once,
 * resolves the waiting writes anyway (the chat goes on) and keeps their ops,
 * bounded, to try again with a later batch; until then `unsaved` lets the
 * store answer queries from them. Pure apart from the injected commit,
 * scheduler and clock.
 */

export interface WriteBatcherOptions<Op> {
  /** Write all of `ops`, in order, in one transaction; throw to fail them all. */
  readonly commit: (ops: readonly Op[]) => void;
  /** The first failure after a success (or ever); not called again until a commit succeeds. */
  readonly onFailure: (error: unknown) => void;
  /** A commit succeeded after failures: the unsaved ops are now stored. */
  readonly onRecovery?: (saved: number, dropped: number) => void;
  /** Run `flush` once the current turn is over. Default `setImmediate`. */
  readonly schedule?: (flush: () => void) => void;
  /**
   * Hold a batch open while writes keep arriving, at most this long after its
   * first write (ms). Default 5; 0 commits every turn.
   */
  readonly maxDelayMs?: number;
  /** Monotonic milliseconds. Default `performance.now`. */
  readonly now?: () => number;
  /** Ops kept while commits fail; past it the oldest are dropped. Default 10,000. */
  readonly maxUnsaved?: number;
  /**
   * While failing, try a commit at most this often (ms). Default 1000: a full
   * disk is not retried every turn, and writes in between resolve at once.
   */
  readonly retryMs?: number;
}

export class WriteBatcher<Op> {
  readonly #commit: (ops: readonly Op[]) => void;
  readonly #onFailure: (error: unknown) => void;
  readonly #onRecovery: (saved: number, dropped: number) => void;
  readonly #schedule: (flush: () => void) => void;
  readonly #now: () => number;
  readonly #maxUnsaved: number;
  readonly #retryMs: number;
  readonly #maxDelayMs: number;
  #pending: Op[] = [];
  #waiters: (() => void)[] = [];
  #unsaved: Op[] = [];
  #dropped = 0;
  #scheduled = false;
  #failing = false;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #batches = 0;

  constructor(options: WriteBatcherOptions<Op>) {
    this.#commit = options.commit;
    this.#onFailure = options.onFailure;
    this.#onRecovery = options.onRecovery ?? (() => undefined);
    this.#schedule = options.schedule ?? ((flush) => void setImmediate(flush));
    this.#now = options.now ?? (() => performance.now());
    this.#maxUnsaved = Math.max(0, options.maxUnsaved ?? 10_000);
    this.#retryMs = Math.max(0, options.retryMs ?? 1000);
    this.#maxDelayMs = Math.max(0, options.maxDelayMs ?? 5);
  }

  /** Commits are failing now. */
  get failing(): boolean {
    return this.#failing;
  }

  /** Ops not on disk: failed batches kept for the next try, oldest first. */
  get unsaved(): readonly Op[] {
    return this.#unsaved;
  }

  /** Ops given up on while failing (past maxUnsaved), since the last success. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Batches tried so far (committed or not). */
  get batches(): number {
    return this.#batches;
  }

  /** Queue `op`; resolves after its batch was tried (committed, or kept unsaved). Never rejects. */
  write(op: Op): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#pending.push(op);
      this.#waiters.push(resolve);
      this.#arm();
    });
  }

  /** Queue `op` with nobody waiting for it. */
  post(op: Op): void {
    this.#pending.push(op);
    this.#arm();
  }

  /**
   * Commit what is queued now (a query reads its own writes; close saves the
   * rest). `force` retries unsaved ops even with nothing new and inside the retry pause.
   */
  flush(force = false): void {
    const fresh = this.#pending;
    const waiters = this.#waiters;
    if (fresh.length === 0 && !(force && this.#unsaved.length > 0)) return;
    this.#pending = [];
    this.#waiters = [];
    const batch = this.#unsaved.length === 0 ? fresh : this.#unsaved.concat(fresh);
    if (this.#failing && !force && this.#now() - this.#lastAttempt < this.#retryMs) {
      this.#keep(batch);
    } else {
      this.#attempt(batch);
    }
    for (const resolve of waiters) resolve();
  }

  #attempt(batch: Op[]): void {
    this.#lastAttempt = this.#now();
    this.#batches += 1;
    try {
      this.#commit(batch);
    } catch (error) {
      this.#keep(batch);
      if (!this.#failing) {
        this.#failing = true;
        this.#onFailure(error);
      }
      return;
    }
    const wasFailing = this.#failing;
    const saved = this.#unsaved.length;
    const dropped = this.#dropped;
    this.#unsaved = [];
    this.#dropped = 0;
    this.#failing = false;
    if (wasFailing) this.#onRecovery(saved, dropped);
  }

  #keep(batch: Op[]): void {
    const over = batch.length - this.#maxUnsaved;
    if (over > 0) {
      this.#dropped += over;
      this.#unsaved = batch.slice(over);
    } else {
      this.#unsaved = batch;
    }
  }

  #arm(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const opened = this.#now();
    let seen = this.#pending.length;
    // What the callback that armed the batch writes (a message and its peer row) counts as one arrival.
    queueMicrotask(() => {
      seen = this.#pending.length;
    });
    const turn = (): void => {
      // More writes came in during the turn (a burst): keep the batch open a turn longer, within the cap.
      // A flush() from a read in between has emptied `pending`, so this then commits the few new ones.
      if (this.#pending.length > seen && this.#now() - opened < this.#maxDelayMs) {
        seen = this.#pending.length;
        this.#schedule(turn);
        return;
      }
      this.#scheduled = false;
      this.flush();
    };
    this.#schedule(turn);
  }
}
