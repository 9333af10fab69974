/**
 * The real system look-up, of `localhost` only: /etc/hosts answers it on the
 * machine itself. No other name is looked up for real: this machine's
 * resolver forwards anything else (even the reserved .invalid TLD) to a DNS
 * server, so the failure cases live in the unit test with an injected look-up.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { resolveHost } from '../../../src/transport/tcp/resolve-host.js';

describe('resolveHost (system resolver)', () => {
  it('turns localhost:port into a loopback IP a connection reaches', async (t) => {
    const server = net.createServer((socket) => socket.end('here'));
    t.after(() => server.close());
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;

    const result = await resolveHost(`localhost:${port}`);
    assert.equal(result.ok, true, result.ok ? '' : result.message);
    if (!result.ok) return;
    assert.equal(result.address.port, port);
    assert.equal(net.isIPv4(result.address.ip), true);
    assert.ok(result.address.ip.startsWith('127.'), result.address.ip);

    const socket = net.connect(result.address.port, result.address.ip);
    t.after(() => socket.destroy());
    const [data] = (await once(socket, 'data')) as [Buffer];
    assert.equal(data.toString(), 'here');
  });
});
