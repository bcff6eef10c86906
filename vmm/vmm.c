/*
 * vmm.c -- the hypervisor's core: building the VMs, the one exit handler
 * hooked into the machine's trap delivery, the scheduler on the real timer,
 * reflection and injection into the guest kernel, accounting and events.
 *
 * Every trap of a guest arrives at exit(): it is booked, handed to one
 * handler chosen by cause, and the guest is resumed by resume(), which is
 * also where the VMM decides whether the slice is over and whether a
 * virtual interrupt is due.  For a Type-2 host the same handlers run, but
 * framed by the host operating system's steps.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/internal.h"

/* The first page of the VMM region is the VMM's own data; it is filled with a
 * pattern so that an isolation test can see that no guest ever wrote it. */
static const char vmm_signature[] = "traplab VMM region: no guest may write here";

const char *vmm_host_name(vmm_host h) { return h == VMM_HOST_TYPE2 ? "type2" : "type1"; }

bool vmm_parse_host(const char *s, vmm_host *out)
{
    if (strcmp(s, "type1") == 0 || strcmp(s, "1") == 0) { *out = VMM_HOST_TYPE1; return true; }
    if (strcmp(s, "type2") == 0 || strcmp(s, "2") == 0) { *out = VMM_HOST_TYPE2; return true; }
    return false;
}

const char *vmm_handler_name(vmm_handler h)
{
    static const char *const names[VMM_BY_COUNT] = {
        [VMM_BY_HARDWARE] = "hardware", [VMM_BY_EMULATION] = "emulation",
        [VMM_BY_REFLECTION] = "reflection", [VMM_BY_SHADOW] = "shadow",
        [VMM_BY_HOST] = "host", [VMM_BY_HYPERCALL] = "hypercall",
        [VMM_BY_SCHEDULER] = "scheduler",
    };
    return h < VMM_BY_COUNT ? names[h] : "?";
}

const char *vmm_event_kind_name(vmm_event_kind k)
{
    static const char *const names[VMM_EV_COUNT] = {
        [VMM_EV_EXIT] = "exit", [VMM_EV_STEP] = "step", [VMM_EV_INJECT] = "inject",
        [VMM_EV_SWITCH] = "switch", [VMM_EV_VIOLATION] = "violation", [VMM_EV_VM_STOP] = "stop",
    };
    return k < VMM_EV_COUNT ? names[k] : "?";
}

const char *vmm_vm_state_name(vmm_vm_state s)
{
    return s == VM_RUNNABLE ? "running" : s == VM_HALTED ? "halted" : "failed";
}

void vmm_default_config(vmm_config *cfg)
{
    machine_config mc;
    machine_default_config(&mc);
    memset(cfg, 0, sizeof *cfg);
    cfg->nvms = 1;
    cfg->host = VMM_HOST_TYPE1;
    cfg->profile = PROFILE_STRICT;
    cfg->slice = 1000000;
    cfg->part_size = GUEST_MIN_MEM;
    cfg->disk_sectors = 256;
    cfg->shadow_pool = 24;
    vmm_default_costs(&cfg->costs);
    cfg->mcosts = mc.costs;
}

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
void vmm_charge(vmm *v, vmm_vm *vm, vmm_layer layer, uint64_t cycles)
{
    if (!cycles)
        return;
    machine_add_cycles(v->m, cycles);
    v->mark_cycles += cycles;
    v->exit_cycles += cycles;
    if (!vm)
        return;
    /* The VM's clock (vtime) does not move here: it counts only the cycles
     * the guest itself executes, so the VMM's work never makes a guest's
     * timer fire faster than the guest can make progress. */
    if (layer == LAYER_HOST)
        vm->st.host_cycles += cycles;
    else
        vm->st.vmm_cycles += cycles;
}

uint64_t vmm_vtime(const vmm *v, const vmm_vm *vm)
{
    /* Cycles not yet booked belong to the VM on the CPU. */
    uint64_t t = vm->vc.vtime;
    if (v->cur >= 0 && &v->vm[v->cur] == vm)
        t += machine_cycles(v->m) - v->mark_cycles;
    return t;
}

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
    if (v->ev)
        v->ev(v, e, v->ev_ud);
}

static unsigned vm_index(const vmm *v, const vmm_vm *vm) { return (unsigned)(vm - v->vm); }

