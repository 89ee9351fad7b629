// WsGateway's client for browsers and node: the wsgateway.v1 protocol (docs/protocol.md) over one WebSocket, with
// calls that resolve once, named events, groups joined again after a reconnect, and reconnecting with back-off
// (except after a close 1000: the gateway ended the session on purpose, so only reconnect() starts a new one).
// No dependencies. In a browser it uses the global WebSocket; in node before 22 pass one (npm `ws`) as `WebSocket`.

export const PROTOCOL = 'wsgateway.v1';

/** Close codes the gateway uses for a refused handshake told in band (docs/protocol.md). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/** RFC 6455 normal closure: from the gateway it ends the session on purpose (`bye`), so the client does not reconnect. */
export const CLOSE_NORMAL = 1000;

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
 * @param {string | URL | Array<string | URL>} url ws:// or wss:// address of the route (for example
 *   `ws://localhost:12345/`), or the addresses of a cluster's gateways: each attempt after a failed or lost connection
 *   tries the next, so that the clients of a gateway that went down move to another
 * @param {object} [options] see wsgateway.d.ts
 * @returns {Client}
 */
export function connect(url, options = {}) {
  return new Client(url, options);
}

export class Client {
  #urls;
  #endpoint = 0;
  #options;
  #socket = null;
  #handlers = new Map();
  #calls = new Map();
  #nextId = 1;
  #groups = new Set();
  // Per group that keeps a history: the offset and epoch of the last event handled, to resume from after a reconnect.
  #positions = new Map();
  // Groups being recovered after a reconnect: their live events wait here until the missed ones are delivered.
  #recovering = new Map();
  #attempt = 0;
  #timer = null;
  #closed = false;
  #token;
  #opened = null;
  #refusedOnce = false;
  #failure = null;
  #generation = 0;
  #WebSocket;

