/**
 * The identity file: one Ed25519 key pair per user, created on first use and
 * kept private (file 0600, a folder created for it 0700). Every room key is
 * derived from it (keys.ts), so the same file gives the same `@id` in the same
 * room after a restart.
 *
 * Format (UTF-8 JSON, one object):
 *   { "type": "p2pchat-identity", "version": 1,
 *     "seed": "<64 hex>", "publicKey": "<64 hex>" }
 * `publicKey` is the seed's Ed25519 key, written so that a damaged seed is
 * caught on load instead of silently becoming a new identity.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keyPairFromSeed, randomSeed, type KeyPair } from './keys.js';

export type IdentityErrorCode =
  | 'P2P_IDENTITY_UNREADABLE' // cannot read the file (not a file, no permission, too large)
  | 'P2P_IDENTITY_MALFORMED' // not an identity file, or a damaged one
  | 'P2P_IDENTITY_PERMISSIONS' // group or others may read it: the key is not secret any more
  | 'P2P_IDENTITY_WRITE_FAILED'; // cannot create the file or its folder

export class IdentityError extends Error {
  readonly code: IdentityErrorCode;

  constructor(code: IdentityErrorCode, message: string) {
    super(message);
    this.name = 'IdentityError';
    this.code = code;
  }
}

export interface Identity {
  /** The 32-byte secret every room key is derived from. */
  readonly seed: Buffer;
  readonly keyPair: KeyPair;
  /** Where it was loaded from or saved to. */
  readonly file: string;
}

const TYPE = 'p2pchat-identity';
const VERSION = 1;
/** An identity file is ~170 bytes; anything much larger is not one. */
const MAX_FILE_BYTES = 4096;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Where the identity lives unless `--identity` says otherwise:
 * `$XDG_CONFIG_HOME/p2pchat/identity.json`, else `~/.config/p2pchat/identity.json`.
 */
export function defaultIdentityPath(env: NodeJS.ProcessEnv = process.env, home: string = os.homedir()): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(home, '.config');
  return path.join(base, 'p2pchat', 'identity.json');
}

/** The file's text for `seed`. */
export function formatIdentity(seed: Uint8Array): string {
  const { publicKey } = keyPairFromSeed(seed);
  return `${JSON.stringify({ type: TYPE, version: VERSION, seed: Buffer.from(seed).toString('hex'), publicKey: publicKey.toString('hex') }, null, 2)}\n`;
}

/** Parse an identity file's text. Pure; throws IdentityError (P2P_IDENTITY_MALFORMED) quoting what is wrong. */
export function parseIdentity(text: string, file: string): Identity {
  const bad = (why: string): IdentityError => new IdentityError('P2P_IDENTITY_MALFORMED', `${file} is not a usable p2pchat identity: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad('it is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('it is not a JSON object');
  const record = value as Record<string, unknown>;
  if (record.type !== TYPE) throw bad(`"type" is ${JSON.stringify(record.type)}, not "${TYPE}"`);
  if (record.version !== VERSION) throw bad(`"version" is ${JSON.stringify(record.version)}, this p2pchat reads version ${VERSION}`);
  if (typeof record.seed !== 'string' || !HEX64.test(record.seed)) throw bad('"seed" is not 64 lower-case hex digits');
  if (typeof record.publicKey !== 'string' || !HEX64.test(record.publicKey)) throw bad('"publicKey" is not 64 lower-case hex digits');
  const seed = Buffer.from(record.seed, 'hex');
  const keyPair = keyPairFromSeed(seed);
  if (keyPair.publicKey.toString('hex') !== record.publicKey) throw bad('"publicKey" does not belong to "seed" (the file is damaged)');
  return { seed, keyPair, file };
}

/**
 * Read the identity at `file`. Throws IdentityError: P2P_IDENTITY_UNREADABLE
 * (missing, not a regular file, unreadable, too large), P2P_IDENTITY_PERMISSIONS
 * (group or others may read it: `chmod 600`), P2P_IDENTITY_MALFORMED.
 */
export function loadIdentity(file: string): Identity {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new IdentityError('P2P_IDENTITY_UNREADABLE', `cannot read the identity ${file}: ${describe(error)}`);
  }
  if (!stat.isFile()) throw new IdentityError('P2P_IDENTITY_UNREADABLE', `the identity ${file} is not a regular file`);
  if (stat.size > MAX_FILE_BYTES) throw new IdentityError('P2P_IDENTITY_UNREADABLE', `the identity ${file} is ${stat.size} bytes: not an identity file (at most ${MAX_FILE_BYTES})`);
  // Like ssh with a private key: a secret others can read is no longer a secret.
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new IdentityError('P2P_IDENTITY_PERMISSIONS', `the identity ${file} has mode ${mode}, readable by others: run chmod 600 ${file}`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new IdentityError('P2P_IDENTITY_UNREADABLE', `cannot read the identity ${file}: ${describe(error)}`);
  }
  return parseIdentity(text, file);
}

/**
 * Write a new identity to `file` (mode 0600; a missing folder is created 0700).
 * Never overwrites: if the file exists, throws P2P_IDENTITY_WRITE_FAILED.
 * The file appears whole or not at all (written aside, then hard-linked in).
 */
export function saveIdentity(file: string, seed: Uint8Array): Identity {
  const dir = path.dirname(file);
  const fail = (what: string, error: unknown): IdentityError =>
    new IdentityError('P2P_IDENTITY_WRITE_FAILED', `cannot ${what} for the identity ${file}: ${describe(error)}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw fail(`create the folder ${dir}`, error);
  }
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(temp, formatIdentity(seed), { mode: 0o600, flag: 'wx' });
    // link() fails when the name exists, so two first starts cannot overwrite each other's key.
    fs.linkSync(temp, file);
  } catch (error) {
    throw fail('write the file', error);
  } finally {
    fs.rmSync(temp, { force: true });
  }
  return { seed: Buffer.from(seed), keyPair: keyPairFromSeed(seed), file };
}

/**
 * The identity at `file`, created with a fresh random key if there is none.
 * A file that exists but cannot be used is an error, never replaced: that
 * would silently change the user's id in every room.
 */
export function loadOrCreateIdentity(file: string, seed: () => Uint8Array = randomSeed): Identity & { readonly created: boolean } {
  if (!fs.existsSync(file)) {
    try {
      return { ...saveIdentity(file, seed()), created: true };
    } catch (error) {
      // Another process created it first: use theirs.
      if (!(error instanceof IdentityError && fs.existsSync(file))) throw error;
    }
  }
  return { ...loadIdentity(file), created: false };
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EEXIST':
      return 'it already exists';
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
