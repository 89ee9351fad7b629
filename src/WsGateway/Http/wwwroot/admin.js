// The console's admin view: who is connected, what they run, what changed and whether the cluster is healthy, read
// from the gateway's HTTP API (docs/api.md) with the token the console connected with, sent as
// `Authorization: Bearer TOKEN`. Shown only to a session whose welcome names the role admin; the API checks the role
// again on every request, so the view is a convenience, not the protection.
//
// Same rules as console.js: everything from the wire goes in with textContent, no inline styles, no build step.

const POLL_MS = 2000;
const API = './api/v1/';

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function cell(text, className) {
  return make('td', className, text ?? '—');
}

function headerRow(names) {
  const row = make('tr');
  for (const name of names) row.append(make('th', null, name));
  const head = make('thead');
  head.append(row);
  return head;
}

function time(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString([], { hour12: false });
}

function bytes(n) {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function milliseconds(ms) {
  return typeof ms === 'number' ? `${ms} ms` : '—';
}

/** What a cluster-wide answer says of the nodes that did not answer (docs/api.md, "complete"). */
function missingNodes(answer) {
  return answer.complete === false ? ` · not answering: ${(answer.missingNodes ?? []).join(', ') || 'some nodes'}` : '';
}

/** A problem the API answered with (RFC 9457), as one line. */
class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/**
 * @param {{token: string, elements: Record<string, HTMLElement>, onForbidden: () => void}} options
 */
export function createAdminView({ token, elements, onForbidden }) {
  let timer = 0;
  let running = false;
  let inFlight = false;

  async function request(path, init = {}) {
    const response = await fetch(API + path, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
      cache: 'no-store',
    });
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!response.ok) throw new ApiError(response.status, body?.detail ?? body?.title ?? `HTTP ${response.status}`);
    return body;
  }

  function setStatus(text, kind) {
    elements.status.textContent = text;
    if (kind) elements.status.dataset.kind = kind;
    else delete elements.status.dataset.kind;
  }

  function renderNodes(nodes) {
    const healthy = nodes.degraded === null || nodes.degraded === undefined;
    elements.bus.textContent = healthy
      ? (nodes.bus === 'redis' ? 'Cluster bus up (Redis)' : 'Running alone (no cluster bus)')
      : nodes.degraded;
    elements.bus.dataset.state = healthy ? 'up' : 'down';
    const rows = (nodes.nodes ?? []).map((node) => {
      const row = make('tr');
      row.setAttribute('data-testid', 'admin-node');
      row.append(cell(node.local ? `${node.id} (this node)` : node.id), cell(node.sessions), cell(time(node.lastSeen)));
      return row;
    });
    const body = make('tbody');
    body.append(...rows);
    elements.nodes.replaceChildren(headerRow(['Node', 'Sessions', 'Last heard']), body);
  }

  function renderSessions(list) {
    const rows = (list.sessions ?? []).map((session) => {
      const row = make('tr');
      row.setAttribute('data-testid', 'admin-session');
      row.dataset.session = session.id;
      const who = session.authenticated ? session.user : 'anonymous';
      const running = session.running ? `${session.running.command} since ${time(session.running.since)}` : '';
      const button = make('button', 'button button-quiet button-small', 'Disconnect');
      button.type = 'button';
      button.dataset.session = session.id;
      button.setAttribute('data-testid', 'admin-disconnect');
      const action = make('td');
      action.append(button);
      row.append(
        cell(session.id, 'mono'),
        cell(who),
        cell(session.remote, 'mono'),
        cell(session.path, 'mono'),
        cell(session.node),
        cell(time(session.connectedAt)),
        cell((session.groups ?? []).join(', ')),
        cell(`${session.messagesIn} · ${bytes(session.bytesIn)}`),
        cell(`${session.messagesOut} · ${bytes(session.bytesOut)}`),
        cell(running, 'admin-running'),
        action,
      );
      return row;
    });
    const body = make('tbody');
    body.append(...rows);
    elements.sessions.replaceChildren(
      headerRow(['Session', 'Identity', 'Address', 'Path', 'Node', 'Since', 'Groups', 'In', 'Out', 'Running', '']), body);
    elements.sessionsNote.textContent = `${rows.length} ${rows.length === 1 ? 'session' : 'sessions'}${missingNodes(list)}`;
  }

  function renderCommands(stats) {
    const rows = (stats.commands ?? []).map((c) => {
      const row = make('tr');
      row.setAttribute('data-testid', 'admin-command');
      row.dataset.command = c.command;
      row.append(cell(c.command), cell(c.node), cell(c.version, 'mono'), cell(c.calls), cell(c.errors), cell(c.denials),
        cell(milliseconds(c.p50Ms)), cell(milliseconds(c.p99Ms)));
      return row;
    });
    const body = make('tbody');
    body.append(...rows);
    elements.commands.replaceChildren(headerRow(['Command', 'Node', 'Version', 'Calls', 'Errors', 'Denials', 'p50', 'p99']), body);
    elements.commandsNote.textContent = `each node since it started${missingNodes(stats)}`;
  }

  function renderReloads(history) {
    const rows = (history.reloads ?? []).map((r) => {
      const row = make('tr');
      row.setAttribute('data-testid', 'admin-reload');
      row.dataset.name = r.name;
      row.dataset.outcome = r.outcome;
      const diagnostics = make('td', 'admin-diagnostics');
      for (const line of r.diagnostics ?? []) diagnostics.append(make('div', 'mono', line));
      row.append(cell(time(r.at)), cell(r.node), cell(r.kind), cell(r.name), cell(r.version), cell(r.hash, 'mono'), cell(r.outcome), diagnostics);
      return row;
    });
    const body = make('tbody');
    body.append(...rows);
    elements.reloads.replaceChildren(headerRow(['At', 'Node', 'Kind', 'Name', 'Version', 'Hash', 'Outcome', 'Diagnostics']), body);
  }

  function renderRefusals(refusals) {
    const counts = Object.entries(refusals.counts ?? {}).map(([reason, count]) => `${reason}: ${count}`);
    elements.refusalCounts.textContent = (counts.length === 0 ? 'None since start.' : counts.join(' · ')) + missingNodes(refusals);
    const rows = (refusals.latest ?? []).slice(0, 20).map((r) => {
      const row = make('tr');
      row.setAttribute('data-testid', 'admin-refusal');
      row.dataset.reason = r.reason;
      row.append(cell(time(r.at)), cell(r.node), cell(r.reason), cell(r.remote, 'mono'), cell(r.path, 'mono'));
      return row;
    });
    const body = make('tbody');
    body.append(...rows);
    elements.refusals.replaceChildren(headerRow(['At', 'Node', 'Reason', 'Address', 'Path']), body);
  }

  async function refresh() {
    if (inFlight) return;
    inFlight = true;
    try {
      const [nodes, sessions, commands, reloads, refusals] = await Promise.all(
        ['nodes', 'sessions', 'commands', 'reloads', 'refusals'].map((path) => request(path)));
      if (!running) return;
      renderNodes(nodes);
      renderSessions(sessions);
      renderCommands(commands);
      renderReloads(reloads);
      renderRefusals(refusals);
      elements.root.dataset.loaded = 'true';
      setStatus(`Updated ${new Date().toLocaleTimeString([], { hour12: false })}`);
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
        // The token does not carry the role for the API: nothing here to show.
        stop();
        onForbidden(error);
        return;
      }
      setStatus(`Could not update: ${error.message}`, 'error');
    } finally {
      inFlight = false;
    }
  }

  async function disconnect(session) {
    const reason = elements.reason.value.trim();
    try {
      await request(`sessions/${encodeURIComponent(session)}/disconnect`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(reason ? { reason } : {}),
      });
      setStatus(`Disconnected ${session}`);
    } catch (error) {
      setStatus(`Could not disconnect ${session}: ${error.message}`, 'error');
    }
    refresh();
  }

  elements.sessions.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-session]');
    if (button) disconnect(button.dataset.session);
  });

  function start() {
    if (running) return;
    running = true;
    elements.root.hidden = false;
    setStatus('Loading…');
    refresh();
    timer = setInterval(refresh, POLL_MS);
  }

  function stop() {
    running = false;
    clearInterval(timer);
    timer = 0;
    elements.root.hidden = true;
  }

  return { start, stop };
}
