# machine/: the simulated computer (CPU, MMU, traps, devices). Depends on isa/ only.
CORE_SRCS += machine/machine.c machine/cpu.c machine/mmu.c machine/trap.c machine/devices.c machine/hvext.c machine/snapfile.c
