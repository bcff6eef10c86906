/*
 * test_jit.c -- the translator to host code never changes a result: the same
 * programs run with it on and off (TRAPLAB_JIT=0, read when a machine is
 * made) end in the same state, cycle, instruction count, traps, TLB counts,
 * console output and memory, after every slice of every run.  Random
 * programs (paging, timer interrupts, ring 3, stores into their own code,
 * faults mid-block, runs of 1 to 40 instructions), then one case each for
 * self-modifying code, a page fault in the middle of a translated loop, a
 * timer tick, the step limit, and restoring a snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "tests/tests.h"

#define CODE 0x1000u
#define VEC  0x800u


/* A machine with the translator on or off (the switch is read here, once). */
static machine *new_machine(bool jit)
{
    const char *old = getenv("TRAPLAB_JIT");
    char *keep = old ? strdup(old) : NULL;
    setenv("TRAPLAB_JIT", jit ? "1" : "0", 1);
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.mem_size = 1u << 20;
    cfg.disk_sectors = 4;
    machine *m = machine_new(&cfg);
    if (keep)
        setenv("TRAPLAB_JIT", keep, 1);
    else
        unsetenv("TRAPLAB_JIT");
    free(keep);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    test_put32(m, VEC, E(HALT, 0, 0, 0, 0));
    machine_set_cr(m, CR_TVB, VEC);
    machine_cpu(m)->pc = CODE;
    return m;
}

typedef struct {
    machine_stop stop;
    cpu_state cpu;
    machine_stats st;
    machine_trap last;
    size_t outlen;
    uint32_t outsum;
    const uint8_t *mem;
    uint32_t memsize;
    uint64_t decoded, dropped;
} state;

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void snap(machine *m, machine_stop stop, state *s)
{
    memset(s, 0, sizeof *s);
    s->stop = stop;
    s->cpu = *machine_cpu(m);
    s->st = *machine_get_stats(m);
    s->last = *machine_last_trap(m);
    const char *out = machine_console_output(m, &s->outlen);
    s->outsum = fnv(2166136261u, (const uint8_t *)out, s->outlen);
    s->mem = machine_mem_view(m);
    s->memsize = machine_mem_size(m);
    machine_code_stats cs = machine_get_code_stats(m);
    s->decoded = cs.decoded;       /* the decoded-code cache works the same either way */
    s->dropped = cs.dropped;
}

static bool same(const state *a, const state *b)
{
    return a->stop == b->stop && memcmp(&a->cpu, &b->cpu, sizeof a->cpu) == 0 &&
           memcmp(&a->st, &b->st, sizeof a->st) == 0 &&
           memcmp(&a->last, &b->last, sizeof a->last) == 0 && a->outlen == b->outlen &&
           a->outsum == b->outsum && a->memsize == b->memsize &&
           memcmp(a->mem, b->mem, a->memsize) == 0 && a->decoded == b->decoded &&
           a->dropped == b->dropped;
}

/* Runs both machines through the same slices, comparing after each;
 * returns how many slices matched (all of them when it is nslices). */
static unsigned run_both(machine *on, machine *off, const uint64_t *slices, unsigned nslices)
{
    for (unsigned i = 0; i < nslices; i++) {
        machine_stop sa = machine_run(on, slices[i]), sb = machine_run(off, slices[i]);
        state x, y;
        snap(on, sa, &x);
        snap(off, sb, &y);
        if (!same(&x, &y))
            return i;
        if (sa == STOP_HALT || sa == STOP_FATAL)
            return nslices;
    }
    return nslices;
}

static uint64_t translated(const machine *m) { return machine_get_code_stats(m).translated; }
static uint64_t host_runs(const machine *m) { return machine_get_code_stats(m).host_runs; }

/* On x86-64 the translator exists; elsewhere the stub translates nothing. */
#if defined(__x86_64__)
#define HAVE_JIT 1
#else
#define HAVE_JIT 0
#endif

/* ---- random programs ------------------------------------------------------------ */

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 1;
}

