/*
 * machine.h -- the simulated computer: one CPU with four rings, a paging
 * MMU with a TLB, physical memory, and devices on I/O ports.
 *
 * This is the API the hypervisor, the terminal UI, the lab engine and the
 * command line build on.  The machine knows nothing of them: a hypervisor
 * takes control through the single trap hook, called at the one place where
 * every trap and interrupt is delivered.
 *
 * All state lives in struct machine; there are no globals.  Simulation is
 * deterministic: time is the simulated cycle counter, never a host clock.
 */
#ifndef TRAPLAB_MACHINE_H
#define TRAPLAB_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image.h"
#include "isa/isa.h"
#include "machine/devices.h"

typedef struct machine machine;

/* Costs in cycles that do not belong to one instruction (those come from isa.def). */
#define MACHINE_COSTS(X) \
    X(trap_entry,  1000, "save PC and status, switch to ring 0, jump to tvb (Adams and Agesen 2006: a native trap costs about 900 to 1,100 cycles)") \
    X(trap_return,  100, "extra cost of iret beyond its table cycles: restore status and PC, refill the pipeline") \
    X(tlb_miss,      20, "page-table walk after a TLB miss: two memory reads") \
    X(block_sector, 2000, "block device transfer of one 512-byte sector") \
    X(vm_enter,    1000, "vmenter: check the VM control block, save the host's registers, load the guest's (hardware-assisted virtualization)") \
    X(vm_exit,     1000, "VM exit: store the guest's registers and the exit information in the VM control block, load the host's") \
    X(tlb_miss_nested, 80, "TLB miss in guest mode: the two-stage walk, up to 8 memory reads instead of tlb_miss's 2")

typedef struct {
#define X(name, def, doc) uint32_t name;
    MACHINE_COSTS(X)
#undef X
} machine_costs;

typedef struct {
    isa_profile profile;     /* PROFILE_STRICT by default */
    uint32_t mem_size;       /* bytes of physical memory, a multiple of 4096; default 16 MiB */
    uint32_t disk_sectors;   /* sectors on the block device; default 1024 */
    machine_costs costs;     /* machine_default_config() fills the defaults */
} machine_config;

void machine_default_config(machine_config *cfg);
/* Sets one cost by name ("trap_entry=900"); false when the name is unknown. */
bool machine_set_cost(machine_costs *c, const char *name, uint32_t value);
bool machine_get_cost(const machine_costs *c, const char *name, uint32_t *value);

/* Everything the processor has: the 16 registers, the PC and the control registers. */
typedef struct {
    uint32_t r[ISA_NUM_REGS];     /* r[0] always reads 0 */
    uint32_t pc;
    uint32_t cr[ISA_NUM_CRS];     /* cr[CR_STATUS] holds the current ring */
} cpu_state;

/* A trap as data: recorded where it happens, delivered in one place. */
typedef struct {
    uint32_t cause;        /* CAUSE_* | access << 8 (as written to the cause register) */
    uint32_t pc;           /* PC of the instruction that trapped (for an interrupt: the next one) */
    uint32_t epc;          /* the PC to resume at: pc, or pc + 4 for syscall, brk and hcall */
    uint32_t addr;         /* fault address, or the interrupt line for CAUSE_DEVICE */
    uint32_t insn;         /* the instruction word, 0 when it could not be fetched */
    uint8_t ring;          /* ring the trap came from */
    uint64_t cycle;        /* cycle counter when it happened */
    uint64_t instret;      /* instructions retired when it happened */
} machine_trap;

/*
 * Called at the single delivery point, before the machine vectors to tvb.
 * Return true when the hook handled the trap itself (a hypervisor emulating
 * or reflecting it, having set the CPU state it wants); false to let the
 * hardware deliver it normally (save epc/estatus/cause/badaddr, ring 0,
 * IE off, pc = tvb).  A hook may call machine_request_stop().
 */
typedef bool (*machine_trap_hook)(machine *m, const machine_trap *t, void *ud);
/* Optional, called before each instruction executes; slows the interpreter. */
typedef void (*machine_insn_hook)(machine *m, uint32_t pc, void *ud);