void vmm_step_event(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                    const char *what)
{
    vmm_charge(v, vm, layer, cycles);
    if (!v->ev)
        return;
    unsigned ring = machine_ring(v->m);
    uint8_t vr = vm ? (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK) : 0;
    vmm_event e = { .kind = VMM_EV_STEP, .vm = vm ? (int)vm_index(v, vm) : -1,
                    .pc = machine_cpu(v->m)->pc, .vring_from = vr, .vring_to = vr,
                    .ring_from = (uint8_t)ring, .ring_to = (uint8_t)ring, .handler = h,
                    .cycles = cycles, .at = machine_cycles(v->m), .what = what };
    vmm_emit(v, &e);
}

void vmm_host_syscall(vmm *v, vmm_vm *vm, const char *what)
{
    if (v->cfg.host != VMM_HOST_TYPE2)
        return;
    vm->st.host_syscalls++;
    vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_syscall, what);
}

/* ---- VM life cycle ---------------------------------------------------------------- */
static void vm_stop_event(vmm *v, vmm_vm *vm, const char *what)
{
    /* The exit that stopped the VM (a halt, a shutdown hypercall) comes
     * first in the trace: on_trap tells the stop after it. */
    if (v->in_exit) {
        v->stop_deferred = true;
        return;
    }
    vmm_event e = { .kind = VMM_EV_VM_STOP, .vm = (int)vm_index(v, vm), .pc = machine_cpu(v->m)->pc,
                    .handler = VMM_BY_SCHEDULER, .at = machine_cycles(v->m), .what = what };
    vmm_emit(v, &e);
}

void vmm_vm_fail(vmm *v, vmm_vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vm->reason, sizeof vm->reason, fmt, ap);
    va_end(ap);
    vm->state = VM_FAILED;
    vm_stop_event(v, vm, vm->reason);
}

void vmm_vm_halt(vmm *v, vmm_vm *vm)
{
    vm->state = VM_HALTED;
    vm_stop_event(v, vm, "halted");
}

/* ---- moving state between the real CPU and a VM ------------------------------------ */
static void vm_save(vmm *v, vmm_vm *vm)
{
    cpu_state *c = machine_cpu(v->m);
    memcpy(vm->regs, c->r, sizeof vm->regs);
    vm->pc = c->pc;
}

static void vm_load(vmm *v, vmm_vm *vm)
{
    cpu_state *c = machine_cpu(v->m);
    memcpy(c->r, vm->regs, sizeof vm->regs);
    c->r[0] = 0;
    c->pc = vm->pc;
    machine_set_cr(v->m, CR_PTB, vm->shadow_l1);
    machine_set_cr(v->m, CR_STATUS, vmm_real_status(vm->vc.cr[CR_STATUS]));
    machine_tlb_flush(v->m);
}

