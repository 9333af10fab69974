/**
 * The outbox survives SIGKILL, through the built CLI (issue 13). Alice, a
 * real `p2pchat --json` on a fixed port (so every start finds the same
 * journal), queues 100 messages to 10 loopback peers that are away. She is
 * killed at random moments while they wait and are retried; then the peers
 * listen, tell her they are back (a chat: a sign of life), and she drains,
 * still being killed, 20 kills in all. In the end every message has arrived,
 * in order per peer. Every arrival is tagged with the Alice process (its
 * generation) that was running, or was the last one killed, when it came: a
 * duplicate must follow a kill of the generation that sent the first copy,
 * at most one per peer per kill, and never of a message that generation had
 * reported `sent` (recorded, so it must not go again). Counted and reported.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { listenAgain } from '../helpers/listen-again.js';
import { waitUntil } from '../helpers/wait.js';
import { closedPort, delay, rawSend, report } from './support.js';

const PEERS = 10;
const MESSAGES = 100;
const KILLS = 20;
const WAIT_KILLS = 12;

const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-outbox-crash-cli-'));
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of cleanup.reverse()) await close();
  fs.rmSync(dataHome, { recursive: true, force: true });
});

/** Every Alice started, in order: `generations[g]`; an arrival is tagged with the newest one. */
const generations: HeadlessPeer[] = [];

async function alice(port: number): Promise<HeadlessPeer> {
  const p = await startHeadlessPeer({ name: 'Alice', args: ['--port', String(port), '--timeout', '1000'], env: { XDG_DATA_HOME: dataHome }, startTimeoutMs: 20_000 });
  cleanup.push(() => p.stop());
  generations.push(p);
  return p;
}

async function kill(p: HeadlessPeer): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

/** Called at each arrival at a peer: a kill from here falls right between a send and its record. */
let onArrival: (() => void) | undefined;

interface Arrival {
  readonly text: string;
  /** The Alice running when it arrived, or the last one killed (index into `generations`). */
  readonly generation: number;
}

/** The peers, once they come back: every connection's text, in arrival order, per port. */
async function listen(ports: readonly number[]): Promise<Map<number, Arrival[]>> {
  const received = new Map<number, Arrival[]>(ports.map((p) => [p, []]));
  for (const port of ports) {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('end', () => {
        // Alice's goodbye at the last quit is not one of the messages.
        const text = Buffer.concat(chunks).toString('utf8');
        if (chunks.length > 0 && !text.endsWith(' exit')) received.get(port)?.push({ text, generation: generations.length - 1 });
        onArrival?.();
        socket.destroy();
      });
      socket.on('close', () => sockets.delete(socket));
    });
    await listenAgain(server, port);
    cleanup.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
  }
  return received;
}

const idOf = (text: string): string => /message (m\d{3})$/.exec(text)?.[1] ?? `?${text}`;
const expectedFor = (index: number): string[] => Array.from({ length: MESSAGES / PEERS }, (_, j) => `m${String(j * PEERS + index).padStart(3, '0')}`);

