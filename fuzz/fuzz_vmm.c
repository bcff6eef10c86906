/*
 * fuzz_vmm.c -- libFuzzer harness: arbitrary guest kernels under the
 * hypervisor.  VM 0 runs the fuzzer's bytes as its kernel (in ring 1, with
 * whatever page tables, trap vectors and devices it sets up); VM 1 runs a
 * known kernel that spins on one instruction and must not notice.
 *
 * Input layout: byte 0 flags (bit 0 legacy profile, bit 1 Type-2 host,
 * bit 2 a short slice), bytes 1-4 the entry PC, the rest the kernel's bytes
 * at guest-physical 0x1000 (registers start as its first words).
 *
 * Oracles: no sanitizer report; vmm_run returns within its limit; VM 1's
 * memory, registers, PC and console are exactly as it left them, and it is
 * still runnable ("a guest can never crash the simulator or escape its VM").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LIMIT      20000u
#define HEADER     5u
#define KERNEL_AT  0x1000u
#define KERNEL_MAX (32u << 10)
#define SPIN       0xa0000000u   /* j . */

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_vmm: %s\n", what);
    abort();
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER + 4)
        return 0;
    uint8_t flags = data[0];
    size_t klen = size - HEADER < KERNEL_MAX ? size - HEADER : KERNEL_MAX;

    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 2;
    cfg.profile = flags & 1 ? PROFILE_LEGACY : PROFILE_STRICT;
    cfg.host = flags & 2 ? VMM_HOST_TYPE2 : VMM_HOST_TYPE1;
    cfg.slice = flags & 4 ? 500 : 5000;
    cfg.disk_sectors = 8;
    char err[256];
    vmm *v = vmm_new(&cfg, err, sizeof err);
    if (!v)
        fail(err);

    uint8_t *kbytes = malloc(klen), spin[4] = { SPIN & 0xff, (SPIN >> 8) & 0xff, (SPIN >> 16) & 0xff, SPIN >> 24 };
    if (!kbytes)
        abort();
    memcpy(kbytes, data + HEADER, klen);
    image_segment kseg = { KERNEL_AT, (uint32_t)klen, kbytes };
    image kernel = { .entry = le32(data + 1), .segs = &kseg, .nsegs = 1 };
    image_segment sseg = { KERNEL_AT, 4, spin };
    image spinner = { .entry = KERNEL_AT, .segs = &sseg, .nsegs = 1 };
    if (!vmm_load(v, 0, &kernel, NULL, err, sizeof err)) {
        free(kbytes);
        vmm_free(v);
        return 0;               /* refused with a message: fine */
    }
    free(kbytes);               /* vmm_load copied it into the partition */
    if (!vmm_load(v, 1, &spinner, NULL, err, sizeof err))
        fail(err);
    for (unsigned r = 1; r < ISA_NUM_REGS; r++) {
        vmm_set_guest_reg(v, 0, r, 4 * r + 4 <= klen ? le32(data + HEADER + 4 * (r - 1)) : 0);
        vmm_set_guest_reg(v, 1, r, 0x11111111u * r);
    }

    uint32_t part = cfg.part_size;
    uint8_t *before = malloc(part), *after = malloc(part);
    if (!before || !after)
        abort();
    if (!vmm_read_gpa(v, 1, 0, before, part))
        fail("cannot read VM 1's memory");

    machine_stop s = vmm_run(v, LIMIT);
    if (s == STOP_NONE)
        fail("vmm_run returned STOP_NONE");
    if (machine_instret(vmm_machine(v)) > LIMIT)
        fail("vmm_run ran past its limit");

    if (!vmm_read_gpa(v, 1, 0, after, part))
        fail("cannot read VM 1's memory after the run");
    if (memcmp(before, after, part) != 0)
        fail("VM 1's memory changed: VM 0 escaped");
    for (unsigned r = 1; r < ISA_NUM_REGS; r++)
        if (vmm_guest_reg(v, 1, r) != 0x11111111u * r)
            fail("VM 1's registers changed");
    if (vmm_guest_pc(v, 1) != KERNEL_AT)
        fail("VM 1's PC moved off its spin loop");
    if (vmm_vm_state_of(v, 1) != VM_RUNNABLE)
        fail("VM 1 stopped");
    size_t clen;
    (void)vmm_console(v, 1, &clen);
    if (clen != 0)
        fail("VM 1 printed something");
    (void)vmm_console(v, 0, &clen);
    (void)vmm_vm_reason(v, 0);

    free(before);
    free(after);
    vmm_free(v);
    return 0;
}