/* Emulates privileged instructions (ring 3) and goes on. */
static bool skip_hook(machine *m, const machine_trap *t, void *ud)
{
    (void)ud;
    if (CAUSE_CODE(t->cause) == CAUSE_ILLEGAL_PRIV) {
        machine_cpu(m)->pc = t->pc + 4;
        machine_add_cycles(m, 7);
        return true;
    }
    return false;
}

/* Mostly what the translator handles, every register (r0 too) and
 * immediate shape, with some of what it does not, and random words. */
static uint32_t random_insn(uint32_t *seed)
{
    static const isa_opcode ops[] = {
        OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_SLL, OP_SRL, OP_SRA, OP_SLT, OP_SLTU,
        OP_ADDI, OP_ANDI, OP_ORI, OP_XORI, OP_SLLI, OP_SRLI, OP_SRAI, OP_SLTI, OP_SLTIU, OP_LUI,
        OP_LW, OP_LH, OP_LHU, OP_LB, OP_LBU, OP_SW, OP_SH, OP_SB,
        OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU, OP_J, OP_JAL, OP_JALR,
        OP_ADDI, OP_ADD, OP_LW, OP_SW, OP_ADDI, OP_XOR, OP_LBU, OP_SB,
        OP_DIV, OP_REMU, OP_SYSCALL, OP_OUT, OP_MFCR,
    };
    uint32_t r = rnd(seed);
    if (r % 40 == 0)
        return rnd(seed) ^ (rnd(seed) << 16);
    isa_opcode op = ops[r / 40 % (sizeof ops / sizeof ops[0])];
    const isa_insn *in = isa_lookup_opcode(op);
    isa_operands o = { rnd(seed) % 16, rnd(seed) % 16, rnd(seed) % 16, 0 };
    uint32_t x = rnd(seed);
    switch (in->format) {
    case FMT_B: case FMT_J: o.imm = (int32_t)(rnd(seed) % 28) - 16; break;
    case FMT_LOAD: case FMT_STORE:
        /* r9: data (a page beyond it unmapped under paging), r10: the code */
        o.rs1 = x % 8 == 0 ? rnd(seed) % 16 : x % 8 == 1 && op >= OP_SW ? 10 : 9;
        o.imm = (int32_t)(rnd(seed) % 1024) - 64;
        if (x % 3)
            o.imm &= op == OP_LW || op == OP_SW ? ~3 : op == OP_LH || op == OP_LHU || op == OP_SH ? ~1 : ~0;
        break;
    case FMT_POUT: o.imm = PORT_CONSOLE_DATA; break;
    case FMT_CRR: o.rs1 = CR_CYCLE; break;
    case FMT_I:
        if (op == OP_JALR) {
            o.rs1 = x % 2 ? 0 : REG_LR;
            o.imm = o.rs1 ? 0 : (int32_t)(CODE + 4 * (rnd(seed) % 200));
        } else {
            o.imm = x % 4 == 0 ? (int32_t)(rnd(seed) % 0x40000) - 0x20000 : (int32_t)(rnd(seed) % 64) - 32;
        }
        break;
    case FMT_IU: o.imm = (int32_t)(x % 4 == 0 ? rnd(seed) % 0x40000 : rnd(seed) % 256); break;
    case FMT_SH: o.imm = (int32_t)(rnd(seed) % 32); break;
    case FMT_U: o.imm = (int32_t)(rnd(seed) % 0x100000); break;
    default: break;
    }
    return isa_encode(in, &o);
}

