/**
 * When to fold the WAL back into the database file (a checkpoint), pure.
 *
 * A checkpoint copies the WAL's pages into the file and, with
 * synchronous=NORMAL, fsyncs both: tens of milliseconds on a busy disk, and
 * better-sqlite3 runs it on the event loop. SQLite's own policy (every 1,000
 * pages, inside the commit that crossed the line) put that pause into a
 * burst of appends: the store bench measured the worst append at 88 ms with
 * it. So the store turns it off and checkpoints when the writes pause for
 * `idleMs`, or at once past `maxWalBytes` so a never-ending burst cannot
 * grow the WAL without bound.
 */

export interface CheckpointPolicy {
  /** Checkpoint after this long without a commit (ms). Default 1000. */
  readonly idleMs: number;
  /** Checkpoint at once when the WAL is this large, busy or not. Default 16 MiB. */
  readonly maxWalBytes: number;
}

export const DEFAULT_CHECKPOINT: CheckpointPolicy = { idleMs: 1000, maxWalBytes: 16 * 2 ** 20 };

/**
 * What to do now: `now` (checkpoint), `wait` (look again in `inMs`), or
 * `none` (the WAL is empty; nothing to do until the next commit).
 */
export function checkpointDecision(
  policy: CheckpointPolicy,
  walBytes: number,
  sinceCommitMs: number,
): { readonly action: 'now' } | { readonly action: 'wait'; readonly inMs: number } | { readonly action: 'none' } {
  if (walBytes <= 0) return { action: 'none' };
  if (walBytes >= policy.maxWalBytes || sinceCommitMs >= policy.idleMs) return { action: 'now' };
  return { action: 'wait', inMs: policy.idleMs - sinceCommitMs };
}
