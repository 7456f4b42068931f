#!/usr/bin/env bash
# tools/bench/size.sh - what `make size` runs (issue 7, "Footprint").
#
# Prints the stripped size of examples/echo.c built minimal (-Os, no client
# side) and with every feature in, what each SIO_NO_* macro saves, a static
# musl build (proved to work by a few handshakes), and how long the
# implementation takes to compile at -O2 next to stb_image.h (Debian
# libstb-dev), a single header of similar length, compiled in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."

B=build
OUT=$B/size
CC=${CC:-cc}
mkdir -p "$OUT"
MIN_FLAGS="-DSIO_NO_CLIENT -DSIO_NO_CLIENT_JS"

bytes() { stat -c %s "$1"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

build() { # out cc flags... -> prints stripped size in bytes, or "-" when it does not build
    local out=$1 cc=$2
    shift 2
    if $cc -std=c99 "$@" -I. examples/echo.c -o "$out" 2>"$out.err"; then
        strip "$out"
        bytes "$out"
    else
        echo "-"
    fi
}

echo "size of examples/echo.c, stripped ($(uname -m), $($CC --version | head -n1)):"
min=$(build "$OUT/echo-min" "$CC" -Os $MIN_FLAGS)
min_gc=$(build "$OUT/echo-min-gc" "$CC" -Os $MIN_FLAGS -ffunction-sections -fdata-sections -Wl,--gc-sections)
# What we recommend for small devices: drop unused functions and the unwind
# tables C never uses (.eh_frame alone is ~12 KB here).
SMALL="-Os $MIN_FLAGS -ffunction-sections -fdata-sections -Wl,--gc-sections -fno-asynchronous-unwind-tables -fno-unwind-tables"
small=$(build "$OUT/echo-small" "$CC" $SMALL)
full=$(build "$OUT/echo-full" "$CC" -Os)
full_o2=$(build "$OUT/echo-full-O2" "$CC" -O2)
printf '  %-58s %8s B  %s\n' "minimal: -Os $MIN_FLAGS" "$min" "$(kib "$min")"
printf '  %-58s %8s B  %s\n' "minimal, + -ffunction-sections -Wl,--gc-sections" "$min_gc" "$(kib "$min_gc")"
printf '  %-58s %8s B  %s\n' "minimal, + gc-sections, no unwind tables (recommended)" "$small" "$(kib "$small")"
printf '  %-58s %8s B  %s\n' "every feature in: -Os" "$full" "$(kib "$full")"
printf '  %-58s %8s B  %s\n' "every feature in: -O2" "$full_o2" "$(kib "$full_o2")"
echo "  targets: minimal <= 64 KiB; a mongoose WebSocket-only echo server is about 123 KiB here"

# Every SIO_NO_* switch the header knows, each alone on top of the full -Os build.
echo "each SIO_NO_* macro alone (-Os, stripped; saving against every feature in):"
for m in $(cat socketio.h | grep -o 'SIO_NO_[A-Z0-9_]*' | sort -u); do
    s=$(build "$OUT/echo-$m" "$CC" -Os -D"$m")
    if [ "$s" = - ]; then
        printf '  %-30s does not build with examples/echo.c (%s)\n' "$m" "$(grep -m1 -o 'error:.*' "$OUT/echo-$m.err" | cut -c1-60)"
    else
        printf '  %-30s %8s B  saves %6d B\n' "$m" "$s" $((full - s))
    fi
done

# Static musl build of the minimal server: must build, start and serve.
if command -v musl-gcc >/dev/null; then
    musl=$(build "$OUT/echo-musl" musl-gcc -static -Os $MIN_FLAGS)
    if [ "$musl" = - ]; then
        echo "static musl build: FAILED"; cat "$OUT/echo-musl.err"
    else
        verdict="not tested (no loadgen)"
        if $CC -std=c99 -O2 -I. tools/bench/loadgen.c -o "$OUT/loadgen" 2>/dev/null; then
            "$OUT/echo-musl" --host 127.0.0.1 --port 0 >"$OUT/musl.log" 2>&1 &
            pid=$!
            for _ in $(seq 1 100); do grep -q '^listening' "$OUT/musl.log" && break; sleep 0.05; done
            port=$(sed -n 's/^listening on port //p' "$OUT/musl.log")
            if [ -n "$port" ] && "$OUT/loadgen" --mode connect --conns 100 --port "$port" >/dev/null 2>&1 &&
                "$OUT/loadgen" --mode echo --conns 4 --inflight 2 --duration 0.3 --warmup 0 --port "$port" >/dev/null 2>&1; then
                verdict="serves (100 handshakes and acked echoes ok)"
            else
                verdict="FAILED to serve"
            fi
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
        printf 'static musl build (musl-gcc -static -Os %s): %s B  %s, %s; file: %s\n' "$MIN_FLAGS" "$musl" "$(kib "$musl")" \
            "$verdict" "$(file -b "$OUT/echo-musl" | cut -d, -f1-2)"
    fi
else
    echo "static musl build: musl-gcc not installed (apt-get install musl-tools)"
fi

# The client-only build a device carries (issue 19): size, and the heap
# for one connected socket measured against Node's server, as it comes and
# with a small read buffer (SIO_READ_CHUNK: the loop's one scratch buffer).
echo "client-only build (tools/bench/client_heap.c: SIO_NO_SERVER SIO_NO_CLIENT_JS, stripped):"
for chunk in default 2048; do
    extra=""
    [ "$chunk" = default ] || extra="-DSIO_READ_CHUNK=$chunk"
    out="$OUT/client-$chunk"
    if $CC -std=c99 -Os -ffunction-sections -fdata-sections -Wl,--gc-sections -fno-asynchronous-unwind-tables \
        -fno-unwind-tables $extra -I. tools/bench/client_heap.c -o "$out" 2>"$out.err"; then
        strip "$out"
        heap="not measured (node or tests/node_modules missing)"
        if command -v node >/dev/null && [ -d tests/node_modules/socket.io ]; then
            node tests/node/echo_server.mjs --host 127.0.0.1 --port 0 >"$OUT/node-heap.log" 2>&1 &
            pid=$!
            for _ in $(seq 1 100); do grep -q '^listening' "$OUT/node-heap.log" && break; sleep 0.05; done
            port=$(sed -n 's/^listening on port //p' "$OUT/node-heap.log")
            heap=$("$out" "http://127.0.0.1:$port" 2>&1 || true)
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
        printf '  SIO_READ_CHUNK %-8s %8s B  %s; %s\n' "$chunk" "$(bytes "$out")" "$(kib "$(bytes "$out")")" "$heap"
    else
        printf '  SIO_READ_CHUNK %-8s does not build: %s\n' "$chunk" "$(grep -m1 -o 'error:.*' "$out.err")"
    fi
done

# The same program for a device (issue 19): Cortex-M4 against lwIP's sockets,
# the Makefile's build/lwip/client.o flags (tests/lwip/ is the board's side).
# text + data of the object, and of what a link from main keeps of it
# (--gc-sections; lwIP and libc left unresolved, so only our code counts).
ARM_CC=${ARM_CC:-arm-none-eabi-gcc}
LWIP_INC=${LWIP_INC:-/usr/include/lwip}
if command -v "$ARM_CC" >/dev/null && command -v arm-none-eabi-size >/dev/null && [ -f "$LWIP_INC/lwip/sockets.h" ]; then
    echo "client-only build for a device ($ARM_CC -mcpu=cortex-m4 -mthumb -Os, SIO_LWIP, tests/lwip/):"
    for extra in "" "-DSIO_NO_MSGPACK"; do
        out="$OUT/lwip-client${extra:+-nomsgpack}"
        if $ARM_CC -std=c99 -Wall -Wextra -Wpedantic -Werror -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections \
            -include tests/lwip/board.h -Itests/lwip -I"$LWIP_INC" $extra -I. -c tools/bench/client_heap.c -o "$out.o" 2>"$out.err" &&
            $ARM_CC -mcpu=cortex-m4 -mthumb -nostdlib -Wl,--gc-sections -Wl,-e,main -Wl,--unresolved-symbols=ignore-all \
                "$out.o" -o "$out.elf" 2>>"$out.err"; then
            obj=$(arm-none-eabi-size "$out.o" | awk 'NR == 2 { print $1 + $2 }')
            kept=$(arm-none-eabi-size "$out.elf" | awk 'NR == 2 { print $1 + $2 }')
            printf '  %-22s object %8s B  %s; kept by a gc-sections link %8s B  %s\n' "${extra:-as it comes}" \
                "$obj" "$(kib "$obj")" "$kept" "$(kib "$kept")"
        else
            printf '  %-22s does not build: %s\n' "${extra:-as it comes}" "$(grep -m1 -o 'error:.*' "$out.err")"
        fi
    done
    echo "  (its heap: as the x86_64 figures above, less what 4-byte pointers save; measured on Linux only)"
else
    echo "client-only build for a device: $ARM_CC or liblwip-dev missing (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi liblwip-dev)"
fi

# Compile time of the implementation at -O2 next to stb_image.h.
ms() { # cmd... -> best of 3 wall-clock milliseconds
    local best="" t0 t1 i
    for i in 1 2 3; do
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { echo "-"; return; }
        t1=$(date +%s%N)
        t=$(((t1 - t0) / 1000000))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    echo "$best"
}
printf '#define SOCKETIO_IMPLEMENTATION\n#include "socketio.h"\n' >"$OUT/impl_sio.c"
ours_lines=$(wc -l <socketio.h)
echo "compile time of the implementation alone, -O2 -c, best of 3:"
for cc in "$CC" clang; do
    command -v "$cc" >/dev/null || continue
    t_ours=$(ms "$cc" -std=c99 -O2 -I. -c "$OUT/impl_sio.c" -o "$OUT/impl_sio.o")
    printf '  %-6s socketio.h  (%5d lines with its fragments) %6s ms\n' "$cc" "$ours_lines" "$t_ours"
    if [ -f /usr/include/stb/stb_image.h ]; then
        printf '#define STB_IMAGE_IMPLEMENTATION\n#include <stb/stb_image.h>\n' >"$OUT/impl_stb.c"
        t_stb=$(ms "$cc" -std=c99 -O2 -c "$OUT/impl_stb.c" -o "$OUT/impl_stb.o")
        printf '  %-6s stb_image.h (%5d lines, Debian libstb-dev)  %6s ms\n' "$cc" "$(wc -l </usr/include/stb/stb_image.h)" "$t_stb"
    fi
done
[ -f /usr/include/stb/stb_image.h ] || echo "  (stb_image.h for comparison: apt-get install libstb-dev)"
