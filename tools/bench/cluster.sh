#!/usr/bin/env bash
# tools/bench/cluster.sh - issue 14 measured: many WebSocket connections held
# by a cluster of SO_REUSEPORT workers joined through Redis, and broadcasts to
# all of them. Not a timed test: figures only.
#
# Runs, one after the other, each with its own Redis:
#   ours-N    build/epoll/echo --workers N --redis, CLUSTER_CONNS connections
#   ours-N@M  the same cluster at M = CLUSTER_ONE_CONNS connections
#   ours-1    build/echo --workers 1 --redis (a cluster of one worker, same code
#             path), M connections: one process holds at most ~20 000 fds
#   node-K    K x node tests/node/echo_server.mjs --redis (socket.io 4.8 with
#             @socket.io/redis-adapter), each on its own port, CLUSTER_NODE_CONNS
#             connections spread evenly over the ports
# For each: connections are held by G load generator processes
# (loadgen --mode listen, <= ~15 000 connections each, disjoint 127.0.0.x source
# ranges), Socket.IO-connected to "/" and answering the servers' default 25 s
# heartbeats. Then
#   RSS     sum of VmRSS of all server processes (workers, not the parent; not
#           Redis) / connections, and the same less the RSS before connecting
#   idle    CPU of all server processes (sum over their threads of schedstat
#           time on CPU = utime+stime in ns) over an IDLE_S window in which only
#           heartbeats run, per connection per minute (scaled from the window).
#           75 s = 3 heartbeat periods: every connection pings 3 times in it
#           whatever its phase (the quick run's 5 s window may hold none)
#   bcast   one extra client (loadgen --mode send) emits
#           42["broadcast","ev",<seq>] BCASTS times, 2 x GAP ms apart: every other
#           socket of "/" on every worker gets ["ev",seq]. Per broadcast: server
#           CPU over the GAP after the emit, less that over the GAP of idle just
#           before it, / deliveries ("raw": not less the idle); and the time from the
#           emit (CLOCK_MONOTONIC, read by the sender) to the last arrival at any
#           generator (CLOCK_MONOTONIC, read after each recv). Medians over the
#           broadcasts. Redis CPU over the whole series is reported raw.
# No pinning: all processes share the 2 CPUs (as a deployment would).
#
#   bash tools/bench/cluster.sh                  ~10-15 minutes
#   CLUSTER_QUICK=1 bash tools/bench/cluster.sh  smoke test, ~1 minute
# Options: CLUSTER_CONNS (100000), CLUSTER_WORKERS (8), CLUSTER_ONE_CONNS
# (19000), CLUSTER_NODE_CONNS (= CLUSTER_CONNS), CLUSTER_NODE_SERVERS
# (connections / 15000, rounded up), CLUSTER_IDLE_S (75), CLUSTER_BCASTS (5),
# CLUSTER_GAP_MS (1000 + connections / 15), CLUSTER_SKIP_NODE=1,
# CLUSTER_ECHO (build/epoll/echo; build/echo for the poll() build).
set -euo pipefail
cd "$(dirname "$0")/../.."

B=build
OUT=$B/bench/cluster
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes"
QUICK=${CLUSTER_QUICK:-${BENCH_QUICK:-0}}   # BENCH_QUICK=1 make bench: quick here too
if [ "$QUICK" = 1 ]; then
    CONNS=${CLUSTER_CONNS:-5000}; WORKERS=${CLUSTER_WORKERS:-4}; ONE_N=${CLUSTER_ONE_CONNS:-2000}
    IDLE_S=${CLUSTER_IDLE_S:-5}; BCASTS=${CLUSTER_BCASTS:-3}
else
    CONNS=${CLUSTER_CONNS:-100000}; WORKERS=${CLUSTER_WORKERS:-8}; ONE_N=${CLUSTER_ONE_CONNS:-19000}
    IDLE_S=${CLUSTER_IDLE_S:-75}; BCASTS=${CLUSTER_BCASTS:-5}
