/**
 * What p2pchat announces over mDNS (DNS-SD, RFC 6763) and how a received
 * response is read. Pure: no sockets, no clock. Never throws on what the
 * network sends; every record it cannot use is a rejection with a reason.
 *
 * One peer is one service instance of `_p2pchat._tcp.local`:
 *
 *     _p2pchat._tcp.local          PTR  <instance>._p2pchat._tcp.local
 *     <instance>._p2pchat._tcp.local SRV  0 0 <port> p2pchat-<ip>-<port>.local
 *     <instance>._p2pchat._tcp.local TXT  "v=1" "name=<name>" "ip=<advertised ip>"
 *     p2pchat-<ip>-<port>.local    A    <ip>            (AAAA for IPv6)
 *
 * The peer's id is `ip:port` from the TXT `ip` and the SRV port: the instance
 * label and the host name are only for other mDNS tools to show. `ip` is in
 * the TXT record because resolvers skip loopback and container addresses in
 * A records, and the advertised address is what peers write to.
 */
import type { SrvAnswer, StringAnswer, TxtAnswer } from 'dns-packet';
import { isIPv4, isIPv6 } from 'node:net';
import { nameProblem } from '../protocol/line.js';
import { canonicalIp, formatAddress } from '../protocol/address.js';
import type { DiscoveryRejectReason } from './discovery.js';
import type { PeerId } from '../transport/transport.js';

export const SERVICE_TYPE = '_p2pchat._tcp.local';
/** DNS-SD service type enumeration (RFC 6763 §9). */
export const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';
/** The TXT schema this version writes and reads. */
export const TXT_VERSION = '1';
/** A DNS label's limit, in bytes. */
const MAX_LABEL_BYTES = 63;
/** A TXT string's limit, in bytes (its length is one byte). */
export const MAX_TXT_ENTRY_BYTES = 255;
/** Received TTLs are held within 1 s .. 75 min (RFC 6762 §10's longest recommended TTL). */
export const MIN_TTL_SECONDS = 1;
export const MAX_TTL_SECONDS = 4500;

const SERVICE_SUFFIX = `.${SERVICE_TYPE}`;

/** A DNS record as dns-packet decodes it; anything else is treated as garbage. */
export interface MdnsRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl?: number;
  readonly class?: string;
  readonly flush?: boolean;
  readonly data?: unknown;
}

/** The parts of a response that carry records. */
export interface MdnsResponse {
  readonly answers?: readonly unknown[];
  readonly additionals?: readonly unknown[];
}

/** The record kinds we send. */
export type OurAnswer = StringAnswer | SrvAnswer | TxtAnswer;

export interface OurRecords {
  /** `<instance>._p2pchat._tcp.local`. */
  readonly instance: string;
  /** `p2pchat-<ip>-<port>.local`. */
  readonly host: string;
  readonly answers: OurAnswer[];
  readonly additionals: OurAnswer[];
}

export interface Announced {
  readonly kind: 'announce';
  readonly instance: string;
  readonly id: PeerId;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  readonly verified: boolean;
  /** The least TTL of the instance's PTR, SRV and TXT records, held within 1 s .. 75 min. */
  readonly ttlMs: number;
}

export interface Goodbye {
  readonly kind: 'goodbye';
  readonly instance: string;
  readonly id: PeerId;
  readonly verified: boolean;
}

export interface Unusable {
  readonly kind: 'rejected';
  readonly reason: DiscoveryRejectReason;
  readonly detail: string;
}

export type PacketItem = Announced | Goodbye | Unusable;

export interface ReadContext {
  /** Our own id: an announcement of it from one of `local` is our own echo and is skipped. */
  readonly self?: PeerId;
  /** This machine's addresses (canonical). */
  readonly local?: ReadonlySet<string>;
}

/** Shorten untrusted text for a rejection sentence (the UI escapes it). */
function quote(value: string, max = 40): string {
  const chars = [...value];
  return JSON.stringify(chars.length > max ? `${chars.slice(0, max).join('')}…` : value);
}

/** `value` cut to at most `bytes` UTF-8 bytes, never inside a character. */
function truncateUtf8(value: string, bytes: number): string {
  let out = '';
  let used = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}

