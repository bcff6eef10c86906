/*
 * test_engine.c -- the block engine, in the machine suite: code that changes
 * runs as changed (self-modifying code, a write through another mapping, a
 * new mapping, DMA, the host's writes), a trap or the step limit in the
 * middle of a block lands on the right instruction with the right cycle
 * count, reverse step (restore and run forward) crosses blocks, and a
 * differential test: whole runs against single steps and against the
 * instruction hook's one-at-a-time path, on random programs.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"
#include "tests/tests.h"

#define CODE 0x1000u
#define VEC  0x800u


static machine *new_machine(void)
{
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.mem_size = 1u << 20;
    cfg.disk_sectors = 4;
    machine *m = machine_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    test_put32(m, VEC, E(HALT, 0, 0, 0, 0));
    machine_set_cr(m, CR_TVB, VEC);
    machine_cpu(m)->pc = CODE;
    return m;
}

/* Level-1 table at 0x10000, level-2 at 0x11000; va -> pa with flags. */
/* A page written to before it held code (the store is fast then), then run,
 * then rewritten by its own code: the rewrite runs, with paging off and on. */
static void test_data_page_becomes_code(void)
{
    for (int paged = 0; paged < 2; paged++) {
        machine *m = new_machine();
        LOAD(m, CODE,
             E(SW, 0, 4, 0, 0x40),        /* a plain data store into the page at r4 */
             E(SW, 0, 4, 0, 0x44),
             E(JALR, 0, 4, 0, 0));        /* then run it */
        LOAD(m, 0x3000,
             E(SW, 3, 4, 0, 8),           /* 0x3008 = r3 */
             E(ADDI, 0, 0, 0, 0),
             E(ADDI, 2, 0, 0, 1),         /* replaced by addi r2, r0, 7 */
             E(HALT, 0, 0, 0, 0));
        machine_set_reg(m, 4, 0x3000);
        machine_set_reg(m, 3, E(ADDI, 2, 0, 0, 7));
        if (paged) {
            test_map(m, VEC, VEC, PTE_R | PTE_X);
            test_map(m, CODE, CODE, PTE_R | PTE_X);
            test_map(m, 0x3000, 0x3000, PTE_R | PTE_W | PTE_X);
            machine_set_cr(m, CR_PTB, 0x10000);
            machine_set_cr(m, CR_STATUS, STATUS_PG);
        }
        CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
        CU_ASSERT_EQUAL(machine_get_reg(m, 2), 7);
        CU_ASSERT_EQUAL(machine_instret(m), 7);
        machine_free(m);
    }
}

static void test_self_modifying(void)
{
    /* A store rewrites an instruction later in the same block. */
    machine *m = new_machine();
    LOAD(m, CODE,
         E(SW, 2, 5, 0, 8),           /* CODE+8 = r2 */
         E(ADDI, 1, 0, 0, 1),
         E(ADDI, 1, 0, 0, 7),         /* replaced by addi r1, r0, 42 */
         E(HALT, 0, 0, 0, 0));
    machine_set_reg(m, 5, CODE);
    machine_set_reg(m, 2, E(ADDI, 1, 0, 0, 42));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 42);
    CU_ASSERT_EQUAL(machine_instret(m), 4);
    CU_ASSERT_EQUAL(machine_cycles(m), 2 + 1 + 1 + 1);
    machine_free(m);

    /* A loop rewrites an instruction it has already run. */
    m = new_machine();
    LOAD(m, CODE,
         E(ADDI, 1, 1, 0, 7),         /* then addi r1, r1, 100 */
         E(BNE, 3, 0, 0, 4),          /* second time round: to the halt */
         E(SW, 2, 5, 0, 0),
         E(ADDI, 3, 0, 0, 1),
         E(J, 0, 0, 0, -4),
         E(HALT, 0, 0, 0, 0));
    machine_set_reg(m, 5, CODE);
    machine_set_reg(m, 2, E(ADDI, 1, 1, 0, 100));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 107);
    machine_free(m);

    /* The host rewrites code between runs: write_phys, machine_mem, DMA. */
    m = new_machine();
    LOAD(m, CODE, E(ADDI, 1, 0, 0, 1), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 1);
    test_put32(m, CODE, E(ADDI, 1, 0, 0, 2));
    machine_cpu(m)->pc = CODE;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 2);
    uint32_t w = E(ADDI, 1, 0, 0, 3);
    memcpy(machine_mem(m) + CODE, &w, 4);
    machine_cpu(m)->pc = CODE;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 3);
    /* a sector holding addi r1, r0, 4; halt, read over the code by the program itself */
    uint8_t *disk = machine_disk(m);
    uint32_t sec[2] = { E(ADDI, 1, 0, 0, 4), E(HALT, 0, 0, 0, 0) };
    memcpy(disk + 512, sec, sizeof sec);
    LOAD(m, 0x3000,
         E(ADDI, 6, 0, 0, 1), E(OUT, 6, 0, 0, PORT_BLOCK_SECTOR),
         E(ADDI, 6, 0, 0, CODE), E(OUT, 6, 0, 0, PORT_BLOCK_ADDR),
         E(ADDI, 6, 0, 0, BLOCK_CMD_READ), E(OUT, 6, 0, 0, PORT_BLOCK_CMD),
         E(JALR, 0, 0, 0, CODE));
    machine_cpu(m)->pc = 0x3000;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 4);
    machine_code_stats st = machine_get_code_stats(m);
    CU_ASSERT(st.decoded > 0 && st.dropped > 0 && st.flushes > 0);
    machine_free(m);
}

