/*
 * exit.c -- the one exit handler.  Every trap of a guest arrives at
 * vmm_on_trap() (the machine's trap hook): it books the time the guest ran,
 * frames the exit by the host (Type-2), hands it to one handler chosen by
 * cause from the table below, reports it as an event and resumes the guest
 * through the scheduler.  What each handler does is the design's: the
 * sensitive-instruction half (v->cpu) answers privileged instructions and
 * hypercalls, the memory half (v->mem) answers page faults.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

/* ---- handlers by cause ------------------------------------------------------------- */
/* A trap the guest kernel must see, as the hardware would have shown it. */
static vmm_handler reflect_exit(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vm->st.reflected++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.reflect);
    vmm_reflect(v, vm, t->cause, t->epc, t->addr);
    return VMM_BY_REFLECTION;
}

static unsigned vring_of(const vmm_vm *vm) { return vm->vc.cr[CR_STATUS] & STATUS_RING_MASK; }

/* The real timer (slice and virtual timers) and device lines, which are
 * never enabled for a guest: vmm_resume() does the work. */
static vmm_handler on_timer(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    (void)v; (void)vm; (void)t;
    return VMM_BY_SCHEDULER;
}

/* A privileged instruction of the guest kernel is the design's to handle;
 * from user code it is the guest kernel's, as natively. */
static vmm_handler on_privileged(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    return vring_of(vm) == 0 ? v->cpu->privileged(v, vm, t) : reflect_exit(v, vm, t);
}

/* Hidden faults (the guest's own tables allow the access) are the memory
 * half's; the others it reflects. */
static vmm_handler on_memory(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    return v->mem->fault(v, vm, t);
}

/* From user code a hypercall goes to the guest kernel, as natively. */
static vmm_handler on_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    return vring_of(vm) == 0 ? v->cpu->hypercall(v, vm, t) : reflect_exit(v, vm, t);
}

typedef vmm_handler (*cause_fn)(vmm *v, vmm_vm *vm, const machine_trap *t);
static const cause_fn by_cause[ISA_NUM_CAUSES] = {
    [CAUSE_TIMER]        = on_timer,
    [CAUSE_DEVICE]       = on_timer,
    [CAUSE_ILLEGAL_PRIV] = on_privileged,
    [CAUSE_PAGE_FAULT]   = on_memory,
    [CAUSE_BUS_ERROR]    = on_memory,
    [CAUSE_HYPERCALL]    = on_hypercall,
    /* every other cause (system calls, illegal instructions, misaligned
     * accesses, breakpoints, division by zero) is the guest kernel's */
};

/* ---- around the handler ------------------------------------------------------------- */
/*
 * A paravirtualized guest's system call through its registered gate: the
 * real trap vector for SYSCALL points straight into the guest kernel (Xen
 * installs the guest's int 0x80 handler in the real IDT), so the hardware
 * delivers it to ring 1 with the frame in the shared page.  No exit: the
 * VMM's C code stands in for the gate and charges nothing beyond the
 * hardware trap, which a native system call pays as well.
 */
static bool direct_syscall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    uint64_t now = vmm_now(v);
    vm->st.guest_cycles += now - v->mark_cycles;
    vm->vc.vtime += now - v->mark_cycles;
    vm->st.guest_insns += v->mst->instret - v->mark_instret;
    vm->st.direct_syscalls++;
    vm->st.hc_replaced++;                       /* the reflected SYSCALL exit */
    uint8_t rr = t->ring;
    vmm_reflect(v, vm, t->cause, t->epc, t->addr);
    machine_cpu(v->m)->pc = vm->syscall_gate;
    if (v->ev) {
        vmm_event e = { .kind = VMM_EV_STEP, .vm = (int)vmm_vm_index(v, vm), .cause = t->cause,
                        .pc = t->pc, .insn = t->insn, .addr = t->addr, .mnemonic = "syscall", .vring_from = 3,
                        .vring_to = 0, .ring_from = rr, .ring_to = (uint8_t)machine_ring(v->m),
                        .handler = VMM_BY_HARDWARE, .at = now,
                        .what = "direct system call: the gate enters the guest kernel, no exit" };
        vmm_emit(v, &e);
    }
    v->mark_cycles = vmm_now(v);
    v->mark_instret = v->mst->instret;
    return true;
}

/* Books what ran since the last exit: the guest's cycles, then the
 * hardware exit itself (hw_cost), which the machine has already charged. */
