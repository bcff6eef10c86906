# bench/: speed figures printed by 'make bench'.
BENCH_SRCS += bench/bench_asm.c
BENCH_TARGETS += $(B)/bench_asm
BENCH_RUNS += $(B)/bench_asm

$(B)/bench_asm: $(B)/obj/bench/bench_asm.o $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
