/**
 * Escape corpus: terminal-hostile sequences (C0, DEL, C1, CSI/OSC/DCS/APC/PM/SOS
 * strings, bidi overrides and isolates, line separators, line forgery) are
 * sent to real peers in the name, in the body and in a rejected address. Three
 * screens are checked: the built CLI's plain-text output (piped stdin), its
 * --json output, and the interactive formatter fed by a live ChatNode; plus
 * both --log files. None may hold a raw control or bidi code point. Then 500
 * ordinary Unicode strings go the same way and must come out unaltered.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { IncomingMessage } from '../../src/core/node.js';
import { MessageLog } from '../../src/store/jsonl-log.js';
import { formatIncoming, formatPeersTable, formatRejected } from '../../src/ui/format.js';
import { sanitizeForDisplay } from '../../src/ui/sanitize.js';
import { PLAIN_THEME } from '../../src/ui/theme.js';
import { createTestNode } from '../helpers/node.js';
import { withTestDataHome } from '../helpers/data-home.js';
import { CLI, startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { waitUntil } from '../helpers/wait.js';
import { countUnsafe, pool, rawSend, readLog, report, startSinks, tempDir, type Sinks } from './support.js';

const E = '\u001b';
const BEL = '\u0007';
const ST = `${E}\\`;

/** Each entry: what a hostile peer might embed. Named for the report on failure. */
const CORPUS: readonly string[] = [
  // C0 and DEL, one by one.
  '\u0000', BEL, '\u0008', '\t', '\n', '\u000b', '\u000c', '\r', '\u000e', '\u000f', '\u0018', '\u001a', E, '\u007f',
  // C1 (8-bit controls), including the 8-bit CSI/OSC/DCS/APC/PM/SOS introducers.
  '\u0080', '\u0084', '\u0085', '\u008d', '\u0090', '\u0098', '\u009b', '\u009c', '\u009d', '\u009e', '\u009f', '\u009b2J', '\u009d0;title\u009c',
  // CSI: clear, move, erase, colour, modes, reports.
  `${E}[2J`, `${E}[3J`, `${E}[H`, `${E}[1;1H`, `${E}[2K`, `${E}[1A`, `${E}[10D`, `${E}[31m`, `${E}[0m`, `${E}[5m`, `${E}[8m`,
  `${E}[38;2;255;0;0m`, `${E}[?1049h`, `${E}[?25l`, `${E}[?1000h`, `${E}[?2004h`, `${E}[200~`, `${E}[201~`, `${E}[6n`, `${E}[21t`,
  `${E}[8;1;1t`, `${E}[4i`, `${E}[s`, `${E}[u`, `${E}[1;999r`,
  // Other escape sequences: reset, save/restore, reverse index, alignment test, charsets, keypad.
  `${E}c`, `${E}7`, `${E}8`, `${E}M`, `${E}#8`, `${E}(0`, `${E})0`, `${E}D`, `${E}E`, `${E}=`, `${E}N`,
  // OSC: title, hyperlink, clipboard, inline image, notifications, palette, colour query.
  `${E}]0;pwned${BEL}`, `${E}]2;title${ST}`, `${E}]8;;http://example.invalid${ST}link${E}]8;;${ST}`, `${E}]52;c;cHduZWQ=${BEL}`,
  `${E}]1337;File=inline=1:AAAA${BEL}`, `${E}]777;notify;hi;there${BEL}`, `${E}]9;hi${BEL}`, `${E}]4;1;rgb:ff/00/00${BEL}`, `${E}]10;?${BEL}`,
  // DCS, APC, PM, SOS strings.
  `${E}P$q"p${ST}`, `${E}Pq#0;2;0;0;0#0~~${ST}`, `${E}_Gf=100;AAAA${ST}`, `${E}^privacy${ST}`, `${E}Xsos${ST}`,
  // Bidirectional controls, marks, separators.
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c', '\u2028', '\u2029',
  'admin\u202e\u2066txt.exe\u2069\u2066',
  // Line forgery and overwriting.
  '\r[00:00:00] FAKE Admin: fake line', '\nFAKE[00:00:00] root: hi', `${E}[1A${E}[2K\rFAKE overwrite`, 'a\u0008\u0008\u0008FAKE', '\r\nFAKE\r\n',
];

