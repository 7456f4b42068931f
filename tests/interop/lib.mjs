// Helpers shared by the interop tests: spawn a server under test, connect
// clients, wait for things with a bound on every wait, speak raw HTTP and raw
// WebSocket frames. Every process and socket made here is tracked so that a
// failing test cannot leave anything behind.

import { spawn } from 'node:child_process';
import { existsSync, appendFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io as ioClient, Manager } from 'socket.io-client';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD = process.env.SIO_BUILD || 'build';

// ---------------------------------------------------------------- processes

const children = new Set();
// Last resort: if the test process dies, take the servers with it.
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// A command from the environment ("node tests/node/echo_server.mjs") or the
// default binary in the build directory. Relative paths are from the repo root.
export function commandFrom(envName, binary) {
  const env = process.env[envName];
  if (env && env.trim()) return env.trim().split(/\s+/);
  return [path.resolve(ROOT, BUILD, binary)];
}

export const echoCommand = () => commandFrom('SIO_ECHO_CMD', 'echo');

// Start `cmd` with `--host 127.0.0.1 --port PORT` plus `args` and resolve once
// it printed `listening on port N`. The result has `port`, `url`, `stop()`,
// `kill(signal)` and `output()` (everything it printed, for diagnostics).
export function startServer(cmd = echoCommand(), args = [], { port = 0, timeout = 10000 } = {}) {
  const [exe, ...pre] = cmd;
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    return Promise.reject(new Error(`${exe} does not exist (build it, or set the *_CMD variable)`));
  }
  const argv = [...pre, '--host', '127.0.0.1', '--port', String(port), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(exe, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    // SIO_SERVER_LOG_DIR: every server's output and end, one file each, for
    // a failure that shows only on some runs
    const logDir = process.env.SIO_SERVER_LOG_DIR;
    const log = (what) => { if (logDir) appendFileSync(path.join(logDir, `${child.pid}.log`), `${Date.now()} ${what}\n`); };
    log(`start ${exe} ${argv.join(' ')}`);
    child.stdout.on('data', (d) => log(`out ${d}`));
    child.stderr.on('data', (d) => log(`err ${d}`));
    child.once('exit', (code, sig) => log(`exit code ${code} signal ${sig}`));
    let out = '';
    let done = false;
    const exited = new Promise((res) => child.once('exit', (code, sig) => {
      children.delete(child);
      res({ code, sig });
    }));
    const fail = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err}; command: ${exe} ${argv.join(' ')}; output:\n${out}`));
    };
    const timer = setTimeout(() => fail(new Error(`no "listening on port" within ${timeout} ms`)), timeout);
    const onData = (d) => {
      out += d.toString();
      if (out.length > 200000) out = out.slice(-100000);
      const m = /listening on port (\d+)/.exec(out);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        const p = Number(m[1]);
        resolve({
          port: p,
          url: `http://127.0.0.1:${p}`,
          process: child,
          exited,
          output: () => out,
          kill(sig = 'SIGKILL') {
            if (child.exitCode === null && child.signalCode === null) child.kill(sig);
            return exited;
          },
          // SIGTERM, then SIGKILL if it does not exit within 3 s.
          async stop() {
            if (child.exitCode !== null || child.signalCode !== null) return exited;
            child.kill('SIGTERM');
            const t = setTimeout(() => child.kill('SIGKILL'), 3000);
            const r = await exited;
            clearTimeout(t);
            return r;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { out += d.toString(); });
    child.once('error', fail);
    child.once('exit', (code, sig) => fail(new Error(`exited early (code ${code}, signal ${sig})`)));
  });
}

// ------------------------------------------------------------------ waiting

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(promise, ms, what = 'operation') {
  let t;
  return Promise.race([
    promise,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`timeout (${ms} ms): ${what}`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

// Resolve with the arguments of the next `event` on an EventEmitter-like
// object, reject after `ms`.
export function once(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const handler = (...args) => { clearTimeout(t); resolve(args); };
    const t = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timeout (${ms} ms) waiting for "${event}"`));
    }, ms);
    emitter.once(event, handler);
  });
}

// Collects every event a socket receives so that tests can wait for "the next
// `name`" without racing listeners against arrivals, and can assert that
// something did NOT arrive.
export class Inbox {
  constructor(socket) {
    this.items = [];
    this.waiters = [];
    socket.onAny((event, ...args) => {
      if (typeof args[args.length - 1] === 'function') args.pop(); // ack requests are handled elsewhere
      this.items.push({ event, args });
      this.waiters = this.waiters.filter((w) => !w.check());
    });
  }

  // Take (remove) the first received `event`, waiting up to `ms`.
  take(event, ms = 5000) {
    return new Promise((resolve, reject) => {
      const w = {
        check: () => {
          const i = this.items.findIndex((x) => x.event === event);
          if (i < 0) return false;
          clearTimeout(w.timer);
          resolve(this.items.splice(i, 1)[0].args);
          return true;
        },
      };
      if (w.check()) return;
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timeout (${ms} ms) waiting for event "${event}"; got ${JSON.stringify(this.names())}`));
      }, ms);
      this.waiters.push(w);
    });
  }

  has(event) { return this.items.some((x) => x.event === event); }
  names() { return this.items.map((x) => x.event); }
}