/** An address in a DNS label: dots and colons would split it or read oddly. */
function labelSafe(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/**
 * Our records. `ttlSeconds` 0 makes the goodbye (RFC 6762 §10.1), which
 * leaves out the service-type enumeration PTR: other p2pchat peers still
 * offer the type.
 */
export function ourRecords(self: { readonly name: string; readonly ip: string; readonly port: number }, ttlSeconds: number): OurRecords {
  const host = `p2pchat-${labelSafe(self.ip)}-${self.port}.local`;
  const suffix = `@${labelSafe(self.ip)}:${self.port}`;
  // The label is for other tools to show; dots would split it into labels.
  const label = truncateUtf8(self.name.replace(/\./g, '-'), MAX_LABEL_BYTES - Buffer.byteLength(suffix)) + suffix;
  const instance = `${label}${SERVICE_SUFFIX}`;
  const answers: OurAnswer[] = [
    { name: SERVICE_TYPE, type: 'PTR', ttl: ttlSeconds, data: instance },
    { name: instance, type: 'SRV', ttl: ttlSeconds, flush: true, data: { priority: 0, weight: 0, port: self.port, target: host } },
    { name: instance, type: 'TXT', ttl: ttlSeconds, flush: true, data: txtEntries(self) },
  ];
  if (ttlSeconds > 0) answers.push({ name: SERVICE_ENUMERATION, type: 'PTR', ttl: ttlSeconds, data: SERVICE_TYPE });
  const additionals: OurAnswer[] = [{ name: host, type: isIPv4(self.ip) ? 'A' : 'AAAA', ttl: ttlSeconds, flush: true, data: self.ip }];
  return { instance, host, answers, additionals };
}

function txtEntries(self: { readonly name: string; readonly ip: string }): Buffer[] {
  return [`v=${TXT_VERSION}`, `name=${self.name}`, `ip=${self.ip}`].map((entry) => Buffer.from(entry, 'utf8'));
}

/** Why `self` cannot be announced, or undefined. */
export function announcementProblem(self: { readonly name: string; readonly ip: string; readonly port: number }): string | undefined {
  const problem = nameProblem(self.name);
  if (problem) return `the name ${quote(self.name)} cannot be announced: ${problem}`;
  const bytes = Buffer.byteLength(`name=${self.name}`);
  if (bytes > MAX_TXT_ENTRY_BYTES) {
    return `the name ${quote(self.name)} is ${bytes - 5} bytes in UTF-8; a TXT record holds at most ${MAX_TXT_ENTRY_BYTES - 5}`;
  }
  const ipProblem = addressProblem(self.ip);
  if (ipProblem) return `the address ${quote(self.ip)} cannot be announced: ${ipProblem}`;
  if (!Number.isInteger(self.port) || self.port < 1 || self.port > 65535) return `the port ${quote(String(self.port))} is not a number from 1 to 65535`;
  return undefined;
}

/** Why `ip` is not an address a peer can be written to, or undefined. */
export function addressProblem(ip: string): string | undefined {
  if (ip.includes('%')) return 'it has a zone ID (%…), which names an interface of the sender';
  if (isIPv4(ip)) {
    const first = Number(ip.split('.')[0]);
    if (ip === '0.0.0.0') return 'it is the unspecified address';
    if (ip === '255.255.255.255') return 'it is the broadcast address';
    if (first >= 224 && first <= 239) return 'it is a multicast address';
    return undefined;
  }
  if (isIPv6(ip)) {
    const canonical = canonicalIp(ip);
    if (canonical === '::') return 'it is the unspecified address';
    if (canonical.startsWith('ff')) return 'it is a multicast address';
    if (isIPv4(canonical)) return addressProblem(canonical);
    return undefined;
  }
  return 'it is not an IP address';
}

function isRecord(value: unknown): value is MdnsRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { name?: unknown; type?: unknown };
  return typeof r.name === 'string' && typeof r.type === 'string';
}

function ttlOf(record: MdnsRecord): number {
  return typeof record.ttl === 'number' && Number.isFinite(record.ttl) ? record.ttl : 0;
}

/**
 * TXT entries as key -> value bytes (RFC 6763 §6): keys are case-insensitive,
 * the first occurrence of a key wins, an entry without `=` is a boolean
 * attribute (no value), an empty key is skipped.
 */
