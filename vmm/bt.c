/*
 * bt.c -- binary translation (--design bt), as VMware's VMM did it for x86
 * (Adams and Agesen, ASPLOS 2006, "Software virtualization"): the guest kernel runs
 * unmodified, but never directly.  Before a basic block of its code runs,
 * the translator scans it, copies the innocuous instructions unchanged and
 * replaces every sensitive one -- privileged, or sensitive without trapping
 * as popf, pushf, smsw and sidt are on the legacy profile -- by a call into
 * the VMM (a callout) or by inline code on the virtual CPU.  The guest's
 * user code runs directly, as under trap-and-emulate.
 *
 * The model on the simulated machine (docs/vmm.md, "Binary translation"):
 * a translated block's copied instructions are the guest's own words, so
 * the real CPU runs them where they are, in ring 1, for exactly their
 * cycles, and is stopped at the block's end; the VMM then carries out the
 * replaced instruction in C and charges what the callout or the inline code
 * costs (bt_callout or bt_inline plus the emulation) instead of a trap round
 * trip.  Entering a block costs bt_block, translating one bt_translate per
 * instruction.  No sensitive instruction of the guest kernel ever reaches
 * the CPU, which is why the legacy profile's observer (legacy.c) sees none.
 *
 * The translation cache is keyed by guest-virtual address and checked
 * against the guest-physical frame it was translated from.  A frame holding
 * translated code is write-protected in the shadow page table; a store into
 * it faults, is done by the VMM, and drops every block it overlaps
 * (self-modifying code and page-table changes are never served stale).  A
 * store that keeps faulting on a write-protected page (a page table, or
 * data beside translated code) is retranslated into a callout that does
 * the store and keeps the shadow in step without a fault (the paper's
 * adaptive binary translation).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

enum {
    BT_END_BRANCH,      /* a copied control transfer (or trap) ends the block */
    BT_END_SENSITIVE,   /* the last instruction is replaced: a callout or inline code */
    BT_END_STORE,       /* the last instruction is a store retranslated into a callout */
    BT_END_LIMIT,       /* the page or the length limit: falls through to the next block */
};
#define BT_MAX_BLOCK   64
#define BT_ADAPT_AFTER 2     /* faults on write-protected pages before a store becomes a callout */
#define NCACHE (sizeof ((vmm_vm *)0)->bt.cache / sizeof ((vmm_vm *)0)->bt.cache[0])
#define NSTORES (sizeof ((vmm_vm *)0)->bt.stores / sizeof ((vmm_vm *)0)->bt.stores[0])

typedef struct vmm_bt_block bt_block;

static unsigned vring_of(const vmm_vm *vm) { return vm->vc.cr[CR_STATUS] & STATUS_RING_MASK; }
static bt_block *slot(vmm_vm *vm, uint32_t va) { return &vm->bt.cache[(va >> 2) % NCACHE]; }

/* ---- what is replaced, and how --------------------------------------------------------- */
/* Inline code reads or writes the virtual CPU with a few instructions; the
 * rest needs the VMM's C code (a callout). */
static bool is_inline(unsigned op)
{
    return op == OP_SMSW || op == OP_SIDT || op == OP_PUSHF || op == OP_MFCR;
}

/* Sensitive in Popek and Goldberg's sense, trapping or not: the translator
 * replaces every PRIV and LEGACY instruction of isa.def, in both profiles. */
static bool is_sensitive(const isa_insn *in)
{
    return in && (in->privilege == PRIV_PRIV || in->privilege == PRIV_LEGACY);
}

static bool ends_block(const isa_insn *in)
{
    if (!in)
        return true;                        /* an unused opcode: the CPU traps ILLEGAL_INSN */
    switch (in->opcode) {
    case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU:
    case OP_J: case OP_JAL: case OP_JALR: case OP_SYSCALL: case OP_BRK: case OP_HCALL:
        return true;
    default:
        return false;
    }
}

static bool is_store(unsigned op) { return op == OP_SW || op == OP_SH || op == OP_SB; }

static bool store_is_callout(const vmm_vm *vm, uint32_t pc)
{
    const struct vmm_bt_store *s = &vm->bt.stores[(pc >> 2) % NSTORES];
    return s->callout && s->pc == pc;
}

