// Browser test of tools/client/socket.io.js against the real Node socket.io
// server: one http server in this process serves the test page, our client
// at /our-client.js, socket.io at /socket.io/ and a tiny hand-written fake
// Engine.IO server at /fake/ (for what a well-behaved server never does:
// stop pinging, advertise a tiny maxPayload). Headless Chromium runs the
// client via playwright-core.
//
//   cd tests && node --test browser/
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Server } from 'socket.io';
import { launchChromium } from './chromium.mjs';

const CLIENT_JS = fileURLToPath(new URL('../../tools/client/socket.io.js', import.meta.url));
const T = { timeout: 30000 };

// Helpers the page code uses: every wait is bounded.
const PAGE = `<!doctype html><meta charset="utf-8"><title>sio client test</title>
<script src="/our-client.js"></script>
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
window.ack = (s, ...args) => s.timeout(5000).emitWithAck(...args);
// All ack arguments (emitWithAck resolves with the first one only).
window.ackAll = (s, ...args) => new Promise((resolve, reject) =>
  s.timeout(5000).emit(...args, (err, ...a) => err ? reject(err) : resolve(a)));
window.sleep = (ms) => new Promise((r) => setTimeout(r, ms));
window.hex = (b) => Array.from(new Uint8Array(b)).map((x) => x.toString(16).padStart(2, '0')).join('');
</script><p>test page</p>`;

let server, sio, browser, page, base;
const fakeHeld = [];     // pending fake GETs, ended in after()
const fake = {};         // per-mode records of the fake server
const pageErrors = [];

// Minimal polling-only Engine.IO server. Modes (query "mode"):
//   silent: handshake + CONNECT reply, then never pings (client must give up
//           after pingInterval + pingTimeout);
//   small:  maxPayload 120; records every POST body and whether two POSTs
//           ever overlapped.
function fakeEngine(req, res, url) {
  const mode = url.searchParams.get('mode');
  const rec = fake[mode] || (fake[mode] = { posts: [], overlap: false, active: 0, outbox: [] });
  const send = (body) => { res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' }); res.end(body); };
  if (!url.searchParams.get('sid')) {
    const hs = { sid: 'fake' + mode, upgrades: [], pingInterval: mode === 'silent' ? 300 : 20000, pingTimeout: 200,
      maxPayload: mode === 'small' ? 120 : 1000000 };
    send('0' + JSON.stringify(hs));
    return;
  }
  if (req.method === 'POST') {
    rec.active++;
    if (rec.active > 1) rec.overlap = true;
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      // Answer slowly so a client that does not serialise POSTs is caught.
      setTimeout(() => {
        rec.active--;
        rec.posts.push(body);
        for (const p of body.split('\x1e')) if (p === '40') rec.outbox.push('40{"sid":"nsp-' + mode + '"}');
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('ok');
        flushFake(rec);
      }, 30);
    });
    return;
  }
  rec.get = res;
  fakeHeld.push(res);
  flushFake(rec);
}
function flushFake(rec) {
  if (!rec.get || !rec.outbox.length) return;
  const res = rec.get;
  rec.get = null;
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
  res.end(rec.outbox.splice(0).join('\x1e'));
}

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    } else if (url.pathname === '/our-client.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(fs.readFileSync(CLIENT_JS));
    } else if (url.pathname === '/fake/') {
      fakeEngine(req, res, url);
    } else if (!url.pathname.startsWith('/socket.io/')) {
      res.writeHead(404);
      res.end();
    }
  });
  sio = new Server(server, { pingInterval: 400, pingTimeout: 300 });
  sio.on('connection', (socket) => {
    socket.data.got = [];
    socket.onAny((ev, ...args) => socket.data.got.push([ev, ...args.filter((a) => typeof a !== 'function')]));
    socket.emit('welcome', 'Grüße, 世界 🌍');
    socket.on('echo', (...args) => { const cb = args.pop(); cb(...args); });
    socket.on('slow', () => { /* never acks */ });
    socket.on('kick', () => socket.disconnect());
    socket.on('drop-engine', () => { for (const c of Object.values(sio.engine.clients)) c.close(); });
    socket.on('got', (cb) => cb(socket.data.got));
    // Server -> client ack, the answer is reported back through our ack.
    socket.on('ask-me', async (q, cb) => {
      try { cb(await socket.timeout(3000).emitWithAck('question', q)); } catch (e) { cb('server ack error: ' + e.message); }
    });
    socket.on('describe', (...args) => {
      const cb = args.pop();
      const desc = (v) => Buffer.isBuffer(v) ? 'buf:' + v.toString('hex')
        : Array.isArray(v) ? v.map(desc)
          : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, desc(x)])) : v;
      cb(args.map(desc));
    });
    socket.on('binary-please', (cb) => cb(Buffer.from([0, 1, 2, 255]),
      { deep: [1, { b: Buffer.from('hé', 'utf8') }] }, Uint8Array.from([7, 7])));
    socket.on('push-binary', () => socket.emit('pushed', { list: [Buffer.from([5, 6]), 'x'], raw: Buffer.alloc(0) }));
  });
  const admin = sio.of('/admin');
  admin.use((socket, next) => {
    if (socket.handshake.auth.token === 'secret') return next();
    const err = new Error('not authorized');
    err.data = { reason: 'bad token', got: socket.handshake.auth.token ?? null };
    next(err);
  });
  admin.on('connection', (socket) => {
    socket.on('who', (cb) => cb(socket.nsp.name, socket.handshake.auth, socket.handshake.query.room ?? null));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launchChromium();
  page = await browser.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(base + '/');
  assert.equal(await page.evaluate(() => typeof window.io), 'function');
});

