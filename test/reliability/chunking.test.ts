/**
 * Chunking: 200 messages, each sent once in a single write and once a byte at
 * a time (with a pause between bytes, so multi-byte characters are cut across
 * reads), must produce identical outcomes, and each accepted one is logged once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import { createTestNode } from '../helpers/node.js';
import { MessageLog } from '../../src/store/jsonl-log.js';
import { pool, rawSend, readLog, report, startSinks, tempDir, type Sinks } from './support.js';

const MESSAGES = 200;

const temp = tempDir('chunking');
const opened: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

function payloads(claim: string): Buffer[] {
  const bodies = ['plain ascii', 'héllo wörld', '你好，世界', '👩‍👩‍👧‍👦 family', 'e\u0301 combining', 'مرحبا بالعالم', 'tabs\tand  spaces', 'CONNECT', 'hello', 'Ελληνικά ✓'];
  const result: Buffer[] = [];
  for (let i = 0; i < MESSAGES; i += 1) {
    const body = `#${i} ${bodies[i % bodies.length]}`;
    if (i % 20 === 19) {
      // Invalid UTF-8 in the body: both ways must give the same U+FFFD.
      result.push(Buffer.concat([Buffer.from(`${claim} Chunk #${i} bad `), Buffer.from([0xe2, 0x82, 0xff, 0xc3])]));
    } else if (i % 20 === 9) {
      // Malformed: the same rejection both ways.
      result.push(Buffer.from(`${claim.replace(/:\d+$/, ':0')} Chunk ${body}`));
    } else {
      result.push(Buffer.from(`${i % 2 === 0 ? '' : '  '}${claim} Chunk${i % 7} ${body}${i % 3 === 0 ? '\r\n' : ''}`));
    }
  }
  return result;
}

test('chunking: 200 messages written a byte at a time arrive identical to single writes', { timeout: 120_000 }, async () => {
  const sinks: Sinks = await startSinks(1);
  opened.push(() => sinks.close());
  const claim = `127.0.0.1:${sinks.ports[0]}`;
  const logFile = path.join(temp.dir, 'chunking.log');
  const node = createTestNode({ name: 'Receiver', ip: '127.0.0.1', host: '127.0.0.1', port: 0, log: new MessageLog(logFile) });
  await node.start();
  opened.push(() => node.close());

  // Outcomes keyed by the sender's source port: the server reports it before it closes.
  const outcomes = new Map<number, string>();
  const remotePort = (remote: string): number => Number(remote.split(':').pop());
  node.on('message', (m) => outcomes.set(remotePort(m.remote), JSON.stringify(['message', m.kind, m.from, m.name, m.text])));
  node.on('rejected', (r) => outcomes.set(remotePort(r.remote), JSON.stringify(['rejected', r.reason, r.detail])));
  node.on('dropped', (d) => outcomes.set(remotePort(d.remote), JSON.stringify(['dropped', d.reason])));
  const take = (port: number): string => {
    const outcome = outcomes.get(port);
    outcomes.delete(port);
    return outcome ?? 'nothing';
  };

  const all = payloads(claim);
  const started = performance.now();
  let bytesWritten = 0;
  const results = await pool(all, 25, async (payload) => {
    const single = take((await rawSend(node.port, payload)).localPort);
    const chunked = take((await rawSend(node.port, payload, { byteAtATime: true, byteDelayMs: 1, timeoutMs: 30_000 })).localPort);
    bytesWritten += payload.length;
    return { single, chunked };
  });
  const seconds = (performance.now() - started) / 1000;

  const identical = results.filter((r) => r.single === r.chunked && r.single !== 'nothing').length;
  const mismatches = results.filter((r) => r.single !== r.chunked).slice(0, 3);
  assert.deepEqual(mismatches, []);
  assert.equal(identical, MESSAGES);
  const accepted = results.filter((r) => r.single.startsWith('["message"')).length;
  const rejected = results.filter((r) => r.single.startsWith('["rejected"')).length;
  assert.equal(accepted + rejected, MESSAGES);
  assert.ok(results.some((r) => r.single.includes('\ufffd')), 'the invalid UTF-8 case decoded to U+FFFD');

  await node.close();
  const logged = readLog(logFile).filter((r) => r.direction === 'in');
  assert.equal(logged.length, accepted * 2, 'each accepted message (sent twice) logged once per arrival');
  report(
    `chunking: ${identical}/${MESSAGES} byte-at-a-time messages identical to single writes ` +
      `(${accepted} accepted, ${rejected} rejected the same way; ${bytesWritten} bytes trickled in ${seconds.toFixed(1)} s); ${logged.length}/${accepted * 2} logged once`,
  );
});