static void test_other_mapping(void)
{
    /* Code at va 0x5000 (frame 0x7000, executable), written through va
     * 0x6000, which maps the same frame writable. */
    machine *m = new_machine();
    test_map(m, 0x5000, 0x7000, PTE_R | PTE_X);
    test_map(m, 0x6000, 0x7000, PTE_R | PTE_W);
    LOAD(m, 0x7000,
         E(ADDI, 1, 1, 0, 7),
         E(BNE, 3, 0, 0, 4),
         E(SW, 2, 5, 0, 0),
         E(ADDI, 3, 0, 0, 1),
         E(J, 0, 0, 0, -4),
         E(HALT, 0, 0, 0, 0));
    machine_set_reg(m, 5, 0x6000);
    machine_set_reg(m, 2, E(ADDI, 1, 1, 0, 100));
    machine_set_cr(m, CR_PTB, 0x10000);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    machine_cpu(m)->pc = 0x5000;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 107);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, 0x5000 + 24);
    machine_free(m);
}

static void test_paging_change(void)
{
    machine *m = new_machine();
    LOAD(m, 0x7000, E(ADDI, 1, 0, 0, 1), E(HALT, 0, 0, 0, 0));
    LOAD(m, 0x8000, E(ADDI, 1, 0, 0, 2), E(HALT, 0, 0, 0, 0));
    test_map(m, 0x5000, 0x7000, PTE_R | PTE_X);
    machine_set_cr(m, CR_PTB, 0x10000);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    machine_cpu(m)->pc = 0x5000;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 1);
    /* the same virtual page now maps the other frame */
    test_map(m, 0x5000, 0x8000, PTE_R | PTE_X);
    machine_tlb_flush(m);
    machine_cpu(m)->pc = 0x5000;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 2);
    /* and back, by switching to another page table (mtcr ptb in the guest) */
    test_put32(m, 0x12000 + 4 * VA_L1(0x5000), 0x13000 | PTE_V);
    test_put32(m, 0x13000 + 4 * VA_L2(0x5000), 0x7000 | PTE_V | PTE_R | PTE_X);
    test_put32(m, 0x13000 + 4 * VA_L2(0x9000), 0x9000 | PTE_V | PTE_R | PTE_X);
    test_put32(m, 0x11000 + 4 * VA_L2(0x9000), 0x9000 | PTE_V | PTE_R | PTE_X);
    LOAD(m, 0x9000, E(ADDI, 6, 0, 0, 0x12000), E(MTCR, CR_PTB, 6, 0, 0), E(JALR, 0, 0, 0, 0x5000));
    machine_cpu(m)->pc = 0x9000;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 1);
    machine_free(m);
}

