/**
 * The conversation prompt in a real pseudo-terminal, read back through a
 * terminal emulator (test/helpers/screen.ts): the fixture opens the prompt
 * through the real PromptHost, prints an incoming line above it on SIGUSR1,
 * and prints each outcome as `RESULT {json}`. Every session is killed after.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnInScreen, type ScreenSession } from '../helpers/screen.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/conversation-demo.ts');
const KEYS = {
  enter: '\r',
  up: '\x1b[A',
  down: '\x1b[B',
  left: '\x1b[D',
  escape: '\x1b',
  ctrlC: '\x03',
  ctrlD: '\x04',
} as const;
const PROMPT = '→ Bob ›';

const sessions: ScreenSession[] = [];
after(async () => {
  await Promise.all(sessions.map((session) => session.kill()));
});

async function open(cols: number, env: NodeJS.ProcessEnv = {}): Promise<ScreenSession> {
  const session = spawnInScreen(FIXTURE, [], { cols, rows: 16, env });
  sessions.push(session);
  await session.expectText(/READY fastEscape=\w+/);
  await promptRow(session);
  return session;
}

/** The row the prompt is on, once the cursor sits on it. */
function promptRow(session: ScreenSession, what = 'the prompt'): Promise<number> {
  return session.expectScreen(what, (screen) => {
    const y = screen.lines().findLastIndex((line) => line.startsWith(PROMPT));
    return y >= 0 && screen.cursor().y === y ? y : undefined;
  });
}

/** Wait until the prompt row reads `text` (after the prompt) and the screen is quiet. */
async function promptShows(session: ScreenSession, text: string): Promise<{ y: number; x: number }> {
  return session.expectScreen(`the prompt to read ${JSON.stringify(text)}`, (screen) => {
    const y = screen.lines().findLastIndex((line) => line.startsWith(PROMPT));
    const line = screen.lines()[y] ?? '';
    return y >= 0 && screen.cursor().y === y && line === `${PROMPT} ${text}`.trimEnd() ? { y, x: screen.cursor().x } : undefined;
  });
}

async function result(session: ScreenSession): Promise<Record<string, unknown>> {
  const match = await session.expectText(/RESULT (\{.*\})\r?\n/);
  return JSON.parse(match[1] as string) as Record<string, unknown>;
}

