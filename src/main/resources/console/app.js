// Baton's web console: plain JavaScript over the REST API under /api. The credentials live only in the variable
// `auth` below (this tab's memory): never in a URL, storage or a log. Live updates read GET /api/events/stream with
// fetch(), which, unlike EventSource, can send the Authorization header.
'use strict';

let auth = null; // {header: 'Basic …' | 'Bearer …'} once signed in; null in open mode or signed out
let me = null; // GET /api/whoami: {name, role, via, open}
let pageAbort = null; // stops the current page's live stream when another page is shown
const drafts = {}; // comments being typed on decisions, by run and stage
const ROLES = ['viewer', 'submitter', 'approver', 'admin'];
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED', 'COMPENSATED'];

// ---------- DOM and formatting helpers ----------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const $ = (id) => document.getElementById(id);
/** Replaces an element's content; null, undefined and false parts are left out, arrays flattened. */
const render = (el, ...kids) => el.replaceChildren(...kids.flat(Infinity).filter((k) => k !== null && k !== undefined && k !== false));
const may = (role) => me && ROLES.indexOf(me.role) >= ROLES.indexOf(role);
const badge = (status) => h('span', {class: 'badge st-' + (status || 'PENDING'), 'data-status': status || 'PENDING'},
  status || 'PENDING');
const short = (id) => (id || '').slice(0, 8);

function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').slice(0, 19);
}

function duration(from, to) {
  if (!from) return '';
  const ms = (to ? new Date(to) : new Date()) - new Date(from);
  if (!(ms >= 0)) return '';
  if (ms < 1000) return ms + ' ms';
  const s = ms / 1000;
  if (s < 60) return s.toFixed(1) + ' s';
  const m = Math.floor(s / 60);
  return m < 60 ? m + ' min ' + Math.round(s % 60) + ' s' : Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

/** Pretty JSON, collapsed until opened. */
function json(label, value) {
  if (value === null || value === undefined) return h('span', {class: 'muted'}, '—');
  return h('details', {class: 'json'}, h('summary', {}, label), h('pre', {}, JSON.stringify(value, null, 2)));
}

function table(headers, rows, attrs) {
  const body = rows instanceof HTMLElement && rows.tagName === 'TBODY' ? rows : h('tbody', {}, rows);
  return h('table', attrs || {}, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), body);
}

function problemText(e) {
  if (e && e.problem) {
    const p = e.problem;
    return (p.detail || p.title || ('HTTP ' + e.status)) + (p.errors && p.errors.length ? ': ' + p.errors.join('; ') : '');
  }
  return String(e && e.message ? e.message : e);
}

function debounce(fn, ms) {
  let t = null;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}

// ---------- the API ----------

async function api(path, options) {
  // credentials 'omit': a 401's Basic challenge must not open the browser's own password dialog
  const opts = Object.assign({method: 'GET', headers: {}, credentials: 'omit'}, options || {});
  opts.headers = Object.assign({Accept: 'application/json'}, opts.headers);
  if (auth) opts.headers.Authorization = auth.header;
  if (opts.body !== undefined && typeof opts.body !== 'string') {
    opts.body = JSON.stringify(opts.body);
    opts.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, opts);
  const text = await res.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch (e) {
    body = text;
  }
  if (!res.ok) {
    const err = new Error('HTTP ' + res.status);
    err.status = res.status;
    err.problem = body;
    if (res.status === 401 && auth) signOut('Your credentials were refused; sign in again.');
    throw err;
  }
  return body;
}

/**
 * Follows GET /api/events/stream (one run's events with `run`) until `signal` aborts, calling `onEvent` with each
 * event and `onOpen` each time the stream (re)opens, so that the page re-reads what it may have missed.
 */