/** Ordinary strings someone might type: must reach the screen and the log untouched. */
const CURATED_ORDINARY: readonly string[] = [
  'Zoë', 'José', 'Ærøskøbing', 'straße', 'naïve', 'Ελληνικά', 'Русский', 'Українська', '日本語', '中文', '한국어', 'ไทย', 'हिन्दी', 'বাংলা', 'தமிழ்',
  'مرحبا', 'שלום', 'فارسی', 'e\u0301', 'n\u0303', 'ǅ', 'ﬁ', '👍', '👩‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '👋🏽', '❤️', '∑∫√', '™©®', '½¾', '¡¿', '«»', '“quoted”',
  'emoji😀mix', 'tab-less_name', 'back\\slash', '%s%n%x', '{"json":true}', '<b>html</b>', "';DROP_TABLE--",
];

function ordinaryStrings(count: number): string[] {
  const generated = fc.sample(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).filter((s) => countUnsafe(s) === 0 && !/[\s\u0085\u00a0]/u.test(s)),
    { numRuns: count * 3, seed: 20_260_101 },
  );
  const unique = [...new Set([...CURATED_ORDINARY, ...generated])];
  return unique.slice(0, count);
}

const opened: Array<() => Promise<unknown>> = [];
const temp = tempDir('escape');
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

/** The built CLI in plain-text mode (stdin a pipe, no --json): the non-interactive screen. */
async function startTextPeer(logFile: string): Promise<{ port: number; finish: () => Promise<{ code: number | null; stdout: string; stderr: string }> }> {
  const child = spawn(process.execPath, [CLI, '--name', 'Screen', '--port', 'auto', '--host', '127.0.0.1', '--ip', '127.0.0.1', '--log', logFile], {
    env: { ...process.env, NO_COLOR: '1', ...withTestDataHome() },
    stdio: 'pipe',
  });
  const exited = once(child, 'exit');
  opened.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  await waitUntil(() => /127\.0\.0\.1:(\d+)/.test(stdout), 10_000, () => `waiting for the listening line; stderr: ${stderr}`);
  const port = Number(/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
  return {
    port,
    finish: async () => {
      child.stdin.end();
      const [code] = (await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve([null]), 15_000).unref())])) as [number | null];
      return { code, stdout, stderr };
    },
  };
}

