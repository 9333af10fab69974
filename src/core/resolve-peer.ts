/**
 * What the user typed for a peer (`/to bob`, `/send 127.0.0.1:5001 …`,
 * `/connect @3f9a0c1d`, a picker's filter), resolved against a snapshot of
 * the peer list. Pure: no I/O, no clock; the caller passes the list in the
 * order it shows it, and candidates keep that order.
 *
 * What is tried, first match wins:
 * 1. `ip:port` (IPv6 `[addr]:port`), spelled canonically (parseAddress), so
 *    `[::FFFF:127.0.0.1]:5001` finds `127.0.0.1:5001`;
 * 2. a bare IP literal: the peers at that IP (ports differ);
 * 3. `@` and at least 8 hex characters: a room peer whose key (its id,
 *    `@` + 64 hex) starts with them, any case;
 * 4. a name, compared case-insensitively: an exact name first (Bob beats
 *    Bobby), then a unique prefix.
 *
 * Host names (`localhost:5001`) need a look-up, so they are not resolved
 * here: see transport/tcp/resolve-host.ts.
 *
 * The `message` quotes peer names as they are: print it through the UI's
 * sanitiser (as every peer-controlled text).
 */
import { isIP } from 'node:net';
import { canonicalIp, formatAddress, parseAddress, trimWhitespace, type PeerAddress } from '../protocol/line.js';

/** What resolving needs of a peer: its id (`ip:port`, or `@key` for rooms) and its name. */
export interface ResolvablePeer {
  /** The peer's id: canonical `ip:port` (IPv6 `[addr]:port`), or `@` + hex key for a room peer. */
  readonly address: string;
  /** The latest name, null until it speaks. */
  readonly name: string | null;
}

/** Why nothing was picked: nobody matches, several do, or the input is not a peer reference at all. */
export type ResolveFailure = 'none' | 'ambiguous' | 'invalid';

export type PeerResolution<P extends ResolvablePeer> =
  | { readonly ok: true; readonly peer: P }
  | {
      readonly ok: false;
      readonly reason: ResolveFailure;
      /** The peers that matched (ambiguous), in the order of the list given; empty otherwise. */
      readonly candidates: readonly P[];
      /**
       * Set when the input was a well-formed `ip:port` that is not in the list:
       * the protocol lets you send there anyway (the peer is added on success).
       */
      readonly address?: PeerAddress;
      /** One sentence for the user. */
      readonly message: string;
    };

/** The shortest room key prefix accepted: 8 hex characters (32 bits) make a clash among a room's peers unlikely. */
export const MIN_KEY_PREFIX = 8;

const HEX = /^[0-9a-f]+$/i;
// Candidates named in a message; the rest are counted.
const LISTED = 3;

/** `Bob (127.0.0.1:5001)`, or the address alone before the peer has spoken. */
export function peerLabel(peer: ResolvablePeer): string {
  return peer.name === null ? peer.address : `${peer.name} (${peer.address})`;
}

function listed(peers: readonly ResolvablePeer[]): string {
  const names = peers.slice(0, LISTED).map(peerLabel);
  const more = peers.length - names.length;
  if (more > 0) return `${names.join(', ')} and ${more} more`;
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

function fail<P extends ResolvablePeer>(
  reason: ResolveFailure,
  message: string,
  candidates: readonly P[] = [],
  address?: PeerAddress,
): PeerResolution<P> {
  return address === undefined ? { ok: false, reason, candidates, message } : { ok: false, reason, candidates, address, message };
}

function pick<P extends ResolvablePeer>(matches: readonly P[], typed: string, what: string): PeerResolution<P> | undefined {
  if (matches.length === 1) return { ok: true, peer: matches[0] as P };
  if (matches.length > 1) {
    return fail('ambiguous', `${JSON.stringify(typed)} could be ${listed(matches)}: type more of the ${what}, or the address.`, matches);
  }
  return undefined;
}

function ipOf(peer: ResolvablePeer): string | undefined {
  const parsed = parseAddress(peer.address);
  return parsed.ok ? parsed.address.ip : undefined;
}

/** Resolve `typed` against `peers` (a snapshot, in the order shown to the user). */
export function resolvePeer<P extends ResolvablePeer>(typed: string, peers: readonly P[]): PeerResolution<P> {
  const text = trimWhitespace(typed);
  if (text === '') return fail('invalid', "Type a peer's name, its address (ip:port) or its room key (@ and 8 or more hex characters).");

  const address = parseAddress(text);
  if (address.ok) {
    const key = formatAddress(address.address);
    const found = peers.find((peer) => peer.address === key);
    if (found) return { ok: true, peer: found };
    return fail('none', `No peer at ${key} in your list.`, [], address.address);
  }
  const bareIp = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIP(bareIp) !== 0) {
    const ip = canonicalIp(bareIp);
    const atIp = peers.filter((peer) => ipOf(peer) === ip);
    return pick(atIp, text, 'port') ?? fail('none', `No peer at ${ip} in your list; add the port, like ${formatAddress({ ip, port: 5000 })}.`);
  }
  // An IP with a port that cannot be one: say why rather than look for a name.
  if (address.error.reason === 'bad-port' || text.startsWith('[')) {
    return fail('invalid', `${JSON.stringify(text)} is not a peer address: ${address.error.detail}.`);
  }

  if (text.startsWith('@')) {
    const prefix = text.slice(1).toLowerCase();
    if (prefix.length < MIN_KEY_PREFIX || !HEX.test(prefix)) {
      return fail('invalid', `A room key is @ and at least ${MIN_KEY_PREFIX} hex characters, like @3f9a0c1d; ${JSON.stringify(text)} is not one.`);
    }
    const keyed = peers.filter((peer) => peer.address.startsWith('@') && peer.address.slice(1).toLowerCase().startsWith(prefix));
    return pick(keyed, text, 'key') ?? fail('none', `No peer has a room key starting with @${prefix}.`);
  }

  const wanted = text.toLowerCase();
  const exact = peers.filter((peer) => peer.name !== null && peer.name.toLowerCase() === wanted);
  const byName = pick(exact, text, 'name');
  if (byName) return byName;
  const prefixed = peers.filter((peer) => peer.name !== null && peer.name.toLowerCase().startsWith(wanted));
  return pick(prefixed, text, 'name') ?? fail('none', `No peer is called ${JSON.stringify(text)} or has a name starting with it; /peers lists them.`);
}
