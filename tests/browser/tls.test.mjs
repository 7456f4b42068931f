// Browser test of the chat demo over TLS (examples/chat.c built with BearSSL,
// build/tls/chat): headless Chromium opens https://localhost:PORT/ served by
// our server with a certificate from a test CA made here with `openssl`.
// Chromium has no CA option, so the test trusts exactly the server's key
// with --ignore-certificate-errors-spki-list=<base64 sha256 of its
// SubjectPublicKeyInfo> (not ignoreHTTPSErrors); a browser without that flag
// must refuse the page, which shows the certificate really is checked.
// Two pages join and exchange a message, and the transport reaches
// websocket (wss). A screenshot goes to $SIO_BUILD/chat-tls.png.
//
//   node --test --test-reporter=spec tests/browser/tls.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SIO_BUILD (default build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { launchChromium } from './chromium.mjs';
import { startServer, ROOT, BUILD } from '../interop/lib.mjs';

const WAIT = 10000;                      // bound on every single wait
const CHAT = path.resolve(ROOT, BUILD, 'tls/chat');
const SHOT = path.resolve(ROOT, BUILD, 'chat-tls.png');

const SCRIPT = `set -e
printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' >srv.ext
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=sio-test-CA \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=localhost
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 -extfile srv.ext -out srv.pem
openssl x509 -in srv.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64 >spki.txt
`;

let dir, spki, server;
const browsers = new Set();

before(async () => {
  if (!fs.existsSync(CHAT)) throw new Error(`${CHAT} does not exist (run make; TLS builds need libbearssl-dev)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-tls-browser-'));
  try {
    execFileSync('sh', ['-c', SCRIPT], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
  } catch (e) {
    throw new Error(`openssl failed: ${e.stderr || e}`);
  }
  spki = fs.readFileSync(path.join(dir, 'spki.txt'), 'utf8').trim();
  assert.match(spki, /^[A-Za-z0-9+/]{43}=$/, 'a base64 SHA-256');
  server = await startServer([CHAT], ['--tls-cert', path.join(dir, 'srv.pem'), '--tls-key', path.join(dir, 'srv.key')]);
});

after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  browsers.clear();
  if (server) await server.stop().catch(() => {});
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function launch(extra = []) {
  const b = await launchChromium({ extraArgs: extra, timeout: WAIT * 2 });
  browsers.add(b);
  return b;
}

// A page in a fresh context (another person), every page error recorded.
async function openPage(browser, url, label, errors) {
  const context = await browser.newContext({ viewport: { width: 900, height: 640 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  // record every WebSocket the page opens (its URL), whatever client it runs
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    window.__wsUrls = [];
    window.WebSocket = class extends Native {
      constructor(u, ...rest) { super(u, ...rest); window.__wsUrls.push(this.url); }
    };
  });
  page.on('pageerror', (e) => errors.push(`${label}: ${e.stack || e}`));
  // any failed request (but the favicon, which the demo does not have)
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${label}: ${r.status()} for ${r.url()}`);
  });
  page.on('requestfailed', (r) => {
    if (!r.url().endsWith('/favicon.ico')) errors.push(`${label}: request failed ${r.url()}: ${r.failure()?.errorText}`);
  });
  await page.goto(url, { timeout: WAIT });
  return page;
}

// Wait until `fn(arg)` is truthy in the page; on timeout say what was there.
async function waitIn(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT });
  } catch (e) {
    const state = await page.evaluate(() => ({
      transport: document.getElementById('transport')?.textContent,
      users: document.getElementById('users')?.textContent,
      messages: [...document.querySelectorAll('#messages li')].map((li) => li.textContent),
    })).catch((err) => String(err));
    throw new Error(`timeout (${WAIT} ms) waiting for ${what}; page state: ${JSON.stringify(state)}`, { cause: e });
  }
}

const hasMessage = (page, text) => waitIn(page, `message "${text}"`,
  (t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent === t), text);
const hasNotice = (page, text) => waitIn(page, `notice "${text}"`,
  (t) => [...document.querySelectorAll('#messages li.notice')].some((li) => li.textContent === t), text);
const usersIs = (page, n) => waitIn(page, `users count ${n}`,
  (v) => document.getElementById('users').textContent === v, String(n));

async function join(page, name) {
  await waitIn(page, 'the connection (transport shown)',
    () => ['polling', 'websocket'].includes(document.getElementById('transport').textContent));
  await page.fill('#name', name);
  await page.click('#join');
  await waitIn(page, 'the room', () => !document.getElementById('room').hidden);
}

test('chat over https/wss in Chromium, the test server\'s key trusted by SPKI pin', { timeout: 60000 }, async () => {
  const url = `https://localhost:${server.port}/`;
  const browser = await launch([`--ignore-certificate-errors-spki-list=${spki}`]);
  const errors = [];
  try {
    const alice = await openPage(browser, url, 'alice', errors);
    const bob = await openPage(browser, url, 'bob', errors);
    for (const p of [alice, bob]) {
      assert.equal(await p.evaluate(() => location.protocol), 'https:');
    }

    await join(alice, 'alice');
    await hasNotice(alice, 'alice joined');
    await join(bob, 'bob');
    await hasNotice(alice, 'bob joined');
    await usersIs(alice, 2);
    await usersIs(bob, 2);

    await alice.fill('#text', 'hello over TLS ✓');
    await alice.click('#send');
    await hasMessage(bob, 'alice hello over TLS ✓');
    await bob.fill('#text', 'ünïcødé back 🚀 <b>&</b>');
    await bob.click('#send');
    await hasMessage(alice, 'bob ünïcødé back 🚀 <b>&</b>');

    // the transport reaches websocket, and it is wss
    for (const p of [alice, bob]) {
      await waitIn(p, 'transport "websocket"', () => document.getElementById('transport').textContent === 'websocket');
      const t = await p.evaluate(() => ({ name: socket.io.engine.transport.name, urls: window.__wsUrls }));
      assert.equal(t.name, 'websocket', 'the header shows the real transport');
      assert.ok(t.urls.length >= 1, 'a WebSocket was opened');
      for (const u of t.urls) assert.match(u, new RegExp(`^wss://localhost:${server.port}/socket\\.io/`), `the WebSocket is wss: ${u}`);
    }
    // and a message still goes through after the upgrade
    await alice.fill('#text', 'after the upgrade');
    await alice.click('#send');
    await hasMessage(bob, 'alice after the upgrade');

    fs.mkdirSync(path.dirname(SHOT), { recursive: true });
    await alice.screenshot({ path: SHOT, fullPage: true, timeout: WAIT });
    assert.deepEqual(errors, [], 'no page errors');
  } catch (e) {
    if (errors.length) e.message += `\npage errors:\n${errors.join('\n')}`;
    e.message += `\nchat output:\n${server.output()}`;
    throw e;
  } finally {
    browsers.delete(browser);
    await browser.close().catch(() => {});
  }
});

test('without the SPKI pin Chromium refuses the page (the certificate is really checked)', { timeout: 30000 }, async () => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await assert.rejects(page.goto(`https://localhost:${server.port}/`, { timeout: WAIT }), /ERR_CERT_AUTHORITY_INVALID/);
  } finally {
    browsers.delete(browser);
    await browser.close().catch(() => {});
  }
});
