// The gateway's own JavaScript client (src/clients/js/wsgateway.js) in node, over the npm package `ws` (node 20 has
// no global WebSocket, so the library is given one).
//
//   node library.mjs URL LIBRARY_PATH SCENARIO [TOKEN]
//
// Prints what it observed as one JSON object on stdout and exits 0; on an unexpected error or a timeout it prints the
// reason on stderr and exits non-zero. The C# test asserts on the JSON.
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';

const OVERALL_TIMEOUT_MS = 25_000;
const [url, libraryPath, scenario, token] = process.argv.slice(2);
const { connect, CallError, AuthenticationError } = await import(pathToFileURL(libraryPath).href);
setTimeout(() => fail(`scenario ${scenario} did not finish within ${OVERALL_TIMEOUT_MS} ms`), OVERALL_TIMEOUT_MS).unref();

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const open = (options = {}) => connect(url, { WebSocket, ...options });

async function until(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function outcome(promise) {
  try {
    return { replies: await promise };
  } catch (error) {
    return { error: error instanceof CallError ? error.code : String(error) };
  }
}

const scenarios = {
  // Calls with zero, one and many replies, data both ways, and errors with their codes.
  async calls() {
    const client = open();
    const welcome = await client.ready();
    const result = {
      welcome,
      quiet: await outcome(client.call('quiet')),
      greet: await outcome(client.call('greet', 'Ada')),
      count: await outcome(client.call('count')),
      weather: await outcome(client.call('weather', '', { data: { city: 'Oslo' } })),
      unknown: await outcome(client.call('nosuch')),
      boom: await outcome(client.call('boom')),
    };
    const many = await Promise.all(Array.from({ length: 1000 }, (_, i) => client.call('greet', String(i))));
    result.manyMatched = many.every((replies, i) => replies.length === 1 && replies[0] === `hi ${i}`);
    // Last: the gateway goes on running a call the client gave up on, and calls of a connection run one at a time.
    result.timeout = await outcome(client.call('hang', '', { timeout: 200 }));
    const controller = new AbortController();
    const aborted = outcome(client.call('hang', '', { signal: controller.signal }));
    controller.abort();
    result.aborted = await aborted;
    client.close();
    return result;
  },

  // A group message and a broadcast arrive as events with their group and sender.
  async events() {
    const listener = open();
    const speaker = open();
    await Promise.all([listener.ready(), speaker.ready()]);
    await listener.join('room');
    const received = [];
    const all = new Promise((resolve) => {
      listener.on('event', (event) => { received.push(event); if (received.length === 2) resolve(); });
    });
    await speaker.call('say', 'hello room');
    await speaker.call('shout', 'hello all');
    await all;
    const result = { speaker: speaker.welcome.session, groups: listener.groups, received };
    listener.close();
    speaker.close();
    return result;
  },

  // Joined, then the gateway restarts on the same port: the client reconnects by itself and is back in its group.
  async reconnect() {
    const client = open({ initialDelayMs: 100, maxDelayMs: 1000 });
    const states = [];
    client.on('state', (state) => states.push(state));
    const first = await client.ready();
    await client.join('room');
    process.stderr.write('joined\n');
    await new Promise((resolve) => {
      client.on('welcome', (welcome) => { if (welcome.session !== first.session || states.includes('reconnecting')) resolve(); });
    });
    const speaker = open();
    await speaker.ready();
    const event = new Promise((resolve) => client.on('group', resolve));
    await speaker.call('say', 'after the restart');
    const received = await event;
    const result = { states: [...states], groups: client.groups, rejoined: received.text };
    client.close();
    speaker.close();
    return result;
  },

  // `bye`: its result, then the gateway's close 1000 ends the client (no reconnect); reconnect() starts it again,
  // back in its group.
  async bye() {
    const client = open({ initialDelayMs: 10, maxDelayMs: 20 });
    const states = [];
    const closes = [];
    client.on('state', (state) => states.push(state));
    const closed = new Promise((resolve) => client.on('close', (close) => { closes.push(close); resolve(); }));
    const first = await client.ready();
    await client.join('room');
    const bye = await outcome(client.call('bye'));
    await closed;
    const afterBye = { state: client.state, call: await outcome(client.call('greet', 'nobody')) };
    try {
      await client.ready();
      afterBye.ready = 'resolved';
    } catch (error) {
      afterBye.ready = error instanceof CallError ? error.code : String(error);
    }
    afterBye.closes = [...closes];

    client.reconnect();
    const second = await client.ready();
    const speaker = open();
    await speaker.ready();
    const event = new Promise((resolve) => client.on('group', resolve));
    await speaker.call('say', 'after reconnect()');
    const received = await event;
    const result = {
      bye, afterBye, states: [...states], newSession: second.session !== first.session, rejoined: received.text,
    };
    client.close();
    speaker.close();
    return result;
  },

  // A connection dropped by the gateway (4000) waits out a long back-off, unless reconnect() cuts it short.
  async retryNow() {
    const client = open({ initialDelayMs: 60_000, maxDelayMs: 60_000 });
    const first = await client.ready();
    await client.join('room');
    const close = new Promise((resolve) => client.on('close', (info) => {
      const state = client.state;
      client.reconnect();
      resolve({ ...info, state });
    }));
    const dropped = await outcome(client.call('drop'));
    const info = await close;
    const second = await client.ready();
    const result = { dropped, close: info, newSession: second.session !== first.session, groups: client.groups };
    client.close();
    return result;
  },

  // A group that keeps a history: messages sent while the client was away are delivered after it is back, before the
  // live ones, each once and in order, and it is told it recovered.
  async recovery() {
    // A long back-off, cut short by reconnect() once the messages it must miss have been sent.
    const client = open({ initialDelayMs: 60_000, maxDelayMs: 60_000 });
    await client.ready();
    await client.join('room');
    const received = [];
    const recovered = [];
    client.on('group', (event) => received.push({ text: event.text, offset: event.offset }));
    client.on('recovered', (info) => recovered.push(info));
    const speaker = open();
    await speaker.ready();
    await speaker.call('say', 'one');
    await speaker.call('say', 'two');
    await until(() => received.length === 2);

    const closed = new Promise((resolve) => client.on('close', resolve));
    await outcome(client.call('drop'));
    await closed;
    await speaker.call('say', 'three');
    await speaker.call('say', 'four');
    client.reconnect();
    await client.ready();
    await speaker.call('say', 'five');
    await until(() => received.some((r) => r.text === 'five'));
    const history = await client.history('room', { limit: 2 });
    client.close();
    speaker.close();
    return { received, recovered, history };
  },

  // Away for more messages than one history call gives (1,000): the library reads on until it has them all.
  async recoveryPaged() {
    const client = open({ initialDelayMs: 60_000, maxDelayMs: 60_000 });
    await client.ready();
    await client.join('room');
    const received = [];
    const recovered = [];
    client.on('group', (event) => received.push(event.offset));
    client.on('recovered', (info) => recovered.push(info));
    const speaker = open();
    await speaker.ready();
    await speaker.call('say', 'm0');
    await until(() => received.length === 1);

    const closed = new Promise((resolve) => client.on('close', resolve));
    await outcome(client.call('drop'));
    await closed;
    for (let n = 1; n <= 1500; n++) await speaker.call('say', `m${n}`);
    client.reconnect();
    await client.ready();
    await until(() => received.length >= 1501);
    client.close();
    speaker.close();
    const inOrder = received.every((offset, i) => offset === i + 1);
    return { count: received.length, inOrder, recovered };
  },

  // In a cluster whose history is in Redis: a message, then (the test restarts Redis once told by `mark`) messages of a
  // new epoch. The library notices the new epoch and reports that it could not recover.
  async newEpoch() {
    const client = open();
    await client.ready();
    await client.join('room:js');
    const received = [];
    const recovered = [];
    client.on('group', (event) => received.push({ text: event.text, offset: event.offset, epoch: event.epoch }));
    client.on('recovered', (info) => recovered.push(info));
    await client.call('post', 'room:js old');
    await until(() => received.length === 1);
    await client.call('mark');
    await until(() => recovered.length === 1 && received.length === 2);
    client.close();
    return { received, recovered };
  },

  // A refused token fails once, as an authentication error, and is not retried.
  async refused() {
    const states = [];
    const client = open({ token, initialDelayMs: 10, maxDelayMs: 20 });
    client.on('state', (state) => states.push(state));
    let error;
    try {
      await client.ready();
    } catch (caught) {
      error = caught;
    }
    // Long enough for several reconnects at these delays, had the client made any.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return {
      authentication: error instanceof AuthenticationError,
      code: error?.code,
      closeCode: error?.closeCode,
      states,
      state: client.state,
    };
  },
};

const run = scenarios[scenario] ?? (() => fail(`no scenario ${scenario}`));
process.stdout.write(JSON.stringify(await run()));
process.exit(0);
