/**
 * What RoomTransport decides before any network exists: names, ids, and the
 * sends it refuses at once. Nothing here calls listen(), so no Hyperswarm
 * runs (the integration tests do that inside a namespace).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { roomKeyPair } from '../../../../src/transport/room/keys.js';
import { formatRoomPeer } from '../../../../src/transport/room/peer-id.js';
import { RoomTransport } from '../../../../src/transport/room/room-transport.js';
import { roomTopic } from '../../../../src/transport/room/topic.js';

const seed = Buffer.alloc(32, 7);
const make = (room = 'lobby', name = 'Alice'): RoomTransport => new RoomTransport({ room, name, identity: { seed }, bootstrap: [{ host: '127.0.0.1', port: 1 }] });
const outbound = (text: string) => ({ id: 'm-1', kind: 'chat' as const, name: 'Alice', text, line: text });
const someone = formatRoomPeer(Buffer.alloc(32, 9));

describe('RoomTransport before it joins', () => {
  it('is named room:<name>, with the room topic and the id derived for this room', () => {
    const t = make('café');
    assert.equal(t.name, 'room:café');
    assert.deepEqual(t.topic, roomTopic('café'));
    assert.equal(t.id, formatRoomPeer(roomKeyPair(seed, 'café').publicKey));
    assert.equal(make('lobby').id, make('lobby').id, 'same identity and room: same id');
    assert.notEqual(make('lobby').id, make('other').id);
  });
  it('refuses a bad room name or chat name at construction', () => {
    assert.throws(() => make('two words'), /contains U\+0020/);
    assert.throws(() => make('lobby', 'Al ice'), /name must be 1-64 characters without whitespace/);
  });
  it('owns only peers it has met in this room', () => {
    const t = make();
    assert.equal(t.owns(someone), false);
    assert.equal(t.owns('127.0.0.1:5000'), false);
    assert.deepEqual(t.peers(), []);
  });
  it('fails at once, without throwing, for sends it cannot make', async () => {
    const t = make();
    const notAnId = await t.send('127.0.0.1:5000', outbound('hi'), { timeoutMs: 1000 });
    assert.deepEqual([notAnId.ok, !notAnId.ok && notAnId.failure, !notAnId.ok && notAnId.error], [false, 'error', '"127.0.0.1:5000" is not a room peer id']);
    const stranger = await t.send(someone, outbound('hi'), { timeoutMs: 1000 });
    assert.deepEqual([stranger.ok, !stranger.ok && stranger.failure, !stranger.ok && stranger.error], [false, 'unreachable', '@09090909… is not in room:lobby']);
    await t.close();
    await t.close();
    const closed = await t.send(someone, outbound('hi'), { timeoutMs: 1000 });
    assert.deepEqual([closed.ok, !closed.ok && closed.failure], [false, 'error']);
    await assert.rejects(t.listen(), /room:lobby is closed/);
  });
});
