/**
 * xorshift32: a small seeded generator of numbers in [0, 1), so that a run
 * (a bench's synthetic history, a reliability round) can be replayed from
 * its seed.
 */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
