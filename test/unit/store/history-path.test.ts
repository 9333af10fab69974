import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultHistoryPath } from '../../../src/store/history-path.js';

describe('defaultHistoryPath', () => {
  it('uses XDG_DATA_HOME when it is absolute', () => {
    assert.equal(defaultHistoryPath(5000, { XDG_DATA_HOME: '/data' }, '/home/a'), '/data/p2pchat/history-5000.db');
  });

  it('falls back to ~/.local/share when XDG_DATA_HOME is unset, empty or relative', () => {
    for (const env of [{}, { XDG_DATA_HOME: '' }, { XDG_DATA_HOME: 'rel/dir' }]) {
      assert.equal(defaultHistoryPath(5001, env, '/home/a'), '/home/a/.local/share/p2pchat/history-5001.db', JSON.stringify(env));
    }
  });

  it('one store per listening port', () => {
    assert.notEqual(defaultHistoryPath(5000, {}, '/h'), defaultHistoryPath(5001, {}, '/h'));
  });

  it('refuses a port outside 1..65535 and a relative home, with the value in the message', () => {
    for (const port of [0, -1, 65536, 1.5, Number.NaN]) {
      assert.throws(() => defaultHistoryPath(port, {}, '/h'), { name: 'RangeError', message: `history port must be 1..65535, got ${port}` });
    }
    assert.throws(() => defaultHistoryPath(5000, {}, ''), { name: 'RangeError', message: 'no absolute XDG_DATA_HOME and home folder "" is not absolute' });
  });
});
