/*
 * vmm.h -- the traplab hypervisor: trap-and-emulate full virtualization of
 * several isolated VMs on one simulated machine, hosted Type-1 or Type-2.
 *
 * The VMM owns ring 0 of the real machine and takes control through the
 * machine's single trap hook.  A guest kernel runs deprivileged in ring 1,
 * its user code in ring 3; innocuous instructions run directly on the
 * machine's fast path.  Every exit is data (vmm_event) delivered to an
 * optional callback, so the terminal UI and the labs watch the same stream
 * the statistics are counted from.  The VMM never includes curses or Lua.
 *
 * Guest-physical memory of VM i is a partition of the real memory; the VMM
 * region below the partitions holds the shadow page tables.  See
 * docs/vmm.md for the design and docs/costs.md for the cost model.
 */
#ifndef TRAPLAB_VMM_H
#define TRAPLAB_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "isa/isa.h"
#include "image/image.h"
#include "machine/machine.h"

#define VMM_MAX_VMS 16
#define VMM_MAX_HCALLS 32

/* ---- the guest-physical layout the loader and the guest kernel share ---- */
/*
 * The kernel image loads at its own addresses (below GUEST_PROG_INFO).  The
 * user program is linked at GUEST_PROG_VA and the loader copies it to
 * GUEST_PROG_BASE, writing a header at GUEST_PROG_INFO:
 *   word 0 GUEST_PROG_MAGIC, word 1 entry (virtual), word 2 size in bytes.
 * The kernel copies the program from there into each task's own frames.
 */
#define GUEST_PROG_INFO   0x0007f000u
#define GUEST_PROG_BASE   0x00080000u
#define GUEST_PROG_VA     0x00400000u
#define GUEST_PROG_MAX    0x00010000u
#define GUEST_PROG_MAGIC  0x47504c54u    /* "TLPG" */
#define GUEST_MIN_MEM     0x00100000u    /* the guest kernel needs 1 MiB */

/*
 * Writes kernel and program into guest-physical memory mem[0..size) by the
 * layout above (prog may be NULL).  Used for a VM's partition and for the
 * native run alike, so both see the same bytes.  false with a message.
 */
bool vmm_load_guest(uint8_t *mem, uint32_t size, const image *kernel,
                    const image *prog, char *err, size_t errlen);

/* ---- the cost model --------------------------------------------------- */
/*
 * Cycles the VMM and the host charge on top of the machine's own costs
 * (the machine already charges trap_entry for every exit).  Sources for
 * each default are in docs/costs.md.  host_bg_share is a percentage.
 */
#define VMM_COSTS(X) \
    X(exit_dispatch,   200, "save the guest's registers, read the cause, pick a handler") \
    X(vm_entry,        500, "restore the guest's registers and return to ring 1 or 3") \
    X(emul_cr,          60, "emulate mfcr/mtcr/smsw/sidt against the virtual CPU") \
    X(emul_flags,       40, "emulate ei/di/pushf/popf (virtual IE)") \
    X(emul_iret,       120, "emulate iret: virtual status and epc, ring switch") \
    X(emul_io,         150, "emulate in/out against a virtual device") \
    X(emul_misc,        60, "emulate halt/wfi/tlbflush") \
    X(emul_store,      150, "decode and emulate a guest store into a write-protected page table") \
    X(reflect,         300, "build the guest's trap frame and enter its trap vector") \
    X(inject,          300, "inject a virtual interrupt into the guest kernel") \
    X(shadow_fill,     400, "hidden page fault: walk the guest table, fill a shadow entry") \
    X(shadow_sync,     600, "re-sync shadow entries after a guest page-table write") \
    X(shadow_flush,   2000, "drop a VM's shadow page table (new ptb, paging switched)") \
    X(nested_fill,     200, "hw design: a nested fault inside the partition, write one second-stage entry") \
    X(hypercall,       100, "dispatch a hypercall") \
    X(hc_entry,         60, "validate and apply one entry of a batched hypercall (page-table update, block request)") \
    X(vm_switch,      3000, "switch VMs: save and load a virtual CPU, shadow root, devices") \
    X(host_world_switch, 1500, "Type-2: VMM driver switches to the host kernel's context and back") \
    X(host_ctx_switch, 1200, "Type-2: host scheduler switches to or from the VMM user process") \
    X(host_syscall,   1000, "Type-2: a host system call for device I/O (write, pread, pwrite)") \
    X(host_bg_share,     2, "Type-2: percent of cycles the host spends on its own work") \
    X(bt_translate,     40, "binary translation: scan and translate one guest instruction") \
    X(bt_block,          2, "binary translation: enter a translated block from the cache (chained jump or hash lookup)") \
    X(bt_callout,       40, "binary translation: a call from translated code into the VMM (no trap)") \
    X(bt_inline,         3, "binary translation: inline code for smsw, sidt, pushf or mfcr on the virtual CPU")

