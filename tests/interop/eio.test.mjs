// Engine.IO v4 by hand: raw HTTP requests (node:http, because fetch forbids
// some headers) and raw or `ws` WebSockets against the echo server, for the
// error answers and traps of shared/PROTOCOL.md sections 1-11 and 18.
// Where Node's behaviour and PROTOCOL.md differ, these tests follow Node.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  startServer, request, handshake, poll, post, sleep, once, rawWebSocket, frame, withTimeout,
} from './lib.mjs';

const E = '/engine.io/';
const S = '/socket.io/';
const MAX = 1000;

let srv; // default options
let small; // --max-payload 1000
let fast; // --ping-interval 300 --ping-timeout 200
before(async () => {
  [srv, small, fast] = await Promise.all([
    startServer(),
    startServer(undefined, ['--max-payload', String(MAX)]),
    startServer(undefined, ['--ping-interval', '300', '--ping-timeout', '200']),
  ]);
});
after(async () => { await Promise.all([srv, small, fast].map((s) => s?.stop())); });

function assertError(r, status, code, message) {
  assert.equal(r.status, status, `status for ${message}: ${r.status} ${r.text}`);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(r.text), { code, message });
}

// Decode a v4 polling payload: packets joined by \x1e, binary as b+base64.
function decodePayload(text) {
  return text.split('\x1e').map((p) => (p[0] === 'b'
    ? { type: 'message', binary: Buffer.from(p.slice(1), 'base64') }
    : { type: p[0], data: p.slice(1) }));
}

