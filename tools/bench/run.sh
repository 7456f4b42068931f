#!/usr/bin/env bash
# tools/bench/run.sh - what `make bench` runs (issue 7).
#
# Builds build/echo (ours), the load generator and the raw WebSocket floor,
# then for every mode runs ours, the Node socket.io server
# (tests/node/echo_server.mjs) and the floor one after the other, REPS times,
# alternating servers so that a noisy neighbour hits all three alike. The
# server is pinned to CPU 1 and the generator to CPU 0. Server CPU is
# utime+stime from /proc/PID/stat over the measured window, memory is VmRSS
# from /proc/PID/status (both read by the generator, which knows when the
# window starts). Prints one table of medians, and plots RSS against the
# number of connections into build/bench/rss.png.
#
#   make bench                   about 8 minutes
#   BENCH_QUICK=1 make bench     about 1 minute, smaller counts, one run each
#   BENCH_MAX_CONNS=N            connections to try for the "held" figure
#                                (default 100000; 20000 when quick)
set -euo pipefail
cd "$(dirname "$0")/../.."

B=build
OUT=$B/bench
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes"
QUICK=${BENCH_QUICK:-0}
mkdir -p "$OUT"

if [ "$QUICK" = 1 ]; then
    REPS=1; DUR=1; WARM=0.3
    IDLE_N=2000; IDLE_STEP=500; CONN_N=1000; FAN_N=200; POLL_N=20
    MAX_N=${BENCH_MAX_CONNS:-5000}; MAX_STEP=2500
else
    REPS=3; DUR=4; WARM=1
    IDLE_N=10000; IDLE_STEP=1000; CONN_N=10000; FAN_N=1000; POLL_N=50
    MAX_N=${BENCH_MAX_CONNS:-100000}; MAX_STEP=10000
fi

# ---- build ----
make -s "$B/echo" "$B/epoll/echo"
$CC $WARN -O2 -I. tools/bench/loadgen.c -o "$OUT/loadgen"
$CC $WARN -O2 -I. tools/bench/ws_floor.c -o "$OUT/ws_floor"
LG="$OUT/loadgen"

# Node gets its best case: ws loads the native bufferutil and utf-8-validate
# add-ons when they resolve from where ws lives (tests/node_modules).
HAVE_NODE=1
if ! command -v node >/dev/null; then
    echo "bench: node not found: the node column stays empty" >&2; HAVE_NODE=0
elif ! (cd tests && node -e "require.resolve('socket.io'); require('bufferutil').mask; require('utf-8-validate')" 2>/dev/null); then
    echo "bench: tests/node_modules lacks socket.io, bufferutil or utf-8-validate (cd tests && npm ci)" >&2
    HAVE_NODE=0
fi

# Pinning needs two CPUs; with one, both share it (figures still per message).
if [ "$(nproc)" -ge 2 ]; then SRV_PIN="taskset -c 1"; GEN_PIN="taskset -c 0"; else SRV_PIN=""; GEN_PIN=""; fi

# Many connections need many descriptors (the servers inherit this limit).
ulimit -n 1048576 2>/dev/null || ulimit -n 400000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FDLIM=$(ulimit -n)

RES="$OUT/results.txt"
: >"$RES"
PORT=""
SPID=""

start_server() { # kind -> sets SPID, PORT (a free port on 127.0.0.1, read from the server)
    local kind=$1 log="$OUT/server-$1.log" i
    case $kind in
    ours) $SRV_PIN "$B/echo" --host 127.0.0.1 --port 0 --max-connections 1000000 >"$log" 2>&1 & ;;
    epoll) $SRV_PIN "$B/epoll/echo" --host 127.0.0.1 --port 0 --max-connections 1000000 >"$log" 2>&1 & ;;
    node) $SRV_PIN node tests/node/echo_server.mjs --host 127.0.0.1 --port 0 >"$log" 2>&1 & ;;
    ours-mp) $SRV_PIN "$B/echo" --host 127.0.0.1 --port 0 --parser msgpack >"$log" 2>&1 & ;;
    node-mp) $SRV_PIN node tests/node/echo_server.mjs --host 127.0.0.1 --port 0 --parser msgpack >"$log" 2>&1 & ;;
    floor) $SRV_PIN "$OUT/ws_floor" --port 0 >"$log" 2>&1 & ;;
    esac
    SPID=$!
    for i in $(seq 1 200); do
        PORT=$(sed -n 's/^listening on port \([0-9][0-9]*\).*/\1/p' "$log" 2>/dev/null | head -n 1)
        [ -n "$PORT" ] && return 0
        sleep 0.05
    done
    echo "bench: $kind server did not start:" >&2
    cat "$log" >&2
    return 1
}

