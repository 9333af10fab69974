/** This machine's interface addresses: the default `--ip` and spoof checks. */
import os from 'node:os';

/** First non-internal IPv4 address, else 127.0.0.1. */
export function defaultAdvertisedIp(): string {
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

/** Every non-loopback address of this machine. */
export function ownAddresses(): Set<string> {
  const result = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) {
    for (const info of list ?? []) {
      if (!info.internal) result.add(info.address.toLowerCase());
    }
  }
  return result;
}
