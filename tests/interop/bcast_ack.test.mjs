// Broadcasts with acks (sio_broadcast_ack), seen from the official
// socket.io-client: build/echo's "ask-all" [room, ms, ev, ...] asks every
// receiver in room for an ack and reports "ask-all-back" [err, replies] to
// the sender, as Node's io.to(room).timeout(ms).emit(ev, ..., cb) does.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, connect, connected, ask, closeClients, sleep } from './lib.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { closeClients(); await srv?.stop(); });

const TRANSPORTS = { polling: ['polling'], websocket: ['websocket'], upgrade: undefined };

async function clients(n, transports) {
  const all = [];
  for (let i = 0; i < n; i++) {
    const s = connect(srv.port, { transports });
    await connected(s);
    all.push(s);
  }
  return all;
}

const byId = (replies) => new Map(replies.map((r) => [r.id, r]));

describe('broadcast with acks', { concurrency: true }, () => {
  for (const [mode, transports] of Object.entries(TRANSPORTS)) {
    it(`every receiver answers: SIO_OK with each answer, binary included (${mode})`, async () => {
      const room = `all-${mode}`;
      const [sender, ...rx] = await clients(4, transports);
      for (const s of rx) assert.deepEqual(await ask(s, 'join', [room]), [room]);
      const seen = [];
      rx.forEach((s, i) => s.on('q', (a, b, cb) => {
        seen.push([a, b]);
        cb(i === 0 ? Buffer.from([0, 1, 2, 255]) : { who: s.id, n: i }, 'two');
      }));
      const done = sender.inbox.take('ask-all-back', 5000);
      sender.emit('ask-all', room, 3000, 'q', 'hello', { deep: [1] });
      const [err, replies] = await done;
      assert.equal(err, null);
      assert.equal(replies.length, 3);
      assert.deepEqual(seen, [['hello', { deep: [1] }], ['hello', { deep: [1] }], ['hello', { deep: [1] }]]);
      const m = byId(replies);
      const bin = m.get(rx[0].id);
      assert.deepEqual(bin.args, [{ _placeholder: true, num: 0 }, 'two']);
      assert.deepEqual(bin.bins, [Buffer.from([0, 1, 2, 255]).toString('base64')]);
      for (let i = 1; i < 3; i++) assert.deepEqual(m.get(rx[i].id).args, [{ who: rx[i].id, n: i }, 'two']);
      assert.ok(!m.has(sender.id));
    });
  }

  it('a silent receiver and one that leaves: "timeout" with the answers that came', async () => {
    const room = 'partial';
    const [sender, good, silent, leaver] = await clients(4, ['websocket']);
    for (const s of [good, silent, leaver]) await ask(s, 'join', [room]);
    good.on('q', (cb) => cb('yes'));
    silent.on('q', () => {});
    leaver.on('q', () => leaver.disconnect());
    const t0 = Date.now();
    const done = sender.inbox.take('ask-all-back', 5000);
    sender.emit('ask-all', room, 400, 'q');
    const [err, replies] = await done;
    assert.equal(err, 'timeout');
    assert.ok(Date.now() - t0 >= 350, 'not before the deadline');
    assert.deepEqual(replies, [{ id: good.id, args: ['yes'], bins: [] }]);
    // the silent one answering late changes nothing and breaks nothing
    await sleep(50);
    assert.ok(silent.connected && good.connected && sender.connected);
  });

  it('nobody in the room: SIO_OK with no answers, on a later turn', async () => {
    const [sender] = await clients(1, ['websocket']);
    const done = sender.inbox.take('ask-all-back', 5000);
    sender.emit('ask-all', 'empty-room', 1000, 'q');
    assert.deepEqual(await done, [null, []]);
  });

  it('everyone but the sender (room null); late answers after completion are ignored', async () => {
    const [sender, a, b] = await clients(3, ['polling']);
    // other tests' clients are connected too: answer only what we asked
    a.on('solo', (x, cb) => cb(x + 1));
    b.on('solo', (x, cb) => cb(x + 2));
    const done = sender.inbox.take('ask-all-back', 5000);
    sender.emit('ask-all', null, 1500, 'solo', 40);
    const [err, replies] = await done;
    const m = byId(replies);
    assert.deepEqual(m.get(a.id)?.args, [41]);
    assert.deepEqual(m.get(b.id)?.args, [42]);
    assert.ok(!m.has(sender.id));
    // others (from tests running beside) may not answer "solo": then a timeout is right
    assert.ok(err === null || err === 'timeout');
  });

  it('a reserved event name is refused at once', async () => {
    const [sender] = await clients(1, ['websocket']);
    const done = sender.inbox.take('ask-all-back', 5000);
    sender.emit('ask-all', 'r', 1000, 'disconnect');
    const [err, replies] = await done;
    assert.match(err, /invalid/i);
    assert.deepEqual(replies, []);
  });
});
