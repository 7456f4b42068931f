// Our client with `--eio 3` (issue 15) against a Socket.IO v2 server, npm
// socket.io@2 running the echo contract (tests/node/echo_v2.mjs, or
// $SIO_ECHO_V2_CMD), through two programs:
// - siocat ($SIO_BUILD/siocat or $SIO_SIOCAT_CMD): stdin lines emitted,
//   events printed as JSON lines, --ack prints {"ack":[...]};
// - client_driver ($SIO_BUILD/client_driver or $SIO_CLIENT_DRIVER_CMD):
//   commands in, one report line per happening out (see tests/interop/driver.mjs).
// tests/node/siocat_standin_v2.mjs and driver_standin_v2.mjs speak the same
// lines on the npm socket.io-client@2: they prove these tests right.
// The server runs with --verbose: its log shows the transport, the upgrade
// and every ping it receives, so the tests can check the server's side.

import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, commandFrom, startServer, sleep, withTimeout } from './lib.mjs';
import { Driver as SharedDriver } from './driver.mjs';

const V2 = process.env.SIO_ECHO_V2_CMD ? commandFrom('SIO_ECHO_V2_CMD') : ['node', 'tests/node/echo_v2.mjs'];
const SIOCAT = commandFrom('SIO_SIOCAT_CMD', 'siocat');
const EIO3 = ['--eio', '3'];
const TRANSPORTS = ['polling', 'websocket', 'auto'];
const want = (t) => (t === 'polling' ? 'polling' : 'websocket');
const BIG = 300000;

const cleanups = [];
afterEach(async () => {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch { /* best effort */ }
  }
});

// The v2 echo server; `port` to restart it where it was.
async function startV2(args = [], port = 0) {
  const srv = await startServer(V2, ['--verbose', ...args], { port });
  cleanups.push(async () => { srv.process.kill('SIGCONT'); await srv.stop(); });
  srv.count = (re) => srv.output().split('\n').filter((l) => re.test(l)).length;
  srv.waitLog = async (re, ms = 5000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const m = re.exec(srv.output());
      if (m) return m;
      await sleep(20);
    }
    throw new Error(`timeout (${ms} ms) waiting for ${re} in the server log:\n${srv.output().slice(-3000)}`);
  };
  return srv;
}

// ----------------------------------------------------------------- siocat

// Spawns siocat with `args` and the URL. `input` is written to stdin and
// stdin closed, or with input null stdin stays open (p.write()).
function siocat(url, args, { input = '' } = {}) {
  const [exe, ...pre] = SIOCAT;
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    throw new Error(`${exe} does not exist (build it, or set SIO_SIOCAT_CMD)`);
  }
  const child = spawn(exe, [...pre, ...EIO3, ...args, url], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '' };
  child.stdout.setEncoding('utf8'); // a multi-byte character may straddle two chunks
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { p.out += d; });
  child.stderr.on('data', (d) => { p.err += d; });
  child.stdin.on('error', () => {});
  p.exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  p.write = (s) => child.stdin.write(s);
  p.lines = () => p.out.split('\n').filter((l) => l.length);
  p.until = async (pred, ms = 5000, what = 'output') => {
    const end = Date.now() + ms;
    while (!pred(p.lines())) {
      if (Date.now() > end) throw new Error(`timeout (${ms} ms) waiting for ${what}; stdout:\n${p.out.slice(-2000)}\nstderr:\n${p.err}`);
      await sleep(20);
    }
  };
  p.result = async (ms = 15000) => {
    const r = await withTimeout(p.exited, ms, `siocat to exit; stdout:\n${p.out.slice(-2000)}\nstderr:\n${p.err}`);
    return { ...r, out: p.out, err: p.err, lines: p.lines() };
  };
  if (input !== null) child.stdin.end(input);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGKILL'); await p.exited; }
  });
  return p;
}

