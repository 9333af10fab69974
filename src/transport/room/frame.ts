/**
 * The room wire format: one Hyperswarm connection per peer pair carries many
 * frames. Pure codec, fed whatever chunks arrive (like ws's Receiver).
 *
 * A frame is a 4-byte unsigned big-endian length N, then N bytes of UTF-8
 * JSON holding one object. N is at least 2 and at most `maxFrameBytes`
 * (default 65,536, the same cap as a plain-TCP message). The objects:
 *
 *   {"v":1,"t":"hi","name":"Alice"}                       first frame on every connection
 *   {"v":1,"t":"msg","id":"m-1","kind":"chat","name":"Alice","text":"hi all"}
 *   {"v":1,"t":"ack","id":"m-1"}                          the receiver took message m-1
 *
 * - `v` is the protocol version, 1; any other is refused.
 * - `kind` is `chat`, `hello`, `connect` or `exit` (PROTOCOL.md's control words).
 * - `id` is the sender's message id: 1-128 characters, no control characters,
 *   unique per sender. A receiver shows a given (sender, id) once and acks
 *   every copy, so a sender may resend a frame it has no ack for.
 * - `name` is 1-64 characters without whitespace or control characters.
 * - Unknown fields are ignored; a missing or mistyped field makes the frame garbage.
 */
import type { MessageKind } from '../../protocol/line.js';

export const ROOM_PROTOCOL_VERSION = 1;
/** Default cap on one frame's JSON, in bytes. */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const HEADER_BYTES = 4;
export const MAX_ID_CHARS = 128;
export const MAX_NAME_CHARS = 64;

export interface HiFrame {
  readonly t: 'hi';
  readonly name: string;
}

export interface MsgFrame {
  readonly t: 'msg';
  readonly id: string;
  readonly kind: MessageKind;
  readonly name: string;
  readonly text: string;
}

export interface AckFrame {
  readonly t: 'ack';
  readonly id: string;
}

export type Frame = HiFrame | MsgFrame | AckFrame;

export interface FrameError {
  readonly reason: 'too-large' | 'garbage';
  readonly detail: string;
}

const KINDS: ReadonlySet<string> = new Set(['chat', 'hello', 'connect', 'exit']);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NAME_BAD = /[\s\p{Cc}\p{Cf}]/u;

/** Why `frame` cannot be sent, or null. Shared by the encoder and the decoder so both sides agree. */
export function checkFrame(frame: Frame): string | null {
  switch (frame.t) {
    case 'hi':
      return checkName(frame.name);
    case 'ack':
      return checkId(frame.id);
    case 'msg':
      if (!KINDS.has(frame.kind)) return `unknown kind ${JSON.stringify(frame.kind)}`;
      if (typeof frame.text !== 'string') return 'text is not a string';
      return checkId(frame.id) ?? checkName(frame.name);
    default:
      return `unknown frame type ${JSON.stringify((frame as { t?: unknown }).t)}`;
  }
}

function checkId(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS || CONTROL.test(id)) {
    return `message id must be 1-${MAX_ID_CHARS} characters without control characters`;
  }
  return null;
}

function checkName(name: unknown): string | null {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_CHARS || NAME_BAD.test(name)) {
    return `name must be 1-${MAX_NAME_CHARS} characters without whitespace or control characters`;
  }
  return null;
}

/**
 * The bytes of one frame (header included). Throws a RangeError when the frame
 * is invalid or its JSON exceeds `maxFrameBytes`: the caller reports that as a
 * failed send, the peer never sees it.
 */
