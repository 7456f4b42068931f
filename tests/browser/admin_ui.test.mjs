// Issue 17 in the browser: the official Socket.IO Admin UI, the built front-end
// of the npm package (@socket.io/admin-ui 0.5.1, ui/dist), served by this test
// from a small static http server on another free port, in headless Chromium,
// against the server under test started with `--admin USER:PASS --cors "*"`
// ($SIO_ADMIN_CMD, default $SIO_BUILD/echo, the C side; the Node reference
// `node tests/node/echo_server.mjs` passes it too). As a person would: fill the connection form (server
// URL, admin namespace, username, password) and connect; the dashboard; the
// Sockets page lists the test's clients by socket id; the Rooms page shows
// "demo-room", which one client joined; a click on a socket's disconnect button
// disconnects that client ("io server disconnect" on its side) and only that
// one. A wrong password first: the form says "Invalid credentials".
// Screenshots: $SIO_BUILD/admin-ui/*.png.
//
//   node --test --test-reporter=spec tests/browser/admin_ui.test.mjs
//
// Environment: CHROMIUM (default /usr/bin/chromium), SIO_BUILD (default build),
// SIO_ADMIN_CMD. The page's two external stylesheets (Google fonts, the mdi
// icon font on jsdelivr) are answered empty by the test: the network is closed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { launchChromium } from './chromium.mjs';
import { startServer, commandFrom, connect, connected, closeClients, ask, ROOT, BUILD } from '../interop/lib.mjs';

const ADMIN_CMD = commandFrom('SIO_ADMIN_CMD', 'echo');
const UI_DIST = path.join(ROOT, 'tests/node_modules/@socket.io/admin-ui/ui/dist');
const SHOTS = path.resolve(ROOT, BUILD, 'admin-ui');
const WAIT = 10000;              // bound on every single wait
const T = { timeout: 50000 };    // bound on the whole test
const USER = 'admin';
const PASS = 's3cret pass';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'application/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json', '.json': 'application/json',
};

let uiServer, uiOrigin, srv, browser, context, page;
const pageErrors = [];
const consoleErrors = [];

before(async () => {
  // ui/dist, as it would be served from any static host
  uiServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.join(UI_DIST, path.normalize(rel));
    if (!file.startsWith(UI_DIST + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => uiServer.listen(0, '127.0.0.1', r));
  uiOrigin = `http://127.0.0.1:${uiServer.address().port}`;
  srv = await startServer(ADMIN_CMD, ['--admin', `${USER}:${PASS}`, '--cors', '*'], { timeout: 30000 });
  browser = await launchChromium();
  // wide enough for the UI to open its navigation drawer (Vuetify lgAndUp)
  context = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale: 'en-US' });
  // closed network: the Google fonts and mdi icon stylesheets get an empty answer at once
  await context.route((url) => !url.href.startsWith(uiOrigin) && !url.href.startsWith(srv.url) && /^https?:/.test(url.href),
    (route) => route.fulfill({ status: 200, contentType: 'text/css', body: '' }));
  page = await context.newPage();
  page.setDefaultTimeout(WAIT);
  page.on('pageerror', (e) => pageErrors.push(String(e.stack || e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
});

after(async () => {
  closeClients();
  if (context) await context.close().catch(() => {});
  if (browser) await browser.close().catch(() => {});
  if (srv) await srv.stop().catch(() => {});
  if (uiServer) { uiServer.closeAllConnections?.(); await new Promise((r) => uiServer.close(r)); }
});

async function shot(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true, timeout: WAIT });
}

// Wait until `fn(arg)` is truthy in the page; on timeout say what the page shows.
async function waitIn(what, fn, arg) {
  try {
    await page.waitForFunction(fn, arg, { timeout: WAIT, polling: 100 });
  } catch (e) {
    const text = await page.evaluate(() => document.body.innerText).catch((err) => String(err));
    throw new Error(`timeout (${WAIT} ms) waiting for ${what}; page text:\n${text}\npage errors: ${pageErrors.join('\n')}`, { cause: e });
  }
}

