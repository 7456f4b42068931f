// TLS (BearSSL) end to end, with certificates this test makes with the
// `openssl` command in a temp directory (a test CA, servers for "localhost"
// with RSA and EC keys, one for another name, an expired one, one from an
// unknown CA and a self-signed one):
//   (a) the npm socket.io-client over https (ca = the test CA) reaches
//       build/tls/echo in every transport mode, acked events with non-ASCII
//       text and binary; an EC certificate works too;
//   (b) build/tls/siocat reaches a Node https server running the npm
//       socket.io in every --transport mode; `siocat -l` with
//       --tls-cert/--tls-key is reached by socket.io-client over https;
//   (c) another name, expired, unknown CA, self-signed: refused by
//       build/tls/siocat (exit 1, the reason in words), accepted with
//       --insecure (which warns); no --ca means the system bundle, which
//       does not know the test CA;
//   (d) clients stalled mid-handshake (nothing sent, 10 bytes of a
//       ClientHello, a whole ClientHello and then silence, a finished
//       handshake and half a request) do not delay a normal client, and
//       the server closes them (--http-timeout 1000);
//   (e) the plain build/siocat given https:// or wss:// exits non-zero with
//       a clear error and never opens a plain-text connection; plain http
//       to the TLS port is not served.
//
//   node --test --test-reporter=spec tests/interop/tls.test.mjs
//
// Environment: SIO_BUILD (default build): $SIO_BUILD/tls/{echo,siocat} and
// $SIO_BUILD/siocat.
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import https from 'node:https';
import { spawn, execFileSync } from 'node:child_process';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import {
  ROOT, BUILD, startServer, connect, connected, connectError, closeClients, ask, sleep, withTimeout,
} from './lib.mjs';

const TLS_ECHO = [path.resolve(ROOT, BUILD, 'tls/echo')];
const TLS_SIOCAT = path.resolve(ROOT, BUILD, 'tls/siocat');
const PLAIN_SIOCAT = path.resolve(ROOT, BUILD, 'siocat');
const TEXT = 'héllo ünïcødé ✓ 日本語 🚀';
const BLOB = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80, 0x7f, 0x0a, 0x0d]);

// ------------------------------------------------------------ certificates

let dir;
const C = {};                     // name -> { cert, key } paths; C.ca = CA path
const pem = (f) => fs.readFileSync(f);

const SCRIPT = `set -e
printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' >srv.ext
printf 'subjectAltName=DNS:other.example\\nbasicConstraints=CA:FALSE\\n' >other.ext
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=sio-test-CA \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca2.key -out ca2.pem -days 30 \
  -subj /CN=sio-unknown-CA -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj /CN=localhost
openssl x509 -req -in rsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile srv.ext -out rsa.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr -subj /CN=localhost
openssl x509 -req -in ec.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile srv.ext -out ec.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key -out other.csr -subj /CN=other.example
openssl x509 -req -in other.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile other.ext -out other.pem
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout unknown.key -out unknown.csr -subj /CN=localhost
openssl x509 -req -in unknown.csr -CA ca2.pem -CAkey ca2.key -CAcreateserial -days 30 -extfile srv.ext -out unknown.pem
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout self.key -out self.pem -days 30 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost
printf '[ca]\\ndefault_ca=t\\n[t]\\ndatabase=index.txt\\nnew_certs_dir=.\\nserial=ca.srl\\ndefault_md=sha256\\npolicy=p\\nunique_subject=no\\n[p]\\ncommonName=supplied\\n' >ca.cnf
: >index.txt
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout exp.key -out exp.csr -subj /CN=localhost
openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key -in exp.csr -out exp.pem \
  -startdate 20200101000000Z -enddate 20200201000000Z -extfile srv.ext
`;

// ------------------------------------------------------------ harness

const servers = new Set();        // startServer() results
const procs = new Set();          // siocat children
const closers = [];               // Node servers, raw sockets
const perTest = [];               // cleanups after each test

