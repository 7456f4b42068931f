// tools/siocat ($SIO_BUILD/siocat, or $SIO_SIOCAT_CMD) in both modes:
// - client: against the npm socket.io server started in this process, fed by
//   and feeding other processes through pipes;
// - server (-l): against the npm socket.io-client.
// Contract: each stdin line ["event", ...] is emitted, each event received is
// printed as one compact JSON line, binary is {"_binary":"<base64>"}, ack
// requests get an empty ack, --ack prints {"ack":[...]}, exit 0 on a clean
// end and 1 with the reason on stderr when the connection fails or is refused.
// Issue 18 (the last describe): a client exits by itself once stdin ended
// and every ack came (--ack-timeout; exit 3 when one did not), tells
// disconnects and reconnects on stderr (not with --quiet), says what failed
// in words, checks URLs and event names itself, shows --help on stdout, and
// the README's one-liner works against the demo (build/chat). The
// interactive mode is tested in siocat_tty.test.mjs (tmux).

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import ioV2 from 'socket.io-v2';
import { ROOT, commandFrom, sleep, withTimeout, startServer, connect, connected, closeClients } from './lib.mjs';

const cmd = commandFrom('SIO_SIOCAT_CMD', 'siocat');
const cleanups = [];
afterEach(async () => {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch { /* best effort */ }
  }
});

function checkBinary() {
  const exe = cmd[0];
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    throw new Error(`${exe} does not exist (build it, or set SIO_SIOCAT_CMD)`);
  }
}

