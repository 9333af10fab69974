/** The scriptable modes' start and end: nothing accepted goes unshown, nothing runs after /quit. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, describe, it } from 'node:test';
import { CLI, runCli, startHeadlessPeer, type JsonEvent } from '../../helpers/headless-peer.js';
import { withTestDataHome } from '../../helpers/data-home.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One message on its own connection; resolves false if nothing listens yet. */
function trySend(port: number, payload: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(payload));
    socket.on('error', () => resolve(false));
    socket.on('close', (hadError) => resolve(!hadError));
    socket.resume();
  });
}

describe('scriptable mode', () => {
  it('shows every message it accepts, even one that arrives the moment it binds', async () => {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-start-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const logFile = path.join(dir, 'log.jsonl');
    const child = spawn(process.execPath, [CLI, '--json', '--name', 'Early', '--port', String(port), '--host', '127.0.0.1', '--ip', '127.0.0.1', '--log', logFile], {
      env: { ...process.env, ...withTestDataHome() },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => child.kill('SIGKILL'));
    const events: JsonEvent[] = [];
    readline.createInterface({ input: child.stdout }).on('line', (line) => events.push(JSON.parse(line) as JsonEvent));

    // Knock from before it listens until 200 messages got in, for at most 10 s.
    let delivered = 0;
    const until = Date.now() + 10_000;
    while (delivered < 200 && Date.now() < until) {
      const batch = await Promise.all(Array.from({ length: 4 }, (_, i) => trySend(port, `127.0.0.1:7000 Knocker m${delivered}-${i}`)));
      delivered += batch.filter(Boolean).length;
    }
    assert.ok(delivered >= 200, `only ${delivered} messages got in`);
    child.stdin.end('/quit\n');
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    const shown = events.filter((e) => e.type === 'message').length;
    const logged = fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('"direction":"in"')).length;
    assert.equal(events[0]?.type, 'listening');
    assert.equal(logged, delivered, 'every delivered message is logged');
    assert.equal(shown, delivered, 'every delivered message is shown');
  });

  it('ignores commands that follow /quit in the same input', async () => {
    const sink = net.createServer((socket) => {
      received.push('connection');
      socket.resume();
    });
    const received: string[] = [];
    sink.listen(0, '127.0.0.1');
    await once(sink, 'listening');
    cleanups.push(() => sink.close());
    const { port } = sink.address() as net.AddressInfo;
    const result = await runCli(['--json', '--name', 'A', '--port', 'auto', '--host', '127.0.0.1', '--ip', '127.0.0.1'], {
      input: `/quit\n/send 127.0.0.1:${port} after quit\n/peers\n`,
    });
    assert.equal(result.code, 0, result.stderr);
    const types = result.stdout.trim().split('\n').map((line) => (JSON.parse(line) as JsonEvent).type);
    assert.deepEqual(types, ['listening', 'exit']);
    assert.deepEqual(received, []);
  });

  it('a hang-up (SIGHUP), even under nohup, tells peers exit, then ends by SIGHUP', async () => {
    const bob = await startHeadlessPeer({ name: 'Bob' });
    cleanups.push(() => bob.stop());
    const alice = await startHeadlessPeer({
      name: 'Alice',
      // As nohup does: SIGHUP ignored before node starts (Node resets it to the default).
      wrap: (file, args) => ({ file: 'bash', args: ['-c', 'trap "" HUP; exec "$0" "$@"', file, ...args] }),
    });
    cleanups.push(() => alice.stop());
    alice.command(`/send 127.0.0.1:${bob.port} hi`);
    await alice.waitFor((e) => e.type === 'sent');
    alice.child.kill('SIGHUP');
    await alice.exited;
    assert.equal(alice.child.signalCode, 'SIGHUP');
    assert.deepEqual(alice.events.at(-1), { type: 'exit', notified: 1, failed: 0 });
    await bob.waitFor((e) => e.type === 'message' && e.kind === 'exit' && e.from === `127.0.0.1:${alice.port}`);
  });

  it('the exit event is the last line even with connections still open at quit', async () => {
    const peer = await startHeadlessPeer({ name: 'Busy' });
    cleanups.push(() => peer.stop());
    const sockets = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const socket = net.connect({ host: '127.0.0.1', port: peer.port });
        socket.on('error', () => undefined);
        await once(socket, 'connect');
        if (i % 2 === 1) socket.write('127.0.0.1:7000 Half'); // part of a message, never ended
        return socket;
      }),
    );
    cleanups.push(() => sockets.forEach((socket) => socket.destroy()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await peer.quit(), 0);
    const last = peer.events.at(-1);
    assert.equal(last?.type, 'exit', JSON.stringify(peer.events.slice(-3)));
    const closing = peer.events.filter((e) => e.type === 'dropped' && e.reason === 'closing');
    assert.equal(closing.length, 10);
  });
});

