// The echo server under load and abuse: many clients at once, clients that
// die in the middle of a message, and a server restart under live clients.

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  startServer, connect, connected, ask, closeClients, once, sleep, rawWebSocket, frame, handshake,
  withTimeout,
} from './lib.mjs';

const servers = [];
after(async () => {
  closeClients();
  await Promise.all(servers.map((s) => s.stop()));
});
async function server(args = [], opts) {
  const s = await startServer(undefined, args, opts);
  servers.push(s);
  return s;
}

const MODES = [['polling'], ['websocket'], undefined];

describe('load', { concurrency: true }, () => {
  it('200 clients at once, each doing an acked echo', async () => {
    const srv = await server();
    const socks = [];
    for (let i = 0; i < 200; i++) socks.push(connect(srv.port, { transports: MODES[i % 3], timeout: 15000 }));
    await Promise.all(socks.map((s) => connected(s, 20000)));
    const results = await Promise.all(socks.map((s, i) => ask(s, 'echo', [i, `client ${i} ✓`], 20000)));
    results.forEach((r, i) => assert.deepEqual(r, [i, `client ${i} ✓`]));
    // And all of them receive one broadcast.
    const got = Promise.all(socks.slice(1).map((s) => s.inbox.take('all', 20000)));
    socks[0].emit('broadcast', 'all', 'hello 200');
    (await got).forEach((r) => assert.deepEqual(r, ['hello 200']));
    socks.forEach((s) => s.disconnect());
  });

  it('clients killed mid-message while others go on', async () => {
    const srv = await server();
    // Well-behaved clients that keep echoing the whole time.
    const good = MODES.map((transports) => connect(srv.port, { transports }));
    await Promise.all(good.map((s) => connected(s)));
    let stop = false;
    let rounds = 0;
    const traffic = Promise.all(good.map(async (s, k) => {
      while (!stop) {
        const v = `${k}-${rounds++}-漢`;
        assert.deepEqual(await ask(s, 'echo', [v, Buffer.from(v)], 5000), [v, Buffer.from(v)]);
      }
    }));
    traffic.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"

    // 1. Raw WebSocket: a frame header announcing 100000 bytes, 10 sent, then gone.
    for (let i = 0; i < 5; i++) {
      const ws = await rawWebSocket(srv.port, '/socket.io/?EIO=4&transport=websocket');
      const open = await ws.next();
      assert.equal(open.payload.toString()[0], '0');
      ws.sendText('40');
      await ws.next(); // 40{"sid":...}
      await ws.next(); // 42["auth",{}]
      const whole = frame(1, Buffer.from(`42["echo","${'y'.repeat(100000)}"]`));
      ws.send(whole.subarray(0, 30));
      await sleep(5);
      ws.destroy();
    }
    // 2. Raw polling POST with a Content-Length far above what is sent.
    for (let i = 0; i < 5; i++) {
      const hs = await handshake(srv.port, '/socket.io/');
      const sock = net.connect(srv.port, '127.0.0.1');
      await once(sock, 'connect');
      sock.write(`POST /socket.io/?EIO=4&transport=polling&sid=${hs.sid} HTTP/1.1\r\nHost: x\r\n` +
        'Content-Type: text/plain;charset=UTF-8\r\nContent-Length: 50000\r\n\r\n42["echo","abc');
      await sleep(5);
      sock.destroy();
    }
    // 3. socket.io-client whose TCP connection is cut in the middle of a big emit.
    for (const transports of [['websocket'], ['polling']]) {
      const victim = connect(srv.port, { transports });
      await connected(victim);
      const disc = once(victim, 'disconnect', 5000);
      victim.emit('echo', 'z'.repeat(500000));
      const t = victim.io.engine.transport;
      if (t.ws) t.ws._socket?.destroy();
      else victim.io.engine.close(); // polling: abort the requests in flight
      await disc;
    }
    // 4. Half an HTTP request line, then gone.
    for (let i = 0; i < 5; i++) {
      const sock = net.connect(srv.port, '127.0.0.1');
      await once(sock, 'connect');
      sock.write('GET /socket.io/?EIO=4&transp');
      sock.destroy();
    }

    await sleep(200);
    stop = true;
    await withTimeout(traffic, 10000, 'echo traffic');
    assert.ok(rounds > 10, `traffic went on (${rounds} echoes)`);
    // New clients are still welcome.
    const late = connect(srv.port);
    await connected(late);
    assert.deepEqual(await ask(late, 'echo', ['late']), ['late']);
    late.disconnect();
    good.forEach((s) => s.disconnect());
  });

  it('server restarted on the same port: clients reconnect and work again', async () => {
    const first = await server();
    const port = first.port;
    const socks = MODES.map((transports) => connect(port, {
      transports, reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 300, randomizationFactor: 0,
    }));
    await Promise.all(socks.map((s) => connected(s)));
    for (const s of socks) assert.deepEqual(await ask(s, 'echo', ['before']), ['before']);
    const oldIds = socks.map((s) => s.id);

    const gone = socks.map((s) => once(s, 'disconnect', 10000));
    await first.kill('SIGKILL');
    const reasons = (await Promise.all(gone)).map((r) => r[0]);
    for (const r of reasons) assert.ok(['transport close', 'transport error', 'ping timeout'].includes(r), r);

    // Buffered while disconnected, sent after the reconnect.
    socks.forEach((s, i) => s.emit('queued', i));
    await sleep(300);
    const back = socks.map((s) => once(s.io, 'reconnect', 15000));
    await server([], { port });
    await Promise.all(back);
    await Promise.all(socks.map((s) => connected(s, 10000)));
    for (const [i, s] of socks.entries()) {
      assert.deepEqual(await s.inbox.take('queued-back', 5000), [i]);
      assert.deepEqual(await ask(s, 'echo', ['after']), ['after']);
      assert.notEqual(s.id, oldIds[i]);
    }
    socks.forEach((s) => s.disconnect());
  });
});
