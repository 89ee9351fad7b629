// The raw TCP echo baseline for tests/WsGateway.Benchmark: every byte straight back, no WebSocket at all. Node's one
// thread on libuv is the cheapest server per message here, so the load generator's figures against it are its ceiling.
// Usage: node tcp-echo-server.mjs [PORT]   (0 or none: a free port; logs "Listening on tcp://HOST:PORT")
import net from 'node:net';

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const { address, port } = server.address();
  console.log(`Listening on tcp://${address}:${port}`);
});

// Stops on SIGTERM, and by itself after two hours whatever happens.
const stop = () => { server.close(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(() => process.exit(0), 2 * 60 * 60 * 1000).unref();
