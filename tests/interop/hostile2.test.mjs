// Hostile input, second round (issue 20): one describe per numbered point
// of the issue, each proving its fix end to end against the built programs.
//  1. a held polling GET with an endless header pipelined behind it: 431 and
//     a close, memory bounded; bytes trickling in behind a held GET do not
//     keep the connection past --http-timeout (a held GET alone still is)
//  2. no quadratic path: an event with N arguments (build/echo, and siocat
//     printing it), N rooms joined then left, N ask timeouts firing at once;
//     each measured as the ratio of the cost per item at the large size to
//     the cost per item at the small one, never as an absolute time
//  3. CORS with credentials never names a foreign origin back
//  4. a FIFO under build/stream's --dir is refused both ways, and the
//     server goes on serving another client meanwhile
//  5. a sid with CR LF from a server never reaches siocat's request lines
//  6. a ping flood from a server that never takes a POST: siocat stays
//     bounded (its send queue cap, max_output) and says why it dropped
//  7. pingInterval = pingTimeout = 2^63-1 against the UBSan client
//  8. an empty (or junk) DNS datagram does not end a lookup
//  9. build/norandom/echo (no usable random source) refuses to start
// Fake servers (HTTP on node:net, DNS on node:dgram) live in this file; the
// real ones are $SIO_BUILD/echo, stream, siocat, client_driver,
// norandom/echo and ubsan/client_driver. Only 127.0.0.1 and free ports.
// RSS checks are skipped under SIO_*_CMD overrides and instrumented builds.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import ss from 'socket.io-stream';
import { stoppedAfterEach } from './driver.mjs';
import {
  ROOT, BUILD, commandFrom, echoCommand, startServer, sleep, withTimeout, handshake, post, poll, request, frame,
  FrameReader,
} from './lib.mjs';

const S = '/socket.io/';
const MiB = 1 << 20;
const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;

// Everything a test starts is stopped by afterEach, failing or not.
const { cleanups, Driver } = stoppedAfterEach();


async function echo(args = []) {
  const srv = await startServer(echoCommand(), args);
  cleanups.push(() => srv.stop());
  return srv;
}

// ------------------------------------------------------------------ helpers

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
// ASan (libasan mapped, or static: its shadow at 0x7fff8000) or valgrind.
function instrumented(pid) {
  try {
    const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
    const exe = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /libasan|valgrind|memcheck/.test(maps) || /valgrind|\/asan\//.test(exe) || /^7fff8000-/m.test(maps);
  } catch {
    return true;
  }
}
const rssMeaningful = (envName, pid) => !process.env[envName]?.trim() && !instrumented(pid);

// Samples a process's RSS every 20 ms; `over` (optional) is called once the
// peak passes `limit`. Returns stop() -> peak.
function sampleRss(pid, limit = Infinity, over = () => {}) {
  let peak = rssOf(pid);
  let fired = false;
  const t = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
    if (peak > limit && !fired) { fired = true; over(peak); }
  }, 20);
  cleanups.push(() => clearInterval(t));
  return () => { clearInterval(t); return Math.max(peak, rssOf(pid)); };
}

