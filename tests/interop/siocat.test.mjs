// tools/siocat ($SIO_BUILD/siocat, or $SIO_SIOCAT_CMD) in both modes:
// - client: against the npm socket.io server started in this process, fed by
//   and feeding other processes through pipes;
// - server (-l): against the npm socket.io-client.
// Contract: each stdin line ["event", ...] is emitted, each event received is
// printed as one compact JSON line, binary is {"_binary":"<base64>"}, ack
// requests get an empty ack, --ack prints {"ack":[...]}, exit 0 on a clean
// end and 1 with the reason on stderr when the connection fails or is refused.

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { ROOT, commandFrom, sleep, withTimeout } from './lib.mjs';

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
// answered with a "poked" event.
async function startIo(port = 0) {
  const httpServer = http.createServer();
  const conns = new Set();
  httpServer.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const io = new Server(httpServer);
  const s = { io, received: [], answers: [], sockets: [] };
  const setup = (nsp) => nsp.on('connection', (socket) => {
    s.sockets.push(socket);
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
      const r = await run([...cmd, '--transport', transport, '-q', '0.5', srv.url], { input }).result();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.lines, [WELCOME]);
      assert.equal(r.err, '', 'silent without -v');
      const ev = srv.received.map((x) => x.event);
      assert.deepEqual(ev, ['chat', 'blob', 'last']);
      assert.deepEqual(srv.received[0].args, ['hello ✓', { n: [1, 2.5, null] }]);
      assert.ok(Buffer.from([0, 1, 2]).equals(srv.received[1].args[0]));
      assert.equal(srv.received[1].args[1].k.length, 0);
      if (transport !== 'polling') assert.equal(srv.received[2].transport, 'websocket');
      else assert.equal(srv.received[2].transport, 'polling');
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
    assert.match(r.err, /xhr poll error/);
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
