/**
 * How LAN discovery reads in the terminal and in plain-text mode (issue 11).
 * Every peer-controlled string goes through the same sanitiser as chat text:
 * a name from a packet is as untrusted as a name in a message.
 */
import type { DiscoveredPeer, DiscoveryRejected, LostPeer } from '../discovery/discovery.js';
import { sanitizeForDisplay as safe } from './sanitize.js';

/** `Found Bob on the LAN (192.0.2.2:5001)`, with `, unverified` when the packet did not come from the address it claims. */
export function formatDiscovered(peer: DiscoveredPeer): string {
  return `Found ${safe(peer.name)} on the LAN (${safe(peer.id)}${peer.verified ? '' : ', unverified'})`;
}

/** `Bob left the LAN`; an expiry says so, since nobody said goodbye. */
export function formatLost(peer: LostPeer): string {
  const why = peer.reason === 'expired' ? ' (not heard from for a while)' : peer.reason === 'evicted' ? ' (the list is full)' : '';
  return `${safe(peer.name)} left the LAN${why}`;
}

/**
 * The terminal shows the first refused LAN packet of each reason and counts
 * the rest silently: a flood of hostile packets must not flood the screen.
 * `--json` reports every one. Returns the line to show, or undefined.
 */
export function lanRejections(): (rejected: DiscoveryRejected) => string | undefined {
  const seen = new Set<string>();
  return (rejected) => {
    if (seen.has(rejected.reason)) return undefined;
    seen.add(rejected.reason);
    return `ignored a LAN announcement from ${rejected.source} (${rejected.reason}): ${rejected.detail}; more of this kind are not shown`;
  };
}
