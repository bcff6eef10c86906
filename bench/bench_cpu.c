/*
 * bench_cpu.c -- how fast the engine runs a compute loop with paging on, and
 * the same loop against QEMU's RISC-V JIT (qemu-riscv64, user mode) when it
 * is installed.  The host clock measures the host here, never simulated
 * results.  Both figures are CPU time (of this process, and of the qemu
 * child), best of three, so that other processes on a shared machine count
 * less; they are ratios measured in the same run, printed, never asserted.
 *
 * The RISC-V loop is the traplab loop instruction for instruction (addi,
 * add, xor, lw, add, sw, slli), closed by a counter (addi, bne) instead of
 * a jump and the step limit: a tiny static ELF written here, no compiler.
 */
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "machine/machine.h"

#define N_INSNS 200000000ull
#define RV_ITERS 0x8000000u          /* 134 M iterations of 9 instructions */
#define TARGET_MIPS 1200.0

extern char **environ;

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

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* One run of the traplab loop: seconds of CPU time, or < 0 on failure. */
static double run_traplab(uint64_t *misses)
{
    machine *m = machine_new(NULL);
    if (!m)
        return -1;
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
    double t0 = cpu_now();
    machine_stop s = machine_run(m, N_INSNS);
    double t1 = cpu_now();
    *misses = machine_get_stats(m)->tlb_misses;
    bool ok = s == STOP_LIMIT && machine_instret(m) == N_INSNS;
    machine_free(m);
    return ok ? t1 - t0 : -1;
}

/* ---- the RISC-V loop as a static ELF64 for qemu-riscv64 -------------------- */
static uint32_t rv_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t rv_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t op)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}
static uint32_t rv_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | (u & 0x1f) << 7 | 0x23;
}
static uint32_t rv_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 |
           ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}
static uint32_t rv_u(uint32_t imm20, uint32_t rd, uint32_t op) { return imm20 << 12 | rd << 7 | op; }

static void le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes the ELF; false on failure.  Registers: r1..r7 of the traplab loop
 * are x5, x6, x7, x28, x29 (data base), x30; x31 counts iterations. */
static bool write_rv_elf(const char *path)
{
    enum { BASE = 0x10000, HDR = 64 + 56 };
    uint32_t code[] = {
        rv_u(0x11, 29, 0x37),                       /* lui  x29, 0x11: data at 0x11000 */
        rv_u(RV_ITERS >> 12, 31, 0x37),             /* lui  x31, iterations */
        rv_i(1, 5, 0, 5, 0x13),                     /* loop: addi x5, x5, 1 */
        rv_r(0, 5, 6, 0, 6, 0x33),                  /* add  x6, x6, x5 */
        rv_r(0, 6, 7, 4, 7, 0x33),                  /* xor  x7, x7, x6 */
        rv_i(0, 29, 2, 28, 0x03),                   /* lw   x28, 0(x29) */
        rv_r(0, 28, 7, 0, 7, 0x33),                 /* add  x7, x7, x28 */
        rv_s(4, 7, 29, 2),                          /* sw   x7, 4(x29) */
        rv_i(3, 7, 1, 30, 0x13),                    /* slli x30, x7, 3 */
        rv_i(-1, 31, 0, 31, 0x13),                  /* addi x31, x31, -1 */
        rv_b(-32, 0, 31, 1),                        /* bne  x31, x0, loop */
        rv_i(93, 0, 0, 17, 0x13),                   /* addi a7, x0, 93 (exit) */
        rv_i(0, 0, 0, 10, 0x13),                    /* addi a0, x0, 0 */
        0x00000073,                                 /* ecall */
    };
    uint8_t f[HDR + sizeof code];
    memset(f, 0, sizeof f);
    memcpy(f, "\x7f" "ELF", 4);
    f[4] = 2; f[5] = 1; f[6] = 1;                   /* 64-bit, little-endian, version 1 */
    le(f + 16, 2, 2);                               /* ET_EXEC */
    le(f + 18, 243, 2);                             /* EM_RISCV */
    le(f + 20, 1, 4);
    le(f + 24, BASE + HDR, 8);                      /* entry */
    le(f + 32, 64, 8);                              /* program headers */
    le(f + 52, 64, 2); le(f + 54, 56, 2); le(f + 56, 1, 2);
    uint8_t *ph = f + 64;
    le(ph, 1, 4);                                   /* PT_LOAD */
    le(ph + 4, 7, 4);                               /* RWX */
    le(ph + 16, BASE, 8); le(ph + 24, BASE, 8);
    le(ph + 32, sizeof f, 8);
    le(ph + 40, 0x2000, 8);                         /* and the data page */
    le(ph + 48, 0x1000, 8);
    for (unsigned i = 0; i < sizeof code / sizeof code[0]; i++)
        le(f + HDR + 4 * i, code[i], 4);
    FILE *o = fopen(path, "wb");
    if (!o)
        return false;
    bool ok = fwrite(f, 1, sizeof f, o) == sizeof f;
    ok = fclose(o) == 0 && ok;
    return ok && chmod(path, 0755) == 0;
}

