/**
 * The interactive terminal, end to end: the BUILT CLI in a real
 * pseudo-terminal, talking over real loopback sockets to a second real peer
 * (the headless CLI). Each test bounds its waits and kills what it started.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { startBlackholes, type Blackholes } from '../helpers/blackhole.js';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { rawSend } from '../helpers/net.js';
import { KEYS, spawnCliInPty, type PtySession } from '../helpers/pty.js';

const LOOPBACK = ['--ip', '127.0.0.1', '--host', '127.0.0.1'];

const sessions: PtySession[] = [];
const peers: HeadlessPeer[] = [];
const servers: net.Server[] = [];
const blackholes: Blackholes[] = [];
after(async () => {
  await Promise.all([...sessions.map((s) => s.kill()), ...peers.map((p) => p.stop()), ...blackholes.map((b) => b.close())]);
  for (const server of servers) server.close();
});

function terminal(args: string[]): PtySession {
  const session = spawnCliInPty([...LOOPBACK, ...args]);
  sessions.push(session);
  return session;
}

async function bob(): Promise<HeadlessPeer> {
  const peer = await startHeadlessPeer({ name: 'Bob' });
  peers.push(peer);
  return peer;
}

/** Start Alice in a terminal, knowing Bob (she greets him); resolves with her port. */
async function aliceWith(peer: HeadlessPeer, extra: string[] = []): Promise<{ alice: PtySession; port: number }> {
  const alice = terminal(['--name', 'Alice', '--port', 'auto', '--peer', `127.0.0.1:${peer.port}`, ...extra]);
  const listening = await alice.expectText(/Server listening on 127\.0\.0\.1:(\d+)/);
  await alice.expectText('Choose an option');
  const port = Number(listening[1]);
  await peer.waitFor((e) => e.type === 'message' && e.kind === 'hello' && e.from === `127.0.0.1:${port}`);
  return { alice, port };
}

/** Menu 1, then Enter on the first known peer: resolves once the conversation prompt is open. */
async function openMessagePrompt(alice: PtySession): Promise<void> {
  alice.type(`1${KEYS.enter}`);
  await alice.expectText('? Send to');
  alice.type(KEYS.enter);
  await alice.expectText('›');
}

/** Send raw bytes to a port the test's own CLI opened, as one message; fails the test if the connection fails. */
async function sendRaw(port: number, payload: string): Promise<void> {
  const { error } = await rawSend(port, payload);
  assert.equal(error, undefined, `raw send to ${port}`);
}

