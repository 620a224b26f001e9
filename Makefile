# SPDX-License-Identifier: Apache-2.0
# Tally: build, run, test, benchmark and install.
#
#   make            build every program and man page into build/
#   make run        the whole system on this machine, built-in defaults
#   make test       every test (sanitizer build in build/asan/)
#   make bench      the benchmarks in tests/bench/
#   make fuzz       every libFuzzer target in tests/fuzz/ for FUZZ_TIME seconds each (or FUZZ_RUNS executions)
#   make analyze    scan-build and cppcheck over the tree; any finding fails
#   make crash-bench  the kiosk killed with SIGKILL CRASH_N times (default 1,000) while pressed
#   make powercut-bench  both stores through POWERCUT_N power cuts each (default 2,000)
#   make soak       the whole chain for SOAK_S seconds (default 1 hour) under faults
#   make install    honours PREFIX and DESTDIR
#   make deb        a Debian package; make deb ARCH=arm64 (or armhf) cross-builds
#                   the Pi's on an amd64 Debian 12 (scripts/deps.sh arm64 first)
#   make test-arm64 the unit tests built for aarch64, run under qemu-user-static
#                   (test-armhf likewise); neither is part of make test
#
# Libraries come from pkg-config. The GPIO backend is chosen here: libgpiod
# 1.x (Debian 12, Raspberry Pi OS bookworm) builds platform/gpio_gpiod.c;
# without libgpiod only the simulated chip is built.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc
PKG_CONFIG ?= pkg-config
AR      ?= ar

# Cross builds for the Pi: Debian's cross compiler and the :ARCH -dev
# packages of multiarch (scripts/deps.sh ARCH installs both), in build/ARCH/.
# ARCH from the command line only: a shell's ARCH (kernel builds set one) is not ours.
ifneq ($(origin ARCH),command line)
  ARCH :=
endif
TRIPLET_arm64 = aarch64-linux-gnu
TRIPLET_armhf = arm-linux-gnueabihf
QEMU_arm64    = qemu-aarch64-static
QEMU_armhf    = qemu-arm-static
ifneq ($(ARCH),)
  ifeq ($(TRIPLET_$(ARCH)),)
    $(error ARCH=$(ARCH): only arm64 and armhf are cross-built)
  endif
  CC         := $(TRIPLET_$(ARCH))-gcc
  AR         := $(TRIPLET_$(ARCH))-ar
  PKG_CONFIG := $(TRIPLET_$(ARCH))-pkg-config
  BUILD      := build/$(ARCH)
endif

DATADIR = $(PREFIX)/share/tally
VERSION := $(shell cat VERSION)

WARN     = -std=c11 -Wall -Wextra -Werror
OPT      = -O2 -g
SANITIZE = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

PKGS_CORE  = sqlite3 inih
PKGS_KIOSK = sdl2 SDL2_ttf libpng jansson
PKGS_NET   = libcurl libmicrohttpd jansson zlib gnutls
# tally-hq draws the staff-room poster (a PDF) with cairo.
PKGS_POSTER = cairo
# sd_notify (watchdog, readiness) and sd_journal_send (structured logs)
PKGS_SYSTEMD = libsystemd

GPIOD_VERSION := $(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)
ifneq ($(and $(filter 1.%,$(GPIOD_VERSION)),$(wildcard platform/gpio_gpiod.c)),)
  GPIO_BACKEND = platform/gpio_gpiod.c
  PKGS_GPIO    = libgpiod
  GPIO_DEFS    = -DTALLY_HAVE_GPIOD=1
endif

PKGS_ALL = $(PKGS_CORE) $(PKGS_KIOSK) $(PKGS_NET) $(PKGS_POSTER) $(PKGS_GPIO) $(PKGS_SYSTEMD)

# libcurl in its GnuTLS flavour (libcurl3-gnutls), whichever flavour's
# headers are installed (they are the same for one curl version): the
# OpenSSL one would give tally-sync a second TLS stack beside the GnuTLS
# that libcurl's own dependencies (librtmp, libldap) and tally-hq's
# libmicrohttpd bring, and 3 MiB more of the kiosk's RAM.
LIBS_CURL ?= -l:libcurl-gnutls.so.4

