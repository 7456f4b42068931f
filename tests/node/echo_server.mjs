#!/usr/bin/env node
// Reference implementation of the build/echo contract (issue 3), on the real
// npm `socket.io` and `engine.io` servers. The interop tests run against this
// file to prove that the tests themselves are right; build/echo (C) must then
// behave the same way.
//
// Usage: node tests/node/echo_server.mjs [--host H] [--port N] [--ping-interval MS]
//          [--ping-timeout MS] [--max-payload BYTES] [--connect-timeout MS] [--cors ORIGIN]
//          [--max-connections N] [--http-timeout MS] [--max-output BYTES] [--verbose]
// (--cors: "*" or a comma-separated allow-list, no credentials; the last three
// are limits of the C server that Node lacks: accepted and ignored.)
// --parser msgpack|default (issue 16): msgpack makes /socket.io/ speak
// socket.io-msgpack-parser (every packet one MessagePack map in one binary
// Engine.IO message); default (or no option) is the JSON parser. /engine.io/
// is the same either way.
// --allow-eio3 (issue 15): /socket.io/ also accepts Engine.IO v3 / Socket.IO v2
// clients (EIO=3), as Node's `allowEIO3`; without it EIO=3 gets HTTP 400
// {"code":5,"message":"Unsupported protocol version"}. A v2 client's connect
// data is the query of its CONNECT (`40/custom?k=v,`), so `auth` is {k:"v"}
// there and always {} on "/" (Node connects "/" implicitly).
//
// Contract, on one port:
//   /engine.io/  bare Engine.IO: every message goes back unchanged (text as text,
//                binary as binary).
//   /socket.io/  namespaces "/" and "/custom", each:
//     on connect       emit `auth` with the CONNECT payload ({} when none)
//     auth.deny        refuse with CONNECT_ERROR {"message": auth.deny}
//     E with ack       ack with the same arguments
//     E without ack    emit `E-back` with the same arguments
//     join/leave room  change rooms; ack with the room name if asked
//     to [room, e, ..] emit e(..) to everyone in room (sender included if member)
//     broadcast [e,..] emit e(..) to the namespace except the sender
//     ask [e, ..]      emit e(..) to the sender with an ack (5 s timeout), then
//                      `ask-back` with the ack's arguments, or ["timeout"]
//     disconnect-me    server-side disconnect of that socket (namespace only)
//   Cluster events (issue 14; with --redis they span the cluster, without it
//   one server). `to` also takes an array of rooms (their union). "-back"
//   replies go to the sender only; every event below but whoami, asked for an
//   ack, is acked with no arguments once under way. room null = no room filter.
//     whoami           "whoami-back" [{port, pid}] (acked with it if asked):
//                      this server's listening port and process id
//     except [room, e, ..]  emit e(..) to the namespace but the members of room
//     to-local [room|null, e, ..]  as `to`, this server's sockets only (null:
//                      all of them, sender included); never published
//     fetch [room|null]  fetchSockets: "fetch-back" [err, [{id, rooms, auth}]]
//                      sorted by id, rooms sorted, auth = handshake.auth ({} if
//                      none); err null or "timeout" (then [])
//     rooms            allRooms: "rooms-back" [err, [room..]] sorted, unique,
//                      socket-id rooms included
//     sockets-join [room|null, r]   socketsJoin(r) of the sockets in room
//     sockets-leave [room|null, r]  socketsLeave(r)
//     disconnect-sockets [room|null, close]  disconnectSockets(close === true)
//     acks [room|null, ms, e, ..]  emit e(..) to room (null: everyone but the
//                      sender) asking each receiver for an ack within ms:
//                      "acks-back" [err, answers], answers = the FIRST argument
//                      of each ack in arrival order (binary kept); err null, or
//                      "timeout" with the answers that came
//     server-emit [..]  serverSideEmit("echo", ..) to the other servers
//     server-ask [..]   serverSideEmitWithAck("echo", ..): "server-ask-back"
//                      [err, replies sorted by port, then pid]; err null or
//                      "timeout" (5 s, with the replies that came)
//   Server-side event "echo" [..] (from another server or the emitter): emit
//   "server-echo" [..] to this server's own sockets of that namespace; if an
//   ack is wanted, answer {port, pid, args: [..]}.
// --redis HOST:PORT | redis://[:PASSWORD@]HOST:PORT[/DB] (issue 14): join a
// cluster through @socket.io/redis-adapter 8 (classic adapter, key prefix
// "socket.io") on redis@4 clients. A publish while Redis is away is dropped,
// not queued (never delivered remotely late); the clients reconnect alone.
// Prints `listening on port N` once listening; exits 0 on SIGTERM/SIGINT.