async function follow(run, signal, onEvent, onOpen) {
  const url = '/api/events/stream' + (run ? '?run=' + encodeURIComponent(run) : '');
  while (!signal.aborted) {
    try {
      const headers = {Accept: 'text/event-stream'};
      if (auth) headers.Authorization = auth.header;
      const res = await fetch(url, {headers, signal, cache: 'no-store', credentials: 'omit'});
      if (res.status === 401 && auth) {
        signOut('Your credentials were refused; sign in again.');
        return;
      }
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      live(true);
      if (onOpen) onOpen();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) {
            try {
              onEvent(JSON.parse(data));
            } catch (e) {
              console.warn('event not understood', e);
            }
          }
        }
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    live(false);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function live(on) {
  $('live').className = 'live ' + (on ? 'on' : 'off');
  $('live').textContent = on ? 'live' : 'reconnecting';
}

// ---------- sign-in ----------

async function boot() {
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', () => signOut(''));
  for (const r of document.querySelectorAll('input[name=method]')) {
    r.addEventListener('change', () => {
      const key = document.querySelector('input[name=method]:checked').value === 'key';
      $('by-key').hidden = !key;
      $('by-password').hidden = key;
    });
  }
  window.addEventListener('hashchange', route);
  try {
    me = await api('/api/whoami'); // answers without credentials only when the API is open
  } catch (e) {
    me = null;
  }
  if (me) started();
  else showSignIn('');
}

function showSignIn(message) {
  if (pageAbort) pageAbort.abort();
  $('main').replaceChildren();
  $('nav').hidden = true;
  $('signout').hidden = true;
  $('who').textContent = '';
  $('signin').hidden = false;
  $('signin-error').textContent = message;
}

async function signIn(ev) {
  ev.preventDefault();
  const byKey = document.querySelector('input[name=method]:checked').value === 'key';
  let header;
  if (byKey) {
    header = 'Bearer ' + $('apikey').value.trim();
  } else {
    // btoa takes Latin-1 only: encode the UTF-8 bytes first (RFC 7617's charset="UTF-8")
    const bytes = new TextEncoder().encode($('user').value + ':' + $('password').value);
    header = 'Basic ' + btoa(String.fromCharCode(...bytes));
  }
  $('signin-button').disabled = true;
  try {
    const res = await fetch('/api/whoami', {headers: {Authorization: header, Accept: 'application/json'},
      credentials: 'omit'});
    if (!res.ok) {
      $('signin-error').textContent = res.status === 401 ? 'Unknown user, password or key.' : 'HTTP ' + res.status;
      return;
    }
    auth = {header};
    me = await res.json();
    $('password').value = '';
    $('apikey').value = '';
    started();
  } catch (e) {
    $('signin-error').textContent = problemText(e);
  } finally {
    $('signin-button').disabled = false;
  }
}

function signOut(message) {
  auth = null;
  me = null;
  showSignIn(message);
}

function started() {
  $('signin').hidden = true;
  $('nav').hidden = false;
  $('banner').hidden = !me.open;
  $('signout').hidden = !!me.open;
  $('who').textContent = me.open ? 'open mode' : me.name + ' (' + me.role + ')';
  route();
}

function route() {
  if (!me) return;
  if (pageAbort) pageAbort.abort();
  pageAbort = new AbortController();
  const parts = (location.hash || '#/runs').slice(2).split('/').map(decodeURIComponent);
  const page = parts[0] || 'runs';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === page);
  const main = $('main');
  render(main, h('p', {class: 'muted'}, 'Loading…'));
  const signal = pageAbort.signal;
  const pages = {
    runs: () => (parts[1] ? runPage(main, parts[1], signal) : runsPage(main, signal)),
    approvals: () => approvalsPage(main, signal),
    pipelines: () => (parts[1] ? pipelinePage(main, parts[1]) : pipelinesPage(main)),
    agents: () => agentsPage(main),
  };
  (pages[page] || pages.runs)().catch((e) => {
    if (!signal.aborted) render(main, h('p', {class: 'error'}, problemText(e)));
  });
}

// ---------- runs ----------

