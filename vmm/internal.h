/*
 * internal.h -- the hypervisor's private state, shared by the files of vmm/
 * only: one struct per VM (virtual CPU, partition, shadow page table,
 * virtual devices, counters) and the VMM that schedules them.
 */
#ifndef TRAPLAB_VMM_INTERNAL_H
#define TRAPLAB_VMM_INTERNAL_H

#include "vmm/vmm.h"

#define VMM_EXIT_TEXT 144           /* an exit's line of the trace, formatted (vmm_event_what) */

typedef struct {
    vmm_vm_state state;
    char reason[160];
    vmm_vcpu vc;
    uint32_t regs[ISA_NUM_REGS];    /* saved while another VM has the CPU */
    uint32_t pc;
    bool loaded;

    /* memory: guest-physical [0, part_size) is host [base, base + part_size) */
    uint32_t base;
    uint32_t shadow_l1;             /* host address of the shadow level-1 table */
    uint32_t pool_base;             /* shadow level-2 pages */
    uint32_t pool_used;
    uint8_t *ptmap;                 /* one bit per guest frame: a page-table page */

    /* virtual devices */
    char *out; size_t out_len, out_cap;
    uint8_t *disk;
    uint32_t blk_sector, blk_addr, blk_status, console_ctrl;

    /* paravirtualization: set by the guest's hypercalls */
    bool para;                      /* a shared page is registered */
    uint32_t shared;                /* its guest-physical address */
    uint32_t syscall_gate;          /* direct system-call entry, 0 = none */
    uint32_t hc_replaced;           /* set by the running hypercall */

    /* binary translation (bt.c): the translation cache, keyed by guest-virtual
     * address (direct-mapped), the frames holding translated code
     * (write-protected in the shadow), and the stores seen faulting on
     * write-protected pages (adaptive translation) */
    struct {
        struct vmm_bt_block {
            uint32_t va, gpa;          /* start; valid when n > 0 */
            uint16_t n;                /* instructions, the terminator included */
            uint8_t end;               /* BT_END_*: how it ends (bt.c) */
            uint8_t nsens;             /* sensitive instructions replaced */
            uint32_t last;             /* the replaced word, when nsens (callouts need it) */
            uint16_t next, prev;       /* the blocks of frames with the same heads[] entry: slot + 1, 0 = none */
            uint32_t seen_gen, seen_ptb;   /* walk_gen + 1 and ptb when va last mapped to gpa (0: not yet) */
            uint8_t seen_pg;           /* and the paging bit then */
        } cache[1024];
        uint16_t heads[64];            /* by frame number modulo 64: the first such block, slot + 1 */
        uint8_t codemap[(64u << 20) / PAGE_SIZE / 8];
        /* by frame number modulo 64: the byte range of the page that any
         * translated block of such a frame covers (a union, so a store
         * outside it cannot overlap translated code) */
        struct vmm_bt_range { uint16_t lo, hi; } coderange[64];
        struct vmm_bt_store { uint32_t pc; uint16_t faults; bool callout; } stores[64];
        /* a block left part-way by an instruction limit (stepping) goes on
         * from cont_pc without a new lookup */
        uint32_t cont_va, cont_pc;
        uint64_t cont_exits;
        bool cont;
        /* successful walks of the guest's tables (block entries, store
         * callouts) by page, valid while walk_gen, the address space (ptb,
         * paging) and the access are the same; walk_gen moves on at every
         * write into a guest page table and every shadow reset or flush */
        struct vmm_bt_walk { uint32_t tag, gpage, ptb, gen; } walks[16];
        uint32_t walk_gen;
    } bt;

    vmm_stats st;
    uint64_t violation_at;          /* instret + 1 of the last violation reported, 0 = none */
    uint32_t violation_pc;          /* and its pc */
} vmm_vm;

/*
 * A design's two halves (docs/architecture.md).  A design file fills one
 * table of each kind; vmm/design.c lists which tables make which design.
 *
 * vmm_cpu_ops: how the guest kernel's sensitive instructions are handled.
 * Trap-and-emulate (emulate.c) answers the ILLEGAL_PRIV exit; the
 * paravirtual design (hcall.c) answers hypercalls; a translator would run
 * the kernel's code itself (run) so that no sensitive instruction traps.
 */
