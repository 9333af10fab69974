/**
 * The built CLI as a room peer: `p2pchat --json --room … --dht-bootstrap
 * <the lab's testnet>` run inside a RoomLab's loopback-only namespace, with
 * its own XDG_CONFIG_HOME/XDG_DATA_HOME under the lab's folder. Refuses to
 * start unless the target namespace is a test namespace (the same guard as
 * TestNetwork.spawn and the room fixtures): a room CLI in the host's
 * namespace would contact Hyperswarm's public bootstrap nodes.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startHeadlessPeer, type HeadlessPeer, type StartOptions } from './headless-peer.js';
import { hostNamespace } from './netns.js';
import type { RoomLab } from './room.js';

export interface RoomCliOptions {
  readonly name: string;
  /** Rooms to join (default ['lobby']); [] for a plain TCP peer in the same namespace. */
  readonly rooms?: readonly string[];
  /** More flags. */
  readonly args?: readonly string[];
  /** Identity file (default: the lab's file for this name, so a restart keeps it). */
  readonly identity?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Flags for node itself, before the CLI's path (e.g. `--import` a recorder). */
  readonly nodeArgs?: readonly string[];
}

/** Start the CLI in `lab`'s namespace and wait for `listening` (rooms joined). Stop it in `finally`. */
export async function startRoomCli(lab: RoomLab, options: RoomCliOptions): Promise<HeadlessPeer> {
  const ns = lab.network.host(0).ns;
  // The namespace of the target, read from inside it: never the host's.
  const inside = execFileSync('ip', ['netns', 'exec', ns, 'readlink', '/proc/self/ns/net'], { encoding: 'utf8' }).trim();
  if (inside === hostNamespace()) throw new Error(`refusing to start a room CLI: ${ns} is the host's network namespace`);
  const rooms = options.rooms ?? ['lobby'];
  const home = path.join(lab.dir, `home-${options.name}`);
  fs.mkdirSync(home, { recursive: true });
  const roomArgs = rooms.length === 0 ? [] : [...rooms.flatMap((room) => ['--room', room]), '--dht-bootstrap', lab.bootstrap.join(','), '--identity', options.identity ?? lab.identityFile(options.name)];
  const start: StartOptions = {
    name: options.name,
    args: [...roomArgs, ...(options.args ?? [])],
    env: { XDG_CONFIG_HOME: path.join(home, 'config'), XDG_DATA_HOME: path.join(home, 'data'), ...options.env },
    startTimeoutMs: 40_000,
    wrap: (file, args) => ({ file: 'ip', args: ['netns', 'exec', ns, file, ...(options.nodeArgs ?? []), ...args] }),
  };
  return startHeadlessPeer(start);
}
