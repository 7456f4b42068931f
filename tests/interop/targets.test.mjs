// Issue 19: the echo server and our client as other targets build them,
// driven by the real npm packages through the same suites as the default
// build (SIO_ECHO_CMD, SIO_CLIENT_DRIVER_CMD, SIO_SIOCAT_CMD):
//   posix   build/posix/echo: -D_POSIX_C_SOURCE=200809L -DSIO_POSIX_ONLY, the
//           path macOS and the BSDs take (accept + fcntl, /dev/urandom, poll);
//   m32     build/m32/echo: 32-bit code (gcc -m32);
//   s390x   build/s390x/echo: big-endian, cross-built, run under qemu-s390x.
// A target whose tools are missing on this machine is a failure, not a skip,
// where `make test` installs them (tests/setup.sh).
// Three targets, each every suite, one after the other (s390x under qemu):
// sio-test-timeout: 400
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { ROOT, BUILD, startServer } from './lib.mjs';

// What a byte order, a word size or the portable calls could break: framing
// (WebSocket lengths, polling payloads), JSON and binary attachments, both
// parsers, and the v3 framing with its UTF-16 lengths.
const SUITES = ['tests/interop/eio.test.mjs', 'tests/interop/sio.test.mjs', 'tests/interop/server_extra.test.mjs',
  'tests/interop/msgpack.test.mjs', 'tests/interop/eio3.test.mjs'];
// The client's side: build/<target>/client_driver and siocat against Node.
const CLIENT_SUITES = ['tests/interop/client.test.mjs', 'tests/interop/client_msgpack.test.mjs'];

function has(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}

// The programs of a target; s390x ones run through qemu, so a two-line
// wrapper is the command the suites start.
function programs(name, qemu) {
  const dir = path.resolve(ROOT, BUILD, name);
  const out = {};
  for (const prog of ['echo', 'client_driver', 'siocat']) {
    const bin = path.join(dir, prog);
    out[prog] = { bin, cmd: bin };
    if (qemu) {
      mkdirSync(dir, { recursive: true });
      const wrap = path.join(dir, `${prog}-qemu.sh`);
      writeFileSync(wrap, `#!/bin/sh\nexec ${qemu} "${bin}" "$@"\n`);
      chmodSync(wrap, 0o755);
      out[prog].cmd = wrap;
    }
  }
  return out;
}

const TARGETS = [
  { name: 'posix', progs: programs('posix') },
  { name: 'm32', progs: programs('m32') },
  { name: 's390x', progs: programs('s390x', 'qemu-s390x -L /usr/s390x-linux-gnu'), tools: ['qemu-s390x'] },
];

function run(args, env, ms = 400000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, ms);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}

for (const target of TARGETS) {
  describe(`target ${target.name}`, () => {
    it(`server suites against build/${target.name}/echo, client suites with its client_driver and siocat`, async (t) => {
      for (const p of Object.values(target.progs)) {
        assert.ok(existsSync(p.bin), `${p.bin} missing: make ${path.relative(ROOT, p.bin)}`);
      }
      for (const tool of target.tools || []) assert.ok(has(tool), `${tool} not installed (tests/setup.sh installs it)`);
      const env = {
        ...process.env, SIO_ECHO_CMD: target.progs.echo.cmd,
        SIO_CLIENT_DRIVER_CMD: target.progs.client_driver.cmd, SIO_SIOCAT_CMD: target.progs.siocat.cmd,
      };
      delete env.NODE_TEST_CONTEXT;   // the nested runner reports to us, not to a parent
      for (const suite of [...SUITES, ...CLIENT_SUITES]) {
        await t.test(suite, async () => {
          const r = await run(['--test', '--test-reporter=tap', '--test-timeout=120000', suite], env);
          const pass = Number((/^# pass (\d+)$/m.exec(r.out) || [])[1] || 0);
          const failed = r.out.split('\n').filter((l) => /^\s*not ok /.test(l)).join('\n');
          assert.equal(r.code, 0, `${suite} against the ${target.name} echo failed:\n${failed}\n${r.out.slice(-3000)}`);
          assert.ok(pass > 0, `${suite}: nothing passed`);
        });
      }
    });
  });
}

// The client-only configuration a device would carry (SIO_NO_SERVER, no
// browser client: tools/bench/client_heap.c) against Node's server: it
// connects over WebSocket, gets an acked echo, and holds nothing after
// sio_client_destroy (it checks its own allocator).
describe('client-only build (SIO_NO_SERVER)', () => {
  it('build/client_heap joins the Node server, gets an ack, and frees every byte', async () => {
    const bin = path.resolve(ROOT, BUILD, 'client_heap');
    assert.ok(existsSync(bin), `${bin} missing: make ${path.relative(ROOT, bin)}`);
    const srv = await startServer([process.execPath, 'tests/node/echo_server.mjs']);
    try {
      const r = await new Promise((resolve) => {
        const child = spawn(bin, [srv.url], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { out += d; });
        const t = setTimeout(() => child.kill('SIGKILL'), 15000);
        child.on('close', (code) => { clearTimeout(t); resolve({ code, out }); });
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /^heap with one connected socket: \d+ bytes in \d+ blocks \(peak \d+\)$/m);
    } finally {
      await srv.stop();
    }
  });
});
