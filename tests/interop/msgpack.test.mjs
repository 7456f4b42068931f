// Issue 16: the MessagePack parser, server side. The official socket.io-client
// with socket.io-msgpack-parser against $SIO_ECHO_CMD started with
// `--parser msgpack` (the build/echo contract of tests/node/echo_server.mjs,
// unchanged: only the packet encoding differs), over polling, WebSocket and
// upgrade; then hand-made msgpack frames over a raw WebSocket and raw polling
// for what the server must refuse (it closes the Engine.IO connection, as
// Node does: /work/shared/MSGPACK.md section 3) and what it must accept; then
// peers that speak the other parser (section 6): a clean failure, never a hang.
//
//   SIO_ECHO_CMD="node tests/node/echo_server.mjs" node --test tests/interop/msgpack.test.mjs
//
// Expected values are what the Node reference gives back (notepack.io 2.2.0
// rules, MSGPACK.md section 4), written out literally rather than computed.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import parser from 'socket.io-msgpack-parser';
import {
  startServer, connect, manager, connected, connectError, ask, closeClients, once, sleep,
  rawWebSocket, frame, request, handshake, withTimeout,
} from './lib.mjs';

const PREFIX = '/socket.io/';
const MSGPACK = ['--parser', 'msgpack'];

const MODES = {
  polling: { transports: ['polling'], expect: 'polling' },
  websocket: { transports: ['websocket'], expect: 'websocket' },
  upgrade: { transports: undefined, expect: 'websocket' },
};

// ------------------------------------------------------------------ msgpack
// A small encoder for hand-made frames and a decoder for what comes back,
// written for these tests (the byte layouts are the MessagePack spec's).

const UNDEF = Symbol('msgpack undefined (fixext1 type 0: d4 00 00)');
class Raw { constructor(bytes) { this.bytes = bytes; } }
// Bytes inserted as they are: raw('cb 40 00 00 00 00 00 00 00').
const raw = (hex) => new Raw(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));