typedef struct vmm_cpu_ops {
    const char *name;
    /* ILLEGAL_PRIV from the guest kernel (virtual ring 0). */
    vmm_handler (*privileged)(vmm *v, vmm_vm *vm, const machine_trap *t);
    /* HYPERCALL from the guest kernel. */
    vmm_handler (*hypercall)(vmm *v, vmm_vm *vm, const machine_trap *t);
    /* Optional: the design's own state, built with the VMM and freed with it. */
    bool (*init)(vmm *v, char *err, size_t errlen);
    void (*fini)(vmm *v);
    /* Optional: a guest was (re)loaded into vm. */
    void (*load)(vmm *v, vmm_vm *vm);
    /* Optional: runs the machine for at most max_insns real instructions
     * (0 = no limit) instead of plain direct execution (machine_run). */
    machine_stop (*run)(vmm *v, uint64_t max_insns);
    /* Optional: called at the end of every exit, after the scheduler. */
    void (*resumed)(vmm *v);
    /* The guest runs in the machine's guest mode (hw, hw-shadow): its
     * sensitive instructions run on its own registers, so the legacy
     * profile needs no observer. */
    bool guest_mode;
} vmm_cpu_ops;

/*
 * vmm_mem_ops: how guest memory is virtualized.  Shadow paging (shadow.c)
 * gives the real MMU a table of its own per VM; nested paging would let
 * the hardware walk both levels.
 */
typedef struct vmm_mem_ops {
    const char *name;
    /* The real page-table base while vm runs. */
    uint32_t (*root)(const vmm *v, const vmm_vm *vm);
    /* Boot or reload: forget everything, count nothing. */
    void (*reset)(vmm *v, vmm_vm *vm);
    /* The guest's address space changed (ptb, paging on or off). */
    void (*flush)(vmm *v, vmm_vm *vm, const char *why);
    /* PAGE_FAULT and BUS_ERROR exits. */
    vmm_handler (*fault)(vmm *v, vmm_vm *vm, const machine_trap *t);
    /* n bytes of guest-physical memory at gpa were written behind the MMU's
     * back (emulation, a hypercall, DMA). */
    void (*written)(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n);
} vmm_mem_ops;

struct vmm {
    vmm_config cfg;
    const vmm_cpu_ops *cpu;         /* the design's two halves (design.c) */
    const vmm_mem_ops *mem;
    void *design_state;             /* the design's own, from cpu->init */
    machine *m;
    vmm_vm vm[VMM_MAX_VMS];
    unsigned n;
    int cur;                        /* the VM on the CPU, -1 when all stopped */
    bool started;
    uint32_t region;                /* bytes of the VMM region */
    uint64_t slice_start;
    uint64_t bg_mark;               /* Type-2: host background share booked up to here */
    uint64_t mark_cycles, mark_instret;   /* accounting: up to here is booked */
    uint64_t exit_cycles;           /* charged so far during the current exit */
    /* Charged but not yet on the machine's clock (vmm_charge, vmm_commit):
     * an exit's charges reach the machine in one addition.  0 whenever the
     * machine runs, and whenever code outside vmm/ may look at the clock. */
    uint64_t pend;
    const machine_stats *mst;       /* the machine's counters, read without a call */
    bool in_exit;                   /* handling an exit: a VM's stop is told after it */
    bool stop_deferred;

    char exit_note[112];             /* a handler's own text for the exit's event, "" for none */
    char exit_text[VMM_EXIT_TEXT];   /* where vmm_event_what formats an exit's line */
    vmm_event_fn ev; void *ev_ud;
    struct { vmm_emul_fn fn; void *ud; } emul[ISA_NUM_OPCODES];
    vmm_hcall_fn hcalls[VMM_MAX_HCALLS];
    /* Shadow paging under guest mode (hwshadow.c sets these): the shadow
     * keeps the guest's own rings (the guest kernel is in guest ring 0, not
     * deprivileged), the MMU in host mode is not the guest's, and the last
     * pool page is the VMCB, so the shadow has shadow_pages of the pool
     * (0: all of cfg.shadow_pool). */
    bool shadow_in_guest_mode;
    uint32_t shadow_pages;
    vmm_hcall_hook hc_hook; void *hc_ud;
};

/* Layers a cost is booked to. */
typedef enum { LAYER_VMM, LAYER_HOST } vmm_layer;

