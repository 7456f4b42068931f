#!/usr/bin/env node
// A stand-in for `siocat --parser msgpack` (tools/siocat.c, client mode only)
// on the npm socket.io-client with socket.io-msgpack-parser, so that
// tests/interop/client_msgpack.test.mjs is known good before the C client
// speaks MessagePack (issue 16):
//   SIO_SIOCAT_CMD="node tests/node/siocat_standin_msgpack.mjs"
//
// siocat's line protocol: each stdin line ["event", arg, ...] is emitted, each
// event received is printed as one compact JSON array line; binary is
// {"_binary":"<base64>"} both ways, at any depth; events that ask for an ack
// get one with no arguments; --ack emits with an ack request and prints
// {"ack":[...]}. Options: --parser msgpack|default, --ack, --ack-timeout MS,
// --namespace /x, --auth JSON (an object), --transport polling|websocket|auto,
// --count N, -q SECONDS (default 0; never with --count), --quiet, -v.
// Exit status: 0 on a clean end (stdin done and -q passed, --count reached,
// io server disconnect, a signal), 1 when the connection fails or is refused
// (the reason on stderr; a parser mismatch shows as the server closing the
// connection before CONNECT), 2 on bad usage, 3 when an ack did not come.

import { createInterface } from 'node:readline';
import { io } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

const o = { transport: 'auto', quit: undefined, count: 0, parser: 'default', ackTimeout: 10000 };
const argv = process.argv.slice(2);
const usage = (why) => { process.stderr.write(`siocat: ${why}\n`); process.exit(2); };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
  if (a === '--parser') o.parser = next();
  else if (a === '--ack') o.ack = true;
  else if (a === '--ack-timeout') o.ackTimeout = Number(next());
  else if (a === '-v') o.verbose = true;
  else if (a === '--quiet') o.quiet = true;
  else if (a === '--namespace') o.nsp = next();
  else if (a === '--auth') o.auth = next();
  else if (a === '--transport') o.transport = next();
  else if (a === '--count') o.count = Number(next());
  else if (a === '-q') o.quit = Number(next());
  else if (a[0] !== '-' && !o.url) o.url = a;
  else usage(`unknown option ${a}`);
}
if (o.parser !== 'msgpack' && o.parser !== 'default') usage('--parser msgpack|default');
if (!o.url) usage('no URL');
if (o.nsp && o.nsp[0] !== '/') usage('--namespace must start with /');
if (o.quit === undefined) o.quit = o.count > 0 ? -1 : 0;
let auth;
if (o.auth) {
  try { auth = JSON.parse(o.auth); } catch { usage('--auth must be a JSON object'); }
  if (!auth || typeof auth !== 'object' || Array.isArray(auth)) usage('--auth must be a JSON object');
}
const transports = { polling: ['polling'], websocket: ['websocket'], auto: ['polling', 'websocket'] }[o.transport];
if (!transports) usage('--transport polling|websocket|auto');
const status = (m) => { if (!o.quiet) process.stderr.write(`siocat: ${m}\n`); };
const log = o.verbose ? status : () => {};

const toWire = (v) => {
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === '_binary' && typeof v._binary === 'string') return Buffer.from(v._binary, 'base64');
    return Object.fromEntries(keys.map((k) => [k, toWire(v[k])]));
  }
  return v;
};
const fromWire = (v) => {
  if (Buffer.isBuffer(v)) return { _binary: v.toString('base64') };
  if (v instanceof ArrayBuffer) return { _binary: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { _binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.keys(v).map((k) => [k, fromWire(v[k])]));
  return v;
};

const url = new URL(o.url.replace(/^ws/, 'http'));
const nsp = o.nsp || (url.pathname !== '/' ? url.pathname : '/');
const socket = io(`${url.protocol}//${url.host}${nsp}${url.search}`, {
  forceNew: true,
  transports,
  ...(auth ? { auth } : {}),
  ...(o.parser === 'msgpack' ? { parser: msgpackParser } : {}),
});
let received = 0;
let pending = 0;
let everConnected = false;
let stdinOpen = true;
let missed = false;
let ending = false;

function finish(code) {
  if (ending) return;
  ending = true;
  socket.io.reconnection(false);
  // let the last packets and DISCONNECT leave before the process ends
  setTimeout(() => { socket.close(); setTimeout(() => process.exit(code), 100); }, 50);
}
const countOne = () => { received++; if (o.count > 0 && received >= o.count) finish(0); };
function maybeQuit() {
  if (o.quit >= 0 && !stdinOpen && pending === 0 && everConnected) {
    setTimeout(() => finish(missed ? 3 : 0), o.quit * 1000);
  }
}

socket.onAny((event, ...args) => {
  const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
  process.stdout.write(`${JSON.stringify(fromWire([event, ...args]))}\n`);
  if (ack) ack();
  countOne();
});
socket.on('connect', () => {
  if (!everConnected) log(`connected to ${nsp} as ${socket.id} over ${socket.io.engine.transport.name}`);
  else status(`reconnected to ${nsp}, id ${socket.id}`);
  everConnected = true;
  maybeQuit();
});
socket.on('disconnect', (reason) => {
  if (!everConnected || ending) return;
  status(`disconnected: ${reason}`);
  if (reason === 'io server disconnect') finish(0);
});
const failed = (why) => {
  if (everConnected) { status(`connect error: ${why}`); return; }
  process.stderr.write(`siocat: connection failed: ${why}\n`);
  finish(1);
};
socket.on('connect_error', (e) => failed(`${e?.message ?? String(e)}${e?.data !== undefined ? ` ${JSON.stringify(e.data)}` : ''}`));
// A server on the other parser closes the connection before any CONNECT reply.
socket.io.on('close', (reason) => {
  if (!everConnected) failed(`${reason}: the server closed the connection before the namespace was joined (another parser?)`);
});

const rl = createInterface({ input: process.stdin });
let lineno = 0;
rl.on('line', (line) => {
  lineno++;
  const t = line.trim();
  if (!t) return;
  let arr;
  try { arr = JSON.parse(t); } catch { arr = null; }
  if (!Array.isArray(arr) || typeof arr[0] !== 'string') {
    process.stderr.write(`siocat: line ${lineno}: not a JSON array led by an event name, skipped\n`);
    return;
  }
  const args = toWire(arr.slice(1));
  if (!o.ack) { socket.emit(arr[0], ...args); return; }
  pending++;
  const n = lineno;
  const s = o.ackTimeout > 0 ? socket.timeout(o.ackTimeout) : socket;
  s.emit(arr[0], ...args, (...res) => {
    if (o.ackTimeout > 0) {
      const err = res.shift();
      if (err) {
        missed = true;
        process.stderr.write(`siocat: line ${n} ("${arr[0]}"): no ack within ${o.ackTimeout} ms\n`);
      } else {
        process.stdout.write(`${JSON.stringify({ ack: fromWire(res) })}\n`);
        countOne();
      }
    } else {
      process.stdout.write(`${JSON.stringify({ ack: fromWire(res) })}\n`);
      countOne();
    }
    pending--;
    maybeQuit();
  });
});
rl.on('close', () => { stdinOpen = false; maybeQuit(); });
process.on('SIGTERM', () => finish(0));
process.on('SIGINT', () => finish(0));
