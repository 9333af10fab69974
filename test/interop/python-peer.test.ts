/**
 * p2pchat (the built CLI, headless) and the reference peer in the original's
 * style (seed_peer.py), both ways: chat lines, connect, exit, and a message
 * longer than the original's single recv(1024).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { hasPython, printedLine, startSeedPeer, type SeedPeer } from './seed-peer.js';

const skip = hasPython() ? false : 'python3 is not installed: the interop tests with the reference Python peer are skipped';

const children: Array<HeadlessPeer | SeedPeer> = [];
after(async () => {
  await Promise.all(children.map((c) => c.stop()));
});

async function p2pchat(name: string): Promise<HeadlessPeer> {
  const peer = await startHeadlessPeer({ name });
  children.push(peer);
  return peer;
}

async function seed(name = 'Seed'): Promise<SeedPeer> {
  const peer = await startSeedPeer({ name });
  children.push(peer);
  return peer;
}

/** The reference peer's server thread dies for good on input it cannot parse; it must not have. */
function assertAlive(peer: SeedPeer): void {
  assert.doesNotMatch(peer.stderr(), /Traceback|Exception/, `the reference peer crashed: ${peer.stderr()}`);
}

describe('p2pchat -> reference Python peer', { skip }, () => {
  it('a chat line, connect and exit arrive and have the effect they have between original peers', async () => {
    const py = await seed();
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const S = `127.0.0.1:${py.port}`;

    alice.command(`/send ${S} Hello there,  Seed! ünïcödé ✓`);
    const sent = await alice.waitFor((e) => e.type === 'sent');
    assert.equal(sent.line, `${A} Alice Hello there,  Seed! ünïcödé ✓`);
    await py.waitForOutput(printedLine(`${A} Alice Hello there,  Seed! ünïcödé ✓`));
    assert.deepEqual(await py.peers(), [{ address: A, name: 'Alice', connected: false }]);

    alice.command(`/connect ${S}`);
    await py.waitForOutput(printedLine(`Connected to peer ${A} (Alice)`));
    assert.deepEqual(await py.peers(), [{ address: A, name: 'Alice', connected: true }]);

    assert.equal(await alice.quit(), 0);
    assert.deepEqual(alice.events.at(-1), { type: 'exit', notified: 1, failed: 0 });
    await py.waitForOutput(printedLine(`Peer ${A} (Alice) disconnected`));
    assert.deepEqual(await py.peers(), []);
    assertAlive(py);
  });
});

describe('reference Python peer -> p2pchat', { skip }, () => {
  it('its messages arrive as message events, its connect marks it connected, its exit removes it', async () => {
    const bob = await p2pchat('Bob');
    const py = await seed('Seed');
    const B = `127.0.0.1:${bob.port}`;
    const S = `127.0.0.1:${py.port}`;

    assert.equal(await py.send('127.0.0.1', bob.port, 'hi Bob, from   Python ✓'), `Sent to ${B}: ${S} Seed hi Bob, from   Python ✓`);
    const got = await bob.waitFor((e) => e.type === 'message');
    assert.deepEqual(
      [got.kind, got.from, got.name, got.text, got.verified, got.change],
      ['chat', S, 'Seed', 'hi Bob, from   Python ✓', true, 'added'],
    );

    assert.match(await py.connect('127.0.0.1', bob.port), /^Sent to /);
    const connect = await bob.waitFor((e) => e.type === 'message' && e.kind === 'connect');
    assert.deepEqual([connect.from, connect.name, connect.change], [S, 'Seed', 'connected']);
    bob.command('/peers');
    const list = await bob.waitFor((e) => e.type === 'peers');
    const entries = list.peers as Array<Record<string, unknown>>;
    assert.deepEqual(
      entries.map((p) => [p.address, p.name, p.connected]),
      [[S, 'Seed', true]],
    );

    // Menu 0: the reference peer sends exit to everyone it knows (Bob, whom it sent to).
    assert.equal(await py.quit(), 0);
    assert.match(py.output(), printedLine(`Sent to ${B}: ${S} Seed exit`));
    const bye = await bob.waitFor((e) => e.type === 'message' && e.kind === 'exit');
    assert.deepEqual([bye.from, bye.name, bye.change], [S, 'Seed', 'removed']);
    bob.command('/peers');
    const afterExit = await bob.waitForCount((e) => e.type === 'peers', 2);
    assert.deepEqual(afterExit[1]?.peers, []);
    assert.equal(bob.events.filter((e) => e.type === 'rejected' || e.type === 'dropped').length, 0);
  });
});