void vmm_set_vstatus(vmm *v, vmm_vm *vm, uint32_t vstatus)
{
    uint32_t old = vm->vc.cr[CR_STATUS];
    vstatus &= STATUS_WRITABLE;
    vm->vc.cr[CR_STATUS] = vstatus;
    if ((old ^ vstatus) & STATUS_PG)
        vmm_shadow_flush(v, vm, (vstatus & STATUS_PG) ? "guest turned paging on"
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

/* Are the guest's virtual interrupts on?  A paravirtualized guest says so
 * with its mask in the shared page (a plain store, no exit). */
static bool virtual_ie(vmm *v, vmm_vm *vm)
{
    if (vm->para)
        return vmm_shared_get(v, vm, VMM_SH_MASK) == 0;
    return (vm->vc.cr[CR_STATUS] & STATUS_IE) != 0;
}

/* ---- scheduling ------------------------------------------------------------------------ */
static int next_runnable(const vmm *v, int from)
{
    for (unsigned k = 1; k <= v->n; k++) {
        unsigned i = (unsigned)(from + (int)k) % v->n;
        if (v->vm[i].state == VM_RUNNABLE && v->vm[i].loaded)
            return (int)i;
    }
    return -1;
}

static void switch_to(vmm *v, int to)
{
    int from = v->cur;
    vmm_vm *out = from >= 0 ? &v->vm[from] : NULL;
    if (out)
        vm_save(v, out);    /* also when it stopped: its registers stay inspectable */
    if (to < 0) {
        v->cur = -1;
        machine_request_stop(v->m);
        return;
    }
    vmm_vm *in = &v->vm[to];
    v->cur = to;
    vmm_vm *payer = out ? out : in;
    payer->st.vm_switches++;
    vmm_charge(v, payer, LAYER_VMM, v->cfg.costs.vm_switch);
    vm_load(v, in);
    v->slice_start = machine_cycles(v->m);
    if (v->ev && to != from) {
        char what[64];
        if (from < 0)
            snprintf(what, sizeof what, "start VM %d", to);
        else
            snprintf(what, sizeof what, "switch from VM %d to VM %d", from, to);
        vmm_event e = { .kind = VMM_EV_SWITCH, .vm = to, .pc = in->pc,
                        .handler = VMM_BY_SCHEDULER, .cycles = v->cfg.costs.vm_switch,
                        .at = machine_cycles(v->m), .what = what };
        vmm_emit(v, &e);
    }
}

/* Injects the virtual timer when the guest has interrupts on. */
static void inject(vmm *v, vmm_vm *vm)
{
    vmm_vtimer_update(v, vm);
    if (!vm->vc.vtimer_pending)
        return;
    if (!virtual_ie(v, vm)) {
        if (vm->para)           /* tells the guest to let it in when it unmasks */
            vmm_shared_set(v, vm, VMM_SH_PENDING, 1);
        return;
    }
    vm->vc.vtimer_pending = false;
    if (vm->para)
        vmm_shared_set(v, vm, VMM_SH_PENDING, 0);
    cpu_state *c = machine_cpu(v->m);
    uint32_t pc = c->pc;
    uint8_t vr = (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK);
    uint8_t rr = (uint8_t)machine_ring(v->m);
    vmm_reflect(v, vm, CAUSE_TIMER, pc, 0);
    if (vm->state != VM_RUNNABLE)
        return;
    vm->st.injected++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.inject);
    vmm_event e = { .kind = VMM_EV_INJECT, .vm = (int)vm_index(v, vm), .cause = CAUSE_TIMER,
                    .pc = pc, .vring_from = vr, .vring_to = 0, .ring_from = rr,
                    .ring_to = (uint8_t)machine_ring(v->m), .handler = VMM_BY_SCHEDULER,
                    .cycles = v->cfg.costs.inject, .at = machine_cycles(v->m),
                    .what = "inject a virtual timer interrupt" };
    vmm_emit(v, &e);
}

/* Chooses who runs next, delivers what is due and programs the real timer. */
static void resume(vmm *v)
{
    int cur = v->cur;
    bool expired = machine_cycles(v->m) - v->slice_start >= v->cfg.slice;
    if (expired && cur >= 0 && v->cfg.host == VMM_HOST_TYPE2 && v->cfg.costs.host_bg_share) {
        /* The host's scheduler tick: its own processes take their share of
         * the machine (share% of all cycles) before a VM runs again. */
        uint64_t used = machine_cycles(v->m) - v->bg_mark;
        uint64_t share = v->cfg.costs.host_bg_share > 90 ? 90 : v->cfg.costs.host_bg_share;
        vmm_step_event(v, &v->vm[cur], VMM_BY_HOST, LAYER_HOST, used * share / (100 - share),
                       "host runs its own processes (background share)");
        v->bg_mark = machine_cycles(v->m);
    }
    if (cur < 0 || v->vm[cur].state != VM_RUNNABLE || expired) {
        int next = next_runnable(v, cur < 0 ? -1 : cur);
        if (next < 0 && cur >= 0 && v->vm[cur].state == VM_RUNNABLE)
            next = cur;
        if (next != cur || next < 0)
            switch_to(v, next);
        else
            v->slice_start = machine_cycles(v->m);
        if (v->cur < 0)
            return;
    }
    vmm_vm *vm = &v->vm[v->cur];
    inject(v, vm);
    if (vm->state != VM_RUNNABLE) {      /* the injection itself failed */
        resume(v);
        return;
    }
    /* The real timer fires at the end of the slice or at the VM's next
     * virtual tick, whichever comes first. */
    uint64_t now = machine_cycles(v->m);
    uint64_t end = v->slice_start + v->cfg.slice;
    uint64_t period = end > now ? end - now : 1;
    if (next_runnable(v, v->cur) == v->cur && v->cfg.host == VMM_HOST_TYPE1)
        period = UINT32_MAX;     /* alone on a bare-metal VMM: no slice to end */
    if (vm->vc.cr[CR_TIMECMP] && !vm->vc.vtimer_pending) {
        uint64_t vt = vmm_vtime(v, vm);
        uint64_t left = vm->vc.vnext > vt ? vm->vc.vnext - vt : 1;
        if (left < period)
            period = left;
    }
    machine_port_out(v->m, PORT_TIMER_CTRL, 0);
    machine_set_cr(v->m, CR_TIMECMP, (uint32_t)(period > UINT32_MAX ? UINT32_MAX : period));
}

/* ---- the exit handler ----------------------------------------------------------------------- */
static const char *mnemonic_of(uint32_t w)
{
    const isa_insn *in = isa_lookup_opcode(ISA_OP(w));
    return in ? in->mnemonic : NULL;
}

/* A trap the guest kernel must see, as the hardware would have shown it. */
static vmm_handler reflect_exit(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vm->st.reflected++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.reflect);
    vmm_reflect(v, vm, t->cause, t->epc, t->addr);
    return VMM_BY_REFLECTION;
}

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
    uint64_t now = machine_cycles(v->m);
    vm->st.guest_cycles += now - v->mark_cycles;
    vm->vc.vtime += now - v->mark_cycles;
    vm->st.guest_insns += machine_instret(v->m) - v->mark_instret;
    vm->st.direct_syscalls++;
    vm->st.hc_replaced++;                       /* the reflected SYSCALL exit */
    uint8_t rr = t->ring;
    vmm_reflect(v, vm, t->cause, t->epc, t->addr);
    machine_cpu(v->m)->pc = vm->syscall_gate;
    if (v->ev) {
        vmm_event e = { .kind = VMM_EV_STEP, .vm = (int)vm_index(v, vm), .cause = t->cause,
                        .pc = t->pc, .insn = t->insn, .addr = t->addr, .mnemonic = "syscall", .vring_from = 3,
                        .vring_to = 0, .ring_from = rr, .ring_to = (uint8_t)machine_ring(v->m),
                        .handler = VMM_BY_HARDWARE, .at = now,
                        .what = "direct system call: the gate enters the guest kernel, no exit" };
        vmm_emit(v, &e);
    }
    v->mark_cycles = machine_cycles(v->m);
    v->mark_instret = machine_instret(v->m);
    return true;
}

