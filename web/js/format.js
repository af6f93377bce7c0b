// SPDX-License-Identifier: MIT
// Number and text formatting shared by the page's renderers.

/** A number with a fixed count of decimals, or "–" when unknown. */
export function fixed(v, decimals) {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(decimals) : '–';
}

/** Sets an element's text and its machine-readable value (data-value). */
export function setValue(el, value, text) {
  if (!el) return;
  el.dataset.value = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== text) el.textContent = text;
}

/** Creates an element with attributes and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('data-')) el.setAttribute(k, String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

const CAUSES = {
  starting: 'starting up',
  no_module: 'no module',
  topology: 'topology error',
  comm_error: 'COMM ERROR',
  hw_chg_line: 'hard-wired CHG line',
  hw_ov_line: 'hard-wired OV line',
  hw_dis_line: 'hard-wired DIS line',
  off_mode: 'OFF mode (SW off)',
  maintenance: 'COMM OFF MODE',
  overcurrent: 'over-current',
  heatsink: 'heatsink temperature',
  ov_error: 'OV ERROR',
  discharge_error: 'DISCHARGE ERROR',
  balance: 'module balance',
  host_disconnect: 'host DISCONNECT',
  shutdown: 'shutting down',
};
const LINE_CAUSES = {
  module_chg_line: 'CHG line of module',
  module_ov_line: 'OV line of module',
  module_dis_line: 'DIS line of module',
};

/** A path's blocking cause ("module_dis_line:2") in words. */
export function causeText(cause) {
  if (CAUSES[cause]) return CAUSES[cause];
  const [name, arg] = String(cause).split(':');
  if (LINE_CAUSES[name] && arg !== undefined) return `${LINE_CAUSES[name]} ${String(arg).padStart(2, '0')}`;
  return String(cause);
}

/** Local time of an RFC 3339 string, HH:MM:SS (date added when not today). */
export function localTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const t = d.toLocaleTimeString([], { hour12: false });
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return t;
  return `${d.toLocaleDateString()} ${t}`;
}