async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timeout (${ms} ms): ${what}`);
    await sleep(20);
  }
}

// A child process whose stdout and stderr are gathered; `p.until(pred)`
// waits (bounded) for a condition on them, `p.result(ms)` for the exit.
// Lines of stdout are counted as they come (events of 200 kB each).
function run(argv, { input = null } = {}) {
  const [exe, ...rest] = argv;
  if (exe.includes('/') && !fs.existsSync(path.resolve(ROOT, exe))) {
    throw new Error(`${exe} does not exist (build it, or set the *_CMD variable)`);
  }
  const child = spawn(exe, rest, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, out: [], outLen: 0, nlines: 0, lineAt: [], err: '', waiters: [] };
  const wake = () => { p.waiters = p.waiters.filter((w) => !w()); };
  child.stdout.on('data', (d) => {
    const now = performance.now();
    if (p.outLen < 64 * MiB) { p.out.push(d); p.outLen += d.length; }
    for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) { p.nlines++; p.lineAt.push(now); }
    wake();
  });
  child.stderr.on('data', (d) => { p.err += d; if (p.err.length > 1e6) p.err = p.err.slice(-500000); wake(); });
  child.stdin.on('error', () => {});
  p.exited = new Promise((res) => child.once('exit', (code, signal) => { p.code = code; p.signal = signal; res({ code, signal }); wake(); }));
  p.text = () => Buffer.concat(p.out).toString();
  p.alive = () => child.exitCode === null && child.signalCode === null;
  p.until = (pred, ms = 5000, what = 'output') => new Promise((resolve, reject) => {
    const w = () => { if (pred(p)) { clearTimeout(t); resolve(); return true; } return false; };
    const t = setTimeout(() => {
      p.waiters = p.waiters.filter((x) => x !== w);
      reject(new Error(`timeout (${ms} ms) waiting for ${what}; stdout: ${p.text().slice(0, 200)}\nstderr: ${p.err.slice(-1000)}`));
    }, ms);
    if (!w()) p.waiters.push(w);
  });
  p.result = (ms = 5000) => withTimeout(p.exited, ms, `${path.basename(exe)} exits; stderr: ${p.err.slice(-2000)}`);
  if (input !== null) child.stdin.end(input);
  cleanups.push(async () => {
    if (p.alive()) {
      child.kill('SIGKILL');
      await p.exited;
    }
  });
  return p;
}

// A raw WebSocket into /socket.io/ past the Engine.IO open, and (connect:
// true) past CONNECT of "/" and (auth: true) echo's "auth" event. `on(fn)` gets every
// text message as (string, time); pings are answered. `next(pred, ms)` is
// the first text message from now on that satisfies pred.
async function sioWs(port, { connect = true, auth = true, timeout = 5000 } = {}) {
  const sock = net.connect(port, '127.0.0.1');
  cleanups.push(() => sock.destroy());
  sock.on('error', () => {});
  const key = crypto.randomBytes(16).toString('base64');
  const listeners = new Set();
  const reader = new FrameReader();
  const ws = { socket: sock, ended: false };
  let head = Buffer.alloc(0);
  let opened;
  const open = new Promise((res, rej) => { opened = { res, rej }; });
  const t = setTimeout(() => opened.rej(new Error('websocket handshake timeout')), timeout);
  sock.on('close', () => { ws.ended = true; for (const l of listeners) l(null, performance.now()); });
  const onFrames = (d) => {
    const now = performance.now();
    for (const f of reader.push(d)) {
      if (f.opcode !== 1) continue;
      const s = f.payload.toString();
      if (s === '2') sock.write(frame(1, '3'));
      for (const l of [...listeners]) l(s, now);
    }
  };
  sock.on('data', function onHead(d) {
    head = Buffer.concat([head, d]);
    const i = head.indexOf('\r\n\r\n');
    if (i < 0) return;
    sock.off('data', onHead);
    clearTimeout(t);
    if (!/^HTTP\/1\.1 101/.test(head.toString('latin1'))) { opened.rej(new Error(`upgrade refused: ${head.toString('latin1', 0, 80)}`)); return; }
    sock.on('data', onFrames);
    opened.res();
    onFrames(head.subarray(i + 4));
  });
  ws.on = (fn) => { listeners.add(fn); return () => listeners.delete(fn); };
  ws.next = (pred, ms = 5000, what = 'a message') => new Promise((resolve, reject) => {
    const off = ws.on((s, at) => {
      if (s === null) { off(); clearTimeout(tt); reject(new Error(`connection ended waiting for ${what}`)); return; }
      if (pred(s)) { off(); clearTimeout(tt); resolve({ text: s, at }); }
    });
    const tt = setTimeout(() => { off(); reject(new Error(`timeout (${ms} ms) waiting for ${what}`)); }, ms);
  });
  ws.send = (...texts) => sock.write(Buffer.concat(texts.map((x) => frame(1, Buffer.from(x)))));
  ws.sendFrames = (bytes) => sock.write(bytes);
  const first = ws.next((s) => s[0] === '0', timeout, 'the open packet');
  sock.on('connect', () => {
    sock.write(`GET ${S}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
  await open;
  await first;
  if (connect) {
    const c = ws.next((s) => s.startsWith('40{'), timeout, 'CONNECT answer');
    const a = auth && ws.next((s) => s.startsWith('42["auth"'), timeout, 'auth event');
    ws.send('40');
    await c;
    if (a) await a;
  }
  return ws;
}

// A raw HTTP/1.1 server on node:net (no parser of Node's to tidy what
// arrives): `handle(req, res)` gets each request {method, target, head,
// body} in order; res.reply(body, {status, headers}) answers it, or it is
// left unanswered (held). Every byte received is kept in `raw`.
async function fakeHttp(handle) {
  const srv = { raw: [], requests: [], conns: new Set() };
  const server = net.createServer((c) => {
    srv.conns.add(c);
    c.on('close', () => srv.conns.delete(c));
    c.on('error', () => {});
    let buf = Buffer.alloc(0);
    c.on('data', (d) => {
      srv.raw.push(d);
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.subarray(0, i).toString('latin1');
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < i + 4 + len) return;
        const body = buf.subarray(i + 4, i + 4 + len);
        buf = buf.subarray(i + 4 + len);
        const [method, target] = head.split('\r\n')[0].split(' ');
        const req = { method, target, head, body, socket: c };
        srv.requests.push(req);
        handle(req, {
          reply(b, { status = 200, headers = {} } = {}) {
            const data = Buffer.isBuffer(b) ? b : Buffer.from(b);
            let h = `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain; charset=UTF-8\r\n` +
              `Content-Length: ${data.length}\r\nConnection: keep-alive\r\n`;
            for (const [k, v] of Object.entries(headers)) h += `${k}: ${v}\r\n`;
            if (!c.destroyed) c.write(Buffer.concat([Buffer.from(`${h}\r\n`, 'latin1'), data]));
          },
        });
      }
    });
  });
  await withTimeout(new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); }), 5000, 'listen');
  srv.port = server.address().port;
  srv.url = `http://127.0.0.1:${srv.port}`;
  srv.close = () => new Promise((res) => { for (const c of srv.conns) c.destroy(); server.close(() => res()); });
  srv.rawText = () => Buffer.concat(srv.raw).toString('latin1');
  cleanups.push(() => srv.close());
  return srv;
}

const openPacket = (o) => `0${JSON.stringify({ upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000, ...o })}`;

