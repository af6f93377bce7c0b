// SPDX-License-Identifier: MIT
// The web panel: loads the current state, then follows /api/stream and
// applies at most 2 updates a second (the latest status and display win).
import { getJson, recentEvents } from './api.js';
import { Controls } from './controls.js';
import { EventLog } from './events.js';
import { renderModules } from './modules.js';
import { renderDisplay, renderStatus } from './panel.js';
import { Trend } from './trend.js';

const $ = (id) => document.getElementById(id);
const APPLY_MS = 500;            // at most 2 updates a second
const MODULES_MS = 1000;         // modules table refresh while the status changes
const MODULES_IDLE_MS = 5000;    // and while it does not
const KEEP_EVENTS = 500;

const state = {
  pending: { status: null, display: null, events: [] },
  lastApply: 0,
  timer: 0,
  status: null,
  modulesAt: 0,
  modulesBusy: false,
  conKey: '',
  unreachable: null,  // null, 'essd' or 'gateway'
  lastSeq: 0,
};

let trend;
let log;
let controls;

function setBanner(kind) {
  state.unreachable = kind;
  const b = $('banner');
  if (!kind) {
    b.hidden = true;
    document.body.classList.remove('unreachable');
    return;
  }
  const since = new Date().toLocaleTimeString([], { hour12: false });
  const text = kind === 'gateway'
    ? `The gateway is unreachable (since ${since}); the values shown are the last known.`
    : `essd is unreachable (since ${since}); the values shown are the last known.`;
  if (b.hidden || b.dataset.kind !== kind) b.textContent = text;
  b.dataset.kind = kind;
  b.hidden = false;
  document.body.classList.add('unreachable');
}

function schedule() {
  if (state.timer) return;
  const wait = Math.max(0, state.lastApply + APPLY_MS - performance.now());
  state.timer = setTimeout(apply, wait);
}

function apply() {
  state.timer = 0;
  state.lastApply = performance.now();
  const { status, display, events } = state.pending;
  state.pending = { status: null, display: null, events: [] };
  if (status) applyStatus(status);
  if (display) renderDisplay(display);
  if (events.length) addEvents(events);
  $('updated').textContent = `updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
}

function applyStatus(s) {
  state.status = s;
  renderStatus(s);
  controls.setMode(s.mode);
  trend.live(s, Math.floor(Date.now() / 1000));
  const conKey = `${s.con_map}|${s.modules_connected}|${s.modules_lost}`;
  const since = performance.now() - state.modulesAt;
  if (conKey !== state.conKey || since >= MODULES_MS) refreshModules();
  state.conKey = conKey;
}

async function refreshModules() {
  if (state.modulesBusy) return;
  state.modulesBusy = true;
  state.modulesAt = performance.now();
  try {
    const r = await getJson('/api/modules');
    renderModules(r?.modules ?? []);
  } catch { /* the banner tells; keep the last table */ }
  state.modulesBusy = false;
}

function addEvents(events) {
  log.add(events);
  for (const e of events) state.lastSeq = Math.max(state.lastSeq, e.seq ?? 0);
}

async function catchUpEvents() {
  try {
    const r = await getJson(`/api/events?after=${state.lastSeq}&limit=1000`);
    addEvents(r?.events ?? []);
  } catch { /* next reconnect tries again */ }
}

function openStream() {
  const es = new EventSource('/api/stream', { withCredentials: true });
  let wasDown = false;
  const on = (name, fn) => es.addEventListener(name, (ev) => {
    let data = null;
    try { data = ev.data ? JSON.parse(ev.data) : null; } catch { return; }
    fn(data);
  });
  on('status', (s) => {
    if (state.unreachable) {
      setBanner(null);
      wasDown = false;
      catchUpEvents();
      state.conKey = '';  // refresh the modules at once
    }
    state.pending.status = s;
    schedule();
  });
  on('display', (d) => { state.pending.display = d; schedule(); });
  on('event', (e) => { if (e) { state.pending.events.push(e); schedule(); } });
  on('unavailable', () => setBanner('essd'));
  es.addEventListener('open', () => {
    if (wasDown) catchUpEvents();
  });
  es.addEventListener('error', () => {
    // EventSource reconnects by itself; until a status arrives again the
    // data is old.
    wasDown = true;
    if (state.unreachable !== 'essd') setBanner('gateway');
  });
}

async function start() {
  // GET /?token=... set the cookie; keep the token out of the address bar.
  if (new URL(location.href).searchParams.has('token')) history.replaceState(null, '', '/');
  trend = new Trend($('trend'), 24);
  log = new EventLog($('events'), $('event-filter'));
  controls = new Controls(() => { state.pending.status = null; });
  let info = {};
  try { info = (await getJson('/api/gateway')) ?? {}; } catch { info = {}; }
  if (info.id) {
    $('title').textContent = info.site ? `ESS ${info.id} · ${info.site}` : `ESS ${info.id}`;
    document.title = `${$('title').textContent} panel`;
  }
  if (info.history_hours) trend.keepS = info.history_hours * 3600;
  $('trend-span').textContent = `last ${info.history_hours ?? 24} h, one sample per 10 s`;
  controls.show(!!info.allow_control);

  const results = await Promise.allSettled([
    getJson('/api/status'), getJson('/api/display'), getJson('/api/modules'),
    getJson('/api/history'), recentEvents(KEEP_EVENTS),
  ]);
  const [status, display, modules, hist, events] = results;
  if (hist.status === 'fulfilled') trend.load(hist.value?.samples ?? []);
  if (status.status === 'fulfilled') {
    $('subtitle').textContent = `${status.value.model ?? ''} ${status.value.topology ?? ''} · essd ${status.value.version ?? ''}`;
    applyStatus(status.value);
  } else if (status.reason?.status === 503) {
    setBanner('essd');
  } else {
    setBanner('gateway');
  }
  if (display.status === 'fulfilled') renderDisplay(display.value);
  if (modules.status === 'fulfilled') renderModules(modules.value?.modules ?? []);
  if (events.status === 'fulfilled') addEvents(events.value);
  openStream();
  setInterval(() => {
    if (!state.unreachable && performance.now() - state.modulesAt >= MODULES_IDLE_MS) refreshModules();
  }, MODULES_IDLE_MS);
  document.body.dataset.ready = 'true';
}

start();
