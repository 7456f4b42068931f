// A Redis cluster of C and Node servers (issue 14): build/echo --redis and
// tests/node/echo_server.mjs --redis (@socket.io/redis-adapter 8 classic
// adapter) on one redis-server, plus the Node @socket.io/redis-emitter. Every
// cluster event of the echo contract (see the top of echo_server.mjs) is
// checked across server kinds.
//
// SIO_CLUSTER_SERVERS=c,c,node (the default) picks the kind of each server, in
// start order; node,node,node proves the test itself against Node only.
// The test runs its own redis-server on a free port, persistence off.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { createClient } from 'redis';
import { Emitter } from '@socket.io/redis-emitter';
import {
  ROOT, BUILD, startServer, commandFrom, connect, connected, ask, closeClients, once, sleep, withTimeout,
} from './lib.mjs';

// ------------------------------------------------------------------ helpers

const KINDS = (process.env.SIO_CLUSTER_SERVERS || 'c,c,node').split(',').map((k) => k.trim()).filter(Boolean);
for (const k of KINDS) {
  if (k !== 'c' && k !== 'node') throw new Error(`SIO_CLUSTER_SERVERS: unknown kind "${k}" (c or node)`);
}
if (KINDS.length < 2) throw new Error('SIO_CLUSTER_SERVERS: a cluster needs at least 2 servers');
const N = KINDS.length;
const IDX = [...Array(N).keys()];
const L = (i) => `${i} (${KINDS[i]})`;
const others = (s) => IDX.filter((i) => i !== s);
const Ls = (list) => list.map(L).join(', ');
const ALL = Ls(IDX);

// The second C server runs under ASan/UBSan when make test built it
// (build/asan/echo): the cluster's paths then meet the sanitizers too.
const ASAN_ECHO = path.resolve(ROOT, BUILD, 'asan/echo');
const serverCmd = (kind, nthC) => (kind !== 'c' ? ['node', 'tests/node/echo_server.mjs']
  : nthC === 1 && !process.env.SIO_ECHO_CMD && existsSync(ASAN_ECHO) ? [ASAN_ECHO] : commandFrom('SIO_ECHO_CMD', 'echo'));

// redis-server processes, killed when the test process exits (even on a
// failed hook), as lib.mjs does for the servers.
const redisProcs = new Set();
process.on('exit', () => {
  for (const p of redisProcs) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});
// A runner's SIGTERM/SIGINT would skip 'exit' handlers (here and in lib.mjs)
// and leave redis-server and the servers running.
for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => process.exit(128 + (sig === 'SIGTERM' ? 15 : 2)));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// One PING over a fresh TCP connection: true on +PONG.
function pingRedis(port, ms = 500) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok) => { clearTimeout(t); sock.destroy(); resolve(ok); };
    const t = setTimeout(() => done(false), ms);
    sock.on('error', () => done(false));
    sock.on('connect', () => sock.write('PING\r\n'));
    // a server with a password answers -NOAUTH: up all the same
    sock.on('data', (d) => { buf += d; if (buf.includes('+PONG') || buf.includes('NOAUTH')) done(true); });
  });
}

