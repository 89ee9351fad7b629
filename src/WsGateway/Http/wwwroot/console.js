// WsGateway console: the command route of the gateway that serves this page, through the gateway's own client
// library (wsgateway.v1, docs/protocol.md). Every typed line is a call; its replies and its end show under it.
//
// Rules this file keeps:
// - Everything that came over the wire is shown with textContent, never parsed as HTML.
// - No inline styles or scripts (the page is served with a strict Content-Security-Policy).
// - No build step: plain browser JavaScript. The one import is the library the gateway serves beside this page,
//   by a relative address, so a gateway served under a path prefix (behind a proxy) still finds it.
import { connect, AuthenticationError } from './client/wsgateway.js';
import { createAdminView } from './admin.js';

const HISTORY_KEY = 'wsgateway.console.history';
const HISTORY_LIMIT = 100;
const LOG_LIMIT = 2000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10_000;
const HELP_TIMEOUT_MS = 5_000;
const COUNTDOWN_TICK_MS = 250;
const STICK_THRESHOLD_PX = 32;
// A description that shows a placeholder ("name <x>", "echo [text]") means the command takes arguments.
const ARGS_PATTERN = /<[^<>]+>|\[[^[\]]+\]/;

// RFC 6455 section 7.4.1 and the IANA registry, plus the gateway's in-band refusals (docs/protocol.md): what a person
// should read next to a close code.
const CLOSE_CODES = new Map([
  [1000, 'normal closure'],
  [1001, 'going away'],
  [1002, 'protocol error'],
  [1003, 'unsupported data'],
  [1005, 'no status code'],
  [1006, 'connection lost without a close frame'],
  [1007, 'invalid message data'],
  [1008, 'policy violation'],
  [1009, 'message too big'],
  [1010, 'missing extension'],
  [1011, 'internal server error'],
  [1012, 'service restart'],
  [1013, 'try again later'],
  [1015, 'TLS handshake failed'],
  [4401, 'credentials missing or refused'],
  [4403, 'credentials not allowed here'],
]);

const byId = (id) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`console.js: #${id} is missing from the page`);
  return found;
};

const ui = {
  endpoint: byId('endpoint'),
  status: byId('status'),
  statusText: byId('status-text'),
  reconnect: byId('reconnect'),
  announcer: byId('announcer'),
  clear: byId('clear'),
  log: byId('log'),
  logEmpty: byId('log-empty'),
  jump: byId('jump'),
  composer: byId('composer'),
  input: byId('input'),
  send: byId('send'),
  commands: byId('commands'),
  commandsNote: byId('commands-note'),
  commandsRefresh: byId('commands-refresh'),
};

// The command route is the folder this page was served from, as ws: or wss:.
const endpoint = new URL('./', location.href);
endpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
const tokenHint = `${new URL('./', location.href).pathname}#access_token=TOKEN`;
// For a gateway that asks for a token (Authentication:Methods): taken from this page's own address,
// `#access_token=…` (a fragment never leaves the browser) or `?access_token=…`, and handed to the library, which sends
// it as the upgrade's access_token query parameter (a browser cannot set headers on a WebSocket). Never shown.
const accessToken = new URLSearchParams(location.hash.slice(1)).get('access_token')
  || new URLSearchParams(location.search).get('access_token');

const client = connect(endpoint, {
  token: accessToken || undefined,
  initialDelayMs: BACKOFF_BASE_MS,
  maxDelayMs: BACKOFF_CAP_MS,
  // The gateway ends every call itself (Commands:TimeoutSeconds); a shorter client-side limit would drop the replies
  // of a slow command that is still running.
  timeoutMs: 0,
});

const view = {
  reconnectAt: 0,
  countdownTimer: 0,
  unreachableReported: false,
  refused: false,
  nextCallId: 1,
  helpRun: 0,
};

// Made only for a console opened with a token: an anonymous session never holds the role admin.
const admin = accessToken
  ? createAdminView({
    token: accessToken,
    elements: {
      root: byId('admin'),
      status: byId('admin-status'),
      bus: byId('admin-bus'),
      nodes: byId('admin-nodes'),
      sessions: byId('admin-sessions'),
      sessionsNote: byId('admin-sessions-note'),
      reason: byId('admin-reason'),
      commands: byId('admin-commands'),
      commandsNote: byId('admin-commands-note'),
      reloads: byId('admin-reloads'),
      refusalCounts: byId('admin-refusal-counts'),
      refusals: byId('admin-refusals'),
    },
    onForbidden: (error) => system(`The admin view is off: the HTTP API refused this token (${error.status}).`),
  })
  : null;