// The cost per item at `large` against the cost per item at `small`.
// measure(n, ms) resolves the ms that n items took, and gives up (rejects)
// after `ms`. The small size runs more often (it is the noisier one), after
// one warm-up run; the best run of each counts. Linear work gives a ratio
// near or below 1 (fixed costs weigh more at the small size); quadratic
// work gives about large/small. A large run may take 3 * bound times what
// the small size's cost per item predicts (at least 2 s, at most 15 s):
// past that the ratio is over the bound anyway, and waiting for a stalled
// server to finish proves nothing more.
async function perItemRatio(t, what, measure, { small, large, smallRuns = 5, largeRuns = 2, bound = 10, warmup = true }) {
  if (warmup) await measure(small, 30000);
  const ts = [];
  for (let i = 0; i < smallRuns; i++) ts.push(await measure(small, 30000));
  const ps = Math.min(...ts) / small;
  const deadline = Math.round(Math.min(15000, Math.max(2000, 3 * bound * ps * large)));
  const tl = [];
  for (let i = 0; i < largeRuns; i++) {
    try {
      tl.push(await measure(large, deadline));
    } catch (e) {
      t.diagnostic(`${what}: ${small} items ${ts.map((x) => x.toFixed(1)).join('/')} ms; ${large} items: ${e.message}`);
      assert.fail(`${what}: ${large} items not done within ${deadline} ms, over ${(deadline / (ps * large)).toFixed(0)}x ` +
        `the cost per item at ${small} (${(ps * 1000).toFixed(2)} µs)`);
    }
  }
  const pl = Math.min(...tl) / large;
  const ratio = pl / ps;
  t.diagnostic(`${what}: ${small} items ${ts.map((x) => x.toFixed(1)).join('/')} ms, ` +
    `${large} items ${tl.map((x) => x.toFixed(1)).join('/')} ms; per item ${(ps * 1000).toFixed(2)} µs ` +
    `-> ${(pl * 1000).toFixed(2)} µs, ratio ${ratio.toFixed(2)} (quadratic would be ~${large / small})`);
  assert.ok(ratio < bound, `${what}: cost per item grew ${ratio.toFixed(1)}x from ${small} to ${large} items`);
  return ratio;
}

const zeros = (n) => new Array(n).fill('0').join(',');

// ===================================================================== 1

