import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBootstrap, parseBootstrapNode } from '../../../../src/transport/room/bootstrap.js';

describe('parseBootstrap', () => {
  it('parses host:port, names and bracketed IPv6', () => {
    assert.deepEqual(parseBootstrap(['127.0.0.1:49737', 'node1.example.org:49737', '[::1]:5', ' 10.0.0.1:1 ']), [
      { host: '127.0.0.1', port: 49737 },
      { host: 'node1.example.org', port: 49737 },
      { host: '::1', port: 5 },
      { host: '10.0.0.1', port: 1 },
    ]);
    assert.deepEqual(parseBootstrap([]), []);
  });
  const bad: Array<[string, RegExp]> = [
    ['127.0.0.1', /"127\.0\.0\.1" is not host:port/],
    ['127.0.0.1:0', /has port 0, outside 1-65535/],
    ['127.0.0.1:65536', /has port 65536/],
    ['::1:5', /is not host:port/],
    ['bad_host:5', /has host "bad_host"/],
    ['', /is not host:port/],
  ];
  for (const [value, pattern] of bad) {
    it(`refuses ${JSON.stringify(value)}`, () => assert.throws(() => parseBootstrapNode(value), pattern));
  }
});
