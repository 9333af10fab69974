/**
 * Messages to one peer leave in the order they were issued (PROTOCOL.md,
 * "Transport"): the next connection to a peer opens only once the previous
 * send to it has finished or failed. The original peers read one connection
 * at a time, and an `exit` must never overtake an earlier chat line. Sends to
 * different peers still run in parallel.
 */
export class PeerQueue {
  // The tail of each peer's chain; removed once the chain drains, so the map
  // holds only peers with a send under way.
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Run `task` after every task queued before it for `peer`; resolves with its result. */
  run<T>(peer: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(peer);
    const result = previous === undefined ? task() : previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(peer, tail);
    void tail.then(() => {
      if (this.#tails.get(peer) === tail) this.#tails.delete(peer);
    });
    return result;
  }

  /** Peers with a send under way or waiting. */
  get busy(): number {
    return this.#tails.size;
  }

  /** Resolves once everything queued so far has settled. */
  async idle(): Promise<void> {
    await Promise.all([...this.#tails.values()]);
  }
}
