/*
 * core.c -- the bottom of the hypervisor: what every other file of vmm/
 * shares and that calls none of them.  Accounting (which layer a cycle is
 * booked to), events, the rings a guest is deprivileged to, reflecting a
 * trap into the guest kernel, a VM's stop, and guest-physical memory.
 * The design's memory half is reached only through v->mem, so this file
 * stays below shadow.c and its successors (docs/architecture.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

/* ---- rings: the guest kernel is deprivileged to ring 1 ---------------------- */
unsigned vmm_real_ring(unsigned vring)
{
    /* Virtual ring 0 -> 1 (so every privileged instruction traps); rings 1
     * and 2 share real ring 2; user code stays in ring 3. */
    return vring == 0 ? 1 : vring == 3 ? 3 : 2;
}

uint32_t vmm_real_status(uint32_t vstatus)
{
    /* Real interrupts stay on and paging (through the shadow) stays on
     * whatever the guest believes: that is how a guest spinning with its
     * interrupts off is still preempted, and how it is kept in its partition. */
    return vmm_real_ring(vstatus & STATUS_RING_MASK) | STATUS_IE | STATUS_PG |
           (vstatus & STATUS_UF_MASK);
}

/* ---- accounting ------------------------------------------------------------- */
void vmm_vtimer_update(vmm *v, vmm_vm *vm)
{
    uint64_t p = vm->vc.cr[CR_TIMECMP];
    uint64_t now = vmm_vtime(v, vm);
    if (p == 0 || now < vm->vc.vnext)
        return;
    vm->vc.vnext += ((now - vm->vc.vnext) / p + 1) * p;
    vm->vc.vtimer_pending = true;
}

void vmm_emit(vmm *v, const vmm_event *e)
{
    if (v->ev) {
        vmm_commit(v);      /* the callback may read the machine's clock */
        v->ev(v, e, v->ev_ud);
    }
}

unsigned vmm_vm_index(const vmm *v, const vmm_vm *vm) { return (unsigned)(vm - v->vm); }

static void step_event(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                       const char *what, vmm_line_fn *format, const uint32_t args[3])
{
    vmm_charge(v, vm, layer, cycles);
    if (!v->ev)
        return;
    unsigned ring = machine_ring(v->m);
    uint8_t vr = vm ? (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK) : 0;
    vmm_event e = { .kind = VMM_EV_STEP, .vm = vm ? (int)vmm_vm_index(v, vm) : -1,
                    .pc = machine_cpu(v->m)->pc, .vring_from = vr, .vring_to = vr,
                    .ring_from = (uint8_t)ring, .ring_to = (uint8_t)ring, .handler = h,
                    .cycles = cycles, .at = vmm_now(v), .what = what, .format = format };
    if (format) {
        v->exit_text[0] = '\0';
        e.text = v->exit_text;
        memcpy(e.args, args, sizeof e.args);
    }
    vmm_emit(v, &e);
}

void vmm_step_event(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                    const char *what)
{
    step_event(v, vm, h, layer, cycles, what, NULL, NULL);
}

void vmm_step_event_lazy(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                         vmm_line_fn *format, uint32_t a0, uint32_t a1, uint32_t a2)
{
    step_event(v, vm, h, layer, cycles, NULL, format, (const uint32_t[3]){ a0, a1, a2 });
}

void vmm_host_syscall(vmm *v, vmm_vm *vm, const char *what)
{
    if (!vmm_host_is_hosted(v->cfg.host))
        return;
    vm->st.host_syscalls++;
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_syscall, what);
}

/* ---- VM life cycle ---------------------------------------------------------------- */
void vmm_vm_stop_event(vmm *v, vmm_vm *vm, const char *what)
{
    /* The exit that stopped the VM (a halt, a shutdown hypercall) comes
     * first in the trace: on_trap tells the stop after it. */
    if (v->in_exit) {
        v->stop_deferred = true;
        return;
    }
    vmm_event e = { .kind = VMM_EV_VM_STOP, .vm = (int)vmm_vm_index(v, vm), .pc = machine_cpu(v->m)->pc,
                    .handler = VMM_BY_SCHEDULER, .at = vmm_now(v), .what = what };
    vmm_emit(v, &e);
}

void vmm_vm_fail(vmm *v, vmm_vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->reason, sizeof vm->reason, fmt, ap);
    va_end(ap);
    vm->state = VM_FAILED;
    vmm_vm_stop_event(v, vm, vm->reason);
}

void vmm_vm_halt(vmm *v, vmm_vm *vm)
{
    vm->state = VM_HALTED;
    vmm_vm_stop_event(v, vm, "halted");
}