function head(small, smallMax, codes, n) {
  if (small !== null && n <= smallMax) return Buffer.from([small | n]);
  if (codes[0] !== null && n < 0x100) return Buffer.from([codes[0], n]);
  if (n < 0x10000) { const b = Buffer.alloc(3); b[0] = codes[1]; b.writeUInt16BE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = codes[2]; b.writeUInt32BE(n, 1); return b;
}

function mp(v) {
  if (v instanceof Raw) return v.bytes;
  if (v === UNDEF) return Buffer.from([0xd4, 0x00, 0x00]);
  if (v === null) return Buffer.from([0xc0]);
  if (v === true) return Buffer.from([0xc3]);
  if (v === false) return Buffer.from([0xc2]);
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v < 2 ** 32) {
      if (v < 0x80) return Buffer.from([v]);
      if (v < 0x100) return Buffer.from([0xcc, v]);
      if (v < 0x10000) { const b = Buffer.alloc(3); b[0] = 0xcd; b.writeUInt16BE(v, 1); return b; }
      const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); return b;
    }
    if (Number.isInteger(v) && v < 0 && v >= -(2 ** 31)) {
      if (v >= -32) return Buffer.from([v & 0xff]);
      if (v >= -128) { const b = Buffer.alloc(2); b[0] = 0xd0; b.writeInt8(v, 1); return b; }
      if (v >= -32768) { const b = Buffer.alloc(3); b[0] = 0xd1; b.writeInt16BE(v, 1); return b; }
      const b = Buffer.alloc(5); b[0] = 0xd2; b.writeInt32BE(v, 1); return b;
    }
    const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(v, 1); return b;
  }
  if (typeof v === 'bigint') {
    const b = Buffer.alloc(9);
    if (v < 0n) { b[0] = 0xd3; b.writeBigInt64BE(v, 1); } else { b[0] = 0xcf; b.writeBigUInt64BE(v, 1); }
    return b;
  }
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([head(0xa0, 31, [0xd9, 0xda, 0xdb], s.length), s]);
  }
  if (Buffer.isBuffer(v)) return Buffer.concat([head(null, -1, [0xc4, 0xc5, 0xc6], v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([head(0x90, 15, [null, 0xdc, 0xdd], v.length), ...v.map(mp)]);
  if (typeof v === 'object') {
    const keys = Object.keys(v);
    return Buffer.concat([head(0x80, 15, [null, 0xde, 0xdf], keys.length), ...keys.flatMap((k) => [mp(k), mp(v[k])])]);
  }
  throw new Error(`mp: cannot encode ${typeof v}`);
}

// Decodes exactly one value filling all of `buf` (throws on trailing bytes).
// bin -> Buffer, ext -> {ext: type, data: Buffer} (so d4 00 00 is
// {ext: 0, data: <00>}), 64-bit integers -> Number when safe, else BigInt.
function unmp(buf) {
  let p = 0;
  const need = (n) => { if (p + n > buf.length) throw new Error('unmp: truncated'); };
  const u = (n) => { need(n); const x = buf.readUIntBE(p, n); p += n; return x; };
  const bytes = (n) => { need(n); const x = buf.subarray(p, p + n); p += n; return Buffer.from(x); };
  const str = (n) => bytes(n).toString('utf8');
  const arr = (n) => { const a = []; for (let i = 0; i < n; i++) a.push(val()); return a; };
  const map = (n) => { const o = {}; for (let i = 0; i < n; i++) { const k = val(); o[String(k)] = val(); } return o; };
  const ext = (n) => { const type = buf.readInt8((need(1), p++)); return { ext: type, data: bytes(n) }; };
  const big = (signed) => {
    need(8);
    const x = signed ? buf.readBigInt64BE(p) : buf.readBigUInt64BE(p);
    p += 8;
    return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
  };
  function val() {
    need(1);
    const b = buf[p++];
    if (b < 0x80) return b;
    if (b < 0x90) return map(b & 0x0f);
    if (b < 0xa0) return arr(b & 0x0f);
    if (b < 0xc0) return str(b & 0x1f);
    if (b >= 0xe0) return b - 0x100;
    switch (b) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bytes(u(1));
      case 0xc5: return bytes(u(2));
      case 0xc6: return bytes(u(4));
      case 0xc7: return ext(u(1));
      case 0xc8: return ext(u(2));
      case 0xc9: return ext(u(4));
      case 0xca: { need(4); const x = buf.readFloatBE(p); p += 4; return x; }
      case 0xcb: { need(8); const x = buf.readDoubleBE(p); p += 8; return x; }
      case 0xcc: return u(1);
      case 0xcd: return u(2);
      case 0xce: return u(4);
      case 0xcf: return big(false);
      case 0xd0: { need(1); const x = buf.readInt8(p); p += 1; return x; }
      case 0xd1: { need(2); const x = buf.readInt16BE(p); p += 2; return x; }
      case 0xd2: { need(4); const x = buf.readInt32BE(p); p += 4; return x; }
      case 0xd3: return big(true);
      case 0xd4: return ext(1);
      case 0xd5: return ext(2);
      case 0xd6: return ext(4);
      case 0xd7: return ext(8);
      case 0xd8: return ext(16);
      case 0xd9: return str(u(1));
      case 0xda: return str(u(2));
      case 0xdb: return str(u(4));
      case 0xdc: return arr(u(2));
      case 0xdd: return arr(u(4));
      case 0xde: return map(u(2));
      case 0xdf: return map(u(4));
      default: throw new Error(`unmp: bad byte 0x${b.toString(16)}`);
    }
  }
  const v = val();
  if (p !== buf.length) throw new Error(`unmp: ${buf.length - p} trailing bytes`);
  return v;
}

const isUndef = (v) => v && typeof v === 'object' && v.ext === 0 && v.data?.length === 1 && v.data[0] === 0;

// ---------------------------------------------------------------- helpers

// Raw sockets are destroyed at the end of the file (tests run concurrently,
// so an afterEach would cut the sockets of the tests still running).
const raws = new Set();
after(() => { for (const w of raws) w.destroy(); raws.clear(); });

// A raw WebSocket at /socket.io/ that has read the Engine.IO open packet.
async function rawOpen(port) {
  const w = await rawWebSocket(port, `${PREFIX}?EIO=4&transport=websocket`);
  raws.add(w);
  const f = await w.next(3000);
  assert.equal(f.opcode, 1, 'the Engine.IO open packet is a text frame');
  assert.match(f.payload.toString(), /^0\{"sid":/);
  return w;
}

// Next data frame that is not an Engine.IO ping (answered).
async function nextData(w, ms = 3000) {
  for (;;) {
    const f = await w.next(ms);
    if (f.opcode === 1 && f.payload.toString() === '2') { w.send(frame(1, Buffer.from('3'))); continue; }
    if (f.opcode === 9) continue;
    return f;
  }
}

// The next Socket.IO packet over a raw WebSocket: one binary frame holding one map.
async function nextPacket(w, ms = 3000) {
  const f = await nextData(w, ms);
  assert.equal(f.opcode, 2, `a Socket.IO packet is one binary frame (got opcode ${f.opcode}: ${f.payload.toString('hex')})`);
  const pkt = unmp(f.payload);
  assert.equal(typeof pkt, 'object');
  return pkt;
}

// A raw WebSocket with namespace `nsp` connected: CONNECT sent, its reply
// and the echo's `auth` event read.
async function rawSession(port, nsp = '/') {
  const w = await rawOpen(port);
  w.send(frame(2, mp({ type: 0, nsp })));
  const c = await nextPacket(w);
  assert.equal(c.type, 0);
  assert.equal(c.nsp, nsp);
  assert.equal(typeof c.data.sid, 'string');
  const a = await nextPacket(w);
  assert.deepEqual([a.type, a.nsp, a.data], [2, nsp, ['auth', {}]]);
  return w;
}

// The server must end the connection: a close frame or the end of TCP,
// within `ms`; no Socket.IO packet may come first.
async function mustClose(w, what, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    let f;
    try {
      f = await w.next(Math.max(1, end - Date.now()));
    } catch (e) {
      if (/connection ended/.test(e.message)) return null;
      throw new Error(`${what}: the server did not close the connection (${e.message})`);
    }
    if (f.opcode === 8) return f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
    if (f.opcode === 1 && f.payload.toString() === '2') continue; // a ping may cross
    throw new Error(`${what}: got a frame instead of a close: opcode ${f.opcode} ${f.payload.toString('hex')}`);
  }
}

// Connect with a transport mode and, for the default mode, wait until the
// upgrade to WebSocket has really happened.
async function open(port, mode, opts = {}) {
  const s = connect(port, { parser, transports: MODES[mode].transports, ...opts });
  const upgraded = MODES[mode].transports === undefined
    ? once(s.io, 'open', 5000).then(() => once(s.io.engine, 'upgrade', 5000)) : null;
  await connected(s);
  if (upgraded) await upgraded;
  assert.equal(s.io.engine.transport.name, MODES[mode].expect);
  return s;
}

// All ack arguments of a server -> client event, via the echo's `ask`.
function askBack(s, ms = 6000) { return s.inbox.take('ask-back', ms); }

const TEXTS = [
  '',
  'plain ascii',
  'emoji 😀🎉 and 👩‍👩‍👧',
  'astral 𝄞 𐍈 🀄 \u{10FFFF}',
  'CJK 漢字かなカナ한국어',
  'line sep \u2028 para sep \u2029',
  'quotes " \\ / and controls \n\r\t\b\f \u0000 \u001e \u001f',
  // str8 / str16 / str32 boundaries in UTF-8 bytes (fixstr up to 31)
  'x'.repeat(31), 'x'.repeat(32), '😀'.repeat(63) + 'xyz', 'é'.repeat(128), 'x'.repeat(65535), '𝄞'.repeat(16384),
];

// Big integers written by the client and what the echo gives back (the
// client is notepack too, so both ends apply its rules):
//   2^53-1, 2^53+2, -2^63 and 2^63 are exact as doubles and go as u64/i64;
//   2^64-1 is the double 2^64, which notepack writes as cf 00*8: zero;
//   1e20 is written hi = ToInt32(1e20 / 2^32), lo = ToUint32(1e20), read back as
//   0x6bc75e2d63100000 = 7766279631452241920; -2^63-2048 wraps to 2^63-2048;
//   1e300, -1e300 and Number.MAX_VALUE (integral doubles outside [-2^64, 2^64])
//   go out as cf/d3 00*8 and arrive as 0.
const BIG = [
  [2 ** 53 - 1, 9007199254740991],
  [2 ** 53 + 2, 9007199254740994],
  [-(2 ** 63), -9223372036854775808],
  [2 ** 64 - 1, 0],
  [2 ** 63, 9223372036854775808],
  [2 ** 32, 4294967296],
  [2 ** 32 - 1, 4294967295],
  [-(2 ** 31) - 1, -2147483649],
  [-(2 ** 53) + 1, -9007199254740991],
  [1e20, 7766279631452241920],
  [-(2 ** 63) - 2048, 9223372036854773760],
  [1e300, 0],
  [Number.MAX_VALUE, 0],
  [-1e300, 0],
];
const BIG_IN = BIG.map(([v]) => v);
const BIG_OUT = BIG.map(([, v]) => v);

// Non-integral or non-finite: float64 both ways; -0 is integral and goes as 00.
const FLOATS_IN = [1.5, -0.1, 0.1 + 0.2, 5e-324, 1e-300, -123456.789, 3.141592653589793, NaN, Infinity, -Infinity, -0];
const FLOATS_OUT = [1.5, -0.1, 0.30000000000000004, 5e-324, 1e-300, -123456.789, 3.141592653589793, NaN, Infinity, -Infinity, 0];

// ------------------------------------------------------- the echo contract

// One `--parser msgpack` server shared by the suites that need it, started
// on first use (so that the suite against a default-parser server still runs
// when the server under test refuses --parser).
let srv;
let srvP = null;
const msgpackServer = async () => { srv = await (srvP ??= startServer(undefined, MSGPACK)); return srv; };
after(async () => { closeClients(); if (srvP) await (await srvP.catch(() => null))?.stop(); });

describe('msgpack echo contract', { concurrency: true }, () => {
  before(msgpackServer);
  for (const mode of Object.keys(MODES)) {
    describe(`msgpack over ${mode}`, { concurrency: true }, () => {
      it('connects, gets auth {} and the transport is right', async () => {
        const s = connect(srv.port, { parser, transports: MODES[mode].transports });
        const authP = s.inbox.take('auth');
        await connected(s);
        assert.deepEqual(await authP, [{}]);
        assert.ok(typeof s.id === 'string' && s.id.length > 0);
        assert.notEqual(s.id, s.io.engine.id);
        if (MODES[mode].transports === undefined && s.io.engine.transport.name !== 'websocket') {
          await once(s.io.engine, 'upgrade', 5000);
        }
        assert.equal(s.io.engine.transport.name, MODES[mode].expect);
        assert.deepEqual(await ask(s, 'echo', ['after'], 3000), ['after']);
        s.disconnect();
      });

      it('events and acks: null, booleans, numbers, strings, nested maps and arrays', async () => {
        const s = await open(srv.port, mode);
        const args = [1, -2, 0, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, -32768, -32769, true, false, null,
          'str', [], {}, [1, [2, [3, [4, [5]]]]], { a: { b: { c: { d: 'e' } } } },
          { list: [null, true, { k: [false, 'v'] }], 'ключ': 'значение', '': 'empty key' },
          Array.from({ length: 20 }, (_, i) => i), Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]))];
        assert.deepEqual(await ask(s, 'echo', args), args);
        s.emit('echo', ...args);
        assert.deepEqual(await s.inbox.take('echo-back'), args);
        s.emit('no-args');
        assert.deepEqual(await s.inbox.take('no-args-back'), []);
        assert.deepEqual(await ask(s, 'no-args'), []);
        s.emit('ünïcødé 事件 😀', 'x');
        assert.deepEqual(await s.inbox.take('ünïcødé 事件 😀-back'), ['x']);
        s.disconnect();
      });

      it('big integers follow notepack (2^53-1, 2^53+2, -2^63, 2^64-1 and beyond)', async () => {
        const s = await open(srv.port, mode);
        assert.deepEqual(await ask(s, 'echo', BIG_IN), BIG_OUT);
        s.emit('big', { nested: BIG_IN, n: [[2 ** 53 + 2]] });
        assert.deepEqual(await s.inbox.take('big-back'), [{ nested: BIG_OUT, n: [[2 ** 53 + 2]] }]);
        // Server -> client with an ack: what the server decoded goes out
        // again, and the client's ack (with its own big integers) comes back.
        s.once('q-big', (...a) => { const cb = a.pop(); cb(a, -(2 ** 63), 2 ** 64 - 1, 2 ** 53 + 2); });
        s.emit('ask', 'q-big', ...BIG_IN);
        assert.deepEqual(await askBack(s), [BIG_OUT.map((v) => v), -9223372036854775808, 0, 9007199254740994]);
        s.disconnect();
      });

      it('floats, NaN and ±Infinity survive (msgpack float64, unlike JSON); -0 comes back as 0', async () => {
        const s = await open(srv.port, mode);
        const back = await ask(s, 'echo', FLOATS_IN);
        assert.deepEqual(back, FLOATS_OUT);
        assert.ok(Object.is(back[back.length - 1], 0), '-0 is written as the integer 0');
        s.emit('fl', { nan: NaN, inf: [Infinity, -Infinity], x: 1.5 });
        assert.deepEqual(await s.inbox.take('fl-back'), [{ nan: NaN, inf: [Infinity, -Infinity], x: 1.5 }]);
        s.disconnect();
      });

      it('unicode, astral planes and every string length class, both ways', async () => {
        const s = await open(srv.port, mode);
        for (const t of TEXTS) {
          assert.deepEqual(await ask(s, 'echo', [t]), [t], `length ${t.length}`);
          s.emit('txt', t, { [t.slice(0, 40) || 'k']: t }, [t]);
          assert.deepEqual(await s.inbox.take('txt-back'), [t, { [t.slice(0, 40) || 'k']: t }, [t]]);
        }
        s.disconnect();
      });

      it('nested binary at several depths comes back as Buffers, both ways and in acks', async () => {
        const s = await open(srv.port, mode);
        const b1 = Buffer.from([0, 1, 2, 255]);
        const b2 = Buffer.from('héllo', 'utf8');
        const b3 = Buffer.alloc(0);
        const sizes = [255, 256, 65535, 65536].map((n) => Buffer.alloc(n, n & 0xff)); // bin8/bin16/bin32
        const nested = [
          'before',
          b1,
          { a: [b2, { deep: b3 }], n: 1, s: 'str' },
          [[[b1]]],
          { l1: { l2: { l3: { l4: [b2, [b1, { l6: b3 }]] } } } },
          { _placeholder: true, num: 0 }, // what the JSON parser would take as an attachment: plain data here
          ...sizes,
        ];
        const back = await ask(s, 'echo', nested);
        assert.deepEqual(back, nested);
        assert.ok(Buffer.isBuffer(back[1]) && Buffer.isBuffer(back[2].a[0]) && Buffer.isBuffer(back[3][0][0][0]));
        assert.ok(Buffer.isBuffer(back[4].l1.l2.l3.l4[1][1].l6));
        s.emit('bin', ...nested);
        assert.deepEqual(await s.inbox.take('bin-back'), nested);
        s.once('srv-bin', (...a) => { const cb = a.pop(); cb({ reply: b2, a }, b1); });
        s.emit('ask', 'srv-bin', { x: [b1] }, b3);
        assert.deepEqual(await askBack(s), [{ reply: b2, a: [{ x: [b1] }, b3] }, b1]);
        s.disconnect();
      });

      it('notepack extension values come back as Node gives them: undefined, Date, typed arrays', async () => {
        const s = await open(srv.port, mode);
        // Uint8Array / ArrayBuffer go out as ext type 0 (c7 len 00 ...), a
        // view as its whole buffer; undefined as d4 00 00; Date as d7 00 + ms.
        const big = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
        const back = await ask(s, 'echo', [1, undefined, { u: undefined, n: 1 }, new Date(86400000), new Uint8Array([1, 2, 3]),
          new Uint8Array([4, 5]).buffer, big.subarray(2, 5)]);
        assert.equal(back.length, 7);
        assert.deepEqual(back.slice(0, 3), [1, undefined, { u: undefined, n: 1 }]);
        assert.ok('u' in back[2], 'an undefined value keeps its key');
        assert.ok(back[3] instanceof Date && back[3].getTime() === 86400000, 'Date');
        const bytes = (x) => [...new Uint8Array(x)];
        assert.ok(back[4] instanceof ArrayBuffer, 'ext 0 comes back as ext 0 (ArrayBuffer)');
        assert.deepEqual(bytes(back[4]), [1, 2, 3]);
        assert.deepEqual(bytes(back[5]), [4, 5]);
        assert.deepEqual(bytes(back[6]), [9, 9, 1, 2, 3, 9, 9], 'a view went out as its whole buffer');
        s.disconnect();
      });

      it('300 KB payloads: string, multi-byte string, binary, a long array', async () => {
        const s = await open(srv.port, mode);
        const str = 'x'.repeat(300 * 1024);
        const cjk = '漢'.repeat(100 * 1024);
        const buf = Buffer.alloc(300 * 1024, 0xab);
        buf[0] = 0; buf[buf.length - 1] = 1;
        const list = Array.from({ length: 30000 }, (_, i) => (i % 3 === 0 ? i * 1000003 : i % 3 === 1 ? `s${i}` : [i]));
        for (const v of [str, cjk, buf, list]) {
          const [back] = await ask(s, 'echo', [v], 15000);
          assert.deepEqual(back, v);
          s.emit('big', v);
          const [b2] = await s.inbox.take('big-back', 15000);
          assert.deepEqual(b2, v);
        }
        assert.ok(Buffer.isBuffer((await ask(s, 'echo', [buf], 15000))[0]));
        s.disconnect();
      });

      it('acks both ways (ask), several outstanding, answered out of order', async () => {
        const s = await open(srv.port, mode);
        s.on('question', (a, b, cb) => cb(a + b, 'ünï 😀', { ok: [true, null] }));
        s.emit('ask', 'question', 2, 3);
        assert.deepEqual(await askBack(s), [5, 'ünï 😀', { ok: [true, null] }]);
        s.on('q0', (cb) => cb());
        s.emit('ask', 'q0');
        assert.deepEqual(await askBack(s), []);
        s.on('slow', (ms, cb) => setTimeout(() => cb(ms), ms));
        for (const ms of [150, 10, 80]) s.emit('ask', 'slow', ms);
        const pending = [];
        for (let i = 0; i < 5; i++) pending.push(ask(s, 'echo', [i, 2 ** 40 + i]));
        assert.deepEqual(await Promise.all(pending), [0, 1, 2, 3, 4].map((i) => [i, 2 ** 40 + i]));
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push((await askBack(s))[0]);
        assert.deepEqual(answers.sort((x, y) => x - y), [10, 80, 150]);
        s.disconnect();
      });

      it('namespaces / and /custom over one connection, auth as a msgpack map', async () => {
        const m = manager(srv.port, { parser, transports: MODES[mode].transports });
        const root = m.socket('/');
        const auth = { who: 'custom', n: 5000000000, big: 2 ** 53 + 2, f: 1.5, list: [1, 'two', null], t: '漢字😀' };
        const custom = m.socket('/custom', { auth });
        const [a1, a2] = [root.inbox.take('auth'), custom.inbox.take('auth')];
        await Promise.all([connected(root), connected(custom)]);
        assert.deepEqual(await a1, [{}]);
        assert.deepEqual(await a2, [auth]);
        assert.notEqual(root.id, custom.id);
        assert.deepEqual(await ask(custom, 'echo', ['c', Buffer.from([1])]), ['c', Buffer.from([1])]);
        assert.deepEqual(await ask(root, 'echo', ['r']), ['r']);
        custom.emit('ping-ns', '/custom');
        root.emit('ping-ns', '/');
        assert.deepEqual(await custom.inbox.take('ping-ns-back'), ['/custom']);
        assert.deepEqual(await root.inbox.take('ping-ns-back'), ['/']);
        custom.emit('ask', 'cq', 7);
        custom.once('cq', (n, cb) => cb(n * 2));
        assert.deepEqual(await custom.inbox.take('ask-back', 6000), [14]);
        custom.disconnect();
        await sleep(50);
        assert.deepEqual(await ask(root, 'echo', ['still']), ['still']);
        root.disconnect();
      });

      it('connect errors as the msgpack client sees them: auth.deny, unknown namespace', async () => {
        for (const nsp of ['/', '/custom']) {
          const d = connect(srv.port, { parser, nsp, transports: MODES[mode].transports, auth: { deny: 'no entry 🚫', x: 2 ** 53 + 2 } });
          const err = await connectError(d);
          assert.ok(err instanceof Error);
          assert.equal(err.message, 'no entry 🚫');
          assert.equal(err.data, undefined);
          d.disconnect();
        }
        const m = manager(srv.port, { parser, transports: MODES[mode].transports });
        const bad = m.socket('/nope');
        const good = m.socket('/');
        const err = await connectError(bad);
        assert.equal(err.message, 'Invalid namespace');
        await connected(good);
        assert.deepEqual(await ask(good, 'echo', [1]), [1]);
        good.disconnect();
        bad.disconnect();
      });

      it('disconnect-me: the client sees "io server disconnect"', async () => {
        for (const nsp of ['/', '/custom']) {
          const s = connect(srv.port, { parser, nsp, transports: MODES[mode].transports });
          await connected(s);
          const d = once(s, 'disconnect');
          s.emit('disconnect-me');
          assert.equal((await d)[0], 'io server disconnect');
          assert.equal(s.connected, false);
        }
      });
    });
  }
});