typedef struct {
#define X(name, def, doc) uint32_t name;
    VMM_COSTS(X)
#undef X
} vmm_costs;

void vmm_default_costs(vmm_costs *c);
/* "name=value"; also accepts the machine's costs (trap_entry, ...) when m is given. */
bool vmm_set_cost(vmm_costs *c, machine_costs *m, const char *assignment);
/* The same, with why it failed in err: unknown name, or the value's range. */
bool vmm_set_cost_err(vmm_costs *c, machine_costs *m, const char *assignment, char *err,
                      size_t errlen);
/* The largest value a cost takes (90 for host_bg_share, UINT32_MAX otherwise). */
uint32_t vmm_cost_max(const char *name);
bool vmm_get_cost(const vmm_costs *c, const char *name, uint32_t *value);
/* Iterate the table: name and doc of the i-th parameter, NULL past the end. */
const char *vmm_cost_name(size_t i);
const char *vmm_cost_doc(size_t i);

/* ---- configuration ------------------------------------------------------ */
/*
 * Hosting.  type2 routes exits by kind, as hosted hypervisors do (VMware
 * Workstation, Sugerman et al. 2001; KVM with QEMU): a monitor resident in
 * the host kernel handles CPU and MMU exits, and only device I/O and host
 * interrupts world-switch to the user-mode VMM process.  type2-user sends
 * every exit to the user-mode process (what a hypervisor that is an
 * ordinary process pays; traplab's Type-2 before issue 11).
 */
typedef enum { VMM_HOST_TYPE1, VMM_HOST_TYPE2, VMM_HOST_TYPE2_USER } vmm_host;
const char *vmm_host_name(vmm_host h);              /* "type1", "type2", "type2-user" */
bool vmm_parse_host(const char *s, vmm_host *out);
bool vmm_host_is_hosted(vmm_host h);                /* either Type-2 */

/*
 * Virtualization designs: how the guest's sensitive instructions are
 * handled and how its memory is virtualized (docs/architecture.md).  A
 * design is a value of vmm_config; each is filled in by a file of vmm/
 * (emulate.c, hcall.c, ...).  X(NAME, name, guest define, meaning): the
 * define is the symbol the guest kernel is assembled with, or NULL for the
 * unmodified kernel.
 */
#define VMM_DESIGNS(X) \
    X(FULL, full, NULL,       "full virtualization: trap-and-emulate, shadow page tables") \
    X(PARA, para, "PARAVIRT", "paravirtualization: the kernel assembled with -D PARAVIRT makes hypercalls") \
    X(BT,   bt,   NULL,       "binary translation of the guest kernel's code, shadow page tables") \
    X(HW,   hw,   NULL,       "hardware-assisted virtualization: guest mode, nested paging") \
    X(HW_SHADOW, hw-shadow, NULL, "early hardware assist: guest mode without nested paging, shadow page tables")
typedef enum {
#define X(NAME, name, def, doc) VMM_DESIGN_##NAME,
    VMM_DESIGNS(X)
#undef X
    VMM_DESIGN_COUNT
} vmm_design;
const char *vmm_design_name(vmm_design d);         /* "full"; "?" when out of range */
const char *vmm_design_doc(vmm_design d);
/* Is the design built into this traplab?  (bt and hw arrive in their own files.) */
bool vmm_design_available(vmm_design d);
/* The one parser the CLI, the terminal UI and the labs call: "full", "para",
 * "bt", "hw".  false with the reason in err (unknown, or not built yet). */
