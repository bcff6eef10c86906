/*
 * fuzz_machine.c -- libFuzzer harness: the machine running arbitrary words
 * in any ring, under either profile, with paging and interrupts on or off,
 * with or without a hypervisor-like trap hook, under an instruction limit.
 *
 * Input layout (little-endian):
 *   byte 0      flags: bit 0 legacy profile, bits 1-2 ring, bit 3 paging,
 *               bit 4 interrupts enabled, bit 5 trap hook, bit 6 console
 *               input queued, bit 7 check snapshots and sliced runs
 *   byte 1      slice length for the sliced run (1..256)
 *   bytes 2-5   entry PC     bytes 6-9  tvb     bytes 10-13  ptb
 *   bytes 14-17 timecmp
 *   the rest    physical memory from address 0 (registers r1..r15 start
 *               as its first 15 words; words 15 and 16 are breakpoints)
 *
 * Oracles: no sanitizer report; machine_run returns (no hang) having
 * retired at most the limit; and, with bit 7, the same machine restored
 * from a snapshot and run in slices ends in exactly the same state, stats
 * and console output (determinism, and snapshots hold the whole machine),
 * and so does it run one instruction at a time (the block engine against
 * single steps: a differential test).
 * A run resumes after each breakpoint, as a debugger would.  Afterwards the
 * debugger's views (translate, read_virt) are asked about a few addresses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_SIZE  (128u << 10)
#define LIMIT     4096u
#define HEADER    18u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_machine: %s\n", what);
    abort();
}

/* A hypervisor in miniature: emulate privileged instructions from ring > 0
 * by skipping them, reflect system calls as breakpoints through
 * machine_raise (a trap raised inside the hook), let the rest through. */
static bool hook(machine *m, const machine_trap *t, void *ud)
{
    (void)ud;
    switch (CAUSE_CODE(t->cause)) {
    case CAUSE_ILLEGAL_PRIV:
        machine_cpu(m)->pc = t->pc + 4;
        machine_add_cycles(m, 50);
        return true;
    case CAUSE_SYSCALL: {
        machine_trap r = *t;
        r.cause = CAUSE_BREAKPOINT;
        machine_raise(m, &r);
        return true;
    }
    case CAUSE_HYPERCALL:
        machine_request_stop(m);
        return false;
    default:
        return false;
    }
}

typedef struct {
    machine_stop stop;
    cpu_state cpu;
    machine_stats stats;
    size_t outlen;
    char *out;
} outcome;

static void capture(machine *m, machine_stop stop, outcome *o)
{
    o->stop = stop;
    o->cpu = *machine_cpu(m);
    o->stats = *machine_get_stats(m);
    const char *out = machine_console_output(m, &o->outlen);
    o->out = malloc(o->outlen + 1);
    if (!o->out)
        abort();
    if (o->outlen)
        memcpy(o->out, out, o->outlen);
}

static machine_stop run_checked(machine *m, uint64_t limit)
{
    if (limit == 0)
        fail("run_checked: no limit");
    uint64_t before = machine_instret(m);
    machine_stop s = machine_run(m, limit);
    if (s == STOP_NONE)
        fail("machine_run returned STOP_NONE");
    if (machine_instret(m) - before > limit)
        fail("machine_run retired more instructions than its limit");
    if (s == STOP_LIMIT && machine_instret(m) - before != limit)
        fail("STOP_LIMIT before the limit");
    return s;
}

/* Runs limit instructions in slices, going on after a slice ends or a
 * breakpoint is hit; the first other stop ends the run. */
static machine_stop run_sliced(machine *m, uint64_t limit, uint64_t slice)
{
    uint64_t done = 0;
    machine_stop t = STOP_LIMIT;
    unsigned breaks = 0;
    while (done < limit && (t == STOP_LIMIT || t == STOP_BREAKPOINT)) {
        uint64_t step = limit - done < slice ? limit - done : slice;
        uint64_t before = machine_instret(m);
        t = run_checked(m, step);
        done += machine_instret(m) - before;
        /* A breakpoint stops before its instruction; the next run executes it. */
        if (t == STOP_BREAKPOINT && ++breaks > limit + 1)
            fail("breakpoints stop the machine without progress");
    }
    return t;
}

