/**
 * When LAN discovery sends: announcements, queries, answers, and how often
 * it sweeps for expired records. Pure: times come in and go out as numbers.
 *
 * The TTL is the one knob. Every record of ours carries it; a peer that dies
 * without a goodbye (SIGKILL, power, Wi-Fi gone) is dropped by the others
 * that long after its last announcement. 60 s by default: long enough that
 * a chat does not flap on a lost packet or two, short enough that a dead
 * peer is gone within the minute. We re-announce every third of it, so two
 * announcements in a row can be lost before anyone drops a live peer (one
 * packet of ~250 bytes per peer per 20 s: nothing on a LAN).
 */

/** Our records' TTL by default, in seconds. */
export const DEFAULT_TTL_SECONDS = 60;
/** Bounds of the TTL option, in seconds. */
export const TTL_RANGE = { min: 1, max: 4500 } as const;

/**
 * Queries after start (ms from start). Two announcements of a peer that was
 * already there may have gone by before our socket joined the group (a known
 * bonjour-service/multicast-dns pitfall: "published before the browser
 * started is never seen"), so we ask, and ask again twice in case the first
 * query or its answers were lost.
 */
export const START_QUERIES_MS = [0, 1000, 3000] as const;
/** Then a query every 5 minutes by default: re-announcements carry the rest. */
export const DEFAULT_REQUERY_MS = 5 * 60_000;
/**
 * The least time between two multicasts of our records, answers included
 * (RFC 6762 §6: at most once per second), so a flood of queries makes us
 * send at most one answer per second.
 */
export const DEFAULT_ANSWER_INTERVAL_MS = 1000;
/** Answers wait 20..120 ms (RFC 6762 §6, shared records) so the peers of a LAN do not all answer at once. */
export const ANSWER_JITTER_MS = { min: 20, max: 120 } as const;

export interface Timing {
  readonly ttlSeconds: number;
  /** Delay of each announcement after the previous one: the first at start, the second 1 s later (RFC 6762 §8.3), then every third of the TTL. */
  readonly announceDelaysMs: (count: number) => number;
  /** How often expired records are looked for: a tenth of the TTL, within 100 ms .. 1 s. */
  readonly sweepMs: number;
}

/** The announcement and sweep timing for a TTL in seconds. */
export function timing(ttlSeconds: number = DEFAULT_TTL_SECONDS): Timing {
  const ttlMs = ttlSeconds * 1000;
  const every = Math.max(500, Math.round(ttlMs / 3));
  return {
    ttlSeconds,
    announceDelaysMs: (count) => (count === 0 ? 0 : count === 1 ? Math.min(1000, every) : every),
    sweepMs: Math.min(1000, Math.max(100, Math.round(ttlMs / 10))),
  };
}

/** Delay before query number `count` (0-based) after the previous one. */
export function queryDelayMs(count: number, requeryMs: number = DEFAULT_REQUERY_MS): number {
  if (count < START_QUERIES_MS.length) {
    const at = START_QUERIES_MS[count] as number;
    const before = count === 0 ? 0 : (START_QUERIES_MS[count - 1] as number);
    return at - before;
  }
  return requeryMs;
}

/**
 * When to answer a query that arrived at `now`: after the jitter (`random`
 * in 0..1), and not before `intervalMs` since our last multicast. Queries
 * that arrive while an answer is pending share it.
 */
export function answerAt(now: number, lastMulticastAt: number | undefined, random: number, intervalMs: number = DEFAULT_ANSWER_INTERVAL_MS): number {
  const jitter = ANSWER_JITTER_MS.min + Math.floor(random * (ANSWER_JITTER_MS.max - ANSWER_JITTER_MS.min));
  const earliest = lastMulticastAt === undefined ? now : lastMulticastAt + intervalMs;
  return Math.max(now + jitter, earliest);
}