static void test_trap_mid_block(void)
{
    /* addi, addi, mul, then a misaligned load in the middle of the block:
     * the trap is at the lw, after 1 + 1 + 3 + 2 cycles and 4 instructions;
     * what follows it in the block never ran. */
    machine *m = new_machine();
    LOAD(m, CODE,
         E(ADDI, 1, 0, 0, 1), E(ADDI, 2, 0, 0, 2), E(MUL, 3, 1, 2, 0),
         E(LW, 4, 0, 0, 2),
         E(ADDI, 7, 0, 0, 9), E(ADDI, 8, 0, 0, 9), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    const machine_trap *t = machine_last_trap(m);
    CU_ASSERT_EQUAL(t->cause, CAUSE_MAKE(CAUSE_MISALIGNED, ACCESS_READ));
    CU_ASSERT_EQUAL(t->pc, CODE + 12);
    CU_ASSERT_EQUAL(t->insn, E(LW, 4, 0, 0, 2));
    CU_ASSERT_EQUAL(t->cycle, 7);
    CU_ASSERT_EQUAL(t->instret, 4);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 2);
    CU_ASSERT_EQUAL(machine_get_reg(m, 7), 0);
    CU_ASSERT_EQUAL(machine_cycles(m), 7 + 1000 + 1);
    CU_ASSERT_EQUAL(machine_instret(m), 5);
    machine_free(m);

    /* divide by zero and a page fault mid-block, with paging on: every TLB
     * miss (20 cycles: the fetch, the store) counts up to the trap. */
    m = new_machine();
    test_map(m, CODE, CODE, PTE_R | PTE_X);
    test_map(m, 0x4000, 0x4000, PTE_R | PTE_W);
    test_map(m, 0, 0, PTE_R | PTE_X);      /* the vector */
    LOAD(m, CODE,
         E(ADDI, 5, 0, 0, 0x4000), E(SW, 5, 5, 0, 0), E(ADDI, 1, 0, 0, 5),
         E(DIV, 2, 1, 0, 0),
         E(ADDI, 7, 0, 0, 9), E(HALT, 0, 0, 0, 0));
    machine_set_cr(m, CR_PTB, 0x10000);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    t = machine_last_trap(m);
    CU_ASSERT_EQUAL(CAUSE_CODE(t->cause), CAUSE_DIVIDE_BY_ZERO);
    CU_ASSERT_EQUAL(t->pc, CODE + 12);
    CU_ASSERT_EQUAL(t->cycle, 20 + 1 + 2 + 20 + 1 + 20);
    CU_ASSERT_EQUAL(t->instret, 4);
    CU_ASSERT_EQUAL(machine_get_reg(m, 7), 0);
    machine_free(m);

    /* a timer interrupt comes due in the middle of a long block: it is taken
     * at the first boundary at or after the tick, as when stepping. */
    m = new_machine();
    for (unsigned i = 0; i < 40; i++)
        test_put32(m, CODE + 4 * i, E(ADDI, 1, 1, 0, 1));
    test_put32(m, CODE + 160, E(HALT, 0, 0, 0, 0));
    test_put32(m, CODE + 4, E(MUL, 2, 1, 1, 0));           /* 3 cycles: ticks fall mid-instruction */
    machine_set_cr(m, CR_TIMECMP, 12);
    machine_set_cr(m, CR_STATUS, STATUS_IE);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    t = machine_last_trap(m);
    CU_ASSERT_EQUAL(t->cause, CAUSE_TIMER);
    CU_ASSERT_EQUAL(t->pc, CODE + 4 * 10);              /* 1 + 3 + 8 * 1 = 12 cycles */
    CU_ASSERT_EQUAL(t->cycle, 12);
    CU_ASSERT_EQUAL(t->instret, 10);
    machine_free(m);
}