describe('siocat --eio 3 against socket.io@2', { concurrency: false }, () => {
  for (const t of TRANSPORTS) {
    it(`--transport ${t}: events, non-ASCII, binary; the server saw ${want(t)}`, async () => {
      const srv = await startV2();
      const input = [
        '["chat","é🚀𝄞 漢字",{"n":[1,2.5,null,true]}]',
        '["blob",{"_binary":"AAEC"},{"k":[{"_binary":""},"x"]}]',
        '["名前🚀"]',
      ].join('\n');
      const r = await siocat(srv.url, ['--transport', t, '-q', '1'], { input }).result();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.lines, [
        '["auth",{}]',
        '["chat-back","é🚀𝄞 漢字",{"n":[1,2.5,null,true]}]',
        '["blob-back",{"_binary":"AAEC"},{"k":[{"_binary":""},"x"]}]',
        '["名前🚀-back"]',
      ]);
      const [, sid, opened] = await srv.waitLog(/engine open (\S+) (\S+)/);
      assert.equal(opened, t === 'websocket' ? 'websocket' : 'polling');
      if (t === 'auto') await srv.waitLog(new RegExp(`engine upgrade ${sid} websocket`));
      else assert.equal(srv.count(/engine upgrade/), 0);
    });

    it(`--transport ${t} --ack: acks both ways`, async () => {
      const srv = await startV2();
      const input = '["echo","é🚀",{"_binary":"/wA="},[1,{"a":null}]]\n["ask","q",1,"ü"]\n';
      const r = await siocat(srv.url, ['--transport', t, '--ack', '-q', '1'], { input }).result();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.lines.sort(), [
        '["ask-back"]', // siocat answered the server's ack request with no arguments
        '["auth",{}]',
        '["q",1,"ü"]',
        '{"ack":["é🚀",{"_binary":"/wA="},[1,{"a":null}]]}',
        '{"ack":[]}',
      ]);
    });
  }

  it('--namespace /custom --auth: the data arrives as the v2 query; refusal and unknown namespace exit 1', async () => {
    const srv = await startV2();
    const r = await siocat(srv.url, ['--namespace', '/custom', '--auth', '{"token":"abc"}', '-q', '1'],
      { input: '["hi","ü"]\n' }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.lines, ['["auth",{"token":"abc"}]', '["hi-back","ü"]']);
    await srv.waitLog(/<- \S+ message 0\/custom/); // a CONNECT of /custom went out
    const d = await siocat(srv.url, ['--namespace', '/custom', '--auth', '{"deny":"nope"}'], { input: null }).result();
    assert.equal(d.code, 1);
    assert.match(d.err, /nope/);
    const n = await siocat(srv.url, ['--namespace', '/nope'], { input: null }).result();
    assert.equal(n.code, 1);
    assert.match(n.err, /Invalid namespace/);
  });

  it(`payloads of ${BIG / 1000} KB over each transport: ASCII, astral text, binary`, async () => {
    const srv = await startV2();
    const ascii = 'x'.repeat(BIG);
    const astral = 'é🚀x'.repeat(Math.ceil(BIG / 7));
    const bin = Buffer.alloc(BIG);
    for (let i = 0; i < BIG; i++) bin[i] = (i * 7) & 255;
    const lines = [JSON.stringify(['echo', ascii]), JSON.stringify(['echo', astral]), JSON.stringify(['echo', { _binary: bin.toString('base64') }])];
    for (const t of TRANSPORTS) {
      const r = await siocat(srv.url, ['--transport', t, '--ack', '-q', '0.5'], { input: `${lines.join('\n')}\n` }).result(30000);
      assert.equal(r.code, 0, r.err);
      const acks = r.lines.filter((l) => l.startsWith('{"ack"')).map((l) => JSON.parse(l).ack[0]);
      assert.equal(acks.length, 3, `${t}: three acks`);
      assert.ok(acks[0] === ascii, `${t}: ASCII`);
      assert.ok(acks[1] === astral, `${t}: astral`);
      assert.ok(Buffer.from(acks[2]._binary, 'base64').equals(bin), `${t}: binary`);
    }
  });

  for (const t of ['polling', 'websocket']) {
    it(`--transport ${t}: the server killed and restarted on the same port, siocat carries on`, async () => {
      let srv = await startV2();
      const { port } = srv;
      const p = siocat(srv.url, ['--transport', t], { input: null });
      await p.until((l) => l.includes('["auth",{}]'), 5000, 'the first auth');
      await srv.kill('SIGKILL');
      await sleep(300);
      srv = await startV2([], port);
      await p.until((l) => l.filter((x) => x === '["auth",{}]').length === 2, 10000, 'auth again after reconnecting');
      p.write('["after","é"]\n');
      await p.until((l) => l.includes('["after-back","é"]'), 5000, 'an echo after reconnecting');
      p.child.kill('SIGTERM');
      assert.equal((await p.result(5000)).code, 0);
    });
  }
});

// ------------------------------------------------------------ client_driver

class Driver extends SharedDriver {
  constructor(url, args = []) {
    super(url, [...EIO3, ...args], cleanups);
    this.child.stdout.setEncoding('utf8'); // before any data: keeps multi-byte characters whole
  }