before(() => {
  for (const f of [TLS_ECHO[0], TLS_SIOCAT, PLAIN_SIOCAT]) {
    if (!fs.existsSync(f)) throw new Error(`${f} does not exist (run make; TLS builds need libbearssl-dev)`);
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-tls-'));
  try {
    execFileSync('sh', ['-c', SCRIPT], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
  } catch (e) {
    throw new Error(`openssl failed: ${e.stderr || e}`);
  }
  C.ca = path.join(dir, 'ca.pem');
  for (const n of ['rsa', 'ec', 'other', 'unknown', 'self', 'exp']) {
    C[n] = { cert: path.join(dir, `${n}.pem`), key: path.join(dir, `${n}.key`) };
  }
});

afterEach(async () => {
  closeClients();
  while (perTest.length) {
    try { await perTest.pop()(); } catch { /* best effort */ }
  }
});

after(async () => {
  closeClients();
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await withTimeout(p.exited, 3000, 'siocat exit').catch(() => {});
  }
  for (const s of servers) await s.stop().catch(() => {});
  for (const c of closers) { try { await c(); } catch { /* best effort */ } }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// build/tls/echo with the certificate `name`; `extra` are more options.
async function tlsEcho(name = 'rsa', extra = []) {
  const s = await startServer(TLS_ECHO, ['--tls-cert', C[name].cert, '--tls-key', C[name].key, ...extra]);
  servers.add(s);
  s.https = `https://localhost:${s.port}`;
  return s;
}

// Spawn a program; `input` is written to stdin which is then closed (null:
// stays open, write with p.write). Like siocat.test.mjs's run().
function run(exe, argv, { input = '' } = {}) {
  const child = spawn(exe, argv, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '', waiters: [] };
  const wake = () => { p.waiters = p.waiters.filter((w) => !w()); };
  child.stdout.on('data', (d) => { p.out += d; wake(); });
  child.stderr.on('data', (d) => { p.err += d; wake(); });
  child.stdin.on('error', () => {});
  p.exited = new Promise((res) => child.once('exit', (code, signal) => { res({ code, signal }); wake(); }));
  p.write = (s) => child.stdin.write(s);
  p.lines = () => p.out.split('\n').filter((l) => l.length);
  p.until = (pred, ms = 5000, what = 'output') => new Promise((resolve, reject) => {
    const w = () => { if (pred(p)) { clearTimeout(t); resolve(); return true; } return false; };
    const t = setTimeout(() => {
      p.waiters = p.waiters.filter((x) => x !== w);
      reject(new Error(`timeout (${ms} ms) waiting for ${what}; stdout:\n${p.out}\nstderr:\n${p.err}`));
    }, ms);
    if (!w()) p.waiters.push(w);
  });
  p.result = async (ms = 8000) => {
    const r = await withTimeout(p.exited, ms, `exit of ${path.basename(exe)} ${argv.join(' ')}; stdout:\n${p.out}\nstderr:\n${p.err}`);
    return { ...r, out: p.out, err: p.err, lines: p.lines() };
  };
  if (input !== null) child.stdin.end(input);
  procs.add(p);
  perTest.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await withTimeout(p.exited, 3000, 'exit').catch(() => {});
    procs.delete(p);
  });
  return p;
}

// Poll `pred` every 20 ms for up to `ms`.
async function waitUntil(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await pred()) return;
    await sleep(20);
  }
  throw new Error(`timeout (${ms} ms): ${typeof what === 'function' ? what() : what}`);
}

// One acked echo of non-ASCII text and binary through build/tls/echo.
async function ackedEcho(socket, label) {
  const [text, blob, obj] = await ask(socket, 'msg', [TEXT, BLOB, { label, nested: { b: BLOB } }], 5000);
  assert.equal(text, TEXT);
  assert.ok(Buffer.isBuffer(blob) && blob.equals(BLOB), `binary echoed (${label})`);
  assert.equal(obj.label, label);
  assert.ok(Buffer.from(obj.nested.b).equals(BLOB), `nested binary echoed (${label})`);
}

// ------------------------------------------------------------ (a)

