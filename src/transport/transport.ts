/**
 * The seam every way of reaching a peer plugs into. A transport moves one
 * message at a time; it never parses the plain-TCP line, never applies the
 * peer rules and never prints. ChatNode takes a list of them by injection and
 * routes each send to the one that `owns` the peer's id.
 *
 * Plain TCP (./tcp/) is the first; rooms on Hyperswarm are the second.
 */
import type { EventEmitter } from 'node:events';
import type { MessageKind } from '../protocol/line.js';

/**
 * A peer's opaque identity. For plain TCP: the canonical `ip:port` that the
 * peer advertises (IPv6 as `[addr]:port`). For rooms: `@` + 64 hex characters
 * of its authenticated public key.
 */
export type PeerId = string;

/** Where a connection came from, as the transport saw it. */
export interface Remote {
  /** The source address (IPv4-mapped prefix removed), or a key for rooms. */
  readonly address: string;
  readonly port: number;
}

/**
 * One message as it arrived.
 * - Plain TCP: `line` is the whole decoded line, parsed above the transport;
 *   `peer` is absent (the claimed sender is only a claim).
 * - Authenticated transports (rooms): `peer` carries the proven id and the
 *   sender's name, and `line` is just the message body.
 */
export interface Inbound {
  readonly transport: string;
  readonly line: string;
  readonly remote: Remote;
  readonly peer?: { readonly id: PeerId; readonly name: string; readonly kind: MessageKind; readonly messageId?: string };
}

/** Why a transport refused an incoming message. */
export type TransportRejectReason = 'too-large' | 'timed-out' | 'garbage' | 'rate-limited';

export interface TransportRejected {
  readonly remote: Remote;
  readonly reason: TransportRejectReason;
  readonly detail: string;
  readonly bytes: number;
}

/** Why a connection ended without a message. */
export type DropReason = 'empty' | 'idle' | 'capacity' | 'reset' | 'closing';

export interface TransportDropped {
  readonly remote: Remote;
  readonly reason: DropReason;
  readonly detail: string;
}

/** What one message to one peer carries; each transport writes what it needs. */
export interface Outbound {
  /** Local id of the message (the store's and the outbox's). */
  readonly id: string;
  readonly kind: MessageKind;
  /** Our name and the trimmed body. */
  readonly name: string;
  readonly text: string;
  /** The exact plain-TCP line `<ip>:<port> <name> <text>`. */
  readonly line: string;
}

export type SendFailure = 'refused' | 'timeout' | 'unreachable' | 'reset' | 'error';

export type SendResult =
  | {
      readonly ok: true;
      readonly ms: number;
      /** The receiver acknowledged the message (rooms); plain TCP can only say it was written. */
      readonly delivered?: boolean;
    }
  | { readonly ok: false; readonly failure: SendFailure; readonly error: string; readonly ms: number };

export interface TransportEvents {
  inbound: [Inbound];
  rejected: [TransportRejected];
  dropped: [TransportDropped];
  /** A transport-level problem that did not stop it (EMFILE on accept…). */
  warning: [Error];
  /** Session-oriented transports: a peer's stream came up or went down (debounced). */
  'peer-up': [{ readonly id: PeerId; readonly name: string | null; readonly via: string }];
  'peer-down': [{ readonly id: PeerId; readonly via: string }];
}

export interface Transport extends EventEmitter<TransportEvents> {
  /** Short name, also the peer source shown in lists: `tcp`, `room:<name>`. */
  readonly name: string;
  /** The port it listens on, for transports that have one (TCP: the bound port once listening). */
  readonly port?: number;
  /** Start receiving. Rejects with the system error when it cannot. */
  listen(): Promise<void>;
  /** Whether this transport reaches `peer` (TCP: `ip:port`; rooms: `@key`). */
  owns(peer: PeerId): boolean;
  /** Send one message. Never rejects: the result says what went wrong. */
  send(peer: PeerId, message: Outbound, options: { readonly timeoutMs: number }): Promise<SendResult>;
  /** Stop; safe to call twice. */
  close(): Promise<void>;
}
