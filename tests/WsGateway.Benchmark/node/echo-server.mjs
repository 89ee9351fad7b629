// The node `ws` reference for tests/WsGateway.Benchmark: echoes every message on /echo.
// Usage: node echo-server.mjs [PORT]   (0 or none: a free port; logs "Listening on ws://HOST:PORT")
// run.sh installs `ws` beside a copy of this file in a temporary folder.
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  path: '/echo',
  perMessageDeflate: false,
});

server.on('listening', () => {
  const { address, port } = server.address();
  console.log(`Listening on ws://${address}:${port}`);
});

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});

// Stops on SIGTERM, and by itself after two hours whatever happens.
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(() => process.exit(0), 2 * 60 * 60 * 1000).unref();
