/** The built CLI, spawned as child processes, driven through stdin commands and JSON events. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startHeadlessPeer, type HeadlessPeer } from '../../helpers/headless-peer.js';
import { closedPort } from '../../helpers/net.js';

const peers: HeadlessPeer[] = [];
after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
});

async function peer(name: string, args: string[] = []): Promise<HeadlessPeer> {
  const p = await startHeadlessPeer({ name, args });
  peers.push(p);
  return p;
}

describe('two headless p2pchat processes', () => {
  it('exchange messages, connect, list peers and exit', async () => {
    const alice = await peer('Alice');
    const bob = await peer('Bob');
    const A = `127.0.0.1:${alice.port}`;
    const B = `127.0.0.1:${bob.port}`;

    alice.command(`/send ${B} Hello there, Bob!`);
    const sent = await alice.waitFor((e) => e.type === 'sent');
    assert.deepEqual([sent.to, sent.text, sent.line], [B, 'Hello there, Bob!', `${A} Alice Hello there, Bob!`]);
    const got = await bob.waitFor((e) => e.type === 'message');
    assert.deepEqual([got.kind, got.from, got.name, got.text], ['chat', A, 'Alice', 'Hello there, Bob!']);
    assert.match(String(got.remote), /^127\.0\.0\.1:\d+$/);
    assert.ok(!Number.isNaN(Date.parse(String(got.at))));

    bob.command(`/send ${A} hi Alice`);
    const back = await alice.waitFor((e) => e.type === 'message');
    assert.deepEqual([back.from, back.name, back.text], [B, 'Bob', 'hi Alice']);

    bob.command(`/connect ${A}`);
    const connect = await alice.waitFor((e) => e.type === 'message' && e.kind === 'connect');
    assert.equal(connect.change, 'connected');
    alice.command('/peers');
    const list = await alice.waitFor((e) => e.type === 'peers');
    const entries = list.peers as Array<Record<string, unknown>>;
    assert.equal(entries.length, 1);
    assert.deepEqual([entries[0]?.address, entries[0]?.name, entries[0]?.connected, entries[0]?.messages], [B, 'Bob', true, 2]);

    assert.equal(await alice.quit(), 0);
    const exit = alice.events.at(-1);
    assert.deepEqual(exit, { type: 'exit', notified: 1, failed: 0 });
    const bye = await bob.waitFor((e) => e.type === 'message' && e.kind === 'exit');
    assert.equal(bye.change, 'removed');
    bob.command('/peers');
    const after = await bob.waitFor((e) => e.type === 'peers');
    assert.deepEqual(after.peers, []);
  });

  it('reports a bad command and goes on; end of stdin means quit', async () => {
    const carol = await peer('Carol');
    carol.command('/nonsense');
    const error = await carol.waitFor((e) => e.type === 'error');
    assert.match(String(error.message), /unknown command/);
    carol.command('/send 127.0.0.1:0 hi');
    assert.match(String((await carol.waitForCount((e) => e.type === 'error', 2))[1]?.message), /port 0/);
    carol.command('/peers');
    await carol.waitFor((e) => e.type === 'peers');
    carol.child.stdin.end();
    assert.equal(await carol.exited, 0);
    assert.deepEqual(carol.events.at(-1), { type: 'exit', notified: 0, failed: 0 });
  });

  it('reports a send to a peer that is away in plain words, and queues it (issue 13)', async () => {
    const port = await closedPort();
    const dave = await peer('Dave', ['--timeout', '2000']);
    dave.command(`/send 127.0.0.1:${port} anyone there?`);
    const failed = await dave.waitFor((e) => e.type === 'queued');
    assert.deepEqual([failed.to, failed.text, failed.failure], [`127.0.0.1:${port}`, 'anyone there?', 'refused']);
    assert.match(String(failed.error), /refused/);
  });

  it('greets bootstrap peers with hello and writes every message to --log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-log-'));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const logFile = path.join(dir, 'chat.jsonl');
    const bob = await peer('Bob', ['--log', logFile]);
    const erin = await peer('Erin', ['--peer', `127.0.0.1:${bob.port}`]);
    const hello = await bob.waitFor((e) => e.type === 'message' && e.kind === 'hello');
    assert.equal(hello.from, `127.0.0.1:${erin.port}`);
    bob.command(`/send 127.0.0.1:${erin.port} welcome`);
    await bob.waitFor((e) => e.type === 'sent');
    assert.equal(await bob.quit(), 0);
    const records = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => [r.direction, r.kind ?? null, r.text]),
      [
        ['in', 'hello', 'hello'],
        ['out', 'chat', 'welcome'],
        ['out', 'exit', 'exit'],
      ],
    );
  });
});

describe('bad flags exit non-zero with one line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['port 0', ['--name', 'A', '--port', '0', '--json'], /port 0 is outside 1\.\.65535/],
    ['port 70000', ['--name', 'A', '--port', '70000', '--json'], /port 70000 is outside 1\.\.65535/],
    ['port not a number', ['--name', 'A', '--port', 'abc', '--json'], /port "abc" is not a number/],
    ['name with a space', ['--name', 'Al ice', '--port', '5000', '--json'], /name "Al ice" is not valid: it contains a space/],
    ['peer not ip:port', ['--name', 'A', '--port', '5000', '--peer', 'localhost', '--json'], /peer "localhost" is not ip:port/],
    ['bad --ip', ['--name', 'A', '--port', '5000', '--ip', 'me', '--json'], /"me" is not an IP address/],
    ['bad --verify', ['--name', 'A', '--port', '5000', '--verify', 'maybe', '--json'], /maybe.*Allowed choices are off, warn, strict/],
    ['unknown flag', ['--name', 'A', '--port', '5000', '--colour'], /unknown option '--colour'/],
    ['missing --name without a terminal', ['--port', '5000', '--json'], /--name is required when stdin is not a terminal/],
    ['missing --port without a terminal', ['--name', 'A'], /--port is required when stdin is not a terminal/],
  ];
  for (const [title, args, pattern] of cases) {
    it(title, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', /^p2pchat: /);
      assert.match(lines[0] ?? '', pattern);
    });
  }

  it('port already in use exits 1 and says so', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    after(() => server.close());
    const { port } = server.address() as net.AddressInfo;
    const result = await runCli(['--name', 'A', '--port', String(port), '--host', '127.0.0.1', '--json']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `p2pchat: port ${port} is already in use on 127.0.0.1; choose another with --port\n`);
    assert.equal(result.stdout, '');
  });

  it('--version and --help exit 0', async () => {
    const version = await runCli(['--version']);
    assert.equal(version.code, 0);
    const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--name', '--port', '--host', '--ip', '--peer', '--timeout', '--log', '--json', '--no-color', '--verify']) {
      assert.ok(help.stdout.includes(flag), `--help lists ${flag}`);
    }
  });
});
