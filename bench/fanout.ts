/**
 * Figure 3, quit fan-out: a headless p2pchat knows `peers` peers (each greeted
 * it with `hello` from its own listening address), `unresponsive` of which
 * accept nothing; time from `/quit` to its `exit` event. The baseline is the
 * original design, serial sends with the same timeout, run in this process
 * over a 1-in-`serialScale` sample of the same targets and scaled up (serial
 * time is a plain sum, so the sample times the scale is its estimate).
 */
import net from 'node:net';
import path from 'node:path';
import { fire } from './load.js';
import { BASELINES, spawnNode, startP2pchat, type LineChild } from './procs.js';
import { median } from './stats.js';
import { sendMessage } from '../src/transport/tcp/sender.js';

export interface FanoutOptions {
  readonly peers: number;
  readonly unresponsive: number;
  /** p2pchat's `--timeout`, and the serial sender's. */
  readonly timeoutMs: number;
  readonly rounds: number;
  /** Serial runs over one target in this many (default 10). */
  readonly serialScale?: number;
}

export interface FanoutRound {
  readonly ms: number;
  readonly notified: number;
  readonly failed: number;
}

export interface FanoutResult {
  readonly p2pchat: FanoutRound[];
  readonly medianMs: number;
  /** Serial estimate for all targets: the sample's sum times the scale. */
  readonly serialMs: number;
  readonly serialSample: { readonly targets: number; readonly unresponsive: number; readonly ms: number; readonly scale: number };
  /** How many unresponsive ports were checked to drop a fresh SYN. */
  readonly unresponsiveChecked: { readonly silent: number; readonly of: number };
}

export interface Targets {
  readonly responsive: number[];
  readonly silent: number[];
  close(): Promise<void>;
}

/** A peer that takes a message and closes, like p2pchat does. */
function listen(): Promise<net.Server> {
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    socket.on('end', () => socket.end());
    socket.resume();
  });
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, () => resolve(server)));
}

/** Connect to `port`; resolves true if the connection opened within `ms`. */
function opens(port: number, ms: number, keep: net.Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    keep.push(socket);
    const timer = setTimeout(() => resolve(false), ms);
    socket.on('error', () => resolve(false));
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

export async function makeTargets(responsiveCount: number, silentCount: number): Promise<Targets & { checked: { silent: number; of: number } }> {
  const servers = await Promise.all(Array.from({ length: responsiveCount }, listen));
  let blackhole: LineChild | undefined;
  const fillers: net.Socket[] = [];
  let silent: number[] = [];
  let checked = { silent: 0, of: 0 };
  if (silentCount > 0) {
    blackhole = spawnNode([path.join(BASELINES, 'blackhole.js'), String(silentCount)]);
    silent = JSON.parse(await blackhole.first) as number[];
    // Backlog 1 holds two finished handshakes; a third keeps the queue full.
    await Promise.all(silent.flatMap((port) => [opens(port, 200, fillers), opens(port, 200, fillers), opens(port, 200, fillers)]));
    const probes: net.Socket[] = [];
    const answered = await Promise.all(silent.map((port) => opens(port, 300, probes)));
    for (const probe of probes) probe.destroy();
    checked = { silent: answered.filter((ok) => !ok).length, of: silent.length };
  }
  return {
    responsive: servers.map((s) => (s.address() as net.AddressInfo).port),
    silent,
    checked,
    close: async () => {
      for (const socket of fillers) socket.destroy();
      await blackhole?.kill();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

async function quitRound(ports: readonly number[], options: FanoutOptions): Promise<FanoutRound> {
  const node = await startP2pchat('Leaver', ['--timeout', String(options.timeoutMs), '--max-peers', String(Math.max(1000, ports.length))]);
  try {
    let hellos = 0;
    let gotAll: () => void = () => undefined;
    const known = new Promise<void>((resolve) => (gotAll = resolve));
    let exitLine: (line: string) => void = () => undefined;
    const exited = new Promise<string>((resolve) => (exitLine = resolve));
    node.onLine = (line) => {
      if (node.isMessage(line) && ++hellos === ports.length) gotAll();
      else if (line.startsWith('{"type":"exit"')) exitLine(line);
    };
    await fire(node.port, ports.length, 50, (i) => `127.0.0.1:${ports[i]} peer${i} hello`);
    await Promise.race([known, node.exited]);
    if (hellos !== ports.length) throw new Error(`only ${hellos}/${ports.length} hellos arrived`);
    const started = performance.now();
    node.write('/quit');
    const line = await Promise.race([exited, node.exited.then(() => '{}')]);
    const ms = performance.now() - started;
    const exit = JSON.parse(line) as { notified?: number; failed?: number };
    await node.exited;
    return { ms, notified: exit.notified ?? -1, failed: exit.failed ?? -1 };
  } finally {
    await node.kill();
  }
}

/** The original design: one peer at a time, each with the same timeout. */
async function serial(ports: readonly number[], timeoutMs: number): Promise<number> {
  const started = performance.now();
  for (const port of ports) await sendMessage({ ip: '127.0.0.1', port }, `127.0.0.1:1 Serial exit`, { timeoutMs });
  return performance.now() - started;
}

export async function measureFanout(options: FanoutOptions): Promise<FanoutResult> {
  const targets = await makeTargets(options.peers - options.unresponsive, options.unresponsive);
  try {
    // Interleave so that the silent peers are spread over the list, as in life.
    const every = options.unresponsive > 0 ? Math.floor(options.peers / options.unresponsive) : Infinity;
    const ports: number[] = [];
    for (let i = 0, r = 0, s = 0; i < options.peers; i += 1) {
      const silentTurn = (i + 1) % every === 0 && s < targets.silent.length;
      ports.push(silentTurn ? (targets.silent[s++] as number) : (targets.responsive[r++] as number));
    }
    const rounds: FanoutRound[] = [];
    for (let round = 0; round < options.rounds; round += 1) rounds.push(await quitRound(ports, options));

    const scale = options.serialScale ?? 10;
    // Stratified: one responsive peer in `scale` and one silent peer in `scale`.
    const silentSet = new Set(targets.silent);
    const pick = (list: readonly number[]): number[] => list.filter((_, i) => i % scale === 0);
    const sample = [...pick(ports.filter((p) => !silentSet.has(p))), ...pick(ports.filter((p) => silentSet.has(p)))];
    const serialSampleMs = await serial(sample, options.timeoutMs);
    return {
      p2pchat: rounds,
      medianMs: median(rounds.map((r) => r.ms)),
      serialMs: serialSampleMs * (ports.length / sample.length),
      serialSample: {
        targets: sample.length,
        unresponsive: sample.filter((p) => silentSet.has(p)).length,
        ms: serialSampleMs,
        scale: ports.length / sample.length,
      },
      unresponsiveChecked: targets.checked,
    };
  } finally {
    await targets.close();
  }
}
