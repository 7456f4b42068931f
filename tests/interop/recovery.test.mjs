// Connection state recovery (desc.recovery_ms, build/echo --recovery-ms),
// seen from the official socket.io-client, which speaks it by itself: it
// keeps the pid of the CONNECT answer and the offset of the last broadcast,
// and sends both back in its CONNECT auth after a broken connection.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, commandFrom, connect, connected, ask, closeClients, once, sleep } from './lib.mjs';

let srv, plain;
before(async () => {
  srv = await startServer(undefined, ['--recovery-ms', '3000']);
  plain = await startServer();
});
after(async () => { closeClients(); await srv?.stop(); await plain?.stop(); });

const opts = (transports) => ({ transports, reconnection: true, reconnectionDelay: 50, reconnectionDelayMax: 100 });

// Breaks the connection under the client (the server sees "transport close")
// and waits for the automatic reconnection.
async function breakAndReturn(s) {
  const down = once(s, 'disconnect', 3000);
  s.io.engine.close();
  await down;
  await once(s, 'connect', 5000);
}

describe('connection state recovery', { concurrency: true }, () => {
  for (const transports of [['websocket'], ['polling']]) {
    const mode = transports[0];
    it(`same id, rooms kept, missed broadcasts replayed (${mode})`, async () => {
      const room = `rec-${mode}`;
      const a = connect(srv.port, opts(transports));
      const b = connect(srv.port, opts(transports));
      await connected(a);
      await connected(b);
      assert.equal(a.recovered, false);
      assert.deepEqual(await ask(a, 'join', [room]), [room]);
      // a broadcast before the break: the client learns an offset
      const first = a.inbox.take('news', 3000);
      b.emit('to', room, 'news', 1);
      const got1 = await first;
      assert.equal(got1[0], 1);
      assert.equal(typeof got1[1], 'string', 'the offset rides as last argument');
      const id = a.id;

      // away long enough for broadcasts to be missed: no automatic return
      a.io.reconnection(false);
      const down = once(a, 'disconnect', 3000);
      a.io.engine.close();
      await down;
      b.emit('to', room, 'news', 2);           // missed while away
      b.emit('to', 'another-room', 'news', 99); // not for a's rooms
      await sleep(150);
      const recoveredEv = a.inbox.take('recovered', 5000);
      const back = once(a, 'connect', 5000);
      a.connect();
      await back;
      assert.equal(a.recovered, true);
      assert.equal(a.id, id);
      assert.deepEqual(await recoveredEv, [true]);
      const missed = await a.inbox.take('news', 3000);
      assert.equal(missed[0], 2);
      await sleep(100);
      assert.ok(!a.inbox.has('news'), 'nothing from rooms it is not in');
      // still in the room without joining again
      const after = a.inbox.take('news', 3000);
      b.emit('to', room, 'news', 3);
      assert.equal((await after)[0], 3);
    });
  }

  it('past recovery_ms, or with an offset the server never gave: a fresh socket', async () => {
    const a = connect(srv.port, opts(['websocket']));
    await connected(a);
    const got = a.inbox.take('news', 3000);
    a.emit('to', a.id, 'news', 1);             // a room named by its own id
    await got;
    const id = a.id;
    a.io.reconnection(false);
    const down = once(a, 'disconnect', 3000);
    a.io.engine.close();
    await down;
    await sleep(3300);                         // longer than --recovery-ms 3000
    const back = once(a, 'connect', 5000);
    a.connect();
    await back;
    assert.ok(!a.recovered);
    assert.notEqual(a.id, id);

    // a made-up offset
    const c = connect(srv.port, { transports: ['websocket'], auth: { pid: 'x'.repeat(20), offset: 'y'.repeat(20) } });
    await connected(c);
    assert.ok(!c.recovered);
  });

  it('a server without recovery_ms: no pid, no offset, a new id after a break', async () => {
    const a = connect(plain.port, opts(['websocket']));
    await connected(a);
    const got = a.inbox.take('news', 3000);
    a.emit('to', a.id, 'news', 1);
    assert.deepEqual(await got, [1]);          // no offset appended
    const id = a.id;
    await breakAndReturn(a);
    assert.ok(!a.recovered);
    assert.notEqual(a.id, id);
  });

  it('SIO_RECOVERY_MAX_BYTES: the oldest broadcasts go first, an offset that went means a fresh socket', async () => {
    const small = await startServer(commandFrom('SIO_SMALLREC_CMD', 'smallrec/echo'), ['--recovery-ms', '5000']);
    try {
      for (const [n, want] of [[2, true], [10, false]]) {   // about 45 bytes each, 200 kept
        const a = connect(small.port, { transports: ['websocket'] });
        const b = connect(small.port, { transports: ['websocket'] });
        await connected(a);
        await connected(b);
        const room = `cap-${n}`;
        await ask(a, 'join', [room]);
        const first = a.inbox.take('news', 3000);
        b.emit('to', room, 'news', 0);
        await first;
        const id = a.id;
        const down = once(a, 'disconnect', 3000);
        a.io.engine.close();
        await down;
        for (let i = 1; i <= n; i++) b.emit('to', room, 'news', i);
        await sleep(200);
        const back = once(a, 'connect', 5000);
        a.connect();
        await back;
        assert.equal(!!a.recovered, want, `${n} missed`);
        assert.equal(a.id === id, want);
        a.disconnect();
        b.disconnect();
      }
    } finally {
      await small.stop();
    }
  });

  it('a socket the server sent away does not come back with its state', async () => {
    const a = connect(srv.port, opts(['websocket']));
    await connected(a);
    const got = a.inbox.take('news', 3000);
    a.emit('to', a.id, 'news', 1);
    await got;
    const id = a.id;
    const gone = once(a, 'disconnect', 3000);
    a.emit('disconnect-me');
    assert.equal((await gone)[0], 'io server disconnect');
    const back = once(a, 'connect', 5000);
    a.connect();
    await back;
    assert.ok(!a.recovered);
    assert.notEqual(a.id, id);
  });
});
