import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IncomingMessage, QuitSummary, SendOutcome } from '../../../src/core/node.js';
import type { PeerEntry } from '../../../src/core/peer-registry.js';
import {
  clock,
  displayWidth,
  formatAgo,
  formatIncoming,
  formatPeersTable,
  formatQuitProgress,
  formatQuitSummary,
  displayDetail,
  formatDropped,
  formatIncomingNamed,
  formatOwnFailure,
  formatOwnLine,
  formatRejected,
  formatSent,
  truncate,
  type PeerRow,
} from '../../../src/ui/format.js';
import { parseMessage } from '../../../src/protocol/line.js';
import { createTheme, PLAIN_THEME as plain } from '../../../src/ui/theme.js';

const AT = new Date(2024, 0, 2, 9, 5, 7);

function incoming(overrides: Partial<IncomingMessage> = {}): IncomingMessage {
  return {
    id: 'm-1',
    kind: 'chat',
    from: '127.0.0.1:5001',
    name: 'Bob',
    text: 'hi there',
    remote: '127.0.0.1:40000',
    at: AT,
    verified: true,
    change: 'refreshed',
    ...overrides,
  };
}

function peer(overrides: Partial<PeerEntry & PeerRow> = {}): PeerEntry & PeerRow {
  return {
    ip: '127.0.0.1',
    port: 5001,
    address: '127.0.0.1:5001',
    source: 'heard',
    unreachable: undefined,
    name: 'Bob',
    connected: false,
    firstSeen: 0,
    lastSeen: 0,
    messages: 1,
    verified: true,
    reached: false,
    ...overrides,
  };
}

function failure(to: string, error: string): SendOutcome {
  return { ok: false, id: 'm-2', to, text: 'exit', line: `x ${to}`, lines: [`x ${to}`], failure: 'refused', error, ms: 1 };
}

describe('incoming lines', () => {
  it('timestamps chat as [HH:MM:SS] ip:port name message, the original line', () => {
    assert.equal(clock(AT), '09:05:07');
    assert.equal(formatIncoming(incoming(), plain), '[09:05:07] 127.0.0.1:5001 Bob hi there');
  });

  it('turns control words into the notices of PROTOCOL.md', () => {
    assert.equal(formatIncoming(incoming({ kind: 'hello', text: 'hello', change: 'added' }), plain), '[09:05:07] New peer 127.0.0.1:5001 (Bob)');
    assert.equal(formatIncoming(incoming({ kind: 'hello', text: 'hello', change: 'refreshed' }), plain), '[09:05:07] Hello again from peer 127.0.0.1:5001 (Bob)');
    assert.equal(formatIncoming(incoming({ kind: 'connect', text: 'connect', change: 'connected' }), plain), '[09:05:07] Connected to peer 127.0.0.1:5001 (Bob)');
    assert.equal(formatIncoming(incoming({ kind: 'exit', text: 'exit', change: 'removed' }), plain), '[09:05:07] Peer 127.0.0.1:5001 (Bob) disconnected');
    assert.match(formatIncoming(incoming({ kind: 'exit', text: 'exit', change: 'unknown-exit' }), plain), /Peer 127\.0\.0\.1:5001 \(Bob\) disconnected \(was not in the peer list\)$/);
  });

  it('says when the sender is unverified, and when a claim was ignored', () => {
    assert.equal(
      formatIncoming(incoming({ verified: false, remote: '10.0.0.9:3333' }), plain),
      '[09:05:07] 127.0.0.1:5001 Bob hi there (unverified: sent from 10.0.0.9:3333)',
    );
    assert.match(formatIncoming(incoming({ kind: 'exit', text: 'exit', change: 'protected', verified: false }), plain), /ignored "exit" from 127\.0\.0\.1:40000: it claims to be 127\.0\.0\.1:5001/);
    assert.match(formatIncoming(incoming({ kind: 'hello', text: 'hello', change: 'full' }), plain), /ignored "hello" from 127\.0\.0\.1:5001: the peer list is full/);
  });

  it('sanitises every peer-controlled part: name, address, body, rejection detail', () => {
    const line = formatIncoming(incoming({ name: 'B\x1b[31mob', text: '\x1b[2J\x1b]0;title\x07 \u202eevil', from: '127.0.0.1:5001' }), plain);
    assert.equal(line, '[09:05:07] 127.0.0.1:5001 B\\x1b[31mob \\x1b[2J\\x1b]0;title\\x07 \\u{202e}evil');
    const rejected = formatRejected({ remote: '127.0.0.1:9', reason: 'not-ip', detail: '"\x1b[2J" is not an IP address' }, AT, plain);
    assert.equal(rejected, '[09:05:07] ✗ rejected input from 127.0.0.1:9: not-ip, "\\x1b[2J" is not an IP address');
  });

  it('writes an escape the same way in a chat line and in a rejection the parser quoted', () => {
    const bad = '\x1b[2J\u202e:5001 Mallory hi';
    const parsed = parseMessage(bad);
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    // The parser quotes with JSON.stringify: ESC arrives as the six characters \u001b.
    assert.match(parsed.error.detail, /\\u001b/);
    const rejected = formatRejected({ remote: '127.0.0.1:9', reason: parsed.error.reason, detail: parsed.error.detail }, AT, plain);
    assert.equal(rejected, '[09:05:07] ✗ rejected input from 127.0.0.1:9: not-ip, "\\x1b[2J\\u{202e}" is not an IP address');
    const chat = formatIncoming(incoming({ text: '\x1b[2J\u202e' }), plain);
    assert.ok(chat.endsWith(' \\x1b[2J\\u{202e}'), chat);
    assert.equal(displayDetail('value "a\\"b\\n" and "\\u0007"'), 'value "a"b\\n" and "\\x07"');
    const dropped = formatDropped({ remote: '127.0.0.1:9', reason: 'idle', detail: 'sent only "\\u001b[" before going quiet' }, AT, plain);
    assert.equal(dropped, '[09:05:07] · connection from 127.0.0.1:9 closed without a message: sent only "\\x1b[" before going quiet');
  });
});