static void test_limit_mid_block(void)
{
    /* One 24-instruction block of mixed costs: every limit stops exactly. */
    uint32_t code[25];
    uint64_t cost[25] = { 0 };
    for (unsigned i = 0; i < 24; i++) {
        code[i] = i % 3 == 1 ? E(MUL, 2, 1, 1, 0) : i % 3 == 2 ? E(LW, 3, 0, 0, 0x2000)
                                                               : E(ADDI, 1, 1, 0, 1);
        cost[i + 1] = cost[i] + (i % 3 == 1 ? 3 : i % 3 == 2 ? 2 : 1);
    }
    code[24] = E(HALT, 0, 0, 0, 0);
    for (unsigned n = 1; n <= 24; n++) {
        machine *m = new_machine();
        test_load(m, CODE, code, 25);
        CU_ASSERT_EQUAL(machine_run(m, n), STOP_LIMIT);
        CU_ASSERT_EQUAL(machine_instret(m), n);
        CU_ASSERT_EQUAL(machine_cpu(m)->pc, CODE + 4 * n);
        CU_ASSERT_EQUAL(machine_cycles(m), cost[n]);
        CU_ASSERT_EQUAL(machine_get_reg(m, 1), (n + 2) / 3);
        /* and the rest runs on from there */
        CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
        CU_ASSERT_EQUAL(machine_instret(m), 25);
        CU_ASSERT_EQUAL(machine_cycles(m), cost[24] + 1);
        machine_free(m);
    }
}

/* ---- reverse step and the differential test ---------------------------------- */

typedef struct {
    cpu_state cpu;
    machine_stats st;
    size_t outlen;
    uint32_t memsum;
} state;

static void snap_state(machine *m, state *s)
{
    s->cpu = *machine_cpu(m);
    s->st = *machine_get_stats(m);
    machine_console_output(m, &s->outlen);
    uint32_t h = 2166136261u;
    const uint8_t *p = machine_mem_view(m);
    for (uint32_t i = 0; i < machine_mem_size(m); i++)
        h = (h ^ p[i]) * 16777619u;
    s->memsum = h;
}

static bool same(const state *a, const state *b)
{
    return memcmp(&a->cpu, &b->cpu, sizeof a->cpu) == 0 && memcmp(&a->st, &b->st, sizeof a->st) == 0 &&
           a->outlen == b->outlen && a->memsum == b->memsum;
}

/* A loop of blocks that stores into a table, calls a function and prints. */
static machine *looping(void)
{
    machine *m = new_machine();
    LOAD(m, CODE,
         E(ADDI, 1, 0, 0, 0),
         E(ADDI, 5, 0, 0, 0x4000),
         E(ADDI, 1, 1, 0, 1),         /* loop */
         E(SW, 1, 5, 0, 0),
         E(ADDI, 5, 5, 0, 4),
         E(JAL, 0, 0, 0, 5),          /* to f */
         E(SLTI, 6, 1, 0, 12),
         E(BNE, 6, 0, 0, -5),
         E(HALT, 0, 0, 0, 0),
         0,
         E(ADDI, 7, 1, 0, '0'),       /* f */
         E(OUT, 7, 0, 0, PORT_CONSOLE_DATA),
         E(JALR, 0, REG_LR, 0, 0));
    return m;
}

