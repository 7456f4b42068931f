// The README's "server in 12 lines", built as it stands by make
// (build/readme/snippet1, the first C block of README.md), served to a
// page from ANOTHER origin in Chromium: the page loads the script the
// server serves and chats through it, which works only because the
// snippet sets cors_origin as the README says (without it Chromium
// refuses: "No 'Access-Control-Allow-Origin' header"). Both transports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { launchChromium } from './chromium.mjs';
import { startServer, ROOT, BUILD } from '../interop/lib.mjs';
import net from 'node:net';

const T = { timeout: 30000 };
const SNIPPET = path.resolve(ROOT, BUILD, 'readme/snippet1');
let srv, pageServer, browser, pagePort;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

before(async () => {
  assert.ok(existsSync(SNIPPET), `${SNIPPET} is built by make (the README's first C block)`);
  // The snippet takes its port as argv[1] and prints nothing: wait until it answers.
  const port = await freePort();
  const { spawn } = await import('node:child_process');
  const child = spawn(SNIPPET, [String(port)], { stdio: 'ignore' });
  srv = { port, child, stop: () => new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); setTimeout(() => child.kill('SIGKILL'), 3000); }) };
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The page's own origin: another port, so every request to the snippet is cross-origin.
  pageServer = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>readme</title>
<script src="http://127.0.0.1:${port}/socket.io/socket.io.js"></script><p>page</p>`);
  });
  await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
  pagePort = pageServer.address().port;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (pageServer ? pageServer.close(r) : r()));
  await srv?.stop();
});

for (const transports of [['websocket'], ['polling']]) {
  test(`a page from another origin chats with the README server (${transports})`, T, async () => {
    const page = await browser.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    try {
      await page.goto(`http://127.0.0.1:${pagePort}/`);
      const got = await page.evaluate(async ({ port, transports }) => {
        const a = io(`http://127.0.0.1:${port}`, { transports, reconnection: false });
        const b = io(`http://127.0.0.1:${port}`, { transports, reconnection: false, forceNew: true });
        const up = (s) => new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('connect timeout')), 5000);
          s.once('connect', () => { clearTimeout(t); resolve(); });
          s.once('connect_error', (e) => { clearTimeout(t); reject(new Error('connect_error: ' + e.message)); });
        });
        await Promise.all([up(a), up(b)]);
        const heard = new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('no chat')), 5000);
          b.once('chat', (...args) => { clearTimeout(t); resolve(args); });
        });
        a.emit('chat', 'hi from another origin', 42);
        const args = await heard;
        a.close();
        b.close();
        return { args, origin: location.origin };
      }, { port: srv.port, transports });
      assert.deepEqual(got.args, ['hi from another origin', 42]);
      assert.notEqual(got.origin, `http://127.0.0.1:${srv.port}`);
      assert.deepEqual(errors.filter((e) => /CORS|Access-Control/i.test(e)), []);
    } finally {
      await page.close();
    }
  });
}