/* ---- walks of the guest's tables ------------------------------------------------------- */
/* vmm_gwalk for the translator's own frequent walks (every block entry,
 * every store callout), remembered by page.  A walk reads only the status's
 * paging bit, ptb and the guest's page-table words; those words live in
 * frames the shadow write-protects (vm->ptmap), so every change to them
 * reaches bt_written, which moves walk_gen on, as does every shadow reset
 * or flush (the frames themselves are recomputed then).  *fa is set only
 * when the walk fails, as the callers read it. */
static inline unsigned walk(vmm *v, vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                            uint32_t *gpa, uint32_t *fa)
{
    struct vmm_bt_walk *w = &vm->bt.walks[((va >> PAGE_SHIFT) & 7u) | (acc == ACCESS_EXEC ? 8u : 0u)];
    /* the page, the access, the ring and paging in one word (bit 8: valid) */
    uint32_t tag = (va & ~0xfffu) | (uint32_t)acc | vring << 2 |
                   ((vm->vc.cr[CR_STATUS] & STATUS_PG) ? 1u << 4 : 0u) | 1u << 8;
    if (w->tag == tag && w->gen == vm->bt.walk_gen && w->ptb == vm->vc.cr[CR_PTB]) {
        *gpa = w->gpage | (va & 0xfffu);
        return CAUSE_NONE;
    }
    unsigned cause = vmm_gwalk(v, vm, va, acc, vring, gpa, fa);
    if (cause == CAUSE_NONE)
        *w = (struct vmm_bt_walk){ .tag = tag, .gpage = *gpa & ~0xfffu, .ptb = vm->vc.cr[CR_PTB],
                                   .gen = vm->bt.walk_gen };
    return cause;
}

/* ---- scanning a block ---------------------------------------------------------------- */
/* Reads a word of guest kernel code at va as the CPU would fetch it in
 * virtual ring 0; false when the fetch would fault. */
static bool fetch(vmm *v, vmm_vm *vm, uint32_t va, uint32_t *w, uint32_t *gpa)
{
    uint32_t fa;
    if ((va & 3) || vmm_gwalk(v, vm, va, ACCESS_EXEC, 0, gpa, &fa) != CAUSE_NONE ||
        !vmm_gpa_ok(v, *gpa, 4))
        return false;
    *w = vmm_rd32(vmm_gpa_ptr(v, vm, *gpa));
    return true;
}

/* Scans the block at va into b; false when its first word cannot be fetched. */
static bool scan(vmm *v, vmm_vm *vm, uint32_t va, bt_block *b)
{
    uint32_t w, gpa;
    if (!fetch(v, vm, va, &w, &b->gpa))
        return false;
    b->va = va;
    b->n = 0;
    b->nsens = 0;
    b->end = BT_END_LIMIT;
    for (uint32_t pc = va; b->n < BT_MAX_BLOCK; pc += 4) {
        if (pc != va && ((pc & 0xfffu) == 0 || !fetch(v, vm, pc, &w, &gpa)))
            break;                          /* the next page is another block */
        const isa_insn *in = isa_lookup_opcode(ISA_OP(w));
        b->n++;
        if (is_sensitive(in)) {
            b->end = BT_END_SENSITIVE;
            b->nsens = 1;
            b->last = w;
            break;
        }
        if (is_store(ISA_OP(w)) && store_is_callout(vm, pc)) {
            b->end = BT_END_STORE;
            b->nsens = 1;
            b->last = w;
            break;
        }
        if (ends_block(in)) {
            b->end = BT_END_BRANCH;
            break;
        }
    }
    return true;
}

static const char *replacement(unsigned op, unsigned end)
{
    if (end == BT_END_STORE)
        return "a callout that does the store and syncs the shadow (adaptive)";
    return is_inline(op) ? "inline code on the virtual CPU" : "a callout into the VMM";
}

/* ---- the trace's lines -------------------------------------------------------------- */
/* A translation step is data until the trace reads it (vmm_event_what):
 * these make its line from the event's args. */
static const char *mnemonic(uint32_t w) { return vmm_mnemonic_of(w) ? vmm_mnemonic_of(w) : "?"; }