describe('conversation lines', () => {
  it('shows an incoming chat line name first, the address after it (dimmed)', () => {
    assert.equal(formatIncomingNamed(incoming(), plain), '[09:05:07] Bob (127.0.0.1:5001): hi there');
    assert.equal(formatIncomingNamed(incoming(), plain, { address: false }), '[09:05:07] Bob: hi there');
    assert.equal(
      formatIncomingNamed(incoming({ verified: false, remote: '10.0.0.9:3333' }), plain),
      '[09:05:07] Bob (127.0.0.1:5001): hi there (unverified: sent from 10.0.0.9:3333)',
    );
    // Control words keep their notices.
    assert.equal(formatIncomingNamed(incoming({ kind: 'connect', text: 'connect', change: 'connected' }), plain), '[09:05:07] Connected to peer 127.0.0.1:5001 (Bob)');
    const coloured = createTheme({ level: 1 });
    const line = formatIncomingNamed(incoming(), coloured);
    assert.ok(line.includes(coloured.notice('(127.0.0.1:5001)')), JSON.stringify(line));
    assert.ok(line.includes(coloured.name('Bob')), JSON.stringify(line));
  });

  it('shows a line we sent as one line: time, arrow, name, text', () => {
    assert.equal(formatOwnLine({ name: 'Bob', address: '127.0.0.1:5001' }, 'see you at 5', new Date(2024, 0, 2, 12, 4, 31), plain), '[12:04:31] → Bob: see you at 5');
    assert.equal(formatOwnLine({ name: null, address: '127.0.0.1:5001' }, 'hi', AT, plain), '[09:05:07] → 127.0.0.1:5001: hi');
    assert.equal(formatOwnLine({ name: 'B\x1bob', address: 'x' }, 'a\x07b', AT, plain), '[09:05:07] → B\\x1bob: a\\x07b');
    assert.equal(
      formatOwnFailure({ name: 'Bob', address: '127.0.0.1:5001' }, 'connection refused: nothing is listening on 127.0.0.1:5001', AT, plain),
      '[09:05:07] ✗ not sent to Bob: connection refused: nothing is listening on 127.0.0.1:5001',
    );
  });
});

