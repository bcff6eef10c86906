/*
 * hvext.c -- the virtualization extension: guest mode, the VM control
 * block, vmenter and VM exits, and two-stage translation (docs/isa.md,
 * "Guest mode").  Modelled on the RISC-V H extension (a virtualization mode
 * beside the privilege level, two-stage translation, a virtual-instruction
 * exception) and on VT-x/SVM (a control block with exit controls, an exit
 * reason and qualification, event injection, an interrupt window).
 *
 * The rest of the machine calls in at five small places: cpu_exec_system
 * (an intercepted instruction), cpu_take_trap (an intercepted trap, or one
 * the guest cannot take), cpu_events (host interrupts), mmu_walk and
 * mmu_access (the two-stage walk and its cost).  Outside guest mode none of
 * this runs, so the bare machine's cycle counts do not change.
 */
#include "machine/internal.h"

static uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

/* The VMCB is a whole page inside memory (checked at vmenter). */
static uint32_t vmcb_rd(const machine *m, uint32_t off) { return ld32(m->mem + m->s.hv.vmcb + off); }
static void vmcb_wr(machine *m, uint32_t off, uint32_t v)
{
    st32(m->mem + m->s.hv.vmcb + off, v);
    code_written(m, m->s.hv.vmcb + off, 4);     /* (a VMCB is data, but memory is memory) */
}

/* The control registers each world has its own copy of. */
static const struct { unsigned cr; uint32_t off; } banked[] = {
    { CR_STATUS, VMCB_GUEST_STATUS }, { CR_TVB, VMCB_GUEST_TVB }, { CR_PTB, VMCB_GUEST_PTB },
    { CR_EPC, VMCB_GUEST_EPC }, { CR_ESTATUS, VMCB_GUEST_ESTATUS }, { CR_CAUSE, VMCB_GUEST_CAUSE },
    { CR_BADADDR, VMCB_GUEST_BADADDR }, { CR_SCRATCH, VMCB_GUEST_SCRATCH },
};
#define NBANKED (sizeof banked / sizeof banked[0])

/* Without address-space tags in the TLB, every world switch flushes it, as
 * VT-x did before VPIDs. */
static void switch_mmu(machine *m)
{
    m->seen_pg = m->s.cpu.cr[CR_STATUS] & STATUS_PG;
    m->seen_ptb = m->s.cpu.cr[CR_PTB];
    mmu_flush(m);
}

/* ---- two-stage translation ------------------------------------------------ */
static bool phys_word(const machine *m, uint32_t pa, uint32_t *v)
{
    if (pa > m->cfg.mem_size - 4)
        return false;
    *v = ld32(m->mem + pa);
    return true;
}

static const uint32_t need[3] = { PTE_R, PTE_W, PTE_X };

/* The second stage: guest physical to host physical by the hypervisor's table. */
static bool stage2(const machine *m, uint32_t nptb, uint32_t gpa, isa_access acc, uint32_t *hpa,
                   unsigned *refs)
{
    uint32_t l1, l2;
    (*refs)++;
    if (!phys_word(m, (nptb & ~0xfffu) + VA_L1(gpa) * 4, &l1) || !(l1 & PTE_V))
        return false;
    (*refs)++;
    if (!phys_word(m, PTE_FRAME(l1) + VA_L2(gpa) * 4, &l2) || !(l2 & PTE_V) || !(l2 & need[acc]))
        return false;
    if (PTE_FRAME(l2) >= m->cfg.mem_size)
        return false;
    *hpa = PTE_FRAME(l2) | (gpa & 0xfffu);
    return true;
}

unsigned machine_walk2(const machine *m, const uint32_t cr[ISA_NUM_CRS], uint32_t nptb,
                       uint32_t va, isa_access acc, unsigned ring, uint32_t *hpa,
                       uint32_t *gpa, bool *nested, bool *walk, unsigned *refs)
{
    *nested = *walk = false;
    uint32_t g = va;
    if (cr[CR_STATUS] & STATUS_PG) {
        /* Each read of the guest's own table is at a guest-physical address,
         * so it is itself a second-stage walk: (2 + 1) x (2 + 1) - 1 = 8 reads. */
        uint32_t ptb = cr[CR_PTB] & ~0xfffu, e[2], a = ptb + VA_L1(va) * 4, h;
        for (int level = 0; level < 2; level++) {
            if (!stage2(m, nptb, a, ACCESS_READ, &h, refs)) {
                *nested = *walk = true;
                *gpa = a;
                return CAUSE_PAGE_FAULT;
            }
            (*refs)++;
            e[level] = ld32(m->mem + h);      /* h is word-aligned inside a frame in memory */
            if (!(e[level] & PTE_V))
                return CAUSE_PAGE_FAULT;
            a = PTE_FRAME(e[level]) + VA_L2(va) * 4;
        }
        if (!(e[1] & need[acc]) || ring > PTE_RING(e[1]))
            return CAUSE_PAGE_FAULT;
        g = PTE_FRAME(e[1]) | (va & 0xfffu);
    }
    if (!stage2(m, nptb, g, acc, hpa, refs)) {
        *nested = true;
        *gpa = g;
        return CAUSE_BUS_ERROR;
    }
    return CAUSE_NONE;
}

