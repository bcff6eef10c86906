/*
 * sched.c -- the VMM's scheduler on the real timer: which VM runs, moving
 * its state on and off the real CPU, and delivering virtual interrupts when
 * the guest has them on.  vmm_resume() runs at the end of every exit.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

/* ---- moving state between the real CPU and a VM ------------------------------------ */
static void vm_save(vmm *v, vmm_vm *vm)
{
    cpu_state *c = v->c;
    memcpy(vm->regs, c->r, sizeof vm->regs);
    vm->pc = c->pc;
}

static void vm_load(vmm *v, vmm_vm *vm)
{
    cpu_state *c = v->c;
    memcpy(c->r, vm->regs, sizeof vm->regs);
    c->r[0] = 0;
    c->pc = vm->pc;
    machine_set_cr(v->m, CR_PTB, v->mem->root(v, vm));
    machine_set_cr(v->m, CR_STATUS, vmm_real_status(vm->vc.cr[CR_STATUS]));
    machine_tlb_flush(v->m);
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
int vmm_next_runnable(const vmm *v, int from)
{
    /* (from + k) mod n, without a division at every exit */
    unsigned i = from < 0 ? v->n - 1 : (unsigned)from;
    for (unsigned k = 1; k <= v->n; k++) {
        if (++i >= v->n)
            i = 0;
        if (v->vm[i].state == VM_RUNNABLE && v->vm[i].loaded)
            return (int)i;
    }
    return -1;
}

void vmm_switch_to(vmm *v, int to)
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
    v->slice_start = vmm_now(v);
    if (v->ev && to != from) {
        char what[64];
        if (from < 0)
            snprintf(what, sizeof what, "start VM %d", to);
        else
            snprintf(what, sizeof what, "switch from VM %d to VM %d", from, to);
        vmm_event e = { .kind = VMM_EV_SWITCH, .vm = to, .pc = in->pc,
                        .handler = VMM_BY_SCHEDULER, .cycles = v->cfg.costs.vm_switch,
                        .at = vmm_now(v), .what = what };
        vmm_emit(v, &e);
    }
}

/* Injects the pending virtual timer when the guest has interrupts on. */
static void inject_pending(vmm *v, vmm_vm *vm)
{
    if (!virtual_ie(v, vm)) {
        if (vm->para)           /* tells the guest to let it in when it unmasks */
            vmm_shared_set(v, vm, VMM_SH_PENDING, 1);
        return;
    }
    vm->vc.vtimer_pending = false;
    if (vm->para)
        vmm_shared_set(v, vm, VMM_SH_PENDING, 0);
    cpu_state *c = v->c;
    uint32_t pc = c->pc;
    uint8_t vr = (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK);
    uint8_t rr = (uint8_t)machine_ring(v->m);
    vmm_reflect(v, vm, CAUSE_TIMER, pc, 0);
    if (vm->state != VM_RUNNABLE)
        return;
    vm->st.injected++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.inject);
    vmm_event e = { .kind = VMM_EV_INJECT, .vm = (int)vmm_vm_index(v, vm), .cause = CAUSE_TIMER,
                    .pc = pc, .vring_from = vr, .vring_to = 0, .ring_from = rr,
                    .ring_to = (uint8_t)machine_ring(v->m), .handler = VMM_BY_SCHEDULER,
                    .cycles = v->cfg.costs.inject, .at = vmm_now(v),
                    .what = "inject a virtual timer interrupt" };
    vmm_emit(v, &e);
}

/* Injects the virtual timer when it is due and the guest has interrupts on
 * (the test inline: it is made at every exit, and is rarely true). */
VMM_INLINE void inject(vmm *v, vmm_vm *vm)
{
    vmm_vtimer_update(v, vm);
    if (vm->vc.vtimer_pending)
        inject_pending(v, vm);
}

VMM_INLINE void arm_timer(vmm *v);

/* Chooses who runs next, delivers what is due and programs the real timer.
 * (Inline in vmm_end_exit, which runs it at every exit.) */
VMM_INLINE void resume(vmm *v)
{
  again:;
    int cur = v->cur;
    bool expired = vmm_now(v) - v->slice_start >= v->cfg.slice;
    if (expired && cur >= 0 && vmm_host_is_hosted(v->cfg.host) && v->cfg.costs.host_bg_share) {
        /* The host's scheduler tick: its own processes take their share of
         * the machine (share% of all cycles) before a VM runs again. */
        uint64_t used = vmm_now(v) - v->bg_mark;
        uint64_t share = v->cfg.costs.host_bg_share > 90 ? 90 : v->cfg.costs.host_bg_share;
        vmm_step_event(v, &v->vm[cur], VMM_BY_HOST, LAYER_HOST, used * share / (100 - share),
                       "host runs its own processes (background share)");
        v->bg_mark = vmm_now(v);
    }
    if (cur < 0 || v->vm[cur].state != VM_RUNNABLE || expired) {
        int next = vmm_next_runnable(v, cur < 0 ? -1 : cur);
        if (next < 0 && cur >= 0 && v->vm[cur].state == VM_RUNNABLE)
            next = cur;
        if (next != cur || next < 0)
            vmm_switch_to(v, next);
        else
            v->slice_start = vmm_now(v);
        if (v->cur < 0)
            return;
    }
    vmm_vm *vm = &v->vm[v->cur];
    inject(v, vm);
    if (vm->state != VM_RUNNABLE)        /* the injection itself failed: choose again */
        goto again;
    arm_timer(v);
}

void vmm_resume(vmm *v) { resume(v); }

void vmm_end_exit(vmm *v)
{
    resume(v);
    v->mark_cycles = vmm_now(v);
    v->mark_instret = v->mst->instret;
    if (v->cpu->resumed)
        v->cpu->resumed(v);
    vmm_commit(v);
}

/* The real timer fires at the end of the slice or at the VM's next virtual
 * tick, whichever comes first: the slice's end is a point in real time, the
 * tick one in the VM's own (vmm_vtime).  (Inline in vmm_resume, which runs
 * it at every exit.) */
VMM_INLINE void arm_timer(vmm *v)
{
    vmm_vm *vm = &v->vm[v->cur];
    uint64_t now = vmm_now(v);
    uint64_t end = v->slice_start + v->cfg.slice;
    uint64_t period = end > now ? end - now : 1;
    /* Alone on a bare-metal VMM there is no slice to end.  (With one VM,
     * vmm_next_runnable's answer without its loop.) */
    if (v->cfg.host == VMM_HOST_TYPE1 &&
        (v->n == 1 ? vm->state == VM_RUNNABLE && vm->loaded : vmm_next_runnable(v, v->cur) == v->cur))
        period = UINT32_MAX;
    if (vm->vc.cr[CR_TIMECMP] && !vm->vc.vtimer_pending) {
        uint64_t vt = vm->vc.vtime + (now - v->mark_cycles);     /* vmm_vtime: vm is on the CPU */
        uint64_t left = vm->vc.vnext > vt ? vm->vc.vnext - vt : 1;
        if (left < period)
            period = left;
    }
    /* The restart counts from the machine's clock, with the exit's charges
     * on it: vmm_commit and the restart in one call. */
    uint64_t pend = v->pend;
    v->pend = 0;
    machine_timer_restart_after(v->m, pend, (uint32_t)(period > UINT32_MAX ? UINT32_MAX : period));
}

void vmm_arm_timer(vmm *v) { arm_timer(v); }
