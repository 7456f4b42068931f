// `make install` and `make uninstall` (issue 18), staged: `make install
// DESTDIR=$tmp PREFIX=/usr B=$SIO_BUILD` puts socketio.h, siocat, its man
// page and the pkg-config files in place; a program compiled with
// `pkg-config --cflags socketio` (and socketio-tls, when BearSSL is
// installed) against the staged header runs; the man page renders (man -l,
// groff warnings) and documents every option `siocat --help` lists; `man
// siocat` finds it; `make uninstall` leaves no file behind.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, BUILD } from './lib.mjs';

const B = path.resolve(ROOT, BUILD);
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const HAVE_BEARSSL = fs.existsSync('/usr/include/bearssl.h');

function sh(argv, opts = {}) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: 300000, ...opts });
  return { code: r.status, out: r.stdout || '', err: r.stderr || '', all: `${r.stdout}${r.stderr}` };
}
const make = (...args) => sh(['make', '--no-print-directory', `B=${B}`, ...args]);

function filesUnder(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

const PROG = `/* a program of a user who installed socketio.h */
#define SOCKETIO_IMPLEMENTATION
#include <socketio.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    sio_server_desc d;
    sio_server *srv;
    int err = 0;
    memset(&d, 0, sizeof d);
    d.host = "127.0.0.1";
    srv = sio_server_create(&d, &err);
    if (!srv) return 1;
    printf("listening on port %d\\n", sio_server_port(srv));
    sio_server_destroy(srv);
    return 0;
}
`;

describe('make install / make uninstall, staged with DESTDIR', { concurrency: false }, () => {
  let tmp, stage, pcPath;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sio-install-'));
    stage = path.join(tmp, 'stage');
    pcPath = path.join(stage, 'usr/share/pkgconfig');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('installs the header, siocat, siocat.1 and the .pc files under PREFIX', () => {
    const r = make('install', `DESTDIR=${stage}`, 'PREFIX=/usr');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(filesUnder(stage), [
      'usr/bin/siocat',
      'usr/include/socketio.h',
      'usr/share/man/man1/siocat.1',
      'usr/share/pkgconfig/socketio-tls.pc',
      'usr/share/pkgconfig/socketio.pc',
    ]);
    assert.ok(fs.readFileSync(path.join(stage, 'usr/include/socketio.h')).equals(fs.readFileSync(path.join(ROOT, 'socketio.h'))),
      'the header is the one in the tree');
    const help = sh([path.join(stage, 'usr/bin/siocat'), '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: siocat/);
    const pc = fs.readFileSync(path.join(pcPath, 'socketio.pc'), 'utf8');
    assert.match(pc, /^prefix=\/usr$/m);
    assert.match(pc, /^Cflags: -I\$\{includedir\}$/m);
  });

  it('a program compiles against the installed header with pkg-config --cflags socketio, and runs', (t) => {
    if (!has('pkg-config')) return t.skip('pkg-config is not installed');
    const env = { ...process.env, PKG_CONFIG_PATH: pcPath };
    // --define-prefix: the prefix is where the .pc file was found, so the
    // staged tree answers as /usr would after a real install
    const flags = sh(['pkg-config', '--define-prefix', '--cflags', '--libs', 'socketio'], { env });
    assert.equal(flags.code, 0, flags.all);
    assert.equal(flags.out.trim(), `-I${path.join(stage, 'usr/include')}`);
    fs.writeFileSync(path.join(tmp, 'prog.c'), PROG);
    if (!fs.existsSync('/usr/include/socketio.h')) {
      const without = sh(['cc', '-std=c99', '-c', 'prog.c', '-o', 'prog.o'], { cwd: tmp });
      assert.notEqual(without.code, 0, 'without the flags the header is not found (so they are what finds it)');
    }
    const cc = sh(['sh', '-c', 'cc -std=c99 -Wall -Wextra -Wpedantic -Werror $(pkg-config --define-prefix --cflags socketio) '
      + 'prog.c -o prog $(pkg-config --define-prefix --libs socketio)'], { cwd: tmp, env });
    assert.equal(cc.code, 0, cc.all);
    const run = sh([path.join(tmp, 'prog')]);
    assert.equal(run.code, 0, run.all);
    assert.match(run.out, /^listening on port \d+$/m);
  });

  it('socketio-tls.pc: -DSIO_TLS_BEARSSL and -lbearssl', (t) => {
    if (!has('pkg-config')) return t.skip('pkg-config is not installed');
    const env = { ...process.env, PKG_CONFIG_PATH: pcPath };
    const flags = sh(['pkg-config', '--define-prefix', '--cflags', '--libs', 'socketio-tls'], { env });
    assert.equal(flags.code, 0, flags.all);
    assert.match(flags.out, /-DSIO_TLS_BEARSSL/);
    assert.match(flags.out, /-lbearssl/);
    if (!HAVE_BEARSSL) return t.skip('BearSSL is not installed: not compiled');
    const cc = sh(['sh', '-c', 'cc -std=c99 -Wall -Werror $(pkg-config --define-prefix --cflags socketio-tls) '
      + 'prog.c -o prog-tls $(pkg-config --define-prefix --libs socketio-tls)'], { cwd: tmp, env });
    assert.equal(cc.code, 0, cc.all);
    assert.equal(sh([path.join(tmp, 'prog-tls')]).code, 0);
  });

  it('the man page renders, documents every option of --help, and `man siocat` finds it', (t) => {
    const page = path.join(stage, 'usr/share/man/man1/siocat.1');
    const src = fs.readFileSync(page, 'utf8');
    assert.match(src, /^\.TH SIOCAT 1 /m);
    let text = src.replace(/\\-/g, '-');
    if (has('groff')) {
      const lint = sh(['groff', '-man', '-ww', '-z', page]);
      assert.equal(lint.code, 0, lint.all);
      assert.equal(lint.err, '', 'no groff warnings');
    }
    if (!has('man')) return t.skip('man is not installed: the page was checked as a file only');
    const env = { ...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '100' };
    const man = sh(['man', '-l', page], { env });
    assert.equal(man.code, 0, man.all);
    text = man.out.replace(/.\x08/g, '');   // overstrike bold
    for (const section of ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'FORMAT', 'INTERACTIVE MODE', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES']) {
      assert.match(text, new RegExp(`^${section}$`, 'm'), `section ${section}`);
    }
    const help = sh([path.join(stage, 'usr/bin/siocat'), '--help']).out;
    const options = [...new Set(help.match(/(?<![\w-])--?[a-z][\w-]*/g))].filter((o) => !['-', '--'].includes(o));
    assert.ok(options.length > 15, options.join(' '));
    for (const o of options) assert.ok(text.includes(o), `the man page documents ${o}`);
    for (const code of ['0', '1', '2', '3']) assert.match(text, new RegExp(`^ {7}${code} {2,}`, 'm'), `exit status ${code}`);
    const found = sh(['man', '-M', path.join(stage, 'usr/share/man'), 'siocat'], { env });
    assert.equal(found.code, 0, found.all);
    assert.match(found.out.replace(/.\x08/g, ''), /SIOCAT\(1\)/);
  });

  it('make uninstall removes exactly those files', () => {
    const keep = path.join(stage, 'usr/bin/other-tool');
    fs.writeFileSync(keep, '#!/bin/sh\n');
    const r = make('uninstall', `DESTDIR=${stage}`, 'PREFIX=/usr');
    assert.equal(r.code, 0, r.all);
    assert.deepEqual(filesUnder(stage), ['usr/bin/other-tool'], 'what install put is gone, nothing else');
  });
});
