/* socket.io.js - a compact Socket.IO client (Socket.IO protocol v5 over
 * Engine.IO v4) for browsers, shipped with socketio.h and served by its
 * server at /socket.io/socket.io.js. No dependencies. Plain script: defines
 * the global `io`; under Node (>= 18, with a WebSocket implementation put in
 * globalThis.WebSocket) it is `module.exports`.
 *
 * The API follows the official client so application code can switch:
 *
 *   const socket = io("/chat", { auth: { token: "t" } });
 *   socket.on("connect", () => socket.emit("hello", "world", (reply) => {}));
 *   socket.timeout(5000).emit("slow", (err, reply) => {});
 *
 * Layers, bottom up: Engine.IO transports (Polling, WS) -> Engine (handshake,
 * heartbeat, upgrade, write buffer) -> Manager (Socket.IO packet codec,
 * reconnection, one Engine shared by many namespaces) -> Socket (one
 * namespace: events, acks, buffering). Wire format notes: PROTOCOL.md.
 * Keep this file ASCII-only: it is embedded into socketio.h as a C string.
 */
(function (root) {
  'use strict';

  /* ---------------------------------------------------------------- util */

  class Emitter {
    on(ev, fn) { ((this._ev || (this._ev = {}))[ev] || (this._ev[ev] = [])).push(fn); return this; }
    once(ev, fn) {
      const w = (...a) => { this.off(ev, w); fn.apply(this, a); };
      w.fn = fn;
      return this.on(ev, w);
    }
    off(ev, fn) {
      if (!this._ev) return this;
      if (ev === undefined) { this._ev = {}; return this; }
      if (fn === undefined) { delete this._ev[ev]; return this; }
      const l = this._ev[ev];
      if (l) {
        const i = l.findIndex((f) => f === fn || f.fn === fn);
        if (i >= 0) l.splice(i, 1);
      }
      return this;
    }
    listeners(ev) { return (this._ev && this._ev[ev]) ? this._ev[ev].slice() : []; }
    hasListeners(ev) { return this.listeners(ev).length > 0; }
    // Socket overrides emit() to send to the server, so local delivery has
    // its own name everywhere.
    emitReserved(ev, ...args) {
      for (const fn of this.listeners(ev)) fn.apply(this, args);
      return this;
    }
  }
  Emitter.prototype.addEventListener = Emitter.prototype.on;
  Emitter.prototype.removeListener = Emitter.prototype.off;
  Emitter.prototype.removeAllListeners = function (ev) { return this.off(ev); };

  // Subscribe and return the matching unsubscribe, so owners can drop all
  // their listeners on another object in one go.
  function sub(obj, ev, fn) { obj.on(ev, fn); return () => obj.off(ev, fn); }

  const hasBlob = typeof Blob !== 'undefined';
  function isBinary(x) {
    return x instanceof ArrayBuffer || ArrayBuffer.isView(x) || (hasBlob && x instanceof Blob);
  }
  function bytesOf(x) {
    return x instanceof ArrayBuffer ? new Uint8Array(x) : new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  }
  function b64encode(x) {
    const u = bytesOf(x);
    let s = '';
    for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000));
    return btoa(s);
  }
  function b64decode(s) {
    const bin = atob(s);
    const u = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i);
    return u.buffer;
  }
  function utf8Len(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { n += 4; i++; } // surrogate pair
      else n += 3;
    }
    return n;
  }
  function qs(obj) {
    return Object.keys(obj).filter((k) => obj[k] !== undefined)
      .map((k) => encodeURIComponent(k) + '=' + encodeURIComponent(obj[k])).join('&');
  }
  let stamp = 0;
  // Cache buster for polling requests; proxies must not answer a GET twice.
  function cacheBuster() { return Date.now().toString(36) + (stamp++).toString(36); }

  /* ----------------------------------------------- Engine.IO packet codec */

  const EIO_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'];

  // One packet as text for a polling payload, or as text/binary frame data
  // for a WebSocket. Binary messages have no type digit in v4: WS sends the
  // raw bytes, polling sends "b" + base64 (e.g. bAQID for bytes 1,2,3).
  function eioEncode(p, forWs) {
    if (isBinary(p.data)) return forWs ? p.data : 'b' + b64encode(p.data);
    return EIO_TYPES.indexOf(p.type) + (p.data === undefined ? '' : String(p.data));
  }
  function eioDecode(d) {
    try { return eioDecode1(d); } catch (e) { return { type: 'error', data: 'parser error' }; }
  }
  function eioDecode1(d) {
    if (typeof d !== 'string') return { type: 'message', data: d instanceof ArrayBuffer ? d : bytesOf(d).slice().buffer };
    if (d[0] === 'b') return { type: 'message', data: b64decode(d.slice(1)) };
    const type = EIO_TYPES[d.charCodeAt(0) - 48];
    if (!type) return { type: 'error', data: 'parser error' };
    return d.length > 1 ? { type, data: d.slice(1) } : { type };
  }
  // Bytes a packet takes in a polling body, to keep each POST <= maxPayload.
  function eioSize(p) {
    if (isBinary(p.data)) return 1 + Math.ceil(bytesOf(p.data).length / 3) * 4;
    return 1 + (p.data === undefined ? 0 : utf8Len(String(p.data)));
  }

  /* ----------------------------------------------------------- transports */
  // Both transports emit: open, packet(p), drain, error(msg, cause), close(reason).

  class Transport extends Emitter {
    constructor(engine, name, query) {
      super();
      this.engine = engine;
      this.name = name;
      this.query = query;
      this.readyState = 'closed';
      this.writable = false;
    }
    uri(scheme, extra) {
      const e = this.engine;
      return scheme + (e.secure ? 's' : '') + '://' + e.host + e.path + '?' + qs(Object.assign({}, this.query, extra));
    }
    _error(msg, cause) {
      const err = new Error(msg);
      err.type = 'TransportError';
      err.description = cause;
      this.emitReserved('error', err);
    }
    _closed(reason) {
      if (this.readyState === 'closed') return;
      this.readyState = 'closed';
      this.writable = false;
      this.emitReserved('close', reason);
    }
  }

  // Long-polling: one GET outstanding to receive, POSTs strictly one after
  // another to send. pause() lets both finish so an upgrade loses nothing.
  class Polling extends Transport {
    constructor(engine, query) { super(engine, 'polling', query); this.polling = false; }
    open() { this.readyState = 'opening'; this._poll(); }
    _req(method, body) {
      const url = this.uri('http', { t: cacheBuster() });
      const ctl = typeof AbortController !== 'undefined' ? new AbortController() : null;
      if (ctl) (this._aborts || (this._aborts = new Set())).add(ctl);
      const init = {
        method, cache: 'no-store',
        credentials: this.engine.opts.withCredentials ? 'include' : 'same-origin',
        headers: Object.assign(body === undefined ? {} : { 'Content-Type': 'text/plain;charset=UTF-8' },
          this.engine.opts.extraHeaders || {}),
        body, signal: ctl ? ctl.signal : undefined,
      };
      return fetch(url, init).then((res) => {
        if (res.status !== 200) throw new Error('HTTP ' + res.status);
        return res.text();
      }).finally(() => { if (ctl) this._aborts.delete(ctl); });
    }
    _poll() {
      this.polling = true;
      this._req('GET').then((text) => {
        if (this.readyState === 'closed') return;
        this.polling = false;
        this._onPayload(text);
      }, (e) => { if (this.readyState !== 'closed') this._error('xhr poll error', e); });
    }
    _onPayload(text) {
      // v4 payload: packets joined by \x1e, e.g. 4hello\x1ebAQID\x1e2
      for (const part of text.split('\x1e')) {
        const p = eioDecode(part);
        if (this.readyState === 'opening' && p.type === 'open') {
          this.readyState = 'open';
          this.writable = true;
          this.emitReserved('open');
        }
        if (p.type === 'close') { this._closed('transport close'); return; }
        // A throwing application handler must not kill the poll loop.
        try { this.emitReserved('packet', p); } catch (e) { setTimeout(() => { throw e; }, 0); }
        if (this.readyState === 'closed') return;
      }
      if (this.readyState === 'pausing' || this.readyState === 'paused') this.emitReserved('pollComplete');
      else if (this.readyState === 'open') this._poll();
    }
    send(packets) {
      this.writable = false;
      this._req('POST', packets.map((p) => eioEncode(p, false)).join('\x1e')).then(() => {
        if (this.readyState === 'closed') return;
        this.writable = true;
        this.emitReserved('drain');
      }, (e) => { if (this.readyState !== 'closed') this._error('xhr post error', e); });
    }
    pause(onPaused) {
      this.readyState = 'pausing';
      let waiting = 0;
      const done = () => { if (--waiting === 0) { this.readyState = 'paused'; onPaused(); } };
      if (this.polling) { waiting++; this.once('pollComplete', done); }
      if (!this.writable) { waiting++; this.once('drain', done); }
      if (waiting === 0) { waiting = 1; done(); }
    }
    resume() {
      if (this.readyState !== 'pausing' && this.readyState !== 'paused') return;
      this.off('pollComplete'); this.off('drain');
      this.readyState = 'open';
      if (!this.polling) this._poll();
    }
    close() {
      // Say goodbye with POST "1" and only then drop the pending GET: the
      // server answers that GET with a noop. Aborting it first would look
      // like a broken transport to the server, which (Node) then keeps the
      // session around for its closeTimeout.
      const wasOpen = ['open', 'pausing', 'paused'].indexOf(this.readyState) >= 0;
      this.readyState = 'closed';
      this.writable = false;
      const abort = () => { if (this._aborts) for (const c of this._aborts) c.abort(); };
      if (!wasOpen) { abort(); return; }
      this._req('POST', '1').catch(() => {}).finally(abort);
    }
  }

  class WS extends Transport {
    constructor(engine, query) { super(engine, 'websocket', query); }
    open() {
      const Impl = this.engine.opts.WebSocket || root.WebSocket;
      this.readyState = 'opening';
      try {
        this.ws = new Impl(this.uri('ws'));
      } catch (e) {
        setTimeout(() => this._error('websocket error', e), 0);
        return;
      }
      this.ws.binaryType = 'arraybuffer';
      this.ws.onopen = () => {
        this.readyState = 'open';
        this.writable = true;
        this.emitReserved('open');
      };
      // The server may pack several frames into one TCP segment; the
      // WebSocket API hands them to us one message at a time anyway.
      this.ws.onmessage = (e) => { if (this.readyState !== 'closed') this.emitReserved('packet', eioDecode(e.data)); };
      this.ws.onerror = (e) => { if (this.readyState !== 'closed') this._error('websocket error', e); };
      this.ws.onclose = () => this._closed('transport close');
    }
    send(packets) {
      for (const p of packets) this.ws.send(eioEncode(p, true));
      // WebSocket.send only queues, so we are writable again at once; the
      // drain is still async so the engine's flush loop cannot recurse.
      this.writable = false;
      setTimeout(() => {
        if (this.readyState === 'closed') return;
        this.writable = true;
        this.emitReserved('drain');
      }, 0);
    }
    close() {
      this.readyState = 'closed';
      this.writable = false;
      if (this.ws) {
        // A no-op onerror, not null: Node's ws reports closing a still
        // connecting socket as an error event and throws if nobody listens.
        const nop = () => {};
        this.ws.onopen = this.ws.onmessage = this.ws.onerror = this.ws.onclose = nop;
        try { this.ws.close(); } catch (e) { /* already closed */ }
      }
    }
  }

  /* -------------------------------------------------------------- Engine */
  // One Engine.IO session. Events: open, message(data), upgrading, upgrade,
  // upgradeError, ping, drain, error(err), close(reason, description).

  class Engine extends Emitter {
    constructor(url, opts) {
      super();
      this.opts = opts;
      this.secure = url.protocol === 'https:' || url.protocol === 'wss:';
      this.host = url.host;
      this.path = opts.path;
      this.query = Object.assign({}, opts.query);
      this.transports = opts.transports || ['polling', 'websocket'];
      this.readyState = 'opening';
      this.writeBuffer = [];
      this.upgrading = false;
      this.id = null;
      this.maxPayload = 0;
      this._setTransport(this._create(this.transports[0]));
      this.transport.open();
    }
    _create(name) {
      const q = Object.assign({}, this.query, { EIO: 4, transport: name });
      if (this.id) q.sid = this.id;
      if (name === 'websocket') return new WS(this, q);
      if (name === 'polling') return new Polling(this, q);
      throw new Error('unknown transport ' + name);
    }
    _setTransport(t) {
      if (this.transport) this.transport.off();
      this.transport = t;
      t.on('packet', (p) => this._onPacket(p));
      t.on('drain', () => this._onDrain());
      t.on('error', (e) => this._onError(e));
      t.on('close', (r) => this._onClose(r));
    }
    _onPacket(p) {
      if (this.readyState === 'closed') return;
      switch (p.type) {
        case 'open': this._onHandshake(p.data); break;
        case 'ping':
          // v4: only the server pings; answer 2 with 3 and re-arm the
          // dead-server timer.
          this._resetPingTimer();
          this._sendPacket('pong');
          this.emitReserved('ping');
          break;
        case 'message': this.emitReserved('message', p.data); break;
        case 'close': this._onClose('transport close'); break; // Node just drops the WS; others may say "1"
        case 'error': this._onError(new Error('parse error')); break;
        default: break; // noop, pong (probe replies arrive on the probe transport)
      }
    }
    _onHandshake(json) {
      let h;
      try { h = JSON.parse(json); } catch (e) { h = null; }
      if (!h || typeof h.sid !== 'string') { this._onError(new Error('bad handshake')); return; }
      this.id = h.sid;
      this.transport.query.sid = h.sid;
      this.pingInterval = h.pingInterval;
      this.pingTimeout = h.pingTimeout;
      this.maxPayload = h.maxPayload || 0;
      this.readyState = 'open';
      this.emitReserved('open');
      this.flush();
      this._resetPingTimer();
      if (this.readyState === 'open' && this.opts.upgrade !== false && this.transport.name === 'polling') {
        for (const u of h.upgrades || []) if (u === 'websocket' && this.transports.indexOf(u) >= 0) this._probe(u);
      }
    }
    _resetPingTimer() {
      clearTimeout(this._pingTimer);
      this._pingTimer = setTimeout(() => this._onClose('ping timeout'), this.pingInterval + this.pingTimeout);
    }
    // Upgrade polling -> WebSocket: probe the new transport with 2probe,
    // and only once 3probe came back, drain polling (the server answers the
    // pending GET with a noop) and switch with 5. Writes made meanwhile wait
    // in writeBuffer, so nothing is lost or reordered.
    _probe(name) {
      const t = this._create(name);
      let failed = false;
      const cleanup = () => { t.off(); this.off('close', onEngineClose); };
      const fail = (err) => {
        if (failed) return;
        failed = true;
        cleanup();
        t.close();
        if (this.upgrading) { this.upgrading = false; this.transport.resume(); this.flush(); }
        this.emitReserved('upgradeError', err instanceof Error ? err : new Error('probe error'));
      };
      const onEngineClose = () => fail(new Error('engine closed'));
      t.once('open', () => { if (!failed) t.send([{ type: 'ping', data: 'probe' }]); });
      t.on('packet', (p) => {
        if (failed) return;
        if (p.type !== 'pong' || p.data !== 'probe') { fail(new Error('probe error')); return; }
        this.upgrading = true;
        this.emitReserved('upgrading', t);
        this.transport.pause(() => {
          if (failed || this.readyState === 'closed') return;
          cleanup();
          this._setTransport(t);
          t.send([{ type: 'upgrade' }]);
          this.upgrading = false;
          this.emitReserved('upgrade', t);
          this.flush();
        });
      });
      t.once('error', fail);
      t.once('close', () => fail(new Error('probe transport closed')));
      this.on('close', onEngineClose);
      t.open();
    }
    _onDrain() {
      if (this.writeBuffer.length === 0) this.emitReserved('drain');
      else this.flush();
    }
    flush() {
      if (this.readyState === 'closed' || this.upgrading || !this.transport.writable || !this.writeBuffer.length) return;
      let n = this.writeBuffer.length;
      if (this.transport.name === 'polling' && this.maxPayload) {
        // Several packets per POST, but the body stays below maxPayload
        // (a single larger packet still goes out alone).
        let size = 0;
        for (n = 0; n < this.writeBuffer.length; n++) {
          size += eioSize(this.writeBuffer[n]) + (n ? 1 : 0);
          if (n && size > this.maxPayload) break;
        }
      }
      this.transport.send(this.writeBuffer.splice(0, n));
    }
    _sendPacket(type, data) {
      if (this.readyState === 'closing' || this.readyState === 'closed') return;
      this.writeBuffer.push({ type, data });
      this.flush();
    }
    write(data) { this._sendPacket('message', data); return this; }
    send(data) { return this.write(data); }
    close() {
      if (this.readyState !== 'opening' && this.readyState !== 'open') return this;
      this.readyState = 'closing';
      // Let queued packets (e.g. a namespace DISCONNECT) out first.
      const finish = () => this._onClose('forced close');
      if (this.writeBuffer.length || (this.transport.name === 'polling' && !this.transport.writable && this.id)) {
        this.once('drain', finish);
        setTimeout(finish, 1000);
      } else finish();
      return this;
    }
    _onError(err) {
      this.emitReserved('error', err);
      this._onClose('transport error', err);
    }
    _onClose(reason, desc) {
      if (this.readyState === 'closed') return;
      clearTimeout(this._pingTimer);
      this.transport.off();
      this.transport.close();
      this.readyState = 'closed';
      this.id = null;
      this.writeBuffer = [];
      this.emitReserved('close', reason, desc);
    }
  }

  /* --------------------------------------------- Socket.IO packet codec */

  const T = { CONNECT: 0, DISCONNECT: 1, EVENT: 2, ACK: 3, CONNECT_ERROR: 4, BINARY_EVENT: 5, BINARY_ACK: 6 };
  const RESERVED = ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'];

  function plainObject(x) { return x !== null && typeof x === 'object' && !Array.isArray(x) && typeof x.toJSON !== 'function'; }
  function hasBinaryIn(x) {
    if (isBinary(x)) return true;
    if (Array.isArray(x)) return x.some(hasBinaryIn);
    if (plainObject(x)) return Object.keys(x).some((k) => hasBinaryIn(x[k]));
    return false;
  }
  // Replace every binary value by {"_placeholder":true,"num":N}, N counting
  // attachments depth-first, so the JSON can travel as text and the bytes
  // follow as separate binary messages.
  function deconstruct(x, out) {
    if (isBinary(x)) { out.push(x); return { _placeholder: true, num: out.length - 1 }; }
    if (Array.isArray(x)) return x.map((v) => deconstruct(v, out));
    if (plainObject(x)) {
      const o = {};
      for (const k of Object.keys(x)) o[k] = deconstruct(x[k], out);
      return o;
    }
    return x;
  }
  function reconstruct(x, bufs) {
    if (Array.isArray(x)) return x.map((v) => reconstruct(v, bufs));
    if (x !== null && typeof x === 'object') {
      if (x._placeholder === true) {
        if (!(Number.isInteger(x.num) && x.num >= 0 && x.num < bufs.length)) throw new Error('illegal attachment');
        return bufs[x.num];
      }
      for (const k of Object.keys(x)) x[k] = reconstruct(x[k], bufs);
    }
    return x;
  }
  // Packet -> list of Engine.IO messages: the text header, then attachments.
  // e.g. {type:EVENT, nsp:"/a", id:7, data:["up", <2 bytes>]} ->
  //   '51-/a,7["up",{"_placeholder":true,"num":0}]', <2 bytes>
  function sioEncode(p) {
    const atts = [];
    let type = p.type;
    let data = p.data;
    if ((type === T.EVENT || type === T.ACK) && hasBinaryIn(data)) {
      data = deconstruct(data, atts);
      type = type === T.EVENT ? T.BINARY_EVENT : T.BINARY_ACK;
    }
    let s = String(type);
    if (atts.length) s += atts.length + '-';
    if (p.nsp && p.nsp !== '/') s += p.nsp + ',';
    if (p.id !== undefined) s += p.id;
    if (data !== undefined) s += JSON.stringify(data);
    return [s].concat(atts);
  }
  function sioDecode(s) {
    const type = s.charCodeAt(0) - 48;
    if (!(type >= 0 && type <= 6)) throw new Error('unknown packet type');
    const p = { type, nsp: '/', attachments: 0 };
    let i = 1;
    if (type === T.BINARY_EVENT || type === T.BINARY_ACK) {
      const dash = s.indexOf('-', i);
      const n = s.slice(i, dash);
      if (dash < 0 || !/^[0-9]+$/.test(n) || +n < 1) throw new Error('illegal attachments');
      p.attachments = +n;
      i = dash + 1;
    }
    if (s[i] === '/') { // namespace runs to the first comma or the end: 40/admin is valid
      const c = s.indexOf(',', i);
      p.nsp = c < 0 ? s.slice(i) : s.slice(i, c);
      i = c < 0 ? s.length : c + 1;
    }
    const m = /^[0-9]+/.exec(s.slice(i));
    if (m) { p.id = +m[0]; i += m[0].length; }
    if (i < s.length) p.data = JSON.parse(s.slice(i));
    const d = p.data;
    const ok = [
      plainObject(d), // CONNECT reply {"sid":...}
      d === undefined,
      Array.isArray(d) && d.length > 0 && (typeof d[0] === 'string' || typeof d[0] === 'number'),
      Array.isArray(d),
      typeof d === 'string' || plainObject(d),
    ][type <= 4 ? type : type - 3];
    if (!ok) throw new Error('invalid payload');
    return p;
  }


  /* ------------------------------------------ msgpack packet codec */
  // With { parser: 'msgpack' }, packets travel as the npm
  // socket.io-msgpack-parser writes them: one MessagePack map
  // {type, nsp, data, id} per binary message, binary values inline (they
  // go out as bin and come back as ArrayBuffers). Values as notepack.io
  // writes them: integers in the smallest form, other numbers float64,
  // undefined d4 00 00, a Date d7 00 + int64 ms.
  const utf8 = typeof TextEncoder !== 'undefined' ? new TextEncoder() : null;
  const unutf8 = typeof TextDecoder !== 'undefined' ? new TextDecoder('utf-8', { fatal: true }) : null;
  class MpOut {
    constructor() { this.b = new Uint8Array(64); this.n = 0; }
    room(k) {
      if (this.n + k > this.b.length) {
        const nb = new Uint8Array(Math.max(this.b.length * 2, this.n + k));
        nb.set(this.b.subarray(0, this.n));
        this.b = nb;
      }
      return new DataView(this.b.buffer, this.n, k);
    }
    // tag, then k bytes: unsigned (k <= 4) or a 64-bit hi/lo pair
    put(tag, x, k) {
      const dv = this.room(1 + k);
      dv.setUint8(0, tag);
      if (k === 1) dv.setUint8(1, x & 255);
      else if (k === 2) dv.setUint16(1, x & 0xffff);
      else if (k === 4) dv.setUint32(1, x >>> 0);
      else if (k === 8) { const hi = Math.floor(x / 4294967296); dv.setInt32(1, hi); dv.setUint32(5, x - hi * 4294967296); }
      this.n += 1 + k;
    }
    raw(u8) { this.room(u8.length); this.b.set(u8, this.n); this.n += u8.length; }
    len(n, fix, fixMax, t8, t16) {
      if (fix !== null && n <= fixMax) this.put(fix | n, 0, 0);
      else if (t8 !== null && n < 256) this.put(t8, n, 1);
      else if (n < 65536) this.put(t16, n, 2);
      else this.put(t16 + 1, n, 4);
    }
    value(v) {
      if (v === null) return this.put(0xc0, 0, 0);
      if (v === undefined) return this.raw(Uint8Array.of(0xd4, 0, 0));
      if (v === true || v === false) return this.put(v ? 0xc3 : 0xc2, 0, 0);
      if (typeof v === 'number') {
        if (!Number.isInteger(v)) { const dv = this.room(9); dv.setUint8(0, 0xcb); dv.setFloat64(1, v); this.n += 9; return; }
        if (v >= 0) {
          if (v < 128) return this.put(v, 0, 0);
          if (v < 256) return this.put(0xcc, v, 1);
          if (v < 65536) return this.put(0xcd, v, 2);
          if (v < 4294967296) return this.put(0xce, v, 4);
          return this.put(0xcf, v, 8);
        }
        if (v >= -32) return this.put(v & 255, 0, 0);
        if (v >= -128) return this.put(0xd0, v, 1);
        if (v >= -32768) return this.put(0xd1, v, 2);
        if (v >= -2147483648) return this.put(0xd2, v, 4);
        return this.put(0xd3, v, 8);
      }
      if (typeof v === 'string') { const u = utf8.encode(v); this.len(u.length, 0xa0, 31, 0xd9, 0xda); return this.raw(u); }
      if (hasBlob && v instanceof Blob) throw new Error('msgpack: a Blob cannot be written at once; send its ArrayBuffer');
      if (isBinary(v)) { const u = bytesOf(v); this.len(u.length, null, 0, 0xc4, 0xc5); return this.raw(u); }
      if (v instanceof Date) { this.put(0xd7, 0, 0); return this.put(0, v.getTime(), 8); }   // ext 0 + int64 ms
      if (Array.isArray(v)) { this.len(v.length, 0x90, 15, null, 0xdc); for (const x of v) this.value(x); return; }
      if (typeof v === 'object') {
        if (typeof v.toJSON === 'function') return this.value(v.toJSON());
        const keys = Object.keys(v).filter((k) => typeof v[k] !== 'function');
        this.len(keys.length, 0x80, 15, null, 0xde);
        for (const k of keys) { this.value(k); this.value(v[k]); }
        return;
      }
      throw new Error('msgpack: cannot write a ' + typeof v);
    }
  }
  function mpEncode(p) {
    const o = new MpOut();
    const pkt = { type: p.type === T.BINARY_EVENT ? T.EVENT : p.type === T.BINARY_ACK ? T.ACK : p.type, nsp: p.nsp || '/' };
    if (p.data !== undefined) pkt.data = p.data;
    if (p.id !== undefined) pkt.id = p.id;
    o.value(pkt);
    return [o.b.slice(0, o.n).buffer];
  }
  function mpDecode(buf) {
    const u = bytesOf(buf), dv = new DataView(u.buffer, u.byteOffset, u.byteLength);
    let i = 0;
    const need = (k) => { if (i + k > u.length) throw new Error('msgpack: cut short'); const at = i; i += k; return at; };
    const bytes = (k) => { const at = need(k); return u.slice(at, at + k).buffer; };
    const str = (k) => { const at = need(k); return unutf8.decode(u.subarray(at, at + k)); };
    const big = (at, signed) => (signed ? dv.getInt32(at) : dv.getUint32(at)) * 4294967296 + dv.getUint32(at + 4);
    const ext = (k, t, header) => {
      if (t === 0 && header === 0xd4 && k === 1) { need(1); return undefined; }
      if (t === 0 && header === 0xd7) { const at = need(8); return new Date(big(at, true)); }
      if (t === 0 && header >= 0xc7) return bytes(k);
      return [t, bytes(k)];
    };
    function value(depth) {
      if (depth > 64) throw new Error('msgpack: nested too deep');
      const c = u[need(1)];
      if (c < 0x80) return c;
      if (c >= 0xe0) return c - 256;
      if (c >= 0xa0 && c <= 0xbf) return str(c & 31);
      if ((c & 0xf0) === 0x90 || c === 0xdc || c === 0xdd) {
        const n = c === 0xdc ? dv.getUint16(need(2)) : c === 0xdd ? dv.getUint32(need(4)) : c & 15;
        if (n > u.length - i) throw new Error('msgpack: cut short');
        const a = [];
        for (let k = 0; k < n; k++) a.push(value(depth + 1));
        return a;
      }
      if ((c & 0xf0) === 0x80 || c === 0xde || c === 0xdf) {
        const n = c === 0xde ? dv.getUint16(need(2)) : c === 0xdf ? dv.getUint32(need(4)) : c & 15;
        if (n > u.length - i) throw new Error('msgpack: cut short');
        const o = {};
        for (let k = 0; k < n; k++) { const key = value(depth + 1); o[String(key)] = value(depth + 1); }
        return o;
      }
      switch (c) {
        case 0xc0: return null;
        case 0xc2: return false;
        case 0xc3: return true;
        case 0xc4: return bytes(u[need(1)]);
        case 0xc5: return bytes(dv.getUint16(need(2)));
        case 0xc6: return bytes(dv.getUint32(need(4)));
        case 0xc7: { const k = u[need(1)]; return ext(k, dv.getInt8(need(1)), c); }
        case 0xc8: { const k = dv.getUint16(need(2)); return ext(k, dv.getInt8(need(1)), c); }
        case 0xc9: { const k = dv.getUint32(need(4)); return ext(k, dv.getInt8(need(1)), c); }
        case 0xca: return dv.getFloat32(need(4));
        case 0xcb: return dv.getFloat64(need(8));
        case 0xcc: return u[need(1)];
        case 0xcd: return dv.getUint16(need(2));
        case 0xce: return dv.getUint32(need(4));
        case 0xcf: return big(need(8), false);
        case 0xd0: return dv.getInt8(need(1));
        case 0xd1: return dv.getInt16(need(2));
        case 0xd2: return dv.getInt32(need(4));
        case 0xd3: return big(need(8), true);
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8: return ext(1 << (c - 0xd4), dv.getInt8(need(1)), c);
        case 0xd9: return str(u[need(1)]);
        case 0xda: return str(dv.getUint16(need(2)));
        case 0xdb: return str(dv.getUint32(need(4)));
        default: throw new Error('msgpack: unknown byte ' + c);
      }
    }
    const v = value(0);
    if (i !== u.length) throw new Error('msgpack: bytes after the packet');
    return v;
  }
  // The decoded map, checked as the npm parser checks it.
  function mpPacket(buf) {
    const p = mpDecode(buf);
    if (!plainObject(p) || !Number.isInteger(p.type) || p.type < T.CONNECT || p.type > T.CONNECT_ERROR ||
        typeof p.nsp !== 'string' || !(p.id === undefined || Number.isInteger(p.id))) throw new Error('invalid packet');
    const d = p.data;
    const ok = [d === undefined || plainObject(d), d === undefined, Array.isArray(d) && d.length > 0, Array.isArray(d),
      typeof d === 'string' || plainObject(d)][p.type];
    if (!ok) throw new Error('invalid payload');
    return { type: p.type, nsp: p.nsp, id: p.id, data: d, attachments: 0 };
  }

  /* ------------------------------------------------------------- Manager */
  // Owns the Engine for one origin+path, encodes/decodes Socket.IO packets
  // and reconnects with exponential backoff. Events: open, close(reason),
  // packet, error, reconnect_attempt(n), reconnect(n), reconnect_error,
  // reconnect_failed.

  class Manager extends Emitter {
    constructor(uri, opts) {
      super();
      if (uri && typeof uri === 'object') { opts = uri; uri = undefined; }
      opts = Object.assign({}, opts);
      this.url = new URL(uri || '/', typeof location !== 'undefined' ? location.href : undefined);
      opts.path = (opts.path || '/socket.io').replace(/\/$/, '') + '/';
      if (typeof opts.query === 'string') opts.query = Object.fromEntries(new URLSearchParams(opts.query));
      opts.query = Object.assign(Object.fromEntries(this.url.searchParams), opts.query);
      this.opts = opts;
      this._mp = opts.parser === 'msgpack';   // see the msgpack packet codec
      this.nsps = {};
      this.subs = [];
      this._readyState = 'closed';
      this._reconnection = opts.reconnection !== false;
      this._attemptsMax = opts.reconnectionAttempts === undefined ? Infinity : opts.reconnectionAttempts;
      this._delay = opts.reconnectionDelay === undefined ? 1000 : opts.reconnectionDelay;
      this._delayMax = opts.reconnectionDelayMax === undefined ? 5000 : opts.reconnectionDelayMax;
      this._jitter = opts.randomizationFactor === undefined ? 0.5 : opts.randomizationFactor;
      this._timeout = opts.timeout === undefined ? 20000 : opts.timeout;
      this.attempts = 0;
      this._reconnecting = false;
      this.skipReconnect = false;
      this._outq = [];
      if (opts.autoConnect !== false) this.open();
    }
    reconnection(v) { if (v === undefined) return this._reconnection; this._reconnection = !!v; return this; }

    open(fn) {
      if (this._readyState === 'open' || this._readyState === 'opening') return this;
      this.skipReconnect = false;
      this._readyState = 'opening';
      const engine = this.engine = new Engine(this.url, this.opts);
      let timer = null;
      const failed = (err) => {
        clearTimeout(timer);
        this._cleanup();
        this._readyState = 'closed';
        this.emitReserved('error', err);
        if (fn) fn(err);
        else if (!this._reconnecting && this._reconnection && this.attempts === 0) this._reconnect();
      };
      this.subs.push(sub(engine, 'open', () => {
        clearTimeout(timer);
        this._onopen();
        if (fn) fn();
      }));
      this.subs.push(sub(engine, 'error', failed));
      this.subs.push(sub(engine, 'close', (reason) => failed(new Error(reason))));
      if (this._timeout) {
        timer = setTimeout(() => { failed(new Error('timeout')); engine.close(); }, this._timeout);
        this.subs.push(() => clearTimeout(timer));
      }
      return this;
    }
    connect(fn) { return this.open(fn); }

    _onopen() {
      this._cleanup();
      this._readyState = 'open';
      this._partial = null;
      const e = this.engine;
      this.subs.push(
        sub(e, 'message', (d) => this._ondata(d)),
        sub(e, 'ping', () => this.emitReserved('ping')),
        sub(e, 'error', (err) => this.emitReserved('error', err)),
        sub(e, 'close', (reason, desc) => this._onclose(reason, desc)));
      this.emitReserved('open');
    }
    // A binary packet arrives as its text header followed by exactly
    // `attachments` binary messages; anything else in between is an error.
    _ondata(d) {
      let p;
      try {
        if (this._mp) {
          if (typeof d === 'string') throw new Error('text, where the msgpack parser sends binary');
          p = mpPacket(d);
        } else if (typeof d === 'string') {
          if (this._partial) throw new Error('text while expecting attachments');
          p = sioDecode(d);
          if (p.attachments) { this._partial = { p, bufs: [] }; return; }
        } else {
          if (!this._partial) throw new Error('unexpected binary');
          const part = this._partial;
          part.bufs.push(d);
          if (part.bufs.length < part.p.attachments) return;
          this._partial = null;
          p = part.p;
          p.data = reconstruct(p.data, part.bufs);
        }
      } catch (err) {
        this._onclose('parse error', err);
        return;
      }
      this.emitReserved('packet', p);
    }
    // Packets leave in emit order even when an earlier one holds a Blob that
    // must first be read asynchronously.
    _packet(p) {
      // Remember the engine: a packet whose Blob is read after a reconnect
      // must not leak into the new session ahead of its CONNECT.
      this._outq.push({ engine: this.engine, msgs: this._mp ? mpEncode(p) : sioEncode(p) });
      if (!this._pumping) this._pump();
    }
    async _pump() {
      this._pumping = true;
      try {
        while (this._outq.length) {
          const { engine, msgs } = this._outq[0];
          for (let i = 1; i < msgs.length; i++) {
            if (hasBlob && msgs[i] instanceof Blob) msgs[i] = await msgs[i].arrayBuffer();
          }
          this._outq.shift();
          if (engine) for (const m of msgs) engine.write(m);
        }
      } finally {
        this._pumping = false;
      }
    }
    _cleanup() {
      for (const u of this.subs) u();
      this.subs = [];
      this._partial = null;
    }
    socket(nsp, opts) {
      let s = this.nsps[nsp];
      if (!s) {
        s = this.nsps[nsp] = new Socket(this, nsp, opts);
        if (!opts || opts.autoConnect !== false) s.connect();
      } else if (!s.active && (!opts || opts.autoConnect !== false)) s.connect();
      return s;
    }
    // A socket left for good; close the Engine when none is left.
    _destroy(socket) {
      for (const k of Object.keys(this.nsps)) if (this.nsps[k].active) return;
      this._close();
    }
    _close() {
      this.skipReconnect = true;
      this._reconnecting = false;
      clearTimeout(this._reconnectTimer);
      const e = this.engine;
      this._onclose('forced close');
      if (e) e.close();
    }
    disconnect() { this._close(); }
    close() { this._close(); }
    _onclose(reason, desc) {
      this._cleanup();
      if (this.engine && reason !== 'forced close') this.engine.close();
      this._readyState = 'closed';
      this.emitReserved('close', reason, desc);
      if (this._reconnection && !this.skipReconnect) this._reconnect();
    }
    _backoff() {
      const base = Math.min(this._delay * Math.pow(2, this.attempts - 1), this._delayMax);
      const ms = base * (1 + this._jitter * (2 * Math.random() - 1));
      return Math.max(0, Math.min(ms, this._delayMax));
    }
    _reconnect() {
      if (this._reconnecting || this.skipReconnect) return;
      if (this.attempts >= this._attemptsMax) {
        this.attempts = 0;
        this.emitReserved('reconnect_failed');
        return;
      }
      this.attempts++;
      this._reconnecting = true;
      this._reconnectTimer = setTimeout(() => {
        if (this.skipReconnect) return;
        this.emitReserved('reconnect_attempt', this.attempts);
        if (this.skipReconnect) return;
        this.open((err) => {
          this._reconnecting = false;
          if (err) {
            this.emitReserved('reconnect_error', err);
            this._reconnect();
          } else {
            const n = this.attempts;
            this.attempts = 0;
            this.emitReserved('reconnect', n);
          }
        });
      }, this._backoff());
    }
  }

  /* -------------------------------------------------------------- Socket */
  // One namespace. Events: connect, connect_error(err), disconnect(reason)
  // plus whatever the server emits.

  class Socket extends Emitter {
    constructor(io, nsp, opts) {
      super();
      this.io = io;
      this.nsp = nsp;
      this.auth = opts && opts.auth;
      this._opts = Object.assign({}, opts);
      this.connected = false;
      this.recovered = false;
      this.id = undefined;
      this.ids = 0;
      this.acks = {};
      this.receiveBuffer = [];
      this.sendBuffer = [];
      this._flags = {};
      this._any = [];
      this.subs = null;
    }
    get disconnected() { return !this.connected; }
    get active() { return !!this.subs; }
    get volatile() { this._flags.volatile = true; return this; }
    timeout(ms) { this._flags.timeout = ms; return this; }
    compress() { return this; }

    connect() {
      if (this.connected) return this;
      if (!this.subs) {
        const io = this.io;
        this.subs = [
          sub(io, 'open', () => this._onopen()),
          sub(io, 'packet', (p) => { if (p.nsp === this.nsp) this._onpacket(p); }),
          sub(io, 'error', (err) => { if (!this.connected) this.emitReserved('connect_error', err); }),
          sub(io, 'close', (reason, desc) => this._onclose(reason, desc)),
        ];
      }
      if (this.io._readyState === 'open') this._onopen();
      else if (!this.io._reconnecting) this.io.open();
      return this;
    }
    open() { return this.connect(); }

    _onopen() {
      const send = (data) => {
        // With connection state recovery the server gave us a private id
        // and stamps events with offsets; hand both back to resume.
        if (this._pid) data = Object.assign({ pid: this._pid, offset: this._lastOffset }, data);
        this._packet({ type: T.CONNECT, data });
      };
      if (typeof this.auth === 'function') this.auth((d) => send(d || {}));
      else send(this.auth ? Object.assign({}, this.auth) : undefined);
    }

    emit(ev, ...args) {
      if (RESERVED.indexOf(ev) >= 0) throw new Error('"' + ev + '" is a reserved event name');
      const flags = this._flags;
      this._flags = {};
      const p = { type: T.EVENT, data: [ev].concat(args) };
      if (typeof args[args.length - 1] === 'function') {
        const id = this.ids++;
        const fn = p.data.pop();
        this._registerAck(id, fn, flags.timeout === undefined ? this._opts.ackTimeout : flags.timeout);
        p.id = id;
      }
      if (this.connected && !(flags.volatile && !(this.io.engine && this.io.engine.transport.writable))) this._packet(p);
      else if (!flags.volatile) this.sendBuffer.push(p);
      return this;
    }
    send(...args) { return this.emit('message', ...args); }
    emitWithAck(ev, ...args) {
      const withErr = this._flags.timeout !== undefined || this._opts.ackTimeout !== undefined;
      return new Promise((resolve, reject) => {
        const fn = (a, b) => { if (!withErr) resolve(a); else if (a) reject(a); else resolve(b); };
        this.emit(ev, ...args, fn);
      });
    }
    // With a timeout the callback gets (err, ...args); err is set when no
    // ack came in time (or the socket disconnected first).
    _registerAck(id, fn, ms) {
      if (ms === undefined) { this.acks[id] = fn; return; }
      const timer = setTimeout(() => {
        delete this.acks[id];
        this.sendBuffer = this.sendBuffer.filter((p) => p.id !== id);
        fn.call(this, new Error('operation has timed out'));
      }, ms);
      const wrapped = (...args) => { clearTimeout(timer); fn.call(this, null, ...args); };
      wrapped.fail = (err) => { clearTimeout(timer); fn.call(this, err); };
      this.acks[id] = wrapped;
    }
    _packet(p) { p.nsp = this.nsp; this.io._packet(p); }

    _onpacket(p) {
      switch (p.type) {
        case T.CONNECT:
          if (p.data && typeof p.data.sid === 'string') this._onconnect(p.data.sid, p.data.pid);
          else this.emitReserved('connect_error', new Error('invalid CONNECT packet'));
          break;
        case T.EVENT:
        case T.BINARY_EVENT: {
          const args = p.data.slice();
          if (p.id !== undefined) args.push(this._ack(p.id));
          if (this.connected) this._dispatch(args);
          else this.receiveBuffer.push(args);
          break;
        }
        case T.ACK:
        case T.BINARY_ACK: {
          const fn = this.acks[p.id];
          if (typeof fn === 'function') {
            delete this.acks[p.id];
            fn.apply(this, p.data);
          }
          break;
        }
        case T.DISCONNECT:
          this._destroy();
          this._onclose('io server disconnect');
          break;
        case T.CONNECT_ERROR: {
          this._destroy();
          const d = p.data;
          const err = new Error(typeof d === 'string' ? d : d.message);
          if (typeof d === 'object') err.data = d.data;
          this.emitReserved('connect_error', err);
          break;
        }
        default: break;
      }
    }
    _dispatch(args) {
      for (const fn of this._any.slice()) fn.apply(this, args);
      if (this._pid && args.length && typeof args[args.length - 1] === 'string') this._lastOffset = args[args.length - 1];
      this.emitReserved(...args);
    }
    // Ack for an event the server sent with an id: 21["ask"] -> 31[answer].
    _ack(id) {
      let sent = false;
      return (...args) => {
        if (sent) return;
        sent = true;
        this._packet({ type: T.ACK, id, data: args });
      };
    }
    _onconnect(id, pid) {
      this.id = id;
      this.recovered = !!(pid && this._pid === pid);
      this._pid = pid;
      this.connected = true;
      for (const args of this.receiveBuffer) this._dispatch(args);
      this.receiveBuffer = [];
      this.emitReserved('connect');
      for (const p of this.sendBuffer) this._packet(p);
      this.sendBuffer = [];
    }
    _onclose(reason, desc) {
      const was = this.connected;
      this.connected = false;
      this.id = undefined;
      if (was || reason !== 'forced close') this.emitReserved('disconnect', reason, desc);
      // Callbacks that can report an error learn that no ack will come.
      for (const id of Object.keys(this.acks)) {
        const fn = this.acks[id];
        if (fn.fail) {
          delete this.acks[id];
          fn.fail(new Error('socket has been disconnected'));
        }
      }
    }
    _destroy() {
      if (!this.subs) return;
      for (const u of this.subs) u();
      this.subs = null;
      this.io._destroy(this);
    }
    disconnect() {
      const was = this.connected;
      if (was) this._packet({ type: T.DISCONNECT });
      this._destroy();
      if (was) this._onclose('io client disconnect');
      return this;
    }
    close() { return this.disconnect(); }

    onAny(fn) { this._any.push(fn); return this; }
    prependAny(fn) { this._any.unshift(fn); return this; }
    offAny(fn) {
      if (!fn) this._any = [];
      else this._any = this._any.filter((f) => f !== fn);
      return this;
    }
    listenersAny() { return this._any.slice(); }
  }

  /* ------------------------------------------------------------------ io */

  const cache = {};
  function lookup(uri, opts) {
    if (uri && typeof uri === 'object') { opts = uri; uri = undefined; }
    opts = opts || {};
    const url = new URL(uri || '/', typeof location !== 'undefined' ? location.href : undefined);
    const path = (opts.path || '/socket.io').replace(/\/$/, '') + '/';
    const key = url.protocol + '//' + url.host + path;
    const nsp = url.pathname || '/';
    // Like the official client: a second io() for an already used
    // namespace gets its own connection instead of the cached socket.
    const fresh = opts.forceNew || opts['force new connection'] || opts.multiplex === false ||
      (cache[key] && nsp in cache[key].nsps);
    let io;
    if (fresh) io = new Manager(url.href, opts);
    else io = cache[key] || (cache[key] = new Manager(url.href, opts));
    return io.socket(nsp, opts);
  }
  Object.assign(lookup, { io: lookup, connect: lookup, Manager, Socket, protocol: 5 });

  if (typeof module === 'object' && module && module.exports) module.exports = lookup;
  else root.io = lookup;
})(typeof globalThis !== 'undefined' ? globalThis : this);
