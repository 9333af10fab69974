/**
 * The outbox survives SIGKILL. A fixture sender (test/fixtures/outbox-crash-peer.ts)
 * queues 100 messages to 10 loopback peers that are away (ports reserved
 * here, closed); it is killed at random moments, 20 times, and every start
 * resumes from its journal. Then the peers listen and the sender drains,
 * still being killed. In the end every message has arrived, in order per
 * peer; a message arrives twice only when a kill fell between writing it and
 * recording the send (its attempt was "in doubt" at the next start), at most
 * once per peer per kill.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stopChild } from '../helpers/child.js';
import { listenAgain } from '../helpers/listen-again.js';
import { closedPort, delay, report, tempDir } from './support.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/outbox-crash-peer.ts');
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PEERS = 10;
const MESSAGES = 100;
const KILLS = 20;
const FILL_KILLS = 12;

const temp = tempDir('outbox-crash');
const cleanup: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of cleanup.reverse()) await close();
  temp.remove();
});

interface FixtureEvent {
  readonly type: 'replay' | 'sent' | 'filled' | 'drained';
  readonly id?: string;
  readonly size?: number;
  readonly skipped?: number;
  readonly tornBytes?: number;
  readonly inDoubt?: { id: string; to: string }[];
}

interface Run {
  readonly child: ChildProcess;
  readonly events: FixtureEvent[];
  readonly exited: Promise<unknown>;
  /** Resolves with the first event that `match` accepts; rejects if the child exits first or after `ms`. */
  waitFor(match: (e: FixtureEvent) => boolean, ms: number): Promise<FixtureEvent>;
}

function start(file: string, ports: readonly number[], mode: 'fill' | 'drain'): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, file, ports.join(','), mode], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = once(child, 'exit');
  cleanup.push(() => stopChild(child, exited));
  const events: FixtureEvent[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    events.push(JSON.parse(line) as FixtureEvent);
    for (const listener of listeners) listener();
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const listener of listeners) listener();
  });
  const waitFor = (match: (e: FixtureEvent) => boolean, ms: number): Promise<FixtureEvent> =>
    new Promise((resolve, reject) => {
      const look = (): void => {
        const found = events.find(match);
        if (found) finish(() => resolve(found));
        else if (gone) finish(() => reject(new Error(`fixture (${mode}) exited first; events ${JSON.stringify(events.map((e) => e.type))}; stderr: ${stderr}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no such event in ${ms} ms (${mode}); events ${JSON.stringify(events.map((e) => e.type))}; stderr: ${stderr}`))), ms);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        listeners.delete(look);
        settle();
      };
      listeners.add(look);
      look();
    });
  return { child, events, exited, waitFor };
}

async function kill(run: Run): Promise<void> {
  run.child.kill('SIGKILL');
  await run.exited;
}

