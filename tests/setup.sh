#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine, and nothing when it
# is all there already: compilers and tools from apt, the pinned npm packages
# (tests/package-lock.json) with `npm ci`. Run by `make test`; needs root (or
# sudo) only when something is missing. Reads nothing from stdin.
set -euo pipefail
exec </dev/null
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive

# redis-server: the Redis cluster tests start their own on a free port;
# libmicrohttpd-dev, libuv1-dev: hosts the attach examples are built against.
# The big-endian build: clang --target=s390x-linux-gnu against Debian's s390x
# cross libc, libgcc and linker (gcc-s390x-linux-gnu itself conflicts with
# gcc-multilib), run under qemu-user.
# The lwIP device build: arm-none-eabi-gcc with newlib, against Debian's lwIP
# headers (apt-get -s shows no package removed, gcc-multilib included). The
# Windows build: mingw-w64, run under wine (wine64 on amd64).
PKGS="build-essential clang valgrind libclang-rt-14-dev chromium libbearssl-dev openssl gnuplot-nox redis-server libmicrohttpd-dev libuv1-dev tmux gcc-multilib libc6-dev-s390x-cross libgcc-12-dev-s390x-cross binutils-s390x-linux-gnu qemu-user gcc-arm-none-eabi libnewlib-arm-none-eabi liblwip-dev mingw-w64 wine"
# Node 20 and npm normally come with the machine; only fall back to Debian's.
if ! command -v node >/dev/null 2>&1; then
    PKGS="$PKGS nodejs npm"
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    $SUDO apt-get update -q
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q $PKGS
fi

# npm ci only when node_modules was not made from this very lock file.
lock_sum=$(sha256sum tests/package-lock.json | cut -d' ' -f1)
stamp=tests/node_modules/.sio-lock-sha256
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
    (cd tests && npm ci --no-audit --no-fund)
    echo "$lock_sum" >"$stamp"
fi