static bool on_trap(machine *m, const machine_trap *t, void *ud)
{
    vmm *v = ud;
    if (v->cur < 0) {
        machine_request_stop(m);
        return true;
    }
    vmm_vm *vm = &v->vm[v->cur];
    int vmi = v->cur;
    unsigned code = CAUSE_CODE(t->cause);
    cpu_state *c = machine_cpu(m);

    uint64_t now = machine_cycles(m);
    if (code == CAUSE_SYSCALL && vm->syscall_gate &&
        (vm->vc.cr[CR_STATUS] & STATUS_RING_MASK) == 3)
        return direct_syscall(v, vm, t);

    /* Book what ran since the last exit: the guest's cycles, then the
     * hardware exit itself, which the machine has already charged. */
    uint64_t trap_cost = v->cfg.mcosts.trap_entry;
    uint64_t ran = now - v->mark_cycles;
    uint64_t guest = ran > trap_cost ? ran - trap_cost : 0;
    vm->st.guest_cycles += guest;
    vm->st.vmm_cycles += ran - guest;
    vm->vc.vtime += guest;
    vm->st.guest_insns += machine_instret(m) - v->mark_instret;
    v->mark_cycles = now;
    v->exit_cycles = ran - guest;
    /* Only popf (legacy) changes the user flags behind our back. */
    vm->vc.cr[CR_STATUS] = (vm->vc.cr[CR_STATUS] & ~STATUS_UF_MASK) | (c->cr[CR_STATUS] & STATUS_UF_MASK);

    vm->st.exits++;
    if (code < ISA_NUM_CAUSES)
        vm->st.exits_by_cause[code]++;
    uint8_t vring0 = (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK);
    uint8_t ring0 = t->ring;
    bool type2 = v->cfg.host == VMM_HOST_TYPE2;
    vmm_handler h;
    bool pt_store = false;
    uint32_t a0 = c->r[REG_A0];

    if (type2) {
        vm->st.host_switches++;
        vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_world_switch,
                       "world switch: VMM driver hands the exit to the host kernel");
        vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_ctx_switch,
                       "host kernel switches to the VMM user process");
    }
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.exit_dispatch);
    v->in_exit = true;

    switch (code) {
    case CAUSE_TIMER:
        h = VMM_BY_SCHEDULER;    /* the real timer: resume() does the work */
        break;
    case CAUSE_DEVICE:
        h = VMM_BY_SCHEDULER;    /* no real device interrupt is ever enabled */
        break;
    case CAUSE_ILLEGAL_PRIV:
        if (vring0 == 0) {
            h = VMM_BY_EMULATION;
            vmm_emulate(v, vm, t);
        } else {
            h = reflect_exit(v, vm, t);
        }
        break;
    case CAUSE_PAGE_FAULT:
    case CAUSE_BUS_ERROR: {
        uint64_t before = vm->st.reflected, syncs = vm->st.shadow_syncs;
        vmm_shadow_fault(v, vm, t);
        h = vm->st.reflected != before ? VMM_BY_REFLECTION : VMM_BY_SHADOW;
        pt_store = vm->st.shadow_syncs != syncs;
        break;
    }
    case CAUSE_HYPERCALL:
        /* From user code a hypercall goes to the guest kernel, as natively. */
        if (vring0 == 0) {
            h = VMM_BY_HYPERCALL;
            vmm_hypercall(v, vm, t);
        } else {
            h = reflect_exit(v, vm, t);
        }
        break;
    default:
        h = reflect_exit(v, vm, t);
        break;
    }

    if (type2) {
        vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_ctx_switch,
                       "VMM process returns to the host kernel (ioctl)");
        vmm_step_event(v, vm, VMM_BY_HOST, LAYER_HOST, v->cfg.costs.host_world_switch,
                       "world switch back: the VMM driver resumes the guest");
    }
    if (vm->state == VM_RUNNABLE)
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.vm_entry);
    uint32_t vr1 = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    uint8_t ring1 = (uint8_t)machine_ring(m);
    uint64_t handled = v->exit_cycles;
    if (v->ev) {
        char what[96];
        const char *mn = t->insn ? mnemonic_of(t->insn) : NULL;
        if (h == VMM_BY_EMULATION)
            snprintf(what, sizeof what, "emulate %s", mn ? mn : "?");
        else if (h == VMM_BY_REFLECTION)
            snprintf(what, sizeof what, "reflect %s into the guest kernel", isa_cause_name(code));
        else if (h == VMM_BY_SHADOW && pt_store)
            snprintf(what, sizeof what, "emulate %s into a guest page table, sync the shadow",
                     mn ? mn : "?");
        else if (h == VMM_BY_SHADOW)
            snprintf(what, sizeof what, "hidden fault: fill the shadow page table for 0x%08x", t->addr);
        else if (h == VMM_BY_HYPERCALL)
            snprintf(what, sizeof what, "hypercall %u (%s)", a0,
                     vmm_hcall_name(a0) ? vmm_hcall_name(a0) : "unknown");
        else
            snprintf(what, sizeof what, "real timer: slice and virtual timer check");
        vmm_event e = { .kind = VMM_EV_EXIT, .vm = vmi, .cause = t->cause, .pc = t->pc,
                        .insn = t->insn, .addr = t->addr, .mnemonic = mn, .vring_from = vring0,
                        .vring_to = (uint8_t)vr1, .ring_from = ring0, .ring_to = ring1,
                        .handler = h, .cycles = handled, .at = machine_cycles(m), .what = what };
        vmm_emit(v, &e);
    }
    v->in_exit = false;
    if (v->stop_deferred) {
        v->stop_deferred = false;
        vm_stop_event(v, vm, vm->state == VM_FAILED ? vm->reason : "halted");
    }
    resume(v);
    v->mark_cycles = machine_cycles(m);
    v->mark_instret = machine_instret(m);
    return true;
}