// Start redis-server on `port` and resolve once it answers PING (bounded).
async function startRedis(port, ms = 5000, extra = []) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extra];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  redisProcs.add(proc);
  let out = '';
  proc.stdout.on('data', (d) => { out = (out + d).slice(-20000); });
  proc.stderr.on('data', (d) => { out = (out + d).slice(-20000); });
  const exited = new Promise((res) => proc.once('exit', (code, sig) => { redisProcs.delete(proc); res({ code, sig }); }));
  let gone = null;
  exited.then((r) => { gone = r; });
  proc.once('error', (e) => { gone = { error: e.message }; });
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (gone) throw new Error(`redis-server exited early (${JSON.stringify(gone)}):\n${out}`);
    if (await pingRedis(port)) {
      return {
        port,
        pid: proc.pid,
        exited,
        kill(sig = 'SIGKILL') {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(sig);
          return exited;
        },
        async stop() {
          if (proc.exitCode !== null || proc.signalCode !== null) return exited;
          proc.kill('SIGTERM');
          const k = setTimeout(() => proc.kill('SIGKILL'), 3000);
          const r = await exited;
          clearTimeout(k);
          return r;
        },
      };
    }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server on ${port} not answering PING within ${ms} ms:\n${out}`);
}

// Inbox.take matches the event name only; server-echo and friends are shared
// names, so match their arguments too (same waiter protocol as lib's Inbox).
function takeWhere(sock, event, pred, ms = 3000) {
  const inbox = sock.inbox;
  return new Promise((resolve, reject) => {
    const w = {
      check: () => {
        const i = inbox.items.findIndex((x) => x.event === event && pred(x.args));
        if (i < 0) return false;
        clearTimeout(w.timer);
        resolve(inbox.items.splice(i, 1)[0].args);
        return true;
      },
    };
    if (w.check()) return;
    w.timer = setTimeout(() => {
      inbox.waiters = inbox.waiters.filter((x) => x !== w);
      reject(new Error(`timeout (${ms} ms) waiting for "${event}" matching on ${sock.srvLabel}; got ${JSON.stringify(inbox.names())}`));
    }, ms);
    inbox.waiters.push(w);
  });
}
const hasWhere = (sock, event, pred) => sock.inbox.items.some((x) => x.event === event && pred(x.args));

let redis;   // {port, pid, kill, stop}
let servers; // startServer results, in KINDS order, plus .who = {port, pid}
const FENCE = 'fence';
const fencers = {}; // nsp -> one client per server, used to send fences

// Each server's clients cycle through websocket, polling and upgrading ones,
// so every server sees the cluster path from all three (a per-server counter:
// a global one would pin each server to one transport when N is 3).
const TRANSPORT_CYCLE = [['websocket'], ['polling'], undefined];
const cycles = new Map();
function nextTransports(i) {
  const k = cycles.get(i) ?? 0;
  cycles.set(i, k + 1);
  return TRANSPORT_CYCLE[k % TRANSPORT_CYCLE.length];
}

// A connected client of server i, in the FENCE room of its namespace.
async function client(i, { nsp = '/', transports = nextTransports(i), auth, port } = {}) {
  const s = connect(port ?? servers[i].port, { nsp, transports, ...(auth ? { auth } : {}) });
  await connected(s);
  s.srv = i;
  s.srvLabel = `${port ? `worker port ${port}` : `server ${L(i)}`}${nsp === '/' ? '' : ` ${nsp}`}`;
  assert.deepEqual(await ask(s, 'join', [FENCE]), [FENCE]);
  return s;
}
const onEach = (opts) => Promise.all(IDX.map((i) => client(i, opts)));
const join = async (s, room) => assert.deepEqual(await ask(s, 'join', [room]), [room]);
const joinAll = (list, room) => Promise.all(list.map((s) => join(s, room)));

// Proof that something did NOT arrive: a fence broadcast sent after it, from
// another server than `origin`, goes through Redis behind anything `origin`
// published; once every receiver has the fence, a missing event is missing
// for good (Redis keeps per-subscriber order; each server keeps per-client order).
let fenceSeq = 0;
async function fence(origin, receivers, nsp = '/') {
  const tag = `fence-${++fenceSeq}`;
  const via = fencers[nsp][(origin + 1) % N];
  await ask(via, 'to', [FENCE, tag]);
  await Promise.all(receivers.map((r) => r.inbox.take(tag, 3000)));
}

// The "-back" reply of a request, listened for before the request goes out;
// marked handled so that a failed ask in between leaves no stray rejection.
function backOf(sock, event, ms) {
  const p = sock.inbox.take(`${event}-back`, ms);
  p.catch(() => {});
  return p;
}

// Poll `fetch` [room] from `sock` until the ids equal `want` (bounded): for
// fire-and-forget cluster requests (socketsJoin & co.) whose effect is remote.
async function fetchUntil(sock, room, want, ms = 3000) {
  const target = JSON.stringify([...want].sort());
  const t0 = Date.now();
  let last;
  while (Date.now() - t0 < ms) {
    const back = backOf(sock, 'fetch', 3000);
    await ask(sock, 'fetch', [room]);
    const [err, list] = await back;
    last = [err, list.map((x) => x.id)];
    if (err === null && JSON.stringify(last[1]) === target) return;
    await sleep(50);
  }
  assert.fail(`fetch [${room}] never listed ${target} within ${ms} ms; last ${JSON.stringify(last)}`);
}

const sortedStr = (a) => [...a].map(String).sort();


// ---------------------------------------------------------------- the cluster

before(async () => {
  redis = await startRedis(await freePort());
  servers = [];
  let nthC = 0;
  for (const kind of KINDS) {
    servers.push(await startServer(serverCmd(kind, kind === 'c' ? nthC++ : -1), ['--redis', `127.0.0.1:${redis.port}`]));
  }
  // The adapters subscribe after "listening": wait until every server hears
  // every other one, in both namespaces (server-ask counts the answers).
  for (const nsp of ['/', '/custom']) {
    fencers[nsp] = await onEach({ nsp, transports: ['websocket'] });
    for (const i of IDX) {
      const s = fencers[nsp][i];
      const t0 = Date.now();
      let last;
      for (;;) {
        const back = backOf(s, 'server-ask', 7000);
        await ask(s, 'server-ask', ['ready']);
        last = await back;
        if (last[0] === null && last[1].length === N - 1) break;
        if (Date.now() - t0 > 12000) throw new Error(`server ${L(i)} ${nsp}: the cluster never formed; last server-ask-back ${JSON.stringify(last)}`);
        await sleep(100);
      }
    }
  }
  for (const i of IDX) [servers[i].who] = await ask(fencers['/'][i], 'whoami');
});

after(async () => {
  closeClients();
  await Promise.all((servers ?? []).map((s) => s.stop()));
  await redis?.stop();
});

// ------------------------------------------------------------------- tests

describe('whoami', { concurrency: false }, () => {
  it(`each of ${ALL} names its own listening port and a pid`, () => {
    for (const i of IDX) {
      assert.equal(servers[i].who.port, servers[i].port, `server ${L(i)}`);
      assert.ok(Number.isInteger(servers[i].who.pid) && servers[i].who.pid > 0, `server ${L(i)} pid`);
    }
    assert.equal(new Set(servers.map((s) => s.who.port)).size, N);
  });
});

describe('rooms across servers', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`a "to" room broadcast from a client of ${L(s)} reaches members on ${ALL} once each, and no non-member`, async () => {
      const room = `to-${s}`;
      const ev = `to-ev-${s}`;
      // members on every server: one over websocket, one over polling
      const members = [...await onEach({ transports: ['websocket'] }), ...await onEach({ transports: ['polling'] })];
      const outsiders = await onEach();
      await joinAll(members, room);
      for (const i of IDX) {
        const used = members.filter((m) => m.srv === i).map((m) => m.io.engine.transport.name).sort();
        assert.deepEqual(used, ['polling', 'websocket'], `transports on ${L(i)}`);
      }
      const payload = ['hello', s, { deep: [1, null, 'x'], s: 'é€😀' }];
      await ask(members[N + s], 'to', [room, ev, ...payload]); // a polling sender
      for (const m of members) assert.deepEqual(await m.inbox.take(ev, 3000), payload, m.srvLabel);
      await fence(s, [...members, ...outsiders]);
      for (const m of members) assert.ok(!m.inbox.has(ev), `${m.srvLabel} got it twice`);
      for (const o of outsiders) assert.ok(!o.inbox.has(ev), `non-member on ${o.srvLabel} got it`);
    });
  }

  it(`"to" an array of rooms from each of ${ALL} reaches the union once each (members on several servers)`, async () => {
    for (const s of IDX) {
      const [ra, rb] = [`ua-${s}`, `ub-${s}`];
      const ev = `union-${s}`;
      // per server: one in both rooms, one in ra only, one in rb only, one in neither
      const both = await onEach();
      const onlyA = await onEach();
      const onlyB = await onEach();
      const none = await onEach();
      await joinAll([...both, ...onlyA], ra);
      await joinAll([...both, ...onlyB], rb);
      await ask(none[s], 'to', [[ra, rb], ev, s]);
      const rx = [...both, ...onlyA, ...onlyB];
      for (const r of rx) assert.deepEqual(await r.inbox.take(ev, 3000), [s], `from ${L(s)} to ${r.srvLabel}`);
      await fence(s, [...rx, ...none]);
      for (const r of rx) assert.ok(!r.inbox.has(ev), `${r.srvLabel} got it twice (from ${L(s)})`);
      for (const r of none) assert.ok(!r.inbox.has(ev), `non-member ${r.srvLabel} got it (from ${L(s)})`);
    }
  });
});

describe('broadcast and except across servers', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`"broadcast" from a client of ${L(s)} reaches clients on ${ALL} but not the sender`, async () => {
      const ev = `bc-${s}`;
      const rx = [...await onEach(), ...await onEach()];
      const sender = await client(s);
      await ask(sender, 'broadcast', [ev, 'b', s]);
      for (const r of rx) assert.deepEqual(await r.inbox.take(ev, 3000), ['b', s], r.srvLabel);
      await fence(s, [...rx, sender]);
      assert.ok(!sender.inbox.has(ev), 'the sender got its own broadcast');
      for (const r of rx) assert.ok(!r.inbox.has(ev), `${r.srvLabel} got it twice`);
    });

    it(`"except" a room from a client of ${L(s)} skips the room's members on ${ALL}, reaches the rest and the sender`, async () => {
      const room = `ex-${s}`;
      const ev = `ex-ev-${s}`;
      const members = await onEach();
      const rest = await onEach();
      const sender = await client(s);
      await joinAll(members, room);
      await ask(sender, 'except', [room, ev, 'e', s]);
      for (const r of [...rest, sender]) assert.deepEqual(await r.inbox.take(ev, 3000), ['e', s], r.srvLabel);
      await fence(s, [...members, ...rest, sender]);
      for (const m of members) assert.ok(!m.inbox.has(ev), `excluded member on ${m.srvLabel} got it`);
      for (const r of rest) assert.ok(!r.inbox.has(ev), `${r.srvLabel} got it twice`);
    });
  }
});

