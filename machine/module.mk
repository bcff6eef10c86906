# machine/: the simulated computer (CPU, MMU, traps, devices). Depends on isa/ only.
CORE_SRCS += machine/machine.c machine/cpu.c machine/code.c machine/mmu.c machine/trap.c machine/devices.c machine/hvext.c machine/snapfile.c

# The translator to host code (docs/machine.md, "The engine"): x86-64 hosts
# get jit_x86_64.c, every other host the stub, which translates nothing.
JIT_SRC := $(if $(filter x86_64-%,$(shell $(CC) -dumpmachine 2>/dev/null)),machine/jit_x86_64.c,machine/jit_stub.c)
CORE_SRCS += $(JIT_SRC)

# Threaded dispatch: every handler of cpu_run ends in its own indirect jump.
# GCC's global common-subexpression pass merges them back into one shared
# jump (as the Lua and CPython builds note), so it is off for cpu.c; a
# compiler without the flag (clang) keeps them apart anyway.
CPU_DISPATCH_CFLAGS := $(shell $(CC) -Werror -fno-gcse -c -x c /dev/null -o /dev/null 2>/dev/null && echo -fno-gcse)
$(B)/obj/machine/cpu.o: CFLAGS += $(CPU_DISPATCH_CFLAGS)

# Trap delivery reads what the engine and its caller have just stored a field
# at a time (the trap record, the cycle and instruction counters); GCC's SLP
# vectorizer turns those reads into 16-byte loads that the host cannot forward
# from narrower stores, a stall that was a tenth of a VM exit's host time.
TRAP_CFLAGS := $(shell $(CC) -Werror -fno-tree-slp-vectorize -c -x c /dev/null -o /dev/null 2>/dev/null && echo -fno-tree-slp-vectorize)
$(B)/obj/machine/trap.o: CFLAGS += $(TRAP_CFLAGS)