let commandList = [];
let stickToBottom = true;

// ---------- small helpers ----------

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function storageGet(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage disabled (private mode, policy): the console still works without it
  }
}

function storageSet(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Quota or policy: losing history is better than losing the message.
  }
}

function announce(text) {
  ui.announcer.textContent = text;
}

function describeClose(code, reason) {
  const meaning = CLOSE_CODES.get(code);
  let text = `${code}`;
  if (meaning) text += ` ${meaning}`;
  if (reason) text += ` · “${reason}”`;
  return text;
}

// A data reply is shown as its JSON; a text reply as it came.
function replyText(reply) {
  return typeof reply === 'string' ? reply : JSON.stringify(reply);
}

const isOpen = () => client.state === 'open';

// ---------- log ----------

function timeElement(date) {
  const time = make('time', 'entry-time');
  time.dateTime = date.toISOString();
  time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  time.title = date.toLocaleString();
  return time;
}

const MARKS = {
  sent: ['›', 'sent'],
  received: ['‹', 'received'],
  error: ['!', 'error'],
  system: ['•', 'system'],
  event: ['»', 'event'],
};

function markElement(kind) {
  const [glyph] = MARKS[kind];
  const mark = make('span', 'entry-mark', glyph);
  mark.setAttribute('aria-hidden', 'true');
  return mark;
}

function textElement(kind, text) {
  const span = make('span', 'entry-text');
  // The kind is read out by screen readers; sighted users see the mark and colour.
  span.append(make('span', 'visually-hidden', `${MARKS[kind][1]}: `), document.createTextNode(text));
  return span;
}

function nearBottom() {
  return ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight <= STICK_THRESHOLD_PX;
}

function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
  stickToBottom = true;
  ui.jump.hidden = true;
}

function afterLogChange() {
  while (ui.log.childElementCount > LOG_LIMIT) ui.log.firstElementChild.remove();
  ui.logEmpty.hidden = ui.log.childElementCount > 0;
  if (stickToBottom) scrollToBottom();
  else ui.jump.hidden = false;
}

function addEntry(kind, text, id) {
  const entry = make('li', 'entry');
  entry.dataset.kind = kind;
  entry.setAttribute('data-testid', 'log-entry');
  const body = make('div', 'entry-body');
  if (id !== undefined) {
    entry.dataset.id = id;
    body.append(make('span', 'entry-id', `#${id}`));
  }
  body.append(textElement(kind, text));
  entry.append(timeElement(new Date()), markElement(kind), body);
  ui.log.append(entry);
  afterLogChange();
  return entry;
}

/** A reply or the error that ended a call, under the call's entry; on its own when the log was cleared since. */
function addReply(call, kind, text, code) {
  let reply;
  if (call.isConnected) {
    let replies = call.querySelector('.replies');
    if (!replies) {
      replies = make('ol', 'replies');
      call.querySelector('.entry-body').append(replies);
    }
    reply = make('li', 'reply');
    reply.dataset.kind = kind;
    reply.setAttribute('data-testid', 'log-reply');
    reply.append(markElement(kind), textElement(kind, text), timeElement(new Date()));
    replies.append(reply);
    afterLogChange();
  } else {
    reply = addEntry(kind, text, call.dataset.id);
  }
  if (code) {
    reply.dataset.code = code;
    reply.title = code;
  }
}

const system = (text) => addEntry('system', text);

function clearLog() {
  ui.log.replaceChildren();
  stickToBottom = true;
  afterLogChange();
}

// ---------- calls ----------

function splitCommand(line) {
  const trimmed = line.trimStart();
  const space = trimmed.search(/\s/);
  if (space < 0) return { command: trimmed, args: '' };
  return { command: trimmed.slice(0, space), args: trimmed.slice(space).trimStart() };
}

/** Runs one line as a call. Calls run side by side; each one's replies land under its own entry. */
function run(line) {
  const { command, args } = splitCommand(line);
  const id = String(view.nextCallId++);
  const entry = addEntry('sent', line, id);
  entry.dataset.state = 'running';
  scrollToBottom();
  let replies = 0;
  const onReply = (reply) => {
    replies++;
    addReply(entry, 'received', replyText(reply));
  };
  client.call(command, args, { onReply }).then(
    () => {
      entry.dataset.state = 'done';
      // A call that ends without a reply still ended: say so, quietly.
      if (replies === 0 && entry.isConnected) {
        const end = make('span', 'entry-end', '✓ done');
        end.title = 'The call ended without a reply.';
        entry.querySelector('.entry-body').append(end);
      }
    },
    (error) => {
      entry.dataset.state = 'failed';
      addReply(entry, 'error', error.message, error.code);
    },
  );
}