static void test_limit_with_timer(void)
{
    /* A 60-instruction run with loads (TLB misses under paging) and a timer
     * every 2,011 cycles: runs of every length from 1 to 64, cut by the limit,
     * end where single steps do, and take every tick at the same cycle (the
     * handler's acknowledgement, an I/O instruction, takes about 1,100). */
    uint32_t code[62];
    for (unsigned i = 0; i < 60; i++)
        code[i] = i % 2 ? E(LW, 3, 0, 0, 0x2000 + 0x1000 * (i % 5)) : E(ADDI, 1, 1, 0, 1);
    code[60] = E(J, 0, 0, 0, -60);
    for (unsigned paged = 0; paged < 2; paged++)
        for (uint64_t n = 1; n <= 64; n++) {
            machine *a = new_machine(), *b = new_machine();
            machine *ms[2] = { a, b };
            for (unsigned k = 0; k < 2; k++) {
                test_load(ms[k], CODE, code, 61);
                LOAD(ms[k], VEC, E(OUT, 0, 0, 0, PORT_TIMER_CTRL), E(ADDI, 9, 9, 0, 1),
                     E(IRET, 0, 0, 0, 0));
                if (paged) {
                    for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
                        test_map(ms[k], p, p, PTE_R | PTE_W | PTE_X);
                    machine_set_cr(ms[k], CR_PTB, 0x10000);
                }
                machine_set_cr(ms[k], CR_TIMECMP, 2011);
                machine_set_cr(ms[k], CR_STATUS, STATUS_IE | (paged ? STATUS_PG : 0));
            }
            machine_stop sa = STOP_LIMIT, sb = STOP_LIMIT;
            while (machine_instret(a) < 20000 && sa == STOP_LIMIT)
                sa = machine_run(a, n);
            while (machine_instret(b) < machine_instret(a) && sb == STOP_LIMIT)
                sb = machine_step(b);
            CU_ASSERT_EQUAL(sa, STOP_LIMIT);
            CU_ASSERT_EQUAL(sb, STOP_LIMIT);
            state x, y;
            snap_state(a, &x);
            snap_state(b, &y);
            CU_ASSERT(same(&x, &y));
            CU_ASSERT(machine_get_reg(a, 9) >= 8);      /* the ticks came */
            machine_free(a);
            machine_free(b);
        }
}

static void test_reverse_step(void)
{
    enum { N = 90 };
    machine *m = looping();
    machine_snapshot *s0 = machine_save(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s0);
    state *rec = calloc(N + 1, sizeof *rec);
    snap_state(m, &rec[0]);
    unsigned n = 0;
    while (n < N && machine_step(m) == STOP_LIMIT)
        snap_state(m, &rec[++n]);
    CU_ASSERT(n > 60);
    /* Step back from the end, one instruction at a time, as the TUI's r
     * does: restore the snapshot and run forward one fewer. */
    for (unsigned k = n + 1; k-- > 0;) {
        machine_restore(m, s0);
        if (k)
            machine_run(m, k);
        state now;
        snap_state(m, &now);
        CU_ASSERT(same(&now, &rec[k]));
    }
    machine_snapshot_free(s0);
    free(rec);
    machine_free(m);
}

/* Emulates privileged instructions and stops on hcall: runs go on through traps. */
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

static void count_hook(machine *m, uint32_t pc, void *ud)
{
    (void)m; (void)pc;
    ++*(uint64_t *)ud;
}

static uint32_t rnd(uint32_t *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 1;
}

/* Mostly well-formed code (so that blocks form), with some random words. */
static uint32_t random_insn(uint32_t *seed)
{
    static const isa_opcode ops[] = {
        OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_REMU, OP_AND, OP_XOR, OP_SLL, OP_SRA, OP_SLTU,
        OP_ADDI, OP_ORI, OP_SLLI, OP_SRAI, OP_SLTI, OP_LUI, OP_LW, OP_LH, OP_LBU, OP_SW,
        OP_SH, OP_SB, OP_BEQ, OP_BNE, OP_BLT, OP_J, OP_JAL, OP_JALR, OP_SYSCALL, OP_OUT,
        OP_EI, OP_MFCR, OP_ADDI, OP_ADD, OP_LW, OP_SW,
    };
    uint32_t r = rnd(seed);
    if (r % 16 == 0)
        return rnd(seed) ^ (rnd(seed) << 16);
    isa_opcode op = ops[r / 16 % (sizeof ops / sizeof ops[0])];
    const isa_insn *in = isa_lookup_opcode(op);
    isa_operands o = { rnd(seed) % 16, rnd(seed) % 16, rnd(seed) % 16, 0 };
    switch (in->format) {
    case FMT_B: case FMT_J: o.imm = (int32_t)(rnd(seed) % 24) - 12; break;
    case FMT_LOAD: case FMT_STORE: o.rs1 = 9; o.imm = (int32_t)(rnd(seed) % 512) - 16; break;
    case FMT_POUT: o.imm = PORT_CONSOLE_DATA; break;
    case FMT_CRR: o.rs1 = CR_CYCLE; break;
    case FMT_I: o.imm = op == OP_JALR ? (int32_t)(CODE + 4 * (rnd(seed) % 64)) : (int32_t)(rnd(seed) % 64); o.rs1 = op == OP_JALR ? 0 : o.rs1; break;
    default: o.imm = (int32_t)(rnd(seed) % 64); break;
    }
    if (op == OP_SW || op == OP_SH || op == OP_SB)
        o.rs1 = rnd(seed) % 4 == 0 ? 10 : 9;   /* r10 points into the code: self-modifying */
    return isa_encode(in, &o);
}

