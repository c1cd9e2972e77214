// The dead-letter workbench, sending rights, data-sharing services and audit trail (served by src/console/console-route.ts).
// Plain DOM, no build step. Everything from the hub is rendered with textContent, never as HTML:
// reasons and responses come from agency systems.
'use strict';

const TOKEN_KEY = 'lgsp-console-token';
const BREAKER = { 0: 'closed', 1: 'half-open', 2: 'open' };
const $ = (id) => document.getElementById(id);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  connectors: [],
  samples: [],
  letters: [],
  audit: [],
  policies: [],
  services: [],
  /** Service id → { grants, refusals }. */
  serviceGrants: new Map(),
  openService: null,
  selected: new Set(),
  openId: null,
  openType: null,
  timer: null,
};

class Unauthorized extends Error {}

/** A problem+json answer (RFC 9457): `problem` keeps its `detail` and `errors[]` ({ path, message }) for the page to show. */
class HubProblem extends Error {
  constructor(message, problem) {
    super(message);
    this.problem = problem;
  }
}

/** A call to the hub with the operator's token; a problem+json answer becomes an Error with its detail. */
async function api(path, init = {}) {
  const headers = { authorization: `Bearer ${state.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) };
  const res = await fetch(path, { ...init, headers, cache: 'no-store' });
  if (res.status === 401) throw new Unauthorized('The hub refused this token.');
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok)
    throw new HubProblem(`${init.method ?? 'GET'} ${path}: ${res.status} ${body?.detail ?? body?.title ?? body}`, typeof body === 'object' ? body : {});
  return body;
}

/** Prometheus text exposition → [{ name, labels, value }] (comments and malformed lines dropped). */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

function metric(name, label) {
  const out = new Map();
  for (const s of state.samples) if (s.name === name) out.set(s.labels[label], s.value);
  return out;
}

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function localTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('sv-SE');
}

function say(text, kind = 'info') {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
}

function replayable(letter) {
  return letter.stage === 'deliver' && !letter.replayed;
}

// ---- loading -------------------------------------------------------------------------------

async function refresh() {
  const query = new URLSearchParams({ limit: '1000', includeReplayed: String($('filter-replayed').checked) });
  if ($('filter-connector').value) query.set('connector', $('filter-connector').value);
  if ($('filter-stage').value) query.set('stage', $('filter-stage').value);
  try {
    const [connectors, metrics, letters, audit, policies, services] = await Promise.all([
      api('/v1/connectors'),
      api('/metrics').catch(() => ''),
      api(`/v1/dead-letters?${query}`),
      api('/v1/audit?limit=100'),
      api('/v1/policies'),
      api('/v1/services'),
    ]);
    const grants = await Promise.all(services.services.map((s) => api(`/v1/services/${encodeURIComponent(s.id)}/grants`)));
    state.connectors = connectors.connectors;
    state.audit = audit.entries;
    state.policies = policies.policies;
    state.services = services.services;
    state.serviceGrants = new Map(services.services.map((s, i) => [s.id, grants[i]]));
    state.samples = typeof metrics === 'string' ? parseMetrics(metrics) : [];
    state.letters = letters.deadLetters;
    const known = new Set(state.letters.filter(replayable).map((l) => l.id));
    for (const id of state.selected) if (!known.has(id)) state.selected.delete(id);
    renderConnectors();
    renderLetters();
    renderPolicies();
    renderServices();
    renderAudit();
    $('refreshed').textContent = `updated ${new Date().toLocaleTimeString('sv-SE')}`;
    return true;
  } catch (err) {
    failed(err);
    return false;
  }
}

function failed(err) {
  if (err instanceof Unauthorized) signOut(err.message);
  else if ($('workbench').hidden) $('sign-in-error').textContent = err.message;
  else say(err.message, 'error');
}

// ---- connectors ----------------------------------------------------------------------------

function renderConnectors() {
  const breaker = metric('lgsp_circuit_breaker_state', 'connector');
  const pending = metric('lgsp_dead_letters', 'connector');
  const rows = state.connectors.map((c) => ({ id: c.id, agency: c.agency, kind: c.kind }));
  for (const id of pending.keys()) if (id && !rows.some((r) => r.id === id)) rows.push({ id, agency: '', kind: '(not registered)' });
  const tbody = $('connectors').tBodies[0];
  tbody.replaceChildren(
    ...rows.map((r) => {
      const tr = el('tr', undefined, { 'data-connector': r.id });
      const state_ = breaker.has(r.id) ? (BREAKER[breaker.get(r.id)] ?? String(breaker.get(r.id))) : '—';
      const count = pending.get(r.id) ?? 0;
      const idCell = el('td');
      idCell.append(el('button', r.id, { type: 'button', class: 'link', title: 'Show only its dead letters' }));
      idCell.firstChild.addEventListener('click', () => {
        $('filter-connector').value = r.id;
        void refresh();
      });
      tr.append(
        idCell,
        el('td', r.agency),
        el('td', r.kind),
        el('td', state_, {
          class: `breaker breaker-${state_}`,
          title: breaker.has(r.id) ? 'lgsp_circuit_breaker_state' : 'no delivery to it since the hub started',
        }),
        el('td', count, { class: count > 0 ? 'count warn' : 'count' }),
      );
      return tr;
    }),
  );
  const select = $('filter-connector');
  const chosen = select.value;
  select.replaceChildren(el('option', 'all', { value: '' }), ...rows.map((r) => el('option', r.id, { value: r.id })));
  select.value = chosen;

  // lgsp_consumer_lag{topic,partition} (or with a `group` label): summed over partitions.
  const lag = new Map();
  let byGroup = false;
  for (const s of state.samples) {
    if (s.name !== 'lgsp_consumer_lag') continue;
    byGroup ||= s.labels.group !== undefined;
    const key = s.labels.group ?? s.labels.topic ?? '';
    lag.set(key, (lag.get(key) ?? 0) + s.value);
  }
  $('lag').textContent =
    lag.size === 0
      ? 'Consumer lag: not reported by this hub (lgsp_consumer_lag).'
      : `Consumer lag per ${byGroup ? 'group' : 'topic'}: ${[...lag].map(([k, v]) => `${k} ${v}`).join(' · ')}`;
}

// ---- dead letters --------------------------------------------------------------------------

function shownLetters() {
  const text = $('filter-text').value.trim().toLowerCase();
  if (!text) return state.letters;
  return state.letters.filter((l) =>
    [l.id, l.reason, l.connector, l.hubId, l.recipientAgency, l.status, l.message?.id, l.message?.type, l.message?.subject].some(
      (v) => v !== undefined && String(v).toLowerCase().includes(text),
    ),
  );
}

function renderLetters() {
  const letters = shownLetters();
  const tbody = $('letters').tBodies[0];
  tbody.replaceChildren(...letters.map(letterRow));
  $('letters-empty').hidden = letters.length > 0;
  const selectable = letters.filter(replayable);
  $('select-all').checked = selectable.length > 0 && selectable.every((l) => state.selected.has(l.id));
  $('select-all').disabled = selectable.length === 0;
  const n = state.selected.size;
  $('replay-selected').disabled = n === 0;
  $('replay-selected').textContent = n === 0 ? 'Replay selected' : `Replay selected (${n})`;
}

function letterRow(l) {
  const tr = el('tr', undefined, {
    'data-id': l.id,
    tabindex: '0',
    class: [l.replayed ? 'replayed' : '', l.id === state.openId ? 'open' : ''].join(' ').trim(),
  });
  const pick = el('input', undefined, { type: 'checkbox', 'aria-label': `Select ${l.id}` });
  pick.checked = state.selected.has(l.id);
  pick.disabled = !replayable(l);
  pick.addEventListener('change', () => {
    if (pick.checked) state.selected.add(l.id);
    else state.selected.delete(l.id);
    renderLetters();
  });
  const replay = el('button', 'Replay', { type: 'button', class: 'replay' });
  replay.disabled = !replayable(l);
  if (!replayable(l))
    replay.title = l.replayed ? 'replayed already' : `a ${l.stage} letter cannot be replayed: the sender must resend, or a setting must be fixed first`;
  replay.addEventListener('click', () => void replayLetters([l.id]));
  const cells = [
    el('td', undefined, { class: 'pick' }),
    el('td', localTime(l.at), { title: l.at }),
    el('td', l.connector),
    el('td', l.stage),
    el('td', l.status ?? ''),
    el('td', l.reason, { class: 'reason', title: l.reason, lang: 'vi' }),
    el('td', l.message?.id ?? '', { class: 'mono' }),
    el('td', l.replayed ? `replayed ${localTime(l.replayed.at)}` : '—', { class: 'replayed-cell' }),
    el('td'),
  ];
  cells[0].append(pick);
  cells[8].append(replay);
  tr.append(...cells);
  const open = (event) => {
    if (event.target.closest('input, button')) return;
    void openLetter(l.id);
  };
  tr.addEventListener('click', open);
  tr.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') open(event);
  });
  return tr;
}

async function replayLetters(ids) {
  say(`Replaying ${ids.length} dead letter(s)…`);
  try {
    const outcome =
      ids.length === 1
        ? await api(`/v1/dead-letters/${encodeURIComponent(ids[0])}:replay`, { method: 'POST' })
        : await api('/v1/dead-letters:replay', { method: 'POST', body: JSON.stringify({ ids }) });
    for (const id of ids) state.selected.delete(id);
    const parts = [`Replayed ${outcome.replayed.length}${outcome.replayed.length ? `: ${outcome.replayed.join(', ')}` : ''}.`];
    if (outcome.skipped.length) parts.push(`Skipped ${outcome.skipped.length}: ${outcome.skipped.map((s) => `${s.id} (${s.reason})`).join('; ')}.`);
    const refreshed = await refresh();
    if (refreshed) say(parts.join(' '), outcome.skipped.length ? 'warn' : 'ok');
    if (state.openId && ids.includes(state.openId)) void openLetter(state.openId);
  } catch (err) {
    failed(err);
  }
}

// ---- sending rights ------------------------------------------------------------------------

/** `from` in words: `{}` is any connector; else each condition, e.g. `roles one-stop · levels commune, district`. */
function fromText(from) {
  const conditions = Object.entries(from).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' ? JSON.stringify(v) : v}`);
  return conditions.length === 0 ? 'any connector' : conditions.join(' · ');
}

