// Issue 19: the Windows build (mingw-w64, Winsock 2: build/win/*.exe) run
// under wine, talking to the npm packages on Linux over 127.0.0.1:
// - build/echo.exe through the same server suites as the default build
//   (SIO_ECHO_CMD="wine build/echo.exe": Engine.IO framing, events, acks,
//   binary, v3, MessagePack);
// - build/win/siocat.exe against Node's echo server (tests/node/echo_server.mjs):
//   an event and its echo over polling and over WebSocket, binary in an ack;
// - build/win/chat.exe, the demo, with the npm client and build/win/client.exe
//   in the room.
// The client suites (client_driver.exe, siocat.test.mjs) are not run: the
// tools read their stdin between polls with PeekNamedPipe, which wine does
// not support on the Unix pipes node gives them (see examples/poll_stdin.h); so
// client.exe gets a file, at its end at once, and only listens.
// Where mingw-w64 or wine is missing this file fails, as targets.test.mjs
// does: make test installs them (tests/setup.sh).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, BUILD, startServer, connect, connected, closeClients, withTimeout } from './lib.mjs';

// The servers start once wine's own services run (the before hook): the
// first wine program starts them, and they keep the descriptors they are
// given, which held a server's pipes open and, on some runs, left one
// refusing connections right after it said it listens.
const SUITES = ['tests/interop/eio.test.mjs', 'tests/interop/sio.test.mjs', 'tests/interop/server_extra.test.mjs',
  'tests/interop/eio3.test.mjs', 'tests/interop/msgpack.test.mjs'];
const WIN = path.resolve(ROOT, BUILD, 'win');
const ECHO = path.resolve(ROOT, BUILD, 'echo.exe');   // the build/echo.exe
// A prefix of our own (tests/run.sh sets the same one), made on first use.
const env = { ...process.env, WINEDEBUG: '-all', WINEPREFIX: process.env.WINEPREFIX || path.join(WIN, 'prefix') };
delete env.NODE_TEST_CONTEXT;   // nested runners report to us, not to a parent

function has(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

function run(cmd, args, { input = null, ms = 120000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, ms);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, out, err }); });
    if (input !== null) child.stdin.end(input);
  });
}

describe('Windows build under wine', () => {
  before(async () => {
    assert.ok(has('wine'), 'wine not installed (tests/setup.sh installs it)');
    for (const bin of [ECHO, ...['siocat.exe', 'chat.exe', 'client.exe'].map((f) => path.join(WIN, f))]) {
      assert.ok(existsSync(bin), `${bin} missing: make ${path.relative(ROOT, bin)}`);
    }
    mkdirSync(env.WINEPREFIX, { recursive: true });
    // The first start makes the prefix (about 15 s); one wineserver then
    // serves the whole file. Its services inherit what they are given, so
    // no pipes here, and the exit (not the pipes' close) is what counts:
    // wine's, for wineserver -p fails when one (run.sh's) is already up.
    const code = await new Promise((resolve) => {
      const child = spawn('sh', ['-c', 'wineserver -p 60; wine cmd /c exit 0'], { cwd: ROOT, env, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 90000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 0, 'wine does not start');
  });
  // the wineserver would linger for its 60 s: it and whatever it still
  // runs stop here
  after(() => { try { execFileSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 20000 }); } catch { /* none */ } });

  // two suites at a time: each waits on wine more than on a core
  it('echo.exe: the server suites, the npm client connecting from Linux', { concurrency: 2 }, async (t) => {
    const suiteEnv = { ...env, SIO_ECHO_CMD: `wine ${ECHO}` };
    await Promise.all(SUITES.map((suite) =>
      t.test(suite, async () => {
        const r = await new Promise((resolve) => {
          const child = spawn(process.execPath, ['--test', '--test-reporter=tap', '--test-timeout=60000', suite],
            { cwd: ROOT, env: suiteEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
          let out = '';
          child.stdout.on('data', (d) => { out += d; });
          child.stderr.on('data', (d) => { out += d; });
          const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 150000);
          child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
        });
        const pass = Number((/^# pass (\d+)$/m.exec(r.out) || [])[1] || 0);
        const failed = r.out.split('\n').filter((l) => /^\s*not ok /.test(l)).join('\n');
        assert.equal(r.code, 0, `${suite} against echo.exe failed:\n${failed}\n${r.out.slice(-3000)}`);
        assert.ok(pass > 0, `${suite}: nothing passed`);
      })));
  });

  it('siocat.exe against the Node server: events over polling and WebSocket, binary in an ack', async () => {
    const srv = await startServer([process.execPath, 'tests/node/echo_server.mjs']);
    try {
      const siocat = path.join(WIN, 'siocat.exe');
      for (const transport of ['polling', 'websocket']) {
        const r = await run('wine', [siocat, '--transport', transport, '-q', '1', srv.url],
          { input: `["echo","hi from ${transport}"]\n` });
        assert.equal(r.code, 0, `${transport}: exit ${r.code}: ${r.err}`);
        assert.match(r.out, new RegExp(`^\\["echo-back","hi from ${transport}"\\]$`, 'm'), r.out + r.err);
      }
      const r = await run('wine', [siocat, '--ack', '-q', '1', srv.url], { input: '["echo","bin",{"_binary":"AQID"}]\n' });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^\{"ack":\["bin",\{"_binary":"AQID"\}\]\}$/m, r.out + r.err);
    } finally {
      await srv.stop();
    }
  });

  it('chat.exe: the npm client joins and hears its message back, client.exe hears it too', async () => {
    const srv = await startServer(['env', `WINEPREFIX=${env.WINEPREFIX}`, 'WINEDEBUG=-all', 'wine',
      path.join(WIN, 'chat.exe')], [], { timeout: 30000 });
    let client = null;
    let stdin = null;
    try {
      const u = connect(srv.port);
      await connected(u, 10000);
      u.emit('join', 'node-user');
      const [me] = await u.inbox.take('joined', 10000);
      assert.equal(me.name, 'node-user');
      u.emit('message', 'hi from Linux');
      const [m] = await u.inbox.take('message', 10000);
      assert.deepEqual([m.name, m.text], ['node-user', 'hi from Linux']);

      writeFileSync(path.join(WIN, 'empty.txt'), '');
      stdin = openSync(path.join(WIN, 'empty.txt'), 'r');   // a file: its end is seen at once
      client = spawn('wine', [path.join(WIN, 'client.exe'), srv.url, 'c-bot'],
        { cwd: ROOT, env, stdio: [stdin, 'pipe', 'pipe'], detached: true });
      let out = '';
      const heard = new Promise((resolve) => {
        client.stdout.on('data', (d) => { out += d; if (out.includes('node-user: hi client.exe')) resolve(); });
      });
      client.stderr.on('data', (d) => { out += d; });
      const [bot] = await u.inbox.take('joined', 20000);
      assert.deepEqual([bot.name, bot.users], ['c-bot', 2]);
      u.emit('message', 'hi client.exe');
      await withTimeout(heard, 10000, 'client.exe printing the message').catch((e) => assert.fail(`${e.message}:\n${out}`));
    } finally {
      closeClients();
      if (client) try { process.kill(-client.pid, 'SIGKILL'); } catch { /* gone */ }
      if (stdin !== null) closeSync(stdin);
      srv.kill();
    }
  });
});
