/*
 * legacy.c -- the legacy profile's observer.  pushf, popf, smsw and sidt run
 * in ring 1 without a trap there, so a trap-and-emulate VMM never sees them.
 * This instruction hook is an observer the VMM could not have on real
 * hardware; it counts what went wrong (the equivalence violations).
 *
 * One check per LEGACY line of isa/isa.def, in a table built from it: an
 * instruction made LEGACY there without its check_NAME here does not compile.
 */
#include <stdio.h>

#include "vmm/internal.h"

/* Each check returns the violation's text, or NULL when the instruction
 * happens to see or do what it would natively. */
typedef const char *(*check_fn)(vmm *v, vmm_vm *vm, char *buf, size_t n);

static const cpu_state *real(vmm *v) { return machine_cpu(vmm_machine(v)); }

static const char *check_PUSHF(vmm *v, vmm_vm *vm, char *buf, size_t n)
{
    (void)buf; (void)n;
    return real(v)->cr[CR_STATUS] != vm->vc.cr[CR_STATUS]
        ? "pushf saves the real status (ring 1, real IE), not the virtual one" : NULL;
}

static const char *check_SMSW(vmm *v, vmm_vm *vm, char *buf, size_t n)
{
    (void)buf; (void)n;
    return real(v)->cr[CR_STATUS] != vm->vc.cr[CR_STATUS]
        ? "smsw reads the real status: the guest kernel sees it runs in ring 1" : NULL;
}

static const char *check_SIDT(vmm *v, vmm_vm *vm, char *buf, size_t n)
{
    (void)buf; (void)n;
    return real(v)->cr[CR_TVB] != vm->vc.cr[CR_TVB]
        ? "sidt reads the real trap vector base, not the guest's" : NULL;
}

static const char *check_POPF(vmm *v, vmm_vm *vm, char *buf, size_t n)
{
    uint32_t x, vs = vm->vc.cr[CR_STATUS];
    if (!machine_read_virt(vmm_machine(v), real(v)->r[REG_SP], &x, 4) ||
        !((x ^ vs) & (STATUS_IE | STATUS_RING_MASK)))
        return NULL;
    if (!((x ^ vs) & STATUS_IE))
        return "popf in ring 1 silently drops its ring change";
    /* The change that matters: the guest's interrupts stay as they were,
     * so say which way it was lost. */
    vm->st.lost_ie++;
    snprintf(buf, n, "popf in ring 1 silently drops the guest's IE change "
             "(wanted interrupts %s, they stay %s)", (x & STATUS_IE) ? "on" : "off",
             (vs & STATUS_IE) ? "on" : "off");
    return buf;
}

#define CHECK_USER(NAME)
#define CHECK_PRIV(NAME)
#define CHECK_LEGACY(NAME) [OP_##NAME] = check_##NAME,
static const check_fn checks[ISA_NUM_OPCODES] = {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) CHECK_##priv(NAME)
#include "isa/isa.def"
#undef INSN
};

void vmm_legacy_observe(machine *m, uint32_t pc, void *ud)
{
    vmm *v = ud;
    if (v->cur < 0)
        return;
    vmm_vm *vm = &v->vm[v->cur];
    if ((vm->vc.cr[CR_STATUS] & STATUS_RING_MASK) != 0)
        return;
    /* The same instruction seen again is one violation, counted once: a stop
     * requested at the violation (the TUI's 't') comes back to it with instret
     * unchanged, and a hidden page fault on its own access (pushf's store into
     * a stack page the shadow table does not map yet) retries it with instret
     * one more (the fault counts as the instruction).  The sensitive effect
     * happened once, when the retry completed.  None of the four is a jump to
     * itself, so the next instruction at this pc after a retired one is a new
     * violation. */
    uint64_t now = machine_instret(m);
    if (vm->violation_at && vm->violation_pc == pc && now - (vm->violation_at - 1) <= 1)
        return;
    uint32_t w;
    if (!machine_read_virt(m, pc, &w, 4) || !checks[ISA_OP(w)])
        return;
    char buf[112];
    const char *what = checks[ISA_OP(w)](v, vm, buf, sizeof buf);
    if (!what)
        return;
    vm->st.violations++;
    vm->violation_at = now + 1;
    vm->violation_pc = pc;
    vmm_event e = { .kind = VMM_EV_VIOLATION, .vm = v->cur, .pc = pc, .insn = w,
                    .mnemonic = vmm_mnemonic_of(w), .ring_from = (uint8_t)machine_ring(m),
                    .ring_to = (uint8_t)machine_ring(m), .handler = VMM_BY_HARDWARE,
                    .at = machine_cycles(m), .what = what };
    vmm_emit(v, &e);
}