bool vmm_parse_design(const char *s, vmm_design *out, char *err, size_t errlen);
/* The symbol the design's guest kernel is assembled with ("PARAVIRT"), or NULL. */
const char *vmm_design_guest_define(vmm_design d);
/*
 * The defines to assemble the design's guest with: the caller's n defines,
 * then the design's own, when it has one.
 * Writes at most max into out; returns how many (n + 1 at most).  This is
 * the one place that knows the paravirtual guest is built with PARAVIRT.
 */
size_t vmm_design_defines(vmm_design d, const char *const *defs, size_t n, const char **out,
                          size_t max);

typedef struct {
    unsigned nvms;            /* 1..VMM_MAX_VMS */
    vmm_design design;        /* VMM_DESIGN_FULL by default */
    vmm_host host;
    isa_profile profile;      /* of the real machine */
    uint32_t slice;           /* cycles a VM runs before the next one (real timer) */
    uint32_t part_size;       /* guest-physical memory per VM, multiple of 4096, >= GUEST_MIN_MEM */
    uint32_t disk_sectors;    /* per VM */
    uint32_t shadow_pool;     /* level-2 shadow pages per VM */
    vmm_costs costs;
    machine_costs mcosts;
    /* hw design: exit controls beyond the ones that always exit (--exit-on):
     * opcode bitmap (bit n of word n / 32) and trap causes (bit n = cause n). */
    uint32_t exit_insns[2];
    uint32_t exit_exc;
} vmm_config;
/* "mfcr,out,syscall": adds each privileged instruction or trap cause to the
 * hw design's exit controls; false with the reason for an unknown name. */
bool vmm_parse_exit_on(const char *list, vmm_config *cfg, char *err, size_t errlen);

void vmm_default_config(vmm_config *cfg);
/* Processor profiles (--cpu, docs/costs.md): each sets the machine's vm_exit
 * and vm_enter as on one generation of VT-x; "default" puts back the defaults.
 * Names and one-line descriptions by index (NULL past the end). */
bool vmm_apply_cpu_profile(vmm_config *cfg, const char *name, char *err, size_t errlen);
const char *vmm_cpu_profile_name(size_t i);
const char *vmm_cpu_profile_doc(size_t i);

/* ---- events: every exit as data ------------------------------------------ */
typedef enum {
    VMM_BY_HARDWARE,     /* the real machine's own trap delivery (native runs) */
    VMM_BY_EMULATION,    /* the VMM emulated a privileged instruction */
    VMM_BY_REFLECTION,   /* the VMM reflected the trap into the guest kernel's vector */
    VMM_BY_SHADOW,       /* hidden fault: the VMM fixed its shadow page table */
    VMM_BY_HOST,         /* a Type-2 step in the host operating system */
    VMM_BY_HYPERCALL,    /* a hypercall */
    VMM_BY_SCHEDULER,    /* the VMM's own timer: slices, virtual timers, VM switches */
    VMM_BY_TRANSLATION,  /* binary translation: a block translated, a callout from translated code */
    VMM_BY_COUNT
} vmm_handler;
const char *vmm_handler_name(vmm_handler h);

typedef enum {
    VMM_EV_EXIT,         /* the guest left direct execution */
    VMM_EV_STEP,         /* one step of handling it (Type-2 path, shadow work) */
    VMM_EV_INJECT,       /* a virtual interrupt delivered to the guest */
    VMM_EV_SWITCH,       /* the VMM switched to another VM */
    VMM_EV_VIOLATION,    /* legacy profile: an equivalence violation went unseen */
    VMM_EV_VM_STOP,      /* a VM halted or failed */
    VMM_EV_COUNT
} vmm_event_kind;
const char *vmm_event_kind_name(vmm_event_kind k);

