/*
 * code.c -- the decoded-code cache: each physical page the CPU executes from
 * is decoded once into predecoded slots (handler, register fields, immediate)
 * grouped in blocks, and forgotten again when something writes over it.
 *
 * Why physical pages: a write through any mapping (or by DMA, or by a host
 * API) lands on the physical page, so that is where invalidation has to look;
 * and a page-table change needs nothing here, because the CPU translates the
 * fetch address at every page change as it always did.  Why per-slot run
 * information: a block entered at any word of a run ends at the same place,
 * so the cost and length "from here to the end" are properties of the slot,
 * valid whatever the entry point, and a trap in the middle gives back exactly
 * what was charged for instructions that never ran.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/internal.h"

/* What the decoder needs to know of each opcode, from the ISA table. */
static uint8_t op_class(unsigned op)
{
    const isa_insn *in = isa_lookup_opcode(op);
    if (!in || in->privilege != PRIV_USER)
        return CLS_TERM;            /* illegal, or a system instruction run in plain C */
    switch (in->format) {
    case FMT_B: case FMT_J: case FMT_N:
        return CLS_TERM;            /* branches, jumps, syscall, brk, hcall */
    case FMT_LOAD: case FMT_STORE:
        return CLS_MEM;
    default:
        break;
    }
    if (op == OP_JALR)
        return CLS_TERM;
    if (op == OP_DIV || op == OP_DIVU || op == OP_REM || op == OP_REMU)
        return 0;                   /* may trap: runs even when rd is r0 */
    return CLS_PURE;                /* no effect but rd: with rd = r0, a no-op */
}

static void slot_reset(machine *m, cpu_slot *s)
{
    *s = (cpu_slot){ .h = m->code.handlers[KIND_DECODE] };
}

static void page_reset(machine *m, code_page *pg)
{
    jit_invalidate(m, pg);
    if (pg->ndecoded == 0)
        return;
    m->code.st.dropped += pg->ndecoded;
    for (unsigned i = 0; i < CODE_SLOTS; i++)
        slot_reset(m, &pg->slot[i]);
    pg->ndecoded = 0;
}

bool code_init(machine *m)
{
    code_cache *c = &m->code;
    c->map = calloc(m->cfg.mem_size / PAGE_SIZE, sizeof *c->map);
    c->pool = calloc(CODE_POOL_MAX, sizeof *c->pool);
    return c->map && c->pool;
}

void code_free(machine *m)
{
    code_cache *c = &m->code;
    if (c->pool)
        for (uint32_t i = 0; i < c->npool; i++) {
            jit_invalidate(m, c->pool[i]);
            free(c->pool[i]);
        }
    jit_free(m);
    free(c->pool);
    free(c->map);
    c->pool = NULL;
    c->map = NULL;
}

