#!/usr/bin/env bash
# tools/bench/admin.sh - what the Admin UI instrumentation (issue 17) costs:
# `make bench-admin`, and the last part of `make bench`.
#
# The echo figure of run.sh (50 WebSocket connections x 8 acked events in
# flight, server CPU per acked echo) for ours (build/echo) and Node
# (tests/node/echo_server.mjs, socket.io 4.8 + @socket.io/admin-ui's
# instrument()), each in three admin modes:
#   off   no --admin at all
#   prod  --admin-no-auth --admin-mode production, one admin socket connected
#   dev   --admin-no-auth --admin-mode development, one admin socket connected:
#         it gets an event_received notification for every echo
# The admin socket is a real socket.io-client v4 on "/admin"
# (tools/bench/admin_watch.mjs), connected before the load starts; it counts
# the notifications it gets and prints the counts when stopped. A dev run
# whose admin socket got no event_received, or any admin socket that lost its
# connection during a run, fails the benchmark (exit 1, after the table).
# The server is pinned to CPU 1; the generator and the admin socket to CPU 0
# (the admin socket is a client: its CPU is not the server's). Each server and
# mode REPS times, the order rotated each round; medians.
#
#   bash tools/bench/admin.sh                 about 2 minutes
#   BENCH_QUICK=1 bash tools/bench/admin.sh   about 30 s, one run each, 1 s windows
#   BENCH_ADMIN_MAX_OUTPUT=BYTES              ours' --max-output (default 1 GiB, see below)
set -euo pipefail
cd "$(dirname "$0")/../.."

B=build
OUT=$B/bench/admin
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes"
QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then REPS=1; DUR=1; WARM=0.3; else REPS=3; DUR=4; WARM=1; fi
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.log

make -s "$B/echo"
# shellcheck disable=SC2086 # WARN is a list of flags
$CC $WARN -O2 -I. tools/bench/loadgen.c -o "$B/bench/loadgen"
LG=$B/bench/loadgen

HAVE_NODE=1
if ! command -v node >/dev/null; then
    echo "admin: node not found: no node column and no admin socket" >&2; HAVE_NODE=0
elif ! (cd tests && node -e "require.resolve('socket.io'); require.resolve('@socket.io/admin-ui'); require.resolve('socket.io-client')" 2>/dev/null); then
    echo "admin: tests/node_modules lacks socket.io, @socket.io/admin-ui or socket.io-client (cd tests && npm ci)" >&2
    HAVE_NODE=0
fi

if [ "$(nproc)" -ge 2 ]; then SRV_PIN=(taskset -c 1); GEN_PIN=(taskset -c 0); else SRV_PIN=(); GEN_PIN=(); fi

# ---- every process started here, stopped by its pid ----
SPID=""
APID=""
stop_pid() { # pid: TERM, up to 5 s, then KILL
    local p=$1
    [ -n "$p" ] || return 0
    kill -TERM "$p" 2>/dev/null || return 0
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}
cleanup() { stop_pid "$APID"; APID=""; stop_pid "$SPID"; SPID=""; }
trap cleanup EXIT

BENCH_NAME="admin"
# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh

# Ours drops a peer once MAX_OUTPUT (16 MiB) is queued for it; in dev mode
# ours makes notifications faster than a Node client sharing CPU 0 with the
# generator reads them, so the admin socket would be dropped within a second
# and the rest of the window would not be instrumented. Node queues without
# a bound; ours gets a bound high enough for a run (the server's RSS column
# shows what was queued).
MAX_OUT=${BENCH_ADMIN_MAX_OUTPUT:-$((1024 * 1024 * 1024))}   # 16777216 shows the drop
PORT=""
start_server() { # kind mode -> SPID, PORT (a free port on 127.0.0.1, read from the server)
    local kind=$1 mode=$2 log="$OUT/server-$1-$2.log" args=()
    case $mode in
    prod) args=(--admin-no-auth --admin-mode production) ;;
    dev) args=(--admin-no-auth --admin-mode development) ;;
    esac
    case $kind in
    ours) "${SRV_PIN[@]}" "$B/echo" --host 127.0.0.1 --port 0 --max-connections 1000000 --max-output "$MAX_OUT" \
        "${args[@]}" >"$log" 2>&1 & ;;
    node) "${SRV_PIN[@]}" node tests/node/echo_server.mjs --host 127.0.0.1 --port 0 "${args[@]}" >"$log" 2>&1 & ;;
    esac
    SPID=$!
    PORT=$(wait_line "$log" '^listening on port [0-9]+' 20 "$SPID" | sed 's/^listening on port \([0-9]*\).*/\1/') || return 1
}

