/*
 * gen.c -- random guests as assembly source.
 *
 * A guest is a list of "items", each a few lines: a random valid
 * instruction (every opcode of isa/isa.def, random fields), an invalid word,
 * a wild load or store, self-modifying code, a hypercall or system call with
 * bad arguments, a privileged instruction with a random operand, device I/O
 * with wild DMA addresses, a bounded loop, or (rarely) a spin with
 * interrupts off.  Kernels also get random page tables and a random trap
 * handler.  The source stays readable: raw words carry their disassembly.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"
#include "proptest/proptest.h"

typedef struct {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(rng *r, uint32_t n) { return n ? (uint32_t)(next(r) % n) : 0; }
static bool chance(rng *r, unsigned percent) { return below(r, 100) < percent; }

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    char line[512];
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || t->oom)
        return;
    if ((size_t)n >= sizeof line)
        n = sizeof line - 1;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8192;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *b = realloc(t->buf, cap);
        if (!b) {
            t->oom = true;
            return;
        }
        t->buf = b;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, line, (size_t)n);
    t->len += (size_t)n;
    t->buf[t->len] = '\0';
}

const char *pt_kind_name(pt_kind k) { return k == PT_KIND_USER ? "user" : "kernel"; }

bool pt_parse_kind(const char *s, pt_kind *out)
{
    if (strcmp(s, "kernel") == 0)
        *out = PT_KIND_KERNEL;
    else if (strcmp(s, "user") == 0)
        *out = PT_KIND_USER;
    else
        return false;
    return true;
}

/* ---- values that find bugs ------------------------------------------------------ */
/* Addresses: the partition's edges, the loader's areas, beyond the partition
 * (where the VMM region and the neighbours are, in real-physical terms),
 * the top of the address space, the guest's own code and tables. */
static uint32_t wild_addr(rng *r, pt_kind kind)
{
    static const uint32_t edges[] = {
        0x0, 0x4, 0xffc, 0x1000, 0x7f000, 0x80000, 0xffffc, 0xffff8, 0x100000, 0x100004,
        0x101000, 0x1ff000, 0x200000, 0x300000, 0x7fffffff, 0x80000000, 0xfffff000,
        0xfffffffc, 0xffffffff, 0x400000, 0x40fffc, 0x410000, 0x500000, 0x3ffffc,
    };
    switch (below(r, 6)) {
    case 0: return (uint32_t)next(r);
    case 1: return edges[below(r, sizeof edges / sizeof edges[0])] + (below(r, 3) == 0 ? below(r, 16) : 0);
    case 2: return 0x100000u + below(r, 0x400000) * 4;                /* beyond the partition */
    case 3: return below(r, 0x100000) & ~3u;                          /* anywhere in it */
    case 4: return kind == PT_KIND_USER ? 0x400000u + below(r, 0x10000) : 0x1000u + below(r, 0x4000);
    default: return 0x20000u + below(r, 0x10000);                     /* page-table area */
    }
}

static uint32_t wild_value(rng *r)
{
    static const uint32_t vals[] = { 0, 1, 2, 3, 4, 8, 0xf, 0x3f, 0x7f, 0xff, 0x1000, 0xfff,
                                     4096, 4097, 64, 65, 16, 17, 0x7fffffff, 0x80000000,
                                     0xffffffff, 0xfffffffe, 0x5aa5c33c };
    if (chance(r, 50))
        return vals[below(r, sizeof vals / sizeof vals[0])];
    if (chance(r, 50))
        return wild_addr(r, PT_KIND_KERNEL);
    return (uint32_t)next(r);
}

static unsigned reg(rng *r, bool kernel)
{
    /* avoid sp and k0 half the time so handlers and stacks keep working a while */
    unsigned x = 1 + below(r, 15);
    if ((x == REG_SP || x == REG_K0 || (kernel && x == REG_LR)) && chance(r, 70))
        x = 1 + below(r, 10);
    return x;
}

/* ---- items ---------------------------------------------------------------------- */
static const isa_insn *valid_ops[ISA_NUM_OPCODES];
static size_t nvalid;

static void init_ops(void)
{
    if (nvalid)
        return;
    for (unsigned op = 0; op < ISA_NUM_OPCODES; op++)
        if (isa_lookup_opcode(op))
            valid_ops[nvalid++] = isa_lookup_opcode(op);
}

static void put_word(text *t, uint32_t w)
{
    char dis[96];
    isa_disassemble(w, 0, dis, sizeof dis, NULL, NULL);
    put(t, "        .word   0x%08x              ; %s\n", w, dis);
}

