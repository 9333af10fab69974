import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listeningLines } from '../../../src/ui/listening-lines.js';

const LOCAL = ['127.0.0.1', '192.0.2.2', '::1'];

describe('listeningLines (the honest start-up lines)', () => {
  const cases: [string, { host: string; ip: string; port: number }, string[], string[]][] = [
    ['bound and advertised the same', { host: '127.0.0.1', ip: '127.0.0.1', port: 5000 }, ['Server listening on 127.0.0.1:5000'], []],
    [
      'another loopback bound, --ip differs',
      { host: '127.0.0.2', ip: '127.0.0.1', port: 5000 },
      ['Server listening on 127.0.0.2:5000', 'peers reach you at 127.0.0.1:5000'],
      [],
    ],
    [
      'wildcard: the machine addresses are listed',
      { host: '0.0.0.0', ip: '192.0.2.2', port: 5000 },
      ['Server listening on 0.0.0.0:5000', 'peers reach you at 192.0.2.2:5000', "this machine's addresses: 127.0.0.1, 192.0.2.2, ::1"],
      [],
    ],
    [
      '--ip not of this machine: a warning',
      { host: '0.0.0.0', ip: '203.0.113.9', port: 5000 },
      ['Server listening on 0.0.0.0:5000', 'peers reach you at 203.0.113.9:5000', "this machine's addresses: 127.0.0.1, 192.0.2.2, ::1"],
      ['--ip 203.0.113.9 is not an address of this machine: peers will try to answer there; check --ip'],
    ],
    ['IPv6 in brackets', { host: '::1', ip: '::1', port: 5000 }, ['Server listening on [::1]:5000'], []],
  ];
  for (const [what, info, lines, warnings] of cases) {
    it(what, () => {
      assert.deepEqual(listeningLines(info, LOCAL), { lines, warnings });
    });
  }
});
