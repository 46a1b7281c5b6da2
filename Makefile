# iceupd — the only entry point: build, test, run, install, clean.
# The version lives in one place, debian/changelog's first line (a native
# package: no Debian revision); --version, `make dist` and the package
# read it there.
VERSION := $(shell sed -n '1s/^iceupd (\([^ ]*\)) .*/\1/p' debian/changelog)
$(if $(VERSION),,$(error no version on the first line of debian/changelog))
CC      ?= cc
CFLAGS  ?= -O2 -g
# Where `make install` puts things, under $(DESTDIR) (GNU names).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man
DOCDIR  ?= $(DATADIR)/doc/iceupd
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  ?= $(DATADIR)/zsh/site-functions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Werror
PKGS     = libcurl openssl libcjson libconfig expat libmicrohttpd
# Lazy, so that a fresh machine can install the packages first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
# Libraries that ship no pkg-config file: libunistring (NFKC, case mapping).
PLAIN_LIBS = -lunistring
PKG_LIBS   = $(shell pkg-config --libs $(PKGS)) $(PLAIN_LIBS) -pthread
CHECK_LIBS = $(shell pkg-config --libs check)
# The caller's CPPFLAGS and CFLAGS (dpkg-buildflags, say) come first, ours
# after; its LDFLAGS reach every link.
ALL_CFLAGS = $(CPPFLAGS) $(CFLAGS) $(WARN) -D_GNU_SOURCE \
	     -DICEUPD_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
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

# The completion scripts, written by the binary from its settings table.
COMPLETIONS = build/completion/iceupd build/completion/_iceupd

all: build/iceupd $(COMPLETIONS)

build/completion/iceupd: build/iceupd
	@mkdir -p $(dir $@)
	build/iceupd completion bash >$@.tmp && mv $@.tmp $@
build/completion/_iceupd: build/iceupd
	@mkdir -p $(dir $@)
	build/iceupd completion zsh >$@.tmp && mv $@.tmp $@

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

# The files that print the version are rebuilt when it changes.
$(foreach d,obj asan,build/$(d)/src/main.o build/$(d)/src/http.o \
    build/$(d)/src/probe/probe.o): debian/changelog

build/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/asan/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SANITIZE) -O1 -c -o $@ $<

build/iceupd: $(OBJS) build/obj/src/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/unit-tests: $(OBJS) $(UNIT:%.c=build/obj/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

build/asan/unit-tests: $(ASAN_OBJS) $(UNIT:%.c=build/asan/%.o)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

# A probe driver for the probe tests: probes the URLs it is given.
build/probe-main: tests/unit/probe_main.c $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

build/engine-bench: bench/engine_bench.c $(OBJS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

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

# install and uninstall: the same files.  The units run $(BINDIR)/iceupd;
# the timer is installed, not enabled.
SAMPLES = $(sort $(wildcard samples/*.conf samples/*/*))
EXAMPLES = $(SAMPLES:samples/%=$(DESTDIR)$(DOCDIR)/examples/%)
UNITS   = iceupd.service iceupd.timer
install: build/iceupd $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(sort $(dir $(EXAMPLES)))
	install -m 0755 build/iceupd $(DESTDIR)$(BINDIR)/iceupd
	install -m 0644 docs/iceupd.1 $(DESTDIR)$(MANDIR)/man1/iceupd.1
	install -m 0644 build/completion/iceupd $(DESTDIR)$(BASHCOMPDIR)/iceupd
	install -m 0644 build/completion/_iceupd $(DESTDIR)$(ZSHCOMPDIR)/_iceupd
	sed 's#^ExecStart=/usr/local/bin/iceupd #ExecStart=$(BINDIR)/iceupd #' \
	    container/iceupd.service >$(DESTDIR)$(SYSTEMDUNITDIR)/iceupd.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/iceupd.service
	install -m 0644 container/iceupd.timer $(DESTDIR)$(SYSTEMDUNITDIR)/
	for f in $(SAMPLES:samples/%=%); do \
	    install -m 0644 samples/$$f $(DESTDIR)$(DOCDIR)/examples/$$f || \
	    exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/iceupd $(DESTDIR)$(MANDIR)/man1/iceupd.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/iceupd $(DESTDIR)$(ZSHCOMPDIR)/_iceupd \
	    $(UNITS:%=$(DESTDIR)$(SYSTEMDUNITDIR)/%) $(EXAMPLES)
	for d in $(filter-out $(DESTDIR)$(DOCDIR)/examples/,$(dir $(EXAMPLES))) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR); do \
	    if [ -d "$$d" ]; then rmdir "$$d" 2>/dev/null || :; fi; done

# build/iceupd-VERSION.tar.gz: the committed tree (HEAD), the same bytes
# each time (git archive takes the commit's time, a fixed owner and order;
# gzip -n stores no name or time).
dist:
	@mkdir -p build
	@git diff --quiet HEAD -- || \
	    echo "dist: uncommitted changes are not in the tarball" >&2
	git archive --format=tar --prefix=iceupd-$(VERSION)/ HEAD | \
	    gzip -n -9 >build/iceupd-$(VERSION).tar.gz.tmp
	mv build/iceupd-$(VERSION).tar.gz.tmp build/iceupd-$(VERSION).tar.gz

version:
	@echo $(VERSION)

# Builds container/Dockerfile's targets with buildah and runs them (as
# root; slow, not part of `make test`: see tests/image/run.sh).
image-test:
	@tests/image/run.sh

# Builds the Debian package in a clean clone and checks it (lintian,
# hardening-check): tests/package/run.sh.
package-test:
	@tests/package/run.sh

clean:
	rm -rf build

.PHONY: all deps run test install uninstall dist version clean bench \
	image-test package-test

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
# or timeout fails.  `make test-asan` runs only the passes of `make test`
# that use the ASan+UBSan build (unit and CLI); `make test-valgrind` runs
# the unit tests and the CLI suites whose runs leave provider threads at
# exit under valgrind (tests/valgrind/).
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
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE) -o $@ $^ $(PKG_LIBS)

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
