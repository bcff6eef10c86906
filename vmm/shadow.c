/*
 * shadow.c -- memory virtualization for unmodified guests: shadow page
 * tables that map guest-virtual addresses straight to host-physical frames
 * inside the VM's partition.
 *
 * The real MMU only ever walks a shadow table, which lives in the VMM
 * region, so a guest can reach nothing but its own partition.  Shadows are
 * filled lazily on hidden page faults.  The guest's own page-table pages are
 * mapped read-only in the shadow: a store into one traps, the VMM performs
 * it and drops the shadow entries it invalidates (a "sync"), which is how
 * the shadow stays exact without the guest's help.  This is the memory half
 * of the full, paravirtual and translating designs (vmm_shadow_mem).
 */
#include <string.h>

#include "vmm/internal.h"

static bool gword(const vmm *v, const vmm_vm *vm, uint32_t gpa, uint32_t *w)
{
    if (!vmm_gpa_ok(v, gpa, 4))
        return false;
    *w = vmm_rd32(machine_mem_view(v->m) + vm->base + gpa);
    return true;
}

unsigned vmm_gwalk(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                   uint32_t *gpa, uint32_t *fault_addr)
{
    uint32_t pte;
    return vmm_gwalk_pte(v, vm, va, acc, vring, gpa, fault_addr, &pte);
}

/* The guest's walk, exactly as machine/mmu.c does it, with the partition as memory. */
unsigned vmm_gwalk_pte(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                       uint32_t *gpa, uint32_t *fault_addr, uint32_t *pte)
{
    *fault_addr = va;
    *pte = PTE_V | PTE_R | PTE_W | PTE_X | (3u << PTE_RING_SHIFT);
    if (!(vm->vc.cr[CR_STATUS] & STATUS_PG)) {
        if (va >= v->cfg.part_size)
            return CAUSE_BUS_ERROR;
        *gpa = va;
        return CAUSE_NONE;
    }
    uint32_t l1, l2;
    uint32_t ptb = vm->vc.cr[CR_PTB] & ~0xfffu;
    if (!gword(v, vm, ptb + VA_L1(va) * 4, &l1) || !(l1 & PTE_V))
        return CAUSE_PAGE_FAULT;
    if (!gword(v, vm, PTE_FRAME(l1) + VA_L2(va) * 4, &l2) || !(l2 & PTE_V))
        return CAUSE_PAGE_FAULT;
    static const uint32_t need[3] = { PTE_R, PTE_W, PTE_X };
    if (!(l2 & need[acc]) || vring > PTE_RING(l2))
        return CAUSE_PAGE_FAULT;
    uint32_t frame = PTE_FRAME(l2);
    if (frame >= v->cfg.part_size) {
        *fault_addr = frame | (va & 0xfffu);
        return CAUSE_BUS_ERROR;
    }
    *pte = l2;
    *gpa = frame | (va & 0xfffu);
    return CAUSE_NONE;
}

void vmm_shadow_protect(vmm *v, vmm_vm *vm, uint32_t gpa)
{
    if (gpa >= v->cfg.part_size || vmm_is_code_frame(v, vm, gpa))
        return;
    uint32_t f = gpa >> PAGE_SHIFT;
    vm->bt.codemap[f >> 3] |= (uint8_t)(1u << (f & 7));
    /* Entries already mapping the frame writable lose W (shadow tables are
     * never code: the view does not drop the machine's decoded code). */
    uint8_t *mem = machine_mem_view(v->m);
    uint32_t host = vm->base + (gpa & ~0xfffu);
    bool any = false;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t l1 = vmm_rd32(mem + vm->shadow_l1 + 4 * i);
        if (!(l1 & PTE_V))
            continue;
        uint8_t *l2 = mem + PTE_FRAME(l1);
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t e = vmm_rd32(l2 + 4 * j);
            if ((e & PTE_V) && (e & PTE_W) && PTE_FRAME(e) == host) {
                vmm_wr32(l2 + 4 * j, e & ~PTE_W);
                any = true;
            }
        }
    }
    if (any)
        machine_tlb_flush(v->m);
}

static void mark_pt(const vmm *v, vmm_vm *vm, uint32_t gpa)
{
    if (gpa >= v->cfg.part_size)
        return;
    uint32_t f = gpa >> PAGE_SHIFT;
    vm->ptmap[f >> 3] |= (uint8_t)(1u << (f & 7));
}

/* Which guest frames hold the current address space's page tables. */
static void recompute_pt(vmm *v, vmm_vm *vm)
{
    memset(vm->ptmap, 0, v->cfg.part_size / PAGE_SIZE / 8 + 1);
    if (!(vm->vc.cr[CR_STATUS] & STATUS_PG))
        return;
    uint32_t ptb = vm->vc.cr[CR_PTB] & ~0xfffu;
    if (!vmm_gpa_ok(v, ptb, PAGE_SIZE))
        return;
    mark_pt(v, vm, ptb);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t l1;
        if (gword(v, vm, ptb + 4 * i, &l1) && (l1 & PTE_V))
            mark_pt(v, vm, PTE_FRAME(l1));
    }
}