after(async () => {
  for (const r of fakeHeld) { try { r.end(); } catch { /* gone */ } }
  if (browser) await browser.close().catch(() => {});
  if (sio) await new Promise((r) => sio.close(() => r())).catch(() => {});
  if (server) { server.closeAllConnections?.(); await new Promise((r) => server.close(() => r())); }
});

// Each page.evaluate gets a fresh copy of the args; results must be JSON-able.
const run = (fn, arg) => page.evaluate(fn, arg);

for (const [label, transports] of [['default', undefined], ['websocket-only', ['websocket']], ['polling-only', ['polling']]]) {
  test(`transport mode ${label}`, T, async () => {
    const r = await run(async (transports) => {
      const s = io({ transports, forceNew: true });
      const upgrades = [];
      s.io.engine.on('upgrade', (t) => upgrades.push(t.name));
      const welcome = waitEvent(s, 'welcome');
      await connected(s);
      const first = s.io.engine.transport.name;
      const [w] = await welcome;
      if (!transports) { for (let i = 0; i < 50 && !upgrades.length; i++) await sleep(50); } else await sleep(300);
      const echoed = await ack(s, 'echo', 'ñ€😀', { a: [1, null, 'ß'] });
      const res = { first, upgrades, now: s.io.engine.transport.name, w, echoed, id: s.id, eid: s.io.engine.id };
      s.disconnect();
      return res;
    }, transports);
    assert.equal(r.w, 'Grüße, 世界 🌍');
    assert.equal(r.echoed, 'ñ€😀');
    assert.notEqual(r.id, r.eid, 'socket id is not the engine id');
    if (label === 'default') {
      assert.deepEqual(r.upgrades, ['websocket']);
      assert.equal(r.now, 'websocket');
    } else if (label === 'websocket-only') {
      assert.deepEqual(r.upgrades, []);
      assert.equal(r.first, 'websocket');
      assert.equal(r.now, 'websocket');
    } else {
      assert.deepEqual(r.upgrades, []);
      assert.equal(r.now, 'polling');
    }
  });
}