/* Without nested paging (VMCB_CTRL_NO_NPT): one stage, the hypervisor's
 * table (a shadow page table) from guest virtual straight to host physical,
 * whatever the guest's own PG says; a fault is an ordinary guest trap. */
static unsigned walk1(const machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa,
                      uint32_t *fault_addr, unsigned *refs)
{
    uint32_t l1, l2, root = m->s.hv.nptb & ~0xfffu;
    *fault_addr = va;
    (*refs)++;
    if (!phys_word(m, root + VA_L1(va) * 4, &l1) || !(l1 & PTE_V))
        return CAUSE_PAGE_FAULT;
    (*refs)++;
    if (!phys_word(m, PTE_FRAME(l1) + VA_L2(va) * 4, &l2) || !(l2 & PTE_V))
        return CAUSE_PAGE_FAULT;
    if (!(l2 & need[acc]) || ring > PTE_RING(l2))
        return CAUSE_PAGE_FAULT;
    if (PTE_FRAME(l2) >= m->cfg.mem_size) {
        *fault_addr = PTE_FRAME(l2) | (va & 0xfffu);
        return CAUSE_BUS_ERROR;
    }
    *pa = PTE_FRAME(l2) | (va & 0xfffu);
    return CAUSE_NONE;
}

unsigned hv_walk(const machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa,
                 uint32_t *fault_addr, bool *nested, uint32_t *gpa, bool *walk, unsigned *refs)
{
    *fault_addr = va;
    if (m->s.hv.ctrl & VMCB_CTRL_NO_NPT) {
        *nested = *walk = false;
        return walk1(m, va, acc, ring, pa, fault_addr, refs);
    }
    return machine_walk2(m, m->s.cpu.cr, m->s.hv.nptb, va, acc, ring, pa, gpa, nested, walk, refs);
}

unsigned hv_tlb_fill(machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa,
                     uint32_t *fault_addr, uint64_t *cycles)
{
    hv_state *h = &m->s.hv;
    bool nested, walk;
    uint32_t gpa = 0;
    unsigned refs = 0;
    if (h->ctrl & VMCB_CTRL_NO_NPT) {
        *cycles += m->cfg.costs.tlb_miss;
    } else {
        m->s.stats.tlb_misses_nested++;
        *cycles += m->cfg.costs.tlb_miss_nested;
    }
    unsigned c = hv_walk(m, va, acc, ring, pa, fault_addr, &nested, &gpa, &walk, &refs);
    m->s.stats.walk_refs += refs;
    /* a second-stage fault is kept for the exit */
    h->nf_pending = c != CAUSE_NONE && nested;
    h->nf_gpa = gpa;
    h->nf_walk = walk;
    return c;
}

/* ---- VM exits ---------------------------------------------------------------- */
/* The hardware half of every exit: the guest's state and the exit's
 * information to the VMCB, the host's state back, then the hypervisor. */
