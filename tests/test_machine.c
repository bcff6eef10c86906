/*
 * test_machine.c -- the simulated machine as a program sees it: results in
 * registers and memory, the traps taken (cause, epc, badaddr), cycles and
 * stats, device effects.  Test programs are built with isa_encode.
 */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "machine/machine.h"
#include "tests/tests.h"

#define CODE 0x1000u
#define VEC  0x800u

/* A machine with code at CODE, pc there, and a vector at VEC that halts. */
static machine *boot(isa_profile p, const uint32_t *w, size_t n)
{
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.profile = p;
    cfg.mem_size = 1u << 20;
    cfg.disk_sectors = 16;
    machine *m = machine_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    test_load(m, CODE, w, n);
    test_put32(m, VEC, E(HALT, 0, 0, 0, 0));
    machine_cpu(m)->pc = CODE;
    return m;
}
#define BOOT(p, ...) boot_arr(p, (const uint32_t[]){ __VA_ARGS__ }, \
                              sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))
static machine *boot_arr(isa_profile p, const uint32_t *w, size_t n) { return boot(p, w, n); }

/* Runs one R/I instruction with r1 = a, r2 = b; returns r3. */
static uint32_t alu(uint32_t insn, uint32_t a, uint32_t b)
{
    machine *m = BOOT(PROFILE_STRICT, insn, E(HALT, 0, 0, 0, 0));
    machine_set_reg(m, 1, a);
    machine_set_reg(m, 2, b);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    uint32_t r = machine_get_reg(m, 3);
    machine_free(m);
    return r;
}

static void test_reset(void)
{
    machine *m = machine_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(machine_mem_size(m), 16u << 20);
    machine_set_reg(m, 5, 9);
    machine_set_cr(m, CR_STATUS, STATUS_IE | 3);
    machine_mem(m)[100] = 7;
    machine_reset(m);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 0);
    CU_ASSERT_EQUAL(machine_ring(m), 0);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_STATUS), 0);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_TVB), 0);
    CU_ASSERT_EQUAL(machine_mem(m)[100], 0);
    CU_ASSERT_EQUAL(machine_cycles(m), 0);
    machine_free(m);
    machine_config bad;
    machine_default_config(&bad);
    bad.mem_size = 1000;
    CU_ASSERT_PTR_NULL(machine_new(&bad));
}

static void test_alu(void)
{
    CU_ASSERT_EQUAL(alu(E(ADD, 3, 1, 2, 0), 0xffffffff, 2), 1);
    CU_ASSERT_EQUAL(alu(E(SUB, 3, 1, 2, 0), 1, 2), 0xffffffff);
    CU_ASSERT_EQUAL(alu(E(MUL, 3, 1, 2, 0), 0x10001, 0x10001), 0x20001);
    CU_ASSERT_EQUAL(alu(E(DIV, 3, 1, 2, 0), (uint32_t)-7, 2), (uint32_t)-3);
    CU_ASSERT_EQUAL(alu(E(DIV, 3, 1, 2, 0), 0x80000000, 0xffffffff), 0x80000000);
    CU_ASSERT_EQUAL(alu(E(DIVU, 3, 1, 2, 0), 0xfffffffe, 2), 0x7fffffff);
    CU_ASSERT_EQUAL(alu(E(REM, 3, 1, 2, 0), (uint32_t)-7, 2), (uint32_t)-1);
    CU_ASSERT_EQUAL(alu(E(REM, 3, 1, 2, 0), 0x80000000, 0xffffffff), 0);
    CU_ASSERT_EQUAL(alu(E(REMU, 3, 1, 2, 0), 17, 5), 2);
    CU_ASSERT_EQUAL(alu(E(AND, 3, 1, 2, 0), 0xf0f0, 0xff00), 0xf000);
    CU_ASSERT_EQUAL(alu(E(OR, 3, 1, 2, 0), 0xf0f0, 0xff00), 0xfff0);
    CU_ASSERT_EQUAL(alu(E(XOR, 3, 1, 2, 0), 0xf0f0, 0xff00), 0x0ff0);
    CU_ASSERT_EQUAL(alu(E(SLL, 3, 1, 2, 0), 1, 33), 2);
    CU_ASSERT_EQUAL(alu(E(SRL, 3, 1, 2, 0), 0x80000000, 31), 1);
    CU_ASSERT_EQUAL(alu(E(SRA, 3, 1, 2, 0), 0x80000000, 31), 0xffffffff);
    CU_ASSERT_EQUAL(alu(E(SLT, 3, 1, 2, 0), (uint32_t)-1, 1), 1);
    CU_ASSERT_EQUAL(alu(E(SLTU, 3, 1, 2, 0), (uint32_t)-1, 1), 0);
    CU_ASSERT_EQUAL(alu(E(ADDI, 3, 1, 0, -5), 3, 0), (uint32_t)-2);
    CU_ASSERT_EQUAL(alu(E(ANDI, 3, 1, 0, 0x3ffff), 0xffffffff, 0), 0x3ffff);
    CU_ASSERT_EQUAL(alu(E(ORI, 3, 1, 0, 0x20000), 1, 0), 0x20001);
    CU_ASSERT_EQUAL(alu(E(XORI, 3, 1, 0, 0xff), 0x0f, 0), 0xf0);
    CU_ASSERT_EQUAL(alu(E(SLLI, 3, 1, 0, 4), 0x11, 0), 0x110);
    CU_ASSERT_EQUAL(alu(E(SRLI, 3, 1, 0, 4), 0x80000000, 0), 0x08000000);
    CU_ASSERT_EQUAL(alu(E(SRAI, 3, 1, 0, 4), 0x80000000, 0), 0xf8000000);
    CU_ASSERT_EQUAL(alu(E(SLTI, 3, 1, 0, -1), (uint32_t)-2, 0), 1);
    CU_ASSERT_EQUAL(alu(E(SLTIU, 3, 1, 0, -1), 5, 0), 1);   /* -1 compares as 0xffffffff */
    CU_ASSERT_EQUAL(alu(E(LUI, 3, 0, 0, 0xabcde), 0, 0), 0xabcde000);
    /* r0 ignores writes */
    machine *m = BOOT(PROFILE_STRICT, E(ADDI, 0, 0, 0, 5), E(ADD, 3, 0, 0, 0), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 10), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 0);
    CU_ASSERT_EQUAL(machine_cpu(m)->r[0], 0);
    machine_free(m);
}