/*
 * The files of vmm/, bottom first; each calls only the ones above it in
 * this list, so there is no circle (docs/architecture.md):
 *   core.c      accounting, events, guest-physical words, reflection, stops
 *   shadow.c    memory: the guest's walk and shadow paging (vmm_shadow_mem)
 *   vdev.c      virtual devices
 *   emulate.c   trap-and-emulate (vmm_full_cpu)
 *   hcall.c     hypercalls
 *   para.c      the paravirtual design's cpu half (vmm_para_cpu)
 *   bt.c        binary translation (vmm_bt_cpu, vmm_bt_mem)
 *   legacy.c    the legacy profile's observer
 *   design.c    which tables make which design; parsing a design
 *   sched.c     scheduling on the real timer, virtual interrupts
 *   exit.c      the one exit handler, routing by cause
 *   hw.c        guest mode and nested paging (vmm_hw_cpu, vmm_nested_mem)
 *   hwshadow.c  guest mode over shadow paging (vmm_hw_shadow_cpu, vmm_hw_shadow_mem)
 *   vmm.c       building, running and observing the VMM
 *   guest.c, snapshot.c, costs: loading, native runs, saving.
 */

/* core.c */
/* The machine's clock as the VMM sees it: the cycles charged in this exit
 * included (read it instead of machine_cycles inside vmm/). */
static inline uint64_t vmm_now(const vmm *v) { return v->mst->cycles + v->pend; }
/* Puts what was charged on the machine's clock: before the machine runs,
 * before any machine call that reads or moves the clock, and before code
 * outside vmm/ (an event callback, a lab's emulator or hypercall) runs. */
static inline void vmm_commit(vmm *v)
{
    if (v->pend) {
        machine_add_cycles(v->m, v->pend);
        v->pend = 0;
    }
}
/* Books cycles of VMM (or host) work to vm (NULL: to nobody).  The VM's
 * clock (vtime) does not move: it counts only the cycles the guest itself
 * executes, so the VMM's work never makes a guest's timer fire faster than
 * the guest can make progress. */
static inline void vmm_charge(vmm *v, vmm_vm *vm, vmm_layer layer, uint64_t cycles)
{
    v->pend += cycles;
    v->mark_cycles += cycles;
    v->exit_cycles += cycles;
    if (vm)
        *(layer == LAYER_HOST ? &vm->st.host_cycles : &vm->st.vmm_cycles) += cycles;
}
/* Charges and reports one step of handling an exit. */
void vmm_step_event(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                    const char *what);
/* The same, with a line that is made only when read (vmm_event_what):
 * format(buf, n, e) writes it from e->args. */
typedef void vmm_line_fn(char *buf, size_t n, const vmm_event *e);
void vmm_step_event_lazy(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                         vmm_line_fn *format, uint32_t a0, uint32_t a1, uint32_t a2);
void vmm_emit(vmm *v, const vmm_event *e);
unsigned vmm_vm_index(const vmm *v, const vmm_vm *vm);
const char *vmm_mnemonic_of(uint32_t w);
void vmm_reflect(vmm *v, vmm_vm *vm, uint32_t cause, uint32_t epc, uint32_t addr);
void vmm_vm_fail(vmm *v, vmm_vm *vm, const char *fmt, ...);
void vmm_vm_halt(vmm *v, vmm_vm *vm);
/* Tells a VM's stop now, or after the exit being handled. */
void vmm_vm_stop_event(vmm *v, vmm_vm *vm, const char *what);
/* Real status for the VM's virtual status: the ring it is deprivileged to. */
uint32_t vmm_real_status(uint32_t vstatus);
unsigned vmm_real_ring(unsigned vring);
/* Applies a new virtual status (ring, IE, PG) to the virtual and real CPU. */
void vmm_set_vstatus(vmm *v, vmm_vm *vm, uint32_t vstatus);
/* The VM's own clock: cycles not yet booked belong to the VM on the CPU. */
static inline uint64_t vmm_vtime(const vmm *v, const vmm_vm *vm)
{
    uint64_t t = vm->vc.vtime;
    if (v->cur >= 0 && &v->vm[v->cur] == vm)
        t += vmm_now(v) - v->mark_cycles;
    return t;
}
void vmm_vtimer_update(vmm *v, vmm_vm *vm);
/* Host work of a Type-2 device access (a host system call). */
void vmm_host_syscall(vmm *v, vmm_vm *vm, const char *what);
/* Guest-physical memory of a VM, and little-endian words. */
bool vmm_gpa_ok(const vmm *v, uint32_t gpa, uint32_t n);
uint8_t *vmm_gpa_ptr(vmm *v, const vmm_vm *vm, uint32_t gpa);
uint32_t vmm_rd32(const uint8_t *p);
void vmm_wr32(uint8_t *p, uint32_t v);
/* Paravirtualized VMs: the shared page's words (vm->para must hold). */
uint32_t vmm_shared_get(vmm *v, const vmm_vm *vm, uint32_t off);
void vmm_shared_set(vmm *v, vmm_vm *vm, uint32_t off, uint32_t val);
/* Writes the trap frame of a delivery into the shared page and masks events. */
void vmm_para_frame(vmm *v, vmm_vm *vm);
/* The design's memory half, for the files below the design table. */
void vmm_mem_flush(vmm *v, vmm_vm *vm, const char *why);
void vmm_mem_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n);