/* Legacy profile only: pushf, popf, smsw and sidt run in ring 1 without a
 * trap, so the VMM never sees them.  This instruction hook is an observer
 * the VMM could not have on real hardware; it counts what went wrong. */
static void on_insn(machine *m, uint32_t pc, void *ud)
{
    vmm *v = ud;
    if (v->cur < 0)
        return;
    vmm_vm *vm = &v->vm[v->cur];
    if ((vm->vc.cr[CR_STATUS] & STATUS_RING_MASK) != 0)
        return;
    /* A stop requested at the violation (the TUI's 't') comes back to this
     * same instruction: it is one violation, counted once. */
    if (vm->violation_at == machine_instret(m) + 1)
        return;
    uint32_t w;
    if (!machine_read_virt(m, pc, &w, 4))
        return;
    unsigned op = ISA_OP(w);
    const cpu_state *c = machine_cpu(m);
    uint32_t vs = vm->vc.cr[CR_STATUS];
    const char *what = NULL;
    char buf[112];
    switch (op) {
    case OP_PUSHF:
        if (c->cr[CR_STATUS] != vs)
            what = "pushf saves the real status (ring 1, real IE), not the virtual one";
        break;
    case OP_SMSW:
        if (c->cr[CR_STATUS] != vs)
            what = "smsw reads the real status: the guest kernel sees it runs in ring 1";
        break;
    case OP_SIDT:
        if (c->cr[CR_TVB] != vm->vc.cr[CR_TVB])
            what = "sidt reads the real trap vector base, not the guest's";
        break;
    case OP_POPF: {
        uint32_t x;
        if (!machine_read_virt(m, c->r[REG_SP], &x, 4) ||
            !((x ^ vs) & (STATUS_IE | STATUS_RING_MASK)))
            break;
        if ((x ^ vs) & STATUS_IE) {
            /* The change that matters: the guest's interrupts stay as
             * they were, so say which way it was lost. */
            vm->st.lost_ie++;
            snprintf(buf, sizeof buf, "popf in ring 1 silently drops the guest's IE change "
                     "(wanted interrupts %s, they stay %s)", (x & STATUS_IE) ? "on" : "off",
                     (vs & STATUS_IE) ? "on" : "off");
            what = buf;
        } else {
            what = "popf in ring 1 silently drops its ring change";
        }
        break;
    }
    default:
        return;
    }
    if (!what)
        return;
    vm->st.violations++;
    vm->violation_at = machine_instret(m) + 1;
    vmm_event e = { .kind = VMM_EV_VIOLATION, .vm = v->cur, .pc = pc, .insn = w,
                    .mnemonic = mnemonic_of(w), .ring_from = (uint8_t)machine_ring(m),
                    .ring_to = (uint8_t)machine_ring(m), .handler = VMM_BY_HARDWARE,
                    .at = machine_cycles(m), .what = what };
    vmm_emit(v, &e);
}