static machine *random_machine(bool jit, uint32_t seed, unsigned variant)
{
    machine *m = new_machine(jit);
    for (unsigned i = 0; i < 240; i++)
        test_put32(m, CODE + 4 * i, random_insn(&seed));
    test_put32(m, CODE + 4 * 240, E(J, 0, 0, 0, -240));
    for (uint32_t a = 0x8000; a < 0xa000; a += 4)       /* data with every bit pattern */
        test_put32(m, a, rnd(&seed) ^ rnd(&seed) << 16);
    for (unsigned r = 1; r < 16; r++)
        machine_set_reg(m, r, rnd(&seed) % 4 ? rnd(&seed) % 64 : rnd(&seed) << 1);
    machine_set_reg(m, 9, 0x8e00);
    machine_set_reg(m, 10, CODE + 4 * (rnd(&seed) % 200));
    machine_set_reg(m, REG_LR, CODE + 4 * (rnd(&seed) % 200));
    /* The vector skips the trapping instruction and returns. */
    LOAD(m, VEC, E(MFCR, 11, CR_EPC, 0, 0), E(ADDI, 11, 11, 0, 4), E(MTCR, CR_EPC, 11, 0, 0),
         E(IRET, 0, 0, 0, 0));
    uint32_t ring = variant & 4 ? 3u << PTE_RING_SHIFT : 0;
    if (variant & 1) {
        for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
            if (p != 0x9000)        /* r9 + offset runs into a page fault */
                test_map(m, p, p, PTE_R | PTE_W | PTE_X | ring);
        machine_set_cr(m, CR_PTB, 0x10000);
    }
    uint32_t status = (variant & 1 ? STATUS_PG : 0) | (variant & 2 ? STATUS_IE : 0);
    if (variant & 2)
        machine_set_cr(m, CR_TIMECMP, 37 + seed % 300);
    if (variant & 4) {
        status |= 3;
        machine_set_trap_hook(m, skip_hook, NULL);
    }
    machine_set_cr(m, CR_STATUS, status);
    return m;
}

static void test_random(void)
{
    uint64_t trans = 0, runs = 0;
    for (uint32_t round = 0; round < 192; round++) {
        uint32_t seed = 0x9e3779b9u * (round + 7);
        unsigned variant = round % 8;
        uint64_t slices[64];
        unsigned n = 0;
        if (round % 3 == 0) {
            slices[n++] = 6000;                 /* one run */
        } else {
            /* slices of 1 to 40 instructions, then a long one */
            for (uint32_t r = seed; n < 63; r = r * 1103515245u + 12345u)
                slices[n++] = 1 + (r >> 16) % (round % 3 == 1 ? 40 : 400);
            slices[n++] = 4000;
        }
        machine *a = random_machine(true, seed, variant), *b = random_machine(false, seed, variant);
        unsigned ok = run_both(a, b, slices, n);
        CU_ASSERT_EQUAL(ok, n);
        if (ok != n)
            fprintf(stderr, "\njit: round %u (variant %u) differs after slice %u\n", round, variant, ok);
        CU_ASSERT_EQUAL(translated(b), 0);
        trans += translated(a);
        runs += host_runs(a);
        machine_free(a);
        machine_free(b);
    }
    if (HAVE_JIT) {
        CU_ASSERT(trans > 100);
        CU_ASSERT(runs > 1000);
    }
}

/* Loops of straight-line code the translator takes whole: every plain
 * form with random registers (r0 too; r9, r10 and the counter r13 stay),
 * loads and stores through r9 (misaligned ones, and a fault under paging
 * past 0x9000) and a few through r10 into the loop itself. */
static machine *block_machine(bool jit, uint32_t seed, unsigned variant)
{
    static const isa_opcode ops[] = {
        OP_ADD, OP_SUB, OP_MUL, OP_AND, OP_OR, OP_XOR, OP_SLL, OP_SRL, OP_SRA, OP_SLT, OP_SLTU,
        OP_ADDI, OP_ANDI, OP_ORI, OP_XORI, OP_SLLI, OP_SRLI, OP_SRAI, OP_SLTI, OP_SLTIU, OP_LUI,
        OP_LW, OP_LH, OP_LHU, OP_LB, OP_LBU, OP_SW, OP_SH, OP_SB,
    };
    machine *m = random_machine(jit, seed, variant & 3);
    unsigned n = 8 + seed % 40;
    for (unsigned i = 0; i < n; i++) {
        isa_opcode op = ops[rnd(&seed) % (sizeof ops / sizeof ops[0])];
        const isa_insn *in = isa_lookup_opcode(op);
        unsigned nr = variant & 4 ? 5 : 16;      /* few registers: every overlap of rd, rs1, rs2 */
        isa_operands o = { rnd(&seed) % nr, rnd(&seed) % nr, rnd(&seed) % nr, 0 };
        while (o.rd == 9 || o.rd == 10 || o.rd == 13)
            o.rd = rnd(&seed) % nr;
        switch (in->format) {
        case FMT_LOAD: case FMT_STORE:
            o.rs1 = op >= OP_SW && rnd(&seed) % 16 == 0 ? 10 : 9;
            o.imm = (int32_t)(rnd(&seed) % 1024) - 64;
            if (rnd(&seed) % 8)
                o.imm &= op == OP_LW || op == OP_SW ? ~3 : op == OP_LH || op == OP_LHU || op == OP_SH ? ~1 : ~0;
            break;
        case FMT_I: o.imm = (int32_t)(rnd(&seed) % 0x40000) - 0x20000; break;
        case FMT_IU: o.imm = (int32_t)(rnd(&seed) % 0x40000); break;
        case FMT_SH: o.imm = (int32_t)(rnd(&seed) % 32); break;
        case FMT_U: o.imm = (int32_t)(rnd(&seed) % 0x100000); break;
        default: break;
        }
        test_put32(m, CODE + 4 * i, isa_encode(in, &o));
    }
    test_put32(m, CODE + 4 * n, E(ADDI, 13, 13, 0, -1));
    test_put32(m, CODE + 4 * n + 4, E(BNE, 13, 0, 0, -(int32_t)n - 1));
    test_put32(m, CODE + 4 * n + 8, E(HALT, 0, 0, 0, 0));
    machine_set_reg(m, 13, 50 + seed % 100);
    machine_set_reg(m, 10, CODE + 4 * (rnd(&seed) % n));
    return m;
}