import http from 'node:http';
import { Server as SioServer } from 'socket.io';
import { Server as EioServer } from 'engine.io';
import msgpackParser from 'socket.io-msgpack-parser';

function parseArgs(argv) {
  const o = { host: undefined, port: 3000 };
  const num = (name, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) {
      process.stderr.write(`echo_server: ${name} needs a non-negative number\n`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--host': o.host = argv[++i]; break;
      case '--port': o.port = num(a, argv[++i]); break;
      case '--ping-interval': o.pingInterval = num(a, argv[++i]); break;
      case '--ping-timeout': o.pingTimeout = num(a, argv[++i]); break;
      case '--max-payload': o.maxHttpBufferSize = num(a, argv[++i]); break;
      case '--connect-timeout': o.connectTimeout = num(a, argv[++i]); break;
      case '--cors': o.cors = argv[++i]; break;
      case '--redis': o.redis = argv[++i]; if (!o.redis) { process.stderr.write('echo_server: --redis needs HOST:PORT or a redis:// URL\n'); process.exit(2); } break;
      case '--allow-eio3': o.allowEIO3 = true; break;
      // issue 17, the Admin UI (see the comment above instrument() below)
      case '--admin': o.admin = argv[++i]; if (!/:/.test(o.admin ?? '')) { process.stderr.write('echo_server: --admin needs USER:PASS\n'); process.exit(2); } break;
      case '--admin-no-auth': o.admin = false; break;
      case '--admin-mode': o.adminMode = argv[++i]; if (!['development', 'production'].includes(o.adminMode)) { process.stderr.write('echo_server: --admin-mode needs development or production\n'); process.exit(2); } break;
      case '--admin-server-id': o.adminServerId = argv[++i]; break;
      case '--admin-namespace': o.adminNamespace = argv[++i]; break;
      case '--parser':
        o.parser = argv[++i];
        if (o.parser !== 'msgpack' && o.parser !== 'default') {
          process.stderr.write('echo_server: --parser needs msgpack or default\n');
          process.exit(2);
        }
        break;
      // build/echo limits with no Node counterpart: accepted, ignored.
      case '--max-connections': case '--http-timeout': case '--max-output': num(a, argv[++i]); break;
      case '--verbose': o.verbose = true; break;
      default:
        process.stderr.write(`echo_server: unknown option ${a}\n`);
        process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = opts.verbose ? (...a) => console.error('[echo]', ...a) : () => {};

// Only pass the options that were given, so that everything else keeps the
// Node defaults the C server is supposed to mirror (25000/20000/1e6/45000).
const common = {};
if (opts.cors !== undefined) common.cors = { origin: opts.cors === '*' ? '*' : opts.cors.split(',') };
// --admin: the UI polls withCredentials, from https://admin.socket.io or the --cors origins ("*": any, named back).
if (opts.admin !== undefined) common.cors = { origin: opts.cors === '*' ? true : ['https://admin.socket.io', ...(opts.cors ? opts.cors.split(',') : [])], credentials: true };
for (const k of ['pingInterval', 'pingTimeout', 'maxHttpBufferSize']) {
  if (opts[k] !== undefined) common[k] = opts[k];
}

// Requests outside both endpoints get a 404; without this handler Node would
// leave them hanging, which no real server does.
const server = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});

const eio = new EioServer({ ...common });
eio.attach(server, { path: '/engine.io', destroyUpgrade: false });
eio.on('connection', (sock) => {
  log('eio connection', sock.id, sock.transport.name);
  sock.on('message', (data) => sock.send(data));
});

const io = new SioServer(server, {
  ...common,
  ...(opts.connectTimeout !== undefined ? { connectTimeout: opts.connectTimeout } : {}),
  ...(opts.parser === 'msgpack' ? { parser: msgpackParser } : {}),
  ...(opts.allowEIO3 ? { allowEIO3: true } : {}),
  destroyUpgrade: false,
});

// Both engines were attached with destroyUpgrade:false so that neither kills
// the other's WebSocket; an upgrade to any other path is refused here instead.
server.on('upgrade', (req, socket) => {
  if (req.url.startsWith('/engine.io/') || req.url.startsWith('/socket.io/')) return;
  socket.on('error', () => {});
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
});

// --redis (issue 14): the classic Redis adapter, set before the namespaces.
if (opts.redis !== undefined) {
  const { createClient } = await import('redis');
  const { createAdapter } = await import('@socket.io/redis-adapter');
  const url = /^rediss?:\/\//.test(opts.redis) ? opts.redis : `redis://${opts.redis}`;
  // No offline queue on the publisher: a broadcast while Redis is away fails
  // and is dropped (the adapter does not catch it) instead of going out late.
  const pub = createClient({ url, disableOfflineQueue: true });
  const sub = pub.duplicate({ disableOfflineQueue: false });
  for (const c of [pub, sub]) c.on('error', (e) => log('redis:', e.message));
  process.on('unhandledRejection', (e) => log('redis: dropped:', e?.message ?? e));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}

const inRoom = (nsp, room) => (room == null ? nsp : nsp.in(room));
const errName = (e) => (/time/i.test(String(e?.message)) ? 'timeout' : String(e?.message ?? e));
// "-back" reply of a cluster request: [null, result] or [err, partial result]
function reply(socket, event, promise, shape) {
  promise.then((r) => socket.emit(event, null, shape(r)), (e) => socket.emit(event, errName(e), shape(e?.responses ?? [])));
}
const sorted = (it) => [...it].sort();

function setup(nsp) {
  // server-side event "echo" (see the top of the file)
  nsp.on('echo', (...args) => {
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    nsp.local.emit('server-echo', ...args);
    if (cb) cb({ port: server.address().port, pid: process.pid, args });
  });
  nsp.use((socket, next) => {
    const auth = socket.handshake.auth;
    if (auth && typeof auth === 'object' && auth.deny !== undefined) {
      next(new Error(String(auth.deny)));
    } else {
      next();
    }
  });
  nsp.on('connection', (socket) => {
    log('connection', nsp.name, socket.id);
    socket.emit('auth', socket.handshake.auth ?? {});
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      switch (event) {
        case 'join':
          socket.join(args[0]);
          if (ack) ack(args[0]);
          return;
        case 'leave':
          socket.leave(args[0]);
          if (ack) ack(args[0]);
          return;
        case 'to':
          nsp.to(args[0]).emit(args[1], ...args.slice(2));
          if (ack) ack();
          return;
        case 'broadcast':
          socket.broadcast.emit(args[0], ...args.slice(1));
          if (ack) ack();
          return;
        case 'ask':
          socket.timeout(5000).emit(args[0], ...args.slice(1), (err, ...res) => {
            if (err) socket.emit('ask-back', 'timeout');
            else socket.emit('ask-back', ...res);
          });
          if (ack) ack();
          return;
        case 'whoami': {
          const me = { port: server.address().port, pid: process.pid };
          if (ack) ack(me);
          else socket.emit('whoami-back', me);
          return;
        }
        case 'except':
          nsp.except(args[0]).emit(args[1], ...args.slice(2));
          if (ack) ack();
          return;
        case 'to-local':
          (args[0] == null ? nsp.local : nsp.local.to(args[0])).emit(args[1], ...args.slice(2));
          if (ack) ack();
          return;
        case 'fetch':
          reply(socket, 'fetch-back', inRoom(nsp, args[0]).fetchSockets(), (list) => (Array.isArray(list) ? list : [])
            .map((s) => ({ id: s.id, rooms: sorted(s.rooms), auth: s.handshake?.auth ?? {} }))
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
          if (ack) ack();
          return;
        case 'rooms':
          reply(socket, 'rooms-back', typeof nsp.adapter.allRooms === 'function'
            ? nsp.adapter.allRooms() : Promise.resolve(new Set(nsp.adapter.rooms.keys())), (set) => (set instanceof Set ? sorted(set) : []));
          if (ack) ack();
          return;
        case 'sockets-join':
          inRoom(nsp, args[0]).socketsJoin(args[1]);
          if (ack) ack();
          return;
        case 'sockets-leave':
          inRoom(nsp, args[0]).socketsLeave(args[1]);
          if (ack) ack();
          return;
        case 'disconnect-sockets':
          inRoom(nsp, args[0]).disconnectSockets(args[1] === true);
          if (ack) ack();
          return;
        case 'acks':
          (args[0] == null ? socket.broadcast : nsp.to(args[0])).timeout(Number(args[1])).emit(args[2], ...args.slice(3),
            (err, answers) => socket.emit('acks-back', err ? 'timeout' : null, answers ?? []));
          if (ack) ack();
          return;
        case 'server-emit':
          nsp.serverSideEmit('echo', ...args);
          if (ack) ack();
          return;
        case 'server-ask':
          reply(socket, 'server-ask-back', nsp.serverSideEmitWithAck('echo', ...args), (r) => (Array.isArray(r) ? r : [])
            .slice().sort((a, b) => (a?.port - b?.port) || (a?.pid - b?.pid)));
          if (ack) ack();
          return;
        case 'disconnect-me':
          socket.disconnect();
          return;
        default:
          if (ack) ack(...args);
          else socket.emit(`${event}-back`, ...args);
      }
    });
    socket.on('disconnect', (reason) => log('disconnect', nsp.name, socket.id, reason));
  });
}
setup(io.of('/'));
setup(io.of('/custom'));

