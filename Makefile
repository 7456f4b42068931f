# socketio.h - build, test, demo.
#   make          build examples, tools and tests into build/
#   make test     build with gcc and clang, compile as C++, run every test
#   make demo     build and start the demo server on http://localhost:3000

CC      ?= cc
CLANG   ?= clang
CXX     ?= g++
WARN    := -std=c99 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
CFLAGS  ?= -O2 -g
SAN     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
B       := build

EXAMPLES := $(patsubst examples/%.c,$(B)/%,$(wildcard examples/*.c))
TOOLS    := $(patsubst tools/%.c,$(B)/%,$(wildcard tools/*.c))
TESTS    := $(patsubst tests/%.c,$(B)/tests/%,$(wildcard tests/test_*.c))
TESTPROG := $(patsubst tests/%.c,$(B)/%,$(filter-out tests/test_%.c tests/fuzz_%.c,$(wildcard tests/*.c)))
SANTESTS := $(patsubst tests/%.c,$(B)/asan/tests/%,$(wildcard tests/test_*.c))
CLANGALL := $(patsubst %.c,$(B)/clang/%.o,$(wildcard examples/*.c tools/*.c tests/test_*.c) $(filter-out tests/test_%.c tests/fuzz_%.c,$(wildcard tests/*.c)))

.PHONY: all test demo clean check-cxx check-clang sanitize

all: $(EXAMPLES) $(TOOLS) $(TESTS) $(TESTPROG)

$(B)/%: examples/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

$(B)/%: tools/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

$(B)/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

$(B)/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -I. $< -o $@

# The unit tests once more under AddressSanitizer and UBSan.
$(B)/asan/tests/%: tests/%.c socketio.h
	@mkdir -p $(@D)
	$(CC) $(WARN) $(SAN) -I. $< -o $@

# Every program must also compile clean under clang ...
$(B)/clang/%.o: %.c socketio.h
	@mkdir -p $(@D)
	$(CLANG) $(WARN) -O1 -I. -c $< -o $@

# ... and the header as C++.
$(B)/cxx.o: socketio.h
	@mkdir -p $(@D)
	printf '#define SOCKETIO_IMPLEMENTATION\n#include "socketio.h"\n' | $(CXX) -x c++ -Wall -Wextra -Werror -I. -c - -o $@

check-clang: $(CLANGALL)
check-cxx: $(B)/cxx.o
sanitize: $(SANTESTS)

test: all check-clang check-cxx sanitize
	@bash tests/run.sh $(B)

demo: all
	./$(B)/chat --port 3000

clean:
	rm -rf $(B)
