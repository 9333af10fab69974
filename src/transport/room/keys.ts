/**
 * Ed25519 key pairs in libsodium's layout (what hyperdht's Noise handshake
 * takes), made with node:crypto so that creating or reading an identity never
 * loads hyperswarm or its native parts. Pure apart from the randomness of
 * `randomSeed`, which callers inject where they need determinism.
 */
import { createHmac, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

export interface KeyPair {
  /** 32 bytes. */
  readonly publicKey: Buffer;
  /** 64 bytes: the 32-byte seed, then the public key (crypto_sign_seed_keypair's layout). */
  readonly secretKey: Buffer;
}

/** The DER header of a PKCS#8 Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The prefix of every room key derivation (see `roomKeyPair`). */
export const ROOM_KEY_CONTEXT = 'p2pchat/room-key/v1:';

/** 32 random bytes for a new identity. */
export function randomSeed(): Buffer {
  return randomBytes(32);
}

/** The Ed25519 key pair of a 32-byte seed, identical to libsodium's crypto_sign_seed_keypair. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  if (seed.length !== 32) throw new RangeError(`an Ed25519 seed has 32 bytes, not ${seed.length}`);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const publicKey = Buffer.from(jwk.x ?? '', 'base64url');
  return { publicKey, secretKey: Buffer.concat([Buffer.from(seed), publicKey]) };
}

/**
 * The key pair one identity uses in one room:
 * `seed = HMAC-SHA256(key = identity seed, "p2pchat/room-key/v1:" || UTF-8(room))`.
 *
 * Why one key per room rather than one for all: each room runs its own
 * Hyperswarm, and two swarms announcing the same public key on the DHT
 * overwrite each other's records, so a peer of room A could be connected to
 * our room-B swarm. A derived key also keeps rooms unlinkable: members of two
 * rooms cannot tell from the ids that they share a member. The same identity
 * file always gives the same id in the same room.
 */
export function roomKeyPair(identitySeed: Uint8Array, room: string): KeyPair {
  const seed = createHmac('sha256', identitySeed).update(ROOM_KEY_CONTEXT, 'ascii').update(room, 'utf8').digest();
  return keyPairFromSeed(seed);
}
