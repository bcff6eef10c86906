/*
 * vmm.c -- the hypervisor's top: building the VMs for a design, loading
 * guests, running them, and the observing API (docs/vmm.md).
 *
 * The work is in the files below it (vmm/internal.h lists them bottom
 * first): every trap of a guest arrives at the exit handler (exit.c),
 * which routes it by cause to the design's halves, and the scheduler
 * (sched.c) resumes the guest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/internal.h"

/* The first page of the VMM region is the VMM's own data; it is filled with a
 * pattern so that an isolation test can see that no guest ever wrote it. */
static const char vmm_signature[] = "traplab VMM region: no guest may write here";

const char *vmm_host_name(vmm_host h)
{
    return h == VMM_HOST_TYPE2 ? "type2" : h == VMM_HOST_TYPE2_USER ? "type2-user" : "type1";
}

bool vmm_host_is_hosted(vmm_host h) { return h == VMM_HOST_TYPE2 || h == VMM_HOST_TYPE2_USER; }

bool vmm_parse_host(const char *s, vmm_host *out)
{
    if (strcmp(s, "type1") == 0 || strcmp(s, "1") == 0) { *out = VMM_HOST_TYPE1; return true; }
    if (strcmp(s, "type2") == 0 || strcmp(s, "2") == 0) { *out = VMM_HOST_TYPE2; return true; }
    if (strcmp(s, "type2-user") == 0) { *out = VMM_HOST_TYPE2_USER; return true; }
    return false;
}

const char *vmm_handler_name(vmm_handler h)
{
    static const char *const names[VMM_BY_COUNT] = {
        [VMM_BY_HARDWARE] = "hardware", [VMM_BY_EMULATION] = "emulation",
        [VMM_BY_REFLECTION] = "reflection", [VMM_BY_SHADOW] = "shadow",
        [VMM_BY_HOST] = "host", [VMM_BY_HYPERCALL] = "hypercall",
        [VMM_BY_SCHEDULER] = "scheduler", [VMM_BY_TRANSLATION] = "translation",
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
    cfg->design = VMM_DESIGN_FULL;
    cfg->host = VMM_HOST_TYPE1;
    cfg->profile = PROFILE_STRICT;
    cfg->slice = 1000000;
    cfg->part_size = GUEST_MIN_MEM;
    cfg->disk_sectors = 256;
    cfg->shadow_pool = 24;
    vmm_default_costs(&cfg->costs);
    cfg->mcosts = mc.costs;
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
    if (!vmm_design_available(c.design)) {
        snprintf(err, errlen, "design '%s' is not built into this traplab yet",
                 vmm_design_name(c.design));
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
    v->cpu = vmm_design_cpu(c.design);
    v->mem = vmm_design_mem(c.design);
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
    v->mst = machine_get_stats(v->m);
    v->c = machine_cpu(v->m);
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
    if (v->cpu->init && !v->cpu->init(v, err, errlen)) {
        vmm_free(v);
        return NULL;
    }
    machine_set_trap_hook(v->m, vmm_on_trap, v);
    /* Guest mode runs the legacy profile's sensitive instructions on the
     * guest's own registers: nothing goes unseen there. */
    if (c.profile == PROFILE_LEGACY && !v->cpu->guest_mode)
        machine_set_insn_hook(v->m, vmm_legacy_observe, v);
    return v;
}

void vmm_free(vmm *v)
{
    if (!v)
        return;
    if (v->cpu && v->cpu->fini)
        v->cpu->fini(v);
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
    v->mem->reset(v, vm);
    if (v->cpu->load)
        v->cpu->load(v, vm);
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
        vmm_switch_to(v, vmm_next_runnable(v, -1));
        v->mark_cycles = vmm_now(v);
        v->mark_instret = v->mst->instret;
        vmm_resume(v);
        v->mark_cycles = vmm_now(v);
        vmm_commit(v);
        return v->cur >= 0;
    }
    return false;
}

static machine_stop finish(vmm *v, machine_stop s)
{
    vmm_commit(v);          /* (every exit has committed its charges already) */
    if (v->cur >= 0 && s != STOP_FATAL) {
        /* Book the tail of the run to the VM on the CPU. */
        vmm_vm *vm = &v->vm[v->cur];
        uint64_t now = vmm_now(v);
        vm->st.guest_cycles += now - v->mark_cycles;
        vm->vc.vtime += now - v->mark_cycles;
        vm->st.guest_insns += v->mst->instret - v->mark_instret;
        v->mark_cycles = now;
        v->mark_instret = v->mst->instret;
    }
    if (vmm_all_stopped(v) && (s == STOP_REQUESTED || s == STOP_NONE))
        return STOP_HALT;
    return s;
}

machine_stop vmm_run(vmm *v, uint64_t max_insns)
{
    if (!start(v))
        return vmm_all_stopped(v) ? STOP_HALT : STOP_FATAL;
    return finish(v, v->cpu->run ? v->cpu->run(v, max_insns) : machine_run(v->m, max_insns));
}

machine_stop vmm_step(vmm *v)
{
    if (!start(v))
        return vmm_all_stopped(v) ? STOP_HALT : STOP_FATAL;
    return finish(v, v->cpu->run ? v->cpu->run(v, 1) : machine_step(v->m));
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
        out->nested_fills += s->nested_fills;
        out->kernel_exits += s->kernel_exits;
        for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++)
            out->exits_by_reason[r] += s->exits_by_reason[r];
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
        out->bt_blocks += s->bt_blocks;
        out->bt_insns += s->bt_insns;
        out->bt_hits += s->bt_hits;
        out->bt_misses += s->bt_misses;
        out->bt_invalidations += s->bt_invalidations;
        out->bt_callouts += s->bt_callouts;
        out->bt_inline += s->bt_inline;
        out->bt_adaptive += s->bt_adaptive;
        out->bt_store_callouts += s->bt_store_callouts;
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

