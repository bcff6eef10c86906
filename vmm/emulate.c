/*
 * emulate.c -- trap-and-emulate: each privileged instruction of the guest
 * kernel (running in ring 1, where it traps) is carried out against the VM's
 * virtual CPU and devices, exactly as the real CPU would have in ring 0.
 *
 * One designated-initializer table, by opcode, gives the handler and the
 * cost parameter; a lab may replace any entry at run time
 * (vmm_set_emulator).  The table is built from the PRIV and LEGACY lines of
 * isa/isa.def: each needs its EMUL(NAME, cost) below, or this file does not
 * compile.  This file is the trap-and-emulate design's sensitive-instruction
 * half (vmm_full_cpu).
 */
#include <stddef.h>
#include <stdio.h>

#include "vmm/internal.h"

typedef enum { EM_NEXT, EM_JUMP, EM_DONE } em_result;   /* DONE: reflected or stopped */
typedef em_result (*em_fn)(vmm *v, vmm_vm *vm, uint32_t w, uint32_t pc);

static cpu_state *cpu(vmm *v) { return v->c; }

/* EMUL(NAME, cost): the emulation of one instruction and the cost parameter
 * charged for it (a constant, so that the table below can hold it). */
#define EMUL(NAME, cost) \
    enum { EMUL_COST_##NAME = offsetof(vmm_costs, cost) }; \
    static em_result em_##NAME(vmm *v, vmm_vm *vm, uint32_t w, uint32_t pc)

static void set_rd(vmm *v, uint32_t w, uint32_t val)
{
    if (ISA_RD(w))
        cpu(v)->r[ISA_RD(w)] = val;
}

static em_result illegal(vmm *v, vmm_vm *vm, uint32_t w, uint32_t pc)
{
    vm->st.reflected++;
    vmm_reflect(v, vm, CAUSE_MAKE(CAUSE_ILLEGAL_INSN, ACCESS_READ), pc, w);
    return EM_DONE;
}

EMUL(MFCR, emul_cr)
{
    unsigned cr = ISA_RS1(w);
    if (cr >= ISA_NUM_CRS)
        return illegal(v, vm, w, pc);
    set_rd(v, w, cr == CR_CYCLE ? (uint32_t)vmm_vtime(v, vm) : vm->vc.cr[cr]);
    return EM_NEXT;
}

static void set_timer(vmm *v, vmm_vm *vm, uint32_t period)
{
    vm->vc.cr[CR_TIMECMP] = period;
    vm->vc.vnext = vmm_vtime(v, vm) + period;
}

EMUL(MTCR, emul_cr)
{
    unsigned cr = ISA_RD(w);
    if (cr >= ISA_NUM_CRS)
        return illegal(v, vm, w, pc);
    uint32_t val = cpu(v)->r[ISA_RS1(w)];
    switch (cr) {
    case CR_STATUS:
        vmm_set_vstatus(v, vm, val);
        break;
    case CR_TIMECMP:
        set_timer(v, vm, val);
        break;
    case CR_CYCLE:
        break;
    case CR_PTB: {
        uint32_t old = vm->vc.cr[CR_PTB];
        vm->vc.cr[CR_PTB] = val;
        if (old != val && (vm->vc.cr[CR_STATUS] & STATUS_PG))
            vmm_mem_flush(v, vm, "guest switched address space (ptb)");
        break;
    }
    default:
        vm->vc.cr[cr] = val;
        break;
    }
    return EM_NEXT;
}

EMUL(IRET, emul_iret)
{
    (void)w; (void)pc;
    vmm_set_vstatus(v, vm, vm->vc.cr[CR_ESTATUS]);
    cpu(v)->pc = vm->vc.cr[CR_EPC];
    return EM_JUMP;
}

EMUL(HALT, emul_misc)
{
    (void)w; (void)pc;
    vmm_vm_halt(v, vm);
    return EM_DONE;
}

EMUL(WFI, emul_misc)
{
    (void)w;
    vmm_vtimer_update(v, vm);
    if (vm->vc.vtimer_pending)
        return EM_NEXT;
    if (vm->vc.cr[CR_TIMECMP] == 0) {
        vmm_vm_fail(v, vm, "wfi at pc 0x%08x: the timer is stopped and no device interrupt "
                    "is enabled, so nothing can wake the VM", pc);
        return EM_DONE;
    }
    /* The VM sleeps until its next tick: its clock jumps, the machine's
     * does not (the other VMs use that time). */
    uint64_t now = vmm_vtime(v, vm);
    vm->st.idle_cycles += vm->vc.vnext - now;
    vm->vc.vtime += vm->vc.vnext - now;
    vmm_vtimer_update(v, vm);
    return EM_NEXT;
}

EMUL(EI, emul_flags)
{
    (void)w; (void)pc;
    vmm_set_vstatus(v, vm, vm->vc.cr[CR_STATUS] | STATUS_IE);
    return EM_NEXT;
}

EMUL(DI, emul_flags)
{
    (void)w; (void)pc;
    vmm_set_vstatus(v, vm, vm->vc.cr[CR_STATUS] & ~STATUS_IE);
    return EM_NEXT;
}

EMUL(TLBFLUSH, emul_misc)
{
    /* Every store into the guest's page tables was trapped and synced, so
     * the shadow is already exact; only the real TLB is flushed. */
    (void)vm; (void)w; (void)pc;
    machine_tlb_flush(vmm_machine(v));
    return EM_NEXT;
}

EMUL(IN, emul_io)
{
    (void)pc;
    set_rd(v, w, vmm_port_in(v, vm, ISA_UIMM18(w)));
    return vm->state == VM_RUNNABLE ? EM_NEXT : EM_DONE;
}

EMUL(OUT, emul_io)
{
    (void)pc;
    vmm_port_out(v, vm, ISA_UIMM18(w), cpu(v)->r[ISA_RS1(w)]);
    return vm->state == VM_RUNNABLE ? EM_NEXT : EM_DONE;
}

EMUL(PUSHF, emul_flags)
{
    uint32_t val = vm->vc.cr[CR_STATUS];
    if (!vmm_guest_word(v, vm, cpu(v)->r[REG_SP] - 4, ACCESS_WRITE, &val, pc, w))
        return EM_DONE;
    cpu(v)->r[REG_SP] -= 4;
    return EM_NEXT;
}

EMUL(POPF, emul_flags)
{
    uint32_t val;
    if (!vmm_guest_word(v, vm, cpu(v)->r[REG_SP], ACCESS_READ, &val, pc, w))
        return EM_DONE;
    cpu(v)->r[REG_SP] += 4;
    vmm_set_vstatus(v, vm, val);
    return EM_NEXT;
}

EMUL(SMSW, emul_cr)
{
    (void)pc;
    set_rd(v, w, vm->vc.cr[CR_STATUS]);
    return EM_NEXT;
}

EMUL(SIDT, emul_cr)
{
    (void)pc;
    set_rd(v, w, vm->vc.cr[CR_TVB]);
    return EM_NEXT;
}

EMUL(VMENTER, emul_misc)
{
    /* No nested virtualization: the VMM does not offer the virtualization
     * extension to its guests, so for them vmenter is an illegal
     * instruction, as on a CPU without the extension. */
    return illegal(v, vm, w, pc);
}

#define EMUL_USER(NAME)
#define EMUL_PRIV(NAME)   [OP_##NAME] = { em_##NAME, EMUL_COST_##NAME, #NAME },
#define EMUL_LEGACY(NAME) [OP_##NAME] = { em_##NAME, EMUL_COST_##NAME, #NAME },
static const struct { em_fn fn; size_t cost; const char *name; } table[ISA_NUM_OPCODES] = {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) EMUL_##priv(NAME)
#include "isa/isa.def"
#undef INSN
};

