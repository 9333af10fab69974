/**
 * Host names where an address is asked (`localhost:5001`, `bob-laptop:5001`):
 * looked up once, within a time limit, to the IP literal that goes on the
 * wire. The protocol carries IP literals only (PROTOCOL.md: an address that
 * is not an IP literal is malformed), so a name never reaches a peer or the
 * peer list; the looked-up IP does, spelled canonically.
 *
 * `parseHostPort` is pure; `resolveHost` does the one look-up (dns.lookup,
 * which asks the system resolver: /etc/hosts first, then DNS as the
 * machine is configured). The look-up function is injectable for tests.
 */
import { lookup as systemLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { canonicalIp, formatAddress, type PeerAddress } from '../../protocol/line.js';

export interface HostPort {
  /** An IP literal (IPv6 without brackets) or a host name, as typed. */
  readonly host: string;
  readonly port: number;
  /** Whether `host` is already an IP literal (no look-up needed). */
  readonly literal: boolean;
}

export type HostPortResult = { readonly ok: true; readonly value: HostPort } | { readonly ok: false; readonly message: string };

export type ResolveHostFailure = 'invalid' | 'not-found' | 'timeout' | 'error';

export type ResolveHostResult =
  | { readonly ok: true; readonly address: PeerAddress; /** What was typed before the port. */ readonly host: string }
  | { readonly ok: false; readonly reason: ResolveHostFailure; readonly message: string };

/** The look-up `resolveHost` uses: node:dns/promises `lookup` with `all: true`'s shape. */
export type LookupFunction = (
  hostname: string,
  options: { readonly family: 0 | 4 | 6 },
) => Promise<readonly { readonly address: string; readonly family: number }[]>;

export interface ResolveHostOptions {
  /** Give up after this long (default 2000 ms): a resolver that does not answer must not hold the prompt. */
  readonly timeoutMs?: number;
  /**
   * 4 or 6 to ask for one family only. Default 0: any, an IPv4 answer
   * preferred (the original peers listen on IPv4), else the first.
   */
  readonly family?: 0 | 4 | 6;
  /** Default node:dns/promises `lookup`. */
  readonly lookup?: LookupFunction;
}

export const DEFAULT_RESOLVE_TIMEOUT_MS = 2000;

// RFC 1123 labels: letters, digits, inner hyphens, 1..63 each; 253 in all.
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const PORT = /^[0-9]{1,5}$/;

function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function isHostName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  // All digits would be a malformed IPv4 address (999.1.1.1), not a name.
  if (labels.every((label) => /^[0-9]+$/.test(label))) return false;
  return labels.every((label) => LABEL.test(label));
}

/** `host:port`, `[v6]:port` or `ip:port`; never throws. */
export function parseHostPort(text: string): HostPortResult {
  const value = text.trim();
  let host: string;
  let portText: string;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0 || value[close + 1] !== ':') return { ok: false, message: `${quote(value)} is not [ipv6]:port.` };
    host = value.slice(1, close);
    portText = value.slice(close + 2);
    if (host.includes('%')) return { ok: false, message: `${quote(host)} has a zone ID (%…), which peers cannot write back to.` };
    if (isIP(host) !== 6) return { ok: false, message: `${quote(host)} is not an IPv6 address.` };
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) return { ok: false, message: `${quote(value)} has no port: write host:port, like localhost:5001.` };
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (isIP(host) === 6) return { ok: false, message: `${quote(value)}: write an IPv6 address as [addr]:port.` };
    if (isIP(host) === 0 && !isHostName(host)) return { ok: false, message: `${quote(host)} is neither an IP address nor a host name.` };
  }
  if (!PORT.test(portText)) return { ok: false, message: `port ${quote(portText)} is not a number from 1 to 65535.` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, message: `port ${port} is outside 1..65535.` };
  const literal = isIP(host) !== 0;
  return { ok: true, value: { host: literal ? canonicalIp(host) : host, port, literal } };
}

function lookupProblem(host: string, error: unknown): { reason: ResolveHostFailure; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_NONAME') {
    return { reason: 'not-found', message: `The host name ${quote(host)} does not resolve to an address; check the spelling, or type its IP address.` };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { reason: 'error', message: `Could not look up ${quote(host)} (${code === undefined ? detail : String(code)}); type its IP address instead.` };
}

/**
 * Resolve `host:port` to the address that goes on the wire. IP literals need
 * no look-up; a name is looked up once, within `timeoutMs`. Never rejects.
 */
export async function resolveHost(text: string, options: ResolveHostOptions = {}): Promise<ResolveHostResult> {
  const parsed = parseHostPort(text);
  if (!parsed.ok) return { ok: false, reason: 'invalid', message: parsed.message };
  const { host, port, literal } = parsed.value;
  if (literal) return { ok: true, address: { ip: host, port }, host };

  const timeoutMs = options.timeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
  const lookup = options.lookup ?? ((name, opts) => systemLookup(name, { family: opts.family, all: true }));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    // The look-up cannot be cancelled (it runs in libuv's thread pool); a late answer is dropped.
    const answer = await Promise.race([lookup(host, { family: options.family ?? 0 }), timeout]);
    if (answer === 'timeout') {
      return { ok: false, reason: 'timeout', message: `Looking up ${quote(host)} took longer than ${timeoutMs} ms; type its IP address instead.` };
    }
    const chosen = answer.find((entry) => entry.family === 4) ?? answer[0];
    if (chosen === undefined) return { ok: false, ...lookupProblem(host, Object.assign(new Error('no address'), { code: 'ENODATA' })) };
    if (chosen.address.includes('%') || isIP(chosen.address) === 0) {
      return { ok: false, reason: 'error', message: `${quote(host)} resolves to ${quote(chosen.address)}, which peers cannot write back to; type an IP address instead.` };
    }
    const address = { ip: canonicalIp(chosen.address), port };
    return { ok: true, address, host };
  } catch (error) {
    return { ok: false, ...lookupProblem(host, error) };
  } finally {
    clearTimeout(timer);
  }
}

/** `localhost:5001 (127.0.0.1:5001)` for showing what a name became. */
export function describeResolved(result: Extract<ResolveHostResult, { ok: true }>): string {
  const address = formatAddress(result.address);
  return result.host === result.address.ip ? address : `${result.host}:${result.address.port} (${address})`;
}