static void test_random_blocks(void)
{
    uint64_t runs = 0;
    for (uint32_t round = 0; round < 256; round++) {
        uint32_t seed = 0x85ebca6bu * (round + 3);
        uint64_t slices[24];
        unsigned n = 0;
        for (uint32_t r = seed; n < 23; r = r * 1103515245u + 12345u)
            slices[n++] = 1 + (r >> 16) % (round % 2 ? 50 : 700);
        slices[n++] = 100000;
        machine *a = block_machine(true, seed, round % 8), *b = block_machine(false, seed, round % 8);
        unsigned ok = run_both(a, b, slices, n);
        CU_ASSERT_EQUAL(ok, n);
        if (ok != n)
            fprintf(stderr, "\njit: block round %u differs after slice %u\n", round, ok);
        runs += host_runs(a);
        machine_free(a);
        machine_free(b);
    }
    if (HAVE_JIT)
        CU_ASSERT(runs > 1000);
}

/* ---- one case each ------------------------------------------------------------- */

/* A compute loop like bench_cpu's, paging on. */
static machine *loop_machine(bool jit)
{
    machine *m = new_machine(jit);
    for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
        test_map(m, p, p, PTE_R | PTE_W | PTE_X);
    LOAD(m, CODE,
         E(ADDI, 6, 0, 0, 0x2000),
         E(ADDI, 1, 1, 0, 1),                /* loop */
         E(ADD, 3, 3, 1, 0),
         E(XOR, 4, 4, 3, 0),
         E(LW, 5, 6, 0, 0),
         E(ADD, 4, 4, 5, 0),
         E(SW, 4, 6, 0, 4),
         E(SLLI, 7, 4, 0, 3),
         E(J, 0, 0, 0, -7));
    machine_set_cr(m, CR_PTB, 0x10000);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    return m;
}

static void test_translates(void)
{
    machine *a = loop_machine(true), *b = loop_machine(false);
    uint64_t slices[] = { 1000000 };
    CU_ASSERT_EQUAL(run_both(a, b, slices, 1), 1);
    CU_ASSERT_EQUAL(machine_instret(a), 1000000);
    CU_ASSERT_EQUAL(machine_get_reg(a, 1), 1000000 / 8);
    if (HAVE_JIT) {
        CU_ASSERT(translated(a) >= 1);
        CU_ASSERT(host_runs(a) >= 1);
    }
    CU_ASSERT_EQUAL(translated(b), 0);      /* TRAPLAB_JIT=0: nothing */
    CU_ASSERT_EQUAL(host_runs(b), 0);
    machine_free(a);
    machine_free(b);
}

