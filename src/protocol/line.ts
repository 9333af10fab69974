/**
 * The wire format, pure: no sockets, no clock, no console.
 *
 *     <sender_ip>:<sender_port> <name> <message>
 *
 * See docs/PROTOCOL.md. IPv4 is written `a.b.c.d:port`, IPv6 `[addr]:port`.
 */
import { fail, formatAddress, parseAddress, quote, type PeerAddress } from './address.js';

export type ControlWord = 'hello' | 'connect' | 'exit';
export type MessageKind = ControlWord | 'chat';

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
const CONTROL_WORDS: ReadonlySet<string> = new Set(['hello', 'connect', 'exit']);


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

