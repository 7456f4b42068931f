# shellcheck shell=bash
# tools/bench/lib.sh - shell helpers the benchmark scripts share; sourced,
# with BENCH_NAME set to the script's name for its messages.

# wait_line FILE REGEX SECONDS PID: prints FILE's first line matching REGEX,
# or fails once SECONDS have passed or PID (the writer) is gone.
wait_line() {
    local f=$1 re=$2 secs=$3 pid=$4 line
    for _ in $(seq 1 $((secs * 20))); do
        line=$(grep -m1 -E "$re" "$f" 2>/dev/null || true)
        [ -n "$line" ] && { echo "$line"; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    echo "${BENCH_NAME:-bench}: no '$re' in $f after ${secs}s:" >&2
    tail -n 5 "$f" >&2
    return 1
}