bool vmm_has_emulation(unsigned opcode)
{
    return opcode < ISA_NUM_OPCODES && table[opcode].fn != NULL;
}

uint32_t vmm_emulation_cost(const vmm *v, unsigned opcode)
{
    if (opcode >= ISA_NUM_OPCODES || !table[opcode].fn)
        return 0;
    return *(const uint32_t *)((const char *)&v->cfg.costs + table[opcode].cost);
}

/* vmm_emulate_cost's body: inline in full_privileged, which every
 * privileged instruction of a guest kernel under trap-and-emulate goes
 * through (two calls fewer on the exit path). */
VMM_INLINE void emulate(vmm *v, vmm_vm *vm, const machine_trap *t, const uint32_t *cost)
{
    uint32_t w = t->insn;
    unsigned op = ISA_OP(w);
    cpu_state *c = cpu(v);
    if (v->emul[op].fn) {
        vmm_commit(v);      /* a lab's emulator may read the clock */
        vmm_emul_result r = v->emul[op].fn(v, vmm_vm_index(v, vm), w, v->emul[op].ud);
        if (r != VMM_EMUL_DEFAULT) {
            vm->st.emulated++;
            vm->st.emulated_by_op[op]++;
            vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.emul_misc);
            if (r == VMM_EMUL_NEXT)
                c->pc = t->pc + 4;
            return;
        }
    }
    if (!table[op].fn) {
        /* Trapped for privilege but not one we know: what the CPU would do. */
        vm->st.reflected++;
        vmm_reflect(v, vm, t->cause, t->epc, t->addr);
        return;
    }
    vm->st.emulated++;
    vm->st.emulated_by_op[op]++;
    const uint32_t *costp = cost ? cost
                          : (const uint32_t *)((const char *)&v->cfg.costs + table[op].cost);
    vmm_charge(v, vm, LAYER_VMM, *costp);
    em_result r = table[op].fn(v, vm, w, t->pc);
    if (r == EM_NEXT)
        c->pc = t->pc + 4;
}

void vmm_emulate(vmm *v, vmm_vm *vm, const machine_trap *t) { emulate(v, vm, t, NULL); }

void vmm_emulate_cost(vmm *v, vmm_vm *vm, const machine_trap *t, const uint32_t *cost)
{
    emulate(v, vm, t, cost);
}

static vmm_handler full_privileged(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    emulate(v, vm, t, NULL);
    return VMM_BY_EMULATION;
}

static vmm_handler full_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    /* An unmodified kernel makes none; a lab's kernel may, and is answered. */
    vmm_hypercall(v, vm, t);
    return VMM_BY_HYPERCALL;
}

const vmm_cpu_ops vmm_full_cpu = {
    .name = "trap-and-emulate",
    .privileged = full_privileged,
    .hypercall = full_hypercall,
};
