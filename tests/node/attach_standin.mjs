#!/usr/bin/env node
// Stand-in for the two attach examples of issue 21, on node:http and the real
// npm `socket.io` server, so that tests/interop/attach.test.mjs is proven right
// before the C examples exist:
//   build/attach_microhttpd  libmicrohttpd serves the app's page and Socket.IO
//                            on one port (this file without --loop);
//   build/loop_libuv         our server and our client inside one libuv loop
//                            (this file with --loop).
//
// Usage: node tests/node/attach_standin.mjs [--loop] [--host H] [--port N]
//          [--ping-interval MS] [--ping-timeout MS] [--connect URL|self] [--verbose]
//   --host H, --port N   listen address (the tests always give 127.0.0.1 and a
//                        free port; N = 0 picks one); prints `listening on port N`
//                        once both the page and Socket.IO are served.
//   --ping-interval MS, --ping-timeout MS
//                        the Engine.IO heartbeat (default 25000 / 20000, Node's).
//   --connect URL        (--loop only) the in-loop client, described below; the
//                        word `self` means this very server (http://H:N).
//   --verbose            diagnostics on stderr.
//
// The contract on that one port, both hosts (HOST below is `libmicrohttpd`
// without --loop, `libuv` with it):
//   GET /                200, Content-Type text/html; charset=utf-8, the page
//                        PAGE(HOST) below: it contains `attached to HOST` and
//                        loads `/socket.io/socket.io.js`.
//   /socket.io/          Socket.IO (polling, WebSocket, upgrade), namespaces "/"
//                        and "/custom", answering exactly as examples/echo.c:
//                        `auth` on connect, auth.deny refused, E with an ack is
//                        acked with its arguments, E without one comes back as
//                        `E-back`, join/leave/to/broadcast/ask, disconnect-me.
//   /socket.io/socket.io.js  the browser client (200, JavaScript).
//   any other path       the HOST's own 404: status 404, text/plain, body
//                        `no page here (HOST)\n` (not the library's "Not Found").
//   SIGTERM / SIGINT     exit 0.
//
// The in-loop client (loop_libuv --connect URL): one Socket.IO client, run by
// the same loop as the server, connects to URL namespace "/" with the auth
// payload {"from":"loop_libuv"} and default transports (polling, then
// upgrade). Each line on stdout is one of
//   client connect ID           connected (ID: its socket id)
//   client event NAME JSON      any event received; JSON: its arguments as a
//                               JSON array on one line
//   client ack JSON             the ack of its own "echo" emit, JSON as above
//   client disconnect REASON    the connection is lost (the Node client's reason)
// On every connect it emits, in this order:
//   "echo" "from-loop" 42 {"nested":[true,null]}   with an ack: -> `client ack`
//   "hello" "world"                                -> the server's `hello-back`
//   "ask" "from-server" "q"                        -> the server asks it back
// and every event that comes with an ack request is acked with the event's
// own arguments (so the echo server's "ask" comes back as `ask-back ["q"]`).
// Against the echo contract the lines are therefore (order of the last four
// may vary):
//   client connect ID
//   client event auth [{"from":"loop_libuv"}]
//   client ack ["from-loop",42,{"nested":[true,null]}]
//   client event hello-back ["world"]
//   client event from-server ["q"]
//   client event ask-back ["q"]
// Reconnection is left at the library's defaults; the tests rely on none.

import http from 'node:http';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';

