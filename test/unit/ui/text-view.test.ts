import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createTextView } from '../../../src/ui/text-view.js';
import { PLAIN_THEME } from '../../../src/ui/theme.js';

function capture(): { printer: ReturnType<typeof createTextView>; lines: () => string[] } {
  const out = new PassThrough();
  let text = '';
  out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { printer: createTextView(out, PLAIN_THEME), lines: () => text.split('\n').slice(0, -1) };
}

describe('text printer (piped stdin without --json)', () => {
  it('prints readable, sanitised lines, one per event', () => {
    const { printer, lines } = capture();
    printer.listening({ host: '127.0.0.1', ip: '127.0.0.1', port: 5000, name: 'Alice' });
    printer.message({
      id: 'm-1',
      kind: 'chat',
      from: '127.0.0.1:5001',
      name: 'Bob',
      text: 'hi \x1b[2J\u202e',
      remote: '127.0.0.1:4000',
      at: new Date(2024, 0, 1, 12, 0, 0),
      verified: true,
      change: 'added',
    });
    printer.sent({ ok: true, id: 'm-2', to: '127.0.0.1:5001', text: 'yo', line: '127.0.0.1:5000 Alice yo', lines: ['127.0.0.1:5000 Alice yo'], ms: 1, delivered: false }, 'send');
    printer.peers([], 0);
    printer.error('bad address: "\x1b" is not an IP address');
    printer.progress(1, 0, 1);
    printer.exit({ notified: 1, failed: 0, skipped: 0, failures: [], ms: 10 });
    assert.deepEqual(lines(), [
      'Server listening on 127.0.0.1:5000',
      '[12:00:00] 127.0.0.1:5001 Bob hi \\x1b[2J\\u{202e}',
      'Sent to 127.0.0.1:5001: 127.0.0.1:5000 Alice yo',
      'No active peers',
      'error: bad address: "\\x1b" is not an IP address',
      'Bye. Told 1 of 1 peer you left (0.0 s).',
    ]);
  });

  it('keeps quiet about connections that closed without a byte, but reports the rest', () => {
    const { printer, lines } = capture();
    printer.dropped({ remote: '127.0.0.1:1', reason: 'empty', detail: 'connection closed without a message' });
    printer.dropped({ remote: '127.0.0.1:2', reason: 'idle', detail: 'idle for 10000 ms' });
    assert.equal(lines().length, 1);
    assert.match(lines()[0] ?? '', /127\.0\.0\.1:2 closed without a message: idle for 10000 ms/);
  });
});
