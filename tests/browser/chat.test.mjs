// Browser test of the chat demo (examples/chat.c, build/chat): real Chromium
// pages use the page chat serves at `/`, as a person would, in three variants:
//   default  - our served client (polling, then upgrade to websocket)
//   polling  - the same page opened with ?transport=polling
//   official - chat started with --client-js pointing at the official
//              socket.io-client bundle (default transports)
// Each variant: two pages join, see the join notices and the users count,
// typing indicator, a message, a shared PNG and a shared binary file (name,
// byte count, the very bytes), the transport in the header, a third page
// getting the history, and the "left" notice when a page closes. Any page
// error fails the test. A screenshot of a chat page goes to
// $SIO_BUILD/chat-<variant>.png.
//
//   node --test --test-reporter=spec tests/browser/chat.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SIO_BUILD (default build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { launchChromium } from './chromium.mjs';
import { startServer, commandFrom, ROOT, BUILD } from '../interop/lib.mjs';

const WAIT = 10000;                      // bound on every single wait
const T = { timeout: 90000 };            // bound on one variant
const OFFICIAL_JS = path.join(ROOT, 'tests/node_modules/socket.io-client/dist/socket.io.min.js');
const SHOTS = path.resolve(ROOT, BUILD);

const VARIANTS = [
  { name: 'default', args: [], query: '', transport: 'websocket' },
  { name: 'polling', args: [], query: '?transport=polling', transport: 'polling' },
  { name: 'official', args: ['--client-js', OFFICIAL_JS], query: '', transport: 'websocket' },
];

// ------------------------------------------------------------ test data

// A small RGB PNG (a colour gradient), made here so it needs no fixture.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function makePng(w, h) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;   // bit depth
  ihdr[9] = 2;   // RGB
  const raw = Buffer.alloc(h * (1 + 3 * w));
  for (let y = 0; y < h; y++) {
    const row = y * (1 + 3 * w);
    raw[row] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      raw[row + 1 + 3 * x] = Math.round((255 * x) / (w - 1));
      raw[row + 2 + 3 * x] = Math.round((255 * y) / (h - 1));
      raw[row + 3 + 3 * x] = 160;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
const PNG_W = 96, PNG_H = 48;
const PNG = makePng(PNG_W, PNG_H);
// Every byte value, including the ones that are not valid UTF-8.
const BIN = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), crypto.randomBytes(2744)]);
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');

// ------------------------------------------------------------ harness

let browser;
const servers = new Set();
const contexts = new Set();

before(async () => {
  browser = await launchChromium();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  contexts.clear();
  if (browser) await browser.close().catch(() => {});
  for (const s of servers) await s.stop().catch(() => {});
  servers.clear();
});

// A page in a fresh context (its own cookies/storage, as another person),
// every page error recorded with the page's label.
async function openPage(url, label, errors) {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
  contexts.add(context);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => errors.push(`${label}: ${e.stack || e}`));
  page.close = async () => { contexts.delete(context); await context.close(); };
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
      typing: document.getElementById('typing')?.textContent,
      messages: [...document.querySelectorAll('#messages li')].map((li) => li.textContent),
    })).catch((err) => String(err));
    throw new Error(`timeout (${WAIT} ms) waiting for ${what}; page state: ${JSON.stringify(state)}`, { cause: e });
  }
}

const hasMessage = (page, text, what = `message "${text}"`) => waitIn(page, what,
  (t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent === t), text);
const hasNotice = (page, text) => waitIn(page, `notice "${text}"`,
  (t) => [...document.querySelectorAll('#messages li.notice')].some((li) => li.textContent === t), text);
const usersIs = (page, n) => waitIn(page, `users count ${n}`,
  (v) => document.getElementById('users').textContent === v, String(n));
const typingIs = (page, text) => waitIn(page, `typing line "${text}"`,
  (v) => document.getElementById('typing').textContent === v, text);
const transportIs = (page, name) => waitIn(page, `transport "${name}"`,
  (v) => document.getElementById('transport').textContent === v, name);
const textOf = (page, sel) => page.evaluate((s) => document.querySelector(s).textContent, sel);

// Log in as `name` once the page's socket is connected (the header shows a
// transport then), and wait for the room to show.
async function join(page, name) {
  await waitIn(page, 'the connection (transport shown)',
    () => ['polling', 'websocket'].includes(document.getElementById('transport').textContent));
  await page.fill('#name', name);
  await page.click('#join');
  await waitIn(page, 'the room', () => !document.getElementById('room').hidden && document.getElementById('login').hidden);
}

// The shared file `file` as the page shows it: the entry's text, the link's
// text, whether an <img> is there (and its natural size) and the bytes behind
// the link.
async function sharedFile(page, file) {
  await waitIn(page, `shared file "${file}"`,
    (f) => [...document.querySelectorAll('#messages li.file a')].some((a) => a.textContent === f), file);
  const r = await page.evaluate(async (f) => {
    const a = [...document.querySelectorAll('#messages li.file a')].find((x) => x.textContent === f);
    const li = a.closest('li');
    const img = li.querySelector('img');
    if (img && !img.complete) await new Promise((res) => { img.onload = img.onerror = res; });
    const bytes = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
    return {
      text: li.textContent,
      link: a.textContent,
      download: a.getAttribute('download'),
      img: img ? { w: img.naturalWidth, h: img.naturalHeight } : null,
      bytes: Array.from(bytes),
    };
  }, file);
  r.bytes = Buffer.from(r.bytes);
  return r;
}