describe('a 1,500-byte message to the reference Python peer', { skip }, () => {
  it('goes out in parts of at most 1024 bytes, cut at whitespace: the reference peer shows every word', async () => {
    const py = await seed();
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const S = `127.0.0.1:${py.port}`;
    // 1,500 bytes of numbered words, so every position is recognisable.
    const words = Array.from({ length: 300 }, (_, i) => `w${String(i).padStart(3, '0')}`);
    const text = words.join(' ');
    assert.ok(Buffer.byteLength(`${A} Alice ${text}`) > 1024);

    alice.command(`/send ${S} ${text}`);
    const sent = await alice.waitFor((e) => e.type === 'sent' || e.type === 'send-failed');
    assert.equal(sent.type, 'sent', JSON.stringify(sent));
    const lines = sent.lines as string[];
    assert.equal(sent.parts, lines.length);
    assert.ok(lines.length >= 2);
    for (const line of lines) assert.ok(Buffer.byteLength(line) <= 1024, `${Buffer.byteLength(line)} bytes`);

    // The original design reads one recv(1024) per connection: each part whole.
    for (const line of lines) await py.waitForOutput(printedLine(line));
    const bodies = lines.map((line) => line.slice(`${A} Alice `.length));
    assert.equal(bodies.join(' '), text, 'the parts joined at their cuts are the text');
    assertAlive(py);

    // A short message afterwards still gets through: nothing is left behind on either side.
    alice.command(`/send ${S} still here`);
    await py.waitForOutput(printedLine(`${A} Alice still here`));
    assert.deepEqual(await py.peers(), [{ address: A, name: 'Alice', connected: false }]);
  });
});

describe('a multi-byte character across byte 1024', { skip }, () => {
  // PROTOCOL.md: the original's receiver dies for good on a character cut at byte 1024,
  // so p2pchat never sends one: the line is split before that character.
  it('is split before the character, every byte arrives, and the reference peer keeps receiving', async () => {
    const py = await seed();
    const alice = await p2pchat('Alice');
    const A = `127.0.0.1:${alice.port}`;
    const S = `127.0.0.1:${py.port}`;
    const prefix = `${A} Alice `;
    // 'é' is two bytes: its first at offset 1023, its second at 1024, past the original's read.
    const text = `${'a'.repeat(1023 - Buffer.byteLength(prefix))}é${'b'.repeat(10)}`;
    assert.equal(Buffer.byteLength(`${prefix}${text}`.slice(0, prefix.length + text.indexOf('é'))), 1023);

    alice.command(`/send ${S} ${text}`);
    const sent = await alice.waitFor((e) => e.type === 'sent' || e.type === 'send-failed');
    assert.equal(sent.type, 'sent', JSON.stringify(sent));
    const lines = sent.lines as string[];
    assert.equal(lines.map((line) => line.slice(prefix.length)).join(''), text, 'no space inside the word: the parts concatenate to it');
    for (const line of lines) await py.waitForOutput(printedLine(line), { timeoutMs: 3000 });
    alice.command(`/send ${S} still here`);
    await py.waitForOutput(printedLine(`${A} Alice still here`), { timeoutMs: 3000 });
    assertAlive(py);
  });
});