async function runsPage(main, signal) {
  const filters = {pipeline: '', status: '', q: ''};
  const cursors = []; // the cursor of each page shown before this one; '' for the first
  let cursor = '';
  const pipelines = await api('/api/pipelines');
  const body = h('tbody', {id: 'runs-body'});
  const pager = h('div', {class: 'pager'});
  const form = h('form', {class: 'filters', id: 'run-filters'},
    h('label', {}, 'Pipeline ', h('select', {name: 'pipeline'}, h('option', {value: ''}, 'any'),
      pipelines.pipelines.map((p) => h('option', {value: p.name}, p.name)))),
    h('label', {}, 'Status ', h('select', {name: 'status'}, h('option', {value: ''}, 'any'),
      ['RUNNING', ...TERMINAL, 'COMPENSATING'].map((s) => h('option', {value: s}, s)))),
    h('label', {}, 'Params contain ', h('input', {name: 'q', type: 'search', placeholder: 'text', maxlength: '200'})),
    h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    filters.pipeline = form.pipeline.value;
    filters.status = form.status.value;
    filters.q = form.q.value.trim();
    cursors.length = 0;
    cursor = '';
    load();
  });
  const error = h('p', {class: 'error', role: 'alert', id: 'runs-error'});
  render(main, h('h1', {}, 'Runs'), form, error,
    table(['Run', 'Pipeline', 'Status', 'Started', 'Ended', 'Duration', 'Params'], body, {class: 'runs'}), pager);

  // Loads overlap (a live update while a filter is applied): only the answer to the latest one is shown.
  let latest = 0;
  async function load() {
    const mine = ++latest;
    const q = new URLSearchParams({limit: '20'});
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    if (cursor) q.set('cursor', cursor);
    let page;
    try {
      page = await api('/api/runs?' + q);
    } catch (e) {
      if (!signal.aborted && mine === latest) error.textContent = problemText(e);
      return;
    }
    if (signal.aborted || mine !== latest) return;
    error.textContent = '';
    body.replaceChildren(...page.items.map((r) => h('tr', {'data-run': r.id},
      h('td', {}, h('a', {href: '#/runs/' + r.id}, short(r.id))), h('td', {}, r.pipeline),
      h('td', {}, badge(r.status)), h('td', {}, when(r.createdAt)), h('td', {}, when(r.finishedAt)),
      h('td', {}, duration(r.createdAt, r.finishedAt)),
      h('td', {class: 'params'}, JSON.stringify(r.params).slice(0, 120)))));
    if (!page.items.length) body.append(h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'No runs.')));
    pager.replaceChildren(
      h('button', {type: 'button', disabled: !cursors.length, onclick: () => {
        cursor = cursors.pop();
        load();
      }}, '← Newer'),
      h('button', {type: 'button', disabled: !page.next, onclick: () => {
        cursors.push(cursor);
        cursor = page.next;
        load();
      }}, 'Older →'));
  }
  await load();
  const reload = debounce(() => load().catch(() => {}), 300);
  follow(null, signal, (ev) => {
    if (ev.type === 'run') reload();
  }, reload);
}