// The visible body rows of the current view's list (the Sockets, Rooms and
// Room views' tables have the class row-pointer; the dashboard's have not; a
// view that is leaving is hidden at once, hide-on-leave).
const ROWS = () => [...document.querySelectorAll('.row-pointer tbody tr')].filter((tr) => tr.getClientRects().length > 0)
  .map((tr) => tr.innerText);
const rows = () => page.evaluate(`(${ROWS})()`);

// The connection form (ConnectionModal.vue): a Vuetify dialog with text fields
// labelled "Server URL", "Username", "Password", a switch "Advanced options"
// that shows "Admin namespace" (and "WebSocket only?", "Path", "Parser").
async function fillForm(password) {
  const dialog = page.locator('.v-dialog--active');
  await dialog.waitFor({ state: 'visible' });
  await dialog.getByLabel('Server URL').fill(srv.url);
  await dialog.getByLabel('Username').fill(USER);
  await dialog.getByLabel('Password').fill(password);
  const ns = dialog.getByLabel('Admin namespace');
  if (!(await ns.isVisible())) {
    // Vuetify's switch: the <input role="switch"> is covered by its track; click the label
    await dialog.locator('.v-input--switch', { hasText: 'Advanced options' }).locator('label').click();
    await ns.waitFor({ state: 'visible' });
  }
  await ns.fill('/admin');
  await dialog.getByRole('button', { name: 'Connect' }).click();
}

