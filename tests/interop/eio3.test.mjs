// Engine.IO v3 / Socket.IO v2 peers (issue 15, shared/EIO3.md) against the
// server under test started with --allow-eio3: the npm socket.io-client@2
// (alias socket.io-client-v2) over polling, websocket and upgrade, beside a v4
// client in one room; raw EIO=3 polling and WebSocket traffic; and the
// refusal of EIO=3 by a server started without the option.
// Run against $SIO_ECHO_CMD (default $SIO_BUILD/echo).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createRequire } from 'node:module';
import {
  startServer, connect, connected, closeClients, request, rawWebSocket, frame, Inbox, once, sleep, withTimeout,
} from './lib.mjs';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const S = '/socket.io/';
const MODES = {
  polling: { transports: ['polling'], expect: 'polling' },
  websocket: { transports: ['websocket'], expect: 'websocket' },
  upgrade: { transports: undefined, expect: 'websocket' },
};
const TEXTS = ['', 'plain', 'é ß ∑ 漢字', 'astral 🚀😀𝄞 \ud83d\ude00', 'ZWJ 👩‍👩‍👧', 'ctl \n\t\u0000\u001e " \\ \u2028'];
const BIG = 300000;

// ------------------------------------------------------- the v2 client side

const clients2 = new Set();

// A socket.io-client@2 socket with an Inbox (v2 has no onAny: onevent is
// wrapped; the ack function is appended after we copied the arguments).
function connect2(port, { nsp = '/', transports, ...opts } = {}) {
  const s = io2(`http://127.0.0.1:${port}${nsp}`, {
    forceNew: true, reconnection: false, timeout: 5000, ...(transports ? { transports } : {}), ...opts,
  });
  clients2.add(s);
  s.inbox = inbox2(s);
  return s;
}

function inbox2(s) {
  return new Inbox({
    onAny(fn) {
      const orig = s.onevent;
      s.onevent = function onevent(packet) { fn(...(packet.data || [])); return orig.call(this, packet); };
    },
  });
}

function close2() {
  for (const s of clients2) {
    try { s.io.reconnection(false); s.close(); s.io.engine?.close(); } catch { /* ignore */ }
  }
  clients2.clear();
}

// Resolve on `connect`; reject on connect_error, on a v2 CONNECT_ERROR
// (`error` event) or after `ms`.
function connected2(s, ms = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    if (s.connected) { resolve(s); return; }
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => reject(new Error(`connect_error: ${e?.message ?? e}`)));
    s.once('error', (e) => reject(new Error(`error: ${JSON.stringify(e)}`)));
  }), ms, 'v2 connect');
}

// The v2 CONNECT_ERROR: the `error` event's data (a string in v2).
function refused2(s, ms = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    s.once('connect', () => reject(new Error('connected although a refusal was expected')));
    s.once('error', resolve);
  }), ms, 'v2 CONNECT_ERROR');
}

const ask2 = (s, event, args = [], ms = 5000) =>
  withTimeout(new Promise((resolve) => s.emit(event, ...args, (...a) => resolve(a))), ms, `ack for "${event}"`);

async function open2(port, mode, opts = {}) {
  const s = connect2(port, { transports: MODES[mode].transports, ...opts });
  await connected2(s);
  if (s.io.engine.transport.name !== MODES[mode].expect) await once(s.io.engine, 'upgrade', 5000);
  assert.equal(s.io.engine.transport.name, MODES[mode].expect);
  return s;
}

// ------------------------------------------------------ the raw EIO=3 side

// v3 polling payload: `<len>:<packet>` with len in UTF-16 code units, which
// is what JS string lengths and slices count.
const enc = (...packets) => packets.map((p) => `${p.length}:${p}`).join('');
function dec(text) {
  const out = [];
  for (let i = 0; i < text.length;) {
    const m = /^(\d+):/.exec(text.slice(i, i + 12));
    assert.ok(m, `length prefix expected at ${i} of ${JSON.stringify(text)}`);
    const start = i + m[0].length;
    out.push(text.slice(start, start + Number(m[1])));
    i = start + Number(m[1]);
    assert.ok(i <= text.length, `length ${m[1]} runs past the end of ${JSON.stringify(text)}`);
  }
  return out;
}