/* CPU time (user + system) of one qemu-riscv64 run; < 0 when it cannot run. */
static double run_qemu(const char *elf)
{
    char *argv[] = { "qemu-riscv64", (char *)elf, NULL };
    struct rusage before, after;
    getrusage(RUSAGE_CHILDREN, &before);
    pid_t pid;
    if (posix_spawnp(&pid, "qemu-riscv64", NULL, NULL, argv, environ) != 0)
        return -1;
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    getrusage(RUSAGE_CHILDREN, &after);
    double u = (double)(after.ru_utime.tv_sec - before.ru_utime.tv_sec) +
               (double)(after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 1e6;
    double s = (double)(after.ru_stime.tv_sec - before.ru_stime.tv_sec) +
               (double)(after.ru_stime.tv_usec - before.ru_stime.tv_usec) / 1e6;
    return u + s;
}

static bool have_qemu(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char buf[4096];
    for (const char *p = path; *p;) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n && n < sizeof buf - 16) {
            snprintf(buf, sizeof buf, "%.*s/qemu-riscv64", (int)n, p);
            if (access(buf, X_OK) == 0)
                return true;
        }
        p += n + (e != NULL);
    }
    return false;
}

int main(void)
{
    double best = 1e9;
    uint64_t misses = 0;
    for (int i = 0; i < 3; i++) {
        double t = run_traplab(&misses);
        if (t < 0) {
            fprintf(stderr, "bench_cpu: the loop did not run to its limit\n");
            return 1;
        }
        if (t < best)
            best = t;
    }
    double mips = (double)N_INSNS / best / 1e6;
    printf("cpu: %.1f M instructions/s (paging on, %llu instructions in %.3f s CPU time, %llu TLB misses; "
           "target >= %.0f: %.2fx of it)\n", mips, (unsigned long long)N_INSNS, best,
           (unsigned long long)misses, TARGET_MIPS, mips / TARGET_MIPS);
    if (!have_qemu()) {
        printf("cpu vs qemu: skipped, qemu-riscv64 is not installed (make deps installs qemu-user)\n");
        return 0;
    }
    char elf[] = "/tmp/traplab-bench-rv.XXXXXX";
    int fd = mkstemp(elf);
    if (fd < 0) {
        printf("cpu vs qemu: skipped, no temporary file\n");
        return 0;
    }
    close(fd);
    double qbest = 1e9;
    if (write_rv_elf(elf))
        for (int i = 0; i < 3; i++) {
            double t = run_qemu(elf);
            if (t > 0 && t < qbest)
                qbest = t;
        }
    unlink(elf);
    if (qbest >= 1e9) {
        printf("cpu vs qemu: skipped, qemu-riscv64 did not run the loop\n");
        return 0;
    }
    double qmips = 9.0 * RV_ITERS / qbest / 1e6;
    printf("cpu vs qemu: qemu-riscv64 (TCG JIT) runs the same loop at %.1f M instructions/s "
           "(%.0f M in %.3f s CPU time); traplab/qemu = %.2fx (target >= 0.5x)\n",
           qmips, 9.0 * RV_ITERS / 1e6, qbest, mips / qmips);
    return 0;
}
