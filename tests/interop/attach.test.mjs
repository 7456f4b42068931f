// Issue 21: Socket.IO attached to a host a C program already runs.
//   attach_microhttpd  libmicrohttpd serves the app's page and Socket.IO on one
//                      port, polling and WebSocket ($SIO_ATTACH_MHD_CMD, default
//                      $SIO_BUILD/attach_microhttpd);
//   attach_accept      a program's own accept() loop serves its page and hands
//                      Socket.IO connections over ($SIO_ATTACH_ACCEPT_CMD,
//                      default $SIO_BUILD/attach_accept);
//   loop_libuv         our server and our client inside one libuv loop
//                      ($SIO_LOOP_UV_CMD, default $SIO_BUILD/loop_libuv).
// The contract (options, page, 404, the in-loop client's stdout lines) is
// written out at the top of tests/node/attach_standin.mjs, the Node stand-in
// these tests are proven against:
//   SIO_ATTACH_MHD_CMD="node tests/node/attach_standin.mjs" \
//   SIO_LOOP_UV_CMD="node tests/node/attach_standin.mjs --loop" \
//   node --test tests/interop/attach.test.mjs
// A missing default binary with no variable set is a failure, not a skip:
// both examples are part of the build.
//
// For each host, with the official npm socket.io-client over polling only,
// WebSocket only and polling -> upgrade: events, acks both ways, binary,
// rooms (across transports), the app's page and the host's 404 on the same
// port (and on one keep-alive connection between polling requests), held
// polling GETs that must not stop anyone else, connections that go away under
// the server, and the heartbeat (a second instance with short pings). For
// loop_libuv also its in-loop client, against tests/node/echo_server.mjs and
// against its own server. Every process is stopped by its pid; every wait is
// bounded.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import {
  ROOT, commandFrom, connect, connected, connectError, ask, closeClients, once, sleep, handshake, post,
  rawWebSocket, frame, withTimeout,
} from './lib.mjs';

const S = '/socket.io/';
const PING = 300; // the short heartbeat of the second instance (interval = timeout)

const HOSTS = [
  { name: 'attach_microhttpd', host: 'libmicrohttpd', cmd: commandFrom('SIO_ATTACH_MHD_CMD', 'attach_microhttpd') },
  // a program's own accept() loop, handing connections over (sio_server_adopt)
  { name: 'attach_accept', host: 'accept loop', cmd: commandFrom('SIO_ATTACH_ACCEPT_CMD', 'attach_accept') },
  { name: 'loop_libuv', host: 'libuv', cmd: commandFrom('SIO_LOOP_UV_CMD', 'loop_libuv'), loop: true },
];

const MODES = {
  polling: { transports: ['polling'], expect: 'polling' },
  websocket: { transports: ['websocket'], expect: 'websocket' },
  upgrade: { transports: undefined, expect: 'websocket' },
};

// What no healthy process prints: sanitizers, glibc, assertions, signals.
const CRASH = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|core dumped|Assertion .* failed|double free|corrupted|stack smashing|Aborted|SIGPIPE|Uncaught|TypeError|ReferenceError/;

// ---------------------------------------------------------------- processes

const procs = new Set();
process.on('exit', () => { for (const c of procs) { try { c.kill('SIGKILL'); } catch { /* gone */ } } });

