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
# Each program ends its output with `# pass N` and `# fail M`; the sums are
# the totals. A program that exits non-zero without reporting a failure, that
# reports nothing, or that runs longer than SIO_TEST_TIMEOUT seconds (300)
# counts as one more failure. SIO_TESTS=REGEX runs only the files whose path
# matches. The last line is exactly `N passed, M failed`; exit 1 if M > 0.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
BUILD_DIR=${1:-build}
PATTERN=${SIO_TESTS:-}
PER_FILE_TIMEOUT=${SIO_TEST_TIMEOUT:-300}
export SIO_BUILD=$BUILD_DIR

total_pass=0
total_fail=0
failed_files=()
out=$(mktemp)
trap 'rm -f "$out"' EXIT

selected() {
    [[ -z $PATTERN ]] || grep -Eq -- "$PATTERN" <<<"$1"
}

# run NAME CMD...: runs one program, prints its output indented, adds its counts.
run() {
    local name=$1
    shift
    local start rc pass fail cancelled note=""
    start=$(date +%s)
    echo "=== $name"
    timeout -k 10 "${FILE_TIMEOUT:-$PER_FILE_TIMEOUT}" "$@" </dev/null >"$out" 2>&1
    rc=$?
    sed 's/^/    /' "$out"
    # The last summary lines win (node prints nested ones too, but its final
    # `# pass`/`# fail` are the totals for the file).
    pass=$(grep -E '^# pass [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    fail=$(grep -E '^# fail [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    cancelled=$(grep -E '^# cancelled [0-9]+$' "$out" | tail -n 1 | awk '{print $3}')
    pass=${pass:-0}
    fail=$(( ${fail:-0} + ${cancelled:-0} ))
    if (( rc == 124 || rc == 137 )); then
        fail=$((fail + 1)); note="timed out after ${PER_FILE_TIMEOUT}s"
    elif (( rc != 0 && fail == 0 )); then
        fail=1; note="exit status $rc without a reported failure"
    elif ! grep -Eq '^# pass [0-9]+$' "$out"; then
        fail=$((fail + 1)); note="no '# pass N' summary (exit status $rc)"
    fi
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    if (( fail > 0 )); then
        failed_files+=("$name: $fail failed${note:+ ($note)}")
        echo "=== FAIL $name: $pass passed, $fail failed${note:+, $note} ($(( $(date +%s) - start ))s)"
        grep -E '^ *not ok ' "$out" | sed 's/^ */    FAILED: /'
    else
        echo "=== ok   $name: $pass passed ($(( $(date +%s) - start ))s)"
    fi
}

shopt -s nullglob
# the unit tests, then the same tests built with ASan/UBSan (make sanitize),
# with TLS, as 32-bit code, big-endian, and for Windows
for t in "$BUILD_DIR"/tests/test_* "$BUILD_DIR"/asan/tests/test_* "$BUILD_DIR"/tls/tests/test_* "$BUILD_DIR"/m32/tests/test_*; do
    [[ -f $t && -x $t ]] || continue
    selected "$t" || continue
    run "$t" "$t"
done
# big-endian: the s390x build under qemu-user (no binfmt needed)
if command -v qemu-s390x >/dev/null 2>&1; then
    for t in "$BUILD_DIR"/s390x/tests/test_*; do
        [[ -f $t && -x $t ]] || continue
        selected "$t" || continue
        run "$t" qemu-s390x -L /usr/s390x-linux-gnu "$t"
    done
fi

# Windows: the mingw-w64 build under wine, in a prefix of its own (made on
# first use, about 15 s; one wineserver serves them all)
if command -v wine >/dev/null 2>&1; then
    export WINEPREFIX=${WINEPREFIX:-$(cd "$BUILD_DIR" && pwd)/win/prefix} WINEDEBUG=-all
    started=""
    for t in "$BUILD_DIR"/win/tests/test_*.exe; do
        [[ -f $t ]] || continue
        selected "$t" || continue
        if [[ -z $started ]]; then
            mkdir -p "$WINEPREFIX" && wineserver -p 60 </dev/null >/dev/null 2>&1
            started=1
        fi
        # the C runtime writes "\n" as "\r\n" to a pipe
        run "$t" bash -c 'set -o pipefail; wine "$1" 2>&1 | tr -d "\r"' _ "$t"
    done
fi

if command -v node >/dev/null 2>&1; then
    for t in tests/interop/*.test.mjs tests/browser/*.test.mjs; do
        selected "$t" || continue
        # a file that runs whole suites again (under qemu, valgrind) says
        # how long it may take: "sio-test-timeout: SECONDS" in its text
        secs=$(grep -m1 -oE 'sio-test-timeout: [0-9]+' "$t" | grep -oE '[0-9]+$' || true)
        FILE_TIMEOUT=$(( ${secs:-120} + 60 > PER_FILE_TIMEOUT ? ${secs:-120} + 60 : PER_FILE_TIMEOUT )) \
            run "$t" node --test --test-reporter=tap --test-timeout=$(( ${secs:-120} * 1000 )) "$t"
    done
else
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
