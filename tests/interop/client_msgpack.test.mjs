// Issue 16, client side: OUR client speaking socket.io-msgpack-parser to the
// Node reference server started with `--parser msgpack`
// (node tests/node/echo_server.mjs, always Node here: this tests the client),
// through siocat ($SIO_BUILD/siocat, or $SIO_SIOCAT_CMD) and through
// tests/client_driver.c ($SIO_BUILD/client_driver, or $SIO_CLIENT_DRIVER_CMD),
// both given `--parser msgpack`. Until the C client has the parser, the
// harness is proven with JS stand-ins of both line protocols:
//
//   SIO_SIOCAT_CMD="node tests/node/siocat_standin_msgpack.mjs" \
//   SIO_CLIENT_DRIVER_CMD="node tests/node/client_driver_standin_msgpack.mjs" \
//     node --test tests/interop/client_msgpack.test.mjs
//
// Printed lines are compared after JSON.parse, so that 9223372036854775808
// and 9.223372036854776e18 (the same double) are the same answer.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Server } from 'socket.io';
import parser from 'socket.io-msgpack-parser';
import { ROOT, commandFrom, startServer, withTimeout, sleep } from './lib.mjs';
import { stoppedAfterEach } from './driver.mjs';

const SIOCAT = commandFrom('SIO_SIOCAT_CMD', 'siocat');
const NODE_ECHO = ['node', 'tests/node/echo_server.mjs'];
const MP = ['--parser', 'msgpack'];
const TRANSPORTS = ['polling', 'websocket', 'auto'];

const { cleanups, Driver: StoppedDriver } = stoppedAfterEach();

// The shared driver, plus: a driver that exits (a build without --parser
// exits 2 at once) fails the wait at once instead of after its timeout.
class Driver extends StoppedDriver {
  expectAt(re, ms = 5000) {
    const gone = this.exited.then(async ({ code, sig }) => {
      await sleep(100); // its last lines first
      throw new Error(`client_driver exited (code ${code}, signal ${sig}) while waiting for ${re}; it said:\n${this.lines.join('\n')}\n${this.log}`);
    });
    return Promise.race([super.expectAt(re, ms), gone]);
  }
}

// ------------------------------------------------------------------ siocat

// Spawns siocat with `args`; `input` is written to stdin, then stdin closes
// (null: it stays open). result() waits (bounded) for the exit.
function siocat(args, { input = '' } = {}) {
  const exe = SIOCAT[0];
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    throw new Error(`${exe} does not exist (build it, or set SIO_SIOCAT_CMD)`);
  }
  const child = spawn(exe, [...SIOCAT.slice(1), ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '' };
  child.stdout.on('data', (d) => { p.out += d; });
  child.stderr.on('data', (d) => { p.err += d; });
  child.stdin.on('error', () => {});
  p.exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  p.result = async (ms = 15000) => {
    const r = await withTimeout(p.exited, ms, `siocat ${args.join(' ')} to exit; stdout:\n${p.out}\nstderr:\n${p.err}`);
    const lines = p.out.split('\n').filter((l) => l.length);
    let json;
    try { json = lines.map((l) => JSON.parse(l)); } catch (e) { throw new Error(`siocat printed a line that is not JSON (${e.message}):\n${p.out}`); }
    return { ...r, out: p.out, err: p.err, lines, json };
  };
  if (input !== null) child.stdin.end(input);
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await p.exited;
    }
  });
  return p;
}

const lines = (...arrays) => `${arrays.map((a) => JSON.stringify(a)).join('\n')}\n`;
const b64 = (bytes) => ({ _binary: Buffer.from(bytes).toString('base64') });

// Big integers and floats a client writes, and what the Node echo gives
// back (notepack: MSGPACK.md section 4). 18446744073709551615 reaches Node as
// the double 2^64, which notepack writes as cf 00*8: 0. 9007199254740993
// becomes the double 9007199254740992 in Node (or already in a JS client).
// 1e20 (integral, >= 2^53) is written by notepack's hi/lo split as
// 0x6bc75e2d63100000. 1e300 goes as cf 00*8.
const NUM_IN = [9007199254740991, 9007199254740994, '-9223372036854775808', '18446744073709551615',
  '9007199254740993', '1e20', 4294967296, -2147483649, 1.5, -0.1, '1e-300', '1e300', 0, -1];
const NUM_OUT = [9007199254740991, 9007199254740994, -9223372036854775808, 0,
  9007199254740992, 7766279631452241920, 4294967296, -2147483649, 1.5, -0.1, 1e-300, 0, 0, -1];
