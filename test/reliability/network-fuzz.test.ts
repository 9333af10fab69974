/**
 * Network fuzz against the built CLI (--json --log): 2,000 malformed payloads
 * of ten families interleaved with 1,000 valid messages, 16 connections at a
 * time. The peer must not crash, must deliver and log each valid message
 * once, and must reject each malformed one with the reason its family calls for.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { loggedTexts, pool, rawSend, readLog, remotePort, report, startSinks, tempDir, type Sinks } from './support.js';

const VALID = 1000;
const MALFORMED = 2000;

interface Case {
  readonly payload: Buffer;
  /** For a valid message, its body; for a malformed one, the reasons it may be rejected with. */
  readonly valid?: string;
  readonly reasons?: readonly string[];
  readonly family: string;
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function malformed(index: number, rand: () => number, claim: string): Case {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;
  const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const text = (value: string): Buffer => Buffer.from(value, 'utf8');
  switch (index % 10) {
    case 0:
      // Binary noise; a leading 0xff (never valid UTF-8) keeps it from forming an address by chance.
      return { family: 'binary', payload: Buffer.concat([Buffer.from([0xff]), bytes(1 + Math.floor(rand() * 300))]), reasons: ['malformed', 'not-ip'] };
    case 1:
      return {
        family: 'NUL',
        payload: pick([Buffer.alloc(1 + Math.floor(rand() * 64)), text(`${claim}\0Fuzz\0body`), text(`\0${claim} Fuzz body`), text(`${claim}\0 Fuzz body`)]),
        reasons: ['malformed', 'not-ip', 'bad-port'],
      };
    case 2:
      return {
        family: 'invalid UTF-8',
        payload: pick([
          Buffer.concat([text('127.0.0.1:'), Buffer.from([0xc3, 0x28]), text(' Fuzz body')]),
          Buffer.concat([text('127.0.0'), Buffer.from([0xed, 0xa0, 0x80]), text('.1:5000 Fuzz body')]),
          Buffer.concat([Buffer.from([0xf0, 0x28, 0x8c, 0xbc]), text(':5000 Fuzz body')]),
          Buffer.concat([text('127.0.0.1:50'), Buffer.from([0xe2, 0x82]), text(' Fuzz body')]),
        ]),
        reasons: ['not-ip', 'bad-port'],
      };
    case 3:
      return {
        family: 'missing parts',
        payload: text(pick([claim, `${claim} Fuzz`, `${claim} Fuzz   `, '   ', '\t\n', 'Fuzz', `${claim}\n`, `  ${claim}  Fuzz \r\n`])),
        reasons: ['malformed'],
      };
    case 4:
      return { family: 'port 0', payload: text(pick(['127.0.0.1:0 Fuzz body', '127.0.0.1:00000 Fuzz body', '[::1]:0 Fuzz body'])), reasons: ['bad-port'] };
    case 5:
      return {
        family: 'port 65536',
        payload: text(pick(['127.0.0.1:65536 Fuzz body', '127.0.0.1:99999 Fuzz body', '127.0.0.1:-1 Fuzz body', '127.0.0.1: Fuzz body', '127.0.0.1:8e3 Fuzz body', '127.0.0.1:123456 Fuzz body'])),
        reasons: ['bad-port'],
      };
    case 6:
      return {
        family: 'non-IP',
        payload: text(pick(['localhost:5000 Fuzz body', 'example.com:80 Fuzz body', '256.1.1.1:5000 Fuzz body', '1.2.3:5000 Fuzz body', '::1:5000 Fuzz body', '[zz]:5000 Fuzz body', ':5000 Fuzz body'])),
        reasons: ['not-ip'],
      };
    case 7:
      return { family: 'bare CR', payload: text(pick(['\r', '\r\r\r', `${claim}\r`, `${claim} Fuzz\r`, `\r${claim}\rFuzz\r`])), reasons: ['malformed'] };
    case 8:
      return {
        family: 'broken brackets',
        payload: text(pick(['[::1 Fuzz body', '[::1]5000 Fuzz body', '[]:5000 Fuzz body', '[127.0.0.1]:5000 Fuzz body'])),
        reasons: ['malformed', 'not-ip'],
      };
    default:
      // Control characters in place of the separators: one token, no parts.
      return { family: 'control separators', payload: text(`${claim}\u0001Fuzz\u001bbody\u007f`), reasons: ['malformed'] };
  }
}

const opened: Array<{ close?: () => Promise<void>; stop?: () => Promise<void> }> = [];
const temp = tempDir('fuzz');
after(async () => {
  for (const thing of opened) await (thing.stop ?? thing.close)?.();
  temp.remove();
});

