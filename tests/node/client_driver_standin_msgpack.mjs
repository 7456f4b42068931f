#!/usr/bin/env node
// A stand-in for `client_driver --parser msgpack` (tests/client_driver.c) on
// the npm socket.io-client with socket.io-msgpack-parser, so that the driver
// half of tests/interop/client_msgpack.test.mjs is known good before the C
// client speaks MessagePack (issue 16):
//   SIO_CLIENT_DRIVER_CMD="node tests/node/client_driver_standin_msgpack.mjs"
//
// client_driver URL [--parser msgpack|default] [--transport T] [--no-reconnect]
//                   [--timeout MS] [--delay MS] [--delay-max MS] [--attempts N]
// Commands on stdin, one per line (JSON may carry {"_binary":"<base64>"}):
//   open NSP [AUTH_JSON] | emit NSP JSON_ARRAY | emitack NSP MS JSON_ARRAY |
//   close NSP | disconnect | transport | ping | quit
// Reports on stdout, one per line:
//   connect NSP ID | connect_error NSP MESSAGE\tDATA | disconnect NSP REASON |
//   event NSP JSON_ARRAY (an ack request is answered ["ack-of", "<event>"]) |
//   ack NSP JSON_ARRAY | ack NSP error TEXT | emit-error NSP TEXT |
//   transport NAME | pong | closed

import { createInterface } from 'node:readline';
import { Manager } from 'socket.io-client';
import msgpackParser from 'socket.io-msgpack-parser';

const o = { parser: 'default', transport: 'auto', reconnect: true };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const next = () => { if (i + 1 >= argv.length) process.exit(2); return argv[++i]; };
  if (a === '--parser') o.parser = next();
  else if (a === '--transport') o.transport = next();
  else if (a === '--no-reconnect') o.reconnect = false;
  else if (a === '--timeout') o.timeout = Number(next());
  else if (a === '--delay') o.delay = Number(next());
  else if (a === '--delay-max') o.delayMax = Number(next());
  else if (a === '--attempts') o.attempts = Number(next());
  else if (a === '-v') o.verbose = true;
  else if (a[0] !== '-' && !o.url) o.url = a;
  else process.exit(2);
}
if (!o.url || (o.parser !== 'msgpack' && o.parser !== 'default')) process.exit(2);
const transports = { polling: ['polling'], websocket: ['websocket'], auto: ['polling', 'websocket'] }[o.transport];
if (!transports) process.exit(2);

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
  if (Buffer.isBuffer(v)) return { _binary: v.toString('base64') };
  if (v instanceof ArrayBuffer) return { _binary: Buffer.from(v).toString('base64') };
  if (ArrayBuffer.isView(v)) return { _binary: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(fromWire);
  if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.keys(v).map((k) => [k, fromWire(v[k])]));
  return v;
};
const json = (v) => JSON.stringify(fromWire(v));

const m = new Manager(o.url, {
  transports,
  reconnection: o.reconnect,
  ...(o.timeout ? { timeout: o.timeout } : {}),
  ...(o.delay ? { reconnectionDelay: o.delay } : {}),
  ...(o.delayMax ? { reconnectionDelayMax: o.delayMax } : {}),
  ...(o.attempts ? { reconnectionAttempts: o.attempts } : {}),
  ...(o.parser === 'msgpack' ? { parser: msgpackParser } : {}),
});
m.on('reconnect_attempt', (n) => out(`reconnect_attempt ${n}`));
m.on('reconnect', (n) => out(`reconnect ${n}`));
m.on('reconnect_failed', () => out('reconnect_failed'));
// "closed": the client gave up (no reconnection, or closed on purpose).
m.on('close', () => { if (!m._reconnection || m.skipReconnect) out('closed'); });

const socks = new Map();

function open(nsp, authText) {
  if (socks.has(nsp)) { socks.get(nsp).connect(); return; }
  let auth;
  if (authText) {
    try { auth = JSON.parse(authText); } catch { out(`emit-error ${nsp} cannot open`); return; }
  }
  const s = m.socket(nsp, auth ? { auth } : {});
  socks.set(nsp, s);
  s.on('connect', () => out(`connect ${nsp} ${s.id}`));
  s.on('disconnect', (reason) => out(`disconnect ${nsp} ${reason}`));
  s.on('connect_error', (e) => out(`connect_error ${nsp} ${e.message}\t${e.data === undefined ? '' : JSON.stringify(e.data)}`));
  s.onAny((event, ...args) => {
    const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    out(`event ${nsp} ${json([event, ...args])}`);
    if (ack) ack('ack-of', event);
  });
  s.connect();
}

function emit(nsp, text, ackMs) {
  const s = socks.get(nsp);
  if (!s) { out(`emit-error ${nsp} not open`); return; }
  let arr;
  try { arr = JSON.parse(text); } catch { arr = null; }
  if (!Array.isArray(arr) || typeof arr[0] !== 'string') { out(`emit-error ${nsp} bad json`); return; }
  if (s.disconnected && !s.active) { out(`emit-error ${nsp} not connected`); return; }
  const args = toWire(arr.slice(1));
  if (ackMs === undefined) { s.emit(arr[0], ...args); return; }
  const cb = (err, ...res) => out(err ? `ack ${nsp} error timeout` : `ack ${nsp} ${json(res)}`);
  if (ackMs > 0) s.timeout(ackMs).emit(arr[0], ...args, cb);
  else s.emit(arr[0], ...args, (...res) => cb(null, ...res));
}

function quit() {
  for (const s of socks.values()) s.disconnect();
  setTimeout(() => process.exit(0), 100);
}

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const mm = /^(\S+)\s*(.*)$/.exec(line);
  if (!mm) return;
  const [, cmd, rest] = mm;
  if (cmd === 'quit') return quit();
  if (cmd === 'ping') return out('pong');
  if (cmd === 'transport') return out(`transport ${m.engine?.transport?.name ?? 'none'}`);
  if (cmd === 'disconnect') { for (const s of socks.values()) s.disconnect(); return undefined; }
  const nm = /^(\S+)\s*(.*)$/.exec(rest);
  if (!nm) return undefined;
  const [, nsp, arg] = nm;
  if (cmd === 'open') return open(nsp, arg);
  if (cmd === 'close') { socks.get(nsp)?.disconnect(); return undefined; }
  if (cmd === 'emit' || cmd === 'volatile') return emit(nsp, arg);
  if (cmd === 'emitack') {
    const am = /^(\d+)\s+(.*)$/.exec(arg);
    if (!am) { out(`emit-error ${nsp} bad json`); return undefined; }
    return emit(nsp, am[2], Number(am[1]));
  }
  return undefined;
});
// stdin ending does not end the driver (as the C one: it runs until killed or "quit").
process.on('SIGTERM', quit);