  // A driver that exits (e.g. on an unknown option) fails the wait at once.
  expectAt(re, ms = 5000) {
    const died = this.exited.then(async ({ code, sig }) => {
      await sleep(200); // lines printed just before the exit still count
      throw new Error(`the driver exited (code ${code}, signal ${sig}) while waiting for ${re}; it said:\n${this.lines.join('\n')}\n${this.log}`);
    });
    return Promise.race([super.expectAt(re, ms), died]);
  }
}

describe('client_driver --eio 3 against socket.io@2', { concurrency: false }, () => {
  for (const t of TRANSPORTS) {
    it(`transport ${t}: handshake, the v2 id, events, and the transport seen from both ends`, async () => {
      const srv = await startV2();
      const d = new Driver(srv.url, ['--transport', t]);
      d.send('open /');
      const [, id] = await d.expect(/^connect \/ (\S+)$/);
      const [, sid, opened] = await srv.waitLog(/engine open (\S+) (\S+)/);
      assert.equal(id, sid, 'a v2 socket id on "/" is the Engine.IO id');
      assert.equal(opened, t === 'websocket' ? 'websocket' : 'polling');
      await d.expect(/^event \/ \["auth",\{\}\]$/);
      if (t === 'auto') await srv.waitLog(new RegExp(`engine upgrade ${sid} websocket`));
      d.send('transport');
      assert.equal((await d.expect(/^transport (\S+)$/))[1], want(t));
      for (let i = 0; i < 10; i++) d.send(`emit / ["seq",${i},"ü🚀"]`);
      for (let i = 0; i < 10; i++) await d.expect(new RegExp(`^event / \\["seq-back",${i},"ü🚀"\\]$`));
      const lines = d.lines.filter((l) => l.startsWith('event / ["seq-back"'));
      assert.deepEqual(lines.map((l) => JSON.parse(l.slice(8))[1]), [...Array(10).keys()], 'in order');
    });
  }

  it('acks both ways, many in flight', async () => {
    const srv = await startV2();
    const d = new Driver(srv.url);
    d.send('open /');
    await d.expect(/^connect \//);
    d.send('emitack / 3000 ["echo",1,"two",{"three":3},"é🚀"]');
    assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '[1,"two",{"three":3},"é🚀"]');
    d.send('emit / ["ask","question",42]');
    await d.expect(/^event \/ \["question",42\]$/);
    await d.expect(/^event \/ \["ask-back","ack-of","question"\]$/);
    for (let i = 0; i < 10; i++) d.send(`emitack / 3000 ["echo",${i}]`);
    const got = [];
    for (let i = 0; i < 10; i++) got.push(Number((await d.expect(/^ack \/ \[(\d+)\]$/))[1]));
    assert.deepEqual(got.sort((x, y) => x - y), [...Array(10).keys()]);
  });

  for (const t of ['polling', 'websocket']) {
    it(`binary both ways over ${t}: nested, empty, 100 KB, in acks`, async () => {
      const srv = await startV2();
      const d = new Driver(srv.url, ['--transport', t]);
      d.send('open /');
      await d.expect(/^connect \//);
      const big = Buffer.alloc(100000);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
      const args = `{"_binary":"AAECAw=="},"mid",{"deep":[{"_binary":"${big.toString('base64')}"}]},{"_binary":""}`;
      d.send(`emit / ["bin",${args}]`);
      assert.equal((await d.expect(/^event \/ (\["bin-back".*)$/))[1], `["bin-back",${args}]`);
      d.send('emitack / 3000 ["echo",{"_binary":"/wA="},"é"]');
      assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '[{"_binary":"/wA="},"é"]');
      await srv.waitLog(new RegExp(`<- \\S+ message <4 bytes>`)); // a binary attachment reached the server
    });
  }

  it('/ and /custom over one connection with auth; v2 refusal and unknown namespace', async () => {
    const srv = await startV2();
    const d = new Driver(srv.url, ['--transport', 'polling']);
    d.send('open / {"token":"abc"}');
    d.send('open /custom {"token":"abc"}');
    const [, rootId] = await d.expect(/^connect \/ (\S+)$/);
    const [, customId] = await d.expect(/^connect \/custom (\S+)$/);
    assert.equal(customId, `/custom#${rootId}`, 'v2 ids: "/custom#" + the Engine.IO id');
    // "/" is joined implicitly: its data can only ride on the handshake URL's query.
    await d.expect(/^event \/ \["auth",\{"token":"abc"\}\]$/);
    await d.expect(/^event \/custom \["auth",\{"token":"abc"\}\]$/);
    assert.equal(srv.count(/engine open/), 1, 'one Engine.IO connection');
    d.send('emit /custom ["hi","ü"]');
    await d.expect(/^event \/custom \["hi-back","ü"\]$/);
    await sleep(100);
    assert.equal(d.count(/^event \/ \["hi-back"/), 0);

    const d2 = new Driver(srv.url);
    d2.send('open /custom {"deny":"nope"}');
    assert.equal((await d2.expect(/^connect_error \/custom ([^\t]*)\t/))[1], 'nope');
    d2.send('open /nope');
    assert.equal((await d2.expect(/^connect_error \/nope ([^\t]*)\t/))[1], 'Invalid namespace');
  });

  for (const t of ['polling', 'websocket']) {
    it(`${t}: our client pings (EIO3); it stays up for several intervals, and a silent server is a "ping timeout"`, async () => {
      const srv = await startV2(['--ping-interval', '300', '--ping-timeout', '200']);
      const d = new Driver(srv.url, ['--transport', t, '--no-reconnect']);
      d.send('open /');
      await d.expect(/^connect \//);
      await sleep(2000); // four times pingInterval + pingTimeout
      assert.equal(d.count(/^disconnect/), 0, 'alive: the v2 server closes a client that does not ping');
      assert.ok(srv.count(/<- \S+ ping/) >= 4, `the server got our pings:\n${srv.output().slice(-1500)}`);
      assert.equal(srv.count(/-> \S+ ping/), 0, 'a v2 server never pings');
      d.send('emitack / 3000 ["echo","still"]');
      assert.equal((await d.expect(/^ack \/ (.*)$/))[1], '["still"]');
      // A frozen server answers no ping: detected within pingInterval + pingTimeout (+ slack).
      srv.process.kill('SIGSTOP');
      const t0 = Date.now();
      await d.expect(/^disconnect \/ ping timeout$/, 3000);
      assert.ok(Date.now() - t0 < 1500, `after ${Date.now() - t0} ms`);
      await d.expect(/^closed$/);
    });
  }

  for (const t of ['polling', 'websocket']) {
    it(`${t}: the v2 server killed and restarted on the same port; rejoined with the same auth, held emits once`, async () => {
      let srv = await startV2();
      const { port } = srv;
      const d = new Driver(srv.url, ['--transport', t, '--delay', '200', '--delay-max', '400']);
      d.send('open / {"token":"keep"}');
      d.send('open /custom {"token":"keep"}');
      await d.expect(/^connect \/ /);
      await d.expect(/^event \/custom \["auth",\{"token":"keep"\}\]$/);
      await srv.kill('SIGKILL');
      const [, reason] = await d.expect(/^disconnect \/ (.*)$/);
      assert.ok(['transport close', 'transport error'].includes(reason), `reason ${reason}`);
      await d.expect(/^disconnect \/custom /);
      for (let i = 0; i < 5; i++) d.send(`emit / ["held",${i}]`);
      d.send('emit /custom ["held-custom"]');
      d.send('emitack / 8000 ["echo","acked-later"]');
      await d.expect(/^reconnect_attempt \d+$/, 3000);
      srv = await startV2([], port);
      assert.ok(Number((await d.expect(/^reconnect (\d+)$/, 8000))[1]) >= 1);
      await d.expect(/^connect \/ /, 5000);
      await d.expect(/^connect \/custom /, 5000);
      assert.equal((await d.expect(/^ack \/ (.*)$/, 5000))[1], '["acked-later"]');
      await d.expect(/^event \/custom \["held-custom-back"\]$/);
      for (let i = 0; i < 5; i++) await d.expect(new RegExp(`^event / \\["held-back",${i}\\]$`));
      await sleep(300);
      assert.equal(d.count(/^event \/ \["held-back"/), 5, 'each held emit once');
      assert.equal(d.count(/^event \/custom \["auth",\{"token":"keep"\}\]$/), 2, `rejoined /custom with its auth:\n${d.lines.join('\n')}`);
    });
  }

  it('server-side disconnect: "io server disconnect", no reconnection', async () => {
    const srv = await startV2();
    const d = new Driver(srv.url, ['--delay', '100']);
    d.send('open /');
    await d.expect(/^connect \//);
    d.send('emit / ["disconnect-me"]');
    await d.expect(/^disconnect \/ io server disconnect$/);
    await d.expect(/^closed$/);
    await sleep(400);
    assert.equal(d.count(/^reconnect_attempt/), 0);
    assert.equal(srv.count(/engine open/), 1);
  });
});
