/*
 * hw.c -- hardware-assisted virtualization (--design hw): the guest kernel
 * runs unmodified in the guest ring 0 of the machine's virtualization
 * extension (machine/hvext.c, docs/isa.md "Guest mode"), its own
 * privileged instructions and page-table writes run without leaving it,
 * and its memory is virtualized by nested paging: the hardware walks the
 * guest's own table, then this VMM's second-stage table, which maps the
 * VM's partition and nothing else.
 *
 * Only what the exit controls ask for leaves guest mode: in and out,
 * halt, wfi, the real timer and cycle counter (always), the host's
 * interrupts, the interrupt window when a virtual interrupt waits, and
 * whatever --exit-on adds (vmm_config.exit_insns, exit_exc).  Each exit
 * arrives at hw_exit(), the machine's exit hook: the VMM copies the guest's
 * registers from the VM control block into the VM's virtual CPU, handles
 * the exit with the same emulators, devices and hypercalls as the other
 * designs, and enters the guest again with vmenter.
 *
 * Memory of the VMM region per VM (the shadow area the other designs use):
 * its first page is the second-stage level-1 table, then the VMCB, then one
 * second-stage level-2 table per 4 MiB of partition.  The second stage is
 * filled lazily on nested faults, as KVM fills its EPT.
 *
 * The same guest mode runs over another memory half: hwshadow.c (--design
 * hw-shadow) gives the VMCB a shadow page table instead of a second stage,
 * as the first VT-x processors, without EPT, made a VMM do.  What differs
 * is one small table, vmm_hw_paging: where the VMCB is, the control bits,
 * what must exit for that memory half, and who answers its faults.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

static uint32_t npt_l1(const vmm_vm *vm) { return vm->shadow_l1; }
static uint32_t npt_l2(const vmm_vm *vm, unsigned k) { return vm->pool_base + PAGE_SIZE * (1 + k); }
static unsigned npt_l2_count(const vmm *v) { return (v->cfg.part_size + (4u << 20) - 1) >> 22; }

static const vmm_hw_paging *paging(const vmm *v) { return v->design_state; }
static uint32_t vmcb_of(const vmm *v, const vmm_vm *vm) { return paging(v)->vmcb(v, vm); }

/* The VMCB and the second-stage tables (VMM region): machine_mem() would drop
 * every decoded instruction at each exit, so the view, and a precise drop. */
static uint32_t rd(vmm *v, uint32_t pa) { return vmm_rd32(machine_mem_view(v->m) + pa); }
static void wr(vmm *v, uint32_t pa, uint32_t val)
{
    vmm_wr32(machine_mem_view(v->m) + pa, val);
    machine_code_invalidate(v->m, pa, 4);
}

/* The guest's control registers that live in the VMCB while it runs. */
static const struct { unsigned cr; uint32_t off; } banked[] = {
    { CR_STATUS, VMCB_GUEST_STATUS }, { CR_TVB, VMCB_GUEST_TVB }, { CR_PTB, VMCB_GUEST_PTB },
    { CR_EPC, VMCB_GUEST_EPC }, { CR_ESTATUS, VMCB_GUEST_ESTATUS }, { CR_CAUSE, VMCB_GUEST_CAUSE },
    { CR_BADADDR, VMCB_GUEST_BADADDR }, { CR_SCRATCH, VMCB_GUEST_SCRATCH },
};

/* ---- memory: the second stage -------------------------------------------------------- */
static void hw_mem_reset(vmm *v, vmm_vm *vm)
{
    uint8_t *mem = machine_mem(v->m);
    memset(mem + npt_l1(vm), 0, PAGE_SIZE);
    memset(mem + vmcb_of(v, vm), 0, PAGE_SIZE);
    for (unsigned k = 0; k < npt_l2_count(v); k++) {
        memset(mem + npt_l2(vm, k), 0, PAGE_SIZE);
        wr(v, npt_l1(vm) + 4 * k, npt_l2(vm, k) | PTE_V);
    }
}

static uint32_t hw_mem_root(const vmm *v, const vmm_vm *vm)
{
    (void)v;
    return npt_l1(vm);
}

/* The guest's own page tables are its business: nothing to drop, nothing to sync. */
static void hw_mem_flush(vmm *v, vmm_vm *vm, const char *why) { (void)v; (void)vm; (void)why; }
static void hw_mem_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n) { (void)v; (void)vm; (void)gpa; (void)n; }

