// tools/client/socket.io.js run inside Node (fetch from Node, WebSocket from
// the `ws` package) against the real socket.io server: a quick check that
// needs no browser. The browser test (client.test.mjs) is the real one.
//
//   cd tests && node --test browser/node-client.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import { Server } from 'socket.io';
import { WebSocket } from 'ws';

// Load the plain script the way a <script> tag would, minus the DOM: it
// sees a `module` object and exports io through it.
function loadClient() {
  const src = fs.readFileSync(new URL('../../tools/client/socket.io.js', import.meta.url), 'utf8');
  const module = { exports: {} };
  new Function('module', 'exports', src)(module, module.exports);
  return module.exports;
}

const T = { timeout: 15000 };
let io, server, sio, url;
const live = [];

const within = (p, ms, what) => Promise.race([p, new Promise((_, rej) =>
  setTimeout(() => rej(new Error('timeout: ' + what)), ms).unref())]);
const once = (em, ev, ms = 3000) => within(new Promise((r) => em.once(ev, (...a) => r(a))), ms, ev);
const connected = (s) => s.connected ? Promise.resolve() : once(s, 'connect');
function client(opts) {
  const s = io(url, Object.assign({ forceNew: true, WebSocket }, opts));
  live.push(s);
  return s;
}

before(async () => {
  io = loadClient();
  server = http.createServer();
  sio = new Server(server, { pingInterval: 300, pingTimeout: 200 });
  sio.on('connection', (socket) => {
    socket.on('echo', (...a) => a.pop()(...a));
    socket.on('drop', () => socket.conn.close());
    socket.on('kick', () => socket.disconnect());
  });
  sio.of('/locked').use((socket, next) => {
    const err = new Error('locked out');
    err.data = { code: 42 };
    next(err);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${server.address().port}`;
});

after(async () => {
  for (const s of live) s.disconnect();
  await new Promise((r) => sio.close(() => r()));
  server.closeAllConnections?.();
});

test('exports', () => {
  assert.equal(typeof io, 'function');
  assert.equal(io.protocol, 5);
  assert.equal(typeof io.Manager, 'function');
});

for (const transports of [['polling'], ['websocket'], undefined]) {
  const name = transports ? transports[0] : 'default (upgrade)';
  test(`round trip over ${name}`, T, async () => {
    const s = client({ transports });
    const upgraded = transports ? null : once(s.io.engine, 'upgrade');
    await connected(s);
    const bin = new Uint8Array([0, 255, 1]);
    const [txt, obj] = await within(new Promise((r) => s.emit('echo', 'ÿ€😀', { b: [bin] }, (...a) => r(a))), 3000, 'ack');
    assert.equal(txt, 'ÿ€😀');
    assert.ok(obj.b[0] instanceof ArrayBuffer);
    assert.deepEqual([...new Uint8Array(obj.b[0])], [0, 255, 1]);
    if (upgraded) await upgraded;
    assert.equal(s.io.engine.transport.name, transports ? transports[0] : 'websocket');
    await new Promise((r) => setTimeout(r, 700)); // > pingInterval + pingTimeout: pongs must flow
    assert.equal(s.connected, true);
    s.disconnect();
  });
}

test('reconnect after the server drops the connection', T, async () => {
  const s = client({ reconnectionDelay: 50, reconnectionDelayMax: 100 });
  await connected(s);
  const gone = once(s, 'disconnect');
  s.emit('drop');
  assert.deepEqual((await gone)[0], 'transport close');
  const buffered = s.timeout(3000).emitWithAck('echo', 'while down');
  await once(s, 'connect');
  assert.equal(await buffered, 'while down');
});

test('server kick and middleware refusal', T, async () => {
  const s = client();
  await connected(s);
  const gone = once(s, 'disconnect');
  s.emit('kick');
  assert.equal((await gone)[0], 'io server disconnect');
  assert.equal(s.active, false);
  const l = io(url + '/locked', { forceNew: true, WebSocket });
  live.push(l);
  const [err] = await once(l, 'connect_error');
  assert.equal(err.message, 'locked out');
  assert.deepEqual(err.data, { code: 42 });
});

test('ack timeout', T, async () => {
  const s = client({ transports: ['websocket'] });
  await connected(s);
  await assert.rejects(s.timeout(50).emitWithAck('nobody-listens'), /timed out/);
  s.disconnect();
});