async function runPage(main, id, signal) {
  let graphBox = null;
  let latest = 0; // overlapping loads: only the answer to the latest one is rendered
  const base = '/api/runs/' + encodeURIComponent(id);
  // Every answer is bounded: tickets past a stage's first ones and history past the first page come a page at a time,
  // when asked for; what was fetched is kept here across the live re-renders.
  const more = {tickets: {}, history: [], historyDone: false};
  async function load() {
    const mine = ++latest;
    const [run, history, events, waiting] = await Promise.all([api(base + '?tickets=' + TICKETS_SHOWN),
      api(base + '/history?limit=' + HISTORY_PAGE), api(base + '/events?limit=' + HISTORY_PAGE),
      api('/api/approvals')]);
    if (signal.aborted || mine !== latest) return;
    const decidable = new Set(waiting.filter((w) => w.runId === run.id).map((w) => w.stage));
    const byName = Object.fromEntries(run.stages.map((s) => [s.name, s]));
    const nodes = (run.graph || []).map((n) => Object.assign({}, n, {stage: byName[n.name]}));
    graphBox = h('div', {class: 'graph', id: 'run-graph'}, graph(nodes, (n) => n.stage && n.stage.status));
    // A live re-render keeps the JSON the reader opened open (matched by position, while the page keeps its shape).
    const opened = [...main.querySelectorAll('details')].map((d) => d.open);
    render(main, 
      h('h1', {}, 'Run ', h('code', {}, run.id), ' ', badge(run.status)),
      h('dl', {class: 'facts'},
        h('dt', {}, 'Pipeline'), h('dd', {}, h('a', {href: '#/pipelines/' + run.pipeline}, run.pipeline),
          ' revision ', h('code', {}, (run.revision || '').slice(0, 12))),
        h('dt', {}, 'Started'), h('dd', {}, when(run.createdAt)),
        h('dt', {}, 'Ended'), h('dd', {}, when(run.finishedAt) || '—'),
        h('dt', {}, 'Duration'), h('dd', {}, duration(run.createdAt, run.finishedAt)),
        h('dt', {}, 'Params'), h('dd', {}, json('params', run.params)),
        h('dt', {}, 'Context'), h('dd', {}, json('context', run.context)),
        run.error ? [h('dt', {}, 'Error'), h('dd', {class: 'error'}, run.error)] : null),
      controls(run),
      h('h2', {}, 'Graph'), graphBox,
      h('h2', {}, 'Stages'), stagesTable(run, decidable, more.tickets, moreTickets),
      h('h2', {}, 'History'), historyTable(history, more, moreHistory),
      h('h2', {}, 'Events'), json((events.length < HISTORY_PAGE ? events.length + ' events'
        : 'the first ' + events.length + ' events (the rest: ' + base + '/events?after=)')
        + ' as published on baton.events', events));
    const now = [...main.querySelectorAll('details')];
    if (now.length === opened.length) now.forEach((d, i) => (d.open = opened[i]));
  }
  /** The next page of one stage's tickets, after what is shown: the view's ticketsNext, then each page's next. */
  async function moreTickets(s, box) {
    const shown = more.tickets[s.name] || {items: [], next: s.ticketsNext};
    await act(box, async () => {
      const page = await api(base + '/tickets?stage=' + encodeURIComponent(s.name) + '&limit=' + TICKETS_PAGE
        + '&cursor=' + encodeURIComponent(shown.next));
      more.tickets[s.name] = {items: shown.items.concat(page.items), next: page.next};
      await load();
    });
  }
  /** The next page of history, after the last entry shown. */
  async function moreHistory(last, box) {
    await act(box, async () => {
      const page = await api(base + '/history?limit=' + HISTORY_PAGE + '&after=' + last);
      more.history = more.history.concat(page);
      more.historyDone = page.length < HISTORY_PAGE;
      await load();
    });
  }
  await load();
  const reload = debounce(() => load().catch((e) => console.warn(e)), 250);
  follow(id, signal, reload, reload);
}

const TICKETS_SHOWN = 100; // per stage in the run view
const TICKETS_PAGE = 100;
const HISTORY_PAGE = 500;

function historyTable(first, more, next) {
  const rows = first.length < HISTORY_PAGE ? first : first.concat(more.history);
  const box = h('div', {class: 'history'}, table(['#', 'At', 'Stage', 'Attempt', 'Status', 'Agent', 'Actor', 'Detail'],
    rows.map((x) => h('tr', {}, h('td', {}, x.seq), h('td', {}, when(x.at)), h('td', {}, x.stage || ''),
      h('td', {}, x.attempt ?? ''), h('td', {}, badge(x.status)), h('td', {}, x.agent || ''),
      h('td', {}, x.actor || ''), h('td', {}, x.detail || '')))));
  if (first.length >= HISTORY_PAGE && !more.historyDone && rows.length) {
    box.append(h('button', {type: 'button', id: 'more-history',
      onclick: () => next(rows[rows.length - 1].seq, box)}, 'Show more history'));
  }
  return box;
}

