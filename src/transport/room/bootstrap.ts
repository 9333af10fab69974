/**
 * `--dht-bootstrap host:port` values. Pure. With none, hyperswarm uses the
 * public bootstrap nodes, which is right for users and never for tests.
 */

export interface BootstrapNode {
  readonly host: string;
  readonly port: number;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Parse one `host:port` (IPv6 as `[addr]:port`). Throws a RangeError quoting the value. */
export function parseBootstrapNode(value: string): BootstrapNode {
  const text = value.trim();
  const bad = (why: string): RangeError => new RangeError(`DHT bootstrap node "${value}" ${why}: expected host:port, e.g. 203.0.113.5:49737 or [2001:db8::1]:49737`);
  const v6 = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(text);
  const match = v6 ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!match) throw bad('is not host:port');
  const host = match[1] as string;
  const port = Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`has port ${match[2]}, outside 1-65535`);
  if (!v6 && !HOST.test(host)) throw bad(`has host "${host}", which is neither an IP address nor a host name`);
  return { host, port };
}

/** Parse a list, e.g. the repeated `--dht-bootstrap` flags. An empty list stays empty. */
export function parseBootstrap(values: readonly string[]): BootstrapNode[] {
  return values.map(parseBootstrapNode);
}