void vmm_shadow_reset(vmm *v, vmm_vm *vm)
{
    memset(machine_mem_view(v->m) + vm->shadow_l1, 0, PAGE_SIZE);
    machine_code_invalidate(v->m, vm->shadow_l1, PAGE_SIZE);
    vm->pool_used = 0;
    recompute_pt(v, vm);
    if (v->cur >= 0 && &v->vm[v->cur] == vm)
        machine_tlb_flush(v->m);
}

void vmm_shadow_flush(vmm *v, vmm_vm *vm, const char *why)
{
    vmm_shadow_reset(v, vm);
    vm->st.shadow_flushes++;
    vmm_step_event(v, vm, VMM_BY_SHADOW, LAYER_VMM, v->cfg.costs.shadow_flush, why);
}

/* Installs the shadow entry for va; false when the pool had to be recycled
 * and still has no room (cannot happen with a pool of 2 or more). */
static bool shadow_fill(vmm *v, vmm_vm *vm, uint32_t va, uint32_t gpa, uint32_t gpte)
{
    uint8_t *mem = machine_mem_view(v->m);     /* shadow tables: never code */
    uint8_t *l1 = mem + vm->shadow_l1 + VA_L1(va) * 4;
    uint32_t e = vmm_rd32(l1);
    if (!(e & PTE_V)) {
        if (vm->pool_used >= (v->shadow_pages ? v->shadow_pages : v->cfg.shadow_pool)) {
            vmm_shadow_flush(v, vm, "shadow pool full: start over");
            e = 0;
        }
        uint32_t page = vm->pool_base + vm->pool_used++ * PAGE_SIZE;
        memset(mem + page, 0, PAGE_SIZE);
        e = page | PTE_V;
        vmm_wr32(l1, e);
    }
    uint32_t perm = gpte & (PTE_R | PTE_W | PTE_X);
    if (vmm_is_pt_frame(v, vm, gpa) || vmm_is_code_frame(v, vm, gpa))
        perm &= ~PTE_W;    /* write-protect the guest's page tables (and translated code) */
    uint32_t ring = v->shadow_in_guest_mode ? PTE_RING(gpte) : vmm_real_ring(PTE_RING(gpte));
    uint32_t spte = (vm->base + (gpa & ~0xfffu)) | perm | PTE_V | ring << PTE_RING_SHIFT;
    vmm_wr32(mem + PTE_FRAME(e) + VA_L2(va) * 4, spte);
    machine_tlb_flush(v->m);
    return true;
}

void vmm_shadow_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n)
{
    /* What the VMM wrote may be code the guest runs next (also when the
     * emulated stores below call this directly, not through vmm_mem_written). */
    machine_code_invalidate(v->m, vm->base + gpa, n);
    if (!(vm->vc.cr[CR_STATUS] & STATUS_PG) || n == 0)
        return;
    uint32_t first = gpa >> PAGE_SHIFT, last = (gpa + n - 1) >> PAGE_SHIFT;
    bool any = false;
    for (uint32_t f = first; f <= last; f++)
        any |= vmm_is_pt_frame(v, vm, f << PAGE_SHIFT);
    if (!any)
        return;
    vm->st.shadow_syncs++;
    uint32_t ptb = vm->vc.cr[CR_PTB] & ~0xfffu;
    if (first != last || (ptb >> PAGE_SHIFT) == first) {
        /* The level-1 table changed: a new level-2 table may have become a
         * page table while writable in the shadow, so start over. */
        vmm_shadow_reset(v, vm);
        vmm_step_event(v, vm, VMM_BY_SHADOW, LAYER_VMM, v->cfg.costs.shadow_sync,
                       "sync: guest level-1 table written, shadow dropped");
        return;
    }
    /* A level-2 table changed: clear the entry it feeds in every slot of the
     * shadow that maps through it. */
    uint8_t *mem = machine_mem_view(v->m);     /* shadow tables: never code */
    uint32_t idx = (gpa & 0xfffu) / 4;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t l1;
        if (!gword(v, vm, ptb + 4 * i, &l1) || !(l1 & PTE_V) || PTE_FRAME(l1) != (first << PAGE_SHIFT))
            continue;
        uint32_t s = vmm_rd32(mem + vm->shadow_l1 + 4 * i);
        if (s & PTE_V)
            vmm_wr32(mem + PTE_FRAME(s) + 4 * idx, 0);
    }
    machine_tlb_flush(v->m);
    vmm_step_event(v, vm, VMM_BY_SHADOW, LAYER_VMM, v->cfg.costs.shadow_sync,
                   "sync: guest page-table entry written, shadow entry dropped");
}

