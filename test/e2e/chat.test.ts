/**
 * Chatting like a person (issue 10), end to end: the BUILT CLI in a real
 * pseudo-terminal, talking over real loopback sockets to real headless peers
 * (and, for the split, a raw loopback listener). Each test bounds its waits
 * and kills what it started.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { CLI, startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { rawSend } from '../helpers/net.js';
import { KEYS, spawnCliInPty, type PtySession } from '../helpers/pty.js';
import { spawnInScreen, type ScreenSession } from '../helpers/screen.js';

const LOOPBACK = ['--ip', '127.0.0.1', '--host', '127.0.0.1'];
const PASTE_START = '\x1b[200~';
const PASTE_END = '\x1b[201~';

const sessions: { kill(): Promise<void> }[] = [];
const peers: HeadlessPeer[] = [];
const servers: net.Server[] = [];
after(async () => {
  await Promise.all([...sessions.map((s) => s.kill()), ...peers.map((p) => p.stop())]);
  for (const server of servers) server.close();
});

function terminal(args: string[], cols?: number): PtySession {
  const session = spawnCliInPty([...LOOPBACK, ...args], cols === undefined ? {} : { cols });
  sessions.push(session);
  return session;
}

async function peer(name: string): Promise<HeadlessPeer> {
  const started = await startHeadlessPeer({ name });
  peers.push(started);
  return started;
}

/** Alice in a terminal greeting `known`; resolves with her port once the menu is up and each was greeted. */
async function alice(known: HeadlessPeer[], extra: string[] = []): Promise<{ alice: PtySession; A: string }> {
  const session = terminal(['--name', 'Alice', '--port', 'auto', ...known.flatMap((p) => ['--peer', `127.0.0.1:${p.port}`]), ...extra]);
  const listening = await session.expectText(/Server listening on 127\.0\.0\.1:(\d+)/);
  await session.expectText('Choose an option');
  const A = `127.0.0.1:${Number(listening[1])}`;
  for (const p of known) await p.waitFor((e) => e.type === 'message' && e.kind === 'hello' && e.from === A);
  return { alice: session, A };
}

/** A peer says something to Alice, so she knows its name; waits until her screen shows it. */
async function speak(from: HeadlessPeer, A: string, session: PtySession, text: string): Promise<void> {
  from.command(`/send ${A} ${text}`);
  await session.expectText(text);
}

const chats = (p: HeadlessPeer, A: string): string[] =>
  p.events.filter((e) => e.type === 'message' && e.kind === 'chat' && e.from === A).map((e) => String(e.text));

