// SPDX-License-Identifier: MIT
// DISP short/long and COMM OFF MODE (with a confirmation). Shown only when
// the gateway allows control; a refusal (401, 403, ...) is shown as it came.
import { postJson } from './api.js';

const $ = (id) => document.getElementById(id);

export class Controls {
  constructor(onDone) {
    this.onDone = onDone;
    this.maintenance = false;
    $('btn-short').addEventListener('click', () => this.send('/api/button', { press: 'short' }, 'DISP short press'));
    $('btn-long').addEventListener('click', () => this.send('/api/button', { press: 'long' }, 'DISP long press'));
    $('btn-maint').addEventListener('click', () => this.askMaintenance());
    $('maint-dialog').addEventListener('close', () => {
      if ($('maint-dialog').returnValue === 'confirm') {
        const on = !this.maintenance;
        this.send('/api/maintenance', { on }, on ? 'COMM OFF MODE on' : 'COMM OFF MODE off');
      }
    });
  }

  show(allowed) {
    $('controls').hidden = !allowed;
  }

  setMode(mode) {
    this.maintenance = mode === 'maintenance';
    $('btn-maint').textContent = this.maintenance ? 'Leave COMM OFF MODE…' : 'COMM OFF MODE…';
  }

  askMaintenance() {
    $('maint-question').textContent = this.maintenance
      ? 'Leave COMM OFF MODE? The controller resumes normal operation and may close the paths.'
      : 'Enter COMM OFF MODE? Both paths open and stay open until maintenance is left.';
    $('maint-dialog').returnValue = '';
    $('maint-dialog').showModal();
  }

  async send(path, body, what) {
    const out = $('control-result');
    out.className = 'control-result small';
    out.textContent = `${what}…`;
    try {
      await postJson(path, body);
      out.textContent = `${what}: done`;
      out.classList.add('ok');
      out.dataset.status = '200';
      this.onDone();
    } catch (e) {
      const status = e.status ?? 0;
      const why = status === 401 ? 'token missing or wrong' : status === 403 ? 'not allowed' : 'failed';
      out.textContent = `${what}: refused (${status || 'no answer'} ${e.code ?? ''}: ${why}; ${e.message})`;
      out.classList.add('refused');
      out.dataset.status = String(status);
    }
  }
}