// ------------------------------------------------------------ the tests

for (const v of VARIANTS) {
  test(`chat in the browser: ${v.name} (${v.transport})`, T, async () => {
    const server = await startServer(commandFrom('SIO_CHAT_CMD', 'chat'), v.args);
    servers.add(server);
    const errors = [];
    const url = server.url + '/' + v.query;
    try {
      const alice = await openPage(url, 'alice', errors);
      const bob = await openPage(url, 'bob', errors);

      // joins: notices and the users count, on both pages
      await join(alice, 'alice');
      await hasNotice(alice, 'alice joined');
      await usersIs(alice, 1);
      await join(bob, 'bob');
      await hasNotice(alice, 'bob joined');
      await hasNotice(bob, 'bob joined');
      await usersIs(alice, 2);
      await usersIs(bob, 2);

      // typing indicator on the other page, cleared by sending
      await alice.fill('#text', 'hello from alice');
      await typingIs(bob, 'alice is typing...');
      assert.equal(await textOf(alice, '#typing'), '', 'nobody is shown typing to the typist');
      await alice.click('#send');
      await hasMessage(bob, 'alice hello from alice');
      await hasMessage(alice, 'alice hello from alice');
      await typingIs(bob, '');
      assert.equal(await alice.inputValue('#text'), '', 'the input is emptied after sending');

      // and back, with characters that need escaping
      await bob.fill('#text', 'hi <b>alice</b> & "all" – ünïcødé 🚀');
      await bob.click('#send');
      await hasMessage(alice, 'bob hi <b>alice</b> & "all" – ünïcødé 🚀');

      // a binary file (every byte value) and an image, shared by bob
      await bob.setInputFiles('#file', { name: 'x.bin', mimeType: 'application/octet-stream', buffer: BIN });
      const bin = await sharedFile(alice, 'x.bin');
      assert.equal(bin.link, 'x.bin');
      assert.equal(bin.download, 'x.bin');
      assert.equal(bin.text, `bob shared x.bin (${BIN.length} bytes)`);
      assert.equal(bin.img, null, 'no <img> for a non-image');
      assert.equal(sha(bin.bytes), sha(BIN), 'the bytes behind the link are the bytes shared');
      await bob.setInputFiles('#file', { name: 'x.png', mimeType: 'image/png', buffer: PNG });
      const png = await sharedFile(alice, 'x.png');
      assert.equal(png.text, `bob shared x.png (${PNG.length} bytes)`);
      assert.deepEqual(png.img, { w: PNG_W, h: PNG_H }, 'the image is shown and decodes');
      assert.equal(sha(png.bytes), sha(PNG));
      const own = await sharedFile(bob, 'x.png'); // the sender sees it too
      assert.equal(own.text, `bob shared x.png (${PNG.length} bytes)`);

      // the transport in the header
      for (const p of [alice, bob]) await transportIs(p, v.transport);
      for (const p of [alice, bob]) {
        assert.equal(await p.evaluate(() => socket.io.engine.transport.name), v.transport, 'header shows the real transport');
      }

      // a latecomer gets the history (messages, not files) and the count
      const carol = await openPage(url, 'carol', errors);
      await join(carol, 'carol');
      await hasMessage(carol, 'alice hello from alice', 'history: alice\'s message');
      await hasMessage(carol, 'bob hi <b>alice</b> & "all" – ünïcødé 🚀', 'history: bob\'s message');
      await hasNotice(carol, 'carol joined');
      for (const p of [alice, bob, carol]) await usersIs(p, 3);
      await hasNotice(alice, 'carol joined');

      // closing a page: "left" on the others
      await bob.close();
      await hasNotice(alice, 'bob left');
      await hasNotice(carol, 'bob left');
      await usersIs(alice, 2);
      await usersIs(carol, 2);

      // the page after the exchange, for a human to look at
      fs.mkdirSync(SHOTS, { recursive: true });
      await alice.screenshot({ path: path.join(SHOTS, `chat-${v.name}.png`), fullPage: true, timeout: WAIT });

      // Joining hides the login form (checked last so that everything else
      // is checked even while this fails).
      for (const [who, p] of [['alice', alice], ['carol', carol]]) {
        assert.equal(await p.isVisible('#login'), false, `${who}: the login form is hidden after joining`);
      }
      assert.deepEqual(errors, [], 'no page errors');
    } catch (e) {
      if (errors.length) e.message += `\npage errors:\n${errors.join('\n')}`;
      e.message += `\nchat output:\n${server.output()}`;
      throw e;
    } finally {
      for (const c of contexts) await c.close().catch(() => {});
      contexts.clear();
      servers.delete(server);
      await server.stop();
    }
  });
}