describe('interactive terminal (pty)', { timeout: 60_000 }, () => {
  it('asks for name and port at start-up, and asks again after bad answers', async () => {
    const busy = net.createServer();
    servers.push(busy);
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const busyPort = (busy.address() as net.AddressInfo).port;

    const alice = terminal([]);
    await alice.expectText('Enter your name');
    alice.type(`Ali ce${KEYS.enter}`);
    await alice.expectText('contains a space');
    alice.type(`${KEYS.ctrlU}Alice${KEYS.enter}`);
    await alice.expectText('Enter your port number');
    alice.type(`abc${KEYS.enter}`);
    await alice.expectText('is not a number');
    alice.type(`70000${KEYS.enter}`);
    await alice.expectText('outside 1..65535');
    alice.type(`${busyPort}${KEYS.enter}`);
    await alice.expectText(`Port ${busyPort} is already in use`);
    alice.type(`auto${KEYS.enter}`);
    const listening = await alice.expectText(/Server listening on 127\.0\.0\.1:(\d+)/);
    assert.notEqual(Number(listening[1]), busyPort);
    await alice.expectText('1. Send message');
    await alice.expectText('2. Query active peers');
    await alice.expectText('3. Connect to active peers');
    await alice.expectText('0. Quit');
    alice.type(`0${KEYS.enter}`);
    await alice.expectText('Bye. No peers to notify.');
    assert.equal(await alice.expectExit(), 0);
  });

  it('sends from the menu, to a known peer and to a typed address, and the peer receives both', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    const B = `127.0.0.1:${peer.port}`;
    const A = `127.0.0.1:${port}`;

    // Alice greeted Bob; until he speaks she knows only his address.
    alice.type(`1${KEYS.enter}`);
    await alice.expectText(`1. ${B}`);
    alice.type(KEYS.escape);
    await alice.expectText('Choose an option');
    peer.command(`/send ${A} hi Alice`);
    await alice.expectText(`Bob (${B}): hi Alice`);
    alice.type(`1${KEYS.enter}`);
    await alice.expectText('? Send to');
    await alice.expectText(`1. Bob (${B})`);
    alice.type(KEYS.enter);
    await alice.expectText('→ Bob ›');
    alice.type(`Hello Bob, from the menu ✓${KEYS.enter}`);
    await alice.expectText(/\[\d\d:\d\d:\d\d\] → Bob: Hello Bob, from the menu ✓/);
    const first = await peer.waitFor((e) => e.type === 'message' && e.kind === 'chat');
    assert.deepEqual([first.from, first.name, first.text], [A, 'Alice', 'Hello Bob, from the menu ✓']);

    // Esc back to the menu; "Another address": the IP and port are checked and asked again.
    alice.type(KEYS.escape);
    await alice.expectText('Choose an option');
    alice.type(`1${KEYS.enter}`);
    await alice.expectText('0. Another address');
    alice.type(`0${KEYS.enter}`);
    await alice.expectText('Peer address');
    alice.type(`999.1.1.1${KEYS.enter}`);
    await alice.expectText('is not an IP address');
    alice.type(`${KEYS.ctrlU}127.0.0.1${KEYS.enter}`);
    await alice.expectText('Peer port');
    alice.type(`0${KEYS.enter}`);
    await alice.expectText('outside 1..65535');
    alice.type(`${KEYS.ctrlU}${peer.port}${KEYS.enter}`);
    await alice.expectText('→ Bob ›');
    alice.type(`second one${KEYS.enter}`);
    await alice.expectText('→ Bob: second one');
    await peer.waitFor((e) => e.type === 'message' && e.text === 'second one');
    alice.type(KEYS.escape);
    await alice.expectText('Choose an option');

    // Query shows Bob in the table.
    alice.type(`2${KEYS.enter}`);
    await alice.expectText(/Address\s+Name\s+Connected\s+Last heard\s+Messages/);
    await alice.expectText(new RegExp(`${B.replace(/\./g, '\\.')}\\s+Bob\\s+no\\s+\\d+ s ago\\s+1`));

    // The peers view offers Back (the default) or Forget.
    await alice.expectText('Forget a peer');
    alice.type(KEYS.enter);
    await alice.expectText('Choose an option');
    // Connect: pick Bob, he is told connect and the result is shown.
    alice.type(`3${KEYS.enter}`);
    await alice.expectText('? Connect to');
    alice.type(KEYS.enter);
    await alice.expectText(`Connected to ${B} (sent: ${A} Alice connect)`);
    await peer.waitFor((e) => e.type === 'message' && e.kind === 'connect' && e.from === A);

    alice.type(`0${KEYS.enter}`);
    await alice.expectText('Bye. Told 1 of 1 peer you left');
    assert.equal(await alice.expectExit(), 0);
    await peer.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === A);
  });

  it('asks before sending a bare control word, and splits a message above 1024 bytes', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    const A = `127.0.0.1:${port}`;
    await openMessagePrompt(alice);
    alice.type(`exit${KEYS.enter}`);
    await alice.expectText('"exit" is a control word: the peer will remove you from its list of active peers. Send it anyway?');
    alice.type(`n${KEYS.enter}`);
    await alice.expectText('Not sent; the draft is kept.');
    // The prompt re-opens with the draft; Ctrl+C clears it.
    await alice.expectText(/› exit/);
    alice.type(KEYS.ctrlC);
    alice.type(`Hello${KEYS.enter}`);
    await alice.expectText('"hello" is a control word');
    // A y typed before an incoming line re-draws the question is still the answer.
    alice.type('y');
    peer.command(`/send ${A} meanwhile`);
    await alice.expectText(/Bob \(127\.0\.0\.1:\d+\): meanwhile[\s\S]*"hello" is a control word[^\n]*\(y\/N\) y/);
    alice.type(KEYS.enter);
    await alice.expectText('→ Bob: Hello');
    const hello = await peer.waitFor((e) => e.type === 'message' && e.from === A && e.text === 'Hello');
    assert.equal(hello.kind, 'hello');

    alice.type(`${'x'.repeat(1100)}${KEYS.enter}`);
    await alice.expectText('(sent in 2 parts)');
    const parts = await peer.waitForCount((e) => e.type === 'message' && e.from === A && /^x+$/.test(String(e.text)), 2);
    assert.equal(parts.map((e) => String(e.text)).join(''), 'x'.repeat(1100), 'the parts concatenate to the text');
    assert.ok(parts.every((e) => e.kind === 'chat'));
    assert.equal(peer.events.some((e) => e.type === 'message' && e.from === A && e.kind === 'exit'), false);
    alice.type(`/quit${KEYS.enter}`);
    assert.equal(await alice.expectExit(), 0);
  });

  it('shows a message that arrives mid-answer above the prompt, and submits exactly what was typed', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    const A = `127.0.0.1:${port}`;
    await openMessagePrompt(alice);
    alice.type('half of my');
    await alice.expectText('half of my');

    peer.command(`/send ${A} interrupting you`);
    await alice.expectText(/Bob \(127\.0\.0\.1:\d+\): interrupting you/);
    // The prompt comes back below it, with the half-typed text intact.
    await alice.expectText(/→ [^›\n]+› half of my/);

    // The cursor stays where the user left it, too: move left, take another message, type.
    alice.type(`${KEYS.left}${KEYS.left}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    peer.command(`/send ${A} and again`);
    await alice.expectText(/Bob \(127\.0\.0\.1:\d+\): and again/);
    await alice.expectText(/half of my/);
    alice.type('X');
    await alice.expectText('half of Xmy');
    alice.type(`${KEYS.backspace}${KEYS.right}${KEYS.right} answer${KEYS.enter}`);

    const got = await peer.waitFor((e) => e.type === 'message' && e.kind === 'chat' && e.from === A);
    assert.equal(got.text, 'half of my answer');
    await alice.expectText('→ Bob: half of my answer');
    // Both incoming lines are on screen, each exactly once after the prompt opened.
    const screen = alice.text();
    assert.equal(screen.split('interrupting you').length - 1, 1);
    assert.equal(screen.split(': and again').length - 1, 1);
    alice.type(`/quit${KEYS.enter}`);
    assert.equal(await alice.expectExit(), 0);
  });

  it('drops nothing from a burst of 100 messages while a prompt is open, and the prompt survives', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    await openMessagePrompt(alice);
    alice.type('still here');
    await alice.expectText('still here');
    const count = 100;
    await Promise.all(
      Array.from({ length: count }, (_, i) => sendRaw(port, `127.0.0.1:${peer.port} Bob burst-${i}-end`)),
    );
    await alice.expectText(/› still here/);
    // Every message shown exactly once.
    const deadline = Date.now() + 10_000;
    const seen = (): number[] => [...alice.text().matchAll(/burst-(\d+)-end/g)].map((m) => Number(m[1]));
    while (seen().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const shown = seen();
    assert.equal(shown.length, count, `saw ${shown.length} of ${count}`);
    assert.equal(new Set(shown).size, count);
    alice.type(`!${KEYS.enter}`);
    const got = await peer.waitFor((e) => e.type === 'message' && e.kind === 'chat' && e.from === `127.0.0.1:${port}`);
    assert.equal(got.text, 'still here!');
    alice.type(`/quit${KEYS.enter}`);
    assert.equal(await alice.expectExit(), 0);
  });

  it('shows ESC[2J, an OSC title and a bidi override escaped; the terminal never receives them', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    await sendRaw(port, `127.0.0.1:${peer.port} Mallory \x1b[2J\x1b]0;pwned\x07\u202eevil still here`);
    await alice.expectText(`Mallory (127.0.0.1:${peer.port}):`);
    await alice.expectText('\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}evil still here');
    // The menu is drawn again below the line.
    await alice.expectText('Choose an option');
    const raw = alice.raw();
    assert.equal(raw.includes('\x1b[2J'), false, 'the clear-screen sequence reached the terminal');
    assert.equal(raw.includes('\x1b]'), false, 'an OSC sequence reached the terminal');
    assert.equal(raw.includes('\u202e'), false, 'a bidi override reached the terminal');
    assert.equal(raw.includes('\x07'), false, 'a bell reached the terminal');
    // Nothing was cleared: the start-up lines are still followed by the menu.
    assert.match(alice.text(), /Server listening on[\s\S]*Mallory[\s\S]*Choose an option/);
    alice.type(`0${KEYS.enter}`);
    assert.equal(await alice.expectExit(), 0);
  });

  it('Ctrl+C in the menu tells the other peer exit and exits 0', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    alice.type(KEYS.ctrlC);
    const exit = await peer.waitFor((e) => e.type === 'message' && e.kind === 'exit');
    assert.equal(exit.from, `127.0.0.1:${port}`);
    await alice.expectText('Bye. Told 1 of 1 peer you left');
    assert.equal(await alice.expectExit(), 0);
  });

  it('Ctrl+C while typing a message clears it and two more quit, and SIGTERM quits; both tell the peer', async () => {
    const peer = await bob();
    const first = await aliceWith(peer);
    await openMessagePrompt(first.alice);
    first.alice.type('never sent');
    await first.alice.expectText('never sent');
    first.alice.type(KEYS.ctrlC);
    first.alice.type(KEYS.ctrlC);
    await first.alice.expectText('press Ctrl+C again to quit');
    first.alice.type(KEYS.ctrlC);
    await peer.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === `127.0.0.1:${first.port}`);
    assert.equal(await first.alice.expectExit(), 0);
    assert.equal(peer.events.some((e) => e.type === 'message' && e.text === 'never sent'), false);

    const second = await aliceWith(peer);
    second.alice.signal('SIGTERM');
    await peer.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === `127.0.0.1:${second.port}`);
    assert.equal(await second.alice.expectExit(), 0);
  });

  it('closing the terminal (a hang-up) tells the other peer exit, then ends by SIGHUP', async () => {
    const peer = await bob();
    const { alice, port } = await aliceWith(peer);
    // Half a message open: the prompt must let go of a terminal that is gone.
    await openMessagePrompt(alice);
    alice.type('half');
    await alice.expectText('half');
    alice.hangUp();
    const told = peer.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === `127.0.0.1:${port}`).then(
      () => undefined,
      (error: unknown) => error,
    );
    const ended = await Promise.race([alice.exited, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 12_000))]);
    // How Alice ended says which way a failure went (seen once on Node 24, not reproduced since).
    const notTold = await told;
    assert.equal(notTold, undefined, `Bob was not told exit; Alice ${ended ? `ended with ${JSON.stringify(ended)}` : 'was still running'}; ${String(notTold)}`);
    // SIGHUP (1), not an abort (6) or a crash (11).
    assert.equal(ended?.signal, 1, JSON.stringify(ended));
  });

  /** Alice knows Bob and a peer that never answers (a full accept queue), and has begun a slow quit. */
  async function slowQuit(begin: (alice: PtySession) => void): Promise<PtySession> {
    const holes = await startBlackholes(1);
    blackholes.push(holes);
    const holePort = holes.ports[0] as number;

    const peer = await bob();
    const { alice, port } = await aliceWith(peer, ['--timeout', '20000']);
    // The hole introduces itself, so Alice will try to tell it goodbye.
    await sendRaw(port, `127.0.0.1:${holePort} Hole hello`);
    await alice.expectText(`New peer 127.0.0.1:${holePort} (Hole)`);
    begin(alice);
    await alice.expectText('Notifying 2 peers… 1 ok, 0 failed');
    await peer.waitFor((e) => e.type === 'message' && e.kind === 'exit');
    return alice;
  }

  it('a second Ctrl+C during a slow quit leaves at once with 130', async () => {
    const alice = await slowQuit((session) => session.type(KEYS.ctrlC));
    const started = Date.now();
    alice.type(KEYS.ctrlC);
    assert.equal(await alice.expectExit(10_000), 130);
    // Far sooner than the 20 s send timeout it would otherwise wait for.
    assert.ok(Date.now() - started < 10_000);
  });

  it('a second SIGTERM during a slow quit leaves at once with 143', async () => {
    const alice = await slowQuit((session) => session.signal('SIGTERM'));
    const started = Date.now();
    alice.signal('SIGTERM');
    assert.equal(await alice.expectExit(10_000), 143);
    assert.ok(Date.now() - started < 10_000);
  });
});