// The numbers as literal JSON text (strings above are written unquoted).
const numLine = (event) => `["${event}",${NUM_IN.map((v) => String(v)).join(',')}]\n`;

let mp;      // node echo_server.mjs --parser msgpack
let plain;   // node echo_server.mjs (the JSON parser)
before(async () => {
  [mp, plain] = await Promise.all([startServer(NODE_ECHO, MP), startServer(NODE_ECHO)]);
});
after(async () => { await Promise.all([mp?.stop(), plain?.stop()]); });

describe('siocat --parser msgpack against the Node server with the msgpack parser', { concurrency: false }, () => {
  for (const transport of TRANSPORTS) {
    it(`--transport ${transport}: events out and back, binary at any depth, unicode`, async () => {
      const sent = [
        ['chat', 'hello ✓', { n: [1, 2.5, null, true, false] }],
        ['bin', b64([0, 1, 2]), { k: b64([]), deep: [[b64([255])]], s: 'x' }],
        ['uni', '😀𝄞 漢字 \u2028 \u0000 "q" \\', { 'ключ': 'значение', '😀': ['𐍈'] }],
      ];
      const r = await siocat([...MP, '--transport', transport, '-q', '1', mp.url], { input: lines(...sent) }).result();
      assert.equal(r.code, 0, r.err);
      assert.deepEqual(r.json, [['auth', {}], ...sent.map(([e, ...a]) => [`${e}-back`, ...a])]);
      assert.equal(r.err, '', 'silent without -v');
    });
  }

  it('--ack prints each ack, binary included, in order', async () => {
    const r = await siocat([...MP, '--ack', '-q', '0.3', mp.url], {
      input: lines(['echo', 1, 'two', b64([0xde, 0xad, 0xbe, 0xef])], ['echo'], ['join', 'r1'],
        ['echo', { deep: { bin: b64([0]) }, list: [b64([1, 2]), 'ü'] }]),
    }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json.filter((x) => !Array.isArray(x)), [
      { ack: [1, 'two', b64([0xde, 0xad, 0xbe, 0xef])] },
      { ack: [] },
      { ack: ['r1'] },
      { ack: [{ deep: { bin: b64([0]) }, list: [b64([1, 2]), 'ü'] }] },
    ]);
  });

  it('acks the other way: the server asks, siocat acks empty', async () => {
    const r = await siocat([...MP, '-q', '1', mp.url], { input: lines(['ask', 'q', 1, b64([1]), { z: [null] }]) }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json, [['auth', {}], ['q', 1, b64([1]), { z: [null] }], ['ask-back']]);
  });

  it('big integers and floats come back as the Node parser gives them', async () => {
    const r = await siocat([...MP, '-q', '1', mp.url], { input: numLine('num') }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json, [['auth', {}], ['num-back', ...NUM_OUT]]);
    const a = await siocat([...MP, '--ack', '-q', '0.3', mp.url], { input: numLine('echo') }).result();
    assert.equal(a.code, 0, a.err);
    assert.deepEqual(a.json.filter((x) => !Array.isArray(x)), [{ ack: NUM_OUT }]);
  });

  it('a 200 KB string and 150 KB of binary in one line', async () => {
    const s = '漢😀x'.repeat(200 * 1024 / 8);
    const bin = Buffer.alloc(150 * 1024, 7);
    const r = await siocat([...MP, '--ack', '-q', '0.3', mp.url], { input: lines(['echo', s, b64(bin)]) }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json.filter((x) => !Array.isArray(x)), [{ ack: [s, b64(bin)] }]);
  });

  it('--namespace /custom with --auth (a msgpack map)', async () => {
    const auth = { who: 'c', n: 5000000000, t: '漢字😀', l: [1, null] };
    const r = await siocat([...MP, '--namespace', '/custom', '--auth', JSON.stringify(auth), '--ack', '-q', '0.3', mp.url],
      { input: lines(['echo', 'c']) }).result();
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.json, [['auth', auth], { ack: ['c'] }]);
  });

  it('a refusal (auth.deny, unknown namespace) exits 1 with the message', async () => {
    for (const nsp of ['/', '/custom']) {
      const r = await siocat([...MP, '--namespace', nsp, '--auth', '{"deny":"no entry 🚫"}', mp.url], { input: null }).result(10000);
      assert.equal(r.code, 1, `${nsp}: ${r.err}`);
      assert.match(r.err, /no entry 🚫/);
    }
    const r = await siocat([...MP, '--namespace', '/nope', mp.url], { input: null }).result(10000);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /Invalid namespace/);
  });

  it('the server disconnecting ends it with status 0', async () => {
    const r = await siocat([...MP, mp.url], { input: null });
    await sleep(300);
    r.child.stdin.write('["disconnect-me"]\n');
    const res = await r.result(10000);
    assert.equal(res.code, 0, res.err);
  });

  it('mismatched parsers: exit 1 with a reason, quickly, both ways', async () => {
    for (const [args, url] of [[MP, plain.url], [[], mp.url]]) {
      const t0 = Date.now();
      const r = await siocat([...args, '--transport', 'websocket', url], { input: null }).result(10000);
      assert.equal(r.code, 1, `${args.join(' ') || 'default parser'} -> ${url}: ${r.err}`);
      assert.ok(r.err.length > 0, 'the reason is on stderr');
      assert.ok(Date.now() - t0 < 10000);
      const p = await siocat([...args, '--transport', 'polling', url], { input: null }).result(10000);
      assert.equal(p.code, 1, `polling: ${p.err}`);
    }
  });
});