static void vm_exit(machine *m, uint32_t reason, uint32_t qual, uint32_t pc, uint32_t resume,
                    uint32_t addr, uint32_t insn, uint32_t info)
{
    hv_state *h = &m->s.hv;
    cpu_state *c = &m->s.cpu;
    machine_vmexit e = { .reason = reason, .qual = qual, .pc = pc, .addr = addr, .insn = insn,
                         .info = info, .ring = (uint8_t)(c->cr[CR_STATUS] & STATUS_RING_MASK),
                         .cycle = m->s.stats.cycles, .instret = m->s.stats.instret };
    vmcb_wr(m, VMCB_EXIT_REASON, reason);
    vmcb_wr(m, VMCB_EXIT_QUAL, qual);
    vmcb_wr(m, VMCB_EXIT_PC, pc);
    vmcb_wr(m, VMCB_EXIT_ADDR, addr);
    vmcb_wr(m, VMCB_EXIT_INSN, insn);
    vmcb_wr(m, VMCB_EXIT_INFO, info);
    vmcb_wr(m, VMCB_GUEST_PC, resume);
    for (unsigned i = 0; i < NBANKED; i++) {
        vmcb_wr(m, banked[i].off, c->cr[banked[i].cr]);
        c->cr[banked[i].cr] = h->host_cr[banked[i].cr];
    }
    c->pc = h->host_pc;
    h->guest = false;
    h->pg = 0;
    h->nf_pending = false;
    m->s.stats.vm_exits++;
    if (reason < ISA_NUM_EXIT_REASONS)
        m->s.stats.exits_by_reason[reason]++;
    m->s.stats.cycles += m->cfg.costs.vm_exit;
    switch_mmu(m);
    m->event_cycle = 0;
    if (m->stop_on_trap)
        m->stop_req = STOP_TRAP;
    if (m->vmexit_hook)
        m->vmexit_hook(m, &e, m->vmexit_ud);
}

static bool always_exits(uint32_t w)
{
    switch (ISA_OP(w)) {
    case OP_HALT: case OP_WFI: case OP_VMENTER: case OP_IN: case OP_OUT:
        return true;
    case OP_MFCR:   /* the real timer and cycle counter are the host's */
        return ISA_RS1(w) == CR_TIMECMP || ISA_RS1(w) == CR_CYCLE;
    case OP_MTCR:
        return ISA_RD(w) == CR_TIMECMP || ISA_RD(w) == CR_CYCLE;
    default:
        return false;
    }
}

/* Without nested paging the hypervisor's shadow must follow the guest's
 * address space: a new ptb, and paging switched on or off (by mtcr status or
 * by an iret whose estatus differs in PG), exit, as CR3 loads and CR0.PG
 * changes do on VT-x without EPT.  Other control registers do not. */
static bool shadow_exits(const machine *m, uint32_t w)
{
    const cpu_state *c = &m->s.cpu;
    switch (ISA_OP(w)) {
    case OP_MTCR:
        return ISA_RD(w) == CR_PTB ||
               (ISA_RD(w) == CR_STATUS && ((c->r[ISA_RS1(w)] ^ c->cr[CR_STATUS]) & STATUS_PG));
    case OP_IRET:
        return ((c->cr[CR_ESTATUS] ^ c->cr[CR_STATUS]) & STATUS_PG) != 0;
    default:
        return false;
    }
}

bool hv_intercept_insn(machine *m, uint32_t w)
{
    const hv_state *h = &m->s.hv;
    unsigned op = ISA_OP(w);
    /* The controls are for the guest's kernel; in its other rings the
     * privileged instructions trap to that kernel, as on the bare machine. */
    if ((m->s.cpu.cr[CR_STATUS] & STATUS_RING_MASK) != 0)
        return false;
    if (!always_exits(w) && !((h->exit_insns[op >> 5] >> (op & 31)) & 1u) &&
        !((h->ctrl & VMCB_CTRL_NO_NPT) && shadow_exits(m, w)))
        return false;
    uint32_t pc = m->s.cpu.pc;
    if (op == OP_IN || op == OP_OUT)
        vm_exit(m, EXIT_IO, ISA_UIMM18(w) | (op == OP_OUT ? VMCB_QUAL_OUT : 0), pc, pc, 0, w, 0);
    else
        vm_exit(m, EXIT_VIRTUAL_INSN, w, pc, pc, 0, w, 0);
    return true;
}

bool hv_intercept_trap(machine *m, const machine_trap *t)
{
    hv_state *h = &m->s.hv;
    unsigned code = CAUSE_CODE(t->cause);
    unsigned acc = CAUSE_ACCESS(t->cause);
    if (h->injecting)
        return false;
    if (h->nf_pending && (code == CAUSE_PAGE_FAULT || code == CAUSE_BUS_ERROR)) {
        uint32_t info = acc | (h->nf_walk ? VMCB_INFO_WALK : 0);
        vm_exit(m, EXIT_NESTED_FAULT, h->nf_gpa, t->pc, t->pc, t->addr, t->insn, info);
        return true;
    }
    h->nf_pending = false;
    if (code == CAUSE_HYPERCALL && (m->s.cpu.cr[CR_STATUS] & STATUS_RING_MASK) == 0) {
        vm_exit(m, EXIT_HYPERCALL, 0, t->pc, t->pc, 0, t->insn, 0);
        return true;
    }
    if (code < 32 && ((h->exit_exc >> code) & 1u)) {
        vm_exit(m, EXIT_EXCEPTION, t->cause, t->pc, t->epc, t->addr, t->insn, acc);
        return true;
    }
    return false;
}

