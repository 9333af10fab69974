/**
 * Peer addresses on the wire, pure: `a.b.c.d:port` and `[v6]:port`, one
 * spelling per address so that one peer is one key.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { RejectReason, Rejection } from './line.js';

const PORT_DIGITS = /^[0-9]{1,5}$/;

/** Shorten untrusted text for a rejection sentence (the UI escapes it). */
export function quote(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

export interface PeerAddress {
  /** The IP literal as written, without brackets. */
  readonly ip: string;
  readonly port: number;
}

/**
 * One spelling per address, so that one peer is one key: IPv6 in lower case
 * and compressed (RFC 5952, as the WHATWG URL parser writes it), and an
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) as plain IPv4. IPv4 is unchanged.
 */
export function canonicalIp(ip: string): string {
  // IPv4 (no colon) is already canonical: the common case stays cheap.
  if (!ip.includes(':') || ip.includes('%') || !isIPv6(ip)) return ip;
  const compressed = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const high = parseInt(mapped[1] as string, 16);
  const low = parseInt(mapped[2] as string, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export type AddressResult =
  | { readonly ok: true; readonly address: PeerAddress }
  | { readonly ok: false; readonly error: Rejection };

/** Parse `a.b.c.d:port` or `[v6]:port`. */
export function parseAddress(token: string): AddressResult {
  let host: string;
  let portText: string;
  if (token.startsWith('[')) {
    const close = token.indexOf(']');
    if (close < 0 || token[close + 1] !== ':') {
      return fail('malformed', `address ${quote(token)} is not [ipv6]:port`);
    }
    host = token.slice(1, close);
    portText = token.slice(close + 2);
    if (host.includes('%')) return fail('not-ip', `${quote(host)} has a zone ID (%…), which names an interface of the sender's machine`);
    if (!isIPv6(host)) return fail('not-ip', `${quote(host)} is not an IPv6 address`);
    host = canonicalIp(host);
  } else {
    const colon = token.lastIndexOf(':');
    if (colon < 0) return fail('malformed', `first word ${quote(token)} is not ip:port`);
    host = token.slice(0, colon);
    portText = token.slice(colon + 1);
    if (!isIPv4(host)) {
      const hint = isIPv6(host) ? ' (write IPv6 as [addr]:port)' : '';
      return fail('not-ip', `${quote(host)} is not an IP address${hint}`);
    }
  }
  if (!PORT_DIGITS.test(portText)) {
    return fail('bad-port', `port ${quote(portText)} is not a number from 1 to 65535`);
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    return fail('bad-port', `port ${port} is outside 1..65535`);
  }
  return { ok: true, address: { ip: host, port } };
}

export function fail(reason: RejectReason, detail: string): { ok: false; error: Rejection } {
  return { ok: false, error: { reason, detail } };
}

/** `ip:port` or `[ip]:port`: the key of a peer and how addresses are shown. */
export function formatAddress(address: PeerAddress): string {
  return address.ip.includes(':') ? `[${address.ip}]:${address.port}` : `${address.ip}:${address.port}`;
}

