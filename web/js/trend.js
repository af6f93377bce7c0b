// SPDX-License-Identifier: MIT
// Trend charts (voltage, current, power, RSOC) drawn by uPlot: the gateway's
// /api/history first, then one live sample every 10 s from the stream.
const SERIES = [
  { key: 'voltage_v', label: 'Voltage', unit: 'V', colour: '#1e6fd9', digits: 1 },
  { key: 'current_a', label: 'Current', unit: 'A', colour: '#d9731e', digits: 1 },
  { key: 'power_w', label: 'Power', unit: 'W', colour: '#8e44ad', digits: 0 },
  { key: 'rsoc_pct', label: 'RSOC', unit: '%', colour: '#2e9d4f', digits: 0 },
];
const SAMPLE_S = 10;

// A flat series gets a band around it, not uPlot's default 0-100.
function yRange(u, min, max) {
  if (min === null || max === null) return [0, 1];
  const pad = Math.max((max - min) * 0.1, Math.abs(max) * 0.01, 1);
  return [min - pad, max + pad];
}

export class Trend {
  constructor(container, hours) {
    this.container = container;
    this.keepS = hours * 3600;
    this.t = [];
    this.cols = SERIES.map(() => []);
    this.charts = [];
    this.lastLive = 0;
  }

  /** Replaces the data with /api/history samples (oldest first). */
  load(samples) {
    this.t = samples.map((s) => s.t);
    this.cols = SERIES.map((d) => samples.map((s) => (typeof s[d.key] === 'number' ? s[d.key] : null)));
    this.lastLive = this.t.length ? this.t[this.t.length - 1] : 0;
    this.redraw();
  }

  /** A live sample from a status push; kept at most one per 10 s. */
  live(status, nowS) {
    if (nowS - this.lastLive < SAMPLE_S) return;
    this.lastLive = nowS;
    const v = status.voltage_v;
    const i = status.current_a;
    const row = { voltage_v: v, current_a: i, power_w: typeof v === 'number' && typeof i === 'number' ? v * i : null, rsoc_pct: status.rsoc_pct };
    this.t.push(nowS);
    SERIES.forEach((d, k) => this.cols[k].push(typeof row[d.key] === 'number' ? row[d.key] : null));
    while (this.t.length && this.t[0] < nowS - this.keepS) {
      this.t.shift();
      this.cols.forEach((c) => c.shift());
    }
    this.redraw();
  }

  get length() { return this.t.length; }

  redraw() {
    this.container.dataset.samples = String(this.t.length);
    if (!window.uPlot) return;
    if (!this.charts.length) this.create();
    // The x axis is always the kept window ending at the newest sample (one
    // sample alone otherwise got an axis of years from uPlot's autoscale).
    const end = this.t.length ? this.t[this.t.length - 1] : Date.now() / 1000;
    this.charts.forEach((c, k) => {
      c.setData([this.t, this.cols[k]], false);
      c.setScale('x', { min: end - this.keepS, max: end });
    });
  }

  size() {
    const w = Math.max(260, Math.floor(this.container.clientWidth / (this.container.clientWidth > 900 ? 2 : 1)) - 12);
    return { width: w, height: w < 400 ? 150 : 180 };
  }

  create() {
    const sync = window.uPlot.sync('ess-trend');
    for (const [k, d] of SERIES.entries()) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.series = d.key;
      this.container.append(box);
      const opts = {
        ...this.size(),
        title: `${d.label} (${d.unit})`,
        cursor: { sync: { key: sync.key } },
        legend: { live: true },
        scales: { x: { time: true, auto: false }, y: { range: yRange } },
        series: [
          {},
          { label: d.label, stroke: d.colour, width: 1.5, fill: `${d.colour}22`, spanGaps: false,
            value: (u, v) => (v === null || v === undefined ? '–' : `${v.toFixed(d.digits)} ${d.unit}`) },
        ],
        axes: [{}, { size: 56 }],
      };
      this.charts.push(new window.uPlot(opts, [this.t, this.cols[k]], box));
    }
    let pending = 0;
    window.addEventListener('resize', () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => this.charts.forEach((c) => c.setSize(this.size())));
    });
  }
}
