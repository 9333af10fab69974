import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand } from '../../../src/protocol/commands.js';

describe('parseCommand', () => {
  it('parses /send with a text that keeps its spaces', () => {
    assert.deepEqual(parseCommand('/send 127.0.0.1:5001 hi  there'), { type: 'send', to: '127.0.0.1:5001', text: 'hi  there' });
    assert.deepEqual(parseCommand('/send [::1]:5001 yo'), { type: 'send', to: '[::1]:5001', text: 'yo' });
  });
  it('parses /connect, /peers, /quit and blank lines', () => {
    assert.deepEqual(parseCommand('/connect 127.0.0.1:1'), { type: 'connect', to: '127.0.0.1:1' });
    assert.deepEqual(parseCommand(' /peers '), { type: 'peers' });
    assert.deepEqual(parseCommand('/QUIT'), { type: 'quit' });
    assert.deepEqual(parseCommand('   '), { type: 'none' });
  });
  const bad: Array<[string, RegExp]> = [
    ['/send', /missing address/],
    ['/send 127.0.0.1:5001', /missing text/],
    ['/send 127.0.0.1:5001    ', /missing text/],
    ['/send localhost:5001 hi', /bad address/],
    ['/send 127.0.0.1:0 hi', /bad address: port 0/],
    ['/connect', /missing address/],
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