kv() { # line key: the value of key=value in line
    local w
    for w in $1; do case $w in "$2="*) echo "${w#*=}"; return 0 ;; esac; done
}

RES=$OUT/results.txt
: >"$RES"
FAILS=0
run() { # kind mode rep
    local kind=$1 mode=$2 rep=$3 tag="$1-$2-$3" line counts=""
    if ! start_server "$kind" "$mode"; then
        echo "admin: $kind server ($mode) did not start" >&2; FAILS=$((FAILS + 1)); cleanup; return 0
    fi
    if [ "$mode" != off ]; then
        "${GEN_PIN[@]}" node tools/bench/admin_watch.mjs --port "$PORT" --max-s 120 >"$OUT/watch-$tag.txt" 2>&1 &
        APID=$!
        if ! wait_line "$OUT/watch-$tag.txt" '^ready$' 20 "$APID" >/dev/null; then
            echo "admin: $kind $mode run $rep: the admin socket did not connect" >&2
            FAILS=$((FAILS + 1)); cleanup; return 0
        fi
    fi
    if line=$(timeout 120 "${GEN_PIN[@]}" "$LG" --port "$PORT" --pid "$SPID" --mode echo --conns 50 --inflight 8 \
        --duration "$DUR" --warmup "$WARM" 2>"$OUT/loadgen-$tag.err" | tee "$OUT/out-$tag.txt" | grep '^result'); then
        :
    else
        echo "admin: $kind $mode run $rep: the generator failed: $(tail -n 3 "$OUT/loadgen-$tag.err" | tr '\n' ' ')" >&2
        FAILS=$((FAILS + 1))
    fi
    if [ -n "$APID" ]; then
        stop_pid "$APID"; APID=""
        counts=$(grep -m1 '^counts ' "$OUT/watch-$tag.txt" || true)
        if [ -z "$counts" ]; then
            echo "admin: $kind $mode run $rep: the admin socket printed no counts:" >&2
            tail -n 3 "$OUT/watch-$tag.txt" >&2
            FAILS=$((FAILS + 1))
        fi
    fi
    stop_pid "$SPID"; SPID=""
    [ -n "$line" ] && echo "srv=$kind adm=$mode rep=$rep ${line#result } ${counts#counts }" >>"$RES"
    local rate cpu rss got drops
    rate=$(kv "$line" rate); cpu=$(kv "$line" srv_cpu_per_op_us); rss=$(kv "$line" rss_kb)
    got=$(kv "$counts" event_received); drops=$(kv "$counts" disconnects)
    printf '  %-4s %-4s run %s: %s/s, %s us/echo, server RSS %s KB%s\n' "$kind" "$mode" "$rep" "$rate" "$cpu" "$rss" \
        "${counts:+, admin socket: $got event_received, $drops disconnects ($(kv "$counts" reason))}" >&2
}

echo "admin: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs," \
    "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
START=$(date +%s)
KINDS="ours"
[ "$HAVE_NODE" = 1 ] && KINDS="ours node"
for rep in $(seq 1 "$REPS"); do
    # rotate both orders each round, so no server and no mode always runs first
    case $((rep % 3)) in 1) MODES="off prod dev" ;; 2) MODES="dev off prod" ;; *) MODES="prod dev off" ;; esac
    [ $((rep % 2)) = 0 ] && [ "$HAVE_NODE" = 1 ] && KINDS="node ours"
    [ $((rep % 2)) = 1 ] && [ "$HAVE_NODE" = 1 ] && KINDS="ours node"
    for mode in $MODES; do
        for kind in $KINDS; do
            # without node there is no admin socket: only the "off" row
            [ "$HAVE_NODE" = 0 ] && [ "$mode" != off ] && continue
            run "$kind" "$mode" "$rep"
        done
    done