describe('(a) socket.io-client over https to build/tls/echo', { concurrency: false }, () => {
  for (const mode of [['polling'], ['websocket'], undefined]) {
    const name = mode ? mode[0] : 'default (upgrade)';
    it(`${name}: connects with the test CA, acked text and binary`, async () => {
      const srv = await tlsEcho('rsa');
      const s = connect(srv.https, { transports: mode, ca: pem(C.ca) });
      await connected(s);
      const [auth] = await s.inbox.take('auth');
      assert.deepEqual(auth, {});
      await ackedEcho(s, 'first');
      if (!mode) {
        await waitUntil(() => s.io.engine.transport.name === 'websocket', 5000, 'upgrade to websocket');
        await ackedEcho(s, 'after upgrade');
      } else {
        assert.equal(s.io.engine.transport.name, mode[0]);
      }
      // an event without ack comes back as "<name>-back"
      s.emit('note', TEXT, BLOB);
      const [t, b] = await s.inbox.take('note-back');
      assert.equal(t, TEXT);
      assert.ok(Buffer.from(b).equals(BLOB));
    });
  }

  it('an EC (P-256) server certificate works too (polling and websocket)', async () => {
    const srv = await tlsEcho('ec');
    for (const transports of [['polling'], ['websocket']]) {
      const s = connect(srv.https, { transports, ca: pem(C.ca) });
      await connected(s);
      await ackedEcho(s, `ec ${transports[0]}`);
      s.disconnect();
    }
  });

  it('without the test CA, Node refuses our server (the certificate is really checked)', async () => {
    const srv = await tlsEcho('rsa');
    const s = connect(srv.https, { transports: ['websocket'] });
    const err = await connectError(s);
    assert.ok(err, 'connect_error');
  });
});

// ------------------------------------------------------------ (b)

// A Node https server with the npm socket.io on it: "hello" is acked with
// "hi <arg>" and the transport, and answered with a "reply" event.
async function nodeHttpsIo() {
  const server = https.createServer({ cert: pem(C.rsa.cert), key: pem(C.rsa.key) });
  const conns = new Set();
  server.on('secureConnection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  server.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const io = new Server(server);
  const st = { received: [], sockets: [] };
  io.on('connection', (socket) => {
    st.sockets.push(socket);
    socket.on('hello', (arg, bin, ack) => {
      const transport = socket.conn.transport.name;
      st.received.push({ arg, bin, transport });
      if (typeof ack === 'function') ack(`hi ${arg}`, transport);
      socket.emit('reply', `you said ${arg}`, Buffer.from(bin).reverse());
    });
  });
  await withTimeout(new Promise((res, rej) => { server.once('error', rej); server.listen(0, '127.0.0.1', res); }), 5000, 'listen');
  st.port = server.address().port;
  st.close = () => new Promise((res) => { io.close(() => res()); for (const c of conns) c.destroy(); });
  perTest.push(st.close);
  return st;
}

describe('(b) build/tls/siocat and a Node https socket.io', { concurrency: false }, () => {
  for (const transport of ['polling', 'websocket', 'auto']) {
    it(`siocat --transport ${transport} reaches https socket.io: a line sent, the reply printed`, async () => {
      const srv = await nodeHttpsIo();
      const p = run(TLS_SIOCAT, ['--ca', C.ca, '--transport', transport, '--ack', '--count', '4',
        `https://localhost:${srv.port}`], { input: null });
      p.write(`["hello","${TEXT}",{"_binary":"${BLOB.toString('base64')}"}]\n`);
      await p.until((x) => x.lines().length >= 2, 8000, 'ack and reply');
      const rev = Buffer.from(BLOB).reverse().toString('base64');
      const expectT = transport === 'auto' ? undefined : transport;
      assert.ok(p.lines().includes(`["reply","you said ${TEXT}",{"_binary":"${rev}"}]`), p.out);
      const ack = JSON.parse(p.lines().find((l) => l.startsWith('{"ack"')));
      assert.equal(ack.ack[0], `hi ${TEXT}`);
      if (expectT) assert.equal(ack.ack[1], expectT);
      assert.ok(Buffer.from(srv.received[0].bin).equals(BLOB), 'binary reached the server intact');
      if (transport === 'auto') {
        // once upgraded, the next line goes over wss
        await waitUntil(() => srv.sockets[0]?.conn.transport.name === 'websocket', 5000, 'upgrade on the server');
      }
      p.write(`["hello","again",{"_binary":""}]\n`);
      p.child.stdin.end();
      const r = await p.result(8000);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '', 'nothing on stderr');
      assert.equal(r.lines.length, 4, r.out);
      const ack2 = JSON.parse(r.lines.filter((l) => l.startsWith('{"ack"'))[1]);
      assert.deepEqual(ack2.ack, ['hi again', transport === 'polling' ? 'polling' : 'websocket']);
      assert.equal(srv.received.length, 2);
    });
  }

  for (const mode of [['polling'], ['websocket'], undefined]) {
    const name = mode ? mode[0] : 'default (upgrade)';
    it(`siocat -l with --tls-cert/--tls-key, reached by socket.io-client over https: ${name}`, async () => {
      const p = run(TLS_SIOCAT, ['-l', '0', '--host', '127.0.0.1', '--tls-cert', C.ec.cert, '--tls-key', C.ec.key], { input: null });
      await p.until((x) => /listening on port \d+/.test(x.err), 5000, 'listening');
      const port = Number(/listening on port (\d+)/.exec(p.err)[1]);
      const s = connect(`https://localhost:${port}`, { transports: mode, ca: pem(C.ca) });
      await connected(s);
      s.emit('hello', TEXT, BLOB);
      const ackArgs = await ask(s, 'with-ack', [5]);
      assert.deepEqual(ackArgs, []);
      await p.until((x) => x.lines().length === 2, 5000, 'two lines');
      assert.deepEqual(p.lines(), [`["hello","${TEXT}",{"_binary":"${BLOB.toString('base64')}"}]`, '["with-ack",5]']);
      if (!mode) await waitUntil(() => s.io.engine.transport.name === 'websocket', 5000, 'upgrade to websocket');
      p.write(`["from-server","${TEXT}",{"_binary":"AAEC"}]\n`);
      const [t, b] = await s.inbox.take('from-server');
      assert.equal(t, TEXT);
      assert.ok(Buffer.from(b).equals(Buffer.from([0, 1, 2])));
    });
  }
});

