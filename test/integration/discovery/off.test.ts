/**
 * Discovery is off unless asked for: a process that did not start it sends
 * no mDNS packet and holds no UDP socket. Checked with a multicast-dns
 * listener in the same namespace, and against the real CLI without
 * --discover (given --discover-interface, which alone does not turn it on).
 * The listener is shown to hear by starting discovery at the end.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { describe, it } from 'node:test';
import { ROOT, startMdnsPeer, startMdnsTool } from '../../helpers/mdns.js';
import { withTestDataHome } from '../../helpers/data-home.js';
import { TestNetwork } from '../../helpers/netns.js';
import { waitUntil, Wakeups } from '../../helpers/wait.js';

const CLI = path.join(ROOT, 'dist', 'cli', 'bin.js');

/** The pids that hold a UDP socket in the namespace, from `ss`. */
function udpHolders(network: TestNetwork, index: number): Set<number> {
  const out = network.exec(network.host(index), 'ss', ['-uanpH']);
  return new Set([...out.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])));
}

async function startCli(network: TestNetwork, index: number): Promise<ChildProcess> {
  const host = network.host(index);
  const child = network.spawn(host, process.execPath, [CLI, '--json', '--name', 'Quiet', '--ip', host.address, '--host', host.address, '--port', 'auto', '--discover-interface', host.address], { cwd: ROOT, env: { ...process.env, ...withTestDataHome() } });
  const lines: string[] = [];
  const wakeups = new Wakeups('cli');
  readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    lines.push(line);
    wakeups.wake();
  });
  child.once('exit', () => wakeups.end());
  await waitUntil(() => lines.some((l) => l.includes('"listening"')), 20_000, () => `the CLI's listening event; saw ${JSON.stringify(lines)}`, wakeups);
  await waitUntil(() => lines.some((l) => l.includes('LAN discovery is off')), 5000, () => `the warning that the interface alone does nothing; saw ${JSON.stringify(lines)}`, wakeups);
  return child;
}

describe('LAN discovery: off by default', () => {
  it('a process that did not start discovery sends nothing and holds no UDP socket; once started it is heard', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    try {
      const listener = await startMdnsTool(network, network.host(0), 'listen');
      const idle = await startMdnsPeer(network, network.host(0), { name: 'Idle', port: 5000, autostart: false });
      const cli = await startCli(network, 0);
      // Long enough for a start-up announcement, its 1 s repeat and the 3 s query.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      assert.deepEqual(listener.events.filter((e) => e.event === 'packet'), [], 'no mDNS packet at all');
      const holders = udpHolders(network, 0);
      assert.ok(holders.has(listener.pid), `ss sees the listener's socket: ${[...holders].join(', ')}`);
      assert.ok(!holders.has(idle.pid), 'the idle fixture holds no UDP socket');
      assert.ok(!holders.has(cli.pid ?? -1), 'the CLI holds no UDP socket');

      // The same listener hears a started discovery: it could have failed above.
      idle.write('start');
      await idle.waitFor((e) => e.event === 'started', 10_000, 'started');
      const heard = await listener.waitFor((e) => e.event === 'packet' && e.kind === 'response' && (e.names as string[]).includes('_p2pchat._tcp.local'), 10_000, 'our announcement');
      assert.equal(heard.source, '192.0.2.1:5353');
      assert.ok(udpHolders(network, 0).has(idle.pid), 'now it holds UDP 5353');
    } finally {
      network.destroy();
    }
  });
});
