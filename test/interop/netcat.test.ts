/**
 * p2pchat and netcat (Debian's netcat-openbsd), both ways, and the exact bytes
 * p2pchat puts on the wire: `<ip>:<port> <name> <message>`, UTF-8, no trailing
 * newline, one write, then FIN (PROTOCOL.md).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort } from '../helpers/net.js';

function netcatProblem(): string | false {
  const probe = spawnSync('nc', ['-h'], { encoding: 'utf8', timeout: 5000 });
  if (probe.error) return 'nc is not installed (apt-get install netcat-openbsd): the netcat interop tests are skipped';
  if (!/OpenBSD netcat/.test(`${probe.stdout}${probe.stderr}`)) {
    return 'nc is not OpenBSD netcat (needs -N and `nc -l host port`): the netcat interop tests are skipped';
  }
  return false;
}
const skip = netcatProblem();

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function p2pchat(name: string): Promise<HeadlessPeer> {
  const peer = await startHeadlessPeer({ name });
  cleanups.push(() => peer.stop());
  return peer;
}

interface Received {
  readonly chunks: Buffer[];
  /** Resolves when the sender's FIN arrives. */
  readonly ended: Promise<void>;
}

/** A raw loopback server that records each connection's 'data' chunks and closes after the sender's FIN. */
async function startRecorder(): Promise<{ port: number; connections: Received[]; next: () => Promise<Received> }> {
  const connections: Received[] = [];
  const waiting: Array<(r: Received) => void> = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const received: Received = { chunks, ended: once(socket, 'end').then(() => undefined) };
    connections.push(received);
    waiting.shift()?.(received);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  // Call before triggering the send: resolves with the next connection to arrive.
  const next = (): Promise<Received> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no connection within 10 s')), 10_000);
      waiting.push((r) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  return { port: (server.address() as net.AddressInfo).port, connections, next };
}

/** Wait (at most `timeoutMs`) until something listens on 127.0.0.1:port, without connecting to it. */
async function waitListening(port: number, timeoutMs = 5000): Promise<void> {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let table: string;
    try {
      table = fs.readFileSync('/proc/net/tcp', 'utf8');
    } catch {
      await sleep(500); // not Linux: give nc a moment instead
      return;
    }
    if (table.includes(hex)) return;
    await sleep(20);
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Run nc with `input` (or nothing) on stdin; resolve with its code and stdout bytes. Killed after `timeoutMs`. */
function netcat(args: string[], input?: string, timeoutMs = 10_000): { done: Promise<{ code: number | null; stdout: Buffer; stderr: string }> } {
  const child = spawn('nc', args, { stdio: 'pipe' });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // No input: stdin at EOF at once, like </dev/null (without -N, nc keeps reading the network).
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: Buffer; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(stdout), stderr });
    }),
  );
  return { done };
}

describe('netcat -> p2pchat', { skip }, () => {
  it("printf '<ip>:<port> Bob hi' | nc -N reaches p2pchat as Bob's chat line", async () => {
    // Bob's claimed listening address is a port this test opened, so p2pchat's exit on quit lands here.
    const bob = await startRecorder();
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const B = `127.0.0.1:${bob.port}`;

    const first = await netcat(['-N', '127.0.0.1', String(alice.port)], `${B} Bob hi`).done;
    assert.equal(first.code, 0, first.stderr);
    const got = await alice.waitFor((e) => e.type === 'message');
    assert.deepEqual([got.kind, got.from, got.name, got.text, got.verified, got.change], ['chat', B, 'Bob', 'hi', true, 'added']);

    // echo-style input with a trailing newline: the newline is not part of the message.
    const second = await netcat(['-N', '127.0.0.1', String(alice.port)], `${B} Bob hello   again\n`).done;
    assert.equal(second.code, 0, second.stderr);
    const [, again] = await alice.waitForCount((e) => e.type === 'message', 2);
    assert.equal(again?.text, 'hello   again');
    // p2pchat closed each connection itself and wrote nothing back.
    assert.equal(first.stdout.length + second.stdout.length, 0);

    const exitArrives = bob.next();
    assert.equal(await alice.quit(), 0);
    assert.deepEqual(alice.events.at(-1), { type: 'exit', notified: 1, failed: 0 });
    const exit = await exitArrives;
    await exit.ended;
    assert.deepEqual(exit.chunks.map((c) => c.toString('utf8')), [`${A} Alice exit`]);
  });
});

describe('p2pchat -> netcat', { skip }, () => {
  it('a send reaches `nc -l` as exactly the protocol line, with no newline', async () => {
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const port = await closedPort();
    const listener = netcat(['-l', '127.0.0.1', String(port)]);
    await waitListening(port);

    alice.command(`/send 127.0.0.1:${port} Hello, netcat! ✓`);
    const sent = await alice.waitFor((e) => e.type === 'sent' || e.type === 'send-failed');
    assert.equal(sent.type, 'sent', JSON.stringify(sent));
    const { code, stdout } = await listener.done;
    assert.equal(code, 0);
    assert.deepEqual(stdout, Buffer.from(`${A} Alice Hello, netcat! ✓`, 'utf8'));
    assert.notEqual(stdout.at(-1), 0x0a);
  });
});

describe('the bytes on the wire', () => {
  it('one write per message: a raw server sees one data chunk with the exact bytes, then FIN', async () => {
    const raw = await startRecorder();
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const R = `127.0.0.1:${raw.port}`;
    const cases = ['hi', 'spaces  kept   inside', 'ünïcödé ✓ 日本語 🙂', 'x'.repeat(900)];

    for (const text of cases) {
      const arrival = raw.next();
      alice.command(`/send ${R} ${text}`);
      const connection = await arrival;
      await connection.ended;
      const expected = Buffer.from(`${A} Alice ${text}`, 'utf8');
      assert.equal(connection.chunks.length, 1, `one chunk for ${JSON.stringify(text.slice(0, 20))}`);
      assert.deepEqual(connection.chunks[0], expected);
    }
    await alice.waitForCount((e) => e.type === 'sent', cases.length);
    // Over 1024 bytes: parts, each one write of at most 1024 bytes, whose bodies concatenate to the text.
    const long = '0123456789'.repeat(150);
    const before = raw.connections.length;
    alice.command(`/send ${R} ${long}`);
    const sent = await alice.waitFor((e) => e.type === 'sent' && e.text === long);
    const count = (sent.lines as string[]).length;
    await waitUntil(() => raw.connections.length >= before + count, 5000, () => `${raw.connections.length - before} of ${count} parts arrived`);
    const connections = raw.connections.slice(before);
    await Promise.all(connections.map((connection) => connection.ended));
    const parts: Buffer[] = [];
    for (const connection of connections) {
      assert.equal(connection.chunks.length, 1, 'one write per part');
      assert.ok((connection.chunks[0] as Buffer).length <= 1024);
      parts.push(connection.chunks[0] as Buffer);
    }
    assert.equal(Buffer.concat(parts.map((part) => part.subarray(`${A} Alice `.length))).toString('utf8'), long);
  });
});