/* ---- construction ----------------------------------------------------------------------------- */
vmm *vmm_new(const vmm_config *cfg, char *err, size_t errlen)
{
    vmm_config c;
    if (cfg)
        c = *cfg;
    else
        vmm_default_config(&c);
    if (c.nvms < 1 || c.nvms > VMM_MAX_VMS) {
        snprintf(err, errlen, "the number of VMs must be 1 to %d", VMM_MAX_VMS);
        return NULL;
    }
    if (c.part_size < GUEST_MIN_MEM || c.part_size % PAGE_SIZE || c.part_size > (64u << 20)) {
        snprintf(err, errlen, "partition size must be a multiple of 4096 from 1 MiB to 64 MiB");
        return NULL;
    }
    if (c.slice < 100) {
        snprintf(err, errlen, "the slice must be at least 100 cycles");
        return NULL;
    }
    if (c.shadow_pool < 2)
        c.shadow_pool = 2;
    if (c.disk_sectors < 1)
        c.disk_sectors = 1;
    uint64_t region = (uint64_t)PAGE_SIZE * (1 + c.nvms * (1 + (uint64_t)c.shadow_pool));
    uint64_t total = region + (uint64_t)c.nvms * c.part_size;
    if (total > (1ull << 31)) {
        snprintf(err, errlen, "too much memory for the machine (%llu bytes)", (unsigned long long)total);
        return NULL;
    }
    vmm *v = calloc(1, sizeof *v);
    if (!v) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    v->cfg = c;
    v->n = c.nvms;
    v->region = (uint32_t)region;
    machine_config mc;
    machine_default_config(&mc);
    mc.profile = c.profile;
    mc.mem_size = (uint32_t)total;
    mc.disk_sectors = 1;
    mc.costs = c.mcosts;
    v->m = machine_new(&mc);
    if (!v->m) {
        snprintf(err, errlen, "cannot build the machine");
        free(v);
        return NULL;
    }
    machine_write_phys(v->m, 0, vmm_signature, sizeof vmm_signature);
    for (unsigned i = 0; i < v->n; i++) {
        vmm_vm *vm = &v->vm[i];
        vm->base = (uint32_t)region + i * c.part_size;
        vm->shadow_l1 = PAGE_SIZE * (1 + i * (1 + c.shadow_pool));
        vm->pool_base = vm->shadow_l1 + PAGE_SIZE;
        vm->ptmap = calloc(c.part_size / PAGE_SIZE / 8 + 1, 1);
        vm->disk = calloc(c.disk_sectors, BLOCK_SECTOR_SIZE);
        if (!vm->ptmap || !vm->disk) {
            snprintf(err, errlen, "out of memory");
            vmm_free(v);
            return NULL;
        }
        vm->state = VM_RUNNABLE;
    }
    vmm_hcall_defaults(v);
    v->cur = -1;
    machine_set_trap_hook(v->m, on_trap, v);
    if (c.profile == PROFILE_LEGACY)
        machine_set_insn_hook(v->m, on_insn, v);
    return v;
}

