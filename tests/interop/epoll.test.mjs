// The epoll backend (SIO_EPOLL, Linux): the same server suites as for the
// default poll() build, run against build/epoll/echo through SIO_ECHO_CMD.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, BUILD } from './lib.mjs';

const SUITES = ['tests/interop/eio.test.mjs', 'tests/interop/sio.test.mjs', 'tests/interop/sio_load.test.mjs',
  'tests/interop/server_extra.test.mjs', 'tests/interop/hostile.test.mjs', 'tests/interop/bcast_ack.test.mjs',
  'tests/interop/recovery.test.mjs'];

function run(args, env, ms = 240000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, ms);
    child.on('close', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}

describe('epoll backend', () => {
  it('server suites against build/epoll/echo', async (t) => {
    const echo = path.resolve(ROOT, BUILD, 'epoll/echo');
    assert.ok(existsSync(echo), `${echo} missing: make ${BUILD}/epoll/echo`);
    const env = { ...process.env, SIO_ECHO_CMD: echo };
    delete env.NODE_TEST_CONTEXT;   // the nested runner reports to us, not to a parent
    for (const suite of SUITES) {
      await t.test(suite, async () => {
        const r = await run(['--test', '--test-reporter=tap', '--test-timeout=120000', suite], env);
        const pass = Number((/^# pass (\d+)$/m.exec(r.out) || [])[1] || 0);
        const failed = r.out.split('\n').filter((l) => /^\s*not ok /.test(l)).join('\n');
        assert.equal(r.code, 0, `${suite} against the epoll echo failed:\n${failed}\n${r.out.slice(-3000)}`);
        assert.ok(pass > 0, `${suite}: nothing passed`);
      });
    }
  });
});
