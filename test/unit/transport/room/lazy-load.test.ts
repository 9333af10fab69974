/**
 * A p2pchat without rooms must start as before: importing the room modules
 * loads nothing of hyperswarm, hyperdht or their native parts. Node's CommonJS
 * cache (which ESM imports of CommonJS packages go through) shows what was
 * loaded; the last test proves the check sees hyperswarm once it is loaded.
 * This file runs in its own process (node --test), so nothing before it
 * loaded hyperswarm.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const HEAVY = ['/node_modules/hyperswarm/', '/node_modules/hyperdht/', '/node_modules/sodium-native/', '/node_modules/udx-native/'];

function loaded(): string[] {
  return Object.keys(require.cache).filter((file) => HEAVY.some((part) => file.includes(part)));
}

describe('lazy loading of hyperswarm', () => {
  it('importing every room module and building a transport loads none of it', async () => {
    assert.deepEqual(loaded(), [], 'nothing loaded before the test');
    const room = await import('../../../../src/transport/room/room-transport.js');
    await Promise.all(
      ['topic', 'identity', 'keys', 'peer-id', 'frame', 'connection', 'bootstrap', 'rate-limit', 'presence', 'seen-ids', 'refresh-schedule'].map(
        (name) => import(`../../../../src/transport/room/${name}.js`),
      ),
    );
    const transport = new room.RoomTransport({ room: 'lobby', identity: { seed: Buffer.alloc(32, 1) }, name: 'Alice', bootstrap: [{ host: '127.0.0.1', port: 1 }] });
    assert.match(transport.id, /^@[0-9a-f]{64}$/);
    await transport.close();
    assert.deepEqual(loaded(), []);
    // Node's own list of what it loaded (undocumented, hence the cast): no native addon either.
    const list = (process as unknown as { moduleLoadList?: string[] }).moduleLoadList ?? [];
    assert.ok(!list.some((m) => /sodium|udx|\.node$/.test(m)), 'no native binding loaded');
  });
  it('loadHyperswarm (what listen() calls) does load it, so the check above can fail', async () => {
    const { loadHyperswarm } = await import('../../../../src/transport/room/room-transport.js');
    const Swarm = await loadHyperswarm();
    assert.equal(typeof Swarm, 'function');
    const files = loaded();
    assert.ok(files.some((f) => f.includes('/node_modules/hyperswarm/')), `hyperswarm not in the cache: ${files.join(', ')}`);
    assert.ok(files.some((f) => f.includes('/node_modules/sodium-native/')), 'sodium-native not in the cache');
  });
});
