/**
 * The one bounded wait of the test helpers: look at something until it holds,
 * re-looking whenever its source says it changed (a child's output, a
 * terminal's screen) or, with no source, every 20 ms.
 */

/** How often `waitUntil` looks again when nothing tells it of a change. */
const POLL_MS = 20;

/**
 * Where the looked-at thing comes from: call `wake()` after it changed and
 * `end()` when no more will come (a process exited), so waiters stop at once
 * instead of at their timeout.
 */
export class Wakeups {
  readonly #waiters = new Set<() => void>();
  #ended = false;

  /** @param source What ends, for the error message (e.g. `peer`). */
  constructor(readonly source: string) {}

  get ended(): boolean {
    return this.#ended;
  }

  /** Something new arrived: every waiter looks again. */
  wake(): void {
    for (const waiter of this.#waiters) waiter();
  }

  /** Nothing more will come: every waiter takes a last look, then fails. */
  end(): void {
    this.#ended = true;
    this.wake();
  }

  /** Call `waiter` on every wake-up until the returned function is called. */
  subscribe(waiter: () => void): () => void {
    this.#waiters.add(waiter);
    return () => this.#waiters.delete(waiter);
  }
}

/**
 * Resolve with the first value other than `undefined` or `false` that `check` returns,
 * looking at once and then on each of `source`'s wake-ups (or every 20 ms
 * without a source). Rejects after `timeoutMs`, or as soon as `source` ended
 * without a match, with `describe()` (what was awaited, what was seen) in the
 * message. `check` may keep state between looks, e.g. to scan only new events.
 */
export function waitUntil<T>(check: () => T | false | undefined, timeoutMs: number, describe: () => string, source?: Wakeups): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let poll: NodeJS.Timeout | undefined;
    let unsubscribe: (() => unknown) | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe?.();
    };
    const look = (): void => {
      if (done) return;
      let value: T | false | undefined;
      try {
        value = check();
      } catch (error) {
        finish();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (value !== undefined && value !== false) {
        finish();
        resolve(value);
      } else if (source?.ended) {
        finish();
        reject(new Error(`${source.source} ended first: ${describe()}`));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms: ${describe()}`));
    }, timeoutMs);
    look();
    if (done) return;
    if (source) unsubscribe = source.subscribe(look);
    else poll = setInterval(look, POLL_MS);
  });
}
