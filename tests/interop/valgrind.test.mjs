// Memory checking inside `make test` (issue 6), as one file the runner picks up:
//
// 1. tests/valgrind.sh: every C unit test, and build/echo during a client
//    session (tests/interop/valgrind_client.mjs) then SIGTERM, under valgrind
//    memcheck; no error and no definitely/indirectly lost block allowed.
//    One subtest per line it reports. Skipped when valgrind is missing.
// 2. The interop suites that drive the echo server, run once more against
//    the ASan/UBSan build ($SIO_BUILD/asan/echo, `make build/asan/echo`)
//    through SIO_ECHO_CMD. ASAN_OPTIONS/UBSAN_OPTIONS send every report,
//    including LeakSanitizer's at each server's exit, to files in a fresh
//    directory, which must stay empty: a report fails the test even when the
//    suite itself passed. SIO_ASAN_TESTS overrides the list (space separated).

// Whole suites under valgrind and the sanitizers, one after the other:
// sio-test-timeout: 400
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, BUILD } from './lib.mjs';

const SUITES = (process.env.SIO_ASAN_TESTS ||
  'tests/interop/sio.test.mjs tests/interop/eio.test.mjs tests/interop/sio_load.test.mjs tests/interop/hostile.test.mjs ' +
  'tests/interop/bcast_ack.test.mjs tests/interop/recovery.test.mjs')
  .split(/\s+/).filter(Boolean);

const hasValgrind = spawnSync('sh', ['-c', 'command -v valgrind'], { encoding: 'utf8' }).status === 0;

// Runs a command to its end (bounded), resolves {code, signal, out}.
function run(cmd, args, { env = process.env, ms = 240000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    // detached: the child leads a process group, so the timeout takes the
    // servers it started along with it
    const t = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, ms);
    child.on('close', (code, signal) => { clearTimeout(t); resolve({ code, signal, out }); });
  });
}

describe('memory checkers', () => {
  it('valgrind: C unit tests and echo during a client session', { skip: !hasValgrind && 'valgrind not installed' }, async (t) => {
    const r = await run('bash', ['tests/valgrind.sh', BUILD], { ms: 280000 });
    const lines = r.out.split('\n').filter((l) => /^(not )?ok \d+ - /.test(l));
    assert.ok(lines.length > 0, `valgrind.sh reported nothing:\n${r.out.slice(-4000)}`);
    for (const l of lines) {
      const ok = l.startsWith('ok');
      const name = l.replace(/^(not )?ok \d+ - /, '');
      await t.test(name, () => assert.ok(ok, `${name}\n${r.out.slice(-6000)}`));
    }
    assert.equal(r.code, 0, `valgrind.sh exit status ${r.code}`);
  });

  it('interop suites against the ASan/UBSan echo', async (t) => {
    const echo = path.resolve(ROOT, BUILD, 'asan/echo');
    assert.ok(existsSync(echo), `${echo} missing: make ${BUILD}/asan/echo`);
    const logs = path.resolve(ROOT, BUILD, 'asan/reports');
    rmSync(logs, { recursive: true, force: true });
    mkdirSync(logs, { recursive: true });
    const env = { ...process.env, SIO_ECHO_CMD: echo };
    // A nested `node --test` must not believe it reports to a parent runner.
    delete env.NODE_TEST_CONTEXT;
    env.ASAN_OPTIONS = `log_path=${logs}/asan:detect_leaks=1:abort_on_error=0`;
    env.UBSAN_OPTIONS = `log_path=${logs}/ubsan:print_stacktrace=1:halt_on_error=1`;
    for (const suite of SUITES) {
      await t.test(suite, async () => {
        const r = await run(process.execPath, ['--test', '--test-reporter=tap', '--test-timeout=120000', suite], { env });
        const pass = Number((/^# pass (\d+)$/m.exec(r.out) || [])[1] || 0);
        const fail = Number((/^# fail (\d+)$/m.exec(r.out) || [])[1] || 0);
        const failed = r.out.split('\n').filter((l) => /^\s*not ok /.test(l)).join('\n');
        assert.equal(r.code, 0, `${suite} against ASan echo: exit ${r.code}, ${fail} failed\n${failed}\n${r.out.slice(-4000)}`);
        assert.ok(pass > 0, `${suite}: nothing passed`);
        t.diagnostic(`${suite}: ${pass} passed against ${BUILD}/asan/echo`);
      });
    }
    // give the last servers' exit-time leak checks a moment to write
    await new Promise((r) => setTimeout(r, 500));
    const reports = readdirSync(logs);
    const text = reports.map((f) => `--- ${f}\n${readFileSync(path.join(logs, f), 'utf8').slice(0, 4000)}`).join('\n');
    assert.deepEqual(reports, [], `sanitizer reports:\n${text}`);
  });
});