export function encodeFrame(frame: Frame, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Buffer {
  const problem = checkFrame(frame);
  if (problem) throw new RangeError(`cannot send this frame: ${problem}`);
  // Fixed field order, only known fields: what goes out is exactly the documented shape.
  const body =
    frame.t === 'msg'
      ? { v: ROOM_PROTOCOL_VERSION, t: 'msg', id: frame.id, kind: frame.kind, name: frame.name, text: frame.text }
      : frame.t === 'hi'
        ? { v: ROOM_PROTOCOL_VERSION, t: 'hi', name: frame.name }
        : { v: ROOM_PROTOCOL_VERSION, t: 'ack', id: frame.id };
  const json = Buffer.from(JSON.stringify(body), 'utf8');
  if (json.length > maxFrameBytes) throw new RangeError(`the message is ${json.length} bytes as a frame, over the room's limit of ${maxFrameBytes} bytes`);
  const out = Buffer.allocUnsafe(HEADER_BYTES + json.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, HEADER_BYTES);
  return out;
}

/** Interpret one frame's JSON bytes. Pure; never throws. */
export function decodeFrameBody(bytes: Uint8Array): { readonly frame: Frame } | { readonly error: FrameError } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return garbage('frame is not valid UTF-8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return garbage('frame is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return garbage('frame is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.v !== ROOM_PROTOCOL_VERSION) return garbage(`unsupported protocol version ${JSON.stringify(record.v)}`);
  let frame: Frame;
  switch (record.t) {
    case 'hi':
      frame = { t: 'hi', name: record.name as string };
      break;
    case 'ack':
      frame = { t: 'ack', id: record.id as string };
      break;
    case 'msg':
      frame = { t: 'msg', id: record.id as string, kind: record.kind as MessageKind, name: record.name as string, text: record.text as string };
      break;
    default:
      return garbage(`unknown frame type ${JSON.stringify(record.t)?.slice(0, 40)}`);
  }
  const problem = checkFrame(frame);
  return problem ? garbage(problem) : { frame };
}

function garbage(detail: string): { readonly error: FrameError } {
  return { error: { reason: 'garbage', detail } };
}

export interface DecodeResult {
  readonly frames: Frame[];
  /** Set once the stream is broken; every later push returns it again and no frames. */
  readonly error: FrameError | null;
}

/**
 * Streaming decoder for one connection. `push` any chunk; it returns the
 * frames completed so far. The size cap is checked on the 4-byte header,
 * before any of the body is buffered, so an oversized frame costs nothing.
 * Chunks are kept as a list and joined once per frame, so a frame trickling
 * in one byte at a time is copied once, not once per byte.
 */
export class FrameDecoder {
  readonly maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Body length of the frame being read, once its header is in. */
  #need: number | null = null;
  #error: FrameError | null = null;
  #frames = 0;

  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Frames decoded so far. */
  get count(): number {
    return this.#frames;
  }

  push(chunk: Uint8Array): DecodeResult {
    if (this.#error) return { frames: [], error: this.#error };
    if (chunk.length > 0) {
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.#buffered += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (this.#need === null) {
        if (this.#buffered < HEADER_BYTES) break;
        const length = this.#take(HEADER_BYTES).readUInt32BE(0);
        if (length > this.maxFrameBytes) return this.#fail({ reason: 'too-large', detail: `frame of ${length} bytes announced, over the limit of ${this.maxFrameBytes} bytes` }, frames);
        if (length < 2) return this.#fail({ reason: 'garbage', detail: `frame of ${length} bytes announced: too short to be a JSON object` }, frames);
        this.#need = length;
      }
      if (this.#buffered < this.#need) break;
      const decoded = decodeFrameBody(this.#take(this.#need));
      this.#need = null;
      if ('error' in decoded) return this.#fail(decoded.error, frames);
      this.#frames += 1;
      frames.push(decoded.frame);
    }
    return { frames, error: null };
  }

  #fail(error: FrameError, frames: Frame[]): DecodeResult {
    this.#error = error;
    this.#chunks = [];
    this.#buffered = 0;
    // Frames completed before the bad one were good: the caller may still deliver them.
    return { frames, error };
  }

  /** Remove and return the first `n` buffered bytes (n <= buffered). */
  #take(n: number): Buffer {
    const first = this.#chunks[0] as Buffer;
    if (first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.#chunks[0] as Buffer;
      const part = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, part);
      filled += part;
      if (part === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(part);
    }
    this.#buffered -= n;
    return out;
  }
}