typedef enum {
    STOP_NONE,          /* still runnable */
    STOP_HALT,          /* executed halt in ring 0 */
    STOP_LIMIT,         /* the instruction limit was reached */
    STOP_BREAKPOINT,    /* PC reached a breakpoint (before executing it) */
    STOP_TRAP,          /* a trap happened and stop_on_trap was set */
    STOP_REQUESTED,     /* a hook called machine_request_stop() */
    STOP_FATAL,         /* unrecoverable: see machine_fatal_reason() */
} machine_stop;

const char *machine_stop_name(machine_stop s);

typedef struct {
    uint64_t instret;                       /* instructions retired */
    uint64_t cycles;                        /* simulated cycles */
    uint64_t traps[ISA_NUM_CAUSES];         /* traps taken, by cause code */
    uint64_t traps_total;
    uint64_t tlb_hits, tlb_misses, tlb_flushes;
    uint64_t idle_cycles;                   /* cycles spent in wfi */
    /* The virtualization extension (guest mode), zero without it. */
    uint64_t vm_entries, vm_exits;
    uint64_t exits_by_reason[ISA_NUM_EXIT_REASONS];
    uint64_t tlb_misses_nested;             /* TLB misses in guest mode: two-stage walks */
    uint64_t walk_refs;                     /* memory references made by page walks */
} machine_stats;

machine *machine_new(const machine_config *cfg);   /* NULL on out-of-memory or bad config */
void machine_free(machine *m);
/* Back to power-on state: registers and memory zero, ring 0, paging and interrupts off. */
void machine_reset(machine *m);
const machine_config *machine_get_config(const machine *m);

/* ---- running ----------------------------------------------------------- */
/* Runs until halt, a breakpoint, a stop request, a fatal fault, or max_insns
 * instructions (0 = no limit; a hang is the caller's to bound). */
machine_stop machine_run(machine *m, uint64_t max_insns);
machine_stop machine_step(machine *m);              /* exactly one instruction (or trap) */
void machine_request_stop(machine *m);
void machine_set_stop_on_trap(machine *m, bool on);
machine_stop machine_last_stop(const machine *m);
const char *machine_fatal_reason(const machine *m);
/* The last trap delivered or handled (cause NONE before the first). */
const machine_trap *machine_last_trap(const machine *m);

void machine_set_trap_hook(machine *m, machine_trap_hook fn, void *ud);
void machine_set_insn_hook(machine *m, machine_insn_hook fn, void *ud);
/* Breakpoints are on virtual PCs. */
void machine_set_breakpoint(machine *m, uint32_t pc, bool on);
bool machine_has_breakpoint(const machine *m, uint32_t pc);
void machine_clear_breakpoints(machine *m);

/* Take a trap now, exactly as the hardware would (for a hypervisor that
 * reflects or injects); goes through the same delivery code and hook. */
void machine_raise(machine *m, const machine_trap *t);
/* Charge cycles to the machine's clock (a hypervisor's emulation work). */
void machine_add_cycles(machine *m, uint64_t cycles);

/* ---- the virtualization extension (machine/hvext.c, docs/isa.md) --------- */
/* A VM exit as data, as it is also written into the VM control block. */
typedef struct {
    uint32_t reason;       /* EXIT_* */
    uint32_t qual;         /* the qualification (see ISA_EXIT_REASONS) */
    uint32_t pc;           /* guest pc of the instruction or event */
    uint32_t addr;         /* guest-virtual address of a memory fault, else 0 */
    uint32_t insn;         /* the instruction word, 0 when none */
    uint32_t info;         /* access | VMCB_INFO_WALK */
    uint8_t ring;          /* the guest ring it came from */
    uint64_t cycle, instret;
} machine_vmexit;
/*
 * Called on every VM exit, after the hardware stored the guest's state in
 * the VM control block and restored the host's.  A hypervisor written in C
 * handles the exit here and calls machine_vmenter() to resume the guest;
 * without a hook (or when it does not re-enter) the host resumes after its
 * vmenter instruction, as with AMD's VMRUN.
 */
typedef void (*machine_vmexit_hook)(machine *m, const machine_vmexit *e, void *ud);
void machine_set_vmexit_hook(machine *m, machine_vmexit_hook fn, void *ud);
/* vmenter as the instruction does it; false when the VM control block at pa
 * is not a page-aligned page in memory, or the machine is in guest mode. */
