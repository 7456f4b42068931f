// Issue 16 in the browser: the official bundle socket.io.msgpack.min.js
// (socket.io-client 4.8 with socket.io-msgpack-parser built in, shipped in
// the socket.io-client package) in headless Chromium against the server
// under test ($SIO_ECHO_CMD, default $SIO_BUILD/echo) started with
// `--parser msgpack --cors <page origin>`. The page and the bundle come from
// a small http server of this test on another free port, so polling is
// cross-origin (CORS) and WebSocket is not subject to it.
//
//   SIO_ECHO_CMD="node tests/node/echo_server.mjs" node --test tests/browser/msgpack.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launchChromium } from './chromium.mjs';
import { startServer } from '../interop/lib.mjs';

const BUNDLE = fileURLToPath(new URL('../node_modules/socket.io-client/dist/socket.io.msgpack.min.js', import.meta.url));
const T = { timeout: 30000 };

const PAGE = `<!doctype html><meta charset="utf-8"><title>sio msgpack test</title>
<script src="/socket.io.msgpack.min.js"></script>
<script>
window.waitEvent = (em, ev, ms = 5000) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('timeout waiting for ' + ev)), ms);
  em.once(ev, (...a) => { clearTimeout(t); resolve(a); });
});
window.connected = (s, ms = 5000) => s.connected ? Promise.resolve() : new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('connect timeout')), ms);
  s.once('connect', () => { clearTimeout(t); resolve(); });
  s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
});
// All ack arguments, bounded.
window.ackAll = (s, ...args) => new Promise((resolve, reject) =>
  s.timeout(5000).emit(...args, (err, ...a) => err ? reject(err) : resolve(a)));
window.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
window.hex = (b) => Array.from(new Uint8Array(b)).map((x) => x.toString(16).padStart(2, '0')).join('');
// A JSON-able picture of a value: binary as "ab:<hex>" (ArrayBuffer) or
// "u8:<hex>", non-finite numbers and -0 by name.
window.desc = (v) => v instanceof ArrayBuffer ? 'ab:' + hex(v)
  : ArrayBuffer.isView(v) ? 'u8:' + hex(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength))
  : Array.isArray(v) ? v.map(desc)
  : typeof v === 'number' && !Number.isFinite(v) ? 'num:' + String(v)
  : typeof v === 'number' && Object.is(v, -0) ? 'num:-0'
  : v === undefined ? 'undefined'
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, desc(x)]))
  : v;
</script><p>msgpack test page</p>`;

let pageServer, srv, browser, page, pageOrigin;
const pageErrors = [];

