/**
 * Who is in the room, as the rest of p2pchat should see it: one `up` per
 * peer when its first stream says hello, one `down` only after its last
 * stream has been gone for `graceMs`. Pure state with an injected clock; the
 * transport owns the one timer (`nextDeadline`).
 *
 * Why the grace: Hyperswarm resolves two simultaneous connections between the
 * same pair by closing one, and replaces a stream the other side has lost by
 * a new one. Both look like close-then-open for a moment; reported as such, a
 * chat would print "left" and "joined" for a peer that never went away.
 * An `exit` from the peer ends the grace: it said it is leaving.
 */

/** Default wait after the last stream closed before a peer counts as gone. */
export const DEFAULT_DOWN_GRACE_MS = 2000;

interface PeerPresence {
  streams: number;
  up: boolean;
  name: string | null;
  exited: boolean;
  /** When the peer goes down unless a stream comes back. */
  downAt: number | null;
}

export class Presence {
  readonly graceMs: number;
  readonly #peers = new Map<string, PeerPresence>();

  constructor(graceMs = DEFAULT_DOWN_GRACE_MS) {
    this.graceMs = graceMs;
  }

  /** A stream to `id` opened (authenticated, hello not yet seen). */
  opened(id: string): void {
    const peer = this.#get(id);
    peer.streams += 1;
    peer.downAt = null;
    peer.exited = false;
  }

  /** The peer said hello on a stream. Returns true when this makes it `up` (report it). */
  hello(id: string, name: string): boolean {
    const peer = this.#get(id);
    peer.name = name;
    peer.downAt = null;
    if (peer.up) return false;
    peer.up = true;
    return true;
  }

  /** The peer sent `exit`: when its last stream closes, it is down at once. */
  exited(id: string): void {
    this.#get(id).exited = true;
  }

  /**
   * A stream to `id` closed. Returns `'down'` when the peer is down now (it
   * had said exit), or null; otherwise a deadline was set (see `due`).
   */
  closed(id: string, now: number): 'down' | null {
    const peer = this.#peers.get(id);
    if (!peer) return null;
    peer.streams = Math.max(0, peer.streams - 1);
    if (peer.streams > 0) return null;
    if (!peer.up) {
      this.#peers.delete(id);
      return null;
    }
    if (peer.exited) {
      this.#peers.delete(id);
      return 'down';
    }
    peer.downAt = now + this.graceMs;
    return null;
  }

  /** Peers whose grace ran out by `now`: they are down (and forgotten here). */
  due(now: number): string[] {
    const down: string[] = [];
    for (const [id, peer] of this.#peers) {
      if (peer.downAt !== null && peer.downAt <= now) {
        down.push(id);
        this.#peers.delete(id);
      }
    }
    return down;
  }

  /** The earliest pending deadline, or null. */
  nextDeadline(): number | null {
    let next: number | null = null;
    for (const peer of this.#peers.values()) {
      if (peer.downAt !== null && (next === null || peer.downAt < next)) next = peer.downAt;
    }
    return next;
  }

  isUp(id: string): boolean {
    return this.#peers.get(id)?.up === true;
  }

  name(id: string): string | null {
    return this.#peers.get(id)?.name ?? null;
  }

  /** Peers that are up (including those in their grace period). */
  upIds(): string[] {
    return [...this.#peers].filter(([, p]) => p.up).map(([id]) => id);
  }

  #get(id: string): PeerPresence {
    let peer = this.#peers.get(id);
    if (!peer) {
      peer = { streams: 0, up: false, name: null, exited: false, downAt: null };
      this.#peers.set(id, peer);
    }
    return peer;
  }
}