/* No host page fault happens in guest mode; one in host mode is the VMM's own. */
static vmm_handler hw_mem_fault(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vmm_vm_fail(v, vm, "page fault at 0x%08x outside guest mode (VMM bug)", t->addr);
    return VMM_BY_SCHEDULER;
}

const vmm_mem_ops vmm_nested_mem = {
    .name = "nested paging",
    .root = hw_mem_root,
    .reset = hw_mem_reset,
    .flush = hw_mem_flush,
    .fault = hw_mem_fault,
    .written = hw_mem_written,
};

/* A nested fault: inside the partition, map the page (a hidden fault of the
 * second stage); outside, the guest sees what the bare machine with that
 * much memory would have done. */
static vmm_handler nested_fault(vmm *v, vmm_vm *vm, const machine_vmexit *e)
{
    uint32_t gpa = e->qual;
    if (vmm_gpa_ok(v, gpa, 1)) {
        uint32_t k = gpa >> 22, l2 = npt_l2(vm, k) + VA_L2(gpa) * 4;
        if (rd(v, l2) & PTE_V) {
            vmm_vm_fail(v, vm, "nested fault on a mapped page 0x%08x (VMM bug)", gpa);
            return VMM_BY_SHADOW;
        }
        wr(v, l2, (vm->base + (gpa & ~0xfffu)) | PTE_V | PTE_R | PTE_W | PTE_X);
        vm->st.nested_fills++;
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.nested_fill);
        return VMM_BY_SHADOW;
    }
    vm->st.blocked++;
    vm->st.reflected++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.reflect);
    unsigned acc = e->info & 3u;
    if (e->info & VMCB_INFO_WALK)      /* the bare machine: a table outside memory */
        vmm_reflect(v, vm, CAUSE_MAKE(CAUSE_PAGE_FAULT, acc), e->pc, e->addr);
    else
        vmm_reflect(v, vm, CAUSE_MAKE(CAUSE_BUS_ERROR, acc), e->pc, gpa);
    return VMM_BY_REFLECTION;
}

/* ---- entering the guest -------------------------------------------------------------- */
/* The virtual CPU and the pc (the working copy on the real CPU) go into the
 * VMCB; then vmenter.  The general registers are already on the CPU. */
static void hw_enter(vmm *v, vmm_vm *vm)
{
    const vmm_hw_paging *p = paging(v);
    uint32_t b = vmcb_of(v, vm);
    cpu_state *c = machine_cpu(v->m);
    for (size_t i = 0; i < sizeof banked / sizeof banked[0]; i++)
        wr(v, b + banked[i].off, vm->vc.cr[banked[i].cr]);
    wr(v, b + VMCB_GUEST_PC, c->pc);
    wr(v, b + VMCB_NPTB, v->mem->root(v, vm));
    /* A virtual interrupt that waits for the guest's IE: ask to be told when
     * it turns interrupts on (its ei does not exit). */
    bool waiting = vm->vc.vtimer_pending && !(vm->vc.cr[CR_STATUS] & STATUS_IE);
    wr(v, b + VMCB_CTRL, (waiting ? VMCB_CTRL_INTR_WINDOW : 0) | p->ctrl);
    wr(v, b + VMCB_EXIT_INSNS_LO, v->cfg.exit_insns[0] | p->exit_insns[0]);
    wr(v, b + VMCB_EXIT_INSNS_HI, v->cfg.exit_insns[1] | p->exit_insns[1]);
    wr(v, b + VMCB_EXIT_EXCEPTIONS, v->cfg.exit_exc | p->exit_exc);
    wr(v, b + VMCB_INJECT, 0);
    vmm_commit(v);
    uint64_t t0 = vmm_now(v);
    if (!machine_vmenter(v->m, b)) {
        vmm_vm_fail(v, vm, "vmenter refused the VM control block at 0x%08x (VMM bug)", b);
        return;
    }
    /* vmenter's cycles (which the machine charged) are this VM's VMM time,
     * not its own: its clock starts after them.  Then the real timer again:
     * the slice still ends where it did, the virtual tick comes vm_enter
     * later.  (Re-arming the timer with the same period here once moved the
     * slice's end too, so a VM ran vm_enter cycles past its slice at every
     * entry: the property tests found turns of 7,025 cycles in 5,000.) */
    uint64_t spent = vmm_now(v) - t0;
    vm->st.vmm_cycles += spent;
    v->mark_cycles += spent;
    vmm_arm_timer(v);
}