static void line_translated(char *buf, size_t n, const vmm_event *e)   /* va, length, replaced */
{
    snprintf(buf, n, "translate the block at 0x%08x: %u instruction%s, %u replaced", e->args[0],
             e->args[1], e->args[1] == 1 ? "" : "s", e->args[2]);
}

static void line_replaced(char *buf, size_t n, const vmm_event *e)     /* pc, word, end */
{
    snprintf(buf, n, "sensitive %s at 0x%08x replaced by %s", mnemonic(e->args[1]), e->args[0],
             replacement(ISA_OP(e->args[1]), e->args[2]));
}

static void line_dropped(char *buf, size_t n, const vmm_event *e)      /* written, block */
{
    snprintf(buf, n, "guest wrote its code at 0x%08x: drop the translation of the block at 0x%08x",
             e->args[0], e->args[1]);
}

static void line_ran(char *buf, size_t n, const vmm_event *e)          /* end, inline, word */
{
    bool store = e->args[0] == BT_END_STORE;
    snprintf(buf, n, "%s: %s %s against the virtual CPU, no trap",
             store ? "callout (adaptive)" : e->args[1] ? "inline" : "callout", store ? "store" : "emulate",
             mnemonic(e->args[2]));
}

/* ---- the cache's index by frame ------------------------------------------------------- */
/* Each valid block is on the list of heads[its frame % 64], so that a write
 * looks only at the blocks of the frames it touches (a block never spans
 * two pages: the page's end ends it). */
static uint16_t *heads_of(vmm_vm *vm, uint32_t gpa) { return &vm->bt.heads[(gpa >> PAGE_SHIFT) % 64]; }

static void unlink_block(vmm_vm *vm, bt_block *b)
{
    if (!b->n)
        return;
    uint16_t *h = heads_of(vm, b->gpa);
    if (b->prev)
        vm->bt.cache[b->prev - 1].next = b->next;
    else
        *h = b->next;
    if (b->next)
        vm->bt.cache[b->next - 1].prev = b->prev;
    b->n = 0;
}

static void link_block(vmm_vm *vm, bt_block *b)
{
    uint16_t *h = heads_of(vm, b->gpa), me = (uint16_t)(b - vm->bt.cache + 1);
    b->prev = 0;
    b->next = *h;
    if (*h)
        vm->bt.cache[*h - 1].prev = me;
    *h = me;
}

/* Translates the block at va into the cache (charged, counted, reported). */
static bt_block *translate(vmm *v, vmm_vm *vm, uint32_t va)
{
    bt_block nb;
    if (!scan(v, vm, va, &nb))
        return NULL;
    bt_block *b = slot(vm, va);
    unlink_block(vm, b);
    *b = nb;
    b->seen_gen = 0;
    link_block(vm, b);
    vm->st.bt_blocks++;
    vm->st.bt_insns += b->n;
    vmm_shadow_protect(v, vm, b->gpa);
    struct vmm_bt_range *r = &vm->bt.coderange[(b->gpa >> PAGE_SHIFT) % 64];
    uint32_t lo = b->gpa & 0xfffu, hi = lo + 4u * b->n;
    if (r->hi == 0 || lo < r->lo)
        r->lo = (uint16_t)lo;
    if (hi > r->hi)
        r->hi = (uint16_t)hi;
    vmm_step_event_lazy(v, vm, VMM_BY_TRANSLATION, LAYER_VMM, (uint64_t)v->cfg.costs.bt_translate * b->n,
                        line_translated, va, b->n, b->nsens);
    if (b->nsens)
        vmm_step_event_lazy(v, vm, VMM_BY_TRANSLATION, LAYER_VMM, 0, line_replaced,
                            va + 4u * (b->n - 1u), b->last, b->end);
    return b;
}

/* The cached block at va, or a fresh translation. */
static bt_block *lookup(vmm *v, vmm_vm *vm, uint32_t va)
{
    bt_block *b = slot(vm, va);
    uint32_t gpa, fa, ptb = vm->vc.cr[CR_PTB];
    uint8_t pg = (vm->vc.cr[CR_STATUS] & STATUS_PG) != 0;
    if (b->n && b->va == va) {
        /* Checked already in this address space (see walk): still a hit. */
        if (b->seen_gen == vm->bt.walk_gen + 1 && b->seen_ptb == ptb && b->seen_pg == pg) {
            vm->st.bt_hits++;
            return b;
        }
        if (walk(v, vm, va, ACCESS_EXEC, 0, &gpa, &fa) == CAUSE_NONE && gpa == b->gpa) {
            b->seen_gen = vm->bt.walk_gen + 1;
            b->seen_ptb = ptb;
            b->seen_pg = pg;
            vm->st.bt_hits++;
            return b;
        }
    }
    vm->st.bt_misses++;
    return translate(v, vm, va);
}