code_page *code_page_of(machine *m, uint32_t frame)
{
    code_cache *c = &m->code;
    uint32_t pn = frame >> PAGE_SHIFT;
    if (c->map[pn])
        return c->pool[c->map[pn] - 1];
    code_page *pg = NULL;
    uint32_t k;
    if (c->npool < CODE_POOL_MAX)
        pg = malloc(sizeof *pg);
    if (!pg && c->npool == 0)
        return NULL;                     /* only machine_new's first call can see this */
    if (pg) {
        k = c->npool++;
        c->pool[k] = pg;
        pg->ndecoded = CODE_SLOTS;       /* not yet initialised: reset below */
        pg->jit = NULL;
    } else {
        /* Reuse the oldest page (round robin); machine_new made sure there is one. */
        k = c->victim;
        c->victim = (c->victim + 1) % c->npool;
        pg = c->pool[k];
        c->map[pg->frame >> PAGE_SHIFT] = 0;
        if (pg->ndecoded && c->hook)
            c->hook(m, pg->frame, PAGE_SIZE, c->hook_ud);
    }
    page_reset(m, pg);
    pg->slot[CODE_SLOTS] = (cpu_slot){ .h = c->handlers[KIND_END] };
    pg->frame = frame & ~0xfffu;
    c->map[pn] = (uint16_t)(k + 1);
    mmu_host_drop_frame(m, pg->frame);   /* refilled marked HTLB_CODE */
    return pg;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

const void *code_handler(const machine *m, const cpu_slot *s)
{
    const void *const *h = m->code.handlers;
    const isa_insn *in = isa_lookup_opcode(s->op);
    if (!in)
        return h[KIND_ILLEGAL];
    if (in->privilege != PRIV_USER)
        return h[KIND_SYS];
    /* A target in the same virtual page is in the same physical page: the
     * handler can go straight to its slot. */
    if ((s->op == OP_J || s->op == OP_JAL) && s->target != CPU_NO_TARGET)
        return h[s->op == OP_J ? KIND_J_NEAR : KIND_JAL_NEAR];
    /* A pure result for r0 is a no-op; the others (loads, divisions, jalr)
     * still run, and their handlers put r0 back to 0. */
    if (s->rd == 0 && (m->code.cls[s->op] & CLS_PURE))
        return h[KIND_NOP];
    return h[s->op];
}

/* One word into its slot: handler and fields; the run fields come later. */
static void decode_slot(machine *m, cpu_slot *s, unsigned idx, uint32_t w)
{
    unsigned op = ISA_OP(w);
    const isa_insn *in = isa_lookup_opcode(op);
    *s = (cpu_slot){ .op = (uint8_t)op, .rd = (uint8_t)ISA_RD(w), .rs1 = (uint8_t)ISA_RS1(w),
                     .rs2 = (uint8_t)ISA_RS2(w) };
    if (in && in->privilege == PRIV_USER) {
        switch (in->format) {
        case FMT_I: case FMT_LOAD: s->imm = (uint32_t)ISA_SIMM18(w); break;
        case FMT_IU:    s->imm = ISA_UIMM18(w); break;
        case FMT_SH:    s->imm = w & 31; break;
        case FMT_U:     s->imm = ISA_UIMM20(w) << 12; break;
        case FMT_STORE: s->imm = (uint32_t)ISA_SIMM18(w); s->rs2 = (uint8_t)ISA_RD(w); break;
        case FMT_B:
            s->imm = (uint32_t)ISA_SIMM18(w) << 2;
            s->rs1 = (uint8_t)ISA_BRS1(w);
            s->rs2 = (uint8_t)ISA_BRS2(w);
            break;
        case FMT_J:     s->imm = (uint32_t)ISA_SOFF26(w) << 2; break;
        default: break;
        }
        if (in->format == FMT_B || in->format == FMT_J) {
            int64_t t = (int64_t)idx + (int32_t)s->imm / 4;
            s->target = t >= 0 && t < CODE_SLOTS ? (uint16_t)t : CPU_NO_TARGET;
        }
    }
    s->h = code_handler(m, s);
}

void code_decode(machine *m, code_page *pg, unsigned idx)
{
    code_cache *c = &m->code;
    const uint8_t *base = m->mem + pg->frame;
    unsigned k = idx;
    bool chain;
    for (;;) {
        decode_slot(m, &pg->slot[k], k, rd32(base + 4 * k));
        c->st.decoded++;
        pg->ndecoded++;
        if ((c->cls[pg->slot[k].op] & CLS_TERM) || k == CODE_SLOTS - 1) {
            chain = false;
            break;
        }
        if (pg->slot[k + 1].len) {
            chain = true;           /* the rest of the run is decoded already */
            break;
        }
        k++;
    }
    uint64_t miss = m->cfg.costs.tlb_miss;
    for (unsigned j = k + 1; j-- > idx;) {
        cpu_slot *s = &pg->slot[j];
        uint32_t own = m->cost[s->op];
        uint16_t nm = (c->cls[s->op] & CLS_MEM) ? 1 : 0;
        if (j == k && !chain) {
            s->cost = own;
            s->len = 1;
        } else {
            const cpu_slot *n = &pg->slot[j + 1];
            s->cost = own + n->cost;
            s->len = (uint16_t)(1 + n->len);
            nm = (uint16_t)(nm + n->nmem);
        }
        if (!(c->cls[s->op] & CLS_TERM))
            s->nmem = nm;           /* (a terminator has none, and keeps its target there) */
        s->bound = s->cost + nm * miss;
    }
    /* A run's first slot is translated the first time a block starts there. */
    if (m->jit_on)
        pg->slot[idx].h = c->handlers[KIND_HOT];
}

static bool drop(machine *m, code_page *pg, unsigned j)
{
    if (!pg->slot[j].len)
        return false;
    slot_reset(m, &pg->slot[j]);
    pg->ndecoded--;
    m->code.st.dropped++;
    return true;
}

bool code_written(machine *m, uint32_t pa, uint32_t n)
{
    code_cache *c = &m->code;
    if (n == 0 || pa >= m->cfg.mem_size)
        return false;
    if (n > m->cfg.mem_size - pa)
        n = m->cfg.mem_size - pa;
    bool any = false;
    uint32_t end = pa + (n - 1);
    for (uint32_t p = pa & ~0xfffu; ; p += PAGE_SIZE) {
        uint16_t k = c->map[p >> PAGE_SHIFT];
        code_page *pg = k ? c->pool[k - 1] : NULL;
        if (pg && pg->ndecoded) {
            unsigned lo = p == (pa & ~0xfffu) ? (pa & 0xfffu) >> 2 : 0;
            unsigned hi = (end & ~0xfffu) == p ? (end & 0xfffu) >> 2 : CODE_SLOTS - 1;
            bool here = false;
            if (lo == 0 && hi == CODE_SLOTS - 1) {
                here = true;
                page_reset(m, pg);
            } else {
                for (unsigned j = hi + 1; j-- > lo;)
                    here |= drop(m, pg, j);
                /* Runs that begin before the write and run through it. */
                for (unsigned j = lo; j-- > 0;) {
                    if (!pg->slot[j].len || (c->cls[pg->slot[j].op] & CLS_TERM))
                        break;
                    here |= drop(m, pg, j);
                }
            }
            if (here)
                jit_invalidate(m, pg);   /* (host code may jump from run to run) */
            if (here && c->hook)
                c->hook(m, p + 4 * lo, 4 * (hi - lo + 1), c->hook_ud);
            any |= here;
        }
        if (p >= (end & ~0xfffu))
            break;
    }
    return any;
}

void code_flush(machine *m)
{
    code_cache *c = &m->code;
    for (uint32_t i = 0; i < c->npool; i++)
        page_reset(m, c->pool[i]);
    c->st.flushes++;
    mmu_host_flush(m);          /* (the machine's TLB may have been replaced too) */
    if (c->hook)
        c->hook(m, 0, 0, c->hook_ud);
}

void code_classes(machine *m)
{
    for (unsigned op = 0; op < ISA_NUM_OPCODES; op++)
        m->code.cls[op] = op_class(op);
}

/* ---- the API (machine.h) ------------------------------------------------------ */

bool machine_code_decode(machine *m, uint32_t pa, machine_decoded *out)
{
    if ((pa & 3) || pa >= m->cfg.mem_size)
        return false;
    code_page *pg = code_page_of(m, pa);
    unsigned idx = (pa & 0xfffu) >> 2;
    if (!pg->slot[idx].len)
        code_decode(m, pg, idx);
    const cpu_slot *s = &pg->slot[idx];
    uint32_t w = rd32(m->mem + pa);
    const isa_insn *in;
    isa_operands o = { 0 };
    *out = (machine_decoded){ .word = w, .op = (uint8_t)ISA_OP(w), .block_len = s->len,
                              .block_cycles = s->cost,
                              .ends_block = (m->code.cls[s->op] & CLS_TERM) != 0 };
    if (isa_decode(w, &in, &o)) {
        out->rd = (uint8_t)o.rd;
        out->rs1 = (uint8_t)o.rs1;
        out->rs2 = (uint8_t)o.rs2;
        out->imm = o.imm;
    }
    return true;
}

void machine_code_invalidate(machine *m, uint32_t pa, uint32_t n)
{
    /* A store's few bytes in one word that no run was decoded through (the
     * common case, as in the engine's own store path): nothing to drop. */
    if (n && (pa & 3u) + n <= 4 && pa < m->cfg.mem_size && !code_word_live(m, pa & ~3u))
        return;
    code_written(m, pa, n);
}

void machine_set_code_hook(machine *m, machine_code_hook fn, void *ud)
{
    m->code.hook = fn;
    m->code.hook_ud = ud;
}

machine_code_stats machine_get_code_stats(const machine *m)
{
    machine_code_stats st = m->code.st;
    st.pages = 0;
    for (uint32_t i = 0; i < m->code.npool; i++)
        if (m->code.pool[i]->ndecoded)
            st.pages++;
    return st;
}
