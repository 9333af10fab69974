import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { Outbox } from '../src/core/outbox.js';
import { OutboxJournal } from '../src/store/outbox-journal.js';
import { defaultOutboxPath } from '../src/store/outbox-journal.js';

async function reserve(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const p = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return p;
}
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'obx-'));
const port = await reserve();
const emptyPort = await reserve();
const peers = await Promise.all(Array.from({ length: 100 }, reserve));
const file = defaultOutboxPath(port, { XDG_DATA_HOME: home }, os.homedir());
const outbox = new Outbox();
const opened = OutboxJournal.open(file, outbox, { sync: 'none' });
if (!opened.ok) throw opened.error;
const now = Date.now();
outbox.enqueueMany(Array.from({ length: 100_000 }, (_, i) => ({ id: `m${i}`, to: `127.0.0.1:${peers[i % 100]}`, kind: 'chat' as const, text: `message number ${i}, a line of ordinary length for a chat`, line: `127.0.0.1:${port} Bench message number ${i}, a line of ordinary length for a chat` })), now);
opened.journal.close();
console.log('journal bytes', fs.statSync(file).size);

async function once1(p: number): Promise<{ listening: number; ready: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/cli/bin.js', '--json', '--name', 'S', '--ip', '127.0.0.1', '--host', '127.0.0.1', '--port', String(p), '--timeout', '500'], { env: { ...process.env, XDG_DATA_HOME: home }, stdio: 'pipe' });
  let listening = 0;
  let buf = '';
  const ready = await new Promise<number>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      if (!listening && buf.includes('"listening"')) {
        listening = performance.now() - started;
        child.stdin.write('/peers\n');
      }
      if (buf.includes('"type":"peers"')) resolve(performance.now() - started);
    });
  });
  child.kill('SIGKILL');
  await once(child, 'exit');
  return { listening, ready };
}
const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? NaN;
const full = [], empty = [];
for (let i = 0; i < 5; i++) { full.push(await once1(port)); empty.push(await once1(emptyPort)); }
console.log('full listening', med(full.map((r) => r.listening)).toFixed(0), 'ready', med(full.map((r) => r.ready)).toFixed(0));
console.log('empty listening', med(empty.map((r) => r.listening)).toFixed(0), 'ready', med(empty.map((r) => r.ready)).toFixed(0));
fs.rmSync(home, { recursive: true, force: true });