/* ---- invalidation ----------------------------------------------------------------------- */
/* The guest wrote n bytes at gpa: every block they overlap is dropped. */
static void invalidate(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n)
{
    if (n == 0 || (!vmm_is_code_frame(v, vm, gpa) && !vmm_is_code_frame(v, vm, gpa + n - 1)))
        return;
    /* Most stores into such a page are to the data beside the code. */
    uint32_t off = gpa & 0xfffu;
    const struct vmm_bt_range *r = &vm->bt.coderange[(gpa >> PAGE_SHIFT) % 64];
    if (off + n <= 4096u && (off >= r->hi || off + n <= r->lo))
        return;
    /* The blocks of the frames written (each list once), dropped in slot
     * order, as a scan of the whole cache would. */
    uint64_t hit[NCACHE / 64] = { 0 };
    uint32_t first = gpa >> PAGE_SHIFT, last = (gpa + (n - 1u)) >> PAGE_SHIFT;
    if (last - first >= 64)
        last = first + 63;
    for (uint32_t f = first; f <= last; f++)
        for (uint16_t k = vm->bt.heads[f % 64]; k; k = vm->bt.cache[k - 1].next) {
            const bt_block *b = &vm->bt.cache[k - 1];
            if (gpa < b->gpa + 4u * b->n && gpa + n > b->gpa)
                hit[(k - 1) / 64] |= 1ull << ((k - 1) % 64);
        }
    for (size_t i = 0; i < NCACHE; i++) {
        if (!(hit[i / 64] >> (i % 64) & 1u))
            continue;
        bt_block *b = &vm->bt.cache[i];
        unlink_block(vm, b);
        vm->st.bt_invalidations++;
        vmm_step_event_lazy(v, vm, VMM_BY_TRANSLATION, LAYER_VMM, 0, line_dropped, gpa, b->va, 0);
    }
}

static void bt_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n)
{
    /* Only a write into a guest page table needs the shadow's sync (which may
     * recompute which frames are page tables); vmm_mem_written, the one
     * caller, has already told the machine's decoded-code cache. */
    for (uint32_t f = gpa >> PAGE_SHIFT; n && f <= (gpa + (n - 1u)) >> PAGE_SHIFT; f++)
        if (vmm_is_pt_frame(v, vm, f << PAGE_SHIFT)) {
            vm->bt.walk_gen++;
            vmm_shadow_written(v, vm, gpa, n);
            break;
        }
    invalidate(v, vm, gpa, n);
}

/* ---- stores into write-protected pages ------------------------------------------------------ */
/* Does the guest kernel's store w at pc, as the CPU would have; false when
 * the guest's own tables refuse it (the fault was reflected). */
static bool do_store(vmm *v, vmm_vm *vm, uint32_t w, uint32_t pc)
{
    unsigned op = ISA_OP(w), size = op == OP_SW ? 4 : op == OP_SH ? 2 : 1;
    cpu_state *c = machine_cpu(v->m);
    uint32_t va = c->r[ISA_RS1(w)] + (uint32_t)ISA_SIMM18(w), val = c->r[ISA_RD(w)];
    uint32_t gpa, fa;
    unsigned cause = (va & (size - 1)) ? CAUSE_MISALIGNED
                   : walk(v, vm, va, ACCESS_WRITE, vring_of(vm), &gpa, &fa);
    if (cause == CAUSE_MISALIGNED)
        fa = va;
    if (cause != CAUSE_NONE || !vmm_gpa_ok(v, gpa, size)) {
        vm->st.reflected++;
        vmm_reflect(v, vm, CAUSE_MAKE(cause ? cause : CAUSE_BUS_ERROR, ACCESS_WRITE), pc, fa);
        return false;
    }
    uint8_t *p = vmm_gpa_ptr(v, vm, gpa);
    for (unsigned k = 0; k < size; k++)
        p[k] = (uint8_t)(val >> (8 * k));
    vmm_mem_written(v, vm, gpa, size);
    c->pc = pc + 4;
    return true;
}

