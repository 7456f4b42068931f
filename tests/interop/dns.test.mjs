// Name resolution in the C client (issue 4): host names are resolved
// inside the client's loop, never blocking it. A fake DNS server here
// (node:dgram on 127.0.0.1) answers the client's A and AAAA queries:
//   myhost.test  A 127.0.0.1, AAAA ::1 (the server listens on 127.0.0.1
//                only, so ::1 is refused and the next address is tried)
//   alias.test   CNAME myhost.test, then its A (AAAA: the CNAME alone)
//   nosuch.test  NXDOMAIN
//   slow.test    no answer at all
//   spoof.test   answers with the wrong id (must be ignored)
// The C client is build/client_driver with --dns-server 127.0.0.1:PORT.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import dgram from 'node:dgram';
import { Server } from 'socket.io';
import { stoppedAfterEach } from './driver.mjs';
import { sleep, withTimeout } from './lib.mjs';

const { cleanups, Driver } = stoppedAfterEach();

// ---------------------------------------------------------------- fake DNS

function readName(msg, off) {
  const labels = [];
  for (;;) {
    const l = msg[off];
    if (l === 0) return { name: labels.join('.'), end: off + 1 };
    labels.push(msg.subarray(off + 1, off + 1 + l).toString('latin1'));
    off += 1 + l;
  }
}

function encodeName(name) {
  const parts = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function record(owner, type, rdata) {
  const h = Buffer.alloc(10);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(1, 2);
  h.writeUInt32BE(60, 4);
  h.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([owner, h, rdata]);
}

const QNAME = Buffer.from([0xc0, 12]);   // pointer to the question's name
const A_LO = Buffer.from([127, 0, 0, 1]);
const AAAA_LO = Buffer.concat([Buffer.alloc(15), Buffer.from([1])]);

async function startDns() {
  const sock = dgram.createSocket('udp4');
  const dns = { queries: [] };
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const id = msg.readUInt16BE(0);
    const { name, end } = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    dns.queries.push({ id, name, qtype, at: performance.now() });
    const question = msg.subarray(12, end + 4);
    let rcode = 0;
    const answers = [];
    let replyId = id;
    const lname = name.toLowerCase();
    if (lname === 'myhost.test') {
      answers.push(qtype === 1 ? record(QNAME, 1, A_LO) : record(QNAME, 28, AAAA_LO));
    } else if (lname === 'alias.test') {
      answers.push(record(QNAME, 5, encodeName('myhost.test')));
      if (qtype === 1) answers.push(record(encodeName('myhost.test'), 1, A_LO));
    } else if (lname === 'nosuch.test') {
      rcode = 3;
    } else if (lname === 'spoof.test') {
      replyId = id ^ 0x5555;
      answers.push(qtype === 1 ? record(QNAME, 1, A_LO) : record(QNAME, 28, AAAA_LO));
    } else {
      return;   // slow.test and anything else: silence
    }
    const h = Buffer.alloc(12);
    h.writeUInt16BE(replyId, 0);
    h.writeUInt16BE(0x8180 | rcode, 2);
    h.writeUInt16BE(1, 4);
    h.writeUInt16BE(answers.length, 6);
    sock.send(Buffer.concat([h, question, ...answers]), rinfo.port, rinfo.address);
  });
  await withTimeout(new Promise((res, rej) => {
    sock.once('error', rej);
    sock.bind(0, '127.0.0.1', res);
  }), 5000, 'dns bind');
  dns.addr = `127.0.0.1:${sock.address().port}`;
  dns.close = () => new Promise((res) => sock.close(res));
  return dns;
}

async function startIo() {
  const httpServer = http.createServer();
  const conns = new Set();
  httpServer.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const io = new Server(httpServer);
  io.on('connection', (socket) => {
    socket.emit('hello', socket.handshake.headers.host);
    socket.on('echo', (...args) => {
      const ack = args.pop();
      ack(...args);
    });
  });
  await withTimeout(new Promise((res, rej) => {
    httpServer.once('error', rej);
    httpServer.listen(0, '127.0.0.1', res);
  }), 5000, 'listen');
  return {
    port: httpServer.address().port,
    close: () => new Promise((res) => { io.close(() => res()); for (const c of conns) c.destroy(); }),
  };
}

// ---------------------------------------------------------------- the tests