typedef struct vmm_event {
    vmm_event_kind kind;
    int vm;                   /* index of the VM, -1 for none */
    uint32_t cause;           /* CAUSE_* | access << 8 */
    uint32_t pc;
    uint32_t insn;            /* 0 when none */
    uint32_t addr;            /* faulting address (badaddr) of a page fault, else 0 */
    const char *mnemonic;     /* of insn, or NULL */
    uint8_t vring_from;       /* virtual rings before and after */
    uint8_t vring_to;
    uint8_t ring_from;        /* real rings before and after */
    uint8_t ring_to;
    vmm_handler handler;
    uint64_t cycles;          /* charged for this event (or step) */
    uint64_t at;              /* machine cycle counter when it happened */
    uint32_t reason;          /* hw design: the VM exit reason (EXIT_*), else 0 */
    const char *what;         /* one short English line ("emulate mtcr", "host write() ..."),
                                 valid during the callback only: copy it to keep it; NULL
                                 for an exit and a bt step: read every line with vmm_event_what */
    /* An exit's line is data until someone reads it: vmm_event_what formats
     * it from these and the fields above, so a callback that does not read
     * it pays nothing for it. */
    uint32_t a0;              /* a hypercall's number (the guest's a0 at the exit) */
    uint8_t detail;           /* VMM_EVD_* */
    const char *note;         /* a handler's own line for the exit, or NULL */
    char *text;               /* vmm_event_what's buffer (private) */
    /* A step whose line is data too (a translation step of --design bt):
     * format writes it from args when it is first read (private). */
    void (*format)(char *buf, size_t n, const struct vmm_event *e);
    uint32_t args[3];
} vmm_event;

enum {
    VMM_EVD_PT_STORE    = 1,  /* the emulated store went into a guest page table */
    VMM_EVD_TYPE2_USER  = 2,  /* Type-2: the exit went to the user-mode VMM process */
    VMM_EVD_TYPE2_KERN  = 4,  /* Type-2: the kernel-resident monitor handled it */
};

/* The event's one English line: e->what, or an exit's, formatted on the
 * first call (valid during the callback only, like e->what). */
const char *vmm_event_what(const vmm_event *e);

typedef struct vmm vmm;
typedef void (*vmm_event_fn)(vmm *v, const vmm_event *e, void *ud);

/* ---- statistics ------------------------------------------------------------ */
typedef struct {
    uint64_t guest_insns;        /* retired directly plus emulated */
    uint64_t guest_cycles, vmm_cycles, host_cycles, idle_cycles;
    uint64_t exits, exits_by_cause[ISA_NUM_CAUSES];
    uint64_t emulated, emulated_by_op[ISA_NUM_OPCODES];
    uint64_t reflected, injected;
    uint64_t shadow_fills, shadow_syncs, shadow_flushes;
    uint64_t nested_fills;       /* hw: second-stage entries filled on nested faults */
    uint64_t exits_by_reason[ISA_NUM_EXIT_REASONS];   /* hw: exits by VM exit reason */
    uint64_t kernel_exits;       /* Type-2: exits the kernel-resident monitor handled */
    uint64_t hypercalls, hypercalls_by_nr[VMM_MAX_HCALLS];
    uint64_t hc_invalid;         /* of hypercalls: numbers with no handler (ENOSYS), any value */
    uint64_t hc_failed;          /* of hypercalls: returned an error code (ENOSYS, EFAULT, EINVAL) */
    uint64_t hc_replaced;        /* exits the unmodified kernel would have taken for that work */
    uint64_t hc_replaced_by_nr[VMM_MAX_HCALLS];
    uint64_t direct_syscalls;    /* user system calls delivered through the guest's gate, no exit */
    uint64_t host_switches, host_syscalls;
    uint64_t violations;         /* legacy profile equivalence violations */
    uint64_t lost_ie;            /* of violations: popf whose interrupt-enable change was dropped */
    uint64_t blocked;            /* accesses stopped by isolation */
    uint64_t vm_switches;
    /* binary translation (--design bt) */
    uint64_t bt_blocks;          /* basic blocks of guest kernel code translated */
    uint64_t bt_insns;           /* instructions scanned by the translator */
    uint64_t bt_hits, bt_misses; /* translation-cache lookups */
    uint64_t bt_invalidations;   /* blocks dropped because the guest wrote their code */
    uint64_t bt_callouts;        /* sensitive instructions done by a call into the VMM */
    uint64_t bt_inline;          /* sensitive instructions done by inline code on the virtual CPU */
    uint64_t bt_adaptive;        /* stores retranslated into a callout (adaptive BT) */
    uint64_t bt_store_callouts;  /* of callouts: those stores, done without a fault */
} vmm_stats;