describe('1. a held polling GET with an endless header behind it', () => {
  // A Socket.IO polling session past CONNECT, its queue drained: the next
  // GET is held.
  async function drainedSession(port) {
    const { sid } = await handshake(port, S);
    assert.equal((await post(port, S, sid, '40')).text, 'ok');
    assert.match((await poll(port, S, sid)).text, /^40\{"sid":/);
    return sid;
  }

  // One keep-alive connection carrying the held GET; resolves once the GET
  // has gone 300 ms without an answer (it is held).
  async function heldGet(port, sid) {
    const sock = net.connect(port, '127.0.0.1');
    cleanups.push(() => sock.destroy());
    const c = { sock, data: Buffer.alloc(0), closed: false, closedAt: 0, error: null };
    sock.on('data', (d) => { c.data = Buffer.concat([c.data, d]); });
    sock.on('close', () => { c.closed = true; c.closedAt = performance.now(); });
    sock.on('error', (e) => { c.error = e.code; });
    await withTimeout(new Promise((r) => sock.once('connect', r)), 5000, 'connect');
    sock.write(`GET ${S}?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: h\r\n\r\n`);
    await sleep(300);
    assert.equal(c.data.length, 0, `the GET is held (nothing queued): got ${c.data.toString('latin1', 0, 100)}`);
    assert.equal(c.closed, false);
    return c;
  }
  const statuses = (buf) => [...buf.toString('latin1').matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
  const PIPELINED = `GET ${S}?EIO=4&transport=polling HTTP/1.1\r\nHost: h\r\nX-Pad: `;

  it('20 MiB of one header line behind it -> 431 and closed, RSS grows < 8 MiB', async (t) => {
    const srv = await echo();
    const sid = await drainedSession(srv.port);
    const c = await heldGet(srv.port, sid);
    const pid = srv.process.pid;
    const before = rssOf(pid);
    const stop = sampleRss(pid);
    c.sock.write(PIPELINED);
    const chunk = Buffer.alloc(64 * 1024, 'p');
    let sent = 0;
    const t0 = performance.now();
    // Stop at the server's first byte: it has decided. 64 KiB every 2 ms,
    // not as fast as possible: a server that closes with unread input in
    // its socket resets the connection (as Node's does), and a reset can
    // discard the 431 before it is read here (see the trickle test below
    // for the deadline, and the report of issue 20 for that reset).
    while (sent < 20 * MiB && !c.closed && !c.data.length && performance.now() - t0 < 20000) {
      if (!c.sock.write(chunk)) {
        await withTimeout(new Promise((r) => { c.sock.once('drain', r); c.sock.once('close', r); }), 10000, 'drain')
          .catch(() => {});
      }
      sent += chunk.length;
      await sleep(2);
    }
    await until(() => c.closed, 5000, 'the server closes the connection').catch(() => {});
    const peak = stop();
    const got = statuses(c.data);
    t.diagnostic(`sent ${mib(sent)} in ${Math.round(performance.now() - t0)} ms, answers ${JSON.stringify(got)}, ` +
      `closed ${c.closed}${c.error ? ` (${c.error})` : ''}, RSS ${mib(before)} -> peak ${mib(peak)}`);
    // The held GET's own answer may come first; a 431 must come, then the close.
    assert.ok(got.includes(431), `a 431 (got ${JSON.stringify(got)} after ${mib(sent)}: ${c.data.toString('latin1', 0, 200)})`);
    assert.ok(got.every((s) => s === 200 || s === 431), JSON.stringify(got));
    assert.ok(c.closed, 'the connection is closed');
    if (!rssMeaningful('SIO_ECHO_CMD', pid)) {
      t.diagnostic('RSS not checked (SIO_ECHO_CMD override or instrumented server)');
    } else {
      assert.ok(peak - before < 8 * MiB, `RSS grew ${mib(peak - before)} (${mib(before)} -> ${mib(peak)}) while ${mib(sent)} were sent`);
    }
    // and the server is fine
    const { sid: sid2 } = await handshake(srv.port, S);
    assert.ok(sid2);
  });

  it('bytes trickling in behind a held GET do not keep it past --http-timeout 1000', async (t) => {
    const srv = await echo(['--http-timeout', '1000']);
    const sid = await drainedSession(srv.port);
    const c = await heldGet(srv.port, sid);
    const t0 = performance.now();
    c.sock.write(PIPELINED);
    while (!c.closed && performance.now() - t0 < 6000) {
      c.sock.write('p');
      await sleep(100);
    }
    const ms = c.closed ? c.closedAt - t0 : null;
    t.diagnostic(`closed after ${ms === null ? 'never (6 s)' : `${Math.round(ms)} ms`}; answers ${JSON.stringify(statuses(c.data))}`);
    assert.ok(c.closed, 'closed within 6 s although bytes kept coming');
    assert.ok(ms < 4000, `closed after ${Math.round(ms)} ms`);
  });

  it('a held GET alone is still held past --http-timeout (a long-poll is no slow request)', async (t) => {
    const srv = await echo(['--http-timeout', '1000', '--ping-interval', '2500', '--ping-timeout', '5000']);
    const sid = await drainedSession(srv.port);
    const c = await heldGet(srv.port, sid);
    const t0 = performance.now();
    await until(() => c.data.includes('\r\n\r\n2') || c.closed, 6000, 'the ping answers the held GET');
    t.diagnostic(`answered after ${Math.round(performance.now() - t0 + 300)} ms: ${JSON.stringify(c.data.toString('latin1').split('\r\n')[0])}`);
    assert.equal(c.closed, false, 'not closed by the request deadline');
    assert.deepEqual(statuses(c.data), [200]);
    assert.ok(c.data.toString('latin1').endsWith('\r\n\r\n2'), c.data.toString('latin1'));
  });
});

// ===================================================================== 2

describe('2. no quadratic path (cost per item, 100 000 against 1 000)', { concurrency: false }, () => {
  it('(a) echo: one event with N arguments, sent back as e-back', async (t) => {
    const srv = await echo(['--max-payload', '4000000']);
    const ws = await sioWs(srv.port);
    const measure = async (n, ms) => {
      const pkt = `42["e",${zeros(n)}]`;
      const want = `42["e-back",${zeros(n)}]`;
      const got = ws.next((s) => s.startsWith('42["e-back"'), ms, `e-back with ${n} arguments`);
      const t0 = performance.now();
      ws.send(pkt);
      const { text, at } = await got;
      assert.equal(text.length, want.length);
      assert.equal(text, want);
      return at - t0;
    };
    await perItemRatio(t, 'echo, N arguments', measure, { small: 1000, large: 100000 });
  });

  it('(b) siocat -l: printing one event with N arguments', async (t) => {
    const p = run([...commandFrom('SIO_SIOCAT_CMD', 'siocat'), '-l', '0', '--host', '127.0.0.1']);
    await p.until((x) => /listening on port \d+/.test(x.err), 5000, 'listening');
    const port = Number(/listening on port (\d+)/.exec(p.err)[1]);
    const ws = await sioWs(port, { auth: false });
    const measure = async (n, ms) => {
      const lines = p.nlines;
      const t0 = performance.now();
      ws.send(`42["e",${zeros(n)}]`);
      await p.until((x) => x.nlines > lines, ms, `siocat prints the event with ${n} arguments`);
      return p.lineAt[lines] - t0;
    };
    await perItemRatio(t, 'siocat, N arguments', measure, { small: 1000, large: 100000 });
    const last = p.text().trimEnd().split('\n').pop();
    assert.equal(last, `["e",${zeros(100000)}]`);
  });

  it('(c) echo: N joins of distinct rooms by one socket, then its disconnect', async (t) => {
    const srv = await echo();
    let run0 = 0;
    const leaves = {};
    const measure = async (n, ms) => {
      const ws = await sioWs(srv.port);
      const tag = `r${run0++}-`;
      const parts = [];
      for (let i = 0; i < n; i++) parts.push(frame(1, Buffer.from(`42["join","${tag}${i}"]`)));
      parts.push(frame(1, Buffer.from('421["sync"]')));
      const bytes = Buffer.concat(parts);
      const acked = ws.next((s) => s === '431[]', ms, `the ack after ${n} joins`);
      const t0 = performance.now();
      ws.sendFrames(bytes);
      const { at } = await acked;
      // Leave the namespace (every room goes) and come back: the CONNECT
      // answer comes once the leaving is done, on the same connection.
      const back = ws.next((s) => s.startsWith('40{'), ms, `CONNECT answer after leaving ${n} rooms`);
      const t1 = performance.now();
      ws.send('41', '40');
      const { at: at2 } = await back;
      (leaves[n] ||= []).push(at2 - t1);
      ws.socket.destroy();
      return at - t0;
    };
    await perItemRatio(t, 'joins', measure, { small: 1000, large: 100000 });
    const ps = Math.min(...leaves[1000]) / 1000;
    const pl = Math.min(...leaves[100000]) / 100000;
    t.diagnostic(`disconnect from N rooms: 1000: ${leaves[1000].map((x) => x.toFixed(1)).join('/')} ms, ` +
      `100000: ${leaves[100000].map((x) => x.toFixed(1)).join('/')} ms, ratio per item ${(pl / ps).toFixed(2)}`);
    assert.ok(pl / ps < 10, `leaving N rooms: cost per item grew ${(pl / ps).toFixed(1)}x`);
  });

  it('(d) echo: N unanswered asks whose 5 s timeouts fire together; a good client is answered meanwhile', async (t) => {
    // echo's ask has a fixed 5 s timeout (no option for it): each run costs
    // 5 s of waiting, so the small size runs twice and the large once, with
    // no warm-up run.
    const srv = await echo();
    const good = await sioWs(srv.port);
    const measure = async (n, ms) => {
      const asker = await sioWs(srv.port);
      let asked = 0;
      let timedOut = 0;
      asker.on((s) => {
        if (s === null) return;
        if (/^42\d+\["q"\]$/.test(s)) asked++;
        else if (s === '42["ask-back","timeout"]') timedOut++;
      });
      const t0 = performance.now();
      asker.sendFrames(Buffer.concat(Array.from({ length: n }, () => frame(1, Buffer.from('42["ask","q"]')))));
      await until(() => asked === n, 20000, `${n} asks reach the asker`);
      const tAsked = performance.now();
      // Probe from 200 ms before the first deadline until the last timeout
      // is in: a short window, so that a noise spike rarely lands in it.
      await sleep(Math.max(0, t0 + 4800 - performance.now()));
      let worst = 0;
      let probes = 0;
      let k = 0;
      const end = performance.now() + 30000;
      let doneAt = 0;
      while (performance.now() < end) {
        if (timedOut === n && !doneAt) doneAt = performance.now();
        if (doneAt && performance.now() - doneAt > 200) break;
        k++;
        const acked = good.next((s) => s === `43${k}[${k}]`, ms, `ack ${k} of the good client`);
        const s0 = performance.now();
        good.send(`42${k}["probe",${k}]`);
        const { at } = await acked;
        worst = Math.max(worst, at - s0);
        probes++;
        await sleep(5);
      }
      assert.equal(timedOut, n, `every ask timed out (${timedOut} of ${n})`);
      t.diagnostic(`${n} asks: sent and asked in ${Math.round(tAsked - t0)} ms, all timed out ${Math.round(doneAt - t0)} ms ` +
        `after the first was sent; ${probes} probes, slowest ack ${worst.toFixed(1)} ms`);
      asker.socket.destroy();
      return worst;
    };
    await perItemRatio(t, 'ask timeouts (slowest ack of a good client)', measure,
      { small: 1000, large: 100000, smallRuns: 2, largeRuns: 1, warmup: false });
  });
});

// ===================================================================== 3

describe('3. CORS with credentials', () => {
  const hs = `${S}?EIO=4&transport=polling`;
  const preflight = (port, origin) => request(port, 'OPTIONS', hs, {
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
  });

  it("--cors '*' --cors-credentials: a foreign or null origin gets *, never itself", async () => {
    const srv = await echo(['--cors', '*', '--cors-credentials']);
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1']) {
      for (const r of [await request(srv.port, 'GET', hs, { headers: { Origin: origin } }), await preflight(srv.port, origin)]) {
        assert.ok(r.status === 200 || r.status === 204, `${origin}: ${r.status}`);
        assert.equal(r.headers['access-control-allow-origin'], '*', `${origin}: ${JSON.stringify(r.headers)}`);
      }
    }
    // no Origin at all: the same *
    const r = await request(srv.port, 'GET', hs);
    assert.equal(r.headers['access-control-allow-origin'], '*');
  });

  it('an allow-list with credentials names a listed origin back, gives nothing to the others', async (t) => {
    const srv = await echo(['--cors', 'https://good.example,http://localhost:8080', '--cors-credentials']);
    for (const origin of ['https://good.example', 'http://localhost:8080']) {
      for (const r of [await request(srv.port, 'GET', hs, { headers: { Origin: origin } }), await preflight(srv.port, origin)]) {
        assert.equal(r.headers['access-control-allow-origin'], origin, JSON.stringify(r.headers));
        assert.equal(r.headers['access-control-allow-credentials'], 'true');
        assert.match(r.headers.vary || '', /Origin/i);
      }
    }
    for (const origin of ['https://evil.example', 'null', 'https://good.example.evil', 'https://good.exampl', '*']) {
      for (const r of [await request(srv.port, 'GET', hs, { headers: { Origin: origin } }), await preflight(srv.port, origin)]) {
        assert.equal(r.headers['access-control-allow-origin'], undefined, `${origin}: ${JSON.stringify(r.headers)}`);
        if (r.headers['access-control-allow-credentials']) t.diagnostic(`${origin}: Access-Control-Allow-Credentials without an origin`);
      }
    }
  });
});

// ===================================================================== 4

describe('4. a FIFO under build/stream --dir', () => {
  let tmp;
  let dir;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-h2-'));
    dir = path.join(tmp, 'files');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'small.bin'), crypto.randomBytes(200000));
    const r = spawnSync('mkfifo', [path.join(dir, 'fifo')]);
    assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  function sioConnect(port) {
    const c = ioClient(`http://127.0.0.1:${port}`, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 5000 });
    cleanups.push(() => c.disconnect());
    return withTimeout(new Promise((res, rej) => { c.once('connect', () => res(c)); c.once('connect_error', rej); }), 5000, 'connect');
  }
  const streamError = (c, name, ms) => withTimeout(new Promise((res) => {
    const on = (e) => { if (e?.name === name) { c.off('stream-error', on); res(e); } };
    c.on('stream-error', on);
  }), ms, `stream-error for ${name}`);

  // Another client that keeps transferring small.bin both ways, each
  // transfer acked chunk by chunk by the server; records when each ended.
  function busyClient(c) {
    const b = { done: [], running: true, failed: null, longest: 0 };
    const want = fs.readFileSync(path.join(dir, 'small.bin'));
    let k = 0;
    b.loop = (async () => {
      while (b.running) {
        const t0 = performance.now();
        try {
          const st = ss.createStream();
          const chunks = [];
          ss(c).emit('download', st, { name: 'small.bin' });
          await withTimeout(new Promise((res, rej) => { st.on('data', (d) => chunks.push(d)); st.on('end', res); st.on('error', rej); }), 10000, 'download');
          assert.ok(Buffer.concat(chunks).equals(want), 'download intact');
          const name = `up-${k++ % 3}.bin`;
          const up = ss.createStream();
          const got = withTimeout(new Promise((res) => {
            const on = (u) => { if (u.name === name) { c.off('uploaded', on); res(u); } };
            c.on('uploaded', on);
          }), 10000, 'upload');
          ss(c).emit('upload', up, { name });
          up.end(want);
          assert.equal((await got).size, want.length);
        } catch (e) {
          b.failed = e;
          b.running = false;
          return;
        }
        b.longest = Math.max(b.longest, performance.now() - t0);
        b.done.push(performance.now());
      }
    })();
    return b;
  }

  it('download of the FIFO and upload onto it are refused; another client is served all along', async (t) => {
    const srv = await startServer([path.resolve(ROOT, BUILD, 'stream')], ['--dir', dir]);
    // A server blocked in open() does not answer SIGTERM's loop: stop() kills it.
    cleanups.push(() => srv.stop());
    const [busy, attacker] = await Promise.all([sioConnect(srv.port), sioConnect(srv.port)]);
    const b = busyClient(busy);
    cleanups.push(async () => { b.running = false; await withTimeout(b.loop, 12000, 'busy client').catch(() => {}); });
    await until(() => b.done.length >= 2 || b.failed, 10000, 'the busy client transfers');
    assert.equal(b.failed, null);

    // Nobody holds the FIFO's other end.
    const tA = performance.now();
    const dl = ss.createStream();
    dl.on('error', () => {});
    const dlErr = streamError(attacker, 'fifo', 5000);
    ss(attacker).emit('download', dl, { name: 'fifo' });
    const e1 = await dlErr;
    const up = ss.createStream();
    up.on('error', () => {});
    const upErr = streamError(attacker, 'fifo', 5000);
    ss(attacker).emit('upload', up, { name: 'fifo' });
    up.end(Buffer.from('must not be written'));
    const e2 = await upErr;
    t.diagnostic(`download: ${JSON.stringify(e1)}; upload: ${JSON.stringify(e2)}`);
    assert.ok(e1.message, 'download refused with a reason');
    assert.ok(e2.message, 'upload refused with a reason');

    // A reader holds it open now: an upload could open it at once, and is
    // refused before a byte is written; a download likewise.
    const rfd = fs.openSync(path.join(dir, 'fifo'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    cleanups.push(() => fs.closeSync(rfd));
    const up2 = ss.createStream();
    up2.on('error', () => {});
    const upErr2 = streamError(attacker, 'fifo', 5000);
    ss(attacker).emit('upload', up2, { name: 'fifo' });
    up2.end(Buffer.from('must not be written'));
    const e3 = await upErr2;
    const dl2 = ss.createStream();
    dl2.on('error', () => {});
    const dlErr2 = streamError(attacker, 'fifo', 5000);
    ss(attacker).emit('download', dl2, { name: 'fifo' });
    const e4 = await dlErr2;
    t.diagnostic(`with a reader: upload ${JSON.stringify(e3)}; download ${JSON.stringify(e4)}`);
    await sleep(300);
    let leaked = 0;
    try { leaked = fs.readSync(rfd, Buffer.alloc(65536)); } catch (e) { assert.equal(e.code, 'EAGAIN'); }
    assert.equal(leaked, 0, 'nothing was written into the FIFO');
    assert.ok(fs.statSync(path.join(dir, 'fifo')).isFIFO(), 'the FIFO is still there, untouched');

    // The busy client went on meanwhile and after.
    const n0 = b.done.filter((x) => x > tA).length;
    await until(() => b.done.filter((x) => x > tA).length >= n0 + 2 || b.failed, 10000, 'two more transfers');
    assert.equal(b.failed, null, String(b.failed));
    t.diagnostic(`busy client: ${b.done.length} transfers, longest ${Math.round(b.longest)} ms`);
    assert.ok(b.longest < 3000, `a transfer took ${Math.round(b.longest)} ms`);
  });
});