  constructor(url, options = {}) {
    this.#urls = (Array.isArray(url) ? url : [url]).map((u) => new URL(u));
    if (this.#urls.length === 0) throw new Error('no address to connect to');
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
   * credentials are refused, or with CallError `closed` when the client ends first (`close()`, a close 1000).
   */
  ready() {
    if (this.state === 'open') return Promise.resolve(this.welcome);
    if (this.state === 'closed') return Promise.reject(this.#ended());
    return new Promise((resolve, reject) => {
      const off = () => { offWelcome(); offState(); };
      const offWelcome = this.on('welcome', (welcome) => { off(); resolve(welcome); });
      const offState = this.on('state', (state) => { if (state === 'closed') { off(); reject(this.#ended()); } });
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
    this.#positions.delete(group);
    await this.call(this.#options.leaveCommand, group);
  }

  /**
   * A group's recent messages, as the gateway keeps them (`History:Groups`; for its members): resolves with
   * `{ group, epoch, offset, messages, recovered? }` (docs/protocol.md, "History and recovery").
   * @param {string} group
   * @param {{ since?: { offset: number, epoch: string }, limit?: number, timeout?: number }} [options]
   */
  async history(group, options = {}) {
    const data = { group };
    if (options.since) data.since = options.since;
    if (options.limit) data.limit = options.limit;
    const [answer] = await this.call('history', '', { data, timeout: options.timeout });
    return answer;
  }

  /** The groups this client joins again after a reconnect. */
  get groups() {
    return [...this.#groups];
  }

  /**
   * Listens for `welcome`, `event` (every event), an event's own name (`group`, `broadcast`, or a command's),
   * `state` (connecting, open, reconnecting, closed), `failed` (credentials refused), `error` (a frame of the
   * gateway's without a call), `close` (every closed connection: `{ code, reason, wasOpen, reconnectInMs }`).
   * Returns a function that stops listening.
   */
  on(name, handler) {
    if (!this.#handlers.has(name)) this.#handlers.set(name, new Set());
    this.#handlers.get(name).add(handler);
    return () => this.#handlers.get(name)?.delete(handler);
  }

  /** Closes for good: pending calls reject with `closed`, nothing reconnects (until `reconnect()`). */
  close() {
    const wasOpen = this.state === 'open';
    this.#closed = true;
    this.#generation++;
    this.#cancelWait();
    this.#setState('closed');
    this.#rejectAll(new CallError('closed', 'the client is closed'));
    const socket = this.#socket;
    // Let go of it now: its own close event comes later, maybe after a reconnect() has opened the next one.
    this.#socket = null;
    if (socket) {
      socket.close(CLOSE_NORMAL);
      this.#emit('close', { code: CLOSE_NORMAL, reason: '', wasOpen, reconnectInMs: null });
    }
  }

  /**
   * Connects now: skips the rest of a back-off wait, or starts again after the client ended (a close 1000 from the
   * gateway, `close()`, refused credentials). Groups are joined again as after any reconnect. Does nothing while a
   * connection is open or being opened.
   */
  reconnect() {
    if (this.#closed) {
      this.#closed = false;
      this.#failure = null;
      this.#attempt = 0;
      this.#setState('connecting');
      this.#open();
      return;
    }
    if (this.#timer !== null) {
      this.#cancelWait();
      this.#open();
    }
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

  #cancelWait() {
    clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Why the client is closed: the failure that ended it, or a plain `closed`. */
  #ended() {
    return this.#failure ?? new CallError('closed', 'the client is closed');
  }

  async #open() {
    if (this.#closed) return;
    // A close() and a reconnect() while getToken runs start another #open; only the newest one goes on.
    const generation = ++this.#generation;
    if (this.#options.getToken && (this.#token === undefined || this.#refusedOnce)) {
      try {
        this.#token = await this.#options.getToken();
      } catch (error) {
        if (generation === this.#generation) {
          this.#fail(new AuthenticationError('auth_refused', `getToken failed: ${error?.message ?? error}`, CLOSE_UNAUTHORIZED));
        }
        return;
      }
    }
    if (this.#closed || generation !== this.#generation) return;
    const url = new URL(this.#urls[this.#endpoint]);
    if (this.#token) url.searchParams.set('access_token', this.#token);
    const socket = new this.#WebSocket(url.toString(), [PROTOCOL]);
    this.#socket = socket;
    let refusal = null;
    let welcomed = false;
    // The close event that follows says what happened; an unheard error event would end a node process (ws).
    socket.onerror = () => {};
    socket.onmessage = (message) => {
      if (this.#socket !== socket) return;
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
      if (frame.type === 'welcome') welcomed = true;
      this.#receive(frame, socket);
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#rejectAll(new CallError('disconnected', 'the connection was lost; the call may or may not have run'));
      const reconnectInMs = this.#afterClose(event.code, refusal);
      this.#emit('close', { code: event.code, reason: event.reason ?? '', wasOpen: welcomed, reconnectInMs });
    };
  }

  /** Decides what follows a lost connection; returns the back-off delay, or null when the client ended. */
  #afterClose(code, refusal) {
    if (code === CLOSE_UNAUTHORIZED || code === CLOSE_FORBIDDEN) {
      const error = new AuthenticationError(refusal?.code ?? 'auth_refused', refusal?.message ?? 'credentials refused', code);
      // A refresh hook gets one more try with a new token; otherwise, or after it, retrying would only repeat the refusal.
      if (code === CLOSE_UNAUTHORIZED && this.#options.getToken && !this.#refusedOnce) {
        this.#refusedOnce = true;
        return this.#schedule();
      }
      this.#fail(error);
      return null;
    }
    // The gateway ended the session on purpose (`bye`); 1001 (shutdown) and every other code is worth retrying.
    if (code === CLOSE_NORMAL) {
      this.#end();
      return null;
    }
    if (!this.#options.reconnect) {
      this.#fail(new CallError('disconnected', `the connection closed (${code})`));
      return null;
    }
    return this.#schedule();
  }

  #end() {
    this.#closed = true;
    this.#setState('closed');
  }

  #fail(error) {
    this.#failure = error;
    this.#end();
    this.#emit('failed', error);
  }

  /** @returns {number} the delay in ms */
  #schedule() {
    this.#setState('reconnecting');
    this.#endpoint = (this.#endpoint + 1) % this.#urls.length;
    // Full jitter: clients dropped together by a restart do not come back in lockstep.
    const ceiling = Math.min(this.#options.maxDelayMs, this.#options.initialDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    const delay = Math.round(Math.random() * ceiling);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#open();
    }, delay);
    return delay;
  }

  #receive(frame, socket) {
    switch (frame.type) {
      case 'welcome':
        this.welcome = { session: frame.session, node: frame.node, identity: frame.identity, resume: frame.resume };
        this.#attempt = 0;
        this.#refusedOnce = false;
        this.#rejoin(socket).finally(() => {
          // Lost while joining again: the close already said what comes next.
          if (this.#socket !== socket) return;
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
        const waiting = frame.group === undefined ? undefined : this.#recovering.get(frame.group);
        if (waiting) {
          waiting.push(frame);
          return;
        }
        const last = frame.offset === undefined ? undefined : this.#positions.get(frame.group);
        if (last && (last.epoch !== frame.epoch || frame.offset > last.offset + 1)) {
          // Missed while connected: messages lost between the gateways, or a history that was reset (a new epoch).
          // Read them from the history as after a reconnect; this event and the next ones wait meanwhile.
          this.#recover(frame.group, last, [frame]);
          return;
        }
        this.#deliver(frame);
        return;
      }
      default:
        // A newer gateway's frame: ignored, as the protocol says.
    }
  }

  // An event to the handlers, unless it is one this client has handled already (its group's offset is not past the
  // last one handled in the same epoch): what a recovery and the live messages both carry is delivered once.
  #deliver(frame) {
    if (frame.offset !== undefined && frame.group !== undefined) {
      const last = this.#positions.get(frame.group);
      if (last && last.epoch === frame.epoch && frame.offset <= last.offset) return;
      this.#positions.set(frame.group, { offset: frame.offset, epoch: frame.epoch });
    }
    const event = { event: frame.event, group: frame.group, from: frame.from, text: frame.text, data: frame.data };
    if (frame.offset !== undefined) {
      event.offset = frame.offset;
      event.epoch = frame.epoch;
    }
    this.#emit('event', event);
    this.#emit(frame.event, event);
  }

  async #rejoin(socket) {
    // Sent straight on the socket: the client is not open until its groups are back, and what they missed delivered.
    for (const group of this.#groups) {
      if (this.#socket !== socket) return;
      await this.#internalCall(this.#options.joinCommand, group);
      const since = this.#positions.get(group);
      if (since && this.#socket === socket) await this.#recover(group, since);
    }
  }

  // The join came first, so every message after it arrives live (held back meanwhile) and every one before it is in
  // the history: the missed ones are delivered, then the held ones, each once (#deliver).
  async #recover(group, since, held = []) {
    this.#recovering.set(group, held);
    // Page by page while the gateway says there is more: one recovery, recovered only if no page had a gap.
    let recovered = true;
    let missed = 0;
    let error;
    for (;;) {
      const result = await this.#internalCall('history', '', { group, since });
      const answer = result.replies?.[0];
      error = result.error;
      recovered &&= answer?.recovered === true;
      const messages = answer?.messages ?? [];
      for (const frame of messages) this.#deliver(frame);
      missed += messages.length;
      const last = messages[messages.length - 1];
      if (answer?.more !== true || !last) break;
      since = { offset: last.offset, epoch: last.epoch };
    }
    this.#recovering.delete(group);
    for (const frame of held) this.#deliver(frame);
    this.#emit('recovered', { group, recovered: recovered && !error, missed, error: error?.code });
  }

  // A call of the client's own, straight on the socket: resolves with its replies or its error, never rejects.
  #internalCall(command, args, data) {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#calls.set(id, {
        replies: [],
        resolve: (replies) => resolve({ replies }),
        reject: (error) => resolve({ error }),
        finish: () => this.#calls.delete(id),
      });
      const frame = { type: 'call', id, command, args };
      if (data !== undefined) frame.data = data;
      this.#send(frame);
    });
  }

  #rejectAll(error) {
    for (const call of [...this.#calls.values()]) {
      call.finish();
      call.reject(error);
    }
  }
}
