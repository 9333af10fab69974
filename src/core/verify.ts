/**
 * Spoofed senders. Only the claimed IP can be checked: the source port of a
 * connection is ephemeral, never the claimed listening port. Pure.
 */
import { canonicalIp } from '../protocol/address.js';

export type VerifyMode = 'off' | 'warn' | 'strict';
export const VERIFY_MODES: readonly VerifyMode[] = ['off', 'warn', 'strict'];

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/**
 * Does the claimed IP match the connection's source? A connection from
 * loopback that claims one of this machine's own addresses matches too: a peer
 * on the same host advertises its LAN address but connects over loopback.
 */
export function claimMatches(claimedIp: string, remoteIp: string, ownAddresses: ReadonlySet<string>): boolean {
  const claimed = canonicalIp(claimedIp);
  // A link-local source carries its interface (%eth0); a claim never does.
  const zone = remoteIp.indexOf('%');
  const remote = canonicalIp(zone < 0 ? remoteIp : remoteIp.slice(0, zone));
  if (claimed === remote) return true;
  return isLoopback(remote) && ownAddresses.has(claimed);
}