test('escape corpus: no raw control or bidi code point on any screen or in the log; ordinary Unicode unaltered', { timeout: 120_000 }, async () => {
  assert.ok(CORPUS.length >= 60, `corpus has ${CORPUS.length} sequences`);
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;

  const textLog = path.join(temp.dir, 'text.log');
  const jsonLog = path.join(temp.dir, 'json.log');
  const nodeLog = path.join(temp.dir, 'node.log');
  const text = await startTextPeer(textLog);
  const json: HeadlessPeer = await startHeadlessPeer({ name: 'Json', args: ['--log', jsonLog] });
  opened.push(() => json.stop());
  // The raw bytes of its stdout, as a terminal or a pipe reader would get them.
  const jsonChunks: Buffer[] = [];
  json.child.stdout.on('data', (chunk: Buffer) => jsonChunks.push(chunk));
  // The interactive terminal's formatter, fed by a live node: what the TTY would show.
  const node = createTestNode({ name: 'Tty', ip: '127.0.0.1', host: '127.0.0.1', port: 0, log: new MessageLog(nodeLog) });
  await node.start();
  opened.push(() => node.close());
  const ttyLines: string[] = [];
  const nodeMessages: IncomingMessage[] = [];
  node.on('message', (m) => {
    nodeMessages.push(m);
    ttyLines.push(formatIncoming(m, PLAIN_THEME));
  });
  node.on('rejected', (r) => ttyLines.push(formatRejected(r, new Date(), PLAIN_THEME)));

  // Each sequence in the name, in the body, and in an address (rejected, quoted in the notice).
  const hostile: string[] = [];
  for (const seq of CORPUS) {
    hostile.push(`${claim} N${seq}N body`);
    hostile.push(`${claim} Name B${seq}B`);
    hostile.push(`1.2.3.4${seq}:5000 Name body`);
  }
  const ordinary = ordinaryStrings(500);
  assert.equal(ordinary.length, 500);
  const friendly = ordinary.map((s) => `${claim} ${s} ${s}`);
  const payloads = [...hostile, ...friendly];
  const ports = [text.port, json.port, node.port];
  await pool(payloads, 8, async (payload) => {
    for (const port of ports) await rawSend(port, payload);
  });

  const isOutcome = (e: JsonEvent): boolean => e.type === 'message' || e.type === 'rejected';
  await json.waitForCount(isOutcome, payloads.length, 30_000);
  const jsonAccepted = json.events.filter((e) => e.type === 'message');
  assert.equal(nodeMessages.length, jsonAccepted.length);

  for (const line of formatPeersTable(node.peers(), Date.now(), PLAIN_THEME)) ttyLines.push(line);
  assert.equal(await json.quit(), 0);
  const textRun = await text.finish();
  assert.equal(textRun.code, 0, textRun.stderr);
  await node.close();

  // Screens.
  const ttyRaw = ttyLines.reduce((n, line) => n + countUnsafe(line) + (line.includes('\n') ? 1 : 0), 0);
  const textRaw = countUnsafe(textRun.stdout);
  const jsonRaw = countUnsafe(Buffer.concat(jsonChunks).toString('utf8'));
  const forged = textRun.stdout.split('\n').filter((line) => line.startsWith('FAKE')).length;
  assert.equal(ttyRaw, 0, 'raw code points in the interactive formatter output');
  assert.equal(textRaw, 0, 'raw code points in the plain-text output');
  assert.equal(jsonRaw, 0, 'raw code points in the --json output');
  assert.equal(forged, 0, 'a peer forged a line of its own');
  // Each hostile name and body is on the plain-text screen, escaped.
  for (const seq of CORPUS) assert.ok(textRun.stdout.includes(`B${sanitizeForDisplay(seq)}B`), `body ${JSON.stringify(seq)} not shown escaped`);

  // Logs: no raw code point, each accepted message exactly once, values intact.
  let logRaw = 0;
  for (const file of [textLog, jsonLog, nodeLog]) {
    logRaw += countUnsafe(fs.readFileSync(file, 'utf8'));
    const received = readLog(file).filter((r) => r.direction === 'in');
    assert.equal(received.length, jsonAccepted.length, `${path.basename(file)}: ${received.length} logged, ${jsonAccepted.length} accepted`);
    const key = (r: Readonly<Record<string, unknown>>): string => JSON.stringify([r.name, r.text]);
    assert.deepEqual(received.map(key).sort(), jsonAccepted.map(key).sort(), `${path.basename(file)} differs from what was accepted`);
  }
  assert.equal(logRaw, 0, 'raw code points in a log');

  // Ordinary strings: unaltered by the sanitiser, on every screen and in every log.
  const jsonByName = new Map(jsonAccepted.map((e) => [String(e.name), e]));
  const logged = readLog(textLog).filter((r) => r.direction === 'in');
  const loggedByName = new Map(logged.map((r) => [String(r.name), r]));
  const altered = ordinary.filter((s) => {
    const event = jsonByName.get(s);
    const record = loggedByName.get(s);
    const tty = ttyLines.some((line) => line.includes(`${claim} ${s} ${s}`));
    return (
      sanitizeForDisplay(s) !== s ||
      event?.text !== s ||
      record?.text !== s ||
      !textRun.stdout.includes(`${claim} ${s} ${s}`) ||
      !tty
    );
  });
  assert.deepEqual(altered, []);

  report(
    `escapes: ${CORPUS.length} sequences x name/body/address (${hostile.length} payloads) to 3 peers: ` +
      `${ttyRaw + textRaw + jsonRaw} raw control/bidi code points on screen (tty formatter, text CLI, --json CLI), ${logRaw} in 3 logs, ${forged} forged lines; ` +
      `${ordinary.length} ordinary Unicode strings: ${altered.length} altered; every accepted message logged once (${jsonAccepted.length} per log)`,
  );
});
