// The build/echo contract (issue 3) seen from the official socket.io-client:
// transports, text, sizes, binary, acks, namespaces, auth, rooms, disconnect.
// Run against $SIO_ECHO_CMD (default $SIO_BUILD/echo).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, connect, manager, connected, connectError, ask, closeClients, once, sleep,
} from './lib.mjs';

const MAX = 100000; // --max-payload, small so that "near the limit" stays quick

const MODES = {
  polling: { transports: ['polling'], expect: 'polling' },
  websocket: { transports: ['websocket'], expect: 'websocket' },
  upgrade: { transports: undefined, expect: 'websocket' },
};

const TEXTS = [
  '',
  'plain ascii',
  'emoji 😀🎉 and 👩‍👩‍👧',
  'CJK 漢字かなカナ한국어',
  'line sep \u2028 para sep \u2029',
  'quotes " \\ / and controls \n\r\t\b\f \u0000 \u001e \u001f',
  'mixed é ß ∑ 𝄞 \ud83d\ude00',
];

// Deep equality that also compares Buffers by content (the client hands
// binary back as Buffer in Node).
function sameData(a, b) {
  assert.deepEqual(a, b);
}

let srv;
before(async () => { srv = await startServer(undefined, ['--max-payload', String(MAX)]); });
after(async () => { closeClients(); await srv?.stop(); });

// Connect with a transport mode and, for the default mode, wait until the
// upgrade to WebSocket has really happened.
async function open(mode, opts = {}) {
  const s = connect(srv.port, { transports: MODES[mode].transports, ...opts });
  const upgraded = MODES[mode].transports === undefined ? once(s.io, 'open', 5000).then(() => once(s.io.engine, 'upgrade', 5000)) : null;
  await connected(s);
  if (upgraded) await upgraded;
  assert.equal(s.io.engine.transport.name, MODES[mode].expect);
  return s;
}

