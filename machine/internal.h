/*
 * internal.h -- the machine's private state, shared by the files of
 * machine/ only.  Everything a snapshot must hold lives in machine_state
 * (plain values, no pointers) plus the separately allocated memory, disk and
 * console buffers, so that save and restore are a few copies.
 */
#ifndef TRAPLAB_MACHINE_INTERNAL_H
#define TRAPLAB_MACHINE_INTERNAL_H

#include "machine/machine.h"

/* Software TLB: direct-mapped, one array per access type.  A tag is
 * vpage | ring << 1 | 1, so an entry only hits for the ring that filled it
 * (permission was checked for that ring at fill time). */
#define TLB_SIZE 256u
typedef struct {
    uint32_t tag[3][TLB_SIZE];
    uint32_t frame[3][TLB_SIZE];   /* physical page address */
} mmu_tlb;

#define TLB_TAG(va, ring) (((uint32_t)(va) & ~0xfffu) | ((uint32_t)(ring) << 1) | 1u)

/*
 * The host's data TLB (cpu.c's loads and stores): a cache in front of the
 * machine's TLB, not part of the state.  An entry holds mode << 32 | vpage
 * and the host address of the page minus vpage, so that a hit is one
 * compare and one add.  The mode is the machine TLB's ring tag (paging on,
 * or guest mode), or HTLB_FLAT with paging off.  Invariants: an entry with a
 * ring tag is a copy of the machine TLB's entry at the same index (every
 * fill of that entry drops it, every flush drops all), so a hit here is a
 * hit there, counted the same; a write entry to a frame with decoded code
 * is marked HTLB_CODE (code_page_of drops the unmarked ones when a frame
 * gets decoded code), so an unmarked hit cannot overwrite decoded
 * instructions.
 */
#define HTLB_FLAT  8u
#define HTLB_NONE  UINT64_MAX
/* A flush moves the generation on (bits 36 and up of every tag) instead of
 * clearing 4 KiB: a guest kernel that writes ptb at every switch pays a
 * store, not a memset.  (No tag is HTLB_NONE: its bits 32-35, the mode,
 * are at most HTLB_FLAT.) */
#define HTLB_GEN_ONE (UINT64_C(1) << 36)
/* In a write entry's tag (bits 2-11 of a lookup key are always 0, so the
 * fast compare misses it): the frame has decoded code, and a store that
 * matches the tag with this bit must check the word it overwrites. */
#define HTLB_CODE (UINT64_C(1) << 11)
typedef struct {
    uint64_t tag[2][TLB_SIZE];       /* [ACCESS_READ], [ACCESS_WRITE]: gen | mode << 32 | vpage */
    uintptr_t add[2][TLB_SIZE];
    uint64_t gen;                    /* the current generation, a multiple of HTLB_GEN_ONE */
} host_tlb;

/* Guest mode (hvext.c): what vmenter loaded into the processor. */
typedef struct {
    bool guest;                     /* the guest-mode flag */
    uint32_t pg;                    /* STATUS_PG in guest mode: translation never off */
    uint32_t vmcb;                  /* physical address of the VM control block */
    uint32_t nptb, ctrl, exit_insns[2], exit_exc;
    uint32_t host_cr[ISA_NUM_CRS];  /* the host's banked registers */
    uint32_t host_pc;               /* where the host resumes: after its vmenter */
    /* A second-stage fault found by the last walk of mmu_access, for the exit. */
    bool nf_pending, nf_walk;
    uint32_t nf_gpa;
    bool injecting;                 /* delivering an injected event: no intercepts */
} hv_state;

typedef struct {
    cpu_state cpu;
    hv_state hv;
    machine_stats stats;
    mmu_tlb tlb;
    /* timer: the period is cpu.cr[CR_TIMECMP] */
    uint64_t next_tick;
    bool timer_pending;
    /* console */
    uint32_t console_ctrl;
    /* block device */
    uint32_t blk_sector, blk_addr, blk_status;
    /* The page the interpreter fetches from: virtual page (1 = none), its
     * physical frame, and the ring|PG bits it was translated for.  Part of
     * the state so that TLB statistics do not depend on how runs are sliced. */
    uint32_t code_va, code_frame, code_key;
    machine_trap last_trap;
    machine_stop last_stop;
    bool fatal;
    char fatal_reason[160];
} machine_state;