static void test_limit(void)
{
    /* Every limit from 1 to 120 stops the translated loop at the same
     * instruction, cycle and TLB count; then it runs on the same. */
    for (uint64_t n = 1; n <= 120; n++) {
        machine *a = loop_machine(true), *b = loop_machine(false);
        uint64_t slices[] = { n, 3 * n + 1, 5000, n };
        CU_ASSERT_EQUAL(run_both(a, b, slices, 4), 4);
        CU_ASSERT_EQUAL(machine_instret(a), 5 * n + 5001);
        machine_free(a);
        machine_free(b);
    }
}

static void test_timer(void)
{
    /* A timer tick every 997 cycles interrupts the translated loop; the
     * handler counts it in r9 and acknowledges it. */
    machine *ms[2];
    for (unsigned k = 0; k < 2; k++) {
        machine *m = ms[k] = loop_machine(k == 0);
        LOAD(m, VEC, E(OUT, 0, 0, 0, PORT_TIMER_CTRL), E(ADDI, 9, 9, 0, 1), E(IRET, 0, 0, 0, 0));
        machine_set_cr(m, CR_TIMECMP, 997);
        machine_set_cr(m, CR_STATUS, STATUS_PG | STATUS_IE);
    }
    uint64_t slices[] = { 200000, 17, 33333 };
    CU_ASSERT_EQUAL(run_both(ms[0], ms[1], slices, 3), 3);
    CU_ASSERT(machine_get_reg(ms[0], 9) > 100);
    uint64_t ticks = machine_get_stats(ms[0])->traps[CAUSE_TIMER];
    CU_ASSERT(ticks >= machine_get_reg(ms[0], 9) && ticks <= machine_get_reg(ms[0], 9) + 1u);
    if (HAVE_JIT)
        CU_ASSERT(host_runs(ms[0]) > 100);
    machine_free(ms[0]);
    machine_free(ms[1]);
}

static void test_page_fault(void)
{
    /* The loop walks r6 up through memory; at 0x6000 it meets an unmapped
     * page: the fault is at the load in the middle of the block, with the
     * cycles and instruction count of stepping. */
    machine *ms[2];
    for (unsigned k = 0; k < 2; k++) {
        machine *m = ms[k] = new_machine(k == 0);
        for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
            if (p != 0x6000)
                test_map(m, p, p, PTE_R | PTE_W | PTE_X);
        LOAD(m, CODE,
             E(ADDI, 6, 0, 0, 0x4000),
             E(ADDI, 1, 1, 0, 1),            /* loop */
             E(SW, 1, 6, 0, 0),
             E(ADDI, 6, 6, 0, 8),
             E(LW, 5, 6, 0, 0),              /* faults at 0x6000 */
             E(ADD, 4, 4, 5, 0),
             E(J, 0, 0, 0, -5));
        machine_set_cr(m, CR_PTB, 0x10000);
        machine_set_cr(m, CR_STATUS, STATUS_PG);
    }
    uint64_t slices[] = { 100000 };
    CU_ASSERT_EQUAL(run_both(ms[0], ms[1], slices, 1), 1);
    const machine_trap *t = machine_last_trap(ms[0]);
    CU_ASSERT_EQUAL(CAUSE_CODE(t->cause), CAUSE_PAGE_FAULT);
    CU_ASSERT_EQUAL(t->pc, CODE + 16);
    CU_ASSERT_EQUAL(t->addr, 0x6000);
    CU_ASSERT_EQUAL(t->instret, 1 + 1024 * 6 - 2);
    CU_ASSERT_EQUAL(machine_get_reg(ms[0], 1), 1024);
    if (HAVE_JIT)
        CU_ASSERT(translated(ms[0]) >= 1);
    machine_free(ms[0]);
    machine_free(ms[1]);
}

