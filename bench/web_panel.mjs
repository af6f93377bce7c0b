#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Web panel figures, each beside its floor from the same run:
//  - bytes transferred on first load (gzip) vs the same files uncompressed
//  - time to first render (first contentful paint) and to a filled page, in
//    headless Chromium, vs the FCP of a one-line page from the same gateway
//  - ess-gateway CPU with 20 pages open (each with its /api/stream) while
//    the simulator charges, vs the same gateway with no page open
// Writes the "Web panel" section of bench/results.md (between its markers).
// One Chromium profile holds at most 6 HTTP/1.1 connections per host, so a
// 7th page with its /api/stream would stall (docs/web.md says so for users):
// the 20 pages are spread over 4 browsers of 5 pages each.
//   node bench/web_panel.mjs [--seconds S]   ESSD_BIN_DIR (default build/bin)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBrowser } from '../web/test/browser.mjs';
import { Rig, sleep } from '../web/test/rig.mjs';

const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 30;
const PAGES = 20;
const BROWSERS = 4;  // 5 pages each: below Chromium's 6 connections per host
const results = path.resolve(import.meta.dirname, 'results.md');

function cpuTicks(pid) {
  const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);  // utime + stime
}

async function cpuPercent(pid, s) {
  const hz = 100;  // USER_HZ on Linux
  const a = cpuTicks(pid);
  await sleep(s * 1000);
  return ((cpuTicks(pid) - a) / hz / s) * 100;
}

async function firstLoad(browser, url) {
  const page = await browser.context.newPage();
  const sizes = [];
  page.on('requestfinished', async (r) => {
    const s = await r.sizes().catch(() => null);
    if (s && !r.url().includes('/api/stream')) sizes.push(s.responseBodySize + s.responseHeadersSize);
  });
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  const ready = Date.now() - t0;
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
  await sleep(500);
  await page.close();
  return { bytes: sizes.reduce((a, b) => a + b, 0), requests: sizes.length, ready, fcp };
}

async function main() {
  const rig = new Rig({ modules: 16, token: '', allowControl: false });
  await rig.start();
  const browser = await openBrowser();
  try {
    // Identity sizes of the same files: what the page would cost without gzip.
    const files = ['/', '/assets/panel.css', '/assets/uPlot.min.css', '/assets/uPlot.iife.min.js', '/assets/main.js',
      '/assets/api.js', '/assets/controls.js', '/assets/events.js', '/assets/format.js', '/assets/modules.js',
      '/assets/panel.js', '/assets/trend.js'];
    let identity = 0;
    for (const f of files) identity += (await (await fetch(`${rig.url}${f}`, { headers: { 'Accept-Encoding': 'identity' } })).arrayBuffer()).byteLength;

    const loads = [];
    for (let k = 0; k < 5; k++) loads.push(await firstLoad(browser, rig.url));
    loads.sort((a, b) => a.fcp - b.fcp);
    const median = loads[2];
    const floorPage = await browser.context.newPage();
    await floorPage.goto(`${rig.url}/healthz`);
    const floorFcp = await floorPage.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
    await floorPage.close();

    await rig.simCmd('charger on');  // the status changes every push
    const pid = rig.gateway.proc.child.pid;
    const idle = await cpuPercent(pid, seconds);
    const pages = [];
    const extra = [];
    for (let b = 0; b < BROWSERS; b++) {
      const br = b === 0 ? browser : await openBrowser();
      if (b > 0) extra.push(br);
      for (let k = 0; k < PAGES / BROWSERS; k++) {
        const p = await br.context.newPage();
        await p.goto(rig.url);
        await p.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
        pages.push(p);
      }
    }
    const busy = await cpuPercent(pid, seconds);
    const browserNote = `${PAGES} pages (${BROWSERS} headless Chromiums of ${PAGES / BROWSERS})`;

    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const section = [
      '<!-- web-panel:begin -->',
      '## Web panel (bench/web_panel.mjs)',
      '',
      `Written by \`node bench/web_panel.mjs\` on ${when} UTC, ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores,`,
      `load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; 16 simulated modules (ess-sim --pty), charging.`,
      '',
      '| figure | measured | floor (same run) |',
      '|---|---|---|',
      `| bytes transferred on first load (gzip, headers included, ${median.requests} requests) | ${median.bytes} B | the same files uncompressed: ${identity} B (bodies only) |`,
      `| time to first contentful paint, median of 5 | ${median.fcp?.toFixed(0)} ms | a one-line page from the same gateway: ${floorFcp?.toFixed(0)} ms |`,
      `| time to a filled page (all first requests answered), median run | ${median.ready} ms | |`,
      `| ess-gateway CPU, ${browserNote}, over ${seconds} s | ${busy.toFixed(2)} % of a core | no page open: ${idle.toFixed(2)} % |`,
      '<!-- web-panel:end -->',
    ].join('\n');
    let text = fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : '# Benchmark results\n';
    const re = /<!-- web-panel:begin -->[\s\S]*<!-- web-panel:end -->/;
    text = re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`;
    fs.writeFileSync(results, text);
    console.log(section);
    for (const p of pages) await p.close();
    for (const br of extra) await br.close();
  } finally {
    await browser.close();
    await rig.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
