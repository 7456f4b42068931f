#!/usr/bin/env node
// A stand-in for `client_driver --eio 3` (tests/client_driver.c) on the npm
// socket.io-client@2 (alias socket.io-client-v2), so that the driver cases of
// tests/interop/client_v2.test.mjs are known good before the C client speaks
// Engine.IO v3: SIO_CLIENT_DRIVER_CMD="node tests/node/driver_standin_v2.mjs".
//
// driver_standin_v2 URL --eio 3 [--transport T] [--delay MS] [--delay-max MS]
//                   [--attempts N] [--no-reconnect] [--timeout MS]
// Commands and reports as client_driver's (its top comment), those the v2
// tests use: open NSP [AUTH_JSON], emit, emitack NSP MS, close NSP,
// disconnect, transport, quit; connect NSP ID, connect_error NSP MSG\tDATA,
// disconnect NSP REASON, event NSP JSON (an ack request is answered
// ["ack-of", "<event>"]), ack NSP JSON | ack NSP error timeout, emit-error,
// transport NAME, reconnect_attempt N, reconnect N, reconnect_failed, closed.
// AUTH_JSON of the first `open` goes on the handshake URL as the v2 query
// (as io(url + nsp, {query}) does), and each `open` of a namespace other
// than "/" sends its own in its CONNECT.

import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const io2 = require('socket.io-client-v2');

const o = { transport: 'auto' };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => argv[++i];
  if (a === '--eio') o.eio = next();
  else if (a === '--transport') o.transport = next();
  else if (a === '--delay') o.delay = Number(next());
  else if (a === '--delay-max') o.delayMax = Number(next());
  else if (a === '--attempts') o.attempts = Number(next());
  else if (a === '--timeout') o.timeout = Number(next());
  else if (a === '--no-reconnect') o.noReconnect = true;
  else if (a === '-v') o.verbose = true;
  else if (!o.url) o.url = a;
  else process.exit(2);
}
if (o.eio !== '3' || !o.url) process.exit(2);

const out = (line) => process.stdout.write(`${line}\n`);
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

let manager = null;
let gaveUp = false;
const sockets = new Map();

function makeManager(query) {
  const m = new io2.Manager(o.url.replace(/\/+$/, ''), {
    transports: { polling: ['polling'], websocket: ['websocket'], auto: ['polling', 'websocket'] }[o.transport] || ['polling', 'websocket'],
    reconnection: !o.noReconnect,
    ...(o.delay !== undefined ? { reconnectionDelay: o.delay, randomizationFactor: 0 } : {}),
    ...(o.delayMax !== undefined ? { reconnectionDelayMax: o.delayMax } : {}),
    ...(o.attempts !== undefined ? { reconnectionAttempts: o.attempts } : {}),
    ...(o.timeout !== undefined ? { timeout: o.timeout } : {}),
    ...(query ? { query } : {}),
  });
  m.on('reconnect_attempt', (n) => out(`reconnect_attempt ${n}`));
  m.on('reconnect', (n) => out(`reconnect ${n}`));
  m.on('reconnect_failed', () => { gaveUp = true; out('reconnect_failed'); out('closed'); });
  m.on('close', () => {
    if ((!m.reconnection() || m.skipReconnect) && !gaveUp) { gaveUp = true; out('closed'); }
  });
  return m;
}

function open(nsp, authText) {
  const query = authText ? JSON.parse(authText) : undefined;
  if (!manager) manager = makeManager(query);
  const s = manager.socket(nsp, query ? { query } : {});
  if (sockets.has(nsp)) { s.open(); return; }
  sockets.set(nsp, s);
  s.onevent = function onevent(packet) {
    const args = packet.data || [];
    out(`event ${nsp} ${JSON.stringify(fromWire(args))}`);
    if (packet.id != null) this.ack(packet.id)('ack-of', String(args[0]));
  };
  s.on('connect', () => out(`connect ${nsp} ${s.id}`));
  s.on('disconnect', (reason) => out(`disconnect ${nsp} ${reason}`));
  s.on('connect_error', (e) => out(`connect_error ${nsp} ${e?.message ?? e}\t`));
  s.on('error', (e) => {
    // the v2 CONNECT_ERROR payload is a bare string (or an object from newer servers)
    if (typeof e === 'string') out(`connect_error ${nsp} ${e}\t`);
    else out(`connect_error ${nsp} ${e?.message ?? ''}\t${e?.data !== undefined ? JSON.stringify(e.data) : ''}`);
  });
}

function emit(nsp, rest, ackMs) {
  const s = sockets.get(nsp);
  if (!s) { out(`emit-error ${nsp} not open`); return; }
  let arr;
  try { arr = JSON.parse(rest); } catch { arr = null; }
  if (!Array.isArray(arr) || typeof arr[0] !== 'string') { out(`emit-error ${nsp} bad json`); return; }
  if (ackMs === undefined) { s.emit(arr[0], ...toWire(arr.slice(1))); return; }
  let done = false;
  const t = setTimeout(() => { done = true; out(`ack ${nsp} error timeout`); }, ackMs);
  s.emit(arr[0], ...toWire(arr.slice(1)), (...res) => {
    if (done) return;
    clearTimeout(t);
    out(`ack ${nsp} ${JSON.stringify(fromWire(res))}`);
  });
}

function quit() {
  for (const s of sockets.values()) s.close();
  if (manager) { manager.reconnection(false); manager.engine?.close(); }
  setTimeout(() => process.exit(0), 100);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const m = /^(\S+)\s*(\S*)\s*(.*)$/.exec(line.trim());
  if (!m) return;
  const [, cmd, nsp, rest] = m;
  switch (cmd) {
    case 'quit': quit(); break;
    case 'ping': out('pong'); break;
    case 'transport': out(`transport ${manager?.engine?.transport?.name ?? 'none'}`); break;
    case 'disconnect': for (const s of sockets.values()) s.close(); break;
    case 'open': open(nsp, rest); break;
    case 'close': sockets.get(nsp)?.close(); break;
    case 'emit': emit(nsp, rest); break;
    case 'emitack': { const k = rest.indexOf(' '); emit(nsp, rest.slice(k + 1), Number(rest.slice(0, k))); break; }
    default: break;
  }
});
process.on('SIGTERM', quit);
