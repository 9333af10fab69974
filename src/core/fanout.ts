/**
 * One message to many peers: who is told, and how. Quit's `exit` uses it
 * today; "send to all" reuses it.
 */
import type { PeerId, SendResult } from '../transport/transport.js';
import type { VerifyMode } from './verify.js';

/** What the recipient rule needs to know of a peer. */
export interface RecipientCandidate {
  readonly id: PeerId;
  readonly verified: boolean;
  readonly reached: boolean;
}

/**
 * Only peers whose address is proven are told: they spoke from it (verified),
 * or one of our sends reached it. A forged `hello` must not choose where we
 * open connections; with `--verify off` every claim is taken at its word.
 */
export function recipients(peers: readonly RecipientCandidate[], verify: VerifyMode): PeerId[] {
  return peers.filter((peer) => peer.verified || peer.reached || verify === 'off').map((peer) => peer.id);
}

export interface FanOutResult {
  readonly to: PeerId;
  readonly result: SendResult;
}

export interface FanOutOptions {
  /** One deadline for the whole fan-out, in ms from now. */
  readonly timeoutMs: number;
  /** Most sends in flight at once (each takes a file descriptor). */
  readonly concurrency: number;
  /** Called as each send settles, for a progress line. */
  readonly onResult?: (done: FanOutResult, finished: number, total: number) => void;
}

/** The failure for a send that the deadline left no time for. */
export function deadlinePassed(to: PeerId, timeoutMs: number): SendResult {
  return { ok: false, failure: 'timeout', error: `timed out after ${timeoutMs} ms: ${to} did not take the message`, ms: 0 };
}

/**
 * Run `send` for every target, at most `concurrency` at once, under one
 * deadline: each send is given what is left of it, and one given 0 or less
 * must fail without being tried. So the whole fan-out never takes longer
 * than `timeoutMs`, however many peers do not answer.
 */
export async function fanOut(
  targets: readonly PeerId[],
  send: (to: PeerId, remainingMs: number) => Promise<SendResult>,
  options: FanOutOptions,
): Promise<FanOutResult[]> {
  const deadline = performance.now() + options.timeoutMs;
  const results = new Array<FanOutResult>(targets.length);
  let next = 0;
  let finished = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const index = next++;
      const to = targets[index] as PeerId;
      // What is left of the deadline, 0 or less once it has passed: `send`
      // then reports the failure without trying (see deadlinePassed).
      const result = await send(to, Math.ceil(deadline - performance.now()));
      const done = { to, result };
      results[index] = done;
      finished += 1;
      options.onResult?.(done, finished, targets.length);
    }
  };
  const workers = Math.min(Math.max(1, options.concurrency), targets.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
