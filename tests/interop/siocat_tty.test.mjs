// siocat's interactive mode (issue 18), in a real terminal: tmux runs
// $SIO_BUILD/siocat (or $SIO_SIOCAT_CMD) in a detached session of its own
// server (-L, a socket name of this process), keys go in with send-keys and
// the screen comes back with capture-pane. Against the npm socket.io server:
// the "> " prompt, the "connected to" line (stderr is the terminal), every
// event as "< [...]" above the prompt without breaking a half-typed line,
// Backspace, a bad line told with a hint, --ack replies, Ctrl-D ending it
// with status 0. Skipped when tmux is not installed (tests/setup.sh installs it).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import { ROOT, commandFrom, sleep, withTimeout } from './lib.mjs';

const cmd = commandFrom('SIO_SIOCAT_CMD', 'siocat');
const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SOCK = `sio-siocat-tty-${process.pid}`;
const ENV = { ...process.env, TERM: 'xterm-256color' };

function tmux(...args) {
  const r = spawnSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8', env: ENV });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;

// A session running siocat with `args`; the shell after it prints its
// exit status and stays, so that the screen can still be read.
function session(name, args) {
  const line = `${cmd.map(q).join(' ')} ${args.map(q).join(' ')}; echo "[exit $?]"; sleep 60`;
  tmux('new-session', '-d', '-s', name, '-x', '150', '-y', '40', line);
  return {
    screen: () => tmux('capture-pane', '-p', '-t', name).replace(/\s+$/, ''),
    keys: (text) => tmux('send-keys', '-t', name, '-l', text),
    key: (...k) => tmux('send-keys', '-t', name, ...k),
    // Wait until the screen satisfies `pred`.
    async until(pred, what, ms = 5000) {
      const end = Date.now() + ms;
      let s = '';
      while (Date.now() < end) {
        s = this.screen();
        if (pred(s)) return s;
        await sleep(50);
      }
      throw new Error(`timeout (${ms} ms) waiting for ${what}; screen:\n${s}`);
    },
  };
}
const lastLine = (s) => s.split('\n').pop();

// The npm server: records events, "echo" acks its arguments, "poke" is
// answered with "poked"; "welcome" on connection.
async function startIo() {
  const httpServer = http.createServer();
  const io = new Server(httpServer);
  const s = { io, received: [], sockets: [] };
  io.on('connection', (socket) => {
    s.sockets.push(socket);
    socket.emit('welcome', 'hi');
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      s.received.push([event, ...args]);
      if (event === 'echo' && ack) ack(...args);
    });
  });
  await withTimeout(new Promise((res, rej) => { httpServer.once('error', rej); httpServer.listen(0, '127.0.0.1', res); }), 5000, 'listen');
  s.url = `http://127.0.0.1:${httpServer.address().port}`;
  s.close = () => new Promise((res) => io.close(() => res()));
  s.waitFor = async (pred, what, ms = 5000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) { if (pred()) return; await sleep(20); }
    throw new Error(`timeout (${ms} ms): ${what}; received ${JSON.stringify(s.received)}`);
  };
  return s;
}

describe('siocat in a terminal (tmux)', { concurrency: false, skip: HAVE_TMUX ? false : 'tmux is not installed' }, () => {
  let srv;
  before(async () => {
    const exe = cmd[0];
    if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) throw new Error(`${exe} does not exist`);
    srv = await startIo();
  });
  after(async () => {
    spawnSync('tmux', ['-L', SOCK, 'kill-server'], { env: ENV });
    if (srv) await srv.close();
  });

  it('a prompt, one "< " line per event, typing kept whole, Ctrl-D ends it', async () => {
    const t = session('plain', [srv.url]);
    let s = await t.until((x) => /< \["welcome","hi"\]/.test(x) && lastLine(x) === '>', 'the welcome and the prompt');
    assert.match(s, /^siocat: connected to http:\/\/127\.0\.0\.1:\d+ \((polling|websocket)\), id [\w-]+$/m);

    t.keys('["chat","typed by hand"]');
    t.key('Enter');
    await srv.waitFor(() => srv.received.some((e) => e[0] === 'chat'), 'the typed line');
    assert.deepEqual(srv.received.find((e) => e[0] === 'chat'), ['chat', 'typed by hand']);
    s = await t.until((x) => lastLine(x) === '>', 'a fresh prompt');
    assert.match(s, /^> \["chat","typed by hand"\]$/m, 'the line typed stays on screen');

    // an event arrives while a line is half typed: it shows above, the
    // half line stays under the prompt, and typing goes on
    t.keys('["par');
    await t.until((x) => lastLine(x) === '> ["par', 'the half line');
    srv.sockets[0].emit('poked', { n: 1 });
    s = await t.until((x) => /^< \["poked",\{"n":1\}\]$/m.test(x), 'the event above the prompt');
    assert.equal(lastLine(s), '> ["par', 'the half-typed line is back under the prompt');
    t.keys('tiaX');
    t.key('BSpace');
    t.keys('l"]');
    t.key('Enter');
    await srv.waitFor(() => srv.received.some((e) => e[0] === 'partial'), 'the line finished after the event');

    // a line that is not an event: told, with a hint
    t.keys('hello');
    t.key('Enter');
    await t.until((x) => /siocat: line \d+: not a JSON array led by an event name, skipped \(type e\.g\. \["chat","hi"\]\)/.test(x),
      'the hint');

    t.key('C-d');
    s = await t.until((x) => /\[exit \d+\]/.test(x), 'the end');
    assert.match(s, /\[exit 0\]/);
    assert.equal(srv.received.filter((e) => e[0] === 'hello').length, 0);
  });

  it('--ack: the reply shows as "< {"ack":[...]}"', async () => {
    const t = session('ack', ['--ack', srv.url]);
    await t.until((x) => lastLine(x) === '>' && /welcome/.test(x), 'the prompt');
    t.keys('["echo",5,"five"]');
    t.key('Enter');
    await t.until((x) => /^< \{"ack":\[5,"five"\]\}$/m.test(x), 'the ack');
    t.key('C-d');
    const s = await t.until((x) => /\[exit \d+\]/.test(x), 'the end');
    assert.match(s, /\[exit 0\]/);
  });
});