stop_server() {
    [ -n "$SPID" ] || return 0
    kill -TERM "$SPID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$SPID" 2>/dev/null || true
    wait "$SPID" 2>/dev/null || true
    SPID=""
}
trap stop_server EXIT

run() { # kind mode rep loadgen-args...
    local kind=$1 mode=$2 rep=$3 raw="" line tag=$2
    shift 3
    [ "$kind" = floor ] && raw=--raw
    case $kind in node*) [ "$HAVE_NODE" = 0 ] && return 0 ;; esac
    case " $* " in *" --binary "*) tag=$mode-bin ;; esac
    start_server "$kind" || return 0
    if line=$($GEN_PIN "$LG" $raw --port "$PORT" --pid "$SPID" --mode "$mode" "$@" 2>"$OUT/loadgen.err" |
        tee "$OUT/out-$kind-$tag-$rep.txt" | grep '^result'); then
        echo "srv=$kind rep=$rep $line" >>"$RES"
    else
        echo "bench: $kind $mode run $rep failed: $(tail -n 3 "$OUT/loadgen.err" | tr '\n' ' ')" >&2
        line=$(grep '^result' "$OUT/out-$kind-$tag-$rep.txt" || true)
        [ -n "$line" ] && echo "srv=$kind rep=$rep $line" >>"$RES"
    fi
    printf '  %-5s %-8s run %s: %s\n' "$kind" "$mode" "$rep" "${line#result }" >&2
    stop_server
}

# Echo again, with IDLE_N idle connections held by a second generator: what
# the per-turn cost of the event loop grows with (poll() scans every fd).
run_loaded() { # kind rep
    local kind=$1 rep=$2 raw="" bg line i
    [ "$kind" = floor ] && raw=--raw
    [ "$kind" = node ] && [ "$HAVE_NODE" = 0 ] && return 0
    start_server "$kind" || return 0
    $GEN_PIN "$LG" $raw --port "$PORT" --mode idle --conns "$IDLE_N" --step "$IDLE_N" --settle-ms 300 --hold 3600 \
        >"$OUT/bg-$kind-$rep.txt" 2>&1 &
    bg=$!
    for i in $(seq 1 1200); do
        grep -q "^sample conns=$IDLE_N " "$OUT/bg-$kind-$rep.txt" && break
        kill -0 "$bg" 2>/dev/null || break
        sleep 0.05
    done
    if line=$($GEN_PIN "$LG" $raw --port "$PORT" --pid "$SPID" --mode echo --conns 50 --inflight 8 --duration "$DUR" \
        --warmup "$WARM" 2>"$OUT/loadgen.err" | tee "$OUT/out-$kind-loaded-$rep.txt" | grep '^result'); then
        echo "srv=$kind rep=$rep bg=$IDLE_N $line" >>"$RES"
    else
        echo "bench: $kind echo beside $IDLE_N idle, run $rep failed: $(tail -n 3 "$OUT/loadgen.err" | tr '\n' ' ')" >&2
    fi
    printf '  %-5s %-8s run %s: %s\n' "$kind" "loaded" "$rep" "${line#result }" >&2
    kill "$bg" 2>/dev/null || true
    wait "$bg" 2>/dev/null || true
    stop_server
}

echo "bench: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs," \
    "$(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg), fd limit $FDLIM" >&2
