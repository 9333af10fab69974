/**
 * The seam for finding peers without typing addresses (LAN mDNS first).
 * Off unless the user asks: nothing is announced or asked on the network
 * otherwise. A discovery source never touches the peer list itself: it emits
 * what it saw, and the node applies the rules.
 */
import type { EventEmitter } from 'node:events';
import type { PeerId } from '../transport/transport.js';

export interface SelfAnnouncement {
  readonly name: string;
  /** The advertised address (what peers write to). */
  readonly ip: string;
  readonly port: number;
}

export interface DiscoveredPeer {
  /** `ip:port`, as in the plain protocol. */
  readonly id: PeerId;
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** The announcement came from the address it advertises. */
  readonly verified: boolean;
  readonly via: 'mdns';
}

/**
 * Why a discovered peer is no longer vouched for:
 * - `goodbye`: it said so (records with TTL 0), from its own address if it was verified;
 * - `expired`: nothing heard from it for its records' TTL (it crashed, or left the LAN);
 * - `evicted`: an unverified entry pushed out to make room at the `maxPeers` cap.
 */
export type LostReason = 'goodbye' | 'expired' | 'evicted';

export interface LostPeer {
  readonly id: PeerId;
  readonly name: string;
  readonly via: 'mdns';
  readonly reason: LostReason;
}

/**
 * Why an announcement or goodbye was not applied. Stable strings (JSON events):
 * - `malformed`: not a DNS packet, or a record that does not decode, or an unknown `v`;
 * - `missing-field`: no SRV, no TXT, or a TXT without `name`, `ip` or `v`;
 * - `bad-name`: the name fails `nameProblem` (or is not UTF-8);
 * - `bad-address`: `ip` is not an IP literal a peer can be reached at, or the port is 0;
 * - `own`: another source announces our own `ip:port`;
 * - `protected`: an unverified packet tried to change or remove a verified peer;
 * - `full`: at the `maxPeers` cap with nothing unverified to evict.
 */
export type DiscoveryRejectReason = 'malformed' | 'missing-field' | 'bad-name' | 'bad-address' | 'own' | 'protected' | 'full';

export interface DiscoveryRejected {
  readonly via: 'mdns';
  /** Where the packet came from (`ip:port` of the UDP source). */
  readonly source: string;
  readonly reason: DiscoveryRejectReason;
  /** One sentence for people, quoting (a bounded part of) the offending value; unsanitised. */
  readonly detail: string;
}

export interface DiscoveryEvents {
  /** A peer seen for the first time, or again with another name or now verified. Never ourselves. */
  discovered: [DiscoveredPeer];
  lost: [LostPeer];
  rejected: [DiscoveryRejected];
  /** A fault of the network side (the socket, an interface), once per kind; discovery goes on or has stopped cleanly. */
  warning: [string];
}

export interface Discovery extends EventEmitter<DiscoveryEvents> {
  /**
   * Announce ourselves and start browsing. Rejects with a `DiscoveryError`
   * on bad input (nothing is sent then); a socket fault (UDP 5353 taken) is a
   * `warning`, not a rejection.
   */
  start(self: SelfAnnouncement): Promise<void>;
  /** Send goodbyes (TTL 0) and stop; safe to call twice. */
  stop(): Promise<void>;
}

export type DiscoveryErrorCode =
  | 'P2P_DISCOVERY_BAD_SELF' // the name, ip or port to announce cannot be announced
  | 'P2P_DISCOVERY_BAD_OPTION' // an option (interface, TTL, cap) is out of range
  | 'P2P_DISCOVERY_STATE'; // start() called twice, or after stop()

/** Bad input to a discovery source: a stable `code` and one sentence quoting the value. */
export class DiscoveryError extends Error {
  readonly code: DiscoveryErrorCode;

  constructor(code: DiscoveryErrorCode, message: string) {
    super(message);
    this.name = 'DiscoveryError';
    this.code = code;
  }
}