function originText(p) {
  return p.origin === 'default' ? 'default' : `operator's: ${p.updatedBy ?? '?'}, ${localTime(p.updatedAt)}`;
}

function renderPolicies() {
  $('policies').tBodies[0].replaceChildren(
    ...state.policies.map((p) => {
      const tr = el('tr', undefined, { 'data-type': p.type, class: [`origin-${p.origin}`, p.type === state.openType ? 'open' : ''].join(' ').trim() });
      const typeCell = el('td', undefined, { class: 'mono' });
      typeCell.append(el('button', p.type, { type: 'button', class: 'link', title: 'Edit its rule' }));
      typeCell.firstChild.addEventListener('click', () => openPolicy(p.type));
      tr.append(
        typeCell,
        el('td', originText(p), { class: 'origin', title: p.describe ?? p.updatedAt ?? '' }),
        el('td', fromText(p.rule.from), { class: 'mono' }),
        el('td', p.rule.to.join(', ') || 'nobody', { class: 'mono' }),
        el('td', p.rule.note ?? p.describe ?? '', { class: p.rule.note ? '' : 'muted', lang: 'vi' }),
      );
      return tr;
    }),
  );
}

/** Shows `type`'s effective rule in the editor (the textarea is filled only here: a refresh never overwrites an edit). */
function openPolicy(type) {
  const p = state.policies.find((q) => q.type === type);
  if (!p) return;
  state.openType = type;
  $('policy-editor').hidden = false;
  $('policy-type').textContent = type;
  $('policy-origin').textContent =
    p.origin === 'default'
      ? `The default rule (${p.describe}). Saving sets an operator's rule for this type.`
      : `Set by ${p.updatedBy} at ${localTime(p.updatedAt)}.`;
  $('policy-rule').value = JSON.stringify(p.rule, null, 2);
  $('policy-reset').disabled = p.origin === 'default';
  showPolicyProblem(null);
  renderPolicies();
  $('policy-rule').focus();
}