typedef enum { VM_RUNNABLE, VM_HALTED, VM_FAILED } vmm_vm_state;
const char *vmm_vm_state_name(vmm_vm_state s);

/* The virtual CPU the guest kernel believes it runs on. */
typedef struct {
    uint32_t cr[ISA_NUM_CRS];    /* virtual control registers; cr[CR_STATUS] holds the virtual ring */
    uint64_t vtime;              /* cycles this VM has been running (its clock) */
    uint64_t vnext;              /* virtual time of the next virtual timer tick */
    bool vtimer_pending;
} vmm_vcpu;

/* ---- life cycle ------------------------------------------------------------ */
/* Builds the machine (memory = VMM region + partitions) and the VMs. */
vmm *vmm_new(const vmm_config *cfg, char *err, size_t errlen);
void vmm_free(vmm *v);
machine *vmm_machine(vmm *v);
const vmm_config *vmm_get_config(const vmm *v);
unsigned vmm_nvms(const vmm *v);

/* Loads a guest into VM i and makes it runnable at the kernel's entry. */
bool vmm_load(vmm *v, unsigned i, const image *kernel, const image *prog,
              char *err, size_t errlen);
/* Copies data into VM i's virtual disk. */
bool vmm_load_disk(vmm *v, unsigned i, const void *data, size_t n);

/* Runs until every VM has stopped, or max_insns real instructions (0 = no
 * limit).  Returns the machine's stop reason (STOP_HALT when all VMs ended). */
machine_stop vmm_run(vmm *v, uint64_t max_insns);
/* One real instruction (or exit); for the TUI. */
machine_stop vmm_step(vmm *v);
bool vmm_all_stopped(const vmm *v);

/* The whole VMM and machine at one instant (for stepping backwards);
 * restoring and running again gives the same trace.  The event callback,
 * emulators and hypercalls set on v are kept, not restored. */
typedef struct vmm_snapshot vmm_snapshot;
vmm_snapshot *vmm_save(const vmm *v);              /* NULL when out of memory */
bool vmm_restore(vmm *v, const vmm_snapshot *s);   /* false if s is from another VMM shape */
void vmm_snapshot_free(vmm_snapshot *s);
/* Snapshot files (traplab vm --save-at, --restore, the TUI's w): the whole VMM
 * and machine in the machine's file format.  vmm_load_file builds a new VMM
 * (no event function, emulators or hypercall hooks); NULL with a message for
 * a truncated, damaged or foreign file. */
bool vmm_save_file(const vmm *v, FILE *f, char *err, size_t errlen);
vmm *vmm_load_file(FILE *f, char *err, size_t errlen);

/* ---- observing --------------------------------------------------------------- */
void vmm_set_event_fn(vmm *v, vmm_event_fn fn, void *ud);
int vmm_current(const vmm *v);                          /* the VM on the CPU, -1 when none */
vmm_vm_state vmm_vm_state_of(const vmm *v, unsigned i);
const char *vmm_vm_reason(const vmm *v, unsigned i);   /* why it failed, "" otherwise */
const vmm_vcpu *vmm_vcpu_of(const vmm *v, unsigned i);
vmm_vcpu *vmm_vcpu_mut(vmm *v, unsigned i);
const vmm_stats *vmm_vm_stats(const vmm *v, unsigned i);
void vmm_total_stats(const vmm *v, vmm_stats *out);
const char *vmm_console(const vmm *v, unsigned i, size_t *len);
uint32_t vmm_partition_base(const vmm *v, unsigned i);
uint32_t vmm_region_size(const vmm *v);                 /* bytes of the VMM region at 0 */
/* Real-physical range of VM i's shadow page tables inside the VMM region
 * (its level-1 page and its pool); false for a bad i.  The property tests
 * check that a VM's run changes no other VM's shadows. */