fi
NODE_N=${CLUSTER_NODE_CONNS:-$CONNS}
PER_GEN=15000                  # connections per generator process at most
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.log

ECHO=${CLUSTER_ECHO:-$B/epoll/echo}   # many mostly idle connections: the epoll build, as a deployment would use
make -s "$ECHO"
$CC $WARN -O2 -I. tools/bench/loadgen.c -o "$B/bench/loadgen"
LG=$B/bench/loadgen

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
FDLIM=$(ulimit -n)
HAVE_NODE=1
if [ "${CLUSTER_SKIP_NODE:-0}" = 1 ]; then HAVE_NODE=0
elif ! command -v node >/dev/null || ! (cd tests && node -e "require.resolve('socket.io'); require.resolve('@socket.io/redis-adapter'); require.resolve('redis')" 2>/dev/null); then
    echo "cluster: node or tests/node_modules (socket.io, @socket.io/redis-adapter, redis) missing: no node run" >&2
    HAVE_NODE=0
fi

# ---- every process started here, stopped by its pid ----
PIDS=()
stop_pid() { # pid: TERM, up to 5 s, then KILL
    local p=$1 i
    kill -TERM "$p" 2>/dev/null || return 0
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}
cleanup() { # newest first: generators, then servers, Redis last
    local i
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[$i]}"; done
    PIDS=()
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

BENCH_NAME="cluster"
# shellcheck source=tools/bench/lib.sh
. tools/bench/lib.sh

REDIS_PID=""
start_redis() {
    local rp
    rp=$(free_port)
    redis-server --port "$rp" --bind 127.0.0.1 --save '' --appendonly no >"$OUT/redis-$1.log" 2>&1 &
    REDIS_PID=$!
    PIDS+=("$REDIS_PID")
    wait_line "$OUT/redis-$1.log" 'Ready to accept connections' 10 "$REDIS_PID" >/dev/null
    RPORT=$rp
}

