# traplab -- top-level, non-recursive Makefile.
#
# Each folder contributes a module.mk that appends its sources to the lists
# below; objects go out of tree under $(B) (build/ normally, build/check for
# the sanitizer build), with -MMD dependency files.
#
#   make            build build/traplab (installs missing Debian packages first)
#   make test       build and run every test
#   make check      the tests again under AddressSanitizer and UBSan
#   make run        build and open the default scenario
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

# Installing packages is the first thing a fresh machine needs; do it once,
# only when pkg-config cannot find something.
DEPS_OK := $(shell $(PKG_CONFIG) --exists $(PKGS) 2>/dev/null && command -v bison >/dev/null && command -v flex >/dev/null && command -v tmux >/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
ifeq ($(filter clean,$(MAKECMDGOALS)),)
$(info traplab: some packages are missing; running scripts/install-deps.sh)
$(shell sh scripts/install-deps.sh >&2)
endif
endif

WARN := -Wall -Wextra
CFLAGS := -std=c11 $(WARN) $(MODE_CFLAGS) -D_POSIX_C_SOURCE=200809L -I. -I$(B)/gen $(EXTRA_CFLAGS)
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
-include util/module.mk
-include machine/module.mk
-include asm/module.mk
-include vmm/module.mk
-include tui/module.mk
-include lab/module.mk
include cli/module.mk
-include tests/module.mk
-include bench/module.mk
-include fuzz/module.mk
-include dist/module.mk

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))

CORE_OBJS := $(call obj,$(CORE_SRCS)) $(call obj,$(CORE_GEN_SRCS))
UI_OBJS := $(call obj,$(UI_SRCS))
LAB_OBJS := $(call obj,$(LAB_SRCS))
CLI_OBJS := $(call obj,$(CLI_SRCS))
TEST_OBJS := $(call obj,$(TEST_SRCS))
BENCH_OBJS := $(call obj,$(BENCH_SRCS))

TRAPLAB := $(B)/traplab
LIBCORE := $(B)/libtraplab.a

all: $(TRAPLAB)

$(LIBCORE): $(CORE_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(TRAPLAB): $(CLI_OBJS) $(UI_OBJS) $(LAB_OBJS) $(LIBCORE)
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(UI_OBJS) $(LAB_OBJS) $(LIBCORE) $(LUA_LIBS) $(CURSES_LIBS) $(LDLIBS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LUA_CFLAGS) $(CURSES_CFLAGS) $(CUNIT_CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/$(B)/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-unused-function -MMD -MP -c $< -o $@

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

test: $(TRAPLAB) $(TEST_TARGETS)
	@set -e; for t in $(TEST_RUNS); do $$t; done

check:
	$(MAKE) MODE=check test

run: $(TRAPLAB)
	$(RUN_COMMAND)

bench: $(TRAPLAB) $(BENCH_TARGETS)
	@set -e; for b in $(BENCH_RUNS); do $$b; done

docs: $(TRAPLAB) $(DOCS_TOOLS)
	$(TRAPLAB) isa > docs/isa.md
	$(B)/gen-abi > guest/abi.s.tmp && mv guest/abi.s.tmp guest/abi.s

clean:
	rm -rf build

.PHONY: all test check run bench docs clean
