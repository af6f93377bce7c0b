// SPDX-License-Identifier: MIT
// The event log, newest first, filterable by severity.
import { h, localTime } from './format.js';

const KEEP = 500;

export class EventLog {
  constructor(list, filter) {
    this.list = list;
    this.filter = filter;
    this.events = [];  // oldest first
    this.seen = new Set();
    filter.addEventListener('change', () => this.applyFilter());
  }

  shown() {
    return new Set([...this.filter.querySelectorAll('input:checked')].map((i) => i.value));
  }

  /** Adds events (any order); duplicates by seq are ignored. */
  add(events) {
    const fresh = events.filter((e) => typeof e.seq === 'number' && !this.seen.has(e.seq));
    if (!fresh.length) return;
    fresh.sort((a, b) => a.seq - b.seq);
    const show = this.shown();
    for (const e of fresh) {
      this.seen.add(e.seq);
      this.events.push(e);
      const li = h('li', { 'data-seq': e.seq, 'data-severity': e.severity, class: `sev-${e.severity}` },
        h('time', { datetime: e.time, text: localTime(e.time) }),
        h('span', { class: 'sev', text: e.severity }),
        h('span', { class: 'kind', text: e.kind }),
        h('span', { class: 'msg', text: e.message ?? '' }));
      li.hidden = !show.has(e.severity);
      // Newest first; events arrive in seq order, so they go on top.
      const newer = [...this.list.children].find((c) => Number(c.dataset.seq) < e.seq);
      this.list.insertBefore(li, newer ?? null);
    }
    while (this.events.length > KEEP) {
      const old = this.events.shift();
      this.seen.delete(old.seq);
      this.list.querySelector(`li[data-seq="${old.seq}"]`)?.remove();
    }
  }

  applyFilter() {
    const show = this.shown();
    for (const li of this.list.children) li.hidden = !show.has(li.dataset.severity);
  }
}