function controls(run) {
  const box = h('div', {class: 'controls'});
  if (may('admin') && run.status === 'RUNNING') {
    box.append(h('button', {type: 'button', id: 'cancel', class: 'danger', onclick: async () => {
      if (!confirm('Cancel run ' + run.id + '?')) return;
      await act(box, () => api('/api/runs/' + run.id + '/cancel', {method: 'POST', body: {reason: 'cancelled in the console'}}));
    }}, 'Cancel run'));
  }
  if (may('admin') && ['FAILED', 'CANCELLED', 'COMPENSATED'].includes(run.status)) {
    const from = h('select', {id: 'rerun-from'}, h('option', {value: ''}, 'the failed stages'),
      run.stages.map((s) => h('option', {value: s.name}, s.name)));
    box.append(h('label', {}, 'Rerun from ', from), h('button', {type: 'button', id: 'rerun', onclick: async () => {
      await act(box, () => api('/api/runs/' + run.id + '/rerun', {method: 'POST', body: from.value ? {from: from.value} : {}}));
    }}, 'Rerun'));
  }
  return box;
}

async function act(box, call) {
  try {
    await call();
  } catch (e) {
    box.append(h('p', {class: 'error'}, problemText(e)));
  }
}

function stagesTable(run, mine, extra, moreTickets) {
  const rows = [];
  for (const s of run.stages) {
    const fetched = extra[s.name];
    const tickets = fetched ? s.tickets.concat(fetched.items) : s.tickets;
    const next = fetched ? fetched.next : s.ticketsNext;
    const count = s.ticketCount ?? s.tickets.length;
    const items = s.items ? s.items.done + '/' + s.items.total + ' items' : '';
    rows.push(h('tr', {'data-stage': s.name, id: 'stage-' + s.name},
      h('td', {}, h('strong', {}, s.name)), h('td', {}, badge(s.status)), h('td', {}, s.attempts),
      h('td', {}, when(s.startedAt)), h('td', {}, duration(s.startedAt, s.finishedAt)),
      h('td', {}, items || (count + ' ticket' + (count === 1 ? '' : 's'))),
      h('td', {}, json('output', s.output), s.error ? h('div', {class: 'error'}, s.error) : null)));
    if (s.status === 'WAITING_APPROVAL' && mine.has(s.name) && may('approver')) rows.push(decisionRow(run, s));
    if (tickets.length) {
      const cell = h('td', {colspan: 7}, table(
        ['Ticket', 'Agent', 'Item', 'Attempt', 'Status', 'Queued', 'Took', 'Tokens', 'Input / output / error'],
        tickets.map((t) => h('tr', {}, h('td', {}, h('code', {}, short(t.id))), h('td', {}, t.agent || ''),
          h('td', {}, t.label || (t.item ?? '')), h('td', {}, t.attempt), h('td', {}, badge(t.status)),
          h('td', {}, when(t.createdAt)), h('td', {}, duration(t.createdAt, t.updatedAt)),
          h('td', {}, t.usage ? tokens(t.usage) : ''),
          h('td', {}, t.input !== undefined ? json('input', t.input) : null, json('output', t.output),
            t.error ? h('div', {class: 'error'}, typeof t.error === 'string' ? t.error : JSON.stringify(t.error)) : null))),
        {class: 'inner'}));
      if (next) {
        cell.append(h('button', {type: 'button', class: 'more-tickets', 'data-more': s.name,
          onclick: () => moreTickets(s, cell)}, 'Show more tickets (' + tickets.length + ' of ' + count + ')'));
      }
      rows.push(h('tr', {class: 'tickets'}, cell));
    }
  }
  return table(['Stage', 'Status', 'Attempts', 'Started', 'Took', 'Work', 'Output'], rows, {class: 'stages'});
}

function tokens(u) {
  const parts = [];
  for (const k of ['inputTokens', 'outputTokens', 'totalTokens']) if (u[k] !== undefined) parts.push(k.replace('Tokens', '') + ' ' + u[k]);
  return parts.length ? parts.join(', ') : JSON.stringify(u);
}

