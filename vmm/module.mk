# vmm/: the hypervisor. Depends on isa/ and machine/ only; files bottom first (vmm/internal.h).
CORE_SRCS += vmm/core.c vmm/shadow.c vmm/vdev.c vmm/hcall.c vmm/emulate.c vmm/para.c vmm/bt.c vmm/legacy.c \
             vmm/design.c vmm/sched.c vmm/exit.c vmm/hw.c vmm/hwshadow.c vmm/cpus.c vmm/vmm.c vmm/guest.c vmm/snapshot.c

# make bench: host time of `traplab compare` (every workload and configuration).
BENCH_RUNS += bench/compare.sh

# make docs: guest/abi.s from the VMM's tables (hypercall numbers, shared page).
$(B)/gen-abi: $(B)/obj/vmm/gen_abi.o $(B)/libtraplab.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
DOCS_TOOLS += $(B)/gen-abi