describe('send results', () => {
  it('shows the exact line sent, or why it failed', () => {
    const ok: SendOutcome = { ok: true, id: 'm-3', to: '127.0.0.1:5001', text: 'hi', line: '127.0.0.1:5000 Alice hi', lines: ['127.0.0.1:5000 Alice hi'], ms: 2, delivered: false };
    assert.equal(formatSent(ok, plain), 'Sent to 127.0.0.1:5001: 127.0.0.1:5000 Alice hi');
    assert.equal(
      formatSent(failure('127.0.0.1:5009', 'connection refused: nothing is listening on 127.0.0.1:5009'), plain),
      'Could not send to 127.0.0.1:5009: connection refused: nothing is listening on 127.0.0.1:5009',
    );
  });
});

describe('peers table', () => {
  it('says "No active peers" when empty', () => {
    assert.deepEqual(formatPeersTable([], 0, plain), ['No active peers']);
  });

  it('lists address, name, connected, last heard and messages, most recent first, aligned', () => {
    const now = 100_000;
    const lines = formatPeersTable(
      [
        peer({ address: '127.0.0.1:5001', name: 'Bob', lastSeen: now - 12_000, messages: 3 }),
        peer({ address: '127.0.0.1:5002', name: null, connected: true, lastSeen: now - 500, messages: 0, source: 'manual' }),
      ],
      now,
      plain,
    );
    assert.deepEqual(lines, [
      '2 active peers',
      'Address         Name  Connected  Last heard  Messages  Source',
      '127.0.0.1:5002  ?     yes        0 s ago     0         manual',
      '127.0.0.1:5001  Bob   no         12 s ago    3         heard',
    ]);
  });

  it('marks unverified peers, explains the mark, and shows an unreachable peer', () => {
    const now = new Date(2024, 0, 2, 12, 5, 0).getTime();
    const lines = formatPeersTable(
      [
        peer({ address: '127.0.0.1:5001', name: 'Bob', lastSeen: now, source: 'lan' }),
        peer({ address: '10.0.0.9:5000', name: 'Eve', verified: false, lastSeen: now }),
        peer({ address: '127.0.0.1:5003', name: 'Cy', lastSeen: now, unreachable: { since: new Date(2024, 0, 2, 12, 4, 31).getTime(), reason: 'refused' }, source: 'room:friends' }),
      ],
      now,
      plain,
    );
    assert.deepEqual(lines, [
      '3 active peers (1 unverified)',
      'Address            Name  Connected                             Last heard  Messages  Source',
      '127.0.0.1:5003     Cy    unreachable since 12:04:31 (refused)  0 s ago     1         room:friends',
      '10.0.0.9:5000   !  Eve   no                                    0 s ago     1         heard',
      '127.0.0.1:5001     Bob   no                                    0 s ago     1         lan',
      '! unverified: its address is only a claim (the message came from another IP)',
    ]);
  });

  it('fits 120 and 40 columns without wrapping: cuts with …, then leaves columns out', () => {
    const now = 1_000_000;
    const peers = [
      peer({ address: '127.0.0.1:5001', name: 'Bob', lastSeen: now - 5000, source: 'manual' }),
      peer({ address: '127.0.0.1:5002', name: 'Alexandra_the_very_long_name', verified: false, lastSeen: now, source: 'room:the-friday-club' }),
      peer({ address: '127.0.0.1:5003', name: null, lastSeen: now, unreachable: { since: now, reason: 'connection refused: nothing is listening on 127.0.0.1:5003' } }),
    ];
    for (const width of [120, 40]) {
      const lines = formatPeersTable(peers, now, plain, { width });
      for (const line of lines) assert.ok(displayWidth(line) <= width, `${width}: ${JSON.stringify(line)} is ${displayWidth(line)} wide`);
      // Every row still starts with the full address, the one thing needed to reach the peer.
      assert.match(lines[2] ?? '', /^127\.0\.0\.1:5003 /);
      assert.match(lines[3] ?? '', /^127\.0\.0\.1:5002 +! +Alex/);
      assert.match(lines[4] ?? '', /^127\.0\.0\.1:5001 +Bob/);
    }
    const wide = formatPeersTable(peers, now, plain, { width: 120 });
    assert.match(wide[1] ?? '', /Source$/);
    assert.match(wide[2] ?? '', /unreachable since \d\d:\d\d:\d\d \(co[^ ]*… {2}/);
    const narrow = formatPeersTable(peers, now, plain, { width: 40 });
    assert.equal(narrow[1], 'Address            Name     Connected');
    assert.match(narrow[3] ?? '', /Alexan…/);
    assert.match(narrow[2] ?? '', /unreachable…$/);
    // No limit given: nothing is cut or left out (the text view and logs).
    assert.ok(formatPeersTable(peers, now, plain).some((line) => line.includes('Alexandra_the_very_long_name'.slice(0, 23))));
    assert.deepEqual(formatPeersTable([], 0, plain, { width: 8 }), ['No acti…']);
  });

  it('keeps columns aligned with wide characters and cuts long names', () => {
    const lines = formatPeersTable([peer({ name: '你好' }), peer({ address: '127.0.0.1:5003', name: 'x'.repeat(40) })], 0, plain);
    const columnOf = (line: string): number => displayWidth(line.slice(0, line.indexOf(line.includes('yes') ? 'yes' : 'no ')));
    assert.equal(columnOf(lines[2] ?? ''), columnOf(lines[3] ?? ''));
    assert.ok((lines[2] ?? '').includes(`${'x'.repeat(23)}…`));
  });

  it('formats ages', () => {
    assert.equal(formatAgo(0), '0 s ago');
    assert.equal(formatAgo(12_400), '12 s ago');
    assert.equal(formatAgo(-5_000), '0 s ago');
    assert.equal(formatAgo(59_999), '59 s ago');
    assert.equal(formatAgo(60_000), '1 min ago');
    assert.equal(formatAgo(2 * 3600_000 + 5), '2 h ago');
    assert.equal(formatAgo(3 * 86400_000), '3 d ago');
  });

  it('measures and truncates by terminal columns', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('你好'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(truncate('你好世界', 5), '你好…');
    assert.equal(truncate('abc', 3), 'abc');
  });
});

describe('quit progress and summary', () => {
  it('progress reads "Notifying N peers… ok, failed"', () => {
    assert.equal(formatQuitProgress(35, 2, 37), 'Notifying 37 peers… 35 ok, 2 failed');
    assert.equal(formatQuitProgress(0, 0, 1), 'Notifying 1 peer… 0 ok, 0 failed');
    assert.equal(formatQuitProgress(0, 0, 0), 'No peers to notify.');
  });

  it('summary is one line: who was told, how long, and the first failures', () => {
    const none: QuitSummary = { notified: 0, failed: 0, skipped: 0, failures: [], ms: 3 };
    assert.equal(formatQuitSummary(none), 'Bye. No peers to notify.');
    const all: QuitSummary = { notified: 37, failed: 0, skipped: 0, failures: [], ms: 412 };
    assert.equal(formatQuitSummary(all), 'Bye. Told 37 of 37 peers you left (0.4 s).');
    const failures = [1, 2, 3, 4, 5].map((n) => failure(`127.0.0.1:600${n}`, `connection refused: nothing is listening on 127.0.0.1:600${n}`));
    const some: QuitSummary = { notified: 32, failed: 5, skipped: 0, failures, ms: 5000 };
    const line = formatQuitSummary(some);
    assert.equal(line.includes('\n'), false);
    assert.match(line, /^Bye\. Told 32 of 37 peers you left \(5\.0 s\); 5 failed: /);
    assert.match(line, /127\.0\.0\.1:6003.*; and 2 more\.$/);
    assert.equal(line.includes('127.0.0.1:6004'), false);
    const unverified: QuitSummary = { notified: 2, failed: 0, skipped: 3, failures: [], ms: 10 };
    assert.equal(formatQuitSummary(unverified), 'Bye. Told 2 of 2 peers you left (0.0 s). 3 unverified peers were not told (their address is only a claim).');
  });

  it('sanitises failure text in the summary', () => {
    const line = formatQuitSummary({ notified: 0, failed: 1, skipped: 0, failures: [failure('127.0.0.1:1', 'bad \x1b[2J')], ms: 0 });
    assert.equal(line.includes('\x1b'), false);
    assert.match(line, /bad \\x1b\[2J/);
  });
});