static machine_stop run_to_limit(machine *m, uint64_t limit) { return run_sliced(m, limit, limit); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER)
        return 0;
    uint8_t flags = data[0];
    unsigned slice = data[1] + 1u;

    machine_config cfg;
    machine_default_config(&cfg);
    cfg.profile = flags & 1 ? PROFILE_LEGACY : PROFILE_STRICT;
    cfg.mem_size = MEM_SIZE;
    cfg.disk_sectors = 8;
    machine *m = machine_new(&cfg);
    if (!m)
        fail("machine_new failed");

    size_t n = size - HEADER < MEM_SIZE ? size - HEADER : MEM_SIZE;
    if (!machine_write_phys(m, 0, data + HEADER, n))
        fail("machine_write_phys failed inside memory");
    for (unsigned r = 1; r < ISA_NUM_REGS; r++)
        machine_set_reg(m, r, 4 * r + 4 <= n ? le32(data + HEADER + 4 * (r - 1)) : 0);
    cpu_state *cpu = machine_cpu(m);
    cpu->pc = le32(data + 2);
    machine_set_cr(m, CR_TVB, le32(data + 6));
    machine_set_cr(m, CR_PTB, le32(data + 10));
    machine_set_cr(m, CR_TIMECMP, le32(data + 14));
    uint32_t status = (flags >> 1) & STATUS_RING_MASK;
    if (flags & 8)
        status |= STATUS_PG;
    if (flags & 16)
        status |= STATUS_IE;
    machine_set_cr(m, CR_STATUS, status);
    if (flags & 32)
        machine_set_trap_hook(m, hook, NULL);
    if (flags & 64)
        machine_console_input(m, "fuzz\n", 5);

    for (unsigned k = 15; k < 17; k++)
        if (4 * k + 4 <= n)
            machine_set_breakpoint(m, le32(data + HEADER + 4 * k), true);

    machine_snapshot *snap = flags & 128 ? machine_save(m) : NULL;
    machine_stop s = run_to_limit(m, LIMIT);
    if (machine_get_stats(m)->instret > LIMIT)
        fail("instret beyond the limit");
    for (unsigned ring = 0; ring < 4; ring++)
        for (unsigned acc = 0; acc < 3; acc++) {
            uint32_t pa;
            if (machine_translate(m, machine_get_reg(m, 1 + ring), (isa_access)acc, ring, &pa) == CAUSE_NONE &&
                pa >= MEM_SIZE)
                fail("machine_translate gave an address outside memory");
        }
    uint8_t peek[64];
    (void)machine_read_virt(m, machine_get_reg(m, 5), peek, sizeof peek);
    (void)machine_read_virt(m, machine_cpu(m)->pc, peek, sizeof peek);
    (void)machine_last_trap(m);
    (void)machine_fatal_reason(m);

    if (snap) {
        outcome whole, sliced;
        capture(m, s, &whole);
        machine_restore(m, snap);
        machine_stop t = run_sliced(m, LIMIT, slice);
        capture(m, t, &sliced);
        if (whole.stop != sliced.stop)
            fail("a sliced run stopped differently");
        if (memcmp(&whole.cpu, &sliced.cpu, sizeof whole.cpu))
            fail("a sliced run ended in a different CPU state");
        if (memcmp(&whole.stats, &sliced.stats, sizeof whole.stats))
            fail("a sliced run has different stats");
        if (whole.outlen != sliced.outlen || memcmp(whole.out, sliced.out, whole.outlen))
            fail("a sliced run printed something else");
        if (slice != 1) {
            outcome stepped;
            machine_restore(m, snap);
            t = run_sliced(m, LIMIT, 1);
            capture(m, t, &stepped);
            if (whole.stop != stepped.stop)
                fail("single steps stopped differently from a whole run");
            if (memcmp(&whole.cpu, &stepped.cpu, sizeof whole.cpu))
                fail("single steps ended in a different CPU state");
            if (memcmp(&whole.stats, &stepped.stats, sizeof whole.stats))
                fail("single steps have different stats");
            if (whole.outlen != stepped.outlen || memcmp(whole.out, stepped.out, whole.outlen))
                fail("single steps printed something else");
            free(stepped.out);
        }
        free(whole.out);
        free(sliced.out);
        machine_snapshot_free(snap);
    }
    machine_free(m);
    return 0;
}
