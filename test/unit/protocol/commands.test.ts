import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../../src/protocol/commands.js';

describe('parseCommand', () => {
  it('parses /send with a text that keeps its spaces', () => {
    assert.deepEqual(parseCommand('/send 127.0.0.1:5001 hi  there'), { type: 'send', to: '127.0.0.1:5001', text: 'hi  there' });
    assert.deepEqual(parseCommand('/send [::1]:5001 yo'), { type: 'send', to: '[::1]:5001', text: 'yo' });
  });
  it('keeps what was typed for a peer, to be resolved when the command runs', () => {
    assert.deepEqual(parseCommand('/send bob hi'), { type: 'send', to: 'bob', text: 'hi' });
    assert.deepEqual(parseCommand('/send localhost:5001 hi'), { type: 'send', to: 'localhost:5001', text: 'hi' });
    assert.deepEqual(parseCommand('/to @3f9a0c1d'), { type: 'to', to: '@3f9a0c1d' });
    assert.deepEqual(parseCommand('/forget Carol'), { type: 'forget', peer: 'Carol' });
  });
  it('parses /all, /history, /search, /outbox and /cancel', () => {
    assert.deepEqual(parseCommand('/all  see  you '), { type: 'all', text: 'see  you' });
    assert.deepEqual(parseCommand('/history'), { type: 'history' });
    assert.deepEqual(parseCommand('/history 20'), { type: 'history', limit: 20 });
    assert.deepEqual(parseCommand('/history bob'), { type: 'history', peer: 'bob' });
    assert.deepEqual(parseCommand('/history bob 5'), { type: 'history', peer: 'bob', limit: 5 });
    assert.deepEqual(parseCommand('/search  café  book'), { type: 'search', words: 'café  book' });
    assert.deepEqual(parseCommand('/outbox'), { type: 'outbox' });
    assert.deepEqual(parseCommand('/cancel k3-2a'), { type: 'cancel', id: 'k3-2a' });
  });
  it('parses /connect, /peers, /quit and blank lines', () => {
    assert.deepEqual(parseCommand('/connect 127.0.0.1:1'), { type: 'connect', to: '127.0.0.1:1' });
    assert.deepEqual(parseCommand(' /peers '), { type: 'peers' });
    assert.deepEqual(parseCommand('/QUIT'), { type: 'quit' });
    assert.deepEqual(parseCommand('   '), { type: 'none' });
  });
  const bad: Array<[string, RegExp]> = [
    ['/send', /missing peer/],
    ['/send 127.0.0.1:5001', /missing text/],
    ['/send 127.0.0.1:5001    ', /missing text/],
    ['/connect', /missing peer/],
    ['/to', /missing peer/],
    ['/forget', /missing peer/],
    ['/all   ', /missing text/],
    ['/search', /missing words/],
    ['/cancel', /missing message id/],
    ['/history bob alice', /"alice" is not a number/],
    ['/history 0', /n must be 1 to 10000/],
    ['/history a b c', /too many words/],
    ['/frobnicate', /unknown command "\/frobnicate"/],
    ['hello', /unknown command/],
  ];
  for (const [line, pattern] of bad) {
    it(`reports ${JSON.stringify(line)} as an error`, () => {
      const command = parseCommand(line);
      assert.equal(command.type, 'error');
      if (command.type === 'error') assert.match(command.message, pattern);
    });
  }
});