test('the Admin UI on the server under test: login, sockets, rooms, disconnect', T, async () => {
  // the test's clients: two on "/", one of them in "demo-room", one on "/custom"
  const alice = connect(srv.port, { transports: ['websocket'] });
  const bob = connect(srv.port, { transports: ['polling'] });
  const carol = connect(srv.port, { nsp: '/custom', transports: ['websocket'] });
  for (const s of [alice, bob, carol]) await connected(s);
  assert.deepEqual(await ask(alice, 'join', ['demo-room']), ['demo-room']);
  const aliceId = alice.id;
  const bobId = bob.id;

  await page.goto(`${uiOrigin}/`, { timeout: WAIT });
  await waitIn('the UI', () => document.querySelector('.v-application') !== null);

  // a wrong password: the form stays, saying so
  await fillForm('wrong password');
  await waitIn('"Invalid credentials"', () => /Invalid credentials/.test(document.querySelector('.v-dialog--active')?.innerText ?? ''));
  await shot('login-refused');

  // the right one: the dialog goes, the drawer has the development-mode pages
  await fillForm(PASS);
  await waitIn('the dialog to close', () => !document.querySelector('.v-dialog--active'));
  await waitIn('the development-mode navigation (Sockets, Rooms, Clients, Events)',
    () => ['Sockets', 'Rooms', 'Clients', 'Events'].every((t) => [...document.querySelectorAll('.v-navigation-drawer .v-list-item__title')].some((e) => e.textContent.trim() === t)));
  assert.equal(await page.evaluate(() => localStorage.getItem('server_url')), srv.url, 'the UI saved the server URL');
  // the dashboard fills from server_stats (every 2 s): the Namespaces card has each namespace's
  // socket count, the Servers card one healthy server, the Clients card the connections by transport
  await waitIn('the dialog\'s fade-out', () => !document.querySelector('.v-dialog__content--active, .v-overlay--active'));
  const DASH = () => {
    const card = (title) => [...document.querySelectorAll('.v-card')].find((c) => c.querySelector('.v-card__title')?.textContent.trim() === title);
    const ns = card('Namespaces');
    const servers = card('Servers');
    const clients = card('Clients');
    return {
      namespaces: ns ? [...ns.querySelectorAll('tbody tr')].map((tr) => `${tr.cells[0].innerText.trim()} ${tr.cells[1].innerText.trim()}`).sort() : null,
      servers: servers ? [...servers.querySelectorAll('h2')].map((h) => h.innerText.trim()) : null,
      clients: clients ? [...clients.querySelectorAll('h2')].map((h) => h.innerText.trim()) : null,
    };
  };
  // Clients by transport: WebSocket 3 (alice, carol, the UI's own connection once upgraded), polling 1 (bob)
  const want = { namespaces: ['/ 2', '/admin 1', '/custom 1'], servers: ['1', '0'], clients: ['3', '1'] };
  try {
    await page.waitForFunction(([fn, w]) => JSON.stringify(eval(fn)()) === w, [`(${DASH})`, JSON.stringify(want)], { timeout: WAIT, polling: 200 });
  } catch (e) {
    throw new Error(`the dashboard shows ${JSON.stringify(await page.evaluate(`(${DASH})()`))}, not ${JSON.stringify(want)}`, { cause: e });
  }
  await shot('dashboard');

  // Sockets page (namespace "/" is selected by default): both clients of "/" by socket id
  await page.locator('.v-navigation-drawer .v-list-item', { hasText: 'Sockets' }).click();
  await waitIn('the Sockets page listing alice and bob', ([rowsFn, ids]) => {
    const text = eval(rowsFn)().join('\n');
    return /^#\/sockets\/?$/.test(location.hash) && ids.every((id) => text.includes(id));
  }, [`(${ROWS})`, [aliceId, bobId]]);
  const socketRows = await rows();
  assert.equal(socketRows.length, 2, `two sockets on "/": ${JSON.stringify(socketRows)}`);
  assert.match(socketRows.find((r) => r.includes(bobId)), /HTTP long-polling/, 'bob\'s transport');
  assert.match(socketRows.find((r) => r.includes(aliceId)), /WebSocket/, 'alice\'s transport');
  assert.ok(!socketRows.some((r) => r.includes(carol.id)), 'carol is on "/custom", not listed under "/"');
  await shot('sockets');

  // Rooms page: demo-room, one socket
  await page.locator('.v-navigation-drawer .v-list-item', { hasText: 'Rooms' }).click();
  await waitIn('demo-room on the Rooms page',
    (rowsFn) => /^#\/rooms\/?$/.test(location.hash) && eval(rowsFn)().some((r) => r.includes('demo-room')), `(${ROWS})`);
  const room = (await rows()).find((r) => r.includes('demo-room'));
  assert.match(room, /^demo-room\s+public\s+1\s*$/i, `the room's row: ${JSON.stringify(room)}`);
  await shot('rooms');

  // the room's page lists alice in it
  await page.locator('.row-pointer tbody tr:visible', { hasText: 'demo-room' }).click();
  await waitIn('alice on demo-room\'s page', ([rowsFn, id]) => /^#\/n\/%2F\/rooms\/demo-room$/.test(location.hash)
    && eval(rowsFn)().some((r) => r.includes(id)), [`(${ROWS})`, aliceId]);
  const roomRows = await rows();
  assert.equal(roomRows.length, 1, `only alice in demo-room: ${JSON.stringify(roomRows)}`);
  await shot('room');

  // back to Sockets; bob's disconnect button (the mdi-logout icon button in his row)
  await page.locator('.v-navigation-drawer .v-list-item', { hasText: 'Sockets' }).click();
  const bobRow = page.locator('.row-pointer tbody tr:visible', { hasText: bobId });
  await bobRow.waitFor({ state: 'visible' });
  const gone = new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('bob got no disconnect')), WAIT);
    bob.once('disconnect', (reason) => { clearTimeout(t); resolve(reason); });
  });
  await bobRow.locator('button:has(.mdi-logout)').click();
  assert.equal(await gone, 'io server disconnect');
  // the click also reached the row, which opens bob's Socket page: back to the list
  await page.locator('.v-navigation-drawer .v-list-item', { hasText: 'Sockets' }).click();
  // the UI drops him (socket_disconnected); alice stays, in the UI and connected
  await waitIn('bob gone from the Sockets page', ([rowsFn, id]) => /^#\/sockets\/?$/.test(location.hash) && !eval(rowsFn)().some((r) => r.includes(id)),
    [`(${ROWS})`, bobId]);
  assert.ok((await rows()).some((r) => r.includes(aliceId)), 'alice still listed');
  assert.ok(alice.connected && carol.connected, 'only bob was disconnected');
  await shot('after-disconnect');

  assert.deepEqual(pageErrors, [], 'no page errors');
});