function submit() {
  const line = ui.input.value;
  if (line.trim() === '') return;
  if (!isOpen()) {
    announce('Not connected: the command was not sent.');
    return;
  }
  run(line);
  history.remember(line);
  ui.input.value = '';
}

// ---------- history ----------

const history = (() => {
  let entries = [];
  try {
    const stored = JSON.parse(storageGet(HISTORY_KEY) ?? '[]');
    if (Array.isArray(stored)) entries = stored.filter((item) => typeof item === 'string').slice(-HISTORY_LIMIT);
  } catch {
    entries = [];
  }
  let index = entries.length;
  let draft = '';

  return {
    remember(line) {
      if (entries[entries.length - 1] !== line) {
        entries.push(line);
        if (entries.length > HISTORY_LIMIT) entries = entries.slice(-HISTORY_LIMIT);
        storageSet(HISTORY_KEY, JSON.stringify(entries));
      }
      index = entries.length;
      draft = '';
    },
    previous(current) {
      if (index === entries.length) draft = current;
      if (index > 0) index--;
      return entries[index] ?? current;
    },
    next(current) {
      if (index >= entries.length) return current;
      index++;
      return index === entries.length ? draft : entries[index];
    },
    reset() {
      index = entries.length;
    },
  };
})();

function setInput(value) {
  ui.input.value = value;
  const end = value.length;
  ui.input.setSelectionRange(end, end);
}

// ---------- connection ----------

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.statusText.textContent = text;
  if (state !== 'connected') delete ui.status.dataset.user;
  const open = state === 'connected';
  ui.send.disabled = !open;
  ui.commandsRefresh.disabled = !open;
  ui.reconnect.hidden = state === 'connected' || state === 'connecting';
  ui.reconnect.textContent = state === 'closed' ? 'Connect' : 'Retry now';
}

function stopCountdown() {
  clearInterval(view.countdownTimer);
  view.countdownTimer = 0;
}

function updateCountdown() {
  const left = view.reconnectAt - Date.now();
  // Past zero the library is trying; the attempt's close (or welcome) comes next.
  const text = left > 0 ? `Reconnecting in ${Math.ceil(left / 1000)} s` : 'Reconnecting…';
  if (ui.statusText.textContent !== text) setStatus('reconnecting', text);
}

client.on('state', (state) => {
  if (state !== 'reconnecting') stopCountdown();
  if (state === 'connecting') {
    ui.status.title = '';
    setStatus('connecting', 'Connecting…');
  } else if (state === 'reconnecting') {
    setStatus('reconnecting', 'Reconnecting…');
  } else if (state === 'closed') {
    setStatus('closed', 'Closed');
  }
  // 'open' is shown by the welcome that follows it, with who we are.
});

client.on('welcome', (welcome) => {
  view.unreachableReported = false;
  const identity = welcome.identity ?? {};
  const name = identity.authenticated === true && typeof identity.name === 'string' ? identity.name : null;
  setStatus('connected', name ? `Connected as ${name}` : 'Connected');
  ui.status.title = `Session ${welcome.session} on node ${welcome.node}`;
  if (name) ui.status.dataset.user = name;
  announce(name ? `Connected to the gateway as ${name}` : 'Connected to the gateway');
  system(`Connected to ${endpoint}`);
  if (name) {
    const roles = Array.isArray(identity.roles) && identity.roles.length > 0 ? `; roles: ${identity.roles.join(', ')}` : '';
    system(`Authenticated as ${name}${roles}`);
  }
  // The view follows the identity of each session: a reconnect with another token's identity shows or hides it.
  const isAdmin = identity.authenticated === true && Array.isArray(identity.roles) && identity.roles.includes('admin');
  if (admin && isAdmin) admin.start();
  else admin?.stop();
  requestHelp();
});

client.on('failed', (error) => {
  if (!(error instanceof AuthenticationError)) {
    system(`The connection failed: ${error.message}. Press Connect to try again.`);
    return;
  }
  // A refused token stays refused: the library does not retry it, and neither does the page.
  view.refused = true;
  const how = accessToken
    ? `Open the console with a new token: ${tokenHint}`
    : `If the gateway asks for credentials, open the console as ${tokenHint}`;
  const entry = system(`The gateway refused the credentials (${error.code}: ${error.message}). ${how}`);
  entry.dataset.code = error.code;
  announce('The gateway refused the credentials.');
});