/** Approve or reject, with a comment, as the signed-in person; the server judges the decision as any other. */
function decisionRow(run, s) {
  // The page re-renders on every event: what was typed survives in `drafts`.
  const key = run.id + '/' + s.name;
  const comment = h('input', {type: 'text', class: 'comment', placeholder: 'comment', 'data-comment': s.name,
    value: drafts[key] || '', oninput: () => (drafts[key] = comment.value)});
  // Open mode knows nobody: the decision names its approver, as the API asks there.
  const node = (run.graph || []).find((n) => n.name === s.name) || {};
  const as = me.open ? h('input', {type: 'text', class: 'approver', value: (node.approvers || [])[0] || 'demo',
    'aria-label': 'approver'}) : null;
  const out = h('span', {class: 'outcome'});
  const decide = (decision) => async () => {
    try {
      const body = {decision};
      if (comment.value.trim()) body.comment = comment.value.trim();
      if (as) body.approver = as.value.trim();
      const r = await api('/api/runs/' + run.id + '/approvals/' + encodeURIComponent(s.name), {method: 'POST', body});
      out.textContent = 'counted: stage is ' + r.status;
    } catch (e) {
      out.textContent = problemText(e);
      out.className = 'outcome error';
    }
  };
  return h('tr', {class: 'decide'}, h('td', {colspan: 7}, 'Your decision on ', h('strong', {}, s.name), ': ',
    as ? ['as ', as, ' '] : null, comment,
    h('button', {type: 'button', class: 'approve', 'data-approve': s.name, onclick: decide('approve')}, 'Approve'),
    h('button', {type: 'button', class: 'reject danger', 'data-reject': s.name, onclick: decide('reject')}, 'Reject'),
    out));
}

// ---------- the graph: stages in layers by dependency depth, left to right ----------