describe('binary across servers', { concurrency: false }, () => {
  it(`a Buffer and a nested {b: Buffer} from each of ${ALL} arrive as Buffers with equal bytes on every server`, async () => {
    const bytes = Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff]);
    const nested = Buffer.from('hi\u0000there', 'utf8');
    for (const s of IDX) {
      const room = `bin-${s}`;
      const ev = `bin-ev-${s}`;
      const rx = [...await onEach(), ...await onEach()];
      await joinAll(rx, room);
      await ask(rx[s], 'to', [room, ev, bytes, { b: nested, n: s }, 'tail']);
      for (const r of rx) {
        const [a, o, tail] = await r.inbox.take(ev, 3000);
        const where = `from ${L(s)} to ${r.srvLabel}`;
        assert.ok(Buffer.isBuffer(a), `${where}: first arg is ${Object.prototype.toString.call(a)}`);
        assert.ok(a.equals(bytes), `${where}: bytes ${a.toString('hex')}`);
        assert.ok(Buffer.isBuffer(o?.b), `${where}: nested b is ${Object.prototype.toString.call(o?.b)}`);
        assert.ok(o.b.equals(nested), `${where}: nested bytes`);
        assert.equal(o.n, s);
        assert.equal(tail, 'tail');
      }
    }
  });
});