static void test_self_modifying(void)
{
    /* The loop adds r2 to r1 a hundred times, then rewrites its own add
     * into a sub (in the same block): the new instruction runs at once,
     * with paging off and on, and the host's write between runs too. */
    for (unsigned paged = 0; paged < 2; paged++) {
        machine *ms[2];
        for (unsigned k = 0; k < 2; k++) {
            machine *m = ms[k] = new_machine(k == 0);
            if (paged)
                for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
                    test_map(m, p, p, PTE_R | PTE_W | PTE_X);
            LOAD(m, CODE,
                 E(ADDI, 2, 0, 0, 3),
                 E(LUI, 7, 0, 0, 0),
                 E(ADDI, 7, 7, 0, (int32_t)(CODE + 12)),    /* r7 = &the add */
                 E(ADD, 1, 1, 2, 0),                      /* loop: patched below */
                 E(ADDI, 3, 3, 0, 1),
                 E(SLTI, 4, 3, 0, 100),
                 E(BNE, 4, 0, 0, 3),                      /* to the branch back */
                 E(LW, 5, 0, 0, 0x3000),                  /* the sub, from data */
                 E(SW, 5, 7, 0, 0),                       /* written over the add */
                 E(SLTI, 4, 3, 0, 200),
                 E(BNE, 4, 0, 0, -7),
                 E(HALT, 0, 0, 0, 0));
            test_put32(m, 0x3000, E(SUB, 1, 1, 2, 0));
            if (paged) {
                machine_set_cr(m, CR_PTB, 0x10000);
                machine_set_cr(m, CR_STATUS, STATUS_PG);
            }
        }
        uint64_t slices[] = { 250, 100000 };
        CU_ASSERT_EQUAL(run_both(ms[0], ms[1], slices, 2), 2);
        CU_ASSERT_EQUAL(machine_last_stop(ms[0]), STOP_HALT);
        CU_ASSERT_EQUAL(machine_get_reg(ms[0], 3), 200);
        CU_ASSERT_EQUAL(machine_get_reg(ms[0], 1), 0);       /* 100 adds of 3, 100 subs */
        /* The host rewrites the loop between runs: the translation goes. */
        for (unsigned k = 0; k < 2; k++) {
            test_put32(ms[k], CODE + 12, E(ADDI, 1, 1, 0, 5));
            test_put32(ms[k], CODE + 44, E(J, 0, 0, 0, -8));      /* halt -> back to the loop */
            machine_set_reg(ms[k], 3, 0);
            machine_cpu(ms[k])->pc = CODE + 12;
        }
        uint64_t more[] = { 600 };      /* 99 turns of 6, then the 100th up to its store */
        CU_ASSERT_EQUAL(run_both(ms[0], ms[1], more, 1), 1);
        CU_ASSERT_EQUAL(machine_get_reg(ms[0], 1), 5 * 100);
        CU_ASSERT_EQUAL(machine_get_reg(ms[0], 3), 100);
        machine_free(ms[0]);
        machine_free(ms[1]);
    }
}

static void test_restore(void)
{
    /* A snapshot taken mid-loop, restored after more runs: the machine goes
     * on from the snapshot exactly as the one that never had the JIT. */
    machine *a = loop_machine(true), *b = loop_machine(false);
    uint64_t first[] = { 5003 };
    CU_ASSERT_EQUAL(run_both(a, b, first, 1), 1);
    machine_snapshot *sa = machine_save(a), *sb = machine_save(b);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    uint64_t more[] = { 20000 };
    CU_ASSERT_EQUAL(run_both(a, b, more, 1), 1);
    machine_restore(a, sa);
    machine_restore(b, sb);
    uint64_t again[] = { 7, 12345, 1 };
    CU_ASSERT_EQUAL(run_both(a, b, again, 3), 3);
    machine_snapshot_free(sa);
    machine_snapshot_free(sb);
    machine_free(a);
    machine_free(b);
}

void test_jit_register(void)
{
    CU_pSuite s = CU_add_suite("jit", NULL, NULL);
    CU_add_test(s, "jit: on == off, random programs (paging, timer, ring 3, faults, self-modifying)",
                test_random);
    CU_add_test(s, "jit: on == off, random straight-line loops", test_random_blocks);
    CU_add_test(s, "jit: the compute loop is translated; TRAPLAB_JIT=0 translates nothing",
                test_translates);
    CU_add_test(s, "jit: the step limit stops a translated loop exactly", test_limit);
    CU_add_test(s, "jit: timer ticks interrupt a translated loop at the same cycle", test_timer);
    CU_add_test(s, "jit: a page fault in the middle of a translated block", test_page_fault);
    CU_add_test(s, "jit: self-modifying code and host writes drop translations", test_self_modifying);
    CU_add_test(s, "jit: a restored snapshot runs on the same", test_restore);
}
