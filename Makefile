# socketio.h - build, test, demo, install.
#   make          build examples, tools and tests into build/
#   make test     build with gcc and clang, compile as C++, run every test
#   make demo     build build/chat only and serve the demo on http://localhost:3000
#                 (PORT=8080 for another port)
#   make install  socketio.h, siocat, its man page and pkg-config files under
#                 PREFIX (/usr/local), staged under DESTDIR if given; make uninstall

CC      ?= cc
CLANG   ?= clang
CXX     ?= g++
WARN    := -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
CFLAGS  ?= -O2 -g
# The builds for other targets and standards (32-bit, big-endian, strict
# POSIX, Windows) are there to check and run the code, not to be fast:
# -O1 compiles the header in about half the time -O2 takes.
XCFLAGS ?= -O1 -g
SAN     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
B       := build

# Examples that attach to a host library are built when it is installed.
HOSTED   := examples/attach_microhttpd.c examples/loop_libuv.c
HAVE_MHD := $(shell test -f /usr/include/microhttpd.h && echo yes)
HAVE_UV  := $(shell test -f /usr/include/uv.h && echo yes)
EXAMPLES := $(patsubst examples/%.c,$(B)/%,$(filter-out $(HOSTED),$(wildcard examples/*.c)))
ifeq ($(HAVE_MHD),yes)
EXAMPLES += $(B)/attach_microhttpd
endif
ifeq ($(HAVE_UV),yes)
EXAMPLES += $(B)/loop_libuv
endif
TOOLS    := $(patsubst tools/%.c,$(B)/%,$(wildcard tools/*.c))
TESTS    := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))
TESTPROG := $(patsubst tests/%.c,$(B)/%,$(filter-out tests/test_%.c tests/fuzz_%.c,$(wildcard tests/*.c)))
SANTESTS := $(patsubst tests/%.c,$(B)/asan/tests/%,$(wildcard tests/test_*.c))
CLANGALL := $(patsubst %.c,$(B)/clang/%.o,$(filter-out $(HOSTED),$(wildcard examples/*.c)) $(wildcard tools/*.c tests/test_*.c) $(filter-out tests/test_%.c tests/fuzz_%.c,$(wildcard tests/*.c)))
ifeq ($(HAVE_MHD),yes)
CLANGALL += $(B)/clang/examples/attach_microhttpd.o
endif
ifeq ($(HAVE_UV),yes)
CLANGALL += $(B)/clang/examples/loop_libuv.o
endif

FUZZERS  := $(patsubst tests/fuzz_%.c,$(B)/fuzz/fuzz_%,$(wildcard tests/fuzz_*.c))
ifneq ($(shell test -f /usr/include/bearssl.h && echo yes),yes)
FUZZERS  := $(filter-out $(B)/fuzz/fuzz_tls,$(FUZZERS))
endif
FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: check-client-js check-macros check-configs all setup test demo clean check-cxx check-clang sanitize fuzz fuzz-replay

TLSPROGS := $(B)/tls/echo $(B)/tls/siocat $(B)/tls/chat
HAVE_BEARSSL := $(shell test -f /usr/include/bearssl.h && echo yes)
ifeq ($(HAVE_BEARSSL),yes)
TLSALL := $(TLSPROGS) $(B)/tls/tests/test_tls
endif

all: $(EXAMPLES) $(TOOLS) $(TESTS) $(TESTPROG) $(TLSALL)

$(B)/%: examples/%.c socketio.h examples/echo_events.h examples/poll_stdin.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

$(B)/attach_microhttpd: examples/attach_microhttpd.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ -lmicrohttpd

$(B)/loop_libuv: examples/loop_libuv.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@ -luv

$(B)/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@
# siocat waits for stdin and its sockets as client.c and own_loop.c do
$(addsuffix siocat,$(B)/ $(B)/tls/ $(B)/posix/ $(B)/m32/ $(B)/s390x/) $(B)/win/siocat.exe: examples/poll_stdin.h

$(B)/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

$(B)/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

# TLS builds (BearSSL): the same programs with -DSIO_TLS_BEARSSL -lbearssl.
$(B)/tls/%: examples/%.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_TLS_BEARSSL -I. $< -o $@ -lbearssl

$(B)/tls/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_TLS_BEARSSL -I. $< -o $@ -lbearssl

$(B)/tls/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_TLS_BEARSSL -I. $< -o $@ -lbearssl

# The unit tests once more under AddressSanitizer and UBSan.
$(B)/asan/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN) -I. $< -o $@

# The step-API test once more on the epoll backend (SIO_EPOLL, Linux), where
# a loop is one descriptor: the client's side of it is tested nowhere else.
$(B)/asan/tests/test_loop_epoll: tests/test_loop.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN) -DSIO_EPOLL -I. $< -o $@

sanitize: $(B)/asan/tests/test_loop_epoll

# Every program must also compile clean under clang (its warnings come
# from the front end: -O0, ten times quicker than -O1) ...
$(B)/clang/%.o: %.c socketio.h
	@mkdir -p $(@D)
	$(CLANG) $(WARN) -O0 -I. -c $< -o $@

# ... and the header as C++.
$(B)/cxx.o: socketio.h
	@mkdir -p $(@D)
	printf '#define SOCKETIO_IMPLEMENTATION\n#include "socketio.h"\n' | $(CXX) -x c++ -Wall -Wextra -Werror -I. -c - -o $@

# libFuzzer harnesses, one per parser; corpora in tests/fuzz/corpus/<name>/.
$(B)/fuzz/fuzz_%: tests/fuzz_%.c socketio.h
	@mkdir -p $(@D)
	$(CLANG) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I. $< -o $@

# The TLS harness needs BearSSL.
$(B)/fuzz/fuzz_tls: tests/fuzz_tls.c socketio.h
	@mkdir -p $(@D)
	$(CLANG) $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DSIO_TLS_BEARSSL -I. $< -o $@ -lbearssl

# Replays every seed (and every crash turned regression) under ASan/UBSan.
fuzz-replay: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do n=$${f##*/fuzz_}; \
	  $$f -runs=0 tests/fuzz/corpus/$$n >$(B)/fuzz/$$n.log 2>&1 || { cat $(B)/fuzz/$$n.log; exit 1; }; \
	  echo "fuzz corpus replay $$n: ok"; done

# Runs each harness for FUZZ_SECONDS, growing a scratch copy of its corpus.
fuzz: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do n=$${f##*/fuzz_}; mkdir -p $(B)/fuzz/corpus-$$n; \
	  cp -n tests/fuzz/corpus/$$n/* $(B)/fuzz/corpus-$$n/ 2>/dev/null || true; \
	  $$f -max_total_time=$(FUZZ_SECONDS) $(B)/fuzz/corpus-$$n tests/fuzz/corpus/$$n; done

# The README's C snippets must compile as they stand.
$(B)/readme/.ok: README.md socketio.h
	@mkdir -p $(@D)
	@awk '/^```c$$/{n++; f=sprintf("$(B)/readme/snippet%d.c", n); next} /^```$$/{f=""} f{print > f}' README.md
	@for f in $(B)/readme/snippet*.c; do $(CC) $(WARN) -I. $$f -o $${f%.c} || exit 1; done
	@touch $@

# The browser client embedded in socketio.h must match tools/client/socket.io.js.
check-client-js:
	@node tools/embed-client.mjs --check socketio.h || { echo "socketio.h: embedded client is stale: run node tools/embed-client.mjs --update socketio.h"; exit 1; }

check-clang: $(CLANGALL) $(B)/readme/.ok
check-cxx: $(B)/cxx.o
sanitize: $(SANTESTS)

# Installs what the tests need when missing (apt packages, npm ci).
setup:
	@bash tests/setup.sh

# Every tunable macro must be in the header's table and in the README's.
check-macros:
	@bash tools/check-macros.sh

test: setup
	@$(MAKE) --no-print-directory -j$(JOBS) all check-clang check-cxx check-client-js check-macros check-configs sanitize $(FUZZERS)
	@$(MAKE) --no-print-directory fuzz-replay
	@bash tests/run.sh $(B)

# The demo needs build/chat and nothing else (not the other programs).
PORT ?= 3000
demo: $(B)/chat
	$(B)/chat --port $(PORT)

clean:
	rm -rf $(B)

# >>hardening (issue 6): the echo server under ASan/UBSan, for
# tests/interop/valgrind.test.mjs, which runs the interop suites against it;
# `make valgrind` runs the C unit tests and echo under memcheck.
$(B)/asan/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN) -I. $< -o $@

test: $(B)/asan/echo

# The same server with a 200-byte recovery log, so tests/interop/recovery.test.mjs
# can show the oldest broadcasts going first (SIO_RECOVERY_MAX_BYTES).
$(B)/smallrec/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_RECOVERY_MAX_BYTES=200 -I. $< -o $@

all: $(B)/smallrec/echo

# The epoll backend (SIO_EPOLL) of the same server, for tests/interop/epoll.test.mjs.
$(B)/epoll/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_EPOLL -I. $< -o $@

all: $(B)/epoll/echo

# The same server with no random source it can use: it must refuse to
# start (tests/interop/hostile2.test.mjs) rather than make guessable ids.
$(B)/norandom/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_NO_GETRANDOM -DSIO_RANDOM_DEVICE='"/nonexistent/random"' -I. $< -o $@

all: $(B)/norandom/echo

# The unit tests once more as 32-bit x86 code (gcc-multilib): longs of 32
# bits, and x87 arithmetic for the number formatting.
HAVE_M32 := $(shell printf 'int main(void){return 0;}' | $(CC) -m32 -x c - -o /dev/null 2>/dev/null && echo yes)
M32TESTS := $(patsubst tests/%.c,$(B)/m32/tests/%,$(filter-out tests/test_tls.c,$(wildcard tests/test_*.c)))
$(B)/m32/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -m32 -I. $< -o $@
ifeq ($(HAVE_M32),yes)
all: $(M32TESTS)
endif

.PHONY: valgrind
valgrind: all
	@bash tests/valgrind.sh $(B)

# The soak test (issue 6), minutes long, not part of `make test`:
#   make soak [SOAK_SECONDS=120] [SOAK_CLIENTS=1000]
SOAK_SECONDS ?= 120
SOAK_CLIENTS ?= 1000
.PHONY: soak
soak: all
	@SOAK_SECONDS=$(SOAK_SECONDS) SOAK_CLIENTS=$(SOAK_CLIENTS) bash tests/soak/soak.sh $(B)

# Benchmarks against the Node server and the raw WebSocket floor (issue 7);
# BENCH_QUICK=1 for a one-minute smoke run. Timing never enters `make test`.
.PHONY: bench bench-cluster bench-admin size
# The cluster half (issue 14): 100 000 connections on SO_REUSEPORT workers
# joined through Redis, against a cluster of Node servers (about 11 minutes
# more; CLUSTER_QUICK=1: one); bench-cluster runs it alone. Then the cost of
# the Admin UI instrumentation (issue 17: echo with no admin, production and
# development mode; about 2 minutes more), alone as bench-admin.
bench: $(B)/echo $(B)/epoll/echo
	@bash tools/bench/run.sh
	@bash tools/bench/cluster.sh
	@bash tools/bench/admin.sh
bench-cluster: $(B)/epoll/echo
	@bash tools/bench/cluster.sh
bench-admin: $(B)/echo
	@bash tools/bench/admin.sh
size:
	@bash tools/bench/size.sh

# >>install: the header, siocat, its man page and pkg-config files; nothing
# else. `make install PREFIX=/usr DESTDIR=/tmp/stage` stages a package;
# `make uninstall` (same variables) removes exactly these files. The plain
# siocat goes in; SIOCAT=$(B)/tls/siocat installs the TLS build instead (it
# needs libbearssl at run time). The header needs no library, hence the .pc
# files under share/ (arch-independent); socketio-tls.pc adds
# -DSIO_TLS_BEARSSL and -lbearssl. Tested by tests/interop/install.test.mjs.
PREFIX       ?= /usr/local
DESTDIR      ?=
INSTALL      ?= install
SIOCAT       ?= $(B)/siocat
bindir       ?= $(PREFIX)/bin
includedir   ?= $(PREFIX)/include
man1dir      ?= $(PREFIX)/share/man/man1
pkgconfigdir ?= $(PREFIX)/share/pkgconfig
# includedir relative to ${prefix} when under it, so that pkg-config
# --define-prefix finds a staged or moved tree
SIO_PC_INCLUDEDIR = $(patsubst $(PREFIX)/%,$${prefix}/%,$(includedir))
# the header's SIO_VERSION_STRING once it has one
SIO_PC_VERSION = $(or $(shell sed -n 's/^\#define SIO_VERSION_STRING "\(.*\)".*/\1/p' socketio.h),0.0.0)
INSTALLED := $(DESTDIR)$(includedir)/socketio.h $(DESTDIR)$(bindir)/siocat $(DESTDIR)$(man1dir)/siocat.1 \
             $(DESTDIR)$(pkgconfigdir)/socketio.pc $(DESTDIR)$(pkgconfigdir)/socketio-tls.pc

.PHONY: install uninstall
install: $(SIOCAT)
	$(INSTALL) -d $(DESTDIR)$(includedir) $(DESTDIR)$(bindir) $(DESTDIR)$(man1dir) $(DESTDIR)$(pkgconfigdir)
	$(INSTALL) -m 644 socketio.h $(DESTDIR)$(includedir)/socketio.h
	$(INSTALL) -m 755 $(SIOCAT) $(DESTDIR)$(bindir)/siocat
	$(INSTALL) -m 644 tools/siocat.1 $(DESTDIR)$(man1dir)/siocat.1
	@for pc in socketio socketio-tls; do \
	  sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@INCLUDEDIR@|$(SIO_PC_INCLUDEDIR)|' -e 's|@VERSION@|$(SIO_PC_VERSION)|' \
	    tools/$$pc.pc.in >$(DESTDIR)$(pkgconfigdir)/$$pc.pc && chmod 644 $(DESTDIR)$(pkgconfigdir)/$$pc.pc || exit 1; \
	  echo "installed $(DESTDIR)$(pkgconfigdir)/$$pc.pc"; done

uninstall:
	rm -f $(INSTALLED)

# MessagePack and its parser left out (SIO_NO_MSGPACK) must still build.
$(B)/nomsgpack/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -DSIO_NO_MSGPACK -I. $< -o $@

all: $(B)/nomsgpack/echo

# >>targets (issue 19): the other builds a copied header meets, tested here.
# POSIX.1-2008 only (SIO_POSIX_ONLY: the path macOS and the BSDs take), 32-bit
# (gcc-multilib), and big-endian s390x (clang cross-compiling, run under
# qemu-user by tests/run.sh and tests/interop/targets.test.mjs).
TARGET_PROGS := echo client_driver siocat
$(B)/posix/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L -DSIO_POSIX_ONLY -I. $< -o $@
$(B)/posix/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L -DSIO_POSIX_ONLY -I. $< -o $@
$(B)/posix/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -D_POSIX_C_SOURCE=200809L -DSIO_POSIX_ONLY -I. $< -o $@

all: $(addprefix $(B)/posix/,$(TARGET_PROGS))

ifeq ($(HAVE_M32),yes)
$(B)/m32/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -m32 -I. $< -o $@
$(B)/m32/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -m32 -I. $< -o $@
$(B)/m32/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(XCFLAGS) -m32 -I. $< -o $@

all: $(addprefix $(B)/m32/,$(TARGET_PROGS))
endif

S390X_CC ?= $(CLANG) --target=s390x-linux-gnu
HAVE_S390X := $(shell command -v qemu-s390x >/dev/null 2>&1 && printf 'int main(void){return 0;}' | $(S390X_CC) -x c - -o /dev/null 2>/dev/null && echo yes)
ifeq ($(HAVE_S390X),yes)
S390XTESTS := $(patsubst tests/%.c,$(B)/s390x/tests/%,$(filter-out tests/test_tls.c,$(wildcard tests/test_*.c)))
$(B)/s390x/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(S390X_CC) $(WARN) $(XCFLAGS) -I. $< -o $@

$(B)/s390x/echo: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(S390X_CC) $(WARN) $(XCFLAGS) -I. $< -o $@
$(B)/s390x/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(S390X_CC) $(WARN) $(XCFLAGS) -I. $< -o $@
$(B)/s390x/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(S390X_CC) $(WARN) $(XCFLAGS) -I. $< -o $@

all: $(S390XTESTS) $(addprefix $(B)/s390x/,$(TARGET_PROGS))
endif

# The client-only build (SIO_NO_SERVER, no browser client), what a small
# device carries: tests/interop/targets.test.mjs runs it against Node's
# server, make size measures its size and its heap.
$(B)/client_heap: tools/bench/client_heap.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

all: $(B)/client_heap

# Every feature switch leaves a header that compiles clean: the implementation
# alone under each configuration a user may pick (an unused static in one of
# them is an error under -Werror).
CONFIGS := "-DSIO_NO_SERVER" "-DSIO_NO_CLIENT" "-DSIO_NO_CLIENT_JS" "-DSIO_NO_MSGPACK" \
  "-DSIO_NO_SERVER -DSIO_NO_CLIENT_JS -DSIO_NO_MSGPACK" "-DSIO_NO_CLIENT -DSIO_EPOLL" "-DSIO_NO_SERVER -DSIO_EPOLL" \
  "-DSIO_POSIX_ONLY -D_POSIX_C_SOURCE=200809L" "-DSIO_STATIC" "-DSIO_NO_REDIS" "-DSIO_NO_REDIS -DSIO_NO_CLIENT_JS" "-DSIO_NO_ADMIN"
check-configs:
	@for f in $(CONFIGS); do \
	  printf '#define SOCKETIO_IMPLEMENTATION\n#include "socketio.h"\nint main(void) { return 0; }\n' | \
	    $(CC) $(WARN) -O0 $$f -I. -x c -c -o /dev/null - || { echo "check-configs: $$f does not compile"; exit 1; }; \
	done; echo "check-configs: every configuration compiles"

# >>lwip (issue 19): that client-only program as a device carries it,
# compiled for a Cortex-M4 (arm-none-eabi-gcc, newlib) against Debian's lwIP
# headers (liblwip-dev), with the board's side in tests/lwip/ (lwipopts.h,
# arch/cc.h, arch/sys_arch.h, and board.h: SIO_LWIP and the hardware RNG).
# An object file: the compiler's verdict under -Werror, and its size in
# make size. Nothing runs it; build/client_heap runs the same configuration.
ARM_CC   ?= arm-none-eabi-gcc
LWIP_INC ?= /usr/include/lwip
HAVE_LWIP := $(shell test -f $(LWIP_INC)/lwip/sockets.h && echo 'int x;' | $(ARM_CC) -include stdio.h -x c -c - -o /dev/null 2>/dev/null && echo yes)
LWIP_FLAGS := -mcpu=cortex-m4 -mthumb -Os -ffunction-sections -fdata-sections -include tests/lwip/board.h -Itests/lwip -I$(LWIP_INC)
$(B)/lwip/client.o: tools/bench/client_heap.c socketio.h $(wildcard tests/lwip/*.h tests/lwip/arch/*.h)
	@mkdir -p $(@D)
	$(ARM_CC) $(WARN) $(LWIP_FLAGS) -I. -c $< -o $@

# ... and with clang for the same core, on newlib's headers.
$(B)/lwip/client-clang.o: tools/bench/client_heap.c socketio.h $(wildcard tests/lwip/*.h tests/lwip/arch/*.h)
	@mkdir -p $(@D)
	$(CLANG) --target=thumbv7em-none-eabi $(WARN) $(filter-out -mthumb,$(LWIP_FLAGS)) -isystem /usr/lib/arm-none-eabi/include -I. -c $< -o $@

ifeq ($(HAVE_LWIP),yes)
all: $(B)/lwip/client.o $(B)/lwip/client-clang.o
endif

# >>windows (issue 19): Winsock 2 builds with mingw-w64, run under wine by
# tests/run.sh (the unit tests) and tests/interop/windows.test.mjs (echo.exe
# against the npm client, chat.exe with it, siocat.exe against Node).
# test_tls needs BearSSL; the other tests all build, and every example
# that needs no host library.
WIN_CC   ?= x86_64-w64-mingw32-gcc
WIN_CXX  ?= x86_64-w64-mingw32-g++
WIN_LIBS := -lws2_32 -lbcrypt -liphlpapi
HAVE_WIN := $(shell command -v $(WIN_CC) >/dev/null 2>&1 && echo yes)
WINTESTS := $(patsubst tests/%.c,$(B)/win/tests/%.exe,$(filter-out tests/test_tls.c,$(wildcard tests/test_*.c)))
# echo.exe sits beside build/echo (the issue's build/echo.exe), the rest in build/win/
WINPROGS := $(B)/echo.exe $(addprefix $(B)/win/,binary.exe rooms.exe tweets.exe chat.exe client.exe own_loop.exe \
            stream.exe attach_accept.exe siocat.exe client_driver.exe)
$(B)/echo.exe: examples/echo.c socketio.h examples/echo_events.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WARN) $(CFLAGS) -I. $< -o $@ $(WIN_LIBS)
$(B)/win/tests/%.exe: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WARN) $(XCFLAGS) -I. $< -o $@ $(WIN_LIBS)
$(B)/win/%.exe: examples/%.c socketio.h examples/echo_events.h examples/poll_stdin.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WARN) $(XCFLAGS) -I. $< -o $@ $(WIN_LIBS)
$(B)/win/%.exe: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WARN) $(XCFLAGS) -I. $< -o $@ $(WIN_LIBS)
$(B)/win/%.exe: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(WIN_CC) $(WARN) $(XCFLAGS) -I. $< -o $@ $(WIN_LIBS)
# ... and the header as C++ for Windows.
$(B)/win/cxx.o: socketio.h
	@mkdir -p $(@D)
	printf '#define SOCKETIO_IMPLEMENTATION\n#include "socketio.h"\n' | $(WIN_CXX) -x c++ -Wall -Wextra -Werror -I. -c - -o $@

ifeq ($(HAVE_WIN),yes)
all: $(WINTESTS) $(WINPROGS) $(B)/win/cxx.o
endif
