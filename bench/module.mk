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