void vmm_set_vstatus(vmm *v, vmm_vm *vm, uint32_t vstatus)
{
    uint32_t old = vm->vc.cr[CR_STATUS];
    vstatus &= STATUS_WRITABLE;
    vm->vc.cr[CR_STATUS] = vstatus;
    if ((old ^ vstatus) & STATUS_PG)
        vmm_mem_flush(v, vm, (vstatus & STATUS_PG) ? "guest turned paging on"
                                                      : "guest turned paging off");
    if (v->cur >= 0 && &v->vm[v->cur] == vm)
        machine_set_cr(v->m, CR_STATUS, vmm_real_status(vstatus));
}

void vmm_reflect(vmm *v, vmm_vm *vm, uint32_t cause, uint32_t epc, uint32_t addr)
{
    uint32_t tvb = vm->vc.cr[CR_TVB];
    unsigned code = CAUSE_CODE(cause);
    if (tvb == 0) {
        vmm_vm_fail(v, vm, "unhandled trap %s at pc 0x%08x (the guest's tvb is 0)",
                    isa_cause_name(code), machine_cpu(v->m)->pc);
        return;
    }
    bool fetch = CAUSE_ACCESS(cause) == ACCESS_EXEC &&
        (code == CAUSE_PAGE_FAULT || code == CAUSE_MISALIGNED || code == CAUSE_BUS_ERROR);
    if (fetch && addr == tvb) {
        vmm_vm_fail(v, vm, "double fault: the guest cannot fetch its trap vector at 0x%08x", tvb);
        return;
    }
    vm->vc.cr[CR_ESTATUS] = vm->vc.cr[CR_STATUS];
    vm->vc.cr[CR_EPC] = epc;
    vm->vc.cr[CR_CAUSE] = cause;
    vm->vc.cr[CR_BADADDR] = addr;
    vmm_set_vstatus(v, vm, vm->vc.cr[CR_STATUS] & ~(STATUS_RING_MASK | STATUS_IE));
    machine_cpu(v->m)->pc = tvb;
    if (vm->para)
        vmm_para_frame(v, vm);
}


const char *vmm_mnemonic_of(uint32_t w)
{
    const isa_insn *in = isa_lookup_opcode(ISA_OP(w));
    return in ? in->mnemonic : NULL;
}

/* ---- guest-physical memory ------------------------------------------------------------ */
uint32_t vmm_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void vmm_wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

bool vmm_gpa_ok(const vmm *v, uint32_t gpa, uint32_t n)
{
    return gpa < v->cfg.part_size && v->cfg.part_size - gpa >= n;
}

/* For reads, and for writes followed by vmm_mem_written (which also tells
 * the machine's decoded-code cache); machine_mem() would drop all decoded code. */
uint8_t *vmm_gpa_ptr(vmm *v, const vmm_vm *vm, uint32_t gpa)
{
    return machine_mem_view(v->m) + vm->base + gpa;
}

void vmm_mem_flush(vmm *v, vmm_vm *vm, const char *why) { v->mem->flush(v, vm, why); }

void vmm_mem_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n)
{
    /* What the VMM wrote may be code the guest runs next, whatever the design. */
    machine_code_invalidate(v->m, vm->base + gpa, n);
    v->mem->written(v, vm, gpa, n);
}

/* ---- the page a paravirtualized guest shares with the VMM -------------------------------- */
uint32_t vmm_shared_get(vmm *v, const vmm_vm *vm, uint32_t off)
{
    return vmm_rd32(vmm_gpa_ptr(v, vm, vm->shared + off));
}

void vmm_shared_set(vmm *v, vmm_vm *vm, uint32_t off, uint32_t val)
{
    vmm_wr32(vmm_gpa_ptr(v, vm, vm->shared + off), val);
    machine_code_invalidate(v->m, vm->base + vm->shared + off, 4);
}

void vmm_para_frame(vmm *v, vmm_vm *vm)
{
    /* What the hardware would push on the kernel stack for a ring-1 kernel
     * (as Xen does): the guest reads it with plain loads, no mfcr exits.
     * The interrupt flag the guest sees is its mask, not the status bit. */
    uint32_t est = vm->vc.cr[CR_ESTATUS] & ~STATUS_IE;
    if (vmm_shared_get(v, vm, VMM_SH_MASK) == 0)
        est |= STATUS_IE;
    vmm_shared_set(v, vm, VMM_SH_EPC, vm->vc.cr[CR_EPC]);
    vmm_shared_set(v, vm, VMM_SH_ESTATUS, est);
    vmm_shared_set(v, vm, VMM_SH_CAUSE, vm->vc.cr[CR_CAUSE]);
    vmm_shared_set(v, vm, VMM_SH_BADADDR, vm->vc.cr[CR_BADADDR]);
    vmm_shared_set(v, vm, VMM_SH_MASK, 1);
}
