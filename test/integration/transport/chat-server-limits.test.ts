/**
 * The server's idle timeout and message deadline, enforced by one periodic
 * sweep: a limit fires no earlier than its value and at most about one sweep
 * later. Real sockets on loopback, an ephemeral port, small limits.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { ChatServer, sweepInterval, type DroppedEvent, type RejectedEvent } from '../../../src/transport/tcp/chat-server.js';

const IDLE_MS = 300;
const DEADLINE_MS = 800;
// Generous: a loaded 2-core machine may run the sweep late.
const SLACK_MS = 1500;

const opened: Array<{ close(): unknown }> = [];
after(async () => {
  for (const thing of opened) await thing.close();
});

async function startServer(): Promise<{ server: ChatServer; port: number }> {
  const server = new ChatServer({ idleTimeoutMs: IDLE_MS, messageDeadlineMs: DEADLINE_MS });
  opened.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** Connect and resolve with the socket and the ms from connect to its close. */
async function connectTimed(port: number): Promise<{ socket: net.Socket; closed: Promise<number> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  opened.push({ close: () => socket.destroy() });
  socket.on('error', () => undefined);
  socket.resume();
  await once(socket, 'connect');
  const openedAt = performance.now();
  // Not events.once: a reset (the trickler's last write) would reject it.
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now() - openedAt)));
  return { socket, closed };
}

describe('chat server limits', () => {
  it('sweeps a tenth of the shorter limit, within 50 ms..1 s', () => {
    assert.equal(sweepInterval({ idleTimeoutMs: 10_000, messageDeadlineMs: 30_000 }), 1000);
    assert.equal(sweepInterval({ idleTimeoutMs: 2000, messageDeadlineMs: 4000 }), 200);
    assert.equal(sweepInterval({ idleTimeoutMs: 5000, messageDeadlineMs: 1000 }), 100);
    assert.equal(sweepInterval({ idleTimeoutMs: 100, messageDeadlineMs: 100 }), 50);
  });

  it('drops a silent connection after the idle timeout, not before', async () => {
    const { server, port } = await startServer();
    const dropped = once(server, 'dropped').then(([e]) => e as DroppedEvent);
    const { closed } = await connectTimed(port);
    const event = await dropped;
    const age = await closed;
    assert.equal(event.reason, 'idle');
    assert.equal(event.detail, `no data for ${IDLE_MS} ms`);
    assert.ok(age >= IDLE_MS - 50 && age < IDLE_MS + SLACK_MS, `closed after ${Math.round(age)} ms`);
    assert.equal(server.stats.dropped, 1);
  });

  it('rejects a message still trickling at the deadline, not before', async () => {
    const { server, port } = await startServer();
    const rejected = once(server, 'rejected').then(([e]) => e as RejectedEvent);
    const { socket, closed } = await connectTimed(port);
    // A byte every 100 ms keeps it from going idle; only the deadline can end it.
    const trickle = setInterval(() => socket.write('x'), 100);
    opened.push({ close: () => clearInterval(trickle) });
    const event = await rejected;
    const age = await closed;
    clearInterval(trickle);
    assert.equal(event.reason, 'timed-out');
    assert.equal(event.detail, `message incomplete after ${DEADLINE_MS} ms`);
    assert.ok(event.bytes > 0);
    assert.ok(age >= DEADLINE_MS - 50 && age < DEADLINE_MS + SLACK_MS, `closed after ${Math.round(age)} ms`);
  });

  it('a message that ends in time is accepted, and the sweep stops once nothing is open', async () => {
    const { server, port } = await startServer();
    const got = once(server, 'message');
    const { socket, closed } = await connectTimed(port);
    socket.end(`127.0.0.1:${port} Alice hello there`);
    const [event] = (await got) as [{ raw: string }];
    await closed;
    assert.equal(event.raw, `127.0.0.1:${port} Alice hello there`);
    // Nothing open, nothing timed out; the process is not held open by the sweep (unref'd) either way.
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 200));
    assert.deepEqual({ ...server.stats }, { accepted: 1, rejected: 0, dropped: 0, open: 0 });
  });
});
