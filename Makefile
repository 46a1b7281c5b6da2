# iceupd — the only entry point: build, test, run, install, clean.
VERSION  = 0.1.0
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Werror
PKGS     = libcurl openssl libcjson libconfig expat libmicrohttpd
# Lazy, so that a fresh machine can install the packages first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# Libraries that ship no pkg-config file: libunistring (NFKC, case mapping).
PLAIN_LIBS = -lunistring
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) $(PLAIN_LIBS) -pthread
CHECK_LIBS = $(shell pkg-config --libs check)
ALL_CFLAGS = $(WARN) $(CFLAGS) -D_GNU_SOURCE -DICEUPD_VERSION='"$(VERSION)"' \
	     $(PKG_CFLAGS)
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

# Every C file of src/ and its folders (main.c apart), and the generated.
SRCS = $(filter-out src/main.c,$(sort $(wildcard src/*.c src/*/*.c))) $(GEN)
# Files of src/serve/ built into the binary as C strings.
GEN  = build/gen/serve_openapi.c build/gen/serve_page.c
UNIT_TESTS = $(sort $(wildcard tests/unit/test_*.c))
UNIT = tests/unit/unit.c $(UNIT_TESTS)
HDRS = $(wildcard src/*.h src/*/*.h tests/unit/*.h)

OBJS      = $(SRCS:%.c=build/obj/%.o)
ASAN_OBJS = $(SRCS:%.c=build/asan/%.o)

all: build/iceupd

build/gen/serve_openapi.c: src/serve/openapi.json scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh serve_openapi_json $< >$@.tmp && mv $@.tmp $@

build/gen/serve_page.c: src/serve/page.html scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh serve_page_html $< >$@.tmp && mv $@.tmp $@

# SUITE(NAME) for each tests/unit/test_NAME.c: a new file is a new suite.
build/gen/unit_suites.h: Makefile tests/unit $(UNIT_TESTS)
	@mkdir -p $(dir $@)
	printf 'SUITE(%s)\n' $(UNIT_TESTS:tests/unit/test_%.c=%) >$@.tmp && \
	    mv $@.tmp $@
build/obj/tests/unit/unit.o build/asan/tests/unit/unit.o: \
    build/gen/unit_suites.h

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -O1 -c -o $@ $<

build/iceupd: $(OBJS) build/obj/src/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS)

build/unit-tests: $(OBJS) $(UNIT:%.c=build/obj/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

build/asan/unit-tests: $(ASAN_OBJS) $(UNIT:%.c=build/asan/%.o)
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# A probe driver for the probe tests: probes the URLs it is given.
build/probe-main: tests/unit/probe_main.c $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

build/engine-bench: bench/engine_bench.c $(OBJS)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS)

deps:
	@scripts/install-deps.sh

# Benchmarks, not tests: time-to-credentials and start-up cost.
bench:
	@scripts/install-deps.sh --bench
	@$(MAKE) --no-print-directory all build/engine-bench
	@build/engine-bench
	@bench/e2e.sh
	@bench/serve.sh
	@bench/deploy.sh
	@bench/fanin.sh
	@$(MAKE) --no-print-directory static
	@bench/rtt.sh

run: deps
	@$(MAKE) --no-print-directory all
	build/iceupd

# Unit tests (plain and under ASan+UBSan), the CLI and integration suites
# against the ASan+UBSan build, then what only the plain and static
# binaries show (tests/run.sh); ends with what each suite cost.
test: deps
	@$(MAKE) --no-print-directory all build/asan/iceupd build/unit-tests \
	    build/asan/unit-tests build/probe-main
	@tests/run.sh

install: build/iceupd
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 build/iceupd $(DESTDIR)$(PREFIX)/bin/iceupd
	install -m 0644 docs/iceupd.1 $(DESTDIR)$(PREFIX)/share/man/man1/iceupd.1

clean:
	rm -rf build

.PHONY: all deps run test install clean bench

# One statically linked executable, build/static/iceupd, from the same sources
# and flags as `make all`; its libraries come from Debian (binary or source
# packages, built in build/deps/).  See scripts/build-static.sh.
static: export ICEUPD_STATIC_SRCS = $(SRCS) src/main.c
static: export ICEUPD_STATIC_CFLAGS = $(filter-out $(PKG_CFLAGS),$(ALL_CFLAGS))
static: export ICEUPD_STATIC_PKGS = $(PKGS)
static: export ICEUPD_STATIC_LIBS = $(PLAIN_LIBS)
static: export ICEUPD_STATIC_CC = $(CC)
static: $(GEN)
	@scripts/build-static.sh

.PHONY: static

# Hardening.  `make fuzz [FUZZ_SECONDS=N]` builds one libFuzzer target per
# parser into build/fuzz/ (clang, -fsanitize=fuzzer,address,undefined) and
# runs each for N seconds from its corpus in fuzz/corpus/; any crash, leak
# or timeout fails.  `make test-asan` runs the unit and CLI suites against
# an ASan+UBSan build; `make test-valgrind` runs the CLI suites that run
# the binary under valgrind (tests/valgrind/).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SH_RUNS ?= 2000
FUZZ_TARGETS = api xml stun uri settings google cloudrun shell url
FUZZ_FLAGS   = -fsanitize=fuzzer-no-link,address,undefined \
	       -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g
FUZZ_OBJS    = $(SRCS:%.c=build/fuzz/obj/%.o)
FUZZ_BINS    = $(FUZZ_TARGETS:%=build/fuzz/fuzz_%) build/fuzz/fuzz_shell_sh
FUZZ_OPTS    = -timeout=5 -rss_limit_mb=2048 -close_fd_mask=3 \
	       -print_final_stats=1
# The CLI suites whose runs leave provider threads behind at exit (a
# deadline passed, a better answer came), the longest first.
VALGRIND_CLI = cache faults watch

build/fuzz/obj/%.o: %.c $(HDRS) fuzz/fuzz.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(filter-out -Werror,$(ALL_CFLAGS)) $(FUZZ_FLAGS) -c -o $@ $<

build/fuzz/fuzz_%: build/fuzz/obj/fuzz/fuzz_%.o $(FUZZ_OBJS)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(PKG_LIBS)

build/asan/iceupd: $(ASAN_OBJS) build/asan/src/main.o
	$(CC) $(CFLAGS) $(SANITIZE) -o $@ $^ $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: export LSAN_OPTIONS = suppressions=$(CURDIR)/fuzz/lsan.supp
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS) shell_sh; do \
		mkdir -p build/fuzz/corpus/$$t fuzz/crashes; \
		if [ $$t = shell_sh ]; then lim=-runs=$(FUZZ_SH_RUNS); \
		else lim=-max_total_time=$(FUZZ_SECONDS); fi; \
		echo "== fuzz_$$t"; \
		build/fuzz/fuzz_$$t $(FUZZ_OPTS) $$lim \
		    -artifact_prefix=fuzz/crashes/$$t- \
		    build/fuzz/corpus/$$t fuzz/corpus/$$t \
		    >build/fuzz/$$t.log 2>&1 || { tail -n 60 build/fuzz/$$t.log; \
		    echo "fuzz_$$t failed: input saved in fuzz/crashes/"; exit 1; }; \
		grep -E '^(stat::|Done|#[0-9]+ +DONE)' build/fuzz/$$t.log || true; \
	done

test-asan: build/asan/iceupd build/asan/unit-tests build/probe-main
	@tests/run.sh unit-asan cli

test-valgrind: all build/unit-tests build/probe-main
	@tests/valgrind/run.sh $(VALGRIND_CLI)

.PHONY: fuzz fuzz-build test-asan test-valgrind