static uint32_t random_insn(rng *r, bool kernel)
{
    const isa_insn *in = valid_ops[below(r, (uint32_t)nvalid)];
    isa_operands o;
    memset(&o, 0, sizeof o);
    o.rd = reg(r, kernel);
    o.rs1 = below(r, 16);
    o.rs2 = below(r, 16);
    switch (below(r, 4)) {
    case 0: o.imm = (int32_t)below(r, 32); break;
    case 1: o.imm = (int32_t)below(r, 64) - 32; break;
    case 2: o.imm = (int32_t)(next(r) & 0x1ffff) - 0x10000; break;
    default: o.imm = (int32_t)(next(r) & 0xfff); break;
    }
    if (in->format == FMT_B || in->format == FMT_J)
        o.imm = chance(r, 85) ? (int32_t)below(r, 24) - 8 : (int32_t)(next(r) & 0xffff) - 0x8000;
    if (in->format == FMT_CRR)
        o.rs1 = below(r, 12);       /* control registers 0..9, and two that do not exist */
    if (in->format == FMT_CRW)
        o.rd = below(r, 12);
    if (in->format == FMT_PIN || in->format == FMT_POUT)
        o.imm = (int32_t)(chance(r, 80) ? 0x10 + below(r, 0x30) : below(r, 0x40000));
    return isa_encode(in, &o);
}

static uint32_t invalid_word(rng *r)
{
    static const uint32_t ops[] = { 0x00, 0x3f, 0x2e, 0x2f, 0x3e };
    uint32_t op = ops[below(r, sizeof ops / sizeof ops[0])];
    if (!isa_lookup_opcode(op) || op == 0 || op == 0x3f)
        return op << 26 | (uint32_t)(next(r) & 0x3ffffff);
    return 0;
}