describe('namespaces across servers', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`/custom "to" and "broadcast" from ${L(s)} reach /custom on ${ALL}, never "/" clients in the same room name`, async () => {
      const room = `shared-${s}`;
      const custom = await onEach({ nsp: '/custom' });
      const root = await onEach();
      await joinAll([...custom, ...root], room);
      const cs = await client(s, { nsp: '/custom' });
      await ask(cs, 'to', [room, `nsp-to-${s}`, 'c']);
      await ask(cs, 'broadcast', [`nsp-bc-${s}`, 'c']);
      for (const c of custom) {
        assert.deepEqual(await c.inbox.take(`nsp-to-${s}`, 3000), ['c'], c.srvLabel);
        assert.deepEqual(await c.inbox.take(`nsp-bc-${s}`, 3000), ['c'], c.srvLabel);
      }
      // and the other way: "/" to the same room name stays out of /custom
      await ask(root[s], 'to', [room, `nsp-root-${s}`, 'r']);
      for (const r of root) assert.deepEqual(await r.inbox.take(`nsp-root-${s}`, 3000), ['r'], r.srvLabel);
      await fence(s, root, '/');
      await fence(s, [...custom, cs], '/custom');
      for (const r of root) {
        assert.ok(!r.inbox.has(`nsp-to-${s}`) && !r.inbox.has(`nsp-bc-${s}`), `"/" client on ${r.srvLabel} got a /custom broadcast`);
      }
      for (const c of custom) assert.ok(!c.inbox.has(`nsp-root-${s}`), `/custom client on ${c.srvLabel} got a "/" broadcast`);
    });
  }
});

describe('leave across servers', { concurrency: false }, () => {
  it(`after "leave", clients on ${ALL} no longer get the room's broadcasts from any server`, async () => {
    const room = 'lv';
    const leavers = await onEach();
    const stayers = await onEach();
    await joinAll([...leavers, ...stayers], room);
    for (const s of IDX) await ask(stayers[s], 'to', [room, `lv-before-${s}`]);
    for (const r of [...leavers, ...stayers]) {
      for (const s of IDX) await r.inbox.take(`lv-before-${s}`, 3000);
    }
    for (const l of leavers) assert.deepEqual(await ask(l, 'leave', [room]), [room]);
    for (const s of IDX) await ask(stayers[s], 'to', [room, `lv-after-${s}`]);
    for (const r of stayers) {
      for (const s of IDX) await r.inbox.take(`lv-after-${s}`, 3000);
    }
    for (const s of IDX) await fence(s, leavers);
    for (const l of leavers) {
      for (const s of IDX) assert.ok(!l.inbox.has(`lv-after-${s}`), `${l.srvLabel} left, still got the broadcast from ${L(s)}`);
    }
  });
});

describe('to-local', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`"to-local" from ${L(s)} reaches only ${L(s)}'s clients, none on ${Ls(others(s))}`, async () => {
      const room = `tl-${s}`;
      const members = [...await onEach(), ...await onEach()];
      await joinAll(members, room);
      const sender = await client(s);
      await ask(sender, 'to-local', [room, `tl-room-${s}`, 1]);
      await ask(sender, 'to-local', [null, `tl-all-${s}`, 2]);
      const local = members.filter((m) => m.srv === s);
      const remote = members.filter((m) => m.srv !== s);
      for (const m of local) assert.deepEqual(await m.inbox.take(`tl-room-${s}`, 3000), [1], m.srvLabel);
      for (const m of [...local, sender]) assert.deepEqual(await m.inbox.take(`tl-all-${s}`, 3000), [2], m.srvLabel);
      await fence(s, [...members, sender]);
      assert.ok(!sender.inbox.has(`tl-room-${s}`), 'the sender is no member');
      for (const m of remote) {
        assert.ok(!m.inbox.has(`tl-room-${s}`) && !m.inbox.has(`tl-all-${s}`), `remote ${m.srvLabel} got a to-local`);
      }
    });
  }
});