/** The refusal next to the editor: the problem's detail and each failing field; `null` clears it. */
function showPolicyProblem(problem) {
  showProblem('policy', problem);
}

/** A problem shown in `#<prefix>-problem` (its detail, then each failing field); `null` clears it. */
function showProblem(prefix, problem) {
  $(`${prefix}-problem`).hidden = !problem;
  $(`${prefix}-problem-detail`).textContent = problem?.detail ?? problem?.title ?? '';
  $(`${prefix}-problem-errors`).replaceChildren(
    ...(problem?.errors ?? []).map((e) => {
      const li = el('li');
      li.append(el('code', e.path || '/'), document.createTextNode(` ${e.message}`));
      return li;
    }),
  );
}

/** PUT (a rule) or DELETE (back to the default) of the open type; a refusal stays in the editor, with the text as typed. */
async function changePolicy(method) {
  const type = state.openType;
  let body;
  if (method === 'PUT') {
    try {
      body = JSON.stringify(JSON.parse($('policy-rule').value));
    } catch (err) {
      showPolicyProblem({ detail: `The rule is not JSON (${err.message}); nothing was sent.` });
      return;
    }
  }
  try {
    await api(`/v1/policies/${encodeURIComponent(type)}`, { method, ...(body ? { body } : {}) });
  } catch (err) {
    if (err instanceof HubProblem) showPolicyProblem(err.problem);
    else failed(err);
    return;
  }
  if (await refresh()) {
    openPolicy(type);
    say(method === 'PUT' ? `${type} now follows your rule.` : `${type} follows its default rule again.`, 'ok');
  }
}