/* A store into a write-protected guest page table: do it for the guest. */
static void emulate_store(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    uint32_t w = t->insn;
    unsigned op = ISA_OP(w);
    unsigned size = op == OP_SW || op == OP_PUSHF ? 4 : op == OP_SH ? 2 : op == OP_SB ? 1 : 0;
    if (!size) {
        vmm_vm_fail(v, vm, "unsupported write into a page table by '%s' at pc 0x%08x",
                    isa_lookup_opcode(op) ? isa_lookup_opcode(op)->mnemonic : "?", t->pc);
        return;
    }
    cpu_state *c = v->c;
    uint32_t va, val;
    if (op == OP_PUSHF) {
        /* Legacy only (strict pushf traps before it stores): the hardware
         * was storing the real status, so store that, violation and all. */
        va = c->r[REG_SP] - 4;
        val = c->cr[CR_STATUS];
    } else {
        va = c->r[ISA_RS1(w)] + (uint32_t)ISA_SIMM18(w);
        val = c->r[ISA_RD(w)];
    }
    uint32_t gpa, fa;
    unsigned vring = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    unsigned cause = vmm_gwalk(v, vm, va, ACCESS_WRITE, vring, &gpa, &fa);
    if (cause != CAUSE_NONE || !vmm_gpa_ok(v, gpa, size)) {
        vm->st.reflected++;
        vmm_reflect(v, vm, CAUSE_MAKE(cause ? cause : CAUSE_BUS_ERROR, ACCESS_WRITE), t->pc, fa);
        return;
    }
    uint8_t *p = vmm_gpa_ptr(v, vm, gpa);
    for (unsigned k = 0; k < size; k++)
        p[k] = (uint8_t)(val >> (8 * k));
    vm->st.emulated++;
    vm->st.emulated_by_op[op]++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.emul_store);
    vmm_mem_written(v, vm, gpa, size);
    if (op == OP_PUSHF)
        c->r[REG_SP] = va;
    c->pc = t->pc + 4;
}

static void shadow_fault(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    uint32_t va = t->addr;
    isa_access acc = (isa_access)CAUSE_ACCESS(t->cause);
    if (acc > ACCESS_EXEC)
        acc = ACCESS_READ;
    unsigned vring = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    uint32_t gpa, fa, gpte;
    unsigned cause = vmm_gwalk_pte(v, vm, va, acc, vring, &gpa, &fa, &gpte);
    if (cause != CAUSE_NONE) {
        /* The guest's own tables say no: its kernel must see the fault. */
        if (cause == CAUSE_BUS_ERROR)
            vm->st.blocked++;    /* outside the partition: isolation held */
        vm->st.reflected++;
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.reflect);
        vmm_reflect(v, vm, CAUSE_MAKE(cause, acc), t->epc, fa);
        return;
    }
    if (acc == ACCESS_WRITE && vmm_is_pt_frame(v, vm, gpa)) {
        emulate_store(v, vm, t);
        return;
    }
    vm->st.shadow_fills++;
    vmm_step_event(v, vm, VMM_BY_SHADOW, LAYER_VMM, v->cfg.costs.shadow_fill,
                   "hidden page fault: fill a shadow entry");
    shadow_fill(v, vm, va, gpa, gpte);
    uint32_t pa;
    if (!v->shadow_in_guest_mode && machine_translate(v->m, va, acc, machine_ring(v->m), &pa) != CAUSE_NONE)
        vmm_vm_fail(v, vm, "shadow page table out of step at 0x%08x (VMM bug)", va);
    v->c->pc = t->pc;    /* retry the access */
}

bool vmm_guest_word(vmm *v, vmm_vm *vm, uint32_t va, isa_access acc, uint32_t *val,
                    uint32_t pc, uint32_t insn)
{
    (void)insn;
    if (va & 3) {
        vm->st.reflected++;
        vmm_reflect(v, vm, CAUSE_MAKE(CAUSE_MISALIGNED, acc), pc, va);
        return false;
    }
    unsigned vring = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    uint32_t gpa, fa;
    unsigned cause = vmm_gwalk(v, vm, va, acc, vring, &gpa, &fa);
    if (cause != CAUSE_NONE || !vmm_gpa_ok(v, gpa, 4)) {
        vm->st.reflected++;
        vmm_reflect(v, vm, CAUSE_MAKE(cause ? cause : CAUSE_BUS_ERROR, acc), pc, fa);
        return false;
    }
    uint8_t *p = vmm_gpa_ptr(v, vm, gpa);
    if (acc == ACCESS_WRITE) {
        vmm_wr32(p, *val);
        vmm_mem_written(v, vm, gpa, 4);
    } else {
        *val = vmm_rd32(p);
    }
    return true;
}

uint32_t vmm_shadow_root(const vmm *v, const vmm_vm *vm)
{
    (void)v;
    return vm->shadow_l1;
}

/* The exit: a hidden fault fixed here, or the guest's own fault reflected. */
vmm_handler vmm_shadow_fault(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    uint64_t before = vm->st.reflected;
    shadow_fault(v, vm, t);
    return vm->st.reflected != before ? VMM_BY_REFLECTION : VMM_BY_SHADOW;
}

const vmm_mem_ops vmm_shadow_mem = {
    .name = "shadow page tables",
    .root = vmm_shadow_root,
    .reset = vmm_shadow_reset,
    .flush = vmm_shadow_flush,
    .fault = vmm_shadow_fault,
    .written = vmm_shadow_written,
};