// Spawns argv; `input` (string) is written to stdin then stdin is closed,
// unless input is null (stdin stays open: write with p.write()).
function run(argv, { input = '', shell = false } = {}) {
  checkBinary();
  const child = shell
    ? spawn('sh', ['-c', argv], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(argv[0], argv.slice(1), { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '', waiters: [] };
  const wake = () => { p.waiters = p.waiters.filter((w) => !w()); };
  child.stdout.on('data', (d) => { p.out += d; wake(); });
  child.stderr.on('data', (d) => { p.err += d; wake(); });
  child.stdin.on('error', () => {});
  p.exited = new Promise((res) => child.once('exit', (code, signal) => { res({ code, signal }); wake(); }));
  p.write = (s) => child.stdin.write(s);
  p.end = () => child.stdin.end();
  p.lines = () => p.out.split('\n').filter((l) => l.length);
  // Wait until `pred(p)` holds.
  p.until = (pred, ms = 5000, what = 'output') => new Promise((resolve, reject) => {
    const w = () => { if (pred(p)) { clearTimeout(t); resolve(); return true; } return false; };
    const t = setTimeout(() => {
      p.waiters = p.waiters.filter((x) => x !== w);
      reject(new Error(`timeout (${ms} ms) waiting for ${what}; stdout:\n${p.out}\nstderr:\n${p.err}`));
    }, ms);
    if (!w()) p.waiters.push(w);
  });
  p.result = async (ms = 10000) => {
    let t;
    const r = await Promise.race([p.exited, new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout (${ms} ms) waiting for exit; stdout:\n${p.out}\nstderr:\n${p.err}`)), ms);
    })]).finally(() => clearTimeout(t));
    return { ...r, out: p.out, err: p.err, lines: p.lines() };
  };
  if (input !== null) child.stdin.end(input);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await p.exited;
    }
  });
  return p;
}

// A socket.io server: "/" and "/admin" (auth token "secret"). On connection
// it emits `welcome` with a string, a number and a binary blob; events are
// recorded; "echo" acks its arguments; "bye" disconnects the socket; "ask"
// asks the client for an ack and records the answer as `answers`; "poke" is
// answered with a "poked" event; "slow" is acked with "late" after 500 ms.
async function startIo(port = 0) {
  const httpServer = http.createServer();
  const conns = new Set();
  httpServer.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const io = new Server(httpServer);
  const s = { io, received: [], answers: [], sockets: [], upgrades: 0 };
  const setup = (nsp) => nsp.on('connection', (socket) => {
    s.sockets.push(socket);
    socket.conn.once('upgrade', () => { s.upgrades++; });
    socket.emit('welcome', 'hi', 7, Buffer.from([0xde, 0xad]));
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      s.received.push({ nsp: nsp.name, event, args, transport: socket.conn.transport.name });
      if (event === 'echo' && ack) ack(...args);
      if (event === 'bye') socket.disconnect();
      if (event === 'ask') {
        socket.timeout(3000).emit('question', 1, (err, ...a) => s.answers.push(err ? 'timeout' : a));
        if (ack) ack();
      }
      if (event === 'poke') socket.emit('poked');
      if (event === 'slow' && ack) setTimeout(() => ack('late'), 500);
    });
  });
  setup(io.of('/'));
  const admin = io.of('/admin');
  admin.use((socket, next) => {
    if (socket.handshake.auth?.token === 'secret') return next();
    const err = new Error('not authorized');
    err.data = { code: 42 };
    return next(err);
  });
  setup(admin);
  await withTimeout(new Promise((res, rej) => { httpServer.once('error', rej); httpServer.listen(port, '127.0.0.1', res); }), 5000, 'listen');
  s.port = httpServer.address().port;
  s.url = `http://127.0.0.1:${s.port}`;
  s.close = () => new Promise((res) => { io.close(() => res()); for (const c of conns) c.destroy(); });
  s.kill = () => new Promise((res) => { for (const c of conns) c.destroy(); httpServer.close(() => res()); for (const c of conns) c.destroy(); });
  s.waitFor = async (pred, ms = 5000, what = 'server condition') => {
    const end = Date.now() + ms;
    while (Date.now() < end) { if (pred()) return; await sleep(20); }
    throw new Error(`timeout (${ms} ms): ${what}; received ${JSON.stringify(s.received)}`);
  };
  cleanups.push(() => s.close());
  return s;
}

const WELCOME = '["welcome","hi",7,{"_binary":"3q0="}]';

describe('siocat, client mode', { concurrency: false }, () => {
  for (const transport of ['polling', 'websocket', 'auto']) {
    it(`--transport ${transport}: stdin lines are emitted, events printed, -q ends it`, async () => {
      const srv = await startIo();
      const input = '["chat","hello ✓",{"n":[1,2.5,null]}]\n\n["blob",{"_binary":"AAEC"},{"k":{"_binary":""}}]\n["last"]';
      // auto: the upgrade runs beside the events, so its end is what is checked,
      // given time on a busy machine, not which events it came before
      const r = await run([...cmd, '--transport', transport, '-q', transport === 'auto' ? '2' : '0.5', srv.url], { input }).result();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.lines, [WELCOME]);
      assert.equal(r.err, '', 'silent without -v');
      const ev = srv.received.map((x) => x.event);
      assert.deepEqual(ev, ['chat', 'blob', 'last']);
      assert.deepEqual(srv.received[0].args, ['hello ✓', { n: [1, 2.5, null] }]);
      assert.ok(Buffer.from([0, 1, 2]).equals(srv.received[1].args[0]));
      assert.equal(srv.received[1].args[1].k.length, 0);
      if (transport === 'websocket') assert.ok(srv.received.every((x) => x.transport === 'websocket'));
      else if (transport === 'polling') assert.ok(srv.received.every((x) => x.transport === 'polling') && srv.upgrades === 0);
      else assert.equal(srv.upgrades, 1, 'auto: upgraded to WebSocket');
    });
  }

  it('--ack prints the replies; acks the server asks for are answered empty', async () => {
    const srv = await startIo();
    const input = '["echo",1,{"_binary":"/w=="}]\n["echo"]\n["ask"]\n';
    const r = await run([...cmd, '--ack', '-q', '0.5', srv.url], { input }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.lines.filter((l) => l.startsWith('{')), ['{"ack":[1,{"_binary":"/w=="}]}', '{"ack":[]}', '{"ack":[]}']);
    assert.ok(r.lines.includes('["question",1]'));
    await srv.waitFor(() => srv.answers.length === 1, 3000, 'answer to question');
    assert.deepEqual(srv.answers, [[]]);
  });

  it('--count N ends after N events; -v logs the exchange on stderr', async () => {
    const srv = await startIo();
    const p = run([...cmd, '--count', '2', '-v', srv.url], { input: null });
    await p.until(() => p.lines().length === 1, 5000, 'welcome');
    p.write('["echo","x"]\n');   // no ack asked: the server does not answer
    srv.sockets[0].emit('second', { ok: true });
    const r = await p.result();
    assert.equal(r.code, 0);
    assert.deepEqual(r.lines, [WELCOME, '["second",{"ok":true}]']);
    assert.match(r.err, /<- 0\{"sid"/, 'handshake logged');
    assert.match(r.err, /-> 40/, 'CONNECT logged');
    assert.match(r.err, /upgraded to websocket/, 'upgrade logged');
  });

  it('--namespace and --auth; a refusal exits 1 with the message', async () => {
    const srv = await startIo();
    const ok = await run([...cmd, '--namespace', '/admin', '--auth', '{"token":"secret"}', '-q', '0.3', srv.url],
      { input: '["in-admin"]\n' }).result();
    assert.equal(ok.code, 0, ok.err);
    assert.deepEqual(srv.received.map((x) => [x.nsp, x.event]), [['/admin', 'in-admin']]);
    const bad = await run([...cmd, '--namespace', '/admin', '--auth', '{"token":"nope"}', srv.url], { input: null }).result();
    assert.equal(bad.code, 1);
    assert.match(bad.err, /not authorized/);
    assert.match(bad.err, /"code":42/);
  });

  it('no server: exit 1 with the reason', async () => {
    const srv = await startIo();
    const { url } = srv;
    await srv.close();
    const r = await run([...cmd, url], { input: null }).result();
    assert.equal(r.code, 1);
    assert.match(r.err, /connection refused/);
    const tls = await run([...cmd, 'https://127.0.0.1:1/'], { input: null }).result();
    assert.equal(tls.code, 1);
    assert.match(tls.err, /TLS/);
  });

  it('the server disconnecting ends it with status 0', async () => {
    const srv = await startIo();
    const r = await run([...cmd, srv.url], { input: null });
    await r.until(() => r.lines().length === 1, 5000, 'welcome');
    r.write('["bye"]\n');
    const res = await r.result();
    assert.equal(res.code, 0, res.err);
  });

  it('lines read while the server is down are sent after reconnecting', async () => {
    let srv = await startIo();
    const { port } = srv;
    const p = run([...cmd, '-v', srv.url], { input: null });
    await p.until(() => p.lines().length === 1, 5000, 'welcome');
    await srv.kill();
    await p.until((x) => /disconnected: transport (close|error)/.test(x.err), 5000, 'disconnect noticed');
    p.write('["while-down",1]\n["while-down",2]\n');
    await sleep(300);
    srv = await startIo(port);
    await srv.waitFor(() => srv.received.length === 2, 10000, 'held lines');
    await sleep(300);
    assert.deepEqual(srv.received.map((x) => x.args[0]), [1, 2]);
    await p.until(() => p.lines().length === 2, 5000, 'second welcome');
  });

  it('in pipes: fed by one process, feeding another', async () => {
    const srv = await startIo();
    const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
    const exe = cmd.map(q).join(' ');
    // printf -> siocat -> tr; then siocat -> head -n 1 (which closes the pipe early).
    const r = await run(`printf '%s\\n' '["piped","a"]' '["piped","b"]' | ${exe} -q 0.5 ${srv.url} | tr a-z A-Z`, { shell: true }).result();
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${WELCOME.toUpperCase()}\n`);
    assert.deepEqual(srv.received.map((x) => x.args[0]), ['a', 'b']);
    // head exits after one line; the next line siocat writes finds the pipe
    // closed, and siocat ends instead of running on.
    const h = await run(`(sleep 1; echo '["poke"]'; sleep 5) | ${exe} ${srv.url} | head -n 1`, { shell: true }).result();
    assert.equal(h.out, `${WELCOME}\n`);
    assert.equal(h.code, 0);
  });
});

describe('siocat -l, server mode', { concurrency: false }, () => {
  async function listen(args = [], opts = { input: null }) {
    const p = run([...cmd, '-l', '0', '--host', '127.0.0.1', ...args], opts);
    await p.until((x) => /listening on port \d+/.test(x.err), 5000, 'listening');
    p.port = Number(/listening on port (\d+)/.exec(p.err)[1]);
    return p;
  }

  function client(port, transports) {
    const s = ioClient(`http://127.0.0.1:${port}`, { forceNew: true, reconnection: false, timeout: 5000, ...(transports ? { transports } : {}) });
    cleanups.push(() => s.disconnect());
    s.got = [];
    s.onAny((e, ...a) => s.got.push([e, ...a]));
    return withTimeout(new Promise((res, rej) => { s.once('connect', () => res(s)); s.once('connect_error', rej); }), 5000, 'connect');
  }

  for (const transports of [['polling'], ['websocket'], undefined]) {
    it(`prints what socket.io-client sends (${transports ? transports[0] : 'auto'}), acks empty`, async () => {
      const p = await listen();
      const s = await client(p.port, transports);
      s.emit('hello', 'world', { a: [1, true] });
      s.emit('bin', Buffer.from([1, 2, 3]), { deep: Buffer.alloc(0) });
      const ackArgs = await withTimeout(new Promise((res) => s.emit('with-ack', 5, (...a) => res(a))), 5000, 'ack');
      assert.deepEqual(ackArgs, []);
      await p.until(() => p.lines().length === 3, 5000, 'three lines');
      assert.deepEqual(p.lines(), [
        '["hello","world",{"a":[1,true]}]',
        '["bin",{"_binary":"AQID"},{"deep":{"_binary":""}}]',
        '["with-ack",5]',
      ]);
    });
  }

  it('stdin lines go to every connected client, binary included; -q ends it', async () => {
    const p = await listen(['-q', '0.3']);
    const a = await client(p.port, ['websocket']);
    const b = await client(p.port, ['polling']);
    p.write('["news",{"_binary":"AAE="},"x"]\n');
    p.end();
    const ok = (s) => s.got.length === 1;
    const end = Date.now() + 5000;
    while (!(ok(a) && ok(b)) && Date.now() < end) await sleep(20);
    for (const s of [a, b]) {
      assert.equal(s.got.length, 1);
      assert.equal(s.got[0][0], 'news');
      assert.ok(Buffer.from([0, 1]).equals(Buffer.from(s.got[0][1])));
      assert.equal(s.got[0][2], 'x');
    }
    const r = await p.result();
    assert.equal(r.code, 0);
  });

  it('--count and a pipe: siocat -l | tr', async () => {
    const exe = cmd.map((s) => `'${s}'`).join(' ');
    const p = run(`${exe} -l 0 --host 127.0.0.1 --count 2 | tr a-z A-Z`, { shell: true, input: null });
    await p.until((x) => /listening on port \d+/.test(x.err), 5000, 'listening');
    const port = Number(/listening on port (\d+)/.exec(p.err)[1]);
    const s = await client(port);
    s.emit('one', 1);
    s.emit('two', 2);
    const r = await p.result();
    assert.equal(r.code, 0);
    assert.equal(r.out, '["ONE",1]\n["TWO",2]\n');
  });
});

// ------------------------------------------------------------ issue 18

// A listener that is not Socket.IO, on a free port of 127.0.0.1.
async function listen0(server) {
  const conns = new Set();
  server.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); c.on('error', () => {}); });
  await withTimeout(new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); }), 5000, 'listen');
  cleanups.push(() => new Promise((res) => { for (const c of conns) c.destroy(); server.close(() => res()); }));
  return server.address().port;
}
const httpAnswering = (status, body, type = 'text/html') =>
  listen0(http.createServer((req, res) => { res.writeHead(status, { 'Content-Type': type }); res.end(body); }));
