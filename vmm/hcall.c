/*
 * hcall.c -- hypercalls: the paravirtualized guest kernel's explicit calls
 * into the VMM (hcall with a0 = number, a1..a3 = arguments, result in a0).
 * A table by number, designated initializers; every argument is validated
 * against the VM's own memory, so a bad call returns an error code, never a
 * crash.  Each call also says how many exits the unmodified kernel would
 * have taken for the same work (vm->hc_replaced), which the statistics add
 * up: that is what paravirtualization buys.  The interface is documented in
 * docs/hypercalls.md; guest/arch.s is its one client.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

static vmm_vm *vm_of(vmm *v, unsigned i) { return &v->vm[i]; }

/* Guest-virtual word at va as the guest kernel sees it; false when unmapped. */
static bool guest_word(vmm *v, vmm_vm *vm, uint32_t va, uint32_t *w)
{
    uint32_t gpa, fa;
    unsigned vring = vm->vc.cr[CR_STATUS] & STATUS_RING_MASK;
    if ((va & 3) || vmm_gwalk(v, vm, va, ACCESS_READ, vring, &gpa, &fa) != CAUSE_NONE ||
        !vmm_gpa_ok(v, gpa, 4))
        return false;
    *w = vmm_rd32(vmm_gpa_ptr(v, vm, gpa));
    return true;
}

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
        if (vmm_gwalk(v, vm, buf + k, ACCESS_READ, vring, &gpa, &fa) != CAUSE_NONE ||
            !vmm_gpa_ok(v, gpa, 1))
            return VMM_HC_EFAULT;
    }
    vmm_host_syscall(v, vm, "host write() of the buffer to the terminal");
    for (uint32_t k = 0; k < len; k++) {
        uint32_t gpa, fa;
        vmm_gwalk(v, vm, buf + k, ACCESS_READ, vring, &gpa, &fa);
        vmm_console_put(v, vm, *vmm_gpa_ptr(v, vm, gpa));
    }
    vm->hc_replaced = len;                      /* one out per byte */
    return len;
}

static uint32_t hc_yield(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)vm; (void)a1; (void)a2; (void)a3;
    v->slice_start = vmm_now(v) - v->cfg.slice;   /* the slice is over */
    return 0;
}

static uint32_t hc_shutdown(vmm *v, unsigned vm, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a1; (void)a2; (void)a3;
    vm_of(v, vm)->hc_replaced = 1;              /* halt */
    vmm_vm_halt(v, vm_of(v, vm));
    return 0;
}

static uint32_t hc_set_timer(vmm *v, unsigned i, uint32_t period, uint32_t a2, uint32_t a3)
{
    (void)a2; (void)a3;
    vmm_vm *vm = vm_of(v, i);
    vm->vc.cr[CR_TIMECMP] = period;
    vm->vc.vnext = vmm_vtime(v, vm) + period;
    vm->vc.vtimer_pending = false;
    vm->hc_replaced = 1;                        /* mtcr timecmp */
    return 0;
}

static uint32_t hc_shared_info(vmm *v, unsigned i, uint32_t gpa, uint32_t a2, uint32_t a3)
{
    (void)a2; (void)a3;
    vmm_vm *vm = vm_of(v, i);
    /* Page 0 is never a good page: it is the guest's null page. */
    if (gpa == 0 || gpa % PAGE_SIZE || !vmm_gpa_ok(v, gpa, PAGE_SIZE))
        return VMM_HC_EFAULT;
    if (vmm_is_pt_frame(v, vm, gpa))
        return VMM_HC_EINVAL;
    vm->shared = gpa;
    vm->para = true;
    memset(vmm_gpa_ptr(v, vm, gpa), 0, VMM_SH_RING);
    machine_code_invalidate(v->m, vm->base + gpa, VMM_SH_RING);
    vmm_shared_set(v, vm, VMM_SH_MASK, (vm->vc.cr[CR_STATUS] & STATUS_IE) ? 0 : 1);
    return 0;
}

static uint32_t hc_set_trap_table(vmm *v, unsigned i, uint32_t vector, uint32_t gate, uint32_t a3)
{
    (void)a3;
    vmm_vm *vm = vm_of(v, i);
    if (vector == 0 || (vector & 3) || (gate & 3))
        return VMM_HC_EINVAL;
    if (gate && !vm->para)          /* the gate's trap frame goes to the shared page */
        return VMM_HC_EINVAL;
    vm->vc.cr[CR_TVB] = vector;
    vm->syscall_gate = gate;
    vm->hc_replaced = 1;                        /* mtcr tvb */
    return 0;
}

