/**
 * Rooms through the built CLI (`--json`): p2pchat processes inside one
 * loopback-only namespace, found through a local hyperdht testnet there
 * (RoomLab), never the public bootstrap nodes. Every child is killed and the
 * namespace deleted in `finally`; every wait is bounded and says what it saw.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { exitWithin } from '../helpers/child.js';
import { CLI, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { RoomLab } from '../helpers/room.js';
import { startRoomCli, type RoomCliOptions } from '../helpers/room-cli.js';
import { withTestDataHome } from '../helpers/data-home.js';

const JOIN_MS = 40_000;
const SEND_MS = 20_000;

interface Peer extends HeadlessPeer {
  readonly label: string;
  readonly id: string;
}

async function withLab(fn: (lab: RoomLab, start: (options: RoomCliOptions) => Promise<Peer>) => Promise<void>): Promise<void> {
  const lab = await RoomLab.start();
  const started: HeadlessPeer[] = [];
  const start = async (options: RoomCliOptions): Promise<Peer> => {
    const peer = await startRoomCli(lab, options);
    started.push(peer);
    const room = (options.rooms ?? ['lobby']).length === 0 ? undefined : await peer.waitFor((e) => e.type === 'room', 10_000);
    return Object.assign(peer, { label: options.name, id: (room?.id as string | undefined) ?? `127.0.0.1:${peer.port}` });
  };
  try {
    await fn(lab, start);
  } finally {
    await Promise.all(started.map((peer) => peer.stop()));
    await lab.destroy();
  }
}

const joined = (id: string) => (e: JsonEvent) => e.type === 'joined' && e.peer === id;
const left = (id: string) => (e: JsonEvent) => e.type === 'left' && e.peer === id;
const message = (text: string) => (e: JsonEvent) => e.type === 'message' && e.text === text;
const sentTo = (to: string, text: string) => (e: JsonEvent) => (e.type === 'sent' || e.type === 'send-failed') && e.to === to && e.text === text;

async function meshed(peers: readonly Peer[]): Promise<void> {
  for (const a of peers) for (const b of peers) if (a !== b) await a.waitFor(joined(b.id), JOIN_MS, `${a.label} sees ${b.label} join`);
}

/** `/send` by an 8-hex prefix; resolves with the `sent` event, which must say delivered. */
async function sendDelivered(from: Peer, to: Peer, text: string): Promise<JsonEvent> {
  from.command(`/send ${to.id.slice(0, 9)} ${text}`);
  const sent = await from.waitFor(sentTo(to.id, text), SEND_MS);
  assert.equal(sent.type, 'sent', JSON.stringify(sent));
  assert.equal(sent.delivered, true, JSON.stringify(sent));
  return sent;
}