bool vmm_shadow_range(const vmm *v, unsigned i, uint32_t *base, uint32_t *size);
/* VM i's virtual disk (read-only view, *len bytes); NULL for a bad i. */
const uint8_t *vmm_disk_data(const vmm *v, unsigned i, size_t *len);
/* Guest registers: live on the CPU for the current VM, saved for the others. */
uint32_t vmm_guest_reg(const vmm *v, unsigned i, unsigned r);
void vmm_set_guest_reg(vmm *v, unsigned i, unsigned r, uint32_t val);
uint32_t vmm_guest_pc(const vmm *v, unsigned i);
/* Reads guest-physical memory of VM i; false outside the partition. */
bool vmm_read_gpa(const vmm *v, unsigned i, uint32_t gpa, void *buf, size_t n);

/* ---- extension points --------------------------------------------------------- */
typedef enum {
    VMM_EMUL_DEFAULT,    /* not handled: use the built-in emulation */
    VMM_EMUL_NEXT,       /* handled: resume at pc + 4 */
    VMM_EMUL_JUMP,       /* handled: the handler set the pc (vmm_set_guest_pc) */
} vmm_emul_result;
/*
 * Supplies the emulation of one privileged instruction (a lab does this
 * from Lua).  Called for the current VM with the trapping word; it may read
 * and change the virtual CPU and the guest registers.
 */
typedef vmm_emul_result (*vmm_emul_fn)(vmm *v, unsigned vm, uint32_t insn, void *ud);
bool vmm_set_emulator(vmm *v, unsigned opcode, vmm_emul_fn fn, void *ud);
/* Does trap-and-emulate have a built-in emulation for this opcode?  True for
 * every PRIV and LEGACY instruction of isa.def (vmm/emulate.c builds its
 * table from it); a trapping opcode without one would be reflected. */
bool vmm_has_emulation(unsigned opcode);
void vmm_set_guest_pc(vmm *v, unsigned i, uint32_t pc);

/*
 * Hypercalls (hcall from the guest kernel): a0 holds the number, a1..a3 the
 * arguments, a0 the result.  The table of built-in calls is in vmm/hcall.c;
 * a paravirtualized kernel uses them (issue 5).  Unknown numbers return
 * VMM_HC_ENOSYS in a0.
 */
#define VMM_HC_ENOSYS 0xffffffffu
#define VMM_HC_EFAULT 0xfffffffeu
#define VMM_HC_EINVAL 0xfffffffdu
typedef uint32_t (*vmm_hcall_fn)(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3);
bool vmm_set_hypercall(vmm *v, unsigned number, vmm_hcall_fn fn);
/*
 * A hook asked before the table, for callers that need their own context
 * (a lab's Lua handlers): return true when it handled hypercall nr, with
 * the result in *ret; false to fall through to the table.
 */
typedef bool (*vmm_hcall_hook)(vmm *v, unsigned vm, uint32_t nr, uint32_t a1, uint32_t a2,
                               uint32_t a3, uint32_t *ret, void *ud);
void vmm_set_hypercall_hook(vmm *v, vmm_hcall_hook fn, void *ud);

/*
 * The built-in hypercalls (docs/hypercalls.md; guest/arch.s spells the same
 * numbers).  X(NAME, number, meaning).
 */
#define VMM_HCALLS(X) \
    X(VERSION,        0, "interface version (1); also lets a pending virtual interrupt in") \
    X(CONSOLE_WRITE,  1, "a1 = buffer (guest-virtual), a2 = length <= 4096: the whole buffer at once") \
    X(YIELD,          2, "end this VM's slice") \
    X(SHUTDOWN,       3, "halt the VM") \
    X(SET_TIMER,      4, "a1 = period of the virtual timer in guest cycles (0 stops it)") \
    X(SHARED_INFO,    5, "a1 = guest-physical page shared with the VMM (interrupt mask, trap frame, block ring)") \
    X(SET_TRAP_TABLE, 6, "a1 = trap vector, a2 = system-call gate (0: none; direct path without an exit)") \
    X(MMU_UPDATE,     7, "a1 = array of (pte gpa, value) pairs, a2 = count <= 64, a3 bit 0 = flush the TLB") \
    X(BLOCK_NOTIFY,   8, "process the block requests queued in the shared ring; a0 = OR of their statuses") \
    X(IRET,           9, "return from a trap: pc, status from the shared page; a0 from its saved-a0 word")
