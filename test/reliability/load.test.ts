/**
 * Load: 50 senders (in-process ChatNodes, each a real listener) send 200
 * messages each, concurrently, to the built CLI (--json --log). Each sender
 * sends its next message once the previous one completed. All 10,000 must be
 * delivered once, in each sender's order, and logged once; the quit then tells
 * all 50 senders.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, test } from 'node:test';
import type { ChatNode } from '../../src/core/node.js';
import { createTestNode } from '../helpers/node.js';
import { startHeadlessPeer, type HeadlessPeer, type JsonEvent } from '../helpers/headless-peer.js';
import { loggedTexts, report, tempDir } from './support.js';

const SENDERS = 50;
const PER_SENDER = 200;
const TOTAL = SENDERS * PER_SENDER;

const temp = tempDir('load');
const opened: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const close of opened.reverse()) await close();
  temp.remove();
});

test('load: 50 concurrent senders x 200 messages, none lost, none duplicated, order kept', { timeout: 180_000 }, async () => {
  const logFile = path.join(temp.dir, 'load.log');
  const receiver: HeadlessPeer = await startHeadlessPeer({ name: 'Receiver', args: ['--log', logFile] });
  opened.push(() => receiver.stop());
  const target = `127.0.0.1:${receiver.port}`;

  const senders: ChatNode[] = [];
  for (let s = 0; s < SENDERS; s += 1) {
    const node = createTestNode({ name: `S${s}`, ip: '127.0.0.1', host: '127.0.0.1', port: 0, timeoutMs: 10_000 });
    await node.start();
    opened.push(() => node.close());
    senders.push(node);
  }

  const started = performance.now();
  const failures: string[] = [];
  await Promise.all(
    senders.map(async (node, s) => {
      for (let i = 0; i < PER_SENDER; i += 1) {
        const outcome = await node.send(target, `s${s} m${i}`);
        if (!outcome.ok) failures.push(`${node.name} #${i}: ${outcome.error}`);
      }
    }),
  );
  const sendSeconds = (performance.now() - started) / 1000;
  assert.deepEqual(failures.slice(0, 5), []);

  const isMessage = (e: JsonEvent): boolean => e.type === 'message';
  await receiver.waitForCount(isMessage, TOTAL, 60_000);
  const seconds = (performance.now() - started) / 1000;
  const messages = receiver.events.filter(isMessage);

  // Lost, duplicated, out of order, per sender.
  const seen = new Map<string, number>();
  let outOfOrder = 0;
  const lastIndex = new Map<string, number>();
  for (const event of messages) {
    const text = String(event.text);
    seen.set(text, (seen.get(text) ?? 0) + 1);
    const [sender = '', index = ''] = text.split(' ');
    assert.equal(event.from, `127.0.0.1:${senders[Number(sender.slice(1))]?.port}`, 'claimed address of the sender');
    const n = Number(index.slice(1));
    if (n !== (lastIndex.get(sender) ?? -1) + 1) outOfOrder += 1;
    lastIndex.set(sender, n);
  }
  let lost = 0;
  let duplicated = 0;
  for (let s = 0; s < SENDERS; s += 1) {
    for (let i = 0; i < PER_SENDER; i += 1) {
      const count = seen.get(`s${s} m${i}`) ?? 0;
      if (count === 0) lost += 1;
      if (count > 1) duplicated += count - 1;
    }
  }
  const deliveredOnce = [...seen.values()].filter((n) => n === 1).length;
  assert.equal(lost, 0);
  assert.equal(duplicated, 0);
  assert.equal(outOfOrder, 0);
  assert.equal(deliveredOnce, TOTAL);

  // Quit tells all 50 senders; the log holds each message once.
  const goodbyes = senders.map((node) => new Promise<void>((resolve) => node.on('message', (m) => m.kind === 'exit' && resolve())));
  assert.equal(await receiver.quit(), 0);
  assert.deepEqual(receiver.events.at(-1), { type: 'exit', notified: SENDERS, failed: 0 });
  await Promise.all(goodbyes);
  const logged = loggedTexts(logFile);
  const loggedOnce = [...seen.keys()].filter((text) => logged.get(text) === 1).length;
  assert.equal(loggedOnce, TOTAL);
  assert.equal([...logged.values()].reduce((a, b) => a + b, 0), TOTAL);

  report(
    `load: ${SENDERS} senders x ${PER_SENDER}: ${deliveredOnce}/${TOTAL} delivered, ${lost} lost, ${duplicated} duplicated, ` +
      `${outOfOrder} out of order, ${loggedOnce}/${TOTAL} logged once; sent in ${sendSeconds.toFixed(1)} s, all in after ${seconds.toFixed(1)} s ` +
      `(${Math.round(TOTAL / seconds)} msg/s); quit told ${SENDERS}/${SENDERS}`,
  );
});
