/**
 * LAN discovery over multicast DNS (issue 11): announce ourselves as a
 * `_p2pchat._tcp` service and browse for the others. The edge around the
 * pure parts: packet.ts reads and writes the records, records.ts keeps the
 * peers and their trust rules, schedule.ts says when to send. This file owns
 * the UDP socket, four timers (announce, query, answer, sweep: never one per
 * peer) and the events. It never prints and never touches the peer list.
 *
 * The socket: UDP 5353 bound to 0.0.0.0 and joined to 224.0.0.251. Bound to
 * 0.0.0.0 even with an `interface`: on Linux a socket bound to the
 * interface's unicast address hears no multicast at all. The interface
 * option picks where the group is joined and where our packets go out.
 * IPv4 only.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIPv4 } from 'node:net';
import os from 'node:os';
import makeMdns from 'multicast-dns';
import { canonicalIp, formatAddress } from '../protocol/address.js';
import {
  DiscoveryError,
  type DiscoveredPeer,
  type Discovery,
  type DiscoveryEvents,
  type DiscoveryRejectReason,
  type LostReason,
  type SelfAnnouncement,
} from './discovery.js';
import { onLink, subnetsOf, type InterfaceTable, type Subnet } from './link.js';
import { announcementProblem, ourRecords, readResponse, SERVICE_ENUMERATION, SERVICE_TYPE, type OurRecords } from './packet.js';
import { DiscoveryRecords, DEFAULT_MAX_DISCOVERED, DEFAULT_MAX_VERIFIED_PER_ADDRESS, type DiscoveryRecord } from './records.js';
import { answerAt, DEFAULT_ANSWER_INTERVAL_MS, DEFAULT_REQUERY_MS, DEFAULT_TTL_SECONDS, queryDelayMs, timing, TTL_RANGE, type Timing } from './schedule.js';

export const MDNS_PORT = 5353;
export const MDNS_GROUP = '224.0.0.251';

export interface MdnsDiscoveryOptions {
  /**
   * The IPv4 address of the network interface to use (`--discover-interface`).
   * Default: every interface joins the group, and packets go out where the
   * routing table sends 224.0.0.251.
   */
  readonly interface?: string;
  /**
   * TTL of our records, in seconds, 1..4500 (default 60). Peers drop us this
   * long after our last announcement if no goodbye came; we re-announce every
   * third of it.
   */
  readonly ttlSeconds?: number;
  /** Most peers tracked (default 1000). At the cap the least recently heard unverified one makes room. */
  readonly maxPeers?: number;
  /** Most verified peers at one IP address (default 16); more from it are kept as unverified. */
  readonly maxVerifiedPerAddress?: number;
  /** Least time between two multicasts of our records, answers to queries included (default 1000 ms). */
  readonly answerIntervalMs?: number;
  /** How often to query again after the start-up burst at 0, 1 and 3 s (default 5 min). */
  readonly requeryMs?: number;
}

/** What the discovery saw and did, for benchmarks and debugging. */
export interface MdnsStats {
  /** mDNS packets received (ours looped back included). */
  packets: number;
  /** Packets ignored as RFC 6762 §11 says: responses not from port 5353, anything from off our link. */
  ignored: number;
  /** p2pchat announcements read (refreshes included). */
  announcements: number;
  goodbyes: number;
  rejected: number;
  evicted: number;
  expired: number;
  /** Packets we sent: announcements, answers, queries, goodbyes. */
  sent: number;
}

type State = 'idle' | 'starting' | 'running' | 'stopped';

/** Why `address` cannot be the discovery interface, or undefined (for a CLI option's validator too). */
export function interfaceProblem(address: string, interfaces: InterfaceTable = os.networkInterfaces()): string | undefined {
  if (!isIPv4(address)) return `${JSON.stringify(address)} is not an IPv4 address (LAN discovery uses IPv4 multicast)`;
  for (const list of Object.values(interfaces)) {
    if (list?.some((info) => info.family === 'IPv4' && info.address === address)) return undefined;
  }
  return `no network interface of this machine has the address ${address}`;
}

