// The C Socket.IO client (driven through $SIO_BUILD/client_driver, or
// $SIO_CLIENT_DRIVER_CMD) against the real npm `socket.io` server, started in
// this process so that each test can look at what the server saw, stop its
// heartbeat, or kill and restart it on the same port.
//
// client_driver reads commands on stdin ("open / {auth}", "emit / [...]",
// "emitack / MS [...]", "close /", "transport", "quit") and reports one line
// per happening ("connect / ID", "event / [...]", "ack / [...]",
// "disconnect / REASON", "connect_error / MSG\tDATA", "reconnect N", ...).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server } from 'socket.io';
import { stoppedAfterEach } from './driver.mjs';
import { sleep, withTimeout } from './lib.mjs';

// ---------------------------------------------------------------- the driver

const { cleanups, Driver } = stoppedAfterEach();
// ---------------------------------------------------------------- the server

// A socket.io server on `port` (0 = any). Namespace "/" and "/admin" (auth
// token "secret" required). Every event is recorded in `received`; "which"
// acks the transport name, "echo" acks its arguments, "bin" is emitted back
// as "bin-back", "ask" sends ["q", ...] with an ack request and reports the
// answer as "ask-back", "kick" disconnects the socket.
async function startIo(opts = {}, port = 0) {
  const httpServer = http.createServer();
  const conns = new Set();
  httpServer.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const io = new Server(httpServer, opts);
  const s = { io, httpServer, received: [], sockets: [], upgrades: 0 };
  const setup = (nsp) => {
    nsp.on('connection', (socket) => {
      s.sockets.push(socket);
      socket.conn.on('upgrade', () => { s.upgrades++; });
      socket.onAny((event, ...args) => {
        const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
        s.received.push({ nsp: nsp.name, event, args, auth: socket.handshake.auth, eio: socket.conn.id });
        switch (event) {
          case 'which': if (ack) ack(socket.conn.transport.name); break;
          case 'echo': if (ack) ack(...args); break;
          case 'bin': socket.emit('bin-back', ...args); break;
          case 'ask':
            socket.timeout(3000).emitWithAck(...args)
              .then((res) => socket.emit('ask-back', ...res), () => socket.emit('ask-back', 'timeout'));
            break;
          case 'kick': socket.disconnect(); break;
          default: break;
        }
      });
    });
  };
  setup(io.of('/'));
  const admin = io.of('/admin');
  admin.use((socket, next) => {
    if (socket.handshake.auth?.token === 'secret') return next();
    const err = new Error('not authorized');
    err.data = { code: 42, hint: 'token' };
    return next(err);
  });
  setup(admin);
  await withTimeout(new Promise((res, rej) => {
    httpServer.once('error', rej);
    httpServer.listen(port, '127.0.0.1', res);
  }), 5000, 'listen');
  s.port = httpServer.address().port;
  s.url = `http://127.0.0.1:${s.port}`;
  // Graceful stop.
  s.close = () => new Promise((res) => { io.close(() => res()); for (const c of conns) c.destroy(); });
  // Like a killed process: every TCP connection cut, nothing said.
  s.kill = () => new Promise((res) => {
    io.engine.close = () => {};
    for (const c of conns) c.destroy();
    httpServer.close(() => res());
    for (const c of conns) c.destroy();
  });
  s.waitFor = async (pred, ms = 5000, what = 'server condition') => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (pred()) return;
      await sleep(20);
    }
    throw new Error(`timeout (${ms} ms): ${what}; received ${JSON.stringify(s.received.map((r) => r.event))}`);
  };
  cleanups.push(() => s.close());
  return s;
}

// ---------------------------------------------------------------- tests