test('outbox through the CLI: 20 SIGKILLs while 100 messages to 10 peers wait and drain lose nothing and reorder nothing', { timeout: 300_000 }, async () => {
  const ports: number[] = [];
  for (let i = 0; i < PEERS; i += 1) ports.push(await closedPort());
  const alicePort = await closedPort();
  let kills = 0;
  let inDoubtWarnings = 0;
  const pause = (): number => Math.floor(Math.random() * 400);

  // Queue all 100 while the peers are away (each one's first attempt fails, or it waits behind).
  {
    const a = await alice(alicePort);
    for (let i = 0; i < MESSAGES; i += 1) a.command(`/send 127.0.0.1:${ports[i % PEERS]} message m${String(i).padStart(3, '0')}`);
    await a.waitForCount((e) => e.type === 'queued', MESSAGES, 60_000);
    await kill(a);
    kills += 1;
  }
  // Kill while they wait and are retried.
  for (let round = 1; round < WAIT_KILLS; round += 1) {
    const a = await alice(alicePort);
    await delay(pause());
    await kill(a);
    kills += 1;
  }

  // The peers are back: each tells Alice so (any message is a sign of life); kill a few sends into each drain.
  const received = await listen(ports);
  const signOfLife = async (only?: number): Promise<void> => {
    for (const port of only === undefined ? ports : [only]) await rawSend(alicePort, `127.0.0.1:${port} P${port} back`);
  };
  const complete = (): boolean => ports.every((port, index) => new Set((received.get(port) ?? []).map((a) => idOf(a.text))).size === expectedFor(index).length);
  const arrivals = (): number => [...received.values()].reduce((n, list) => n + list.length, 0);
  while (kills < KILLS && !complete()) {
    const a = await alice(alicePort);
    const before = arrivals();
    const k = 1 + Math.floor(Math.random() * 3);
    // Killed from the arrival itself, after k more: the moment between the peer reading it and Alice recording it.
    onArrival = () => {
      if (arrivals() >= before + k) {
        onArrival = undefined;
        a.child.kill('SIGKILL');
      }
    };
    // One peer is told it is back each round; the others come back on their own back-off.
    await signOfLife(ports[kills % PEERS]);
    await waitUntil(() => complete() || arrivals() >= before + k, 30_000, () => `arrivals ${arrivals()} (before ${before}, k ${k})`);
    onArrival = undefined;
    if (a.events.some((e) => e.type === 'warning' && /may arrive twice/.test(String(e.message)))) inDoubtWarnings += 1;
    await kill(a);
    kills += 1;
  }
  const last = await alice(alicePort);
  await signOfLife();
  await waitUntil(complete, 60_000, () => `received ${JSON.stringify([...received.entries()].map(([p, l]) => [p, l.length]))}`);
  assert.equal(await last.quit(), 0);
  await delay(200);

  let extraCopies = 0;
  const duplicates: string[] = [];
  const lastGeneration = generations.length - 1;
  for (const [index, port] of ports.entries()) {
    const arrivals = received.get(port) ?? [];
    const got = arrivals.map((a) => idOf(a.text));
    // A duplicate is the same message again right away: the in-doubt head resent first.
    const collapsed = got.filter((id, i) => i === 0 || got[i - 1] !== id);
    assert.deepEqual(collapsed, expectedFor(index), `peer ${port} got ${JSON.stringify(got)}`);
    const perCrash = new Map<number, number>();
    for (let i = 1; i < arrivals.length; i += 1) {
      const first = arrivals[i - 1] as Arrival;
      const again = arrivals[i] as Arrival;
      if (idOf(first.text) !== idOf(again.text)) continue;
      // The first copy's sender was killed (it is not the last, quit Alice), before it could record the send...
      assert.ok(first.generation < lastGeneration, `peer ${port}: ${idOf(first.text)} twice from the Alice that quit cleanly`);
      assert.ok(again.generation > first.generation, `peer ${port}: ${idOf(first.text)} twice from one Alice (generation ${first.generation})`);
      const sender = generations[first.generation] as HeadlessPeer;
      const recorded = sender.events.some((e) => e.type === 'sent' && e.to === `127.0.0.1:${port}` && e.text === first.text.replace(/^\S+ \S+ /, ''));
      assert.ok(!recorded, `peer ${port}: ${idOf(first.text)} was reported sent (recorded) by generation ${first.generation}, and went again`);
      perCrash.set(first.generation, (perCrash.get(first.generation) ?? 0) + 1);
    }
    // ...and each crash leaves at most one message in doubt per peer.
    for (const [generation, n] of perCrash) assert.ok(n <= 1, `peer ${port}: ${n} duplicates from the kill of generation ${generation}`);
    const extra = got.length - collapsed.length;
    extraCopies += extra;
    if (extra > 0) duplicates.push(`${port}:${extra} (after kills ${[...perCrash.keys()].join(', ')})`);
  }
  assert.equal(kills, KILLS, 'every kill landed before the drain finished');
  report(
    `outbox crash (CLI): ${kills} SIGKILLs, ${MESSAGES} messages to ${PEERS} peers all arrived in order; ` +
      `${extraCopies} duplicate arrivals${duplicates.length ? ` (per peer ${duplicates.join(', ')})` : ''}; ${inDoubtWarnings} starts warned of a message in doubt`,
  );
});