client.on('close', ({ code, reason, wasOpen, reconnectInMs }) => {
  stopCountdown();
  const description = describeClose(code, reason);
  if (reconnectInMs === null) {
    // Ended: a close 1000 (the gateway ended the session on purpose, e.g. `bye`) or refused credentials.
    setStatus('closed', `Closed · ${code}${reason ? ` ${reason}` : ''}`);
    ui.status.title = `Closed: ${description}`;
    if (view.refused) {
      view.refused = false;
      return;
    }
    announce(`Connection closed: ${description}`);
    system(`Connection closed (${description}). Press Connect to start a new session.`);
    return;
  }

  if (wasOpen) {
    // The failed attempts that follow say nothing new; the status shows the countdown.
    view.unreachableReported = true;
    system(`Connection closed (${description}). Reconnecting…`);
    announce(`Connection lost: ${description}. Reconnecting.`);
  } else if (!view.unreachableReported) {
    view.unreachableReported = true;
    system(`Cannot reach ${endpoint} (${description}). Retrying with back-off…`);
    announce('Cannot reach the gateway. Retrying.');
  }
  ui.status.title = `Last close: ${description}`;
  view.reconnectAt = Date.now() + reconnectInMs;
  updateCountdown();
  view.countdownTimer = setInterval(updateCountdown, COUNTDOWN_TICK_MS);
});

// ---------- events ----------

function describeEvent(event) {
  const payload = event.text ?? (event.data === undefined ? '' : JSON.stringify(event.data));
  const source = event.event === 'group' && event.group ? event.group : event.event;
  const sender = event.from?.user;
  return sender ? `${source} · ${sender}: ${payload}` : `${source}: ${payload}`;
}

client.on('event', (event) => {
  const entry = addEntry('event', describeEvent(event));
  entry.dataset.event = event.event;
  if (event.group) entry.dataset.group = event.group;
  if (event.from) entry.title = `From session ${event.from.session} on node ${event.from.node}`;
});

// A frame of the gateway's that belongs to no call: something is wrong with the connection.
client.on('error', (error) => {
  const entry = addEntry('error', `${error.code}: ${error.message}`);
  entry.dataset.code = error.code;
});

// ---------- commands (help --json) ----------

function setCommandsNote(text, kind) {
  ui.commandsNote.textContent = text;
  if (kind) ui.commandsNote.dataset.kind = kind;
  else delete ui.commandsNote.dataset.kind;
}

function requestHelp() {
  if (!isOpen()) return;
  const helpRun = ++view.helpRun;
  if (commandList.length === 0) setCommandsNote('Loading commands…');
  client.call('help', '--json', { timeout: HELP_TIMEOUT_MS }).then(
    (replies) => {
      if (helpRun === view.helpRun) helpAnswered(replies[0]);
    },
    (error) => {
      // A lost connection asks again once it is back.
      if (helpRun !== view.helpRun || error.code === 'disconnected' || error.code === 'closed') return;
      setCommandsNote(error.code === 'timeout'
        ? 'The gateway did not answer “help --json”. Try Refresh.'
        : `Could not list commands: ${error.message}`, 'error');
    },
  );
}

function helpAnswered(reply) {
  let parsed = reply;
  if (typeof reply === 'string') {
    try {
      parsed = JSON.parse(reply);
    } catch {
      setCommandsNote('“help --json” did not answer with JSON.', 'error');
      return;
    }
  }
  const list = Array.isArray(parsed?.commands) ? parsed.commands : [];
  commandList = list
    .filter((c) => c && typeof c.name === 'string' && c.name !== '')
    .map((c) => {
      const description = typeof c.description === 'string' ? c.description : '';
      const args = description.match(ARGS_PATTERN);
      return {
        name: c.name,
        description,
        origin: typeof c.origin === 'string' ? c.origin : '',
        problem: typeof c.problem === 'string' && c.problem !== '' ? c.problem : null,
        shadowed: c.shadowed === true,
        args: args ? args[0] : null,
      };
    });
  // Alphabetical is what a person scans; shadowed entries go last, they never answer.
  commandList.sort((a, b) => Number(a.shadowed) - Number(b.shadowed) || a.name.localeCompare(b.name));
  renderCommands();
}

function commandTitle(c) {
  const lines = [c.description || c.name];
  if (c.origin) lines.push(`From ${c.origin}`);
  if (c.problem) lines.push(`Problem: ${c.problem}`);
  if (c.shadowed) lines.push('Shadowed: another source defines this name and answers it.');
  else lines.push(c.args ? 'Click to type its arguments.' : 'Click to send · Shift+click to edit first.');
  return lines.join('\n');
}

