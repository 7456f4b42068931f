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
// Prints `listening on port N` once listening; exits 0 on SIGTERM/SIGINT.

import http from 'node:http';
import { Server as SioServer } from 'socket.io';
import { Server as EioServer } from 'engine.io';

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
  destroyUpgrade: false,
});

// Both engines were attached with destroyUpgrade:false so that neither kills
// the other's WebSocket; an upgrade to any other path is refused here instead.
server.on('upgrade', (req, socket) => {
  if (req.url.startsWith('/engine.io/') || req.url.startsWith('/socket.io/')) return;
  socket.on('error', () => {});
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
});

function setup(nsp) {
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
