/*
 * trap.c -- the one place where every trap and interrupt is delivered.
 * Whoever detects a trap records it as a machine_trap; this routine decides
 * where it goes: to the hook (a hypervisor), to the guest's vector at tvb,
 * or, when there is nowhere to go, to a fatal stop with a reason.
 */
#include <stdarg.h>
#include <stdio.h>

#include "machine/internal.h"

void cpu_fatal(machine *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->s.fatal_reason, sizeof m->s.fatal_reason, fmt, ap);
    va_end(ap);
    m->s.fatal = true;
    m->event_cycle = 0;
}

void cpu_take_trap(machine *m, machine_trap *t)
{
    cpu_state *c = &m->s.cpu;
    unsigned code = CAUSE_CODE(t->cause);
    /* In guest mode a trap either leaves the guest (a VM exit) or goes to
     * the guest's own vector, never to the host's hook (hvext.c). */
    bool guest = m->s.hv.guest;
    if (guest && hv_intercept_trap(m, t))
        return;
    t->ring = c->cr[CR_STATUS] & STATUS_RING_MASK;
    t->cycle = m->s.stats.cycles;
    t->instret = m->s.stats.instret;
    /* Field by field: the caller has just written *t a field at a time, and
     * a struct copy reads it back 16 bytes at a time, which the host cannot
     * forward from those stores (a stall that was a tenth of an exit). */
    machine_trap *last = &m->s.last_trap;
    last->cause = t->cause;
    last->pc = t->pc;
    last->epc = t->epc;
    last->addr = t->addr;
    last->insn = t->insn;
    last->ring = t->ring;
    last->cycle = t->cycle;
    last->instret = t->instret;
    if (code < ISA_NUM_CAUSES)
        m->s.stats.traps[code]++;
    m->s.stats.traps_total++;
    /* The hardware trap happens (and costs) whether a hypervisor's hook or
     * the guest's own vector handles it. */
    m->s.stats.cycles += m->cfg.costs.trap_entry;
    if (code == CAUSE_TIMER)
        m->s.timer_pending = false;
    m->event_cycle = 0;
    if (m->stop_on_trap)
        m->stop_req = STOP_TRAP;

    /* A hook that raises a trap (reflecting one into the guest) gets the
     * hardware delivery, not itself again: no unbounded recursion. */
    if (m->trap_hook && !m->in_trap_hook && !guest) {
        m->in_trap_hook = true;
        bool handled = m->trap_hook(m, t, m->trap_ud);
        m->in_trap_hook = false;
        if (handled)
            return;
    }

    uint32_t tvb = c->cr[CR_TVB];
    if (guest && (tvb == 0 || (CAUSE_ACCESS(t->cause) == ACCESS_EXEC && t->pc == tvb &&
                               (code == CAUSE_PAGE_FAULT || code == CAUSE_MISALIGNED ||
                                code == CAUSE_BUS_ERROR)))) {
        hv_triple_fault(m, t);
        return;
    }
    if (tvb == 0) {
        cpu_fatal(m, "unhandled trap %s at pc 0x%08x (tvb is 0)", isa_cause_name(code), t->pc);
        return;
    }
    bool fetch_fault = CAUSE_ACCESS(t->cause) == ACCESS_EXEC &&
        (code == CAUSE_PAGE_FAULT || code == CAUSE_MISALIGNED || code == CAUSE_BUS_ERROR);
    if (fetch_fault && t->pc == tvb) {
        cpu_fatal(m, "double fault: cannot fetch the trap vector at 0x%08x (%s)",
                  tvb, isa_cause_name(code));
        return;
    }
    c->cr[CR_ESTATUS] = c->cr[CR_STATUS];
    c->cr[CR_EPC] = t->epc;
    c->cr[CR_CAUSE] = t->cause;
    c->cr[CR_BADADDR] = t->addr;
    c->cr[CR_STATUS] &= ~(STATUS_RING_MASK | STATUS_IE);
    c->pc = tvb;
}

void machine_raise(machine *m, const machine_trap *t)
{
    machine_trap copy = *t;
    cpu_take_trap(m, &copy);
}
