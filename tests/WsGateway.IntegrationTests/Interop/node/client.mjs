// A real third-party client for the interop tests: the npm package `ws`.
//
//   node client.mjs URL SCENARIO [PERMESSAGE_DEFLATE_JSON]
//
// PERMESSAGE_DEFLATE_JSON is ws's perMessageDeflate option (false, or an object such as
// {"clientNoContextTakeover":true,"clientMaxWindowBits":9,"threshold":0}); without it ws offers its default.
//
// Runs one scenario against the gateway, prints what it observed as one JSON object on stdout and exits 0; on any
// error, unexpected close or timeout it prints the reason on stderr and exits non-zero. The C# test asserts on the
// JSON, so this script reports facts (texts, lengths, hashes, close codes) rather than judging them.
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const OVERALL_TIMEOUT_MS = 20_000;
const STEP_TIMEOUT_MS = 10_000;

const [url, scenario, deflateJson] = process.argv.slice(2);
const perMessageDeflate = deflateJson === undefined ? true : JSON.parse(deflateJson);
if (!url || !scenario) {
  fail('usage: node client.mjs URL SCENARIO');
}

const overall = setTimeout(() => fail(`scenario ${scenario} did not finish within ${OVERALL_TIMEOUT_MS} ms`), OVERALL_TIMEOUT_MS);

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const sha256 = (data) => createHash('sha256').update(data).digest('hex');

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a connection and queues every message, so a scenario can await them one by one. */
async function open() {
  const ws = new WebSocket(url, { maxPayload: 64 * 1024 * 1024, perMessageDeflate });
  let extensionsHeader = '';
  ws.once('upgrade', (response) => { extensionsHeader = response.headers['sec-websocket-extensions'] ?? ''; });
  const queue = [];
  const waiters = [];
  let closed = null;
  ws.on('message', (data, isBinary) => {
    const message = { data: Buffer.from(data), isBinary };
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message); else queue.push(message);
  });
  const closedPromise = new Promise((resolve) => {
    ws.on('close', (code, reason) => {
      closed = { code, reason: reason.toString('utf8') };
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`closed with ${code} while waiting for a message`));
      resolve(closed);
    });
  });
  await withTimeout(new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    ws.once('unexpected-response', (_, response) => reject(new Error(`handshake answered ${response.statusCode}`)));
  }), 'the opening handshake');
  ws.on('error', (error) => process.stderr.write(`ws error: ${error.message}\n`));

  const next = () => {
    if (queue.length > 0) return Promise.resolve(queue.shift());
    if (closed) return Promise.reject(new Error(`closed with ${closed.code}`));
    return withTimeout(new Promise((resolve, reject) => waiters.push({ resolve, reject })), 'a message');
  };
  const nextText = async () => {
    const message = await next();
    if (message.isBinary) throw new Error('expected a text message, got binary');
    return message.data.toString('utf8');
  };
  const close = async (code, reason) => {
    ws.close(code, reason);
    return withTimeout(closedPromise, 'the close handshake');
  };
  return { ws, next, nextText, close, extensions: () => ws.extensions, extensionsHeader: () => extensionsHeader, protocol: () => ws.protocol };
}

function send(ws, data, options = {}) {
  return new Promise((resolve, reject) => ws.send(data, options, (error) => (error ? reject(error) : resolve())));
}

const scenarios = {
  async text(client) {
    const sent = 'héllo wörld €𝄞';
    await send(client.ws, sent);
    return { sent, received: await client.nextText() };
  },

  async binary(client) {
    const sent = Buffer.from(Array.from({ length: 3000 }, (_, i) => i & 0xff));
    await send(client.ws, sent);
    const echo = await client.next();
    return { isBinary: echo.isBinary, sentLength: sent.length, receivedLength: echo.data.length, sentSha256: sha256(sent), receivedSha256: sha256(echo.data) };
  },

  async large(client) {
    const sent = randomBytes(1024 * 1024);
    await send(client.ws, sent);
    const echo = await client.next();
    return { isBinary: echo.isBinary, sentLength: sent.length, receivedLength: echo.data.length, sentSha256: sha256(sent), receivedSha256: sha256(echo.data) };
  },

  async fragmented(client) {
    // ws sends a text frame without FIN, then continuation frames; the last one carries FIN.
    const parts = ['frag', 'men', 'ted ✓'];
    for (let i = 0; i < parts.length; i++) {
      await send(client.ws, parts[i], { fin: i === parts.length - 1 });
    }
    return { sent: parts.join(''), received: await client.nextText() };
  },

  async ping(client) {
    const payload = Buffer.from('are you there? ✓');
    const pong = withTimeout(new Promise((resolve) => client.ws.once('pong', resolve)), 'a pong');
    client.ws.ping(payload);
    const answer = await pong;
    return { sent: payload.toString('utf8'), pong: Buffer.from(answer).toString('utf8') };
  },

  async close(client) {
    const closed = await client.close(4000, 'done here');
    return { closeCode: closed.code, closeReason: closed.reason };
  },

  async compressed(client) {
    // Chat-like JSON, compressible, sent a few times so that context takeover (when agreed) has something to refer to;
    // then a small message, which goes out uncompressed, and random bytes, which do not compress.
    const echoes = [];
    const json = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ user: `user${i % 7}`, text: `message number ${i}` })));
    for (let i = 0; i < 3; i++) {
      await send(client.ws, json);
      echoes.push((await client.nextText()) === json);
    }
    await send(client.ws, 'small');
    echoes.push((await client.nextText()) === 'small');
    const noise = randomBytes(50_000);
    await send(client.ws, noise);
    echoes.push(sha256((await client.next()).data) === sha256(noise));
    return { allEchoed: echoes.every(Boolean), echoes: echoes.length, jsonLength: json.length };
  },

  async commands(client) {
    const results = {};
    await send(client.ws, 'help');
    results.help = await client.nextText();
    await send(client.ws, 'nosuch thing');
    results.unknown = await client.nextText();
    await send(client.ws, JSON.stringify({ id: '7', command: 'help', args: 'help' }));
    results.envelope = JSON.parse(await client.nextText());
    await send(client.ws, JSON.stringify({ id: 8, command: 'nosuch' }));
    results.unknownEnvelope = JSON.parse(await client.nextText());
    return results;
  },
};

const run = scenarios[scenario];
if (!run) {
  fail(`unknown scenario ${scenario}; known: ${Object.keys(scenarios).join(', ')}`);
}

try {
  const client = await open();
  const result = { scenario, extensions: client.extensions(), extensionsHeader: client.extensionsHeader(), protocol: client.protocol(), ...(await run(client)) };
  if (client.ws.readyState === WebSocket.OPEN) {
    const closed = await client.close(1000, 'bye');
    result.finalCloseCode = closed.code;
  }
  clearTimeout(overall);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} catch (error) {
  fail(`scenario ${scenario} failed: ${error.stack ?? error}`);
}
