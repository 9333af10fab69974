/**
 * One authenticated Hyperswarm stream to one room peer: frames in (decoded,
 * rate-limited), frames out (queued behind backpressure and paced), and the
 * limits that make a hostile peer cost only its own connection. It never
 * decides anything about the room; it reports to its handlers.
 */
import type { SwarmConnection } from 'hyperswarm';
import type { TransportRejectReason } from '../transport.js';
import { FrameDecoder, type Frame } from './frame.js';
import { TokenBucket, type RateLimit } from './rate-limit.js';

export interface ConnectionLimits {
  readonly maxFrameBytes: number;
  /** What the peer may send us. */
  readonly rateLimit: RateLimit;
  /** The pace we keep for message frames (acks and hellos go at once); null: no pacing. */
  readonly pace: RateLimit | null;
  /** Bytes we may hold for a peer that does not read before dropping it. */
  readonly maxWriteBufferBytes: number;
  /** How long the peer may leave our writes blocked before we drop it. */
  readonly stallTimeoutMs: number;
  /** How long a new stream may take to send its `hi`. */
  readonly helloTimeoutMs: number;
}

export interface ConnectionHandlers {
  frame(connection: RoomConnection, frame: Frame): void;
  /** The peer broke a limit; `bytes` is what this stream had received. The stream is closed right after. */
  violation(connection: RoomConnection, reason: TransportRejectReason, detail: string, bytes: number): void;
  closed(connection: RoomConnection): void;
}

interface Queued {
  readonly bytes: Buffer;
  readonly paced: boolean;
}

export class RoomConnection {
  /** The peer's `@id`. */
  readonly peer: string;
  readonly stream: SwarmConnection;
  readonly openedAt: number;
  readonly #limits: ConnectionLimits;
  readonly #handlers: ConnectionHandlers;
  readonly #now: () => number;
  readonly #decoder: FrameDecoder;
  readonly #incoming: TokenBucket;
  readonly #pace: TokenBucket | null;
  readonly #queue: Queued[] = [];
  #queuedBytes = 0;
  #congested = false;
  #helloSeen = false;
  #closed = false;
  #bytesIn = 0;
  #helloTimer: NodeJS.Timeout | null;
  #stallTimer: NodeJS.Timeout | null = null;
  #paceTimer: NodeJS.Timeout | null = null;

  constructor(stream: SwarmConnection, peer: string, limits: ConnectionLimits, handlers: ConnectionHandlers, now: () => number) {
    this.stream = stream;
    this.peer = peer;
    this.#limits = limits;
    this.#handlers = handlers;
    this.#now = now;
    this.openedAt = now();
    this.#decoder = new FrameDecoder(limits.maxFrameBytes);
    this.#incoming = new TokenBucket(limits.rateLimit, this.openedAt);
    this.#pace = limits.pace ? new TokenBucket(limits.pace, this.openedAt) : null;
    this.#helloTimer = setTimeout(() => this.#violate('timed-out', `no hello within ${limits.helloTimeoutMs} ms`), limits.helloTimeoutMs);
    stream.on('data', (chunk) => this.#onData(chunk));
    stream.on('drain', () => this.#onDrain());
    stream.on('error', () => undefined); // the close that follows reports it; never let it crash the chat
    stream.on('close', () => this.#onClose());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the peer's `hi` has arrived on this stream. */
  get helloSeen(): boolean {
    return this.#helloSeen;
  }

  /** Bytes waiting in our queue (not yet handed to the stream). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Queue one encoded frame; `paced` for message frames. Order is kept. */
  write(bytes: Buffer, paced: boolean): void {
    if (this.#closed) return;
    this.#queue.push({ bytes, paced });
    this.#queuedBytes += bytes.length;
    if (this.#congested && this.#queuedBytes > this.#limits.maxWriteBufferBytes) {
      this.#violate('timed-out', `stopped reading: ${this.#queuedBytes} bytes waiting, over the ${this.#limits.maxWriteBufferBytes}-byte write buffer`);
      return;
    }
    this.#flush();
  }

  /** Charge one frame to the peer's rate limit (for frames only the transport can judge). */
  charge(): boolean {
    if (this.#incoming.take(this.#now())) return true;
    this.#violate('rate-limited', this.#rateDetail());
    return false;
  }

  /** Close the stream; safe to call twice. `end` lets queued frames out first. */
  close(graceful = false): void {
    if (this.#closed) return;
    if (graceful && this.#queue.length === 0 && !this.#congested) this.stream.end();
    else this.stream.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    this.#bytesIn += chunk.length;
    const { frames, error } = this.#decoder.push(chunk);
    for (const frame of frames) {
      if (this.#closed) return;
      if (!this.#helloSeen && frame.t !== 'hi') {
        this.#violate('garbage', `first frame is "${frame.t}", not "hi"`);
        return;
      }
      if (frame.t !== 'ack' && !this.#incoming.take(this.#now())) {
        this.#violate('rate-limited', this.#rateDetail());
        return;
      }
      if (frame.t === 'hi' && !this.#helloSeen) {
        this.#helloSeen = true;
        this.#clearTimer('hello');
      }
      this.#handlers.frame(this, frame);
    }
    if (error && !this.#closed) this.#violate(error.reason, error.detail);
  }

  #flush(): void {
    while (!this.#closed && !this.#congested && this.#queue.length > 0) {
      const head = this.#queue[0] as Queued;
      if (head.paced && this.#pace && !this.#pace.take(this.#now())) {
        if (!this.#paceTimer) {
          const wait = Math.max(1, this.#pace.waitMs(this.#now()));
          this.#paceTimer = setTimeout(() => {
            this.#paceTimer = null;
            this.#flush();
          }, wait);
        }
        return;
      }
      this.#queue.shift();
      this.#queuedBytes -= head.bytes.length;
      if (this.stream.write(head.bytes) === false) {
        this.#congested = true;
        this.#stallTimer = setTimeout(
          () => this.#violate('timed-out', `stopped reading: writes blocked for ${this.#limits.stallTimeoutMs} ms`),
          this.#limits.stallTimeoutMs,
        );
      }
    }
  }

  #onDrain(): void {
    this.#congested = false;
    this.#clearTimer('stall');
    this.#flush();
  }

  #rateDetail(): string {
    const { burst, perSecond } = this.#limits.rateLimit;
    return `more than ${burst} frames at once or ${perSecond} frames/s`;
  }

  #violate(reason: TransportRejectReason, detail: string): void {
    if (this.#closed) return;
    this.#handlers.violation(this, reason, detail, this.#bytesIn);
    this.stream.destroy();
    this.#onClose();
  }

  #clearTimer(which: 'hello' | 'stall' | 'pace'): void {
    const timer = which === 'hello' ? this.#helloTimer : which === 'stall' ? this.#stallTimer : this.#paceTimer;
    if (timer) clearTimeout(timer);
    if (which === 'hello') this.#helloTimer = null;
    else if (which === 'stall') this.#stallTimer = null;
    else this.#paceTimer = null;
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#clearTimer('hello');
    this.#clearTimer('stall');
    this.#clearTimer('pace');
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#handlers.closed(this);
  }
}
