import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeenIds } from '../../../../src/transport/room/seen-ids.js';

describe('SeenIds', () => {
  it('recognises a copy from the same sender only', () => {
    const seen = new SeenIds();
    assert.equal(seen.add('a', 'm-1'), true);
    assert.equal(seen.add('a', 'm-1'), false);
    assert.equal(seen.add('b', 'm-1'), true, 'ids are per sender');
  });
  it('forgets the oldest ids of a sender past its bound', () => {
    const seen = new SeenIds(3, 10);
    for (const id of ['1', '2', '3', '4']) seen.add('a', id);
    assert.deepEqual(['1', '2', '3', '4'].map((id) => seen.has('a', id)), [false, true, true, true]);
  });
  it('forgets the quietest sender past its bound', () => {
    const seen = new SeenIds(10, 2);
    seen.add('a', '1');
    seen.add('b', '1');
    seen.add('a', '2');
    seen.add('c', '1');
    assert.deepEqual([seen.has('a', '1'), seen.has('b', '1'), seen.has('c', '1')], [true, false, true]);
  });
});
