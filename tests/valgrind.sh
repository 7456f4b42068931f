#!/usr/bin/env bash
# Memcheck over what can run without a browser:
#
#   tests/valgrind.sh [BUILD_DIR]            (default: build; `make valgrind`)
#
# 1. every C unit test BUILD_DIR/tests/test_* under valgrind;
# 2. BUILD_DIR/echo under valgrind while tests/interop/valgrind_client.mjs
#    runs a short session with every transport (events, binary, acks, rooms,
#    refusals, some hostile input), then SIGTERM: echo must exit 0.
#
# A run passes when valgrind reports no error and no definitely or
# indirectly lost block (still-reachable blocks are the process's own
# business at exit, e.g. stdio buffers). One `ok`/`not ok` line per program,
# then `# pass N` and `# fail M`; exit 1 if M > 0. The logs of failures are
# printed; all logs stay in BUILD_DIR/valgrind/.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BUILD_DIR=${1:-build}
LOGS=$BUILD_DIR/valgrind
VG=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1
    --track-fds=no --num-callers=30)
pass=0
fail=0
n=0

if ! command -v valgrind >/dev/null 2>&1; then
    echo "not ok 1 - valgrind not installed"
    echo "# pass 0"
    echo "# fail 1"
    exit 1
fi
mkdir -p "$LOGS"

# verdict NAME OK LOG: one TAP line; on failure the log's valgrind part.
verdict() {
    n=$((n + 1))
    if [[ $2 == 1 ]]; then
        pass=$((pass + 1))
        echo "ok $n - $1"
    else
        fail=$((fail + 1))
        echo "not ok $n - $1 (log: $3)"
        grep -E '^==[0-9]+==' "$3" | head -n 80 | sed 's/^/#   /'
        grep -vE '^==[0-9]+==' "$3" | tail -n 20 | sed 's/^/#   /'
    fi
}

# 1. unit tests
shopt -s nullglob
for t in "$BUILD_DIR"/tests/test_*; do
    [[ -f $t && -x $t ]] || continue
    name=${t##*/}
    log=$LOGS/$name.log
    timeout -k 5 600 "${VG[@]}" --log-file="$log.vg" "$t" >"$log" 2>&1
    rc=$?
    cat "$log.vg" >>"$log"
    rm -f "$log.vg"
    ok=0
    (( rc == 0 )) && grep -q 'ERROR SUMMARY: 0 errors' "$log" && ok=1
    verdict "valgrind $name (exit $rc)" "$ok" "$log"
done

# 2. echo under valgrind with a client session
echo_log=$LOGS/echo.log
client_log=$LOGS/echo-client.log
if [[ ! -x $BUILD_DIR/echo ]]; then
    verdict "valgrind echo: $BUILD_DIR/echo not built" 0 /dev/null
elif ! command -v node >/dev/null 2>&1; then
    verdict "valgrind echo: node not installed" 0 /dev/null
else
    : >"$echo_log"
    "${VG[@]}" "$BUILD_DIR/echo" --host 127.0.0.1 --port 0 >"$echo_log" 2>&1 &
    vpid=$!
    port=
    for _ in $(seq 1 600); do      # up to 60 s for valgrind to start it
        port=$(grep -oE 'listening on port [0-9]+' "$echo_log" | head -n 1 | awk '{print $4}')
        [[ -n $port ]] && break
        kill -0 "$vpid" 2>/dev/null || break
        sleep 0.1
    done
    if [[ -z $port ]]; then
        kill -KILL "$vpid" 2>/dev/null
        wait "$vpid" 2>/dev/null
        verdict "valgrind echo: did not start" 0 "$echo_log"
    else
        timeout -k 5 300 node tests/interop/valgrind_client.mjs "$port" >"$client_log" 2>&1
        crc=$?
        kill -TERM "$vpid" 2>/dev/null
        # bounded wait for the exit and valgrind's leak check
        for _ in $(seq 1 600); do
            kill -0 "$vpid" 2>/dev/null || break
            sleep 0.1
        done
        kill -0 "$vpid" 2>/dev/null && kill -KILL "$vpid"
        wait "$vpid"
        rc=$?
        ok=0
        (( crc == 0 )) && verdict "echo client session under valgrind" 1 "$client_log" ||
            verdict "echo client session under valgrind (client exit $crc)" 0 "$client_log"
        (( rc == 0 )) && grep -q 'ERROR SUMMARY: 0 errors' "$echo_log" && ok=1
        verdict "valgrind echo: exit $rc after SIGTERM, no errors, no leaks" "$ok" "$echo_log"
    fi
fi

echo "# pass $pass"
echo "# fail $fail"
(( fail == 0 ))