START=$(date +%s)
for rep in $(seq 1 "$REPS"); do
    # rotate the order each round so no server always runs first
    case $((rep % 3)) in 1) ORDER="ours epoll node floor" ;; 2) ORDER="node floor ours epoll" ;; *) ORDER="floor epoll ours node" ;; esac
    for kind in $ORDER; do
        run "$kind" echo "$rep" --conns 50 --inflight 8 --duration "$DUR" --warmup "$WARM"
        run "$kind" idle "$rep" --conns "$IDLE_N" --step "$IDLE_STEP" --settle-ms 300 --hold 1
        run "$kind" connect "$rep" --conns "$CONN_N" --concurrency 64
        run "$kind" fanout "$rep" --conns "$FAN_N" --duration "$DUR" --warmup "$WARM"
        run_loaded "$kind" "$rep"
        [ "$kind" = floor ] || run "$kind" polling "$rep" --conns "$POLL_N" --inflight 1 --duration "$DUR" --warmup "$WARM"
    done
    # acked echoes with one 1 KB binary argument, under each parser (issue 16):
    # Node with the same parser; the floor does not speak either
    for kind in ours node; do
        run "$kind" echo "$rep" --conns 50 --inflight 8 --duration "$DUR" --warmup "$WARM" --binary 1024
        run "$kind-mp" echo "$rep" --conns 50 --inflight 8 --duration "$DUR" --warmup "$WARM" --binary 1024 --parser msgpack
    done
done
# The most connections one process of ours holds (ours only: Node needs
# ~15 KB each and minutes to get there).
MAX_TRY=$MAX_N
[ "$MAX_TRY" -gt $((FDLIM - 100)) ] && MAX_TRY=$((FDLIM - 100))
run epoll idle max --conns "$MAX_TRY" --step "$MAX_STEP" --settle-ms 1000 --hold 2 --concurrency 512
echo "bench: measured in $(($(date +%s) - START)) s" >&2

# ---- the table: medians over the runs ----
awk -v quick="$QUICK" -v idle_n="$IDLE_N" -v conn_n="$CONN_N" -v fan_n="$FAN_N" -v poll_n="$POLL_N" \
    -v max_try="$MAX_TRY" -v max_n="$MAX_N" -v fdlim="$FDLIM" "$(cat tools/bench/stats.awk)"'
function row(label, fig, d, unit,   o, e, nd, f) {
    o = median(fig, "ours"); e = median(fig, "epoll"); nd = median(fig, "node"); f = median(fig, "floor")
    printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, fmt(o, d) unit, fmt(e, d) unit, fmt(nd, d) unit,
        fmt(f, d) unit, ratio(o, nd), ratio(o, f), ratio(e, f)
}
{
    srv = kv($0, "srv"); mode = kv($0, "mode"); rep = kv($0, "rep")
    if (kv($0, "errors") + 0 > 0 || kv($0, "failed") + 0 > 0) bad[srv "/" mode]++
    if (mode == "echo" && kv($0, "binary") + 0 > 0) {
        base = srv; sub(/-mp$/, "", base)
        add("echobin_" kv($0, "parser"), base, kv($0, "srv_cpu_per_op_us"))
    } else if (mode == "echo" && kv($0, "bg") != "") {
        add("echo_loaded", srv, kv($0, "srv_cpu_per_op_us"))
    } else if (mode == "echo") {
        add("echo_cpu", srv, kv($0, "srv_cpu_per_op_us")); add("p99", srv, kv($0, "p99_us") / 1000)
        add("p50", srv, kv($0, "p50_us") / 1000); add("echo_rate", srv, kv($0, "rate")); add("gen_echo", srv, kv($0, "gen_cpu_pct"))
    } else if (mode == "idle" && rep == "max") {
        held = kv($0, "held"); held_mb = kv($0, "rss_kb") / 1024; held_per = kv($0, "rss_per_conn_kb"); held_failed = kv($0, "failed")
    } else if (mode == "idle") {
        add("idle_rss", srv, kv($0, "rss_per_conn_kb")); add("idle_total", srv, kv($0, "rss_kb") / 1024)
    } else if (mode == "connect") {
        add("connect", srv, kv($0, "srv_cpu_per_op_us") / 1000); add("gen_connect", srv, kv($0, "gen_cpu_pct"))
    } else if (mode == "fanout") {
        add("fanout", srv, kv($0, "srv_cpu_per_op_us")); add("fan_rate", srv, kv($0, "rate")); add("gen_fanout", srv, kv($0, "gen_cpu_pct"))
    } else if (mode == "polling") {
        add("polling", srv, kv($0, "srv_cpu_per_op_us")); add("gen_polling", srv, kv($0, "gen_cpu_pct"))
    }
}
END {
    print ""
    print "| figure | ours (poll) | ours (epoll) | node | floor | ours/node | ours/floor | epoll/floor |"
    print "|---|---|---|---|---|---|---|---|"
    row("server CPU per acked echo, 50 conns x 8 in flight", "echo_cpu", 2, " us")
    row("RSS per idle WebSocket connection, " idle_n " conns", "idle_rss", 2, " KB")
    row("server CPU per fan-out delivery, " fan_n " receivers", "fanout", 2, " us")
    row("server CPU per connect, " conn_n " handshakes", "connect", 3, " ms")
    if (held != "") {
        why = held_failed + 0 > 0 ? "stopped by a failed connect" : (max_try < max_n ? "capped by the fd limit " fdlim : "all held")
        printf "| concurrent connections held by the epoll build (tried %d: %s) | %d, %.0f MB (%.2f KB each; x100 K = %.0f MB) | - | - | - | - | - | - |\n", max_try, why, held, held_mb, held_per, held_per * 100000 / 1024
    }
    row("p99 latency, 400 in flight", "p99", 2, " ms")
    row("server CPU per acked echo, 50 x 8, beside " idle_n " idle conns", "echo_loaded", 2, " us")
    row("p50 latency, 400 in flight", "p50", 2, " ms")
    row("acked echoes per second, 50 x 8", "echo_rate", 0, "")
    row("fan-out deliveries per second", "fan_rate", 0, "")
    row("server CPU per acked echo, long-polling, " poll_n " sessions x 1", "polling", 2, " us")
    row("server CPU per acked echo, one 1 KB binary argument, default parser (attachments), 50 x 8", "echobin_default", 2, " us")
    row("server CPU per acked echo, one 1 KB binary argument, msgpack parser (node: with it too), 50 x 8", "echobin_msgpack", 2, " us")
    row("server RSS at " idle_n " idle conns", "idle_total", 1, " MB")
    print ""
    printf "generator CPU (median %% of one core in the window; 100 = generator-bound): "
    printf "echo %s/%s/%s, fanout %s/%s/%s, connect %s/%s/%s, polling %s/%s (ours/node/floor)\n",
        fmt(median("gen_echo", "ours"), 0), fmt(median("gen_echo", "node"), 0), fmt(median("gen_echo", "floor"), 0),
        fmt(median("gen_fanout", "ours"), 0), fmt(median("gen_fanout", "node"), 0), fmt(median("gen_fanout", "floor"), 0),
        fmt(median("gen_connect", "ours"), 0), fmt(median("gen_connect", "node"), 0), fmt(median("gen_connect", "floor"), 0),
        fmt(median("gen_polling", "ours"), 0), fmt(median("gen_polling", "node"), 0)
    for (k in bad) printf "warning: %s had errors or failed connections in %d run(s): see build/bench/out-*\n", k, bad[k]
}' "$RES" | tee "$OUT/table.md"