// ===================================================================== 5

describe('5. CR LF in the sid from a server, against siocat', () => {
  const EVIL = 'h2 HTTP/1.1\r\nX-Injected: yes\r\nX-Pad: ';

  for (const [transport, upgrades] of [['polling', []], ['auto', ['websocket']]]) {
    it(`--transport ${transport}: no raw CR or LF in a request line, no injected header`, async (t) => {
      const srv = await fakeHttp((req, res) => {
        if (req.method === 'GET' && !/[?&]sid=/.test(req.target)) res.reply(openPacket({ sid: EVIL, upgrades }));
        else if (req.method === 'POST') res.reply('ok');
        else if (/upgrade: websocket/i.test(req.head)) req.socket.destroy();
        else setTimeout(() => res.reply('6'), 200);   // a GET with the sid: a noop now and then
      });
      const p = run([...commandFrom('SIO_SIOCAT_CMD', 'siocat'), '--transport', transport, '-v', srv.url]);
      // Its next requests, or its refusal.
      await until(() => srv.requests.length >= 4 || !p.alive(), 5000, 'requests after the handshake').catch(() => {});
      await sleep(300);
      const raw = srv.rawText();
      t.diagnostic(`${srv.requests.length} requests; siocat ${p.alive() ? 'still running' : `exited ${p.code}`}; ` +
        `request lines: ${JSON.stringify(srv.requests.slice(0, 4).map((r) => r.head.split('\r\n')[0]))}`);
      assert.doesNotMatch(raw, /\r\nX-Injected/i, 'an injected header line');
      // Every request line is METHOD TARGET HTTP/1.1 with nothing raw in the target.
      for (const { head } of srv.requests) {
        const line = head.split('\r\n')[0];
        assert.match(line, /^(GET|POST) \/socket\.io\/\?[^\s\x00-\x1f\x7f]+ HTTP\/1\.1$/, JSON.stringify(line));
      }
      const later = srv.requests.filter((r) => /[?&]sid=/.test(r.target));
      if (later.length) {
        // The sid went out %-encoded: it decodes back to what the server said.
        const sid = new URLSearchParams(later[0].target.split('?')[1]).get('sid');
        assert.equal(sid, EVIL);
      } else {
        assert.ok(!p.alive() || /sid/i.test(p.err), `no request with the sid, and no word why: ${p.err}`);
      }
    });
  }
});

