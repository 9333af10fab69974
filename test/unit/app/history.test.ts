/** The history feature's pure rules, and the --history / --no-history flags sharing one commander attribute. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REJOIN_WINDOW_MS, rejoinTargets, replayLines } from '../../../src/app/features/history.js';
import { createProgram, flagValues } from '../../../src/cli/program.js';
import { record } from '../../helpers/store-files.js';

const NOW = 1_800_000_000_000;

describe('rejoinTargets', () => {
  const table: Array<[string, { verified: boolean; ago: number }, boolean]> = [
    ['verified, an hour ago', { verified: true, ago: 3_600_000 }, true],
    ['verified, exactly 7 days ago', { verified: true, ago: REJOIN_WINDOW_MS }, true],
    ['verified, 7 days and 1 ms ago', { verified: true, ago: REJOIN_WINDOW_MS + 1 }, false],
    ['unverified, a minute ago', { verified: false, ago: 60_000 }, false],
  ];
  for (const [what, peer, greeted] of table) {
    it(`${what}: ${greeted ? 'greeted' : 'not greeted'}`, () => {
      const known = [{ id: '127.0.0.1:5001', name: 'P', verified: peer.verified, lastSeen: NOW - peer.ago }];
      assert.deepEqual(rejoinTargets(known, NOW, []), greeted ? ['127.0.0.1:5001'] : []);
    });
  }
  it('skips a peer already greeted as --peer', () => {
    const known = [
      { id: '127.0.0.1:5001', name: 'A', verified: true, lastSeen: NOW },
      { id: '127.0.0.1:5002', name: 'B', verified: true, lastSeen: NOW },
    ];
    assert.deepEqual(rejoinTargets(known, NOW, ['127.0.0.1:5001']), ['127.0.0.1:5002']);
  });
});

describe('replayLines', () => {
  it('keeps the last n chat lines, newest last, skipping control words', () => {
    const records = [record(1), record(2, { kind: 'hello' }), record(3), record(4, { kind: 'exit' }), record(5)];
    assert.deepEqual(replayLines(records, 2).map((r) => r.id), ['m3', 'm5']);
    assert.deepEqual(replayLines(records, 0), []);
    assert.deepEqual(replayLines(records, 10).map((r) => r.id), ['m1', 'm3', 'm5']);
  });
});

describe('--history and --no-history', () => {
  const parse = (args: string[]): ReturnType<typeof flagValues> => {
    const program = createProgram();
    program.parse(['node', 'p2pchat', ...args]);
    return flagValues(program);
  };
  it('--history <file> sets only history', () => assert.deepEqual(parse(['--history', '/tmp/h.db']), { history: '/tmp/h.db' }));
  it('--no-history sets only noHistory', () => assert.deepEqual(parse(['--no-history']), { noHistory: true }));
  it('neither sets nothing', () => assert.deepEqual(parse([]), {}));
  it('--replay 0 and --rejoin', () => assert.deepEqual(parse(['--replay', '0', '--rejoin']), { replay: 0, rejoin: true }));
  it('--replay -1 is refused', () => assert.throws(() => parse(['--replay', '-1'])));
});
