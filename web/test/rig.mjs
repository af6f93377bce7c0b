// SPDX-License-Identifier: MIT
// The processes a browser test runs against: ess-sim on a pty (with its
// --control socket, to stop a module), essd over SLCAN on that pty, and
// ess-gateway on a free port of 127.0.0.1, each in one temp directory.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

export const BIN = process.env.ESSD_BIN_DIR ?? path.resolve(import.meta.dirname, '../../build/bin');

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

/** Polls fn until it returns a truthy value; throws `what` after timeoutMs. */
export async function until(fn, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { last = await fn(); } catch (e) { last = undefined; if (Date.now() > end) throw new Error(`${what}: ${e.message}`); }
    if (last) return last;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(50);
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

class Proc {
  constructor(name, argv, logFile, opts = {}) {
    this.name = name;
    this.log = logFile;
    const out = fs.openSync(logFile, 'a');
    this.child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', opts.pipeStdout ? 'pipe' : out, out] });
    this.exited = new Promise((r) => this.child.on('exit', (code, sig) => r({ code, sig })));
  }
  firstLine(timeoutMs) {
    const rl = readline.createInterface({ input: this.child.stdout });
    return Promise.race([
      new Promise((r) => rl.once('line', (l) => { r(l); })),
      sleep(timeoutMs).then(() => { throw new Error(`${this.name} printed nothing; log:\n${fs.readFileSync(this.log, 'utf8')}`); }),
    ]);
  }
  async stop(signal = 'SIGTERM') {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const r = await Promise.race([this.exited, sleep(5000).then(() => null)]);
    if (!r) { this.child.kill('SIGKILL'); return this.exited; }
    return r;
  }
}

/** One request on essd's API socket. */
export function essdRequest(socket, cmd, args = {}) {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let buf = '';
    c.on('error', reject);
    c.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0;) {
        const msg = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        if (msg.id === 1) { c.end(); msg.ok ? resolve(msg.result) : reject(new Error(JSON.stringify(msg.error))); }
      }
    });
    c.write(`${JSON.stringify({ id: 1, cmd, ...args })}\n`);
  });
}

/** One line to ess-sim's control socket; resolves with its reply. */
export function simCommand(socket, line) {
  return new Promise((resolve, reject) => {
    const c = net.connect(socket);
    let buf = '';
    c.on('error', reject);
    c.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) { c.end(); resolve(buf.slice(0, i)); }
    });
    c.write(`${line}\n`);
  });
}

function groupName(gid) {
  for (const l of fs.readFileSync('/etc/group', 'utf8').split('\n')) {
    const f = l.split(':');
    if (Number(f[2]) === gid) return f[0];
  }
  return 'root';
}

export class Rig {
  constructor({ modules = 4, token = 'test-token-123', allowControl = true } = {}) {
    this.modules = modules;
    this.token = token;
    this.allowControl = allowControl;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'essd-web-'));
    this.essdSocket = path.join(this.dir, 'essd.sock');
    this.simSocket = path.join(this.dir, 'sim.sock');
    this.gateways = [];
  }

  async start() {
    this.sim = new Proc('ess-sim', [path.join(BIN, 'ess-sim'), '--pty', '--modules', String(this.modules),
      '--control', this.simSocket], path.join(this.dir, 'sim.log'), { pipeStdout: true });
    this.pty = await this.sim.firstLine(10000);
    const gid = os.userInfo().gid;
    fs.writeFileSync(path.join(this.dir, 'essd.toml'), [
      '[system]', `state_file = "${this.dir}/latches.state"`,
      '[bus]', 'transport = "slcan"', `device = "${this.pty}"`,
      '[api]', `socket = "${this.essdSocket}"`, `group = "${groupName(gid)}"`, `admin_group = "${groupName(gid)}"`,
      '[panel]', 'lcd = "none"',
      '[history]', `path = "${this.dir}/events.db"`, '',
    ].join('\n'));
    await this.startEssd();
    this.gateway = await this.startGateway({ token: this.token, allowControl: this.allowControl });
    this.url = this.gateway.url;
  }

  async startEssd() {
    this.essd = new Proc('essd', [path.join(BIN, 'essd'), '--config', path.join(this.dir, 'essd.toml')],
      path.join(this.dir, 'essd.log'));
    await until(() => essdRequest(this.essdSocket, 'status').then((s) => s.modules_connected === this.modules),
      20000, `essd up with ${this.modules} modules (log ${this.dir}/essd.log)`);
  }

  async stopEssd() { return this.essd.stop('SIGTERM'); }

  /** Another ess-gateway for the same essd; returns { url, port, proc }. */
  async startGateway({ token = '', allowControl = false, name = `gw${this.gateways.length}` } = {}) {
    const port = await freePort();
    const tokenFile = path.join(this.dir, `${name}.token`);
    if (token) fs.writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const cfg = path.join(this.dir, `${name}.toml`);
    fs.writeFileSync(cfg, [
      '[gateway]', `id = "rig-${name}"`, 'site = "test bench"',
      '[essd]', `socket = "${this.essdSocket}"`,
      '[mqtt]', 'enabled = false',
      '[http]', `listen = "127.0.0.1:${port}"`, `token_file = "${token ? tokenFile : ''}"`,
      `allow_control = ${allowControl}`, 'history_hours = 1', '',
    ].join('\n'));
    const proc = new Proc(name, [path.join(BIN, 'ess-gateway'), '--config', cfg], path.join(this.dir, `${name}.log`));
    const url = `http://127.0.0.1:${port}`;
    const auth = token ? { Authorization: `Bearer ${token}` } : {};
    await until(() => fetch(`${url}/healthz`, { headers: auth }).then((r) => r.ok), 15000,
      `ess-gateway ${name} healthy (log ${this.dir}/${name}.log)`);
    const gw = { url, port, proc, token, get: (p) => fetch(`${url}${p}`, { headers: auth }).then((r) => r.json()) };
    this.gateways.push(gw);
    return gw;
  }

  simCmd(line) { return simCommand(this.simSocket, line); }

  async stop() {
    for (const g of this.gateways) await g.proc.stop();
    if (this.essd) await this.essd.stop();
    if (this.sim) await this.sim.stop();
    if (!process.env.KEEP_RIG) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
