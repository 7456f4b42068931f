// CORS, the connect timeout, and the disconnect reasons the server hands to
// the application (echo --print-disconnects prints them), checked with the
// real socket.io-client and raw requests.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, connect, connected, closeClients, request, handshake, poll, post,
  rawWebSocket, frame, sleep, withTimeout,
} from './lib.mjs';

const servers = [];
after(async () => {
  closeClients();
  await Promise.all(servers.map((s) => s.stop()));
});
async function start(args) {
  const s = await startServer(undefined, args);
  servers.push(s);
  return s;
}
const S = '/socket.io/';
const waitFor = (srv, re, ms = 5000) => withTimeout(new Promise((resolve) => {
  const iv = setInterval(() => {
    const m = re.exec(srv.output());
    if (m) { clearInterval(iv); resolve(m); }
  }, 20);
}), ms, `server output matching ${re}`);

describe('CORS', { concurrency: true }, () => {
  it('"*": every answer, errors included, allows any origin; preflight gets 204', async () => {
    const srv = await start(['--cors', '*']);
    const hs = await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: { Origin: 'http://x.test' } });
    assert.equal(hs.headers['access-control-allow-origin'], '*');
    const err = await request(srv.port, 'GET', `${S}?EIO=4&transport=nope`, { headers: { Origin: 'http://x.test' } });
    assert.equal(err.status, 400);
    assert.equal(err.headers['access-control-allow-origin'], '*');
    const pre = await request(srv.port, 'OPTIONS', `${S}?EIO=4&transport=polling`, {
      headers: { Origin: 'http://x.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET,HEAD,PUT,PATCH,POST,DELETE');
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type');
  });

  it('allow-list with credentials: listed origins echoed, others get no CORS headers', async () => {
    const srv = await start(['--cors', 'http://a.test,http://b.test', '--cors-credentials']);
    const ok = await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: { Origin: 'http://b.test' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['access-control-allow-origin'], 'http://b.test');
    assert.equal(ok.headers['access-control-allow-credentials'], 'true');
    assert.match(String(ok.headers.vary), /Origin/);
    const no = await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: { Origin: 'http://evil.test' } });
    assert.equal(no.headers['access-control-allow-origin'], undefined);
  });

  it('off by default: a preflight is just a bad handshake', async () => {
    const srv = await start([]);
    const pre = await request(srv.port, 'OPTIONS', `${S}?EIO=4&transport=polling`, { headers: { Origin: 'http://x.test' } });
    assert.equal(pre.status, 400);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
  });
});

