// Types of wsgateway.js: the wsgateway.v1 client (docs/protocol.md).

export declare const PROTOCOL: 'wsgateway.v1';
export declare const CLOSE_UNAUTHORIZED: 4401;
export declare const CLOSE_FORBIDDEN: 4403;
/** A close 1000 from the gateway (`bye`) ends the client: it does not reconnect until `reconnect()`. */
export declare const CLOSE_NORMAL: 1000;

/** Who the gateway thinks is connected. */
export interface Identity {
  name: string;
  roles: string[];
  authenticated: boolean;
  expiresAt?: string;
}

export interface Welcome {
  session: string;
  node: string;
  identity: Identity;
  /** Opaque; for recovery after a reconnect. */
  resume: string;
}

/** Who sent a broadcast, group or direct message. */
export interface Sender {
  session: string;
  user: string;
  node: string;
}

export interface GatewayEvent {
  /** `broadcast`, `group`, `direct` (to a user or one session), or a name a command or a backend chose. */
  event: string;
  group?: string;
  from?: Sender;
  text?: string;
  data?: unknown;
  /** For a group that keeps a history: the message's position, and its history's epoch. */
  offset?: number;
  epoch?: string;
}

/** After a reconnect, for each group that keeps a history: whether every message missed meanwhile was delivered. */
export interface Recovered {
  group: string;
  /** False when some were gone (size, age) or the history was reset (another epoch): reload the group's state. */
  recovered: boolean;
  /** How many missed messages were delivered (as events, before the live ones). */
  missed: number;
  /** The history call's error code, when it failed. */
  error?: string;
}

export interface HistoryAnswer {
  group: string;
  epoch: string;
  /** The last offset the group gave. */
  offset: number;
  /** With `since`: whether `messages` are all the messages after it. */
  recovered?: boolean;
  messages: Array<{ type: 'event'; event: string; group: string; offset: number; epoch: string; from?: Sender; text?: string; data?: unknown }>;
}

/** A reply: the text a command sent, or the JSON value of a data reply. */
export type Reply = string | unknown;

export type ErrorCode =
  | 'bad_frame' | 'unknown_type' | 'bad_id' | 'duplicate_id' | 'too_deep'
  | 'unknown_command' | 'forbidden' | 'rate_limited' | 'timeout' | 'failed' | 'broken' | 'cancelled'
  | 'bad_arguments' | 'no_history' | 'bad_position' | 'unavailable'
  | 'auth_required' | 'auth_refused' | 'auth_forbidden'
  // This library's own:
  | 'aborted' | 'disconnected' | 'closed';

export declare class CallError extends Error {
  readonly code: ErrorCode | string;
  readonly id?: number | string;
}

export declare class AuthenticationError extends Error {
  readonly code: 'auth_required' | 'auth_refused' | 'auth_forbidden';
  readonly closeCode: 4401 | 4403;
}

export interface ConnectOptions {
  /** Sent as the access_token query parameter (browsers cannot set headers on a WebSocket). */
  token?: string;
  /** Called for a token before connecting when none was given, and once more after a refusal (close 4401). */
  getToken?: () => string | Promise<string>;
  /** A WebSocket constructor (npm `ws` in node before 22); the global one by default. */
  WebSocket?: unknown;
  /**
   * Reconnect after a lost connection (default true): exponential back-off with full jitter. A close 1000 from the
   * gateway (`bye`) ends the client instead; 1001 (the gateway shutting down) reconnects like any other close.
   */
  reconnect?: boolean;
  /** First back-off ceiling, doubled per attempt (default 500 ms). */
  initialDelayMs?: number;
  /** Largest back-off (default 30 s). */
  maxDelayMs?: number;
  /** Default call timeout (default 30 s; 0 for none). */
  timeoutMs?: number;
  /** The route's commands that join and leave a group (default `join` and `leave`). */
  joinCommand?: string;
  leaveCommand?: string;
}

export interface CallOptions {
  /** Structured arguments, the call's `data`. */
  data?: unknown;
  /** Milliseconds until the call fails with `timeout` (default: the client's timeoutMs). */
  timeout?: number;
  signal?: AbortSignal;
  /** Each reply as it arrives. */
  onReply?: (reply: Reply) => void;
}

export type State = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A connection closed; emitted once the client has decided what comes next. */
export interface CloseInfo {
  /** The close code (1006 when the connection was lost without a close frame, as browsers report it). */
  code: number;
  reason: string;
  /** Whether the connection had been welcomed (the client was `open` on it). */
  wasOpen: boolean;
  /**
   * The back-off delay before the next attempt, or null when the client ended: a close 1000 from the gateway, 4401 or
   * 4403 (see `failed`), `close()`, or `reconnect: false`.
   */
  reconnectInMs: number | null;
}

export declare class Client {
  readonly welcome: Welcome | null;
  readonly state: State;
  readonly groups: string[];
  /** Rejects with AuthenticationError on refused credentials, CallError `closed` when the client ends first. */
  ready(): Promise<Welcome>;
  call(command: string, args?: string, options?: CallOptions): Promise<Reply[]>;
  join(group: string): Promise<void>;
  leave(group: string): Promise<void>;
  /** A group's kept messages (for its members), after `since` when given. */
  history(group: string, options?: { since?: { offset: number; epoch: string }; limit?: number; timeout?: number }): Promise<HistoryAnswer>;
  on(name: 'welcome', handler: (welcome: Welcome) => void): () => void;
  on(name: 'state', handler: (state: State) => void): () => void;
  on(name: 'failed', handler: (error: AuthenticationError | CallError) => void): () => void;
  on(name: 'error', handler: (error: CallError) => void): () => void;
  on(name: 'recovered', handler: (recovered: Recovered) => void): () => void;
  on(name: 'close', handler: (close: CloseInfo) => void): () => void;
  on(name: string, handler: (event: GatewayEvent) => void): () => void;
  /** Ends the client: pending calls reject with `closed`, nothing reconnects until `reconnect()`. */
  close(): void;
  /**
   * Connects now: skips the rest of a back-off wait, or starts again after the client ended (a close 1000 from the
   * gateway, `close()`, refused credentials). Groups are joined again, as after any reconnect. Does nothing while a
   * connection is open or being opened.
   */
  reconnect(): void;
}

/**
 * Connects to a command route and keeps connected until `close()`. With several addresses (the gateways of one
 * cluster), each attempt after a failed or lost connection tries the next one.
 */
export declare function connect(url: string | URL | Array<string | URL>, options?: ConnectOptions): Client;
