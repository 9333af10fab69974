/** The room options (issue 14): rows in the schema, checked by their validators, in the file and the environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEnvironment } from '../../../src/config/load.js';
import { checkDhtBootstrap, checkRoom, defaults, rowFor } from '../../../src/config/schema.js';
import { ERROR_CATALOGUE } from '../../../src/core/errors.js';

describe('room options', () => {
  it('default to no rooms, the default identity and the public DHT', () => {
    const d = defaults();
    assert.deepEqual([d.rooms, d.identity, d.dhtBootstrap], [[], undefined, []]);
    assert.equal(rowFor('rooms').list, true);
    assert.equal(rowFor('dhtBootstrap').list, true);
  });

  it('--room takes a room name, NFC-normalised, and refuses spaces and control characters', () => {
    assert.deepEqual(checkRoom('lobby'), { ok: true, value: 'lobby' });
    assert.deepEqual(checkRoom('cafe\u0301'), { ok: true, value: 'café' });
    for (const bad of ['', 'two words', 'bell\u0007', 'x'.repeat(101)]) {
      const checked = checkRoom(bad);
      assert.equal(checked.ok, false, bad);
    }
    assert.match((checkRoom('two words') as { problem: string }).problem, /contains U\+0020/);
  });

  it('--dht-bootstrap takes host:port or a comma list, and says what is wrong', () => {
    assert.deepEqual(checkDhtBootstrap('127.0.0.1:49737'), { ok: true, value: '127.0.0.1:49737' });
    assert.deepEqual(checkDhtBootstrap(' 127.0.0.1:1, [::1]:2 ,node.example:3'), { ok: true, value: '127.0.0.1:1,[::1]:2,node.example:3' });
    assert.match((checkDhtBootstrap('127.0.0.1') as { problem: string }).problem, /is not host:port/);
    assert.match((checkDhtBootstrap('127.0.0.1:70000') as { problem: string }).problem, /outside 1-65535/);
    assert.equal(checkDhtBootstrap(',').ok, false);
  });

  it('come from the environment, lists comma-separated, through the same checks', () => {
    const env = readEnvironment({ P2PCHAT_ROOM: 'lobby,dev', P2PCHAT_DHT_BOOTSTRAP: '127.0.0.1:1', P2PCHAT_IDENTITY: '/tmp/id.json' });
    assert.deepEqual([env.rooms, env.dhtBootstrap, env.identity], [['lobby', 'dev'], ['127.0.0.1:1'], '/tmp/id.json']);
    assert.throws(() => readEnvironment({ P2PCHAT_ROOM: 'a b' }), /P2PCHAT_ROOM: room name "a b" contains U\+0020/);
  });

  it('identity errors are start-up errors with exit status 1', () => {
    for (const code of ['P2P_IDENTITY_UNREADABLE', 'P2P_IDENTITY_MALFORMED', 'P2P_IDENTITY_PERMISSIONS', 'P2P_IDENTITY_WRITE_FAILED'] as const) {
      assert.equal(ERROR_CATALOGUE[code].exitCode, 1, code);
    }
  });
});
