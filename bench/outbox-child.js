/**
 * The outbox benchmark's child: the built outbox, journal and plain-TCP
 * sender in a process of their own, so that start-up and resident set are
 * measured as a user would see them.
 *
 *     node bench/outbox-child.js startup <journal>   replay, print `ready`, exit
 *     node bench/outbox-child.js serve <journal>     replay, print `ready`, run the outbox;
 *                                                    stdin: `wake <peer>` (a sign of life)
 *
 * Sends only to the 127.0.0.1 ports named in the journal, which the bench
 * reserved (closed) or opened itself.
 */
import readline from 'node:readline';
import { OutboxRunner } from '../dist/core/outbox-runner.js';
import { parseAddress } from '../dist/protocol/address.js';
import { openOutbox } from '../dist/store/outbox-journal.js';
import { sendMessage } from '../dist/transport/tcp/sender.js';

const [mode, file] = process.argv.slice(2);

const started = performance.now();
const { outbox, journal, warning } = openOutbox({ path: file });
const replayMs = performance.now() - started;
if (!journal) throw new Error(`no journal: ${warning}`);
process.stdout.write(`${JSON.stringify({ type: 'ready', size: outbox.size, replayMs })}\n`);

if (mode === 'startup') {
  journal.close();
} else {
  const runner = new OutboxRunner(outbox, (entry) => {
    const address = parseAddress(entry.to);
    if (!address.ok) return Promise.resolve({ ok: false, failure: 'error', error: address.error.detail });
    return sendMessage(address.address, entry.line, { timeoutMs: 2000, graceMs: 50 });
  });
  runner.start();
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [command, peer] = line.split(' ');
    if (command === 'wake') process.stdout.write(`${JSON.stringify({ type: 'woke', peer, due: runner.wake(peer) })}\n`);
  });
}
