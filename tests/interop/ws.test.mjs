// The WebSocket layer (RFC 6455, server role) against $SIO_BUILD/ws_echo
// (or $SIO_WS_ECHO_CMD): the npm `ws` client for what it can send, raw frames
// over `net` for what it refuses to send (unmasked, RSV bits, bad UTF-8...).
//
// ws_echo contract: `ws_echo [--host H] [--port N] [--max-message BYTES]`,
// prints `listening on port N`, accepts an upgrade on any path, echoes each
// text/binary message with the same type, answers pings with pongs, answers a
// close with a close carrying the same code (none -> empty close), closes with
// 1009 above max-message (default 16 MiB), 1002 on unmasked frames and RSV
// bits, 1007 on invalid UTF-8 in text.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import {
  startServer, commandFrom, rawWebSocket, frame, closePayload, withTimeout,
} from './lib.mjs';

const cmd = commandFrom('SIO_WS_ECHO_CMD', 'ws_echo');
let srv; // default limits
let small; // --max-message 1000
before(async () => {
  [srv, small] = await Promise.all([
    startServer(cmd),
    startServer(cmd, ['--max-message', '1000']),
  ]);
});
after(async () => { await Promise.all([srv, small].map((s) => s?.stop())); });

const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20];

function client(port, p = '/any/path?x=1') {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${p}`, { perMessageDeflate: false });
  ws.inbox = [];
  ws.waiters = [];
  ws.on('message', (data, isBinary) => {
    ws.inbox.push({ data: Buffer.from(data), isBinary });
    ws.waiters = ws.waiters.filter((w) => !w());
  });
  ws.on('error', () => {});
  ws.closedP = new Promise((res) => ws.on('close', (code, reason) => res({ code, reason: reason.toString() })));
  ws.opened = withTimeout(new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); }), 5000, 'ws open');
  ws.next = (ms = 5000) => new Promise((res, rej) => {
    const w = () => { if (ws.inbox.length) { clearTimeout(t); res(ws.inbox.shift()); return true; } return false; };
    const t = setTimeout(() => { ws.waiters = ws.waiters.filter((x) => x !== w); rej(new Error(`timeout (${ms} ms) waiting for a message`)); }, ms);
    if (!w()) ws.waiters.push(w);
  });
  return ws;
}

// Expect the server to answer `bytes` with a close frame carrying `code`,
// then end the TCP connection.
async function expectClose(port, bytes, code, what) {
  const ws = await rawWebSocket(port, '/raw');
  ws.send(bytes);
  const c = await ws.closed(5000);
  assert.ok(c, `${what}: got a close frame`);
  if (Array.isArray(code)) assert.ok(code.includes(c.code), `${what}: close code ${c.code}, wanted one of ${code}`);
  else assert.equal(c.code, code, `${what}: close code`);
  ws.destroy();
}

describe('ws_echo', { concurrency: true }, () => {
  for (const n of SIZES) {
    it(`text and binary of ${n} bytes come back unchanged with the same type`, async () => {
      const ws = client(srv.port);
      await ws.opened;
      // Text: mixed one- to four-byte UTF-8 sequences, cut to exactly n bytes on a char boundary.
      const parts = [];
      const pieces = ['a', 'é', '漢', '😀'];
      let bytes = 0;
      for (let i = 0; bytes < n; i++) {
        const p = pieces[i % 4];
        const pl = Buffer.byteLength(p);
        const use = bytes + pl <= n ? p : 'a';
        parts.push(use);
        bytes += use === p ? pl : 1;
      }
      const text = parts.join('');
      assert.equal(Buffer.byteLength(text), n);
      const bin = Buffer.alloc(n);
      for (let i = 0; i < n; i++) bin[i] = (i * 31 + 7) & 0xff;
      ws.send(text);
      ws.send(bin);
      const t = await ws.next(10000);
      const b = await ws.next(10000);
      assert.equal(t.isBinary, false);
      assert.equal(t.data.toString('utf8'), text);
      assert.equal(b.isBinary, true);
      assert.ok(b.data.equals(bin));
      ws.close(1000);
      assert.equal((await withTimeout(ws.closedP, 5000, 'close')).code, 1000);
    });
  }

  it('fragmented text and binary (raw frames, ping in between)', async () => {
    const ws = await rawWebSocket(srv.port, '/frag');
    ws.send(frame(1, 'Hel', { fin: false }));
    ws.send(frame(9, 'mid-ping')); // control frames may come between fragments
    ws.send(frame(0, '', { fin: false })); // an empty continuation is legal
    ws.send(frame(0, 'lo', { fin: true }));
    let f = await ws.next();
    assert.equal(f.opcode, 0xA);
    assert.equal(f.payload.toString(), 'mid-ping');
    assert.equal(f.masked, false, 'server frames are never masked');
    f = await ws.next();
    assert.deepEqual([f.opcode, f.fin, f.payload.toString()], [1, true, 'Hello']);
    // Binary in three fragments, split inside the data.
    ws.send(Buffer.concat([
      frame(2, Buffer.from([1, 2]), { fin: false }),
      frame(0, Buffer.from([3]), { fin: false }),
      frame(0, Buffer.from([4, 5, 6]), { fin: true }),
    ]));
    f = await ws.next();
    assert.deepEqual([f.opcode, [...f.payload]], [2, [1, 2, 3, 4, 5, 6]]);
    // A UTF-8 character split across two fragments is valid: é = C3 A9.
    ws.send(frame(1, Buffer.from([0x63, 0x61, 0x66, 0xc3]), { fin: false }));
    ws.send(frame(0, Buffer.from([0xa9]), { fin: true }));
    f = await ws.next();
    assert.equal(f.payload.toString('utf8'), 'café');
    // Bytes trickling in one at a time.
    const one = frame(1, 'slow but fine');
    for (const byte of one) ws.send(Buffer.from([byte]));
    f = await ws.next();
    assert.equal(f.payload.toString(), 'slow but fine');
    // Several frames in one write.
    ws.send(Buffer.concat([frame(1, 'a'), frame(2, Buffer.from('b')), frame(1, 'c')]));
    assert.equal((await ws.next()).payload.toString(), 'a');
    assert.equal((await ws.next()).payload.toString(), 'b');
    assert.equal((await ws.next()).payload.toString(), 'c');
    ws.send(frame(8, closePayload(1000)));
    assert.equal((await ws.closed()).code, 1000);
    ws.destroy();
  });

  it('ping/pong with payload', async () => {
    const ws = client(srv.port);
    await ws.opened;
    for (const p of [Buffer.alloc(0), Buffer.from('ping payload ✓'), Buffer.alloc(125, 0x5a)]) {
      const pong = new Promise((res) => ws.once('pong', res));
      ws.ping(p);
      const got = await withTimeout(pong, 3000, 'pong');
      assert.ok(Buffer.from(got).equals(p));
    }
    // An unsolicited pong needs no answer and does not disturb anything.
    ws.pong('whatever');
    ws.send('after pong');
    assert.equal((await ws.next()).data.toString(), 'after pong');
    ws.terminate();
  });

  it('close codes: 1000, 4000 with a reason, and an empty close', async () => {
    for (const [payload, code] of [[closePayload(1000), 1000], [closePayload(4000, 'bye now ✓'), 4000], [Buffer.alloc(0), null]]) {
      const ws = await rawWebSocket(srv.port, '/close');
      ws.send(frame(1, 'before'));
      assert.equal((await ws.next()).payload.toString(), 'before');
      ws.send(frame(8, payload));
      const c = await ws.closed();
      assert.ok(c, 'a close frame came back');
      assert.equal(c.code, code);
      ws.destroy();
    }
    // The same through the ws client, which also checks the reply is well formed.
    const ws = client(srv.port);
    await ws.opened;
    ws.close(4000, 'with reason');
    assert.equal((await withTimeout(ws.closedP, 5000, 'close')).code, 4000);
  });

  it('invalid UTF-8 in text -> 1007', async () => {
    await expectClose(srv.port, frame(1, Buffer.from([0xc3, 0x28])), 1007, 'C3 28');
    await expectClose(srv.port, frame(1, Buffer.from([0x61, 0xff])), 1007, 'FF');
    await expectClose(srv.port, frame(1, Buffer.from([0xed, 0xa0, 0x80])), 1007, 'UTF-16 surrogate');
    await expectClose(srv.port, frame(1, Buffer.from([0xc0, 0xaf])), 1007, 'overlong');
    await expectClose(srv.port, Buffer.concat([
      frame(1, Buffer.from('ok'), { fin: false }),
      frame(0, Buffer.from([0xf4, 0x90, 0x80, 0x80]), { fin: true }),
    ]), 1007, 'above U+10FFFF in a continuation');
    await expectClose(srv.port, Buffer.concat([
      frame(1, Buffer.from([0x61, 0xe2, 0x82]), { fin: false }),
      frame(0, Buffer.alloc(0), { fin: true }),
    ]), 1007, 'truncated sequence at the end of the message');
    // Invalid UTF-8 in binary is just bytes.
    const ws = await rawWebSocket(srv.port, '/bin');
    ws.send(frame(2, Buffer.from([0xc3, 0x28])));
    assert.deepEqual([...(await ws.next()).payload], [0xc3, 0x28]);
    ws.destroy();
  });

  it('unmasked client frame -> 1002', async () => {
    await expectClose(srv.port, frame(1, 'no mask', { mask: false }), 1002, 'unmasked text');
    await expectClose(srv.port, frame(9, 'p', { mask: false }), 1002, 'unmasked ping');
  });

  it('RSV bits set -> 1002', async () => {
    for (const rsv of [4, 2, 1]) await expectClose(srv.port, frame(1, 'x', { rsv }), 1002, `rsv ${rsv}`);
  });

  it('other protocol errors -> 1002', async () => {
    await expectClose(srv.port, frame(3, 'x'), 1002, 'reserved opcode 3');
    await expectClose(srv.port, frame(0xB, 'x'), 1002, 'reserved control opcode B');
    await expectClose(srv.port, frame(9, Buffer.alloc(126)), 1002, 'control frame > 125 bytes');
    await expectClose(srv.port, frame(9, 'x', { fin: false }), 1002, 'fragmented control frame');
    await expectClose(srv.port, frame(0, 'x'), 1002, 'continuation without a start');
    await expectClose(srv.port, Buffer.concat([frame(1, 'a', { fin: false }), frame(1, 'b')]), 1002, 'new message inside a fragmented one');
    await expectClose(srv.port, frame(8, Buffer.from([0x03])), 1002, 'close payload of one byte');
    for (const code of [999, 1004, 1005, 1006, 1015, 1016, 2999, 5000]) {
      await expectClose(srv.port, frame(8, closePayload(code)), 1002, `invalid close code ${code}`);
    }
    await expectClose(srv.port, frame(8, Buffer.concat([closePayload(1000), Buffer.from([0xff])])), [1002, 1007], 'close reason not UTF-8');
  });

  it('--max-message 1000: 1000 bytes pass, 1001 -> 1009 (also when fragmented or only announced)', async () => {
    const ws = client(small.port);
    await ws.opened;
    ws.send('x'.repeat(1000));
    assert.equal((await ws.next()).data.length, 1000);
    ws.send(Buffer.alloc(1001));
    assert.equal((await withTimeout(ws.closedP, 5000, 'close')).code, 1009);
    await expectClose(small.port, frame(1, 'y'.repeat(1001)), 1009, 'text 1001');
    await expectClose(small.port, Buffer.concat([
      frame(2, Buffer.alloc(600), { fin: false }),
      frame(0, Buffer.alloc(600), { fin: true }),
    ]), 1009, 'fragments adding up to 1200');
    // A header announcing 2^62 bytes must be refused from the header alone.
    const hdr = Buffer.from([0x82, 0xff, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    await expectClose(small.port, hdr, 1009, 'announced 2^62 bytes');
  });

  it('50 concurrent clients', async () => {
    const clients = Array.from({ length: 50 }, (_, i) => client(srv.port, `/c/${i}`));
    await Promise.all(clients.map((c) => c.opened));
    await Promise.all(clients.map(async (c, i) => {
      for (let k = 0; k < 5; k++) {
        const msg = `client ${i} message ${k} ✓`;
        c.send(msg);
        c.send(Buffer.from(msg));
        const a = await c.next();
        const b = await c.next();
        assert.equal(a.data.toString(), msg);
        assert.equal(a.isBinary, false);
        assert.ok(b.isBinary && b.data.equals(Buffer.from(msg)));
      }
      c.close(1000);
      await withTimeout(c.closedP, 5000, 'close');
    }));
  });
});