static machine *random_machine(uint32_t seed, unsigned variant)
{
    machine *m = new_machine();
    for (unsigned i = 0; i < 256; i++)
        test_put32(m, CODE + 4 * i, random_insn(&seed));
    test_put32(m, CODE + 4 * 256, E(J, 0, 0, 0, -256));
    for (unsigned r = 1; r < 9; r++)
        machine_set_reg(m, r, rnd(&seed) % 64);
    machine_set_reg(m, 9, 0x8000);
    machine_set_reg(m, 10, CODE + 4 * (rnd(&seed) % 64));
    /* The vector skips the trapping instruction and returns. */
    LOAD(m, VEC, E(MFCR, 11, CR_EPC, 0, 0), E(ADDI, 11, 11, 0, 4), E(MTCR, CR_EPC, 11, 0, 0),
         E(IRET, 0, 0, 0, 0));
    if (variant & 1) {
        for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
            test_map(m, p, p, PTE_R | PTE_W | PTE_X);
        machine_set_cr(m, CR_PTB, 0x10000);
    }
    uint32_t status = (variant & 1 ? STATUS_PG : 0) | (variant & 2 ? STATUS_IE : 0);
    if (variant & 2)
        machine_set_cr(m, CR_TIMECMP, 37 + seed % 200);
    if (variant & 4) {
        status |= 3;                  /* ring 3: privileged instructions trap to the hook */
        machine_set_trap_hook(m, skip_hook, NULL);
        if (variant & 1)
            for (uint32_t p = 0; p < 0x10000; p += PAGE_SIZE)
                test_map(m, p, p, PTE_R | PTE_W | PTE_X | (3u << PTE_RING_SHIFT));
    }
    machine_set_cr(m, CR_STATUS, status);
    return m;
}

static void test_differential(void)
{
    enum { STEPS = 3000 };
    for (uint32_t round = 0; round < 48; round++) {
        uint32_t seed = 0x9e3779b9u * (round + 1);
        unsigned variant = round % 8;
        machine *a = random_machine(seed, variant);   /* whole run: blocks */
        machine *b = random_machine(seed, variant);   /* one step at a time */
        machine *c = random_machine(seed, variant);   /* the instruction hook's path */
        machine *d = random_machine(seed, variant);   /* short runs, as bt makes them */
        uint64_t hooked = 0;
        machine_set_insn_hook(c, count_hook, &hooked);
        machine_stop sa = machine_run(a, STEPS);
        machine_stop sb = STOP_LIMIT;
        for (unsigned i = 0; i < STEPS && sb == STOP_LIMIT; i++)
            sb = machine_step(b);
        machine_stop sc = machine_run(c, STEPS);
        /* Runs of 1 to 40 instructions: the limit cuts blocks in every place. */
        machine_stop sd = STOP_LIMIT;
        for (uint32_t r = seed; machine_instret(d) < STEPS && sd == STOP_LIMIT; r = r * 1103515245u + 12345u) {
            uint64_t n = 1 + (r >> 16) % 40, left = STEPS - machine_instret(d);
            sd = machine_run(d, n < left ? n : left);
        }
        CU_ASSERT_EQUAL(sa, sb);
        CU_ASSERT_EQUAL(sa, sc);
        CU_ASSERT_EQUAL(sa, sd);
        state x, y, z, u;
        snap_state(a, &x);
        snap_state(b, &y);
        snap_state(c, &z);
        snap_state(d, &u);
        CU_ASSERT(same(&x, &y));
        CU_ASSERT(same(&x, &z));
        CU_ASSERT(same(&x, &u));
        CU_ASSERT_EQUAL(machine_last_trap(a)->cycle, machine_last_trap(d)->cycle);
        CU_ASSERT_EQUAL(machine_last_trap(a)->cycle, machine_last_trap(b)->cycle);
        CU_ASSERT_EQUAL(machine_last_trap(a)->pc, machine_last_trap(c)->pc);
        CU_ASSERT(hooked > 0);
        machine_free(a);
        machine_free(b);
        machine_free(c);
        machine_free(d);
    }
}

