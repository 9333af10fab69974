/**
 * When to ask the DHT again who is in the room. Pure.
 *
 * Why at all: two peers that announce at the same instant can each look up
 * the topic before the other's announcement has landed, and Hyperswarm alone
 * would not look again for about ten minutes. So a peer that is alone looks
 * again soon and then less often (doubling from `aloneMs` up to `maxMs`); a
 * peer with company only needs the occasional look (`withPeersMs`) to find
 * newcomers whose own look-up missed it.
 */

export interface RefreshOptions {
  /** First re-look when alone (default 1000 ms); doubles each time. */
  readonly aloneMs: number;
  /** Longest gap (default 60,000 ms). */
  readonly maxMs: number;
  /** Gap while at least one peer is connected (default 30,000 ms). */
  readonly withPeersMs: number;
}

export const DEFAULT_REFRESH: RefreshOptions = { aloneMs: 1000, maxMs: 60_000, withPeersMs: 30_000 };

/**
 * Delay before refresh number `attempt` (0 for the first after joining or
 * after the last peer left), given how many peers are up now.
 */
export function refreshDelayMs(attempt: number, peersUp: number, options: RefreshOptions = DEFAULT_REFRESH): number {
  if (peersUp > 0) return Math.min(options.withPeersMs, options.maxMs);
  const doubled = options.aloneMs * 2 ** Math.max(0, Math.min(attempt, 30));
  return Math.min(doubled, options.maxMs);
}