// What the Node server received from siocat: types (Buffer, not ArrayBuffer
// or base64 text), numbers, auth, and that every message was binary.
describe('siocat --parser msgpack: what the Node server received', { concurrency: false }, () => {
  let rec;
  before(async () => {
    const httpServer = http.createServer();
    const io = new Server(httpServer, { parser });
    rec = { io, messages: [], sockets: [], upgrades: 0 };
    io.engine.on('connection', (conn) => {
      conn.on('upgrade', () => { rec.upgrades++; });
      conn.on('packet', (p) => {
        if (p.type === 'message') rec.messages.push(typeof p.data === 'string' ? 'text' : 'binary');
      });
    });
    const desc = (v) => (Buffer.isBuffer(v) ? `buf:${v.toString('hex')}`
      : v instanceof ArrayBuffer ? `arraybuffer:${Buffer.from(v).toString('hex')}`
        : Array.isArray(v) ? v.map(desc)
          : v === null ? 'null'
            : typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, desc(x)]))
              : `${typeof v}:${v}`);
    io.on('connection', (socket) => {
      rec.sockets.push(socket);
      socket.on('describe', (...args) => {
        const cb = args.pop();
        cb(desc(args), socket.conn.transport.name, socket.handshake.auth);
      });
    });
    await new Promise((res) => httpServer.listen(0, '127.0.0.1', res));
    rec.url = `http://127.0.0.1:${httpServer.address().port}`;
    rec.close = () => new Promise((res) => io.close(() => res()));
  });
  after(async () => { await rec?.close(); });

  for (const transport of TRANSPORTS) {
    it(`--transport ${transport}`, async () => {
      rec.messages.length = 0;
      rec.upgrades = 0;
      const auth = { token: 'abc', n: 5000000000 };
      const r = await siocat([...MP, '--transport', transport, '--auth', JSON.stringify(auth), '--ack', '-q', '1', rec.url], {
        input: `["describe",{"_binary":"AAEC"},5000000000,1.5,"s",null,true,false,{"a":[{"_binary":""}]},9007199254740993,-1]\n`,
      }).result();
      assert.equal(r.code, 0, r.err);
      // auto: the line may go before or after the upgrade; the upgrade itself must happen.
      const seen = r.json[0]?.ack?.[1];
      if (transport === 'auto') {
        assert.ok(seen === 'polling' || seen === 'websocket', seen);
        assert.equal(rec.upgrades, 1, 'upgraded to websocket');
      }
      assert.deepEqual(r.json, [{
        ack: [
          ['buf:000102', 'number:5000000000', 'number:1.5', 'string:s', 'null', 'boolean:true', 'boolean:false',
            { a: ['buf:'] }, 'number:9007199254740992', 'number:-1'],
          transport === 'auto' ? seen : transport,
          auth,
        ],
      }]);
      assert.ok(rec.messages.length >= 2, `messages: ${rec.messages}`);
      assert.deepEqual([...new Set(rec.messages)], ['binary'], 'every Socket.IO packet is a binary Engine.IO message');
    });
  }
});

// ----------------------------------------------------------- client_driver

const ev = (name) => new RegExp(`^event / (\\[${JSON.stringify(name).replace(/[[\]\\^$.|?*+()]/g, '\\$&')}.*)$`);

