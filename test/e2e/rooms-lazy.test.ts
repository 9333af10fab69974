/**
 * Rooms are loaded lazily: the built CLI without --room loads no module of
 * hyperswarm, hyperdht or their native parts (udx-native, sodium-native),
 * although the room code is compiled in. A positive control inside a test
 * namespace shows that the recorder does see them when a room is joined, so
 * the first check can fail.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHeadlessPeer } from '../helpers/headless-peer.js';
import { RoomLab } from '../helpers/room.js';
import { startRoomCli } from '../helpers/room-cli.js';

const RECORDER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/record-modules.mjs');
const SWARM_MODULES = /node_modules\/(hyperswarm|hyperdht|udx-native|sodium-native|@hyperswarm)\//;

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-lazy-'));
  return { dir, file: path.join(dir, 'modules.txt') };
}

describe('rooms load lazily', { timeout: 120_000 }, () => {
  it('without --room, the built CLI loads nothing of Hyperswarm', async () => {
    const { dir, file } = tempFile();
    try {
      const peer = await startHeadlessPeer({
        name: 'Plain',
        env: { P2PCHAT_TEST_MODULES: file, XDG_CONFIG_HOME: path.join(dir, 'c'), XDG_DATA_HOME: path.join(dir, 'd') },
        wrap: (node, args) => ({ file: node, args: ['--import', RECORDER, ...args] }),
      });
      try {
        assert.equal(await peer.quit(), 0);
      } finally {
        await peer.stop();
      }
      const loaded = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      assert.ok(loaded.some((m) => m.endsWith('/dist/app/compose.js')), 'the recorder saw the app');
      assert.ok(loaded.some((m) => m.endsWith('/dist/transport/room/room-transport.js')), 'the room code is compiled in and imported');
      assert.deepEqual(loaded.filter((m) => SWARM_MODULES.test(m)), []);
      assert.equal(fs.existsSync(path.join(dir, 'c', 'p2pchat', 'identity.json')), false, 'no identity made without --room');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --room (inside a test namespace), the recorder sees Hyperswarm load', async () => {
    const lab = await RoomLab.start();
    const { dir, file } = tempFile();
    try {
      const peer = await startRoomCli(lab, { name: 'Roomy', env: { P2PCHAT_TEST_MODULES: file }, nodeArgs: ['--import', RECORDER] });
      try {
        assert.equal(await peer.quit(20_000), 0);
      } finally {
        await peer.stop();
      }
      const loaded = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
      assert.ok(loaded.some((m) => /node_modules\/hyperswarm\//.test(m)), `hyperswarm among ${loaded.length} modules`);
    } finally {
      await lab.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
