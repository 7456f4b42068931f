#!/usr/bin/env node
// A stand-in for `siocat --eio 3` (tools/siocat.c, client mode only) on the
// npm socket.io-client@2 (alias socket.io-client-v2), so that
// tests/interop/client_v2.test.mjs is known good before the C client speaks
// Engine.IO v3: SIO_SIOCAT_CMD="node tests/node/siocat_standin_v2.mjs".
//
// siocat's line protocol: each stdin line ["event", arg, ...] is emitted,
// each event received is printed as one compact JSON array line; binary is
// {"_binary":"<base64>"} both ways; events that ask for an ack get one with
// no arguments; --ack emits with an ack request and prints {"ack":[...]}.
// Options: --eio 3 (required here), --ack, --namespace /x, --auth JSON (an
// object: sent as the v2 connect query, so values arrive as strings),
// --transport polling|websocket|auto, --count N, -q SECONDS, -v.
// Exit status: 0 on a clean end, 1 when the connection fails or is refused
// (reason on stderr), 2 on bad usage.

import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const o = { transport: 'auto', quit: -1, count: 0 };
const argv = process.argv.slice(2);
const usage = (why) => { process.stderr.write(`siocat_standin_v2: ${why}\n`); process.exit(2); };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => { if (i + 1 >= argv.length) usage(`${a} needs a value`); return argv[++i]; };
  if (a === '--eio') o.eio = next();
  else if (a === '--ack') o.ack = true;
  else if (a === '-v') o.verbose = true;
  else if (a === '--namespace') o.nsp = next();
  else if (a === '--auth') o.auth = next();
  else if (a === '--transport') o.transport = next();
  else if (a === '--count') o.count = Number(next());
  else if (a === '-q') o.quit = Number(next());
  else if (a[0] !== '-' && !o.url) o.url = a;
  else usage(`unknown option ${a}`);
}
if (o.eio !== '3') usage('only --eio 3 is stood in for');
if (!o.url) usage('no URL');
if (o.nsp && o.nsp[0] !== '/') usage('--namespace must start with /');
let query;
if (o.auth) {
  try { query = JSON.parse(o.auth); } catch { usage('--auth must be a JSON object'); }
  if (!query || typeof query !== 'object' || Array.isArray(query)) usage('--auth must be a JSON object');
}
const transports = { polling: ['polling'], websocket: ['websocket'], auto: ['polling', 'websocket'] }[o.transport];
if (!transports) usage('--transport polling|websocket|auto');
const log = o.verbose ? (m) => process.stderr.write(`siocat: ${m}\n`) : () => {};

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
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer) return { _binary: Buffer.from(v).toString('base64') };
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).map((k) => [k, fromWire(v[k])]));
  return v;
};

const url = o.url.replace(/\/+$/, '') + (o.nsp || '/');
const socket = io2(url, { forceNew: true, transports, ...(query ? { query } : {}) });
let received = 0;
let pending = 0;
let everConnected = false;
let stdinOpen = true;

function finish(code) {
  socket.io.reconnection(false);
  socket.close();
  // let DISCONNECT and the close leave before the process ends
  setTimeout(() => process.exit(code), 100);
}
const countOne = () => { received++; if (o.count > 0 && received >= o.count) finish(0); };
function maybeQuit() {
  if (o.quit >= 0 && !stdinOpen && pending === 0) setTimeout(() => finish(0), o.quit * 1000);
}

// v2 has no onAny: onevent, replaced, sees every event and whether it asks for an ack.
socket.onevent = function onevent(packet) {
  process.stdout.write(`${JSON.stringify(fromWire(packet.data || []))}\n`);
  if (packet.id != null) this.ack(packet.id)();
  countOne();
};
socket.on('connect', () => {
  everConnected = true;
  log(`connected to ${o.nsp || '/'} as ${socket.id} over ${socket.io.engine.transport.name}`);
});
socket.on('disconnect', (reason) => {
  log(`disconnected: ${reason}`);
  if (reason === 'io server disconnect') finish(0);
});
const failed = (why) => {
  if (everConnected) { log(`connect error: ${why}`); return; }
  process.stderr.write(`siocat: connection failed: ${why}\n`);
  finish(1);
};
socket.on('connect_error', (e) => failed(e?.message ?? String(e)));
socket.on('error', (e) => failed(typeof e === 'string' ? e : (e?.message ?? JSON.stringify(e))));

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
  socket.emit(arr[0], ...args, (...res) => {
    process.stdout.write(`${JSON.stringify({ ack: fromWire(res) })}\n`);
    pending--;
    countOne();
    maybeQuit();
  });
});
rl.on('close', () => { stdinOpen = false; maybeQuit(); });
process.on('SIGTERM', () => finish(0));
process.on('SIGINT', () => finish(0));