static void item(text *t, rng *r, pt_kind kind, unsigned *label, bool last)
{
    bool kernel = kind == PT_KIND_KERNEL;
    unsigned a = reg(r, kernel), b = reg(r, kernel);
    unsigned w = below(r, 100);
    if (w < 28) {
        put_word(t, random_insn(r, kernel));
    } else if (w < 31) {
        put_word(t, invalid_word(r));
    } else if (w < 43) {                                   /* wild store */
        static const char *const st[] = { "sw", "sh", "sb" };
        put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_addr(r, kind));
        put(t, "        li      %s, 0x%08x\n", isa_reg_alias(b), wild_value(r));
        put(t, "        %s      %s, %d(%s)\n", st[below(r, 3)], isa_reg_alias(b),
            (int)below(r, 64) - 32, isa_reg_alias(a));
    } else if (w < 48) {                                   /* wild load */
        static const char *const ld[] = { "lw", "lh", "lbu" };
        put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_addr(r, kind));
        put(t, "        %s      %s, %d(%s)\n", ld[below(r, 3)], isa_reg_alias(b),
            (int)below(r, 64) - 32, isa_reg_alias(a));
    } else if (w < 54) {                                   /* self-modifying code */
        uint32_t nw = chance(r, 80) ? random_insn(r, kernel) : invalid_word(r);
        unsigned l = (*label)++;
        put(t, "        li      %s, 0x%08x\n", isa_reg_alias(b), nw);
        put(t, "        la      %s, smc%u\n", isa_reg_alias(a), l);
        put(t, "        sw      %s, 0(%s)\n", isa_reg_alias(b), isa_reg_alias(a));
        if (kernel && chance(r, 30))
            put(t, "        tlbflush\n");
        put(t, "smc%u:   nop                             ; overwritten with 0x%08x\n", l, nw);
    } else if (w < 64) {                                   /* hypercall with bad arguments */
        uint32_t nr = chance(r, 75) ? below(r, 12) : chance(r, 50) ? below(r, 40) : (uint32_t)next(r);
        put(t, "        li      a0, 0x%08x\n", nr);
        for (int i = 1; i <= 3; i++)
            put(t, "        li      a%d, 0x%08x\n", i, wild_value(r));
        if (nr == VMM_HC_MMU_UPDATE && chance(r, 50)) {      /* a real array of random pairs */
            unsigned l = (*label)++;
            put(t, "        la      a1, arr%u\n", l);
            put(t, "        li      a2, %u\n", below(r, 70));
            put(t, "        j       arr%u_end\n", l);
            put(t, "arr%u:\n", l);
            for (int i = 0; i < 8; i++)
                put(t, "        .word   0x%08x, 0x%08x\n", wild_addr(r, kind) & ~3u, wild_value(r));
            put(t, "arr%u_end:\n", l);
        }
        put(t, "        hcall\n");
    } else if (w < 72) {                                   /* privileged, random operands */
        static const char *const crs[] = { "status", "tvb", "ptb", "epc", "estatus", "cause",
                                           "badaddr", "timecmp", "scratch", "cycle" };
        switch (below(r, 9)) {
        case 0: case 1:
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_value(r));
            put(t, "        mtcr    %s, %s\n", crs[below(r, 10)], isa_reg_alias(a));
            break;
        case 2: put(t, "        mfcr    %s, %s\n", isa_reg_alias(a), crs[below(r, 10)]); break;
        case 3: put(t, chance(r, 50) ? "        ei\n" : "        di\n"); break;
        case 4: put(t, "        wfi\n"); break;
        case 5: put(t, "        tlbflush\n"); break;
        case 6:
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_value(r));
            put(t, "        mtcr    epc, %s\n", isa_reg_alias(a));
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_value(r) & 0xff0f);
            put(t, "        mtcr    estatus, %s\n", isa_reg_alias(a));
            put(t, "        iret\n");
            break;
        case 7: put(t, chance(r, 50) ? "        pushf\n" : "        popf\n"); break;
        default: put(t, chance(r, 50) ? "        smsw    %s\n" : "        sidt    %s\n", isa_reg_alias(a)); break;
        }
    } else if (w < 80) {                                   /* devices: ports, wild DMA */
        if (chance(r, 50)) {
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_value(r) & 0xff);
            put(t, "        out     %s, 0x30\n", isa_reg_alias(a));
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_addr(r, kind));
            put(t, "        out     %s, 0x31\n", isa_reg_alias(a));
            put(t, "        li      %s, %u\n", isa_reg_alias(a), below(r, 4));
            put(t, "        out     %s, 0x32\n", isa_reg_alias(a));
            put(t, "        in      %s, 0x33\n", isa_reg_alias(b));
        } else {
            uint32_t port = chance(r, 70) ? 0x10 + below(r, 0x30) : below(r, 256);
            put(t, "        li      %s, 0x%08x\n", isa_reg_alias(a), wild_value(r));
            put(t, chance(r, 50) ? "        out     %s, 0x%x\n" : "        in      %s, 0x%x\n",
                isa_reg_alias(a), port);
        }
    } else if (w < 90) {                                   /* system calls */
        uint32_t nr = chance(r, 80) ? below(r, 14) : (uint32_t)next(r);
        if (!kernel && nr == 0 && !last && chance(r, 80))
            nr = 7;                                        /* exit only sometimes, early */
        put(t, "        li      a0, 0x%08x\n", nr);
        for (int i = 1; i <= 3; i++)
            put(t, "        li      a%d, 0x%08x\n", i, wild_value(r));
        put(t, "        syscall\n");
    } else if (w < 95) {                                   /* a bounded loop */
        unsigned l = (*label)++;
        put(t, "        li      %s, %u\n", isa_reg_alias(a), 1 + below(r, 300));
        put(t, "loop%u:  addi    %s, %s, -1\n", l, isa_reg_alias(a), isa_reg_alias(a));
        if (chance(r, 50))
            put_word(t, random_insn(r, kernel));
        put(t, "        bnez    %s, loop%u\n", isa_reg_alias(a), l);
    } else if (w < 97 && last) {                           /* a spin, interrupts off */
        unsigned l = (*label)++;
        if (kernel)
            put(t, "        di\n");
        put(t, "spin%u:  j       spin%u\n", l, l);
    } else {
        put(t, chance(r, 50) ? "        brk\n" : "        nop\n");
    }
}