static void test_code_api(void)
{
    machine *m = new_machine();
    LOAD(m, CODE, E(ADDI, 1, 0, 0, 5), E(LW, 2, 1, 0, -4), E(BNE, 1, 2, 0, -2), E(HALT, 0, 0, 0, 0));
    machine_decoded d;
    CU_ASSERT_FALSE(machine_code_decode(m, CODE + 2, &d));
    CU_ASSERT_FALSE(machine_code_decode(m, machine_mem_size(m), &d));
    CU_ASSERT_TRUE_FATAL(machine_code_decode(m, CODE, &d));
    CU_ASSERT_EQUAL(d.op, OP_ADDI);
    CU_ASSERT_EQUAL(d.rd, 1);
    CU_ASSERT_EQUAL(d.imm, 5);
    CU_ASSERT_EQUAL(d.block_len, 3);               /* addi, lw, bne */
    CU_ASSERT_EQUAL(d.block_cycles, 1 + 2 + 1);
    CU_ASSERT_FALSE(d.ends_block);
    CU_ASSERT_TRUE(machine_code_decode(m, CODE + 8, &d));
    CU_ASSERT_TRUE(d.ends_block);
    CU_ASSERT_EQUAL(d.imm, -2);
    CU_ASSERT_EQUAL(d.block_len, 1);
    machine_free(m);
}

static uint32_t hook_pa, hook_n, hook_calls;
static void code_hook(machine *m, uint32_t pa, uint32_t n, void *ud)
{
    (void)m; (void)ud;
    hook_pa = pa;
    hook_n = n;
    hook_calls++;
}

static void test_code_hook(void)
{
    machine *m = new_machine();
    LOAD(m, CODE, E(ADDI, 1, 0, 0, 5), E(ADDI, 1, 1, 0, 1), E(HALT, 0, 0, 0, 0));
    machine_set_code_hook(m, code_hook, NULL);
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    hook_calls = 0;
    test_put32(m, 0x2000, 1);               /* data on a page with no code: nothing to drop */
    CU_ASSERT_EQUAL(hook_calls, 0);
    test_put32(m, CODE + 4, E(ADDI, 1, 1, 0, 2));
    CU_ASSERT_EQUAL(hook_calls, 1);
    CU_ASSERT(hook_pa <= CODE + 4 && hook_pa + hook_n >= CODE + 8);
    machine_cpu(m)->pc = CODE;
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 7);
    machine_free(m);
}

void test_engine_add(CU_pSuite s)
{
    CU_add_test(s, "engine: self-modifying code and host writes run the new code", test_self_modifying);
    CU_add_test(s, "engine: a write through another mapping drops the decoded code", test_other_mapping);
    CU_add_test(s, "engine: a page written as data, then run, then rewritten by its own code",
                test_data_page_becomes_code);
    CU_add_test(s, "engine: a new mapping of a code page runs the new frame", test_paging_change);
    CU_add_test(s, "engine: traps and interrupts mid-block at the right pc and cycle", test_trap_mid_block);
    CU_add_test(s, "engine: the step limit stops exactly mid-block", test_limit_mid_block);
    CU_add_test(s, "engine: runs cut by the limit take timer ticks as single steps do",
                test_limit_with_timer);
    CU_add_test(s, "engine: reverse step (restore, run forward) across blocks", test_reverse_step);
    CU_add_test(s, "engine: blocks == single steps == the hook's path, random programs", test_differential);
    CU_add_test(s, "engine: the decoded-code API", test_code_api);
    CU_add_test(s, "engine: the code hook hears of every drop", test_code_hook);
}