static void hw_leave(vmm *v, vmm_vm *vm)
{
    uint32_t b = vmcb_of(v, vm);
    for (size_t i = 0; i < sizeof banked / sizeof banked[0]; i++)
        vm->vc.cr[banked[i].cr] = rd(v, b + banked[i].off);
    machine_cpu(v->m)->pc = rd(v, b + VMCB_GUEST_PC);
}

/* ---- exits ------------------------------------------------------------------------------ */
/* Which cause a trap-and-emulate VMM would have seen for the same event
 * (for the exits-by-cause counts that compare prints beside the others). */
static unsigned cause_of(const machine_vmexit *e)
{
    switch (e->reason) {
    case EXIT_VIRTUAL_INSN: case EXIT_IO: return CAUSE_ILLEGAL_PRIV;
    case EXIT_EXCEPTION:    return CAUSE_CODE(e->qual);
    case EXIT_HYPERCALL:    return CAUSE_HYPERCALL;
    case EXIT_NESTED_FAULT: return CAUSE_PAGE_FAULT;
    case EXIT_INTERRUPT:    return CAUSE_CODE(e->qual);
    case EXIT_INTR_WINDOW:  return CAUSE_TIMER;
    default:                return CAUSE_CODE(e->qual);
    }
}

/* An intercepted page fault or bus error that the memory half answers (hw-shadow). */
static bool mem_exception(const vmm *v, const machine_vmexit *e)
{
    unsigned code = CAUSE_CODE(e->qual);
    return e->reason == EXIT_EXCEPTION && paging(v)->fault &&
           (code == CAUSE_PAGE_FAULT || code == CAUSE_BUS_ERROR) && ((paging(v)->exit_exc >> code) & 1u);
}

static vmm_exit_kind kind_of(const vmm *v, const machine_vmexit *e, uint32_t a0)
{
    if (mem_exception(v, e))
        return VMM_EXIT_MMU;
    switch (e->reason) {
    case EXIT_IO:           return VMM_EXIT_IO;
    case EXIT_INTERRUPT:    return VMM_EXIT_IRQ;
    case EXIT_NESTED_FAULT: return VMM_EXIT_MMU;
    case EXIT_HYPERCALL:    return vmm_hcall_is_io(a0) ? VMM_EXIT_IO : VMM_EXIT_CPU;
    default:                return VMM_EXIT_CPU;
    }
}

static vmm_handler handle(vmm *v, vmm_vm *vm, const machine_vmexit *e)
{
    machine_trap t = { .cause = CAUSE_MAKE(CAUSE_ILLEGAL_PRIV, ACCESS_READ), .pc = e->pc,
                       .epc = e->pc, .insn = e->insn, .ring = e->ring, .cycle = e->cycle,
                       .instret = e->instret };
    switch (e->reason) {
    case EXIT_VIRTUAL_INSN:
    case EXIT_IO:
        vmm_emulate(v, vm, &t);
        return VMM_BY_EMULATION;
    case EXIT_EXCEPTION:
        if (mem_exception(v, e)) {
            /* The memory half's fault (a shadow page table's): a hidden
             * fault, a page-table store, or the guest's own, reflected. */
            t.cause = e->qual;
            t.epc = machine_cpu(v->m)->pc;
            t.addr = e->addr;
            return paging(v)->fault(v, vm, &t);
        }
        /* An intercepted guest trap: the guest kernel must still see it. */
        vm->st.reflected++;
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.reflect);
        vmm_reflect(v, vm, e->qual, machine_cpu(v->m)->pc, e->addr);
        return VMM_BY_REFLECTION;
    case EXIT_HYPERCALL:
        t.cause = CAUSE_HYPERCALL;
        t.epc = e->pc + 4;
        return v->cpu->hypercall(v, vm, &t);
    case EXIT_NESTED_FAULT:
        return nested_fault(v, vm, e);
    case EXIT_TRIPLE_FAULT:
        vmm_vm_fail(v, vm, "the guest cannot take its %s trap at pc 0x%08x (triple fault: tvb 0x%08x)",
                    isa_cause_name(CAUSE_CODE(e->qual)), e->pc, vm->vc.cr[CR_TVB]);
        return VMM_BY_REFLECTION;
    default:            /* INTERRUPT, INTR_WINDOW: vmm_resume() does the work */
        return VMM_BY_SCHEDULER;
    }
}