// ---------------------------------------------------- rooms and broadcasts

describe('msgpack rooms and broadcasts', () => {
  let rs;
  before(async () => { rs = await startServer(undefined, MSGPACK); });
  after(async () => { closeClients(); await rs?.stop(); });

  // The marker is broadcast after the event under test; once it arrived, the
  // event would have arrived too (one socket's events keep the server's order).
  async function marker(sender, receivers, id) {
    sender.emit('broadcast', 'marker', id);
    for (const r of receivers) assert.deepEqual(await r.inbox.take('marker'), [id]);
  }

  for (const mode of Object.keys(MODES)) {
    it(`join / leave / to / broadcast with 4 msgpack clients (${mode})`, async () => {
      const all = [0, 1, 2, 3].map(() => connect(rs.port, { parser, transports: MODES[mode].transports }));
      const [a, b, c, d] = all;
      await Promise.all(all.map((s) => connected(s)));
      const room = `room-${mode}-漢😀`;
      for (const s of [a, b, c]) assert.deepEqual(await ask(s, 'join', [room]), [room]);

      const payload = [1, { x: 'y', big: 2 ** 53 + 2, f: NaN }, Buffer.from([9, 8]), [Buffer.alloc(0)]];
      a.emit('to', room, 'news', ...payload);
      for (const s of [a, b, c]) assert.deepEqual(await s.inbox.take('news'), payload);
      await marker(a, [b, c, d], 'm1');
      assert.equal(d.inbox.has('news'), false, 'd is not in the room');

      d.emit('to', room, 'news', 'from-d');
      for (const s of [a, b, c]) assert.deepEqual(await s.inbox.take('news'), ['from-d']);

      assert.deepEqual(await ask(b, 'leave', [room]), [room]);
      a.emit('to', room, 'news', 2);
      for (const s of [a, c]) assert.deepEqual(await s.inbox.take('news'), [2]);
      await marker(a, [b, c, d], 'm2');
      assert.equal(b.inbox.has('news'), false, 'b left the room');

      a.emit('broadcast', 'hey', 'all', [Buffer.from('b')], { n: -(2 ** 63) });
      for (const s of [b, c, d]) assert.deepEqual(await s.inbox.take('hey'), ['all', [Buffer.from('b')], { n: -(2 ** 63) }]);
      await ask(a, 'echo', ['sync']);
      assert.equal(a.inbox.has('hey'), false, 'the sender is excluded from broadcast');

      a.emit('to', d.id, 'private', 'for d');
      assert.deepEqual(await d.inbox.take('private'), ['for d']);
      await marker(a, [b, c, d], 'm3');
      assert.equal(b.inbox.has('private') || c.inbox.has('private'), false);
      for (const s of all) s.disconnect();
    });
  }

  it('rooms and broadcasts do not cross namespaces', async () => {
    const [r1, r2] = [0, 1].map(() => connect(rs.port, { parser }));
    const [c1, c2] = [0, 1].map(() => connect(rs.port, { parser, nsp: '/custom' }));
    await Promise.all([r1, r2, c1, c2].map((s) => connected(s)));
    for (const s of [r1, r2, c1, c2]) await ask(s, 'join', ['shared']);
    c1.emit('to', 'shared', 'only-custom', 1);
    for (const s of [c1, c2]) assert.deepEqual(await s.inbox.take('only-custom'), [1]);
    r1.emit('broadcast', 'only-root', 2);
    assert.deepEqual(await r2.inbox.take('only-root'), [2]);
    await marker(r1, [r2], 'r');
    await marker(c1, [c2], 'c');
    assert.equal(r1.inbox.has('only-custom') || r2.inbox.has('only-custom'), false);
    assert.equal(c1.inbox.has('only-root') || c2.inbox.has('only-root'), false);
    for (const s of [r1, r2, c1, c2]) s.disconnect();
  });
});