/* Counts a kernel store faulting on a write-protected page; the second time
 * the store's block is retranslated with a callout in its place. */
static void adapt(vmm_vm *vm, uint32_t pc)
{
    struct vmm_bt_store *s = &vm->bt.stores[(pc >> 2) % NSTORES];
    if (s->pc != pc) {
        s->pc = pc;
        s->faults = 0;
        s->callout = false;
    }
    if (s->callout || ++s->faults < BT_ADAPT_AFTER)
        return;
    s->callout = true;
    vm->st.bt_adaptive++;
    /* Drop the blocks holding the store: the next lookup retranslates them. */
    for (size_t i = 0; i < NCACHE; i++) {
        bt_block *b = &vm->bt.cache[i];
        if (b->n && pc >= b->va && pc < b->va + 4u * b->n)
            unlink_block(vm, b);
    }
}

static vmm_handler bt_fault(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    unsigned acc = CAUSE_ACCESS(t->cause);
    uint32_t gpa, fa;
    bool wp = CAUSE_CODE(t->cause) == CAUSE_PAGE_FAULT && acc == ACCESS_WRITE &&
              vmm_gwalk(v, vm, t->addr, ACCESS_WRITE, vring_of(vm), &gpa, &fa) == CAUSE_NONE &&
              (vmm_is_pt_frame(v, vm, gpa) || vmm_is_code_frame(v, vm, gpa));
    if (wp && vring_of(vm) == 0 && is_store(ISA_OP(t->insn)))
        adapt(vm, t->pc);
    if (!wp || vmm_is_pt_frame(v, vm, gpa) || !is_store(ISA_OP(t->insn)))
        return vmm_shadow_mem.fault(v, vm, t);
    /* A store into a frame of translated code (the page's own data, or the
     * code itself): the VMM does it and drops what it overwrote. */
    uint64_t before = vm->st.reflected;
    vm->st.emulated++;
    vm->st.emulated_by_op[ISA_OP(t->insn)]++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.emul_store);
    if (do_store(v, vm, t->insn, t->pc) && v->ev)
        snprintf(v->exit_note, sizeof v->exit_note, "emulate %s into a page of translated code "
                 "(write-protected), drop what it overwrote", vmm_mnemonic_of(t->insn));
    return vm->st.reflected != before ? VMM_BY_REFLECTION : VMM_BY_SHADOW;
}

static void bt_reset(vmm *v, vmm_vm *vm)
{
    vm->bt.walk_gen++;
    vmm_shadow_reset(v, vm);
}

static void bt_flush(vmm *v, vmm_vm *vm, const char *why)
{
    vm->bt.walk_gen++;
    vmm_shadow_flush(v, vm, why);
}

const vmm_mem_ops vmm_bt_mem = {
    .name = "shadow page tables, translated code write-protected",
    .root = vmm_shadow_root,
    .reset = bt_reset,
    .flush = bt_flush,
    .fault = bt_fault,
    .written = bt_written,
};

/* ---- running translated code ---------------------------------------------------------------- */
/* Books the guest's time up to now, as an exit does (the callout's own
 * cycles are charged to the VMM on top). */
static void book(vmm *v, vmm_vm *vm)
{
    uint64_t now = vmm_now(v);
    vm->st.guest_cycles += now - v->mark_cycles;
    vm->vc.vtime += now - v->mark_cycles;
    vm->st.guest_insns += v->mst->instret - v->mark_instret;
    v->mark_cycles = now;
    v->mark_instret = v->mst->instret;
}

