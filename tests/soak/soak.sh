#!/usr/bin/env bash
# make soak: the soak test of tests/soak/soak.mjs against BUILD_DIR/echo.
#
#   tests/soak/soak.sh [BUILD_DIR]     SOAK_SECONDS (120) SOAK_CLIENTS (1000)
#                                      SOAK_WORKERS SOAK_SEED
#
# Minutes long, so not part of `make test`. Ends with `# pass N` / `# fail M`.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export SIO_BUILD=${1:-${SIO_BUILD:-build}}
# 1000 clients, a third on polling, need a few thousand descriptors on each side
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
command -v node >/dev/null 2>&1 || { echo "not ok 1 - soak: node not installed"; echo "# pass 0"; echo "# fail 1"; exit 1; }
[[ -d tests/node_modules/socket.io-client ]] || { echo "not ok 1 - soak: run npm ci in tests/ (make setup)"; echo "# pass 0"; echo "# fail 1"; exit 1; }
exec node tests/soak/soak.mjs