# Each program links only what it uses (tests/e2e/linked_libraries.sh checks
# the NEEDED entries): tallyctl no SDL, GPIO or curl; tally-sync no server
# and one TLS stack.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS_ALL) 2>/dev/null)
pkglibs     = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)
LIBS_CORE  := $(call pkglibs,$(PKGS_CORE)) -lm
LIBS_KIOSK := $(call pkglibs,$(PKGS_KIOSK) $(PKGS_GPIO) $(PKGS_SYSTEMD)) $(LIBS_CORE)
# Argon2id for head office's user passwords: only tally-hq, the tests and the benchmarks link it.
LIBS_ARGON2 := $(call pkglibs,libargon2)
# libpq for head office on PostgreSQL (app/hq/hq_db_pg*.c): likewise only tally-hq, tests, benchmarks, fuzzers.
LIBS_PQ     := $(call pkglibs,libpq)
PKG_CFLAGS  += $(shell $(PKG_CONFIG) --cflags libpq 2>/dev/null)
# libcurl (GnuTLS flavour: one TLS stack with libmicrohttpd) sends alerts by webhook and SMTP.
LIBS_HQ    := $(LIBS_CURL) $(call pkglibs,libmicrohttpd jansson zlib gnutls $(PKGS_POSTER) $(PKGS_SYSTEMD)) $(LIBS_ARGON2) $(LIBS_PQ) $(LIBS_CORE)
LIBS_SYNC  := $(LIBS_CURL) $(call pkglibs,jansson zlib $(PKGS_SYSTEMD)) $(LIBS_CORE)
LIBS_CTL   := $(call pkglibs,jansson) $(LIBS_CORE)
LIBS_ALL   := $(LIBS_CURL) $(call pkglibs,$(filter-out libcurl,$(PKGS_ALL))) -lm
LIBS_TEST  := $(call pkglibs,cmocka) $(LIBS_ALL) $(LIBS_ARGON2) $(LIBS_PQ)

CPPFLAGS += -D_GNU_SOURCE -DTALLY_VERSION=\"$(VERSION)\" -DTALLY_DATADIR=\"$(DATADIR)\" $(GPIO_DEFS) \
	    -Iapp/core -Iplatform -Iapp/kiosk -Iapp/hq -Iapp/sync -Iapp/ctl

# Everything except the mains and the GPIO backends goes into one archive;
# each program links only the parts it uses.
LIB_SRC := $(filter-out %/main.c platform/gpio_gpiod%.c,$(wildcard app/*/*.c platform/*.c)) $(GPIO_BACKEND)
PROGRAMS = tally-kiosk tally-sync tally-hq tallyctl
MAIN_kiosk = app/kiosk/main.c
PROG_DIRS  = $(sort $(dir $(wildcard app/*/main.c)))
TEST_SRC  := $(wildcard tests/unit/test_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

# program name -> its main directory, and the libraries it needs
prog_dir   = $(patsubst tally-%,%,$(patsubst tallyctl,ctl,$(1)))
LIBS_tally-kiosk = $(LIBS_KIOSK)
LIBS_tally-sync  = $(LIBS_SYNC)
LIBS_tally-hq    = $(LIBS_HQ)
LIBS_tallyctl    = $(LIBS_CTL)

BUILT_PROGRAMS = $(foreach p,$(PROGRAMS),$(if $(wildcard app/$(call prog_dir,$(p))/main.c),$(p)))

# The man pages (man/*.scd, through scdoc) are part of every build.
MAN_SRC   := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,$(BUILD)/man/%,$(MAN_SRC))

.PHONY: all run test bench fuzz analyze analyze-scan soak crash-bench powercut-bench install uninstall clean deps screenshots man deb
all: $(addprefix $(BUILD)/,$(BUILT_PROGRAMS)) $(MAN_PAGES)

deps:
	@./scripts/deps.sh

# --- release build -----------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(WARN) $(OPT) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/libtally.a: $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