// ------------------------------------------------------------ (c)

const REFUSALS = [
  { cert: 'other', what: 'a certificate for another name', reason: /TLS: .*(name|host)/i },
  { cert: 'exp', what: 'an expired certificate', reason: /TLS: .*expired/i },
  { cert: 'unknown', what: 'a certificate from an unknown CA', reason: /TLS: .*(not trusted|unknown CA)/i },
  { cert: 'self', what: 'a self-signed certificate', reason: /TLS: .*(not trusted|self-signed)/i },
];

describe('(c) certificates build/tls/siocat refuses', { concurrency: false }, () => {
  for (const r of REFUSALS) {
    it(`${r.what}: refused with the reason (exit 1), accepted with --insecure (warned)`, async () => {
      const srv = await tlsEcho(r.cert);
      for (const transport of ['polling', 'websocket']) {
        const bad = await run(TLS_SIOCAT, ['--ca', C.ca, '--transport', transport, '--ack', '-q', '0.2', srv.https],
          { input: '["msg",1]\n' }).result();
        assert.equal(bad.code, 1, `exit status (${transport}); stderr: ${bad.err}`);
        assert.match(bad.err, /^siocat: connection failed: TLS: /m, transport);
        assert.match(bad.err, r.reason, transport);
        assert.equal(bad.out, '', 'nothing received');
      }
      const ok = await run(TLS_SIOCAT, ['--insecure', '--ca', C.ca, '--ack', '-q', '0.2', srv.https],
        { input: `["msg","${TEXT}"]\n` }).result();
      assert.equal(ok.code, 0, ok.err);
      assert.deepEqual(ok.lines, ['["auth",{}]', `{"ack":["${TEXT}"]}`]);
      assert.match(ok.err, /WARNING: --insecure/);
      assert.match(ok.err, /NOT checked/);
    });
  }

  it('the reasons are told apart (each refusal names its own cause)', async () => {
    // exact wording as documented for the unknown CA case
    const srv = await tlsEcho('self');
    const bad = await run(TLS_SIOCAT, ['--ca', C.ca, srv.https]).result();
    assert.equal(bad.code, 1);
    assert.match(bad.err, /siocat: connection failed: TLS: certificate not trusted \(unknown CA or self-signed\)/);
    const srvExp = await tlsEcho('exp');
    const exp = await run(TLS_SIOCAT, ['--ca', C.ca, srvExp.https]).result();
    assert.doesNotMatch(exp.err, /not trusted/);
    assert.doesNotMatch(exp.err, /server name/);
  });

  it('verification is on by default: without --ca (system bundle) the test CA is unknown', async () => {
    const srv = await tlsEcho('rsa');
    const r = await run(TLS_SIOCAT, ['--ack', '-q', '0.2', srv.https], { input: '["msg",1]\n' }).result();
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /TLS: .*not trusted/);
    assert.equal(r.out, '');
  });

  it('a good certificate with --ca: no warning, clean exit (wss:// URL too)', async () => {
    const srv = await tlsEcho('rsa');
    for (const url of [srv.https, `wss://localhost:${srv.port}`]) {
      const r = await run(TLS_SIOCAT, ['--ca', C.ca, '--ack', '-q', '0.2', url], { input: '["msg",2]\n' }).result();
      assert.equal(r.code, 0, `${url}: ${r.err}`);
      assert.equal(r.err, '');
      assert.deepEqual(r.lines, ['["auth",{}]', '{"ack":[2]}']);
    }
  });
});