// The three transport modes run side by side (the 5 s ack timeouts overlap).
describe('echo contract', { concurrency: true }, () => {
  for (const mode of Object.keys(MODES)) {
    describe(`sio over ${mode}`, { concurrency: true }, () => {
      it('connects, gets auth {} and the transport is right', async () => {
        const s = connect(srv.port, { transports: MODES[mode].transports });
        const authP = s.inbox.take('auth');
        await connected(s);
        assert.deepEqual(await authP, [{}]);
        assert.ok(typeof s.id === 'string' && s.id.length > 0);
        // T11: the Socket.IO id is not the Engine.IO id.
        assert.notEqual(s.id, s.io.engine.id);
        if (MODES[mode].transports === undefined) {
          if (s.io.engine.transport.name !== 'websocket') await once(s.io.engine, 'upgrade', 5000);
        }
        assert.equal(s.io.engine.transport.name, MODES[mode].expect);
        // Still works after the upgrade.
        assert.deepEqual(await ask(s, 'echo', ['after'], 3000), ['after']);
        s.disconnect();
      });

      it('echo with ack and echo-back without ack, many argument types', async () => {
        const s = await open(mode);
        const args = [1, -2.5, 1e21, true, false, null, 'str', [], {}, [1, [2, [3]]], { a: { b: { c: 'd' } } }];
        assert.deepEqual(await ask(s, 'echo', args), args);
        s.emit('echo', ...args);
        assert.deepEqual(await s.inbox.take('echo-back'), args);
        s.emit('no-args');
        assert.deepEqual(await s.inbox.take('no-args-back'), []);
        assert.deepEqual(await ask(s, 'no-args'), []);
        // Event names themselves may be non-ASCII.
        s.emit('ünïcødé 事件', 'x');
        assert.deepEqual(await s.inbox.take('ünïcødé 事件-back'), ['x']);
        s.disconnect();
      });

      it('non-ASCII strings both ways', async () => {
        const s = await open(mode);
        for (const t of TEXTS) {
          assert.deepEqual(await ask(s, 'echo', [t]), [t], JSON.stringify(t));
          s.emit('txt', t, { k: t }, [t]);
          assert.deepEqual(await s.inbox.take('txt-back'), [t, { k: t }, [t]]);
        }
        s.disconnect();
      });

      it(`payloads from 0 bytes to near maxPayload (${MAX})`, async () => {
        const s = await open(mode);
        for (const n of [0, 1, 125, 126, 1000, 65535, 65536, MAX - 200]) {
          const str = 'x'.repeat(n);
          const [back] = await ask(s, 'echo', [str], 10000);
          assert.equal(back.length, n);
          assert.equal(back, str);
          s.emit('big', str);
          const [b2] = await s.inbox.take('big-back', 10000);
          assert.equal(b2, str);
        }
        // Multi-byte text near the limit: 3 bytes per char.
        const cjk = '漢'.repeat(Math.floor((MAX - 200) / 3));
        assert.equal((await ask(s, 'echo', [cjk], 10000))[0], cjk);
        // Binary is base64 on polling (4/3 larger), so stay below 0.7 * max.
        for (const n of [0, 1, 1000, Math.floor(MAX * 0.7)]) {
          const buf = Buffer.alloc(n, 0xab);
          if (n > 2) buf[n - 1] = 0x01;
          const [back] = await ask(s, 'echo', [buf], 10000);
          assert.ok(Buffer.isBuffer(back), 'binary comes back as binary');
          assert.ok(buf.equals(back), `binary of ${n} bytes`);
        }
        s.disconnect();
      });

      it('binary nested in arrays and objects, both ways and in acks', async () => {
        const s = await open(mode);
        const b1 = Buffer.from([0, 1, 2, 255]);
        const b2 = Buffer.from('héllo', 'utf8');
        const b3 = Buffer.alloc(0);
        const nested = [
          'before',
          b1,
          { a: [b2, { deep: b3 }], n: 1, s: 'str' },
          [[[b1]]],
          { _placeholder: false, num: 7 }, // looks a bit like a placeholder but is not one
        ];
        const back = await ask(s, 'echo', nested);
        sameData(back, nested);
        assert.ok(Buffer.isBuffer(back[1]) && Buffer.isBuffer(back[2].a[0]) && Buffer.isBuffer(back[3][0][0][0]));
        s.emit('bin', ...nested);
        sameData(await s.inbox.take('bin-back'), nested);
        // Server -> client event with binary and client ack carrying binary.
        const got = new Promise((resolve) => {
          s.once('srv-bin', (...a) => {
            const cb = a.pop();
            resolve(a);
            cb({ reply: b2 }, b1);
          });
        });
        s.emit('ask', 'srv-bin', { x: [b1] }, b3);
        sameData(await got, [{ x: [b1] }, b3]);
        sameData(await s.inbox.take('ask-back'), [{ reply: b2 }, b1]);
        s.disconnect();
      });

      it('acks both ways (ask)', async () => {
        const s = await open(mode);
        s.on('question', (a, b, cb) => cb(a + b, 'ünï'));
        s.emit('ask', 'question', 2, 3);
        assert.deepEqual(await s.inbox.take('ask-back'), [5, 'ünï']);
        // Ack with no arguments.
        s.on('q0', (cb) => cb());
        s.emit('ask', 'q0');
        assert.deepEqual(await s.inbox.take('ask-back'), []);
        // Several outstanding acks in both directions, answered out of order.
        const pending = [];
        s.on('slow', (ms, cb) => setTimeout(() => cb(ms), ms));
        for (const ms of [150, 10, 80]) s.emit('ask', 'slow', ms);
        for (let i = 0; i < 5; i++) pending.push(ask(s, 'echo', [i]));
        assert.deepEqual(await Promise.all(pending), [[0], [1], [2], [3], [4]]);
        const answers = [];
        for (let i = 0; i < 3; i++) answers.push((await s.inbox.take('ask-back'))[0]);
        // Each answer matched its own question; their order depends on timing.
        assert.deepEqual(answers.sort((x, y) => x - y), [10, 80, 150]);
        s.disconnect();
      });

      it('ask with no client ack gives ask-back ["timeout"] after 5 s', async () => {
        const s = await open(mode);
        let called = 0;
        s.on('never', () => { called++; }); // receives the event, never acks
        const t0 = Date.now();
        s.emit('ask', 'never', 'payload');
        const back = await s.inbox.take('ask-back', 9000);
        const dt = Date.now() - t0;
        assert.deepEqual(back, ['timeout']);
        assert.equal(called, 1);
        assert.ok(dt >= 4500 && dt < 8500, `timeout after ${dt} ms`);
        // The connection is still fine afterwards.
        assert.deepEqual(await ask(s, 'echo', ['ok']), ['ok']);
        s.disconnect();
      });

      it('namespaces / and /custom over one connection', async () => {
        const m = manager(srv.port, { transports: MODES[mode].transports });
        const root = m.socket('/');
        const custom = m.socket('/custom', { auth: { who: 'custom' } });
        const [a1, a2] = [root.inbox.take('auth'), custom.inbox.take('auth')];
        await Promise.all([connected(root), connected(custom)]);
        assert.deepEqual(await a1, [{}]);
        assert.deepEqual(await a2, [{ who: 'custom' }]);
        assert.notEqual(root.id, custom.id);
        assert.deepEqual(await ask(custom, 'echo', ['c']), ['c']);
        assert.deepEqual(await ask(root, 'echo', ['r']), ['r']);
        custom.emit('ping-ns', '/custom');
        root.emit('ping-ns', '/');
        assert.deepEqual(await custom.inbox.take('ping-ns-back'), ['/custom']);
        assert.deepEqual(await root.inbox.take('ping-ns-back'), ['/']);
        // Leaving one namespace keeps the other (and the Engine.IO link) alive.
        custom.disconnect();
        await sleep(50);
        assert.deepEqual(await ask(root, 'echo', ['still']), ['still']);
        root.disconnect();
      });

      it('auth echo and refusal by deny', async () => {
        const auth = { token: 'abc', n: 42, nested: { list: [1, 'two'] }, text: '漢字😀' };
        const s = connect(srv.port, { transports: MODES[mode].transports, auth });
        const a = s.inbox.take('auth');
        await connected(s);
        assert.deepEqual(await a, [auth]);
        s.disconnect();
        for (const nsp of ['/', '/custom']) {
          const d = connect(srv.port, { nsp, transports: MODES[mode].transports, auth: { deny: 'no entry 🚫', x: 1 } });
          const err = await connectError(d);
          assert.equal(err.message, 'no entry 🚫');
          assert.equal(err.data, undefined);
          d.disconnect();
        }
      });

      it('unknown namespace is refused with "Invalid namespace"', async () => {
        const m = manager(srv.port, { transports: MODES[mode].transports });
        const bad = m.socket('/nope');
        const good = m.socket('/');
        const err = await connectError(bad);
        assert.equal(err.message, 'Invalid namespace');
        // T12: the Engine.IO connection stays open for the other namespace.
        await connected(good);
        assert.deepEqual(await ask(good, 'echo', [1]), [1]);
        good.disconnect();
        bad.disconnect();
      });

      it('disconnect-me: the client sees "io server disconnect"', async () => {
        for (const nsp of ['/', '/custom']) {
          const s = connect(srv.port, { nsp, transports: MODES[mode].transports });
          await connected(s);
          const d = once(s, 'disconnect');
          s.emit('disconnect-me');
          const [reason] = await d;
          assert.equal(reason, 'io server disconnect');
          assert.equal(s.connected, false);
        }
      });
    });
  }
});

