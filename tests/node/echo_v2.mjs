#!/usr/bin/env node
// The build/echo contract (see echo_server.mjs) on a Socket.IO v2 server, npm
// `socket.io@2` (alias socket.io-v2: Engine.IO v3), for the tests of our
// client with `--eio 3` (issue 15). Only /socket.io/, namespaces "/" and
// "/custom"; no bare /engine.io/ endpoint.
//
// Usage: node tests/node/echo_v2.mjs [--host H] [--port N] [--ping-interval MS]
//          [--ping-timeout MS] [--max-payload BYTES] [--verbose]
//
// Differences that v2 imposes:
//   on connect    emit `auth` with the connect-time data, which v2 clients
//                 send as a query string (on the handshake URL and, for a
//                 namespace other than "/", on its CONNECT: `40/custom?k=v,`):
//                 the handshake query without Engine.IO's own keys (EIO,
//                 transport, t, sid, b64, j), so every value is a string.
//   auth.deny     in "/custom" only: refuse with the v2 CONNECT_ERROR, a bare
//                 string: `44/custom,"no"`. ("/" is joined implicitly, with the
//                 handshake URL's query, which every namespace shares: a deny
//                 there would refuse them all.)
//   ask           the 5 s ack timeout is our own timer (v2 has no timeout()).
// Prints `listening on port N` once listening; exits 0 on SIGTERM/SIGINT.

import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const SocketIO = require('socket.io-v2');

function parseArgs(argv) {
  const o = { port: 3000 };
  const num = (name, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) {
      process.stderr.write(`echo_v2: ${name} needs a non-negative number\n`);
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
      case '--verbose': o.verbose = true; break;
      default:
        process.stderr.write(`echo_v2: unknown option ${a}\n`);
        process.exit(2);
    }
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = opts.verbose ? (...a) => console.error('[echo_v2]', ...a) : () => {};

const server = http.createServer((req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found\n');
});
const ioOpts = {};
for (const k of ['pingInterval', 'pingTimeout', 'maxHttpBufferSize']) {
  if (opts[k] !== undefined) ioOpts[k] = opts[k];
}
const io = SocketIO(server, ioOpts);

const ENGINE_KEYS = new Set(['EIO', 'transport', 't', 'sid', 'b64', 'j']);
function connectData(socket) {
  const out = {};
  for (const [k, v] of Object.entries(socket.handshake.query || {})) {
    if (!ENGINE_KEYS.has(k)) out[k] = v;
  }
  return out;
}

// --verbose logs the Engine.IO traffic to stderr, one line each: `engine open
// SID TRANSPORT`, `engine upgrade SID websocket`, `<- SID TYPE DATA` (received,
// so a client's pings show as `<- SID ping`), `-> SID TYPE DATA`, `engine close`.
if (opts.verbose) {
  io.engine.on('connection', (conn) => {
    log('engine open', conn.id, conn.transport.name);
    const show = (d) => (d === undefined ? '' : typeof d === 'string' ? d.slice(0, 200) : `<${d.length} bytes>`);
    conn.on('packet', (p) => log('<-', conn.id, p.type, show(p.data)));
    conn.on('packetCreate', (p) => log('->', conn.id, p.type, show(p.data)));
    conn.on('close', (reason) => log('engine close', conn.id, reason));
    conn.on('upgrade', () => log('engine upgrade', conn.id, conn.transport.name));
  });
}

function handle(nsp, socket, event, args, ack) {
  switch (event) {
    case 'join': socket.join(args[0], () => ack && ack(args[0])); return;
    case 'leave': socket.leave(args[0], () => ack && ack(args[0])); return;
    case 'to':
      nsp.to(args[0]).emit(args[1], ...args.slice(2));
      if (ack) ack();
      return;
    case 'broadcast':
      socket.broadcast.emit(args[0], ...args.slice(1));
      if (ack) ack();
      return;
    case 'ask': {
      let done = false;
      const t = setTimeout(() => { done = true; socket.emit('ask-back', 'timeout'); }, 5000);
      socket.emit(args[0], ...args.slice(1), (...res) => {
        if (done) return;
        clearTimeout(t);
        socket.emit('ask-back', ...res);
      });
      if (ack) ack();
      return;
    }
    case 'disconnect-me': socket.disconnect(); return;
    default:
      if (ack) ack(...args);
      else socket.emit(`${event}-back`, ...args);
  }
}

function setup(nsp) {
  nsp.use((socket, next) => {
    const data = connectData(socket);
    if (nsp.name !== '/' && data.deny !== undefined) next(new Error(String(data.deny)));
    else next();
  });
  nsp.on('connection', (socket) => {
    log('connection', nsp.name, socket.id);
    socket.emit('auth', connectData(socket));
    // v2 has no onAny: a packet middleware sees every event and, by never
    // calling next(), keeps it from the (absent) named handlers.
    socket.use((packet) => {
      const args = packet.slice(1);
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      handle(nsp, socket, packet[0], args, ack);
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
  setTimeout(() => process.exit(0), 1000).unref();
  io.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
