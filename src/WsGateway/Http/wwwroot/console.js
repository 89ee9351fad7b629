// WsGateway console: a small client for the command route of the gateway that serves this page.
//
// Rules this file keeps:
// - Everything that came over the wire is shown with textContent, never parsed as HTML.
// - No inline styles or scripts (the page is served with a strict Content-Security-Policy).
// - No build step and no dependencies: plain browser JavaScript.
(() => {
  'use strict';

  const HISTORY_KEY = 'wsgateway.console.history';
  const JSON_MODE_KEY = 'wsgateway.console.json-mode';
  const HISTORY_LIMIT = 100;
  const LOG_LIMIT = 2000;
  const PENDING_LIMIT = 500;
  const BACKOFF_BASE_MS = 500;
  const BACKOFF_CAP_MS = 10_000;
  const CONNECT_TIMEOUT_MS = 10_000;
  const HELP_TIMEOUT_MS = 5_000;
  const STICK_THRESHOLD_PX = 32;
  const HELP_ID_PREFIX = 'console-help-';
  const WHOAMI_ID = 'console-whoami';
  // A description that shows a placeholder ("name <x>", "echo [text]") means the command takes arguments.
  const ARGS_PATTERN = /<[^<>]+>|\[[^[\]]+\]/;

  // RFC 6455 section 7.4.1 and the IANA registry: what a person should read next to a close code.
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
    jsonMode: byId('json-mode'),
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

  const endpoint = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;
  // For a gateway that asks for a token (Authentication:Methods): taken from this page's own address,
  // `#access_token=…` (a fragment never leaves the browser) or `?access_token=…`. A browser cannot set headers on a
  // WebSocket, so the token goes in the upgrade's access_token query parameter. It is never shown on the page.
  const accessToken = new URLSearchParams(location.hash.slice(1)).get('access_token')
    || new URLSearchParams(location.search).get('access_token');
  const url = accessToken ? `${endpoint}?access_token=${encodeURIComponent(accessToken)}` : endpoint;

  const connection = {
    socket: null,
    state: 'connecting',
    attempt: 0,
    reconnectTimer: 0,
    countdownTimer: 0,
    reconnectAt: 0,
    connectTimer: 0,
    lastClose: '',
    unreachableReported: false,
  };

  const requests = {
    nextId: 1,
    // Request id -> the log entry its replies are shown under.
    pending: new Map(),
    helpSeq: 0,
    helpId: '',
    helpTimer: 0,
  };

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

  function isOpen() {
    return connection.socket !== null && connection.socket.readyState === WebSocket.OPEN;
  }

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
    const now = new Date();
    const body = make('div', 'entry-body');
    if (id !== undefined) {
      entry.dataset.id = id;
      body.append(make('span', 'entry-id', `#${id}`));
    }
    body.append(textElement(kind, text));
    entry.append(timeElement(now), markElement(kind), body);
    ui.log.append(entry);
    afterLogChange();
    return entry;
  }

  function addReply(request, kind, text) {
    let replies = request.querySelector('.replies');
    if (!replies) {
      replies = make('ol', 'replies');
      request.querySelector('.entry-body').append(replies);
    }
    const reply = make('li', 'reply');
    reply.dataset.kind = kind;
    reply.setAttribute('data-testid', 'log-reply');
    reply.append(markElement(kind), textElement(kind, text), timeElement(new Date()));
    replies.append(reply);
    afterLogChange();
  }

  const system = (text) => addEntry('system', text);

  function clearLog() {
    ui.log.replaceChildren();
    requests.pending.clear();
    stickToBottom = true;
    afterLogChange();
  }

  // ---------- connection ----------

  function setState(state, text) {
    connection.state = state;
    ui.status.dataset.state = state;
    ui.statusText.textContent = text;
    if (state !== 'connected') delete ui.status.dataset.user;
    const open = state === 'connected';
    ui.send.disabled = !open;
    ui.commandsRefresh.disabled = !open;
    ui.reconnect.hidden = state === 'connected' || state === 'connecting';
    ui.reconnect.textContent = state === 'closed' ? 'Connect' : 'Retry now';
  }

  function clearTimers() {
    clearTimeout(connection.reconnectTimer);
    clearInterval(connection.countdownTimer);
    clearTimeout(connection.connectTimer);
    clearTimeout(requests.helpTimer);
  }

  function connect() {
    clearTimers();
    if (connection.socket) {
      const old = connection.socket;
      connection.socket = null; // its events are ignored from now on
      old.close();
    }

    setState('connecting', 'Connecting…');
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (error) {
      system(`Cannot open a WebSocket to ${endpoint}: ${error.message}`);
      scheduleReconnect();
      return;
    }

    socket.binaryType = 'arraybuffer';
    connection.socket = socket;
    // A server that accepts TCP but never answers the handshake would otherwise leave us "connecting" forever.
    connection.connectTimer = setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) socket.close();
    }, CONNECT_TIMEOUT_MS);

    socket.addEventListener('open', () => {
      if (connection.socket !== socket) return;
      clearTimeout(connection.connectTimer);
      connection.attempt = 0;
      connection.unreachableReported = false;
      setState('connected', 'Connected');
      announce('Connected to the gateway');
      system(`Connected to ${endpoint}`);
      requestWhoami();
      requestHelp();
    });

    socket.addEventListener('message', (event) => {
      if (connection.socket !== socket) return;
      receive(event.data);
    });

    socket.addEventListener('close', (event) => {
      if (connection.socket !== socket) return;
      connection.socket = null;
      clearTimers();
      closed(event, connection.state === 'connected');
    });
    // 'error' carries no detail by design (browsers hide it); the 'close' that follows says what we can know.
  }

  function closed(event, wasOpen) {
    const description = describeClose(event.code, event.reason);
    connection.lastClose = description;

    // 1000 means the server ended the session on purpose (for example after `bye`): stay closed until asked.
    // Anything else (shutdown, restart, a dropped network) is worth retrying.
    if (event.code === 1000) {
      setState('closed', `Closed · ${event.code}${event.reason ? ` ${event.reason}` : ''}`);
      ui.status.title = `Closed: ${description}`;
      announce(`Connection closed: ${description}`);
      system(`Connection closed (${description}). Press Connect to start a new session.`);
      return;
    }

    if (wasOpen) {
      // The failed attempts that follow say nothing new; the status shows the countdown.
      connection.unreachableReported = true;
      system(`Connection closed (${description}). Reconnecting…`);
      announce(`Connection lost: ${description}. Reconnecting.`);
    } else if (!connection.unreachableReported) {
      connection.unreachableReported = true;
      // A refused upgrade (401, 403) looks like any failure to a page; say what to try when credentials may be it.
      const hint = accessToken
        ? ' If the gateway refuses this token, open the console with a new one (#access_token=…).'
        : ' If the gateway asks for credentials, open the console as /#access_token=TOKEN.';
      system(`Cannot reach ${endpoint} (${description}). Retrying with back-off…${hint}`);
      announce('Cannot reach the gateway. Retrying.');
    }
    scheduleReconnect();
  }

  function scheduleReconnect() {
    // Exponential back-off with "equal jitter": at least half of the ceiling, so retries stay spaced out,
    // plus a random half, so many consoles do not reconnect in lockstep after a gateway restart.
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** connection.attempt);
    const delay = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
    connection.attempt = Math.min(connection.attempt + 1, 16);
    connection.reconnectAt = Date.now() + delay;
    connection.reconnectTimer = setTimeout(connect, delay);
    ui.status.title = connection.lastClose ? `Last close: ${connection.lastClose}` : '';
    updateCountdown();
    connection.countdownTimer = setInterval(updateCountdown, 250);
  }

  function updateCountdown() {
    const seconds = Math.max(1, Math.ceil((connection.reconnectAt - Date.now()) / 1000));
    const text = `Reconnecting in ${seconds} s`;
    if (connection.state !== 'reconnecting' || ui.statusText.textContent !== text) setState('reconnecting', text);
  }

  function reconnectNow() {
    if (connection.state === 'reconnecting' || connection.state === 'closed') connect();
  }

  // ---------- receiving ----------

  function parseEnvelope(data) {
    if (!data.startsWith('{')) return null;
    let value;
    try {
      value = JSON.parse(data);
    } catch {
      return null;
    }
    if (value === null || typeof value !== 'object' || typeof value.id !== 'string' || typeof value.ok !== 'boolean') {
      return null;
    }
    return value;
  }

  function receive(data) {
    if (typeof data !== 'string') {
      addEntry('received', `[binary message, ${data.byteLength} bytes]`);
      return;
    }

    const envelope = parseEnvelope(data);
    if (envelope === null) {
      addEntry(data.startsWith('error: ') ? 'error' : 'received', data);
      return;
    }

    if (envelope.id === WHOAMI_ID) {
      whoamiAnswered(envelope);
      return;
    }

    if (envelope.id.startsWith(HELP_ID_PREFIX)) {
      if (envelope.id === requests.helpId) helpAnswered(envelope);
      return;
    }

    const kind = envelope.ok ? 'received' : 'error';
    const text = envelope.ok ? String(envelope.text ?? '') : String(envelope.error ?? 'error');
    const request = requests.pending.get(envelope.id);
    if (request && request.isConnected) addReply(request, kind, text);
    else addEntry(kind, text, envelope.id);
  }

  // ---------- sending ----------

  function splitCommand(line) {
    const trimmed = line.trimStart();
    const space = trimmed.search(/\s/);
    if (space < 0) return { command: trimmed, args: '' };
    return { command: trimmed.slice(0, space), args: trimmed.slice(space).trimStart() };
  }

  function send(line) {
    if (!isOpen() || line.trim() === '') return false;
    if (ui.jsonMode.checked) {
      const id = String(requests.nextId++);
      const { command, args } = splitCommand(line);
      connection.socket.send(JSON.stringify({ id, command, args }));
      const entry = addEntry('sent', line, id);
      requests.pending.set(id, entry);
      if (requests.pending.size > PENDING_LIMIT) requests.pending.delete(requests.pending.keys().next().value);
    } else {
      connection.socket.send(line);
      addEntry('sent', line);
    }
    scrollToBottom();
    return true;
  }

  function submit() {
    const line = ui.input.value;
    if (line.trim() === '') return;
    if (!isOpen()) {
      announce('Not connected: the command was not sent.');
      return;
    }
    if (send(line)) {
      history.remember(line);
      ui.input.value = '';
    }
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

  // ---------- commands (help --json) ----------

  function requestHelp() {
    if (!isOpen()) return;
    clearTimeout(requests.helpTimer);
    requests.helpId = `${HELP_ID_PREFIX}${++requests.helpSeq}`;
    connection.socket.send(JSON.stringify({ id: requests.helpId, command: 'help', args: '--json' }));
    if (commandList.length === 0) setCommandsNote('Loading commands…');
    requests.helpTimer = setTimeout(() => {
      setCommandsNote('The gateway did not answer “help --json”. Try Refresh.', 'error');
    }, HELP_TIMEOUT_MS);
  }

  // Who the gateway says we are; the status shows the name when the session is authenticated.
  function requestWhoami() {
    if (!isOpen()) return;
    connection.socket.send(JSON.stringify({ id: WHOAMI_ID, command: 'whoami', args: '--json' }));
  }

  function whoamiAnswered(envelope) {
    if (!envelope.ok || connection.state !== 'connected') return;
    let identity;
    try {
      identity = JSON.parse(envelope.text);
    } catch {
      return;
    }
    if (identity?.authenticated !== true || typeof identity.name !== 'string') return;
    setState('connected', `Connected as ${identity.name}`);
    ui.status.title = `Authenticated by ${identity.method}`;
    ui.status.dataset.user = identity.name;
    system(`Authenticated as ${identity.name} (${identity.method})`);
  }

  function setCommandsNote(text, kind) {
    ui.commandsNote.textContent = text;
    if (kind) ui.commandsNote.dataset.kind = kind;
    else delete ui.commandsNote.dataset.kind;
  }

  function helpAnswered(envelope) {
    clearTimeout(requests.helpTimer);
    if (!envelope.ok) {
      setCommandsNote(`Could not list commands: ${envelope.error ?? 'unknown error'}`, 'error');
      return;
    }
    let parsed;
    try {
      parsed = JSON.parse(envelope.text);
    } catch {
      setCommandsNote('“help --json” did not answer with JSON.', 'error');
      return;
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

  function badge(kind) {
    const span = make('span', 'command-badge', kind);
    span.dataset.badge = kind;
    return span;
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
    send(c.name);
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

  ui.endpoint.textContent = endpoint;

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

  ui.jsonMode.checked = storageGet(JSON_MODE_KEY) === 'true';
  ui.jsonMode.addEventListener('change', () => {
    storageSet(JSON_MODE_KEY, String(ui.jsonMode.checked));
    ui.input.focus();
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

  ui.reconnect.addEventListener('click', reconnectNow);
  ui.commandsRefresh.addEventListener('click', requestHelp);
  ui.commands.addEventListener('click', commandClicked);

  // Back from sleep or offline: no reason to sit out the rest of a long back-off.
  window.addEventListener('online', () => {
    if (connection.state === 'reconnecting') connect();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && connection.state === 'reconnecting') connect();
  });

  afterLogChange();
  connect();
  ui.input.focus();
})();