/* The replaced instruction at the end of block b, carried out by the VMM. */
static void callout(vmm *v, vmm_vm *vm, const bt_block *b)
{
    uint32_t pc = b->va + 4u * (b->n - 1u), w = b->last;
    unsigned op = ISA_OP(w);
    book(v, vm);
    vm->st.guest_insns++;                   /* the guest's instruction, done for it */
    uint64_t c0 = vmm_now(v);
    bool inl = b->end == BT_END_SENSITIVE && is_inline(op);
    if (b->end == BT_END_STORE) {
        vm->st.bt_callouts++;
        vm->st.bt_store_callouts++;
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.bt_callout);
        do_store(v, vm, w, pc);
    } else {
        machine_trap t = { .cause = CAUSE_ILLEGAL_PRIV, .pc = pc, .epc = pc, .addr = w, .insn = w,
                           .ring = (uint8_t)machine_ring(v->m) };
        if (inl) {
            vm->st.bt_inline++;
            vmm_emulate_cost(v, vm, &t, &v->cfg.costs.bt_inline);
        } else {
            vm->st.bt_callouts++;
            vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.bt_callout);
            vmm_emulate(v, vm, &t);
        }
    }
    if (v->ev) {
        uint8_t vr = (uint8_t)vring_of(vm), rr = (uint8_t)machine_ring(v->m);
        v->exit_text[0] = '\0';
        vmm_event e = { .kind = VMM_EV_STEP, .vm = (int)vmm_vm_index(v, vm), .pc = pc, .insn = w,
                        .mnemonic = vmm_mnemonic_of(w), .vring_from = 0, .vring_to = vr,
                        .ring_from = 1, .ring_to = rr, .handler = VMM_BY_TRANSLATION,
                        .cycles = vmm_now(v) - c0, .at = vmm_now(v), .text = v->exit_text,
                        .format = line_ran, .args = { b->end, inl, w } };
        vmm_emit(v, &e);
    }
    /* As at the end of an exit: the slice, virtual interrupts, the timer. */
    vmm_resume(v);
    v->mark_cycles = vmm_now(v);
    v->mark_instret = v->mst->instret;
    vmm_commit(v);
}

/* Set by the end of an exit when the guest is left in its kernel: the real
 * CPU must stop so that the kernel's code runs translated. */
static void bt_resumed(vmm *v)
{
    if (v->cur >= 0 && vring_of(&v->vm[v->cur]) == 0 && v->vm[v->cur].state == VM_RUNNABLE)
        machine_request_stop(v->m);
}

static machine_stop bt_run(vmm *v, uint64_t max_insns)
{
    machine *m = v->m;
    const machine_stats *ms = machine_get_stats(m);   /* (read often: no call) */
    uint64_t start = ms->instret, done = 0;
    for (;;) {
        uint64_t used = ms->instret - start + done;
        if (max_insns && used >= max_insns)
            return STOP_LIMIT;
        uint64_t left = max_insns ? max_insns - used : 0;
        if (v->cur < 0)
            return STOP_REQUESTED;
        vmm_vm *vm = &v->vm[v->cur];
        machine_stop s;
        if (vring_of(vm) != 0) {
            /* User code: direct execution, until an exit leaves the guest in its kernel. */
            s = machine_run(m, left);
            if (s == STOP_REQUESTED && v->cur >= 0 && vring_of(&v->vm[v->cur]) == 0)
                continue;
            return s;
        }
        uint32_t pc = machine_cpu(m)->pc;
        bt_block *b = slot(vm, vm->bt.cont_va);
        uint32_t first = 0;
        if (vm->bt.cont && pc == vm->bt.cont_pc && vm->st.exits == vm->bt.cont_exits &&
            b->n && b->va == vm->bt.cont_va) {
            first = (pc - b->va) / 4;       /* the rest of a block left part-way */
        } else {
            b = lookup(v, vm, pc);
            vmm_commit(v);                  /* a translation's cost, before the machine runs */
            if (!b) {
                /* The kernel cannot fetch there: let the CPU take the fault. */
                vm->bt.cont = false;
                s = machine_run(m, 1);
                if (s == STOP_REQUESTED || s == STOP_LIMIT)
                    continue;
                return s;
            }
            /* Entering a block is part of running translated code (a chained
             * jump, or the lookup an indirect one needs): the guest's time,
             * booked at the next exit, so its virtual clock moves on too. */
            machine_add_cycles(m, v->cfg.costs.bt_block);
        }
        vm->bt.cont = false;
        uint32_t copied = b->end == BT_END_SENSITIVE || b->end == BT_END_STORE ? b->n - 1u : b->n;
        uint32_t end_pc = b->va + 4u * copied;
        uint64_t exits = vm->st.exits;
        int cur = v->cur;
        if (first < copied) {
            uint64_t todo = copied - first;
            uint64_t run = left && left < todo ? left : todo;
            s = machine_run(m, run);
            if (s != STOP_LIMIT && s != STOP_REQUESTED)
                return s;
            if (run < todo && v->cur == cur && vm->st.exits == exits &&
                machine_cpu(m)->pc == b->va + 4u * (first + (uint32_t)run)) {
                vm->bt.cont = true;         /* stopped by the limit inside the block */
                vm->bt.cont_va = b->va;
                vm->bt.cont_pc = machine_cpu(m)->pc;
                vm->bt.cont_exits = exits;
                continue;
            }
        }
        /* The replaced instruction, only when the copied ones ran through
         * to it without an exit taking the guest elsewhere. */
        if (copied == b->n || v->cur != cur || vm->st.exits != exits || machine_cpu(m)->pc != end_pc ||
            vring_of(vm) != 0 || vm->state != VM_RUNNABLE)
            continue;
        if (max_insns && ms->instret - start + done >= max_insns) {
            vm->bt.cont = true;             /* the callout is next */
            vm->bt.cont_va = b->va;
            vm->bt.cont_pc = end_pc;
            vm->bt.cont_exits = exits;
            return STOP_LIMIT;
        }
        callout(v, vm, b);
        done++;
    }
}