describe('connect timeout and disconnect reasons', { concurrency: true }, () => {
  it('no namespace joined within --connect-timeout: the session is closed ("1" to the held GET)', async () => {
    const srv = await start(['--connect-timeout', '300']);
    const { sid } = await handshake(srv.port, S);
    const t0 = Date.now();
    const g = await poll(srv.port, S, sid, { timeout: 3000 });
    assert.equal(g.text, '1');
    assert.ok(Date.now() - t0 >= 200, 'not before the timeout');
    const again = await poll(srv.port, S, sid);
    assert.equal(again.status, 400);
    // joining in time keeps it open
    const h2 = await handshake(srv.port, S);
    await post(srv.port, S, h2.sid, '40');
    const r = await poll(srv.port, S, h2.sid);
    assert.match(r.text, /^40\{"sid":"[^"]+"\}/);
    await sleep(500);
    await post(srv.port, S, h2.sid, '42["still"]');
    const r2 = await poll(srv.port, S, h2.sid);
    assert.equal(r2.text, '42["still-back"]');
  });

  it('reasons: client namespace disconnect, server namespace disconnect, transport close, parse error', async () => {
    const srv = await start(['--print-disconnects']);
    const a = connect(srv.port, { transports: ['websocket'] });
    await connected(a);
    const aid = a.id;
    a.disconnect();
    await waitFor(srv, new RegExp(`disconnect / ${aid} client namespace disconnect`));

    const b = connect(srv.port, { nsp: '/custom' });
    await connected(b);
    const bid = b.id;
    b.emit('disconnect-me');
    await waitFor(srv, new RegExp(`disconnect /custom ${bid} server namespace disconnect`));

    const c = connect(srv.port, { transports: ['websocket'] });
    await connected(c);
    const cid = c.id;
    c.io.engine.transport.ws._socket.destroy();   // TCP gone without a close
    await waitFor(srv, new RegExp(`disconnect / ${cid} transport close`));

    const ws = await rawWebSocket(srv.port, `${S}?EIO=4&transport=websocket`);
    await ws.next();                               // open packet
    ws.sendText('40');
    const conn = await ws.next();
    const did = JSON.parse(conn.payload.toString().slice(2)).sid;
    ws.sendText('42{"not":"an array"}');
    await waitFor(srv, new RegExp(`disconnect / ${did} parse error`));
    ws.destroy();
  });

  it('reason ping timeout: a client that stops answering pings', async () => {
    const srv = await start(['--print-disconnects', '--ping-interval', '200', '--ping-timeout', '200']);
    const ws = await rawWebSocket(srv.port, `${S}?EIO=4&transport=websocket`);
    await ws.next();
    ws.sendText('40');
    const conn = await ws.next();
    const id = JSON.parse(conn.payload.toString().slice(2)).sid;
    await waitFor(srv, new RegExp(`disconnect / ${id} ping timeout`), 3000);
    ws.destroy();
  });

  it('reason transport error: the client drops its held polling GET', async () => {
    const srv = await start(['--print-disconnects']);
    const { sid } = await handshake(srv.port, S);
    await post(srv.port, S, sid, '40');
    const r = await poll(srv.port, S, sid);
    const id = JSON.parse(r.text.split('\x1e')[0].slice(2)).sid;   // 40{...} then 42["auth",{}]
    await poll(srv.port, S, sid, { timeout: 200 }).catch(() => null);   // aborted while held
    await waitFor(srv, new RegExp(`disconnect / ${id} transport error`));
  });
});

describe('the served browser client', () => {
  it('GET /socket.io/socket.io.js is tools/client/socket.io.js, revalidated by ETag', async () => {
    const { readFileSync } = await import('node:fs');
    const { ROOT } = await import('./lib.mjs');
    const src = readFileSync(`${ROOT}/tools/client/socket.io.js`);
    const srv = await start([]);
    const r = await request(srv.port, 'GET', '/socket.io/socket.io.js');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/javascript/);
    assert.ok(r.body.equals(src), 'served bytes equal the source file');
    assert.ok(r.headers.etag);
    assert.match(String(r.headers['cache-control']), /max-age=0/);
    const again = await request(srv.port, 'GET', '/socket.io/socket.io.js', { headers: { 'If-None-Match': r.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
    const min = await request(srv.port, 'GET', '/socket.io/socket.io.min.js');
    assert.equal(min.status, 200);
  });

  it('HEAD /socket.io/socket.io.js gives the head a GET gets, its length included, and no body', async () => {
    const srv = await start([]);
    const get = await request(srv.port, 'GET', '/socket.io/socket.io.js');
    const head = await request(srv.port, 'HEAD', '/socket.io/socket.io.js');
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), get.body.length);
    assert.equal(head.headers.etag, get.headers.etag);
    assert.equal(head.body.length, 0);
  });
});

describe('limits', () => {
  it('a polling POST with more packets than --max-packets ends the session; at the limit it is fine', async () => {
    const srv = await start(['--max-packets', '50']);
    const ok = await handshake(srv.port, S);
    await post(srv.port, S, ok.sid, '40' + '\x1e42["x"]'.repeat(49));
    const r = await poll(srv.port, S, ok.sid);
    assert.match(r.text, /^40/);
    const bad = await handshake(srv.port, S);
    await post(srv.port, S, bad.sid, '40' + '\x1e42["x"]'.repeat(50));
    const gone = await poll(srv.port, S, bad.sid);
    assert.equal(gone.status, 400);   // session unknown: it was closed
  });

  it('run-time caps: header count and bytes (431), request line (414)', async () => {
    const srv = await start(['--max-headers', '10', '--max-header-bytes', '1024', '--max-request-line', '200']);
    const hs = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v']));
    assert.equal((await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: hs(5) })).status, 200);
    assert.equal((await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: hs(12) })).status, 431);
    const big = { 'x-big': 'y'.repeat(1500) };
    assert.equal((await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: big })).status, 431);
    const long = `${S}?EIO=4&transport=polling&pad=${'z'.repeat(300)}`;
    assert.equal((await request(srv.port, 'GET', long)).status, 414);
  });

  it('run-time caps: attachments per packet and JSON depth close the connection; within them all is well', async () => {
    const srv = await start(['--max-attachments', '2', '--max-json-depth', '5']);
    const nest = (d) => '['.repeat(d) + ']'.repeat(d);
    const within = await handshake(srv.port, S);
    // depth 5 counting the event array itself: ["e",[[[[]]]]]
    await post(srv.port, S, within.sid, `40\x1e42["e",${nest(4)}]`);
    const r = await poll(srv.port, S, within.sid);
    assert.match(r.text, /42\["e-back",\[\[\[\[\]\]\]\]\]/);
    const deep = await handshake(srv.port, S);
    await post(srv.port, S, deep.sid, `40\x1e42["e",${nest(5)}]`);
    await poll(srv.port, S, deep.sid);   // 40 + auth, or the close
    const gone = await poll(srv.port, S, deep.sid);
    assert.ok(gone.status === 400 || gone.text === '1', `the session must end: ${gone.status} ${gone.text}`);
    const att = await handshake(srv.port, S);
    const ph = (n) => `{"_placeholder":true,"num":${n}}`;
    await post(srv.port, S, att.sid, `40\x1e453-["e",${ph(0)},${ph(1)},${ph(2)}]\x1ebAQ==\x1ebAg==\x1ebAw==`);
    await poll(srv.port, S, att.sid);
    const gone2 = await poll(srv.port, S, att.sid);
    assert.ok(gone2.status === 400 || gone2.text === '1', `the session must end: ${gone2.status} ${gone2.text}`);
  });
});
