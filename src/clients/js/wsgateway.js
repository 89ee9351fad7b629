// WsGateway's client for browsers and node: the wsgateway.v1 protocol (docs/protocol.md) over one WebSocket, with
// calls that resolve once, named events, groups joined again after a reconnect, and reconnecting with back-off.
// No dependencies. In a browser it uses the global WebSocket; in node before 22 pass one (npm `ws`) as `WebSocket`.

export const PROTOCOL = 'wsgateway.v1';

/** Close codes the gateway uses for a refused handshake told in band (docs/protocol.md). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** A call that ended in an error: `code` is the gateway's (docs/protocol.md) or one of this library's own. */
export class CallError extends Error {
  constructor(code, message, id) {
    super(message);
    this.name = 'CallError';
    this.code = code;
    this.id = id;
  }
}

/** The gateway refused the credentials (close 4401 or 4403): reconnecting with the same ones would not help. */
export class AuthenticationError extends Error {
  constructor(code, message, closeCode) {
    super(message);
    this.name = 'AuthenticationError';
    this.code = code;
    this.closeCode = closeCode;
  }
}

const defaults = {
  token: undefined,
  getToken: undefined,
  WebSocket: undefined,
  reconnect: true,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 30_000,
  joinCommand: 'join',
  leaveCommand: 'leave',
};

/**
 * Connects to a command route of a gateway and keeps connected until `close()`.
 * @param {string | URL} url ws:// or wss:// address of the route (for example `ws://localhost:12345/`)
 * @param {object} [options] see wsgateway.d.ts
 * @returns {Client}
 */
export function connect(url, options = {}) {
  return new Client(url, options);
}

export class Client {
  #url;
  #options;
  #socket = null;
  #handlers = new Map();
  #calls = new Map();
  #nextId = 1;
  #groups = new Set();
  #attempt = 0;
  #timer = null;
  #closed = false;
  #token;
  #opened = null;
  #refusedOnce = false;
  #WebSocket;