// Start `cmd` + `--host 127.0.0.1 --port 0` + args; resolve once it printed
// `listening on port N`. stdout is kept as lines (the in-loop client's report),
// stderr apart (diagnostics, crash check).
function launch(cmd, args = [], { timeout = 10000 } = {}) {
  const [exe, ...pre] = cmd;
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    return Promise.reject(new Error(`${exe} does not exist: build it (make), or set the *_CMD variable`));
  }
  const argv = [...pre, '--host', '127.0.0.1', '--port', '0', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(exe, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.add(child);
    const h = { child, lines: [], err: '', used: new Set(), waiters: [] };
    h.exited = new Promise((res) => child.once('exit', (code, sig) => { procs.delete(child); res({ code, sig }); }));
    let buf = '';
    let done = false;
    const timer = setTimeout(() => fail(`no "listening on port" within ${timeout} ms`), timeout);
    function fail(why) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}; command: ${exe} ${argv.join(' ')}; output:\n${h.lines.join('\n')}\n${h.err}`));
    }
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        h.lines.push(line);
        const m = /^listening on port (\d+)/.exec(line);
        if (m && !done) {
          done = true;
          clearTimeout(timer);
          h.port = Number(m[1]);
          h.url = `http://127.0.0.1:${h.port}`;
          resolve(h);
        }
      }
      h.waiters = h.waiters.filter((w) => !w());
    });
    child.stderr.on('data', (d) => { h.err += d; if (h.err.length > 200000) h.err = h.err.slice(-100000); });
    child.once('error', (e) => fail(String(e)));
    child.once('exit', (code, sig) => fail(`exited early (code ${code}, signal ${sig})`));
    h.alive = () => child.exitCode === null && child.signalCode === null;
    h.output = () => `${h.lines.join('\n')}\n${h.err}`;
    // The first stdout line not taken yet that matches re.
    h.expect = (re, ms = 5000) => new Promise((res, rej) => {
      const w = () => {
        for (let i = 0; i < h.lines.length; i++) {
          if (h.used.has(i)) continue;
          const m = re.exec(h.lines[i]);
          if (m) { h.used.add(i); clearTimeout(t); res(m); return true; }
        }
        return false;
      };
      const t = setTimeout(() => {
        h.waiters = h.waiters.filter((x) => x !== w);
        rej(new Error(`timeout (${ms} ms) waiting for a line ${re}; it printed:\n${h.output()}`));
      }, ms);
      if (!w()) h.waiters.push(w);
    });
    h.count = (re) => h.lines.filter((l) => re.test(l)).length;
    // SIGTERM, SIGKILL after 3 s; resolves {code, sig}.
    h.stop = async () => {
      if (!h.alive()) return h.exited;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      const r = await h.exited;
      clearTimeout(t);
      return r;
    };
  });
}

function assertHealthy(h, what) {
  assert.ok(h.alive(), `${what}: the server exited; output:\n${h.output()}`);
  assert.doesNotMatch(h.output(), CRASH, `${what}: crash text in the output`);
}

// ---------------------------------------------------------------- HTTP side

// One request; agent false (a fresh connection) unless given. Returns
// { status, headers, text, body, localPort } and a handle to abort it.
function httpReq(port, method, p, { body, headers = {}, agent = false, timeout = 5000 } = {}) {
  let req;
  const promise = new Promise((resolve, reject) => {
    req = http.request({
      host: '127.0.0.1', port, method, path: p, agent,
      headers: { ...(body !== undefined ? { 'Content-Type': 'text/plain;charset=UTF-8' } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(t);
        const b = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: b, text: b.toString('utf8'), localPort: req.socket?.localPort });
      });
      res.on('error', (e) => { clearTimeout(t); reject(e); });
    });
    const t = setTimeout(() => { req.destroy(); reject(new Error(`timeout (${timeout} ms): ${method} ${p}`)); }, timeout);
    req.on('error', (e) => { clearTimeout(t); reject(e); });
    req.on('socket', (sock) => { req.localSock = sock; });
    if (body !== undefined) req.end(body); else req.end();
  });
  return { promise, req };
}
const GET = (port, p, o) => httpReq(port, 'GET', p, o).promise;
const pollQ = (sid) => `${S}?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`;

