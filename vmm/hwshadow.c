/*
 * hwshadow.c -- early hardware assist (--design hw-shadow): the guest
 * kernel runs unmodified in guest mode, as under --design hw, but without
 * nested paging, as on the first VT-x processors (Intel's EPT came with
 * Nehalem; AMD's nested paging with Barcelona).  The VMM gives the VMCB a
 * shadow page table (shadow.c, the one the full design uses) instead of a
 * second stage: the machine walks it in one stage, guest virtual to host
 * physical (VMCB_CTRL_NO_NPT), and so the VMM must see what a shadow needs
 * to stay exact:
 *
 *   - every guest page fault and bus error exits (the exception bitmap):
 *     a hidden fault is filled, a store into a write-protected guest page
 *     table is done by the VMM and synced, the guest's own fault is
 *     reflected into its kernel;
 *   - a new ptb, and paging switched on or off, exit (the shadow is dropped),
 *     as CR3 loads and CR0.PG changes do on VT-x without EPT; the machine
 *     does that itself under VMCB_CTRL_NO_NPT (hvext.c), other mtcr and
 *     iret run in guest mode.
 *
 * That is the configuration Adams and Agesen (ASPLOS 2006) measured against
 * their binary translator: exits are expensive round trips, and the shadow's
 * faults, which BT handles with cheap callouts, each cost one.  In exchange
 * a TLB miss walks one stage (tlb_miss) instead of two (tlb_miss_nested).
 * Everything else (exit handling, devices, timer, Type-2 routing) is hw.c's.
 *
 * Memory of the VMM region per VM: the shadow's level-1 table, then its pool
 * of level-2 tables, the last page of which is the VMCB.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

static uint32_t shadow_vmcb(const vmm *v, const vmm_vm *vm)
{
    return vm->pool_base + PAGE_SIZE * (v->cfg.shadow_pool - 1);
}

static const vmm_hw_paging shadow_paging = {
    .vmcb = shadow_vmcb,
    .ctrl = VMCB_CTRL_NO_NPT,
    .exit_exc = 1u << CAUSE_PAGE_FAULT | 1u << CAUSE_BUS_ERROR,
    .fault = vmm_shadow_fault,
};

static bool hw_shadow_init(vmm *v, char *err, size_t errlen)
{
    if (v->cfg.shadow_pool < 3) {
        snprintf(err, errlen, "the hw-shadow design needs shadow_pool >= 3 pages per VM (the "
                 "VMCB and two shadow tables)");
        return false;
    }
    v->shadow_in_guest_mode = true;
    v->shadow_pages = v->cfg.shadow_pool - 1;
    vmm_hw_start(v, &shadow_paging);
    return true;
}

/* The shadow, reset with its VMCB (which the shadow's own reset leaves alone). */
static void hw_shadow_reset(vmm *v, vmm_vm *vm)
{
    memset(machine_mem(v->m) + shadow_vmcb(v, vm), 0, PAGE_SIZE);
    vmm_shadow_reset(v, vm);
}

const vmm_cpu_ops vmm_hw_shadow_cpu = {
    .name = "hardware-assisted (guest mode), no nested paging",
    .privileged = vmm_hw_privileged,
    .hypercall = vmm_hw_hypercall,
    .init = hw_shadow_init,
    .run = vmm_hw_run,
    .guest_mode = true,
};

const vmm_mem_ops vmm_hw_shadow_mem = {
    .name = "shadow page tables under guest mode",
    .root = vmm_shadow_root,
    .reset = hw_shadow_reset,
    .flush = vmm_shadow_flush,
    .fault = vmm_shadow_fault,
    .written = vmm_shadow_written,
};