const closedPort = async () => {
  const s = net.createServer();
  await new Promise((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address();
  await new Promise((res) => s.close(res));
  return port;
};
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('siocat, issue 18: a CLI as handy as wscat', { concurrency: false }, () => {
  it('a client exits by itself once stdin has ended (no -q needed)', async () => {
    const srv = await startIo();
    const r = await run([...cmd, srv.url], { input: '["chat","bye soon"]\n' }).result(5000);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    await srv.waitFor(() => srv.received.length === 1, 3000, 'the line');
    assert.deepEqual(srv.received.map((x) => [x.event, ...x.args]), [['chat', 'bye soon']]);
  });

  it('--ack: it waits for the last ack, prints every reply, then exits', async () => {
    const srv = await startIo();
    const t0 = Date.now();
    const r = await run([...cmd, '--ack', srv.url], { input: '["echo",1]\n["slow"]\n' }).result(5000);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.lines.filter((l) => l.startsWith('{')), ['{"ack":[1]}', '{"ack":["late"]}']);
    assert.ok(Date.now() - t0 >= 450, 'it waited for the slow ack');
  });

  it('--ack-timeout: an ack that never comes is told, and the exit status is 3', async () => {
    const srv = await startIo();
    const r = await run([...cmd, '--ack', '--ack-timeout', '400', srv.url], { input: '["echo",1]\n["never"]\n' }).result(5000);
    assert.equal(r.code, 3, r.err);
    assert.match(r.err, /^siocat: line 2 \("never"\): no ack within 400 ms/m);
    assert.deepEqual(r.lines, [WELCOME, '{"ack":[1]}']);
  });

  it('disconnects, failed attempts and reconnects are told on stderr without -v', async () => {
    let srv = await startIo();
    const { port } = srv;
    const p = run([...cmd, srv.url], { input: null });
    await p.until(() => p.lines().length === 1, 5000, 'welcome');
    assert.equal(p.err, '', 'nothing while all goes well (stderr is no terminal)');
    await srv.kill();
    await p.until((x) => /^siocat: disconnected: transport (close|error)$/m.test(x.err), 5000, 'disconnect told');
    await p.until((x) => /^siocat: reconnecting \(attempt 1\)$/m.test(x.err), 5000, 'reconnect attempt told');
    await p.until((x) => /^siocat: attempt 1 failed: connection refused$/m.test(x.err), 5000, 'why it failed');
    srv = await startIo(port);
    await p.until((x) => /^siocat: reconnected to http:\/\/127\.0\.0\.1:\d+ \((polling|websocket)\), id [\w-]+$/m.test(x.err),
      10000, 'reconnect told');
    await p.until(() => p.lines().length === 2, 5000, 'second welcome');
    p.end();
    const r = await p.result(5000);
    assert.equal(r.code, 0, r.err);
    // and with -v the first connect too
    const v = await run([...cmd, '-v', srv.url], { input: '' }).result(5000);
    assert.match(v.err, /^siocat: connected to http:\/\/127\.0\.0\.1:\d+ \((polling|websocket)\), id [\w-]+$/m);
  });

  it('--quiet: no status lines', async () => {
    let srv = await startIo();
    const { port } = srv;
    const p = run([...cmd, '--quiet', srv.url], { input: null });
    await p.until(() => p.lines().length === 1, 5000, 'welcome');
    await srv.kill();
    await sleep(1800);   // a disconnect, and an attempt or two
    srv = await startIo(port);
    await p.until(() => p.lines().length === 2, 10000, 'second welcome');
    p.end();
    const r = await p.result(5000);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
  });

  for (const transport of ['polling', 'websocket']) {
    it(`says what failed in words (--transport ${transport}): refused, HTTP 404, not Socket.IO, not HTTP`, async () => {
      const cases = [
        [`http://127.0.0.1:${await closedPort()}`, /^siocat: connection failed: connection refused$/m],
        [`http://127.0.0.1:${await httpAnswering(404, 'Not Found', 'text/plain')}`,
          /^siocat: connection failed: HTTP 404: not a Socket\.IO endpoint at \/socket\.io\/$/m],
        [`http://127.0.0.1:${await httpAnswering(200, '<html><body>hello</body></html>')}`,
          /^siocat: connection failed: .*not a Socket\.IO server/m],
        [`http://127.0.0.1:${await listen0(net.createServer((c) => c.end('SSH-2.0-OpenSSH_9.2\r\n')))}`,
          /^siocat: connection failed: not an HTTP server/m],
      ];
      for (const [url, re] of cases) {
        const r = await run([...cmd, '--transport', transport, url], { input: null }).result(5000);
        assert.equal(r.code, 1, `${url}: ${r.err}`);
        assert.match(r.err, re, url);
        assert.doesNotMatch(r.err, /xhr poll error|websocket error/, 'no bare transport error');
      }
    });
  }

  it('a socket.io 2 server (Engine.IO v3) is named as such', async () => {
    const httpServer = http.createServer();
    ioV2(httpServer);
    const port = await listen0(httpServer);
    const r = await run([...cmd, '--transport', 'polling', `http://127.0.0.1:${port}`], { input: null }).result(5000);
    assert.equal(r.code, 1);
    assert.match(r.err, /connection failed: an Engine\.IO v3 server \(socket\.io 2\.x\)/);
  });

  it('a bad URL or port is named, with exit status 2', async () => {
    const cases = [
      ['http://127.0.0.1:99999', 'port must be 1-65535'],
      ['http://127.0.0.1:0', 'port must be 1-65535'],
      ['http://127.0.0.1:80x/', 'port must be 1-65535'],
      ['localhost:3000', 'must start with http://, https://, ws:// or wss://'],
      ['http:///socket', 'no host name'],
      ['http://[::1', 'no ] after the IPv6 address'],
    ];
    for (const [url, why] of cases) {
      const r = await run([...cmd, url], { input: null }).result(5000);
      assert.equal(r.code, 2, `${url}: ${r.err}`);
      assert.match(r.err, new RegExp(`^siocat: bad URL ${escapeRe(url)}: ${escapeRe(why)}`, 'm'));
    }
  });

  it('-l on a port already taken: "address already in use", exit 1', async () => {
    const srv = await startIo();
    const r = await run([...cmd, '-l', String(srv.port), '--host', '127.0.0.1'], { input: null }).result(5000);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^siocat: cannot listen on port ${srv.port}: address already in use$`, 'm'));
  });

  it('a reserved event name is refused in words; the next lines still go', async () => {
    const srv = await startIo();
    const r = await run([...cmd, srv.url], { input: '["connect"]\n["disconnect",1]\n["fine"]\n' }).result(5000);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /^siocat: line 1: reserved event name: connect\b/m);
    assert.match(r.err, /^siocat: line 2: reserved event name: disconnect\b/m);
    assert.doesNotMatch(r.err, /invalid argument/);
    await srv.waitFor(() => srv.received.length === 1, 3000, 'the good line');
    assert.deepEqual(srv.received.map((x) => x.event), ['fine']);
  });

  it('--help goes to stdout with exit 0 and shows every mode; usage errors go to stderr with exit 2', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run([...cmd, flag]).result(5000);
      assert.equal(r.code, 0, flag);
      assert.equal(r.err, '');
      for (const re of [/usage: siocat \[options\] URL/, /siocat -l PORT/, /JSON lines/, /\{"_binary":"<base64>"\}/,
        /\{"ack":\[/, /--ack\b/, /--ack-timeout MS/, /--quiet/, /--count N/, /-q SECONDS/, /Interactive/, /Exit status/]) {
        assert.match(r.out, re);
      }
      const examples = r.out.split('Examples:')[1] || '';
      for (const what of ['| siocat http', 'siocat -l ', '--ack', '--count', '--quiet', '_binary']) {
        assert.ok(examples.includes(what), `an example with ${what}`);
      }
    }
    for (const [argv, re] of [[['--bogus', 'http://x'], /unknown option --bogus/], [[], /no URL/],
      [['--count'], /--count needs a value/], [['-l', '70000'], /port must be 0-65535/]]) {
      const r = await run([...cmd, ...argv]).result(5000);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, re);
      assert.match(r.err, /siocat --help/);
    }
  });

  it("the README's one-liner works against the demo (build/chat) and exits", async () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const line = readme.split('\n').map((l) => l.trim().replace(/^`|`\.?$/g, ''))
      .find((l) => /^(echo|printf) /.test(l) && l.includes('| build/siocat http://localhost:3000'));
    assert.ok(line, 'the README has a siocat one-liner for the demo');
    // its events are the demo's
    const chatSrc = readFileSync(path.join(ROOT, 'examples/chat.c'), 'utf8');
    const names = [...line.matchAll(/'\["([^"]+)"/g)].map((m) => m[1]);
    assert.ok(names.length > 0, line);
    for (const n of names) assert.ok(chatSrc.includes(`sio_on(nsp, "${n}"`), `examples/chat.c has event "${n}"`);
    const chat = await startServer(commandFrom('SIO_CHAT_CMD', 'chat'));
    cleanups.push(() => chat.stop());
    cleanups.push(() => closeClients());
    const watcher = connect(chat.port);
    await connected(watcher);
    const exe = cmd.map((s) => `'${s}'`).join(' ');
    const r = await run(line.replace('build/siocat', exe).replace('http://localhost:3000', chat.url), { shell: true })
      .result(5000);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    const [m] = await watcher.inbox.take('message');
    assert.ok(m.text && m.name, JSON.stringify(m));
  });
});