/* shadow.c */
extern const vmm_mem_ops vmm_shadow_mem;
/* Walks the guest's own page table as the MMU would with part_size bytes of
 * memory; CAUSE_NONE with *gpa and *pte (0 with paging off), else the cause. */
unsigned vmm_gwalk(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                   uint32_t *gpa, uint32_t *fault_addr);
unsigned vmm_gwalk_pte(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                       uint32_t *gpa, uint32_t *fault_addr, uint32_t *pte);
void vmm_shadow_reset(vmm *v, vmm_vm *vm);       /* flush without counting (boot) */
void vmm_shadow_flush(vmm *v, vmm_vm *vm, const char *why);
/* A guest store of n bytes at gpa happened (by emulation or DMA): keep the shadow in sync. */
void vmm_shadow_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n);
/* (inline: asked at every emulated store and store callout) */
static inline bool vmm_is_pt_frame(const vmm *v, const vmm_vm *vm, uint32_t gpa)
{
    if (gpa >= v->cfg.part_size)
        return false;
    uint32_t f = gpa >> PAGE_SHIFT;
    return (vm->ptmap[f >> 3] >> (f & 7)) & 1u;
}
/* A PAGE_FAULT or BUS_ERROR of the guest under shadow paging: a hidden fault
 * filled, a page-table store done, or the guest's own fault reflected. */
vmm_handler vmm_shadow_fault(vmm *v, vmm_vm *vm, const machine_trap *t);
uint32_t vmm_shadow_root(const vmm *v, const vmm_vm *vm);   /* the shadow table's level 1 */
/* Binary translation: frames holding translated code are write-protected
 * in the shadow like page tables; protect marks one (and unmaps W). */
static inline bool vmm_is_code_frame(const vmm *v, const vmm_vm *vm, uint32_t gpa)
{
    if (gpa >= v->cfg.part_size)
        return false;
    uint32_t f = gpa >> PAGE_SHIFT;
    return (vm->bt.codemap[f >> 3] >> (f & 7)) & 1u;
}
void vmm_shadow_protect(vmm *v, vmm_vm *vm, uint32_t gpa);
/* Guest-virtual word access for emulation (pushf, popf, hypercalls); on a
 * fault reflects it (epc = pc) and returns false. */
bool vmm_guest_word(vmm *v, vmm_vm *vm, uint32_t va, isa_access acc, uint32_t *val,
                    uint32_t pc, uint32_t insn);

/* vdev.c */
uint32_t vmm_port_in(vmm *v, vmm_vm *vm, uint32_t port);
void vmm_port_out(vmm *v, vmm_vm *vm, uint32_t port, uint32_t value);
void vmm_console_put(vmm *v, vmm_vm *vm, int ch);
/* One sector between the VM's disk and guest-physical gpa; the device status. */
uint32_t vmm_block_transfer(vmm *v, vmm_vm *vm, uint32_t sector, uint32_t gpa, uint32_t cmd,
                            bool host_call);

/* emulate.c */
extern const vmm_cpu_ops vmm_full_cpu;
/* Handles ILLEGAL_PRIV from the guest kernel (a lab's emulator first). */
void vmm_emulate(vmm *v, vmm_vm *vm, const machine_trap *t);
/* The same, charging *cost instead of the instruction's emulation cost
 * (inline translated code); cost NULL charges the table's. */