describe('client name resolution in the loop (issue 4)', () => {
  let dns;
  let srv;
  before(async () => {
    dns = await startDns();
    srv = await startIo();
  });
  after(async () => {
    if (srv) await srv.close();
    if (dns) await dns.close();
  });

  for (const transport of ['polling', 'websocket']) {
    it(`connects to http://myhost.test:PORT over ${transport} (A and AAAA asked, fresh ids)`, async () => {
      const before0 = dns.queries.length;
      const d = new Driver(`http://myhost.test:${srv.port}`,
        ['--dns-server', dns.addr, '--transport', transport, '--no-reconnect']);
      d.send('open /');
      await d.expectAt(/^connect \/ \S+/, 8000);
      const { m } = await d.expectAt(/^event \/ (.*)$/, 5000);
      assert.deepEqual(JSON.parse(m[1]), ['hello', `myhost.test:${srv.port}`]);
      d.send('emitack / 3000 ["echo","hi",{"n":1}]');
      const ack = await d.expectAt(/^ack \/ (.*)$/, 5000);
      assert.deepEqual(JSON.parse(ack.m[1]), ['hi', { n: 1 }]);
      const qs = dns.queries.slice(before0);
      assert.ok(qs.some((q) => q.qtype === 1 && q.name === 'myhost.test'), 'A asked');
      assert.ok(qs.some((q) => q.qtype === 28 && q.name === 'myhost.test'), 'AAAA asked');
      const ids = new Set(qs.map((q) => q.id));
      assert.equal(ids.size, qs.length, 'a fresh id for each query');
    });
  }

  it('follows a CNAME inside the answer (alias.test -> myhost.test)', async () => {
    const d = new Driver(`http://alias.test:${srv.port}`, ['--dns-server', dns.addr, '--no-reconnect']);
    d.send('open /');
    await d.expectAt(/^connect \/ \S+/, 8000);
    d.send('emitack / 3000 ["echo","via cname"]');
    const ack = await d.expectAt(/^ack \/ (.*)$/, 5000);
    assert.deepEqual(JSON.parse(ack.m[1]), ['via cname']);
  });

  it('nosuch.test fails at once with the reason, then reconnects with back-off', async () => {
    const t0 = performance.now();
    const d = new Driver(`http://nosuch.test:${srv.port}`,
      ['--dns-server', dns.addr, '--delay', '100', '--delay-max', '200', '--attempts', '2']);
    d.send('open /');
    const e = await d.expectAt(/^connect_error \/ (.*)$/, 3000);
    assert.match(e.m[1], /cannot resolve nosuch\.test: no such host/);
    assert.ok(e.at - t0 < 1500, `failed in ${Math.round(e.at - t0)} ms`);
    await d.expectAt(/^reconnect_attempt 1$/, 3000);
    await d.expectAt(/^connect_error \/ .*no such host/, 3000);
    await d.expectAt(/^reconnect_failed$/, 5000);
  });

  it('slow.test times out after resolve_timeout_ms, and the loop keeps running meanwhile', async () => {
    const before0 = dns.queries.length;
    const d = new Driver(`http://slow.test:${srv.port}`,
      ['--dns-server', dns.addr, '--resolve-timeout', '500', '--no-reconnect']);
    d.send('ping');
    await d.expectAt(/^pong$/, 5000);   // the driver is up
    const t0 = performance.now();
    d.send('open /');
    // while the name is being looked up, the loop answers pings at once
    const rtts = [];
    let failed = null;
    d.expectAt(/^connect_error \/ (.*)$/, 4000).then((x) => { failed = x; }, () => {});
    while (!failed && performance.now() - t0 < 3000) {
      const s = performance.now();
      d.send('ping');
      const p = await d.expectAt(/^pong$/, 2000);
      rtts.push(p.at - s);
      await sleep(20);
    }
    const e = failed || await d.expectAt(/^connect_error \/ (.*)$/, 2000);
    const took = e.at - t0;
    assert.match(e.m[1], /cannot resolve slow\.test: timed out/);
    assert.ok(took > 400 && took < 1500, `timed out after ${Math.round(took)} ms, wanted ~500`);
    assert.ok(rtts.length >= 5, `${rtts.length} pings answered while resolving`);
    assert.ok(Math.max(...rtts) < 150, `ping round trips ${rtts.map(Math.round)} ms`);
    d.send('stats');
    const st = await d.expectAt(/^stats maxpoll (\d+)$/, 2000);
    assert.ok(Number(st.m[1]) < 100, `a sio_client_poll(c, 10) took ${st.m[1]} ms`);
    const qs = dns.queries.slice(before0).filter((q) => q.name === 'slow.test');
    assert.deepEqual(new Set(qs.map((q) => q.qtype)), new Set([1, 28]));
  });

  it('unanswered queries are sent again about every second until the deadline', async () => {
    const before0 = dns.queries.length;
    const d = new Driver(`http://slow.test:${srv.port}`,
      ['--dns-server', dns.addr, '--resolve-timeout', '2300', '--no-reconnect']);
    const t0 = performance.now();
    d.send('open /');
    const e = await d.expectAt(/^connect_error \/ (.*)$/, 5000);
    assert.match(e.m[1], /timed out/);
    assert.ok(e.at - t0 > 2000, `gave up after ${Math.round(e.at - t0)} ms`);
    const qs = dns.queries.slice(before0).filter((q) => q.name === 'slow.test');
    assert.equal(qs.length, 6, `3 rounds of A+AAAA (0, 1, 2 s), got ${qs.length}`);
    const sameId = qs.filter((q) => q.qtype === 1).map((q) => q.id);
    assert.equal(new Set(sameId).size, 1, 'a retransmission keeps its id');
  });

  it('an answer with the wrong id is ignored (spoof.test times out)', async () => {
    const d = new Driver(`http://spoof.test:${srv.port}`,
      ['--dns-server', dns.addr, '--resolve-timeout', '500', '--no-reconnect']);
    d.send('open /');
    const e = await d.expectAt(/^connect_error \/ (.*)$/, 4000);
    assert.match(e.m[1], /cannot resolve spoof\.test: timed out/);
  });

  it('a numeric address and localhost need no DNS at all', async () => {
    const before0 = dns.queries.length;
    for (const host of ['127.0.0.1', 'localhost']) {
      const d = new Driver(`http://${host}:${srv.port}`, ['--dns-server', dns.addr, '--no-reconnect']);
      d.send('open /');
      await d.expectAt(/^connect \/ \S+/, 8000);
      await d.stop();
    }
    assert.equal(dns.queries.length, before0);
  });

  it('a bad dns_server or host name fails at create', async () => {
    for (const [url, args] of [[`http://myhost.test:${srv.port}`, ['--dns-server', 'nonsense']],
      [`http://bad..name:${srv.port}`, []]]) {
      const d = new Driver(url, args);
      const e = await d.expectAt(/^create-error (.*)$/, 3000);
      assert.ok(e.m[1].length > 0);
      await withTimeout(d.exited, 3000, 'driver exit');
    }
  });
});