void vmm_book_exit(vmm *v, vmm_vm *vm, const machine_trap *t, uint64_t hw_cost, bool uf_from_cpu)
{
    machine *m = v->m;
    uint64_t now = vmm_now(v);
    uint64_t trap_cost = hw_cost;
    uint64_t ran = now - v->mark_cycles;
    uint64_t guest = ran > trap_cost ? ran - trap_cost : 0;
    vm->st.guest_cycles += guest;
    vm->st.vmm_cycles += ran - guest;
    vm->vc.vtime += guest;
    vm->st.guest_insns += v->mst->instret - v->mark_instret;
    v->mark_cycles = now;
    v->exit_cycles = ran - guest;
    /* Only popf (legacy) changes the user flags behind our back. */
    if (uf_from_cpu)
        vm->vc.cr[CR_STATUS] = (vm->vc.cr[CR_STATUS] & ~STATUS_UF_MASK) |
                               (machine_cpu(m)->cr[CR_STATUS] & STATUS_UF_MASK);
    vm->st.exits++;
    unsigned code = CAUSE_CODE(t->cause);
    if (code < ISA_NUM_CAUSES)
        vm->st.exits_by_cause[code]++;
}

/*
 * Type-2 routing by kind.  A hosted hypervisor keeps a monitor in the host
 * kernel (VMware Workstation's VMM and VMDriver, Sugerman et al. 2001; KVM)
 * that handles CPU and MMU exits itself; device I/O (the device models live
 * in the user-mode process: VMApp, QEMU) and host interrupts (the host's own
 * world must run) go out to the user-mode VMM process.  type2-user sends
 * every exit there.
 */
vmm_exit_kind vmm_exit_kind_of(const vmm_vm *vm, const machine_trap *t, uint32_t a0)
{
    unsigned code = CAUSE_CODE(t->cause);
    bool kernel = vring_of(vm) == 0;
    if (code == CAUSE_TIMER || code == CAUSE_DEVICE)
        return VMM_EXIT_IRQ;
    if (code == CAUSE_PAGE_FAULT || code == CAUSE_BUS_ERROR)
        return VMM_EXIT_MMU;
    if (kernel && code == CAUSE_ILLEGAL_PRIV && t->insn &&
        (ISA_OP(t->insn) == OP_IN || ISA_OP(t->insn) == OP_OUT))
        return VMM_EXIT_IO;
    if (kernel && code == CAUSE_HYPERCALL && vmm_hcall_is_io(a0))
        return VMM_EXIT_IO;
    return VMM_EXIT_CPU;
}

bool vmm_exit_to_user(const vmm *v, vmm_exit_kind k)
{
    return v->cfg.host == VMM_HOST_TYPE2_USER ||
           (v->cfg.host == VMM_HOST_TYPE2 && (k == VMM_EXIT_IO || k == VMM_EXIT_IRQ));
}

static void host_enter(vmm *v, vmm_vm *vm);
static void host_leave(vmm *v, vmm_vm *vm);

void vmm_host_enter(vmm *v, vmm_vm *vm, vmm_exit_kind k)
{
    if (vmm_exit_to_user(v, k))
        host_enter(v, vm);
    else if (v->cfg.host == VMM_HOST_TYPE2)
        vm->st.kernel_exits++;
}

void vmm_host_leave(vmm *v, vmm_vm *vm, vmm_exit_kind k)
{
    if (vmm_exit_to_user(v, k))
        host_leave(v, vm);
}

/* The trace says which path a routed Type-2 exit took. */
static void path_note(char *what, size_t n, bool to_user)
{
    size_t len = strlen(what);
    snprintf(what + len, n > len ? n - len : 0, "%s", to_user
             ? " [user-mode VMM process]" : " [kernel-resident monitor, no world switch]");
}

void vmm_path_note(char *what, size_t n, const vmm *v, vmm_exit_kind k)
{
    if (v->cfg.host == VMM_HOST_TYPE2)
        path_note(what, n, vmm_exit_to_user(v, k));
}

/* Type-2: the exit reaches the VMM, a user process of the host, through the
 * host kernel; and goes back the same way. */
static void host_enter(vmm *v, vmm_vm *vm)
{
    vm->st.host_switches++;
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_world_switch,
                   "world switch: VMM driver hands the exit to the host kernel");
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_ctx_switch,
                   "host kernel switches to the VMM user process");
}

static void host_leave(vmm *v, vmm_vm *vm)
{
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_ctx_switch,
                   "VMM process returns to the host kernel (ioctl)");
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_world_switch,
                   "world switch back: the VMM driver resumes the guest");
}

/* The one line of the trace that says what the VMM did about the exit,
 * formatted only when a reader asks for it (an exit is data until then). */