function graph(nodes, statusOf) {
  const NS = 'http://www.w3.org/2000/svg';
  const W = 170, HGT = 46, GX = 60, GY = 18;
  const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
  const deps = (n) => {
    const d = (n.dependsOn || []).filter((x) => byName[x]);
    const slash = n.name.lastIndexOf('/');
    if (!d.length && slash > 0 && byName[n.name.slice(0, slash)]) d.push(n.name.slice(0, slash)); // a loop's start
    return d;
  };
  const layer = {};
  const depth = (n, seen) => {
    if (layer[n.name] !== undefined) return layer[n.name];
    if (seen.has(n.name)) return 0;
    seen.add(n.name);
    const l = Math.max(-1, ...deps(n).map((d) => depth(byName[d], seen))) + 1;
    layer[n.name] = l;
    return l;
  };
  nodes.forEach((n) => depth(n, new Set()));
  const columns = [];
  nodes.forEach((n) => (columns[layer[n.name]] = columns[layer[n.name]] || []).push(n));
  const pos = {};
  columns.forEach((col, x) => col.forEach((n, y) => (pos[n.name] = {x: 10 + x * (W + GX), y: 10 + y * (HGT + GY)})));
  const width = 20 + columns.length * (W + GX) - GX;
  const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (HGT + GY) - GY;
  const el = (tag, attrs, ...kids) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    kids.forEach((k) => e.append(k));
    return e;
  };
  const svg = el('svg', {viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'stage graph'});
  svg.append(el('defs', {}, el('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7,
    markerHeight: 7, orient: 'auto'}, el('path', {d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead'}))));
  for (const n of nodes) {
    for (const d of deps(n)) {
      const a = pos[d], b = pos[n.name];
      const x1 = a.x + W, y1 = a.y + HGT / 2, x2 = b.x, y2 = b.y + HGT / 2;
      svg.append(el('path', {class: 'edge', 'marker-end': 'url(#arrow)',
        d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`}));
    }
  }
  for (const n of nodes) {
    const p = pos[n.name];
    const status = (statusOf && statusOf(n)) || (statusOf ? 'PENDING' : 'DEFINED');
    const s = n.stage;
    let sub = statusOf ? status : n.kind;
    if (s && s.items) sub += ` · ${s.items.done}/${s.items.total} items`;
    else if (s && s.tickets && s.tickets.length > 1) sub += ` · ${s.tickets.length} tickets`;
    else if (!statusOf && n.agents && n.agents.length > 1) sub += ` · ${n.agents.length} agents`;
    const label = n.name.length > 22 ? n.name.slice(0, 21) + '…' : n.name;
    const g = el('g', {class: 'node st-' + status, 'data-stage': n.name, 'data-status': status,
      transform: `translate(${p.x},${p.y})`},
    el('title', {}, n.name + ' (' + n.kind + ')' + (n.approvers ? ' approvers: ' + n.approvers.join(', ') : '')),
    el('rect', {width: W, height: HGT, rx: 7}),
    el('text', {x: 10, y: 19, class: 'name'}, label), el('text', {x: 10, y: 36, class: 'sub'}, sub));
    g.addEventListener('click', () => {
      const row = document.getElementById('stage-' + n.name);
      if (row) row.scrollIntoView({behavior: 'smooth'});
    });
    svg.append(g);
  }
  return svg;
}

// ---------- approvals ----------

async function approvalsPage(main, signal) {
  async function load() {
    const waiting = await api('/api/approvals');
    if (signal.aborted) return;
    render(main, h('h1', {}, 'Approvals waiting for ', me.open ? 'anyone (open mode)' : me.name),
      !may('approver') ? h('p', {class: 'muted'}, 'Your role (' + me.role + ') decides nothing.') : null,
      table(['Run', 'Pipeline', 'Stage', 'Waiting since', 'Approvers', 'Policy', 'Decisions so far'],
        waiting.length ? waiting.map((w) => h('tr', {'data-run': w.runId, 'data-stage': w.stage},
          h('td', {}, h('a', {href: '#/runs/' + w.runId}, short(w.runId))), h('td', {}, w.pipeline),
          h('td', {}, w.stage), h('td', {}, when(w.since)), h('td', {}, (w.approvers || []).join(', ') || 'anyone'),
          h('td', {}, w.policy + ' (' + w.needed + ' needed)'),
          h('td', {}, w.decisions.map((d) => d.approver + ': ' + d.decision.toLowerCase()).join('; ') || '—')))
          : [h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'Nothing waits for you.'))], {class: 'approvals'}));
  }
  await load();
  const reload = debounce(() => load().catch(() => {}), 400);
  follow(null, signal, (ev) => {
    if (ev.type === 'run' || ev.status === 'WAITING_APPROVAL' || ev.stage) reload();
  }, reload);
}

// ---------- pipelines ----------

async function pipelinesPage(main) {
  const all = await api('/api/pipelines');
  const detailed = await Promise.all(all.pipelines.map((p) => api('/api/pipelines/' + encodeURIComponent(p.name))));
  render(main, h('h1', {}, 'Pipelines'),
    table(['Name', 'Description', 'File', 'Revision', 'Stages', 'Schedule', 'Next fire time'],
      detailed.map((p) => h('tr', {'data-pipeline': p.name},
        h('td', {}, h('a', {href: '#/pipelines/' + p.name}, p.name)), h('td', {}, p.description || ''),
        h('td', {}, p.file || ''), h('td', {}, h('code', {}, (p.revision || '').slice(0, 12))),
        h('td', {}, p.stages.length), h('td', {}, p.schedule ? p.schedule.cron + ' ' + p.schedule.timezone : '—'),
        h('td', {}, p.schedule ? when(p.schedule.nextFireTime) : '—')))),
    h('h2', {}, 'Files in routes/ that failed to load'),
    all.invalid.length
      ? h('ul', {class: 'invalid', id: 'invalid-files'}, all.invalid.map((f) => h('li', {'data-file': f.file},
        h('strong', {}, f.file), h('ul', {}, f.errors.map((e) => h('li', {class: 'error'}, e))))))
      : h('p', {class: 'muted', id: 'invalid-files'}, 'None: every file loaded.'));
}

async function pipelinePage(main, name) {
  const [p, revisions] = await Promise.all([api('/api/pipelines/' + encodeURIComponent(name)),
    api('/api/pipelines/' + encodeURIComponent(name) + '/revisions')]);
  render(main, h('h1', {}, 'Pipeline ', p.name),
    h('p', {}, p.description || ''),
    h('dl', {class: 'facts'}, h('dt', {}, 'File'), h('dd', {}, p.file || ''),
      h('dt', {}, 'Revision'), h('dd', {}, h('code', {}, p.revision)),
      h('dt', {}, 'Params'), h('dd', {}, json('params', p.params)),
      h('dt', {}, 'Schedule'), h('dd', {}, p.schedule
        ? p.schedule.cron + ' (' + p.schedule.timezone + '), next fire time ' + when(p.schedule.nextFireTime)
        : 'none')),
    h('div', {class: 'actions'}, h('a', {href: '#/runs'}, 'Runs')),
    h('h2', {}, 'Graph'), h('div', {class: 'graph', id: 'pipeline-graph'}, graph(p.stages, null)),
    h('h2', {}, 'Revisions'), table(['Revision', 'Loaded', 'File', 'Current'],
      revisions.map((r) => h('tr', {}, h('td', {}, h('code', {}, r.revision.slice(0, 12))), h('td', {}, when(r.loadedAt)),
        h('td', {}, r.file || ''), h('td', {}, r.current ? 'yes' : '')))));
}

// ---------- agents ----------

async function agentsPage(main) {
  const [agents, dead] = await Promise.all([api('/api/agents'), api('/api/dead-letters?limit=50').catch((e) => e)]);
  const deadPart = dead instanceof Error
    ? h('p', {class: 'error'}, problemText(dead))
    : [h('p', {}, (dead.depth ?? dead.count) + ' message(s) on baton.DLQ'),
      table(['When', 'From', 'Reason', 'Deliveries', 'By', 'Correlation', 'Body'],
        dead.items.length ? dead.items.map((d) => h('tr', {'data-correlation': d.correlationId}, h('td', {}, when(d.timestamp)), h('td', {}, d.originalAddress || ''),
          h('td', {class: 'error'}, d.reason || ''), h('td', {}, d.deliveryCount ?? ''), h('td', {}, d.deadLetteredBy || ''),
          h('td', {}, h('code', {}, short(d.correlationId))), h('td', {}, json('body', d.body))))
          : [h('tr', {}, h('td', {colspan: 7, class: 'muted'}, 'None.'))]),
    ];
  render(main, h('h1', {}, 'Agents'),
    table(['Agent', 'Kind', 'Role', 'Capabilities', 'Max conc.', 'Health', 'Last heartbeat', 'Instances', 'In flight',
      'Queued', 'Queue depth', 'Consumers'],
    agents.map((a) => h('tr', {'data-agent': a.name}, h('td', {}, h('strong', {}, a.name)), h('td', {}, a.kind || ''),
      h('td', {}, a.role || ''), h('td', {}, (a.capabilities || []).join(', ')), h('td', {}, a.maxConcurrency ?? ''),
      h('td', {}, h('span', {class: 'badge health-' + a.health}, a.health)), h('td', {}, when(a.lastHeartbeat)),
      h('td', {}, (a.instances || []).map((i) => h('div', {}, i.instance + ' ', h('span', {class: 'badge health-' + i.health},
        i.health), ' ' + (i.inFlight || []).length + ' in flight'))),
      h('td', {}, a.inFlight), h('td', {}, a.queued), h('td', {}, a.queueDepth ?? '?'), h('td', {}, a.consumers ?? '?')))),
    h('h2', {}, 'Dead letters'), h('div', {id: 'dead-letters'}, deadPart));
}

document.addEventListener('DOMContentLoaded', boot);