// ------------------------------------------------------------ Socket.IO side

// Clients created by `connect`; `closeClients()` disconnects all of them.
const clients = new Set();

export function connect(base, { nsp = '/', transports, reconnection = false, ...opts } = {}) {
  const url = typeof base === 'number' ? `http://127.0.0.1:${base}` : base;
  const socket = ioClient(url + nsp, {
    forceNew: true,
    reconnection,
    timeout: 5000,
    ...(transports ? { transports } : {}),
    ...opts,
  });
  clients.add(socket);
  socket.inbox = new Inbox(socket);
  return socket;
}

// A manager (one Engine.IO connection) to open several namespaces over it.
export function manager(base, { transports, reconnection = false, ...opts } = {}) {
  const url = typeof base === 'number' ? `http://127.0.0.1:${base}` : base;
  const m = new Manager(url, {
    reconnection,
    timeout: 5000,
    ...(transports ? { transports } : {}),
    ...opts,
  });
  const orig = m.socket.bind(m);
  m.socket = (nsp, o) => {
    const s = orig(nsp, o);
    clients.add(s);
    if (!s.inbox) s.inbox = new Inbox(s);
    return s;
  };
  return m;
}

export function closeClients() {
  for (const s of clients) {
    try { s.io.opts.reconnection = false; s.io.reconnection(false); s.disconnect(); s.io.engine?.close(); } catch { /* ignore */ }
  }
  clients.clear();
}

// Resolve on `connect`, reject with the connect_error (or a timeout).
export function connected(socket, ms = 5000) {
  if (socket.connected) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    const ok = () => { cleanup(); resolve(socket); };
    const bad = (err) => { cleanup(); reject(err); };
    const t = setTimeout(() => bad(new Error(`timeout (${ms} ms) waiting for connect`)), ms);
    const cleanup = () => { clearTimeout(t); socket.off('connect', ok); socket.off('connect_error', bad); };
    socket.on('connect', ok);
    socket.on('connect_error', bad);
  });
}

// Resolve with the connect_error that the server is expected to give.
export function connectError(socket, ms = 5000) {
  return new Promise((resolve, reject) => {
    const ok = () => { cleanup(); reject(new Error('connected although a refusal was expected')); };
    const bad = (err) => { cleanup(); resolve(err); };
    const t = setTimeout(() => { cleanup(); reject(new Error(`timeout (${ms} ms) waiting for connect_error`)); }, ms);
    const cleanup = () => { clearTimeout(t); socket.off('connect', ok); socket.off('connect_error', bad); };
    socket.on('connect', ok);
    socket.on('connect_error', bad);
  });
}

// emitWithAck bounded by `ms`; resolves with the ack's arguments as an array.
export function ask(socket, event, args = [], ms = 5000) {
  return new Promise((resolve, reject) => {
    socket.timeout(ms).emit(event, ...args, (err, ...res) => (err ? reject(new Error(`no ack for "${event}" within ${ms} ms`)) : resolve(res)));
  });
}

// ------------------------------------------------------------- raw HTTP side

// One HTTP request with a fresh connection (agent: false) so that pending
// long-polls never block each other. Resolves {status, headers, body(Buffer), text}.
export function request(port, method, pathAndQuery, { body, headers = {}, timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: pathAndQuery, agent: false,
      headers: { ...(body !== undefined ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(t);
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: b, text: b.toString('utf8') });
      });
      res.on('error', (e) => { clearTimeout(t); reject(e); });
    });
    const t = setTimeout(() => { req.destroy(); reject(new Error(`timeout (${timeout} ms): ${method} ${pathAndQuery}`)); }, timeout);
    req.on('error', (e) => { clearTimeout(t); reject(e); });
    if (body !== undefined) req.end(body); else req.end();
  });
}

// Engine.IO polling handshake on `prefix` ("/engine.io/" or "/socket.io/").
export async function handshake(port, prefix = '/engine.io/') {
  const r = await request(port, 'GET', `${prefix}?EIO=4&transport=polling`);
  if (r.status !== 200 || r.text[0] !== '0') throw new Error(`handshake failed: ${r.status} ${r.text}`);
  return { ...JSON.parse(r.text.slice(1)), raw: r };
}

export const poll = (port, prefix, sid, opts) =>
  request(port, 'GET', `${prefix}?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, opts);
export const post = (port, prefix, sid, body, opts = {}) =>
  request(port, 'POST', `${prefix}?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, { ...opts, body });

// ------------------------------------------------------- raw WebSocket side

