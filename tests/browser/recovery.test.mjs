// Connection state recovery in a browser: our client (tools/client/socket.io.js,
// as build/echo serves it at /socket.io/socket.io.js) in headless Chromium
// against build/echo --recovery-ms. The connection breaks under the page, a
// broadcast goes out while it is away, and the socket comes back with the
// same id, its room and the missed broadcast.
//
// Environment: CHROMIUM (default /usr/bin/chromium), SIO_BUILD (default build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { startServer } from '../interop/lib.mjs';

let srv, browser, page;
const pageErrors = [];

before(async () => {
  srv = await startServer(undefined, ['--recovery-ms', '5000', '--cors', '*']);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // any page of the server's origin (echo answers 404), then the client it serves
  await page.goto(`http://127.0.0.1:${srv.port}/`);
  await page.addScriptTag({ url: '/socket.io/socket.io.js' });
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

for (const transport of ['websocket', 'polling']) {
  test(`our browser client recovers its socket (${transport})`, { timeout: 30000 }, async () => {
    const r = await page.evaluate(async ([port, transport]) => {
      const url = `http://127.0.0.1:${port}`;
      const wait = (em, ev, ms = 5000) => new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('timeout waiting for ' + ev)), ms);
        em.once(ev, (...a) => { clearTimeout(t); resolve(a); });
      });
      const room = 'browser-' + transport;
      const a = io(url, { transports: [transport], forceNew: true, reconnectionDelay: 400, reconnectionDelayMax: 500 });
      const b = io(url, { transports: [transport], forceNew: true });
      await Promise.all([wait(a, 'connect'), wait(b, 'connect')]);
      const out = { firstRecovered: a.recovered, id1: a.id };
      await a.timeout(3000).emitWithAck('join', room);
      const news1 = wait(a, 'news');
      b.emit('to', room, 'news', 1);
      out.news1 = await news1;
      const down = wait(a, 'disconnect');
      a.io.engine.close();
      out.reason = (await down)[0];
      b.emit('to', room, 'news', 2);                 // missed while away
      const news2 = wait(a, 'news', 5000);
      await wait(a, 'connect', 5000);
      out.recovered = a.recovered;
      out.id2 = a.id;
      out.news2 = await news2;
      const news3 = wait(a, 'news');
      b.emit('to', room, 'news', 3);                 // still in the room
      out.news3 = await news3;
      a.disconnect();
      b.disconnect();
      return out;
    }, [srv.port, transport]);
    assert.equal(r.firstRecovered, false);
    assert.equal(r.news1[0], 1);
    assert.equal(typeof r.news1[1], 'string', 'the offset rides as last argument');
    assert.ok(['forced close', 'transport close'].includes(r.reason), r.reason);  // the page closed it itself
    assert.equal(r.recovered, true);
    assert.equal(r.id2, r.id1);
    assert.equal(r.news2[0], 2);
    assert.equal(r.news3[0], 3);
    assert.deepEqual(pageErrors, []);
  });
}
