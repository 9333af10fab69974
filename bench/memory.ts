/**
 * Figure 5b, registry scaling: time per peer-list operation with 1,000 and
 * with 100,000 peers, for p2pchat's PeerRegistry and for a list searched from
 * the front (the original design: `if peer not in peers`). O(1) means the
 * ratio of the two per-operation times stays near 1. (The resident set of
 * figure 5a is measured in receive.ts, after 10,000 real messages.)
 */
import { PeerRegistry } from '../src/core/peer-registry.js';
import { type ChatMessage, type MessageKind } from '../src/protocol/line.js';
import { formatAddress } from '../src/protocol/address.js';
import { median } from './stats.js';

export interface RegistryOptions {
  readonly small: number;
  readonly large: number;
  /** Operations timed per size and round. */
  readonly ops: number;
  readonly rounds: number;
  /** Operations for the list baseline at the large size (it is O(n) each). */
  readonly baselineOps?: number;
}

export interface RegistryResult {
  /** Median nanoseconds per operation. */
  readonly p2pchat: { readonly small: number; readonly large: number; readonly growth: number };
  readonly list: { readonly small: number; readonly large: number; readonly growth: number };
  /** A bare Map doing the same look-ups and re-inserts: the floor set by cache misses alone. */
  readonly map: { readonly small: number; readonly large: number; readonly growth: number };
}

function message(index: number, kind: MessageKind = 'hello'): ChatMessage {
  // Distinct loopback addresses; nothing is ever sent to them.
  return { ip: `127.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`, port: 5000, name: `p${index}`, text: kind, kind };
}

/** A deterministic pseudo-random sequence, so both sizes do the same work. */
function indices(count: number, range: number): number[] {
  let x = 2463534242;
  return Array.from({ length: count }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % range;
  });
}

/** The mix a busy peer sees: refresh, look-up, exit and re-join, and a newcomer evicting the oldest. */
function registryNsPerOp(size: number, ops: number): number {
  const registry = new PeerRegistry({ maxPeers: size });
  for (let i = 0; i < size; i += 1) registry.apply(message(i), i, false);
  const picks = indices(ops, size).map((i) => message(i));
  const exits = picks.map((m) => ({ ...m, text: 'exit', kind: 'exit' as const }));
  const newcomers = Array.from({ length: ops }, (_, i) => message(size + i));
  const keys = picks.map((m) => formatAddress(m));
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops; i += 1) {
    const pick = picks[i] as ChatMessage;
    registry.apply(pick, size + i, false);
    registry.get(keys[i] as string);
    if (registry.apply(exits[i] as ChatMessage, size + i, false).change === 'removed') registry.apply(pick, size + i, false);
    registry.apply(newcomers[i] as ChatMessage, size + i, false);
  }
  const ns = Number(process.hrtime.bigint() - started);
  if (registry.size !== size) throw new Error(`registry drifted to ${registry.size} entries`);
  return ns / (ops * 4);
}

/** The same key traffic on a bare Map: what memory alone costs at each size. */
function mapNsPerOp(size: number, ops: number): number {
  const map = new Map<string, { key: string }>();
  for (let i = 0; i < size; i += 1) {
    const key = formatAddress(message(i));
    map.set(key, { key });
  }
  const picks = indices(ops, size).map((i) => message(i));
  const newcomers = Array.from({ length: ops }, (_, i) => message(size + i));
  const started = process.hrtime.bigint();
  for (let i = 0; i < ops; i += 1) {
    const key = formatAddress(picks[i] as ChatMessage);
    const value = map.get(key) ?? { key };
    map.delete(key);
    map.set(key, value);
    map.get(key);
    map.delete(key);
    map.set(key, value);
    const fresh = formatAddress(newcomers[i] as ChatMessage);
    map.set(fresh, { key: fresh });
    map.delete(fresh);
  }
  return Number(process.hrtime.bigint() - started) / (ops * 4);
}

/** The original design's list: every operation scans from the front. */
function listNsPerOp(size: number, ops: number): number {
  const peers: { address: string; name: string }[] = [];
  for (let i = 0; i < size; i += 1) peers.push({ address: formatAddress(message(i)), name: `p${i}` });
  const keys = indices(ops, size).map((i) => formatAddress(message(i)));
  const started = process.hrtime.bigint();
  for (const key of keys) {
    const at = peers.findIndex((p) => p.address === key);
    const entry = peers[at];
    if (entry) {
      peers.splice(at, 1);
      peers.push(entry);
    }
  }
  return Number(process.hrtime.bigint() - started) / ops;
}

export function measureRegistry(options: RegistryOptions): RegistryResult {
  const baselineOps = options.baselineOps ?? Math.max(50, Math.floor(options.ops / 100));
  // Warm the JIT on the small size first.
  registryNsPerOp(options.small, options.ops);
  listNsPerOp(options.small, baselineOps);
  mapNsPerOp(options.small, options.ops);
  const r = {
    small: [] as number[],
    large: [] as number[],
    listSmall: [] as number[],
    listLarge: [] as number[],
    mapSmall: [] as number[],
    mapLarge: [] as number[],
  };
  for (let round = 0; round < options.rounds; round += 1) {
    r.small.push(registryNsPerOp(options.small, options.ops));
    r.large.push(registryNsPerOp(options.large, options.ops));
    r.listSmall.push(listNsPerOp(options.small, baselineOps));
    r.listLarge.push(listNsPerOp(options.large, baselineOps));
    r.mapSmall.push(mapNsPerOp(options.small, options.ops));
    r.mapLarge.push(mapNsPerOp(options.large, options.ops));
  }
  const small = median(r.small);
  const large = median(r.large);
  const listSmall = median(r.listSmall);
  const listLarge = median(r.listLarge);
  const mapSmall = median(r.mapSmall);
  const mapLarge = median(r.mapLarge);
  return {
    map: { small: mapSmall, large: mapLarge, growth: mapLarge / mapSmall },
    p2pchat: { small, large, growth: large / small },
    list: { small: listSmall, large: listLarge, growth: listLarge / listSmall },
  };
}
