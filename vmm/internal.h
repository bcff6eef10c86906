/*
 * internal.h -- the hypervisor's private state, shared by the files of vmm/
 * only: one struct per VM (virtual CPU, partition, shadow page table,
 * virtual devices, counters) and the VMM that schedules them.
 */
#ifndef TRAPLAB_VMM_INTERNAL_H
#define TRAPLAB_VMM_INTERNAL_H

#include "vmm/vmm.h"

typedef struct {
    vmm_vm_state state;
    char reason[160];
    vmm_vcpu vc;
    uint32_t regs[ISA_NUM_REGS];    /* saved while another VM has the CPU */
    uint32_t pc;
    bool loaded;

    /* memory: guest-physical [0, part_size) is host [base, base + part_size) */
    uint32_t base;
    uint32_t shadow_l1;             /* host address of the shadow level-1 table */
    uint32_t pool_base;             /* shadow level-2 pages */
    uint32_t pool_used;
    uint8_t *ptmap;                 /* one bit per guest frame: a page-table page */

    /* virtual devices */
    char *out; size_t out_len, out_cap;
    uint8_t *disk;
    uint32_t blk_sector, blk_addr, blk_status, console_ctrl;

    /* paravirtualization: set by the guest's hypercalls */
    bool para;                      /* a shared page is registered */
    uint32_t shared;                /* its guest-physical address */
    uint32_t syscall_gate;          /* direct system-call entry, 0 = none */
    uint32_t hc_replaced;           /* set by the running hypercall */

    vmm_stats st;
    uint64_t violation_at;          /* instret + 1 of the last violation reported, 0 = none */
} vmm_vm;

struct vmm {
    vmm_config cfg;
    machine *m;
    vmm_vm vm[VMM_MAX_VMS];
    unsigned n;
    int cur;                        /* the VM on the CPU, -1 when all stopped */
    bool started;
    uint32_t region;                /* bytes of the VMM region */
    uint64_t slice_start;
    uint64_t bg_mark;               /* Type-2: host background share booked up to here */
    uint64_t mark_cycles, mark_instret;   /* accounting: up to here is booked */
    uint64_t exit_cycles;           /* charged so far during the current exit */
    bool in_exit;                   /* handling an exit: a VM's stop is told after it */
    bool stop_deferred;

    vmm_event_fn ev; void *ev_ud;
    struct { vmm_emul_fn fn; void *ud; } emul[ISA_NUM_OPCODES];
    vmm_hcall_fn hcalls[VMM_MAX_HCALLS];
    vmm_hcall_hook hc_hook; void *hc_ud;
};

/* Layers a cost is booked to. */
typedef enum { LAYER_VMM, LAYER_HOST } vmm_layer;

/* vmm.c */
void vmm_charge(vmm *v, vmm_vm *vm, vmm_layer layer, uint64_t cycles);
/* Charges and reports one step of handling an exit. */
void vmm_step_event(vmm *v, vmm_vm *vm, vmm_handler h, vmm_layer layer, uint64_t cycles,
                    const char *what);
void vmm_emit(vmm *v, const vmm_event *e);
void vmm_reflect(vmm *v, vmm_vm *vm, uint32_t cause, uint32_t epc, uint32_t addr);
void vmm_vm_fail(vmm *v, vmm_vm *vm, const char *fmt, ...);
void vmm_vm_halt(vmm *v, vmm_vm *vm);
/* Real status for the VM's virtual status: the ring it is deprivileged to. */
uint32_t vmm_real_status(uint32_t vstatus);
unsigned vmm_real_ring(unsigned vring);
/* Applies a new virtual status (ring, IE, PG) to the virtual and real CPU. */
void vmm_set_vstatus(vmm *v, vmm_vm *vm, uint32_t vstatus);
uint64_t vmm_vtime(const vmm *v, const vmm_vm *vm);
void vmm_vtimer_update(vmm *v, vmm_vm *vm);
/* Host work of a Type-2 device access (a host system call). */
void vmm_host_syscall(vmm *v, vmm_vm *vm, const char *what);

/* shadow.c */
/* Walks the guest's own page table as the MMU would with part_size bytes of
 * memory; CAUSE_NONE with *gpa and *pte (0 with paging off), else the cause. */
unsigned vmm_gwalk(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                   uint32_t *gpa, uint32_t *fault_addr);
unsigned vmm_gwalk_pte(const vmm *v, const vmm_vm *vm, uint32_t va, isa_access acc, unsigned vring,
                       uint32_t *gpa, uint32_t *fault_addr, uint32_t *pte);
bool vmm_gpa_ok(const vmm *v, uint32_t gpa, uint32_t n);
uint8_t *vmm_gpa_ptr(vmm *v, const vmm_vm *vm, uint32_t gpa);
void vmm_shadow_reset(vmm *v, vmm_vm *vm);       /* flush without counting (boot) */
void vmm_shadow_flush(vmm *v, vmm_vm *vm, const char *why);
/* A guest store of n bytes at gpa happened (by emulation or DMA): keep the shadow in sync. */
void vmm_shadow_written(vmm *v, vmm_vm *vm, uint32_t gpa, uint32_t n);
bool vmm_is_pt_frame(const vmm *v, const vmm_vm *vm, uint32_t gpa);
/* Handles PAGE_FAULT and BUS_ERROR exits. */
void vmm_shadow_fault(vmm *v, vmm_vm *vm, const machine_trap *t);
/* Guest-virtual word access for emulation (pushf, popf, hypercalls); on a
 * fault reflects it (epc = pc) and returns false. */
bool vmm_guest_word(vmm *v, vmm_vm *vm, uint32_t va, isa_access acc, uint32_t *val,
                    uint32_t pc, uint32_t insn);

/* emulate.c */
/* Handles ILLEGAL_PRIV from the guest kernel. */
void vmm_emulate(vmm *v, vmm_vm *vm, const machine_trap *t);

/* vdev.c */
uint32_t vmm_port_in(vmm *v, vmm_vm *vm, uint32_t port);
void vmm_port_out(vmm *v, vmm_vm *vm, uint32_t port, uint32_t value);
void vmm_console_put(vmm *v, vmm_vm *vm, int ch);
/* One sector between the VM's disk and guest-physical gpa; the device status. */
uint32_t vmm_block_transfer(vmm *v, vmm_vm *vm, uint32_t sector, uint32_t gpa, uint32_t cmd,
                            bool host_call);

/* hcall.c */
void vmm_hypercall(vmm *v, vmm_vm *vm, const machine_trap *t);
void vmm_hcall_defaults(vmm *v);
/* Paravirtualized VMs: the shared page's words (vm->para must hold). */
uint32_t vmm_shared_get(vmm *v, const vmm_vm *vm, uint32_t off);
void vmm_shared_set(vmm *v, vmm_vm *vm, uint32_t off, uint32_t val);
/* Writes the trap frame of a delivery into the shared page and masks events. */
void vmm_para_frame(vmm *v, vmm_vm *vm);

#endif
