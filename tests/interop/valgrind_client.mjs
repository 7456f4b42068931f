// A short session against an echo server that runs under valgrind (or any
// other slow instrumentation): every transport, both namespaces, events,
// binary, acks both ways, rooms, a broadcast, the bare Engine.IO endpoint,
// the usual refusals, a few hostile inputs and connections cut mid-message,
// so that the server's error and teardown paths run too. Then everybody
// disconnects and the caller stops the server and reads valgrind's verdict.
//
//   node tests/interop/valgrind_client.mjs PORT     exit 0 when all went as expected
//
// Timeouts are generous: memcheck runs the server 20-50 times slower.

import assert from 'node:assert/strict';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  connect, connected, connectError, ask, closeClients, once, sleep, rawWebSocket, frame, handshake, poll, post,
  request,
} from './lib.mjs';

const MS = 30000;
const MODES = { polling: ['polling'], websocket: ['websocket'], upgrade: undefined };

async function transportSession(port, name, transports) {
  const s = connect(port, { transports, timeout: MS, auth: { who: name } });
  await connected(s, MS);
  assert.deepEqual(await s.inbox.take('auth', MS), [{ who: name }]);
  const bin = Buffer.from([0, 1, 2, 254, 255]);
  assert.deepEqual(await ask(s, 'echo', [name, 'ünï ✓ 漢', { n: 1, a: [true, null] }], MS), [name, 'ünï ✓ 漢', { n: 1, a: [true, null] }]);
  assert.deepEqual(await ask(s, 'bin', [{ deep: [bin] }, bin], MS), [{ deep: [bin] }, bin]);
  s.emit('plain', 1, 'two');
  assert.deepEqual(await s.inbox.take('plain-back', MS), [1, 'two']);
  s.emit('ask', 'question', 42);
  await once(s, 'question', MS).then(([v, ack]) => { assert.equal(v, 42); ack('answer', bin); });
  assert.deepEqual(await s.inbox.take('ask-back', MS), ['answer', bin]);
  assert.deepEqual(await ask(s, 'join', [`room-${name}`], MS), [`room-${name}`]);
  s.emit('to', `room-${name}`, 'news', name);
  assert.deepEqual(await s.inbox.take('news', MS), [name]);
  assert.deepEqual(await ask(s, 'leave', [`room-${name}`], MS), [`room-${name}`]);
  return s;
}

export async function session(port) {
  // Every transport at once, plus a second namespace and a refusal.
  const socks = await Promise.all(Object.entries(MODES).map(([n, t]) => transportSession(port, n, t)));
  const got = Promise.all(socks.slice(1).map((s) => s.inbox.take('hello-all', MS)));
  socks[0].emit('broadcast', 'hello-all', Buffer.from('b'));
  (await got).forEach((r) => assert.deepEqual(r, [Buffer.from('b')]));
  const custom = connect(port, { nsp: '/custom', timeout: MS });
  await connected(custom, MS);
  assert.deepEqual(await ask(custom, 'echo', ['custom'], MS), ['custom']);
  const denied = connect(port, { auth: { deny: 'no way' }, timeout: MS });
  assert.equal((await connectError(denied, MS)).message, 'no way');
  const unknown = connect(port, { nsp: '/nowhere', timeout: MS });
  assert.equal((await connectError(unknown, MS)).message, 'Invalid namespace');
  const leaving = connect(port, { timeout: MS });
  await connected(leaving, MS);
  const bye = once(leaving, 'disconnect', MS);
  leaving.emit('disconnect-me');
  assert.equal((await bye)[0], 'io server disconnect');

  // The bare Engine.IO endpoint, both transports.
  const { sid } = await handshake(port, '/engine.io/');
  assert.equal((await post(port, '/engine.io/', sid, '4hello\x1ebAAEC', { timeout: MS })).text, 'ok');
  assert.equal((await poll(port, '/engine.io/', sid, { timeout: MS })).text, '4hello\x1ebAAEC');
  const ews = await rawWebSocket(port, '/engine.io/?EIO=4&transport=websocket', { timeout: MS });
  await ews.next(MS);
  ews.send(frame(2, Buffer.from([1, 2, 3])));
  assert.deepEqual([...(await ews.next(MS)).payload], [1, 2, 3]);
  ews.send(frame(8, Buffer.from([0x03, 0xe8])));
  await ews.closed(MS);
  ews.destroy();

  // Refusals and hostile input: each takes an error path that must free
  // what it holds.
  assert.equal((await request(port, 'GET', '/socket.io/?EIO=4&transport=polling&sid=nope', { timeout: MS })).status, 400);
  assert.equal((await request(port, 'GET', '/nothing-here', { timeout: MS })).status, 404);
  for (const bad of [
    frame(1, '42["x"]', { mask: false }),
    frame(1, Buffer.from([0x34, 0xff])),
    Buffer.concat([Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(4)]),
    frame(1, `4510000-["x",${'{"_placeholder":true,"num":0},'.repeat(50)}1]`),
    frame(1, `42["x",${'['.repeat(10000)}`),
    frame(1, `42["x",${'y'.repeat(100)}`).subarray(0, 20), // cut mid-frame
  ]) {
    const ws = await rawWebSocket(port, '/socket.io/?EIO=4&transport=websocket', { timeout: MS });
    await ws.next(MS);
    ws.sendText('40');
    await ws.next(MS);
    ws.send(bad);
    await Promise.race([ws.closed(MS).catch(() => {}), sleep(1000)]);
    ws.destroy();
  }
  for (const bytes of ['\x16\x03\x01garbage\r\n\r\n', 'GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nX: y\r\n',
    'POST /engine.io/?EIO=4&transport=polling&sid=x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n']) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await once(s, 'connect', MS);
    s.write(bytes);
    await sleep(300);
    s.destroy();
  }
  // A polling client whose requests are cut mid-message.
  const victim = connect(port, { transports: ['polling'], timeout: MS });
  await connected(victim, MS);
  victim.emit('echo', 'z'.repeat(200000));
  victim.io.engine.close();

  // The well-behaved sockets still work, then all leave.
  for (const s of socks) assert.deepEqual(await ask(s, 'echo', ['end'], MS), ['end']);
  const gone = socks.map((s) => once(s, 'disconnect', MS));
  socks.forEach((s) => s.disconnect());
  await Promise.all(gone);
  closeClients();
  await sleep(500); // let the server see the closes before it is stopped
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2]);
  if (!port) {
    console.error('usage: node tests/interop/valgrind_client.mjs PORT');
    process.exit(2);
  }
  session(port).then(() => process.exit(0), (e) => {
    console.error(e);
    process.exit(1);
  });
}