// v3 binary payload: per packet <0 string|1 binary> <length as bytes 0-9> 0xFF <data>.
function decBin(buf) {
  const out = [];
  for (let i = 0; i < buf.length;) {
    const kind = buf[i++];
    assert.ok(kind === 0 || kind === 1, `packet kind ${kind} at ${i - 1}`);
    let n = 0;
    while (buf[i] !== 0xff) {
      assert.ok(buf[i] <= 9 && i < buf.length, `length digit at ${i}: ${buf[i]}`);
      n = n * 10 + buf[i++];
    }
    const data = buf.subarray(i + 1, i + 1 + n);
    i += 1 + n;
    out.push(kind === 0 ? data.toString('utf8') : Buffer.from(data));
  }
  return out;
}
function encBin(...packets) {
  return Buffer.concat(packets.map((p) => {
    const data = Buffer.isBuffer(p) ? p : Buffer.from(p, 'utf8');
    const digits = [...String(data.length)].map(Number);
    return Buffer.concat([Buffer.from([Buffer.isBuffer(p) ? 1 : 0, ...digits, 0xff]), data]);
  }));
}

// Raw session on /socket.io/: handshake GET, then `get`, `post`, `until`.
async function session3(port, extra = '') {
  const r = await request(port, 'GET', `${S}?EIO=3&transport=polling${extra}`);
  assert.equal(r.status, 200, r.text);
  const [open] = dec(r.text);
  const hs = JSON.parse(open.slice(1));
  const q = `${S}?EIO=3&transport=polling&sid=${encodeURIComponent(hs.sid)}`;
  const s = {
    hs, raw: r, q, got: [],
    get: (opts) => request(port, 'GET', q, opts),
    post: (body, headers = {}) => request(port, 'POST', q, { body, headers }),
    // GET until the packets received (all of them, in order) satisfy pred.
    async until(pred, ms = 5000) {
      const end = Date.now() + ms;
      while (!pred(s.got)) {
        assert.ok(Date.now() < end, `timeout (${ms} ms); got ${JSON.stringify(s.got)}`);
        const g = await s.get({ timeout: Math.max(100, end - Date.now()) });
        assert.equal(g.status, 200, g.text);
        s.got.push(...(String(g.headers['content-type']).startsWith('application/octet-stream') ? decBin(g.body) : dec(g.text)));
      }
      return s.got;
    },
  };
  return s;
}
const has = (...want) => (got) => want.every((w) => got.includes(w));

// --------------------------------------------------------------- refusal

