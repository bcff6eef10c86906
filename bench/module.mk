# bench/: speed figures (`make bench`); never run by the tests.
BENCH_SRCS += bench/bench_cpu.c
BENCH_TARGETS += $(B)/bench/bench_cpu
BENCH_RUNS += $(B)/bench/bench_cpu

$(B)/bench/bench_cpu: $(B)/obj/bench/bench_cpu.o $(B)/libtraplab.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
