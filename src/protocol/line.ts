/**
 * The wire format, pure: no sockets, no clock, no console.
 *
 *     <sender_ip>:<sender_port> <name> <message>
 *
 * See ../shared/PROTOCOL.md. IPv4 is written `a.b.c.d:port`, IPv6 `[addr]:port`.
 */
import { isIPv4, isIPv6 } from 'node:net';

export type ControlWord = 'hello' | 'connect' | 'exit';
export type MessageKind = ControlWord | 'chat';

export interface PeerAddress {
  /** The IP literal as written, without brackets. */
  readonly ip: string;
  readonly port: number;
}

export interface ChatMessage extends PeerAddress {
  readonly name: string;
  /** The body as sent, without surrounding whitespace. */
  readonly text: string;
  readonly kind: MessageKind;
}

/** Why a line was not accepted. Stable strings: they appear in JSON events. */
export type RejectReason =
  | 'malformed'
  | 'bad-port'
  | 'not-ip'
  | 'too-large'
  | 'timed-out'
  | 'unverified';

export interface Rejection {
  readonly reason: RejectReason;
  /** One sentence for people, quoting (a bounded part of) the offending value. */
  readonly detail: string;
}

export type ParseResult =
  | { readonly ok: true; readonly message: ChatMessage }
  | { readonly ok: false; readonly error: Rejection };

// ASCII whitespace only: what every peer in the wild splits on. Unicode spaces
// stay inside tokens, so a name can never be split differently by two readers.
const LEADING_WS = /^[ \t\n\v\f\r]+/;
const TRAILING_WS = /[ \t\n\v\f\r]+$/;
const PORT_DIGITS = /^[0-9]{1,5}$/;
const CONTROL_WORDS: ReadonlySet<string> = new Set(['hello', 'connect', 'exit']);

/** Shorten untrusted text for a rejection sentence (the UI escapes it). */
function quote(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(cut);
}

export function trimWhitespace(value: string): string {
  return value.replace(LEADING_WS, '').replace(TRAILING_WS, '');
}

/** `hello`, `connect` and `exit`, trimmed and case-insensitive; anything else is chat. */
export function classify(body: string): MessageKind {
  return classifyTrimmed(trimWhitespace(body));
}

function classifyTrimmed(body: string): MessageKind {
  const word = body.toLowerCase();
  return CONTROL_WORDS.has(word) ? (word as ControlWord) : 'chat';
}

/** The same ASCII whitespace, by code unit: space, \t, \n, \v, \f, \r. */
function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Index of the first whitespace at or after `from`, or `end`. */
function tokenEnd(line: string, from: number, end: number): number {
  let i = from;
  while (i < end && !isWhitespace(line.charCodeAt(i))) i += 1;
  return i;
}

/** Index of the first non-whitespace at or after `from`, or `end`. */
function skipWhitespace(line: string, from: number, end: number): number {
  let i = from;
  while (i < end && isWhitespace(line.charCodeAt(i))) i += 1;
  return i;
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

function fail(reason: RejectReason, detail: string): { ok: false; error: Rejection } {
  return { ok: false, error: { reason, detail } };
}

/**
 * Parse one received message (the whole text of one connection). Never throws.
 * One pass over the text, slicing out only the three parts: this runs for
 * every message received, and regular expressions plus the intermediate
 * strings they left were a measurable part of the receive cost.
 */
export function parseMessage(input: string): ParseResult {
  let end = input.length;
  while (end > 0 && isWhitespace(input.charCodeAt(end - 1))) end -= 1;
  const start = skipWhitespace(input, 0, end);
  if (start === end) return fail('malformed', 'empty message');
  const addressEnd = tokenEnd(input, start, end);
  if (addressEnd === end) {
    return fail('malformed', `missing name and message after ${quote(input.slice(start, end))}`);
  }
  const nameStart = skipWhitespace(input, addressEnd, end);
  const nameEnd = tokenEnd(input, nameStart, end);
  if (nameEnd === end) return fail('malformed', `missing message after ${quote(input.slice(start, end))}`);
  const textStart = skipWhitespace(input, nameEnd, end);

  const address = parseAddress(input.slice(start, addressEnd));
  if (!address.ok) return address;
  const text = input.slice(textStart, end);
  return {
    ok: true,
    message: {
      ip: address.address.ip,
      port: address.address.port,
      name: input.slice(nameStart, nameEnd),
      text,
      kind: classifyTrimmed(text),
    },
  };
}

/** `ip:port` or `[ip]:port`: the key of a peer and how addresses are shown. */
export function formatAddress(address: PeerAddress): string {
  return address.ip.includes(':') ? `[${address.ip}]:${address.port}` : `${address.ip}:${address.port}`;
}

/** The exact bytes' text p2pchat sends: no trailing newline. */
export function formatMessage(from: PeerAddress, name: string, text: string): string {
  return `${formatAddress(from)} ${name} ${text}`;
}

/** A name is one token: non-empty, no whitespace, no control characters. */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (/\s/u.test(name)) return 'it contains a space; use one word such as Alice_B';
  if (/\p{Cc}/u.test(name)) return 'it contains a control character';
  if ([...name].length > 64) return 'it is longer than 64 characters';
  return undefined;
}

/** The UTF-8 size above which the original peers (one `recv(1024)`) cut a message. */
export const ORIGINAL_RECV_BYTES = 1024;

/** A warning for a line the original peers would cut, or undefined. */
export function sizeWarning(line: string): string | undefined {
  const bytes = Buffer.byteLength(line, 'utf8');
  if (bytes <= ORIGINAL_RECV_BYTES) return undefined;
  return `This message is ${bytes} bytes; peers running the original chat read only ${ORIGINAL_RECV_BYTES} bytes and may cut it.`;
}

/**
 * Why a line must not be sent at all, or undefined. The original's receiver
 * decodes its single `recv(1024)` as UTF-8 and its only server thread dies on
 * a character cut in two at byte 1024, so such a line would silence that peer
 * for good (PROTOCOL.md, "Peers in the wild").
 */
export function unsendableReason(line: string): string | undefined {
  const bytes = Buffer.from(line, 'utf8');
  const next = bytes[ORIGINAL_RECV_BYTES];
  // A continuation byte (10xxxxxx) right after the cut: a character straddles it.
  if (next === undefined || (next & 0xc0) !== 0x80) return undefined;
  let start = ORIGINAL_RECV_BYTES - 1;
  while (start > 0 && ((bytes[start] as number) & 0xc0) === 0x80) start -= 1;
  const character = [...bytes.subarray(start, start + 4).toString('utf8')][0] ?? '';
  return (
    `not sent: byte ${ORIGINAL_RECV_BYTES} falls inside the character ${JSON.stringify(character)}, ` +
    'and peers running the original chat stop receiving for good on a cut character; ' +
    'shorten the message or move that character'
  );
}
