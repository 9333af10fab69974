/**
 * Rooms cost nothing at start-up unless joined: the built CLI without --room
 * (the room code compiled in, hyperswarm loaded lazily) against a TCP-only
 * build of the same commit, in the same run. The TCP-only build is a copy of
 * dist/ whose app/rooms-compose.js (the one module the room code path hangs
 * off) returns no rooms and imports nothing; it lives under the project root
 * so that it resolves the same node_modules, and is deleted afterwards.
 * What remains in both: the few pure room helpers the option checks and the
 * views import (topic, bootstrap, peer-id), a few kB.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './procs.js';
import { median } from './stats.js';
import type { Row } from './table.js';
import { P2PCHAT_ARGS, timeToListening } from './startup.js';

export interface RoomsStartupOptions {
  readonly rounds: number;
}

export interface RoomsStartupResult {
  readonly withRooms: number[];
  readonly tcpOnly: number[];
  readonly median: { readonly withRooms: number; readonly tcpOnly: number };
}

const STUB = `// TCP-only build for the start-up bench: no rooms, nothing imported.\nexport function buildRooms() {\n  return [];\n}\n`;

export async function measureRoomsStartup(options: RoomsStartupOptions): Promise<RoomsStartupResult> {
  const copy = fs.mkdtempSync(path.join(ROOT, '.bench-tcp-only-'));
  try {
    fs.cpSync(path.join(ROOT, 'dist'), path.join(copy, 'dist'), { recursive: true });
    const stubbed = path.join(copy, 'dist', 'app', 'rooms-compose.js');
    if (!fs.existsSync(stubbed)) throw new Error(`${stubbed} is missing: the room code path moved`);
    fs.writeFileSync(stubbed, STUB);
    const withRooms = P2PCHAT_ARGS;
    const tcpOnly = [path.join(copy, 'dist', 'cli', 'bin.js'), ...P2PCHAT_ARGS.slice(1)];
    // One unmeasured start each (cold file cache), then alternate the order.
    await timeToListening(withRooms);
    await timeToListening(tcpOnly);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      if (round % 2 === 0) {
        a.push(await timeToListening(withRooms));
        b.push(await timeToListening(tcpOnly));
      } else {
        b.push(await timeToListening(tcpOnly));
        a.push(await timeToListening(withRooms));
      }
    }
    return { withRooms: a, tcpOnly: b, median: { withRooms: median(a), tcpOnly: median(b) } };
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

export function roomsStartupRows(r: RoomsStartupResult): Row[] {
  const ratio = r.median.withRooms / r.median.tcpOnly;
  return [
    {
      figure: '6. start-up without a room',
      unit: 'ms',
      p2pchat: r.median.withRooms,
      baseline: r.median.tcpOnly,
      baselineName: 'TCP-only build (rooms stubbed out)',
      ratio,
      target: '<= 1.05x',
      pass: ratio <= 1.05,
      note: `spawn to the listening line, no --room, median of ${r.withRooms.length} starts each`,
    },
  ];
}
