// The C client driven line by line (tests/client_driver.c): shared by the
// client and DNS interop tests. Lines it prints are matched with expect().
import { afterEach } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT, commandFrom } from './lib.mjs';

const cmd = commandFrom('SIO_CLIENT_DRIVER_CMD', 'client_driver');

export class Driver {
  // cleanups: an array the test file empties in afterEach; the driver adds its stop().
  constructor(url, args = [], cleanups = null) {
    const [exe, ...pre] = cmd;
    if (exe.includes('/') && !existsSync(path.resolve(ROOT, exe))) {
      throw new Error(`${exe} does not exist (build it, or set SIO_CLIENT_DRIVER_CMD)`);
    }
    this.lines = [];
    this.stamps = [];
    this.used = new Set();
    this.waiters = [];
    this.log = '';
    this.child = spawn(exe, [...pre, url, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((res) => this.child.once('exit', (code, sig) => res({ code, sig })));
    let buf = '';
    this.child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.lines.push(buf.slice(0, i));
        this.stamps.push(performance.now());
        buf = buf.slice(i + 1);
      }
      this.waiters = this.waiters.filter((w) => !w());
    });
    this.child.stderr.on('data', (d) => { this.log += d; });
    this.child.stdin.on('error', () => {});
    if (cleanups) cleanups.push(() => this.stop());
  }

  send(line) { this.child.stdin.write(`${line}\n`); }

  // The first line not taken yet that matches `re`: the match.
  async expect(re, ms = 5000) { return (await this.expectAt(re, ms)).m; }

  // The same with when it was read: { m, at }.
  expectAt(re, ms = 5000) {
    return new Promise((resolve, reject) => {
      const w = () => {
        for (let i = 0; i < this.lines.length; i++) {
          if (this.used.has(i)) continue;
          const m = re.exec(this.lines[i]);
          if (m) { this.used.add(i); clearTimeout(t); resolve({ m, at: this.stamps[i] }); return true; }
        }
        return false;
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timeout (${ms} ms) waiting for ${re}; driver said:\n${this.lines.join('\n')}\n${this.log}`));
      }, ms);
      if (!w()) this.waiters.push(w);
    });
  }

  count(re) { return this.lines.filter((l) => re.test(l)).length; }

  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.send('quit');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(t);
  }
}

// For a test file: `cleanups`, emptied (last in, first out) after each of
// its tests, failing or not, and a Driver whose instances put their stop()
// there. Call it once, at the top of the file.
export function stoppedAfterEach() {
  const cleanups = [];
  afterEach(async () => {
    while (cleanups.length) {
      try { await cleanups.pop()(); } catch { /* best effort */ }
    }
  });
  class StoppedDriver extends Driver {
    constructor(url, args = []) { super(url, args, cleanups); }
  }
  return { cleanups, Driver: StoppedDriver };
}
