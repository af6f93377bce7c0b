// SPDX-License-Identifier: MIT
// Requests to the gateway (same origin; the token, if any, travels in the
// ess_token cookie that GET /?token=... set).

export class HttpError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function parse(r) {
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!r.ok) {
    const e = body?.error ?? {};
    throw new HttpError(r.status, e.code ?? String(r.status), e.message ?? r.statusText);
  }
  return body;
}

export async function getJson(path) {
  return parse(await fetch(path, { credentials: 'same-origin', cache: 'no-store' }));
}

export async function postJson(path, body) {
  return parse(await fetch(path, {
    method: 'POST', credentials: 'same-origin', cache: 'no-store',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }));
}

/** The newest `keep` events: pages through /api/events (oldest first). */
export async function recentEvents(keep, maxPages = 50) {
  let after = 0;
  let out = [];
  for (let page = 0; page < maxPages; page++) {
    const r = await getJson(`/api/events?after=${after}&limit=1000`);
    const list = r?.events ?? [];
    out = out.concat(list).slice(-keep);
    const next = typeof r?.next === 'number' ? r.next : after;
    if (list.length < 1000 || next <= after) break;
    after = next;
  }
  return out;
}