// ===================================================================== 6

describe('6. a ping flood from a server that never answers a POST, against siocat', () => {
  it('200 000 pings per GET: siocat stays under 64 MiB and drops the connection with a reason', async (t) => {
    const FLOOD = Buffer.from(Array(200000).fill('2').join('\x1e'));
    let gets = 0;
    const srv = await fakeHttp((req, res) => {
      if (req.method === 'POST') return;                     // never answered
      if (!/[?&]sid=/.test(req.target)) { res.reply(openPacket({ sid: `flood${gets}` })); return; }
      // the first one carries the CONNECT answer too (the "40" POST came,
      // even if it is never answered), so siocat is connected when it drops
      res.reply(gets++ ? FLOOD : Buffer.concat([Buffer.from('40{"sid":"s6"}\x1e'), FLOOD]));
    });
    const p = run([...commandFrom('SIO_SIOCAT_CMD', 'siocat'), '--transport', 'polling', srv.url]);
    const LIMIT = 64 * MiB;
    let killedAt = 0;
    // Far past the bound: stop it before it eats the machine.
    const stop = sampleRss(p.child.pid, 4 * LIMIT, (peak) => { killedAt = peak; p.child.kill('SIGKILL'); });
    const t0 = performance.now();
    await p.until((x) => /disconnected|max_output|send queue|connection (failed|lost)/i.test(x.err) || !x.alive(), 20000,
      'siocat drops the connection').catch(() => {});
    await sleep(300);
    const peak = stop();
    const ms = performance.now() - t0;
    t.diagnostic(`${gets} flood GETs served; peak RSS ${mib(peak)}${killedAt ? ` (killed at ${mib(killedAt)})` : ''}; ` +
      `after ${Math.round(ms)} ms siocat said: ${JSON.stringify(p.err.slice(0, 300))}`);
    assert.equal(killedAt, 0, `siocat grew past ${mib(4 * LIMIT)}: killed`);
    if (rssMeaningful('SIO_SIOCAT_CMD', p.child.pid) || !p.alive()) assert.ok(peak < LIMIT, `peak RSS ${mib(peak)}`);
    assert.match(p.err, /^siocat: disconnected: \S/m, 'the drop is told on stderr');
    assert.ok(gets >= 1);
  });
});

