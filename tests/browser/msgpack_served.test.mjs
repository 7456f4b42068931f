// Issue 16 in the browser, with OUR client: the socket.io.js the C server
// serves at /socket.io/socket.io.js, given { parser: 'msgpack' }, in headless
// Chromium, against the server under test ($SIO_ECHO_CMD, default
// $SIO_BUILD/echo) and against the real Node server with the npm
// socket.io-msgpack-parser (tests/node/echo_server.mjs), both started with
// `--parser msgpack --cors <page origin>`. The page comes from a small http
// server of this test on another free port (polling is cross-origin).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { launchChromium } from './chromium.mjs';
import { startServer } from '../interop/lib.mjs';

const T = { timeout: 30000 };

let pageServer, ours, node, browser, page, pageOrigin;
const pageErrors = [];

before(async () => {
  pageServer = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    // the client script comes from the C server, as an application would load it
    res.end(`<!doctype html><meta charset="utf-8"><title>ours, msgpack</title>
<script src="${ours.url}/socket.io/socket.io.js"></script>
<script>
window.connected = (s) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('connect timeout')), 5000);
  s.once('connect', () => { clearTimeout(t); resolve(); });
  s.once('connect_error', (e) => { clearTimeout(t); reject(e); });
});
window.ackAll = (s, ...args) => new Promise((resolve, reject) =>
  s.timeout(5000).emit(...args, (err, ...a) => err ? reject(err) : resolve(a)));
window.next = (s, ev) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error('timeout waiting for ' + ev)), 5000);
  s.once(ev, (...a) => { clearTimeout(t); resolve(a); });
});
window.hex = (b) => Array.from(new Uint8Array(b)).map((x) => x.toString(16).padStart(2, '0')).join('');
window.desc = (v) => v instanceof ArrayBuffer ? 'ab:' + hex(v)
  : v instanceof Date ? 'date:' + v.getTime()
  : Array.isArray(v) ? v.map(desc)
  : typeof v === 'number' && !Number.isFinite(v) ? 'num:' + String(v)
  : v === undefined ? 'undefined'
  : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, desc(x)]))
  : v;
</script><p>msgpack, our client</p>`);
  });
  await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  const args = ['--parser', 'msgpack', '--cors', pageOrigin];
  [ours, node] = await Promise.all([
    startServer(undefined, args),
    startServer([process.execPath, 'tests/node/echo_server.mjs'], args),
  ]);
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${pageOrigin}/`);
  assert.equal(await page.evaluate(() => typeof window.io), 'function');
});

after(async () => {
  if (browser) await browser.close().catch(() => {});
  await Promise.all([ours?.stop(), node?.stop()]);
  if (pageServer) { pageServer.closeAllConnections?.(); await new Promise((r) => pageServer.close(() => r())); }
});

const run = (fn, arg) => page.evaluate(fn, arg);

for (const [who, server] of [['the C server', () => ours], ['the Node server', () => node]]) {
  for (const [label, transports] of [['websocket', ['websocket']], ['polling', ['polling']], ['upgrade', undefined]]) {
    test(`our client, parser msgpack, against ${who} over ${label}: values, binary, undefined and Date, acks both ways`, T, async () => {
      const r = await run(async ({ url, transports }) => {
        const s = io(url, { parser: 'msgpack', transports, forceNew: true, reconnection: false });
        const auth = next(s, 'auth');
        await connected(s);
        const out = { auth: (await auth)[0] };
        out.values = await ackAll(s, 'echo', 'ñ€😀𝄞', 42, -1.5, null, true, { a: [1, { b: 'ß' }] }, [], {},
          2 ** 40, -(2 ** 40), -7);
        out.odd = desc(await ackAll(s, 'echo', NaN, Infinity, undefined, new Date(86400000), { u: undefined, n: 1 }));
        const ab = new Uint8Array([0, 1, 2, 255]).buffer;
        out.bin = desc(await ackAll(s, 'echo', ab, new Uint8Array([9, 8, 7]), { deep: [ab, new ArrayBuffer(0)] }));
        const back = next(s, 'ev-back');
        s.emit('ev', 'x', ab);
        out.back = desc(await back);
        s.on('q', (x, b, cb) => cb(x + '!', b));
        const asked = next(s, 'ask-back');
        s.emit('ask', 'q', 'hi', ab);
        out.asked = desc(await asked);
        out.transport = s.io.engine.transport.name;
        s.disconnect();
        return out;
      }, { url: server().url, transports });
      assert.deepEqual(r.auth, {});
      assert.deepEqual(r.values, ['ñ€😀𝄞', 42, -1.5, null, true, { a: [1, { b: 'ß' }] }, [], {}, 2 ** 40, -(2 ** 40), -7]);
      assert.deepEqual(r.odd, ['num:NaN', 'num:Infinity', 'undefined', 'date:86400000', { u: 'undefined', n: 1 }]);
      assert.deepEqual(r.bin, ['ab:000102ff', 'ab:090807', { deep: ['ab:000102ff', 'ab:'] }]);
      assert.deepEqual(r.back, ['x', 'ab:000102ff']);
      assert.deepEqual(r.asked, ['hi!', 'ab:000102ff']);
      if (transports) assert.equal(r.transport, transports[0]);
      assert.deepEqual(pageErrors, []);
    });
  }
}

test('our client, parser msgpack, against a server with the JSON parser: no connection, no hang', T, async () => {
  const plain = await startServer(undefined, ['--cors', pageOrigin]);
  try {
    const r = await run(async ({ url }) => {
      const s = io(url, { parser: 'msgpack', transports: ['websocket'], forceNew: true, reconnection: false });
      const quiet = (p) => p.catch(() => new Promise(() => {}));   // the losers' timeouts stay silent
      const what = await Promise.race([
        quiet(next(s, 'connect').then(() => 'connected')),
        quiet(next(s, 'disconnect').then(([why]) => `disconnect ${why}`)),
        quiet(next(s, 'connect_error').then(([e]) => `connect_error ${e.message}`)),
        new Promise((res) => setTimeout(() => res('nothing within 6 s'), 6000)),
      ]);
      s.disconnect();
      return what;
    }, { url: plain.url });
    assert.match(r, /^(disconnect|connect_error) /, r);
  } finally {
    await plain.stop();
  }
});