// ------------------------------------------------------------ (d)

// The bytes a real TLS client sends first (its ClientHello), caught by a
// plain TCP server.
async function captureClientHello() {
  return withTimeout(new Promise((resolve, reject) => {
    const srv = net.createServer((c) => {
      c.once('data', (d) => { resolve(d); c.destroy(); srv.close(); });
    });
    srv.listen(0, '127.0.0.1', () => {
      const t = tls.connect({ host: '127.0.0.1', port: srv.address().port, servername: 'localhost', rejectUnauthorized: false });
      t.on('error', () => {});
    });
    srv.on('error', reject);
  }), 5000, 'capture a ClientHello');
}

// A raw TCP connection that tracks when it gets closed.
function rawConn(port) {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    c.closedAt = null;
    c.received = 0;
    c.on('data', (d) => { c.received += d.length; });
    c.on('close', () => { c.closedAt = Date.now(); });
    c.on('error', () => {});
    c.once('connect', () => resolve(c));
    c.once('error', reject);
    closers.push(() => c.destroy());
  });
}

describe('(d) stalled handshakes', { concurrency: false }, () => {
  it('5+ stalled clients do not delay a normal one and are closed by --http-timeout', async () => {
    const hello = await captureClientHello();
    assert.equal(hello[0], 0x16, 'a TLS handshake record');
    assert.ok(hello.length > 10);
    const srv = await tlsEcho('rsa', ['--http-timeout', '1000']);
    const stallers = [];
    const opened = Date.now();
    stallers.push(await rawConn(srv.port));                                   // nothing at all
    stallers.push(await rawConn(srv.port));                                   // nothing at all
    for (let i = 0; i < 2; i++) {                                             // 10 bytes of a ClientHello
      const c = await rawConn(srv.port);
      c.write(hello.subarray(0, 10));
      stallers.push(c);
    }
    const whole = await rawConn(srv.port);                                    // a whole ClientHello, then silence
    whole.write(hello);
    stallers.push(whole);
    // a finished handshake, then half an HTTP request
    const half = await withTimeout(new Promise((resolve, reject) => {
      const t = tls.connect({ host: '127.0.0.1', port: srv.port, servername: 'localhost', ca: pem(C.ca) }, () => resolve(t));
      t.closedAt = null;
      t.on('close', () => { t.closedAt = Date.now(); });
      t.once('error', reject);
      closers.push(() => t.destroy());
    }), 5000, 'TLS handshake');
    half.on('error', () => {});
    half.text = '';
    half.on('data', (d) => { half.text += d.toString('latin1'); });   // reading, so that the server's close is seen
    half.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: local');
    stallers.push(half);
    await sleep(100);
    assert.ok(stallers.every((c) => c.closedAt === null), 'stallers still open when the normal client starts');

    // a normal client, in both transports, while they stall
    for (const transports of [['polling'], ['websocket']]) {
      const t0 = Date.now();
      const s = connect(srv.https, { transports, ca: pem(C.ca) });
      await connected(s, 2000);
      await ackedEcho(s, `beside stallers (${transports[0]})`);
      const took = Date.now() - t0;
      assert.ok(took < 2000, `connect + ack took ${took} ms with ${stallers.length} stallers open`);
      s.disconnect();
    }
    assert.ok(whole.received > 0, 'the server answered the whole ClientHello (it was not stuck on the others)');

    // the server closes every staller after about --http-timeout
    await waitUntil(() => stallers.every((c) => c.closedAt !== null), 6000,
      () => `stallers closed by the server; still open: ${stallers.map((c, i) => (c.closedAt === null ? i : null)).filter((x) => x !== null)}`);
    assert.match(half.text, /^HTTP\/1\.1 408/, 'the half request gets 408 over TLS, as over plain TCP');
    for (const c of stallers) {
      const after = c.closedAt - opened;
      assert.ok(after >= 800, `closed after ${after} ms: not before the timeout`);
      assert.ok(after < 6000, `closed after ${after} ms`);
    }

    // and the server still serves
    const s = connect(srv.https, { transports: ['websocket'], ca: pem(C.ca) });
    await connected(s, 2000);
    await ackedEcho(s, 'after stallers');
  });
});

