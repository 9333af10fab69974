/** Piped stdin without --json: the built CLI prints human-readable lines (no menu, no JSON). */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli, startHeadlessPeer, type HeadlessPeer } from '../helpers/headless-peer.js';

const peers: HeadlessPeer[] = [];
after(async () => {
  await Promise.all(peers.map((p) => p.stop()));
});

describe('text mode (stdin not a terminal)', { timeout: 30_000 }, () => {
  it('reads slash commands and prints plain lines', async () => {
    const bob = await startHeadlessPeer({ name: 'Bob' });
    peers.push(bob);
    const B = `127.0.0.1:${bob.port}`;
    const result = await runCli(
      ['--name', 'Alice', '--port', 'auto', '--ip', '127.0.0.1', '--host', '127.0.0.1', '--peer', B],
      { input: `/send ${B} plain \x1b[2J words\n/peers\n/nonsense\n/quit\n` },
    );
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout;
    assert.match(out, /^Server listening on 127\.0\.0\.1:\d+$/m);
    assert.match(out, new RegExp(`^Sent to ${B.replace(/\./g, '\\.')}: 127\\.0\\.0\\.1:\\d+ Alice plain \\\\x1b\\[2J words$`, 'm'));
    assert.match(out, /^Address\s+Name\s+Connected\s+Last heard\s+Messages\s+Source$/m);
    assert.match(out, /^error: unknown command "\/nonsense"/m);
    assert.match(out, /^Bye\. Told 1 of 1 peer you left/m);
    assert.equal(out.includes('\x1b'), false, 'no escape codes in piped output');
    assert.equal(out.trimStart().startsWith('{'), false, 'not JSON');
    const got = await bob.waitFor((e) => e.type === 'message' && e.kind === 'chat');
    assert.equal(got.text, 'plain \x1b[2J words');
  });
});