function badge(kind) {
  const span = make('span', 'command-badge', kind);
  span.dataset.badge = kind;
  return span;
}

function renderCommands() {
  const items = commandList.map((c) => {
    const button = make('button', 'command');
    button.type = 'button';
    button.dataset.command = c.name;
    button.setAttribute('data-testid', 'command');
    button.title = commandTitle(c);
    if (c.problem) button.dataset.broken = 'true';
    if (c.shadowed) {
      button.dataset.shadowed = 'true';
      button.disabled = true;
    }

    const head = make('span', 'command-head');
    head.append(make('span', 'command-name', c.name));
    if (c.args) head.append(make('span', 'command-args', c.args));
    if (c.problem) head.append(badge('broken'));
    if (c.shadowed) head.append(badge('shadowed'));
    button.append(head);
    if (c.description) button.append(make('span', 'command-desc', c.description));

    const item = make('li');
    item.append(button);
    return item;
  });
  ui.commands.replaceChildren(...items);

  const active = commandList.filter((c) => !c.shadowed).length;
  const broken = commandList.filter((c) => c.problem).length;
  let note = active === 1 ? '1 command' : `${active} commands`;
  if (broken > 0) note += ` · ${broken} broken`;
  setCommandsNote(commandList.length === 0 ? 'The gateway has no commands.' : note);
}

function commandClicked(event) {
  const button = event.target.closest('button.command');
  if (!button || button.disabled) return;
  const c = commandList.find((item) => item.name === button.dataset.command);
  if (!c) return;
  if (c.args || event.shiftKey || event.altKey || !isOpen()) {
    setInput(`${c.name} `);
    ui.input.focus();
    return;
  }
  history.remember(c.name);
  run(c.name);
}

function complete() {
  const value = ui.input.value;
  if (value === '' || /\s/.test(value)) return false;
  const lower = value.toLowerCase();
  const names = commandList.filter((c) => !c.shadowed && c.name.toLowerCase().startsWith(lower));
  if (names.length === 0) return false;
  if (names.length === 1) {
    const only = names[0];
    const completed = only.args ? `${only.name} ` : only.name;
    if (completed === value) return false;
    setInput(completed);
    return true;
  }
  // Several matches: extend to their common prefix, like a shell.
  let prefix = names[0].name;
  for (const c of names) {
    while (!c.name.toLowerCase().startsWith(prefix.toLowerCase())) prefix = prefix.slice(0, -1);
  }
  if (prefix.length <= value.length) return false;
  setInput(prefix);
  return true;
}

// ---------- wiring ----------

ui.endpoint.textContent = endpoint.toString();

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  submit();
});

ui.input.addEventListener('keydown', (event) => {
  // Ctrl+L clears like a terminal, but only from the input: elsewhere it stays the browser's address-bar key.
  if (event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey && event.key.toLowerCase() === 'l') {
    event.preventDefault();
    clearLog();
    return;
  }
  if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
  switch (event.key) {
    case 'Enter':
      // Handled here rather than by implicit form submission, which does nothing while Send is disabled.
      event.preventDefault();
      submit();
      break;
    case 'ArrowUp':
      event.preventDefault();
      setInput(history.previous(ui.input.value));
      break;
    case 'ArrowDown':
      event.preventDefault();
      setInput(history.next(ui.input.value));
      break;
    case 'Tab':
      // Only swallow Tab when it completed something, so keyboard users can still tab out of the field.
      if (!event.shiftKey && complete()) event.preventDefault();
      break;
    case 'Escape':
      if (ui.input.value !== '') {
        event.preventDefault();
        ui.input.value = '';
        history.reset();
      }
      break;
    default:
      break;
  }
});

ui.log.addEventListener('scroll', () => {
  stickToBottom = nearBottom();
  if (stickToBottom) ui.jump.hidden = true;
});

ui.jump.addEventListener('click', () => {
  scrollToBottom();
  ui.input.focus();
});

ui.clear.addEventListener('click', () => {
  clearLog();
  ui.input.focus();
});

// "Retry now" skips the rest of the back-off; "Connect" starts a new session after the client ended.
ui.reconnect.addEventListener('click', () => client.reconnect());
ui.commandsRefresh.addEventListener('click', requestHelp);
ui.commands.addEventListener('click', commandClicked);

// Back from sleep or offline: no reason to sit out the rest of a long back-off.
window.addEventListener('online', () => {
  if (client.state === 'reconnecting') client.reconnect();
});
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && client.state === 'reconnecting') client.reconnect();
});

afterLogChange();
ui.input.focus();
