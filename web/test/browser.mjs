// SPDX-License-Identifier: MIT
// Headless Chromium (Debian's) driven by playwright-core, with a fresh
// profile and every request that would leave 127.0.0.1 recorded and aborted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function isLocal(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return u.hostname === '127.0.0.1';
}

export async function openBrowser({ width = 1366, height = 900 } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/setup (Debian package chromium)`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'essd-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width, height },
  });
  const outside = [];
  const consoleErrors = [];
  await context.route((url) => !isLocal(url.href), (route) => { outside.push(route.request().url()); route.abort(); });
  context.on('request', (r) => { if (!isLocal(r.url())) outside.push(r.url()); });
  const watch = (page) => {
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context, outside, consoleErrors,
    page: context.pages()[0] ?? await context.newPage(),
    async close() { await context.close(); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}
