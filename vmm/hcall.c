/*
 * hcall.c -- hypercalls: the guest kernel's explicit calls into the VMM
 * (hcall with a0 = number, a1..a3 = arguments, result in a0).  A table by
 * number, designated initializers; every argument is validated against the
 * VM's own memory, so a bad call returns an error code, never a crash.
 * The paravirtualization issue adds its calls to this table.
 */
#include "vmm/internal.h"

enum { HC_VERSION = 0, HC_CONSOLE_WRITE = 1, HC_YIELD = 2, HC_SHUTDOWN = 3 };

static vmm_vm *vm_of(vmm *v, unsigned i) { return &v->vm[i]; }

static uint32_t hc_version(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)v; (void)vm; (void)a1; (void)a2; (void)a3;
    return 1;
}

/* Writes len bytes at guest-virtual buf in one exit instead of one per byte. */
static uint32_t hc_console_write(vmm *v, unsigned i, uint32_t buf, uint32_t len, uint32_t a3)
{
    (void)a3;
    vmm_vm *vm = vm_of(v, i);
    if (len > 4096)
        return VMM_HC_EINVAL;
    unsigned vring = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    for (uint32_t k = 0; k < len; k++) {      /* check first: all or nothing */
        uint32_t gpa, fa;
        if (vmm_gwalk(v, vm, buf + k, ACCESS_READ, vring, &gpa, &fa) != CAUSE_NONE)
            return VMM_HC_EFAULT;
    }
    vmm_host_syscall(v, vm, "host write() of the buffer to the terminal");
    for (uint32_t k = 0; k < len; k++) {
        uint32_t gpa, fa;
        vmm_gwalk(v, vm, buf + k, ACCESS_READ, vring, &gpa, &fa);
        vmm_console_put(v, vm, *vmm_gpa_ptr(v, vm, gpa));
    }
    return len;
}

static uint32_t hc_yield(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)vm; (void)a1; (void)a2; (void)a3;
    v->slice_start = machine_cycles(v->m) - v->cfg.slice;   /* the slice is over */
    return 0;
}

static uint32_t hc_shutdown(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a1; (void)a2; (void)a3;
    vmm_vm_halt(v, vm_of(v, vm));
    return 0;
}

static const vmm_hcall_fn builtin[VMM_MAX_HCALLS] = {
    [HC_VERSION] = hc_version,
    [HC_CONSOLE_WRITE] = hc_console_write,
    [HC_YIELD] = hc_yield,
    [HC_SHUTDOWN] = hc_shutdown,
};

void vmm_hcall_defaults(vmm *v)
{
    for (unsigned i = 0; i < VMM_MAX_HCALLS; i++)
        v->hcalls[i] = builtin[i];
}

bool vmm_set_hypercall(vmm *v, unsigned number, vmm_hcall_fn fn)
{
    if (number >= VMM_MAX_HCALLS)
        return false;
    v->hcalls[number] = fn;
    return true;
}

void vmm_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    cpu_state *c = machine_cpu(v->m);
    uint32_t nr = c->r[REG_A0];
    vm->st.hypercalls++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.hypercall);
    c->pc = t->epc;
    uint32_t r = nr < VMM_MAX_HCALLS && v->hcalls[nr]
        ? v->hcalls[nr](v, (unsigned)(vm - v->vm), c->r[REG_A1], c->r[REG_A2], c->r[REG_A3])
        : VMM_HC_ENOSYS;
    if (vm->state == VM_RUNNABLE)
        c->r[REG_A0] = r;
}