static void exit_what(char *what, size_t n, vmm_handler h, const machine_vmexit *e, uint32_t a0)
{
    const char *mn = e->insn ? vmm_mnemonic_of(e->insn) : NULL;
    const char *r = isa_exit_name(e->reason);
    switch (h) {
    case VMM_BY_EMULATION:
        snprintf(what, n, "%s exit: emulate %s", r, mn ? mn : "?");
        break;
    case VMM_BY_REFLECTION:
        snprintf(what, n, "%s exit: reflect into the guest kernel", r);
        break;
    case VMM_BY_SHADOW:
        if (e->reason == EXIT_NESTED_FAULT)
            snprintf(what, n, "NESTED_FAULT exit: map guest-physical 0x%08x in the second stage", e->qual);
        else
            snprintf(what, n, "%s exit: %s at 0x%08x, the shadow page table answers it", r,
                     isa_cause_name(CAUSE_CODE(e->qual)), e->addr);
        break;
    case VMM_BY_HYPERCALL:
        snprintf(what, n, "HYPERCALL exit: hypercall %u (%s)", a0,
                 vmm_hcall_name(a0) ? vmm_hcall_name(a0) : "unknown");
        break;
    default:
        snprintf(what, n, e->reason == EXIT_INTR_WINDOW
                 ? "INTR_WINDOW exit: the guest turned interrupts on, deliver the pending one"
                 : "INTERRUPT exit: real timer, slice and virtual timer check");
        break;
    }
}

static void hw_exit(machine *m, const machine_vmexit *e, void *ud)
{
    vmm *v = ud;
    if (v->cur < 0) {
        machine_request_stop(m);
        return;
    }
    vmm_vm *vm = &v->vm[v->cur];
    int vmi = v->cur;
    hw_leave(v, vm);
    uint32_t a0 = machine_cpu(m)->r[REG_A0];
    machine_trap t = { .cause = cause_of(e), .pc = e->pc, .insn = e->insn, .ring = e->ring };
    vmm_book_exit(v, vm, &t, v->cfg.mcosts.vm_exit, false);
    vm->st.exits_by_reason[e->reason < ISA_NUM_EXIT_REASONS ? e->reason : 0]++;
    uint8_t vring0 = e->ring;
    vmm_exit_kind kind = kind_of(v, e, a0);
    vmm_host_enter(v, vm, kind);
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.exit_dispatch);
    v->in_exit = true;
    vmm_handler h = handle(v, vm, e);
    vmm_host_leave(v, vm, kind);
    if (vm->state == VM_RUNNABLE) {
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.vm_entry);
        /* The hardware's vmenter, which the machine charges when it runs
         * (and hw_enter books): part of what this exit costs. */
        v->exit_cycles += v->cfg.mcosts.vm_enter;
    }
    if (v->ev) {
        char what[112];
        exit_what(what, sizeof what, h, e, a0);
        vmm_path_note(what, sizeof what, v, kind);
        uint8_t vr = (uint8_t)(vm->vc.cr[CR_STATUS] & STATUS_RING_MASK);
        vmm_event ev = { .kind = VMM_EV_EXIT, .vm = vmi, .cause = t.cause, .reason = e->reason,
                         .pc = e->pc, .insn = e->insn, .addr = e->reason == EXIT_NESTED_FAULT ? e->qual : e->addr,
                         .mnemonic = e->insn ? vmm_mnemonic_of(e->insn) : NULL,
                         .vring_from = vring0, .vring_to = vr, .ring_from = vring0, .ring_to = vr,
                         .handler = h, .cycles = v->exit_cycles, .at = vmm_now(v), .what = what };
        vmm_emit(v, &ev);
    }
    v->in_exit = false;
    if (v->stop_deferred) {
        v->stop_deferred = false;
        vmm_vm_stop_event(v, vm, vm->state == VM_FAILED ? vm->reason : "halted");
    }
    vmm_resume(v);
    if (v->cur >= 0)
        hw_enter(v, &v->vm[v->cur]);
    v->mark_cycles = vmm_now(v);
    v->mark_instret = v->mst->instret;
    vmm_commit(v);
}

/* ---- the design's CPU half ------------------------------------------------------------------ */
vmm_handler vmm_hw_privileged(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    /* Guest mode never traps to the host for a privileged instruction. */
    vmm_vm_fail(v, vm, "privileged-instruction trap at pc 0x%08x outside guest mode (VMM bug)", t->pc);
    return VMM_BY_EMULATION;
}

