import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CHECKPOINT, checkpointDecision } from '../../../src/store/checkpoint-policy.js';

describe('checkpoint policy', () => {
  const policy = { idleMs: 1000, maxWalBytes: 1_000_000 };
  const table: [number, number, ReturnType<typeof checkpointDecision>][] = [
    [0, 5000, { action: 'none' }],
    [4096, 0, { action: 'wait', inMs: 1000 }],
    [4096, 400, { action: 'wait', inMs: 600 }],
    [4096, 1000, { action: 'now' }],
    [1_000_000, 0, { action: 'now' }],
    [2_000_000, 10, { action: 'now' }],
  ];
  for (const [wal, since, expected] of table) {
    it(`WAL ${wal} B, ${since} ms since the last commit -> ${expected.action}`, () => assert.deepEqual(checkpointDecision(policy, wal, since), expected));
  }

  it('defaults: 1 s idle, 16 MiB', () => assert.deepEqual(DEFAULT_CHECKPOINT, { idleMs: 1000, maxWalBytes: 16 * 2 ** 20 }));
});
