/**
 * LAN discovery through the built CLI (issue 11): `--json --discover` peers
 * in network namespaces the test makes and deletes, real multicast. Each
 * test fails (never skips) when namespaces cannot be made.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { found, left, cpuMsOf, startLanCli, type LanCli } from '../../helpers/lan-cli.js';
import { forgedService, startMdnsTool } from '../../helpers/mdns.js';
import { TestNetwork } from '../../helpers/netns.js';

const FIND_MS = 10_000;

async function quitAll(clis: readonly (LanCli | undefined)[]): Promise<void> {
  await Promise.all(clis.map((cli) => cli?.kill() ?? Promise.resolve()));
}

describe('LAN discovery in the CLI', () => {
  it('two peers find each other, chat by the discovered name, a quit is lost within 1 s, a restart is found again', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(2);
    const clis: (LanCli | undefined)[] = [];
    try {
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001 });
      clis.push(alice);
      let bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002 });
      clis.push(bob);
      const seen = await alice.waitFor(found(bob.id, 'Bob'), FIND_MS, 'Alice finds Bob');
      assert.deepEqual([seen.via, seen.verified], ['mdns', true]);
      await bob.waitFor(found(alice.id, 'Alice'), FIND_MS, 'Bob finds Alice');

      // In the list as `lan`, and discovery sent nothing over TCP: no hello.
      assert.deepEqual((await alice.peers()).map((p) => [p.address, p.name, p.source, p.messages]), [[bob.id, 'Bob', 'lan', 0]]);
      assert.equal(bob.events.filter((e) => e.type === 'message').length, 0, 'no hello from discovery');

      // Pick the discovered entry by name; the reply refreshes the same entry.
      alice.write('/send Bob hello from the LAN');
      await alice.waitFor((e) => e.type === 'sent' && e.to === bob.id, 5000, 'sent to Bob');
      const got = await bob.waitFor((e) => e.type === 'message' && e.text === 'hello from the LAN', 5000, 'Bob hears Alice');
      assert.deepEqual([got.from, got.name, got.verified], [alice.id, 'Alice', true]);
      bob.write('/send Alice hi back');
      await alice.waitFor((e) => e.type === 'message' && e.text === 'hi back', 5000, 'Alice hears Bob');
      const afterChat = await alice.peers();
      assert.deepEqual(afterChat.map((p) => [p.address, p.name, p.source, p.messages]), [[bob.id, 'Bob', 'lan', 1]], 'one entry, refreshed');

      // A quit: goodbye, `lost` on the other side within 1 s.
      const before = alice.events.length;
      const quitAt = Date.now();
      assert.equal(await bob.quit(), 0);
      const gone = await alice.waitForAfter(before, left(bob.id), 5000, 'Bob lost');
      assert.equal(gone.reason, 'goodbye');
      assert.ok(gone.at - quitAt < 1000, `lost ${gone.at - quitAt} ms after /quit`);

      // A restart is found again.
      const from = alice.events.length;
      bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002 });
      clis.push(bob);
      await alice.waitForAfter(from, found(bob.id, 'Bob'), FIND_MS, 'Bob found again');
      // Alice answers the new Bob's query (at most one answer a second): then both know each other.
      await bob.waitFor(found(alice.id, 'Alice'), FIND_MS, 'the new Bob finds Alice');
      assert.equal(await alice.quit(), 0);
      await bob.waitFor(left(alice.id), 5000, 'Alice lost on her quit');
      assert.deepEqual((await bob.peers()).filter((p) => p.address === alice.id), [], 'a LAN-only entry goes with the goodbye');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('three peers each list the two others', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(3);
    const clis: LanCli[] = [];
    try {
      for (const [i, name] of ['Ann', 'Ben', 'Cat'].entries()) clis.push(await startLanCli(network, { name, host: i, port: 6000 + i }));
      for (const cli of clis) {
        for (const other of clis.filter((c) => c !== cli)) await cli.waitFor(found(other.id, other.name), FIND_MS, `${cli.name} finds ${other.name}`);
        const listed = (await cli.peers()).map((p) => `${p.name ?? '?'}/${p.source}`).sort();
        assert.deepEqual(listed, clis.filter((c) => c !== cli).map((c) => `${c.name}/lan`).sort(), cli.name);
      }
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('a peer killed with SIGKILL: the first send fails, then its announcement expires', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(2);
    const clis: LanCli[] = [];
    try {
      // A 3 s TTL: without a goodbye the record expires that long after the last announcement.
      const ttl = ['--discover', '--discover-ttl', '3', '--timeout', '1000'];
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001, args: ttl });
      const bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002, args: ttl });
      clis.push(alice, bob);
      await alice.waitFor(found(bob.id, 'Bob'), FIND_MS, 'Alice finds Bob');
      await bob.kill('SIGKILL');
      const from = alice.events.length;
      alice.write('/send Bob are you there');
      // The send fails (and the outbox, when there is one, queues it for a retry).
      const failed = await alice.waitForAfter(from, (e) => ['send-failed', 'queued', 'sent'].includes(e.type), 5000, 'the send to a dead peer');
      assert.notEqual(failed.type, 'sent', JSON.stringify(failed));
      assert.equal(failed.failure, 'refused', JSON.stringify(failed));
      const gone = await alice.waitForAfter(from, left(bob.id), 15_000, 'Bob expires');
      assert.equal(gone.reason, 'expired');
      assert.deepEqual(await alice.peers(), [], 'dropped from the list');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('forged announcements and goodbyes from a third namespace change nothing verified', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(3);
    const clis: LanCli[] = [];
    try {
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001 });
      const bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002 });
      clis.push(alice, bob);
      await alice.waitFor(found(bob.id, 'Bob'), FIND_MS, 'Alice finds Bob');
      const mallory = await startMdnsTool(network, network.host(2), 'forge');
      const from = alice.events.length;
      // Bob's address under another name, then a goodbye for Bob, then Bob's name at Mallory's own address.
      await mallory.command({ op: 'send', packet: { answers: forgedService({ name: 'Mallory', ip: '192.0.2.2', port: 5002 }) } });
      await mallory.command({ op: 'send', packet: { answers: forgedService({ name: 'Bob', ip: '192.0.2.2', port: 5002, ttl: 0, instance: 'Bob@192-0-2-2:5002._p2pchat._tcp.local' }) } });
      await mallory.command({ op: 'send', packet: { answers: forgedService({ name: 'Bob', ip: '192.0.2.3', port: 5002 }) } });
      const impostor = await alice.waitForAfter(from, found('192.0.2.3:5002'), 5000, 'the impostor at its own address');
      const protectedOnes = await alice.waitForAfter(from, (e) => e.type === 'rejected' && e.via === 'mdns' && e.reason === 'protected', 5000, 'a protected rejection');
      assert.equal(protectedOnes.remote, '192.0.2.3:5353');
      assert.equal(alice.events.slice(from).filter((e) => e.type === 'lost').length, 0, 'no lost for Bob');
      const listed = await alice.peers();
      const real = listed.find((p) => p.address === bob.id);
      assert.deepEqual([real?.name, real?.verified, real?.source], ['Bob', true, 'lan'], JSON.stringify(listed));
      assert.equal(impostor.verified, true, 'Mallory does send from 192.0.2.3: verified for that address only');
      // The real Bob is still reached at his address.
      alice.write('/send 192.0.2.2:5002 still you?');
      await bob.waitFor((e) => e.type === 'message' && e.text === 'still you?', 5000, 'Bob still reached at his address');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('a flood of 1,000 fake services stays within --max-peers, keeps the verified peer, within one core', { timeout: 180_000 }, async () => {
    const network = TestNetwork.lan(3);
    const clis: LanCli[] = [];
    try {
      const args = ['--discover', '--max-peers', '50'];
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001, args });
      const bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002 });
      clis.push(alice, bob);
      await alice.waitFor(found(bob.id, 'Bob'), FIND_MS, 'Alice finds Bob');
      const mallory = await startMdnsTool(network, network.host(2), 'forge');
      const cpuBefore = cpuMsOf(alice.pid);
      const startedAt = Date.now();
      const flood = await mallory.command({ op: 'flood', flood: { count: 1000, ip: 'foreign', portBase: 20_000, spreadMs: 2000 } }, 60_000);
      // Let the last packets be read.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const wallMs = Date.now() - startedAt;
      const cpuMs = cpuMsOf(alice.pid) - cpuBefore;
      const listed = await alice.peers();
      assert.ok(listed.length <= 50, `list of ${listed.length} within --max-peers 50`);
      const real = listed.find((p) => p.address === bob.id);
      assert.deepEqual([real?.name, real?.verified], ['Bob', true], 'the verified peer is kept');
      const discovered = alice.events.filter((e) => e.type === 'discovered').length;
      assert.ok(discovered > 50, `the flood did arrive (${discovered} discovered events)`);
      assert.ok(cpuMs < wallMs, `Alice used ${cpuMs} ms of CPU in ${wallMs} ms (flood: ${String(flood.packets)} packets in ${Number(flood.ms).toFixed(0)} ms)`);
      alice.write('/send Bob still here');
      await bob.waitFor((e) => e.type === 'message' && e.text === 'still here', 5000, 'the chat goes on');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('malformed and hostile packets are rejected with a reason (JSON escapes them) and the chat goes on', { timeout: 120_000 }, async () => {
    const network = TestNetwork.lan(2);
    const clis: LanCli[] = [];
    try {
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001 });
      clis.push(alice);
      const mallory = await startMdnsTool(network, network.host(1), 'forge');
      const service = (tag: string, txt: string[]) => [
        { name: '_p2pchat._tcp.local', type: 'PTR', ttl: 60, data: `${tag}._p2pchat._tcp.local` },
        { name: `${tag}._p2pchat._tcp.local`, type: 'SRV', ttl: 60, data: { port: 7000, target: 'x.local' } },
        { name: `${tag}._p2pchat._tcp.local`, type: 'TXT', ttl: 60, data: txt },
      ];
      const cases: [string, () => Promise<unknown>, string][] = [
        ['text bytes', () => mallory.command({ op: 'raw', hex: Buffer.from('not dns at all').toString('hex') }), 'malformed'],
        ['control characters', () => mallory.command({ op: 'send', packet: { answers: service('ctl', ['v=1', 'name=Eve\u001b]0;pwned\u0007', 'ip=192.0.2.2']) } }), 'bad-name'],
        ['a 10 KB name', () => mallory.command({ op: 'send', packet: { answers: service('huge', ['v=1', 'ip=192.0.2.2', ...Array.from({ length: 40 }, () => `name=${'N'.repeat(245)}`)]) } }), 'bad-name'],
        ['no ip', () => mallory.command({ op: 'send', packet: { answers: service('noip', ['v=1', 'name=Eve']) } }), 'missing-field'],
      ];
      for (const [what, send, reason] of cases) {
        const from = alice.events.length;
        await send();
        const event = await alice.waitForAfter(from, (e) => e.type === 'rejected' && e.via === 'mdns', 5000, what);
        assert.equal(event.reason, reason, `${what}: ${JSON.stringify(event)}`);
        assert.ok(String(event.detail).length < 300, `${what}: bounded detail`);
      }
      assert.deepEqual(await alice.peers(), [], 'nothing added');
      assert.equal(alice.events.filter((e) => e.type === 'unparsable').length, 0, 'every line stays JSON');
      assert.equal(alice.child.exitCode, null, 'alive');
      await mallory.command({ op: 'send', packet: { answers: service('fine', ['v=1', 'name=Dave', 'ip=192.0.2.2']) } });
      await alice.waitFor(found('192.0.2.2:7000', 'Dave'), 5000, 'a good announcement afterwards');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });

  it('UDP 5353 held by another program: one warning, the chat goes on', { timeout: 60_000 }, async () => {
    const network = TestNetwork.lan(2);
    const clis: LanCli[] = [];
    try {
      await startMdnsTool(network, network.host(0), 'block');
      const alice = await startLanCli(network, { name: 'Alice', host: 0, port: 5001 });
      const bob = await startLanCli(network, { name: 'Bob', host: 1, port: 5002, args: [] });
      clis.push(alice, bob);
      const warning = await alice.waitFor((e) => e.type === 'warning', 5000, 'the warning');
      assert.match(String(warning.message), /LAN discovery is off: UDP 5353/);
      alice.write(`/send ${bob.id} plain chat still works`);
      await bob.waitFor((e) => e.type === 'message' && e.text === 'plain chat still works', 5000, 'the chat goes on');
      assert.equal(alice.events.filter((e) => e.type === 'warning').length, 1, 'one warning');
    } finally {
      await quitAll(clis);
      network.destroy();
    }
  });
});