/** Every address of this machine, canonical: our own announcements loop back from one of them. */
function localAddresses(self: string, interfaces: InterfaceTable): Set<string> {
  const result = new Set<string>([canonicalIp(self)]);
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) result.add(canonicalIp(info.address));
  }
  return result;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

export class MdnsDiscovery extends EventEmitter<DiscoveryEvents> implements Discovery {
  readonly options: Required<Omit<MdnsDiscoveryOptions, 'interface'>> & { readonly interface: string | undefined };
  readonly stats: MdnsStats = { packets: 0, ignored: 0, announcements: 0, goodbyes: 0, rejected: 0, evicted: 0, expired: 0, sent: 0 };
  readonly #records: DiscoveryRecords;
  readonly #timing: Timing;
  #state: State = 'idle';
  #mdns: makeMdns.MulticastDNS | undefined;
  #self: { id: string; ip: string; ours: OurRecords; goodbye: OurRecords; names: Set<string> } | undefined;
  #local = new Set<string>();
  #subnets: Subnet[] = [];
  #linkReadAt = 0;
  #announceTimer: NodeJS.Timeout | undefined;
  #nextAnnounceAt = 0;
  #announced = 0;
  #queryTimer: NodeJS.Timeout | undefined;
  #queried = 0;
  #answerTimer: NodeJS.Timeout | undefined;
  #lastMulticastAt: number | undefined;
  #sweep: NodeJS.Timeout | undefined;
  // The source of the datagram multicast-dns is decoding right now: it
  // reports a packet that does not decode as a 'warning' without the source.
  #receiving: dgram.RemoteInfo | undefined;
  readonly #warned = new Set<string>();
  #stopping: Promise<void> | undefined;
  /** Resolves a pending start(): on ready, on a socket fault, or on stop() before either. */
  #settleStart: (() => void) | undefined;

