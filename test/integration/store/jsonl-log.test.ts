/** The --log file never takes the chat down: devices, pipes and failing writes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageLog } from '../../../src/store/jsonl-log.js';
import { runCli } from '../../helpers/headless-peer.js';

describe('MessageLog', () => {
  it('closes a device it cannot fsync without throwing', () => {
    const errors: string[] = [];
    const log = new MessageLog('/dev/null');
    log.onError = (error) => errors.push(String(error.code));
    log.write({ at: new Date(0).toISOString(), direction: 'in', text: 'hi' });
    log.close();
    log.close();
    assert.deepEqual(errors, []);
  });

  it('reports a failing write once, and goes on', { skip: process.platform === 'linux' ? false : '/dev/full is Linux only' }, () => {
    const errors: string[] = [];
    const log = new MessageLog('/dev/full');
    log.onError = (error) => errors.push(String(error.code));
    for (let i = 0; i < 3; i++) log.write({ at: new Date(0).toISOString(), direction: 'out', text: `m${i}` });
    log.close();
    assert.deepEqual(errors, ['ENOSPC']);
  });

  it('a log file that cannot be opened is a one-line start-up error', async () => {
    const result = await runCli(['--json', '--name', 'A', '--port', 'auto', '--host', '127.0.0.1', '--log', '/nonexistent-dir/chat.log']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'p2pchat: cannot open log file "/nonexistent-dir/chat.log" (ENOENT); check the path and its permissions\n');
  });

  it('the CLI quits cleanly with --log /dev/null', async () => {
    const result = await runCli(['--json', '--name', 'A', '--port', 'auto', '--host', '127.0.0.1', '--ip', '127.0.0.1', '--log', '/dev/null'], { input: '/peers\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string });
    assert.deepEqual(events.map((e) => e.type), ['listening', 'peers', 'exit']);
  });
});
