import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerRegistry } from '../../../src/core/peer-registry.js';
import { classify, type ChatMessage } from '../../../src/protocol/line.js';

function msg(port: number, text: string, name = `P${port}`, ip = '127.0.0.1'): ChatMessage {
  return { ip, port, name, text, kind: classify(text) };
}

describe('PeerRegistry: the rules of PROTOCOL.md', () => {
  it('hello adds the sender', () => {
    const r = new PeerRegistry();
    const result = r.apply(msg(5001, 'hello', 'Bob'), 1000);
    assert.equal(result.change, 'added');
    assert.deepEqual(
      { address: r.get('127.0.0.1:5001')?.address, name: r.get('127.0.0.1:5001')?.name, connected: r.get('127.0.0.1:5001')?.connected },
      { address: '127.0.0.1:5001', name: 'Bob', connected: false },
    );
  });

  it('hello from a known peer refreshes it (no duplicate)', () => {
    const r = new PeerRegistry();
    r.apply(msg(5001, 'hello', 'Bob'), 1000);
    const result = r.apply(msg(5001, 'HELLO', 'Bobby'), 2000);
    assert.equal(result.change, 'refreshed');
    assert.equal(r.size, 1);
    const peer = r.get('127.0.0.1:5001');
    assert.equal(peer?.name, 'Bobby');
    assert.equal(peer?.firstSeen, 1000);
    assert.equal(peer?.lastSeen, 2000);
    assert.equal(peer?.messages, 2);
  });

  it('connect adds the sender and marks it connected', () => {
    const r = new PeerRegistry();
    assert.equal(r.apply(msg(5002, 'connect'), 1).change, 'connected');
    assert.equal(r.get('127.0.0.1:5002')?.connected, true);
  });

  it('connect from a known peer marks it connected', () => {
    const r = new PeerRegistry();
    r.apply(msg(5002, 'hi'), 1);
    assert.equal(r.get('127.0.0.1:5002')?.connected, false);
    assert.equal(r.apply(msg(5002, ' Connect '), 2).change, 'connected');
    assert.equal(r.get('127.0.0.1:5002')?.connected, true);
    assert.equal(r.size, 1);
  });

  it('exit removes a known sender', () => {
    const r = new PeerRegistry();
    r.apply(msg(5003, 'hi'), 1);
    const result = r.apply(msg(5003, 'exit'), 2);
    assert.equal(result.change, 'removed');
    assert.equal(result.peer?.address, '127.0.0.1:5003');
    assert.equal(r.size, 0);
  });

  it('exit from an unknown sender changes nothing', () => {
    const r = new PeerRegistry();
    r.apply(msg(5003, 'hi'), 1);
    assert.equal(r.apply(msg(5004, 'EXIT'), 2).change, 'unknown-exit');
    assert.equal(r.size, 1);
  });

  it('any other message adds or refreshes the sender', () => {
    const r = new PeerRegistry();
    assert.equal(r.apply(msg(5005, 'good morning'), 1).change, 'added');
    assert.equal(r.apply(msg(5005, 'exit please'), 2).change, 'refreshed');
    assert.equal(r.get('127.0.0.1:5005')?.messages, 2);
  });

  it('one entry per ip:port: same IP, other port is another peer; same port, other IP too', () => {
    const r = new PeerRegistry();
    r.apply(msg(5006, 'hi'), 1);
    r.apply(msg(5007, 'hi'), 1);
    r.apply(msg(5006, 'hi', 'X', '127.0.0.2'), 1);
    assert.equal(r.size, 3);
  });

  it('a successful send adds the address with no name yet; a later message names it', () => {
    const r = new PeerRegistry();
    assert.equal(r.noteSent({ ip: '127.0.0.1', port: 6000 }, 5).change, 'added');
    assert.equal(r.get('127.0.0.1:6000')?.name, null);
    assert.equal(r.get('127.0.0.1:6000')?.messages, 0);
    assert.equal(r.noteSent({ ip: '127.0.0.1', port: 6000 }, 6).change, 'refreshed');
    r.apply(msg(6000, 'hello', 'Bob'), 7);
    assert.equal(r.get('127.0.0.1:6000')?.name, 'Bob');
    assert.equal(r.size, 1);
  });

  it('IPv6 peers are keyed in brackets', () => {
    const r = new PeerRegistry();
    r.apply(msg(6001, 'hi', 'V6', '::1'), 1);
    assert.equal(r.get('[::1]:6001')?.name, 'V6');
  });

  it('lists first seen first: hearing from a peer again, or a connect, never reorders the list', () => {
    const r = new PeerRegistry();
    r.apply(msg(1, 'a'), 1);
    r.apply(msg(2, 'a'), 2);
    r.apply(msg(1, 'a'), 3);
    r.apply(msg(1, 'connect'), 4);
    r.noteSent({ ip: '127.0.0.1', port: 2 }, 5);
    r.apply(msg(3, 'hello'), 6);
    assert.deepEqual(r.list().map((p) => p.port), [1, 2, 3]);
  });
});

describe('PeerRegistry: unverified senders and the cap', () => {
  it('an unverified exit or connect never changes a verified entry', () => {
    const r = new PeerRegistry();
    r.apply(msg(7000, 'hello', 'Real'), 1, true);
    assert.equal(r.apply(msg(7000, 'exit', 'Fake'), 2, false).change, 'protected');
    assert.equal(r.apply(msg(7000, 'connect', 'Fake'), 3, false).change, 'protected');
    const peer = r.get('127.0.0.1:7000');
    assert.deepEqual([peer?.name, peer?.connected, peer?.lastSeen], ['Real', false, 1]);
  });

  it('an unverified sender can still create and update its own unverified entry', () => {
    const r = new PeerRegistry();
    assert.equal(r.apply(msg(7001, 'hello'), 1, false).change, 'added');
    assert.equal(r.get('127.0.0.1:7001')?.verified, false);
    assert.equal(r.apply(msg(7001, 'exit'), 2, false).change, 'removed');
  });

  it('a verified message upgrades an unverified entry', () => {
    const r = new PeerRegistry();
    r.apply(msg(7002, 'hello'), 1, false);
    r.apply(msg(7002, 'hi'), 2, true);
    assert.equal(r.get('127.0.0.1:7002')?.verified, true);
  });

  it('at the cap the least recently heard unverified entry makes room', () => {
    const r = new PeerRegistry({ maxPeers: 3 });
    r.apply(msg(1, 'hello'), 1, true);
    r.apply(msg(2, 'hello'), 2, false);
    r.apply(msg(3, 'hello'), 3, false);
    r.apply(msg(2, 'hi'), 4, false); // 2 heard again: 3 is now the oldest unverified
    const result = r.apply(msg(4, 'hello'), 5, false);
    assert.equal(result.change, 'added');
    assert.equal(result.evicted?.port, 3);
    assert.deepEqual(r.list().map((p) => p.port).sort(), [1, 2, 4]);
  });

  it('forged hellos cannot grow the list past the cap nor push out verified peers', () => {
    const r = new PeerRegistry({ maxPeers: 10 });
    for (let port = 1; port <= 5; port++) r.apply(msg(port, 'hello'), port, true);
    for (let port = 100; port < 10_100; port++) r.apply(msg(port, 'hello', 'Forged', '10.9.9.9'), port, false);
    assert.equal(r.size, 10);
    for (let port = 1; port <= 5; port++) assert.ok(r.get(`127.0.0.1:${port}`));
  });

  it('eviction follows the least recently heard unverified entry through refreshes, exits and upgrades', () => {
    const r = new PeerRegistry({ maxPeers: 4 });
    for (const port of [1, 2, 3, 4]) r.apply(msg(port, 'hello'), port, false);
    r.apply(msg(1, 'hi'), 5, false); // order now 2 3 4 1
    r.apply(msg(3, 'exit'), 6, false); // 2 4 1, one free slot
    r.apply(msg(5, 'hello'), 7, false); // 2 4 1 5, full
    r.apply(msg(2, 'hi'), 8, true); // 2 verified: no longer evictable; 4 1 5
    const evicted = [6, 7, 8, 9].map((port) => r.apply(msg(port, 'hello'), 8 + port, false).evicted?.port);
    assert.deepEqual(evicted, [4, 1, 5, 6]);
    assert.deepEqual(r.list().map((p) => p.port), [2, 7, 8, 9], 'first seen first among those left');
  });

  it('when every entry is verified, a new peer is refused rather than evicting one', () => {
    const r = new PeerRegistry({ maxPeers: 2 });
    r.apply(msg(1, 'hello'), 1, true);
    r.apply(msg(2, 'hello'), 2, true);
    assert.equal(r.apply(msg(3, 'hello'), 3, false).change, 'full');
    assert.equal(r.noteSent({ ip: '127.0.0.1', port: 4 }, 4).change, 'full');
    assert.equal(r.size, 2);
  });

  it('a send that reaches an unverified entry marks it reached, not verified', () => {
    const r = new PeerRegistry();
    r.apply(msg(7100, 'hello', 'Odd', '127.0.1.1'), 1, false);
    assert.deepEqual([r.get('127.0.1.1:7100')?.verified, r.get('127.0.1.1:7100')?.reached], [false, false]);
    r.noteSent({ ip: '127.0.1.1', port: 7100 }, 2);
    assert.deepEqual([r.get('127.0.1.1:7100')?.verified, r.get('127.0.1.1:7100')?.reached], [false, true]);
    // Still unverified: its own exit, from wherever it really sends, is honoured.
    assert.equal(r.apply(msg(7100, 'exit', 'Odd', '127.0.1.1'), 3, false).change, 'removed');
  });
});

