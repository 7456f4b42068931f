// Issue 17: the server under test instrumented for the official Socket.IO
// Admin UI (@socket.io/admin-ui 0.5.1), seen from a socket.io-client on the
// admin namespace, the way the UI sees it. Wire format: /work/shared/ADMIN-UI.md.
//
// Server under test: $SIO_ADMIN_CMD (a command line), default
// $SIO_BUILD/asan/echo; the reference is `node tests/node/echo_server.mjs`
// (socket.io 4.8.4 + instrument()), against which every test here passes.
// Both take the same options:
//   --admin USER:PASS   basic auth (PASS plain, or a bcrypt hash $2a$/$2b$/$2y$)
//   --admin-no-auth     no auth
//   --admin-mode development|production      (default development)
//   --admin-server-id ID                     (default: the hostname)
//   --admin-namespace NAME                   (default /admin)
// and the echo contract of tests/node/echo_server.mjs on "/" and "/custom".
//
//   SIO_ADMIN_CMD='node tests/node/echo_server.mjs' node --test tests/interop/admin.test.mjs
//
// SIO_ADMIN_BCRYPT=0 skips the one test that gives --admin a bcrypt hash.
//
// Every group has a server of its own, and the groups run side by side: the
// counters and the notification streams of one group see only its own clients.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import {
  startServer, commandFrom, connect, connected, connectError, manager, ask, closeClients, sleep, request, post, poll,
} from './lib.mjs';

// (the C side under ASan/UBSan by default: every notification path meets the sanitizers)
const ADMIN_CMD = commandFrom('SIO_ADMIN_CMD', 'asan/echo');

const WAIT = 8000;            // bound on one awaited notification (the machine may be busy)
const STATS_WAIT = 8000;      // bound on "the next server_stats that shows X" (stats come every 2 s)
const USER = 'admin';
const PASS = 'pä55 w0rd';     // a space and a non-ASCII character, as a real password may have
const CREDS = { username: USER, password: PASS };

const DEV_FEATURES = ['EMIT', 'JOIN', 'LEAVE', 'DISCONNECT', 'MJOIN', 'MLEAVE', 'MDISCONNECT', 'AGGREGATED_EVENTS', 'ALL_EVENTS'];
const PROD_FEATURES = ['EMIT', 'JOIN', 'LEAVE', 'DISCONNECT', 'MJOIN', 'MLEAVE', 'MDISCONNECT', 'AGGREGATED_EVENTS'];
const NOTIFICATIONS = ['socket_connected', 'socket_updated', 'socket_disconnected', 'room_joined', 'room_left', 'event_received', 'event_sent'];
const AGG_TYPES = ['rawConnection', 'rawDisconnection', 'packetsIn', 'packetsOut', 'bytesIn', 'bytesOut'];

// The groups run side by side; the tests of one group one after the other
// (node:test hands a suite's concurrency down to the suites in it).
const SEQ = { concurrency: 1 };

const servers = new Set();
async function start(args) {
  const t0 = Date.now();
  const s = await startServer(ADMIN_CMD, args, { timeout: 30000 });
  s.startedAt = t0;
  servers.add(s);
  return s;
}
after(async () => {
  closeClients();
  for (const s of servers) await s.stop().catch(() => {});
});

// ------------------------------------------------------------------ helpers

// Every event an admin socket receives, in order, with the time it came; and
// the Socket.IO packets of its connection in order (to check what came before
// and after CONNECT, which the socket's own events cannot show: the client
// delivers events that came before CONNECT right before "connect").
class Log {
  constructor(socket) {
    this.items = [];
    this.waiters = new Set();
    socket.onAny((event, ...args) => {
      this.items.push({ event, args, at: Date.now() });
      for (const w of [...this.waiters]) w();
    });
  }

  // The first item from index `from` on that `pred` accepts: {item, index}.
  wait(pred, ms = WAIT, what = 'a notification', from = 0) {
    return new Promise((resolve, reject) => {
      const w = () => {
        for (let i = from; i < this.items.length; i++) {
          if (pred(this.items[i])) {
            this.waiters.delete(w);
            clearTimeout(t);
            resolve({ item: this.items[i], index: i });
            return true;
          }
        }
        return false;
      };
      const t = setTimeout(() => {
        this.waiters.delete(w);
        reject(new Error(`timeout (${ms} ms) waiting for ${what}; got: ${this.items.slice(from).map((x) => x.event).join(', ')}`));
      }, ms);
      this.waiters.add(w);
      w();
    });
  }

  // The notification `event` whose arguments `match` accepts (from index `from`).
  async next(event, match = () => true, ms = WAIT, from = 0) {
    const { item, index } = await this.wait((x) => x.event === event && match(...x.args), ms, `"${event}"`, from);
    return { args: item.args, index, at: item.at };
  }

  count(event, match = () => true) { return this.items.filter((x) => x.event === event && match(...x.args)).length; }
  get length() { return this.items.length; }

  // The next server_stats that arrives after this call (after index `from`).
  async stats(from = this.items.length, ms = STATS_WAIT) {
    return (await this.next('server_stats', () => true, ms, from)).args[0];
  }
}