static void exit_what(char *what, size_t n, const vmm_event *e)
{
    const char *mn = e->mnemonic ? e->mnemonic : "?";
    if (e->note)
        snprintf(what, n, "%s", e->note);
    else if (e->handler == VMM_BY_EMULATION)
        snprintf(what, n, "emulate %s", mn);
    else if (e->handler == VMM_BY_REFLECTION)
        snprintf(what, n, "reflect %s into the guest kernel", isa_cause_name(CAUSE_CODE(e->cause)));
    else if (e->handler == VMM_BY_SHADOW && (e->detail & VMM_EVD_PT_STORE))
        snprintf(what, n, "emulate %s into a guest page table, sync the shadow", mn);
    else if (e->handler == VMM_BY_SHADOW)
        snprintf(what, n, "hidden fault: fill the shadow page table for 0x%08x", e->addr);
    else if (e->handler == VMM_BY_HYPERCALL)
        snprintf(what, n, "hypercall %u (%s)", e->a0, vmm_hcall_name(e->a0) ? vmm_hcall_name(e->a0) : "unknown");
    else
        snprintf(what, n, "real timer: slice and virtual timer check");
    if (e->detail & (VMM_EVD_TYPE2_USER | VMM_EVD_TYPE2_KERN))
        path_note(what, n, (e->detail & VMM_EVD_TYPE2_USER) != 0);
}

const char *vmm_event_what(const vmm_event *e)
{
    if (e->what)
        return e->what;
    if (!e->text || (e->kind != VMM_EV_EXIT && !e->format))
        return "";
    if (!e->text[0]) {
        if (e->format)
            e->format(e->text, VMM_EXIT_TEXT, e);
        else
            exit_what(e->text, VMM_EXIT_TEXT, e);
    }
    return e->text;
}

bool vmm_on_trap(machine *m, const machine_trap *t, void *ud)
{
    vmm *v = ud;
    if (v->cur < 0) {
        machine_request_stop(m);
        return true;
    }
    vmm_vm *vm = &v->vm[v->cur];
    int vmi = v->cur;
    unsigned code = CAUSE_CODE(t->cause);
    if (code == CAUSE_SYSCALL && vm->syscall_gate && vring_of(vm) == 3)
        return direct_syscall(v, vm, t);

    uint32_t a0 = machine_cpu(m)->r[REG_A0];
    /* Only a hosted VMM routes exits by kind (a bare-metal one handles them all). */
    bool hosted = v->cfg.host != VMM_HOST_TYPE1;
    vmm_exit_kind kind = hosted ? vmm_exit_kind_of(vm, t, a0) : VMM_EXIT_CPU;
    vmm_book_exit(v, vm, t, v->cfg.mcosts.trap_entry, true);
    uint8_t vring0 = (uint8_t)vring_of(vm), ring0 = t->ring;
    uint64_t syncs = vm->st.shadow_syncs;
    if (hosted)
        vmm_host_enter(v, vm, kind);
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.exit_dispatch);
    v->in_exit = true;
    v->exit_note[0] = '\0';

    cause_fn fn = code < ISA_NUM_CAUSES && by_cause[code] ? by_cause[code] : reflect_exit;
    vmm_handler h = fn(v, vm, t);

    if (hosted)
        vmm_host_leave(v, vm, kind);
    if (vm->state == VM_RUNNABLE)
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.vm_entry);
    if (v->ev) {
        uint8_t detail = vm->st.shadow_syncs != syncs ? VMM_EVD_PT_STORE : 0;
        if (v->cfg.host == VMM_HOST_TYPE2)
            detail |= vmm_exit_to_user(v, kind) ? VMM_EVD_TYPE2_USER : VMM_EVD_TYPE2_KERN;
        v->exit_text[0] = '\0';
        vmm_event e = { .kind = VMM_EV_EXIT, .vm = vmi, .cause = t->cause, .pc = t->pc,
                        .insn = t->insn, .addr = t->addr,
                        .mnemonic = t->insn ? vmm_mnemonic_of(t->insn) : NULL,
                        .vring_from = vring0, .vring_to = (uint8_t)vring_of(vm),
                        .ring_from = ring0, .ring_to = (uint8_t)machine_ring(m), .handler = h,
                        .cycles = v->exit_cycles, .at = vmm_now(v), .a0 = a0,
                        .detail = detail, .note = v->exit_note[0] ? v->exit_note : NULL,
                        .text = v->exit_text };
        vmm_emit(v, &e);
    }
    v->in_exit = false;
    if (v->stop_deferred) {
        v->stop_deferred = false;
        vmm_vm_stop_event(v, vm, vm->state == VM_FAILED ? vm->reason : "halted");
    }
    vmm_resume(v);
    v->mark_cycles = vmm_now(v);
    v->mark_instret = v->mst->instret;
    if (v->cpu->resumed)
        v->cpu->resumed(v);
    vmm_commit(v);
    return true;
}