vmm_handler vmm_hw_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    vmm_hypercall(v, vm, t);
    return VMM_BY_HYPERCALL;
}

void vmm_hw_start(vmm *v, const vmm_hw_paging *p)
{
    v->design_state = (void *)p;
    machine_set_vmexit_hook(v->m, hw_exit, v);
}

/* Nested paging: the VMCB first, then the second-stage tables (above). */
static uint32_t nested_vmcb(const vmm *v, const vmm_vm *vm) { (void)v; return vm->pool_base; }
static const vmm_hw_paging nested_paging = { .vmcb = nested_vmcb };

static bool hw_init(vmm *v, char *err, size_t errlen)
{
    if (v->cfg.shadow_pool < 1 + npt_l2_count(v)) {
        snprintf(err, errlen, "the hw design needs shadow_pool >= %u pages per VM (VMCB and "
                 "second-stage tables)", 1 + npt_l2_count(v));
        return false;
    }
    vmm_hw_start(v, &nested_paging);
    return true;
}

/* The first entry (and after a restore in host mode): the VM on the CPU goes
 * into guest mode.  A run can also stop inside guest mode (an instruction
 * limit, a breakpoint), where the guest's control registers are the
 * processor's own: between runs the VM's virtual CPU (vmm_vcpu_of, the labs'
 * vcr) must say what they are, and a value set there must be what the guest
 * runs on.  (It once said what they were at the last exit.) */
machine_stop vmm_hw_run(vmm *v, uint64_t max_insns)
{
    if (v->cur >= 0 && !machine_guest_mode(v->m))
        hw_enter(v, &v->vm[v->cur]);
    else if (v->cur >= 0)
        for (size_t i = 0; i < sizeof banked / sizeof banked[0]; i++) {
            uint32_t want = v->vm[v->cur].vc.cr[banked[i].cr];
            if (machine_get_cr(v->m, banked[i].cr) != want)
                machine_set_cr(v->m, banked[i].cr, want);
        }
    machine_stop s = machine_run(v->m, max_insns);
    if (v->cur >= 0 && machine_guest_mode(v->m))
        for (size_t i = 0; i < sizeof banked / sizeof banked[0]; i++)
            v->vm[v->cur].vc.cr[banked[i].cr] = machine_get_cr(v->m, banked[i].cr);
    return s;
}

const vmm_cpu_ops vmm_hw_cpu = {
    .name = "hardware-assisted (guest mode)",
    .privileged = vmm_hw_privileged,
    .hypercall = vmm_hw_hypercall,
    .init = hw_init,
    .run = vmm_hw_run,
    .guest_mode = true,
};

/* ---- --exit-on ---------------------------------------------------------------------------------- */
bool vmm_parse_exit_on(const char *list, vmm_config *cfg, char *err, size_t errlen)
{
    char buf[256];
    if (strlen(list) >= sizeof buf) {
        snprintf(err, errlen, "--exit-on: the list is too long");
        return false;
    }
    strcpy(buf, list);
    for (char *name = buf, *next; name; name = next) {
        next = strchr(name, ',');
        if (next)
            *next++ = '\0';
        if (!*name) {
            snprintf(err, errlen, "--exit-on: an empty name in '%s'", list);
            return false;
        }
        const isa_insn *in = isa_lookup_mnemonic(name);
        if (in && in->privilege != PRIV_USER) {
            cfg->exit_insns[in->opcode >> 5] |= 1u << (in->opcode & 31);
            continue;
        }
        bool found = false;
        for (unsigned c = 1; c < ISA_NUM_CAUSES && !found; c++) {
            const char *cn = isa_cause_name(c);
            char low[32];
            size_t k = 0;
            for (; cn[k] && k < sizeof low - 1; k++)
                low[k] = (char)(cn[k] >= 'A' && cn[k] <= 'Z' ? cn[k] - 'A' + 'a' : cn[k]);
            low[k] = '\0';
            if (strcmp(low, name) == 0 && !isa_cause_is_interrupt(c)) {
                cfg->exit_exc |= 1u << c;
                found = true;
            }
        }
        if (!found) {
            snprintf(err, errlen, "--exit-on: '%s' is neither a privileged instruction (mfcr, mtcr, "
                     "iret, ei, di, tlbflush, pushf, popf, smsw, sidt, ...) nor a trap cause "
                     "(syscall, page_fault, breakpoint, ...)", name);
            return false;
        }
    }
    return true;
}