describe('fetch and rooms across servers', { concurrency: false }, () => {
  it(`"fetch" [room] and [null] from each of ${ALL} list ids, rooms and auth of clients on every server`, async () => {
    const room = 'fe-room';
    const named = await Promise.all(IDX.map((i) => client(i, { auth: { name: `x${i}` } })));
    const plain = await onEach();
    const outside = await Promise.all(IDX.map((i) => client(i, { auth: { name: `o${i}`, n: i } })));
    await joinAll([...named, ...plain], room);
    const expect = [...named.map((c, i) => ({ c, auth: { name: `x${i}` } })), ...plain.map((c) => ({ c, auth: {} }))]
      .map(({ c, auth }) => ({ id: c.id, rooms: sortedStr([c.id, FENCE, room]), auth }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const s of IDX) {
      const back = backOf(outside[s], 'fetch', 7000);
      await ask(outside[s], 'fetch', [room]);
      assert.deepEqual(await back, [null, expect], `fetch [room] from ${L(s)}`);

      const all = backOf(outside[s], 'fetch', 7000);
      await ask(outside[s], 'fetch', [null]);
      const [err, list] = await all;
      assert.equal(err, null, `fetch [null] from ${L(s)}`);
      const ids = list.map((x) => x.id);
      assert.deepEqual(ids, [...ids].sort(), 'sorted by id');
      const byId = new Map(list.map((x) => [x.id, x]));
      for (const e of expect) assert.deepEqual(byId.get(e.id), e, `fetch [null] from ${L(s)}: ${e.id}`);
      for (const [i, o] of outside.entries()) {
        assert.deepEqual(byId.get(o.id), { id: o.id, rooms: sortedStr([o.id, FENCE]), auth: { name: `o${i}`, n: i } }, `fetch [null] from ${L(s)}: client of ${L(i)}`);
      }
    }
  });

  it(`"rooms" from each of ${ALL} includes the rooms joined on every server and every socket-id room, sorted, unique`, async () => {
    const cs = await onEach();
    await Promise.all(cs.map((c, i) => join(c, `rooms-${i}`)));
    for (const s of IDX) {
      const back = backOf(cs[s], 'rooms', 7000);
      await ask(cs[s], 'rooms');
      const [err, rooms] = await back;
      assert.equal(err, null, `rooms from ${L(s)}`);
      assert.deepEqual(rooms, [...new Set(rooms)].sort(), 'sorted and unique');
      for (const [i, c] of cs.entries()) {
        assert.ok(rooms.includes(`rooms-${i}`), `rooms from ${L(s)} lacks rooms-${i} of ${L(i)}`);
        assert.ok(rooms.includes(c.id), `rooms from ${L(s)} lacks the id room of a client of ${L(i)}`);
      }
      assert.ok(rooms.includes(FENCE));
    }
  });
});

describe('remote socket operations', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`"sockets-join" / "sockets-leave" from ${L(s)} move members on ${ALL} in and out of a room`, async () => {
      const src = `sj-src-${s}`;
      const dst = `sj-dst-${s}`;
      const members = await onEach();
      const outsiders = await onEach();
      await joinAll(members, src);
      const ids = members.map((m) => m.id);
      await ask(outsiders[s], 'sockets-join', [src, dst]);
      await fetchUntil(outsiders[s], dst, ids);
      const t = (s + 1) % N;
      await ask(outsiders[t], 'to', [dst, `sj-in-${s}`, 'in']);
      for (const m of members) assert.deepEqual(await m.inbox.take(`sj-in-${s}`, 3000), ['in'], m.srvLabel);
      await fence(t, outsiders);
      for (const o of outsiders) assert.ok(!o.inbox.has(`sj-in-${s}`), `non-member ${o.srvLabel} got it`);

      await ask(outsiders[s], 'sockets-leave', [src, dst]);
      await fetchUntil(outsiders[s], dst, []);
      await ask(outsiders[t], 'to', [dst, `sj-out-${s}`, 'out']);
      await fence(t, members);
      for (const m of members) assert.ok(!m.inbox.has(`sj-out-${s}`), `${m.srvLabel} still in ${dst} after sockets-leave`);
      // the source room itself is untouched
      await fetchUntil(outsiders[s], src, ids);
    });

    it(`"disconnect-sockets" [room, true] from ${L(s)} disconnects members on ${ALL} ("io server disconnect"), not the others`, async () => {
      const room = `dc-${s}`;
      const members = await onEach();
      const outsiders = await onEach();
      await joinAll(members, room);
      const downs = members.map((m) => once(m, 'disconnect', 5000));
      // the effect first, the ack (contract: acked once under way) after, so a
      // failure tells which of the two is missing
      const acked = ask(outsiders[s], 'disconnect-sockets', [room, true], 2000);
      acked.catch(() => {});
      const reasons = await Promise.all(downs);
      for (const [i, r] of reasons.entries()) assert.equal(r[0], 'io server disconnect', `client of ${L(i)}`);
      for (const m of members) assert.equal(m.connected, false);
      assert.deepEqual(await acked, []);
      await fence(s, outsiders);
      for (const o of outsiders) assert.ok(o.connected, `${o.srvLabel} was disconnected too`);
    });
  }
});

describe('broadcast with acks across servers', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`"acks" from ${L(s)}: receivers on ${ALL} all answer, acks-back [null, every first argument]`, async () => {
      const room = `acks-${s}`;
      const rx = [...await onEach(), ...await onEach()];
      await joinAll(rx, room);
      const seen = [];
      for (const r of rx) {
        r.on(`q-${s}`, (a, b, cb) => { seen.push([a, b]); cb(`ans-${r.id}`, 'second'); });
      }
      const sender = await client(s);
      const back = backOf(sender, 'acks', 5000);
      await ask(sender, 'acks', [room, 3000, `q-${s}`, 'question', { n: s }]);
      const [err, answers] = await back;
      assert.equal(err, null);
      assert.deepEqual(sortedStr(answers), sortedStr(rx.map((r) => `ans-${r.id}`)));
      assert.deepEqual(seen, rx.map(() => ['question', { n: s }]));
    });
  }

  it(`"acks" with a silent receiver: ["timeout", the other answers] after ms (sender on ${L(0)} / silent on ${L(N - 1)}, and the reverse)`, async () => {
    for (const [s, quiet] of [[0, N - 1], [N - 1, 0]]) {
      const room = `acks-to-${s}`;
      const rx = await onEach();
      await joinAll(rx, room);
      const answering = rx.filter((r) => r.srv !== quiet);
      for (const r of answering) r.on(`qt-${s}`, (cb) => cb(`t-${r.id}`));
      rx[quiet].on(`qt-${s}`, () => {});
      const sender = await client(s);
      const back = backOf(sender, 'acks', 5000);
      const t0 = Date.now();
      await ask(sender, 'acks', [room, 600, `qt-${s}`]);
      const [err, answers] = await back;
      const took = Date.now() - t0;
      assert.equal(err, 'timeout', `sender ${L(s)}`);
      assert.ok(took >= 550, `acks-back after ${took} ms, before the 600 ms deadline`);
      assert.deepEqual(sortedStr(answers), sortedStr(answering.map((r) => `t-${r.id}`)), `sender ${L(s)}, silent ${L(quiet)}`);
    }
  });
});