done
echo "admin: measured in $(($(date +%s) - START)) s" >&2

# ---- the table: medians over the runs ----
awk -v fails="$FAILS" "$(cat tools/bench/stats.awk)"'
{
    srv = kv($0, "srv"); m = kv($0, "adm"); rep = kv($0, "rep")
    add("cpu", srv SUBSEP m, kv($0, "srv_cpu_per_op_us"))
    add("rate", srv SUBSEP m, kv($0, "rate"))
    add("gen", srv SUBSEP m, kv($0, "gen_cpu_pct"))
    add("rss", srv SUBSEP m, kv($0, "rss_kb") / 1024)
    if (kv($0, "errors") + 0 > 0) printf "warning: %s %s run %s: the generator counted %d errors\n", srv, m, rep, kv($0, "errors") > "/dev/stderr"
    if (m != "off") {
        got = kv($0, "event_received")
        add("recv", srv SUBSEP m, got); add("notes", srv SUBSEP m, kv($0, "total"))
        add("per", srv SUBSEP m, kv($0, "acks") + 0 ? got / kv($0, "acks") : 0)
        if (kv($0, "disconnects") + 0 > 0) {
            printf "error: %s %s run %s: the admin socket lost its connection (%s): that run is not instrumented to the end\n", srv, m, rep, kv($0, "reason") > "/dev/stderr"
            bad++
        }
        if (m == "dev" && got + 0 == 0) {
            printf "error: %s dev run %s: the admin socket got no event_received notification\n", srv, rep > "/dev/stderr"
            bad++
        }
        if (m == "prod" && got + 0 > 0)
            printf "warning: %s prod run %s: %d event_received notifications in production mode\n", srv, rep, got > "/dev/stderr"
    }
}
END {
    split("off prod dev", modes, " ")
    label["off"] = "(a) off: no admin"
    label["prod"] = "(b) --admin-mode production, 1 admin socket"
    label["dev"] = "(c) --admin-mode development, 1 admin socket"
    print ""
    print "| admin mode | ours us/echo | node us/echo | ours/node | ours mode/off | node mode/off | ours echoes/s | node echoes/s | server RSS at the end, ours / node MB | event_received at the admin socket, ours / node (per acked echo in the window) |"
    print "|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= 3; i++) {
        mo = modes[i]
        o = median("cpu", "ours" SUBSEP mo); nd = median("cpu", "node" SUBSEP mo)
        o0 = median("cpu", "ours" SUBSEP "off"); n0 = median("cpu", "node" SUBSEP "off")
        notes = mo == "off" ? "-" : sprintf("%s / %s (%s / %s)", fmt(median("recv", "ours" SUBSEP mo), 0), fmt(median("recv", "node" SUBSEP mo), 0),
            fmt(median("per", "ours" SUBSEP mo), 2), fmt(median("per", "node" SUBSEP mo), 2))
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n", label[mo], fmt(o, 2), fmt(nd, 2), ratio(o, nd),
            ratio(o, o0), ratio(nd, n0), fmt(median("rate", "ours" SUBSEP mo), 0), fmt(median("rate", "node" SUBSEP mo), 0),
            fmt(median("rss", "ours" SUBSEP mo), 1), fmt(median("rss", "node" SUBSEP mo), 1), notes
    }
    print ""
    printf "generator CPU (median %% of one core, shared with the admin socket in b and c): ours %s/%s/%s, node %s/%s/%s (off/prod/dev)\n",
        fmt(median("gen", "ours" SUBSEP "off"), 0), fmt(median("gen", "ours" SUBSEP "prod"), 0), fmt(median("gen", "ours" SUBSEP "dev"), 0),
        fmt(median("gen", "node" SUBSEP "off"), 0), fmt(median("gen", "node" SUBSEP "prod"), 0), fmt(median("gen", "node" SUBSEP "dev"), 0)
    if (bad + fails > 0) { printf "admin: FAILED: %d bad run(s), %d failure(s) above\n", bad, fails > "/dev/stderr"; exit 1 }
}' "$RES" | tee "$OUT/table.md"