export function readTxt(data: unknown): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  const entries = Array.isArray(data) ? data : [data];
  for (const entry of entries) {
    const bytes = Buffer.isBuffer(entry) ? entry : typeof entry === 'string' ? Buffer.from(entry, 'utf8') : undefined;
    if (!bytes || bytes.length === 0) continue;
    const equals = bytes.indexOf(0x3d);
    const key = bytes.subarray(0, equals < 0 ? bytes.length : equals).toString('latin1').toLowerCase();
    if (key.length === 0 || out.has(key)) continue;
    out.set(key, equals < 0 ? null : bytes.subarray(equals + 1));
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function rejected(reason: DiscoveryRejectReason, detail: string): Unusable {
  return { kind: 'rejected', reason, detail };
}

/** The instance's records, gathered from one packet. */
interface Instance {
  readonly name: string;
  ptr?: MdnsRecord;
  srv?: MdnsRecord;
  txt?: MdnsRecord;
}

/**
 * Read one mDNS response received from `source` (its IP). Returns one item
 * per `_p2pchat._tcp` instance in it, in packet order; records of other
 * services are not ours to judge and yield nothing. One pass over the
 * records, then one look-up per instance: O(records).
 */
export function readResponse(packet: MdnsResponse, source: string, context: ReadContext = {}): PacketItem[] {
  const records: MdnsRecord[] = [];
  for (const list of [packet.answers, packet.additionals]) {
    if (!Array.isArray(list)) continue;
    for (const record of list) if (isRecord(record)) records.push(record);
  }
  const instances = new Map<string, Instance>();
  const instanceFor = (name: string): Instance => {
    const key = name.toLowerCase();
    let found = instances.get(key);
    if (!found) {
      found = { name };
      instances.set(key, found);
    }
    return found;
  };
  for (const record of records) {
    const lower = record.name.toLowerCase();
    if (record.type === 'PTR' && lower === SERVICE_TYPE) {
      if (typeof record.data !== 'string') continue;
      const instance = instanceFor(record.data);
      instance.ptr ??= record;
    } else if ((record.type === 'SRV' || record.type === 'TXT') && lower.endsWith(SERVICE_SUFFIX) && lower.length > SERVICE_SUFFIX.length) {
      const instance = instanceFor(record.name);
      if (record.type === 'SRV') instance.srv ??= record;
      else instance.txt ??= record;
    }
  }
  const sourceIp = canonicalIp(source);
  const items: PacketItem[] = [];
  for (const instance of instances.values()) {
    const item = readInstance(instance, sourceIp);
    if (item.kind !== 'rejected' && item.id === context.self) {
      // Our own announcement, looped back to us (or sent by another process
      // of this machine under our address): never a peer. From elsewhere it
      // is someone claiming to be us.
      if (context.local?.has(sourceIp)) continue;
      items.push(rejected('own', `${quote(source)} announces our own address ${quote(item.id)}`));
      continue;
    }
    items.push(item);
  }
  return items;
}

function readInstance(instance: Instance, sourceIp: string): PacketItem {
  const what = quote(instance.name);
  const { ptr, srv, txt } = instance;
  if (!srv) return rejected('missing-field', `${what} has no SRV record (the port)`);
  if (!txt) return rejected('missing-field', `${what} has no TXT record (name, ip, v)`);
  const goodbye = (ptr !== undefined && ttlOf(ptr) === 0) || ttlOf(srv) === 0;
  const fields = readTxt(txt.data);

  const version = fields.get('v');
  if (version === undefined || version === null) return rejected('missing-field', `${what} has no v in its TXT record`);
  const versionText = version.toString('latin1');
  if (versionText !== TXT_VERSION) return rejected('malformed', `${what} uses TXT version ${quote(versionText)}; this p2pchat reads v=${TXT_VERSION}`);

  const ipBytes = fields.get('ip');
  if (ipBytes === undefined || ipBytes === null) return rejected('missing-field', `${what} has no ip in its TXT record`);
  const ipText = ipBytes.toString('latin1');
  const ipProblem = addressProblem(ipText);
  if (ipProblem) return rejected('bad-address', `${what} announces ip ${quote(ipText)}: ${ipProblem}`);
  const ip = canonicalIp(ipText);

  const data = srv.data as { port?: unknown } | undefined;
  const port = typeof data === 'object' && data !== null ? data.port : undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return rejected('bad-address', `${what} announces port ${quote(String(port))}, not a number from 1 to 65535`);
  }
  const id = formatAddress({ ip, port });
  const verified = sourceIp === ip;
  if (goodbye) return { kind: 'goodbye', instance: instance.name, id, verified };

  const nameBytes = fields.get('name');
  if (nameBytes === undefined || nameBytes === null) return rejected('missing-field', `${what} has no name in its TXT record`);
  let name: string;
  try {
    name = utf8.decode(nameBytes);
  } catch {
    return rejected('bad-name', `${what} announces a name that is not valid UTF-8`);
  }
  const problem = nameProblem(name);
  if (problem) return rejected('bad-name', `${what} announces the name ${quote(name)}: ${problem}`);

  let ttl = Math.min(ttlOf(srv), ttlOf(txt), ptr ? ttlOf(ptr) : Infinity);
  // A zero TXT TTL alone (SRV and PTR alive) is no goodbye; hold it at the floor.
  ttl = Math.min(MAX_TTL_SECONDS, Math.max(MIN_TTL_SECONDS, ttl));
  return { kind: 'announce', instance: instance.name, id, name, ip, port, verified, ttlMs: ttl * 1000 };
}