/** A loopback listener that keeps what each connection brought, as the original's recv(1024) would see it. */
async function rawListener(): Promise<{ port: number; lines: string[] }> {
  const lines: string[] = [];
  const server = net.createServer((socket) => {
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      data += chunk;
    });
    socket.on('end', () => {
      // One connection, one message, no trailing newline (PROTOCOL.md).
      lines.push(data);
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as net.AddressInfo).port, lines };
}

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('chatting in the conversation prompt (pty, built CLI, real peers)', { timeout: 120_000 }, () => {
  it('sends three lines without the menu, switches with /to by a name prefix, keeps the picker order stable, marks unverified', async () => {
    const bob = await peer('Bob');
    const carol = await peer('Carol');
    const { alice: a, A } = await alice([bob, carol]);
    await speak(bob, A, a, 'hi from Bob');
    await speak(carol, A, a, 'hi from Carol');
    const B = `127.0.0.1:${bob.port}`;
    const C = `127.0.0.1:${carol.port}`;
    // A connect from Carol arrives: she must not move to the top.
    carol.command(`/connect ${A}`);
    await a.expectText(`Connected to peer ${C}`);
    a.type(`1${KEYS.enter}`);
    await a.expectText(`1. Bob (${B})`);
    await a.expectText(`2. Carol (${C})`);
    a.type(KEYS.enter);
    await a.expectText('→ Bob ›');
    for (const text of ['one', 'two', 'three']) {
      a.type(`${text}${KEYS.enter}`);
      await a.expectText(new RegExp(`\\[\\d\\d:\\d\\d:\\d\\d\\] → Bob: ${text}`));
    }
    await waitFor('three messages at Bob', () => (chats(bob, A).length === 3 ? true : undefined));
    assert.deepEqual(chats(bob, A), ['one', 'two', 'three']);
    a.type(`/to Car${KEYS.enter}`);
    await a.expectText(`Now talking to Carol (${C})`);
    // A /to that does not resolve says so and comes back as the draft: nothing goes to the old recipient unseen.
    a.type(`/to zed${KEYS.enter}`);
    await a.expectText('No peer is called "zed"');
    await a.expectText('→ Carol › /to zed');
    a.type(KEYS.ctrlC);
    a.type(`to Carol${KEYS.enter}`);
    await a.expectText('→ Carol: to Carol');
    await carol.waitFor((e) => e.type === 'message' && e.text === 'to Carol');
    // Up recalls the line sent last.
    a.type(KEYS.up);
    await a.expectText('→ Carol › to Carol');
    a.type(KEYS.ctrlC);

    // A forged sender: unverified, marked, at the end, and not the default.
    const port = Number(A.split(':')[1]);
    const { error } = await rawSend(port, '10.9.9.9:5000 Spoof hi\n');
    assert.equal(error, undefined);
    await a.expectText('Spoof');
    a.type(KEYS.escape);
    await a.expectText('Choose an option');
    a.type(`1${KEYS.enter}`);
    await a.expectText(`1. Bob (${B})`);
    await a.expectText(`2. Carol (${C})`);
    await a.expectText('3. Spoof (10.9.9.9:5000) ! unverified');
    // The default (highlighted) choice is Carol, the peer last talked to.
    a.type(KEYS.enter);
    await a.expectText('→ Carol ›');
    a.type(`/peers${KEYS.enter}`);
    await a.expectText(/10\.9\.9\.9:5000\s+!\s+Spoof/);
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('an open picker shows a peer that joins', async () => {
    const bob = await peer('Bob');
    const { alice: a, A } = await alice([bob]);
    a.type(`1${KEYS.enter}`);
    await a.expectText(`1. 127.0.0.1:${bob.port}`);
    const carol = await peer('Carol');
    carol.command(`/send ${A} knock knock`);
    await a.expectText('knock knock');
    await a.expectText(`2. Carol (127.0.0.1:${carol.port})`);
    a.type(KEYS.escape);
    await a.expectText('Choose an option');
    a.type(`0${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('queues a send to a peer that is away (never lost), marks the peer unreachable, and sends a 3-line paste as 3 messages in order', async () => {
    const bob = await peer('Bob');
    const carol = await peer('Carol');
    const { alice: a, A } = await alice([bob, carol]);
    const C = `127.0.0.1:${carol.port}`;
    // Carol goes away without a word: the next send to her is refused.
    await carol.stop();
    a.type(`1${KEYS.enter}`);
    await a.expectText(`2. ${C}`);
    a.type(`2${KEYS.enter}`);
    await a.expectText(`→ ${C} ›`);
    a.type(`please do not lose me${KEYS.enter}`);
    // With the outbox (issue 13) a peer that is away gets the message queued and retried, not lost;
    // the draft is kept only for a failure nothing will retry.
    await a.expectText(`queued ⟳`);
    a.type(KEYS.escape);
    await a.expectText('Choose an option');

    a.type(`1${KEYS.enter}`);
    await a.expectText('? Send to');
    // The peer that failed is marked, with since when and why, and can still be picked.
    await a.expectText(new RegExp(`2\\. ${C.replace(/\./g, '\\.')}.* unreachable since \\d\\d:\\d\\d:\\d\\d \\(`));
    a.type(`1${KEYS.enter}`);
    await a.expectText(`→ 127.0.0.1:${bob.port} ›`);
    a.type(`${PASTE_START}first\rsecond\rthird${PASTE_END}`);
    await a.expectText('(3 lines)');
    a.type(KEYS.enter);
    await waitFor('three pasted messages at Bob', () => (chats(bob, A).length === 3 ? true : undefined));
    assert.deepEqual(chats(bob, A), ['first', 'second', 'third']);
    // Carol comes back on her port: the queued message arrives.
    const back = await startHeadlessPeer({ name: 'Carol', args: ['--port', String(carol.port)] });
    peers.push(back);
    await back.waitFor((e) => e.type === 'message' && e.text === 'please do not lose me', 20_000, 'the queued message');
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('splits a 3,000-byte CJK message into parts of at most 1024 bytes that concatenate to the text', async () => {
    const raw = await rawListener();
    const { alice: a, A } = await alice([]);
    const text = '漢字'.repeat(500);
    assert.equal(Buffer.byteLength(text), 3000);
    a.type(`1${KEYS.enter}`);
    await a.expectText('Peer address');
    a.type(`127.0.0.1:${raw.port}${KEYS.enter}`);
    await a.expectText('›');
    a.type(`${PASTE_START}${text}${PASTE_END}`);
    a.type(KEYS.enter);
    await a.expectText(/sent in (\d+) parts/);
    const head = `${A} Alice `;
    const lines = await waitFor('the parts', () => (raw.lines.length >= 3 ? raw.lines : undefined));
    for (const line of lines) assert.ok(Buffer.byteLength(line) <= 1024, `a part of ${Buffer.byteLength(line)} bytes`);
    assert.ok(lines.every((line) => line.startsWith(head)));
    assert.equal(lines.map((line) => line.slice(head.length)).join(''), text);
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('Ctrl+C clears a draft, then twice quits; Ctrl+D at an empty prompt quits', async () => {
    const bob = await peer('Bob');
    const first = await alice([bob]);
    first.alice.type(`1${KEYS.enter}`);
    await first.alice.expectText('? Send to');
    first.alice.type(KEYS.enter);
    await first.alice.expectText('›');
    first.alice.type('a draft to clear');
    await first.alice.expectText('a draft to clear');
    first.alice.type(KEYS.ctrlC);
    first.alice.type(KEYS.ctrlC);
    await first.alice.expectText('(press Ctrl+C again to quit and tell 1 peer)');
    first.alice.type(KEYS.ctrlC);
    assert.equal(await first.alice.expectExit(), 0);
    await bob.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === first.A);
    assert.equal(chats(bob, first.A).length, 0, 'the cleared draft was never sent');

    const second = await alice([bob]);
    second.alice.type(`1${KEYS.enter}`);
    await second.alice.expectText('? Send to');
    second.alice.type(KEYS.enter);
    await second.alice.expectText('›');
    second.alice.type('\x04');
    assert.equal(await second.alice.expectExit(), 0);
    await bob.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === second.A);
  });

  it('forgets a peer from the peers view, and with /forget', async () => {
    const bob = await peer('Bob');
    const carol = await peer('Carol');
    const { alice: a, A } = await alice([bob, carol]);
    await speak(bob, A, a, 'hi from Bob');
    await speak(carol, A, a, 'hi from Carol');
    a.type(`2${KEYS.enter}`);
    await a.expectText('2 active peers');
    await a.expectText('Forget a peer');
    a.type(`f${KEYS.enter}`);
    await a.expectText('? Forget');
    a.type(`1${KEYS.enter}`);
    await a.expectText(`Forgot Bob (127.0.0.1:${bob.port})`);
    a.type(`1${KEYS.enter}`);
    await a.expectText('? Send to');
    a.type(KEYS.enter);
    await a.expectText('→ Carol ›');
    a.type(`/forget Car${KEYS.enter}`);
    await a.expectText(`Forgot Carol (127.0.0.1:${carol.port})`);
    a.type(`/peers${KEYS.enter}`);
    await a.expectText('No active peers');
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('menu 4 sends to all peers, menu 5 shows history, and Everyone in the picker yields /all', async () => {
    const bob = await peer('Bob');
    const carol = await peer('Carol');
    const { alice: a, A } = await alice([bob, carol]);
    a.type(`4${KEYS.enter}`);
    await a.expectText('Message to all peers');
    a.type(`to you both${KEYS.enter}`);
    await a.expectText('Sent to 2 of 2 peers');
    await bob.waitFor((e) => e.type === 'message' && e.text === 'to you both');
    await carol.waitFor((e) => e.type === 'message' && e.text === 'to you both');
    await a.expectText('Choose an option');
    a.type(`5${KEYS.enter}`);
    await a.expectText('All peers');
    a.type(KEYS.enter);
    await a.expectText(/No messages: the last 50|— the last 50/);
    await a.expectText('Choose an option');
    a.type(`1${KEYS.enter}`);
    await a.expectText('e. Everyone');
    a.type(`e${KEYS.enter}`);
    await a.expectText('→ Everyone ›');
    a.type(`and again${KEYS.enter}`);
    await bob.waitFor((e) => e.type === 'message' && e.text === 'and again');
    await carol.waitFor((e) => e.type === 'message' && e.text === 'and again');
    assert.deepEqual(chats(bob, A), ['to you both', 'and again']);
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('accepts localhost in --peer and in the address prompt', async () => {
    const bob = await peer('Bob');
    const a = terminal(['--name', 'Alice', '--port', 'auto', '--peer', `localhost:${bob.port}`]);
    const listening = await a.expectText(/Server listening on 127\.0\.0\.1:(\d+)/);
    const A = `127.0.0.1:${Number(listening[1])}`;
    await a.expectText(`Said hello to 127.0.0.1:${bob.port}`);
    await bob.waitFor((e) => e.type === 'message' && e.kind === 'hello' && e.from === A);
    a.type(`1${KEYS.enter}`);
    await a.expectText('0. Another address');
    a.type(`0${KEYS.enter}`);
    await a.expectText('Peer address');
    a.type(`localhost${KEYS.enter}`);
    await a.expectText('Peer port');
    // Esc at the port goes back one step, to the address.
    a.type(KEYS.escape);
    await a.expectText('Peer address');
    a.type(`localhost${KEYS.enter}`);
    await a.expectText('Peer port');
    a.type(`${bob.port}${KEYS.enter}`);
    await a.expectText('›');
    a.type(`via localhost${KEYS.enter}`);
    await bob.waitFor((e) => e.type === 'message' && e.text === 'via localhost');
    a.type(`/quit${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('a --peer name that does not resolve is one line, and --peer 127.0.0.1 says the :port is missing', async () => {
    const bad = terminal(['--name', 'Alice', '--port', 'auto', '--peer', '127.0.0.1']);
    await bad.expectText('the :port is missing');
    assert.notEqual(await bad.expectExit(), 0);
    const a = terminal(['--name', 'Alice', '--port', 'auto', '--peer', 'no-such-host.invalid:5000']);
    await a.expectText('--peer no-such-host.invalid:5000');
    await a.expectText('Choose an option');
    a.type(`0${KEYS.enter}`);
    assert.equal(await a.expectExit(), 0);
  });

  it('says where it is bound and where peers reach it: --host 127.0.0.2 --ip 127.0.0.1', async () => {
    const session = spawnCliInPty(['--host', '127.0.0.2', '--ip', '127.0.0.1', '--name', 'Alice', '--port', 'auto']);
    sessions.push(session);
    const bound = await session.expectText(/Server listening on 127\.0\.0\.2:(\d+)/);
    await session.expectText(`peers reach you at 127.0.0.1:${bound[1]}`);
    await session.expectText('Choose an option');
    session.type(`0${KEYS.enter}`);
    assert.equal(await session.expectExit(), 0);
  });
});

describe('the conversation prompt on a real screen (built CLI, terminal emulator)', { timeout: 120_000 }, () => {
  async function open(cols: number): Promise<{ screen: ScreenSession; bob: HeadlessPeer; A: string }> {
    const bob = await peer('Bob');
    const screen = spawnInScreen(CLI, [...LOOPBACK, '--name', 'Alice', '--port', 'auto', '--peer', `127.0.0.1:${bob.port}`], { cols, rows: 30 });
    sessions.push(screen);
    const listening = await screen.expectText(/Server listening on 127\.0\.0\.1:(\d+)/);
    const A = `127.0.0.1:${Number(listening[1])}`;
    await bob.waitFor((e) => e.type === 'message' && e.kind === 'hello' && e.from === A);
    bob.command(`/send ${A} hello`);
    await screen.expectText('Bob');
    await screen.expectText('Choose an option');
    screen.type(`1${KEYS.enter}`);
    await screen.expectText('? Send to');
    screen.type(KEYS.enter);
    await screen.expectText('→ Bob ›');
    return { screen, bob, A };
  }

  for (const cols of [40, 120]) {
    it(`draws the cursor where the next character lands after an incoming line (${cols} columns)`, async () => {
      const { screen, bob, A } = await open(cols);
      screen.type('hi 你好 there');
      screen.type(`${KEYS.left}${KEYS.left}${KEYS.left}`);
      const before = await screen.expectScreen('the cursor on "e"', (s) => {
        const { x, y } = s.cursor();
        return s.cell(x, y).chars === 'e' && s.cell(x - 1, y).chars === 'h' ? { x, y } : undefined;
      });
      bob.command(`/send ${A} incoming while typing`);
      const y = await screen.expectScreen('the incoming line above the prompt', (s) => {
        const lines = s.lines();
        const row = lines.findLastIndex((line) => line.startsWith('→ Bob ›'));
        return row > 0 && lines.slice(0, row).join('').includes('incoming while typing') && s.cursor().y === row && s.cursor().x === before.x ? row : undefined;
      });
      screen.type('Z');
      await screen.expectScreen('Z in the cursor cell', (s) => (s.cell(before.x, y).chars === 'Z' && s.cursor().x === before.x + 1 ? true : undefined));
      screen.type(KEYS.enter);
      await bob.waitFor((e) => e.type === 'message' && e.text === 'hi 你好 thZere');
      screen.type(`/quit${KEYS.enter}`);
      assert.equal(await screen.expectExit(), 0);
    });
  }

  it('redraws on resize with no stale prompt rows, and the peers table fits 40 columns', async () => {
    const { screen } = await open(120);
    screen.type('a draft that survives the resize');
    await screen.expectScreen('the draft', (s) => (s.lines().some((line) => line.includes('survives the resize')) ? true : undefined));
    screen.resize(40);
    await screen.expectScreen('one prompt row at 40 columns', (s) => {
      const rows = s.lines().filter((line) => line.startsWith('→ Bob ›'));
      return rows.length === 1 && s.lines().every((line) => line.length <= 40) ? true : undefined;
    });
    // Ctrl+C with a draft clears it.
    screen.type(KEYS.ctrlC);
    screen.type(`/peers${KEYS.enter}`);
    await screen.expectText('1 active peer');
    await screen.expectScreen('the table within 40 columns', (s) => {
      const header = s.lines().find((line) => line.startsWith('Address'));
      return header !== undefined && s.lines().every((line) => line.length <= 40) ? true : undefined;
    });
    screen.type(`/quit${KEYS.enter}`);
    assert.equal(await screen.expectExit(), 0);
  });
});