// ------------------------------------------------------ the wire, by hand

describe('msgpack on the wire (raw WebSocket and polling)', { concurrency: true }, () => {
  before(msgpackServer);
  it('each packet is one binary frame with one map {type, nsp, data[, id]}; binary inline as bin', async () => {
    const w = await rawSession(srv.port);
    w.send(frame(2, mp({ type: 2, nsp: '/', data: ['echo', 1, Buffer.from([1, 2]), { b: Buffer.from([3]) }], id: 7 })));
    const ack = await nextPacket(w);
    assert.deepEqual(ack, { type: 3, nsp: '/', id: 7, data: [1, Buffer.from([1, 2]), { b: Buffer.from([3]) }] });
    w.send(frame(2, mp({ type: 2, nsp: '/', data: ['ev', 'x', Buffer.alloc(3)] })));
    const ev = await nextPacket(w);
    assert.deepEqual(ev, { type: 2, nsp: '/', data: ['ev-back', 'x', Buffer.alloc(3)] });
    assert.ok(!('id' in ev), 'no id on an event without ack');
    // Server -> client ack request, and our ACK of it.
    w.send(frame(2, mp({ type: 2, nsp: '/', data: ['ask', 'q', 1], id: 8 })));
    const got = [await nextPacket(w), await nextPacket(w)];
    const q = got.find((p) => p.type === 2);
    assert.deepEqual(got.find((p) => p.type === 3), { type: 3, nsp: '/', id: 8, data: [] });
    assert.deepEqual(q.data, ['q', 1]);
    assert.equal(typeof q.id, 'number');
    w.send(frame(2, mp({ type: 3, nsp: '/', id: q.id, data: ['answer', Buffer.from([7])] })));
    assert.deepEqual(await nextPacket(w), { type: 2, nsp: '/', data: ['ask-back', 'answer', Buffer.from([7])] });
    // Client DISCONNECT: no answer; the Engine.IO connection stays.
    w.send(frame(2, mp({ type: 1, nsp: '/' })));
    await assert.rejects(nextData(w, 500), /timeout/);
  });

  it('CONNECT_ERROR is {type: 4, nsp, data: {message}} for auth.deny and an unknown namespace', async () => {
    const w = await rawOpen(srv.port);
    w.send(frame(2, mp({ type: 0, nsp: '/custom', data: { deny: 'no' } })));
    const e1 = await nextPacket(w);
    assert.equal(e1.type, 4);
    assert.equal(e1.nsp, '/custom');
    assert.equal(e1.data.message, 'no');
    w.send(frame(2, mp({ type: 0, nsp: '/nope' })));
    const e2 = await nextPacket(w);
    assert.deepEqual([e2.type, e2.nsp, e2.data.message], [4, '/nope', 'Invalid namespace']);
    // The connection is still usable for a good namespace.
    w.send(frame(2, mp({ type: 0, nsp: '/' })));
    assert.equal((await nextPacket(w)).type, 0);
  });

  it('accepts what the official decoder accepts', async () => {
    // type as float64 2.0 and uint32 2, nsp as str8, keys in another order,
    // CONNECT without data and with data undefined, float32, id as uint16.
    const w = await rawOpen(srv.port);
    w.send(frame(2, Buffer.concat([Buffer.from([0x82]), mp('nsp'), raw('d9 01 2f').bytes, mp('type'), raw('ce 00 00 00 00').bytes])));
    const c = await nextPacket(w);
    assert.equal(c.type, 0);
    assert.equal((await nextPacket(w)).data[0], 'auth');
    w.send(frame(2, mp({ data: ['echo', raw('ca 3f c0 00 00'), raw('cd 00 05'), raw('d9 01 78')], id: raw('cd 01 00'), nsp: '/', type: raw('cb 40 00 00 00 00 00 00 00') })));
    assert.deepEqual(await nextPacket(w), { type: 3, nsp: '/', id: 256, data: [1.5, 5, 'x'] });
    const w2 = await rawOpen(srv.port);
    w2.send(frame(2, mp({ type: 0, nsp: '/custom', data: UNDEF })));
    assert.equal((await nextPacket(w2)).type, 0);
    const a = await nextPacket(w2);
    assert.deepEqual(a.data, ['auth', {}]);
  });

  // Each of these must close the whole Engine.IO connection (Node: a close
  // frame without a status code). `connect: true` sends it after a good CONNECT.
  const bad = [
    ['type 5 (BINARY_EVENT does not exist here)', true, () => mp({ type: 5, nsp: '/', data: ['x'] })],
    ['type 6', true, () => mp({ type: 6, nsp: '/', data: ['x'], id: 1 })],
    ['type -1', true, () => mp({ type: -1, nsp: '/', data: ['x'] })],
    ['type 2.5', true, () => mp({ type: 2.5, nsp: '/', data: ['x'] })],
    ['type as a string "2"', true, () => mp({ type: '2', nsp: '/', data: ['x'] })],
    ['no type', true, () => mp({ nsp: '/', data: ['x'] })],
    ['CONNECT with nsp an integer', false, () => mp({ type: 0, nsp: 1 })],
    ['EVENT with nsp nil', true, () => mp({ type: 2, nsp: null, data: ['x'] })],
    ['EVENT with no nsp', true, () => mp({ type: 2, data: ['x'] })],
    ['CONNECT with nsp binary', false, () => mp({ type: 0, nsp: Buffer.from('/') })],
    ['CONNECT data an array', false, () => mp({ type: 0, nsp: '/', data: [] })],
    ['CONNECT data a string', false, () => mp({ type: 0, nsp: '/', data: 'token' })],
    ['CONNECT data nil', false, () => mp({ type: 0, nsp: '/', data: null })],
    ['CONNECT data an integer', false, () => mp({ type: 0, nsp: '/', data: 5 })],
    ['DISCONNECT with data []', true, () => mp({ type: 1, nsp: '/', data: [] })],
    ['DISCONNECT with data {}', true, () => mp({ type: 1, nsp: '/', data: {} })],
    ['EVENT whose data is a map', true, () => mp({ type: 2, nsp: '/', data: { 0: 'echo' } })],
    ['EVENT whose data is a string', true, () => mp({ type: 2, nsp: '/', data: 'echo' })],
    ['EVENT with no data', true, () => mp({ type: 2, nsp: '/' })],
    ['ACK whose data is a map', true, () => mp({ type: 3, nsp: '/', id: 1, data: {} })],
    ['EVENT with id 1.5', true, () => mp({ type: 2, nsp: '/', data: ['echo'], id: 1.5 })],
    ['EVENT with id "1"', true, () => mp({ type: 2, nsp: '/', data: ['echo'], id: '1' })],
    ['trailing bytes after the map (c0)', true, () => Buffer.concat([mp({ type: 2, nsp: '/', data: ['echo'] }), raw('c0').bytes])],
    ['a map cut short', true, () => mp({ type: 2, nsp: '/', data: ['echo', 'abc'] }).subarray(0, 20)],
    ['an array, not a map', true, () => mp([2, '/', ['echo']])],
    ['a bare integer', true, () => mp(2)],
    ['an empty binary frame', true, () => Buffer.alloc(0)],
  ];
  for (const [what, afterConnect, bytes] of bad) {
    it(`closes the connection on ${what}`, async () => {
      const w = afterConnect ? await rawSession(srv.port) : await rawOpen(srv.port);
      w.send(frame(2, bytes()));
      await mustClose(w, what);
    });
  }

  it('closes the connection on msgpack bytes in a text frame, and on JSON-parser text packets', async () => {
    const pkt = mp({ type: 2, nsp: '/', data: ['echo', 'x'] });
    for (const [what, text, afterConnect] of [
      // Engine.IO message "4" + the msgpack bytes as characters: valid UTF-8, so this is
      // the parser refusing a string, not the WebSocket layer refusing bad UTF-8.
      ['msgpack bytes as text (EVENT)', '4' + pkt.toString('latin1'), true],
      ['msgpack bytes as text (CONNECT)', '4' + mp({ type: 0, nsp: '/' }).toString('latin1'), false],
      ['a JSON-parser CONNECT "40"', '40', false],
      ['a JSON-parser EVENT', '42["echo","x"]', true],
    ]) {
      const w = afterConnect ? await rawSession(srv.port) : await rawOpen(srv.port);
      w.send(frame(1, Buffer.from(text, 'utf8')));
      await mustClose(w, what);
    }
  });

  it('polling: packets are "b"+base64 records; a bad record ends the session', async () => {
    const h = await handshake(srv.port, PREFIX);
    const q = `${PREFIX}?EIO=4&transport=polling&sid=${encodeURIComponent(h.sid)}`;
    const b64 = (v) => `b${mp(v).toString('base64')}`;
    const r = await request(srv.port, 'POST', q, { body: b64({ type: 0, nsp: '/' }) });
    assert.equal(r.status, 200);
    const records = async () => {
      const g = await request(srv.port, 'GET', q, { timeout: 4000 });
      assert.equal(g.status, 200);
      return g.text.split('\x1e');
    };
    let got = [];
    while (got.length < 2) got.push(...await records());
    for (const x of got) assert.match(x, /^b[A-Za-z0-9+/]+=*$/, `a base64 binary record: ${x}`);
    const pk = got.map((x) => unmp(Buffer.from(x.slice(1), 'base64')));
    assert.equal(pk[0].type, 0);
    assert.deepEqual([pk[1].type, pk[1].data], [2, ['auth', {}]]);
    // Two packets in one POST.
    await request(srv.port, 'POST', q, { body: [b64({ type: 2, nsp: '/', data: ['a'] }), b64({ type: 2, nsp: '/', data: ['b', Buffer.from([1])], id: 3 })].join('\x1e') });
    got = [];
    while (got.length < 2) got.push(...await records());
    assert.deepEqual(got.map((x) => unmp(Buffer.from(x.slice(1), 'base64'))),
      [{ type: 2, nsp: '/', data: ['a-back'] }, { type: 3, nsp: '/', id: 3, data: [Buffer.from([1])] }]);
    // A refused packet: the session ends (a close packet on the pending GET,
    // or the sid is gone).
    const pending = request(srv.port, 'GET', q, { timeout: 4000 });
    await sleep(100);
    await request(srv.port, 'POST', q, { body: b64({ type: 5, nsp: '/', data: ['x'] }) }).catch(() => null);
    const g = await pending;
    const ended = (g.status === 200 && g.text.split('\x1e').includes('1')) || g.status === 400;
    assert.ok(ended, `the session ended: ${g.status} ${JSON.stringify(g.text)}`);
    const again = await request(srv.port, 'GET', q, { timeout: 3000 });
    assert.equal(again.status, 400, 'the sid is unknown afterwards');
  });

  it('polling: a text record ("40", or "4" + msgpack bytes) ends the session', async () => {
    for (const body of ['40', `4${mp({ type: 0, nsp: '/' }).toString('latin1')}`]) {
      const h = await handshake(srv.port, PREFIX);
      const q = `${PREFIX}?EIO=4&transport=polling&sid=${encodeURIComponent(h.sid)}`;
      const pending = request(srv.port, 'GET', q, { timeout: 4000 });
      await sleep(100);
      await request(srv.port, 'POST', q, { body }).catch(() => null);
      const g = await pending;
      const ended = (g.status === 200 && g.text.split('\x1e').includes('1')) || g.status === 400;
      assert.ok(ended, `${JSON.stringify(body)}: the session ended: ${g.status} ${JSON.stringify(g.text)}`);
    }
  });

  it('the server is still healthy after all of that', async () => {
    await sleep(200);
    const s = await open(srv.port, 'websocket');
    assert.deepEqual(await ask(s, 'echo', ['fine', Buffer.from([1])]), ['fine', Buffer.from([1])]);
    s.disconnect();
  });
});

