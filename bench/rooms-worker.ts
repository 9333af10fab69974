/**
 * The rooms figures, measured inside a loopback-only namespace (bench/rooms.ts
 * makes it): a local hyperdht testnet, RoomTransports in this process, and
 * the plain-TCP baseline (src/transport/tcp/sender.ts sendMessage to a bare
 * net server) in the same process on the namespace's loopback. Prints one
 * JSON line with the raw numbers. argv[2]: JSON RoomsOptions.
 */
import net from 'node:net';
import { assertIsolatedNamespace } from '../test/helpers/netns.js';

assertIsolatedNamespace('Hyperswarm');

const { default: createTestnet } = await import('hyperdht/testnet');
const { RoomTransport } = await import('../src/transport/room/room-transport.js');
const { UNLIMITED } = await import('../src/transport/room/rate-limit.js');
const { randomSeed } = await import('../src/transport/room/keys.js');
const { sendMessage } = await import('../src/transport/tcp/sender.js');

type Room = InstanceType<typeof RoomTransport>;

interface Options {
  readonly joins: number;
  readonly messages: number;
  readonly warmup: number;
  readonly throughput: number;
  readonly tcpConcurrency: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const testnet = await createTestnet(3, { host: '127.0.0.1' });
const bootstrap = testnet.bootstrap.map((b) => ({ host: b.host, port: b.port }));
let rooms = 0;

function transport(room: string, name: string): Room {
  // The bench measures the transport, not the limits that keep a hostile peer out.
  return new RoomTransport({ room, name, identity: { seed: randomSeed() }, bootstrap, rateLimit: UNLIMITED, pace: null, refresh: { aloneMs: 250, maxMs: 1000, withPeersMs: 30_000 } });
}

function upOnce(t: Room, id: string, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no peer-up for ${id} within ${timeoutMs} ms`)), timeoutMs);
    const on = (e: { id: string }): void => {
      if (e.id !== id) return;
      clearTimeout(timer);
      t.off('peer-up', on);
      resolve();
    };
    t.on('peer-up', on);
  });
}

async function pair(): Promise<[Room, Room]> {
  rooms += 1;
  const room = `bench-${process.pid}-${rooms}`;
  const a = transport(room, 'A');
  const b = transport(room, 'B');
  const up = Promise.all([upOnce(a, b.id), upOnce(b, a.id)]);
  await a.listen();
  await b.listen();
  await up;
  return [a, b];
}

/** From B's listen() to B's first peer-up, A already in the room. Fresh room and keys each round. */
async function joins(count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i += 1) {
    rooms += 1;
    const room = `join-${process.pid}-${rooms}`;
    const a = transport(room, 'A');
    await a.listen();
    const b = transport(room, 'B');
    const started = performance.now();
    const up = upOnce(b, a.id);
    await b.listen();
    await up;
    times.push(performance.now() - started);
    await Promise.all([a.close(), b.close()]);
  }
  return times;
}

const message = (i: number, text: string) => ({ id: `m-${i}`, kind: 'chat' as const, name: 'A', text, line: text });

/** One message at a time: send() to the receiver's inbound event, and to the ack. */
async function roomLatency(a: Room, b: Room, count: number, offset: number): Promise<{ oneWay: number[]; acked: number[]; lost: number }> {
  const oneWay: number[] = [];
  const acked: number[] = [];
  let lost = 0;
  let arrived: () => void = () => undefined;
  b.on('inbound', () => arrived());
  for (let i = 0; i < count; i += 1) {
    const got = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const started = performance.now();
    const result = a.send(b.id, message(offset + i, `latency message ${i}`), { timeoutMs: 5000 });
    await got;
    oneWay.push(performance.now() - started);
    const r = await result;
    if (r.ok && r.delivered) acked.push(performance.now() - started);
    else lost += 1;
  }
  b.removeAllListeners('inbound');
  return { oneWay, acked, lost };
}

interface Sink {
  readonly port: number;
  received: number;
  onMessage: () => void;
  close(): Promise<void>;
}

/** A bare net server: one message per connection, counted when the sender ends. */
async function sink(): Promise<Sink> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('end', () => {
      state.received += 1;
      state.onMessage();
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const state: Sink = {
    port,
    received: 0,
    onMessage: () => undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return state;
}

async function tcpLatency(s: Sink, count: number): Promise<{ oneWay: number[]; lost: number }> {
  const times: number[] = [];
  let lost = 0;
  for (let i = 0; i < count; i += 1) {
    const got = new Promise<void>((resolve) => {
      s.onMessage = resolve;
    });
    const started = performance.now();
    const result = await sendMessage({ ip: '127.0.0.1', port: s.port }, `127.0.0.1:1 A latency message ${i}`, { timeoutMs: 5000, graceMs: 0 });
    if (!result.ok) {
      lost += 1;
      continue;
    }
    await got;
    times.push(performance.now() - started);
  }
  return { oneWay: times, lost };
}

async function roomThroughput(a: Room, b: Room, count: number): Promise<{ ms: number; received: number; delivered: number }> {
  let received = 0;
  const ids = new Set<string>();
  b.on('inbound', (e) => {
    received += 1;
    ids.add(e.peer?.messageId ?? '');
  });
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => a.send(b.id, message(1_000_000 + i, `throughput message ${i}`), { timeoutMs: 60_000 })));
  const ms = performance.now() - started;
  b.removeAllListeners('inbound');
  return { ms, received: ids.size === received ? received : -1, delivered: results.filter((r) => r.ok && r.delivered).length };
}

async function tcpThroughput(s: Sink, count: number, concurrency: number): Promise<{ ms: number; received: number; failed: number }> {
  s.received = 0;
  s.onMessage = () => undefined;
  let next = 0;
  let failed = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const r = await sendMessage({ ip: '127.0.0.1', port: s.port }, `127.0.0.1:1 A throughput message ${i}`, { timeoutMs: 10_000, graceMs: 0 });
      if (!r.ok) failed += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // The last few ends may still be on their way to the server.
  const deadline = performance.now() + 5000;
  while (s.received + failed < count && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  return { ms: performance.now() - started, received: s.received, failed };
}

try {
  const join = await joins(options.joins);
  const [a, b] = await pair();
  const s = await sink();
  await roomLatency(a, b, options.warmup, 0);
  await tcpLatency(s, options.warmup);
  const room = await roomLatency(a, b, options.messages, options.warmup);
  const tcp = await tcpLatency(s, options.messages);
  const roomRate = await roomThroughput(a, b, options.throughput);
  const tcpRate = await tcpThroughput(s, options.throughput, options.tcpConcurrency);
  await Promise.all([a.close(), b.close(), s.close()]);
  process.stdout.write(`${JSON.stringify({ join, room, tcp, roomRate, tcpRate })}\n`);
} finally {
  await testnet.destroy();
}