static void test_loads_stores(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(LUI, 1, 0, 0, 0x12345), E(ORI, 1, 1, 0, 0x678),
        E(ADDI, 2, 0, 0, 0x4000),
        E(SW, 1, 2, 0, 0), E(SH, 1, 2, 0, 6), E(SB, 1, 2, 0, 9),
        E(LW, 3, 2, 0, 0), E(LH, 4, 2, 0, 2), E(LHU, 5, 2, 0, 2),
        E(ADDI, 6, 0, 0, -128), E(SB, 6, 2, 0, 10), E(LB, 7, 2, 0, 10), E(LBU, 8, 2, 0, 10),
        E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    uint8_t *mem = machine_mem(m);
    CU_ASSERT_EQUAL(mem[0x4000], 0x78);      /* little-endian */
    CU_ASSERT_EQUAL(mem[0x4003], 0x12);
    CU_ASSERT_EQUAL(test_get32(m, 0x4004), 0x56780000);
    CU_ASSERT_EQUAL(mem[0x4009], 0x78);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 0x12345678);
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), 0x1234);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 0x1234);
    CU_ASSERT_EQUAL(machine_get_reg(m, 7), 0xffffff80);
    CU_ASSERT_EQUAL(machine_get_reg(m, 8), 0x80);
    machine_free(m);
    /* sign extension of lh */
    m = BOOT(PROFILE_STRICT, E(ADDI, 1, 0, 0, -2), E(SH, 1, 0, 0, 0x100), E(LH, 2, 0, 0, 0x100),
             E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 0xfffffffe);
    machine_free(m);
}

static void test_branches_jumps(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, -1), E(ADDI, 2, 0, 0, 1),
        E(BLT, 1, 2, 0, 2), E(ADDI, 3, 0, 0, 99),    /* taken: skips */
        E(BLTU, 1, 2, 0, 2), E(ADDI, 4, 0, 0, 7),     /* not taken */
        E(BEQ, 1, 1, 0, 2), E(ADDI, 5, 0, 0, 99),
        E(BNE, 1, 1, 0, 2), E(ADDI, 6, 0, 0, 6),
        E(BGE, 2, 1, 0, 2), E(ADDI, 5, 0, 0, 98),
        E(BGEU, 1, 2, 0, 2), E(ADDI, 5, 0, 0, 97),
        E(JAL, 0, 0, 0, 3),                           /* 0x1038 -> 0x1044 */
        E(HALT, 0, 0, 0, 0), E(HALT, 0, 0, 0, 0),
        E(ADDI, 7, 0, 0, 0x1053), E(JALR, 8, 7, 0, 0));   /* (0x1053 & ~3) = 0x1050 */
    test_put32(m, 0x1050, E(J, 0, 0, 0, -5));   /* back to 0x103c: halt */
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 0);
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), 7);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 0);
    CU_ASSERT_EQUAL(machine_get_reg(m, 6), 6);
    CU_ASSERT_EQUAL(machine_get_reg(m, REG_LR), 0x103c);
    CU_ASSERT_EQUAL(machine_get_reg(m, 8), 0x104c);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, 0x1040);     /* halt leaves pc + 4 */
    machine_free(m);
}

/* Runs prog in ring `ring` with tvb = VEC (a halt); returns the machine stopped there. */
static machine *trap_run(isa_profile p, unsigned ring, const uint32_t *w, size_t n)
{
    machine *m = boot(p, w, n);
    machine_set_cr(m, CR_TVB, VEC);
    machine_set_cr(m, CR_STATUS, ring | 0x100);
    CU_ASSERT_EQUAL(machine_run(m, 1000), STOP_HALT);
    return m;
}
#define TRAP_RUN(p, ring, ...) trap_run(p, ring, (const uint32_t[]){ __VA_ARGS__ }, \
                              sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

static void check_trap(machine *m, unsigned cause, uint32_t epc, uint32_t badaddr, unsigned ring)
{
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_CAUSE), cause);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_EPC), epc);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_BADADDR), badaddr);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_ESTATUS) & STATUS_RING_MASK, ring);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_STATUS) & (STATUS_RING_MASK | STATUS_IE), 0);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_STATUS) & STATUS_UF_MASK, 0x100);   /* user flags kept */
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, VEC + 4);
    CU_ASSERT_EQUAL(machine_get_stats(m)->traps[CAUSE_CODE(cause)], 1);
    CU_ASSERT_EQUAL(machine_last_trap(m)->cause, cause);
    machine_free(m);
}