/*
 * The decoded-code cache (code.c).  Each physical page the CPU executes
 * from gets a page of 1024 predecoded slots, one per word, plus a sentinel
 * that ends a block falling off the page.  A block is a straight-line run
 * of slots ending at a branch, jump, trap, system instruction or the page's
 * last word; every slot knows the cost and length of the rest of its run,
 * so that a block entered anywhere is charged at once and a trap in the
 * middle can give back exactly what was not executed.
 */
#define CODE_SLOTS    (PAGE_SIZE / 4)
#define CPU_NO_TARGET 0xffffu
#define CPU_PART_MAX 64         /* the longest part of a run cut by the instruction limit (cpu.c) */
#define CODE_POOL_MAX 512u                /* decoded pages kept; beyond, the oldest is reused */

/* Opcode classes: ends a block; a data access; no effect but rd. */
enum { CLS_TERM = 1, CLS_MEM = 2, CLS_PURE = 4 };

/* Handler kinds: the opcodes, then these (cpu_run's table has them all). */
enum { KIND_NOP = ISA_NUM_OPCODES, KIND_END, KIND_DECODE, KIND_SYS, KIND_ILLEGAL,
       KIND_J_NEAR, KIND_JAL_NEAR,      /* j and jal to a slot of the same page */
       KIND_HOT,                        /* a run's first slot, not yet translated (jit.h) */
       KIND_JIT,                        /* a run's first slot with host code (jit.h) */
       KIND_COUNT };

typedef struct cpu_slot {
    const void *h;       /* the handler: a label in cpu_run */
    uint64_t bound;      /* cost + data accesses to the run's end * tlb_miss: no event can
                          * come due inside a block entered here while cycles + bound <= ev */
    uint32_t imm;        /* simm18, uimm18, shamt, uimm20 << 12, port, or a pc offset in bytes */
    uint32_t cost;       /* table cycles from here to the end of the run, this one included */
    uint16_t len;        /* instructions from here to the end of the run; 0 = not decoded */
    union {
        uint16_t nmem;   /* data accesses among them */
        uint16_t target; /* branches and jumps (whose nmem is 0): the slot of the target
                          * when it is in the same page, else CPU_NO_TARGET */
    };
    uint8_t op, rd, rs1, rs2;   /* stores and branches: rs2 is the value / second register */
} cpu_slot;

typedef struct jit_page jit_page;
typedef struct jit_state jit_state;

typedef struct {
    cpu_slot slot[CODE_SLOTS + 1];   /* + the sentinel, a KIND_END */
    uint32_t frame;                  /* physical address of the page */
    uint32_t ndecoded;               /* slots with len != 0 */
    jit_page *jit;                   /* host code translated from this page, or NULL */
} code_page;

typedef struct {
    code_page **pool;        /* CODE_POOL_MAX entries, allocated as needed */
    uint32_t npool, victim;  /* pages in use; the next to reuse */
    uint16_t *map;           /* physical page number -> pool index + 1, 0 = no decoded code */
    const void *const *handlers;   /* cpu_run's label table, by kind */
    uint8_t cls[ISA_NUM_OPCODES];  /* CLS_* of each opcode (code.c) */
    machine_code_hook hook; void *hook_ud;
    machine_code_stats st;
} code_cache;

struct machine {
    machine_config cfg;
    machine_state s;
    uint8_t *mem;
    uint8_t *disk;
    uint8_t cost[ISA_NUM_OPCODES];      /* cycles per opcode, from isa_table */
    bool priv[ISA_NUM_OPCODES];         /* privileged outside ring 0 under cfg.profile */

    char *out;  size_t out_len, out_cap;         /* console output */
    char *in;   size_t in_head, in_len, in_cap;  /* console input queue */
    machine_console_sink sink; void *sink_ud;

