// `make demo` (issue 18): it builds build/chat and nothing else (not every
// program of `make all`), serves on PORT (`make demo PORT=N`, default 3000),
// and a demo whose port is taken says "address already in use".
// The page itself is tested in tests/browser/chat.test.mjs and
// chat_offline.test.mjs.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ROOT, BUILD, commandFrom, startServer, request, withTimeout } from './lib.mjs';

const B = path.resolve(ROOT, BUILD);
const CHAT = commandFrom('SIO_CHAT_CMD', 'chat');
const stops = [];
after(async () => { for (const s of stops.reverse()) await s(); });

const freePort = () => new Promise((res) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
});

// `make -n demo ...` from an empty build directory: what it would do.
function dryRun(...vars) {
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-demo-'));
  try {
    const env = { ...process.env };
    delete env.PORT;   // make reads PORT from the environment too
    const r = spawnSync('make', ['--no-print-directory', '-n', 'demo', `B=${empty}`, ...vars], { cwd: ROOT, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    return { lines: r.stdout.split('\n').filter((l) => l.trim()), dir: empty };
  } finally {
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

describe('make demo', { concurrency: false }, () => {
  it('builds build/chat only, then serves on 3000 by default and on PORT when given', () => {
    const { lines, dir } = dryRun();
    const compiles = lines.filter((l) => / -o \S+/.test(l));
    assert.deepEqual(compiles.map((l) => / -o (\S+)/.exec(l)[1]), [`${dir}/chat`], `only chat is built:\n${lines.join('\n')}`);
    assert.equal(lines[lines.length - 1], `${dir}/chat --port 3000`);
    const p = dryRun('PORT=8080');
    assert.equal(p.lines[p.lines.length - 1], `${p.dir}/chat --port 8080`);
  });

  it('make demo PORT=N really serves the page on N', async () => {
    const port = await freePort();
    const child = spawn('make', ['--no-print-directory', 'demo', `B=${B}`, `PORT=${port}`],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const exited = new Promise((res) => child.once('exit', res));
    stops.push(async () => {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
      await withTimeout(exited, 5000, 'make demo exit').catch(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } });
    });
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    await withTimeout(new Promise((res, rej) => {
      const iv = setInterval(() => {
        if (out.includes(`listening on port ${port}`)) { clearInterval(iv); res(); }
        if (child.exitCode !== null) { clearInterval(iv); rej(new Error(`make demo exited: ${out}`)); }
      }, 20);
    }), 120000, `make demo PORT=${port}`);
    const page = await request(port, 'GET', '/');
    assert.equal(page.status, 200);
    assert.match(page.text, /socketio\.h chat/);
    const icon = await request(port, 'GET', '/favicon.ico');
    assert.equal(icon.status, 200, 'a favicon, not a 404');
    assert.match(icon.headers['content-type'], /^image\/svg\+xml/);
  });

  it('a port already taken: "address already in use", exit 1', async () => {
    const first = await startServer(CHAT);
    stops.push(() => first.stop());
    const r = spawnSync(CHAT[0], [...CHAT.slice(1), '--host', '127.0.0.1', '--port', String(first.port)],
      { cwd: ROOT, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^chat: cannot listen on port ${first.port}: address already in use$`, 'm'));
    assert.match(r.stderr, /make demo PORT=/, 'and how to pick another');
  });
});
