import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  IdentityError,
  defaultIdentityPath,
  formatIdentity,
  loadIdentity,
  loadOrCreateIdentity,
  parseIdentity,
  saveIdentity,
} from '../../../../src/transport/room/identity.js';
import { keyPairFromSeed } from '../../../../src/transport/room/keys.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-identity-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => path.join(root, `case-${++n}`);
const mode = (p: string): number => fs.statSync(p).mode & 0o777;

function assertIdentityError(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof IdentityError, `not an IdentityError: ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('identity file', () => {
  it('is created on first use with mode 0600 in a new folder with mode 0700, and read back the same', () => {
    const dir = path.join(fresh(), 'p2pchat');
    const file = path.join(dir, 'identity.json');
    const first = loadOrCreateIdentity(file, () => Buffer.alloc(32, 5));
    assert.equal(first.created, true);
    assert.equal(mode(file), 0o600);
    assert.equal(mode(dir), 0o700);
    const again = loadOrCreateIdentity(file, () => Buffer.alloc(32, 6));
    assert.equal(again.created, false);
    assert.deepEqual(again.seed, Buffer.alloc(32, 5));
    assert.deepEqual(again.keyPair, keyPairFromSeed(Buffer.alloc(32, 5)));
    assert.deepEqual(fs.readdirSync(dir), ['identity.json'], 'no temporary file left behind');
  });
  it('holds the documented JSON', () => {
    const text = formatIdentity(Buffer.alloc(32, 1));
    const value = JSON.parse(text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(value), ['type', 'version', 'seed', 'publicKey']);
    assert.equal(value.type, 'p2pchat-identity');
    assert.equal(value.version, 1);
    assert.equal(value.seed, '01'.repeat(32));
    assert.equal(value.publicKey, keyPairFromSeed(Buffer.alloc(32, 1)).publicKey.toString('hex'));
  });
  it('is never overwritten by saveIdentity', () => {
    const file = path.join(fresh(), 'id.json');
    saveIdentity(file, Buffer.alloc(32, 1));
    assertIdentityError(() => saveIdentity(file, Buffer.alloc(32, 2)), 'P2P_IDENTITY_WRITE_FAILED', /cannot write the file for the identity .*: it already exists/);
    assert.deepEqual(loadIdentity(file).seed, Buffer.alloc(32, 1));
  });
  it('reports a folder it cannot create', () => {
    const blocker = path.join(fresh(), 'file');
    fs.mkdirSync(path.dirname(blocker), { recursive: true });
    fs.writeFileSync(blocker, 'x');
    assertIdentityError(() => loadOrCreateIdentity(path.join(blocker, 'id.json')), 'P2P_IDENTITY_WRITE_FAILED', /cannot create the folder .*file/);
  });
  it('refuses a file others can read, like ssh does, and names the fix', () => {
    const file = path.join(fresh(), 'id.json');
    saveIdentity(file, Buffer.alloc(32, 1));
    fs.chmodSync(file, 0o644);
    assertIdentityError(() => loadOrCreateIdentity(file), 'P2P_IDENTITY_PERMISSIONS', /has mode 0644, readable by others: run chmod 600 /);
    assert.equal(mode(file), 0o644, 'the bad file is left as it was');
  });
  it('refuses a missing file, a folder and a large file on load', () => {
    assertIdentityError(() => loadIdentity(path.join(root, 'nope.json')), 'P2P_IDENTITY_UNREADABLE', /nope\.json: no such file or folder/);
    const dir = fresh();
    fs.mkdirSync(dir);
    assertIdentityError(() => loadIdentity(dir), 'P2P_IDENTITY_UNREADABLE', /is not a regular file/);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, ' '.repeat(5000), { mode: 0o600 });
    assertIdentityError(() => loadOrCreateIdentity(big), 'P2P_IDENTITY_UNREADABLE', /is 5000 bytes: not an identity file/);
  });
  const good = JSON.parse(formatIdentity(Buffer.alloc(32, 3))) as Record<string, unknown>;
  const broken: Array<[string, string, RegExp]> = [
    ['not json', '{oops', /it is not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another type', JSON.stringify({ ...good, type: 'ssh-key' }), /"type" is "ssh-key", not "p2pchat-identity"/],
    ['a later version', JSON.stringify({ ...good, version: 2 }), /"version" is 2, this p2pchat reads version 1/],
    ['a short seed', JSON.stringify({ ...good, seed: 'abcd' }), /"seed" is not 64 lower-case hex digits/],
    ['no public key', JSON.stringify({ ...good, publicKey: undefined }), /"publicKey" is not 64/],
    ['a damaged seed', JSON.stringify({ ...good, seed: '04'.repeat(32) }), /does not belong to "seed" \(the file is damaged\)/],
  ];
  for (const [what, text, pattern] of broken) {
    it(`refuses ${what}, and loadOrCreateIdentity does not replace it`, () => {
      const file = path.join(fresh(), 'id.json');
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, text, { mode: 0o600 });
      assertIdentityError(() => loadOrCreateIdentity(file), 'P2P_IDENTITY_MALFORMED', pattern);
      assert.equal(fs.readFileSync(file, 'utf8'), text);
      assert.throws(() => parseIdentity(text, 'x.json'), /^IdentityError: x\.json is not a usable p2pchat identity/);
    });
  }
});

describe('defaultIdentityPath', () => {
  it('uses $XDG_CONFIG_HOME when absolute, else ~/.config', () => {
    assert.equal(defaultIdentityPath({ XDG_CONFIG_HOME: '/cfg' }, '/home/a'), '/cfg/p2pchat/identity.json');
    assert.equal(defaultIdentityPath({ XDG_CONFIG_HOME: 'relative' }, '/home/a'), '/home/a/.config/p2pchat/identity.json');
    assert.equal(defaultIdentityPath({}, '/home/a'), '/home/a/.config/p2pchat/identity.json');
  });
});