    machine_trap_hook trap_hook; void *trap_ud;
    machine_insn_hook insn_hook; void *insn_ud;
    machine_vmexit_hook vmexit_hook; void *vmexit_ud;
    uint32_t *bps; size_t nbps, bps_cap;
    bool bp_resume; uint32_t bp_resume_pc;   /* resuming at a breakpoint executes it */
    bool stop_on_trap;
    bool in_trap_hook;           /* a trap raised inside the hook skips it */

    /* Run control.  The interpreter compares the cycle counter with
     * event_cycle once per instruction; anything that needs attention sets
     * it to 0. */
    uint64_t event_cycle;
    uint64_t run_limit;          /* instret at which the run stops */
    uint64_t event_tick;         /* event_cycle without the limit (0: a hook or breakpoints) */
    machine_stop stop_req;       /* STOP_NONE, STOP_REQUESTED or STOP_TRAP */
    /* PG and ptb as of the last flush: a hook that writes them directly
     * through machine_cpu() still gets the flush mtcr would have done. */
    uint32_t seen_pg, seen_ptb;
    code_cache code;             /* derived from memory: not part of a snapshot */
    bool jit_on;                 /* translate runs to host code (TRAPLAB_JIT, at machine_new) */
    jit_state *jit;              /* the host code buffer, made at the first translation */
    host_tlb htlb;               /* derived from the TLB and memory: the same */
    bool engine_init;            /* cpu_run only hands out its handler table */
};

/* mmu.c */
/* The page walk, no side effects: CAUSE_NONE and *pa, or the cause and *fault_addr. */
unsigned mmu_walk(const machine *m, uint32_t va, isa_access acc, unsigned ring,
                  uint32_t *pa, uint32_t *fault_addr);
/* TLB lookup and fill for the current ring and address space; counts hits and
 * misses and charges the miss cost to *cycles.  Returns CAUSE_NONE and a host
 * pointer in *host, else the cause and *fault_addr. */
unsigned mmu_access(machine *m, uint32_t va, isa_access acc, uint64_t *cycles,
                    uint8_t **host, uint32_t *fault_addr);
void mmu_flush(machine *m);
/* Empties the host's data TLB (all of it, or the write entries of one frame). */
void mmu_host_flush(machine *m);
void mmu_host_drop_frame(machine *m, uint32_t frame);

/* trap.c */
/* Fills in ring, cycle and instret from the machine and delivers (or hands
 * to the hook); may set a fatal stop.  m->s.cpu.pc and stats must be current. */
void cpu_take_trap(machine *m, machine_trap *t);
void cpu_fatal(machine *m, const char *fmt, ...);

/* devices.c */
uint32_t dev_port_in(machine *m, uint32_t port);
void dev_port_out(machine *m, uint32_t port, uint32_t value);
void dev_timer_set_period(machine *m, uint32_t period);
void dev_timer_update(machine *m);          /* marks ticks that have passed */
bool dev_console_irq(const machine *m);
void dev_console_putc(machine *m, int ch);

/* hvext.c: the virtualization extension.  Each returns true when it took a
 * VM exit (the CPU is then in host mode, or re-entered by the hook). */
/* vmenter rd (in ring 0; in guest mode it exits). */
void hv_vmenter_insn(machine *m, uint32_t w);
/* A system instruction in guest mode: exits when the controls intercept it. */
bool hv_intercept_insn(machine *m, uint32_t w);
/* A trap in guest mode: exits when intercepted (hcall in ring 0, the
 * exception bitmap, a second-stage fault); false: deliver it to the guest. */
bool hv_intercept_trap(machine *m, const machine_trap *t);
/* The guest cannot take a trap: a triple-fault exit. */
void hv_triple_fault(machine *m, const machine_trap *t);
/* Host interrupts and the interrupt window, at an instruction boundary. */
bool hv_events(machine *m);
/* mmu_walk in guest mode. */
unsigned hv_walk(const machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa,
                 uint32_t *fault_addr, bool *nested, uint32_t *gpa, bool *walk, unsigned *refs);