static void test_trap_causes(void)
{
    check_trap(TRAP_RUN(PROFILE_STRICT, 3, E(ADDI, 0, 0, 0, 0), E(SYSCALL, 0, 0, 0, 0)),
               CAUSE_SYSCALL, CODE + 8, 0, 3);
    check_trap(TRAP_RUN(PROFILE_STRICT, 3, E(BRK, 0, 0, 0, 0)), CAUSE_BREAKPOINT, CODE + 4, 0, 3);
    check_trap(TRAP_RUN(PROFILE_STRICT, 1, E(HCALL, 0, 0, 0, 0)), CAUSE_HYPERCALL, CODE + 4, 0, 1);
    check_trap(TRAP_RUN(PROFILE_STRICT, 3, 0x00000000), CAUSE_ILLEGAL_INSN, CODE, 0, 3);
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, 0xfc000000), CAUSE_ILLEGAL_INSN, CODE, 0xfc000000, 0);
    check_trap(TRAP_RUN(PROFILE_STRICT, 3, E(HALT, 0, 0, 0, 0)), CAUSE_ILLEGAL_PRIV, CODE,
               E(HALT, 0, 0, 0, 0), 3);
    check_trap(TRAP_RUN(PROFILE_STRICT, 2, E(ADDI, 1, 0, 0, 2), E(LW, 2, 1, 0, 0)),
               CAUSE_MAKE(CAUSE_MISALIGNED, ACCESS_READ), CODE + 4, 2, 2);
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(ADDI, 1, 0, 0, 1), E(SH, 2, 1, 0, 0)),
               CAUSE_MAKE(CAUSE_MISALIGNED, ACCESS_WRITE), CODE + 4, 1, 0);
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(LUI, 1, 0, 0, 0x100), E(LB, 2, 1, 0, 0)),
               CAUSE_MAKE(CAUSE_BUS_ERROR, ACCESS_READ), CODE + 4, 0x100000, 0);
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(DIV, 1, 1, 0, 0)), CAUSE_DIVIDE_BY_ZERO, CODE, 0, 0);
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(REMU, 1, 1, 0, 0)), CAUSE_DIVIDE_BY_ZERO, CODE, 0, 0);
    /* a misaligned fetch, reached through iret to an odd epc */
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(ADDI, 1, 0, 0, 0x2002), E(MTCR, CR_EPC, 1, 0, 0),
                        E(ADDI, 1, 0, 0, 0x100), E(MTCR, CR_ESTATUS, 1, 0, 0), E(IRET, 0, 0, 0, 0)),
               CAUSE_MAKE(CAUSE_MISALIGNED, ACCESS_EXEC), 0x2002, 0x2002, 0);
    /* mfcr of a control register that does not exist */
    check_trap(TRAP_RUN(PROFILE_STRICT, 0, E(MFCR, 1, 15, 0, 0)), CAUSE_ILLEGAL_INSN, CODE,
               E(MFCR, 1, 15, 0, 0), 0);
}

static void test_unhandled_and_double_fault(void)
{
    machine *m = BOOT(PROFILE_STRICT, E(SYSCALL, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_FATAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(machine_fatal_reason(m), "unhandled trap SYSCALL at pc 0x00001000"));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_FATAL);      /* stays dead */
    machine_free(m);
    m = BOOT(PROFILE_STRICT, E(SYSCALL, 0, 0, 0, 0));
    machine_set_cr(m, CR_TVB, 0x200000);   /* outside the 1 MiB memory */
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_FATAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(machine_fatal_reason(m), "double fault"));
    machine_free(m);
}

static void test_privileged_rings(void)
{
    for (int p = 0; p < 2; p++) {
        for (unsigned ring = 1; ring <= 3; ring += 2) {
            for (int op = 0; op < ISA_NUM_OPCODES; op++) {
                const isa_insn *in = isa_lookup_opcode(op);
                if (!in || in->privilege == PRIV_USER)
                    continue;
                isa_operands o = { 0, 0, 0, 0 };
                uint32_t w = isa_encode(in, &o);
                machine *m = boot(p, (const uint32_t[]){ w, E(BRK, 0, 0, 0, 0) }, 2);
                machine_set_cr(m, CR_TVB, VEC);
                machine_set_reg(m, REG_SP, 0x8000);
                machine_set_cr(m, CR_STATUS, ring);
                machine_run(m, 1000);
                bool trapped = machine_get_stats(m)->traps[CAUSE_ILLEGAL_PRIV] == 1;
                CU_ASSERT_EQUAL(trapped, isa_is_privileged(in, (isa_profile)p));
                if (trapped)
                    CU_ASSERT_EQUAL(machine_get_cr(m, CR_BADADDR), w);
                machine_free(m);
            }
        }
    }
}

static void test_legacy_popf_drop(void)
{
    /* ring 3, legacy: popf of IE | ring 0 | flags keeps ring 3 and IE off, takes the flags */
    machine *m = BOOT(PROFILE_LEGACY, E(POPF, 0, 0, 0, 0), E(SMSW, 1, 0, 0, 0), E(PUSHF, 0, 0, 0, 0),
                      E(SIDT, 2, 0, 0, 0), E(BRK, 0, 0, 0, 0));
    test_put32(m, 0x8000, STATUS_IE | 0xab00);
    machine_set_reg(m, REG_SP, 0x8000);
    machine_set_cr(m, CR_TVB, VEC);
    machine_set_cr(m, CR_STATUS, 3);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 0xab03);
    CU_ASSERT_EQUAL(test_get32(m, 0x8000), 0xab03);
    CU_ASSERT_EQUAL(machine_get_reg(m, REG_SP), 0x8000);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), VEC);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_CAUSE), CAUSE_BREAKPOINT);
    machine_free(m);
    /* ring 0: popf writes every writable bit */
    m = BOOT(PROFILE_LEGACY, E(POPF, 0, 0, 0, 0), E(SMSW, 1, 0, 0, 0), E(HALT, 0, 0, 0, 0));
    test_put32(m, 0x8000, 0xffffffff & ~(STATUS_RING_MASK | STATUS_PG));
    machine_set_reg(m, REG_SP, 0x8000);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), STATUS_WRITABLE & ~(STATUS_RING_MASK | STATUS_PG));
    machine_free(m);
}

/* Page tables at 0x10000 (L1) and 0x11000 (L2), mapping the first 4 MiB
 * identically; entry i gets flags fl(i). */
static void map_identity(machine *m, uint32_t flags)
{
    test_put32(m, 0x10000, 0x11000 | PTE_V);
    for (uint32_t i = 0; i < 256; i++)
        test_put32(m, 0x11000 + 4 * i, (i << 12) | flags);
    machine_set_cr(m, CR_PTB, 0x10000);
}

