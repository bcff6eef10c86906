# fuzz/: libFuzzer harnesses (clang, -fsanitize=fuzzer,address,undefined).
# A developer tool, never part of `make test` and not a build dependency.
#
#   make fuzz                      build them under build/fuzz (MODE=fuzz, CC=clang)
#   make fuzz-run FUZZ_TIME=300    run each one in turn for FUZZ_TIME seconds
#   build/fuzz/fuzz/fuzz_asm build/fuzz/corpus/asm build/fuzz/seeds/asm -dict=build/fuzz/seeds/asm.dict
#
# See docs/fuzzing.md.

FUZZERS := asm image machine vmm lab tui
FUZZ_TIME ?= 60
FUZZ_CLANG ?= clang
FUZZ_DIR := build/fuzz

ifeq ($(MODE),fuzz)
FUZZ_BINS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZERS))

# (Objects named explicitly so make keeps them; $(LIBCORE) is not set yet here.)
FUZZ_OBJS := $(patsubst %,$(B)/obj/fuzz/fuzz_%.o,$(FUZZERS)) $(B)/obj/fuzz/gen_seeds.o
.SECONDARY: $(FUZZ_OBJS)

$(B)/fuzz/fuzz_%: $(B)/obj/fuzz/fuzz_%.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer,address,undefined -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS)

# The lab API harness links the lab engine and Lua.
$(B)/fuzz/fuzz_lab: $(patsubst %.c,$(B)/obj/%.o,$(LAB_SRCS))
$(B)/fuzz/fuzz_lab: LDLIBS += $(LUA_LIBS)
# The terminal UI's model (no curses) and its hypervisor target.
$(B)/fuzz/fuzz_tui: $(patsubst %.c,$(B)/obj/%.o,$(TUI_MODEL_SRCS) tui/explain.c tui/target_vmm.c)

$(B)/fuzz/gen_seeds: $(B)/obj/fuzz/gen_seeds.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Seeds and the dictionary come from the samples and the ISA table, fresh each build.
$(B)/seeds/asm.dict: $(B)/fuzz/gen_seeds fuzz/asm-extra.dict $(wildcard samples/*.s guest/*.s)
	@mkdir -p $(patsubst %,$(B)/seeds/%,$(FUZZERS))
	$(B)/fuzz/gen_seeds $(B)/seeds $(wildcard samples/*.s) --vmm $(wildcard guest/kernel.s)
	cat fuzz/asm-extra.dict >> $@

fuzz-build: $(FUZZ_BINS) $(B)/seeds/asm.dict
.PHONY: fuzz-build
endif

fuzz-check-clang:
	@command -v $(FUZZ_CLANG) >/dev/null 2>&1 || { \
	    echo "make fuzz: clang not found. Fuzzing is a developer tool, not a build dependency:"; \
	    echo "           sudo apt-get install clang   (see docs/fuzzing.md)"; exit 1; }

fuzz: fuzz-check-clang
	$(MAKE) MODE=fuzz CC=$(FUZZ_CLANG) fuzz-build

# One fuzzer at a time, under nice (the machine is shared); corpora persist in
# build/fuzz/corpus, and the small minimized corpora kept in fuzz/corpus/NAME
# (from the campaigns in docs/fuzzing.md) are read as seeds too.
# Findings (crash-*, timeout-*, leak-*, oom-*) land in build/fuzz/findings/NAME/.
fuzz-run: fuzz
	@set -e; for f in $(FUZZERS); do \
	    mkdir -p $(FUZZ_DIR)/corpus/$$f $(FUZZ_DIR)/findings/$$f; \
	    dict=; [ $$f = asm ] && dict=-dict=$(FUZZ_DIR)/seeds/asm.dict; \
	    kept=; [ -d fuzz/corpus/$$f ] && kept=fuzz/corpus/$$f; \
	    echo "== fuzz_$$f for $(FUZZ_TIME) s"; \
	    nice -n 19 $(FUZZ_DIR)/fuzz/fuzz_$$f $(FUZZ_DIR)/corpus/$$f $(FUZZ_DIR)/seeds/$$f $$kept $$dict \
	        -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
	        -artifact_prefix=$(FUZZ_DIR)/findings/$$f/ -print_final_stats=1 $(FUZZ_FLAGS); \
	done

.PHONY: fuzz fuzz-run fuzz-check-clang