// Issue 17: instrument() of @socket.io/admin-ui 0.5.1 for the official Admin UI.
//   --admin USER:PASS          on, basic auth (PASS plain, hashed here with bcrypt; or a bcrypt hash $2a$/$2b$/$2y$)
//   --admin-no-auth            on, no auth
//   --admin-mode MODE          development (default: live socket/room/event notifications) or production
//   --admin-server-id ID       server_stats' serverId (default: the hostname)
//   --admin-namespace NAME     default /admin
// With it on, CORS allows credentials (see common.cors above). Wire facts: /work/staging/admin/NOTES.md.
if (opts.admin !== undefined) {
  const { instrument } = (await import('@socket.io/admin-ui')).default;
  let auth = false;
  if (opts.admin) {
    const bcrypt = (await import('bcryptjs')).default;
    const k = opts.admin.indexOf(':');
    const pass = opts.admin.slice(k + 1);
    auth = { type: 'basic', username: opts.admin.slice(0, k), password: /^\$2[aby]\$\d\d\$.{53}$/.test(pass) ? pass : bcrypt.hashSync(pass, 10) };
  }
  instrument(io, {
    auth,
    mode: opts.adminMode ?? 'development',
    ...(opts.adminServerId !== undefined ? { serverId: opts.adminServerId } : {}),
    ...(opts.adminNamespace !== undefined ? { namespaceName: opts.adminNamespace } : {}),
  });
} else if (opts.adminMode || opts.adminServerId !== undefined || opts.adminNamespace !== undefined) {
  process.stderr.write('echo_server: --admin-* options need --admin or --admin-no-auth\n');
  process.exit(2);
}

server.listen(opts.port, opts.host, () => {
  process.stdout.write(`listening on port ${server.address().port}\n`);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  // io.close() closes every client and the HTTP server; give it a moment and
  // exit anyway so that a stuck connection can never keep the process alive.
  setTimeout(() => process.exit(0), 1000).unref();
  eio.close();
  io.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
