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

# The hardware-assisted design (--design hw) against native, host time.
BENCH_SRCS += bench/bench_hw.c
BENCH_TARGETS += $(B)/bench/bench_hw
BENCH_RUNS += $(B)/bench/bench_hw

$(B)/bench/bench_hw: $(B)/obj/bench/bench_hw.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Host time of one VM exit on the system-call workload (issue 14).
ifneq ($(wildcard vmm/vmm.h),)
BENCH_SRCS += bench/bench_exit.c
BENCH_TARGETS += $(B)/bench/bench_exit
BENCH_RUNS += $(B)/bench/bench_exit

$(B)/bench/bench_exit: $(B)/obj/bench/bench_exit.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif

# Binary translation against the bare machine, host time (issue 11).
ifneq ($(wildcard vmm/bt.c),)
BENCH_SRCS += bench/bench_bt.c
BENCH_TARGETS += $(B)/bench/bench_bt
BENCH_RUNS += $(B)/bench/bench_bt

$(B)/bench/bench_bt: $(B)/obj/bench/bench_bt.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
endif