enum {
#define X(NAME, num, doc) VMM_HC_##NAME = num,
    VMM_HCALLS(X)
#undef X
};
const char *vmm_hcall_name(unsigned nr);    /* "console_write"; NULL when not built in */
const char *vmm_hcall_doc(unsigned nr);

/*
 * The shared page (VMM_HC_SHARED_INFO): byte offsets.  The guest writes
 * MASK with plain stores (Xen's upcall mask: nonzero = virtual interrupts
 * off, no exit); the VMM writes the trap frame on every delivery and sets
 * PENDING when an interrupt waits for the mask.  The block ring holds
 * VMM_SH_RING_SIZE requests of four words (sector, gpa, cmd, status);
 * the guest advances RING_PROD, the VMM RING_CONS.  PUTC, MMU_COUNT and
 * MMU_QUEUE are the guest's own (the VMM never reads them: the guest passes
 * their addresses in hypercall arguments), listed here so that the whole
 * page is laid out in one table.  X(NAME, offset, meaning); guest/abi.s is
 * generated from this table and VMM_HCALLS (vmm_write_guest_abi).
 */
#define VMM_SHARED(X) \
    X(MASK,      0x000, "nonzero: virtual interrupts off") \
    X(PENDING,   0x004, "the VMM holds an interrupt for the guest") \
    X(EPC,       0x008, "the trap frame, written by the VMM on every delivery") \
    X(ESTATUS,   0x00c, "the status at the trap (IE is the mask's)") \
    X(CAUSE,     0x010, "the cause of the trap") \
    X(BADADDR,   0x014, "the fault address of the trap") \
    X(SAVED_A0,  0x018, "a0 for VMM_HC_IRET to restore") \
    X(PUTC,      0x020, "guest's own: one character for its PUTC") \
    X(MMU_COUNT, 0x03c, "guest's own: page-table updates queued in MMU_QUEUE") \
    X(RING_PROD, 0x040, "block ring: the guest's producer index") \
    X(RING_CONS, 0x044, "block ring: the VMM's consumer index") \
    X(RING,      0x080, "block ring: VMM_SH_RING_SIZE requests of 16 bytes") \
    X(MMU_QUEUE, 0x800, "guest's own: (pte gpa, value) pairs for VMM_HC_MMU_UPDATE")
enum {
#define X(NAME, off, doc) VMM_SH_##NAME = off,
    VMM_SHARED(X)
#undef X
};
#define VMM_SH_RING_SIZE  16
#define VMM_MMU_BATCH_MAX 64

/* Binary translation (--design bt): writes the block of VM i's kernel code at
 * guest-virtual va as the translator makes it, beside the original, one line
 * per instruction; false when va is not kernel code the VM can fetch. */
bool vmm_bt_show_block(vmm *v, unsigned i, uint32_t va, FILE *out);

/* Writes the assembler include with the hypercall numbers and the shared
 * page's offsets (guest/abi.s) from the tables above. */
void vmm_write_guest_abi(FILE *out);

/* ---- the same guest on the bare machine --------------------------------------- */
typedef struct {
    machine_stop stop;
    char reason[160];
    uint64_t instret, cycles;
    char *console;            /* malloc'd, NUL-terminated */
    size_t console_len;
} vmm_native_result;
/* Runs kernel+prog natively with part_size bytes of memory (same costs). */
bool vmm_run_native(const vmm_config *cfg, const image *kernel, const image *prog,
                    uint64_t max_insns, vmm_native_result *out, char *err, size_t errlen);
void vmm_native_result_free(vmm_native_result *r);

#endif
