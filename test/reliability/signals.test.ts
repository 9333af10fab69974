/**
 * Signals on the built CLI, with peers that make the goodbye slow (two that
 * never answer, two that do, --timeout 1500, and a send to a silent peer still
 * under way): a SIGINT or SIGTERM quits as
 * /quit does, within the timeout + 1 s, exit code 0; a second SIGINT (SIGTERM)
 * leaves at once with 130 (143). In every case the log holds each accepted
 * message exactly once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHeadlessPeer } from '../helpers/headless-peer.js';
import { delay, loggedTexts, rawSend, report, startBlackholes, startSinks, tempDir, type Blackholes, type Sinks } from './support.js';

const TIMEOUT_MS = 1500;

const temp = tempDir('signals');
const opened: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

let sinks: Sinks;
let holes: Blackholes;

/** The exit event with its list of failures counted. */
function counts(event: unknown): Record<string, unknown> {
  const { failures, ...rest } = event as { failures?: unknown[] };
  return { ...rest, failures: failures?.length ?? 0 };
}

async function run(signals: NodeJS.Signals[]): Promise<{ code: number | null; ms: number; last: unknown; logged: number }> {
  const logFile = path.join(temp.dir, `${signals.join('-')}.log`);
  const peer = await startHeadlessPeer({ name: 'Signalled', args: ['--log', logFile, '--timeout', String(TIMEOUT_MS)] });
  opened.push(() => peer.stop());
  const known = [...sinks.ports, ...holes.ports];
  for (const port of known) await rawSend(peer.port, `127.0.0.1:${port} P${port} hello`);
  for (let i = 0; i < 5; i += 1) await rawSend(peer.port, `127.0.0.1:${sinks.ports[0]} Chatter line ${i}`);
  await peer.waitForCount((e) => e.type === 'message', known.length + 5, 10_000);

  // A send already under way to a peer that never answers: quit must not wait for it first.
  peer.command(`/send 127.0.0.1:${holes.ports[0]} still there?`);
  await delay(100);
  const started = performance.now();
  peer.child.kill(signals[0]);
  if (signals[1]) {
    await delay(200);
    peer.child.kill(signals[1]);
  }
  const code = await Promise.race([peer.exited, delay(TIMEOUT_MS + 10_000).then(() => null)]);
  const ms = performance.now() - started - (signals[1] ? 200 : 0);
  const logged = loggedTexts(logFile);
  const expected = ['hello', ...Array.from({ length: 5 }, (_, i) => `line ${i}`)];
  assert.equal(logged.get('hello'), known.length);
  for (const text of expected.slice(1)) assert.equal(logged.get(text), 1, `${text} logged ${logged.get(text)} times`);
  return { code, ms, last: peer.events.at(-1), logged: known.length + 5 };
}

test('signals: SIGINT/SIGTERM quit within the timeout + 1 s; a second one leaves at once; the log is complete', { timeout: 120_000 }, async () => {
  sinks = await startSinks(2);
  opened.push(() => sinks.close());
  holes = await startBlackholes(2);
  opened.push(() => holes.close());

  const int = await run(['SIGINT']);
  assert.equal(int.code, 0);
  assert.ok(int.ms < TIMEOUT_MS + 1000, `SIGINT quit took ${int.ms} ms`);
  assert.deepEqual(counts(int.last), { type: 'exit', notified: 2, failed: 2, failures: 2 });

  const term = await run(['SIGTERM']);
  assert.equal(term.code, 0);
  assert.ok(term.ms < TIMEOUT_MS + 1000, `SIGTERM quit took ${term.ms} ms`);
  assert.deepEqual(counts(term.last), { type: 'exit', notified: 2, failed: 2, failures: 2 });

  const twice = await run(['SIGINT', 'SIGINT']);
  assert.equal(twice.code, 130);
  assert.ok(twice.ms < 1000, `second SIGINT took ${twice.ms} ms`);

  const termTwice = await run(['SIGTERM', 'SIGTERM']);
  assert.equal(termTwice.code, 143);
  assert.ok(termTwice.ms < 1000, `second SIGTERM took ${termTwice.ms} ms`);

  report(
    `signals (timeout ${TIMEOUT_MS} ms, 2 of 4 peers unresponsive, 1 send under way): SIGINT exit ${int.code} in ${Math.round(int.ms)} ms, ` +
      `SIGTERM exit ${term.code} in ${Math.round(term.ms)} ms (limit ${TIMEOUT_MS + 1000}; both told 2, failed 2); ` +
      `second SIGINT exit ${twice.code} in ${Math.round(twice.ms)} ms, second SIGTERM exit ${termTwice.code} in ${Math.round(termTwice.ms)} ms; ` +
      `log complete in all 4 (${int.logged} accepted, each once)`,
  );
});
