/**
 * Message ids already shown, per sender: a sender resends what it has no ack
 * for, so the receiver must recognise a copy. Bounded both ways (ids per
 * sender, senders remembered), oldest forgotten first. Pure.
 */

/** Default ids remembered per sender: far more than can be unacknowledged at once. */
export const DEFAULT_SEEN_PER_PEER = 4096;
/** Default senders remembered. */
export const DEFAULT_SEEN_PEERS = 1024;

export class SeenIds {
  readonly perPeer: number;
  readonly peers: number;
  // Map and Set keep insertion order: the first entry is the oldest.
  readonly #seen = new Map<string, Set<string>>();

  constructor(perPeer = DEFAULT_SEEN_PER_PEER, peers = DEFAULT_SEEN_PEERS) {
    this.perPeer = perPeer;
    this.peers = peers;
  }

  /** Record `id` from `peer`. Returns false if it was already seen (a copy: drop it). */
  add(peer: string, id: string): boolean {
    let ids = this.#seen.get(peer);
    if (ids?.has(id)) return false;
    if (!ids) {
      ids = new Set();
      this.#seen.set(peer, ids);
      if (this.#seen.size > this.peers) this.#seen.delete(this.#seen.keys().next().value as string);
    } else {
      // Most recently heard-from sender last, so the one forgotten is the quietest.
      this.#seen.delete(peer);
      this.#seen.set(peer, ids);
    }
    ids.add(id);
    if (ids.size > this.perPeer) ids.delete(ids.values().next().value as string);
    return true;
  }

  has(peer: string, id: string): boolean {
    return this.#seen.get(peer)?.has(id) === true;
  }
}