/* A TLB miss in guest mode: the walk (two-stage, or one with VMCB_CTRL_NO_NPT),
 * its cycles added to *cycles, the counters, a nested fault kept for the exit. */
unsigned hv_tlb_fill(machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa,
                     uint32_t *fault_addr, uint64_t *cycles);

/* cpu.c */
/* Events at an instruction boundary: stop requests, the limit, timer ticks,
 * interrupts, breakpoints, the instruction hook.  STOP_NONE to go on. */
machine_stop cpu_events(machine *m);
/* Executes one privileged/system instruction outside the fast loop. */
void cpu_exec_system(machine *m, uint32_t w);
/* As mtcr in ring 0. */
void cpu_write_cr(machine *m, unsigned cr, uint32_t v);
/* Flushes the TLB when PG or ptb changed behind the machine's back. */
void cpu_sync_mmu(machine *m);
machine_stop cpu_run(machine *m);

/* code.c */
bool code_init(machine *m);
void code_classes(machine *m);
void code_free(machine *m);
/* The decoded page for a physical frame, allocated (or reused) if needed; never NULL. */
code_page *code_page_of(machine *m, uint32_t frame);
/* Decodes the run starting at slot idx of the page. */
void code_decode(machine *m, code_page *pg, unsigned idx);
/* Drops decoded code overlapping [pa, pa + n); true when any was dropped. */
bool code_written(machine *m, uint32_t pa, uint32_t n);
/* Drops everything (memory may have changed anywhere). */
void code_flush(machine *m);
/* The interpreter's handler for a decoded slot, from its fields (what
 * decoding chose; a slot marked KIND_HOT or KIND_JIT goes back to it). */
const void *code_handler(const machine *m, const cpu_slot *s);
/* Is pa in a page with decoded code? */
static inline bool code_page_hot(const machine *m, uint32_t pa)
{
    return m->code.map[pa >> PAGE_SHIFT] != 0;
}
/* Does a store to the word at pa overwrite decoded code?  (The store fast
 * path's check: runs are decoded to their end, so a run through this word
 * has this word decoded.) */
static inline bool code_word_live(const machine *m, uint32_t pa)
{
    uint16_t k = m->code.map[pa >> PAGE_SHIFT];
    return k && m->code.pool[k - 1]->slot[(pa & 0xfffu) >> 2].len != 0;
}

/*
 * jit_x86_64.c, or jit_stub.c on other hosts: host-code translation of
 * decoded runs (docs/machine.md, "The engine").  A translation starts at a
 * run's first slot and runs the run to its end, entered "charged" like any
 * handler (the run's cycles and instructions already counted).  It leaves
 * either at a block boundary (JIT_ENTER: ctx->pc is the next pc, nothing of
 * the next block charged) or at a slot it does not handle (a TLB miss, a
 * store to a page with decoded code, an instruction it does not translate):
 * the interpreter then runs that slot and the rest of the run, exactly as if
 * it had got there itself.  It calls nothing and takes no trap.
 */
typedef struct {
    uint64_t cycles, instret;   /* in and out */
    uint64_t ev;                /* in: cpu_run's event threshold */
    uint64_t hmode;             /* in: the host TLB's generation and mode */
    uint64_t hits;              /* out: host TLB hits */
    uint32_t pcbase;            /* in: the virtual address of the page */
    uint32_t pc;                /* out, with JIT_ENTER */
} jit_ctx;
#define JIT_ENTER 0xffffffffu
/* Does this host have a translator at all? */
bool jit_supported(void);
/* Translates the run at slot idx of pg and marks the slot KIND_JIT; false
 * when it cannot (the slot then keeps its interpreter handler). */
bool jit_compile(machine *m, code_page *pg, unsigned idx);
/* Runs the translation at slot idx: JIT_ENTER, or the slot to go on at. */
uint32_t jit_run(machine *m, code_page *pg, unsigned idx, jit_ctx *ctx);
/* Forgets the page's translations (its KIND_JIT slots get their handlers back). */
void jit_invalidate(machine *m, code_page *pg);
void jit_free(machine *m);

#endif