// A raw Socket.IO session over polling: handshake, CONNECT "/", read the
// CONNECT answer and the "auth" event. Returns the Engine.IO sid.
async function rawSession(port) {
  const hs = await handshake(port, S);
  const p = await post(port, S, hs.sid, '40');
  assert.equal(p.status, 200, `POST 40: ${p.status} ${p.text}`);
  let got = '';
  for (let i = 0; i < 4 && !(got.includes('40{') && got.includes('"auth"')); i++) {
    const r = await GET(port, pollQ(hs.sid));
    assert.equal(r.status, 200, `poll: ${r.status} ${r.text}`);
    got += `${r.text}\x1e`;
  }
  assert.match(got, /(^|\x1e)40\{"sid":"[^"]+"\}/);
  assert.match(got, /42\["auth",\{\}\]/);
  return hs;
}

// ---------------------------------------------------------- Socket.IO side

async function open(port, mode, opts = {}) {
  const s = connect(port, { transports: MODES[mode].transports, ...opts });
  const upgraded = MODES[mode].transports === undefined ? once(s.io, 'open', 5000).then(() => once(s.io.engine, 'upgrade', 5000)) : null;
  await connected(s);
  if (upgraded) await upgraded;
  assert.equal(s.io.engine.transport.name, MODES[mode].expect);
  return s;
}

// One client per mode, `n` acked round trips each; the worst round trip and
// the whole time. Every client is disconnected before it returns.
async function roundTrips(port, n = 5, bound = 3000) {
  const t0 = performance.now();
  let worst = 0;
  await Promise.all(Object.keys(MODES).map(async (mode) => {
    const s = await withTimeout(open(port, mode), bound, `${mode} client connects`);
    try {
      for (let i = 0; i < n; i++) {
        const a = performance.now();
        assert.deepEqual(await ask(s, 'echo', [mode, i], bound), [mode, i]);
        worst = Math.max(worst, performance.now() - a);
      }
    } finally { s.disconnect(); }
  }));
  return { worst, total: performance.now() - t0 };
}

// --------------------------------------------------------------------- tests

after(() => { closeClients(); });

for (const H of HOSTS) {
  // Fails (not skips) when the example is not built: a failed before() below
  // only cancels the suite's tests, which some reports do not count as failed.
  it(`${H.name}: the command exists (built, or given in its *_CMD variable)`, () => {
    const exe = H.cmd[0];
    assert.ok(!exe.includes('/') || existsSync(path.resolve(ROOT, exe)), `${exe} does not exist: build it (make), or set the *_CMD variable`);
  });

  describe(H.name, () => {
    let srv;   // default heartbeat
    let fast;  // --ping-interval/--ping-timeout PING
    const sockets = new Set(); // raw sockets, destroyed in after()

    before(async () => {
      [srv, fast] = await Promise.all([
        launch(H.cmd),
        launch(H.cmd, ['--ping-interval', String(PING), '--ping-timeout', String(PING)]),
      ]);
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([srv?.stop(), fast?.stop()]);
    });

    describe('serves', { concurrency: true }, () => {
      for (const mode of Object.keys(MODES)) {
        describe(`socket.io-client over ${mode}`, { concurrency: true }, () => {
          it('connects with auth, right transport; /custom; refusal by middleware', async () => {
            const s = connect(srv.port, { transports: MODES[mode].transports, auth: { token: `t-${mode}` } });
            const authP = s.inbox.take('auth');
            await connected(s);
            assert.deepEqual(await authP, [{ token: `t-${mode}` }]);
            assert.notEqual(s.id, s.io.engine.id);
            if (MODES[mode].transports === undefined && s.io.engine.transport.name !== 'websocket') {
              await once(s.io.engine, 'upgrade', 5000);
            }
            assert.equal(s.io.engine.transport.name, MODES[mode].expect);
            assert.deepEqual(await ask(s, 'echo', ['after connect']), ['after connect']);
            const c = connect(srv.port, { nsp: '/custom', transports: MODES[mode].transports, auth: { k: 1 } });
            const cAuth = c.inbox.take('auth');
            await connected(c);
            assert.deepEqual(await cAuth, [{ k: 1 }]);
            const d = connect(srv.port, { nsp: '/custom', transports: MODES[mode].transports, auth: { deny: 'no entry' } });
            const err = await connectError(d);
            assert.equal(err.message, 'no entry');
            s.disconnect(); c.disconnect(); d.disconnect();
          });

          it('events and acks both ways', async () => {
            const s = await open(srv.port, mode);
            const args = [1, -2.5, true, null, 'str', 'é 漢字 😀', [], {}, [1, [2, [3]]], { a: { b: 'c' } }];
            assert.deepEqual(await ask(s, 'echo', args), args);
            s.emit('ev', ...args);
            assert.deepEqual(await s.inbox.take('ev-back'), args);
            s.emit('no-args');
            assert.deepEqual(await s.inbox.take('no-args-back'), []);
            // server -> client ack: "ask" makes the server emit with an ack request
            s.on('q', (x, y, cb) => cb(`${x}!`, y * 2));
            s.emit('ask', 'q', 'hi', 21);
            assert.deepEqual(await s.inbox.take('ask-back'), ['hi!', 42]);
            // a client that never acks: the server's 5 s timeout is not waited for here,
            // but other traffic must go on meanwhile
            s.emit('ask', 'ignored', 1);
            assert.deepEqual(await ask(s, 'echo', ['still here']), ['still here']);
            s.disconnect();
          });

          it('binary both ways, in events and acks, and large payloads', async () => {
            const s = await open(srv.port, mode);
            const bin = Buffer.from([0, 1, 2, 253, 254, 255]);
            const [b1] = await ask(s, 'echo', [bin]);
            assert.ok(Buffer.isBuffer(b1) && b1.equals(bin), 'ack carries the binary back');
            const nested = { name: 'n', parts: [Buffer.from('abc'), { deep: Buffer.alloc(3, 7) }] };
            s.emit('mix', 'x', nested, Buffer.alloc(0));
            const back = await s.inbox.take('mix-back');
            assert.equal(back[0], 'x');
            assert.equal(back[1].name, 'n');
            assert.ok(Buffer.from('abc').equals(back[1].parts[0]));
            assert.ok(Buffer.alloc(3, 7).equals(back[1].parts[1].deep));
            assert.ok(Buffer.isBuffer(back[2]) && back[2].length === 0);
            // the client acks the server with binary
            s.on('bq', (b, cb) => cb(Buffer.concat([b, Buffer.from([9])])));
            s.emit('ask', 'bq', Buffer.from([1, 2, 3]));
            const [ab] = await s.inbox.take('ask-back');
            assert.ok(Buffer.isBuffer(ab) && ab.equals(Buffer.from([1, 2, 3, 9])));
            // large: a POST body / a frame the host hands over in several pieces
            const big = 'L'.repeat(300000);
            const [bigBack] = await ask(s, 'echo', [big], 10000);
            assert.equal(bigBack, big);
            const bigBin = Buffer.alloc(200000, 0x5a);
            bigBin[199999] = 1;
            const [bb] = await ask(s, 'echo', [bigBin], 10000);
            assert.ok(Buffer.isBuffer(bb) && bb.equals(bigBin), 'large binary');
            s.disconnect();
          });

          it('rooms: to, broadcast, leave, across transports', async () => {
            const other = mode === 'websocket' ? 'polling' : 'websocket';
            const room = `room-${mode}-${Math.random().toString(36).slice(2)}`;
            const all = `${room}-all`;
            const [a, b, c] = await Promise.all([open(srv.port, mode), open(srv.port, other), open(srv.port, mode)]);
            for (const s of [a, b, c]) assert.deepEqual(await ask(s, 'join', [all]), [all]);
            assert.deepEqual(await ask(a, 'join', [room]), [room]);
            assert.deepEqual(await ask(b, 'join', [room]), [room]);
            // Each socket's events come in order: once "mark" n is in, anything
            // sent to it before would be in too.
            const mark = async (n) => {
              c.emit('to', all, 'mark', n);
              for (const s of [a, b, c]) assert.deepEqual(await s.inbox.take('mark'), [n]);
            };
            c.emit('to', room, 'news', { n: 1 }, Buffer.from([1]));
            for (const s of [a, b]) {
              const [o, bb] = await s.inbox.take('news');
              assert.deepEqual(o, { n: 1 });
              assert.ok(Buffer.from([1]).equals(bb));
            }
            await mark(1);
            assert.ok(!c.inbox.has('news'), 'a non-member got the room event');
            // broadcast reaches the whole namespace (other tests' sockets too):
            // an event name of this test's own
            const bc = `bc-${room}`;
            a.emit('broadcast', bc, 'from a');
            assert.deepEqual(await b.inbox.take(bc), ['from a']);
            assert.deepEqual(await c.inbox.take(bc), ['from a']);
            await mark(2);
            assert.ok(!a.inbox.has(bc), 'the sender got its own broadcast');
            assert.deepEqual(await ask(b, 'leave', [room]), [room]);
            c.emit('to', room, 'news', { n: 2 });
            assert.deepEqual(await a.inbox.take('news'), [{ n: 2 }]);
            await mark(3);
            assert.ok(!b.inbox.has('news'), 'a socket that left still got the room event');
            // a member of the room that sends to it gets it too
            a.emit('to', room, 'self', 1);
            assert.deepEqual(await a.inbox.take('self'), [1]);
            a.disconnect(); b.disconnect(); c.disconnect();
          });

          it('disconnect-me: the server ends that socket only', async () => {
            const [s, t] = await Promise.all([open(srv.port, mode), open(srv.port, mode)]);
            const gone = once(s, 'disconnect', 5000);
            s.emit('disconnect-me');
            assert.equal((await gone)[0], 'io server disconnect');
            assert.deepEqual(await ask(t, 'echo', ['t']), ['t']);
            t.disconnect();
          });
        });
      }

      it(`the app's page at / and the ${H.host} 404 on the same port, keep-alive between polling requests`, async () => {
        const page = await GET(srv.port, '/');
        assert.equal(page.status, 200);
        assert.match(String(page.headers['content-type']), /^text\/html/);
        assert.ok(page.text.includes(`attached to ${H.host}`), `page text: ${page.text.slice(0, 200)}`);
        assert.ok(page.text.includes('/socket.io/socket.io.js'), 'the page loads the client');
        const other = await GET(srv.port, '/other');
        assert.equal(other.status, 404);
        assert.ok(other.text.includes(`no page here (${H.host})`), `404 body: ${JSON.stringify(other.text)}`);
        assert.notEqual(other.text, 'Not Found', "the library's own 404, not the host's");
        const js = await GET(srv.port, '/socket.io/socket.io.js');
        assert.equal(js.status, 200);
        assert.match(String(js.headers['content-type']), /javascript/);
        assert.ok(js.body.length > 1000);
        // One connection, as a browser uses it: the page, then Socket.IO
        // polling, then the page and the 404 again.
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const o = { agent };
          const r1 = await GET(srv.port, '/', o);
          const hs = await GET(srv.port, `${S}?EIO=4&transport=polling`, o);
          assert.equal(hs.status, 200);
          assert.equal(hs.text[0], '0');
          const { sid } = JSON.parse(hs.text.slice(1));
          const p = await httpReq(srv.port, 'POST', pollQ(sid), { body: '40', agent }).promise;
          assert.equal(p.status, 200);
          const g = await GET(srv.port, pollQ(sid), o);
          assert.match(g.text, /40\{"sid"/);
          const r2 = await GET(srv.port, '/other', o);
          const r3 = await GET(srv.port, '/', o);
          assert.equal(r2.status, 404);
          assert.ok(r2.text.includes(`no page here (${H.host})`));
          assert.equal(r3.status, 200);
          assert.ok(r3.text.includes(`attached to ${H.host}`));
          const ports = new Set([r1, hs, p, g, r2, r3].map((r) => r.localPort));
          assert.equal(ports.size, 1, `one keep-alive connection expected, used local ports ${[...ports]}`);
          await httpReq(srv.port, 'POST', pollQ(sid), { body: '1', agent }).promise; // close the session
        } finally { agent.destroy(); }
      });

      it('held polling GETs do not stop other clients (measured), and are answered on resume', async () => {
        const HELD = 6;
        const sessions = await Promise.all(Array.from({ length: HELD }, () => handshake(srv.port, S)));
        // Nothing is queued for a session that sent no CONNECT: each GET waits.
        const held = sessions.map(({ sid }) => {
          const r = httpReq(srv.port, 'GET', pollQ(sid), { timeout: 15000 });
          r.settled = false;
          r.promise.then(() => { r.settled = true; }, () => { r.settled = true; });
          sockets.add(r.req);
          return r;
        });
        await sleep(300);
        assert.ok(held.every((r) => !r.settled), 'a polling GET was answered although nothing was queued');
        const { worst, total } = await roundTrips(srv.port, 5, 3000);
        assert.ok(held.every((r) => !r.settled), 'the held GETs must still be held while the others were served');
        assert.ok(worst < 2000, `worst round trip ${worst.toFixed(0)} ms while ${HELD} GETs were held`);
        assert.ok(total < 5000, `others took ${total.toFixed(0)} ms`);
        // Something to send: each held GET is answered now, without waiting for a ping.
        const t0 = performance.now();
        await Promise.all(sessions.map(({ sid }) => post(srv.port, S, sid, '40').then((r) => assert.equal(r.status, 200))));
        const answers = await withTimeout(Promise.all(held.map((r) => r.promise)), 3000, 'held GETs answered after the POST');
        const took = performance.now() - t0;
        for (const a of answers) {
          assert.equal(a.status, 200);
          assert.match(a.text, /^40\{"sid":"/);
        }
        assert.ok(took < 2000, `held GETs answered ${took.toFixed(0)} ms after the CONNECT`);
        await Promise.all(sessions.map(({ sid }) => post(srv.port, S, sid, '1').catch(() => {})));
        assertHealthy(srv, 'held GETs');
      });

      it('a client that drops in the middle of a long-poll', async () => {
        const sessions = await Promise.all([rawSession(srv.port), rawSession(srv.port), rawSession(srv.port)]);
        const held = sessions.map(({ sid }) => httpReq(srv.port, 'GET', pollQ(sid), { timeout: 15000 }));
        for (const h of held) h.promise.catch(() => {});
        await sleep(200);
        for (const h of held) h.req.destroy(); // the TCP connection goes away under the held GET
        await sleep(100);
        // Make the server write to the dead poll: an event whose answer must go
        // out (the session may be gone already: 400 is fine, so is 200).
        for (const { sid } of sessions) {
          const r = await post(srv.port, S, sid, '42["ping-me","x"]').catch((e) => ({ status: -1, text: String(e) }));
          assert.ok([200, 400].includes(r.status), `POST after the drop: ${r.status} ${r.text}`);
        }
        const { worst } = await roundTrips(srv.port, 3, 3000);
        assert.ok(worst < 2000, `worst round trip ${worst.toFixed(0)} ms after the drops`);
        assertHealthy(srv, 'dropped long-polls');
      });

      it('connections closed half-way: request head, POST body, upgrade, WebSocket frame', async () => {
        const hs = await rawSession(srv.port);
        const wsHs = `GET ${S}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
          'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
        const halves = [
          `GET ${S}?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n`,
          'GET / HTTP/1.1\r\nHo',
          `POST ${pollQ(hs.sid)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\n42["echo","`,
          wsHs, // no Sec-WebSocket-Version, no blank line
          'G',
        ];
        await Promise.all(halves.map((text) => new Promise((resolve) => {
          const sock = net.connect(srv.port, '127.0.0.1');
          sockets.add(sock);
          sock.on('error', () => {});
          sock.on('connect', () => { sock.write(text); setTimeout(() => { sock.destroy(); resolve(); }, 100); });
          setTimeout(() => { sock.destroy(); resolve(); }, 2000);
        })));
        // WebSocket sessions that end under the server: after half a frame,
        // and without any close frame right after the Socket.IO CONNECT.
        for (const cut of ['half-frame', 'no-close']) {
          const ws = await rawWebSocket(srv.port, `${S}?EIO=4&transport=websocket`);
          sockets.add(ws.socket);
          const openF = await ws.next();
          assert.equal(openF.payload.toString()[0], '0');
          ws.sendText('40');
          assert.match((await ws.next()).payload.toString(), /^40\{"sid"/);
          if (cut === 'half-frame') ws.send(frame(1, Buffer.from('42["echo","abcdefgh"]')).subarray(0, 9));
          await sleep(50);
          ws.destroy();
        }
        // the session whose POST body was cut is still usable or cleanly gone
        const r = await post(srv.port, S, hs.sid, '42["after","cut"]').catch((e) => ({ status: -1, text: String(e) }));
        assert.ok([200, 400].includes(r.status), `POST after a cut POST: ${r.status} ${r.text}`);
        await sleep(100);
        const { worst } = await roundTrips(srv.port, 3, 3000);
        assert.ok(worst < 2000, `worst round trip ${worst.toFixed(0)} ms after the cuts`);
        assertHealthy(srv, 'cut connections');
      });

      it(`heartbeat: --ping-interval ${PING} --ping-timeout ${PING} kept by every transport`, async () => {
        const hs = await handshake(fast.port, S);
        assert.equal(hs.pingInterval, PING);
        assert.equal(hs.pingTimeout, PING);
        const clients = await Promise.all(Object.keys(MODES).map((m) => open(fast.port, m)));
        const drops = [];
        for (const s of clients) s.on('disconnect', (why) => drops.push(`${s.io.engine?.transport?.name}: ${why}`));
        // The client gives up after interval + timeout without a ping: 600 ms.
        await sleep(6 * PING);
        assert.deepEqual(drops, [], 'no client may lose its connection while the server pings');
        for (const s of clients) assert.deepEqual(await ask(s, 'echo', ['alive']), ['alive']);
        for (const s of clients) s.disconnect();
      });

      it('heartbeat: a held GET gets the ping on time; a session that never answers is closed', async () => {
        const { sid } = await rawSession(fast.port);
        const t0 = performance.now();
        const r = await GET(fast.port, pollQ(sid), { timeout: 5000 });
        const took = performance.now() - t0;
        assert.equal(r.status, 200);
        assert.equal(r.text, '2');
        assert.ok(took < PING + 1000, `ping after ${took.toFixed(0)} ms (interval ${PING})`);
        // no pong: closed after the timeout; then the sid is unknown
        await sleep(PING * 2 + 800);
        const late = await GET(fast.port, pollQ(sid), { timeout: 5000 });
        assert.equal(late.status, 400, `GET after the ping timeout: ${late.status} ${late.text}`);
        assert.match(late.text, /Session ID unknown/);
        assertHealthy(fast, 'ping timeout');
      });

      if (H.loop) {
        it('in-loop client against the Node echo server (tests/node/echo_server.mjs)', async () => {
          const echo = await launch([process.execPath, 'tests/node/echo_server.mjs'],
            ['--ping-interval', String(PING), '--ping-timeout', String(PING)]);
          let loop;
          try {
            loop = await launch(H.cmd, ['--connect', echo.url]);
            await expectClientLines(loop);
            // the loop's own server answers at the same time
            const { worst } = await roundTrips(loop.port, 2, 3000);
            assert.ok(worst < 2000);
            // it keeps the Node server's short heartbeat, then still hears broadcasts
            await sleep(6 * PING);
            assert.equal(loop.count(/^client disconnect/), 0, `the in-loop client lost its connection:\n${loop.output()}`);
            const n = await open(echo.port, 'websocket');
            n.emit('broadcast', 'news', { late: true }, 'x');
            const m = await loop.expect(/^client event news (.*)$/);
            assert.deepEqual(JSON.parse(m[1]), [{ late: true }, 'x']);
            n.disconnect();
            // the peer goes away under the client: reported, and the loop's server lives on
            echo.child.kill('SIGKILL');
            await loop.expect(/^client disconnect \S/, 5000);
            const again = await roundTrips(loop.port, 1, 3000);
            assert.ok(again.worst < 2000);
            assertHealthy(loop, 'in-loop client after its peer died');
            const st = await loop.stop();
            assert.equal(st.code, 0, `loop_libuv exit ${JSON.stringify(st)}:\n${loop.output()}`);
          } finally {
            await Promise.all([loop?.stop(), echo.stop()]);
          }
        });

        it('in-loop client against its own server (--connect self)', async () => {
          const loop = await launch(H.cmd, ['--connect', 'self']);
          try {
            await expectClientLines(loop);
            // an outside client broadcasts; the in-loop client hears it
            const n = await open(loop.port, 'polling');
            n.emit('broadcast', 'from-outside', 7);
            const m = await loop.expect(/^client event from-outside (.*)$/);
            assert.deepEqual(JSON.parse(m[1]), [7]);
            n.disconnect();
            assertHealthy(loop, 'self');
          } finally { await loop.stop(); }
        });
      }
    });

    it('stops on SIGTERM with exit 0 and nothing that looks like a crash', async () => {
      assertHealthy(srv, 'before SIGTERM');
      assertHealthy(fast, 'before SIGTERM');
      for (const s of sockets) s.destroy();
      const [a, b] = await Promise.all([srv.stop(), fast.stop()]);
      assert.deepEqual(a, { code: 0, sig: null }, `exit of the server: ${srv.output()}`);
      assert.deepEqual(b, { code: 0, sig: null }, `exit of the short-ping server: ${fast.output()}`);
      assert.doesNotMatch(srv.output(), CRASH);
      assert.doesNotMatch(fast.output(), CRASH);
    });
  });
}

// The in-loop client's report against the echo contract (see attach_standin.mjs).
async function expectClientLines(loop) {
  const c = await loop.expect(/^client connect (\S+)$/, 8000);
  assert.ok(c[1].length > 0);
  const json = async (re) => JSON.parse((await loop.expect(re, 5000))[1]);
  assert.deepEqual(await json(/^client event auth (.*)$/), [{ from: 'loop_libuv' }]);
  assert.deepEqual(await json(/^client ack (.*)$/), ['from-loop', 42, { nested: [true, null] }]);
  assert.deepEqual(await json(/^client event hello-back (.*)$/), ['world']);
  assert.deepEqual(await json(/^client event from-server (.*)$/), ['q']);
  assert.deepEqual(await json(/^client event ask-back (.*)$/), ['q']);
  assert.equal(loop.count(/^client connect /), 1, 'one connect only');
}
