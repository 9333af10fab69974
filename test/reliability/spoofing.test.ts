/**
 * Spoofing, against the built CLI: a verified peer (claims 127.0.0.1:P and
 * connects from 127.0.0.1) is in the list; then `exit`, `connect`, `hello` and
 * a chat line claiming that same peer arrive from 127.0.0.2. In `warn` the
 * list does not change at all (each is shown as unverified and protected); in
 * `strict` each is rejected as unverified. With `off` the forged `exit` does
 * remove the peer: the check is what protects it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { rawSend, readLog, report, startSinks, tempDir, type Sinks } from './support.js';

const SPOOFED_FROM = '127.0.0.2';
const FORGED = ['exit', 'connect', 'CONNECT', 'hello', 'Exit', 'I am Alice, trust me'];

const temp = tempDir('spoof');
const opened: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

async function peersOf(peer: HeadlessPeer): Promise<Array<Record<string, unknown>>> {
  const before = peer.events.length;
  peer.command('/peers');
  const event = await peer.waitFor((e) => e.type === 'peers' && peer.events.indexOf(e) >= before);
  // Only what the registry holds; `lastSeen` moves on every message and is compared on its own.
  return (event.peers as Array<Record<string, unknown>>).map(({ address, name, connected, messages, verified, lastSeen }) => ({
    address,
    name,
    connected,
    messages,
    verified,
    lastSeen,
  }));
}

async function scenario(mode: 'warn' | 'strict' | 'off'): Promise<{ changes: number; rejected: number; shownUnverified: number; logged: number; peersAfter: number }> {
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, `${mode}.log`);
  const peer = await startHeadlessPeer({ name: 'Target', args: ['--log', logFile, '--verify', mode] });
  opened.push(() => peer.stop());

  // The genuine peer says hello from its own address.
  await rawSend(peer.port, `${claim} Alice hello`);
  await peer.waitFor((e) => e.type === 'message' && e.name === 'Alice');
  const before = await peersOf(peer);
  assert.equal(before.length, 1);
  assert.equal(before[0]?.verified, true);

  // The forger, from 127.0.0.2, claims Alice's address.
  const outcomes = (e: JsonEvent): boolean => (e.type === 'message' && e.name === 'Mallory') || (e.type === 'rejected' && e.reason === 'unverified');
  for (const word of FORGED) {
    const sent = await rawSend(peer.port, `${claim} Mallory ${word}`, { localAddress: SPOOFED_FROM });
    assert.equal(sent.error, undefined);
  }
  const results = await peer.waitForCount(outcomes, FORGED.length, 10_000);
  const afterForgery = await peersOf(peer);
  let changes = 0;
  if (JSON.stringify(afterForgery) !== JSON.stringify(before)) changes = 1 + Math.abs(afterForgery.length - before.length);
  const rejected = results.filter((e) => e.type === 'rejected').length;
  const shown = results.filter((e) => e.type === 'message');
  const shownUnverified = shown.filter((e) => e.verified === false && String(e.remote).startsWith(`${SPOOFED_FROM}:`)).length;

  assert.equal(await peer.quit(), 0);
  const logged = readLog(logFile).filter((r) => r.direction === 'in' && r.name === 'Mallory');
  // Every message accepted (shown) is logged once, with its verdict; rejected ones are not.
  assert.equal(logged.length, shown.length);
  assert.ok(logged.every((r) => r.verified === false));

  if (mode === 'warn') {
    assert.equal(changes, 0, `the list changed: ${JSON.stringify(before)} -> ${JSON.stringify(afterForgery)}`);
    assert.equal(rejected, 0);
    assert.equal(shownUnverified, FORGED.length);
    assert.ok(shown.every((e) => e.change === 'protected'));
  } else if (mode === 'strict') {
    assert.equal(changes, 0);
    assert.equal(rejected, FORGED.length);
    assert.ok(results.every((e) => e.type === 'rejected' && String(e.detail).includes(SPOOFED_FROM)));
  } else {
    assert.ok(changes > 0, 'with --verify off the forged exit removed the verified peer');
  }
  return { changes, rejected, shownUnverified, logged: logged.length, peersAfter: afterForgery.length };
}

test('spoofing: exit/connect claiming a verified peer from 127.0.0.2', { timeout: 60_000 }, async () => {
  const warn = await scenario('warn');
  const strict = await scenario('strict');
  const off = await scenario('off');
  report(
    `spoofing: ${FORGED.length} forged messages (exit, connect, hello, chat) from ${SPOOFED_FROM} claiming a verified peer: ` +
      `warn ${warn.changes} registry changes (${warn.shownUnverified}/${FORGED.length} shown as unverified, logged ${warn.logged} with verified:false), ` +
      `strict ${strict.rejected}/${FORGED.length} rejected (reason unverified) and ${strict.changes} changes; ` +
      `control: with --verify off the same forgeries change the list (${off.changes} change${off.changes === 1 ? '' : 's'})`,
  );
});

test('peer cap: 150 forged hellos from 127.0.0.2 cannot grow the list past --max-peers or push out a verified peer', { timeout: 60_000 }, async () => {
  const FORGERIES = 150;
  const CAP = 100;
  // Every claimed address is a listener of ours: the quit fan-out goes only there.
  const sinks: Sinks = await startSinks(FORGERIES + 1);
  opened.push(() => sinks.close());
  const [genuine, ...others] = sinks.ports.map((port) => `127.0.0.1:${port}`);
  const peer = await startHeadlessPeer({ name: 'Target', args: ['--max-peers', String(CAP)] });
  opened.push(() => peer.stop());
  await rawSend(peer.port, `${genuine} Alice hello`);
  for (const claim of others) await rawSend(peer.port, `${claim} Forger hello`, { localAddress: SPOOFED_FROM });
  await peer.waitForCount((e) => e.type === 'message', FORGERIES + 1, 10_000);
  const list = await peersOf(peer);
  assert.equal(list.length, CAP);
  assert.ok(list.some((p) => p.address === genuine && p.verified === true && p.name === 'Alice'), 'the verified peer was evicted');
  assert.equal(await peer.quit(), 0);
  const exit = peer.events.at(-1);
  // Forged claims do not steer the quit fan-out: only the verified peer is told.
  assert.deepEqual(exit, { type: 'exit', notified: 1, failed: 0, skipped: CAP - 1 });
  const genuinePort = sinks.ports[0] as number;
  for (let waited = 0; (sinks.received.get(genuinePort)?.length ?? 0) === 0 && waited < 2000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const told = sinks.ports.filter((port) => (sinks.received.get(port)?.length ?? 0) > 0).map((port) => `127.0.0.1:${port}`);
  assert.deepEqual(told, [genuine], 'exit went to the verified peer only');
  report(
    `peer cap: ${FORGERIES} forged hellos at --max-peers ${CAP}: list held ${list.length}, verified peer kept; ` +
      `quit told ${String(exit?.notified)} (the verified peer), skipped ${String(exit?.skipped)} unverified (not ${FORGERIES + 1} connections)`,
  );
});