static void bt_load(vmm *v, vmm_vm *vm)
{
    (void)v;
    memset(&vm->bt, 0, sizeof vm->bt);
}

static vmm_handler bt_privileged(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    /* Only reached if translated code let a privileged instruction through
     * (it never does) or a lab's own kernel runs one the translator did not
     * see: trap-and-emulate is still correct. */
    vmm_emulate(v, vm, t);
    return VMM_BY_EMULATION;
}

static vmm_handler bt_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vmm_hypercall(v, vm, t);
    return VMM_BY_HYPERCALL;
}

const vmm_cpu_ops vmm_bt_cpu = {
    .name = "binary translation",
    .privileged = bt_privileged,
    .hypercall = bt_hypercall,
    .load = bt_load,
    .run = bt_run,
    .resumed = bt_resumed,
};

/* ---- showing a block --------------------------------------------------------------------------- */
bool vmm_bt_show_block(vmm *v, unsigned i, uint32_t va, FILE *out)
{
    if (i >= vmm_nvms(v))
        return false;
    vmm_vm *vm = &v->vm[i];
    bt_block b;
    if (!scan(v, vm, va, &b))
        return false;
    const bt_block *c = slot(vm, va);
    fprintf(out, "block at 0x%08x (guest-physical 0x%08x), %u instruction%s%s\n", va, b.gpa, b.n,
            b.n == 1 ? "" : "s", c->n && c->va == va ? ", in the translation cache"
                                                     : ", not in the cache now");
    fprintf(out, "  %-10s  %-28s  %s\n", "address", "original", "translated");
    for (unsigned k = 0; k < b.n; k++) {
        uint32_t pc = va + 4u * k, w = vmm_rd32(vmm_gpa_ptr(v, vm, b.gpa + 4u * k));
        char dis[64] = "?";
        if (isa_lookup_opcode(ISA_OP(w)))
            isa_disassemble(w, pc, dis, sizeof dis, NULL, NULL);
        bool last = k + 1 == b.n;
        char tr[96];
        if (last && b.end == BT_END_STORE)
            snprintf(tr, sizeof tr, "callout: store through the guest's tables, sync the shadow");
        else if (last && b.end == BT_END_SENSITIVE && is_inline(ISA_OP(w)))
            snprintf(tr, sizeof tr, "inline: %s on the virtual CPU", vmm_mnemonic_of(w));
        else if (last && b.end == BT_END_SENSITIVE)
            snprintf(tr, sizeof tr, "callout: the VMM emulates %s", vmm_mnemonic_of(w));
        else
            snprintf(tr, sizeof tr, "%s", dis);
        fprintf(out, "  0x%08x  %-28s  %s\n", pc, dis, tr);
    }
    if (b.end == BT_END_LIMIT)
        fprintf(out, "  (falls through to the block at 0x%08x)\n", va + 4u * b.n);
    return true;
}
