// Soak test (issue 6): many socket.io-client clients with random transports
// against build/echo for a set time. Each client, one action at a time:
// acked echoes (some with binary), acked messages to itself through its own
// room, acked messages to a shared room it is in, joins and leaves; after a
// random lifetime it drops (cleanly, or by cutting its connection without a
// word) and comes back as a new client. At the end:
//   - every acked message was delivered exactly once: an echo's ack carries
//     the same arguments; a message sent through a room that includes the
//     sender must have reached the sender exactly once when the ack arrives
//     (the server queues the delivery before the ack on the same
//     connection), and no client ever receives any message twice;
//   - no ack was lost and no client was disconnected unless it chose to;
//   - once all clients are gone the server's fd count is back to its start
//     and its RSS near its baseline (within max(2x, +32 MiB)).
//
//   node tests/soak/soak.mjs          (`make soak`; tests/soak/soak.sh)
//   SOAK_SECONDS=120 SOAK_CLIENTS=1000 SOAK_WORKERS=<cpus, max 4> SOAK_SEED=<n>
//   SOAK_PING_INTERVAL=25000 SOAK_PING_TIMEOUT=20000 (the server's heartbeat)
//   SIO_ECHO_CMD / SIO_BUILD choose the server, as in the interop tests.
//
// The clients are spread over worker processes (this file, forked with
// --worker) so one Node event loop is not the bottleneck. Output: one
// `ok`/`not ok` line per check, then `# pass N` and `# fail M`.

import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io as ioClient } from 'socket.io-client';
import { startServer, sleep } from '../interop/lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const MiB = 1 << 20;

// ------------------------------------------------------------------ worker

// A small seeded PRNG so a failing run can be repeated (SOAK_SEED).
function prng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >> 17;
    x ^= x << 5; x >>>= 0;
    return x / 4294967296;
  };
}