// ===================================================================== 7

describe('7. pingInterval and pingTimeout of 2^63-1, against the UBSan client', () => {
  it('connects, keeps running, no runtime error', async (t) => {
    const exe = path.resolve(ROOT, BUILD, 'ubsan/client_driver');
    if (!fs.existsSync(exe)) {
      t.skip(`${exe} missing: build it with -fsanitize=undefined -fno-sanitize-recover=all (make ${BUILD}/ubsan/client_driver)`);
      return;
    }
    const BIG = '9223372036854775807';
    const posts = [];
    let sent40 = false;
    const srv = await fakeHttp((req, res) => {
      if (req.method === 'GET' && !/[?&]sid=/.test(req.target)) {
        // numbers written by hand: JSON.stringify would round them
        res.reply(`0{"sid":"big","upgrades":[],"pingInterval":${BIG},"pingTimeout":${BIG},"maxPayload":1000000}`);
      } else if (req.method === 'POST') {
        posts.push(req.body.toString());
        res.reply('ok');
      } else if (!sent40 && posts.includes('40')) {
        sent40 = true;
        res.reply('40{"sid":"s1"}');
      } else if (!sent40) {
        setTimeout(() => { if (!sent40 && posts.includes('40')) { sent40 = true; res.reply('40{"sid":"s1"}'); } else res.reply('6'); }, 100);
      }
      // later GETs held: no ping ever comes (the interval is endless)
    });
    const p = run([exe, srv.url, '--transport', 'polling', '--no-reconnect']);
    p.child.stdin.write('open /\n');
    await p.until((x) => /^connect \/ s1$/m.test(x.text()) || !x.alive(), 8000, 'connect');
    assert.ok(p.alive(), `client_driver died: ${p.code ?? p.signal}: ${p.err}`);
    p.child.stdin.write('emit / ["alive",1]\n');
    await until(() => posts.some((b) => b.includes('["alive",1]')) || !p.alive(), 5000, 'the emit reaches the server');
    await sleep(500);
    p.child.stdin.write('ping\n');
    await p.until((x) => /^pong$/m.test(x.text()) || !x.alive(), 3000, 'pong');
    assert.ok(p.alive(), `client_driver died: ${p.code ?? p.signal}: ${p.err}`);
    p.child.stdin.write('quit\n');
    const r = await p.result(5000).catch(() => ({ code: null }));
    t.diagnostic(`posts ${JSON.stringify(posts)}; exit ${r.code}; stderr ${JSON.stringify(p.err.slice(0, 500))}`);
    assert.doesNotMatch(p.err, /runtime error|Sanitizer/);
    assert.equal(r.code, 0);
  });
});

// ===================================================================== 8

