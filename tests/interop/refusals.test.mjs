// A logger with only its fn set (build/echo --log: level 0, the library's
// default) hears every refusal of bad input, each with a reason of its own
// (issue 18, point 2): no raw error codes, and no two different faults in
// the same words. Each case is sent on its own connection, then the log
// must grow by a line matching its reason.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, request, rawWebSocket, frame, closePayload, connect, connectError, closeClients, sleep }
  from './lib.mjs';

const S = '/socket.io/';
let srv;

before(async () => { srv = await startServer(undefined, ['--log']); });
after(async () => { closeClients(); await srv?.stop(); });

// The log lines that appeared since `from`.
const logSince = (from) => srv.output().slice(from);

async function expectLogged(from, re, what) {
  for (let i = 0; i < 100; i++) {
    if (re.test(logSince(from))) return;
    await sleep(30);
  }
  assert.fail(`${what}: no log line matching ${re}; the log said:\n${logSince(from)}`);
}

async function raw(bytes) {
  return new Promise((resolve) => {
    const c = net.connect(srv.port, '127.0.0.1', () => c.write(bytes));
    let got = '';
    c.on('data', (d) => { got += d; });
    c.on('close', () => resolve(got));
    c.on('error', () => resolve(got));
    setTimeout(() => c.destroy(), 2000);
  });
}

// A Socket.IO connection over a raw WebSocket, joined to "/".
async function joined() {
  const ws = await rawWebSocket(srv.port, `${S}?EIO=4&transport=websocket`);
  await ws.next();                 // 0{...}
  ws.sendText('40');
  await ws.next();                 // 40{"sid":...}
  return ws;
}

describe('refusals, logged with their reason at the default level', { concurrency: false }, () => {
  const engine = [
    ['EIO=3', `${S}?EIO=3&transport=polling`, /Engine\.IO request refused: Unsupported protocol version/],
    ['an unknown transport', `${S}?EIO=4&transport=carrier-pigeon`, /Engine\.IO request refused: Transport unknown/],
    ['an unknown sid', `${S}?EIO=4&transport=polling&sid=nosuchsession`, /Engine\.IO request refused: Session ID unknown/],
  ];
  for (const [what, path, re] of engine) {
    it(what, async () => {
      const from = srv.output().length;
      const r = await request(srv.port, 'GET', path);
      assert.equal(r.status, 400);
      await expectLogged(from, re, what);
    });
  }

  it('a middleware refusal', async () => {
    const from = srv.output().length;
    const s = connect(srv.port, { auth: { deny: 'not you' } });
    const err = await connectError(s);
    assert.equal(err.message, 'not you');
    await expectLogged(from, /middleware of \/ refused the socket: not you/, 'middleware');
  });

  it('a malformed request head: in words, not a code', async () => {
    const from = srv.output().length;
    const got = await raw('GET / HTTP/1.1\r\nHost: h\r\nBad Header Line\r\n\r\n');
    assert.match(got, /^HTTP\/1\.1 400/);
    await expectLogged(from, /bad request: malformed head, answering 400/, 'bad head');
    assert.doesNotMatch(logSince(from), /bad request \(-?\d+\)/);
  });

  const wsFaults = [
    ['an unmasked frame', () => frame(1, Buffer.from('4x'), { mask: false }), /an unmasked frame from a client/],
    ['RSV1 set', () => frame(1, Buffer.from('4x'), { rsv: 4 }), /an RSV bit set/],
    ['a bad opcode', () => frame(3, Buffer.from('x')), /an unknown opcode/],
    ['a long ping', () => frame(9, Buffer.alloc(126, 1)), /a control frame fragmented or over 125 bytes/],
    ['a bad close code', () => frame(8, closePayload(1005)), /a close code that may not be sent/],
  ];
  for (const [what, make, re] of wsFaults) {
    it(`WebSocket: ${what}`, async () => {
      const from = srv.output().length;
      const ws = await rawWebSocket(srv.port, `${S}?EIO=4&transport=websocket`);
      await ws.next();
      ws.send(make());
      const c = await ws.closed();
      assert.equal(c?.code, 1002);
      ws.destroy();
      await expectLogged(from, re, what);
    });
  }

  const packets = [
    ['truncated JSON', '42["a"', /malformed JSON/],
    ['a reserved event name', '42["disconnect"]', /reserved event name/],
    ['JSON nested too deep', `42["a",${'['.repeat(70)}${']'.repeat(70)}]`, /JSON nested deeper than SIO_JSON_MAX_DEPTH/],
    ['a huge ack id', '421234567890123456["a"]', /ack id over 15 digits/],
    ['a placeholder that names no attachment', '451-["a",{"_placeholder":true,"num":7}]',
      /a placeholder that names no attachment/],
  ];
  for (const [what, pkt, re] of packets) {
    it(`Socket.IO: ${what}`, async () => {
      const from = srv.output().length;
      const ws = await joined();
      ws.sendText(pkt);
      if (pkt.startsWith('451-')) ws.send(frame(2, Buffer.from([1, 2, 3])));
      await ws.closed();
      ws.destroy();
      await expectLogged(from, re, what);
    });
  }

  it('every reason above is its own line of words', async () => {
    const lines = srv.output().split('\n').filter((l) => / info: /.test(l));
    assert.ok(lines.length >= 15, lines.join('\n'));
    assert.ok(!lines.some((l) => /WebSocket error, closing with|malformed Socket\.IO packet/.test(l)), lines.join('\n'));
  });
});