async function worker({ port, clients, seconds, seed, id }) {
  const rnd = prng(seed);
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const between = (a, b) => a + Math.floor(rnd() * (b - a));
  const end = Date.now() + seconds * 1000;
  const TRANSPORTS = [['polling'], ['websocket'], undefined];
  const ROOMS = Array.from({ length: 20 }, (_, i) => `soak-room-${i}`);
  const st = {
    worker: id, incarnations: 0, connectErrors: 0, cleanDrops: 0, abruptDrops: 0,
    acked: 0, echoes: 0, selfs: 0, roomMsgs: 0, joins: 0, leaves: 0, roomReceived: 0,
    lost: [], wrong: [], connectFailures: [], duplicates: [], missing: [], unexpected: [],
  };
  let uid = 0;

  // emitWithAck bounded by 30 s; resolves null when the socket went away
  // first (an unacknowledged message may or may not have been delivered,
  // and nothing is claimed about it).
  const ackOf = (s, life, event, args) => new Promise((resolve) => {
    let done = false;
    const t = setTimeout(() => { if (!done) { done = true; resolve(life.alive ? 'timeout' : null); } }, 30000);
    life.onGone.push(() => { if (!done) { done = true; clearTimeout(t); resolve(null); } });
    s.emit(event, ...args, (...res) => { if (!done) { done = true; clearTimeout(t); resolve({ res }); } });
  });

  function dropAbruptly(s) {
    const t = s.io.engine?.transport;
    if (t?.ws) {
      t.ws._socket?.destroy();            // WebSocket: cut the TCP connection
    } else if (t) {
      // polling: abort the pending GET and go silent, no close packet; the
      // server only learns of it by its ping timeout
      t.readyState = 'closed';
      t.pollXhr?.abort();
      (s.io.engine._onClose || s.io.engine.onClose).call(s.io.engine, 'transport close');
    }
  }

  async function life(k) {
    await sleep(between(0, 10000)); // stagger the first connections
    while (Date.now() < end) {
      const me = `${id}.${k}.${st.incarnations++}`;
      const s = ioClient(`http://127.0.0.1:${port}/`, {
        forceNew: true, reconnection: false, timeout: 60000, transports: pick(TRANSPORTS),
      });
      const life = { alive: false, dropping: false, onGone: [], seen: new Map(), rooms: new Set() };
      const see = (key) => {
        const n = (life.seen.get(key) || 0) + 1;
        life.seen.set(key, n);
        if (n > 1) st.duplicates.push(`${me} got ${key} ${n} times`);
      };
      s.on('self', (key) => see(key));
      s.on('room-msg', (key) => { st.roomReceived++; see(key); });
      const ok = await new Promise((resolve) => {
        s.once('connect', () => resolve(true));
        s.once('connect_error', (e) => resolve(`${e.message} ${e.description?.message ?? e.description ?? ''}`));
        setTimeout(() => resolve('no connect within 60 s'), 60000);
      });
      if (ok !== true) {
        st.connectErrors++;
        st.connectFailures.push(`${me}: ${ok}`);
        s.close();
        await sleep(between(200, 1000));
        continue;
      }
      life.alive = true;
      const born = Date.now();
      const sid = s.io.engine.id;
      let transport = s.io.engine.transport.name;
      s.io.engine.on('upgrade', (t) => { transport = `${transport}->${t.name}`; });
      s.on('disconnect', (reason, desc) => {
        life.alive = false;
        if (!life.dropping) {
          const why = desc ? ` (${desc.message || ''} ${desc.description?.message ?? desc.description ?? ''})` : '';
          st.unexpected.push(`${me} [sid ${sid}, ${transport}, up ${Date.now() - born} ms]: ${reason}${why}`);
        }
        life.onGone.splice(0).forEach((f) => f());
      });
      const dieAt = Math.min(end, Date.now() + between(3000, 30000));
      let seq = 0;
      while (life.alive && Date.now() < dieAt) {
        const r = rnd();
        const key = `${me}:${++seq}`;
        if (r < 0.45) {
          const args = seq % 4 === 0 ? [key, Buffer.from(key)] : [key, { n: seq, t: 'ünï ✓' }];
          const a = await ackOf(s, life, 'echo', args);
          if (a === 'timeout') st.lost.push(`echo ${key}`);
          else if (a) {
            st.acked++; st.echoes++;
            if (!isDeepStrictEqual(a.res, args)) st.wrong.push(`echo ${key}: ${JSON.stringify(a.res)}`);
          }
        } else if (r < 0.65) {
          const a = await ackOf(s, life, 'to', [s.id, 'self', key]);
          if (a === 'timeout') st.lost.push(`self ${key}`);
          else if (a) {
            st.acked++; st.selfs++;
            if (life.seen.get(key) !== 1) st.missing.push(`self ${key} seen ${life.seen.get(key) || 0} times at its ack`);
          }
        } else if (r < 0.8 && life.rooms.size) {
          const room = pick([...life.rooms]);
          const a = await ackOf(s, life, 'to', [room, 'room-msg', key]);
          if (a === 'timeout') st.lost.push(`room ${key}`);
          else if (a) {
            st.acked++; st.roomMsgs++;
            if (life.seen.get(key) !== 1) st.missing.push(`room ${key} seen ${life.seen.get(key) || 0} times at its ack`);
          }
        } else if (r < 0.92 || !life.rooms.size) {
          const room = pick(ROOMS);
          const a = await ackOf(s, life, 'join', [room]);
          if (a === 'timeout') st.lost.push(`join ${key}`);
          else if (a) { st.acked++; st.joins++; life.rooms.add(room); }
        } else {
          const room = pick([...life.rooms]);
          const a = await ackOf(s, life, 'leave', [room]);
          if (a === 'timeout') st.lost.push(`leave ${key}`);
          else if (a) { st.acked++; st.leaves++; life.rooms.delete(room); }
        }
        await sleep(between(100, 1500));
      }
      if (life.alive) {
        life.dropping = true;
        if (Date.now() < end && rnd() < 0.5) {
          st.abruptDrops++;
          try { dropAbruptly(s); } catch { s.disconnect(); }
        } else {
          st.cleanDrops++;
          s.disconnect();
        }
      }
      s.close();
      // a late duplicate would still show up in `see` before this point
      await sleep(between(100, 2000));
    }
  }

  // How late this process's event loop ran: a client that is itself
  // starved answers pings late, and a ping timeout then says nothing about
  // the server.
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  await Promise.all(Array.from({ length: clients }, (_, k) => life(k)));
  lag.disable();
  st.lagMaxMs = Math.round(lag.max / 1e6);
  st.lagP99Ms = Math.round(lag.percentile(99) / 1e6);
  return st;
}

// ------------------------------------------------------------ orchestrator

const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
const fdsOf = (pid) => readdirSync(`/proc/${pid}/fd`).length;
// ASan (libasan mapped, or linked in: x86-64 shadow at 0x7fff8000) or
// valgrind: their own memory dwarfs the server's, RSS says nothing then.
function instrumented(pid) {
  try {
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    return /libasan|valgrind|memcheck/.test(maps) || /^7fff8000-/m.test(maps);
  } catch {
    return false;
  }
}
const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;

