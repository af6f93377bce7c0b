// SPDX-License-Identifier: MIT
// The modules table (one tr[data-address] per module) and the cell heatmap
// (one element per cell, data-module/data-cell, title = voltage in mV).
import { fixed, h } from './format.js';

const $ = (id) => document.getElementById(id);
const CELLS = 16;
// Below this spread the scale is widened so that a few mV of noise on a
// balanced pack do not paint it from blue to red.
const MIN_SCALE_MV = 10;

function linkText(m) {
  if (m.link === 'lost') return 'COMM ERROR';
  return m.stale ? 'stale' : 'connected';
}

function moduleRow(m) {
  const t = [m.temp_min_c, m.temp_avg_c, m.temp_max_c].map((x, k) => fixed(x, k === 1 ? 1 : 0)).join(' / ');
  const alarms = m.alarms ? `${m.alarm_text || ''} (0x${Number(m.alarms).toString(16).toUpperCase().padStart(4, '0')})` : '–';
  const cells = [
    String(m.address).padStart(2, '0'), linkText(m), fixed(m.voltage_v, 2), fixed(m.current_a, 1),
    m.rsoc_pct === null || m.rsoc_pct === undefined ? '–' : `${fixed(m.rsoc_pct, 0)} %`,
    m.state_text || (m.state === undefined ? '–' : `– (${Number(m.state).toString(16).toUpperCase()})`),
    t, alarms, m.cycles ?? '–', fixed(m.full_ah, 1),
  ];
  const tr = h('tr', {
    'data-address': m.address, 'data-link': m.link,
    class: [m.link === 'lost' ? 'lost' : '', m.stale ? 'stale' : '', m.alarms ? 'alarm' : ''].join(' ').trim(),
  }, ...cells.map((c, k) => h('td', { class: ['addr', 'link', 'num', 'num', 'num', 'state', 'num', 'alarms', 'num', 'num'][k], text: String(c) })));
  tr.title = `firmware ${m.firmware ?? '?'}, serial byte ${m.serial_byte ?? '?'}, last frame ${m.age_ms ?? '?'} ms ago`;
  return tr;
}

export function renderModules(list) {
  const tbody = $('modules').tBodies[0];
  const key = JSON.stringify(list.map((m) => [m.address, m.link, m.stale, m.voltage_v, m.current_a, m.rsoc_pct,
    m.state_text, m.temp_min_c, m.temp_avg_c, m.temp_max_c, m.alarms, m.cycles, m.full_ah]));
  if (tbody.dataset.key !== key) {
    tbody.dataset.key = key;
    tbody.replaceChildren(...(list.length ? list.map(moduleRow) : [h('tr', { class: 'none' }, h('td', { colspan: 10, text: 'no module seen yet' }))]));
  }
  renderCells(list);
}

/** A blue-green-yellow-red scale for t in [0, 1]. */
export function cellColour(t) {
  const stops = [[49, 99, 206], [38, 166, 154], [156, 204, 101], [255, 193, 7], [229, 57, 53]];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(x));
  const f = x - k;
  const c = stops[k].map((a, j) => Math.round(a + (stops[k + 1][j] - a) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function renderCells(list) {
  const known = [];
  for (const m of list) {
    if (m.link !== 'connected') continue;
    (m.cells_mv ?? []).forEach((mv, k) => { if (mv > 0) known.push({ a: m.address, c: k + 1, mv }); });
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of known) { lo = Math.min(lo, x.mv); hi = Math.max(hi, x.mv); }
  const haveRange = known.length > 0;
  let scaleLo = lo;
  let scaleHi = hi;
  if (haveRange && scaleHi - scaleLo < MIN_SCALE_MV) {
    const mid = (scaleHi + scaleLo) / 2;
    scaleLo = mid - MIN_SCALE_MV / 2;
    scaleHi = mid + MIN_SCALE_MV / 2;
  }
  const minCell = known.find((x) => x.mv === lo);
  const maxCell = known.find((x) => x.mv === hi);

  const grid = $('cells');
  const rows = [h('div', { class: 'cells-head' }, h('span', { class: 'row-label' }),
    ...Array.from({ length: CELLS }, (_, k) => h('span', { class: 'col-label', text: String(k + 1) })))];
  for (const m of list) {
    const cells = [];
    for (let k = 0; k < CELLS; k++) {
      const mv = (m.cells_mv ?? [])[k] ?? 0;
      const live = m.link === 'connected' && mv > 0;
      // One lowest and one highest cell are marked (the first of ties): marking
      // every tie outlines the whole pack when it is balanced to 1 mV.
      const isMin = live && minCell && minCell.a === m.address && minCell.c === k + 1;
      const isMax = live && maxCell && maxCell.a === m.address && maxCell.c === k + 1 && hi !== lo;
      const el = h('span', {
        class: ['cell', live ? '' : 'unknown', isMin ? 'min' : '', isMax ? 'max' : ''].join(' ').trim(),
        'data-module': m.address, 'data-cell': k + 1,
        title: mv > 0 ? `${mv} mV` : 'unknown',
        'aria-label': `module ${m.address} cell ${k + 1}${isMin ? ', lowest' : ''}${isMax ? ', highest' : ''}`,
      }, h('span', { class: 'mv', text: mv > 0 ? String(mv) : '' }));
      if (live) el.style.backgroundColor = cellColour((mv - scaleLo) / (scaleHi - scaleLo));
      cells.push(el);
    }
    rows.push(h('div', { class: `cells-row${m.link === 'connected' ? '' : ' lost'}`, 'data-module': m.address },
      h('span', { class: 'row-label', text: String(m.address).padStart(2, '0') }), ...cells));
  }
  grid.replaceChildren(...rows);
  $('scale-min').textContent = haveRange ? `${Math.round(scaleLo)} mV` : '';
  $('scale-max').textContent = haveRange ? `${Math.round(scaleHi)} mV` : '';
  $('cells-range').textContent = haveRange
    ? `lowest ${lo} mV (${String(minCell.a).padStart(2, '0')}/${minCell.c}), highest ${hi} mV (${String(maxCell.a).padStart(2, '0')}/${maxCell.c}), spread ${hi - lo} mV`
    : '';
}