// `broadcast` reaches every socket of a namespace, so these tests get a
// server of their own and run one after the other.
describe('rooms and broadcasts', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { closeClients(); await srv?.stop(); });

  // Checks that a socket did NOT get an event: the marker is broadcast after
  // the event under test; a socket's events arrive in the server's order, so
  // once the marker is there, the event would have been there too.
  async function marker(sender, receivers, id) {
    sender.emit('broadcast', 'marker', id);
    for (const r of receivers) assert.deepEqual(await r.inbox.take('marker'), [id]);
  }

  for (const mode of Object.keys(MODES)) {
    it(`join / leave / to / broadcast with 4 clients (${mode})`, async () => {
      const [a, b, c, d] = [0, 1, 2, 3].map(() => connect(srv.port, { transports: MODES[mode].transports }));
      await Promise.all([a, b, c, d].map((s) => connected(s)));
      const room = `room-${mode}-漢`;
      for (const s of [a, b, c]) assert.deepEqual(await ask(s, 'join', [room]), [room]);

      a.emit('to', room, 'news', 1, { x: 'y' });
      for (const s of [a, b, c]) assert.deepEqual(await s.inbox.take('news'), [1, { x: 'y' }]);
      await marker(a, [b, c, d], 'm1');
      assert.equal(d.inbox.has('news'), false, 'd is not in the room');

      // Non-member may send to a room too.
      d.emit('to', room, 'news', 'from-d', Buffer.from([9, 8]));
      for (const s of [a, b, c]) {
        const [x, y] = await s.inbox.take('news');
        assert.equal(x, 'from-d');
        assert.ok(Buffer.from([9, 8]).equals(y));
      }
      await marker(a, [b, c, d], 'm2');
      assert.equal(d.inbox.has('news'), false);

      assert.deepEqual(await ask(b, 'leave', [room]), [room]);
      a.emit('to', room, 'news', 2);
      for (const s of [a, c]) assert.deepEqual(await s.inbox.take('news'), [2]);
      await marker(a, [b, c, d], 'm3');
      assert.equal(b.inbox.has('news'), false, 'b left the room');

      // join/leave without an ack still work.
      b.emit('join', room);
      await ask(b, 'echo', ['sync']);
      a.emit('to', room, 'news', 3);
      for (const s of [a, b, c]) assert.deepEqual(await s.inbox.take('news'), [3]);

      // broadcast: everyone in the namespace but the sender.
      a.emit('broadcast', 'hey', 'all', [Buffer.from('b')]);
      for (const s of [b, c, d]) {
        const [x, [y]] = await s.inbox.take('hey');
        assert.equal(x, 'all');
        assert.ok(Buffer.from('b').equals(y));
      }
      await ask(a, 'echo', ['sync']);
      assert.equal(a.inbox.has('hey'), false, 'the sender is excluded from broadcast');

      // Every socket is in a room named after its own id.
      a.emit('to', d.id, 'private', 'for d');
      assert.deepEqual(await d.inbox.take('private'), ['for d']);
      await marker(a, [b, c, d], 'm4');
      assert.equal(b.inbox.has('private') || c.inbox.has('private'), false);
      for (const s of [a, b, c, d]) s.disconnect();
    });
  }

  it('rooms and broadcasts do not cross namespaces', async () => {
    const r1 = connect(srv.port, { nsp: '/' });
    const r2 = connect(srv.port, { nsp: '/' });
    const c1 = connect(srv.port, { nsp: '/custom' });
    const c2 = connect(srv.port, { nsp: '/custom' });
    await Promise.all([r1, r2, c1, c2].map((s) => connected(s)));
    const room = 'shared-name';
    for (const s of [r1, r2, c1, c2]) await ask(s, 'join', [room]);
    c1.emit('to', room, 'only-custom', 1);
    for (const s of [c1, c2]) assert.deepEqual(await s.inbox.take('only-custom'), [1]);
    r1.emit('broadcast', 'only-root', 2);
    assert.deepEqual(await r2.inbox.take('only-root'), [2]);
    await marker(r1, [r2], 'r');
    await marker(c1, [c2], 'c');
    assert.equal(r1.inbox.has('only-custom') || r2.inbox.has('only-custom'), false);
    assert.equal(c1.inbox.has('only-root') || c2.inbox.has('only-root'), false);
    for (const s of [r1, r2, c1, c2]) s.disconnect();
  });

  it('a disconnected socket leaves its rooms', async () => {
    const a = connect(srv.port);
    const b = connect(srv.port);
    await Promise.all([connected(a), connected(b)]);
    const room = 'leave-on-disconnect';
    await ask(a, 'join', [room]);
    await ask(b, 'join', [room]);
    b.disconnect();
    await sleep(100);
    a.emit('to', room, 'after', 1);
    assert.deepEqual(await a.inbox.take('after'), [1]);
    // b is gone; reconnecting it gives a new id that is in no room.
    b.connect();
    await connected(b);
    a.emit('to', room, 'after', 2);
    assert.deepEqual(await a.inbox.take('after'), [2]);
    await marker(a, [b], 'x');
    assert.equal(b.inbox.has('after'), false);
    a.disconnect();
    b.disconnect();
  });
});
