/**
 * The honest start-up lines (issue 10, item 8), pure: the address actually
 * bound, where peers reach you when the advertised --ip differs, a warning
 * when --ip is not an address of this machine, and with a wildcard bind the
 * machine's addresses, so the user knows which one to give to others.
 * The machine's addresses come in as a parameter (`localAddresses` reads them).
 */
import os from 'node:os';
import type { ListeningInfo } from '../app/view.js';
import { formatAddress } from '../protocol/address.js';

export interface ListeningLines {
  /** Plain lines, in order. */
  readonly lines: readonly string[];
  /** Warnings (the view words them as warnings). */
  readonly warnings: readonly string[];
}

const WILDCARDS = new Set(['0.0.0.0', '::']);
const strip = (ip: string): string => ip.replace(/^::ffff:/i, '').toLowerCase();

/**
 * `Server listening on <host>:<port>`, then `peers reach you at <ip>:<port>`
 * when the advertised ip is not the bound host, the machine's addresses for
 * a wildcard bind, and a warning when `ip` is not in `local`.
 */
export function listeningLines(info: Pick<ListeningInfo, 'host' | 'ip' | 'port'>, local: readonly string[]): ListeningLines {
  const lines = [`Server listening on ${formatAddress({ ip: info.host, port: info.port })}`];
  const warnings: string[] = [];
  if (strip(info.ip) !== strip(info.host)) lines.push(`peers reach you at ${formatAddress({ ip: info.ip, port: info.port })}`);
  if (WILDCARDS.has(info.host)) {
    const others = local.filter((ip) => !WILDCARDS.has(ip));
    if (others.length > 0) lines.push(`this machine's addresses: ${others.join(', ')}`);
  }
  const known = new Set(local.map(strip));
  // A loopback name of another 127/8 address is still this machine (Linux answers the whole block).
  const ours = known.has(strip(info.ip)) || strip(info.ip).startsWith('127.');
  if (!ours && !WILDCARDS.has(info.ip)) {
    warnings.push(`--ip ${info.ip} is not an address of this machine: peers will try to answer there; check --ip`);
  }
  return { lines, warnings };
}

/** This machine's interface addresses (IPv4 first), from the OS. */
export function localAddresses(): string[] {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  const v4 = all.filter((entry) => entry.family === 'IPv4').map((entry) => entry.address);
  const v6 = all.filter((entry) => entry.family === 'IPv6' && !entry.address.startsWith('fe80')).map((entry) => entry.address);
  return [...new Set([...v4, ...v6])];
}