async function main() {
  const seconds = Number(process.env.SOAK_SECONDS || 120);
  const total = Number(process.env.SOAK_CLIENTS || 1000);
  const nworkers = Number(process.env.SOAK_WORKERS || Math.max(1, Math.min(4, os.cpus().length)));
  const seed = Number(process.env.SOAK_SEED || Date.now() % 1000000);
  console.log(`# soak: ${total} clients in ${nworkers} workers for ${seconds} s, seed ${seed}`);

  // Node's heartbeat by default: on a loaded machine a starved client can
  // answer a ping seconds late, and a short ping timeout would then blame
  // the server. Clients that vanished without a word are reaped by it, so
  // the final wait covers one interval plus one timeout.
  const pingInterval = Number(process.env.SOAK_PING_INTERVAL || 25000);
  const pingTimeout = Number(process.env.SOAK_PING_TIMEOUT || 20000);
  const srv = await startServer(undefined, ['--ping-interval', String(pingInterval), '--ping-timeout', String(pingTimeout)]);
  const pid = srv.process.pid;
  await sleep(300);
  const fd0 = fdsOf(pid);
  const rss0 = rssOf(pid);
  let peakRss = rss0;
  let peakFds = fd0;
  const sampler = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssOf(pid));
      peakFds = Math.max(peakFds, fdsOf(pid));
    } catch { /* exited; found out below */ }
  }, 500);
  const progress = setInterval(() => {
    try { console.log(`# t+${Math.round((Date.now() - t0) / 1000)} s: server RSS ${mib(rssOf(pid))}, ${fdsOf(pid)} fds`); } catch { /* gone */ }
  }, 15000);
  const t0 = Date.now();

  const results = await Promise.all(Array.from({ length: nworkers }, (_, w) => new Promise((resolve) => {
    const clients = Math.floor(total / nworkers) + (w < total % nworkers ? 1 : 0);
    const child = fork(SELF, ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let got = null;
    const kill = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
    child.on('message', (m) => { got = m; });
    child.on('exit', (code) => {
      clearTimeout(kill);
      resolve(got || { worker: w, crashed: `exit ${code}` });
    });
    child.send({ port: srv.port, clients, seconds, seed: seed * 31 + w, id: w });
  })));
  clearInterval(progress);

  // Every client is gone: wait (bounded) for the server to let go of them.
  const allowed = Math.max(2 * rss0, rss0 + 32 * MiB);
  let fd1 = fdsOf(pid);
  let rss1 = rssOf(pid);
  const until = Date.now() + pingInterval + pingTimeout + 15000;
  while ((fd1 > fd0 || rss1 > allowed) && Date.now() < until) {
    await sleep(500);
    fd1 = fdsOf(pid);
    rss1 = rssOf(pid);
  }
  clearInterval(sampler);

  const sum = (f) => results.reduce((a, r) => a + (r[f] || 0), 0);
  const all = (f) => results.flatMap((r) => r[f] || []);
  console.log(`# ${sum('incarnations')} connections made (${sum('connectErrors')} failed to connect), ` +
    `${sum('cleanDrops')} clean and ${sum('abruptDrops')} abrupt drops`);
  console.log(`# ${sum('acked')} acked: ${sum('echoes')} echoes, ${sum('selfs')} to self, ${sum('roomMsgs')} to rooms ` +
    `(${sum('roomReceived')} room deliveries), ${sum('joins')} joins, ${sum('leaves')} leaves`);
  console.log(`# client event loop delay: p99 ${results.map((r) => r.lagP99Ms).join('/')} ms, ` +
    `max ${results.map((r) => r.lagMaxMs).join('/')} ms (per worker)`);
  console.log(`# server: fds ${fd0} at start, peak ${peakFds}, ${fd1} at the end; ` +
    `RSS ${mib(rss0)} at start, peak ${mib(peakRss)}, ${mib(rss1)} at the end (allowed ${mib(allowed)})`);

  const checks = [];
  const check = (name, ok, detail = []) => checks.push({ name, ok, detail });
  const crashed = results.filter((r) => r.crashed);
  check('every worker finished', crashed.length === 0, crashed.map((r) => `worker ${r.worker}: ${r.crashed}`));
  check('clients connected and exchanged acked messages', sum('acked') > total, [`${sum('acked')} acks`]);
  check('no connection attempt failed', sum('connectErrors') === 0, all('connectFailures'));
  check('no ack lost', all('lost').length === 0, all('lost'));
  check('every ack carried the right arguments', all('wrong').length === 0, all('wrong'));
  check('every acked message delivered exactly once', all('missing').length === 0 && all('duplicates').length === 0,
    [...all('missing'), ...all('duplicates')]);
  check('no client was disconnected unless it chose to', all('unexpected').length === 0, all('unexpected'));
  check(`server fd count back to its start (${fd0})`, fd1 <= fd0, [`${fd1} fds`]);
  if (instrumented(pid)) console.log(`# server under ASan/valgrind: RSS not meaningful, not checked`);
  else check(`server RSS back near its baseline (<= ${mib(allowed)})`, rss1 <= allowed, [mib(rss1)]);
  const { code, sig } = await srv.stop();
  check('server exits 0 on SIGTERM', code === 0 && sig === null, [`code ${code} signal ${sig}`, srv.output().slice(-2000)]);

  let pass = 0;
  let fail = 0;
  checks.forEach((c, i) => {
    if (c.ok) pass++; else fail++;
    console.log(`${c.ok ? 'ok' : 'not ok'} ${i + 1} - soak: ${c.name}`);
    if (!c.ok) c.detail.slice(0, 20).forEach((d) => console.log(`#   ${String(d).split('\n').join('\n#   ')}`));
  });
  console.log(`# pass ${pass}`);
  console.log(`# fail ${fail}`);
  process.exit(fail ? 1 : 0);
}

if (process.argv.includes('--worker')) {
  process.once('message', (cfg) => {
    worker(cfg).then((st) => process.send(st, () => process.exit(0)), (e) => {
      process.send({ worker: cfg.id, crashed: String(e?.stack || e) }, () => process.exit(1));
    });
  });
} else {
  main().catch((e) => {
    console.error(e);
    console.log('not ok 1 - soak: ran');
    console.log('# pass 0');
    console.log('# fail 1');
    process.exit(1);
  });
}
