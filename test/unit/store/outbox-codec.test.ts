import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { OutboxOp } from '../../../src/core/outbox.js';
import { decodeOutboxLine, encodeOutboxOp } from '../../../src/store/outbox-codec.js';

describe('outbox journal line format', () => {
  it('writes each operation as a short array, the text as an offset into the line when it ends it', () => {
    const table: [OutboxOp, unknown[]][] = [
      [{ op: 'enqueue', id: 'm1', to: '127.0.0.1:5001', kind: 'chat', text: 'hi there', line: '127.0.0.1:5000 al hi there', at: 5 }, ['e', 'm1', '127.0.0.1:5001', 'chat', '127.0.0.1:5000 al hi there', 5, 18]],
      [{ op: 'enqueue', id: 'r1', to: '@ab', kind: 'chat', text: 'not the end', line: 'other', at: 5 }, ['e', 'r1', '@ab', 'chat', 'other', 5, 'not the end']],
      [
        { op: 'enqueue', id: 'm1', to: 'p', kind: 'connect', text: 'connect', line: 'x connect', at: 5, attempts: 2, nextAt: 9, lastError: 'refused!', failure: 'refused' },
        ['e', 'm1', 'p', 'connect', 'x connect', 5, 2, 2, 9, 'refused!', 'refused'],
      ],
      [{ op: 'enqueue', id: 'm1', to: 'p', kind: 'chat', text: 't', line: 'x t', at: 5, nextAt: 9 }, ['e', 'm1', 'p', 'chat', 'x t', 5, 2, 0, 9, null, null]],
      [{ op: 'attempt', id: 'm1' }, ['a', 'm1']],
      [{ op: 'sent', id: 'm1' }, ['s', 'm1']],
      [{ op: 'failed', id: 'm1', error: 'timed out', failure: 'timeout', nextAt: 7, failures: 3 }, ['f', 'm1', 7, 3, 'timeout', 'timed out']],
      [{ op: 'cancel', id: 'm1' }, ['c', 'm1']],
      [{ op: 'gave-up', id: 'm1' }, ['g', 'm1']],
      [{ op: 'backoff', to: 'p', failures: 4 }, ['b', 'p', 4]],
    ];
    for (const [op, array] of table) {
      const line = encodeOutboxOp(op);
      assert.deepEqual(JSON.parse(line), array, op.op);
      assert.ok(!line.includes('\n'));
      const back = decodeOutboxLine(line);
      assert.deepEqual(back, op.op === 'enqueue' && op.nextAt !== undefined && op.attempts === undefined ? { ...op, attempts: 0 } : op);
    }
  });

  it('refuses anything that is not an operation', () => {
    const bad = [
      '',
      'not json',
      '{"op":"sent","id":"m1"}',
      '42',
      'null',
      '[]',
      '["s"]',
      '["s", 7]',
      '["s","m1","extra"]',
      '["x","m1"]',
      '["e","m1","p","shout","l",1,0]',
      '["e","m1","p","chat","l","when",0]',
      '["e","m1","p","chat","line",1,9]',
      '["e","m1","p","chat","line",1,-1]',
      '["e","m1","p","chat","line",1,0,1]',
      '["e","m1","p","chat","line",1,0,-1,5,null,null]',
      '["e","m1","p","chat","line",1,0,1,5,7,null]',
      '["e","m1","p","chat","line",1,0,1,5,null,"gremlins"]',
      '["f","m1",1,1,"gremlins","e"]',
      '["f","m1",null,1,"refused","e"]',
      '["f","m1",1,1.5,"refused","e"]',
      '["b","p",-2]',
      '["e","m1","127.0.0.1:50',
    ];
    for (const line of bad) assert.equal(decodeOutboxLine(line), undefined, line);
  });

  it('any text survives the round trip, whatever it holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.boolean(), (text, prefix, suffix) => {
        const line = suffix ? `${prefix}${text}` : `${text}${prefix}!`;
        const op: OutboxOp = { op: 'enqueue', id: 'id', to: 'p', kind: 'chat', text, line, at: 1 };
        const encoded = encodeOutboxOp(op);
        assert.ok(!encoded.includes('\n'), 'one line whatever the text');
        assert.deepEqual(decodeOutboxLine(encoded), op);
      }),
    );
  });
});
