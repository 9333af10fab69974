// Baseline sender for the latency figure: each stdin line `<port> <text>`
// goes to 127.0.0.1:<port> on a fresh connection, one write, then FIN.
import net from 'node:net';
import readline from 'node:readline';

readline.createInterface({ input: process.stdin, crlfDelay: Infinity }).on('line', (line) => {
  const space = line.indexOf(' ');
  const port = Number(line.slice(0, space));
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  socket.on('connect', () => socket.end(line.slice(space + 1)));
  socket.on('error', () => socket.destroy());
  socket.resume();
});
