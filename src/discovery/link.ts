/**
 * Which sources are on our link. RFC 6762 §11: an mDNS packet from an
 * address outside the local link is ignored. Our socket is bound to
 * 0.0.0.0:5353, so it also takes unicast datagrams from anywhere a firewall
 * lets through, and on Linux it hears the group on every interface some
 * other socket of the machine joined, not just ours. Checking the source
 * against the subnets of our interfaces (only the chosen one, with the
 * `interface` option) keeps both out. Pure: the interface table comes in.
 * IPv4 only, as the socket.
 */
import { isIPv4 } from 'node:net';

/** The part of `os.networkInterfaces()` read here. */
export type InterfaceTable = Readonly<Record<string, readonly { readonly address: string; readonly family: string; readonly cidr?: string | null }[] | undefined>>;

export interface Subnet {
  readonly network: number;
  readonly mask: number;
}

function toNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

/** The IPv4 subnets of the interfaces, or of the one whose address is `only`. */
export function subnetsOf(interfaces: InterfaceTable, only?: string): Subnet[] {
  const subnets: Subnet[] = [];
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.family !== 'IPv4' || !isIPv4(info.address) || (only !== undefined && info.address !== only)) continue;
      const prefix = Number((info.cidr ?? `${info.address}/32`).split('/')[1] ?? 32);
      const mask = prefix <= 0 ? 0 : (0xffffffff << (32 - Math.min(32, prefix))) >>> 0;
      subnets.push({ network: (toNumber(info.address) & mask) >>> 0, mask });
    }
  }
  return subnets;
}

/** Whether `ip` is inside one of `subnets`. */
export function onLink(ip: string, subnets: readonly Subnet[]): boolean {
  if (!isIPv4(ip)) return false;
  const n = toNumber(ip);
  return subnets.some((s) => ((n & s.mask) >>> 0) === s.network);
}