// A ws client that records everything; resolves once open.
function wsClient(port, query, { prefix = E } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${prefix}?${query}`);
  ws.got = [];
  ws.waiters = [];
  ws.on('message', (data, isBinary) => {
    ws.got.push(isBinary ? { binary: Buffer.from(data) } : { text: data.toString() });
    ws.waiters = ws.waiters.filter((w) => !w());
  });
  ws.closedP = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  ws.next = (ms = 3000) => new Promise((res, rej) => {
    const w = () => { if (ws.got.length) { clearTimeout(t); res(ws.got.shift()); return true; } return false; };
    const t = setTimeout(() => { ws.waiters = ws.waiters.filter((x) => x !== w); rej(new Error(`timeout (${ms} ms) waiting for a ws message`)); }, ms);
    if (!w()) ws.waiters.push(w);
  });
  ws.opened = new Promise((res, rej) => {
    ws.once('open', () => res(ws));
    ws.once('unexpected-response', (req, resp) => {
      let b = '';
      resp.on('data', (d) => { b += d; });
      resp.on('end', () => rej(Object.assign(new Error(`upgrade refused ${resp.statusCode}`), { status: resp.statusCode, body: b, headers: resp.headers })));
    });
    ws.once('error', rej);
  });
  return ws;
}

describe('handshake', { concurrency: true }, () => {
  for (const prefix of [E, S]) {
    it(`polling handshake on ${prefix}: exactly five keys with Node defaults (T7)`, async () => {
      const r = await request(srv.port, 'GET', `${prefix}?EIO=4&transport=polling&t=abc123`);
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /^text\/plain; ?charset=UTF-8$/i);
      assert.equal(r.text[0], '0');
      const o = JSON.parse(r.text.slice(1));
      assert.deepEqual(Object.keys(o).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
      assert.equal(typeof o.sid, 'string');
      assert.ok(o.sid.length > 0);
      assert.deepEqual(o.upgrades, ['websocket']);
      assert.equal(o.pingInterval, 25000);
      assert.equal(o.pingTimeout, 20000);
      assert.equal(o.maxPayload, 1000000);
    });

    it(`websocket-only handshake on ${prefix}: upgrades is []`, async () => {
      const ws = wsClient(srv.port, 'EIO=4&transport=websocket', { prefix });
      await ws.opened;
      const m = await ws.next();
      assert.equal(m.text[0], '0');
      const o = JSON.parse(m.text.slice(1));
      assert.deepEqual(Object.keys(o).sort(), ['maxPayload', 'pingInterval', 'pingTimeout', 'sid', 'upgrades']);
      assert.deepEqual(o.upgrades, []);
      assert.equal(o.pingInterval, 25000);
      ws.terminate();
    });
  }

  it('options are reflected in the handshake', async () => {
    assert.equal((await handshake(small.port)).maxPayload, MAX);
    const h = await handshake(fast.port, S);
    assert.equal(h.pingInterval, 300);
    assert.equal(h.pingTimeout, 200);
  });

  it('sids are distinct', async () => {
    const ids = new Set();
    for (let i = 0; i < 20; i++) ids.add((await handshake(srv.port)).sid);
    assert.equal(ids.size, 20);
  });

  it('no CORS headers by default', async () => {
    const r = await request(srv.port, 'GET', `${S}?EIO=4&transport=polling`, { headers: { Origin: 'http://example.com' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });
});

describe('error answers (section 9)', { concurrency: true }, () => {
  const cases = [
    ['missing transport', 'GET', 'EIO=4', 400, 0, 'Transport unknown'],
    ['unknown transport', 'GET', 'EIO=4&transport=carrier-pigeon', 400, 0, 'Transport unknown'],
    ['unknown transport wins over bad EIO', 'GET', 'EIO=3&transport=foo', 400, 0, 'Transport unknown'],
    ['missing EIO', 'GET', 'transport=polling', 400, 5, 'Unsupported protocol version'],
    ['EIO=3', 'GET', 'EIO=3&transport=polling', 400, 5, 'Unsupported protocol version'],
    ['EIO=5', 'GET', 'EIO=5&transport=polling', 400, 5, 'Unsupported protocol version'],
    ['EIO=abc', 'GET', 'EIO=abc&transport=polling', 400, 5, 'Unsupported protocol version'],
    ['unknown sid GET', 'GET', 'EIO=4&transport=polling&sid=doesnotexist', 400, 1, 'Session ID unknown'],
    ['unknown sid POST', 'POST', 'EIO=4&transport=polling&sid=doesnotexist', 400, 1, 'Session ID unknown'],
    ['POST without sid', 'POST', 'EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['PUT without sid', 'PUT', 'EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['OPTIONS without sid (no CORS configured)', 'OPTIONS', 'EIO=4&transport=polling', 400, 2, 'Bad handshake method'],
    ['transport=websocket without Upgrade', 'GET', 'EIO=4&transport=websocket', 400, 3, 'Bad request'],
    ['transport=websocket without Upgrade, unknown sid', 'GET', 'EIO=4&transport=websocket&sid=nope', 400, 1, 'Session ID unknown'],
  ];
  for (const prefix of [E, S]) {
    for (const [name, method, query, status, code, message] of cases) {
      it(`${prefix} ${name} -> ${status} code ${code}`, async () => {
        const r = await request(srv.port, method, `${prefix}?${query}`, method === 'POST' || method === 'PUT' ? { body: '4x' } : {});
        assertError(r, status, code, message);
      });
    }
  }

  it('polling with the sid of a websocket-only session -> 400 code 3', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket');
    await ws.opened;
    const sid = JSON.parse((await ws.next()).text.slice(1)).sid;
    assertError(await poll(srv.port, E, sid), 400, 3, 'Bad request');
    assertError(await post(srv.port, E, sid, '4x'), 400, 3, 'Bad request');
    // The WebSocket session is unharmed.
    ws.send('4still');
    assert.deepEqual(await ws.next(), { text: '4still' });
    ws.terminate();
  });

  it('websocket upgrade with an unknown sid -> raw 400 with the bare message', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket&sid=nope');
    const err = await ws.opened.then(() => null, (e) => e);
    assert.ok(err, 'the upgrade must be refused');
    assert.equal(err.status, 400);
    assert.equal(err.body, 'Session ID unknown');
  });

  // Node completes the 101 before it checks the protocol version and then
  // writes its error onto the upgraded socket; what matters is that no
  // session opens. Refusing the upgrade outright (400) is fine too.
  it('websocket upgrade with a bad EIO opens no session', async () => {
    const ws = wsClient(srv.port, 'EIO=5&transport=websocket');
    const err = await ws.opened.then(() => null, (e) => e);
    if (err && err.status !== undefined) {
      assert.equal(err.status, 400);
    } else if (!err) {
      await withTimeout(ws.closedP, 3000, 'bad-EIO websocket closed');
      assert.equal(ws.got.some((m) => m.text?.[0] === '0'), false, 'no open packet');
    }
  });
});

describe('long-polling (sections 4, 8, 11)', { concurrency: true }, () => {
  it('bare /engine.io/ echo over polling: text and binary (b+base64, T10)', async () => {
    const { sid } = await handshake(srv.port);
    const bin = Buffer.from([0, 1, 2, 3, 254, 255]);
    const p = await post(srv.port, E, sid, `4hello ünï 😀\x1eb${bin.toString('base64')}\x1e4\x1e4second`);
    assert.equal(p.status, 200);
    assert.equal(p.text, 'ok');
    let got = [];
    while (got.length < 4) {
      const g = await poll(srv.port, E, sid);
      assert.equal(g.status, 200);
      assert.match(String(g.headers['content-type']), /^text\/plain; ?charset=UTF-8$/i);
      got = got.concat(decodePayload(g.text));
    }
    assert.deepEqual(got, [
      { type: '4', data: 'hello ünï 😀' },
      { type: 'message', binary: bin },
      { type: '4', data: '' },
      { type: '4', data: 'second' },
    ]);
  });

  it('a GET waits until there is data', async () => {
    const { sid } = await handshake(srv.port);
    const t0 = Date.now();
    const g = poll(srv.port, E, sid);
    await sleep(300);
    await post(srv.port, E, sid, '4late');
    const r = await g;
    assert.ok(Date.now() - t0 >= 250);
    assert.equal(r.text, '4late');
  });

  it('duplicate GET (T4): the newcomer gets 400, the pending one gets 1, the session is gone', async () => {
    const { sid } = await handshake(srv.port);
    const first = poll(srv.port, E, sid);
    await sleep(100);
    const second = await poll(srv.port, E, sid);
    assert.equal(second.status, 400); // Node: 400 with an empty body (PROTOCOL.md said 500)
    const r1 = await first;
    assert.equal(r1.status, 200);
    assert.equal(r1.text, '1');
    assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it('close via POST while a GET is pending (T5): POST ok, GET gets 6, session gone', async () => {
    const { sid } = await handshake(srv.port);
    const pending = poll(srv.port, E, sid);
    await sleep(100);
    const p = await post(srv.port, E, sid, '1');
    assert.equal(p.status, 200);
    assert.equal(p.text, 'ok');
    const g = await pending;
    assert.equal(g.status, 200);
    assert.equal(g.text, '6');
    assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it('close via POST without a pending GET ends the session', async () => {
    const { sid } = await handshake(srv.port);
    assert.equal((await post(srv.port, E, sid, '1')).text, 'ok');
    await sleep(50);
    assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it(`POST over maxPayload (${MAX}) -> 413, session kept (T9)`, async () => {
    const { sid } = await handshake(small.port);
    const big = await post(small.port, E, sid, `4${'x'.repeat(MAX)}`);
    assert.equal(big.status, 413);
    // Multi-byte: 400 chars of 3 bytes each = 1200 bytes > 1000.
    assert.equal((await post(small.port, E, sid, `4${'漢'.repeat(400)}`)).status, 413);
    // Exactly at the limit is fine.
    const ok = await post(small.port, E, sid, `4${'y'.repeat(MAX - 1)}`);
    assert.equal(ok.status, 200);
    assert.equal((await poll(small.port, E, sid)).text, `4${'y'.repeat(MAX - 1)}`);
    assert.equal((await post(small.port, E, sid, '4after')).text, 'ok');
    assert.equal((await poll(small.port, E, sid)).text, '4after');
  });

  it('POST with Content-Type application/octet-stream is rejected and ends the session (T10)', async () => {
    const { sid } = await handshake(srv.port);
    const r = await post(srv.port, E, sid, '4abc', { headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(r.status, 400);
    assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it('malformed packets end the session (parse error)', async () => {
    for (const body of ['x', '9', '']) {
      const { sid } = await handshake(srv.port);
      const r = await post(srv.port, E, sid, body);
      assert.equal(r.status, 200, `POST ${JSON.stringify(body)}`);
      await sleep(20);
      assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
    }
  });

  it('a ping from the client ends the session (T1)', async () => {
    const { sid } = await handshake(srv.port);
    assert.equal((await post(srv.port, E, sid, '2')).text, 'ok');
    await sleep(20);
    assertError(await poll(srv.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it('Socket.IO over raw polling: CONNECT, event, ack (T6, T7, T11)', async () => {
    const { sid } = await handshake(srv.port, S);
    // T6: no trailing comma after the namespace.
    assert.equal((await post(srv.port, S, sid, '40/custom\x1e40{"k":"v"}')).text, 'ok');
    let pkts = [];
    while (pkts.length < 4) pkts = pkts.concat(decodePayload((await poll(srv.port, S, sid)).text));
    const connects = pkts.filter((p) => p.data?.startsWith('0'));
    assert.equal(connects.length, 2);
    const custom = connects.find((p) => p.data.startsWith('0/custom,'));
    const root = connects.find((p) => p.data.startsWith('0{'));
    assert.ok(custom && root, JSON.stringify(pkts));
    for (const c of [JSON.parse(custom.data.slice('0/custom,'.length)), JSON.parse(root.data.slice(1))]) {
      assert.deepEqual(Object.keys(c), ['sid']); // T7: no pid when recovery is off
      assert.notEqual(c.sid, sid); // T11
    }
    const auths = pkts.filter((p) => p.data?.startsWith('2')).map((p) => p.data).sort();
    assert.deepEqual(auths, ['2/custom,["auth",{}]', '2["auth",{"k":"v"}]']);
    assert.equal((await post(srv.port, S, sid, '4212["echo","a",1]\x1e42/custom,7["echo",{"b":[]}]')).text, 'ok');
    pkts = [];
    while (pkts.length < 2) pkts = pkts.concat(decodePayload((await poll(srv.port, S, sid)).text));
    assert.deepEqual(pkts.map((p) => p.data).sort(), ['3/custom,7[{"b":[]}]', '312["a",1]']);
  });
});

describe('websocket (sections 5, 8, 11)', { concurrency: true }, () => {
  it('bare /engine.io/ echo over websocket: text and binary', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket');
    await ws.opened;
    assert.equal((await ws.next()).text[0], '0');
    ws.send('4hello ünï 😀');
    ws.send(Buffer.from([1, 2, 3]));
    ws.send('4');
    ws.send(Buffer.alloc(0));
    assert.deepEqual(await ws.next(), { text: '4hello ünï 😀' });
    assert.deepEqual(await ws.next(), { binary: Buffer.from([1, 2, 3]) });
    assert.deepEqual(await ws.next(), { text: '4' });
    assert.deepEqual(await ws.next(), { binary: Buffer.alloc(0) });
    ws.terminate();
  });

  it('several packets written back to back are all handled (T8)', async () => {
    const ws = await rawWebSocket(srv.port, `${E}?EIO=4&transport=websocket`);
    assert.equal((await ws.next()).payload.toString()[0], '0');
    ws.send(Buffer.concat([frame(1, '4a'), frame(1, '4b'), frame(2, Buffer.from([7])), frame(1, '4c')]));
    assert.equal((await ws.next()).payload.toString(), '4a');
    assert.equal((await ws.next()).payload.toString(), '4b');
    assert.deepEqual([...(await ws.next()).payload], [7]);
    assert.equal((await ws.next()).payload.toString(), '4c');
    ws.destroy();
  });

  it(`websocket message over maxPayload (${MAX}) -> close 1009 (T9)`, async () => {
    const ws = wsClient(small.port, 'EIO=4&transport=websocket');
    await ws.opened;
    await ws.next();
    ws.send(`4${'y'.repeat(MAX - 1)}`); // exactly at the limit: echoed
    assert.equal((await ws.next()).text.length, MAX);
    ws.send(`4${'x'.repeat(MAX)}`);
    const c = await withTimeout(ws.closedP, 3000, 'close');
    assert.equal(c.code, 1009);
  });

  it('a ping from the client closes the websocket (T1)', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket');
    await ws.opened;
    await ws.next();
    ws.send('2');
    await withTimeout(ws.closedP, 3000, 'close after client ping');
  });

  it('a malformed packet closes the websocket', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket');
    await ws.opened;
    await ws.next();
    ws.send('x');
    await withTimeout(ws.closedP, 3000, 'close after bad packet');
  });

  it('Socket.IO: malformed packet or packet for a namespace not joined closes the connection (T12)', async () => {
    for (const bad of ['4x', '42["echo"', '2["echo"]', '42/custom,["echo"]', '45-["x"]', '42[]', '42[{}]', '42["connect"]']) {
      const ws = wsClient(srv.port, 'EIO=4&transport=websocket', { prefix: S });
      await ws.opened;
      await ws.next();
      ws.send('40');
      assert.match((await ws.next()).text, /^40\{"sid":"[^"]+"\}$/);
      assert.equal((await ws.next()).text, '42["auth",{}]');
      ws.send(bad);
      const c = await withTimeout(ws.closedP, 3000, `close after ${bad}`);
      assert.ok(c, bad);
    }
  });

  it('Socket.IO: leaving the last namespace keeps Engine.IO open (T13)', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket', { prefix: S });
    await ws.opened;
    await ws.next();
    ws.send('40');
    await ws.next();
    await ws.next();
    ws.send('41');
    await sleep(200);
    assert.equal(ws.readyState, WebSocket.OPEN);
    ws.send('40/custom,');
    assert.match((await ws.next()).text, /^40\/custom,\{"sid":"[^"]+"\}$/);
    assert.equal((await ws.next()).text, '42/custom,["auth",{}]');
    ws.send('42/custom,["x",true]');
    assert.equal((await ws.next()).text, '42/custom,["x-back",true]');
    ws.terminate();
  });

  it('Socket.IO: unknown namespace -> 44 "Invalid namespace", connection kept (T12)', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket', { prefix: S });
    await ws.opened;
    await ws.next();
    ws.send('40/nope,');
    assert.equal((await ws.next()).text, '44/nope,{"message":"Invalid namespace"}');
    ws.send('40/custom,{"deny":"go away"}');
    assert.equal((await ws.next()).text, '44/custom,{"message":"go away"}');
    ws.send('40');
    assert.match((await ws.next()).text, /^40\{"sid":"[^"]+"\}$/);
    ws.terminate();
  });

  it('Socket.IO binary event by hand: header then attachments', async () => {
    const ws = wsClient(srv.port, 'EIO=4&transport=websocket', { prefix: S });
    await ws.opened;
    await ws.next();
    ws.send('40');
    await ws.next();
    await ws.next();
    ws.send('451-9["echo",{"_placeholder":true,"num":0},"t"]');
    ws.send(Buffer.from([5, 6, 7]));
    assert.equal((await ws.next()).text, '461-9[{"_placeholder":true,"num":0},"t"]');
    assert.deepEqual(await ws.next(), { binary: Buffer.from([5, 6, 7]) });
    ws.terminate();
  });
});

describe('upgrade by hand (section 7, T2, T3, T15)', { concurrency: true }, () => {
  for (const prefix of [E, S]) {
    it(`polling -> websocket on ${prefix}: 2probe/3probe, pending GET released by 6, then 5`, async () => {
      const { sid } = await handshake(srv.port, prefix);
      if (prefix === S) {
        await post(srv.port, S, sid, '40');
        const r = await poll(srv.port, S, sid);
        assert.match(r.text, /^40\{"sid":"[^"]+"\}\x1e42\["auth",\{\}\]$/);
      }
      const pending = poll(srv.port, prefix, sid);
      await sleep(50);
      const ws = wsClient(srv.port, `EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`, { prefix });
      await ws.opened;
      ws.send('2probe');
      assert.deepEqual(await ws.next(), { text: '3probe' }); // T2: on the websocket
      const released = await pending;
      assert.equal(released.status, 200);
      assert.equal(released.text, '6'); // T2: not 3probe
      ws.send('5');
      if (prefix === E) {
        ws.send('4over ws');
        assert.deepEqual(await ws.next(), { text: '4over ws' });
      } else {
        ws.send('42["e",1]');
        assert.deepEqual(await ws.next(), { text: '42["e-back",1]' });
      }
      // T3: polling with that sid is now a transport mismatch.
      assertError(await poll(srv.port, prefix, sid), 400, 3, 'Bad request');
      assertError(await post(srv.port, prefix, sid, '4x'), 400, 3, 'Bad request');
      // T3: a second websocket for the same sid is not accepted.
      const ws2 = wsClient(srv.port, `EIO=4&transport=websocket&sid=${encodeURIComponent(sid)}`, { prefix });
      const opened = await ws2.opened.then(() => true, () => false);
      if (opened) await withTimeout(ws2.closedP, 3000, 'second websocket closed');
      // The first one is unharmed.
      ws.send(prefix === E ? '4still' : '42["s"]');
      assert.deepEqual(await ws.next(), { text: prefix === E ? '4still' : '42["s-back"]' });
      ws.terminate();
    });
  }

  it('2probe and 5 back to back, data buffered during the upgrade is not lost (T15)', async () => {
    const { sid } = await handshake(srv.port);
    // Queue data on the polling side, then upgrade without reading it.
    await post(srv.port, E, sid, '4queued-1\x1e4queued-2');
    await sleep(50);
    const ws = await rawWebSocket(srv.port, `${E}?EIO=4&transport=websocket&sid=${sid}`);
    ws.send(Buffer.concat([frame(1, '2probe'), frame(1, '5'), frame(1, '4after')]));
    const texts = [];
    while (texts.length < 4) texts.push((await ws.next(3000)).payload.toString());
    // The echoes queued while polling were never fetched by a GET: they must
    // come over the websocket once the upgrade is done, in order.
    assert.deepEqual(texts, ['3probe', '4queued-1', '4queued-2', '4after']);
    ws.destroy();
  });

  it('anything but 2probe/5 on the probing websocket abandons the upgrade, polling goes on', async () => {
    const { sid } = await handshake(srv.port);
    const ws = wsClient(srv.port, `EIO=4&transport=websocket&sid=${sid}`);
    await ws.opened;
    ws.send('4too early');
    await withTimeout(ws.closedP, 3000, 'probing websocket closed');
    assert.equal((await post(srv.port, E, sid, '4poll')).text, 'ok');
    assert.equal((await poll(srv.port, E, sid)).text, '4poll');
  });
});

describe('heartbeat (section 6) with --ping-interval 300 --ping-timeout 200', { concurrency: true }, () => {
  it('polling: ping after ~300 ms, pong keeps it alive, silence closes it', async () => {
    const { sid } = await handshake(fast.port, E);
    let t0 = Date.now();
    let g = await poll(fast.port, E, sid);
    assert.equal(g.text, '2');
    let dt = Date.now() - t0;
    assert.ok(dt >= 200 && dt < 1000, `first ping after ${dt} ms`);
    assert.equal((await post(fast.port, E, sid, '3')).text, 'ok');
    t0 = Date.now();
    g = await poll(fast.port, E, sid);
    assert.equal(g.text, '2');
    dt = Date.now() - t0;
    assert.ok(dt >= 200 && dt < 1000, `second ping after ${dt} ms`);
    // No pong this time: the session must be gone after pingTimeout.
    await sleep(600);
    assertError(await poll(fast.port, E, sid), 400, 1, 'Session ID unknown');
  });

  it('websocket: answering pings keeps it open, silence closes it', async () => {
    const ws = wsClient(fast.port, 'EIO=4&transport=websocket');
    await ws.opened;
    await ws.next();
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      assert.deepEqual(await ws.next(2000), { text: '2' });
      const dt = Date.now() - t0;
      assert.ok(dt >= 200 && dt < 1000, `ping after ${dt} ms`);
      ws.send('3');
    }
    assert.equal(ws.readyState, WebSocket.OPEN);
    const t0 = Date.now();
    assert.deepEqual(await ws.next(2000), { text: '2' });
    await withTimeout(ws.closedP, 2000, 'closed after missed pong');
    const dt = Date.now() - t0;
    assert.ok(dt >= 150 && dt < 1500, `closed ${dt} ms after the unanswered ping`);
  });

  it('Socket.IO client over the fast heartbeat stays connected', async () => {
    const { io } = await import('socket.io-client');
    const s = io(`http://127.0.0.1:${fast.port}`, { forceNew: true, reconnection: false });
    try {
      await once(s, 'connect', 5000);
      await sleep(1200); // several ping rounds
      assert.equal(s.connected, true);
      const r = await s.timeout(2000).emitWithAck('echo', 'alive');
      assert.equal(r, 'alive');
    } finally {
      s.disconnect();
    }
  });
});
