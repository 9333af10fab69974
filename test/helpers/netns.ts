/**
 * Test networks in network namespaces that the test creates and deletes
 * itself. Multicast (mDNS) and Hyperswarm may run in tests only there: sent
 * from the host's own namespace they could leave the machine.
 *
 * The guard compares the namespace itself (`/proc/<pid>/ns/net`) with PID 1's,
 * never addresses: this machine's own interface may sit in 192.0.2.0/24 too.
 * A machine that cannot create namespaces makes these tests fail with that
 * reason; they never skip silently (CI runs as root).
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';

let counter = 0;
const live = new Set<string>();

/**
 * The host's network namespace: PID 1's. Where PID 1 cannot be inspected
 * (a sandbox's init may be non-dumpable: EACCES even for root), PID 2 is
 * asked, the kernel's kthreadd, which always lives in the initial namespace.
 * If neither can be read the guard fails closed.
 */
export function hostNamespace(): string {
  for (const pid of [1, 2]) {
    try {
      return fs.readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      /* try the next */
    }
  }
  throw new Error("cannot read the host's network namespace (/proc/1/ns/net, /proc/2/ns/net): refusing to run network tests");
}

/** Throw unless this process runs in a network namespace other than the host's. */
export function assertIsolatedNamespace(what: string): void {
  const own = fs.readlinkSync('/proc/self/ns/net');
  if (own === hostNamespace()) {
    throw new Error(`refusing to run ${what} in the host's network namespace (${own}): only inside a test namespace`);
  }
}

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot set up a test network namespace: ip ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''} (needs root and iproute2)`);
  }
}

/** The namespace of `name`, read from inside it. */
function namespaceOf(name: string): string {
  return execFileSync('ip', ['netns', 'exec', name, 'readlink', '/proc/self/ns/net'], { encoding: 'utf8' }).trim();
}

function freshName(role: string): string {
  counter += 1;
  return `p2pt-${process.pid}-${counter}-${role}`;
}

function deleteNamespace(name: string): void {
  if (!live.has(name)) return;
  live.delete(name);
  try {
    // Killing what still runs inside first lets the namespace go at once.
    execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .forEach((pid) => {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      });
  } catch {
    /* namespace already gone */
  }
  try {
    execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}

// A test that crashes still leaves no namespace behind.
process.once('exit', () => [...live].forEach(deleteNamespace));

export interface TestHost {
  /** The namespace name (for `ip netns exec`). */
  readonly ns: string;
  /** Its address on the test network (192.0.2.0/24, TEST-NET-1), or 127.0.0.1 for a loopback-only host. */
  readonly address: string;
}

export class TestNetwork {
  readonly hosts: readonly TestHost[];
  readonly #namespaces: readonly string[];
  readonly #children = new Set<ChildProcess>();

  private constructor(hosts: TestHost[], namespaces: string[]) {
    this.hosts = hosts;
    this.#namespaces = namespaces;
  }

  /**
   * `count` hosts on one LAN segment with multicast routes: two are joined by
   * a veth pair, three or more by a bridge in a switch namespace of its own
   * (so not even the bridge is in the host's namespace).
   */
  static lan(count: number): TestNetwork {
    const names = Array.from({ length: count }, (_, i) => freshName(`h${i + 1}`));
    const created: string[] = [];
    try {
      const add = (name: string): void => {
        ip('netns', 'add', name);
        live.add(name);
        created.push(name);
        ip('-n', name, 'link', 'set', 'lo', 'up');
      };
      names.forEach(add);
      const hosts = names.map((ns, i) => ({ ns, address: `192.0.2.${i + 1}` }));
      const configure = (host: TestHost, dev: string): void => {
        ip('-n', host.ns, 'addr', 'add', `${host.address}/24`, 'dev', dev);
        ip('-n', host.ns, 'link', 'set', dev, 'up');
        ip('-n', host.ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
      };
      if (count === 2) {
        const [a, b] = hosts as [TestHost, TestHost];
        ip('link', 'add', 'tn0', 'netns', a.ns, 'type', 'veth', 'peer', 'name', 'tn0', 'netns', b.ns);
        configure(a, 'tn0');
        configure(b, 'tn0');
      } else {
        const sw = freshName('sw');
        add(sw);
        ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
        ip('-n', sw, 'link', 'set', 'br0', 'up');
        hosts.forEach((host, i) => {
          ip('link', 'add', 'tn0', 'netns', host.ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', sw);
          ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0');
          ip('-n', sw, 'link', 'set', `p${i}`, 'up');
          configure(host, 'tn0');
        });
      }
      const network = new TestNetwork(hosts, created);
      network.#guard();
      return network;
    } catch (error) {
      created.forEach(deleteNamespace);
      throw error;
    }
  }

  /** `count` hosts with loopback only: nothing inside can reach any other machine. */
  static isolated(count = 1): TestNetwork {
    const created: string[] = [];
    try {
      const hosts = Array.from({ length: count }, (_, i) => {
        const ns = freshName(`lo${i + 1}`);
        ip('netns', 'add', ns);
        live.add(ns);
        created.push(ns);
        ip('-n', ns, 'link', 'set', 'lo', 'up');
        return { ns, address: '127.0.0.1' };
      });
      const network = new TestNetwork(hosts, created);
      network.#guard();
      return network;
    } catch (error) {
      created.forEach(deleteNamespace);
      throw error;
    }
  }

  host(index: number): TestHost {
    const host = this.hosts[index];
    if (!host) throw new Error(`no test host ${index}`);
    return host;
  }

  /** Run `command` inside `host`'s namespace. The child is killed by `destroy()`. */
  spawn(host: TestHost, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (!this.#namespaces.includes(host.ns)) throw new Error(`${host.ns} is not a namespace of this test network`);
    if (namespaceOf(host.ns) === hostNamespace()) throw new Error(`${host.ns} is the host's network namespace: refusing`);
    const child = spawn('ip', ['netns', 'exec', host.ns, command, ...args], { stdio: 'pipe', ...options });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  /** Run a command to completion inside `host` (for small probes). */
  exec(host: TestHost, command: string, args: readonly string[]): string {
    if (!this.#namespaces.includes(host.ns)) throw new Error(`${host.ns} is not a namespace of this test network`);
    if (namespaceOf(host.ns) === hostNamespace()) throw new Error(`${host.ns} is the host's network namespace: refusing`);
    return execFileSync('ip', ['netns', 'exec', host.ns, command, ...args], { encoding: 'utf8', timeout: 30_000 });
  }

  /** Kill every child and delete every namespace; safe to call twice. */
  destroy(): void {
    for (const child of this.#children) child.kill('SIGKILL');
    this.#children.clear();
    this.#namespaces.forEach(deleteNamespace);
  }

  #guard(): void {
    const host = hostNamespace();
    for (const ns of this.#namespaces) {
      if (namespaceOf(ns) === host) throw new Error(`${ns} resolved to the host's network namespace: refusing`);
    }
  }
}