// ------------------------------------------------------------ (e)

describe('(e) no silent plain text', { concurrency: false }, () => {
  it('the plain build/siocat refuses https:// and wss:// URLs with a clear error, sending nothing', async () => {
    // a TCP listener that records anything that reaches it
    const seen = { conns: 0, bytes: Buffer.alloc(0) };
    const lst = net.createServer((c) => {
      seen.conns++;
      c.on('data', (d) => { seen.bytes = Buffer.concat([seen.bytes, d]); });
      c.on('error', () => {});
    });
    await new Promise((res) => lst.listen(0, '127.0.0.1', res));
    perTest.push(() => new Promise((res) => lst.close(res)));
    const port = lst.address().port;
    for (const url of [`https://127.0.0.1:${port}`, `wss://127.0.0.1:${port}/`]) {
      for (const transport of ['polling', 'websocket', 'auto']) {
        const r = await run(PLAIN_SIOCAT, ['--transport', transport, '-q', '0.2', url], { input: '["msg",1]\n' }).result();
        assert.notEqual(r.code, 0, `${url} ${transport}: exit status`);
        assert.match(r.err, /not supported by this build|TLS/, `${url}: ${r.err}`);
        assert.match(r.err, /https:\/\/ and wss:\/\/ need TLS/, r.err);
        assert.equal(r.out, '');
      }
    }
    await sleep(100);
    assert.equal(seen.conns, 0, `no connection was opened; got ${seen.bytes.toString()}`);
    assert.equal(seen.bytes.length, 0);
  });

  it('the plain build/siocat refuses the TLS options with a clear error', async () => {
    const r = await run(PLAIN_SIOCAT, ['--insecure', 'https://localhost:1']).result();
    assert.equal(r.code, 2);
    assert.match(r.err, /need a TLS build/);
  });

  it('plain http to the TLS port is not served', async () => {
    const srv = await tlsEcho('rsa');
    const s = connect(`http://127.0.0.1:${srv.port}`, { transports: ['polling'] });
    await connectError(s);
    // nor a raw plain-text request: no HTTP answer comes back
    const c = await rawConn(srv.port);
    c.write('GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n');
    let data = Buffer.alloc(0);
    c.on('data', (d) => { data = Buffer.concat([data, d]); });
    await waitUntil(() => c.closedAt !== null, 3000, 'the server closes a plain-text connection on the TLS port');
    assert.ok(!data.toString('latin1').startsWith('HTTP/'), `no HTTP answer: ${data.toString('latin1').slice(0, 80)}`);
    // the server lives on
    const ok = connect(srv.https, { transports: ['polling'], ca: pem(C.ca) });
    await connected(ok);
  });
});
