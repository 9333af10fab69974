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

export interface LostPeer {
  readonly id: PeerId;
  readonly name: string;
  readonly via: 'mdns';
  readonly reason: 'goodbye' | 'expired';
}

export interface DiscoveryRejected {
  readonly via: 'mdns';
  /** Where the packet came from. */
  readonly source: string;
  readonly reason: 'malformed' | 'missing-field' | 'bad-name' | 'bad-address' | 'own';
  readonly detail: string;
}

export interface DiscoveryEvents {
  discovered: [DiscoveredPeer];
  lost: [LostPeer];
  rejected: [DiscoveryRejected];
  warning: [string];
}

export interface Discovery extends EventEmitter<DiscoveryEvents> {
  /** Announce ourselves and start browsing. */
  start(self: SelfAnnouncement): Promise<void>;
  /** Send goodbyes (TTL 0) and stop; safe to call twice. */
  stop(): Promise<void>;
}