function parseArgs(argv) {
  const o = { host: '127.0.0.1', port: 3000, loop: false };
  const num = (name, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) {
      process.stderr.write(`attach_standin: ${name} needs a non-negative integer\n`);
      process.exit(2);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--loop': o.loop = true; break;
      case '--host': o.host = argv[++i]; break;
      case '--port': o.port = num(a, argv[++i]); break;
      case '--ping-interval': o.pingInterval = num(a, argv[++i]); break;
      case '--ping-timeout': o.pingTimeout = num(a, argv[++i]); break;
      case '--connect': o.connect = argv[++i]; break;
      case '--verbose': o.verbose = true; break;
      default:
        process.stderr.write(`attach_standin: unknown option ${a}\n`);
        process.exit(2);
    }
  }
  if (o.connect !== undefined && !o.loop) {
    process.stderr.write('attach_standin: --connect is for the libuv host (--loop) only\n');
    process.exit(2);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const HOST = opts.loop ? 'libuv' : 'libmicrohttpd';
const log = opts.verbose ? (...a) => console.error(`[attach ${HOST}]`, ...a) : () => {};

// The app's own page. The tests check `attached to HOST` and the script tag.
const PAGE = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>attached to ${HOST}</title></head>
<body>
<h1>attached to ${HOST}</h1>
<p>This page is served by the host; Socket.IO answers on the same port.</p>
<p id="state">connecting</p>
<script src="/socket.io/socket.io.js"></script>
<script>
  const socket = io();
  socket.on('auth', () => { document.getElementById('state').textContent = 'connected'; });
</script>
</body>
</html>
`;

const server = http.createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(PAGE) });
    res.end(req.method === 'HEAD' ? undefined : PAGE);
    return;
  }
  const body = `no page here (${HOST})\n`;
  res.writeHead(404, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
});
// A raw client that goes away in the middle of a request must not matter.
server.on('clientError', (err, socket) => { log('clientError', err.code); socket.destroy(); });

const io = new Server(server, {
  ...(opts.pingInterval !== undefined ? { pingInterval: opts.pingInterval } : {}),
  ...(opts.pingTimeout !== undefined ? { pingTimeout: opts.pingTimeout } : {}),
});

// The echo contract of examples/echo.c (the Socket.IO part), for "/" and "/custom".
function setup(nsp) {
  nsp.use((socket, next) => {
    const auth = socket.handshake.auth;
    if (auth && typeof auth === 'object' && auth.deny !== undefined) next(new Error(String(auth.deny)));
    else next();
  });
  nsp.on('connection', (socket) => {
    log('connection', nsp.name, socket.id, socket.conn.transport.name);
    socket.emit('auth', socket.handshake.auth ?? {});
    socket.onAny((event, ...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      switch (event) {
        case 'join':
        case 'leave':
          if (event === 'join') socket.join(args[0]); else socket.leave(args[0]);
          if (ack) ack(args[0]);
          return;
        case 'to':
          nsp.to(args[0]).emit(args[1], ...args.slice(2));
          if (ack) ack(...args);
          return;
        case 'broadcast':
          socket.broadcast.emit(args[0], ...args.slice(1));
          if (ack) ack(...args);
          return;
        case 'ask':
          socket.timeout(5000).emit(args[0], ...args.slice(1), (err, ...res) => {
            if (err) socket.emit('ask-back', 'timeout');
            else socket.emit('ask-back', ...res);
          });
          if (ack) ack(...args);
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

// ------------------------------------------------------------ in-loop client

let client = null;
function say(line) { process.stdout.write(`${line}\n`); }

function startClient(url) {
  client = ioClient(url, { forceNew: true, auth: { from: 'loop_libuv' } });
  client.on('connect', () => {
    say(`client connect ${client.id}`);
    client.emit('echo', 'from-loop', 42, { nested: [true, null] }, (...res) => say(`client ack ${JSON.stringify(res)}`));
    client.emit('hello', 'world');
    client.emit('ask', 'from-server', 'q');
  });
  client.onAny((event, ...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    say(`client event ${event} ${JSON.stringify(args)}`);
    if (ack) ack(...args);
  });
  client.on('disconnect', (reason) => say(`client disconnect ${reason}`));
  client.on('connect_error', (err) => log('client connect_error', err.message));
}

server.listen(opts.port, opts.host, () => {
  const port = server.address().port;
  say(`listening on port ${port}`);
  if (opts.connect !== undefined) {
    startClient(opts.connect === 'self' ? `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}` : opts.connect);
  }
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  setTimeout(() => process.exit(0), 1000).unref();
  if (client) { client.io.reconnection(false); client.disconnect(); }
  io.close(() => process.exit(0));
  server.closeAllConnections?.();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
