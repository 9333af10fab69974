import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sign, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import HyperDHT from 'hyperdht';
import { keyPairFromSeed, roomKeyPair } from '../../../../src/transport/room/keys.js';

describe('key pairs', () => {
  it('equal libsodium crypto_sign_seed_keypair, as hyperdht makes them', () => {
    for (let i = 0; i < 20; i += 1) {
      const seed = Buffer.alloc(32, i * 7 + 1);
      const ours = keyPairFromSeed(seed);
      const theirs = HyperDHT.keyPair(seed);
      assert.deepEqual(ours.publicKey, Buffer.from(theirs.publicKey));
      assert.deepEqual(ours.secretKey, Buffer.from(theirs.secretKey));
    }
  });
  it('sign and verify with node:crypto (the public key belongs to the seed)', () => {
    const { publicKey, secretKey } = keyPairFromSeed(Buffer.alloc(32, 9));
    const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secretKey.subarray(0, 32)]), format: 'der', type: 'pkcs8' });
    const signature = sign(null, Buffer.from('p2pchat'), privateKey);
    const pub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') }, format: 'jwk' });
    assert.ok(verify(null, Buffer.from('p2pchat'), pub, signature));
  });
  it('refuses a seed that is not 32 bytes', () => {
    assert.throws(() => keyPairFromSeed(Buffer.alloc(16)), /32 bytes, not 16/);
  });
});

describe('roomKeyPair', () => {
  const seed = Buffer.alloc(32, 1);
  it('is the same for the same identity and room, and differs across rooms and identities', () => {
    assert.deepEqual(roomKeyPair(seed, 'lobby'), roomKeyPair(Buffer.alloc(32, 1), 'lobby'));
    assert.notDeepEqual(roomKeyPair(seed, 'lobby').publicKey, roomKeyPair(seed, 'lobby2').publicKey);
    assert.notDeepEqual(roomKeyPair(seed, 'lobby').publicKey, roomKeyPair(Buffer.alloc(32, 2), 'lobby').publicKey);
    assert.notDeepEqual(roomKeyPair(seed, 'lobby').publicKey, keyPairFromSeed(seed).publicKey);
  });
});
