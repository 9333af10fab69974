/** The outbox journal on real files: replay, torn lines, compaction, modes, and failures that leave the chat running. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Outbox, type OutboxMessage } from '../../../src/core/outbox.js';
import { RetrySchedule } from '../../../src/core/retry-schedule.js';
import { OutboxJournal, defaultOutboxPath, openOutbox, type OutboxJournalOptions, type ReplayReport } from '../../../src/store/outbox-journal.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/outbox-disk-full.ts');

function tempDir(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p2pchat-outbox-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function message(id: string, to = '127.0.0.1:5001'): OutboxMessage {
  return { id, to, kind: 'chat', text: `hi ${id}`, line: `127.0.0.1:5000 alice hi ${id}` };
}

function open(file: string, options: OutboxJournalOptions = {}): { outbox: Outbox; journal: OutboxJournal; replay: ReplayReport } {
  const outbox = new Outbox({ schedule: new RetrySchedule({ random: () => 0 }) });
  const opened = OutboxJournal.open(file, outbox, options);
  if (!opened.ok) throw opened.error;
  return { outbox, journal: opened.journal, replay: opened.replay };
}

const lines = (file: string): string[] => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('defaultOutboxPath', () => {
  it('one file per port under XDG_DATA_HOME, else ~/.local/share; a relative XDG_DATA_HOME is ignored', () => {
    const table: [NodeJS.ProcessEnv, string][] = [
      [{ XDG_DATA_HOME: '/data' }, '/data/p2pchat/outbox-5000.jsonl'],
      [{}, '/home/al/.local/share/p2pchat/outbox-5000.jsonl'],
      [{ XDG_DATA_HOME: '' }, '/home/al/.local/share/p2pchat/outbox-5000.jsonl'],
      [{ XDG_DATA_HOME: 'rel/dir' }, '/home/al/.local/share/p2pchat/outbox-5000.jsonl'],
    ];
    for (const [env, expected] of table) assert.equal(defaultOutboxPath(5000, env, '/home/al'), expected, JSON.stringify(env));
    assert.notEqual(defaultOutboxPath(5000, {}, '/h'), defaultOutboxPath(5001, {}, '/h'));
  });
});

describe('OutboxJournal', () => {
  it('creates a 0700 folder and a 0600 file, and replays what was queued, tried and sent', (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'p2pchat', 'outbox-5000.jsonl');
    const first = open(file);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const { outbox } = first;
    outbox.enqueue(message('m1'), 1000);
    outbox.enqueue(message('m2'), 1001);
    outbox.enqueue(message('b1', '127.0.0.1:5002'), 1002);
    outbox.markSending('m1');
    outbox.markFailed('m1', 'connection refused', 1100, 'refused');
    outbox.markSending('m1');
    outbox.markFailed('m1', 'connection refused', 2200, 'refused');
    outbox.markSending('b1');
    outbox.markSent('b1');
    assert.deepEqual(lines(file).map((l) => (JSON.parse(l) as string[])[0]), ['e', 'e', 'e', 'a', 'f', 'a', 'f', 'a', 's']);
    assert.deepEqual(JSON.parse(lines(file)[0] as string), ['e', 'm1', '127.0.0.1:5001', 'chat', '127.0.0.1:5000 alice hi m1', 1000, 21]);
    first.journal.close();
    first.journal.close();

    const second = open(file);
    assert.deepEqual(second.outbox.list(), outbox.list());
    assert.equal(second.outbox.failuresOf('127.0.0.1:5001'), 2);
    assert.deepEqual({ ...second.replay, inDoubt: second.replay.inDoubt.length }, { ops: 9, skipped: 0, tornBytes: 0, bytes: fs.statSync(file).size, inDoubt: 0 });
    assert.equal(second.outbox.get('m1')?.nextAt, 2200 + 2000);
    second.journal.close();
  });

  it('an attempt without a result is in doubt after a restart, and due again', (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    const { outbox, journal } = open(file);
    outbox.enqueue(message('m1'), 1);
    outbox.enqueue(message('m2'), 1);
    outbox.markSending('m1');
    // The process "dies" here: nothing closes the journal.
    void journal;
    const again = open(file);
    assert.deepEqual(again.replay.inDoubt.map((e) => [e.id, e.attempts]), [['m1', 1]]);
    assert.equal(again.outbox.get('m1')?.sending, false);
    assert.deepEqual(again.outbox.due(2).map((e) => e.id), ['m1']);
    again.journal.close();
  });

  it('drops a torn last line, truncates it away, and the next line starts clean', (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    const first = open(file);
    first.outbox.enqueue(message('m1'), 1);
    first.journal.close();
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, '["e","m2","127.0.0.1:50');

    const second = open(file);
    assert.equal(second.replay.tornBytes, Buffer.byteLength('["e","m2","127.0.0.1:50'));
    assert.equal(second.replay.skipped, 0);
    assert.equal(fs.statSync(file).size, whole);
    second.outbox.enqueue(message('m3'), 2);
    second.journal.close();
    const third = open(file);
    assert.deepEqual(third.outbox.list().map((e) => e.id), ['m1', 'm3']);
    assert.equal(third.replay.skipped, 0);
    third.journal.close();
  });

  it('openInSlices replays a long journal to the same state while the event loop keeps running, torn tail included', async (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    const first = open(file, { sync: 'none' });
    first.outbox.enqueueMany(Array.from({ length: 30_000 }, (_, i) => message(`m${i}`, `127.0.0.1:${6000 + (i % 7)}`)), 1);
    first.outbox.markSending('m0');
    first.outbox.markFailed('m0', 'connection refused', 50, 'refused');
    first.journal.close();
    fs.appendFileSync(file, '["e","torn');
    const expected = fs.readFileSync(file, 'utf8');

    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const outbox = new Outbox({ schedule: new RetrySchedule({ random: () => 0 }) });
    const opened = await OutboxJournal.openInSlices(file, outbox, { sliceMs: 2 });
    ticking = false;
    assert.ok(opened.ok);
    t.after(() => opened.journal.close());
    assert.ok(turns >= 3, `the event loop ran ${turns} times during the replay`);
    assert.equal(opened.replay.tornBytes, Buffer.byteLength('["e","torn'));
    assert.equal(fs.statSync(file).size, Buffer.byteLength(expected) - opened.replay.tornBytes, 'the torn tail is cut off');

    const sync = open(`${file}.sync`);
    sync.journal.close();
    fs.writeFileSync(`${file}.sync`, expected);
    const again = open(`${file}.sync`);
    t.after(() => again.journal.close());
    assert.deepEqual(outbox.list(), again.outbox.list(), 'the same entries, in the same order and state, as open()');
    assert.equal(outbox.failuresOf('127.0.0.1:6000'), 1);
    outbox.enqueue(message('after'), 2);
    assert.equal(JSON.parse(lines(file).at(-1) as string)[1], 'after', 'and it journals from then on');
  });

  it('skips a corrupt line in the middle with one warning and keeps the rest', (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    const first = open(file);
    first.outbox.enqueue(message('m1'), 1);
    first.journal.close();
    fs.appendFileSync(file, 'this is not json\n["s","never-queued"]\n');
    const second = open(file);
    second.outbox.enqueue(message('m2'), 2);
    second.journal.close();

    const opened = openOutbox({ path: file });
    assert.equal(opened.warning, `outbox file "${file}" had 2 unreadable lines, skipped`);
    assert.deepEqual(opened.outbox.list().map((e) => e.id), ['m1', 'm2']);
    opened.journal?.close();
  });

  it('compacts by rename once the journal outgrows the live state, and replays the same state', (t) => {
    const dir = tempDir(t);
    const file = path.join(dir, 'o.jsonl');
    const { outbox, journal } = open(file, { compactMinBytes: 4096, compactFactor: 4 });
    outbox.enqueue(message('keep-1'), 1);
    outbox.enqueue(message('keep-2', '127.0.0.1:5002'), 1);
    outbox.markSending('keep-1');
    outbox.markFailed('keep-1', 'connection refused', 5, 'refused');
    outbox.markSending('keep-2');
    for (let i = 0; i < 500; i += 1) {
      const to = `127.0.0.1:${6000 + (i % 7)}`;
      outbox.enqueue(message(`c${i}`, to), 10 + i);
      outbox.markSending(`c${i}`);
      outbox.markSent(`c${i}`);
    }
    assert.ok(journal.compactions >= 5, `compactions: ${journal.compactions}`);
    assert.ok(journal.bytes <= 4096 + 4 * journal.liveBytes + 512, `journal ${journal.bytes} bytes, live ~${journal.liveBytes}`);
    assert.ok(!fs.existsSync(`${file}.tmp`));
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    // The process dies with keep-2 in flight: the compacted file must still say so.
    const again = open(file);
    assert.deepEqual(again.outbox.list().map((e) => [e.id, e.attempts, e.lastError]), [
      ['keep-1', 1, 'connection refused'],
      ['keep-2', 1, null],
    ]);
    assert.deepEqual(again.replay.inDoubt.map((e) => e.id), ['keep-2']);
    assert.equal(again.outbox.failuresOf('127.0.0.1:5001'), 1);
    assert.equal(again.replay.skipped, 0);
    again.journal.close();
    journal.close();
  });

  it('compacts a journal that is mostly history at open, and removes a stale temporary file', (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    const first = open(file, { compactMinBytes: 1 << 30 });
    for (let i = 0; i < 300; i += 1) {
      first.outbox.enqueue(message(`c${i}`), i);
      first.outbox.markSending(`c${i}`);
      first.outbox.markSent(`c${i}`);
    }
    first.journal.close();
    fs.writeFileSync(`${file}.tmp`, 'half a compaction');
    const before = fs.statSync(file).size;
    const second = open(file, { compactMinBytes: 1024 });
    assert.equal(second.outbox.size, 0);
    assert.ok(before > 20_000 && fs.statSync(file).size === 0, `before ${before}, after ${fs.statSync(file).size}`);
    assert.ok(!fs.existsSync(`${file}.tmp`));
    second.journal.close();
  });

  it('tightens a looser mode on its own file', (t) => {
    const file = path.join(tempDir(t), 'o.jsonl');
    fs.writeFileSync(file, '', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const { journal } = open(file);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    journal.close();
  });

  it('a journal that cannot be opened is a typed failure; openOutbox falls back to memory with one warning', (t) => {
    const dir = tempDir(t);
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, '');
    const cases: [string, RegExp][] = [
      [path.join(blocker, 'p2pchat', 'outbox.jsonl'), /cannot create the folder of the outbox file ".*a-file\/p2pchat\/outbox\.jsonl" \((ENOTDIR|EEXIST)\)/],
      [path.join(blocker, 'outbox.jsonl'), /cannot (open|create the folder of) the outbox file .* \((ENOTDIR|EEXIST)\)/],
      ['/dev/null', /cannot use the outbox file "\/dev\/null" \(not a regular file\)/],
      [dir, /cannot open the outbox file .* \(EISDIR\)/],
    ];
    for (const [file, expected] of cases) {
      const outbox = new Outbox();
      const result = OutboxJournal.open(file, outbox);
      assert.equal(result.ok, false, file);
      assert.ok(!result.ok);
      assert.equal(result.error.code, 'P2P_OUTBOX_OPEN_FAILED');
      assert.match(result.error.message, expected);
      assert.equal(outbox.onOps, undefined, 'the outbox is not hooked to a failed journal');

      const opened = openOutbox({ path: file });
      assert.equal(opened.journal, undefined);
      assert.match(opened.warning ?? '', /; queued messages will not survive a restart$/);
      assert.ok(opened.outbox.enqueue(message('m1'), 1).ok, 'the memory-only outbox works');
    }
    const memory = openOutbox({ path: null });
    assert.deepEqual([memory.journal, memory.warning], [undefined, undefined]);
  });

  it('a full disk is reported once; the outbox goes on in memory and the file catches up when space returns', { skip: process.platform !== 'linux' }, async (t) => {
    const mount = tempDir(t);
    const run = promisify(execFile);
    // Its own mount namespace: the 256 KiB tmpfs disappears with the process.
    const script = `mount -t tmpfs -o size=256k tmpfs "$1" && exec "$2" --import tsx "$3" "$1"`;
    const { stdout } = await run('unshare', ['-m', 'sh', '-c', script, 'sh', mount, process.execPath, FIXTURE], { timeout: 60_000 });
    const result = JSON.parse(stdout) as { errors: string[]; errorsWhileFull: number; size: number; replayed: number; same: boolean; skipped: number; compactions: number };
    assert.deepEqual(result.errors, ['P2P_OUTBOX_WRITE_FAILED ENOSPC']);
    assert.equal(result.errorsWhileFull, 1);
    assert.ok(result.compactions >= 1, 'the catch-up is a full rewrite');
    assert.equal(result.replayed, result.size);
    assert.equal(result.same, true, 'the file holds what memory holds');
    assert.equal(result.skipped, 0);
    assert.deepEqual(fs.readdirSync(mount), [], 'nothing was written to the real folder');
  });
});
