// Unresponsive peers for the fan-out figure: listeners on 127.0.0.1 with a
// backlog of 1 whose process never accepts (its event loop is blocked), so
// once the parent fills each accept queue, further SYNs are dropped and a
// connect hangs until the sender's own timeout. The parent kills this process.
import net from 'node:net';

const count = Number(process.argv[2] ?? '1');
const ports = [];
let pending = count;
for (let i = 0; i < count; i += 1) {
  const server = net.createServer();
  server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    ports.push(server.address().port);
    pending -= 1;
    if (pending === 0) {
      process.stdout.write(`${JSON.stringify(ports)}\n`, () => {
        // Block the event loop for good: nothing is ever accepted again.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      });
    }
  });
}