for (const transports of [['polling'], ['websocket']]) {
  const tn = transports[0];
  test(`acks both ways, non-ASCII, timeout (${tn})`, T, async () => {
    const r = await run(async (transports) => {
      const s = io({ transports, forceNew: true });
      s.on('question', (q, cb) => cb('answer to ' + q + ' ✓'));
      await connected(s);
      const out = {};
      out.multi = await new Promise((res) => s.emit('echo', 'a', 2, [true, { 'ключ': 'значение' }], (...a) => res(a)));
      out.viaServer = await ack(s, 'ask-me', 'q¿');
      const t0 = Date.now();
      out.timeoutErr = await new Promise((res) => s.timeout(150).emit('slow', 1, (err) => res(err instanceof Error ? err.message : 'no error')));
      out.elapsed = Date.now() - t0;
      out.rejected = await s.timeout(100).emitWithAck('slow').then(() => 'resolved', (e) => 'rejected: ' + e.message);
      out.ackAfterTimeout = await s.timeout(2000).emitWithAck('echo', 'late?');
      out.plain = await s.emitWithAck('echo', 'no timeout flag');
      const any = [];
      s.onAny((ev, ...a) => any.push(ev));
      s.emit('push-binary');
      await waitEvent(s, 'pushed');
      out.any = any;
      s.disconnect();
      return out;
    }, transports);
    assert.deepEqual(r.multi, ['a', 2, [true, { 'ключ': 'значение' }]]);
    assert.equal(r.viaServer, 'answer to q¿ ✓');
    assert.equal(r.timeoutErr, 'operation has timed out');
    assert.ok(r.elapsed >= 140 && r.elapsed < 2000, `elapsed ${r.elapsed}`);
    assert.equal(r.rejected, 'rejected: operation has timed out');
    assert.equal(r.ackAfterTimeout, 'late?');
    assert.equal(r.plain, 'no timeout flag');
    assert.deepEqual(r.any, ['pushed']);
  });

  test(`binary both ways (${tn})`, T, async () => {
    const r = await run(async (transports) => {
      const s = io({ transports, forceNew: true });
      await connected(s);
      const out = {};
      const ab = new Uint8Array([1, 2, 3]).buffer;
      const u8 = new Uint8Array([9, 8, 7, 6]).subarray(1, 3); // a view into a larger buffer
      const blob = new Blob([new Uint8Array([0xca, 0xfe])]);
      out.desc = await ack(s, 'describe', ab, { nested: [u8, { deeper: blob }], txt: 'ü' }, new Float32Array([1.5]));
      // A Blob must be read asynchronously; later emits must not overtake it.
      const acks = [];
      await new Promise((res) => {
        s.emit('echo', new Blob([new Uint8Array(20000).fill(1)]), () => acks.push('blob'));
        s.emit('echo', 'after-blob', () => acks.push('text'));
        s.emit('echo', new Uint8Array([4]), () => { acks.push('u8'); res(); });
      });
      out.acks = acks;
      out.got = (await ack(s, 'got')).map((e) => e[0] + ':' + (typeof e[1] === 'string' ? e[1] : typeof e[1]));
      const back = await ackAll(s, 'binary-please');
      out.back = [back[0] instanceof ArrayBuffer, hex(back[0]), back[1].deep[0], hex(back[1].deep[1].b),
        back[1].deep[1].b instanceof ArrayBuffer, hex(back[2])];
      s.emit('push-binary');
      const [pushed] = await waitEvent(s, 'pushed');
      out.pushed = [hex(pushed.list[0]), pushed.list[1], pushed.raw instanceof ArrayBuffer, pushed.raw.byteLength];
      s.disconnect();
      return out;
    }, transports);
    assert.deepEqual(r.desc, ['buf:010203', { nested: ['buf:0807', { deeper: 'buf:cafe' }], txt: 'ü' }, 'buf:0000c03f']);
    assert.deepEqual(r.acks, ['blob', 'text', 'u8']);
    const order = r.got.filter((g) => g.startsWith('echo:'));
    assert.deepEqual(order, ['echo:object', 'echo:after-blob', 'echo:object']);
    assert.deepEqual(r.back, [true, '000102ff', 1, '68c3a9', true, '0707']);
    assert.deepEqual(r.pushed, ['0506', 'x', true, 0]);
  });

  test(`reconnect after the server drops the engine, buffered emits (${tn})`, T, async () => {
    const r = await run(async (transports) => {
      const s = io({ transports, forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 300 });
      const log = [];
      s.io.on('reconnect_attempt', (n) => log.push('attempt ' + n));
      s.io.on('reconnect', (n) => log.push('reconnect ' + n));
      s.on('disconnect', (reason) => log.push('disconnect ' + reason));
      await connected(s);
      const id1 = s.id;
      const gone = waitEvent(s, 'disconnect');
      s.emit('drop-engine');
      await gone;
      const state = [s.connected, s.disconnected, s.id === undefined, s.active];
      // Emitted while disconnected: buffered and sent after the reconnect;
      // a volatile one is dropped instead.
      s.volatile.emit('echo', 'volatile-lost');
      const a1 = s.timeout(5000).emitWithAck('echo', 'buffered-1');
      const a2 = s.timeout(5000).emitWithAck('echo', 'buffered-2');
      await connected(s, 8000);
      const res = { log, state, id1, id2: s.id, acks: await Promise.all([a1, a2]) };
      res.got = (await ack(s, 'got')).map((e) => e.join(':'));
      res.transport = s.io.engine.transport.name;
      s.disconnect();
      return res;
    }, transports);
    assert.deepEqual(r.state, [false, true, true, true]);
    assert.equal(r.log[0], 'disconnect transport close');
    assert.ok(r.log.includes('attempt 1') && r.log.includes('reconnect 1'), r.log.join(','));
    assert.notEqual(r.id1, r.id2);
    assert.deepEqual(r.acks, ['buffered-1', 'buffered-2']);
    assert.deepEqual(r.got.slice(0, 2), ['echo:buffered-1', 'echo:buffered-2']);
    assert.ok(!r.got.some((g) => g.includes('volatile')));
    assert.equal(r.transport, tn);
  });
}

