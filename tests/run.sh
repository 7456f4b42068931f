#!/usr/bin/env bash
# Runs every test and prints one summary line at the very end.
#
#   tests/run.sh [BUILD_DIR]        (default: build)
#
# 1. every executable BUILD_DIR/tests/test_*   (C unit tests), and the same
#    under ASan/UBSan from BUILD_DIR/asan/tests/test_*
# 2. every tests/interop/*.test.mjs and tests/browser/*.test.mjs under
#    `node --test` with the TAP reporter, cwd = repo root, SIO_BUILD=BUILD_DIR.
#
# SIO_TEST_JOBS programs (2) run side by side, the longest known first;
# each one's output is printed whole when it ends. Each program ends its
# output with `# pass N` and `# fail M`; the sums are the totals. A program that exits non-zero without reporting a failure, that
# reports nothing, or that runs longer than SIO_TEST_TIMEOUT seconds (300)
# counts as one more failure. SIO_TESTS=REGEX runs only the files whose path
# matches. The last line is exactly `N passed, M failed`; exit 1 if M > 0.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BUILD_DIR=${1:-build}
PATTERN=${SIO_TESTS:-}
PER_FILE_TIMEOUT=${SIO_TEST_TIMEOUT:-300}
export SIO_BUILD=$BUILD_DIR

JOBS=${SIO_TEST_JOBS:-2}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

selected() {
    [[ -z $PATTERN ]] || grep -Eq -- "$PATTERN" <<<"$1"
}