bool machine_vmenter(machine *m, uint32_t vmcb_pa);
bool machine_guest_mode(const machine *m);
uint32_t machine_vmcb(const machine *m);          /* of the last vmenter, 0 before */
/* The two-stage walk (first stage with the guest's ptb and status in cr,
 * second with nptb), without side effects; counts its memory references in
 * *refs.  CAUSE_NONE and *hpa, else the guest-visible cause and, for a
 * second-stage fault, *nested set with its guest-physical address in *gpa. */
unsigned machine_walk2(const machine *m, const uint32_t cr[ISA_NUM_CRS], uint32_t nptb,
                       uint32_t va, isa_access acc, unsigned ring, uint32_t *hpa,
                       uint32_t *gpa, bool *nested, bool *walk, unsigned *refs);

/* ---- state ------------------------------------------------------------- */
cpu_state *machine_cpu(machine *m);                 /* read and write freely between steps */
unsigned machine_ring(const machine *m);
uint32_t machine_get_reg(const machine *m, unsigned r);
void machine_set_reg(machine *m, unsigned r, uint32_t v);   /* writes to r0 ignored */
uint32_t machine_get_cr(const machine *m, unsigned cr);
void machine_set_cr(machine *m, unsigned cr, uint32_t v);   /* as mtcr in ring 0 (flushes TLB on ptb/PG changes) */
const machine_stats *machine_get_stats(const machine *m);
uint64_t machine_cycles(const machine *m);
uint64_t machine_instret(const machine *m);

/* Copies an image's segments to physical memory and sets pc to its entry;
 * false with a message when a segment does not fit in memory. */
bool machine_load_image(machine *m, const image *img, char *err, size_t errlen);

/* Physical memory: false when any byte is outside memory. */
uint32_t machine_mem_size(const machine *m);
/* The physical memory itself, to read and write freely: since a write through
 * it may change code, asking for it drops every decoded instruction (cheap,
 * but call it once per batch of writes, not per byte). */
uint8_t *machine_mem(machine *m);
/* The same memory without that: for reads, and for writes that are followed
 * by machine_code_invalidate() (a hypervisor's hot paths). */
uint8_t *machine_mem_view(const machine *m);
bool machine_read_phys(const machine *m, uint32_t pa, void *buf, size_t n);
bool machine_write_phys(machine *m, uint32_t pa, const void *buf, size_t n);
/* Translate a virtual address as the MMU would for ring and access, without
 * side effects on the TLB or stats.  Returns CAUSE_NONE and sets *pa, or
 * the cause the access would trap with. */
unsigned machine_translate(const machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa);
/* Debugger reads through the current address space; false on a fault. */
bool machine_read_virt(const machine *m, uint32_t va, void *buf, size_t n);
void machine_tlb_flush(machine *m);

/* ---- devices ------------------------------------------------------------ */
/* Console output is kept in a buffer and, when set, passed to a sink as it happens. */
typedef void (*machine_console_sink)(int ch, void *ud);
void machine_set_console_sink(machine *m, machine_console_sink fn, void *ud);
const char *machine_console_output(const machine *m, size_t *len);
void machine_console_input(machine *m, const char *data, size_t n);   /* queue input */
uint8_t *machine_disk(machine *m);                  /* disk_sectors * 512 bytes */
/* Port I/O as the in/out instructions do it (ring checks aside). */
uint32_t machine_port_in(machine *m, uint32_t port);
void machine_port_out(machine *m, uint32_t port, uint32_t value);
/* Acknowledges the timer and restarts it with a new period: exactly
 * machine_port_out(m, PORT_TIMER_CTRL, 0) then machine_set_cr(m,
 * CR_TIMECMP, period), in one call (a hypervisor does it at every exit). */
void machine_timer_restart(machine *m, uint32_t period);
/* machine_add_cycles(m, cycles) then machine_timer_restart(m, period), in
 * one call: the end of every exit of a hypervisor, which puts what the exit
 * cost on the clock and programs the timer from there. */
void machine_timer_restart_after(machine *m, uint64_t cycles, uint32_t period);

/* ---- snapshots -------------------------------------------------------------- */
/* A snapshot holds the whole machine: CPU, memory, TLB, devices, disk,
 * console, stats.  Restoring it and running again gives the same trace. */
typedef struct machine_snapshot machine_snapshot;
machine_snapshot *machine_save(const machine *m);
void machine_restore(machine *m, const machine_snapshot *s);
void machine_snapshot_free(machine_snapshot *s);