// ------------------------------------------------------ mismatched parsers

// Resolves with how the connection failed: the first of connect_error,
// disconnect, or the manager's close; rejects if it connects or nothing
// happens within `ms`.
function failsCleanly(socket, ms = 5000) {
  return withTimeout(new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected although the parsers differ')));
    socket.once('connect_error', (e) => resolve(`connect_error: ${e.message}`));
    socket.once('disconnect', (r) => resolve(`disconnect: ${r}`));
    socket.io.once('close', (r) => resolve(`close: ${r}`));
  }), ms, 'a clean failure of the mismatched parser');
}

describe('mismatched parsers: a clean failure, never a hang', { concurrency: true }, () => {
  let plain;
  before(async () => { plain = await startServer(); });
  after(async () => { closeClients(); await plain?.stop(); });

  for (const mode of ['polling', 'websocket']) {
    it(`a default-parser client against the msgpack server fails (${mode})`, async () => {
      await msgpackServer();
      const t0 = Date.now();
      const s = connect(srv.port, { transports: MODES[mode].transports });
      const how = await failsCleanly(s);
      assert.equal(s.connected, false, how);
      assert.ok(Date.now() - t0 < 5000);
      s.disconnect();
      const good = await open(srv.port, mode);
      assert.deepEqual(await ask(good, 'echo', [1]), [1]);
      good.disconnect();
    });

    it(`a msgpack client against the default-parser server fails (${mode})`, async () => {
      const t0 = Date.now();
      const s = connect(plain.port, { parser, transports: MODES[mode].transports });
      const how = await failsCleanly(s);
      assert.equal(s.connected, false, how);
      assert.ok(Date.now() - t0 < 5000);
      s.disconnect();
      const good = connect(plain.port, { transports: MODES[mode].transports });
      await connected(good);
      assert.deepEqual(await ask(good, 'echo', [1]), [1]);
      good.disconnect();
    });
  }

  it('--parser default is the JSON parser', async () => {
    const d = await startServer(undefined, ['--parser', 'default']);
    try {
      const s = connect(d.port, { transports: ['websocket'] });
      await connected(s);
      assert.deepEqual(await ask(s, 'echo', [1, 'x']), [1, 'x']);
      s.disconnect();
      const m = connect(d.port, { parser, transports: ['websocket'] });
      await failsCleanly(m);
      m.disconnect();
    } finally {
      await d.stop();
    }
  });
});