/* Xen's mmu_update: a batch of page-table stores, each validated. */
static uint32_t hc_mmu_update(vmm *v, unsigned i, uint32_t list, uint32_t n, uint32_t flags)
{
    vmm_vm *vm = vm_of(v, i);
    if (n > VMM_MMU_BATCH_MAX || (flags & ~1u))
        return VMM_HC_EINVAL;
    uint32_t ptr[VMM_MMU_BATCH_MAX], val[VMM_MMU_BATCH_MAX];
    for (uint32_t k = 0; k < n; k++) {          /* check all, then apply */
        if (!guest_word(v, vm, list + 8 * k, &ptr[k]) || !guest_word(v, vm, list + 8 * k + 4, &val[k]))
            return VMM_HC_EFAULT;
        if ((ptr[k] & 3) || !vmm_gpa_ok(v, ptr[k], 4))
            return VMM_HC_EFAULT;
        /* The guest may map only frames of its own partition. */
        if ((val[k] & PTE_V) && !vmm_gpa_ok(v, PTE_FRAME(val[k]), PAGE_SIZE))
            return VMM_HC_EINVAL;
        /* The shared page is the VMM's view too: never a page table. */
        if (vm->para && PTE_FRAME(ptr[k]) == vm->shared)
            return VMM_HC_EINVAL;
    }
    for (uint32_t k = 0; k < n; k++) {
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.hc_entry);
        vmm_wr32(vmm_gpa_ptr(v, vm, ptr[k]), val[k]);
        vmm_mem_written(v, vm, ptr[k], 4);
    }
    if (flags & 1)
        machine_tlb_flush(v->m);
    vm->hc_replaced = n + (flags & 1);          /* a trapped store each, and tlbflush */
    return n;
}

/* The block ring: every request queued since the last notification, one exit. */
static uint32_t hc_block_notify(vmm *v, unsigned i, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a1; (void)a2; (void)a3;
    vmm_vm *vm = vm_of(v, i);
    if (!vm->para)
        return VMM_HC_EINVAL;
    uint32_t prod = vmm_shared_get(v, vm, VMM_SH_RING_PROD);
    uint32_t cons = vmm_shared_get(v, vm, VMM_SH_RING_CONS);
    if (prod - cons > VMM_SH_RING_SIZE)        /* the guest overran the ring */
        return VMM_HC_EINVAL;
    /* Type-2: the whole batch is one host system call (preadv/pwritev). */
    if (prod != cons)
        vmm_host_syscall(v, vm, "host preadv()/pwritev() of the batch on the VM's disk image");
    uint32_t status = 0, n = 0;
    for (; cons != prod; cons++, n++) {
        uint32_t e = VMM_SH_RING + (cons % VMM_SH_RING_SIZE) * 16;
        vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.hc_entry);
        uint32_t st = vmm_block_transfer(v, vm, vmm_shared_get(v, vm, e), vmm_shared_get(v, vm, e + 4),
                                         vmm_shared_get(v, vm, e + 8), false);
        vmm_shared_set(v, vm, e + 12, st);
        status |= st;
    }
    vmm_shared_set(v, vm, VMM_SH_RING_CONS, cons);
    vm->hc_replaced = 4 * n;                    /* out sector, out addr, out cmd, in status */
    return status;
}

/* Return from a trap with the frame in the shared page: one exit for the
 * unmodified kernel's mtcr epc, mtcr estatus and iret. */
static uint32_t hc_iret(vmm *v, unsigned i, uint32_t a1, uint32_t a2, uint32_t a3)
{
    (void)a1; (void)a2; (void)a3;
    vmm_vm *vm = vm_of(v, i);
    if (!vm->para)
        return VMM_HC_EINVAL;
    uint32_t epc = vmm_shared_get(v, vm, VMM_SH_EPC);
    uint32_t est = vmm_shared_get(v, vm, VMM_SH_ESTATUS);
    uint32_t a0 = vmm_shared_get(v, vm, VMM_SH_SAVED_A0);
    vmm_shared_set(v, vm, VMM_SH_MASK, (est & STATUS_IE) ? 0 : 1);
    vm->vc.cr[CR_EPC] = epc;
    vm->vc.cr[CR_ESTATUS] = est;
    vmm_set_vstatus(v, vm, est);
    v->c->pc = epc;
    vm->hc_replaced = 3;
    return a0;
}

static const vmm_hcall_fn builtin[VMM_MAX_HCALLS] = {
    [VMM_HC_VERSION] = hc_version,
    [VMM_HC_CONSOLE_WRITE] = hc_console_write,
    [VMM_HC_YIELD] = hc_yield,
    [VMM_HC_SHUTDOWN] = hc_shutdown,
    [VMM_HC_SET_TIMER] = hc_set_timer,
    [VMM_HC_SHARED_INFO] = hc_shared_info,
    [VMM_HC_SET_TRAP_TABLE] = hc_set_trap_table,
    [VMM_HC_MMU_UPDATE] = hc_mmu_update,
    [VMM_HC_BLOCK_NOTIFY] = hc_block_notify,
    [VMM_HC_IRET] = hc_iret,
};