describe('conversation prompt (pty + terminal emulator)', { timeout: 90_000 }, () => {
  for (const cols of [40, 120]) {
    it(`keeps the draft and the cursor where the next character lands after an incoming line (${cols} columns, CJK and emoji)`, async () => {
      const session = await open(cols);
      session.type('hi 你好 😀 there');
      await promptShows(session, 'hi 你好 😀 there');
      session.type(`${KEYS.left}${KEYS.left}${KEYS.left}`);
      // "th|ere": the cursor is on the e after the h, 3 cells from the end.
      const before = await session.expectScreen('the cursor on "e"', (screen) => {
        const { x, y } = screen.cursor();
        return screen.cell(x, y).chars === 'e' && screen.cell(x - 1, y).chars === 'h' ? { x, y } : undefined;
      });

      session.signal('SIGUSR1');
      const y = await session.expectScreen('the incoming line above the prompt', (screen) => {
        const lines = screen.lines();
        const row = lines.findLastIndex((line) => line.startsWith(PROMPT));
        // At 40 columns the incoming line wraps: look at the rows above as one text.
        return row > 0 && lines.slice(0, row).join('').includes('incoming 1') && screen.cursor().y === row ? row : undefined;
      });
      await promptShows(session, 'hi 你好 😀 there');
      // Bounded wait, not an instant look: the prompt draws twice when it opens (see conversation.ts).
      await session.expectScreen(`the cursor back at column ${before.x}`, (screen) =>
        screen.cursor().y === y && screen.cursor().x === before.x && screen.cell(before.x, y).chars === 'e' ? true : undefined,
      );

      session.type('Z');
      await promptShows(session, 'hi 你好 😀 thZere');
      // The Z is drawn in the very cell the cursor was in, and the cursor moved one on.
      assert.equal(session.cell(before.x, y).chars, 'Z');
      assert.equal(session.cursor().x, before.x + 1);
      session.type(KEYS.enter);
      assert.deepEqual(await result(session), { type: 'send', lines: ['hi 你好 😀 thZere'] });
      await session.expectText('→ Bob: hi 你好 😀 thZere');
    });
  }

  it('scrolls a draft wider than 40 columns sideways, one row, the cursor exact after an incoming line', async () => {
    const session = await open(40);
    const text = '長い文章 with 😀 emoji and 漢字 that goes far past the edge';
    session.type(text);
    const end = await session.expectScreen('a scrolled row', (screen) => {
      const lines = screen.lines();
      const y = lines.findLastIndex((line) => line.startsWith(PROMPT));
      const row = lines[y] ?? '';
      return y >= 0 && row.includes('…') && row.endsWith('edge') && screen.cursor().y === y ? { y, x: screen.cursor().x, row } : undefined;
    });
    // Never wider than the terminal: the last column stays free, nothing wraps.
    assert.ok(end.x <= 38, `cursor at ${end.x}`);
    assert.equal(session.lines()[end.y + 1], '');
    for (let i = 0; i < 10; i += 1) session.type(KEYS.left);
    // The last 10 characters ("t the edge") are 1 column each, and in view: no scrolling.
    const moved = await session.expectScreen('the cursor 10 left', (screen) => (screen.cursor().x === end.x - 10 ? screen.cursor() : undefined));
    const cellBefore = session.cell(moved.x, moved.y).chars;
    session.signal('SIGUSR1');
    await session.expectScreen('the incoming line', (screen) => screen.lines().join('').includes('incoming 1') || undefined);
    const again = await promptRow(session, 'the prompt again');
    await session.expectScreen(`the cursor back at column ${moved.x}`, (screen) =>
      screen.cursor().x === moved.x && screen.cursor().y === again && screen.cell(moved.x, again).chars === cellBefore ? true : undefined,
    );
    session.type('Q');
    await session.expectScreen('the Q where the cursor was', (screen) => screen.cell(moved.x, again).chars === 'Q' || undefined);
    session.type(KEYS.enter);
    const sent = await result(session);
    const at = text.length - 10;
    assert.deepEqual(sent, { type: 'send', lines: [`${text.slice(0, at)}Q${text.slice(at)}`] });
  });

  it('redraws on resize with no stale lines, narrower and wider', async () => {
    const session = await open(120);
    const text = 'a long draft that is about a hundred columns wide, written to see what a resize does to it ok';
    session.type(text);
    await promptShows(session, text);
    const aboveBefore = session.lines().slice(0, session.cursor().y);

    const check = (cols: number, expected: RegExp) => (screen: ScreenSession) => {
      const lines = screen.lines();
      const rows = lines.filter((line) => line.startsWith(PROMPT));
      const y = lines.findIndex((line) => line.startsWith(PROMPT));
      const below = lines.slice(y + 1).filter((line) => line !== '');
      const row = lines[y] ?? '';
      return rows.length === 1 && below.length === 0 && screen.cursor().y === y && row.length < cols && expected.test(row) ? { y, row } : undefined;
    };
    session.resize(40);
    // Redrawn for 40 columns: scrolled, 39 wide at most, the end of the draft in view.
    const narrow = await session.expectScreen('one prompt row at 40 columns', check(40, /^→ Bob › …[^…]+ ok$/));
    // What was printed above the prompt is still there, and nothing else is.
    assert.deepEqual(session.lines().slice(0, narrow.y), aboveBefore.map((line) => line.slice(0, 40)));
    session.resize(120);
    await session.expectScreen('one prompt row at 120 columns', check(120, new RegExp(`^${PROMPT} a long draft.* ok$`)));
    session.type(KEYS.enter);
    assert.deepEqual(await result(session), { type: 'send', lines: [text] });
  });

  it('Ctrl+C clears a draft; at an empty prompt the first arms quitting, the second quits', async () => {
    const session = await open(80);
    session.type('never sent');
    await promptShows(session, 'never sent');
    session.type(KEYS.ctrlC);
    await promptShows(session, '');
    session.type(KEYS.ctrlC);
    assert.deepEqual(await result(session), { type: 'arm-quit' });
    await session.expectText('(press Ctrl+C again to quit and tell 1 peer)');
    await promptShows(session, '');
    session.type(KEYS.ctrlC);
    assert.deepEqual(await result(session), { type: 'quit', key: 'ctrl-c' });
    assert.equal(await session.expectExit(), 0);
    assert.equal(session.raw().includes('never sent\r\n'), false);
    // Bracketed paste was switched off again on the way out.
    assert.ok(session.raw().lastIndexOf('\x1b[?2004l') > session.raw().lastIndexOf('\x1b[?2004h'));
  });

  it('Ctrl+D deletes under the cursor in a draft, and quits at an empty prompt', async () => {
    const session = await open(80);
    session.type(`abc${KEYS.left}${KEYS.ctrlD}`);
    await promptShows(session, 'ab');
    session.type(`${KEYS.ctrlC}`);
    await promptShows(session, '');
    session.type(KEYS.ctrlD);
    assert.deepEqual(await result(session), { type: 'quit', key: 'ctrl-d' });
    assert.equal(await session.expectExit(), 0);
  });

  /**
   * For `tries` Escs: ms from the ESC byte reaching the program to the outcome
   * (measured by the program), and from typing it to the result on screen.
   */
  async function escapeLatencies(session: ScreenSession, tries: number): Promise<{ program: number[]; screen: number[] }> {
    const program: number[] = [];
    const screen: number[] = [];
    for (let i = 0; i < tries; i += 1) {
      session.type(`d${i}`);
      await promptShows(session, `d${i}`);
      const started = performance.now();
      session.type(KEYS.escape);
      const measured = await session.expectText(/ESCAPE ([\d.]+) ms/);
      assert.deepEqual(await result(session), { type: 'back', kept: `d${i}` });
      screen.push(performance.now() - started);
      program.push(Number(measured[1]));
      // Esc again on the kept, unchanged draft throws it away.
      await promptShows(session, `d${i}`);
      session.type(KEYS.escape);
      await session.expectText(/ESCAPE [\d.]+ ms/);
      assert.deepEqual(await result(session), { type: 'back', discarded: `d${i}` });
      await promptShows(session, '');
    }
    return { program, screen };
  }

  it('Esc answers within 50 ms (readline alone waits 500 ms), keeps the draft, and a second Esc drops it', async (t) => {
    const fast = await open(80);
    const times = await escapeLatencies(fast, 3);
    const list = (values: readonly number[]): string => values.map((ms) => ms.toFixed(1)).join(', ');
    // The best of three: the machine is shared, and one slow turn is not the prompt's doing.
    assert.ok(Math.min(...times.program) < 50, `Esc took ${list(times.program)} ms in the program`);
    // On screen too, through the pty and the emulator (which share this busy machine).
    assert.ok(Math.min(...times.screen) < 100, `Esc took ${list(times.screen)} ms to show`);
    // The control: without setEscapeTimeout the same program waits readline's 500 ms.
    const slow = await open(80, { DEMO_ESCAPE: 'default' });
    const slowTimes = await escapeLatencies(slow, 1);
    assert.ok(Math.min(...slowTimes.program) >= 450, `Esc with readline's default took ${list(slowTimes.program)} ms`);
    t.diagnostic(`Esc in the program: ${list(times.program)} ms (on screen ${list(times.screen)}); with readline's default: ${list(slowTimes.program)} ms`);
  });

  it('a 3-line bracketed paste is one draft, and Enter gives the 3 lines in order', async () => {
    const session = await open(80);
    await session.expectScreen('bracketed paste on', (screen) => screen.bracketedPaste() || undefined);
    session.paste('first line\nsecond, 第二\nthird 😀');
    await session.expectScreen('the pasted draft on one row', (screen) =>
      screen.lines().some((line) => line === '→ Bob (3 lines) › first line⏎second, 第二⏎third 😀') || undefined,
    );
    session.type(KEYS.enter);
    assert.deepEqual(await result(session), { type: 'send', lines: ['first line', 'second, 第二', 'third 😀'] });
    await session.expectText('→ Bob: first line');
    await session.expectText('→ Bob: second, 第二');
    await session.expectText('→ Bob: third 😀');
  });

  it('Up and Down walk the history, and Down past the newest brings the draft back', async () => {
    const session = await open(80);
    for (const line of ['first', 'second']) {
      session.type(`${line}${KEYS.enter}`);
      assert.deepEqual(await result(session), { type: 'send', lines: [line] });
    }
    session.type('my draft');
    await promptShows(session, 'my draft');
    session.type(KEYS.up);
    await promptShows(session, 'second');
    session.type(KEYS.up);
    await promptShows(session, 'first');
    session.type(KEYS.up);
    await promptShows(session, 'first');
    session.type(KEYS.down);
    await promptShows(session, 'second');
    // An incoming line in the middle of it changes nothing.
    session.signal('SIGUSR1');
    await session.expectText('incoming 1');
    await promptShows(session, 'second');
    session.type(KEYS.down);
    await promptShows(session, 'my draft');
    session.type(KEYS.enter);
    assert.deepEqual(await result(session), { type: 'send', lines: ['my draft'] });
  });

  it('returns a line starting with / as a command, and // sends a slash', async () => {
    const session = await open(80);
    session.type(`  /to Bob  ${KEYS.enter}`);
    assert.deepEqual(await result(session), { type: 'command', line: '/to Bob' });
    session.type(`//shrug${KEYS.enter}`);
    assert.deepEqual(await result(session), { type: 'send', lines: ['/shrug'] });
  });
});
