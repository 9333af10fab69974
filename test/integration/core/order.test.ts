/**
 * Messages to one peer leave in the order they were issued: 50 rounds of 10
 * back-to-back sends (an `exit` last) arrive in order at a raw loopback
 * listener every time; sends to different peers still overlap.
 *
 * Loopback alone is too orderly to show a race, so the real TCP transport is
 * wrapped to wait a random 0-4 ms before each send, as a real network's
 * connect times vary: without the per-peer queue, about every round arrives
 * out of order.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startBlackholes } from '../../helpers/blackhole.js';
import { ChatNode } from '../../../src/core/node.js';
import { TcpTransport } from '../../../src/transport/tcp/tcp-transport.js';
import { createTestNode } from '../../helpers/node.js';
import { startSinks } from '../../helpers/net.js';
import { waitUntil } from '../../helpers/wait.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('per-peer order', () => {
  it('50 rounds of 10 back-to-back sends to one peer arrive in order, exit included', { timeout: 120_000 }, async () => {
    const sinks = await startSinks(1);
    cleanups.push(() => sinks.close());
    const port = sinks.ports[0] as number;
    const tcp = new TcpTransport({ host: '127.0.0.1', port: 0 });
    const send = tcp.send.bind(tcp);
    tcp.send = async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
      return send(...args);
    };
    const node = new ChatNode({ name: 'Orderly', ip: '127.0.0.1', transports: [tcp], timeoutMs: 5000 });
    await node.start();
    cleanups.push(() => node.close());
    const received = sinks.received.get(port) as string[];
    for (let round = 0; round < 50; round += 1) {
      received.length = 0;
      const texts = [...Array.from({ length: 9 }, (_, i) => `r${round} m${i}`), 'exit'];
      // Issued without waiting for one another.
      const outcomes = await Promise.all(texts.map((text) => node.send(`127.0.0.1:${port}`, text)));
      assert.ok(outcomes.every((outcome) => outcome.ok), `round ${round}: every send succeeded`);
      await waitUntil(() => received.length >= texts.length, 5000, () => `round ${round}: ${received.length} of ${texts.length} arrived`);
      assert.deepEqual(received.map((line) => line.split(' ').slice(2).join(' ')), texts, `round ${round} in order`);
    }
  });

  it('sends to different peers run in parallel, not one after another', async () => {
    // Two peers whose accept queue is full: each send waits for its timeout.
    const holes = await startBlackholes(2);
    cleanups.push(() => holes.close());
    const node = createTestNode({ name: 'Parallel', timeoutMs: 600 });
    await node.start();
    cleanups.push(() => node.close());
    const started = performance.now();
    await Promise.all(holes.ports.map((port) => node.send(`127.0.0.1:${port}`, 'anyone?')));
    const took = performance.now() - started;
    assert.ok(took < 1150, `two timed-out sends to two peers took ${Math.round(took)} ms, not 2 × 600`);
  });
});
