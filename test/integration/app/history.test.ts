/**
 * The history, end to end: the BUILT CLI with real SQLite files in a data
 * home of the test's own (XDG_DATA_HOME), real loopback sockets between real
 * processes. Every process and folder is removed after the test.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { freshDataHome } from '../../helpers/data-home.js';
import { runCli, startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../../helpers/headless-peer.js';
import { tempFolder } from '../../helpers/store-files.js';

const LOOPBACK = ['--ip', '127.0.0.1', '--host', '127.0.0.1'];
const peers: HeadlessPeer[] = [];
const cleanups: Array<() => unknown> = [];
after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function peer(name: string, args: string[] = [], home = freshDataHome()): Promise<HeadlessPeer> {
  const started = await startHeadlessPeer({ name, args, env: { XDG_DATA_HOME: home } });
  peers.push(started);
  return started;
}

function historyOf(event: JsonEvent): Array<Record<string, unknown>> {
  return event.messages as Array<Record<string, unknown>>;
}

/** Raw loopback listeners that count the lines they get (one message per connection). */
async function listeners(count: number): Promise<{ ports: number[]; lines: Map<number, string[]>; close: () => void }> {
  const servers: net.Server[] = [];
  const lines = new Map<number, string[]>();
  for (let i = 0; i < count; i += 1) {
    const server = net.createServer((socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('error', () => undefined);
      socket.on('end', () => {
        lines.get((server.address() as net.AddressInfo).port)?.push(text.trim());
        socket.end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    lines.set((server.address() as net.AddressInfo).port, []);
    servers.push(server);
  }
  return { ports: servers.map((s) => (s.address() as net.AddressInfo).port), lines, close: () => servers.forEach((s) => s.close()) };
}

describe('history through the CLI', () => {
  it('keeps messages across a restart in $XDG_DATA_HOME/p2pchat/history-<port>.db (0700/0600); /history and /search answer in JSON and text; known peers come back', async () => {
    const home = freshDataHome();
    const alice = await peer('Alice', [], home);
    const bob = await peer('Bob');
    const A = `127.0.0.1:${alice.port}`;
    const B = `127.0.0.1:${bob.port}`;
    bob.command(`/send ${A} the blue kettle is on`);
    bob.command(`/send ${A} second line from Bob`);
    await alice.waitForCount((e) => e.type === 'message' && e.kind === 'chat', 2);
    alice.command(`/send ${B} thanks for the kettle`);
    await alice.waitFor((e) => e.type === 'sent');
    assert.equal(await alice.quit(), 0);

    const file = path.join(home, 'p2pchat', `history-${alice.port}.db`);
    assert.ok(fs.existsSync(file), `no history at ${file}: ${fs.readdirSync(home).join(', ')}`);
    assert.equal(fs.statSync(path.join(home, 'p2pchat')).mode & 0o777, 0o700);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);

    const again = await peer('Alice', ['--port', String(alice.port)], home);
    again.command('/history');
    const all = historyOf(await again.waitFor((e) => e.type === 'history'));
    const chats = all.filter((m) => m.kind === 'chat');
    assert.deepEqual(
      chats.map((m) => [m.direction, m.peer, m.name, m.text, m.status]),
      [
        ['in', B, 'Bob', 'the blue kettle is on', 'received'],
        ['in', B, 'Bob', 'second line from Bob', 'received'],
        ['out', B, 'Bob', 'thanks for the kettle', 'sent'],
      ],
    );
    for (const m of all) {
      assert.deepEqual(Object.keys(m).sort(), ['at', 'direction', 'id', 'kind', 'name', 'peer', 'status', 'text']);
      assert.ok(!Number.isNaN(Date.parse(String(m.at))));
    }
    again.command('/search kettle');
    const found = historyOf(await again.waitFor((e) => e.type === 'history' && historyOf(e).length === 2, 10_000));
    assert.deepEqual(found.map((m) => m.text), ['the blue kettle is on', 'thanks for the kettle']);
    // Control words are history too: the last two with Bob are our line and the exit of the quit.
    again.command('/history Bob 2');
    const last = await again.waitForCount((e) => e.type === 'history', 3);
    assert.deepEqual(historyOf(last[2] as JsonEvent).map((m) => [m.kind, m.direction, m.text]), [['chat', 'out', 'thanks for the kettle'], ['exit', 'out', 'exit']]);
    again.command('/search nothing-like-this');
    const none = await again.waitForCount((e) => e.type === 'history', 4);
    assert.deepEqual(historyOf(none[3] as JsonEvent), []);
    // Known from the last run: in the list before Bob spoke again, with when he was last heard.
    again.command('/peers');
    const list = (await again.waitFor((e) => e.type === 'peers')).peers as Array<Record<string, unknown>>;
    assert.deepEqual(list.map((p) => [p.address, p.name, p.verified, p.messages]), [[B, 'Bob', false, 0]]);
    assert.ok(Date.parse(String(list[0]?.lastSeen)) < Date.now() - 0 && Date.parse(String(list[0]?.lastSeen)) > Date.now() - 120_000);
    assert.equal(await again.quit(), 0);

    // Text mode: readable lines, the peer marked known; /forget removes it from the store too.
    const text = await runCli(['--name', 'Alice', '--port', String(alice.port), ...LOOPBACK], {
      env: { XDG_DATA_HOME: home },
      input: '/history\n/search kettle\n/peers\n/forget Bob\n',
    });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /— the last 50: \d+ messages —/);
    assert.match(text.stdout, /\[\d\d:\d\d:\d\d\] Bob: the blue kettle is on/);
    assert.match(text.stdout, /\[\d\d:\d\d:\d\d\] → Bob: thanks for the kettle/);
    assert.match(text.stdout, /— matching "kettle": 2 messages —/);
    assert.match(text.stdout, new RegExp(`${B.replace(/\./g, '\\.')}.*Bob.*known`));
    assert.match(text.stdout, /Forgot Bob/);
    const forgotten = await runCli(['--name', 'Alice', '--port', String(alice.port), ...LOOPBACK], { env: { XDG_DATA_HOME: home }, input: '/peers\n' });
    assert.match(forgotten.stdout, /No active peers/, forgotten.stdout);
  });

  it('--rejoin greets only the verified peers heard in the last 7 days; without it nobody is greeted', async () => {
    const temp = tempFolder('p2pchat-rejoin-');
    cleanups.push(temp.remove);
    const sinks = await listeners(3);
    cleanups.push(sinks.close);
    const [recent, unverified, old] = sinks.ports as [number, number, number];
    const file = path.join(temp.dir, 'history.db');
    const store = SqliteStore.open(file);
    const now = Date.now();
    store.rememberPeer({ id: `127.0.0.1:${recent}`, name: 'Recent', verified: true, lastSeen: now - 60 * 60 * 1000 });
    store.rememberPeer({ id: `127.0.0.1:${unverified}`, name: 'Unsure', verified: false, lastSeen: now - 60 * 1000 });
    store.rememberPeer({ id: `127.0.0.1:${old}`, name: 'Old', verified: true, lastSeen: now - 8 * 24 * 60 * 60 * 1000 });
    store.close();

    const quiet = await peer('Alice', ['--history', file]);
    quiet.command('/peers');
    const known = (await quiet.waitFor((e) => e.type === 'peers')).peers as Array<Record<string, unknown>>;
    assert.equal(known.length, 3, JSON.stringify(known));
    assert.equal(await quiet.quit(), 0);
    const hellos = (port: number): number => (sinks.lines.get(port) ?? []).filter((line) => line.endsWith(' hello')).length;
    assert.deepEqual([hellos(recent), hellos(unverified), hellos(old)], [0, 0, 0]);

    const rejoin = await peer('Alice', ['--history', file, '--rejoin']);
    // The first command waits for the rejoin greeting, as for --peer.
    rejoin.command('/peers');
    await rejoin.waitFor((e) => e.type === 'peers');
    const greeted = rejoin.events.filter((e) => e.type === 'sent' || e.type === 'send-failed');
    assert.deepEqual(greeted.map((e) => [e.type, e.to]), [['sent', `127.0.0.1:${recent}`]]);
    assert.equal(await rejoin.quit(), 0);
    assert.deepEqual([hellos(recent), hellos(unverified), hellos(old)], [1, 0, 0], JSON.stringify([...sinks.lines]));
  });

  it('--no-history writes nothing, yet /history answers for this run', async () => {
    const home = freshDataHome();
    const alice = await peer('Alice', ['--no-history'], home);
    const bob = await peer('Bob');
    bob.command(`/send 127.0.0.1:${alice.port} only in memory`);
    await alice.waitFor((e) => e.type === 'message');
    alice.command('/history');
    const answer = historyOf(await alice.waitFor((e) => e.type === 'history'));
    assert.deepEqual(answer.filter((m) => m.kind === 'chat').map((m) => m.text), ['only in memory']);
    assert.equal(await alice.quit(), 0);
    // The outbox (issue 13) keeps its own journal there; no history file may be.
    const folder = path.join(home, 'p2pchat');
    assert.deepEqual(fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.startsWith('history-')) : [], []);
    assert.equal(alice.events.filter((e) => e.type === 'warning').length, 0);
  });

  it('a corrupt history file is one warning, the chat goes on memory-only, and the file is left as it was', async () => {
    const temp = tempFolder('p2pchat-corrupt-');
    cleanups.push(temp.remove);
    const file = path.join(temp.dir, 'history.db');
    const garbage = Buffer.from('this is not a database at all '.repeat(200));
    fs.writeFileSync(file, garbage, { mode: 0o600 });
    const alice = await peer('Alice', ['--history', file]);
    const bob = await peer('Bob');
    bob.command(`/send 127.0.0.1:${alice.port} still here`);
    await alice.waitFor((e) => e.type === 'message' && e.text === 'still here');
    alice.command('/history');
    const answer = historyOf(await alice.waitFor((e) => e.type === 'history'));
    assert.deepEqual(answer.filter((m) => m.kind === 'chat').map((m) => m.text), ['still here']);
    assert.equal(await alice.quit(), 0);
    const warnings = alice.events.filter((e) => e.type === 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(String(warnings[0]?.message), /memory only/);
    assert.ok(fs.readFileSync(file).equals(garbage), 'the corrupt file was changed');
  });

  it('a second p2pchat on the same --history file (another port) is told it is in use, once, and runs memory-only', async () => {
    const temp = tempFolder('p2pchat-locked-');
    cleanups.push(temp.remove);
    const file = path.join(temp.dir, 'shared.db');
    const first = await peer('First', ['--history', file]);
    const second = await peer('Second', ['--history', file]);
    const bob = await peer('Bob');
    bob.command(`/send 127.0.0.1:${second.port} to the second`);
    await second.waitFor((e) => e.type === 'message');
    const warnings = second.events.filter((e) => e.type === 'warning');
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(String(warnings[0]?.message), /in use by another running p2pchat.*memory only/);
    assert.equal(first.events.filter((e) => e.type === 'warning').length, 0);
    assert.equal(await second.quit(), 0);
    assert.equal(await first.quit(), 0);
    // The first kept the file: the second's message is not in it.
    const store = SqliteStore.open(file);
    try {
      assert.deepEqual(store.query({ words: 'second' }), []);
    } finally {
      store.close();
    }
  });
});