  constructor(options: MdnsDiscoveryOptions = {}) {
    super();
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < TTL_RANGE.min || ttlSeconds > TTL_RANGE.max) {
      throw new DiscoveryError('P2P_DISCOVERY_BAD_OPTION', `the TTL ${String(ttlSeconds)} is not a whole number of seconds from ${TTL_RANGE.min} to ${TTL_RANGE.max}`);
    }
    const maxPeers = options.maxPeers ?? DEFAULT_MAX_DISCOVERED;
    if (!Number.isInteger(maxPeers) || maxPeers < 1) {
      throw new DiscoveryError('P2P_DISCOVERY_BAD_OPTION', `the most discovered peers ${String(maxPeers)} is not a whole number of at least 1`);
    }
    const maxVerifiedPerAddress = options.maxVerifiedPerAddress ?? DEFAULT_MAX_VERIFIED_PER_ADDRESS;
    if (!Number.isInteger(maxVerifiedPerAddress) || maxVerifiedPerAddress < 1) {
      throw new DiscoveryError('P2P_DISCOVERY_BAD_OPTION', `the most verified peers per address ${String(maxVerifiedPerAddress)} is not a whole number of at least 1`);
    }
    const answerIntervalMs = options.answerIntervalMs ?? DEFAULT_ANSWER_INTERVAL_MS;
    const requeryMs = options.requeryMs ?? DEFAULT_REQUERY_MS;
    for (const [what, value] of [['answer interval', answerIntervalMs], ['re-query interval', requeryMs]] as const) {
      if (!Number.isFinite(value) || value < 0) throw new DiscoveryError('P2P_DISCOVERY_BAD_OPTION', `the ${what} ${String(value)} ms is not a number of milliseconds`);
    }
    if (options.interface !== undefined) {
      const problem = interfaceProblem(options.interface);
      if (problem) throw new DiscoveryError('P2P_DISCOVERY_BAD_OPTION', `cannot discover on ${JSON.stringify(options.interface)}: ${problem}`);
    }
    this.options = { interface: options.interface, ttlSeconds, maxPeers, maxVerifiedPerAddress, answerIntervalMs, requeryMs };
    this.#records = new DiscoveryRecords({ maxPeers, maxVerifiedPerAddress });
    this.#timing = timing(ttlSeconds);
  }

  /** Whether the socket is up and we are announcing. */
  get active(): boolean {
    return this.#state === 'running';
  }

  /** The peers currently discovered, verified or not. */
  peers(): DiscoveredPeer[] {
    return this.#records.list().map(toDiscovered);
  }

  /**
   * Bind UDP 5353, announce `self` and browse. Resolves once the socket is
   * up, or once it failed: a socket fault is one `warning` and leaves
   * discovery stopped, never a rejection. Rejects with a `DiscoveryError`
   * (nothing sent) when `self` cannot be announced or on a second call.
   */
  start(self: SelfAnnouncement): Promise<void> {
    if (this.#state !== 'idle') {
      return Promise.reject(new DiscoveryError('P2P_DISCOVERY_STATE', `LAN discovery was already ${this.#state === 'stopped' ? 'stopped' : 'started'}; make a new one`));
    }
    const problem = announcementProblem(self);
    if (problem) return Promise.reject(new DiscoveryError('P2P_DISCOVERY_BAD_SELF', problem));
    const ip = canonicalIp(self.ip);
    const announced = { name: self.name, ip, port: self.port };
    const ours = ourRecords(announced, this.options.ttlSeconds);
    this.#self = {
      id: formatAddress(announced),
      ip,
      ours,
      goodbye: ourRecords(announced, 0),
      names: new Set([SERVICE_TYPE, SERVICE_ENUMERATION, ours.instance.toLowerCase(), ours.host.toLowerCase()]),
    };
    this.#readLink();
    this.#state = 'starting';
    if (ip.startsWith('127.') || ip === '::1') {
      this.#warnOnce('loopback', `LAN discovery announces ${ip}, a loopback address: peers on other machines cannot reach it (advertise this machine's LAN address instead)`);
    } else if (!isIPv4(ip)) {
      this.#warnOnce('ipv6', `LAN discovery announces ${ip} over IPv4 multicast: peers list it as unverified, since no packet can come from it`);
    }
    return new Promise((settle) => {
      const resolve = (): void => {
        this.#settleStart = undefined;
        settle();
      };
      this.#settleStart = resolve;
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
      // Before multicast-dns's own listener, which decodes: see #receiving.
      socket.on('message', (_message, rinfo) => {
        this.#receiving = rinfo;
      });
      let mdns: makeMdns.MulticastDNS;
      try {
        mdns = makeMdns({ socket, interface: this.options.interface, bind: '0.0.0.0', port: MDNS_PORT, ip: MDNS_GROUP, ttl: 255, loopback: true });
      } catch (error) {
        socket.close();
        this.#fail(error);
        resolve();
        return;
      }
      socket.on('message', () => {
        this.#receiving = undefined;
      });
      this.#mdns = mdns;
      mdns.on('error', (error: Error) => {
        this.#fail(error);
        resolve();
      });
      mdns.on('warning', (error: Error) => this.#onWarning(error));
      mdns.on('response', (packet, rinfo) => this.#onResponse(packet, rinfo));
      mdns.on('query', (packet, rinfo) => this.#onQuery(packet, rinfo));
      mdns.once('ready', () => {
        if (this.#state !== 'starting') return resolve();
        this.#state = 'running';
        this.#scheduleAnnouncement();
        this.#scheduleQuery();
        this.#sweep = setInterval(() => this.#expire(), this.#timing.sweepMs);
        this.#sweep.unref();
        resolve();
      });
    });
  }

  /**
   * Send goodbyes (our records with TTL 0, twice 100 ms apart in case one is
   * lost) so others drop us at once, then close the socket. Safe to call
   * twice, and before or without start().
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#shutdown(true);
    return this.#stopping;
  }

  async #shutdown(sayGoodbye: boolean): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    this.#settleStart?.();
    clearTimeout(this.#announceTimer);
    clearTimeout(this.#queryTimer);
    clearTimeout(this.#answerTimer);
    clearInterval(this.#sweep);
    const mdns = this.#mdns;
    this.#mdns = undefined;
    if (!mdns) return;
    if (wasRunning && sayGoodbye && this.#self) {
      await this.#send(mdns, this.#self.goodbye);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await this.#send(mdns, this.#self.goodbye);
    }
    await new Promise<void>((resolve) => {
      try {
        mdns.destroy(() => resolve());
      } catch {
        resolve();
      }
    });
    this.#records.clear();
  }

  /** A fault of the socket itself (EADDRINUSE, EACCES): one warning, then stop cleanly. */
  #fail(error: unknown): void {
    if (this.#state === 'stopped') return;
    const running = this.#state === 'running';
    const code = codeOf(error);
    const port = `UDP ${MDNS_PORT}`;
    const hint = code === 'EADDRINUSE' ? ` (another program holds ${port} without sharing it)` : code === 'EACCES' ? ' (not permitted here)' : '';
    this.#warnOnce(`fatal:${code}`, `LAN discovery ${running ? 'stopped' : 'is off'}: ${port}: ${error instanceof Error ? error.message : code}${hint}; chat goes on without it`);
    this.#stopping ??= this.#shutdown(false);
  }

  /** This machine's addresses and subnets, read again at most every 5 s (DHCP, Wi-Fi changes). */
  #readLink(): void {
    const now = Date.now();
    if (now - this.#linkReadAt < 5000 || !this.#self) return;
    this.#linkReadAt = now;
    const interfaces = os.networkInterfaces();
    this.#subnets = subnetsOf(interfaces, this.options.interface);
    this.#local = localAddresses(this.#self.ip, interfaces);
  }

  /** Whether to look at a packet from `rinfo` at all (RFC 6762 §11); counts the rest. */
  #fromOurLink(rinfo: dgram.RemoteInfo): boolean {
    this.#readLink();
    if (onLink(rinfo.address, this.#subnets)) return true;
    this.stats.ignored += 1;
    return false;
  }

  #onWarning(error: Error): void {
    if (this.#receiving) {
      // A datagram that is not a DNS packet.
      const source = this.#receiving;
      this.#receiving = undefined;
      if (this.#state !== 'running' || !this.#fromOurLink(source)) return;
      this.#reject(`${source.address}:${source.port}`, 'malformed', `the packet (${source.size} bytes) is not a DNS message: ${error.message}`);
      return;
    }
    this.#warnOnce(codeOf(error), `LAN discovery: ${error.message}`);
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.emit('warning', message);
  }

  #reject(source: string, reason: DiscoveryRejectReason, detail: string): void {
    this.stats.rejected += 1;
    this.emit('rejected', { via: 'mdns', source, reason, detail });
  }

  #onResponse(packet: makeMdns.ResponsePacket, rinfo: dgram.RemoteInfo): void {
    this.#receiving = undefined;
    this.stats.packets += 1;
    if (this.#state !== 'running' || !this.#self) return;
    if (rinfo.port !== MDNS_PORT) {
      this.stats.ignored += 1;
      return;
    }
    if (!this.#fromOurLink(rinfo)) return;
    const source = `${rinfo.address}:${rinfo.port}`;
    const now = Date.now();
    for (const item of readResponse(packet, rinfo.address, { self: this.#self.id, local: this.#local })) {
      if (this.#state !== 'running') return;
      if (item.kind === 'rejected') {
        this.#reject(source, item.reason, item.detail);
      } else if (item.kind === 'goodbye') {
        this.stats.goodbyes += 1;
        const result = this.#records.goodbye(item.id, item.verified);
        if (result.change === 'removed') this.#lost(result.record, 'goodbye');
        else if (result.change === 'protected') {
          this.#reject(source, 'protected', `an unverified goodbye for ${item.id}, a peer verified at its own address: ignored`);
        }
      } else {
        this.stats.announcements += 1;
        const result = this.#records.see(item, now);
        switch (result.change) {
          case 'added':
            if (result.evicted) {
              this.stats.evicted += 1;
              this.#lost(result.evicted, 'evicted');
            }
            this.emit('discovered', toDiscovered(result.record));
            break;
          case 'updated':
            this.emit('discovered', toDiscovered(result.record));
            break;
          case 'protected':
            this.#reject(source, 'protected', `an unverified announcement for ${item.id}, a peer verified at its own address: ignored`);
            break;
          case 'full':
            this.#reject(source, 'full', `${item.id} not tracked: ${this.#records.maxPeers} verified peers already fill the list`);
            break;
          case 'refreshed':
            break;
        }
      }
    }
  }

  #lost(record: DiscoveryRecord, reason: LostReason): void {
    this.emit('lost', { id: record.id, name: record.name, via: 'mdns', reason });
  }

  #onQuery(packet: makeMdns.QueryPacket, rinfo: dgram.RemoteInfo): void {
    this.#receiving = undefined;
    this.stats.packets += 1;
    // A query from another port is a legacy unicast one (RFC 6762 §6.7): not answered.
    if (this.#state !== 'running' || !this.#self || rinfo.port !== MDNS_PORT || !this.#fromOurLink(rinfo)) return;
    const names = this.#self.names;
    const asked = Array.isArray(packet.questions) && packet.questions.some((q) => typeof q?.name === 'string' && names.has(q.name.toLowerCase()));
    if (!asked || this.#answerTimer) return;
    const now = Date.now();
    const at = answerAt(now, this.#lastMulticastAt, Math.random(), this.options.answerIntervalMs);
    // Our next announcement comes first anyway (at start: our own query, looped back).
    if (this.#nextAnnounceAt <= at) return;
    const delay = at - now;
    this.#answerTimer = setTimeout(() => {
      this.#answerTimer = undefined;
      this.#announceNow();
    }, delay);
    this.#answerTimer.unref();
  }

  #scheduleAnnouncement(): void {
    const delay = this.#timing.announceDelaysMs(this.#announced);
    this.#nextAnnounceAt = Date.now() + delay;
    this.#announceTimer = setTimeout(() => {
      this.#announced += 1;
      this.#announceNow();
      this.#scheduleAnnouncement();
    }, delay);
    this.#announceTimer.unref();
  }

  /** Multicast our records now; a pending answer is covered by it. */
  #announceNow(): void {
    const mdns = this.#mdns;
    if (this.#state !== 'running' || !mdns || !this.#self) return;
    clearTimeout(this.#answerTimer);
    this.#answerTimer = undefined;
    this.#lastMulticastAt = Date.now();
    void this.#send(mdns, this.#self.ours);
  }

  #scheduleQuery(): void {
    const delay = queryDelayMs(this.#queried, this.options.requeryMs);
    this.#queryTimer = setTimeout(() => {
      this.#queried += 1;
      const mdns = this.#mdns;
      if (this.#state === 'running' && mdns) {
        this.stats.sent += 1;
        try {
          mdns.query([{ name: SERVICE_TYPE, type: 'PTR' }], (error: Error | null) => {
            if (error) this.#warnOnce(`send:${codeOf(error)}`, `LAN discovery could not send a query: ${error.message}`);
          });
        } catch (error) {
          this.#warnOnce(`send:${codeOf(error)}`, `LAN discovery could not send a query: ${codeOf(error)}`);
        }
        this.#scheduleQuery();
      }
    }, delay);
    this.#queryTimer.unref();
  }

  /** Send our records (or the goodbye); a send error is one warning per kind, never a throw. */
  #send(mdns: makeMdns.MulticastDNS, records: OurRecords): Promise<void> {
    this.stats.sent += 1;
    return new Promise((resolve) => {
      const done = (error?: Error | null): void => {
        if (error) this.#warnOnce(`send:${codeOf(error)}`, `LAN discovery could not send: ${error.message}`);
        resolve();
      };
      try {
        mdns.respond({ answers: records.answers, additionals: records.additionals }, done);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #expire(): void {
    if (this.#state !== 'running') return;
    for (const record of this.#records.expire(Date.now())) {
      this.stats.expired += 1;
      this.#lost(record, 'expired');
    }
  }
}

function toDiscovered(record: DiscoveryRecord): DiscoveredPeer {
  return { id: record.id, name: record.name, ip: record.ip, port: record.port, verified: record.verified, via: 'mdns' };
}
