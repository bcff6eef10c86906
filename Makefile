# traplab -- top-level, non-recursive Makefile.
#
# Each folder contributes a module.mk that appends its sources to the lists
# below; objects go out of tree under $(B) (build/ normally, build/check for
# the sanitizer build), with -MMD dependency files.
#
#   make deps       install missing Debian packages (scripts/install-deps.sh)
#   make            build build/traplab
#   make test       make deps, then build and run every test
#   make check      the tests again under AddressSanitizer and UBSan
#   make run        make deps, then build and open the default scenario
#   make bench      print the speed figures
#   make fuzz       build the libFuzzer harnesses (needs clang; see docs/fuzzing.md)
#   make docs       regenerate docs/ from the ISA table
#   make clean

.DELETE_ON_ERROR:
.SUFFIXES:

MODE ?= release
ifeq ($(MODE),check)
B := build/check
MODE_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
MODE_LDFLAGS := -fsanitize=address,undefined
else ifeq ($(MODE),fuzz)
# libFuzzer coverage plus ASan+UBSan on every object; only fuzz/ links the fuzzer's main.
B := build/fuzz
MODE_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
MODE_LDFLAGS := -fsanitize=address,undefined
else
B := build
MODE_CFLAGS := -O2 -g
MODE_LDFLAGS :=
endif

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS := lua5.4 ncursesw cunit

# Packages arrive only through scripts/install-deps.sh, as an explicit step:
# `make deps`, which `make run` and `make test` run first (then build in a new
# make, so pkg-config's flags are read after the install). Reading this
# Makefile never installs anything; a plain `make` on a machine without the
# packages stops with a message naming `make deps`.
DEPS_OK = $(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && command -v bison >/dev/null && command -v flex >/dev/null && echo yes)

WARN := -Wall -Wextra
CFLAGS := -std=c11 $(WARN) $(MODE_CFLAGS) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I. -I$(B)/gen $(EXTRA_CFLAGS)
# Each layer gets only its own packages' include flags (see the rules below):
# curses' for tui/, Lua's for lab/, CUnit's (and Lua's) for the tests.
PKG_CFLAGS :=
LUA_CFLAGS := $(shell $(PKG_CONFIG) --cflags lua5.4 2>/dev/null)
LUA_LIBS := $(shell $(PKG_CONFIG) --libs lua5.4 2>/dev/null)
CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS := $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null)
CUNIT_CFLAGS := $(shell $(PKG_CONFIG) --cflags cunit 2>/dev/null)
CUNIT_LIBS := $(shell $(PKG_CONFIG) --libs cunit 2>/dev/null)
LDFLAGS := $(MODE_LDFLAGS)
LDLIBS := -lm

# Filled in by the module.mk files.
CORE_SRCS :=      # isa, machine, vmm, asm: no curses, no Lua
CORE_GEN_SRCS :=  # generated C (bison, flex) that belongs to the core
UI_SRCS :=        # the terminal UI (curses)
LAB_SRCS :=       # the lab engine (Lua)
CLI_SRCS :=       # the traplab command
TEST_SRCS :=      # CUnit tests
BENCH_SRCS :=     # benchmarks

include isa/module.mk
include image/module.mk
include util/module.mk
include machine/module.mk
include asm/module.mk
include vmm/module.mk
include tui/module.mk
include lab/module.mk
include cli/module.mk
include tests/module.mk
include bench/module.mk
include fuzz/module.mk
include dist/module.mk

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

CORE_OBJS := $(call obj,$(CORE_SRCS)) $(call obj,$(CORE_GEN_SRCS))
UI_OBJS := $(call obj,$(UI_SRCS))
LAB_OBJS := $(call obj,$(LAB_SRCS))
CLI_OBJS := $(call obj,$(CLI_SRCS))
TEST_OBJS := $(call obj,$(TEST_SRCS))
BENCH_OBJS := $(call obj,$(BENCH_SRCS))

TRAPLAB := $(B)/traplab
LIBCORE := $(B)/libtraplab.a

all: deps-present $(TRAPLAB)

# `make deps`: install what is missing (idempotent, quiet when all is there).
deps:
	@sh scripts/install-deps.sh -q

deps-present:
	@test "$(DEPS_OK)" = yes || { echo "traplab: packages are missing (pkg-config: $(PKGS); bison, flex); run 'make deps'" >&2; exit 1; }

$(LIBCORE): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(TRAPLAB): $(CLI_OBJS) $(UI_OBJS) $(LAB_OBJS) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(UI_OBJS) $(LAB_OBJS) $(LIBCORE) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/tui/%.o: PKG_CFLAGS := $(CURSES_CFLAGS)
$(B)/obj/lab/%.o $(B)/obj/$(B)/gen/lab_%.o: PKG_CFLAGS := $(LUA_CFLAGS)
$(B)/obj/tests/%.o $(B)/obj/fuzz/%.o: PKG_CFLAGS := $(CUNIT_CFLAGS) $(LUA_CFLAGS)

$(B)/obj/$(B)/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -MMD -MP -c $< -o $@

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

test: deps
	@$(MAKE) --no-print-directory test-run

test-run: deps-present $(TRAPLAB) $(TEST_TARGETS)
	@set -e; for t in $(TEST_RUNS); do $$t; done

check:
	$(MAKE) MODE=check test

run: deps
	@$(MAKE) --no-print-directory run-only

run-only: deps-present $(TRAPLAB)
	$(RUN_COMMAND)

bench: $(TRAPLAB) $(BENCH_TARGETS)
	@set -e; for b in $(BENCH_RUNS); do $$b; done

# Through a temporary file: a failing command leaves the old docs/isa.md.
docs: $(TRAPLAB) $(DOCS_TOOLS)
	$(TRAPLAB) isa > docs/isa.md.tmp && mv docs/isa.md.tmp docs/isa.md
	$(B)/gen-abi > guest/abi.s.tmp && mv guest/abi.s.tmp guest/abi.s

clean:
	rm -rf build

.PHONY: all deps deps-present test test-run check run run-only bench docs clean
