import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DiscoveryRecords, type Sighting } from '../../../src/discovery/records.js';

const TTL = 60_000;

function sighting(port: number, options: Partial<Sighting> = {}): Sighting {
  const ip = options.ip ?? '192.0.2.1';
  return { id: `${ip}:${port}`, name: `P${port}`, ip, port, verified: true, ttlMs: TTL, ...options };
}

describe('DiscoveryRecords: what LAN discovery vouches for', () => {
  it('a first announcement adds a record, a repeat only refreshes its expiry', () => {
    const r = new DiscoveryRecords();
    const first = r.see(sighting(5000), 1000);
    assert.equal(first.change, 'added');
    const again = r.see(sighting(5000, { ttlMs: 5000 }), 2000);
    assert.equal(again.change, 'refreshed');
    assert.deepEqual(
      { size: r.size, firstSeen: r.get('192.0.2.1:5000')?.firstSeen, lastSeen: r.get('192.0.2.1:5000')?.lastSeen, expiresAt: r.get('192.0.2.1:5000')?.expiresAt },
      { size: 1, firstSeen: 1000, lastSeen: 2000, expiresAt: 7000 },
    );
  });

  it('another name is an update', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000, { name: 'Bob' }), 1);
    const result = r.see(sighting(5000, { name: 'Robert' }), 2);
    assert.equal(result.change, 'updated');
    assert.equal(r.get('192.0.2.1:5000')?.name, 'Robert');
  });

  it('a verified announcement upgrades an unverified record (verified wins)', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000, { name: 'Forged', verified: false }), 1);
    const result = r.see(sighting(5000, { name: 'Bob', verified: true }), 2);
    assert.equal(result.change, 'updated');
    assert.deepEqual({ name: r.get('192.0.2.1:5000')?.name, verified: r.get('192.0.2.1:5000')?.verified }, { name: 'Bob', verified: true });
  });

  it('an unverified announcement changes nothing of a verified record, not even its expiry', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000, { name: 'Bob' }), 1000);
    const result = r.see(sighting(5000, { name: 'Mallory', verified: false, ttlMs: 3_600_000 }), 2000);
    assert.equal(result.change, 'protected');
    const record = r.get('192.0.2.1:5000');
    assert.deepEqual({ name: record?.name, verified: record?.verified, lastSeen: record?.lastSeen, expiresAt: record?.expiresAt }, { name: 'Bob', verified: true, lastSeen: 1000, expiresAt: 1000 + TTL });
  });

  it('an unverified goodbye for a verified record is ignored; a verified one removes it', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000), 1);
    assert.equal(r.goodbye('192.0.2.1:5000', false).change, 'protected');
    assert.equal(r.size, 1);
    const removed = r.goodbye('192.0.2.1:5000', true);
    assert.equal(removed.change, 'removed');
    assert.equal(r.size, 0);
    assert.equal(r.goodbye('192.0.2.1:5000', true).change, 'unknown');
  });

  it('any goodbye removes an unverified record (nothing was proven about it)', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000, { verified: false }), 1);
    assert.equal(r.goodbye('192.0.2.1:5000', false).change, 'removed');
  });

  it('expiry: a record lives exactly its TTL after its last announcement', () => {
    const r = new DiscoveryRecords();
    r.see(sighting(5000, { ttlMs: 2000 }), 1000);
    r.see(sighting(5001, { ttlMs: 10_000 }), 1000);
    assert.deepEqual(r.expire(2999), []);
    assert.deepEqual(r.expire(3000).map((x) => x.id), ['192.0.2.1:5000']);
    r.see(sighting(5001, { ttlMs: 10_000 }), 9000);
    assert.deepEqual(r.expire(11_000), [], 'refreshed at 9000: good until 19000');
    assert.deepEqual(r.expire(19_000).map((x) => x.id), ['192.0.2.1:5001']);
    assert.equal(r.size, 0);
  });

  it('at the cap the least recently heard unverified record makes room', () => {
    const r = new DiscoveryRecords({ maxPeers: 3 });
    r.see(sighting(1, { verified: false }), 1);
    r.see(sighting(2, { verified: false }), 2);
    r.see(sighting(3, { verified: false }), 3);
    r.see(sighting(1, { verified: false }), 4); // heard again: 2 is now the oldest
    const result = r.see(sighting(4, { verified: false }), 5);
    assert.equal(result.change, 'added');
    assert.equal(result.change === 'added' ? result.evicted?.id : undefined, '192.0.2.1:2');
    assert.deepEqual(r.list().map((x) => x.port).sort(), [1, 3, 4]);
  });

  it('verified records are never pushed out: a full list of them refuses newcomers', () => {
    const r = new DiscoveryRecords({ maxPeers: 2 });
    r.see(sighting(1), 1);
    r.see(sighting(2, { verified: false }), 2);
    const verifiedNewcomer = r.see(sighting(3), 3);
    assert.equal(verifiedNewcomer.change, 'added');
    assert.equal(verifiedNewcomer.change === 'added' ? verifiedNewcomer.evicted?.port : undefined, 2);
    assert.equal(r.see(sighting(4, { verified: false }), 4).change, 'full');
    assert.equal(r.see(sighting(5), 5).change, 'full');
    assert.deepEqual(r.list().map((x) => x.port).sort(), [1, 3]);
  });

  it('an upgraded record leaves the eviction order; a removed one too', () => {
    const r = new DiscoveryRecords({ maxPeers: 2 });
    r.see(sighting(1, { verified: false }), 1);
    r.see(sighting(1, { verified: true }), 2);
    r.see(sighting(2, { verified: false }), 3);
    r.goodbye('192.0.2.1:2', false);
    r.see(sighting(3, { verified: false }), 4);
    const result = r.see(sighting(4, { verified: false }), 5);
    assert.equal(result.change === 'added' ? result.evicted?.port : result.change, 3);
    assert.deepEqual(r.list().map((x) => x.port).sort(), [1, 4]);
  });

  // Quadratic work would be ~10^10 steps here and hit the time-out; linear is a few ms.
  it('a flood of 100,000 forged services stays at the cap and keeps every verified peer', { timeout: 60_000 }, () => {
    const r = new DiscoveryRecords({ maxPeers: 1000 });
    for (let port = 1; port <= 10; port += 1) r.see(sighting(port), 0);
    let evicted = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const result = r.see(sighting(10_000 + (i % 50_000), { ip: `198.51.100.${i % 250}`, verified: false }), i);
      if (result.change === 'added' && result.evicted) evicted += 1;
      assert.ok(r.size <= 1000);
    }
    assert.equal(r.size, 1000);
    assert.equal(r.list().filter((x) => x.verified).length, 10);
    assert.ok(evicted > 90_000, `evicted ${evicted}`);
  });

  it('property: under any sequence the cap holds and no unverified operation touches a verified record', () => {
    const op = fc.record({
      kind: fc.constantFrom('see', 'goodbye', 'expire'),
      port: fc.integer({ min: 1, max: 12 }),
      verified: fc.boolean(),
      name: fc.constantFrom('A', 'B'),
      ttlMs: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 80 }), (cap, ops) => {
        const r = new DiscoveryRecords({ maxPeers: cap });
        let now = 0;
        for (const o of ops) {
          now += 1;
          const id = `192.0.2.1:${o.port}`;
          const before = r.get(id);
          const snapshot = before ? { ...before } : undefined;
          if (o.kind === 'see') r.see(sighting(o.port, { verified: o.verified, name: o.name, ttlMs: o.ttlMs }), now);
          else if (o.kind === 'goodbye') r.goodbye(id, o.verified);
          else r.expire(now);
          if (snapshot?.verified && !o.verified && o.kind !== 'expire') assert.deepEqual({ ...r.get(id) }, snapshot);
          if (o.kind === 'see' && snapshot?.verified && o.verified) assert.equal(r.get(id)?.name, o.name);
          assert.ok(r.size <= cap);
        }
      }),
    );
  });

  it('rejects a cap that is not a whole number of at least 1', () => {
    assert.throws(() => new DiscoveryRecords({ maxPeers: 0 }), /maxPeers must be a whole number of at least 1, not 0/);
  });
});

describe('DiscoveryRecords: one address cannot fill the list with verified records', () => {
  it('past maxVerifiedPerAddress a verified announcement is kept as unverified, so it can be evicted', () => {
    const r = new DiscoveryRecords({ maxPeers: 5, maxVerifiedPerAddress: 2 });
    r.see(sighting(1, { ip: '192.0.2.9' }), 1);
    r.see(sighting(1, { ip: '192.0.2.2' }), 1);
    for (let port = 10; port < 14; port += 1) r.see(sighting(port, { ip: '192.0.2.9' }), port);
    assert.equal(r.verifiedAt('192.0.2.9'), 2);
    assert.deepEqual(
      r.list().map((x) => [x.port, x.ip, x.verified]).sort(),
      [[1, '192.0.2.2', true], [1, '192.0.2.9', true], [10, '192.0.2.9', true], [12, '192.0.2.9', false], [13, '192.0.2.9', false]],
      'port 11 made room for 13',
    );
    // A slot freed by a goodbye can be taken by the next verified announcement, as an upgrade too.
    r.goodbye('192.0.2.9:1', true);
    assert.equal(r.see(sighting(12, { ip: '192.0.2.9' }), 20).change, 'updated');
    assert.equal(r.get('192.0.2.9:12')?.verified, true);
    assert.equal(r.verifiedAt('192.0.2.9'), 2);
    r.expire(Number.MAX_SAFE_INTEGER);
    assert.equal(r.verifiedAt('192.0.2.9'), 0);
  });
});