before(async () => {
  pageServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else if (url.pathname === '/socket.io.msgpack.min.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(fs.readFileSync(BUNDLE));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  srv = await startServer(undefined, ['--parser', 'msgpack', '--cors', pageOrigin]);
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${pageOrigin}/`);
  assert.equal(await page.evaluate(() => typeof window.io), 'function');
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  await srv?.stop();
  if (pageServer) { pageServer.closeAllConnections?.(); await new Promise((r) => pageServer.close(() => r())); }
});

const run = (fn, arg) => page.evaluate(fn, arg);
const serverUrl = () => srv.url;

for (const [label, transports] of [['websocket', ['websocket']], ['polling', ['polling']], ['upgrade', undefined]]) {
  test(`connects over ${label}, auth {}, an event with an ack, -back events`, T, async () => {
    const r = await run(async ({ url, transports }) => {
      const s = io(url, { transports, forceNew: true, reconnection: false });
      const upgrades = [];
      s.io.on('open', () => s.io.engine.on('upgrade', (t) => upgrades.push(t.name)));
      const auth = waitEvent(s, 'auth');
      await connected(s);
      const out = { auth: (await auth)[0] };
      if (!transports) { for (let i = 0; i < 50 && !upgrades.length; i++) await sleep(50); }
      out.echo = await ackAll(s, 'echo', 'ñ€😀𝄞', 42, -1.5, null, true, { a: [1, { b: 'ß' }] }, [], {});
      out.numbers = desc(await ackAll(s, 'echo', NaN, Infinity, -Infinity, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 63), 2 ** 64 - 1, 0.1));
      const back = waitEvent(s, 'ev-back');
      s.emit('ev', 'x', { y: [1, 2] });
      out.back = await back;
      out.transport = s.io.engine.transport.name;
      out.upgrades = upgrades;
      s.disconnect();
      return out;
    }, { url: serverUrl(), transports });
    assert.deepEqual(r.auth, {});
    assert.deepEqual(r.echo, ['ñ€😀𝄞', 42, -1.5, null, true, { a: [1, { b: 'ß' }] }, [], {}]);
    // The browser build of notepack follows the same integer rules as the Node one.
    assert.deepEqual(r.numbers, ['num:NaN', 'num:Infinity', 'num:-Infinity', 9007199254740991, 9007199254740994, -9223372036854775808, 0, 0.1]);
    assert.deepEqual(r.back, ['x', { y: [1, 2] }]);
    assert.equal(r.transport, label === 'polling' ? 'polling' : 'websocket');
    assert.deepEqual(r.upgrades, label === 'upgrade' ? ['websocket'] : []);
  });
}

for (const transports of [['websocket'], ['polling']]) {
  const tn = transports[0];
  test(`binary both ways, nested, in acks and server asks (${tn})`, T, async () => {
    const r = await run(async ({ url, transports }) => {
      const s = io(url, { transports, forceNew: true, reconnection: false });
      await connected(s);
      const out = {};
      const ab = new Uint8Array([1, 2, 3]).buffer;
      const big = new Uint8Array(300 * 1024).map((_, i) => i & 0xff).buffer;
      // The browser bundle writes an ArrayBuffer as msgpack bin and reads bin as ArrayBuffer.
      out.echo = desc(await ackAll(s, 'echo', ab, { nested: [new ArrayBuffer(0), { deeper: ab }], txt: 'ü' }));
      const [bigBack] = await ackAll(s, 'echo', big);
      out.big = [bigBack instanceof ArrayBuffer, bigBack.byteLength, hex(bigBack.slice(0, 4)), hex(bigBack.slice(-2))];
      const back = waitEvent(s, 'bin-back');
      s.emit('bin', [[ab]], { k: ab });
      out.back = desc(await back);
      // Server -> browser with an ack: the ack carries binary too.
      s.once('q', (...a) => { const cb = a.pop(); out.q = desc(a); cb({ reply: new Uint8Array([7, 8]).buffer }, 'ok'); });
      const askBack = waitEvent(s, 'ask-back', 6000);
      s.emit('ask', 'q', ab, 5);
      out.askBack = desc(await askBack);
      s.disconnect();
      return out;
    }, { url: serverUrl(), transports });
    assert.deepEqual(r.echo, ['ab:010203', { nested: ['ab:', { deeper: 'ab:010203' }], txt: 'ü' }]);
    assert.deepEqual(r.big, [true, 300 * 1024, '00010203', 'feff']);
    assert.deepEqual(r.back, [[['ab:010203']], { k: 'ab:010203' }]);
    assert.deepEqual(r.q, ['ab:010203', 5]);
    assert.deepEqual(r.askBack, [{ reply: 'ab:0708' }, 'ok']);
  });
}

test('/custom, auth as a map, and connect errors as the bundle sees them', T, async () => {
  const r = await run(async (url) => {
    const out = {};
    const c = io(url + '/custom', { forceNew: true, reconnection: false, auth: { who: 'browser', n: 5000000000, t: '漢字' } });
    const a = waitEvent(c, 'auth');
    await connected(c);
    out.auth = (await a)[0];
    out.echo = await ackAll(c, 'echo', 'in custom');
    c.disconnect();
    for (const nsp of ['/', '/custom']) {
      const d = io(url + nsp, { forceNew: true, reconnection: false, auth: { deny: 'no entry 🚫' } });
      const [err] = await waitEvent(d, 'connect_error');
      out[nsp] = [err instanceof Error, err.message, err.data === undefined];
      d.disconnect();
    }
    const n = io(url + '/nope', { forceNew: true, reconnection: false });
    out.nope = (await waitEvent(n, 'connect_error'))[0].message;
    n.disconnect();
    return out;
  }, serverUrl());
  assert.deepEqual(r.auth, { who: 'browser', n: 5000000000, t: '漢字' });
  assert.deepEqual(r.echo, ['in custom']);
  assert.deepEqual(r['/'], [true, 'no entry 🚫', true]);
  assert.deepEqual(r['/custom'], [true, 'no entry 🚫', true]);
  assert.equal(r.nope, 'Invalid namespace');
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(pageErrors, []);
});