describe('client_driver --parser msgpack against the Node server with the msgpack parser', { concurrency: false }, () => {
  for (const transport of TRANSPORTS) {
    it(`--transport ${transport}: events, acks both ways, binary, big integers, unicode`, async () => {
      const d = new Driver(mp.url, [...MP, '--transport', transport]);
      d.send('open /');
      await d.expect(/^connect \/ \S+$/);
      assert.deepEqual(JSON.parse((await d.expect(ev('auth')))[1]), ['auth', {}]);

      const args = [1, 'ü✓ 😀𝄞', b64([1, 2]), { d: [b64([]), { e: b64([255]) }] }, null, true, [[]], {}];
      d.send(`emitack / 3000 ${JSON.stringify(['echo', ...args])}`);
      assert.deepEqual(JSON.parse((await d.expect(/^ack \/ (.*)$/))[1]), args);

      d.send(`emit / ${JSON.stringify(['x', 'y', b64([0xff])])}`);
      assert.deepEqual(JSON.parse((await d.expect(ev('x-back')))[1]), ['x-back', 'y', b64([0xff])]);

      // Server -> client with an ack: the driver answers ["ack-of", "q"].
      d.send(`emit / ${JSON.stringify(['ask', 'q', 2, b64([3])])}`);
      assert.deepEqual(JSON.parse((await d.expect(ev('q')))[1]), ['q', 2, b64([3])]);
      assert.deepEqual(JSON.parse((await d.expect(ev('ask-back'), 6000))[1]), ['ask-back', 'ack-of', 'q']);

      d.send(`emitack / 3000 [${['"echo"', ...NUM_IN.map(String)].join(',')}]`);
      assert.deepEqual(JSON.parse((await d.expect(/^ack \/ (.*)$/))[1]), NUM_OUT);
      d.send(`emit / [${['"num"', ...NUM_IN.map(String)].join(',')}]`);
      assert.deepEqual(JSON.parse((await d.expect(ev('num-back')))[1]), ['num-back', ...NUM_OUT]);

      // auto: ask until the upgrade is done (bounded).
      const want = transport === 'polling' ? 'polling' : 'websocket';
      let now;
      for (let i = 0; i < 30 && now !== want; i++) {
        if (i) await sleep(100);
        d.send('transport');
        now = (await d.expect(/^transport (\S+)$/))[1];
      }
      assert.equal(now, want);
    });
  }

  it('/ and /custom over one connection, auth as a map', async () => {
    const d = new Driver(mp.url, [...MP, '--transport', 'websocket']);
    const auth = { who: 'd', n: 5000000000, t: '漢字' };
    d.send('open /');
    d.send(`open /custom ${JSON.stringify(auth)}`);
    await d.expect(/^connect \/ \S+$/);
    await d.expect(/^connect \/custom \S+$/);
    assert.deepEqual(JSON.parse((await d.expect(/^event \/custom (\["auth".*)$/))[1]), ['auth', auth]);
    d.send('emitack /custom 3000 ["echo","c",{"_binary":"AQ=="}]');
    assert.deepEqual(JSON.parse((await d.expect(/^ack \/custom (.*)$/))[1]), ['c', b64([1])]);
    d.send('emitack / 3000 ["echo","r"]');
    assert.deepEqual(JSON.parse((await d.expect(/^ack \/ (.*)$/))[1]), ['r']);
    d.send('emit /custom ["disconnect-me"]');
    await d.expect(/^disconnect \/custom io server disconnect$/);
    d.send('emitack / 3000 ["echo","still"]');
    assert.deepEqual(JSON.parse((await d.expect(/^ack \/ (.*)$/))[1]), ['still']);
  });

  it('connect errors: auth.deny and an unknown namespace', async () => {
    const d = new Driver(mp.url, [...MP, '--transport', 'polling']);
    d.send('open / {"deny":"no entry 🚫"}');
    const [, msg, data] = await d.expect(/^connect_error \/ ([^\t]*)\t(.*)$/);
    assert.equal(msg, 'no entry 🚫');
    assert.ok(data === '' || data === 'null', `no data: ${data}`);
    const d2 = new Driver(mp.url, [...MP, '--transport', 'websocket']);
    d2.send('open /nope');
    assert.equal((await d2.expect(/^connect_error \/nope ([^\t]*)\t/))[1], 'Invalid namespace');
  });

  for (const transport of ['polling', 'websocket']) {
    it(`mismatched parsers fail cleanly, both ways (${transport})`, async () => {
      for (const [args, url] of [[MP, plain.url], [[], mp.url]]) {
        const d = new Driver(url, [...args, '--transport', transport, '--no-reconnect']);
        d.send('open /');
        await d.expect(/^(connect_error \/ |disconnect \/ |closed$)/, 5000);
        assert.equal(d.count(/^connect \/ /), 0, 'never connected');
      }
    });
  }
});