void hv_triple_fault(machine *m, const machine_trap *t)
{
    vm_exit(m, EXIT_TRIPLE_FAULT, t->cause, t->pc, t->pc, t->addr, t->insn, CAUSE_ACCESS(t->cause));
}

bool hv_events(machine *m)
{
    uint32_t pc = m->s.cpu.pc;
    if (m->s.timer_pending || dev_console_irq(m)) {
        /* A host interrupt always leaves the guest, whatever its IE says:
         * the host's devices are not the guest's.  The exit acknowledges it. */
        unsigned cause = m->s.timer_pending ? CAUSE_TIMER : CAUSE_DEVICE;
        m->s.timer_pending = false;
        vm_exit(m, EXIT_INTERRUPT, cause, pc, pc, 0, 0, 0);
        return true;
    }
    if ((m->s.hv.ctrl & VMCB_CTRL_INTR_WINDOW) && (m->s.cpu.cr[CR_STATUS] & STATUS_IE)) {
        vm_exit(m, EXIT_INTR_WINDOW, 0, pc, pc, 0, 0, 0);
        return true;
    }
    return false;
}

/* ---- vmenter ----------------------------------------------------------------- */
bool machine_vmenter(machine *m, uint32_t pa)
{
    hv_state *h = &m->s.hv;
    cpu_state *c = &m->s.cpu;
    if (h->guest || (pa & 0xfffu) || m->cfg.mem_size < PAGE_SIZE || pa > m->cfg.mem_size - PAGE_SIZE)
        return false;
    h->vmcb = pa;
    for (unsigned i = 0; i < NBANKED; i++) {
        h->host_cr[banked[i].cr] = c->cr[banked[i].cr];
        c->cr[banked[i].cr] = vmcb_rd(m, banked[i].off);
    }
    c->cr[CR_STATUS] &= STATUS_WRITABLE;
    h->host_pc = c->pc;
    c->pc = vmcb_rd(m, VMCB_GUEST_PC);
    h->nptb = vmcb_rd(m, VMCB_NPTB);
    h->ctrl = vmcb_rd(m, VMCB_CTRL);
    h->exit_insns[0] = vmcb_rd(m, VMCB_EXIT_INSNS_LO);
    h->exit_insns[1] = vmcb_rd(m, VMCB_EXIT_INSNS_HI);
    h->exit_exc = vmcb_rd(m, VMCB_EXIT_EXCEPTIONS);
    h->guest = true;
    h->pg = STATUS_PG;
    h->nf_pending = false;
    m->s.stats.vm_entries++;
    m->s.stats.cycles += m->cfg.costs.vm_enter;
    switch_mmu(m);
    m->event_cycle = 0;
    uint32_t inj = vmcb_rd(m, VMCB_INJECT);
    if (inj & VMCB_INJECT_VALID) {
        /* Event injection: the trap is delivered into the guest as the
         * hardware would have, on the way in; the exception bitmap does not
         * apply to it. */
        vmcb_wr(m, VMCB_INJECT, 0);
        machine_trap t = { .cause = inj & 0xffffu, .pc = c->pc, .epc = c->pc,
                           .addr = vmcb_rd(m, VMCB_INJECT_ADDR) };
        h->injecting = true;
        cpu_take_trap(m, &t);
        h->injecting = false;
    }
    return true;
}

void hv_vmenter_insn(machine *m, uint32_t w)
{
    cpu_state *c = &m->s.cpu;
    uint32_t pc = c->pc;
    c->pc = pc + 4;          /* where the host resumes after the guest exits */
    if (!machine_vmenter(m, c->r[ISA_RD(w)])) {
        c->pc = pc;
        machine_trap t = { .cause = CAUSE_MAKE(CAUSE_ILLEGAL_INSN, ACCESS_READ), .pc = pc, .epc = pc,
                           .addr = c->r[ISA_RD(w)], .insn = w };
        cpu_take_trap(m, &t);
    }
}

bool machine_guest_mode(const machine *m) { return m->s.hv.guest; }
uint32_t machine_vmcb(const machine *m) { return m->s.hv.vmcb; }

void machine_set_vmexit_hook(machine *m, machine_vmexit_hook fn, void *ud)
{
    m->vmexit_hook = fn;
    m->vmexit_ud = ud;
}
