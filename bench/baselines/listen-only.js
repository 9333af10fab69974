// Baseline for start-up: a Node script that only listens and prints.
import net from 'node:net';

const server = net.createServer();
server.listen({ port: 0, host: '127.0.0.1' }, () => {
  process.stdout.write(`${JSON.stringify({ type: 'listening', ip: '127.0.0.1', port: server.address().port })}\n`);
});
