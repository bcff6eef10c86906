# vmm/: the hypervisor. Depends on isa/ and machine/ only; files bottom first (vmm/internal.h).
CORE_SRCS += vmm/core.c vmm/shadow.c vmm/vdev.c vmm/hcall.c vmm/emulate.c vmm/para.c vmm/bt.c vmm/legacy.c \
             vmm/design.c vmm/sched.c vmm/exit.c vmm/hw.c vmm/vmm.c vmm/guest.c vmm/snapshot.c

# make bench: a cpu-bound guest on the bare machine and under the VMM.
BENCH_SRCS += bench/bench_vmm.c
BENCH_TARGETS += $(B)/bench_vmm
BENCH_RUNS += $(B)/bench_vmm

$(B)/bench_vmm: $(B)/obj/bench/bench_vmm.o $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# make bench: host time of `traplab compare` (every workload and configuration).
BENCH_RUNS += bench/compare.sh

# make docs: guest/abi.s from the VMM's tables (hypercall numbers, shared page).
$(B)/gen-abi: $(B)/obj/vmm/gen_abi.o $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
DOCS_TOOLS += $(B)/gen-abi
