// Unresponsive peers, shared by the benchmark (fan-out figure) and the tests:
// `node blackhole.js [count=1] [lifetimeMs=120000]` opens `count` listeners on
// 127.0.0.1 with a backlog of 1, prints their ports as one JSON line, then
// blocks its event loop, so nothing is ever accepted: once the parent fills
// each accept queue, further SYNs are dropped and a connect hangs until the
// sender's own timeout. The parent kills this process; should the parent die
// first, it still exits after `lifetimeMs`, so it never outlives a run for long.
import net from 'node:net';

const count = Number(process.argv[2] ?? '1');
const lifetimeMs = Number(process.argv[3] ?? '120000');
const ports = [];
let pending = count;
for (let i = 0; i < count; i += 1) {
  const server = net.createServer();
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    ports.push(server.address().port);
    pending -= 1;
    if (pending === 0) {
      process.stdout.write(`${JSON.stringify(ports)}\n`, () => {
        // Block the event loop (nothing is accepted again) for a bounded time, then leave.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, lifetimeMs);
        process.exit(0);
      });
    }
  });
}