static const char *const hc_names[VMM_MAX_HCALLS] = {
    [VMM_HC_VERSION] = "version", [VMM_HC_CONSOLE_WRITE] = "console_write",
    [VMM_HC_YIELD] = "yield", [VMM_HC_SHUTDOWN] = "shutdown", [VMM_HC_SET_TIMER] = "set_timer",
    [VMM_HC_SHARED_INFO] = "shared_info", [VMM_HC_SET_TRAP_TABLE] = "set_trap_table",
    [VMM_HC_MMU_UPDATE] = "mmu_update", [VMM_HC_BLOCK_NOTIFY] = "block_notify",
    [VMM_HC_IRET] = "iret",
};

static const char *const hc_docs[] = {
#define X(NAME, num, doc) [num] = doc,
    VMM_HCALLS(X)
#undef X
};

const char *vmm_hcall_name(unsigned nr) { return nr < VMM_MAX_HCALLS ? hc_names[nr] : NULL; }

const char *vmm_hcall_doc(unsigned nr)
{
    return nr < sizeof hc_docs / sizeof hc_docs[0] ? hc_docs[nr] : NULL;
}

void vmm_hcall_defaults(vmm *v)
{
    for (unsigned i = 0; i < VMM_MAX_HCALLS; i++)
        v->hcalls[i] = builtin[i];
}

void vmm_set_hypercall_hook(vmm *v, vmm_hcall_hook fn, void *ud)
{
    v->hc_hook = fn;
    v->hc_ud = ud;
}

bool vmm_set_hypercall(vmm *v, unsigned number, vmm_hcall_fn fn)
{
    if (number >= VMM_MAX_HCALLS)
        return false;
    v->hcalls[number] = fn;
    return true;
}

bool vmm_hcall_is_io(uint32_t nr)
{
    return nr == VMM_HC_CONSOLE_WRITE || nr == VMM_HC_BLOCK_NOTIFY;
}

void vmm_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t)
{
    cpu_state *c = v->c;
    uint32_t nr = c->r[REG_A0];
    vm->st.hypercalls++;
    vmm_charge(v, vm, LAYER_VMM, v->cfg.costs.hypercall);
    c->pc = t->epc;
    unsigned vmi = (unsigned)(vm - v->vm);
    uint32_t r;
    vm->hc_replaced = 0;
    vmm_commit(v);          /* a lab's hook or handler may read the clock */
    if (!v->hc_hook || !v->hc_hook(v, vmi, nr, c->r[REG_A1], c->r[REG_A2], c->r[REG_A3], &r, v->hc_ud)) {
        if (nr < VMM_MAX_HCALLS && v->hcalls[nr]) {
            r = v->hcalls[nr](v, vmi, c->r[REG_A1], c->r[REG_A2], c->r[REG_A3]);
        } else {
            /* Any 32-bit number can arrive: one bucket, so the counts by
             * number and this one add up to the total. */
            r = VMM_HC_ENOSYS;
            vm->st.hc_invalid++;
            nr = VMM_MAX_HCALLS;
        }
    }
    if (nr < VMM_MAX_HCALLS)
        vm->st.hypercalls_by_nr[nr]++;
    /* Error codes are the top three values; no call returns that much. */
    if (r >= VMM_HC_EINVAL)
        vm->st.hc_failed++;
    vm->st.hc_replaced += vm->hc_replaced;
    if (nr < VMM_MAX_HCALLS)
        vm->st.hc_replaced_by_nr[nr] += vm->hc_replaced;
    if (vm->state == VM_RUNNABLE)
        c->r[REG_A0] = r;
}

void vmm_write_guest_abi(FILE *out)
{
    fprintf(out, "; abi.s -- GENERATED by `make docs` from vmm/vmm.h (VMM_HCALLS, VMM_SHARED);\n"
                 "; do not edit.  The hypercall numbers and the offsets in the page a\n"
                 "; paravirtualized kernel shares with the VMM, for guest/arch.s, which\n"
                 "; defines SHARED_INFO (the page's address) before it includes this file.\n"
                 "; docs/hypercalls.md describes each.\n\n");
#define X(NAME, num, doc) fprintf(out, "        .equ    HC_%s, %d\n", #NAME, num);
    VMM_HCALLS(X)
#undef X
    fprintf(out, "\n");
    char line[80];
#define X(NAME, off, doc) \
    snprintf(line, sizeof line, ".equ    SH_%s, SHARED_INFO + 0x%03x", #NAME, off); \
    fprintf(out, "        %-42s ; %s\n", line, doc);
    VMM_SHARED(X)
#undef X
    fprintf(out, "        .equ    SH_RING_SIZE, %d\n", VMM_SH_RING_SIZE);
    fprintf(out, "        .equ    MMU_BATCH_MAX, %d\n", VMM_MMU_BATCH_MAX);
}