describe('8. DNS: empty and junk datagrams do not end a lookup', () => {
  // The fake DNS server of dns.test.mjs, with hostile extras sent before
  // the real answer (A 127.0.0.1; AAAA: no records):
  //   empty.test      an empty datagram first, the answer 100 ms later
  //   junk.test       3 bytes, then a reply with the wrong id, then the answer
  //   emptyonly.test  an empty datagram and nothing more
  let dns;
  let io;
  before(async () => {
    const sock = dgram.createSocket('udp4');
    dns = { queries: [] };
    const readName = (msg, off) => {
      const labels = [];
      while (msg[off]) { labels.push(msg.toString('latin1', off + 1, off + 1 + msg[off])); off += 1 + msg[off]; }
      return { name: labels.join('.'), end: off + 1 };
    };
    sock.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const id = msg.readUInt16BE(0);
      const { name, end } = readName(msg, 12);
      const qtype = msg.readUInt16BE(end);
      dns.queries.push({ id, name, qtype });
      const answer = (replyId) => {
        const h = Buffer.alloc(12);
        h.writeUInt16BE(replyId, 0);
        h.writeUInt16BE(0x8180, 2);
        h.writeUInt16BE(1, 4);
        const rr = [];
        if (qtype === 1) {
          const r = Buffer.alloc(16);
          r.writeUInt16BE(0xc00c, 0);
          r.writeUInt16BE(1, 2);
          r.writeUInt16BE(1, 4);
          r.writeUInt32BE(60, 6);
          r.writeUInt16BE(4, 10);
          Buffer.from([127, 0, 0, 1]).copy(r, 12);
          rr.push(r);
        }
        h.writeUInt16BE(rr.length, 6);
        return Buffer.concat([h, msg.subarray(12, end + 4), ...rr]);
      };
      const send = (b) => sock.send(b, rinfo.port, rinfo.address);
      const lname = name.toLowerCase();
      if (lname === 'empty.test') {
        send(Buffer.alloc(0));
        setTimeout(() => send(answer(id)), 100);
      } else if (lname === 'junk.test') {
        send(Buffer.from([1, 2, 3]));
        send(answer(id ^ 0x5555));
        setTimeout(() => send(answer(id)), 100);
      } else if (lname === 'emptyonly.test') {
        send(Buffer.alloc(0));
      }
    });
    await withTimeout(new Promise((res, rej) => { sock.once('error', rej); sock.bind(0, '127.0.0.1', res); }), 5000, 'dns bind');
    dns.addr = `127.0.0.1:${sock.address().port}`;
    dns.close = () => new Promise((res) => sock.close(res));

    const httpServer = http.createServer();
    const server = new Server(httpServer);
    server.on('connection', (s) => s.on('echo', (...a) => a.pop()(...a)));
    await withTimeout(new Promise((res) => httpServer.listen(0, '127.0.0.1', res)), 5000, 'listen');
    io = { port: httpServer.address().port, close: () => new Promise((res) => server.close(() => res())) };
  });
  after(async () => {
    await io?.close();
    await dns?.close();
  });

  for (const host of ['empty.test', 'junk.test']) {
    it(`${host}: the client still resolves and connects`, async (t) => {
      const t0 = performance.now();
      const d = new Driver(`http://${host}:${io.port}`, ['--dns-server', dns.addr, '--resolve-timeout', '3000', '--no-reconnect']);
      d.send('open /');
      const c = await d.expectAt(/^(connect \/ \S+|connect_error .*)$/, 5000);
      t.diagnostic(`${c.m[1]} after ${Math.round(c.at - t0)} ms`);
      assert.match(c.m[1], /^connect \//);
      d.send('emitack / 3000 ["echo","resolved"]');
      const ack = await d.expectAt(/^ack \/ (.*)$/, 5000);
      assert.deepEqual(JSON.parse(ack.m[1]), ['resolved']);
    });
  }

  it('emptyonly.test: the lookup waits for its deadline, then says it timed out', async () => {
    const t0 = performance.now();
    const d = new Driver(`http://emptyonly.test:${io.port}`, ['--dns-server', dns.addr, '--resolve-timeout', '1500', '--no-reconnect']);
    d.send('open /');
    const e = await d.expectAt(/^connect_error \/ (.*)$/, 5000);
    const took = e.at - t0;
    assert.match(e.m[1], /cannot resolve emptyonly\.test: timed out/);
    assert.ok(took > 1300, `gave up after ${Math.round(took)} ms, before the 1500 ms deadline`);
    // and it kept asking meanwhile (the second round at about 1 s)
    assert.ok(dns.queries.filter((q) => q.name === 'emptyonly.test' && q.qtype === 1).length >= 2, 'asked again');
  });
});

// ===================================================================== 9

describe('9. no random source', () => {
  it('build/norandom/echo exits non-zero at start, names the random source, never listens', async (t) => {
    const exe = path.resolve(ROOT, BUILD, 'norandom/echo');
    if (!fs.existsSync(exe)) {
      t.skip(`${exe} missing (make ${BUILD}/norandom/echo)`);
      return;
    }
    const p = run([exe, '--host', '127.0.0.1', '--port', '0']);
    await p.until((x) => !x.alive() || /listening/.test(x.text() + x.err), 5000, 'an exit').catch(() => {});
    const r = p.alive() ? null : await p.exited;
    const out = p.text();
    t.diagnostic(`${r ? `exit ${r.code}` : 'still running'}; stdout ${JSON.stringify(out)}; stderr ${JSON.stringify(p.err)}`);
    assert.doesNotMatch(out + p.err, /listening/);
    assert.ok(r, 'it exits by itself');
    assert.notEqual(r.code, 0);
    assert.match(p.err, /random/i);
  });
});
