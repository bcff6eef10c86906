# bench/: speed figures (`make bench`); never run by the tests.
BENCH_SRCS += bench/bench_cpu.c
BENCH_TARGETS += $(B)/bench/bench_cpu
BENCH_RUNS += $(B)/bench/bench_cpu

$(B)/bench/bench_cpu: $(B)/obj/bench/bench_cpu.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BENCH_SRCS += bench/bench_asm.c
BENCH_TARGETS += $(B)/bench_asm
BENCH_RUNS += $(B)/bench_asm

$(B)/bench_asm: $(B)/obj/bench/bench_asm.o $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

BENCH_RUNS += bench/bench_lab.sh
BENCH_RUNS += bench/bench_labs.sh

# The terminal UI's step back under the hypervisor (model only, no curses).
ifneq ($(wildcard vmm/vmm.h),)
BENCH_SRCS += bench/bench_tui_back.c
BENCH_TARGETS += $(B)/bench/bench_tui_back
BENCH_RUNS += $(B)/bench/bench_tui_back

$(B)/bench/bench_tui_back: $(B)/obj/bench/bench_tui_back.o $(patsubst %.c,$(B)/obj/%.o,$(TUI_MODEL_SRCS)) \
                           $(B)/obj/tui/explain.o $(B)/obj/tui/target_vmm.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif

# Host time of the guest kernel under each design against the bare machine:
# trap-and-emulate, hardware assist, binary translation, and one VM exit.
BENCH_SRCS += bench/bench_guest.c
BENCH_TARGETS += $(B)/bench/bench_guest
BENCH_RUNS += $(B)/bench/bench_guest

$(B)/bench/bench_guest: $(B)/obj/bench/bench_guest.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
