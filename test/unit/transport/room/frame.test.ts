import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, decodeFrameBody, encodeFrame, type Frame } from '../../../../src/transport/room/frame.js';

const msg = (i: number, text = `message ${i}`): Frame => ({ t: 'msg', id: `m-${i}`, kind: 'chat', name: 'Alice', text });
/** A frame by hand: header and JSON written here, not by the encoder under test. */
const raw = (json: string | Buffer): Buffer => {
  const body = typeof json === 'string' ? Buffer.from(json, 'utf8') : json;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
};

describe('encodeFrame', () => {
  it('writes a 4-byte big-endian length and the documented JSON', () => {
    const bytes = encodeFrame({ t: 'msg', id: 'm-1', kind: 'chat', name: 'Alice', text: 'hi all' });
    const json = '{"v":1,"t":"msg","id":"m-1","kind":"chat","name":"Alice","text":"hi all"}';
    assert.deepEqual(bytes, raw(json));
    assert.deepEqual(encodeFrame({ t: 'hi', name: 'Bob' }), raw('{"v":1,"t":"hi","name":"Bob"}'));
    assert.deepEqual(encodeFrame({ t: 'ack', id: 'm-1' }), raw('{"v":1,"t":"ack","id":"m-1"}'));
  });
  it('refuses a frame over the cap and invalid frames', () => {
    assert.throws(() => encodeFrame(msg(1, 'x'.repeat(200)), 100), /over the room's limit of 100 bytes/);
    assert.throws(() => encodeFrame({ t: 'hi', name: 'two words' }), /name must be/);
    assert.throws(() => encodeFrame({ t: 'ack', id: '' }), /message id must be/);
    assert.throws(() => encodeFrame({ t: 'msg', id: 'a', kind: 'shout' as 'chat', name: 'A', text: '' }), /unknown kind "shout"/);
  });
});

describe('FrameDecoder', () => {
  const frames = Array.from({ length: 50 }, (_, i) => msg(i, `line ${i} ✓ with "quotes"\nand a newline`));
  const stream = Buffer.concat(frames.map((f) => encodeFrame(f)));

  it('decodes many frames written one byte at a time', () => {
    const decoder = new FrameDecoder();
    const out: Frame[] = [];
    for (let i = 0; i < stream.length; i += 1) {
      const { frames: got, error } = decoder.push(stream.subarray(i, i + 1));
      assert.equal(error, null);
      out.push(...got);
    }
    assert.deepEqual(out, frames);
    assert.equal(decoder.buffered, 0);
  });
  it('decodes them from one big write', () => {
    assert.deepEqual(new FrameDecoder().push(stream), { frames, error: null });
  });
  it('decodes them from any split (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 40 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const decoder = new FrameDecoder();
        const out: Frame[] = [];
        let from = 0;
        for (const to of [...points, stream.length]) {
          out.push(...decoder.push(stream.subarray(from, to)).frames);
          from = to;
        }
        assert.deepEqual(out, frames);
      }),
    );
  });
  it('round-trips any valid message (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          id: fc.stringMatching(/^[A-Za-z0-9:._-]{1,128}$/),
          kind: fc.constantFrom('chat' as const, 'hello' as const, 'connect' as const, 'exit' as const),
          name: fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/),
          text: fc.string({ maxLength: 300, unit: 'grapheme' }),
        }),
        (m) => {
          const frame: Frame = { t: 'msg', ...m };
          assert.deepEqual(new FrameDecoder().push(encodeFrame(frame)).frames, [frame]);
        },
      ),
    );
  });
  it('takes a frame of exactly the cap and refuses one byte more as soon as its header arrives', () => {
    const cap = 200;
    const body = (length: number): string => {
      const head = '{"v":1,"t":"msg","id":"m","kind":"chat","name":"A","text":"';
      return `${head}${'x'.repeat(length - head.length - 2)}"}`;
    };
    assert.equal(new FrameDecoder(cap).push(raw(body(cap))).frames.length, 1);
    const decoder = new FrameDecoder(cap);
    const header = raw(body(cap + 1)).subarray(0, 4);
    assert.deepEqual(decoder.push(header).error, { reason: 'too-large', detail: 'frame of 201 bytes announced, over the limit of 200 bytes' });
    assert.equal(decoder.buffered, 0, 'nothing of the body is held');
  });
  it('refuses a 4 GiB announcement without allocating it', () => {
    const result = new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    assert.equal(result.error?.reason, 'too-large');
    assert.match(result.error?.detail ?? '', /4294967295 bytes announced, over the limit of 65536/);
    assert.equal(DEFAULT_MAX_FRAME_BYTES, 65536);
  });
  const garbage: Array<[string, Buffer, RegExp]> = [
    ['an empty frame', raw(''), /0 bytes announced: too short/],
    ['bytes that are not UTF-8', raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ['text that is not JSON', raw('hello world'), /not JSON/],
    ['a JSON array', raw('[1,2]'), /not a JSON object/],
    ['another version', raw('{"v":2,"t":"hi","name":"A"}'), /unsupported protocol version 2/],
    ['no version', raw('{"t":"hi","name":"A"}'), /unsupported protocol version undefined/],
    ['an unknown type', raw('{"v":1,"t":"shout"}'), /unknown frame type "shout"/],
    ['a message without text', raw('{"v":1,"t":"msg","id":"a","kind":"chat","name":"A"}'), /text is not a string/],
    ['a name with a space', raw('{"v":1,"t":"hi","name":"A B"}'), /name must be/],
    ['an id with a newline', raw('{"v":1,"t":"ack","id":"a\\nb"}'), /message id must be/],
    ['a 129-character id', raw(`{"v":1,"t":"ack","id":"${'i'.repeat(129)}"}`), /message id must be 1-128/],
  ];
  for (const [what, bytes, pattern] of garbage) {
    it(`calls ${what} garbage`, () => {
      const result = new FrameDecoder().push(bytes);
      assert.equal(result.error?.reason, 'garbage');
      assert.match(result.error?.detail ?? '', pattern);
    });
  }
  it('returns the good frames before a bad one, then stays broken', () => {
    const decoder = new FrameDecoder();
    const result = decoder.push(Buffer.concat([encodeFrame(msg(1)), raw('nope'), encodeFrame(msg(2))]));
    assert.deepEqual(result.frames, [msg(1)]);
    assert.equal(result.error?.reason, 'garbage');
    assert.deepEqual(decoder.push(encodeFrame(msg(3))), { frames: [], error: result.error });
  });
  it('ignores unknown fields', () => {
    assert.deepEqual(decodeFrameBody(Buffer.from('{"v":1,"t":"ack","id":"x","extra":[1]}')), { frame: { t: 'ack', id: 'x' } });
  });
});
