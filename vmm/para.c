/*
 * para.c -- the paravirtual design's sensitive-instruction half.  The
 * guest kernel is modified (assembled with -D PARAVIRT, guest/arch.s): it
 * makes hypercalls (hcall.c) where the unmodified kernel executes
 * privileged instructions, and shares a page with the VMM.  Whatever
 * privileged instruction it still executes traps and is emulated, as under
 * full virtualization, so a partly modified kernel still runs.
 */
#include "vmm/internal.h"

static vmm_handler para_privileged(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vmm_emulate(v, vm, t);
    return VMM_BY_EMULATION;
}

static vmm_handler para_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vmm_hypercall(v, vm, t);
    return VMM_BY_HYPERCALL;
}

const vmm_cpu_ops vmm_para_cpu = {
    .name = "hypercalls",
    .privileged = para_privileged,
    .hypercall = para_hypercall,
};
