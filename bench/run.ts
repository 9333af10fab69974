/**
 * `npm run bench`: every figure against its baseline in the same run, a
 * table on stdout and the same as JSON in bench/results.json. Loopback only,
 * on ports opened here. It never fails on timing: exit 0 unless it crashes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { discoveryRows, measureDiscovery } from './discovery.js';
import { measureFanout } from './fanout.js';
import { measureLatency } from './latency.js';
import { measureOutbox, outboxRows } from './outbox.js';
import { measureOutboxCli, outboxCliRows } from './outbox-cli.js';
import { measureRegistry } from './memory.js';
import { ROOT } from './procs.js';
import { measureReceive } from './receive.js';
import { measureRooms, roomsRows } from './rooms.js';
import { measureRoomsStartup, roomsStartupRows } from './rooms-startup.js';
import { fanoutRows, latencyRows, memoryRows, receiveRows, startupRows } from './rows.js';
import { measureStartup } from './startup.js';
import { measureStore, storeRows } from './store.js';
import { machine, renderTable, type Row } from './table.js';

export const FULL = {
  receive: { messages: 10_000, senders: 50, rounds: 7 },
  latency: { messages: 1000, rounds: 5 },
  // A short send timeout keeps the run short; the shape is the same at 5 s.
  fanout: { peers: 500, unresponsive: 50, timeoutMs: 1000, rounds: 3, serialScale: 10 },
  startup: { rounds: 15 },
  registry: { small: 1000, large: 100_000, ops: 100_000, rounds: 3 },
  roomsStartup: { rounds: 21 },
  rooms: { joins: 15, messages: 1000, warmup: 50, throughput: 10_000, tcpConcurrency: 50 },
  store: { messages: 1_000_000, queries: 50, baselineQueries: 5, openRounds: 41, appends: 10_000, senders: 50 },
  outboxCli: { peers: 500, unresponsive: 50, timeoutMs: 2000, drain: 1000, wakes: 3, startupMessages: 100_000, startupRounds: 5 },
  outbox: { messages: 100_000, peers: 100, wakes: 5, startupRounds: 7, drain: 1000, drainRounds: 3, settleMs: 40_000 },
  // Inside network namespaces (needs root, as the tests): about 25 s.
  discovery: { rounds: 10, peers: 200, announceRounds: 10 },
};

function step(what: string): () => void {
  const started = performance.now();
  process.stderr.write(`bench: ${what}…`);
  return () => process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const p = FULL;
  let done = step('start-up');
  const startup = await measureStartup(p.startup);
  done();
  done = step(`receive throughput (${p.receive.rounds} rounds of ${p.receive.messages} messages each side)`);
  const receive = await measureReceive(p.receive);
  done();
  done = step(`latency (${p.latency.rounds} rounds of ${p.latency.messages} messages each side)`);
  const latency = await measureLatency(p.latency);
  done();
  done = step(`quit fan-out (${p.fanout.rounds} rounds, then the serial sample)`);
  const fanout = await measureFanout(p.fanout);
  done();
  done = step('registry scaling');
  const registry = measureRegistry(p.registry);
  done();
  done = step(`rooms (${p.rooms.joins} joins, ${p.rooms.messages} messages, ${p.rooms.throughput} at once; in a namespace with a testnet)`);
  const rooms = await measureRooms(p.rooms);
  done();
  done = step(`start-up without a room (${p.roomsStartup.rounds} starts each, against a TCP-only build)`);
  const roomsStartup = await measureRoomsStartup(p.roomsStartup);
  done();
  done = step(`history store (${p.store.messages} messages)`);
  const store = await measureStore(p.store);
  done();
  done = step(`outbox (${p.outbox.messages} queued; resident set after ${p.outbox.settleMs / 1000} s, start-ups, returning peers, drain)`);
  const outbox = await measureOutbox(p.outbox);
  done();
  done = step(`outbox through the CLI (/all to ${p.outboxCli.peers} peers, ${p.outboxCli.unresponsive} silent; returning peers; drain of ${p.outboxCli.drain})`);
  const outboxCli = await measureOutboxCli(p.outboxCli);
  done();
  done = step(`LAN discovery (${p.discovery.rounds} start/stop rounds, then ${p.discovery.peers} announced peers, in network namespaces)`);
  // A machine where namespaces cannot be made gets a row saying so, not a crash.
  const discovery = await measureDiscovery(p.discovery).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  done();

  const rows: Row[] = [
    ...receiveRows(receive, p.receive.messages, p.receive.senders),
    ...latencyRows(latency, p.latency.messages),
    ...fanoutRows(fanout, p.fanout.peers, p.fanout.unresponsive, p.fanout.timeoutMs),
    ...startupRows(startup),
    ...memoryRows(receive, registry, p.receive.messages, p.registry.small, p.registry.large),
    ...roomsRows(rooms, p.rooms),
    ...roomsStartupRows(roomsStartup),
    ...storeRows(store, p.store),
    ...outboxRows(outbox, p.outbox),
    ...outboxCliRows(outboxCli, p.outboxCli),
    ...discoveryRows(discovery),
  ];
  const host = machine();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${renderTable(rows)}\n\n`);
  process.stdout.write(`machine: ${host.cpus} CPUs, ${host.cpu}, Node ${host.node}, ${host.platform}; bench took ${seconds.toFixed(0)} s\n`);
  const missed = rows.filter((r) => !r.pass).map((r) => r.figure);
  process.stdout.write(missed.length ? `missed: ${missed.join(', ')}\n` : 'every target met\n');

  const file = path.join(ROOT, 'bench', 'results.json');
  const json = { date: new Date().toISOString(), machine: host, seconds, parameters: p, rows, raw: { receive, latency, fanout, startup, registry, rooms, roomsStartup, store, outbox, outboxCli, discovery: discovery instanceof Error ? discovery.message : discovery } };
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  process.stdout.write(`written: ${path.relative(process.cwd(), file)}\n`);
}

await main();
