// The chat demo's page (examples/chat.c, build/chat) in Chromium when things
// go wrong or the screen is small (issue 18):
// - the server is killed: the header says "disconnected, reconnecting..."
//   instead of "websocket · 1 online" (screenshot:
//   $SIO_BUILD/screenshots/chat-disconnected.png); a message sent then is
//   shown as waiting, not lost, and goes out once the server is back;
// - a very long word wraps inside the message box;
// - on a 375 px wide screen the file input stays inside the viewport and
//   nothing scrolls sideways (screenshot chat-375.png);
// - a favicon is served: no 404 while the page loads, /favicon.ico is an SVG.
//
//   node --test --test-reporter=spec tests/browser/chat_offline.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SIO_BUILD (default build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';
import { startServer, commandFrom, ROOT, BUILD } from '../interop/lib.mjs';

const WAIT = 10000;
const T = { timeout: 90000 };
const SHOTS = path.resolve(ROOT, BUILD, 'screenshots');
const CHAT = commandFrom('SIO_CHAT_CMD', 'chat');

let browser;
const servers = new Set();
before(async () => { browser = await launchChromium(); });
after(async () => {
  if (browser) await browser.close().catch(() => {});
  for (const s of servers) await s.stop().catch(() => {});
});

async function chat(port = 0) {
  const s = await startServer(CHAT, [], { port });
  servers.add(s);
  return s;
}

// A page in its own context; page errors and HTTP errors (>= 400) recorded.
async function openPage(url, viewport, errors) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => errors.push(`page error: ${e.stack || e}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()} ${r.url()}`); });
  page.done = () => context.close();
  await page.goto(url, { timeout: WAIT });
  return page;
}

async function waitIn(page, what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT });
  } catch (e) {
    const state = await page.evaluate(() => ({
      header: document.querySelector('header')?.innerText,
      messages: [...document.querySelectorAll('#messages li')].map((li) => `${li.className}: ${li.textContent}`),
      input: document.getElementById('text')?.value,
    })).catch((err) => String(err));
    throw new Error(`timeout (${WAIT} ms) waiting for ${what}; page state: ${JSON.stringify(state)}`, { cause: e });
  }
}

const online = (page) => waitIn(page, 'the header to show the transport',
  () => ['polling', 'websocket'].includes(document.getElementById('transport')?.textContent)
    && !document.getElementById('state')?.hidden);

async function join(page, name) {
  await online(page);
  await page.fill('#name', name);
  await page.click('#join');
  await waitIn(page, 'the room', () => !document.getElementById('room').hidden);
}

const hasMessage = (page, text) => waitIn(page, `message "${text}"`,
  (t) => [...document.querySelectorAll('#messages li')].some((li) => li.textContent === t && !li.classList.contains('pending')), text);

test('the server goes away: the page says so, keeps what is sent, and sends it once back', T, async () => {
  let server = await chat();
  const { port } = server;
  const errors = [];
  const page = await openPage(`${server.url}/`, { width: 900, height: 700 }, errors);
  try {
    await join(page, 'alice');
    await hasMessage(page, 'alice joined');
    assert.match(await page.innerText('header'), /1 online/);

    // a word far longer than the box is wide wraps inside it
    const long = 'x'.repeat(600);
    await page.fill('#text', long);
    await page.click('#send');
    await hasMessage(page, `alice ${long}`);
    const box = await page.evaluate((t) => {
      const li = [...document.querySelectorAll('#messages li')].find((x) => x.textContent.endsWith(t));
      const ul = document.getElementById('messages').getBoundingClientRect();
      return { scroll: li.scrollWidth, client: li.clientWidth, right: li.getBoundingClientRect().right, boxRight: ul.right,
        ulScroll: document.getElementById('messages').scrollWidth, ulClient: document.getElementById('messages').clientWidth };
    }, long);
    assert.ok(box.scroll <= box.client, `the long word wraps: scrollWidth ${box.scroll} > clientWidth ${box.client}`);
    assert.ok(box.ulScroll <= box.ulClient, 'the message list does not scroll sideways');

    // the server dies
    servers.delete(server);
    await server.kill('SIGKILL');
    await waitIn(page, 'the disconnected state', () => {
      const off = document.getElementById('offline');
      return off && !off.hidden && /^disconnected, reconnecting/.test(off.textContent) && document.getElementById('state').hidden;
    });
    const header = await page.innerText('header');
    assert.doesNotMatch(header, /online|websocket|polling/, `the header no longer claims a connection: ${header}`);
    assert.equal(await page.evaluate(() => document.body.classList.contains('offline')), true);

    // a message sent now is kept in sight, marked as waiting
    await page.fill('#text', 'sent while offline');
    await page.click('#send');
    await waitIn(page, 'the waiting message', () => [...document.querySelectorAll('#messages li.pending')]
      .some((li) => li.textContent.includes('sent while offline')));
    assert.equal(await page.isDisabled('#file'), true, 'no file sharing while offline');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'chat-disconnected.png'), fullPage: true, timeout: WAIT });

    // the server is back: the page reconnects, joins again, sends it
    server = await chat(port);
    await online(page);
    await hasMessage(page, 'alice sent while offline');
    assert.equal(await page.locator('#messages li.pending').count(), 0, 'nothing left waiting');
    assert.match(await page.innerText('header'), /1 online/);
    assert.equal(await page.isDisabled('#file'), false);
    assert.deepEqual(errors.filter((e) => !/HTTP|ERR_CONNECTION_REFUSED/.test(e) || /HTTP 404/.test(e)), [],
      'no page errors, no 404');
  } catch (e) {
    if (errors.length) e.message += `\nrecorded:\n${errors.join('\n')}`;
    e.message += `\nchat output:\n${server.output()}`;
    throw e;
  } finally {
    await page.done();
  }
});

test('a 375 px wide screen: the form fits, nothing scrolls sideways; the favicon is there', T, async () => {
  const server = await chat();
  const errors = [];
  const page = await openPage(`${server.url}/`, { width: 375, height: 700 }, errors);
  try {
    assert.equal(await page.locator('link[rel="icon"]').count(), 1, 'the page names its icon');
    const icon = await page.evaluate(async () => {
      const r = await fetch('/favicon.ico');
      return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
    });
    assert.equal(icon.status, 200);
    assert.match(icon.type, /^image\/svg\+xml/);
    assert.match(icon.body, /^<svg /);
    await join(page, 'bob');
    const r = await page.evaluate(() => {
      const rect = (id) => document.getElementById(id).getBoundingClientRect();
      return { file: rect('file').right, send: rect('send').right, text: rect('text').right,
        width: window.innerWidth, scroll: document.documentElement.scrollWidth };
    });
    for (const what of ['file', 'send', 'text']) {
      assert.ok(r[what] <= r.width, `#${what}'s right edge ${r[what]} is within the ${r.width} px viewport`);
    }
    assert.ok(r.scroll <= r.width, `no sideways scrolling (scrollWidth ${r.scroll})`);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'chat-375.png'), fullPage: true, timeout: WAIT });
    assert.deepEqual(errors, [], 'no page errors, no 404 (the favicon included)');
  } finally {
    await page.done();
    servers.delete(server);
    await server.stop();
  }
});
