/** Room lines in the text views, and the delivered status (issue 14). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIncoming, formatPeersTable, formatSent } from '../../../src/ui/format.js';
import { formatRoomJoined, formatRoomPeer } from '../../../src/ui/room-format.js';
import { PLAIN_THEME } from '../../../src/ui/theme.js';

const ID = `@${'ab12cd34'.repeat(8)}`;

describe('room lines', () => {
  it('our own id per room, short and in full', () => {
    assert.equal(formatRoomJoined({ room: 'lobby', id: ID }, PLAIN_THEME), `In room lobby as @ab12cd34… (full id ${ID})`);
  });

  it('joined and left, with the name sanitised', () => {
    assert.equal(formatRoomPeer({ type: 'joined', peer: ID, name: 'Bob', room: 'lobby' }, PLAIN_THEME), 'Bob (@ab12cd34…) joined room lobby');
    assert.equal(formatRoomPeer({ type: 'left', peer: ID, name: null, room: 'lobby' }, PLAIN_THEME), '@ab12cd34… left room lobby');
    assert.equal(formatRoomPeer({ type: 'joined', peer: ID, name: 'B\u001b[2Job', room: 'lobby' }, PLAIN_THEME).includes('\u001b'), false);
  });

  it('a room send that was acknowledged says delivered; a TCP send stays sent', () => {
    const base = { ok: true as const, id: 'm1', text: 'hi', line: 'hi', lines: ['hi'], ms: 1 };
    assert.equal(formatSent({ ...base, to: ID, delivered: true }, PLAIN_THEME), `Sent to ${ID}: hi (delivered ✓✓)`);
    assert.equal(formatSent({ ...base, to: '127.0.0.1:5001', delivered: false }, PLAIN_THEME), 'Sent to 127.0.0.1:5001: hi');
  });

  it('the peers table shows a room peer short, with its name and source', () => {
    const lines = formatPeersTable(
      [{ address: ID, name: 'Bob', connected: false, lastSeen: 0, firstSeen: 0, messages: 1, verified: true, source: 'room:lobby' } as never],
      1000,
      PLAIN_THEME,
    );
    const row = lines.find((line) => line.includes('@ab12cd34…')) ?? '';
    assert.match(row, /@ab12cd34…\s+Bob\s.*room:lobby/);
    assert.equal(lines.join('\n').includes(ID), false, 'the 64-hex id is not printed in the table');
  });

  it('a message from a room peer shows the short id', () => {
    const line = formatIncoming({ kind: 'chat', from: ID, name: 'Bob', text: 'hi', remote: 'room:lobby', at: new Date(0), verified: true, change: 'refreshed' } as never, PLAIN_THEME);
    assert.match(line, /@ab12cd34… Bob hi$/);
  });
});