// An admin socket over its own Engine.IO connection (WebSocket only unless
// asked: then the admin's own connection is not a polling client).
function admin(port, { nsp = '/admin', auth = CREDS, transports = ['websocket'] } = {}) {
  const m = manager(port, { transports });
  const packets = [];
  m.on('packet', (p) => { if (p.nsp === nsp) packets.push(p); });
  const s = m.socket(nsp, auth === undefined ? {} : { auth });
  s.log = new Log(s);
  s.packets = packets;
  s.manager = m;
  return s;
}
async function login(port, opts) {
  const a = admin(port, opts);
  await connected(a);
  await a.log.next('config');
  return a;
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
// An ISO 8601 timestamp from `new Date()` on the server, taken since `t0`.
function isTimestamp(ts, t0, what = 'timestamp') {
  assert.equal(typeof ts, 'string', `${what} is a string`);
  assert.match(ts, ISO, `${what} is new Date() through JSON`);
  const t = Date.parse(ts);
  assert.ok(t >= t0 - 1000 && t <= Date.now() + 1000, `${what} ${ts} is now-ish`);
}

// A Socket as the admin namespace serializes it (all_sockets, socket_connected).
function isSocket(s, { client, nsp, transport, rooms, port, query = {}, t0 }) {
  assert.deepEqual(Object.keys(s).sort(), ['clientId', 'data', 'handshake', 'id', 'nsp', 'rooms', 'transport'],
    'a Socket has exactly these fields (no auth: it would carry the password)');
  assert.equal(s.id, client.id);
  assert.equal(s.nsp, nsp);
  assert.equal(s.clientId, client.io.engine.id.slice(0, 12), 'clientId = the first 12 characters of the Engine.IO sid');
  assert.equal(s.transport, transport);
  assert.deepEqual(s.data, {});
  const h = s.handshake;
  assert.deepEqual(Object.keys(h).sort(), ['address', 'headers', 'issued', 'query', 'secure', 'time', 'url', 'xdomain']);
  assert.match(h.address, /^(::ffff:)?127\.0\.0\.1$/);
  assert.ok(h.headers && typeof h.headers === 'object' && !Array.isArray(h.headers), 'headers is an object');
  for (const k of Object.keys(h.headers)) assert.equal(k, k.toLowerCase(), `header name ${k} is lower-case`);
  assert.equal(h.headers.host, `127.0.0.1:${port}`);
  assert.ok(h.query && typeof h.query === 'object' && !Array.isArray(h.query), 'query is an object');
  for (const [k, v] of Object.entries(h.query)) assert.equal(typeof v, 'string', `query ${k} is a string`);
  assert.equal(h.query.EIO, '4');
  assert.equal(h.query.transport, transport);
  for (const [k, v] of Object.entries(query)) assert.equal(h.query[k], v);
  assert.ok(Number.isInteger(h.issued), 'issued is an integer (ms since the epoch)');
  assert.ok(h.issued >= t0 - 1000 && h.issued <= Date.now() + 1000, 'issued is now-ish');
  assert.doesNotThrow(() => new Date(h.issued).toISOString(), 'the Socket page does new Date(issued).toISOString()');
  assert.equal(h.secure, false);
  assert.equal(typeof h.time, 'string');
  assert.match(h.time, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d GMT[+-]\d{4}/, 'time is Date.toString()');
  assert.ok(Math.abs(Date.parse(h.time) - h.issued) < 2000, 'time and issued are the same moment');
  assert.equal(typeof h.url, 'string');
  assert.ok(h.url.startsWith('/socket.io/?'), `url ${h.url} is the handshake request's`);
  assert.match(h.url, /[?&]EIO=4(&|$)/);
  for (const [k, v] of Object.entries(query)) assert.ok(h.url.includes(`${k}=${encodeURIComponent(v)}`), `url has ${k}`);
  assert.equal(h.xdomain, false, 'no Origin header was sent');
  assert.ok(Array.isArray(s.rooms), 'rooms is an array');
  assert.deepEqual([...s.rooms].sort(), [...rooms].sort());
}

const sum = (list, type, subType) => list
  .filter((e) => e.type === type && (subType === undefined || e.subType === subType))
  .reduce((n, e) => n + e.count, 0);
const nsCounts = (stats) => Object.fromEntries(stats.namespaces.map((n) => [n.name, n.socketsCount]));

// A client on "/" (or `nsp`), connected.
async function client(port, opts = {}) {
  const s = connect(port, { transports: ['websocket'], ...opts });
  await connected(s);
  return s;
}
// Members of `room` on `nsp` by the echo contract's `fetch` (ids, sorted).
async function members(via, room) {
  const back = via.inbox.take('fetch-back', WAIT);
  via.emit('fetch', room);
  const [err, list] = await back;
  assert.equal(err, null);
  return list.map((x) => x.id).sort();
}
const ids = (...socks) => socks.map((s) => s.id).sort();
// Wait until `socket` is disconnected; resolve with the client-side reason.
function disconnected(socket, ms = WAIT) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout (${ms} ms) waiting for disconnect of ${socket.id}`)), ms);
    socket.once('disconnect', (r) => { clearTimeout(t); resolve(r); });
  });
}

// -------------------------------------------------------------------- tests

describe('Admin UI instrumentation (issue 17)', { concurrency: true }, () => {
  describe('login: basic auth, session, re-login by session id', SEQ, () => {
    let srv;
    before(async () => { srv = await start(['--admin', `${USER}:${PASS}`]); });

    it('a wrong password, a wrong username, no credentials: connect_error "invalid credentials"', async () => {
      // (not {username: USER} without a password: bcryptjs throws on it in Node's async middleware and the
      // Node server dies of the unhandled rejection; a C server must simply refuse it)
      for (const auth of [{ username: USER, password: 'nope' }, { username: 'root', password: PASS }, {},
        { username: USER, password: '' }, { username: USER, password: PASS.slice(0, -1) }, { username: USER, password: `${PASS}x` }]) {
        const a = admin(srv.port, { auth });
        const err = await connectError(a);
        assert.equal(err.message, 'invalid credentials', `auth ${JSON.stringify(auth)}`);
        assert.equal(a.log.count('session'), 0, 'no session for a refused login');
        a.disconnect();
      }
    });

    it('the right credentials: a session id (16 hex), CONNECT, then config and all_sockets after CONNECT', async () => {
      const a = admin(srv.port);
      await connected(a);
      await a.log.next('all_sockets');
      const sessions = a.log.items.filter((x) => x.event === 'session');
      assert.equal(sessions.length, 1, 'one session event');
      assert.equal(sessions[0].args.length, 1);
      assert.match(sessions[0].args[0], /^[0-9a-f]{16}$/);
      assert.deepEqual(a.log.items.find((x) => x.event === 'config').args, [{ supportedFeatures: DEV_FEATURES }]);
      assert.equal(a.log.count('config'), 1, 'config once');
      assert.equal(a.log.count('all_sockets'), 1, 'all_sockets once');
      // packet order on the wire: the UI's listeners exist only after CONNECT
      const order = a.packets.map((p) => (p.type === 0 ? 'CONNECT' : p.type === 2 ? p.data[0] : `type${p.type}`));
      const ci = order.indexOf('CONNECT');
      assert.ok(ci >= 0, 'a CONNECT packet');
      assert.ok(order.indexOf('config') > ci, `config after CONNECT: ${order.join(' ')}`);
      assert.ok(order.indexOf('all_sockets') > order.indexOf('config'), `all_sockets after config: ${order.join(' ')}`);
      // "session" may come before CONNECT (Node: from the middleware) or right after it
      assert.ok(order.indexOf('session') >= 0 && order.indexOf('session') < order.indexOf('config'), `session before config: ${order.join(' ')}`);
      a.disconnect();
    });

    it('re-login with {sessionId}: accepted without a new session; an unknown session id is refused', async () => {
      const first = admin(srv.port);
      await connected(first);
      const [sid] = (await first.log.next('session')).args;
      first.disconnect();
      const again = admin(srv.port, { auth: { sessionId: sid } });
      await connected(again);
      await again.log.next('all_sockets');
      assert.equal(again.log.count('session'), 0, 'no new session for a known session id');
      assert.deepEqual((await again.log.next('config')).args, [{ supportedFeatures: DEV_FEATURES }]);
      // still valid after being used (Node's store never expires them)
      const third = admin(srv.port, { auth: { sessionId: sid } });
      await connected(third);
      for (const auth of [{ sessionId: 'ffffffffffffffff' }, { sessionId: null }, { sessionId: '' }]) {
        const bad = admin(srv.port, { auth });
        assert.equal((await connectError(bad)).message, 'invalid credentials', `auth ${JSON.stringify(auth)}`);
        bad.disconnect();
      }
      // an unknown session id with the right credentials: a new session
      const fresh = admin(srv.port, { auth: { sessionId: 'ffffffffffffffff', ...CREDS } });
      await connected(fresh);
      const [sid2] = (await fresh.log.next('session')).args;
      assert.match(sid2, /^[0-9a-f]{16}$/);
      assert.notEqual(sid2, sid);
      for (const s of [again, third, fresh]) s.disconnect();
    });

    it('the auth is the admin namespace\'s only: "/" and "/custom" still connect without credentials', async () => {
      const c = await client(srv.port);
      assert.deepEqual(await c.inbox.take('auth'), [{}]);
      const d = await client(srv.port, { nsp: '/custom', transports: ['polling'] });
      assert.deepEqual(await d.inbox.take('auth'), [{}]);
      c.disconnect();
      d.disconnect();
    });
  });

  describe('development mode: all_sockets and the live notifications', SEQ, () => {
    let srv, a, pre, preCustom;
    const t0 = Date.now();
    before(async () => {
      srv = await start(['--admin', `${USER}:${PASS}`, '--admin-mode', 'development']);
      // already there when the admin comes: one on "/" in a room, one on "/custom" over polling
      pre = await client(srv.port, { query: { foo: 'bar' } });
      await ask(pre, 'join', ['r-pre']);
      preCustom = await client(srv.port, { nsp: '/custom', transports: ['polling'] });
      a = await login(srv.port);
    });

    it('all_sockets: every socket of every namespace, the admin\'s own included, serialized', async () => {
      const [list] = (await a.log.next('all_sockets')).args;
      assert.ok(Array.isArray(list));
      assert.equal(list.length, 3, `three sockets: ${JSON.stringify(list.map((s) => [s.nsp, s.id]))}`);
      const byId = new Map(list.map((s) => [s.id, s]));
      isSocket(byId.get(pre.id), { client: pre, nsp: '/', transport: 'websocket', rooms: [pre.id, 'r-pre'], port: srv.port, query: { foo: 'bar' }, t0 });
      isSocket(byId.get(preCustom.id), { client: preCustom, nsp: '/custom', transport: 'polling', rooms: [preCustom.id], port: srv.port, t0 });
      isSocket(byId.get(a.id), { client: a, nsp: '/admin', transport: 'websocket', rooms: [a.id], port: srv.port, t0 });
    });

    it('the admin socket\'s own connect: room_joined (private room), then socket_connected', async () => {
      const joined = await a.log.next('room_joined', (nsp, room, id) => nsp === '/admin' && id === a.id);
      assert.equal(joined.args.length, 4);
      assert.deepEqual(joined.args.slice(0, 3), ['/admin', a.id, a.id]);
      isTimestamp(joined.args[3], t0);
      const conn = await a.log.next('socket_connected', (s) => s.id === a.id);
      assert.ok(conn.index > joined.index, 'room_joined comes first');
    });

    it('a socket connects, joins, emits, gets a broadcast, leaves, disconnects: each notification and its payload', async () => {
      const t1 = Date.now();
      const from = a.log.length;
      const c = await client(srv.port, { query: { foo: 'bar', n: '1' } });
      const rj = await a.log.next('room_joined', (nsp, room, id) => id === c.id, WAIT, from);
      assert.deepEqual(rj.args.slice(0, 3), ['/', c.id, c.id]);
      isTimestamp(rj.args[3], t1);
      const sc = await a.log.next('socket_connected', (s) => s.id === c.id, WAIT, from);
      assert.ok(sc.index > rj.index, 'room_joined (private room) precedes socket_connected');
      assert.equal(sc.args.length, 2);
      isSocket(sc.args[0], { client: c, nsp: '/', transport: 'websocket', rooms: [c.id], port: srv.port, query: { foo: 'bar', n: '1' }, t0: t1 });
      isTimestamp(sc.args[1], t1);
      // the echo server's "auth" emit at connect
      const es = await a.log.next('event_sent', (nsp, id) => id === c.id, WAIT, from);
      assert.deepEqual(es.args.slice(0, 3), ['/', c.id, ['auth', {}]]);
      isTimestamp(es.args[3], t1);

      // join with an ack: event_received without the ack callback, room_joined; an ack is no event_sent
      const mark1 = a.log.length;
      assert.deepEqual(await ask(c, 'join', ['r1']), ['r1']);
      const er = await a.log.next('event_received', (nsp, id) => id === c.id, WAIT, mark1);
      assert.deepEqual(er.args.slice(0, 3), ['/', c.id, ['join', 'r1']]);
      isTimestamp(er.args[3], t1);
      const rj1 = await a.log.next('room_joined', (nsp, room, id) => id === c.id && room === 'r1', WAIT, mark1);
      assert.deepEqual(rj1.args.slice(0, 3), ['/', 'r1', c.id]);
      isTimestamp(rj1.args[3], t1);

      // an event without an ack: event_received, then the reply as event_sent
      const mark2 = a.log.length;
      c.emit('hello', 1, { a: 2 }, 'ü');
      const er2 = await a.log.next('event_received', (nsp, id) => id === c.id, WAIT, mark2);
      assert.deepEqual(er2.args.slice(0, 3), ['/', c.id, ['hello', 1, { a: 2 }, 'ü']]);
      const es2 = await a.log.next('event_sent', (nsp, id) => id === c.id, WAIT, mark2);
      assert.deepEqual(es2.args.slice(0, 3), ['/', c.id, ['hello-back', 1, { a: 2 }, 'ü']]);
      isTimestamp(es2.args[3], t1);

      // a broadcast to a room: one event_sent per recipient
      const d = await client(srv.port, { transports: ['polling'] });
      await ask(d, 'join', ['r1']);
      const mark3 = a.log.length;
      const got = d.inbox.take('ping', WAIT);
      c.emit('to', 'r1', 'ping', 7);
      assert.deepEqual(await got, [7]);
      for (const who of [c, d]) {
        const x = await a.log.next('event_sent', (nsp, id, args) => id === who.id && args[0] === 'ping', WAIT, mark3);
        assert.deepEqual(x.args.slice(0, 3), ['/', who.id, ['ping', 7]]);
      }
      await c.inbox.take('ping', WAIT);
      assert.equal(a.log.count('event_sent', (nsp, id, args) => args[0] === 'ping'), 2, 'exactly two recipients');

      // leave: room_left
      const mark4 = a.log.length;
      await ask(c, 'leave', ['r1']);
      const rl = await a.log.next('room_left', (nsp, room, id) => id === c.id, WAIT, mark4);
      assert.deepEqual(rl.args.slice(0, 3), ['/', 'r1', c.id]);
      isTimestamp(rl.args[3], t1);

      // a client-side disconnect: socket_disconnected, then room_left of each of its rooms
      const mark5 = a.log.length;
      const cid = c.id;                  // (the client forgets its id on disconnect)
      c.disconnect();
      const sd = await a.log.next('socket_disconnected', (nsp, id) => id === cid, WAIT, mark5);
      assert.deepEqual(sd.args.slice(0, 3), ['/', cid, 'client namespace disconnect']);
      isTimestamp(sd.args[3], t1);
      const rl2 = await a.log.next('room_left', (nsp, room, id) => id === cid, WAIT, mark5);
      assert.deepEqual(rl2.args.slice(0, 3), ['/', cid, cid]);
      assert.ok(rl2.index > sd.index, 'socket_disconnected, then room_left');

      // a server-side disconnect (echo's disconnect-me), in two rooms: both left
      const mark6 = a.log.length;
      const did = d.id;
      const dGone = disconnected(d);
      d.emit('disconnect-me');
      const sd2 = await a.log.next('socket_disconnected', (nsp, id) => id === did, WAIT, mark6);
      assert.deepEqual(sd2.args.slice(0, 3), ['/', did, 'server namespace disconnect']);
      assert.equal(await dGone, 'io server disconnect');
      for (const room of [did, 'r1']) {
        const x = await a.log.next('room_left', (nsp, r, id) => id === did && r === room, WAIT, mark6);
        assert.deepEqual(x.args.slice(0, 3), ['/', room, did]);
        assert.ok(x.index > sd2.index, 'room_left after socket_disconnected');
      }
    });

    it('"/custom" over polling, upgraded: socket_updated {id, nsp, transport}; a transport close', async () => {
      const t1 = Date.now();
      const from = a.log.length;
      const e = connect(srv.port, { nsp: '/custom' }); // polling, then WebSocket
      await connected(e);
      const sc = await a.log.next('socket_connected', (s) => s.id === e.id, WAIT, from);
      isSocket(sc.args[0], { client: e, nsp: '/custom', transport: 'polling', rooms: [e.id], port: srv.port, t0: t1 });
      const su = await a.log.next('socket_updated', (u) => u.id === e.id, WAIT, from);
      assert.deepEqual(su.args, [{ id: e.id, nsp: '/custom', transport: 'websocket' }], 'no timestamp, exactly these fields');
      const mark = a.log.length;
      const eid = e.id;
      e.io.engine.close();
      const sd = await a.log.next('socket_disconnected', (nsp, id) => id === eid, WAIT, mark);
      assert.deepEqual(sd.args.slice(0, 3), ['/custom', eid, 'transport close']);
      isTimestamp(sd.args[3], t1);
    });

    it('another admin: its connect is notified (nsp "/admin"), but no event_received/event_sent for admin sockets', async () => {
      const from = a.log.length;
      const b = await login(srv.port);
      const rj = await a.log.next('room_joined', (nsp, room, id) => id === b.id, WAIT, from);
      assert.deepEqual(rj.args.slice(0, 3), ['/admin', b.id, b.id]);
      const sc = await a.log.next('socket_connected', (s) => s.id === b.id, WAIT, from);
      isSocket(sc.args[0], { client: b, nsp: '/admin', transport: 'websocket', rooms: [b.id], port: srv.port, t0 });
      // b sends a command; a's own admin traffic (config, all_sockets, server_stats) goes on too
      b.emit('join', '/', 'r-from-b', pre.id);
      await a.log.next('room_joined', (nsp, room, id) => room === 'r-from-b' && id === pre.id, WAIT, from);
      await a.log.stats(a.log.length);
      assert.equal(a.log.count('event_received', (nsp) => nsp === '/admin'), 0, 'no event_received for /admin');
      assert.equal(a.log.count('event_sent', (nsp) => nsp === '/admin'), 0, 'no event_sent for /admin');
      const bd = a.log.length;
      const bid = b.id;
      b.disconnect();
      const sd = await a.log.next('socket_disconnected', (nsp, id) => id === bid, WAIT, bd);
      assert.deepEqual(sd.args.slice(0, 3), ['/admin', bid, 'client namespace disconnect']);
    });
  });

  describe('server_stats: every 2 s, its fields, its counters', SEQ, () => {
    let srv, a;
    before(async () => {
      srv = await start(['--admin', `${USER}:${PASS}`]);
      a = await login(srv.port); // over WebSocket: the admin is no polling client
    });

    it('the shape: serverId = hostname, pid, uptime in seconds, counts, namespaces', async () => {
      const s = await a.log.stats(0);
      assert.deepEqual(Object.keys(s).sort(), ['aggregatedEvents', 'clientsCount', 'hostname', 'namespaces', 'pid', 'pollingClientsCount', 'serverId', 'uptime']);
      assert.equal(s.serverId, os.hostname());
      assert.equal(s.hostname, os.hostname());
      assert.equal(s.pid, srv.process.pid);
      assert.equal(typeof s.uptime, 'number');
      assert.ok(s.uptime > 0 && s.uptime <= (Date.now() - srv.startedAt) / 1000 + 0.5, `uptime ${s.uptime} s since the start`);
      assert.equal(s.clientsCount, 1, 'the admin\'s connection only');
      assert.equal(s.pollingClientsCount, 0);
      assert.ok(Array.isArray(s.namespaces));
      for (const n of s.namespaces) assert.deepEqual(Object.keys(n).sort(), ['name', 'socketsCount']);
      assert.deepEqual([...s.namespaces].sort((x, y) => (x.name < y.name ? -1 : 1)),
        [{ name: '/', socketsCount: 0 }, { name: '/admin', socketsCount: 1 }, { name: '/custom', socketsCount: 0 }]);
      assert.ok(Array.isArray(s.aggregatedEvents));
    });

    it('every 2 s, to every admin socket, uptime moving with it', async () => {
      const from = a.log.length;
      const s1 = await a.log.next('server_stats', () => true, STATS_WAIT, from);
      const s2 = await a.log.next('server_stats', () => true, STATS_WAIT, s1.index + 1);
      const gap = s2.at - s1.at;
      assert.ok(gap >= 1000 && gap <= 3500, `${gap} ms between two server_stats`);
      const du = s2.args[0].uptime - s1.args[0].uptime;
      assert.ok(Math.abs(du - gap / 1000) < 1, `uptime moved ${du} s in ${gap} ms`);
      // a second admin gets them too, within 2 s of its login
      const b = await login(srv.port);
      const t = Date.now();
      await b.log.stats(0, 3500);
      assert.ok(Date.now() - t <= 3500);
      b.disconnect();
    });

    it('aggregatedEvents: exact connection, packet and byte counts of one client, since the previous server_stats', async () => {
      await a.log.stats();               // the window starts here
      const from = a.log.length;
      const t1 = Date.now();
      const w = await client(srv.port);  // WebSocket: no probe, no polling
      assert.deepEqual(await ask(w, 'hello', ['wörld']), ['wörld']);
      w.disconnect();                    // DISCONNECT "1", then the WebSocket closes
      const windows = [];
      const deadline = Date.now() + STATS_WAIT;
      let all = [];
      while (Date.now() < deadline) {
        const s = await a.log.stats(windows.length ? windows[windows.length - 1].index + 1 : from, deadline - Date.now());
        windows.push({ index: a.log.items.findIndex((x) => x.args[0] === s) });
        all = all.concat(s.aggregatedEvents);
        if (sum(all, 'rawDisconnection') >= 1 && sum(all, 'packetsIn') >= 3) break;
      }
      for (const e of all) {
        assert.ok(AGG_TYPES.includes(e.type), `type ${e.type}`);
        assert.deepEqual(Object.keys(e).sort(), e.type === 'rawDisconnection' ? ['count', 'subType', 'timestamp', 'type'] : ['count', 'timestamp', 'type'],
          `fields of ${JSON.stringify(e)}`);
        assert.ok(Number.isInteger(e.timestamp) && e.timestamp % 1000 === 0, 'timestamp in ms, truncated to the second');
        assert.ok(e.timestamp >= Math.floor(t1 / 1000) * 1000 - 1000 && e.timestamp <= Date.now(), 'timestamp of this window');
        assert.ok(Number.isInteger(e.count) && e.count > 0);
      }
      const keys = all.map((e) => `${e.timestamp};${e.type};${e.subType}`);
      assert.equal(new Set(keys).size, keys.length, 'one entry per (second, type, subType) in a window');
      const hello = `20["hello","wörld"]`;  // the Engine.IO message's data: the Socket.IO packet text
      assert.equal(sum(all, 'rawConnection'), 1);
      assert.deepEqual(all.filter((e) => e.type === 'rawDisconnection').map((e) => [e.subType, e.count]), [['transport close', 1]]);
      assert.equal(sum(all, 'packetsIn'), 3, 'CONNECT "0", the event, DISCONNECT "1" (no pong: no data)');
      assert.equal(sum(all, 'bytesIn'), 1 + Buffer.byteLength(hello) + 1, 'UTF-8 bytes, not characters');
      // out: CONNECT, the "auth" event, the ack; the admin's notifications go on the same counters
      const outMin = Buffer.byteLength(`0{"sid":"${w.id}"}`) + Buffer.byteLength('2["auth",{}]') + Buffer.byteLength('30["wörld"]');
      assert.ok(sum(all, 'packetsOut') >= 3, `packetsOut ${sum(all, 'packetsOut')}`);
      assert.ok(sum(all, 'bytesOut') >= outMin, `bytesOut ${sum(all, 'bytesOut')} >= ${outMin}`);
    });

    it('clientsCount, pollingClientsCount and socketsCount follow the clients', async () => {
      const p1 = await client(srv.port, { transports: ['polling'] });
      const p2 = await client(srv.port, { transports: ['polling'] });
      const m = manager(srv.port, { transports: ['websocket'] });
      const ws1 = m.socket('/');
      const ws2 = m.socket('/custom');
      await connected(ws1);
      await connected(ws2);
      const want = async (what, check) => {
        const deadline = Date.now() + STATS_WAIT;
        let s;
        while (Date.now() < deadline) {
          s = await a.log.stats(a.log.length, Math.max(1, deadline - Date.now()));
          if (check(s)) return s;
        }
        assert.fail(`no server_stats with ${what}; last: ${JSON.stringify(s)}`);
      };
      await want('4 clients, 2 polling, "/" 3, "/custom" 1', (s) => s.clientsCount === 4 && s.pollingClientsCount === 2
        && nsCounts(s)['/'] === 3 && nsCounts(s)['/custom'] === 1 && nsCounts(s)['/admin'] === 1);
      p1.disconnect();
      ws2.disconnect();  // one namespace of the WebSocket client: its connection stays
      await want('3 clients, 1 polling, "/" 2, "/custom" 0', (s) => s.clientsCount === 3 && s.pollingClientsCount === 1
        && nsCounts(s)['/'] === 2 && nsCounts(s)['/custom'] === 0);
      for (const s of [p2, ws1]) s.disconnect();
    });
  });

  describe('production mode: config without ALL_EVENTS, no all_sockets, no live notifications', SEQ, () => {
    let srv, a;
    before(async () => {
      srv = await start(['--admin', `${USER}:${PASS}`, '--admin-mode', 'production']);
      a = await login(srv.port);
    });

    it('config, and no all_sockets', async () => {
      assert.deepEqual((await a.log.next('config')).args, [{ supportedFeatures: PROD_FEATURES }]);
      await a.log.stats(0);
      assert.equal(a.log.count('all_sockets'), 0);
      assert.equal(a.log.count('session'), 1, 'the session as in development mode');
    });

    it('clients connect, join, emit, get broadcasts, disconnect: only server_stats comes, and it counts them', async () => {
      const from = a.log.length;
      const c = await client(srv.port);
      const d = await client(srv.port, { nsp: '/custom', transports: ['polling'] });
      await ask(c, 'join', ['r1']);
      c.emit('to', 'r1', 'x', 1);
      await c.inbox.take('x');
      await ask(c, 'leave', ['r1']);
      d.emit('hello', 2);
      await d.inbox.take('hello-back');
      const cGone = disconnected(c);
      c.emit('disconnect-me');
      await cGone;
      d.disconnect();
      // two server_stats later everything done above has been reported, if it ever is
      const s1 = await a.log.stats(a.log.length);
      await a.log.stats(a.log.length);
      for (const ev of NOTIFICATIONS) assert.equal(a.log.count(ev), 0, `no ${ev} in production mode`);
      const agg = a.log.items.slice(from).filter((x) => x.event === 'server_stats').flatMap((x) => x.args[0].aggregatedEvents);
      assert.equal(sum(agg, 'rawConnection'), 2, 'the counters still count');
      assert.ok(sum(agg, 'packetsIn') >= 8);
      assert.equal(typeof s1.clientsCount, 'number');
    });

    it('the commands work in production mode too (join by socket id)', async () => {
      const c = await client(srv.port);
      const other = await client(srv.port);
      a.emit('join', '/', 'prod-room', c.id);
      const deadline = Date.now() + WAIT;
      while ((await members(other, 'prod-room')).length === 0 && Date.now() < deadline) await sleep(50);
      assert.deepEqual(await members(other, 'prod-room'), [c.id]);
      c.disconnect();
      other.disconnect();
    });
  });

  describe('the UI\'s commands: emit, join, leave, _disconnect, with their filters', SEQ, () => {
    let srv, a;
    before(async () => {
      srv = await start(['--admin', `${USER}:${PASS}`]);
      a = await login(srv.port);
    });

    // After a command, wait for its notification (dev mode) so that the next step sees its effect.
    const joinedBy = (room, id, from) => a.log.next('room_joined', (nsp, r, i) => r === room && i === id, WAIT, from);
    const leftBy = (room, id, from) => a.log.next('room_left', (nsp, r, i) => r === room && i === id, WAIT, from);

    it('join: filter = a socket id, filter = a room, no filter (the whole namespace); checked with fetch and "to"', async () => {
      const [x, y, z] = [await client(srv.port), await client(srv.port, { transports: ['polling'] }), await client(srv.port)];
      let mark = a.log.length;
      a.emit('join', '/', 'r-x', x.id);
      const rj = await joinedBy('r-x', x.id, mark);
      assert.deepEqual(rj.args.slice(0, 3), ['/', 'r-x', x.id]);
      assert.deepEqual(await members(z, 'r-x'), [x.id]);
      // by the echo contract's "to": x gets it, y does not
      const got = x.inbox.take('to-r-x', WAIT);
      z.emit('to', 'r-x', 'to-r-x', 'hi');
      assert.deepEqual(await got, ['hi']);
      await ask(z, 'to', ['r-x', 'fence']); // acked after the emit: x has everything by its "fence"
      await x.inbox.take('fence');
      assert.ok(!y.inbox.has('to-r-x'), 'y is not in r-x');

      mark = a.log.length;
      a.emit('join', '/', 'r-y', 'r-x');         // everyone in r-x joins r-y
      await joinedBy('r-y', x.id, mark);
      assert.deepEqual(await members(z, 'r-y'), [x.id]);

      mark = a.log.length;
      a.emit('join', '/', 'r-all', null);        // falsy filter: the whole namespace
      for (const s of [x, y, z]) await joinedBy('r-all', s.id, mark);
      assert.deepEqual(await members(z, 'r-all'), ids(x, y, z));
      // and nothing on the other namespaces
      assert.equal(a.log.count('room_joined', (nsp, r) => r === 'r-all' && nsp !== '/'), 0);
      for (const s of [x, y, z]) s.disconnect();
    });

    it('leave: filter = a socket id, no filter (Rooms "clear")', async () => {
      const [x, y] = [await client(srv.port), await client(srv.port)];
      let mark = a.log.length;
      a.emit('join', '/', 'r-l', null);
      for (const s of [x, y]) await joinedBy('r-l', s.id, mark);
      assert.deepEqual(await members(y, 'r-l'), ids(x, y));
      mark = a.log.length;
      a.emit('leave', '/', 'r-l', x.id);
      const rl = await leftBy('r-l', x.id, mark);
      assert.deepEqual(rl.args.slice(0, 3), ['/', 'r-l', x.id]);
      assert.deepEqual(await members(y, 'r-l'), [y.id]);
      mark = a.log.length;
      a.emit('leave', '/', 'r-l');               // the UI's Rooms "clear": no filter argument at all
      await leftBy('r-l', y.id, mark);
      assert.deepEqual(await members(y, 'r-l'), []);
      // the private rooms are untouched
      assert.deepEqual(await members(y, x.id), [x.id]);
      for (const s of [x, y]) s.disconnect();
    });

    it('emit: to a room, to a socket id, to a whole namespace; with event_sent per recipient', async () => {
      const [x, y] = [await client(srv.port), await client(srv.port, { transports: ['polling'] })];
      const cu = await client(srv.port, { nsp: '/custom' });
      let mark = a.log.length;
      a.emit('join', '/', 'r-e', x.id);
      await joinedBy('r-e', x.id, mark);
      mark = a.log.length;
      a.emit('emit', '/', 'r-e', 'from-admin', 'hello', { n: 1 });
      assert.deepEqual(await x.inbox.take('from-admin'), ['hello', { n: 1 }]);
      const es = await a.log.next('event_sent', (nsp, id, args) => id === x.id && args[0] === 'from-admin', WAIT, mark);
      assert.deepEqual(es.args.slice(0, 3), ['/', x.id, ['from-admin', 'hello', { n: 1 }]]);
      a.emit('emit', '/', y.id, 'only-y', [1, 2]);  // a socket id is its own room
      assert.deepEqual(await y.inbox.take('only-y'), [[1, 2]]);
      a.emit('emit', '/', null, 'all', 7);          // no filter: the whole namespace
      assert.deepEqual(await x.inbox.take('all'), [7]);
      assert.deepEqual(await y.inbox.take('all'), [7]);
      a.emit('emit', '/custom', null, 'all-custom');
      assert.deepEqual(await cu.inbox.take('all-custom'), []);
      // in order on each connection: by "all", anything misdirected would have come
      assert.ok(!y.inbox.has('from-admin'), 'y is not in r-e');
      assert.ok(!x.inbox.has('only-y'), 'only-y went to y only');
      assert.ok(!cu.inbox.has('all'), '"/" emits stay on "/"');
      await sleep(100);
      assert.ok(!x.inbox.has('all-custom') && !y.inbox.has('all-custom'), '"/custom" emits stay on "/custom"');
      assert.equal(a.log.count('event_sent', (nsp, id, args) => args[0] === 'all'), 2, 'one event_sent per recipient');
      for (const s of [x, y, cu]) s.disconnect();
    });

    it('_disconnect close=false: by socket id (Sockets page), by room; the client gets "io server disconnect"', async () => {
      const [x, y, z] = [await client(srv.port), await client(srv.port, { transports: ['polling'] }), await client(srv.port)];
      let mark = a.log.length;
      const xid = x.id;
      let gone = disconnected(x);
      a.emit('_disconnect', '/', false, xid);
      assert.equal(await gone, 'io server disconnect');
      const sd = await a.log.next('socket_disconnected', (nsp, id) => id === xid, WAIT, mark);
      assert.deepEqual(sd.args.slice(0, 3), ['/', xid, 'server namespace disconnect']);
      assert.ok(y.connected && z.connected, 'only x');

      mark = a.log.length;
      a.emit('join', '/', 'r-d', y.id);
      await joinedBy('r-d', y.id, mark);
      gone = disconnected(y);
      a.emit('_disconnect', '/', false, 'r-d');  // Rooms page "disconnect"
      assert.equal(await gone, 'io server disconnect');
      assert.deepEqual(await members(z, null), [z.id], 'z is the last one on "/"');
      z.disconnect();
    });

    it('_disconnect close=true (Clients page): every namespace of that connection, then the connection closes', async () => {
      const m = manager(srv.port, { transports: ['websocket'] });
      const x = m.socket('/');
      const y = m.socket('/custom');
      await connected(x);
      await connected(y);
      const other = await client(srv.port, { nsp: '/custom' });
      const engineClosed = new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('the connection did not close')), WAIT);
        m.engine.once('close', () => { clearTimeout(t); resolve(); });
      });
      const mark = a.log.length;
      const [xid, yid] = [x.id, y.id];
      const gx = disconnected(x);
      const gy = disconnected(y);
      a.emit('_disconnect', '/', true, xid);
      assert.equal(await gx, 'io server disconnect');
      assert.equal(await gy, 'io server disconnect', 'its "/custom" socket too');
      await engineClosed;
      for (const [nsp, sid] of [['/', xid], ['/custom', yid]]) {
        const sd = await a.log.next('socket_disconnected', (n, id) => id === sid, WAIT, mark);
        assert.deepEqual(sd.args.slice(0, 3), [nsp, sid, 'server namespace disconnect']);
      }
      assert.ok(other.connected, 'another client of "/custom" stays');
      // no filter: the whole namespace
      const go = disconnected(other);
      a.emit('_disconnect', '/custom', false, null);
      assert.equal(await go, 'io server disconnect');
    });
  });

  describe('--admin-no-auth, --admin-namespace, --admin-server-id', SEQ, () => {
    let srv;
    before(async () => {
      srv = await start(['--admin-no-auth', '--admin-namespace', '/x', '--admin-server-id', 'box-17']);
    });

    it('no credentials needed, no session; the namespace is /x; serverId is the given id', async () => {
      const a = admin(srv.port, { nsp: '/x', auth: undefined });
      await connected(a);
      assert.deepEqual((await a.log.next('config')).args, [{ supportedFeatures: DEV_FEATURES }]);
      const [list] = (await a.log.next('all_sockets')).args;
      assert.deepEqual(list.map((s) => [s.nsp, s.id]), [['/x', a.id]]);
      const s = await a.log.stats(0);
      assert.equal(s.serverId, 'box-17');
      assert.equal(s.hostname, os.hostname());
      assert.deepEqual(s.namespaces.map((n) => n.name).sort(), ['/', '/custom', '/x']);
      assert.equal(nsCounts(s)['/x'], 1);
      assert.equal(a.log.count('session'), 0, 'no session without auth');
      // any credentials are fine too
      const b = admin(srv.port, { nsp: '/x', auth: { username: 'who', password: 'ever' } });
      await connected(b);
      await b.log.next('config');
      // notifications name the moved namespace
      const sc = await a.log.next('socket_connected', (x) => x.id === b.id);
      assert.equal(sc.args[0].nsp, '/x');
      a.disconnect();
      b.disconnect();
    });

    it('/admin is no namespace then: "Invalid namespace"', async () => {
      const a = admin(srv.port, { nsp: '/admin', auth: CREDS });
      assert.equal((await connectError(a)).message, 'Invalid namespace');
      a.disconnect();
    });
  });

  describe('without --admin: no admin namespace, no credentials in CORS', SEQ, () => {
    let srv;
    before(async () => { srv = await start([]); });

    it('/admin is "Invalid namespace"; the UI\'s origin gets no credentialed CORS', async () => {
      const a = admin(srv.port, { auth: CREDS });
      assert.equal((await connectError(a)).message, 'Invalid namespace');
      a.disconnect();
      const r = await request(srv.port, 'GET', '/socket.io/?EIO=4&transport=polling', { headers: { Origin: 'https://admin.socket.io' } });
      assert.equal(r.status, 200);
      assert.notEqual(r.headers['access-control-allow-origin'], 'https://admin.socket.io');
      assert.notEqual(r.headers['access-control-allow-credentials'], 'true');
    });
  });

  describe('--admin with a bcrypt hash', { ...SEQ, skip: process.env.SIO_ADMIN_BCRYPT === '0' && 'SIO_ADMIN_BCRYPT=0' }, () => {
    // bcrypt("s3cret", cost 4), made with bcryptjs
    const HASH = '$2a$04$n23YZ.Vq7Kg/24LHEnYNlehsB1MXwB0fxIlAUvBQPN74ZSz/060sy';
    let srv;
    before(async () => { srv = await start(['--admin', `boss:${HASH}`]); });

    it('the password that hashes to it logs in; the hash itself and others do not', async () => {
      const a = admin(srv.port, { auth: { username: 'boss', password: 's3cret' } });
      await connected(a);
      assert.match((await a.log.next('session')).args[0], /^[0-9a-f]{16}$/);
      for (const password of [HASH, 's3cre', 's3cret ', '']) {
        const b = admin(srv.port, { auth: { username: 'boss', password } });
        assert.equal((await connectError(b)).message, 'invalid credentials', `password ${JSON.stringify(password)}`);
        b.disconnect();
      }
      a.disconnect();
    });
  });

  describe('CORS with credentials for the UI\'s origin', SEQ, () => {
    let plain, star, listed;
    before(async () => {
      [plain, star, listed] = await Promise.all([
        start(['--admin', `${USER}:${PASS}`]),
        start(['--admin', `${USER}:${PASS}`, '--cors', '*']),
        start(['--admin', `${USER}:${PASS}`, '--cors', 'http://localhost:7777']),
      ]);
    });

    const GET = (srv, origin) => request(srv.port, 'GET', '/socket.io/?EIO=4&transport=polling', { headers: origin ? { Origin: origin } : {} });
    const allows = (r, origin) => {
      assert.equal(r.status, 200);
      assert.equal(r.headers['access-control-allow-origin'], origin);
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
    };

    it('https://admin.socket.io: the handshake GET, the POST and the next GET allow it, with credentials', async () => {
      const origin = 'https://admin.socket.io';
      const r = await GET(plain, origin);
      allows(r, origin);
      assert.equal(r.text[0], '0');
      const { sid } = JSON.parse(r.text.slice(1));
      const p = await post(plain.port, '/socket.io/', sid, '40/admin,' + JSON.stringify(CREDS), { headers: { Origin: origin } });
      allows(p, origin);
      assert.equal(p.text, 'ok');
      let got = '';
      for (let i = 0; i < 4 && !got.includes('40/admin,{"sid":"'); i++) {
        const g = await poll(plain.port, '/socket.io/', sid, { headers: { Origin: origin } });
        allows(g, origin);
        got += g.text + '\x1e';
      }
      assert.ok(got.includes('40/admin,{"sid":"'), `the admin CONNECT: ${got}`);
    });

    it('another origin is not allowed (no Access-Control-Allow-Origin for it, never "*")', async () => {
      const r = await GET(plain, 'https://evil.example');
      assert.equal(r.status, 200);
      assert.notEqual(r.headers['access-control-allow-origin'], 'https://evil.example');
      assert.notEqual(r.headers['access-control-allow-origin'], '*');
    });

    it('with --cors "*": any origin is named back, with credentials', async () => {
      for (const origin of ['http://127.0.0.1:9', 'https://admin.socket.io']) allows(await GET(star, origin), origin);
    });

    it('with --cors ORIGIN: that origin and https://admin.socket.io, with credentials', async () => {
      for (const origin of ['http://localhost:7777', 'https://admin.socket.io']) allows(await GET(listed, origin), origin);
      assert.notEqual((await GET(listed, 'http://localhost:7778')).headers['access-control-allow-origin'], 'http://localhost:7778');
    });
  });
});