# run NAME CMD...: runs one program; prints its output indented, in one
# piece, and leaves its counts in $results for the sum at the end.
run() {
    local name=$1
    shift
    local start rc pass fail cancelled note="" key out log
    key=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_')
    out=$results/$key.out
    log=$results/$key.log
    start=$(date +%s)
    timeout -k 10 "${FILE_TIMEOUT:-$PER_FILE_TIMEOUT}" "$@" </dev/null >"$out" 2>&1
    rc=$?
    # The last summary lines win (node prints nested ones too, but its final
    # `# pass`/`# fail` are the totals for the file).
    pass=$(grep -E '^# pass [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    fail=$(grep -E '^# fail [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    cancelled=$(grep -E '^# cancelled [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    pass=${pass:-0}
    fail=$(( ${fail:-0} + ${cancelled:-0} ))
    if (( rc == 124 || rc == 137 )); then
        fail=$((fail + 1)); note="timed out after ${FILE_TIMEOUT:-$PER_FILE_TIMEOUT}s"
    elif (( rc != 0 && fail == 0 )); then
        fail=1; note="exit status $rc without a reported failure"
    elif ! grep -Eq '^# pass [0-9]+$' "$out"; then
        fail=$((fail + 1)); note="no '# pass N' summary (exit status $rc)"
    fi
    {
        echo "=== $name"
        sed 's/^/    /' "$out"
        if (( fail > 0 )); then
            echo "=== FAIL $name: $pass passed, $fail failed${note:+, $note} ($(( $(date +%s) - start ))s)"
            grep -E '^ *not ok ' "$out" | sed 's/^ */    FAILED: /'
        else
            echo "=== ok   $name: $pass passed ($(( $(date +%s) - start ))s)"
        fi
    } >"$log"
    printf '%s\t%s\t%s\n' "$pass" "$fail" "$name: $fail failed${note:+ ($note)}" >"$results/$key.res"
    rm -f "$out"
    # one whole block at a time on the terminal
    flock "$results" cat "$log"
}

# start CMD...: runs CMD in the background once fewer than JOBS run.
start() {
    while (( $(jobs -rp | wc -l) >= JOBS )); do wait -n; done
    "$@" &
}

# node_test FILE: one interop or browser file under `node --test`. A file
# that runs whole suites again (under qemu, valgrind) says how long it may
# take: "sio-test-timeout: SECONDS" in its text.
node_test() {
    local secs
    secs=$(grep -m1 -oE 'sio-test-timeout: [0-9]+' "$1" | grep -oE '[0-9]+$' || true)
    FILE_TIMEOUT=$(( ${secs:-120} + 60 > PER_FILE_TIMEOUT ? ${secs:-120} + 60 : PER_FILE_TIMEOUT )) \
        run "$1" node --test --test-reporter=tap --test-timeout=$(( ${secs:-120} * 1000 )) "$1"
}

# Windows: the mingw-w64 build under wine, in a prefix of its own (made on
# first use, about 15 s). One wineserver serves the prefix, and
# windows.test.mjs stops it when done, so every wine program runs in this
# one lane, one after another. The first wine program starts wine's own
# services, which keep the descriptors they are given: that one is started
# with none, or a test's output pipe would stay open until the timeout.
windows_tests() {
    local t started=""
    export WINEPREFIX=${WINEPREFIX:-$(cd "$BUILD_DIR" && pwd)/win/prefix} WINEDEBUG=-all
    for t in "$BUILD_DIR"/win/tests/test_*.exe; do
        [[ -f $t ]] || continue
        selected "$t" || continue
        if [[ -z $started ]]; then
            mkdir -p "$WINEPREFIX"
            wineserver -p 60 </dev/null >/dev/null 2>&1
            timeout 120 wine cmd /c exit 0 </dev/null >/dev/null 2>&1
            started=1
        fi
        # the C runtime writes "\n" as "\r\n" to a pipe
        run "$t" bash -c 'set -o pipefail; wine "$1" 2>&1 | tr -d "\r"' _ "$t"
    done
    if command -v node >/dev/null 2>&1 && selected tests/interop/windows.test.mjs; then
        node_test tests/interop/windows.test.mjs
    fi
    [[ -z $started ]] || wineserver -k </dev/null >/dev/null 2>&1
}

shopt -s nullglob
have_node=""
command -v node >/dev/null 2>&1 && have_node=1
# The longest first, so that the last to end is short: the files that run
# whole suites again (they say so), then the browser, then the rest.
if [[ -n $have_node ]]; then
    for t in $(grep -l 'sio-test-timeout: ' tests/interop/*.test.mjs tests/browser/*.test.mjs); do
        selected "$t" && start node_test "$t"
    done
fi
if command -v wine >/dev/null 2>&1; then
    start windows_tests
fi
if [[ -n $have_node ]]; then
    for t in tests/browser/*.test.mjs tests/interop/*.test.mjs; do
        [[ $t == tests/interop/windows.test.mjs ]] && continue
        grep -q 'sio-test-timeout: ' "$t" && continue
        selected "$t" && start node_test "$t"
    done
fi
# the unit tests, then the same tests built with ASan/UBSan (make sanitize),
# with TLS, as 32-bit code, and big-endian: the s390x build under qemu-user
# (no binfmt needed)
for t in "$BUILD_DIR"/tests/test_* "$BUILD_DIR"/asan/tests/test_* "$BUILD_DIR"/tls/tests/test_* "$BUILD_DIR"/m32/tests/test_*; do
    [[ -f $t && -x $t ]] || continue
    selected "$t" && start run "$t" "$t"
done
if command -v qemu-s390x >/dev/null 2>&1; then
    for t in "$BUILD_DIR"/s390x/tests/test_*; do
        [[ -f $t && -x $t ]] || continue
        selected "$t" && start run "$t" qemu-s390x -L /usr/s390x-linux-gnu "$t"
    done
fi
wait

total_pass=0
total_fail=0
failed_files=()
for r in "$results"/*.res; do
    IFS=$'\t' read -r pass fail what <"$r"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    (( fail > 0 )) && failed_files+=("$what")
done
if [[ -z $have_node ]]; then
    echo "=== FAIL node not found: interop and browser tests not run"
    failed_files+=("node: not installed")
    total_fail=$((total_fail + 1))
fi

if (( ${#failed_files[@]} > 0 )); then
    echo
    echo "Failures:"
    printf '  %s\n' "${failed_files[@]}"
fi
echo "$total_pass passed, $total_fail failed"
(( total_fail == 0 ))