describe('EIO=3 refused without --allow-eio3', { concurrency: true }, () => {
  let plain;
  before(async () => { plain = await startServer(); });
  after(async () => { close2(); await plain?.stop(); });

  it('polling handshake: HTTP 400 {"code":5,"message":"Unsupported protocol version"}; EIO=4 still fine', async () => {
    const r = await request(plain.port, 'GET', `${S}?EIO=3&transport=polling`);
    assert.equal(r.status, 400);
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(r.text), { code: 5, message: 'Unsupported protocol version' });
    assert.equal((await request(plain.port, 'GET', `${S}?EIO=4&transport=polling`)).status, 200);
  });

  it('websocket upgrade: 400 "Unsupported protocol version", no open packet, connection closed', async () => {
    // Node answers 101 and then writes the raw 400 onto the socket; a 400
    // instead of the 101 is as good. Either way nothing Engine.IO follows.
    const bytes = await withTimeout(new Promise((resolve, reject) => {
      const sock = net.connect(plain.port, '127.0.0.1', () => sock.write(
        `GET ${S}?EIO=3&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
        'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'));
      let b = Buffer.alloc(0);
      sock.on('data', (d) => { b = Buffer.concat([b, d]); });
      sock.on('error', reject);
      sock.on('close', () => resolve(b.toString('latin1')));
    }), 5000, 'the server closing the refused upgrade');
    assert.match(bytes, /HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\nUnsupported protocol version/);
    assert.doesNotMatch(bytes, /"sid"/);
  });

  it('the v2 client gets connect_error', async () => {
    const s = connect2(plain.port, { transports: ['polling'] });
    await assert.rejects(connected2(s), /connect_error/);
  });
});

// ------------------------------------------------ with --allow-eio3: clients

describe('socket.io-client@2 against --allow-eio3', { concurrency: true }, () => {
  let srv;
  before(async () => { srv = await startServer(undefined, ['--allow-eio3', '--max-payload', '1000000']); });
  after(async () => { close2(); closeClients(); await srv?.stop(); });

  for (const mode of Object.keys(MODES)) {
    describe(`v2 over ${mode}`, { concurrency: true }, () => {
      it('connects to / implicitly: auth {}, socket id = engine id (v2), the server knows it by that id', async () => {
        const s = connect2(srv.port, { transports: MODES[mode].transports });
        const auth = s.inbox.take('auth');
        await connected2(s);
        assert.deepEqual(await auth, [{}]);
        assert.equal(s.id, s.io.engine.id);
        // Every socket is in the room named by its id: `to` that id reaches it.
        await ask2(s, 'to', [s.id, 'mine', 'é🚀']);
        assert.deepEqual(await s.inbox.take('mine'), ['é🚀']);
        if (s.io.engine.transport.name !== MODES[mode].expect) await once(s.io.engine, 'upgrade', 5000);
        assert.equal(s.io.engine.transport.name, MODES[mode].expect);
        assert.deepEqual(await ask2(s, 'echo', ['after']), ['after']);
      });

      it('events and acks, many argument types, non-ASCII incl. astral characters', async () => {
        const s = await open2(srv.port, mode);
        const args = [1, -2.5, 1e21, true, false, null, 'str', [], {}, [1, [2, [3]]], { a: { b: 'c' } }];
        assert.deepEqual(await ask2(s, 'echo', args), args);
        s.emit('echo', ...args);
        assert.deepEqual(await s.inbox.take('echo-back'), args);
        for (const t of TEXTS) {
          assert.deepEqual(await ask2(s, 'echo', [t, { [t]: [t] }]), [t, { [t]: [t] }], JSON.stringify(t));
          s.emit('txt', t);
          assert.deepEqual(await s.inbox.take('txt-back'), [t]);
        }
        s.emit('名前🚀', 'x');
        assert.deepEqual(await s.inbox.take('名前🚀-back'), ['x']);
      });

      it('acks asked by the server (ask), with text and binary answers, out of order', async () => {
        const s = await open2(srv.port, mode);
        s.on('question', (a, b, cb) => cb(a + b, 'ünï🚀', Buffer.from([7, 8])));
        s.emit('ask', 'question', 2, 3);
        assert.deepEqual(await s.inbox.take('ask-back'), [5, 'ünï🚀', Buffer.from([7, 8])]);
        s.on('q0', (cb) => cb());
        s.emit('ask', 'q0');
        assert.deepEqual(await s.inbox.take('ask-back'), []);
        s.on('slow', (ms, cb) => setTimeout(() => cb(ms), ms));
        for (const ms of [150, 10, 80]) s.emit('ask', 'slow', ms);
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push((await s.inbox.take('ask-back'))[0]);
        assert.deepEqual(answers.sort((x, y) => x - y), [10, 80, 150]);
      });

      it('binary: Buffer arguments, nested, both ways and in acks', async () => {
        const s = await open2(srv.port, mode);
        const b1 = Buffer.from([0, 1, 2, 255]);
        const b2 = Buffer.from('héllo 🚀', 'utf8');
        const nested = ['before', b1, { a: [b2, { deep: Buffer.alloc(0) }], s: 'é' }, [[[b1]]], { _placeholder: false, num: 7 }];
        assert.deepEqual(await ask2(s, 'echo', nested), nested);
        s.emit('bin', ...nested);
        assert.deepEqual(await s.inbox.take('bin-back'), nested);
        const got = new Promise((resolve) => s.once('srv-bin', (x, cb) => { resolve(x); cb({ reply: b2 }); }));
        s.emit('ask', 'srv-bin', { x: [b1] });
        assert.deepEqual(await got, { x: [b1] });
        assert.deepEqual(await s.inbox.take('ask-back'), [{ reply: b2 }]);
      });

      it('/custom beside / over one connection; query data as auth; refusal and unknown namespace in the v2 form', async () => {
        const m = new io2.Manager(`http://127.0.0.1:${srv.port}`, {
          reconnection: false, timeout: 5000, ...(MODES[mode].transports ? { transports: MODES[mode].transports } : {}),
        });
        const root = m.socket('/');
        const custom = m.socket('/custom', { query: { token: 'abc', n: 1 } });
        for (const x of [root, custom]) { clients2.add(x); x.inbox = inbox2(x); }
        const [a1, a2] = [root.inbox.take('auth'), custom.inbox.take('auth')];
        await Promise.all([connected2(root), connected2(custom)]);
        assert.deepEqual(await a1, [{}]);
        assert.deepEqual(await a2, [{ token: 'abc', n: '1' }], 'the CONNECT query, every value a string');
        assert.equal(custom.id, `/custom#${m.engine.id}`);
        assert.deepEqual(await ask2(custom, 'echo', ['c', Buffer.from([1])]), ['c', Buffer.from([1])]);
        custom.emit('hi', 'ü');
        assert.deepEqual(await custom.inbox.take('hi-back'), ['ü']);
        assert.equal(root.inbox.has('hi-back'), false);
        // `to` the /custom socket's id is heard in /custom only.
        await ask2(custom, 'to', [custom.id, 'self']);
        assert.deepEqual(await custom.inbox.take('self'), []);

        // v2 keeps one socket per namespace and manager: the refusals get their own.
        const d = connect2(srv.port, { nsp: '/custom', transports: MODES[mode].transports, query: { deny: 'no way' } });
        assert.equal(await refused2(d), 'no way', 'v2 CONNECT_ERROR carries the bare message');
        const n = connect2(srv.port, { nsp: '/nope', transports: MODES[mode].transports });
        assert.deepEqual(await refused2(n), { message: 'Invalid namespace' });
        // The refused namespace did not take the connection down.
        assert.deepEqual(await ask2(root, 'echo', [1]), [1]);
      });

      it(`payloads of ${BIG / 1000} KB both ways: ASCII, multi-byte/astral text, binary`, async () => {
        const s = await open2(srv.port, mode);
        const ascii = 'x'.repeat(BIG);
        const astral = 'é🚀x'.repeat(Math.ceil(BIG / 7)); // 7 UTF-8 bytes, 4 UTF-16 units
        const bin = Buffer.alloc(BIG, 0xab);
        bin[BIG - 1] = 1;
        for (const v of [ascii, astral, bin]) {
          const [back] = await ask2(s, 'echo', [v], 15000);
          assert.ok(Buffer.isBuffer(v) ? v.equals(back) : back === v, `ack of ${typeof v} ${v.length}`);
          s.emit('big', v);
          const [b2] = await s.inbox.take('big-back', 15000);
          assert.ok(Buffer.isBuffer(v) ? v.equals(b2) : b2 === v, `event of ${typeof v} ${v.length}`);
        }
      });

      it('a v2 and a v4 client in one room get the same `to` broadcast', async () => {
        // Names per mode: the three modes run at once on one server.
        const [room, others] = [`room-${mode}`, `others-${mode}`];
        const v2 = await open2(srv.port, mode);
        const v4 = connect(srv.port, { transports: MODES[mode].transports });
        await connected(v4);
        assert.deepEqual(await ask2(v2, 'join', [room]), [room]);
        assert.deepEqual(await new Promise((r) => v4.emit('join', room, (...a) => r(a))), [room]);
        const payload = ['é🚀', { n: 1, b: Buffer.from([1, 2, 3]) }, [Buffer.from('x')]];
        v4.emit('to', room, 'news', ...payload);
        assert.deepEqual(await v2.inbox.take('news'), payload);
        assert.deepEqual(await v4.inbox.take('news'), payload);
        v2.emit('to', room, 'news', 'from v2');
        assert.deepEqual(await v2.inbox.take('news'), ['from v2']);
        assert.deepEqual(await v4.inbox.take('news'), ['from v2']);
        v2.emit('broadcast', others, 1);
        assert.deepEqual(await v4.inbox.take(others), [1]);
        await sleep(100);
        assert.equal(v2.inbox.has(others), false, 'broadcast skips the sender');
      });
    });
  }
});