// ---- data-sharing services -----------------------------------------------------------------

function renderServices() {
  $('services').tBodies[0].replaceChildren(
    ...state.services.map((s) => {
      const tr = el('tr', undefined, { 'data-service': s.id, class: s.id === state.openService ? 'open' : '' });
      const idCell = el('td', undefined, { class: 'mono' });
      idCell.append(el('button', s.id, { type: 'button', class: 'link', title: 'Show its grants and refusals' }));
      idCell.firstChild.addEventListener('click', () => openService(s.id));
      tr.append(
        idCell,
        el('td', s.title, { lang: 'vi' }),
        el('td', s.provider, { class: 'mono' }),
        el('td', s.classification, { class: `classification-${s.classification}` }),
        el('td', s.version),
        el('td', state.serviceGrants.get(s.id)?.grants.length ?? 0, { class: 'count' }),
      );
      return tr;
    }),
  );
  $('services-empty').hidden = state.services.length > 0;
  if (state.openService && !state.serviceGrants.has(state.openService)) closeService();
  else if (state.openService) renderServiceDetail();
}

function openService(id) {
  state.openService = id;
  $('service-detail').hidden = false;
  showProblem('service', null);
  renderServices();
}

function closeService() {
  state.openService = null;
  $('service-detail').hidden = true;
  renderServices();
}

/** The open service's grants (each with its Revoke button) and refusals; the forms keep what is typed. */
function renderServiceDetail() {
  const id = state.openService;
  const { grants, refusals } = state.serviceGrants.get(id);
  $('service-id').textContent = id;
  const expired = (g) => g.expires && Date.parse(g.expires) <= Date.now();
  $('service-grants').tBodies[0].replaceChildren(
    ...(grants.length === 0
      ? [rowOf([el('td', 'No grant: every call is refused.', { colspan: '7', class: 'muted' })])]
      : grants.map((g) => {
          const revoke = el('button', 'Revoke', { type: 'button', class: 'revoke' });
          revoke.addEventListener(
            'click',
            () => void changeService('DELETE', `/grants/${encodeURIComponent(g.id)}`, undefined, `Revoked the grant to ${g.consumer}.`),
          );
          const tr = rowOf([
            el('td', g.consumer, { class: 'mono' }),
            el('td', g.purpose, { class: 'mono' }),
            el('td', g.expires ? `${expired(g) ? 'expired ' : ''}${localTime(g.expires)}` : 'never', {
              class: expired(g) ? 'warn' : '',
              title: g.expires ?? '',
            }),
            el('td', g.quota ?? '—'),
            el('td', `${g.grantedBy}, ${localTime(g.grantedAt)}`),
            el('td', g.note ?? '', { lang: 'vi' }),
            el('td'),
          ]);
          tr.dataset.grant = g.id;
          tr.lastChild.append(revoke);
          return tr;
        })),
  );
  $('service-refusals').tBodies[0].replaceChildren(
    ...(refusals.length === 0
      ? [rowOf([el('td', 'No refusal recorded.', { colspan: '4', class: 'muted' })])]
      : refusals.map((r) =>
          rowOf([
            el('td', r.consumer, { class: 'mono' }),
            el('td', r.purpose ?? 'any', { class: 'mono' }),
            el('td', `${r.refusedBy}, ${localTime(r.refusedAt)}`),
            el('td', r.reason, { class: 'reason', lang: 'vi' }),
          ]),
        )),
  );
}