  constructor(url, options = {}) {
    this.#url = new URL(url);
    this.#options = { ...defaults, ...options };
    this.#token = this.#options.token;
    this.#WebSocket = this.#options.WebSocket ?? globalThis.WebSocket;
    if (!this.#WebSocket) throw new Error('no WebSocket: pass one as the WebSocket option (npm ws in node before 22)');
    /** The last welcome: `{ session, node, identity, resume }`; null until the first one. */
    this.welcome = null;
    /** `connecting`, `open`, `reconnecting` or `closed`. */
    this.state = 'connecting';
    this.#open();
  }

  /**
   * Resolves once connected and welcomed (at once when it already is); rejects with AuthenticationError when the
   * credentials are refused, or when the client is closed.
   */
  ready() {
    if (this.state === 'open') return Promise.resolve(this.welcome);
    if (this.state === 'closed') return Promise.reject(new CallError('closed', 'the client is closed'));
    return new Promise((resolve, reject) => {
      const offWelcome = this.on('welcome', (welcome) => { offWelcome(); offFailed(); resolve(welcome); });
      const offFailed = this.on('failed', (error) => { offWelcome(); offFailed(); reject(error); });
    });
  }

  /**
   * Runs a command. Resolves with its replies (strings, or JSON values for data replies) once the gateway says the
   * call ended; rejects with a CallError: the gateway's code, or `timeout` (no end within `timeout` ms), `aborted`
   * (the signal fired), `disconnected` (the connection was lost while the call ran; it may or may not have run).
   * @param {string} command
   * @param {string} [args]
   * @param {{ data?: unknown, timeout?: number, signal?: AbortSignal, onReply?: (reply: unknown) => void }} [options]
   */
  call(command, args = '', options = {}) {
    const id = this.#nextId++;
    const frame = { type: 'call', id, command, args };
    if (options.data !== undefined) frame.data = options.data;
    return new Promise((resolve, reject) => {
      if (this.state === 'closed') {
        reject(new CallError('closed', 'the client is closed', id));
        return;
      }

      const call = { replies: [], onReply: options.onReply, resolve, reject, timer: null, abort: null };
      const finish = () => {
        this.#calls.delete(id);
        clearTimeout(call.timer);
        if (call.abort) options.signal.removeEventListener('abort', call.abort);
      };
      call.finish = finish;
      const timeout = options.timeout ?? this.#options.timeoutMs;
      if (timeout > 0 && Number.isFinite(timeout)) {
        call.timer = setTimeout(() => { finish(); reject(new CallError('timeout', `no answer to ${command} within ${timeout} ms`, id)); }, timeout);
      }
      if (options.signal) {
        if (options.signal.aborted) {
          reject(new CallError('aborted', 'the call was aborted', id));
          return;
        }
        call.abort = () => { finish(); reject(new CallError('aborted', 'the call was aborted', id)); };
        options.signal.addEventListener('abort', call.abort, { once: true });
      }
      this.#calls.set(id, call);
      this.#whenOpen().then(() => {
        if (this.#calls.get(id) === call) this.#send(frame);
      }, (error) => { if (this.#calls.get(id) === call) { finish(); reject(error); } });
    });
  }

  /**
   * Joins a group through the route's join command, and joins it again after every reconnect until `leave`.
   * @param {string} group
   */
  async join(group) {
    // Remembered first: a connection lost before the answer still has the group joined again on the reconnect.
    this.#groups.add(group);
    try {
      await this.call(this.#options.joinCommand, group);
    } catch (error) {
      if (error instanceof CallError && error.code === 'disconnected' && !this.#closed) {
        await this.ready();
        return;
      }
      this.#groups.delete(group);
      throw error;
    }
  }

  /** Leaves a group (the route's leave command) and stops joining it again after reconnects. */
  async leave(group) {
    this.#groups.delete(group);
    await this.call(this.#options.leaveCommand, group);
  }

  /** The groups this client joins again after a reconnect. */
  get groups() {
    return [...this.#groups];
  }

  /**
   * Listens for `welcome`, `event` (every event), an event's own name (`group`, `broadcast`, or a command's),
   * `state` (connecting, open, reconnecting, closed), `failed` (credentials refused), `error` (a frame of the
   * gateway's without a call). Returns a function that stops listening.
   */
  on(name, handler) {
    if (!this.#handlers.has(name)) this.#handlers.set(name, new Set());
    this.#handlers.get(name).add(handler);
    return () => this.#handlers.get(name)?.delete(handler);
  }

  /** Closes for good: pending calls reject with `closed`, nothing reconnects. */
  close() {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#setState('closed');
    this.#rejectAll(new CallError('closed', 'the client is closed'));
    this.#socket?.close(1000);
  }

  #emit(name, value) {
    for (const handler of [...(this.#handlers.get(name) ?? [])]) {
      try {
        handler(value);
      } catch (error) {
        // A handler's failure is its own; the others still run, and the connection goes on.
        setTimeout(() => { throw error; });
      }
    }
  }

  #setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.#emit('state', state);
  }

  #whenOpen() {
    if (this.state === 'open') return Promise.resolve();
    this.#opened ??= this.ready().finally(() => { this.#opened = null; });
    return this.#opened;
  }

  #send(frame) {
    this.#socket.send(JSON.stringify(frame));
  }

  async #open() {
    if (this.#closed) return;
    if (this.#options.getToken && (this.#token === undefined || this.#refusedOnce)) {
      try {
        this.#token = await this.#options.getToken();
      } catch (error) {
        this.#fail(new AuthenticationError('auth_refused', `getToken failed: ${error?.message ?? error}`, CLOSE_UNAUTHORIZED));
        return;
      }
    }
    if (this.#closed) return;
    const url = new URL(this.#url);
    if (this.#token) url.searchParams.set('access_token', this.#token);
    const socket = new this.#WebSocket(url.toString(), [PROTOCOL]);
    this.#socket = socket;
    let refusal = null;
    // The close event that follows says what happened; an unheard error event would end a node process (ws).
    socket.onerror = () => {};
    socket.onmessage = (message) => {
      let frame;
      try {
        frame = JSON.parse(typeof message.data === 'string' ? message.data : String(message.data));
      } catch {
        return;
      }
      if (frame.type === 'error' && frame.id === undefined && String(frame.code).startsWith('auth_')) {
        refusal = frame;
        return;
      }
      this.#receive(frame);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#rejectAll(new CallError('disconnected', 'the connection was lost; the call may or may not have run'));
      if (this.#closed) return;
      if (event.code === CLOSE_UNAUTHORIZED || event.code === CLOSE_FORBIDDEN) {
        const error = new AuthenticationError(refusal?.code ?? 'auth_refused', refusal?.message ?? 'credentials refused', event.code);
        // A refresh hook gets one more try with a new token; otherwise, or after it, retrying would only repeat the refusal.
        if (event.code === CLOSE_UNAUTHORIZED && this.#options.getToken && !this.#refusedOnce) {
          this.#refusedOnce = true;
          this.#schedule();
          return;
        }
        this.#fail(error);
        return;
      }
      if (!this.#options.reconnect) {
        this.#fail(new CallError('disconnected', `the connection closed (${event.code})`));
        return;
      }
      this.#schedule();
    };
  }

  #fail(error) {
    this.#closed = true;
    this.#setState('closed');
    this.#emit('failed', error);
  }

  #schedule() {
    this.#setState('reconnecting');
    // Full jitter: clients dropped together by a restart do not come back in lockstep.
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    this.#timer = setTimeout(() => this.#open(), Math.random() * ceiling);
  }

  #receive(frame) {
    switch (frame.type) {
      case 'welcome':
        this.welcome = { session: frame.session, node: frame.node, identity: frame.identity, resume: frame.resume };
        this.#attempt = 0;
        this.#refusedOnce = false;
        this.#rejoin().finally(() => {
          this.#setState('open');
          this.#emit('welcome', this.welcome);
        });
        return;
      case 'reply': {
        const call = this.#calls.get(frame.id);
        if (!call) return;
        const reply = 'text' in frame ? frame.text : frame.data;
        call.replies.push(reply);
        call.onReply?.(reply);
        return;
      }
      case 'result': {
        const call = this.#calls.get(frame.id);
        if (!call) return;
        call.finish();
        call.resolve(call.replies);
        return;
      }
      case 'error': {
        const call = frame.id === undefined ? undefined : this.#calls.get(frame.id);
        if (!call) {
          this.#emit('error', new CallError(frame.code, frame.message, frame.id));
          return;
        }
        call.finish();
        call.reject(new CallError(frame.code, frame.message, frame.id));
        return;
      }
      case 'event': {
        const event = { event: frame.event, group: frame.group, from: frame.from, text: frame.text, data: frame.data };
        this.#emit('event', event);
        this.#emit(frame.event, event);
        return;
      }
      default:
        // A newer gateway's frame: ignored, as the protocol says.
    }
  }

  async #rejoin() {
    // Sent straight on the socket: the client is not open until its groups are back.
    for (const group of this.#groups) {
      const id = this.#nextId++;
      await new Promise((resolve) => {
        this.#calls.set(id, { replies: [], resolve, reject: resolve, finish: () => this.#calls.delete(id) });
        this.#send({ type: 'call', id, command: this.#options.joinCommand, args: group });
      });
    }
  }

  #rejectAll(error) {
    for (const call of [...this.#calls.values()]) {
      call.finish();
      call.reject(error);
    }
  }
}
