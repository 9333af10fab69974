/**
 * The load generator: `count` messages to 127.0.0.1:`port`, one fresh
 * connection each (one write, then FIN), `concurrency` connections at a time.
 * A connection counts as done when the receiver closes it.
 */
import net from 'node:net';

export interface LoadResult {
  readonly sent: number;
  readonly errors: number;
}

function sendOne(port: number, payload: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs);
    let failed = false;
    socket.once('connect', () => socket.end(payload));
    socket.on('error', () => {
      failed = true;
    });
    socket.resume();
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(!failed);
    });
  });
}

export async function fire(
  port: number,
  count: number,
  concurrency: number,
  payload: (index: number) => string,
  timeoutMs = 10_000,
): Promise<LoadResult> {
  let next = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      if (!(await sendOne(port, payload(index), timeoutMs))) errors += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { sent: count - errors, errors };
}
