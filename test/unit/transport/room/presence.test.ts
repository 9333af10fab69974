import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Presence } from '../../../../src/transport/room/presence.js';

describe('Presence', () => {
  it('reports up once per peer, at its first hello', () => {
    const p = new Presence(1000);
    p.opened('a');
    assert.equal(p.isUp('a'), false);
    assert.equal(p.hello('a', 'Alice'), true);
    p.opened('a');
    assert.equal(p.hello('a', 'Alice'), false, 'a second stream is not a second join');
    assert.equal(p.name('a'), 'Alice');
  });
  it('does not report a replaced stream as leave and join', () => {
    const p = new Presence(1000);
    p.opened('a');
    p.hello('a', 'Alice');
    assert.equal(p.closed('a', 0), null);
    assert.equal(p.nextDeadline(), 1000);
    p.opened('a');
    assert.equal(p.hello('a', 'Alice'), false);
    assert.deepEqual(p.due(5000), []);
    assert.equal(p.nextDeadline(), null);
    assert.equal(p.isUp('a'), true);
  });
  it('reports down once the last stream has been gone for the grace', () => {
    const p = new Presence(1000);
    p.opened('a');
    p.opened('a');
    p.hello('a', 'Alice');
    assert.equal(p.closed('a', 0), null);
    assert.equal(p.nextDeadline(), null, 'one stream is still open');
    assert.equal(p.closed('a', 100), null);
    assert.deepEqual(p.due(1099), []);
    assert.deepEqual(p.due(1100), ['a']);
    assert.deepEqual(p.due(9999), [], 'once');
    assert.equal(p.isUp('a'), false);
  });
  it('reports down at once after the peer said exit', () => {
    const p = new Presence(1000);
    p.opened('a');
    p.hello('a', 'Alice');
    p.exited('a');
    assert.equal(p.closed('a', 0), 'down');
    assert.equal(p.nextDeadline(), null);
  });
  it('forgets a stream that never said hello without reporting anything', () => {
    const p = new Presence(1000);
    p.opened('x');
    assert.equal(p.closed('x', 0), null);
    assert.equal(p.nextDeadline(), null);
    assert.deepEqual(p.upIds(), []);
    assert.equal(p.closed('never-seen', 0), null);
  });
  it('keeps the earliest deadline of several peers', () => {
    const p = new Presence(1000);
    for (const id of ['a', 'b']) {
      p.opened(id);
      p.hello(id, id);
    }
    p.closed('b', 50);
    p.closed('a', 10);
    assert.equal(p.nextDeadline(), 1010);
    assert.deepEqual(p.due(1010), ['a']);
    assert.equal(p.nextDeadline(), 1050);
  });
});
