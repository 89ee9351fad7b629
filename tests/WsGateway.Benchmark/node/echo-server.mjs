// The node `ws` reference for tests/WsGateway.Benchmark: echoes every message on /echo, except that a text message
// starting with "/bcast " sends the rest to every connected client (the sender too), the way ws's README broadcasts.
// Usage: node echo-server.mjs [PORT]   (0 or none: a free port; logs "Listening on ws://HOST:PORT")
// run.sh installs `ws` beside a copy of this file in a temporary folder.
import { WebSocketServer, WebSocket } from 'ws';

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

const BCAST = Buffer.from('/bcast ');

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (!isBinary && data.length >= BCAST.length && data[0] === BCAST[0] && BCAST.equals(data.subarray(0, BCAST.length))) {
      // One buffer for everyone; ws frames it per client. A client that does not read is buffered for without bound.
      const text = data.subarray(BCAST.length);
      for (const client of server.clients) {
        if (client.readyState === WebSocket.OPEN) {
          client.send(text, { binary: false });
        }
      }
    } else {
      socket.send(data, { binary: isBinary });
    }
  });
});

// Stops on SIGTERM, and by itself after two hours whatever happens.
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(() => process.exit(0), 2 * 60 * 60 * 1000).unref();