describe('server-side emit', { concurrency: false }, () => {
  for (const s of IDX) {
    it(`"server-emit" from ${L(s)} gives server-echo to the clients of ${Ls(others(s))}, not of ${L(s)}`, async () => {
      const tag = `se-${s}`;
      const cs = [...await onEach(), ...await onEach()];
      const isTag = (a) => a[0] === tag;
      await ask(cs[s], 'server-emit', [tag, { from: s }, [1, 2]]);
      for (const c of cs.filter((x) => x.srv !== s)) {
        assert.deepEqual(await takeWhere(c, 'server-echo', isTag), [tag, { from: s }, [1, 2]], c.srvLabel);
      }
      // the fence comes from another server, so an echo of the request back
      // to its own sender would have arrived before it
      await fence(s, cs);
      for (const c of cs) {
        assert.ok(!hasWhere(c, 'server-echo', isTag), c.srv === s ? `${c.srvLabel}: the sending server echoed to itself` : `${c.srvLabel} got it twice`);
      }
    });

    it(`"server-ask" from ${L(s)}: one reply {port, pid, args} from each of ${Ls(others(s))}`, async () => {
      const c = await client(s);
      const tag = `sa-${s}`;
      const back = backOf(c, 'server-ask', 7000);
      await ask(c, 'server-ask', [tag, 1]);
      const want = others(s).map((i) => ({ port: servers[i].who.port, pid: servers[i].who.pid, args: [tag, 1] }))
        .sort((a, b) => (a.port - b.port) || (a.pid - b.pid));
      assert.deepEqual(await back, [null, want]);
    });
  }

  it(`"server-emit" in /custom from each of ${ALL} reaches other servers' /custom clients only`, async () => {
    for (const s of IDX) {
      const tag = `sec-${s}`;
      const isTag = (a) => a[0] === tag;
      const custom = await onEach({ nsp: '/custom' });
      const root = await onEach();
      await ask(custom[s], 'server-emit', [tag]);
      for (const c of custom.filter((x) => x.srv !== s)) assert.deepEqual(await takeWhere(c, 'server-echo', isTag), [tag], c.srvLabel);
      await fence(s, root, '/');
      await fence(s, custom, '/custom');
      for (const r of root) assert.ok(!hasWhere(r, 'server-echo', isTag), `"/" client on ${r.srvLabel} got a /custom server-echo`);
      assert.ok(!hasWhere(custom[s], 'server-echo', isTag), 'the sending server echoed to itself');
    }
  });
});

describe('the Node redis-emitter', { concurrency: false }, () => {
  let rc;
  let emitter;
  before(async () => {
    rc = createClient({ url: `redis://127.0.0.1:${redis.port}` });
    rc.on('error', () => {}); // a failure shows as a missing event below
    await withTimeout(rc.connect(), 5000, 'emitter redis connect');
    emitter = new Emitter(rc);
  });
  after(async () => { await rc?.disconnect().catch(() => {}); });

  it(`emitter.to(room).emit('fe', 'x', Buffer) reaches the room's clients on ${ALL}`, async () => {
    const room = 'em-room';
    const members = [...await onEach(), ...await onEach()];
    const outsiders = await onEach();
    await joinAll(members, room);
    const bytes = Buffer.from([9, 0, 255, 128]);
    emitter.to(room).emit('fe', 'x', bytes);
    for (const m of members) {
      const [x, b] = await m.inbox.take('fe', 3000);
      assert.equal(x, 'x', m.srvLabel);
      assert.ok(Buffer.isBuffer(b) && b.equals(bytes), `${m.srvLabel}: ${Object.prototype.toString.call(b)}`);
    }
    await fence(0, [...members, ...outsiders]);
    for (const o of outsiders) assert.ok(!o.inbox.has('fe'), `non-member ${o.srvLabel} got it`);
    for (const m of members) assert.ok(!m.inbox.has('fe'), `${m.srvLabel} got it twice`);
  });

  it(`emitter.serverSideEmit('echo', 'e1') gives server-echo ['e1'] to clients of ${ALL}`, async () => {
    const cs = await onEach();
    emitter.serverSideEmit('echo', 'e1');
    for (const c of cs) assert.deepEqual(await takeWhere(c, 'server-echo', (a) => a[0] === 'e1'), ['e1'], c.srvLabel);
  });

  it(`emitter.in(room).socketsJoin('r-e') makes members on ${ALL} join r-e; a "to" r-e then reaches them`, async () => {
    const room = 'em-src';
    const members = await onEach();
    const outsiders = await onEach();
    await joinAll(members, room);
    emitter.in(room).socketsJoin('r-e');
    await fetchUntil(outsiders[0], 'r-e', members.map((m) => m.id));
    await ask(outsiders[N - 1], 'to', ['r-e', 'after-em-join', 1]);
    for (const m of members) assert.deepEqual(await m.inbox.take('after-em-join', 3000), [1], m.srvLabel);
    await fence(N - 1, outsiders);
    for (const o of outsiders) assert.ok(!o.inbox.has('after-em-join'), `non-member ${o.srvLabel} got it`);
  });
});