describe('rooms through the CLI, on a local testnet', { timeout: 300_000 }, () => {
  it('two peers join a room, see each other join, and chat both ways with delivered statuses', async () => {
    await withLab(async (_lab, start) => {
      const [alice, bob] = await Promise.all([start({ name: 'Alice' }), start({ name: 'Bob' })]);
      assert.match(alice.id, /^@[0-9a-f]{64}$/);
      assert.notEqual(alice.id, bob.id);
      assert.deepEqual(alice.events.find((e) => e.type === 'room'), { type: 'room', room: 'lobby', id: alice.id });
      await meshed([alice, bob]);
      assert.deepEqual(alice.events.find(joined(bob.id)), { type: 'joined', peer: bob.id, name: 'Bob', room: 'lobby' });

      await sendDelivered(alice, bob, 'hello Bob over the room');
      const got = await bob.waitFor(message('hello Bob over the room'), SEND_MS);
      assert.deepEqual([got.from, got.name, got.kind, got.verified, got.remote], [alice.id, 'Alice', 'chat', true, 'room:lobby']);
      await sendDelivered(bob, alice, 'hi Alice');
      await alice.waitFor(message('hi Alice'), SEND_MS);

      // /connect by prefix: the control word over the room, acknowledged.
      alice.command(`/connect ${bob.id.slice(0, 12).toUpperCase()}`);
      const connect = await alice.waitFor((e) => (e.type === 'sent' || e.type === 'send-failed') && e.to === bob.id && e.text === 'connect', SEND_MS);
      assert.equal(connect.delivered, true, JSON.stringify(connect));
      await bob.waitFor((e) => e.type === 'message' && e.from === alice.id && e.kind === 'connect', SEND_MS);
      // By name too; the list shows the room peer as verified with its source.
      alice.command('/send Bob by name');
      assert.equal((await alice.waitFor(sentTo(bob.id, 'by name'), SEND_MS)).delivered, true);
      alice.command('/peers');
      const list = await alice.waitFor((e) => e.type === 'peers', 10_000);
      assert.deepEqual(list.peers, [
        { ...(list.peers as Record<string, unknown>[])[0], address: bob.id, name: 'Bob', verified: true, source: 'room:lobby' },
      ]);
      // A prefix that is too short is not a guess.
      alice.command(`/send ${bob.id.slice(0, 5)} nope`);
      await alice.waitFor((e) => e.type === 'error', 10_000);
      assert.equal(bob.events.filter((e) => e.type === 'message' && e.text === 'nope').length, 0);
    });
  });

  it('three peers: everyone reaches everyone; quit tells the others exit and they see left', async () => {
    await withLab(async (_lab, start) => {
      const peers = await Promise.all(['Ann', 'Ben', 'Cat'].map((name) => start({ name })));
      const [ann, ben, cat] = peers as [Peer, Peer, Peer];
      await meshed(peers);
      for (const from of peers) {
        for (const to of peers) {
          if (from === to) continue;
          const text = `${from.label} to ${to.label}`;
          await sendDelivered(from, to, text);
          const got = await to.waitFor(message(text), SEND_MS);
          assert.equal(got.from, from.id);
        }
      }
      assert.equal(await cat.quit(20_000), 0);
      const exit = cat.events.find((e) => e.type === 'exit');
      assert.deepEqual([exit?.notified, exit?.failed], [2, 0], JSON.stringify(exit));
      for (const other of [ann, ben]) {
        const bye = await other.waitFor((e) => e.type === 'message' && e.from === cat.id && e.kind === 'exit', SEND_MS);
        assert.equal(bye.name, 'Cat');
        await other.waitFor(left(cat.id), SEND_MS);
      }
      // The two left still talk.
      await sendDelivered(ann, ben, 'still here');
    });
  });

  it('/all reaches a room peer and a plain TCP peer from one node; TCP stays sent, the room says delivered', async () => {
    await withLab(async (_lab, start) => {
      const [alice, bob] = await Promise.all([start({ name: 'Alice' }), start({ name: 'Bob' })]);
      const tcp = await start({ name: 'Tess', rooms: [] });
      await meshed([alice, bob]);
      alice.command(`/connect 127.0.0.1:${tcp.port}`);
      const connected = await alice.waitFor((e) => (e.type === 'sent' || e.type === 'send-failed') && e.to === tcp.id, SEND_MS);
      assert.equal(connected.type, 'sent', JSON.stringify(connected));
      assert.equal(connected.delivered, undefined, 'plain TCP cannot prove delivery');
      alice.command('/all to everyone');
      const summary = await alice.waitFor((e) => e.type === 'broadcast', SEND_MS);
      assert.deepEqual([summary.sent, summary.failed], [2, 0], JSON.stringify(summary));
      assert.equal((await alice.waitFor(sentTo(bob.id, 'to everyone'), 1000)).delivered, true);
      assert.equal((await alice.waitFor(sentTo(tcp.id, 'to everyone'), 1000)).delivered, undefined);
      await bob.waitFor(message('to everyone'), SEND_MS);
      const plain = await tcp.waitFor(message('to everyone'), SEND_MS);
      assert.equal(plain.name, 'Alice');
      // A room peer's key never leaks onto the plain protocol.
      assert.equal(tcp.events.some((e) => JSON.stringify(e).includes(alice.id.slice(1))), false);
    });
  });

  it('a restarted peer keeps its identity and is recognised by the others', async () => {
    await withLab(async (lab, start) => {
      const [alice, bob] = await Promise.all([start({ name: 'Alice' }), start({ name: 'Bob' })]);
      await meshed([alice, bob]);
      const mode = fs.statSync(lab.identityFile('Bob')).mode & 0o777;
      assert.equal(mode, 0o600);
      assert.equal(await bob.quit(20_000), 0);
      await alice.waitFor(left(bob.id), SEND_MS);
      const again = await start({ name: 'Bob' });
      assert.equal(again.id, bob.id, 'the same identity file gives the same id');
      await alice.waitForCount(joined(bob.id), 2, JOIN_MS);
      await sendDelivered(alice, again, 'welcome back');
      await again.waitFor(message('welcome back'), SEND_MS);
      alice.command('/peers');
      const list = await alice.waitFor((e) => e.type === 'peers', 10_000);
      assert.equal((list.peers as unknown[]).length, 1, 'one entry for Bob, not two');
    });
  });

  it('a damaged identity file is a one-line start-up error (exit 1), and changes nothing', async () => {
    await withLab(async (lab) => {
      const file = lab.identityFile('Broken');
      const damaged = '{"type":"p2pchat-identity","version":1}\n';
      fs.writeFileSync(file, damaged, { mode: 0o600 });
      const child = lab.network.spawn(lab.network.host(0), process.execPath, [CLI, '--json', '--name', 'Broken', '--port', 'auto', '--room', 'lobby', '--dht-bootstrap', lab.bootstrap.join(','), '--identity', file], { env: { ...process.env, ...withTestDataHome() } });
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await exitWithin(child, new Promise((resolve) => child.once('exit', resolve)), 15_000);
      assert.equal(code, 1, `stdout: ${stdout}\nstderr: ${stderr}`);
      const lines = `${stdout}${stderr}`.trim().split('\n');
      assert.equal(lines.length, 1, `one line: ${stdout}${stderr}`);
      assert.match(lines[0] as string, /not a usable p2pchat identity: "seed" is not 64 lower-case hex digits/);
      assert.equal(fs.readFileSync(file, 'utf8'), damaged);
    });
  });
});