static void test_paging(void)
{
    uint32_t all = PTE_V | PTE_R | PTE_W | PTE_X | (3u << PTE_RING_SHIFT);
    /* user reads a kernel-only page */
    machine *m = BOOT(PROFILE_STRICT, E(LW, 1, 2, 0, 0), E(HALT, 0, 0, 0, 0));
    map_identity(m, all);
    test_put32(m, 0x11000 + 4 * 5, (5u << 12) | PTE_V | PTE_R);   /* ring 0 only */
    machine_set_reg(m, 2, 0x5010);
    machine_set_cr(m, CR_TVB, VEC);
    machine_set_cr(m, CR_STATUS, STATUS_PG | 3);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_CAUSE), CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_READ));
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_BADADDR), 0x5010);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_EPC), CODE);
    uint32_t pa;
    CU_ASSERT_EQUAL(machine_translate(m, 0x5010, ACCESS_READ, 0, &pa), CAUSE_NONE);
    CU_ASSERT_EQUAL(pa, 0x5010);
    CU_ASSERT_EQUAL(machine_translate(m, 0x5010, ACCESS_WRITE, 0, &pa), CAUSE_PAGE_FAULT);
    CU_ASSERT_EQUAL(machine_translate(m, 0x5010, ACCESS_READ, 3, &pa), CAUSE_PAGE_FAULT);
    CU_ASSERT_EQUAL(machine_translate(m, 0x800000, ACCESS_READ, 0, &pa), CAUSE_PAGE_FAULT);
    machine_free(m);

    /* ring 0 writes a read-only page, executes a no-exec page, and a frame outside memory */
    struct { uint32_t insn; uint32_t pte; unsigned cause; uint32_t bad; } cases[] = {
        { E(SW, 1, 2, 0, 0), PTE_V | PTE_R, CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_WRITE), 0x5010 },
        { E(JALR, 0, 2, 0, 0), PTE_V | PTE_R | PTE_W, CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_EXEC), 0x5010 },
        { E(LW, 1, 2, 0, 0), PTE_V | PTE_R | (0x300u << 12), CAUSE_MAKE(CAUSE_BUS_ERROR, ACCESS_READ), 0x300010 },
        { E(LW, 1, 2, 0, 0), PTE_R, CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_READ), 0x5010 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        m = BOOT(PROFILE_STRICT, cases[i].insn, E(HALT, 0, 0, 0, 0));
        map_identity(m, all);
        uint32_t pte = cases[i].pte;
        if (!(pte & ~0xfffu))
            pte |= 5u << 12;
        test_put32(m, 0x11000 + 4 * 5, pte);
        machine_set_reg(m, 2, 0x5010);
        machine_set_cr(m, CR_TVB, VEC);
        machine_set_cr(m, CR_STATUS, STATUS_PG);
        CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
        CU_ASSERT_EQUAL(machine_get_cr(m, CR_CAUSE), cases[i].cause);
        CU_ASSERT_EQUAL(machine_get_cr(m, CR_BADADDR), cases[i].bad);
        machine_free(m);
    }

    /* a mapping at another virtual address; the TLB counts and flushes */
    m = BOOT(PROFILE_STRICT,
        E(LUI, 2, 0, 0, 0x400), E(ADDI, 1, 0, 0, 42), E(SW, 1, 2, 0, 0), E(LW, 3, 2, 0, 0),
        E(LW, 4, 2, 0, 0), E(TLBFLUSH, 0, 0, 0, 0), E(LW, 5, 2, 0, 0), E(HALT, 0, 0, 0, 0));
    map_identity(m, PTE_V | PTE_R | PTE_W | PTE_X);
    test_put32(m, 0x10000 + 4, 0x12000 | PTE_V);            /* va 0x400000.. -> L2 at 0x12000 */
    test_put32(m, 0x12000, 0x7000 | PTE_V | PTE_R | PTE_W);  /* va 0x400000 -> pa 0x7000 */
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    uint64_t flushes = machine_get_stats(m)->tlb_flushes;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(test_get32(m, 0x7000), 42);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 42);
    const machine_stats *st = machine_get_stats(m);
    CU_ASSERT_EQUAL(st->tlb_flushes, flushes + 1);
    /* code page, sw, first lw (read array), lw after flush, code page after flush */
    CU_ASSERT_EQUAL(st->tlb_misses, 5);
    CU_ASSERT_EQUAL(st->tlb_hits, 1);
    machine_set_cr(m, CR_PTB, machine_get_cr(m, CR_PTB));    /* same value: still flushes */
    CU_ASSERT_EQUAL(st->tlb_flushes, flushes + 2);
    machine_free(m);
}

static void test_control_registers(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, -252), E(MTCR, CR_STATUS, 1, 0, 0), E(MFCR, 2, CR_STATUS, 0, 0),
        E(MTCR, CR_STATUS, 0, 0, 0), E(ADDI, 1, 0, 0, -1),
        E(MTCR, CR_CYCLE, 1, 0, 0), E(MFCR, 3, CR_CYCLE, 0, 0),
        E(MTCR, CR_SCRATCH, 1, 0, 0), E(MFCR, 4, CR_SCRATCH, 0, 0),
        E(ADDI, 1, 0, 0, 1234), E(OUT, 1, 0, 0, PORT_TIMER_PERIOD), E(MFCR, 5, CR_TIMECMP, 0, 0),
        E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 0xff04);    /* 0xffffff04 masked to the writable bits */
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 1 + 2 + 2 + 2 + 1 + 2 + 2);   /* cycles so far; the write was ignored */
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), 0xffffffff);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 1234);
    machine_free(m);
}