describe('Redis restarted under a running cluster', { concurrency: false }, () => {
  it(`after redis-server is SIGKILLed and restarted on its port, "to" works again between ${ALL}; no client disconnects`, async () => {
    const room = 'rr';
    const cs = [...await onEach(), ...await onEach()];
    await joinAll(cs, room);
    const drops = [];
    for (const c of cs) c.on('disconnect', (r) => drops.push(`${c.srvLabel}: ${r}`));

    await redis.kill('SIGKILL');
    await sleep(200); // let every server notice the loss before Redis returns
    redis = await startRedis(redis.port);

    // Every server must again both publish to and hear from every other one;
    // a fresh event name per attempt so late arrivals of an old try never count.
    const t0 = Date.now();
    const pending = new Set(IDX);
    let attempt = 0;
    while (pending.size && Date.now() - t0 < 15000) {
      attempt++;
      for (const s of [...pending]) {
        const ev = `rr-${attempt}-${s}`;
        await ask(cs[s], 'to', [room, ev]);
        const rx = cs.filter((c) => c.srv !== s);
        const ok = await Promise.all(rx.map((c) => c.inbox.take(ev, 500).then(() => true, () => false)));
        if (ok.every(Boolean)) pending.delete(s);
      }
    }
    assert.equal(pending.size, 0, `no working cross-server "to" from ${Ls([...pending])} within 15 s of the restart`);
    assert.deepEqual(drops, [], 'clients disconnected');
    for (const c of cs) assert.ok(c.connected, `${c.srvLabel} not connected`);
    // the request path (a different channel) is back too
    const back = backOf(cs[0], 'server-ask', 7000);
    await ask(cs[0], 'server-ask', ['after-restart']);
    const [err, replies] = await back;
    assert.equal(err, null);
    assert.equal(replies.length, N - 1);
  });
});

const HAS_C = KINDS.includes('c');
describe('SO_REUSEPORT workers (C)', { concurrency: false, skip: !HAS_C && 'no c server in SIO_CLUSTER_SERVERS' }, () => {
  it('build/epoll/echo --workers 3 --redis: one port, several pids answer, a "to" reaches all 12 clients and the cluster; SIGTERM ends them all', async () => {
    // the epoll build when there is one: one process per core is where epoll is used
    const epoll = path.resolve(ROOT, BUILD, 'epoll/echo');
    const cmd = !process.env.SIO_ECHO_CMD && existsSync(epoll) ? [epoll] : commandFrom('SIO_ECHO_CMD', 'echo');
    const w = await startServer(cmd, ['--workers', '3', '--redis', `127.0.0.1:${redis.port}`]);
    try {
      // "listening" may come before every worker has bound the port: give the
      // kernel a few probes (bounded) to show a second pid before counting.
      const seen = new Set();
      const t00 = Date.now();
      while (seen.size < 2 && Date.now() - t00 < 3000) {
        const p = connect(w.port, { transports: ['websocket'] });
        await connected(p);
        seen.add((await ask(p, 'whoami'))[0].pid);
        p.disconnect();
        if (seen.size < 2) await sleep(50);
      }
      const cs = [];
      for (let k = 0; k < 12; k++) cs.push(await client(-1, { port: w.port, transports: ['websocket'] }));
      const who = await Promise.all(cs.map((c) => ask(c, 'whoami')));
      const pids = new Set(who.map(([me]) => me.pid));
      for (const [me] of who) assert.equal(me.port, w.port);
      assert.ok(pids.size > 1, `all 12 connections answered by pid ${[...pids]}`);
      assert.equal((w.output().match(/listening on port/g) || []).length, 1, `"listening on port" printed once:\n${w.output()}`);

      const room = 'workers';
      await joinAll(cs, room);
      const outer = await onEach();
      await joinAll(outer, room);
      // workers subscribe on their own: retry until the whole cluster hears them (bounded)
      const t0 = Date.now();
      let attempt = 0;
      let missing;
      do {
        const ev = `wk-${++attempt}`;
        await ask(cs[0], 'to', [room, ev, 'w']);
        const rx = [...cs, ...outer];
        const ok = await Promise.all(rx.map((c) => c.inbox.take(ev, 1000).then(() => true, () => false)));
        missing = rx.filter((_, k) => !ok[k]).length;
      } while (missing && Date.now() - t0 < 8000);
      assert.equal(missing, 0, 'a "to" from a worker client missed clients of the workers or of the cluster');

      const parent = w.process.pid;
      process.kill(parent, 'SIGTERM');
      const r = await withTimeout(w.exited, 5000, 'the parent exiting after SIGTERM');
      assert.ok(r.code === 0 || r.sig === 'SIGTERM', `parent exit ${JSON.stringify(r)}`);
      const t1 = Date.now();
      const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      while ([...pids].some(alive) && Date.now() - t1 < 5000) await sleep(50);
      assert.deepEqual([...pids].filter(alive), [], 'workers still alive 5 s after the parent exited');
    } finally {
      await w.stop();
    }
  });
});