test('namespaces share one manager; auth object/function; middleware refusal', T, async () => {
  const r = await run(async () => {
    const out = {};
    const root = io('/?room=r1');
    const adm = io('/admin?room=r1', { auth: { token: 'secret', n: 1 } });
    await Promise.all([connected(root), connected(adm)]);
    out.shared = root.io === adm.io;
    out.who = await ackAll(adm, 'who');
    const fnAuth = io('/admin', { forceNew: true, auth: (cb) => setTimeout(() => cb({ token: 'secret', via: 'fn' }), 10) });
    await connected(fnAuth);
    out.whoFn = await ackAll(fnAuth, 'who');
    const bad = io('/admin', { forceNew: true, auth: { token: 'nope' } });
    const [err] = await waitEvent(bad, 'connect_error');
    out.err = [err instanceof Error, err.message, err.data];
    out.badState = [bad.connected, bad.active];
    const unknown = io('/nowhere', { forceNew: true });
    const [err2] = await waitEvent(unknown, 'connect_error');
    out.err2 = err2.message;
    // The root socket still works on the shared engine after /admin leaves.
    adm.disconnect();
    out.rootStill = await ack(root, 'echo', 'still here');
    out.rootConnected = root.connected;
    for (const s of [root, fnAuth, bad, unknown]) s.disconnect();
    return out;
  });
  assert.equal(r.shared, true);
  assert.deepEqual(r.who, ['/admin', { token: 'secret', n: 1 }, 'r1']);
  assert.deepEqual(r.whoFn, ['/admin', { token: 'secret', via: 'fn' }, null]);
  assert.deepEqual(r.err, [true, 'not authorized', { reason: 'bad token', got: 'nope' }]);
  assert.deepEqual(r.badState, [false, false]);
  assert.equal(r.err2, 'Invalid namespace');
  assert.equal(r.rootStill, 'still here');
  assert.equal(r.rootConnected, true);
});

test('disconnect reasons: server kick, client disconnect, reconnect by hand', T, async () => {
  const r = await run(async () => {
    const s = io({ forceNew: true, reconnectionDelay: 50 });
    await connected(s);
    const d = waitEvent(s, 'disconnect');
    s.emit('kick');
    const [reason] = await d;
    await sleep(300);
    const out = { reason, after: [s.connected, s.active] };
    s.connect();
    await connected(s);
    out.again = await ack(s, 'echo', 'back');
    const d2 = waitEvent(s, 'disconnect');
    s.disconnect();
    out.reason2 = (await d2)[0];
    for (let i = 0; i < 40 && s.io.engine.readyState !== 'closed'; i++) await sleep(50);
    out.engineState = s.io.engine.readyState;
    return out;
  });
  assert.equal(r.reason, 'io server disconnect');
  assert.deepEqual(r.after, [false, false]);
  assert.equal(r.again, 'back');
  assert.equal(r.reason2, 'io client disconnect');
  assert.equal(r.engineState, 'closed'); // last socket gone -> engine closed
});

test('heartbeat: pings answered, silent server detected (ping timeout)', T, async () => {
  const r = await run(async () => {
    const s = io({ forceNew: true });
    await connected(s);
    let pings = 0;
    s.io.on('ping', () => pings++);
    await sleep(1500); // server pingInterval 400 + pingTimeout 300
    const out = { alive: s.connected, pings };
    s.disconnect();
    const f = io('/', { path: '/fake', query: { mode: 'silent' }, transports: ['polling'], reconnection: false, forceNew: true });
    await connected(f);
    const t0 = Date.now();
    out.reason = (await waitEvent(f, 'disconnect', 3000))[0];
    out.after = Date.now() - t0;
    return out;
  });
  assert.equal(r.alive, true);
  assert.ok(r.pings >= 2, `pings ${r.pings}`);
  assert.equal(r.reason, 'ping timeout');
  assert.ok(r.after >= 300 && r.after < 2000, `after ${r.after}`);
});

test('polling POSTs are serialised and stay under maxPayload', T, async () => {
  await run(async () => {
    const f = io('/', { path: '/fake', query: { mode: 'small' }, transports: ['polling'], reconnection: false, forceNew: true });
    await connected(f);
    for (let i = 0; i < 12; i++) f.emit('m', 'x'.repeat(20) + i);
    f.emit('m', 'é'.repeat(40));
    await sleep(1500);
    f.io.reconnection(false);
    f.disconnect();
  });
  const rec = fake.small;
  assert.equal(rec.overlap, false, 'two POSTs in flight at once');
  const msgs = rec.posts.flatMap((b) => b.split('\x1e')).filter((p) => p.startsWith('42'));
  assert.equal(msgs.length, 13);
  assert.deepEqual(msgs.slice(0, 12).map((m) => JSON.parse(m.slice(2))[1]), Array.from({ length: 12 }, (_, i) => 'x'.repeat(20) + i));
  assert.ok(rec.posts.length >= 4, `posts ${rec.posts.length}`);
  for (const b of rec.posts) {
    if (b.includes('\x1e')) assert.ok(Buffer.byteLength(b) <= 120, `POST of ${Buffer.byteLength(b)} bytes`);
  }
});

test('no uncaught errors in the page', () => {
  assert.deepEqual(pageErrors, []);
});