SRV_PIDS=""      # comma list: the processes measured
SRV_PORTS=()     # the ports connections go to
start_ours() { # label workers
    local label=$1 w=$2 log="$OUT/server-$1.log" parent kids i port
    "$ECHO" --host 127.0.0.1 --port 0 --redis "127.0.0.1:$RPORT" --workers "$w" --max-connections 1000000 \
        >"$log" 2>&1 &
    parent=$!
    PIDS+=("$parent")
    port=$(wait_line "$log" '^listening on port [0-9]+' 30 "$parent" | sed 's/^listening on port \([0-9]*\).*/\1/')
    for i in $(seq 1 50); do
        kids=$(cat /proc/"$parent"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -c . || true)
        [ "$kids" -ge "$w" ] && break
        sleep 0.1
    done
    SRV_PIDS=$(cat /proc/"$parent"/task/*/children | tr ' ' '\n' | grep . | paste -sd, -)
    SRV_PORTS=("$port")
}
start_node() { # label servers
    local label=$1 k=$2 i log pid port
    SRV_PIDS=""; SRV_PORTS=()
    for i in $(seq 1 "$k"); do
        log="$OUT/server-$label-$i.log"
        node tests/node/echo_server.mjs --host 127.0.0.1 --port 0 --redis "127.0.0.1:$RPORT" >"$log" 2>&1 &
        pid=$!
        PIDS+=("$pid")
        port=$(wait_line "$log" '^listening on port [0-9]+' 30 "$pid" | sed 's/^listening on port \([0-9]*\).*/\1/')
        SRV_PIDS=${SRV_PIDS:+$SRV_PIDS,}$pid
        SRV_PORTS+=("$port")
    done
}

# One measurement on the running servers: n connections, results appended to $RES.
RES=$OUT/results.txt
: >"$RES"
measure() { # label n
    local label=$1 n=$2 gens i each port pid base s1 s2 gap t0 rpc0 rpc1 ok
    local gen_pids=() files=()
    gens=$(((n + PER_GEN - 1) / PER_GEN))
    [ "$gens" -lt "${#SRV_PORTS[@]}" ] && gens=${#SRV_PORTS[@]}
    gap=${CLUSTER_GAP_MS:-$((1000 + n / 15))}
    t0=$(date +%s)
    base=$("$LG" --mode stat --pids "$SRV_PIDS")
    echo "cluster: $label: $n connections over $gens generators to port(s) ${SRV_PORTS[*]}, server pids $SRV_PIDS" >&2
    for i in $(seq 0 $((gens - 1))); do
        each=$(((n * (i + 1)) / gens - (n * i) / gens))
        port=${SRV_PORTS[$((i % ${#SRV_PORTS[@]}))]}
        # 5 source addresses each (~3 000 ports apiece), disjoint over generators
        "$LG" --mode listen --port "$port" --conns "$each" --src 5 --src-base $((i * 5)) --concurrency 128 \
            --hold 1500 >"$OUT/gen-$label-$i.txt" 2>"$OUT/gen-$label-$i.err" &
        pid=$!
        PIDS+=("$pid"); gen_pids+=("$pid"); files+=("$OUT/gen-$label-$i.txt")
    done
    ok=1
    for i in $(seq 0 $((gens - 1))); do
        wait_line "${files[$i]}" '^ready ' 600 "${gen_pids[$i]}" >/dev/null || { ok=0; break; }
    done
    if [ "$ok" = 0 ]; then
        echo "cluster: $label: generators did not get ready" >&2
        for pid in "${gen_pids[@]}"; do stop_pid "$pid"; done
        return 1
    fi
    local connect_s=$(($(date +%s) - t0))
    echo "cluster: $label: connected in ${connect_s}s ($(cat "${files[@]}" | awk '/^ready/ { sub("conns=", "", $2); s += $2 } END { print s }') ready); idle ${IDLE_S}s" >&2
    sleep 3
    s1=$("$LG" --mode stat --pids "$SRV_PIDS")
    sleep "$IDLE_S"
    s2=$("$LG" --mode stat --pids "$SRV_PIDS")
    rpc0=$("$LG" --mode stat --pids "$REDIS_PID")
    echo "cluster: $label: $BCASTS broadcasts, each: ${gap} ms idle, emit, ${gap} ms" >&2
    "$LG" --mode send --port "${SRV_PORTS[0]}" --count "$BCASTS" --gap-ms "$gap" --pids "$SRV_PIDS" \
        >"$OUT/send-$label.txt" 2>"$OUT/send-$label.err" || echo "cluster: $label: sender failed: $(cat "$OUT/send-$label.err")" >&2
    rpc1=$("$LG" --mode stat --pids "$REDIS_PID")
    # the sender waited one gap after the last emit: stop the generators (they
    # print what arrived on SIGTERM), only now, so disconnects stay out of the windows
    for pid in "${gen_pids[@]}"; do stop_pid "$pid"; done
    {
        echo "label=$label conns=$n gens=$gens connect_s=$connect_s idle_s=$IDLE_S gap_ms=$gap"
        echo "srvbase $base"; echo "idle0 $s1"; echo "idle1 $s2"; echo "redis0 $rpc0"; echo "redis1 $rpc1"
        cat "$OUT/send-$label.txt"
        cat "${files[@]}" | grep -E '^(ready|bcast|result)'
    } >"$OUT/raw-$label.txt"
    # ---- the figures of this run ----
    awk -v label="$label" '
function kv(line, key,   re, m) {
    re = "(^| )" key "=[^ ]*"
    if (match(line, re)) { m = substr(line, RSTART, RLENGTH); sub(/^ /, "", m); sub(/^[^=]*=/, "", m); return m }
    return ""
}
function median(a, k,   i, j, t) {
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k == 0 ? "" : (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
NR == 1 { conns = kv($0, "conns"); gap = kv($0, "gap_ms"); connect_s = kv($0, "connect_s") }
/^srvbase / { rss0 = kv($0, "rss_kb") }
/^idle0 / { c0 = kv($0, "cpu_ns"); t0 = kv($0, "t_ns") }
/^idle1 / { c1 = kv($0, "cpu_ns"); t1 = kv($0, "t_ns"); rss = kv($0, "rss_kb") }
/^redis0 / { r0 = kv($0, "cpu_ns") }
/^redis1 / { r1 = kv($0, "cpu_ns") }
/^ready / { held += kv($0, "conns"); failed += kv($0, "failed") }
/^result mode=listen/ { errors += kv($0, "errors"); gen_cpu += kv($0, "gen_cpu_s") }
/^(idle|sent|end) seq=/ { s = kv($0, "seq"); t[$1, s] = kv($0, "t_ns"); c[$1, s] = kv($0, "cpu_ns"); if ($1 == "end") last = s }
/^bcast / { s = kv($0, "seq"); nd[s] += kv($0, "n"); l = kv($0, "last_ns") + 0; if (l > lastarr[s]) lastarr[s] = l }
END {
    k = 0; late = 0; dsum = 0
    for (s = 0; s < last; s++) {
        if (!(s in nd)) continue
        # the window after the emit, less the idle window just before (same length)
        nx = (s + 1 < last) ? "idle" SUBSEP (s + 1) : "end" SUBSEP last
        rate = (c["sent", s] - c["idle", s]) / (t["sent", s] - t["idle", s])
        cpu = c[nx] - c["sent", s]; cpu_net = cpu - rate * (t[nx] - t["sent", s])
        k++; per[k] = cpu_net / nd[s]; raw[k] = cpu / nd[s]; lat[k] = (lastarr[s] - t["sent", s]) / 1e6
        if (lastarr[s] > t[nx]) late++
        dsum += nd[s]; miss += held - nd[s]
    }
    win_min = (t1 - t0) / 60e9
    printf "result label=%s conns=%d held=%d failed=%d errors=%d connect_s=%d rss_kb=%d rss_base_kb=%d " \
        "rss_per_conn_kb=%.3f rss_delta_per_conn_kb=%.3f idle_window_s=%.1f idle_cpu_ms=%.1f " \
        "idle_cpu_us_per_conn_min=%.3f bcasts=%d deliveries=%d missing=%d late=%d " \
        "cpu_per_delivery_us=%.3f cpu_raw_per_delivery_us=%.3f last_arrival_ms=%.1f " \
        "redis_cpu_per_delivery_us=%.3f gen_cpu_s=%.1f\n",
        label, conns, held, failed, errors, connect_s, rss, rss0, held ? rss / held : 0, held ? (rss - rss0) / held : 0,
        (t1 - t0) / 1e9, (c1 - c0) / 1e6, held ? (c1 - c0) / 1e3 / held / win_min : 0, k, dsum, miss, late,
        median(per, k) / 1e3, median(raw, k) / 1e3, median(lat, k), dsum ? (r1 - r0) / dsum / 1e3 : 0, gen_cpu
    for (i = 1; i <= k; i++) printf "  bcast %d: %.3f us/delivery net (%.3f raw), last arrival %.1f ms\n", i - 1, per[i] / 1e3, raw[i] / 1e3, lat[i] > "/dev/stderr"
}' "$OUT/raw-$label.txt" | tee -a "$RES" | sed 's/^result /  /' >&2
}

stop_servers() { cleanup; }

START=$(date +%s)
echo "cluster: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, $(uname -sr)," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg), fd limit $FDLIM" >&2

# a fresh Redis and fresh servers for every run
start_redis "ours-$WORKERS"; start_ours "ours-$WORKERS" "$WORKERS"
measure "ours-$WORKERS" "$CONNS" || true
stop_servers
start_redis "ours-$WORKERS@$ONE_N"; start_ours "ours-$WORKERS@$ONE_N" "$WORKERS"
measure "ours-$WORKERS@$ONE_N" "$ONE_N" || true
stop_servers
start_redis ours-1; start_ours ours-1 1
measure ours-1 "$ONE_N" || true
stop_servers
if [ "$HAVE_NODE" = 1 ]; then
    NODE_K=${CLUSTER_NODE_SERVERS:-$(((NODE_N + PER_GEN - 1) / PER_GEN))}
    [ "$NODE_K" -lt 2 ] && NODE_K=2
    start_redis "node-$NODE_K"; start_node "node-$NODE_K" "$NODE_K"
    measure "node-$NODE_K" "$NODE_N" || true
    stop_servers
fi
echo "cluster: measured in $(($(date +%s) - START)) s" >&2

# ---- the table ----
awk -v w="$WORKERS" -v one="$ONE_N" '
function kv(line, key,   re, m) {
    re = "(^| )" key "=[^ ]*"
    if (match(line, re)) { m = substr(line, RSTART, RLENGTH); sub(/^ /, "", m); sub(/^[^=]*=/, "", m); return m }
    return ""
}
function ratio(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
function cell(l, key, d) { return (l in seen) ? sprintf("%." d "f", v[l, key]) : "-" }
{
    l = kv($0, "label"); seen[l] = 1; order[++n] = l
    split("conns held rss_per_conn_kb rss_delta_per_conn_kb idle_cpu_us_per_conn_min cpu_per_delivery_us cpu_raw_per_delivery_us last_arrival_ms redis_cpu_per_delivery_us connect_s missing late failed errors", ks, " ")
    for (i in ks) v[l, ks[i]] = kv($0, ks[i])
    if (l ~ /^node-/) node = l
}
END {
    big = "ours-" w; mid = "ours-" w "@" one
    printf "\n| figure | %s | %s | ours-1 | %s | %s/%s | ours-1/%s |\n", big, mid, node == "" ? "node" : node, big, node == "" ? "node" : node, mid
    print "|---|---|---|---|---|---|---|"
    nr = 0
    rowspec[++nr] = "held|connections held|0"
    rowspec[++nr] = "rss_per_conn_kb|RSS per connection (all server processes / conns), KB|2"
    rowspec[++nr] = "rss_delta_per_conn_kb|RSS per connection less the RSS before connecting, KB|2"
    rowspec[++nr] = "idle_cpu_us_per_conn_min|idle CPU per connection per minute (25 s heartbeats), us|2"
    rowspec[++nr] = "cpu_per_delivery_us|server CPU per broadcast delivery, less the idle rate, us (median)|3"
    rowspec[++nr] = "cpu_raw_per_delivery_us|server CPU per broadcast delivery, raw, us (median)|3"
    rowspec[++nr] = "last_arrival_ms|emit to last delivery, ms (median)|1"
    rowspec[++nr] = "redis_cpu_per_delivery_us|Redis CPU per delivery (whole series), us|3"
    rowspec[++nr] = "connect_s|time to connect all, s|0"
    for (r = 1; r <= nr; r++) {
        split(rowspec[r], f, "|")
        printf "| %s | %s | %s | %s | %s | %s | %s |\n", f[2], cell(big, f[1], f[3]), cell(mid, f[1], f[3]),
            cell("ours-1", f[1], f[3]), node == "" ? "-" : cell(node, f[1], f[3]),
            (node == "" || !(big in seen)) ? "-" : ratio(v[big, f[1]], v[node, f[1]]),
            (!(mid in seen) || !("ours-1" in seen)) ? "-" : ratio(v["ours-1", f[1]], v[mid, f[1]])
    }
    print ""
    for (i = 1; i <= n; i++) {
        l = order[i]
        if (v[l, "failed"] + v[l, "errors"] + v[l, "missing"] + v[l, "late"] > 0)
            printf "warning: %s: %d failed connects, %d lost, %d deliveries missing, %d broadcasts still arriving at the next emit\n", l, v[l, "failed"], v[l, "errors"], v[l, "missing"], v[l, "late"]
    }
}' "$RES" | tee "$OUT/table.md"
echo "raw figures: $RES, per run: $OUT/raw-*.txt" >&2