void vmm_free(vmm *v)
{
    if (!v)
        return;
    for (unsigned i = 0; i < v->n; i++) {
        free(v->vm[i].ptmap);
        free(v->vm[i].disk);
        free(v->vm[i].out);
    }
    machine_free(v->m);
    free(v);
}

machine *vmm_machine(vmm *v) { return v->m; }
const vmm_config *vmm_get_config(const vmm *v) { return &v->cfg; }
unsigned vmm_nvms(const vmm *v) { return v->n; }

bool vmm_load(vmm *v, unsigned i, const image *kernel, const image *prog,
              char *err, size_t errlen)
{
    if (i >= v->n) {
        snprintf(err, errlen, "no VM %u", i);
        return false;
    }
    vmm_vm *vm = &v->vm[i];
    uint8_t *mem = machine_mem(v->m) + vm->base;
    memset(mem, 0, v->cfg.part_size);
    if (!vmm_load_guest(mem, v->cfg.part_size, kernel, prog, err, errlen))
        return false;
    memset(&vm->vc, 0, sizeof vm->vc);
    memset(vm->regs, 0, sizeof vm->regs);
    vm->pc = kernel->entry;
    vm->state = VM_RUNNABLE;
    vm->reason[0] = '\0';
    vm->loaded = true;
    vm->para = false;           /* until the new kernel registers its shared page */
    vm->shared = vm->syscall_gate = 0;
    vmm_shadow_reset(v, vm);
    return true;
}

bool vmm_load_disk(vmm *v, unsigned i, const void *data, size_t n)
{
    if (i >= v->n || n > (size_t)v->cfg.disk_sectors * BLOCK_SECTOR_SIZE)
        return false;
    memcpy(v->vm[i].disk, data, n);
    return true;
}

bool vmm_all_stopped(const vmm *v)
{
    for (unsigned i = 0; i < v->n; i++)
        if (v->vm[i].loaded && v->vm[i].state == VM_RUNNABLE)
            return false;
    return true;
}

static bool start(vmm *v)
{
    if (v->cur >= 0)
        return true;
    if (vmm_all_stopped(v))
        return false;
    if (!v->started) {
        v->started = true;
        switch_to(v, next_runnable(v, -1));
        v->mark_cycles = machine_cycles(v->m);
        v->mark_instret = machine_instret(v->m);
        resume(v);
        v->mark_cycles = machine_cycles(v->m);
        return v->cur >= 0;
    }
    return false;
}

static machine_stop finish(vmm *v, machine_stop s)
{
    if (v->cur >= 0 && s != STOP_FATAL) {
        /* Book the tail of the run to the VM on the CPU. */
        vmm_vm *vm = &v->vm[v->cur];
        uint64_t now = machine_cycles(v->m);
        vm->st.guest_cycles += now - v->mark_cycles;
        vm->vc.vtime += now - v->mark_cycles;
        vm->st.guest_insns += machine_instret(v->m) - v->mark_instret;
        v->mark_cycles = now;
        v->mark_instret = machine_instret(v->m);
    }
    if (vmm_all_stopped(v) && (s == STOP_REQUESTED || s == STOP_NONE))
        return STOP_HALT;
    return s;
}

machine_stop vmm_run(vmm *v, uint64_t max_insns)
{
    if (!start(v))
        return vmm_all_stopped(v) ? STOP_HALT : STOP_FATAL;
    return finish(v, machine_run(v->m, max_insns));
}

machine_stop vmm_step(vmm *v)
{
    if (!start(v))
        return vmm_all_stopped(v) ? STOP_HALT : STOP_FATAL;
    return finish(v, machine_step(v->m));
}

/* ---- observing ------------------------------------------------------------------------------------ */
void vmm_set_event_fn(vmm *v, vmm_event_fn fn, void *ud) { v->ev = fn; v->ev_ud = ud; }
int vmm_current(const vmm *v) { return v->cur; }
vmm_vm_state vmm_vm_state_of(const vmm *v, unsigned i) { return i < v->n ? v->vm[i].state : VM_FAILED; }
const char *vmm_vm_reason(const vmm *v, unsigned i) { return i < v->n ? v->vm[i].reason : ""; }
const vmm_vcpu *vmm_vcpu_of(const vmm *v, unsigned i) { return i < v->n ? &v->vm[i].vc : NULL; }
vmm_vcpu *vmm_vcpu_mut(vmm *v, unsigned i) { return i < v->n ? &v->vm[i].vc : NULL; }
const vmm_stats *vmm_vm_stats(const vmm *v, unsigned i) { return i < v->n ? &v->vm[i].st : NULL; }
uint32_t vmm_partition_base(const vmm *v, unsigned i) { return i < v->n ? v->vm[i].base : 0; }
uint32_t vmm_region_size(const vmm *v) { return v->region; }