describe('C client against the npm socket.io server', { concurrency: false }, () => {
  for (const transport of ['polling', 'websocket', 'auto']) {
    it(`transport ${transport}: connects, emits and receives, ends on the expected transport`, async () => {
      const srv = await startIo();
      const d = new Driver(srv.url, ['--transport', transport]);
      d.send('open / {"n":1}');
      const [, id] = await d.expect(/^connect \/ (\S+)$/);
      assert.equal(srv.sockets[0].id, id, 'socket id is the one the server gave');
      assert.deepEqual(srv.sockets[0].handshake.auth, { n: 1 });
      const want = transport === 'polling' ? 'polling' : 'websocket';
      if (transport === 'auto') await srv.waitFor(() => srv.upgrades === 1, 5000, 'upgrade to websocket');
      else { await sleep(300); assert.equal(srv.upgrades, 0, 'no upgrade'); }
      assert.equal(srv.sockets[0].conn.transport.name, want);
      d.send('emitack / 3000 ["which"]');
      assert.equal((await d.expect(/^ack \/ (.*)$/))[1], JSON.stringify([want]));
      d.send('transport');
      assert.equal((await d.expect(/^transport (\S+)$/))[1], want);
      // Plain events both ways, in order.
      for (let i = 0; i < 20; i++) d.send(`emit / ["seq",${i},"ü✓"]`);
      await srv.waitFor(() => srv.received.filter((r) => r.event === 'seq').length === 20, 5000, '20 events');
      assert.deepEqual(srv.received.filter((r) => r.event === 'seq').map((r) => r.args[0]), [...Array(20).keys()]);
      assert.equal(srv.received.find((r) => r.event === 'seq').args[1], 'ü✓');
      srv.sockets[0].emit('hello', { a: [1, 'two', null, true] }, 3.5);
      assert.equal((await d.expect(/^event \/ (.*)$/))[1], '["hello",{"a":[1,"two",null,true]},3.5]');
    });
  }

  it('polling upgrade: packets sent around the upgrade arrive once and in order', async () => {
    const srv = await startIo();
    const d = new Driver(srv.url, ['--transport', 'auto']);
    d.send('open /');
    await d.expect(/^connect \//);
    for (let i = 0; i < 200; i++) d.send(`emit / ["n",${i}]`);
    await srv.waitFor(() => srv.received.filter((r) => r.event === 'n').length >= 200, 8000, '200 events');
    await sleep(200);
    assert.deepEqual(srv.received.filter((r) => r.event === 'n').map((r) => r.args[0]), [...Array(200).keys()]);
    await srv.waitFor(() => srv.upgrades === 1, 5000, 'upgrade');
  });

  it('namespaces over one connection, auth, refusal with message and data', async () => {
    const srv = await startIo();
    const d = new Driver(srv.url, ['--transport', 'websocket']);
    d.send('open / {"who":"root"}');
    d.send('open /admin {"token":"secret"}');
    await d.expect(/^connect \/ /);
    await d.expect(/^connect \/admin /);
    d.send('emit / ["a"]');
    d.send('emit /admin ["b"]');
    await srv.waitFor(() => srv.received.length === 2, 5000, 'two events');
    const a = srv.received.find((r) => r.event === 'a');
    const b = srv.received.find((r) => r.event === 'b');
    assert.equal(a.nsp, '/');
    assert.equal(b.nsp, '/admin');
    assert.equal(a.eio, b.eio, 'both namespaces share one Engine.IO connection');
    assert.deepEqual(b.auth, { token: 'secret' });

    const d2 = new Driver(srv.url, ['--transport', 'polling']);
    d2.send('open /admin {"token":"wrong"}');
    const [, msg, data] = await d2.expect(/^connect_error \/admin ([^\t]*)\t(.*)$/);
    assert.equal(msg, 'not authorized');
    assert.deepEqual(JSON.parse(data), { code: 42, hint: 'token' });
    // The refused socket was the only one: the client closes, as Node's does.
    await d2.expect(/^closed$/);
    // An emit on a refused socket is an error, not a silent loss.
    d2.send('emit /admin ["late"]');
    await d2.expect(/^emit-error \/admin /);
  });

  for (const transport of ['polling', 'websocket']) {
    it(`binary both ways over ${transport}`, async () => {
      const srv = await startIo();
      const d = new Driver(srv.url, ['--transport', transport]);
      d.send('open /');
      await d.expect(/^connect \//);
      const big = Buffer.alloc(100000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
      d.send(`emit / ["bin",{"_binary":"AAECAw=="},"mid",{"deep":[{"_binary":"${big.toString('base64')}"}]},{"_binary":""}]`);
      await srv.waitFor(() => srv.received.some((r) => r.event === 'bin'), 5000, 'bin event');
      const r = srv.received.find((x) => x.event === 'bin');
      assert.ok(Buffer.isBuffer(r.args[0]) && r.args[0].equals(Buffer.from([0, 1, 2, 3])));
      assert.equal(r.args[1], 'mid');
      assert.ok(r.args[2].deep[0].equals(big));
      assert.equal(r.args[3].length, 0);
      const [, back] = await d.expect(/^event \/ (\["bin-back".*)$/);
      const arr = JSON.parse(back);
      assert.equal(arr[1]._binary, 'AAECAw==');
      assert.equal(arr[3].deep[0]._binary, big.toString('base64'));
      // A binary ack answer from the server.
      d.send('emitack / 3000 ["echo",{"_binary":"/wA="}]');
      assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '[{"_binary":"/wA="}]');
    });
  }

  it('acks both ways, with timeouts', async () => {
    const srv = await startIo();
    const d = new Driver(srv.url);
    d.send('open /');
    await d.expect(/^connect \//);
    d.send('emitack / 3000 ["echo",1,"two",{"three":3}]');
    assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '[1,"two",{"three":3}]');
    // Nobody acks "nothing": the client's timeout fires, once.
    const t0 = Date.now();
    d.send('emitack / 300 ["nothing"]');
    await d.expect(/^ack \/ error timeout$/, 3000);
    assert.ok(Date.now() - t0 >= 250, 'not before the timeout');
    // Server -> client with an ack: the driver answers ["ack-of", name].
    const res = await withTimeout(new Promise((resolve, reject) => {
      srv.sockets[0].timeout(3000).emit('question', 42, (err, ...a) => (err ? reject(err) : resolve(a)));
    }), 5000, 'ack from the client');
    assert.deepEqual(res, ['ack-of', 'question']);
    await d.expect(/^event \/ \["question",42\]$/);
    // Many acks in flight, answered out of order are matched by id.
    for (let i = 0; i < 10; i++) d.send(`emitack / 3000 ["echo",${i}]`);
    const got = [];
    for (let i = 0; i < 10; i++) got.push(Number((await d.expect(/^ack \/ \[(\d+)\]$/))[1]));
    assert.deepEqual(got.sort((x, y) => x - y), [...Array(10).keys()]);
    assert.equal(d.count(/^ack \/ error/), 1);
  });

  it('server-side disconnect: "io server disconnect", no reconnection', async () => {
    const srv = await startIo();
    const d = new Driver(srv.url, ['--delay', '100']);
    d.send('open /');
    await d.expect(/^connect \//);
    d.send('emit / ["kick"]');
    await d.expect(/^disconnect \/ io server disconnect$/);
    await d.expect(/^closed$/);
    await sleep(400);
    assert.equal(d.count(/^reconnect_attempt/), 0);
    assert.equal(srv.sockets.length, 1);
  });

  it('client-side close: "io client disconnect" and the server sees the socket go', async () => {
    const srv = await startIo();
    const d = new Driver(srv.url, ['--transport', 'polling']);
    d.send('open /');
    await d.expect(/^connect \//);
    const gone = new Promise((res) => srv.sockets[0].once('disconnect', res));
    d.send('close /');
    await d.expect(/^disconnect \/ io client disconnect$/);
    assert.equal(await withTimeout(gone, 5000, 'server disconnect'), 'client namespace disconnect');
  });

  for (const transport of ['polling', 'websocket']) {
    it(`${transport}: server killed and restarted on the same port; buffered emits arrive exactly once`, async () => {
      let srv = await startIo();
      const { port } = srv;
      const d = new Driver(srv.url, ['--transport', transport, '--delay', '200', '--delay-max', '400']);
      d.send('open / {"token":"keep"}');
      d.send('open /admin {"token":"secret"}');
      await d.expect(/^connect \/ /);
      await d.expect(/^connect \/admin /);
      d.send('emit / ["before"]');
      await srv.waitFor(() => srv.received.some((r) => r.event === 'before'), 5000, 'before');
      await srv.kill();
      const [, reason] = await d.expect(/^disconnect \/ (.*)$/);
      assert.ok(['transport close', 'transport error'].includes(reason), `reason ${reason}`);
      await d.expect(/^disconnect \/admin /);
      for (let i = 0; i < 5; i++) d.send(`emit / ["held",${i}]`);
      d.send('emit /admin ["held-admin"]');
      d.send('volatile / ["volatile-dropped"]');
      d.send('emitack / 8000 ["echo","acked-later"]');
      await d.expect(/^reconnect_attempt \d+$/, 3000);
      await sleep(300);
      srv = await startIo({}, port);
      const [, n] = await d.expect(/^reconnect (\d+)$/, 8000);
      assert.ok(Number(n) >= 1);
      await d.expect(/^connect \/ /, 5000);
      await d.expect(/^connect \/admin /, 5000);
      assert.equal((await d.expect(/^ack \/ (.*)$/, 5000))[1], '["acked-later"]');
      await srv.waitFor(() => srv.received.filter((r) => r.event === 'held').length === 5 &&
        srv.received.some((r) => r.event === 'held-admin'), 5000, 'held events');
      await sleep(500);
      assert.deepEqual(srv.received.filter((r) => r.event === 'held').map((r) => r.args[0]), [0, 1, 2, 3, 4]);
      assert.equal(srv.received.filter((r) => r.event === 'held-admin').length, 1);
      assert.ok(!srv.received.some((r) => r.event === 'volatile-dropped'), 'volatile emits are not held');
      assert.ok(!srv.received.some((r) => r.event === 'before'), 'nothing replayed twice');
      // re-joined with the same auth
      assert.deepEqual(srv.sockets.find((s) => s.nsp.name === '/').handshake.auth, { token: 'keep' });
    });
  }

  for (const transport of ['polling', 'websocket']) {
    it(`${transport}: connection state recovery with a Node server that offers it`, async () => {
      const srv = await startIo({ connectionStateRecovery: { maxDisconnectionDuration: 5000 } });
      const d = new Driver(srv.url, ['--transport', transport, '--delay', '400', '--delay-max', '500']);
      d.send('open / {"token":"keep"}');
      const [, id] = await d.expect(/^connect \/ (\S+)$/);
      const first = srv.sockets[0];
      first.join('room');
      srv.io.to('room').emit('news', 1);
      const got = JSON.parse((await d.expect(/^event \/ (.*)$/))[1]);
      assert.equal(got[1], 1);
      assert.equal(typeof got[2], 'string', 'the offset rides as last argument');
      first.conn.close();                       // broken under the client: it comes back by itself
      await d.expect(/^disconnect \/ transport close$/);
      srv.io.to('room').emit('news', 2);        // missed while away
      srv.io.to('elsewhere').emit('news', 99);
      await d.expect(new RegExp(`^connect / ${id} recovered$`), 5000);
      const missed = JSON.parse((await d.expect(/^event \/ (.*)$/))[1]);
      assert.equal(missed[1], 2);
      const second = srv.sockets[1];
      assert.equal(second.recovered, true);
      assert.equal(second.id, id);
      assert.ok(second.rooms.has('room'));
      // the auth went back with pid and offset, and the user's own member
      assert.equal(second.handshake.auth.token, 'keep');
      assert.equal(typeof second.handshake.auth.pid, 'string');
      assert.equal(second.handshake.auth.offset, got[2]);
      await sleep(200);
      assert.equal(d.count(/"news",99/), 0);
    });
  }

  it('initial connection refused: connect_error per attempt, reconnect attempts bounded', async () => {
    const probe = await startIo();
    const { port } = probe;
    await probe.close();
    const d = new Driver(`http://127.0.0.1:${port}`, ['--delay', '50', '--delay-max', '100', '--attempts', '2']);
    d.send('open /');
    const [, msg] = await d.expect(/^connect_error \/ ([^\t]*)\t/);
    assert.equal(msg, 'xhr poll error');
    await d.expect(/^reconnect_attempt 1$/);
    await d.expect(/^reconnect_attempt 2$/);
    await d.expect(/^reconnect_failed$/, 3000);
    await d.expect(/^closed$/);
  });

  for (const transport of ['polling', 'websocket']) {
    it(`${transport}: a server that stops pinging -> "ping timeout"`, async () => {
      const srv = await startIo({ pingInterval: 300, pingTimeout: 200 });
      const d = new Driver(srv.url, ['--transport', transport, '--no-reconnect']);
      d.send('open /');
      await d.expect(/^connect \//);
      // Two heartbeats pass normally...
      await sleep(800);
      assert.equal(d.count(/^disconnect/), 0, 'alive while pings come');
      // ...then the server goes silent: no ping, and it does not time us out either.
      const conn = srv.sockets[0].conn;
      conn.sendPacket = () => {};
      conn.schedulePing = () => {};
      conn.resetPingTimeout = () => {};
      clearTimeout(conn.pingIntervalTimer);
      clearTimeout(conn.pingTimeoutTimer);
      conn.pingIntervalTimer = { refresh() {} };
      conn.pingTimeoutTimer = null;
      const t0 = Date.now();
      await d.expect(/^disconnect \/ ping timeout$/, 3000);
      const dt = Date.now() - t0;
      assert.ok(dt < 1500, `detected within pingInterval + pingTimeout (+ slack): ${dt} ms`);
      await d.expect(/^closed$/);
    });
  }

  it('https:// is refused with SIO_ERR_UNSUPPORTED', async () => {
    const d = new Driver('https://127.0.0.1:1/');
    await d.expect(/^create-error not supported/);
  });

  it('IPv6 loopback', async (t) => {
    const httpServer = http.createServer();
    const io = new Server(httpServer);
    cleanups.push(() => new Promise((res) => io.close(() => res())));
    try {
      await withTimeout(new Promise((res, rej) => { httpServer.once('error', rej); httpServer.listen(0, '::1', res); }), 3000, 'listen ::1');
    } catch (e) {
      t.skip(`no IPv6 loopback here (${e.message})`);
      return;
    }
    io.on('connection', (socket) => socket.on('echo', (...a) => a.pop()(...a)));
    const d = new Driver(`http://[::1]:${httpServer.address().port}`);
    d.send('open /');
    await d.expect(/^connect \//);
    d.send('emitack / 3000 ["echo","v6"]');
    assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '["v6"]');
  });
});