/** The peers, once they come back: every connection's text, in arrival order, per port. */
async function listen(ports: readonly number[]): Promise<Map<number, string[]>> {
  const received = new Map<number, string[]>(ports.map((p) => [p, []]));
  for (const port of ports) {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('error', () => undefined);
      socket.on('end', () => {
        // An empty connection is a kill between connect and write: nothing arrived.
        if (chunks.length > 0) received.get(port)?.push(Buffer.concat(chunks).toString('utf8'));
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

test('outbox: 20 SIGKILLs while queueing and draining 100 messages to 10 peers lose nothing and reorder nothing', { timeout: 240_000 }, async () => {
  const ports: number[] = [];
  for (let i = 0; i < PEERS; i += 1) ports.push(await closedPort());
  const file = path.join(temp.dir, 'outbox.jsonl');
  const replays: FixtureEvent[] = [];
  let kills = 0;
  const pause = (): number => Math.floor(Math.random() * 300);

  // Phase 1: the peers are away. Kill while queueing, trying, compacting.
  for (let round = 0; round < FILL_KILLS; round += 1) {
    const run = start(file, ports, 'fill');
    replays.push(await run.waitFor((e) => e.type === 'replay', 20_000));
    await delay(pause());
    await kill(run);
    kills += 1;
  }
  // Queue whatever is still missing; a kill after that is one more random moment.
  {
    const run = start(file, ports, 'fill');
    replays.push(await run.waitFor((e) => e.type === 'replay', 20_000));
    const filled = await run.waitFor((e) => e.type === 'filled', 20_000);
    assert.equal(filled.size, MESSAGES);
    await delay(pause());
    await kill(run);
    kills += 1;
  }

  // Phase 2: the peers are back. Kill a few sends into each drain.
  const received = await listen(ports);
  let drained = false;
  while (kills < KILLS && !drained) {
    const run = start(file, ports, 'drain');
    replays.push(await run.waitFor((e) => e.type === 'replay', 20_000));
    const k = 1 + Math.floor(Math.random() * 5);
    const seen = await Promise.race([
      run.waitFor(() => run.events.filter((e) => e.type === 'sent').length >= k, 20_000).then(() => 'sent' as const),
      run.waitFor((e) => e.type === 'drained', 20_000).then(() => 'drained' as const),
    ]);
    if (seen === 'drained') {
      drained = true;
      await run.exited;
      break;
    }
    // A random sliver later, while the other peers' sends are in flight.
    await delay(Math.floor(Math.random() * 3));
    await kill(run);
    kills += 1;
  }
  if (!drained) {
    const run = start(file, ports, 'drain');
    replays.push(await run.waitFor((e) => e.type === 'replay', 20_000));
    await run.waitFor((e) => e.type === 'drained', 30_000);
    await run.exited;
  }
  assert.equal(kills, KILLS, 'every kill landed before the drain finished');
  // Let the last connections end at the peers.
  await delay(200);

  // Nothing torn in the middle, nothing unreadable: a kill only ever cuts the tail.
  for (const replay of replays) assert.equal(replay.skipped, 0, `a replay skipped lines: ${JSON.stringify(replay)}`);
  // One in flight per peer, so at most one in doubt per peer per start.
  const inDoubtTimes = new Map<string, number>();
  for (const replay of replays) {
    const peers = (replay.inDoubt ?? []).map((d) => d.to);
    assert.equal(new Set(peers).size, peers.length, `two in doubt for one peer: ${JSON.stringify(replay.inDoubt)}`);
    for (const d of replay.inDoubt ?? []) inDoubtTimes.set(d.id, (inDoubtTimes.get(d.id) ?? 0) + 1);
  }

  const duplicates: string[] = [];
  let extraCopies = 0;
  for (const [index, port] of ports.entries()) {
    const got = (received.get(port) ?? []).map(idOf);
    const expected = Array.from({ length: MESSAGES / PEERS }, (_, j) => `m${String(j * PEERS + index).padStart(3, '0')}`);
    // A duplicate is the same message again right away: the in-doubt head resent first.
    const collapsed = got.filter((id, i) => i === 0 || got[i - 1] !== id);
    assert.deepEqual(collapsed, expected, `peer ${port} got ${JSON.stringify(got)}`);
    const counts = new Map<string, number>();
    for (const id of got) counts.set(id, (counts.get(id) ?? 0) + 1);
    for (const [id, count] of counts) {
      if (count === 1) continue;
      duplicates.push(`${id}x${count}`);
      extraCopies += count - 1;
      assert.ok(count - 1 <= (inDoubtTimes.get(id) ?? 0), `${id} arrived ${count} times but was in doubt ${inDoubtTimes.get(id) ?? 0} times`);
    }
  }
  const inDoubt = [...inDoubtTimes.values()].reduce((a, b) => a + b, 0);
  report(
    `outbox crash: ${kills} SIGKILLs, ${replays.length} starts, ${MESSAGES} messages to ${PEERS} peers all arrived in order; ` +
      `${inDoubt} attempts in doubt at a restart, ${extraCopies} duplicate arrivals of ${duplicates.length} messages${duplicates.length ? ` (${duplicates.join(', ')})` : ''}; ` +
      `torn tails repaired: ${replays.filter((r) => (r.tornBytes ?? 0) > 0).length}`,
  );
});
