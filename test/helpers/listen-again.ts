/**
 * Listening again on a port the test reserved earlier (closedPort: bind 0,
 * read it, close), for a peer that was away and comes back. Between the two,
 * the kernel may hand that port to any process's outgoing connection as its
 * source port (it is in the ephemeral range), and while that connection
 * lives, listen fails with EADDRINUSE. Such connections are short: try again
 * for a bounded time, and say what happened if it never frees up.
 */
import type net from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** Listen on 127.0.0.1:`port`, retrying EADDRINUSE every 50 ms for up to `timeoutMs` (default 10 s). */
export async function listenAgain(server: net.Server, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let tries = 0;
  for (;;) {
    tries += 1;
    const outcome = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const onListening = (): void => {
        server.off('error', onError);
        resolve(undefined);
      };
      const onError = (error: NodeJS.ErrnoException): void => {
        server.off('listening', onListening);
        resolve(error);
      };
      server.once('listening', onListening);
      server.once('error', onError);
      server.listen(port, '127.0.0.1');
    });
    if (outcome === undefined) return;
    if (outcome.code !== 'EADDRINUSE' || performance.now() > deadline) {
      throw new Error(`cannot listen again on 127.0.0.1:${port} after ${tries} tries: ${outcome.code ?? outcome.message}`);
    }
    await delay(50);
  }
}