/* ---- the decoded-code cache ---------------------------------------------------
 * The CPU decodes each physical code page once into predecoded instructions
 * and runs them in blocks: straight-line runs that end at a branch, a jump, a
 * trap or system instruction, or the page's last word.  Writes made through the
 * machine (stores, block DMA, machine_write_phys, machine_load_image,
 * machine_restore, machine_reset, machine_mem) drop what they overwrite, so
 * self-modifying code and loaders just work; a writer through
 * machine_mem_view() calls machine_code_invalidate() itself.  A binary
 * translator can share the cache: it reads decoded instructions and blocks
 * with machine_code_decode() and hears of every drop through the code hook.
 * See docs/machine.md, "The engine". */
typedef struct {
    uint32_t word;           /* the instruction word */
    uint8_t op;              /* opcode (isa_opcode); not a valid one for an illegal word */
    uint8_t rd, rs1, rs2;    /* register fields as isa_decode names them */
    int32_t imm;             /* the immediate as the format defines it (0 when none) */
    uint32_t block_len;      /* instructions from this one to the end of its block */
    uint32_t block_cycles;   /* their table cycles */
    bool ends_block;         /* a branch, jump, trap or system instruction */
} machine_decoded;

typedef struct {
    uint64_t decoded;        /* instructions decoded */
    uint64_t dropped;        /* decoded instructions dropped by writes, flushes and reuse */
    uint64_t flushes;        /* whole-cache drops (machine_mem, restore, reset) */
    uint32_t pages;          /* physical pages holding decoded code now */
    /* The translator to host code (the host's business, never a simulated
     * result; 0 with TRAPLAB_JIT=0 or on a host without one). */
    uint64_t translated;     /* runs translated */
    uint64_t host_runs;      /* times host code was entered */
} machine_code_stats;

/* Decodes (through the cache) the instruction at physical address pa, which
 * must be word-aligned and inside memory; false otherwise. */
bool machine_code_decode(machine *m, uint32_t pa, machine_decoded *out);
/* Forget decoded instructions overlapping [pa, pa + n). */
void machine_code_invalidate(machine *m, uint32_t pa, uint32_t n);
/* Called whenever decoded code in [pa, pa + n) is dropped (n = 0: all of it).
 * It may be called from inside machine_run (a store over code): it should
 * only forget what it derived from that range, not look at or change the
 * machine's state. */
typedef void (*machine_code_hook)(machine *m, uint32_t pa, uint32_t n, void *ud);
void machine_set_code_hook(machine *m, machine_code_hook fn, void *ud);
machine_code_stats machine_get_code_stats(const machine *m);

/* ---- snapshot files (machine/snapfile.c) --------------------------------------
 * SIMH's SAVE and RESTORE: the whole machine in a file, versioned and
 * checksummed; reading a truncated, damaged or foreign file is an error
 * with a message, never a crash.  Restoring and running on gives what the
 * uninterrupted run gives. */
#define MACHINE_SNAPFILE_VERSION 1
#define MACHINE_SNAPFILE_BARE 1     /* kinds: the bare machine */
#define MACHINE_SNAPFILE_VMM 2      /* the hypervisor (vmm/) */
#define MACHINE_SNAPFILE_MAX ((size_t)8 << 30)
bool machine_snapshot_write(const machine *m, FILE *f, char *err, size_t errlen);
/* A new machine from a bare-machine snapshot file (hooks, sinks unset). */
machine *machine_snapshot_read(FILE *f, char *err, size_t errlen);

/* The pieces, for a snapshot that holds a machine and more (the VMM's). */
typedef struct { FILE *f; uint64_t hash; bool failed; } machine_snapw;
typedef struct { const uint8_t *p; size_t len, pos; bool failed; } machine_snapr;
void machine_snapw_put(machine_snapw *w, const void *p, size_t n);
bool machine_snapr_get(machine_snapr *r, void *p, size_t n);
void machine_snapfile_begin(machine_snapw *w, uint32_t kind);
bool machine_snapfile_end(machine_snapw *w);
uint8_t *machine_snapfile_slurp(FILE *f, size_t max, size_t *len, char *err, size_t errlen);
bool machine_snapfile_open(const uint8_t *buf, size_t len, uint32_t *kind, machine_snapr *r,
                           char *err, size_t errlen);
bool machine_snapshot_put(const machine *m, machine_snapw *w);
machine *machine_snapshot_get(machine_snapr *r, char *err, size_t errlen);

#endif