/** Grants, revokes or refuses on the open service; a refusal by the hub stays beside the forms with each failing field. */
async function changeService(method, subPath, body, done) {
  const id = state.openService;
  try {
    await api(`/v1/services/${encodeURIComponent(id)}${subPath}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
  } catch (err) {
    if (err instanceof HubProblem) showProblem('service', err.problem);
    else failed(err);
    return false;
  }
  showProblem('service', null);
  if (await refresh()) say(done, 'ok');
  return true;
}

/** The form's non-empty fields; `expires` (local time in the page) as an ISO instant, `quota` as a number. */
function grantBody() {
  const value = (name) => $(`grant-${name}`).value.trim();
  const expires = value('expires');
  return {
    consumer: value('consumer'),
    purpose: value('purpose'),
    ...(expires ? { expires: new Date(expires).toISOString() } : {}),
    ...(value('quota') ? { quota: Number(value('quota')) } : {}),
    ...(value('note') ? { note: value('note') } : {}),
  };
}

// ---- audit trail ---------------------------------------------------------------------------

function renderAudit() {
  const target = (e) =>
    Object.entries({ ...e.params, ...e.body })
      .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v}`)
      .join(' ');
  $('audit').tBodies[0].replaceChildren(
    ...state.audit.map((e) =>
      rowOf([
        el('td', localTime(e.time), { title: e.time }),
        el('td', e.operator ?? `(refused${e.claimed ? ` as ${e.claimed}` : ''})`),
        el('td', e.role ?? '—'),
        el('td', e.action, { class: 'mono' }),
        el('td', target(e), { class: 'mono' }),
        el('td', `${e.outcome}${e.problem ? ` ${e.problem}` : ''}`, { class: e.outcome >= 400 ? 'warn' : '' }),
      ]),
    ),
  );
  $('audit-empty').hidden = state.audit.length > 0;
}

// ---- detail --------------------------------------------------------------------------------

async function openLetter(id) {
  try {
    const letter = await api(`/v1/dead-letters/${encodeURIComponent(id)}`);
    state.openId = id;
    renderDetail(letter);
    for (const tr of $('letters').tBodies[0].rows) tr.classList.toggle('open', tr.dataset.id === id);
  } catch (err) {
    failed(err);
  }
}

function renderDetail(l) {
  $('detail').hidden = false;
  $('detail-id').textContent = l.id;
  const fields = [
    ['time', l.at],
    ['connector', l.connector],
    ['stage', l.stage],
    ['status', l.status],
    ['recipient agency', l.recipientAgency],
    ['hub id', l.hubId],
    ['message', l.message && `${l.message.id} · ${l.message.type}`],
    ['source', l.message?.source],
    ['subject', l.message?.subject],
    ['replayed', l.replayed ? l.replayed.at : 'no'],
  ].filter(([, v]) => v !== undefined && v !== null && v !== '');
  $('detail-fields').replaceChildren(...fields.flatMap(([k, v]) => [el('dt', k), el('dd', v, { lang: 'vi' })]));
  $('detail-reason').textContent = l.reason || '(none)';
  $('detail-response').textContent = l.response === undefined ? '(no response recorded)' : pretty(l.response);
  const attempts = l.attempts ?? [];
  $('detail-attempts').tBodies[0].replaceChildren(
    ...(attempts.length === 0
      ? [rowOf([el('td', 'No earlier attempt recorded.', { colspan: '5', class: 'muted' })])]
      : attempts.map((a) =>
          rowOf([
            el('td', a.attempt),
            el('td', localTime(a.at), { title: a.at }),
            el('td', a.outcome),
            el('td', a.status ?? ''),
            el('td', a.reason, { lang: 'vi' }),
          ]),
        )),
  );
  $('detail-original').textContent = !l.original ? '(empty)' : l.original.encoding === 'utf8' ? pretty(l.original.data) : `base64: ${l.original.data}`;
  $('detail-trace').hidden = !l.hubId;
  $('detail-trace').onclick = () => void showTrace(l.hubId);
  $('detail-timeline').replaceChildren();
}

function rowOf(cells) {
  const tr = el('tr');
  tr.append(...cells);
  return tr;
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

async function showTrace(hubId) {
  try {
    const trace = await api(`/v1/messages/${encodeURIComponent(hubId)}`);
    const timeline = trace.timeline ?? [];
    $('detail-timeline').replaceChildren(
      ...timeline.map((t) =>
        el('li', [localTime(t.at), t.kind, t.connector, t.status, t.reason].filter((v) => v !== undefined && v !== '').join(' · '), { lang: 'vi' }),
      ),
    );
    if (timeline.length === 0) $('detail-timeline').replaceChildren(el('li', 'The trace has no events yet.'));
  } catch (err) {
    failed(err);
  }
}

// ---- session -------------------------------------------------------------------------------

async function signIn(token) {
  state.token = token;
  if (!(await refresh())) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  $('sign-in').hidden = true;
  $('workbench').hidden = false;
  $('session').hidden = false;
  say('Connected.', 'ok');
}

function signOut(message = '') {
  sessionStorage.removeItem(TOKEN_KEY);
  Object.assign(state, { token: null, connectors: [], samples: [], letters: [], audit: [], policies: [], services: [], openId: null, openType: null });
  state.serviceGrants.clear();
  state.openService = null;
  $('service-detail').hidden = true;
  state.selected.clear();
  setAutoRefresh(false);
  $('workbench').hidden = true;
  $('session').hidden = true;
  $('detail').hidden = true;
  $('policy-editor').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message;
  $('token').value = '';
  $('token').focus();
}

function setAutoRefresh(on) {
  $('auto-refresh').checked = on;
  clearInterval(state.timer);
  state.timer = on ? setInterval(() => void refresh(), 10_000) : null;
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    $('sign-in-error').textContent = '';
    void signIn($('token').value.trim());
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('refresh').addEventListener('click', () => void refresh());
  $('auto-refresh').addEventListener('change', () => setAutoRefresh($('auto-refresh').checked));
  for (const id of ['filter-connector', 'filter-stage', 'filter-replayed']) $(id).addEventListener('change', () => void refresh());
  $('filter-text').addEventListener('input', renderLetters);
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('select-all').addEventListener('change', () => {
    for (const l of shownLetters().filter(replayable)) {
      if ($('select-all').checked) state.selected.add(l.id);
      else state.selected.delete(l.id);
    }
    renderLetters();
  });
  $('replay-selected').addEventListener('click', () => void replayLetters([...state.selected]));
  $('detail-close').addEventListener('click', () => {
    state.openId = null;
    $('detail').hidden = true;
    renderLetters();
  });
  $('policy-editor').addEventListener('submit', (event) => {
    event.preventDefault();
    void changePolicy('PUT');
  });
  $('policy-reset').addEventListener('click', () => void changePolicy('DELETE'));
  $('policy-close').addEventListener('click', () => {
    state.openType = null;
    $('policy-editor').hidden = true;
    renderPolicies();
  });
  $('service-close').addEventListener('click', closeService);
  $('grant-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = grantBody();
    if (await changeService('POST', '/grants', body, `Granted ${state.openService} to ${body.consumer} for ${body.purpose}.`)) $('grant-form').reset();
  });
  $('refuse-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const purpose = $('refuse-purpose').value.trim();
    const body = { consumer: $('refuse-consumer').value.trim(), reason: $('refuse-reason').value, ...(purpose ? { purpose } : {}) };
    if (await changeService('POST', '/grants:refuse', body, `Recorded the refusal to ${body.consumer}.`)) $('refuse-form').reset();
  });
  if (state.token) void signIn(state.token);
});