describe('Redis with a password, and bad URLs (C)', { concurrency: false, skip: !HAS_C && 'no c server in SIO_CLUSTER_SERVERS' }, () => {
  it('C and Node servers log in with redis://:PASS@HOST:PORT; a wrong password is refused in words and that server serves on alone', async () => {
    const r2 = await startRedis(await freePort(), 5000, ['--requirepass', 'sekrit']);
    const url = `redis://:sekrit@127.0.0.1:${r2.port}`;
    const started = [];
    try {
      const a = await startServer(serverCmd('c', 0), ['--redis', url]);
      started.push(a);
      const b = await startServer(serverCmd('node'), ['--redis', url]);
      started.push(b);
      const bad = await startServer(serverCmd('c', 0), ['--redis', `redis://:wrong@127.0.0.1:${r2.port}`]);
      started.push(bad);
      const cs = [];
      for (const srv of [a, b, bad]) cs.push(await client(-1, { port: srv.port, transports: ['websocket'] }));
      await joinAll(cs, 'pw');
      // subscriptions settle on their own: retry (bounded) until a and b hear each other
      const t0 = Date.now();
      let k = 0;
      let ok = false;
      while (!ok && Date.now() - t0 < 8000) {
        const ev = `pw-${++k}`;
        await ask(cs[1], 'to', ['pw', ev, k]);
        ok = await cs[0].inbox.take(ev, 800).then(() => true, () => false);
      }
      assert.ok(ok, 'the C server with the password never heard the Node server');
      await ask(cs[0], 'to', ['pw', 'pw-last', 'x']);
      await cs[1].inbox.take('pw-last', 2000);
      await sleep(300);
      assert.equal(cs[2].inbox.items.filter((e) => /^pw-/.test(e.event)).length, 0, 'the server with the wrong password got cluster traffic');
      assert.match(bad.output(), /refused the login: (WRONGPASS|ERR)/, `no refusal said:\n${bad.output()}`);
      const [me] = await ask(cs[2], 'whoami');
      assert.equal(me.port, bad.port, 'the refused server stopped serving its own clients');
    } finally {
      for (const srv of started) await srv.stop();
      await r2.stop();
    }
  });

  it('a --redis that is not HOST:PORT or a redis:// URL: exit status 2 and the reason, before listening', () => {
    const [exe, ...pre] = commandFrom('SIO_ECHO_CMD', 'echo');
    for (const bad of ['127.0.0.1:99999', 'redis://:pw@:6379', 'redis://[::1', 'h:12x', 'redis://h:1/notadb']) {
      const r = spawnSync(exe, [...pre, '--host', '127.0.0.1', '--port', '0', '--redis', bad], { cwd: ROOT, timeout: 5000, encoding: 'utf8' });
      assert.equal(r.status, 2, `--redis ${bad}: status ${r.status}, stderr ${r.stderr}`);
      assert.match(r.stderr, /is not HOST:PORT or redis:\/\//, `--redis ${bad}: ${r.stderr}`);
      assert.doesNotMatch(r.stdout, /listening/);
    }
  });
});

// Without --redis the same calls answer for this server alone, as Node's
// default in-memory adapter does (nothing waits for servers that are not there).
describe('one C server without Redis', { concurrency: false, skip: !HAS_C && 'no c server in SIO_CLUSTER_SERVERS' }, () => {
  it('fetch, rooms, sockets-join/leave, acks and server-ask act on its own sockets and answer at once', async () => {
    const solo = await startServer(commandFrom('SIO_ECHO_CMD', 'echo'), []);
    try {
      const cs = [];
      for (const t of [['websocket'], ['polling'], ['websocket']]) {
        const s = connect(solo.port, { transports: t, auth: { n: cs.length } });
        await connected(s);
        cs.push(s);
      }
      await ask(cs[1], 'join', ['solo']);
      await ask(cs[2], 'join', ['solo']);
      const t0 = Date.now();
      let back = backOf(cs[0], 'fetch', 2000);
      await ask(cs[0], 'fetch', ['solo']);
      let [err, list] = await back;
      assert.equal(err, null);
      assert.deepEqual(list.map((x) => x.id), [cs[1].id, cs[2].id].sort());
      assert.deepEqual(list.map((x) => x.auth.n).sort(), [1, 2]);
      assert.ok(Date.now() - t0 < 1000, 'a fetch with no cluster waited for other servers');
      back = backOf(cs[0], 'rooms', 2000);
      await ask(cs[0], 'rooms');
      [err, list] = await back;
      assert.equal(err, null);
      assert.deepEqual(list, [...cs.map((c) => c.id), 'solo'].sort());
      await ask(cs[0], 'sockets-join', ['solo', 'solo2']);
      back = backOf(cs[0], 'fetch', 2000);
      await ask(cs[0], 'fetch', ['solo2']);
      [, list] = await back;
      assert.deepEqual(list.map((x) => x.id), [cs[1].id, cs[2].id].sort());
      await ask(cs[0], 'sockets-leave', [null, 'solo2']);
      back = backOf(cs[0], 'fetch', 2000);
      await ask(cs[0], 'fetch', ['solo2']);
      [, list] = await back;
      assert.deepEqual(list, []);
      back = backOf(cs[0], 'server-ask', 2000);
      await ask(cs[0], 'server-ask', ['x']);
      assert.deepEqual(await back, [null, []]);
      cs[1].on('q', (cb) => cb('one'));
      cs[2].on('q', (cb) => cb('two'));
      back = backOf(cs[0], 'acks', 3000);
      await ask(cs[0], 'acks', ['solo', 2000, 'q']);
      [err, list] = await back;
      assert.equal(err, null);
      assert.deepEqual(list.sort(), ['one', 'two']);
    } finally {
      await solo.stop();
    }
  });
});
