/**
 * Each command's result is printed before the next command's output, in
 * `--json` and in piped text mode: `/send` then `/peers` shows the send's
 * effect, and an error for `/bogus` comes after the `Sent to` line.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runCli } from '../../helpers/headless-peer.js';
import { startSinks } from '../../helpers/net.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const BASE = ['--name', 'Ann', '--port', 'auto', '--host', '127.0.0.1', '--ip', '127.0.0.1'];

describe('command output order in the scriptable modes', () => {
  it('--json: sent, then peers listing the new peer, then the error, then exit', async () => {
    const sinks = await startSinks(1);
    cleanups.push(() => sinks.close());
    const to = `127.0.0.1:${sinks.ports[0]}`;
    for (let round = 0; round < 5; round += 1) {
      const result = await runCli(['--json', ...BASE], { input: `/send ${to} one\n/send ${to} two\n/peers\n/bogus\n/quit\n` });
      assert.equal(result.code, 0, result.stderr);
      const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; text?: string; peers?: Array<{ address: string }> });
      assert.deepEqual(events.map((e) => e.type), ['listening', 'sent', 'sent', 'peers', 'error', 'exit'], `round ${round}`);
      assert.deepEqual(events.filter((e) => e.type === 'sent').map((e) => e.text), ['one', 'two']);
      assert.deepEqual(events[3]?.peers?.map((p) => p.address), [to], 'the send added the peer before /peers ran');
    }
  });

  it('piped text: the Sent lines, then the peers table, then the error', async () => {
    const sinks = await startSinks(1);
    cleanups.push(() => sinks.close());
    const to = `127.0.0.1:${sinks.ports[0]}`;
    const result = await runCli(BASE, { input: `/send ${to} hello\n/peers\n/bogus\n` });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    const sent = lines.findIndex((line) => line.startsWith(`Sent to ${to}`));
    const table = lines.findIndex((line) => line.includes('1 active peer'));
    const error = lines.findIndex((line) => line.startsWith('error: unknown command'));
    assert.ok(sent > 0 && table > sent && error > table, `order in:\n${lines.join('\n')}`);
  });
});