/* ---- the two kinds of guest ---------------------------------------------------------- */
static void gen_kernel(text *t, rng *r, unsigned *label)
{
    bool handler = chance(r, 92), paging = chance(r, 35);
    put(t, "        .org    0x1000\n");
    put(t, "_start: li      sp, 0x%08x\n", chance(r, 90) ? 0x8000u : wild_addr(r, PT_KIND_KERNEL));
    if (handler) {
        put(t, "        la      k0, handler\n");
        put(t, "        mtcr    tvb, k0\n");
    }
    if (chance(r, 40)) {
        put(t, "        li      a0, %u\n", 100 + below(r, 20000));
        put(t, "        mtcr    timecmp, a0\n");
    }
    put(t, chance(r, 50) ? "        ei\n" : "        di\n");
    if (paging) {
        put(t, "        la      s0, pt_l1\n");
        put(t, "        mtcr    ptb, s0\n");
        put(t, "        mfcr    s1, status\n");
        put(t, "        ori     s1, s1, 8\n");
        put(t, "        mtcr    status, s1\n");
    }
    unsigned n = 8 + below(r, 56);
    for (unsigned i = 0; i < n; i++)
        item(t, r, PT_KIND_KERNEL, label, i + 1 == n);
    if (chance(r, 75))
        put(t, "        halt\n");
    /* the trap handler */
    put(t, "handler:\n");
    switch (below(r, 5)) {
    case 0:
        put(t, "        halt\n");
        break;
    case 1:                                              /* report the cause, skip the insn */
        put(t, "        mfcr    k0, cause\n");
        put(t, "        andi    k0, k0, 0xf\n");
        put(t, "        addi    k0, k0, 'a'\n");
        put(t, "        out     k0, 0x10\n");
        /* fall through */
    case 2:
    case 3:
        put(t, "        mfcr    k0, epc\n");
        put(t, "        addi    k0, k0, 4\n");
        put(t, "        mtcr    epc, k0\n");
        if (chance(r, 30))
            put(t, "        out     k0, 0x21\n");      /* acknowledge a timer tick */
        put(t, "        iret\n");
        break;
    default: {
        unsigned m = 1 + below(r, 6);
        for (unsigned i = 0; i < m; i++)
            item(t, r, PT_KIND_KERNEL, label, false);
        put(t, "        iret\n");
        break;
    }
    }
    if (paging) {
        /* level 1: va 0..4 MiB -> pt_l2; some random entries (any frame) */
        put(t, "        .align  4096\n");
        put(t, "pt_l1:  .word   pt_l2 + 1\n");
        unsigned extra = below(r, 6);
        for (unsigned i = 0, at = 1; i < extra && at < 1024; i++, at++) {     /* rising: .org never goes back */
            at += below(r, 200);
            if (at >= 1024)
                break;
            put(t, "        .org    pt_l1 + %u\n", 4 * at);
            put(t, "        .word   0x%08x\n", (wild_addr(r, PT_KIND_KERNEL) & ~0xfffu) | 1);
        }
        put(t, "        .org    pt_l1 + 4096\n");
        /* level 2: pages 1..63 identity (code, stack, tables), the rest random */
        put(t, "pt_l2:\n");
        put(t, "        .word   0\n");
        for (unsigned p = 1; p < 64; p++)
            put(t, "        .word   0x%08x\n", p << 12 | (chance(r, 95) ? 0x0fu : below(r, 64)));
        unsigned wild = below(r, 24);
        for (unsigned i = 0, at = 64; i < wild && at < 1024; i++, at++) {
            at += below(r, 80);
            if (at >= 1024)
                break;
            put(t, "        .org    pt_l2 + %u\n", 4 * at);
            put(t, "        .word   0x%08x\n", (wild_addr(r, PT_KIND_KERNEL) & ~0xfffu) | below(r, 64));
        }
        put(t, "        .org    pt_l2 + 4096\n");
    }
}

static void gen_user(text *t, rng *r, unsigned *label)
{
    put(t, "        .org    0x400000\n");
    put(t, "_start:\n");
    unsigned n = 6 + below(r, 50);
    for (unsigned i = 0; i < n; i++)
        item(t, r, PT_KIND_USER, label, i + 1 == n);
    put(t, "        li      a0, 0\n");
    put(t, "        li      a1, 0x%08x\n", (uint32_t)next(r));
    put(t, "        syscall\n");
}

bool pt_generate(uint64_t seed, uint64_t index, pt_guest *g)
{
    init_ops();
    memset(g, 0, sizeof *g);
    rng r = { seed * 0x2545f4914f6cdd1dull ^ (index + 1) * 0x9e3779b97f4a7c15ull };
    (void)next(&r);
    g->kind = chance(&r, 60) ? PT_KIND_KERNEL : PT_KIND_USER;
    static const uint32_t slices[] = { 2000, 5000, 20000, 100000 };
    g->slice = slices[below(&r, 4)];
    g->slot = below(&r, PT_NVMS);
    text t = { 0 };
    put(&t, "; traplab property-test guest %llu of seed %llu: a %s, slice %u, VM %u\n",
        (unsigned long long)index, (unsigned long long)seed, pt_kind_name(g->kind), g->slice, g->slot);
    put(&t, "; rerun: build/proptest --replay THIS_FILE --kind %s --slice %u --slot %u\n",
        pt_kind_name(g->kind), g->slice, g->slot);
    unsigned label = 0;
    if (g->kind == PT_KIND_KERNEL)
        gen_kernel(&t, &r, &label);
    else
        gen_user(&t, &r, &label);
    if (t.oom) {
        free(t.buf);
        return false;
    }
    g->src = t.buf;
    g->len = t.len;
    return true;
}

void pt_guest_free(pt_guest *g)
{
    free(g->src);
    g->src = NULL;
}