test('network fuzz: 2,000 malformed payloads interleaved with 1,000 valid messages', { timeout: 120_000 }, async () => {
  // The valid messages claim a port we opened, so the peer's goodbye goes there.
  const sinks: Sinks = await startSinks(1);
  opened.push(sinks);
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, 'fuzz.log');
  const peer: HeadlessPeer = await startHeadlessPeer({ name: 'Target', args: ['--log', logFile] });
  opened.push(peer);

  const rand = random(0x5eed);
  const cases: Case[] = [];
  for (let i = 0, v = 0, m = 0; v < VALID || m < MALFORMED; i += 1) {
    // Two malformed, one valid, in turn.
    if (i % 3 === 2 && v < VALID) {
      const body = `valid #${v} ${'héllo wörld ✓ 你好 '.slice(0, 1 + (v % 18))}`;
      cases.push({ family: 'valid', payload: Buffer.from(`${claim} Fuzzer ${body}`, 'utf8'), valid: body.trimEnd() });
      v += 1;
    } else if (m < MALFORMED) {
      cases.push(malformed(m, rand, claim));
      m += 1;
    }
  }

  const sentFrom = new Map<number, Case[]>();
  const started = performance.now();
  await pool(cases, 16, async (item) => {
    const { localPort } = await rawSend(peer.port, item.payload);
    const list = sentFrom.get(localPort) ?? [];
    list.push(item);
    sentFrom.set(localPort, list);
  });

  const isMessage = (e: JsonEvent): boolean => e.type === 'message';
  const isRejected = (e: JsonEvent): boolean => e.type === 'rejected';
  await peer.waitForCount(isMessage, VALID, 30_000);
  await peer.waitForCount(isRejected, MALFORMED, 30_000);
  const seconds = (performance.now() - started) / 1000;

  // Every rejection matches the payload sent from that source port, with its reason.
  let rejectedWithReason = 0;
  const wrongReason: string[] = [];
  const byPort = new Map([...sentFrom].map(([port, list]) => [port, list.filter((c) => !c.valid)]));
  for (const event of peer.events.filter(isRejected)) {
    const item = byPort.get(remotePort(event))?.shift();
    assert.ok(item, `a rejection for a connection that sent nothing malformed: ${JSON.stringify(event)}`);
    assert.equal(typeof event.detail, 'string');
    if (item.reasons?.includes(String(event.reason)) && String(event.detail).length > 0) rejectedWithReason += 1;
    else wrongReason.push(`${item.family}: ${JSON.stringify(item.payload.toString('utf8'))} -> ${String(event.reason)} (${String(event.detail)})`);
  }
  assert.deepEqual(wrongReason, []);

  // Every valid message delivered exactly once, nothing else delivered.
  const delivered = new Map<string, number>();
  for (const event of peer.events.filter(isMessage)) {
    assert.equal(event.from, claim);
    delivered.set(String(event.text), (delivered.get(String(event.text)) ?? 0) + 1);
  }
  const validBodies = cases.filter((c) => c.valid !== undefined).map((c) => c.valid as string);
  const deliveredOnce = validBodies.filter((b) => delivered.get(b) === 1).length;
  assert.equal(delivered.size, VALID);
  assert.equal(deliveredOnce, VALID);

  // Still alive and well: a last message after the storm, then a clean quit.
  await rawSend(peer.port, `${claim} Fuzzer after the storm`);
  await peer.waitFor((e) => isMessage(e) && e.text === 'after the storm');
  const code = await peer.quit();
  const crashes = (code === 0 ? 0 : 1) + (peer.stderr() === '' ? 0 : 1);
  assert.equal(code, 0, `exit code ${code}; stderr: ${peer.stderr()}`);
  assert.equal(peer.stderr(), '');
  assert.deepEqual(peer.events.at(-1), { type: 'exit', notified: 1, failed: 0 });
  assert.ok(sinks.received.get(sinks.ports[0] as number)?.some((line) => line.endsWith(' Target exit')));

  // The log holds each accepted message exactly once, and nothing rejected.
  const logged = loggedTexts(logFile);
  const loggedOnce = [...validBodies, 'after the storm'].filter((b) => logged.get(b) === 1).length;
  assert.equal(loggedOnce, VALID + 1);
  assert.equal(readLog(logFile).filter((r) => r.direction === 'in').length, VALID + 1);

  const families = new Map<string, number>();
  for (const c of cases) if (!c.valid) families.set(c.family, (families.get(c.family) ?? 0) + 1);
  report(
    `fuzz: ${deliveredOnce}/${VALID} valid delivered once and logged once (${loggedOnce - 1}/${VALID}), ` +
      `${rejectedWithReason}/${MALFORMED} rejected with the expected reason, ${crashes} crashes, ${seconds.toFixed(1)} s ` +
      `(${[...families].map(([f, n]) => `${f} ${n}`).join(', ')})`,
  );
});