void vmm_emulate_cost(vmm *v, vmm_vm *vm, const machine_trap *t, const uint32_t *cost);
/* The emulation cost parameter of an opcode (0 when none). */
uint32_t vmm_emulation_cost(const vmm *v, unsigned opcode);

/* hcall.c */
extern const vmm_cpu_ops vmm_para_cpu;
void vmm_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t);
/* Does hypercall nr do device I/O (the console, the block ring)? */
bool vmm_hcall_is_io(uint32_t nr);
void vmm_hcall_defaults(vmm *v);

/* bt.c */
extern const vmm_cpu_ops vmm_bt_cpu;
extern const vmm_mem_ops vmm_bt_mem;

/* legacy.c */
/* The legacy profile's observer of sensitive instructions that do not trap. */
void vmm_legacy_observe(machine *m, uint32_t pc, void *ud);

/* hw.c: hardware-assisted virtualization (guest mode, nested paging). */
extern const vmm_cpu_ops vmm_hw_cpu;
extern const vmm_mem_ops vmm_nested_mem;
/* What guest mode needs from a memory half: where each VM's VMCB is, the
 * VMCB_CTRL bits, what must exit for it (opcodes, trap causes), and who
 * answers an intercepted PAGE_FAULT or BUS_ERROR (NULL: reflect it). */
typedef struct vmm_hw_paging {
    uint32_t (*vmcb)(const vmm *v, const vmm_vm *vm);
    uint32_t ctrl, exit_insns[2], exit_exc;
    vmm_handler (*fault)(vmm *v, vmm_vm *vm, const machine_trap *t);
} vmm_hw_paging;
/* The halves of the hw cpu ops that a variant (hwshadow.c) shares. */
void vmm_hw_start(vmm *v, const vmm_hw_paging *p);      /* from its init */
vmm_handler vmm_hw_privileged(vmm *v, vmm_vm *vm, const machine_trap *t);
vmm_handler vmm_hw_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t);
machine_stop vmm_hw_run(vmm *v, uint64_t max_insns);

/* hwshadow.c: the same guest mode over shadow page tables (--design hw-shadow). */
extern const vmm_cpu_ops vmm_hw_shadow_cpu;
extern const vmm_mem_ops vmm_hw_shadow_mem;

/* design.c */
const vmm_cpu_ops *vmm_design_cpu(vmm_design d);
const vmm_mem_ops *vmm_design_mem(vmm_design d);

/* sched.c */
int vmm_next_runnable(const vmm *v, int from);
void vmm_switch_to(vmm *v, int to);
/* Chooses who runs next, delivers what is due and programs the real timer. */
void vmm_resume(vmm *v);
/* Programs the real timer for the VM on the CPU (the end of vmm_resume; a
 * design whose entry costs cycles after it, as vmenter does, calls it again). */
void vmm_arm_timer(vmm *v);

/* exit.c */
/* What an exit is, for a Type-2 host's routing (docs/vmm.md, section 6). */
typedef enum { VMM_EXIT_CPU, VMM_EXIT_MMU, VMM_EXIT_IO, VMM_EXIT_IRQ } vmm_exit_kind;
vmm_exit_kind vmm_exit_kind_of(const vmm_vm *vm, const machine_trap *t, uint32_t a0);
/* Does an exit of this kind go to the user-mode VMM process on this host? */
bool vmm_exit_to_user(const vmm *v, vmm_exit_kind k);
/* The host's steps around an exit of this kind (none on Type-1, or in the kernel). */
void vmm_host_enter(vmm *v, vmm_vm *vm, vmm_exit_kind k);
void vmm_host_leave(vmm *v, vmm_vm *vm, vmm_exit_kind k);
/* Appends the path a routed Type-2 exit took to its trace line. */
void vmm_path_note(char *what, size_t n, const vmm *v, vmm_exit_kind k);
/* Books the guest's time up to an exit whose hardware part costs hw_cost. */
void vmm_book_exit(vmm *v, vmm_vm *vm, const machine_trap *t, uint64_t hw_cost, bool uf_from_cpu);
/* The machine's trap hook: every exit of every VM arrives here. */
bool vmm_on_trap(machine *m, const machine_trap *t, void *ud);

#endif
