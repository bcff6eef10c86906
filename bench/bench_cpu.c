/*
 * bench_cpu.c -- how fast the interpreter runs a compute loop with paging
 * on (the host clock measures the host here, never simulated results).
 */
#include <stdio.h>
#include <time.h>

#include "machine/machine.h"

#define N_INSNS 200000000ull

static uint32_t enc(isa_opcode op, uint32_t rd, uint32_t rs1, uint32_t rs2, int32_t imm)
{
    isa_operands o = { rd, rs1, rs2, imm };
    return isa_encode(isa_lookup_opcode(op), &o);
}

static void put32(machine *m, uint32_t pa, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    machine_write_phys(m, pa, b, 4);
}

int main(void)
{
    machine *m = machine_new(NULL);
    if (!m)
        return 1;
    /* Identity-map the first 4 MiB for ring 0 through a two-level table. */
    uint32_t l1 = 0x100000, l2 = 0x101000;
    put32(m, l1, l2 | PTE_V);
    for (uint32_t i = 0; i < 1024; i++)
        put32(m, l2 + 4 * i, (i << 12) | PTE_V | PTE_R | PTE_W | PTE_X);
    uint32_t code[] = {
        enc(OP_ADDI, 6, 0, 0, 0x2000),     /* data pointer */
        enc(OP_ADDI, 1, 1, 0, 1),          /* loop: */
        enc(OP_ADD, 3, 3, 1, 0),
        enc(OP_XOR, 4, 4, 3, 0),
        enc(OP_LW, 5, 6, 0, 0),
        enc(OP_ADD, 4, 4, 5, 0),
        enc(OP_SW, 4, 6, 0, 4),
        enc(OP_SLLI, 7, 4, 0, 3),
        enc(OP_J, 0, 0, 0, -7),
    };
    for (unsigned i = 0; i < sizeof code / sizeof code[0]; i++)
        put32(m, 0x1000 + 4 * i, code[i]);
    machine_set_cr(m, CR_PTB, l1);
    machine_set_cr(m, CR_STATUS, STATUS_PG);
    machine_cpu(m)->pc = 0x1000;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    machine_stop s = machine_run(m, N_INSNS);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    const machine_stats *st = machine_get_stats(m);
    printf("cpu: %.1f M instructions/s (paging on, %llu instructions, stop %s, %llu TLB misses)\n",
           (double)st->instret / secs / 1e6, (unsigned long long)st->instret,
           machine_stop_name(s), (unsigned long long)st->tlb_misses);
    machine_free(m);
    return s == STOP_LIMIT ? 0 : 1;
}