static void test_costs(void)
{
    machine *m = BOOT(PROFILE_STRICT, E(ADD, 1, 1, 1, 0), E(DIV, 1, 1, 2, 0), E(SYSCALL, 0, 0, 0, 0));
    machine_set_reg(m, 2, 1);
    test_put32(m, VEC, E(IRET, 0, 0, 0, 0));
    machine_set_cr(m, CR_TVB, VEC);
    CU_ASSERT_EQUAL(machine_run(m, 4), STOP_LIMIT);
    CU_ASSERT_EQUAL(machine_instret(m), 4);
    /* 1 + 20 + 1 + trap 1000 + iret 4 + 100 */
    CU_ASSERT_EQUAL(machine_cycles(m), 1 + 20 + 1 + 1000 + 4 + 100);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, CODE + 12);
    machine_free(m);
    machine_costs c;
    machine_config cfg;
    machine_default_config(&cfg);
    c = cfg.costs;
    uint32_t v;
    CU_ASSERT(machine_set_cost(&c, "trap_entry", 900));
    CU_ASSERT(machine_get_cost(&c, "trap_entry", &v) && v == 900);
    CU_ASSERT_FALSE(machine_set_cost(&c, "nope", 1));
}

/* Kernel: counts timer interrupts in s0, acknowledges, returns. */
static machine *timer_machine(uint32_t period, uint64_t *unused)
{
    (void)unused;
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, (int32_t)period), E(MTCR, CR_TIMECMP, 1, 0, 0), E(EI, 0, 0, 0, 0),
        E(ADDI, 2, 2, 0, 1), E(J, 0, 0, 0, -1));
    uint32_t vec[] = { E(ADDI, 5, 5, 0, 1), E(OUT, 0, 0, 0, PORT_TIMER_CTRL), E(IRET, 0, 0, 0, 0) };
    test_load(m, VEC, vec, 3);
    machine_set_cr(m, CR_TVB, VEC);
    return m;
}

static void test_timer(void)
{
    machine *m = timer_machine(5000, NULL);
    machine_run(m, 20000);
    const machine_stats *st = machine_get_stats(m);
    CU_ASSERT(st->traps[CAUSE_TIMER] > 3);
    CU_ASSERT_EQUAL(st->traps[CAUSE_TIMER], machine_get_reg(m, 5));
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_TIMECMP), 5000);
    CU_ASSERT_EQUAL(machine_port_in(m, PORT_TIMER_PERIOD), 5000);
    CU_ASSERT(machine_port_in(m, PORT_TIMER_COUNT) <= 5000);
    /* the interrupted PC is the next instruction: inside the loop */
    uint32_t epc = machine_get_cr(m, CR_EPC);
    CU_ASSERT(epc == CODE + 12 || epc == CODE + 16);
    machine_free(m);

    /* wfi skips to the tick and counts idle cycles */
    m = BOOT(PROFILE_STRICT, E(ADDI, 1, 0, 0, 10000), E(MTCR, CR_TIMECMP, 1, 0, 0),
             E(WFI, 0, 0, 0, 0), E(IN, 2, 0, 0, PORT_TIMER_CTRL), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 1);     /* pending, IE off */
    CU_ASSERT(machine_get_stats(m)->idle_cycles > 9000);
    CU_ASSERT(machine_cycles(m) >= 10000 && machine_cycles(m) < 10100);
    machine_free(m);

    /* wfi with nothing to wake it */
    m = BOOT(PROFILE_STRICT, E(WFI, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_FATAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(machine_fatal_reason(m), "nothing can wake"));
    machine_free(m);
}

static void test_console(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, 'h'), E(OUT, 1, 0, 0, PORT_CONSOLE_DATA),
        E(ADDI, 1, 0, 0, 'i'), E(OUT, 1, 0, 0, PORT_CONSOLE_DATA),
        E(IN, 2, 0, 0, PORT_CONSOLE_STATUS), E(IN, 3, 0, 0, PORT_CONSOLE_DATA),
        E(IN, 4, 0, 0, PORT_CONSOLE_DATA), E(IN, 5, 0, 0, 0x999), E(HALT, 0, 0, 0, 0));
    machine_console_input(m, "x", 1);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    size_t n;
    const char *out = machine_console_output(m, &n);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_STRING_EQUAL(out, "hi");
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 1);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 'x');
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), 0xffffffff);
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), PORT_NONE_VALUE);
    machine_free(m);

    /* the device interrupt is level-triggered: taken while input is queued */
    m = BOOT(PROFILE_STRICT, E(ADDI, 1, 0, 0, 1), E(OUT, 1, 0, 0, PORT_CONSOLE_CTRL),
             E(EI, 0, 0, 0, 0), E(J, 0, 0, 0, 0));
    uint32_t vec[] = { E(IN, 6, 0, 0, PORT_CONSOLE_DATA), E(OUT, 6, 0, 0, PORT_CONSOLE_DATA),
                       E(ADDI, 7, 7, 0, 1), E(IRET, 0, 0, 0, 0) };
    test_load(m, VEC, vec, 4);
    machine_set_cr(m, CR_TVB, VEC);
    machine_console_input(m, "abc", 3);
    machine_run(m, 200);
    CU_ASSERT_STRING_EQUAL(machine_console_output(m, NULL), "abc");
    CU_ASSERT_EQUAL(machine_get_reg(m, 7), 3);
    CU_ASSERT_EQUAL(machine_get_stats(m)->traps[CAUSE_DEVICE], 3);
    CU_ASSERT_EQUAL(machine_last_trap(m)->addr, IRQ_LINE_CONSOLE);
    machine_free(m);
}

