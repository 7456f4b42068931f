// The small examples, each driven by the real socket.io-client.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { ROOT, BUILD, startServer, connect, connected, ask, closeClients, withTimeout } from './lib.mjs';

const bin = (name) => [path.resolve(ROOT, BUILD, name)];
const servers = [];
after(async () => {
  closeClients();
  await Promise.all(servers.map((s) => s.stop()));
});
async function start(name) {
  const s = await startServer(bin(name));
  servers.push(s);
  return s;
}

describe('examples', { concurrency: true }, () => {
  it('tweets: every client gets a tweet each second', async () => {
    const srv = await start('tweets');
    const a = connect(srv.port, { transports: ['websocket'] });
    const b = connect(srv.port, { transports: ['polling'] });
    await Promise.all([connected(a), connected(b)]);
    const [ta] = await a.inbox.take('tweet', 3000);
    const [tb] = await b.inbox.take('tweet', 3000);
    for (const t of [ta, tb]) {
      assert.equal(typeof t.user, 'string');
      assert.match(t.text, /#\d+$/);
    }
    const [next] = await a.inbox.take('tweet', 3000);
    assert.ok(next.id > ta.id);
  });

  it('rooms: what is said in a room is heard there only, with member counts', async () => {
    const srv = await start('rooms');
    const [a, b, c] = [connect(srv.port), connect(srv.port), connect(srv.port, { transports: ['polling'] })];
    await Promise.all([a, b, c].map((s) => connected(s)));
    await ask(a, 'enter', ['kitchen']);
    assert.deepEqual(await a.inbox.take('count'), ['kitchen', 1]);
    await ask(b, 'enter', ['kitchen']);
    assert.deepEqual(await a.inbox.take('count'), ['kitchen', 2]);
    await ask(c, 'enter', ['garden']);
    b.emit('say', 'soup is ready');
    const [who, text] = await a.inbox.take('said');
    assert.equal(who, b.id);
    assert.equal(text, 'soup is ready');
    await b.inbox.take('said');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(c.inbox.has('said'), false, 'the garden must not hear the kitchen');
  });

  it('binary: upload bytes, get their SHA-1 and the bytes reversed', async () => {
    const srv = await start('binary');
    for (const transports of [['websocket'], ['polling']]) {
      const s = connect(srv.port, { transports });
      await connected(s);
      const data = Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7) & 255));
      const [info, reversed] = await ask(s, 'upload', ['blob.bin', data]);
      assert.equal(info.name, 'blob.bin');
      assert.equal(info.size, data.length);
      assert.equal(info.sha1, createHash('sha1').update(data).digest('hex'));
      assert.ok(Buffer.from(reversed).equals(Buffer.from(data).reverse()));
    }
  });

  it('own_loop: the library stepped from the user\'s poll() beside standard input', async () => {
    const child = spawn(path.resolve(ROOT, BUILD, 'own_loop'), ['--host', '127.0.0.1', '--port', '0'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      await withTimeout(new Promise((r) => {
        const iv = setInterval(() => { if (/listening on port \d+/.test(out)) { clearInterval(iv); r(); } }, 20);
      }), 5000, 'own_loop start');
      const port = Number(/listening on port (\d+)/.exec(out)[1]);
      const s = connect(port);
      await connected(s);
      child.stdin.write('hello from stdin\n');
      assert.deepEqual(await s.inbox.take('line'), ['hello from stdin']);
      s.emit('say', 'hi back');
      await withTimeout(new Promise((r) => {
        const iv = setInterval(() => { if (out.includes(`${s.id}: hi back`)) { clearInterval(iv); r(); } }, 20);
      }), 5000, 'the say line on stdout');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('client: the C client chats with a socket.io-client user through build/chat', async () => {
    const srv = await start('chat');
    const u = connect(srv.port);
    await connected(u);
    u.emit('join', 'node-user');
    const [me] = await u.inbox.take('joined');   // our own notice first: the order is now fixed
    assert.equal(me.name, 'node-user');
    const child = spawn(path.resolve(ROOT, BUILD, 'client'), [srv.url, 'c-bot'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const until = (what, f) => withTimeout(new Promise((r) => {
      const iv = setInterval(() => { if (f()) { clearInterval(iv); r(); } }, 20);
    }), 5000, what);
    try {
      await until('the C client connected', () => /connected over/.test(err));
      const [joined] = await u.inbox.take('joined');
      assert.equal(joined.name, 'c-bot');
      assert.equal(joined.users, 2);
      child.stdin.write('hello from C\n');
      let m;
      do [m] = await u.inbox.take('message'); while (m.name !== 'c-bot');
      assert.equal(m.text, 'hello from C');
      u.emit('message', 'hi C, from Node');
      await until('the C client printed the message', () => out.includes('node-user: hi C, from Node'));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('client: lines typed before it is connected are held, and arrive after its join, in order', async () => {
    const srv = await start('chat');
    const u = connect(srv.port);
    await connected(u);
    u.emit('join', 'node-user');
    await u.inbox.take('joined');
    const child = spawn(path.resolve(ROOT, BUILD, 'client'), [srv.url, 'early'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    try {
      // in the pipe before the client's first turn, so read while its
      // handshake is still on the way
      child.stdin.write('first\nsecond\n');
      const [joined] = await u.inbox.take('joined');
      assert.equal(joined.name, 'early');
      const texts = [];
      while (texts.length < 2) {
        const [m] = await u.inbox.take('message');
        if (m.name === 'early') texts.push(m.text);
      }
      assert.deepEqual(texts, ['first', 'second']);
      // its stderr may come after the messages: one connect, once it is there
      await withTimeout(new Promise((r) => {
        const iv = setInterval(() => { if (/connected over/.test(err)) { clearInterval(iv); r(); } }, 20);
      }), 5000, 'the C client says it connected');
      assert.equal((err.match(/connected over/g) || []).length, 1, err);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
