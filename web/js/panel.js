// SPDX-License-Identifier: MIT
// The front panel replica (LCD, LED, lamps, CON map) and the system card
// (values, paths, host limits, standing errors).
import { causeText, fixed, h, localTime, setValue } from './format.js';

const $ = (id) => document.getElementById(id);
const LED_MODES = ['green', 'red_flash', 'green_flash', 'off'];

/** The four LCD lines, the LED and the lamps from a `display` result. */
export function renderDisplay(d) {
  const lines = Array.isArray(d.lines) ? d.lines.slice(0, 4) : [];
  while (lines.length < 4) lines.push('');
  const text = lines.join('\n');
  const lcd = $('lcd');
  if (lcd.textContent !== text) lcd.textContent = text;
  lcd.dataset.item = d.item ?? '';
  lcd.dataset.errorScreen = d.error_screen ?? '';

  const led = $('led');
  const mode = LED_MODES.includes(d.led) ? d.led : 'off';
  if (led.dataset.mode !== mode) {
    led.dataset.mode = mode;
    led.className = `led ${mode}`;
    led.title = `LED: ${mode.replace('_', ' ')}`;
  }
  setLamp($('chg-lamp'), d.chg_lamp, 'CHG');
  setLamp($('dis-lamp'), d.dis_lamp, 'DIS');
}

function setLamp(el, on, name) {
  const state = on ? 'on' : 'off';
  if (el.dataset.state === state) return;
  el.dataset.state = state;
  el.classList.toggle('on', !!on);
  el.title = `${name} lamp ${state}`;
}

/** The system card and the CON map from a `status` result. */
export function renderStatus(s) {
  const v = s.voltage_v;
  const i = s.current_a;
  const p = typeof v === 'number' && typeof i === 'number' ? v * i : null;
  setValue($('voltage'), v, `${fixed(v, 1)} V`);
  setValue($('current'), i, `${fixed(i, 1)} A`);
  setValue($('power'), p, p === null ? '– W' : formatPower(p));
  setValue($('soc'), s.rsoc_pct, `${fixed(s.rsoc_pct, 0)} %`);
  const mode = $('mode');
  mode.textContent = s.mode ?? '';
  mode.className = `badge mode-${s.mode ?? 'unknown'}`;

  renderPath($('charge-path'), 'Charge path', s.charge);
  renderPath($('discharge-path'), 'Discharge path', s.discharge);
  renderLimits(s);
  renderErrors(s.errors ?? []);
  renderConMap(s.con_map ?? '');
}

function formatPower(w) {
  return Math.abs(w) >= 1000 ? `${(w / 1000).toFixed(2)} kW` : `${w.toFixed(0)} W`;
}

function renderPath(el, name, path) {
  const closed = !!path?.closed;
  const blocked = path?.blocked_by ?? [];
  const key = `${closed}|${blocked.join(',')}`;
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  el.dataset.closed = String(closed);
  el.dataset.blockedBy = blocked.join(' ');
  el.className = `path ${closed ? 'closed' : 'open'}`;
  el.replaceChildren(
    h('span', { class: 'path-name', text: name }),
    h('span', { class: 'path-state', text: closed ? 'CLOSED' : 'OPEN' }),
    blocked.length
      ? h('ul', { class: 'blocked' }, ...blocked.map((c) => h('li', { 'data-cause': c, text: causeText(c) })))
      : h('span', { class: 'muted small', text: closed ? 'nothing blocks it' : '' }),
  );
}

function renderLimits(s) {
  const l = s.limits ?? {};
  const rows = [
    ['CVL', `${fixed(l.cvl_v, 1)} V`], ['CCL', `${fixed(l.ccl_a, 1)} A`],
    ['DVL', `${fixed(l.dvl_v, 1)} V`], ['DCL', `${fixed(l.dcl_a, 1)} A`],
    ['Heatsink', s.heatsink_c === null || s.heatsink_c === undefined ? '–' : `${fixed(s.heatsink_c, 1)} °C`],
    ['Modules', `${s.modules_connected ?? 0} connected, ${s.modules_lost ?? 0} lost`],
  ];
  const key = JSON.stringify(rows);
  const dl = $('limits');
  if (dl.dataset.key === key) return;
  dl.dataset.key = key;
  dl.replaceChildren(...rows.flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]));
}

function renderErrors(errors) {
  const ul = $('errors');
  const key = JSON.stringify(errors);
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.dataset.count = String(errors.length);
  if (!errors.length) {
    ul.replaceChildren(h('li', { class: 'none', text: 'none' }));
    return;
  }
  ul.replaceChildren(
    ...errors.map((e) =>
      h('li', { 'data-code': e.code, class: e.code === 'state_file' ? 'warning' : 'error' },
        h('span', { class: 'err-text', text: e.text || e.code }),
        h('span', { class: 'muted small', text: ` ${e.code} · since ${localTime(e.since)}` }))),
  );
}

/** 16 boxes, address 15 on the left as on the LCD: O connected, X lost, - none. */
function renderConMap(map) {
  const el = $('conmap');
  if (el.dataset.map === map) return;
  el.dataset.map = map;
  const boxes = [];
  for (let k = 0; k < 16; k++) {
    const c = map[k] ?? '-';
    const addr = 15 - k;
    const cls = c === 'O' ? 'ok' : c === 'X' ? 'lost' : 'none';
    const label = c === 'O' ? 'connected' : c === 'X' ? 'COMM ERROR' : 'no module';
    boxes.push(h('span', { class: `con ${cls}`, 'data-address': addr, title: `${String(addr).padStart(2, '0')}: ${label}` },
      h('b', { text: c }), h('small', { text: String(addr).padStart(2, '0') })));
  }
  el.replaceChildren(h('span', { class: 'con-label', text: 'CON' }), ...boxes);
}