static void test_block(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, 3), E(OUT, 1, 0, 0, PORT_BLOCK_SECTOR),
        E(ADDI, 1, 0, 0, 0x4000), E(OUT, 1, 0, 0, PORT_BLOCK_ADDR),
        E(ADDI, 1, 0, 0, BLOCK_CMD_WRITE), E(OUT, 1, 0, 0, PORT_BLOCK_CMD),
        E(IN, 2, 0, 0, PORT_BLOCK_STATUS),
        E(ADDI, 1, 0, 0, 0x6000), E(OUT, 1, 0, 0, PORT_BLOCK_ADDR),
        E(ADDI, 1, 0, 0, BLOCK_CMD_READ), E(OUT, 1, 0, 0, PORT_BLOCK_CMD),
        E(ADDI, 1, 0, 0, 16), E(OUT, 1, 0, 0, PORT_BLOCK_SECTOR),
        E(ADDI, 1, 0, 0, BLOCK_CMD_READ), E(OUT, 1, 0, 0, PORT_BLOCK_CMD),
        E(IN, 3, 0, 0, PORT_BLOCK_STATUS),
        E(ADDI, 1, 0, 0, 9), E(OUT, 1, 0, 0, PORT_BLOCK_CMD), E(IN, 4, 0, 0, PORT_BLOCK_STATUS),
        E(ADDI, 1, 0, 0, 0), E(OUT, 1, 0, 0, PORT_BLOCK_SECTOR),
        E(LUI, 1, 0, 0, 0x100), E(OUT, 1, 0, 0, PORT_BLOCK_ADDR),
        E(ADDI, 1, 0, 0, 1), E(OUT, 1, 0, 0, PORT_BLOCK_CMD), E(IN, 5, 0, 0, PORT_BLOCK_STATUS),
        E(IN, 6, 0, 0, PORT_BLOCK_SIZE), E(HALT, 0, 0, 0, 0));
    for (int i = 0; i < 512; i++)
        machine_mem(m)[0x4000 + i] = (uint8_t)(i * 7);
    CU_ASSERT_EQUAL(machine_run(m, 1000), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 0);
    CU_ASSERT_EQUAL(memcmp(machine_disk(m) + 3 * 512, machine_mem(m) + 0x4000, 512), 0);
    CU_ASSERT_EQUAL(memcmp(machine_mem(m) + 0x6000, machine_mem(m) + 0x4000, 512), 0);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3), 1);   /* bad sector */
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), 3);   /* bad command */
    CU_ASSERT_EQUAL(machine_get_reg(m, 5), 2);   /* bad address */
    CU_ASSERT_EQUAL(machine_get_reg(m, 6), 16);
    CU_ASSERT(machine_cycles(m) >= 2 * 2000);
    machine_free(m);
}

/* A workload with paging, a timer, console output and traps. */
static machine *workload(void)
{
    machine *m = BOOT(PROFILE_STRICT,
        E(ADDI, 1, 0, 0, 777), E(MTCR, CR_TIMECMP, 1, 0, 0), E(EI, 0, 0, 0, 0),
        E(ADDI, 2, 2, 0, 1), E(MUL, 3, 2, 2, 0), E(SW, 3, 0, 0, 0x5000), E(LW, 4, 0, 0, 0x5000),
        E(ANDI, 6, 2, 0, 63), E(BNE, 6, 0, 0, 2), E(SYSCALL, 0, 0, 0, 0),
        E(J, 0, 0, 0, -7));
    uint32_t vec[] = { E(ADDI, 5, 5, 0, 1), E(ANDI, 7, 5, 0, 15), E(ADDI, 7, 7, 0, 'a'),
                       E(OUT, 7, 0, 0, PORT_CONSOLE_DATA), E(OUT, 0, 0, 0, PORT_TIMER_CTRL),
                       E(IRET, 0, 0, 0, 0) };
    test_load(m, VEC, vec, 6);
    map_identity(m, PTE_V | PTE_R | PTE_W | PTE_X);
    machine_set_cr(m, CR_TVB, VEC);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    return m;
}

typedef struct { uint32_t pcs[4096]; size_t n; uint64_t sum; } trace;

static void trace_hook(machine *m, uint32_t pc, void *ud)
{
    trace *t = ud;
    if (t->n < 4096)
        t->pcs[t->n++] = pc;
    t->sum = t->sum * 31 + pc + machine_cycles(m);
}

static bool same_state(machine *a, machine *b)
{
    const machine_stats *x = machine_get_stats(a), *y = machine_get_stats(b);
    size_t na, nb;
    const char *oa = machine_console_output(a, &na), *ob = machine_console_output(b, &nb);
    return memcmp(machine_cpu(a), machine_cpu(b), sizeof(cpu_state)) == 0 &&
           memcmp(x, y, sizeof *x) == 0 && na == nb && memcmp(oa, ob, na) == 0 &&
           memcmp(machine_mem(a), machine_mem(b), machine_mem_size(a)) == 0;
}

static void test_determinism_fast_slow(void)
{
    trace *t1 = calloc(1, sizeof *t1), *t2 = calloc(1, sizeof *t2);
    machine *a = workload(), *b = workload(), *c = workload();
    machine_set_insn_hook(a, trace_hook, t1);
    machine_set_insn_hook(b, trace_hook, t2);
    machine_run(a, 50000);
    machine_run(b, 50000);
    CU_ASSERT_EQUAL(t1->n, t2->n);
    CU_ASSERT_EQUAL(t1->sum, t2->sum);
    CU_ASSERT_EQUAL(memcmp(t1->pcs, t2->pcs, sizeof t1->pcs), 0);
    CU_ASSERT(same_state(a, b));
    /* fast path (no hook) in uneven slices == slow path */
    uint64_t left = 50000;
    for (uint64_t k = 1; left; k = k * 3 + 1) {
        uint64_t n = k < left ? k : left;
        CU_ASSERT_EQUAL(machine_run(c, n), STOP_LIMIT);
        left -= n;
    }
    CU_ASSERT(machine_get_stats(c)->traps[CAUSE_TIMER] > 10);
    CU_ASSERT(machine_get_stats(c)->traps[CAUSE_SYSCALL] > 10);
    CU_ASSERT(same_state(a, c));
    machine_free(a);
    machine_free(b);
    machine_free(c);
    free(t1);
    free(t2);
}