bool vmm_shadow_range(const vmm *v, unsigned i, uint32_t *base, uint32_t *size)
{
    if (i >= v->n)
        return false;
    *base = v->vm[i].shadow_l1;
    *size = PAGE_SIZE * (1 + v->cfg.shadow_pool);
    return true;
}

const uint8_t *vmm_disk_data(const vmm *v, unsigned i, size_t *len)
{
    if (i >= v->n)
        return NULL;
    *len = (size_t)v->cfg.disk_sectors * BLOCK_SECTOR_SIZE;
    return v->vm[i].disk;
}

void vmm_total_stats(const vmm *v, vmm_stats *out)
{
    memset(out, 0, sizeof *out);
    for (unsigned i = 0; i < v->n; i++) {
        const vmm_stats *s = &v->vm[i].st;
        out->guest_insns += s->guest_insns;
        out->guest_cycles += s->guest_cycles;
        out->vmm_cycles += s->vmm_cycles;
        out->host_cycles += s->host_cycles;
        out->idle_cycles += s->idle_cycles;
        out->exits += s->exits;
        for (unsigned c = 0; c < ISA_NUM_CAUSES; c++)
            out->exits_by_cause[c] += s->exits_by_cause[c];
        out->emulated += s->emulated;
        for (unsigned o = 0; o < ISA_NUM_OPCODES; o++)
            out->emulated_by_op[o] += s->emulated_by_op[o];
        out->reflected += s->reflected;
        out->injected += s->injected;
        out->shadow_fills += s->shadow_fills;
        out->shadow_syncs += s->shadow_syncs;
        out->shadow_flushes += s->shadow_flushes;
        out->hypercalls += s->hypercalls;
        for (unsigned h = 0; h < VMM_MAX_HCALLS; h++) {
            out->hypercalls_by_nr[h] += s->hypercalls_by_nr[h];
            out->hc_replaced_by_nr[h] += s->hc_replaced_by_nr[h];
        }
        out->hc_replaced += s->hc_replaced;
        out->hc_invalid += s->hc_invalid;
        out->hc_failed += s->hc_failed;
        out->lost_ie += s->lost_ie;
        out->direct_syscalls += s->direct_syscalls;
        out->host_switches += s->host_switches;
        out->host_syscalls += s->host_syscalls;
        out->violations += s->violations;
        out->blocked += s->blocked;
        out->vm_switches += s->vm_switches;
    }
}

const char *vmm_console(const vmm *v, unsigned i, size_t *len)
{
    if (i >= v->n) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = v->vm[i].out_len;
    return v->vm[i].out ? v->vm[i].out : "";
}

uint32_t vmm_guest_reg(const vmm *v, unsigned i, unsigned r)
{
    if (i >= v->n || r >= ISA_NUM_REGS)
        return 0;
    if ((int)i == v->cur)
        return machine_get_reg(v->m, r);
    return v->vm[i].regs[r];
}

void vmm_set_guest_reg(vmm *v, unsigned i, unsigned r, uint32_t val)
{
    if (i >= v->n || r >= ISA_NUM_REGS || r == 0)
        return;
    if ((int)i == v->cur)
        machine_set_reg(v->m, r, val);
    else
        v->vm[i].regs[r] = val;
}

uint32_t vmm_guest_pc(const vmm *v, unsigned i)
{
    if (i >= v->n)
        return 0;
    return (int)i == v->cur ? machine_cpu(v->m)->pc : v->vm[i].pc;
}

void vmm_set_guest_pc(vmm *v, unsigned i, uint32_t pc)
{
    if (i >= v->n)
        return;
    if ((int)i == v->cur)
        machine_cpu(v->m)->pc = pc;
    else
        v->vm[i].pc = pc;
}

bool vmm_read_gpa(const vmm *v, unsigned i, uint32_t gpa, void *buf, size_t n)
{
    if (i >= v->n || n > v->cfg.part_size || !vmm_gpa_ok(v, gpa, (uint32_t)n))
        return false;
    return machine_read_phys(v->m, v->vm[i].base + gpa, buf, n);
}

bool vmm_set_emulator(vmm *v, unsigned opcode, vmm_emul_fn fn, void *ud)
{
    if (opcode >= ISA_NUM_OPCODES)
        return false;
    v->emul[opcode].fn = fn;
    v->emul[opcode].ud = ud;
    return true;
}
