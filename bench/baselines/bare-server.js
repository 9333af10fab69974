// Baseline: the least a Node TCP server can do per message. Accept, read to
// the end, print one line, close. Plain JavaScript, no dependencies, so that
// start-up and per-message costs are Node's own. Loopback only.
import net from 'node:net';

const server = net.createServer((socket) => {
  const chunks = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('end', () => {
    process.stdout.write(`${Buffer.concat(chunks).toString('utf8')}\n`);
    socket.end();
  });
  socket.on('error', () => socket.destroy());
});
server.listen({ port: 0, host: '127.0.0.1', backlog: 511 }, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