static void test_snapshot(void)
{
    machine *m = workload();
    machine_run(m, 20000);
    machine_snapshot *s = machine_save(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    machine_run(m, 30000);
    machine *ref = workload();
    machine_run(ref, 20000);
    machine_restore(ref, s);    /* restoring onto a machine in the same state changes nothing */
    machine_run(ref, 30000);
    CU_ASSERT(same_state(m, ref));
    uint64_t cyc = machine_cycles(m);
    char out[4096];
    size_t n;
    const char *o = machine_console_output(m, &n);
    CU_ASSERT_FATAL(n < sizeof out);
    memcpy(out, o, n);
    machine_restore(m, s);
    CU_ASSERT(machine_cycles(m) < cyc);
    machine_run(m, 30000);
    CU_ASSERT_EQUAL(machine_cycles(m), cyc);
    CU_ASSERT(same_state(m, ref));
    CU_ASSERT_EQUAL(memcmp(machine_console_output(m, NULL), out, n), 0);
    machine_snapshot_free(s);
    machine_free(m);
    machine_free(ref);
}

static void test_breakpoints_and_step(void)
{
    machine *m = BOOT(PROFILE_STRICT, E(ADDI, 1, 1, 0, 1), E(ADDI, 1, 1, 0, 1), E(ADDI, 1, 1, 0, 1),
                      E(HALT, 0, 0, 0, 0));
    machine_set_breakpoint(m, CODE + 4, true);
    CU_ASSERT(machine_has_breakpoint(m, CODE + 4));
    CU_ASSERT_EQUAL(machine_run(m, 0), STOP_BREAKPOINT);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, CODE + 4);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 1);
    CU_ASSERT_EQUAL(machine_step(m), STOP_LIMIT);     /* resuming executes it */
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 2);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, CODE + 8);
    CU_ASSERT_EQUAL(machine_run(m, 0), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 3);
    machine_clear_breakpoints(m);
    CU_ASSERT_FALSE(machine_has_breakpoint(m, CODE + 4));
    machine_free(m);
}

static bool hook_emulate(machine *m, const machine_trap *t, void *ud)
{
    int *count = ud;
    ++*count;
    if (CAUSE_CODE(t->cause) == CAUSE_ILLEGAL_PRIV) {
        machine_cpu(m)->pc = t->pc + 4;    /* pretend to emulate it */
        return true;
    }
    machine_request_stop(m);
    return true;
}

static bool hook_reflect(machine *m, const machine_trap *t, void *ud)
{
    int *count = ud;
    ++*count;
    machine_raise(m, t);     /* reflect it: the hardware delivers it to tvb */
    return true;
}

static bool hook_ignore(machine *m, const machine_trap *t, void *ud)
{
    (void)m; (void)t; (void)ud;
    return true;     /* "handles" a fetch fault without fixing anything */
}

static void test_trap_hook(void)
{
    machine *h = BOOT(PROFILE_STRICT, 0);
    machine_cpu(h)->pc = 0x200000;             /* outside memory: every fetch faults */
    machine_set_trap_hook(h, hook_ignore, NULL);
    CU_ASSERT_EQUAL(machine_run(h, 1000), STOP_LIMIT);   /* bounded, not a hang */
    CU_ASSERT_EQUAL(machine_get_stats(h)->traps[CAUSE_BUS_ERROR], 1000);
    machine_free(h);

    int reflected = 0;
    machine *r = BOOT(PROFILE_STRICT, E(SYSCALL, 0, 0, 0, 0));
    machine_set_cr(r, CR_TVB, VEC);
    machine_set_cr(r, CR_STATUS, 3);
    machine_set_trap_hook(r, hook_reflect, &reflected);
    CU_ASSERT_EQUAL(machine_run(r, 100), STOP_HALT);
    CU_ASSERT_EQUAL(reflected, 1);
    CU_ASSERT_EQUAL(machine_get_cr(r, CR_EPC), CODE + 4);
    CU_ASSERT_EQUAL(machine_get_stats(r)->traps[CAUSE_SYSCALL], 2);   /* into the hook, then raised */
    machine_free(r);

    int count = 0;
    machine *m = BOOT(PROFILE_STRICT, E(DI, 0, 0, 0, 0), E(ADDI, 1, 0, 0, 5), E(HCALL, 0, 0, 0, 0),
                      E(ADDI, 1, 0, 0, 6));
    machine_set_cr(m, CR_STATUS, 3);
    machine_set_trap_hook(m, hook_emulate, &count);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_REQUESTED);
    CU_ASSERT_EQUAL(count, 2);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 5);
    CU_ASSERT_EQUAL(machine_ring(m), 3);                  /* the hook left the ring alone */
    CU_ASSERT_EQUAL(machine_last_trap(m)->cause, CAUSE_HYPERCALL);
    CU_ASSERT_EQUAL(machine_last_trap(m)->epc, CODE + 12);
    CU_ASSERT_EQUAL(machine_last_trap(m)->ring, 3);
    machine_set_stop_on_trap(m, true);
    machine_set_trap_hook(m, NULL, NULL);
    machine_set_cr(m, CR_TVB, VEC);
    machine_cpu(m)->pc = CODE + 8;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_TRAP);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, VEC);
    machine_free(m);
}

/* A hypervisor's end of an exit, two ways: machine_add_cycles then
 * machine_timer_restart, or machine_timer_restart_after in one call.  The
 * hook charges and re-arms at every trap (the timer's own ticks included),
 * with a period that moves each time, and now and then turns paging off or
 * on behind the machine's back (the restart's TLB flush). */
typedef struct {
    bool one_call;
    unsigned n;
    uint64_t at[64];        /* the cycle of each timer tick */
    unsigned ticks;
} rearm_log;

