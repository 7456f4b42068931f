// Our WebSocket CLIENT ($SIO_BUILD/ws_client_test, or $SIO_WS_CLIENT_CMD)
// against a `ws` server started here. The C program drives the cases and
// prints TAP; this side plays the server and records what the client did on
// the wire (masking, the close codes it sent), then checks both.
//
// The client opens one connection per case and sends `case:NAME` first. The
// server answers these text commands:
//   please-fragment  "abc" + "def" + "ghi" as three fragments of one text message
//   please-bad-utf8  a raw unmasked text frame C3 28 (invalid UTF-8)
//   please-big       2000 'x' bytes as text (above the client's limit)
//   please-masked    a raw MASKED text frame "hi" (servers must not mask)
//   please-close     close 4001 "server-bye"
// and echoes anything else with the same type.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import { ROOT, commandFrom, withTimeout } from './lib.mjs';

const cmd = commandFrom('SIO_WS_CLIENT_CMD', 'ws_client_test');

// What the server saw, one record per connection.
const connections = [];
let wss;
let port;

before(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await withTimeout(new Promise((res) => wss.once('listening', res)), 5000, 'ws server listening');
  port = wss.address().port;
  wss.on('connection', (ws, req) => {
    const rec = { path: req.url, case: null, messages: [], errors: [], close: null };
    connections.push(rec);
    const raw = ws._socket;
    ws.on('error', (e) => rec.errors.push(e.code || e.message));
    ws.on('close', (code, reason) => { rec.close = { code, reason: reason.toString() }; });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      rec.messages.push(isBinary ? { binary: data.length } : { text });
      if (rec.case === null && text !== null && text.startsWith('case:')) {
        rec.case = text.slice(5);
        return;
      }
      switch (text) {
        case 'please-fragment':
          ws.send('abc', { fin: false });
          ws.send('def', { fin: false });
          ws.send('ghi', { fin: true });
          break;
        case 'please-bad-utf8':
          raw.write(Buffer.from([0x81, 0x02, 0xc3, 0x28]));
          break;
        case 'please-big':
          ws.send('x'.repeat(2000));
          break;
        case 'please-masked': {
          const key = [0x11, 0x22, 0x33, 0x44];
          const body = Buffer.from('hi').map((b, i) => b ^ key[i & 3]);
          raw.write(Buffer.concat([Buffer.from([0x81, 0x82, ...key]), body]));
          break;
        }
        case 'please-close':
          ws.close(4001, 'server-bye');
          break;
        default:
          ws.send(data, { binary: isBinary });
      }
    });
  });
});

after(async () => {
  for (const c of wss?.clients ?? []) c.terminate();
  await new Promise((res) => (wss ? wss.close(res) : res()));
});

function run(argv, ms = 60000) {
  const [exe, ...pre] = argv;
  if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
    return Promise.reject(new Error(`${exe} does not exist (build it, or set SIO_WS_CLIENT_CMD)`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(exe, pre, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout (${ms} ms); output:\n${out}`)); }, ms);
    child.once('error', (e) => { clearTimeout(t); reject(e); });
    child.once('exit', (code, signal) => { clearTimeout(t); resolve({ code, signal, out }); });
  });
}

describe('ws client against a ws server', () => {
  let result;

  it('ws_client_test runs all its cases and passes', async (t) => {
    result = await run([...cmd, `ws://127.0.0.1:${port}/path`]);
    t.diagnostic(result.out.trim().split('\n').join(' | '));
    const notOk = result.out.split('\n').filter((l) => /^\s*not ok\b/.test(l));
    assert.deepEqual(notOk, [], 'no failing case');
    assert.match(result.out, /^# fail 0$/m);
    assert.match(result.out, /^# pass [1-9]\d*$/m);
    assert.equal(result.signal, null, `killed by ${result.signal}`);
    assert.equal(result.code, 0, `exit status; output:\n${result.out}`);
  });

  it('on the wire: masked frames, the right path, the right close codes', async (t) => {
    assert.ok(result, 'the client ran');
    // The server may see the last TCP close just after the client exited.
    for (let i = 0; i < 40 && connections.some((c) => !c.close); i++) await new Promise((r) => setTimeout(r, 50));
    t.diagnostic(JSON.stringify(connections.map((c) => ({ case: c.case, close: c.close, errors: c.errors }))));
    assert.ok(connections.length >= 5, `one connection per case (${connections.length})`);
    for (const c of connections) {
      // ws refuses unmasked client frames with WS_ERR_EXPECTED_MASK; any
      // error at all means the client put something invalid on the wire.
      assert.deepEqual(c.errors, [], `case ${c.case}: frames valid and masked`);
      assert.ok(c.path.startsWith('/path'), `case ${c.case}: request path ${c.path}`);
      assert.ok(c.case !== null, 'every connection announced its case first');
    }
    const byCase = (name) => {
      const c = connections.find((x) => x.case === name);
      assert.ok(c, `case ${name} was run`);
      assert.ok(c.close, `case ${name}: connection closed`);
      return c.close;
    };
    assert.equal(byCase('bad-utf8').code, 1007);
    assert.equal(byCase('big').code, 1009);
    assert.equal(byCase('masked').code, 1002);
    // The client answered our 4001 with a close frame echoing the code
    // (1006 would mean it just dropped the TCP connection).
    assert.equal(byCase('close').code, 4001);
    assert.deepEqual(byCase('bye'), { code: 4000, reason: 'bye' });
  });
});
