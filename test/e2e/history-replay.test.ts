/**
 * Replay at interactive start-up: the BUILT CLI in a real pseudo-terminal,
 * on a history a headless run of the same port wrote in the test's own data
 * home. The last messages show under the `— earlier —` rule; --replay 0 shows none.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { freshDataHome } from '../helpers/data-home.js';
import { startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';
import { KEYS, spawnCliInPty, type PtySession } from '../helpers/pty.js';

const LOOPBACK = ['--ip', '127.0.0.1', '--host', '127.0.0.1'];
const sessions: PtySession[] = [];
const peers: HeadlessPeer[] = [];
after(async () => {
  await Promise.all([...sessions.map((s) => s.kill()), ...peers.map((p) => p.stop())]);
});

describe('replay at interactive start-up', () => {
  it('shows the last --replay messages of earlier runs under "— earlier —", and none with --replay 0', async () => {
    const home = freshDataHome();
    const first = await startHeadlessPeer({ name: 'Alice', env: { XDG_DATA_HOME: home } });
    peers.push(first);
    const bob = await startHeadlessPeer({ name: 'Bob' });
    peers.push(bob);
    for (let i = 1; i <= 4; i += 1) bob.command(`/send 127.0.0.1:${first.port} earlier line ${i}`);
    await first.waitForCount((e) => e.type === 'message' && e.kind === 'chat', 4);
    assert.equal(await first.quit(), 0);

    const alice = spawnCliInPty([...LOOPBACK, '--name', 'Alice', '--port', String(first.port), '--replay', '3'], { env: { XDG_DATA_HOME: home } });
    sessions.push(alice);
    await alice.expectText('— earlier —');
    await alice.expectText(/Bob: earlier line 2\s[\s\S]*Bob: earlier line 3\s[\s\S]*Bob: earlier line 4/);
    await alice.expectText('Choose an option');
    assert.doesNotMatch(alice.text(), /earlier line 1/);
    alice.type(KEYS.ctrlC);
    assert.equal(await alice.expectExit(), 0);

    const none = spawnCliInPty([...LOOPBACK, '--name', 'Alice', '--port', String(first.port), '--replay', '0'], { env: { XDG_DATA_HOME: home } });
    sessions.push(none);
    await none.expectText('Choose an option');
    assert.doesNotMatch(none.text(), /earlier/);
    none.type(KEYS.ctrlC);
    assert.equal(await none.expectExit(), 0);
  });
});