static bool hook_rearm(machine *m, const machine_trap *t, void *ud)
{
    rearm_log *l = ud;
    if (CAUSE_CODE(t->cause) == CAUSE_TIMER && l->ticks < 64)
        l->at[l->ticks++] = t->cycle;
    uint32_t period = 150 + (l->n * 97) % 900;
    uint64_t charge = 20 + l->n % 7;
    if (++l->n % 5 == 0)
        machine_cpu(m)->cr[CR_STATUS] ^= STATUS_PG;     /* identity-mapped: the same code runs */
    if (l->one_call) {
        machine_timer_restart_after(m, charge, period);
    } else {
        machine_add_cycles(m, charge);
        machine_timer_restart(m, period);
    }
    return false;           /* the hardware delivers it to the vector */
}

static void test_timer_restart_after(void)
{
    rearm_log la = { .one_call = false }, lb = { .one_call = true };
    machine *a = workload(), *b = workload();
    machine_set_trap_hook(a, hook_rearm, &la);
    machine_set_trap_hook(b, hook_rearm, &lb);
    CU_ASSERT_EQUAL(machine_run(a, 60000), STOP_LIMIT);
    CU_ASSERT_EQUAL(machine_run(b, 60000), STOP_LIMIT);
    CU_ASSERT(la.ticks > 10);                    /* the re-armed timer fires, often */
    CU_ASSERT(la.n > la.ticks);                  /* and system calls re-arm it too */
    CU_ASSERT_EQUAL(la.n, lb.n);
    CU_ASSERT_EQUAL(la.ticks, lb.ticks);
    CU_ASSERT_EQUAL(memcmp(la.at, lb.at, sizeof la.at), 0);    /* every tick at the same cycle */
    CU_ASSERT(machine_get_stats(a)->tlb_flushes > 2);
    CU_ASSERT(same_state(a, b));                 /* registers, counters, flushes, memory */
    CU_ASSERT_EQUAL(machine_port_in(a, PORT_TIMER_COUNT), machine_port_in(b, PORT_TIMER_COUNT));
    CU_ASSERT_EQUAL(machine_port_in(a, PORT_TIMER_CTRL), machine_port_in(b, PORT_TIMER_CTRL));
    machine_free(a);
    machine_free(b);
}

static void test_fuzz(void)
{
    uint32_t seed = 12345;
    for (int round = 0; round < 64; round++) {
        machine_config cfg;
        machine_default_config(&cfg);
        cfg.mem_size = 1u << 20;
        cfg.disk_sectors = 4;
        cfg.profile = round & 1 ? PROFILE_LEGACY : PROFILE_STRICT;
        machine *m = machine_new(&cfg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        for (uint32_t a = 0; a < (1u << 20); a += 4) {
            seed = seed * 1103515245u + 12345u;
            uint32_t w = seed ^ (seed << 13) ^ ((uint32_t)round * 0x9e3779b9u);
            memcpy(machine_mem(m) + a, &w, 4);
        }
        for (int r = 1; r < 16; r++) {
            seed = seed * 1103515245u + 12345u;
            machine_set_reg(m, (unsigned)r, seed);
        }
        if (round & 2) {
            map_identity(m, PTE_V | PTE_R | PTE_W | PTE_X | (3u << PTE_RING_SHIFT));
            machine_set_cr(m, CR_STATUS, STATUS_PG | ((unsigned)round >> 2 & 3));
        } else {
            machine_set_cr(m, CR_STATUS, (unsigned)round >> 2 & 3);
        }
        machine_set_cr(m, CR_TVB, 0x3000 + 4 * (uint32_t)round);
        machine_cpu(m)->pc = 0x2000;
        machine_stop s = machine_run(m, 20000);
        CU_ASSERT(s == STOP_LIMIT || s == STOP_HALT || s == STOP_FATAL);
        CU_ASSERT(machine_instret(m) <= 20000);
        if (s == STOP_FATAL)
            CU_ASSERT(machine_fatal_reason(m)[0] != '\0');
        machine_free(m);
    }
}

void test_machine_register(void)
{
    CU_pSuite s = CU_add_suite("machine", NULL, NULL);
    CU_add_test(s, "reset gives zeroed state in ring 0", test_reset);
    CU_add_test(s, "arithmetic, logic, shifts, immediates, r0", test_alu);
    CU_add_test(s, "loads and stores are little-endian and extend", test_loads_stores);
    CU_add_test(s, "branches and jumps", test_branches_jumps);
    CU_add_test(s, "every synchronous trap cause", test_trap_causes);
    CU_add_test(s, "unhandled trap and double fault are fatal", test_unhandled_and_double_fault);
    CU_add_test(s, "privileged instructions in rings 1 and 3, both profiles", test_privileged_rings);
    CU_add_test(s, "legacy popf drops IE and ring silently", test_legacy_popf_drop);
    CU_add_test(s, "paging, permissions, faults and the TLB", test_paging);
    CU_add_test(s, "control registers: status mask, cycle, scratch, timecmp", test_control_registers);
    CU_add_test(s, "cycle costs and instruction limit", test_costs);
    CU_add_test(s, "timer interrupts and wfi", test_timer);
    CU_add_test(s, "console output, input and interrupt", test_console);
    CU_add_test(s, "block device", test_block);
    CU_add_test(s, "determinism; fast path == slow path", test_determinism_fast_slow);
    CU_add_test(s, "snapshot and restore", test_snapshot);
    CU_add_test(s, "breakpoints and single step", test_breakpoints_and_step);
    CU_add_test(s, "trap hook and stop on trap", test_trap_hook);
    CU_add_test(s, "timer restart after a charge, in one call", test_timer_restart_after);
    CU_add_test(s, "random words never crash the simulator", test_fuzz);
    test_engine_add(s);
}