define program_rules
$(BUILD)/$(1): $(BUILD)/obj/app/$(call prog_dir,$(1))/main.o $(BUILD)/libtally.a
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS_$(1))
$(BUILD)/asan/$(1): $(BUILD)/asan/obj/app/$(call prog_dir,$(1))/main.o $(BUILD)/asan/libtally.a
	$$(CC) $$(SANITIZE) -o $$@ $$^ $$(LIBS_$(1))
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rules,$(p))))

# --- sanitizer build for tests ------------------------------------------------
$(BUILD)/asan/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC asan $<"
	@$(CC) $(WARN) $(SANITIZE) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/asan/libtally.a: $(patsubst %.c,$(BUILD)/asan/obj/%.o,$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

# tests/support/: test-only parts for the unit tests (the power-cut VFS, head
# office's API fixture), in an archive so each test links only what it uses.
TEST_SUPPORT_OBJ = $(patsubst %.c,$(BUILD)/asan/obj/%.o,$(wildcard tests/support/*.c))
$(BUILD)/asan/libtestsupport.a: $(TEST_SUPPORT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/asan/tests/%: $(BUILD)/asan/obj/tests/unit/%.o $(BUILD)/asan/libtestsupport.a $(BUILD)/asan/libtally.a
	@mkdir -p $(dir $@)
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS_TEST)

TEST_BINS = $(patsubst tests/unit/%.c,$(BUILD)/asan/tests/%,$(TEST_SRC))

.PHONY: test-arm64 test-armhf test-cross
test-arm64 test-armhf:
	@./scripts/deps.sh $(patsubst test-%,%,$@)
	@$(MAKE) --no-print-directory ARCH=$(patsubst test-%,%,$@) test-cross

# (with ARCH set) the unit tests for ARCH, with ASan and UBSan, run under
# qemu-user-static (tests/run_cross.sh: LeakSanitizer cannot run there).
test-cross:
	@$(MAKE) --no-print-directory $(TEST_BINS)
	@BUILD=$(BUILD) QEMU=$(QEMU_$(ARCH)) TRIPLET=$(TRIPLET_$(ARCH)) ./tests/run_cross.sh

# make test builds on 2 cores unless told otherwise (make -jN test), in
# phases, each timed (wall and CPU time; docs/testing.md says where the
# time goes); then tests/run.sh runs TEST_JOBS tests at a time.
TEST_BUILD_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j2)
test_phase = /usr/bin/time -f "  time: $(1) %e s wall, %U+%S s cpu" $(MAKE) --no-print-directory $(TEST_BUILD_JOBS) $(2)
test: deps
	@$(call test_phase,release build,all)
	@$(call test_phase,sanitizer build,$(addprefix $(BUILD)/asan/,$(BUILT_PROGRAMS)) $(TEST_BINS))
	@$(call test_phase,fuzz build,$(FUZZ_BINS))
	@BUILD=$(BUILD) /usr/bin/time -f "  time: tests %e s wall, %U+%S s cpu" ./tests/run.sh

# --- fuzzing (clang's libFuzzer, with ASan and UBSan) ---------------------------
# The whole library is built again with clang's coverage instrumentation in
# $(BUILD)/fuzz/; each tests/fuzz/fuzz_*.c is one target. make test runs
# each briefly on its seed corpus; make fuzz runs each for FUZZ_TIME seconds.
FUZZ_CC   ?= clang
FUZZ_SAN   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS  = $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_TIME ?= 60

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC fuzz $<"
	@$(FUZZ_CC) $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/fuzz/libtally.a: $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC))
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fuzz/obj/tests/fuzz/%.o $(BUILD)/fuzz/libtally.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(LIBS_ALL) $(LIBS_ARGON2) $(LIBS_PQ)

fuzz:
	@./scripts/deps.sh
	@$(MAKE) --no-print-directory $(FUZZ_BINS)
	@BUILD=$(BUILD) FUZZ_RUNS=$(FUZZ_RUNS) ./tests/fuzz/run.sh $(FUZZ_TIME)

# --- static analysis (make analyze; make test runs it) ----------------------------
# clang's analyzer through scan-build, one source at a time so only what
# changed is analysed again (a stamp per source, with its headers from -MMD),
# then cppcheck over the tree (its build dir makes it incremental too). Any
# finding fails; a false one is suppressed in place with its reason.
SCAN_BUILD ?= scan-build
CPPCHECK   ?= cppcheck
ANALYZE_SRC := $(LIB_SRC) $(wildcard app/*/main.c) $(TEST_SRC) $(wildcard tests/support/*.c) $(FUZZ_SRC) $(wildcard tests/bench/*.c)
ANALYZE_STAMPS = $(patsubst %.c,$(BUILD)/analyze/%.ok,$(ANALYZE_SRC))

$(BUILD)/analyze/%.ok: %.c
	@mkdir -p $(dir $@)
	@echo "  SCAN    $<"
	@if $(SCAN_BUILD) --status-bugs -o $(BUILD)/analyze/report clang $(WARN) $(CPPFLAGS) $(PKG_CFLAGS) $(CFLAGS) \
		-MMD -MP -MF $(@:.ok=.d) -MT $@ -c -o /dev/null $< >$(@:.ok=.log) 2>&1; then touch $@; \
	else grep -E "(warning|error):" $(@:.ok=.log); exit 1; fi

analyze-scan: $(ANALYZE_STAMPS)

analyze:
	@./scripts/deps.sh
	@$(MAKE) --no-print-directory -k analyze-scan || \
		{ echo "analyze: scan-build found the bugs above (reports: $(BUILD)/analyze/report/)"; exit 1; }
	@mkdir -p $(BUILD)/analyze/cppcheck
	@$(CPPCHECK) -j2 --cppcheck-build-dir=$(BUILD)/analyze/cppcheck --enable=warning,portability,performance \
		--std=c11 --inline-suppr --quiet --error-exitcode=1 --template='{file}:{line}: {severity}: {message} [{id}]' \
		$(filter -D% -I%,$(CPPFLAGS)) app platform tests || { echo "analyze: cppcheck found the above"; exit 1; }
	@echo "analyze: scan-build and cppcheck: no findings in $(words $(ANALYZE_SRC)) sources"

# --- benchmarks (release build; never part of make test) ---------------------
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(BUILD)/obj/tests/bench/yeardata.o $(BUILD)/libtally.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(LIBS_ALL) $(LIBS_ARGON2) $(LIBS_PQ)

BENCH_BINS = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

bench:
	@./scripts/deps.sh bench
	@$(MAKE) --no-print-directory all $(BENCH_BINS)
	@BUILD=$(BUILD) ./tests/bench/run.sh

# --- crash bench (release build; make test runs 30 rounds on the sanitizer build)
CRASH_N ?= 1000
crash-bench:
	@$(MAKE) --no-print-directory all
	@python3 tests/crash/kiosk_kill9.py $(BUILD)/tally-kiosk --rounds $(CRASH_N)

# --- power-cut bench (the sanitizer build; make test runs 300 cuts per store) ----
POWERCUT_N ?= 2000
powercut-bench:
	@$(MAKE) --no-print-directory $(BUILD)/asan/tests/test_powercut
	@POWERCUT_TRIALS=$(POWERCUT_N) $(BUILD)/asan/tests/test_powercut

# --- soak (release build; never part of make test) -----------------------------
# A kiosk pressed 10 times a second through tally-sync and the fault proxy to
# tally-hq, every daemon restarted at intervals; fails on a lost or
# duplicated rating or on growth that does not level off (tests/soak/soak.py).
SOAK_S ?= 3600
soak: deps
	@$(MAKE) --no-print-directory all
	@nice python3 tests/soak/soak.py $(BUILD) --seconds $(SOAK_S) $(if $(SOAK_OUT),--out $(SOAK_OUT))

# --- run -----------------------------------------------------------------------
run: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) ./scripts/run.sh

screenshots: all
	@BUILD=$(BUILD) ./scripts/screenshots.sh

# --- install -------------------------------------------------------------------
# PREFIX=/usr installs as a Debian package does: config in /etc, systemd's
# files where this system's systemd looks for them. Any other PREFIX keeps
# everything under it.
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
ifeq ($(PREFIX),/usr)
  SYSCONFDIR   ?= /etc
  UNITDIR      ?= $(or $(shell $(PKG_CONFIG) --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
  SYSUSERSDIR  ?= $(or $(shell $(PKG_CONFIG) --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
  TMPFILESDIR  ?= $(or $(shell $(PKG_CONFIG) --variable=tmpfilesdir systemd 2>/dev/null),/usr/lib/tmpfiles.d)
  UDEVRULESDIR ?= $(or $(shell $(PKG_CONFIG) --variable=udevdir udev 2>/dev/null),/lib/udev)/rules.d
else
  SYSCONFDIR   ?= $(PREFIX)/etc
  UNITDIR      ?= $(PREFIX)/lib/systemd/system
  SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
  TMPFILESDIR  ?= $(PREFIX)/lib/tmpfiles.d
  UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
endif
UNITS = tally-kiosk.service tally-sync.service tally-hq.service
SCDOC ?= scdoc

$(BUILD)/man/%: man/%.scd
	@mkdir -p $(dir $@)
	$(SCDOC) <$< >$@

man: $(MAN_PAGES)

install: all man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/fonts $(DESTDIR)$(DATADIR)/lang $(DESTDIR)$(SYSCONFDIR)/tally
	install -m 0755 $(addprefix $(BUILD)/,$(BUILT_PROGRAMS)) $(DESTDIR)$(BINDIR)/
	install -m 0644 assets/fonts/* $(DESTDIR)$(DATADIR)/fonts/
	install -m 0644 assets/lang/*.ini $(DESTDIR)$(DATADIR)/lang/
	install -m 0644 assets/tally.conf.example $(DESTDIR)$(DATADIR)/
	@# The dashboard's pages and the vendored chart library, as they are (tally-hq serves them).
	cd assets/web && find . -type f | while read -r f; do \
		install -D -m 0644 "$$f" "$(DESTDIR)$(DATADIR)/web/$$f" || exit 1; done
	@# The config holds the kiosk's token (0640; tmpfiles.d gives it to group
	@# tally). An existing one is the admin's: never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/tally/tally.conf ] || \
		install -m 0640 assets/tally.conf.example $(DESTDIR)$(SYSCONFDIR)/tally/tally.conf
	for m in $(MAN_PAGES); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(UDEVRULESDIR)
	for u in $(UNITS); do sed -e 's|/usr/bin/|$(BINDIR)/|g' -e 's|/etc/tally/|$(SYSCONFDIR)/tally/|g' \
		systemd/$$u >$(DESTDIR)$(UNITDIR)/$$u && chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done
	@# tally-hq's drop-in for PostgreSQL, inert where it lies (systemd reads only units there): an admin links it in.
	sed -e 's|/usr/bin/|$(BINDIR)/|g' -e 's|/etc/tally/|$(SYSCONFDIR)/tally/|g' -e 's|/lib/systemd/system/|$(UNITDIR)/|g' \
		systemd/tally-hq-postgresql.conf >$(DESTDIR)$(UNITDIR)/tally-hq-postgresql.conf
	chmod 0644 $(DESTDIR)$(UNITDIR)/tally-hq-postgresql.conf
	install -m 0644 systemd/tally.sysusers $(DESTDIR)$(SYSUSERSDIR)/tally.conf
	sed 's|/etc/tally/|$(SYSCONFDIR)/tally/|g' systemd/tally.tmpfiles >$(DESTDIR)$(TMPFILESDIR)/tally.conf
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/tally.conf
	install -m 0644 systemd/60-tally-gpio.rules $(DESTDIR)$(UDEVRULESDIR)/

# A Debian package of the release build in $(BUILD)/deb/ (scripts/mkdeb.sh).
deb: all man
	@./scripts/deps.sh $(or $(ARCH),deb)
	@BUILD=$(BUILD) VERSION=$(VERSION) DEB_ARCH=$(ARCH) ./scripts/mkdeb.sh

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(PROGRAMS))
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS) tally-hq-postgresql.conf) $(DESTDIR)$(SYSUSERSDIR)/tally.conf \
		$(DESTDIR)$(TMPFILESDIR)/tally.conf $(DESTDIR)$(UDEVRULESDIR)/60-tally-gpio.rules
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/,man1/tally-kiosk.1 man8/tallyctl.8 man8/tally-hq.8 man8/tally-sync.8 man5/tally.conf.5)
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/tally (your config) and /var/lib/tally (ratings)"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:
