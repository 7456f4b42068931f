// Streams against the npm socket.io-stream package, both ways:
// * a Node client using socket.io-stream downloads and uploads 50 MiB
//   through build/stream, checked by SHA-256, while the server's resident
//   memory is sampled and must stay far below the file size;
// * bad names get "stream-error" and nothing outside the directory moves;
// * our C client (build/stream_client) does the same against a Node
//   server that uses socket.io-stream.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import crypto from 'node:crypto';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import ss from 'socket.io-stream';
import { ROOT, BUILD, startServer, withTimeout } from './lib.mjs';

const MiB = 1 << 20;
const BIG = 50 * MiB;
const MAX_GROWTH_KB = 20 * 1024; // resident memory a transfer may add

let tmp, dir, big, bigSha, small, smallSha;
const servers = [];
const clients = [];

function makeFile(file, size) {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  const block = crypto.randomBytes(MiB);
  for (let off = 0; off < size; off += MiB) {
    const part = block.subarray(0, Math.min(MiB, size - off));
    part[0] = off / MiB & 255; // no two blocks alike
    h.update(part);
    fs.writeSync(fd, part);
  }
  fs.closeSync(fd);
  return h.digest('hex');
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

// Samples a process's VmRSS every 10 ms until stopped; resolves the peak.
function sampleRss(pid) {
  let peak = rssKb(pid);
  const t = setInterval(() => { peak = Math.max(peak, rssKb(pid)); }, 10);
  return () => {
    clearInterval(t);
    return Math.max(peak, rssKb(pid));
  };
}

function connect(port, transports = ['websocket']) {
  const c = ioClient(`http://127.0.0.1:${port}`, { transports, reconnection: false, forceNew: true });
  clients.push(c);
  return new Promise((resolve, reject) => {
    c.once('connect', () => resolve(c));
    c.once('connect_error', reject);
  });
}

// socket.io-stream download: resolves {size, sha}.
function download(c, name, ms = 30000) {
  const st = ss.createStream();
  const h = crypto.createHash('sha256');
  let size = 0;
  ss(c).emit('download', st, { name });
  return withTimeout(new Promise((resolve, reject) => {
    st.on('data', (d) => { h.update(d); size += d.length; });
    st.on('end', () => resolve({ size, sha: h.digest('hex') }));
    st.on('error', reject);
  }), ms, `download ${name}`);
}

// socket.io-stream upload from a file: resolves the server's "uploaded" payload.
function upload(c, file, name, ms = 30000) {
  const st = ss.createStream();
  const got = new Promise((resolve, reject) => {
    c.once('uploaded', resolve);
    c.once('stream-error', (e) => reject(new Error(`stream-error ${JSON.stringify(e)}`)));
    st.on('error', reject);
  });
  ss(c).emit('upload', st, { name });
  fs.createReadStream(file).pipe(st);
  return withTimeout(got, ms, `upload ${name}`);
}

// Next "stream-error" event (the stream itself is left hanging by the server).
function nextStreamError(c, ms = 5000) {
  return withTimeout(new Promise((resolve) => c.once('stream-error', resolve)), ms, 'stream-error');
}

// Every file below root: relative path -> size/mtime/link target.
function snapshot(root) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = fs.lstatSync(p);
      out[path.relative(root, p)] = e.isSymbolicLink() ? `link:${fs.readlinkSync(p)}` : `${st.size}:${st.mtimeMs}`;
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

function runClient(args, ms = 60000) {
  const exe = path.resolve(ROOT, BUILD, 'stream_client');
  return withTimeout(new Promise((resolve, reject) => {
    if (!fs.existsSync(exe)) {
      reject(new Error(`${exe} does not exist (build it)`));
      return;
    }
    const p = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, out }));
  }), ms, `stream_client ${args.join(' ')}`);
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-stream-'));
  dir = path.join(tmp, 'files');
  fs.mkdirSync(dir);
  big = path.join(dir, 'big.bin');
  bigSha = makeFile(big, BIG);
  small = path.join(dir, 'small.bin');
  smallSha = makeFile(small, 5 * MiB + 12345);
});

after(async () => {
  for (const c of clients) c.close();
  await Promise.all(servers.map((s) => s.stop()));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('streams: socket.io-stream client against build/stream', () => {
  let srv;
  before(async () => {
    srv = await startServer([path.resolve(ROOT, BUILD, 'stream')], ['--dir', dir]);
    servers.push(srv);
  });

  it('downloads and uploads 50 MiB over WebSocket, SHA-256 intact, server memory bounded', async () => {
    const c = await connect(srv.port);
    const pid = srv.process.pid;
    const base = rssKb(pid);
    assert.ok(base > 0, 'VmRSS of the server must be readable');
    let stop = sampleRss(pid);
    const got = await download(c, 'big.bin');
    let peak = stop();
    assert.equal(got.size, BIG);
    assert.equal(got.sha, bigSha);
    assert.ok(peak - base < MAX_GROWTH_KB, `download: server RSS grew ${peak - base} kB`);

    stop = sampleRss(pid);
    const up = await upload(c, big, 'big-up.bin');
    peak = stop();
    assert.deepEqual(up, { name: 'big-up.bin', size: BIG });
    assert.equal(sha256(path.join(dir, 'big-up.bin')), bigSha);
    assert.ok(peak - base < MAX_GROWTH_KB, `upload: server RSS grew ${peak - base} kB`);
    fs.unlinkSync(path.join(dir, 'big-up.bin'));
  });

  it('works over HTTP long-polling too, several streams at once', async () => {
    const c = await connect(srv.port, ['polling']);
    const [a, b] = await Promise.all([download(c, 'small.bin'), download(c, 'small.bin')]);
    assert.deepEqual(a, { size: 5 * MiB + 12345, sha: smallSha });
    assert.deepEqual(b, a);
    const up = await upload(c, small, 'small-up.bin');
    assert.deepEqual(up, { name: 'small-up.bin', size: 5 * MiB + 12345 });
    assert.equal(sha256(path.join(dir, 'small-up.bin')), smallSha);
    fs.unlinkSync(path.join(dir, 'small-up.bin'));
  });

  it('an empty file streams as just an end', async () => {
    fs.writeFileSync(path.join(dir, 'empty.bin'), '');
    const c = await connect(srv.port);
    assert.deepEqual(await download(c, 'empty.bin'), { size: 0, sha: crypto.createHash('sha256').digest('hex') });
    const up = await upload(c, path.join(dir, 'empty.bin'), 'empty-up.bin');
    assert.deepEqual(up, { name: 'empty-up.bin', size: 0 });
    fs.unlinkSync(path.join(dir, 'empty.bin'));
    fs.unlinkSync(path.join(dir, 'empty-up.bin'));
  });

  it('bad names and unopenable files get stream-error; nothing outside the directory is touched', async () => {
    fs.writeFileSync(path.join(tmp, 'outside.txt'), 'secret');
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.symlinkSync('../outside.txt', path.join(dir, 'link'));
    const before = snapshot(tmp);
    const c = await connect(srv.port);
    const names = ['', '../outside.txt', 'sub/x', '..\\outside.txt', 'a\\b', '.hidden', '..', '.', '/etc/passwd'];
    for (const name of names) {
      for (const op of ['download', 'upload']) {
        const st = ss.createStream();
        st.on('error', () => {});
        const e = nextStreamError(c);
        ss(c).emit(op, st, { name });
        if (op === 'upload') st.write(Buffer.from('must not land anywhere'));
        const [err] = [await e];
        assert.equal(err.name, name, `${op} ${JSON.stringify(name)}`);
        assert.equal(typeof err.message, 'string');
        assert.ok(err.message.length > 0);
      }
    }
    // names that pass the check but cannot be opened as files
    for (const [op, name] of [['download', 'missing.bin'], ['download', 'sub'], ['download', 'link'],
      ['upload', 'sub'], ['upload', 'link']]) {
      const st = ss.createStream();
      st.on('error', () => {});
      const e = nextStreamError(c);
      ss(c).emit(op, st, { name });
      if (op === 'upload') st.write(Buffer.from('must not land anywhere'));
      const err = await e;
      assert.equal(err.name, name, `${op} ${name}`);
    }
    // a name that is not a string at all
    {
      const st = ss.createStream();
      const e = nextStreamError(c);
      ss(c).emit('download', st, { name: 42 });
      assert.equal((await e).name, 42);
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(snapshot(tmp), before);
    assert.equal(fs.readFileSync(path.join(tmp, 'outside.txt'), 'utf8'), 'secret');
  });

  it('a client that leaves mid-transfer frees the stream and the server goes on', async () => {
    const c = await connect(srv.port);
    const st = ss.createStream();
    st.on('error', () => {});
    ss(c).emit('download', st, { name: 'big.bin' });
    await new Promise((resolve) => st.once('data', resolve));
    c.close();
    const c2 = await connect(srv.port);
    assert.deepEqual(await download(c2, 'small.bin'), { size: 5 * MiB + 12345, sha: smallSha });
  });
});

describe('streams: our C client against a Node server using socket.io-stream', () => {
  let port, io, hs, sdir;
  before(async () => {
    sdir = path.join(tmp, 'node-side');
    fs.mkdirSync(sdir);
    fs.copyFileSync(big, path.join(sdir, 'big.bin'));
    hs = http.createServer();
    io = new Server(hs, { maxHttpBufferSize: 2 * MiB });
    io.on('connection', (sock) => {
      ss(sock).on('download', (stream, data) => {
        const rs = fs.createReadStream(path.join(sdir, path.basename(String(data.name))));
        rs.on('error', (e) => stream.emit('error', e));
        rs.pipe(stream);
      });
      ss(sock).on('upload', (stream, data) => {
        const name = path.basename(String(data.name));
        const ws = fs.createWriteStream(path.join(sdir, name));
        stream.pipe(ws);
        ws.on('finish', () => sock.emit('uploaded', { name, size: ws.bytesWritten }));
      });
    });
    await new Promise((r) => hs.listen(0, '127.0.0.1', r));
    port = hs.address().port;
  });
  after(() => new Promise((r) => { io.close(); hs.close(() => r()); }));

  for (const transport of ['websocket', 'polling']) {
    it(`downloads and uploads 50 MiB (${transport}), SHA-256 intact, client memory bounded`, async () => {
      const url = `http://127.0.0.1:${port}`;
      const out = path.join(tmp, `c-down-${transport}.bin`);
      const d = await runClient([url, 'download', 'big.bin', out, '--transport', transport]);
      assert.equal(d.code, 0, d.out);
      assert.match(d.out, new RegExp(`^downloaded ${BIG}$`, 'm'));
      assert.equal(sha256(out), bigSha);
      const drss = Number(/maxrss_kb (\d+)/.exec(d.out)[1]);
      assert.ok(drss > 0 && drss < MAX_GROWTH_KB, `client peak RSS ${drss} kB`);
      fs.unlinkSync(out);

      const u = await runClient([url, 'upload', big, `c-up-${transport}.bin`, '--transport', transport]);
      assert.equal(u.code, 0, u.out);
      assert.match(u.out, new RegExp(`^sent ${BIG}$`, 'm'));
      assert.match(u.out, new RegExp(`^uploaded ${BIG}$`, 'm'));
      assert.equal(sha256(path.join(sdir, `c-up-${transport}.bin`)), bigSha);
      const urss = Number(/maxrss_kb (\d+)/.exec(u.out)[1]);
      assert.ok(urss > 0 && urss < MAX_GROWTH_KB, `client peak RSS ${urss} kB`);
      fs.unlinkSync(path.join(sdir, `c-up-${transport}.bin`));
    });
  }

  it('an error on the Node side reaches our stream as a stream error', async () => {
    const r = await runClient([`http://127.0.0.1:${port}`, 'download', 'missing.bin', path.join(tmp, 'never.bin')]);
    assert.equal(r.code, 2, r.out);
    assert.match(r.out, /^stream-error .*ENOENT/m);
  });
});