// --------------------------------------------- with --allow-eio3: raw bytes

describe('raw EIO=3 with --allow-eio3', { concurrency: true }, () => {
  let srv;
  let fast;
  before(async () => {
    [srv, fast] = await Promise.all([
      startServer(undefined, ['--allow-eio3']),
      startServer(undefined, ['--allow-eio3', '--ping-interval', '400', '--ping-timeout', '300']),
    ]);
  });
  after(async () => { await Promise.all([srv, fast].map((x) => x?.stop())); });

  it('polling handshake `<len>:0{...}`, then `40` (implicit /) and the auth event', async () => {
    const s = await session3(srv.port);
    assert.match(String(s.raw.headers['content-type']), /^text\/plain/);
    const m = /^(\d+):0\{/.exec(s.raw.text);
    assert.ok(m, s.raw.text);
    assert.equal(Number(m[1]), s.raw.text.length - m[1].length - 1, 'the length covers the whole open packet');
    for (const k of ['sid', 'upgrades', 'pingInterval', 'pingTimeout']) assert.ok(k in s.hs, k);
    assert.deepEqual(s.hs.upgrades, ['websocket']);
    assert.deepEqual([s.hs.pingInterval, s.hs.pingTimeout], [25000, 20000]);
    assert.deepEqual(await s.until((g) => g.length >= 2), ['40', '42["auth",{}]']);
    assert.match((await s.post(enc('42["x"]'))).text, /^ok$/);
  });

  it('a POST of two packets (event and ping): `3` and the event back, each length-prefixed', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    const body = '14:42["hi",1,"x"]1:2';
    assert.equal(body, enc('42["hi",1,"x"]', '2'));
    assert.equal((await s.post(body)).status, 200);
    const g = await s.until(has('3', '42["hi-back",1,"x"]'));
    assert.equal(g.filter((p) => p === '3').length, 1);
  });

  it('lengths count UTF-16 code units: é is 1, 🚀 is 2', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    await s.post('13:42["u","é🚀"]');
    const r = await s.get();
    assert.equal(r.text, '18:42["u-back","é🚀"]');
    const t = '𝄞😀漢 \u2028é';
    await s.post(enc(`42["u",${JSON.stringify(t)}]`, `42["v",${JSON.stringify(t)}]`));
    await s.until(has(`42["u-back",${JSON.stringify(t)}]`, `42["v-back",${JSON.stringify(t)}]`));
  });

  it('b64=1 on the handshake: binary goes as `b4`+base64 in a text payload', async () => {
    const s = await session3(srv.port, '&b64=1');
    await s.until(has('42["auth",{}]'));
    await s.post(enc('451-["bin",{"_placeholder":true,"num":0}]', 'b4AQID'));
    const r = await s.get();
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.equal(r.text, '46:451-["bin-back",{"_placeholder":true,"num":0}]6:b4AQID');
  });

  it('without b64: binary goes as a binary payload (0/1, length digits, 0xFF); such POSTs are accepted', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    await s.post(enc('451-["bin",{"_placeholder":true,"num":0}]', 'b4AQID'));
    const r = await s.get();
    assert.match(String(r.headers['content-type']), /^application\/octet-stream/);
    assert.equal(r.body.toString('hex'), Buffer.concat([
      Buffer.from([0, 4, 6, 0xff]), Buffer.from('451-["bin-back",{"_placeholder":true,"num":0}]'),
      Buffer.from([1, 4, 0xff, 4, 1, 2, 3]),
    ]).toString('hex'));
    // The same form POSTed; string lengths are then UTF-8 bytes.
    const body = encBin('42["u","é🚀"]', '451-["bin",{"_placeholder":true,"num":0}]', Buffer.from([4, 9, 8, 7]));
    assert.equal(body.subarray(0, 4).toString('hex'), '000106ff'); // 16 bytes
    assert.equal((await s.post(body, { 'Content-Type': 'application/octet-stream' })).status, 200);
    s.got = [];
    const g = await s.until((x) => x.length >= 3);
    assert.deepEqual(g, ['42["u-back","é🚀"]', '451-["bin-back",{"_placeholder":true,"num":0}]', Buffer.from([4, 9, 8, 7])]);
  });

  it('a wrong length prefix closes the session (pending GET gets a close packet)', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    const pending = s.get();
    await sleep(100);
    await s.post('99:42["x"]');
    const r = await pending;
    assert.equal(r.status, 200);
    assert.ok(dec(r.text).includes('1'), `close packet expected: ${r.text}`);
    const after = await s.get();
    assert.equal(after.status, 400);
    assert.equal(JSON.parse(after.text).code, 1);
  });

  it('heartbeat: the client pings, `2` gets `3`; the server never pings and times out a silent client', async () => {
    const s = await session3(fast.port);
    assert.deepEqual([s.hs.pingInterval, s.hs.pingTimeout], [400, 300]);
    await s.until(has('42["auth",{}]'));
    const t0 = Date.now();
    while (Date.now() - t0 < 1500) { // twice pingInterval + pingTimeout
      await sleep(200);
      const g = s.get();
      await s.post(enc('2'));
      assert.equal((await g).text, '1:3');
    }
    const quiet = Date.now();
    const r = await s.get({ timeout: 3000 });
    const dt = Date.now() - quiet;
    assert.equal(r.text.includes('1:2'), false, 'no server ping');
    assert.ok(dec(r.text).includes('1'), `closed: ${r.text}`);
    assert.ok(dt >= 400 && dt < 2000, `ping timeout after ${dt} ms (400 + 300 expected)`);
    assert.equal((await s.get()).status, 400);
  });

  it('connect-time data in the CONNECT query (`40/custom?a=1&b=x`); v2 CONNECT_ERROR; unknown namespace', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    await s.post(enc('40/custom?a=1&b=x'));
    await s.until(has('40/custom,', '42/custom,["auth",{"a":"1","b":"x"}]'));
    await s.post(enc('42/custom,["e","é"]', '42/custom,7["echo",1]'));
    await s.until(has('42/custom,["e-back","é"]', '43/custom,7[1]'));
    const d = await session3(srv.port);
    await d.until(has('42["auth",{}]'));
    await d.post(enc('40/custom?deny=nope', '40/nope,'));
    await d.until(has('44/custom,"nope"', '44/nope,{"message":"Invalid namespace"}'));
    await d.post(enc('42["still"]'));
    await d.until(has('42["still-back"]'));
  });

  it('websocket: open frame, bare `40`, binary frames with the 04 type byte both ways, `2` -> `3`', async () => {
    const ws = await rawWebSocket(srv.port, `${S}?EIO=3&transport=websocket`);
    const text = async () => { const f = await ws.next(); assert.equal(f.opcode, 1); return f.payload.toString(); };
    const open = await text();
    assert.equal(open[0], '0');
    assert.deepEqual(JSON.parse(open.slice(1)).upgrades, []);
    assert.equal(await text(), '40');
    assert.equal(await text(), '42["auth",{}]');
    ws.sendText('451-["bin",{"_placeholder":true,"num":0}]');
    ws.send(frame(2, Buffer.from([4, 1, 2, 3])));
    assert.equal(await text(), '451-["bin-back",{"_placeholder":true,"num":0}]');
    const f = await ws.next();
    assert.equal(f.opcode, 2);
    assert.equal(f.payload.toString('hex'), '04010203');
    ws.sendText('2');
    assert.equal(await text(), '3');
    ws.sendText('42["é🚀"]');
    assert.equal(await text(), '42["é🚀-back"]');
    ws.destroy();
  });

  it('upgrade: 2probe/3probe, the pending GET released with `1:6`, polling refused after `5`', async () => {
    const s = await session3(srv.port);
    await s.until(has('42["auth",{}]'));
    const pending = s.get();
    const ws = await rawWebSocket(srv.port, `${S}?EIO=3&transport=websocket&sid=${encodeURIComponent(s.hs.sid)}`);
    ws.sendText('2probe');
    assert.equal((await ws.next()).payload.toString(), '3probe');
    assert.equal((await pending).text, '1:6');
    ws.sendText('5');
    ws.sendText('42["w",1]');
    assert.equal((await ws.next()).payload.toString(), '42["w-back",1]');
    const r = await s.get();
    assert.equal(r.status, 400);
    assert.deepEqual(JSON.parse(r.text), { code: 3, message: 'Bad request' });
    ws.destroy();
  });
});