# ---- RSS against connections: first idle run of each server, plus the max run ----
for kind in ours epoll node floor; do
    f="$OUT/out-$kind-idle-1.txt"
    [ -f "$f" ] && awk '/^sample/ { split($2, a, "="); split($3, b, "="); print a[2], b[2] / 1024 }' "$f" >"$OUT/rss-$kind.dat"
done
[ -f "$OUT/out-epoll-idle-max.txt" ] &&
    awk '/^sample/ { split($2, a, "="); split($3, b, "="); print a[2], b[2] / 1024 }' "$OUT/out-epoll-idle-max.txt" >"$OUT/rss-ours-max.dat"
if command -v gnuplot >/dev/null; then
    plots=""
    for s in "ours:socketio.h (build/echo)" "node:Node socket.io" "floor:raw WebSocket floor" "epoll:socketio.h (SIO_EPOLL)" "ours-max:socketio.h (epoll), max run"; do
        k=${s%%:*}
        [ -s "$OUT/rss-$k.dat" ] && plots="$plots${plots:+, }'$OUT/rss-$k.dat' using 1:2 with linespoints title '${s#*:}'"
    done
    if [ -n "$plots" ]; then
        gnuplot <<EOF
set terminal png size 900,560 noenhanced
set output '$OUT/rss.png'
set title 'Server RSS against idle WebSocket connections (Socket.IO connected)'
set xlabel 'connections'
set ylabel 'RSS (MiB)'
set key left top
set grid
plot $plots
EOF
        echo "bench: plot in $OUT/rss.png" >&2
    fi
else
    echo "bench: gnuplot not installed (apt-get install gnuplot-nox): no plot" >&2
fi