// Build one WebSocket frame. `mask` true (client role) picks a random key,
// a Buffer uses that key, false sends it unmasked.
export function frame(opcode, payload = Buffer.alloc(0), { fin = true, mask = true, rsv = 0 } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const n = data.length;
  let hdr;
  if (n < 126) { hdr = Buffer.alloc(2); hdr[1] = n; }
  else if (n < 65536) { hdr = Buffer.alloc(4); hdr[1] = 126; hdr.writeUInt16BE(n, 2); }
  else { hdr = Buffer.alloc(10); hdr[1] = 127; hdr.writeBigUInt64BE(BigInt(n), 2); }
  hdr[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
  if (!mask) return Buffer.concat([hdr, data]);
  hdr[1] |= 0x80;
  const key = Buffer.isBuffer(mask) ? mask : crypto.randomBytes(4);
  const body = Buffer.alloc(n);
  for (let i = 0; i < n; i++) body[i] = data[i] ^ key[i & 3];
  return Buffer.concat([hdr, key, body]);
}

export function closePayload(code, reason = '') {
  const b = Buffer.alloc(2 + Buffer.byteLength(reason));
  b.writeUInt16BE(code, 0);
  b.write(reason, 2);
  return b;
}

// Incremental frame parser: feed bytes, get whole frames
// {fin, rsv, opcode, masked, payload}.
export class FrameReader {
  constructor() { this.buf = Buffer.alloc(0); }
  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    const out = [];
    for (;;) {
      const b = this.buf;
      if (b.length < 2) break;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) { if (b.length < 4) break; len = b.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (b.length < 10) break; len = Number(b.readBigUInt64BE(2)); off = 10; }
      const masked = (b[1] & 0x80) !== 0;
      const keyOff = off;
      if (masked) off += 4;
      if (b.length < off + len) break;
      let payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[keyOff + (i & 3)];
      out.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 7, opcode: b[0] & 0x0f, masked, payload });
      this.buf = b.subarray(off + len);
    }
    return out;
  }
}

// A raw client-side WebSocket over `net`: does the opening handshake, then
// exposes `send(frameBytes)`, `next(ms)` (next frame), `closed(ms)` (the
// close frame's {code, reason} or null if TCP ended without one) and `destroy()`.
export function rawWebSocket(port, pathAndQuery = '/', { timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const key = crypto.randomBytes(16).toString('base64');
    const t = setTimeout(() => { sock.destroy(); reject(new Error('raw websocket handshake timeout')); }, timeout);
    let head = Buffer.alloc(0);
    const reader = new FrameReader();
    const frames = [];
    let waiters = [];
    let ended = false;
    const wake = () => { waiters = waiters.filter((w) => !w()); };
    sock.on('error', () => { ended = true; wake(); });
    sock.on('close', () => { ended = true; wake(); });
    sock.on('connect', () => {
      sock.write(`GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    });
    const onHead = (d) => {
      head = Buffer.concat([head, d]);
      const i = head.indexOf('\r\n\r\n');
      if (i < 0) return;
      clearTimeout(t);
      sock.off('data', onHead);
      const status = head.subarray(0, i).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) {
        sock.destroy();
        reject(new Error(`upgrade refused: ${status.split('\r\n')[0]}`));
        return;
      }
      const accept = crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
      if (!status.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
        sock.destroy();
        reject(new Error('bad Sec-WebSocket-Accept'));
        return;
      }
      const onFrames = (chunk) => { frames.push(...reader.push(chunk)); wake(); };
      sock.on('data', onFrames);
      onFrames(head.subarray(i + 4));
      resolve({
        socket: sock,
        frames,
        send: (bytes) => sock.write(bytes),
        sendText: (s) => sock.write(frame(1, Buffer.from(s))),
        // Next data/control frame (skipping nothing), or reject on timeout/EOF.
        next(ms = 5000) {
          return new Promise((res, rej) => {
            const w = () => {
              if (frames.length) { clearTimeout(tt); res(frames.shift()); return true; }
              if (ended) { clearTimeout(tt); rej(new Error('connection ended')); return true; }
              return false;
            };
            const tt = setTimeout(() => { waiters = waiters.filter((x) => x !== w); rej(new Error(`timeout (${ms} ms) waiting for a frame`)); }, ms);
            if (!w()) waiters.push(w);
          });
        },
        // Wait for a close frame (skipping data frames) or the end of TCP.
        closed(ms = 5000) {
          return new Promise((res, rej) => {
            const w = () => {
              while (frames.length) {
                const f = frames.shift();
                if (f.opcode === 8) {
                  clearTimeout(tt);
                  res(f.payload.length >= 2
                    ? { code: f.payload.readUInt16BE(0), reason: f.payload.subarray(2).toString() }
                    : { code: null, reason: '' });
                  return true;
                }
              }
              if (ended) { clearTimeout(tt); res(null); return true; }
              return false;
            };
            const tt = setTimeout(() => { waiters = waiters.filter((x) => x !== w); rej(new Error(`timeout (${ms} ms) waiting for close`)); }, ms);
            if (!w()) waiters.push(w);
          });
        },
        ended: () => ended,
        destroy: () => sock.destroy(),
      });
    };
    sock.on('data', onHead);
    sock.once('error', (e) => { clearTimeout(t); reject(e); });
  });
}
