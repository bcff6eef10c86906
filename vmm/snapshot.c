/*
 * snapshot.c -- the whole hypervisor at one instant: the machine (CPU,
 * memory with the partitions and shadow tables, devices) plus every VM's
 * virtual CPU, virtual devices, disk and counters.  Restoring one and
 * running again gives the same trace, which is how the terminal UI steps
 * backwards over traps, device state included.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/internal.h"

struct vmm_snapshot {
    machine_snapshot *ms;
    vmm core;                       /* scalars; its pointers are not used */
    vmm_vm vm[VMM_MAX_VMS];         /* with their own copies of the buffers */
    unsigned n;
    size_t ptmap_len, disk_len;
};

static void *dup_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

void vmm_snapshot_free(vmm_snapshot *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->n; i++) {
        free(s->vm[i].ptmap);
        free(s->vm[i].disk);
        free(s->vm[i].out);
    }
    machine_snapshot_free(s->ms);
    free(s);
}

vmm_snapshot *vmm_save(const vmm *v)
{
    vmm_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->n = v->n;
    s->core = *v;
    s->ptmap_len = v->cfg.part_size / PAGE_SIZE / 8 + 1;
    s->disk_len = (size_t)v->cfg.disk_sectors * BLOCK_SECTOR_SIZE;
    s->ms = machine_save(v->m);
    bool ok = s->ms != NULL;
    for (unsigned i = 0; i < v->n; i++) {
        s->vm[i] = v->vm[i];
        s->vm[i].ptmap = dup_bytes(v->vm[i].ptmap, s->ptmap_len);
        s->vm[i].disk = dup_bytes(v->vm[i].disk, s->disk_len);
        s->vm[i].out = v->vm[i].out_len ? dup_bytes(v->vm[i].out, v->vm[i].out_len + 1) : NULL;
        s->vm[i].out_cap = v->vm[i].out_len ? v->vm[i].out_len + 1 : 0;
        ok &= s->vm[i].ptmap && s->vm[i].disk && (!v->vm[i].out_len || s->vm[i].out);
    }
    if (!ok) {
        vmm_snapshot_free(s);
        return NULL;
    }
    return s;
}

bool vmm_restore(vmm *v, const vmm_snapshot *s)
{
    if (!s || s->n != v->n)
        return false;
    for (unsigned i = 0; i < v->n; i++) {
        vmm_vm *vm = &v->vm[i];
        const vmm_vm *o = &s->vm[i];
        if (o->out_len + 1 > vm->out_cap) {
            char *p = realloc(vm->out, o->out_len + 1);
            if (!p)
                return false;
            vm->out = p;
            vm->out_cap = o->out_len + 1;
        }
    }
    machine_restore(v->m, s->ms);
    for (unsigned i = 0; i < v->n; i++) {
        vmm_vm *vm = &v->vm[i];
        const vmm_vm *o = &s->vm[i];
        uint8_t *ptmap = vm->ptmap, *disk = vm->disk;
        char *out = vm->out;
        size_t cap = vm->out_cap;
        *vm = *o;
        vm->ptmap = ptmap;
        vm->disk = disk;
        vm->out = out;
        vm->out_cap = cap;
        memcpy(ptmap, o->ptmap, s->ptmap_len);
        memcpy(disk, o->disk, s->disk_len);
        if (o->out_len)
            memcpy(out, o->out, o->out_len + 1);
        else if (out)
            out[0] = '\0';
    }
    v->cur = s->core.cur;
    v->started = s->core.started;
    v->slice_start = s->core.slice_start;
    v->bg_mark = s->core.bg_mark;
    v->mark_cycles = s->core.mark_cycles;
    v->mark_instret = s->core.mark_instret;
    v->exit_cycles = s->core.exit_cycles;
    v->pend = 0;            /* (a snapshot is taken between runs, with nothing pending) */
    return true;
}

/* ---- snapshot files (traplab vm --save-at, --restore) ---------------------------------
 * The machine's file format (machine/snapfile.c) with kind MACHINE_SNAPFILE_VMM:
 * the sizes of the VMM's structures in this build, the VMM's scalars, each VM
 * with its page-table map, virtual disk and console, then the machine.  Read
 * back into a VMM built fresh from the saved configuration, through
 * vmm_restore, after checking every address a VM holds against that VMM's. */
static void put_u32(machine_snapw *w, uint32_t v) { machine_snapw_put(w, &v, 4); }
static uint32_t get_u32(machine_snapr *r) { uint32_t v = 0; machine_snapr_get(r, &v, 4); return v; }

bool vmm_save_file(const vmm *v, FILE *f, char *err, size_t errlen)
{
    size_t ptmap_len = v->cfg.part_size / PAGE_SIZE / 8 + 1;
    size_t disk_len = (size_t)v->cfg.disk_sectors * BLOCK_SECTOR_SIZE;
    machine_snapw w = { f, 0, false };
    machine_snapfile_begin(&w, MACHINE_SNAPFILE_VMM);
    put_u32(&w, (uint32_t)sizeof(vmm));
    put_u32(&w, (uint32_t)sizeof(vmm_vm));
    put_u32(&w, v->n);
    machine_snapw_put(&w, v, sizeof *v);          /* its pointers are not read back */
    for (unsigned i = 0; i < v->n; i++) {
        const vmm_vm *vm = &v->vm[i];
        machine_snapw_put(&w, vm, sizeof *vm);
        machine_snapw_put(&w, vm->ptmap, ptmap_len);
        machine_snapw_put(&w, vm->disk, disk_len);
        machine_snapw_put(&w, vm->out ? vm->out : "", vm->out_len);
    }
    machine_snapshot_put(v->m, &w);
    if (!machine_snapfile_end(&w)) {
        snprintf(err, errlen, "cannot write the snapshot");
        return false;
    }
    return true;
}

vmm *vmm_load_file(FILE *f, char *err, size_t errlen)
{
    size_t len;
    uint8_t *buf = machine_snapfile_slurp(f, MACHINE_SNAPFILE_MAX, &len, err, errlen);
    if (!buf)
        return NULL;
    machine_snapr r;
    uint32_t kind;
    vmm *v = NULL;
    vmm_snapshot *s = NULL;
    machine *m = NULL;
    vmm *core = malloc(sizeof *core);
    if (!core) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (!machine_snapfile_open(buf, len, &kind, &r, err, errlen))
        goto fail;
    if (kind != MACHINE_SNAPFILE_VMM) {
        snprintf(err, errlen, "a snapshot of the bare machine: restore it with traplab run --restore");
        goto fail;
    }
    uint32_t vsize = get_u32(&r), vmsize = get_u32(&r), n = get_u32(&r);
    if (vsize != sizeof(vmm) || vmsize != sizeof(vmm_vm)) {
        snprintf(err, errlen, "written by another build of traplab (a hypervisor state of %u and %u "
                 "bytes, this one has %zu and %zu): save it again with this one", vsize, vmsize,
                 sizeof(vmm), sizeof(vmm_vm));
        goto fail;
    }
    if (!machine_snapr_get(&r, core, sizeof *core) || n != core->cfg.nvms || n == 0 || n > VMM_MAX_VMS) {
        snprintf(err, errlen, "the file ends in the middle of the hypervisor's state");
        goto fail;
    }
    /* A fresh VMM of the saved shape; its own addresses are the reference. */
    v = vmm_new(&core->cfg, err, errlen);
    if (!v)
        goto fail;
    s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    s->n = n;
    s->core = *core;
    s->ptmap_len = v->cfg.part_size / PAGE_SIZE / 8 + 1;
    s->disk_len = (size_t)v->cfg.disk_sectors * BLOCK_SECTOR_SIZE;
    for (unsigned i = 0; i < n; i++) {
        vmm_vm *o = &s->vm[i];
        machine_snapr_get(&r, o, sizeof *o);
        o->ptmap = NULL;
        o->disk = NULL;
        o->out = NULL;
        if (r.failed || o->base != v->vm[i].base || o->shadow_l1 != v->vm[i].shadow_l1 ||
            o->pool_base != v->vm[i].pool_base || o->pool_used > v->cfg.shadow_pool ||
            (unsigned)o->state > VM_FAILED || o->out_len > r.len - r.pos) {
            snprintf(err, errlen, "VM %u's state does not fit this hypervisor (damaged?)", i);
            goto fail;
        }
        o->reason[sizeof o->reason - 1] = '\0';
        o->ptmap = malloc(s->ptmap_len);
        o->disk = malloc(s->disk_len ? s->disk_len : 1);
        o->out = malloc(o->out_len + 1);
        if (!o->ptmap || !o->disk || !o->out) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        machine_snapr_get(&r, o->ptmap, s->ptmap_len);
        machine_snapr_get(&r, o->disk, s->disk_len);
        machine_snapr_get(&r, o->out, o->out_len);
        o->out[o->out_len] = '\0';
        o->out_cap = o->out_len + 1;
    }
    if (r.failed || s->core.cur < -1 || s->core.cur >= (int)n) {
        snprintf(err, errlen, "the file ends in the middle of the hypervisor's state");
        goto fail;
    }
    m = machine_snapshot_get(&r, err, errlen);
    if (!m)
        goto fail;
    const machine_config *mc = machine_get_config(m), *vc = machine_get_config(v->m);
    if (mc->mem_size != vc->mem_size || mc->disk_sectors != vc->disk_sectors) {
        snprintf(err, errlen, "the machine in the file is not the one this hypervisor builds");
        goto fail;
    }
    s->ms = machine_save(m);
    if (!s->ms || !vmm_restore(v, s)) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    machine_free(m);
    vmm_snapshot_free(s);
    free(core);
    free(buf);
    return v;
fail:
    machine_free(m);
    vmm_snapshot_free(s);
    vmm_free(v);
    free(core);
    free(buf);
    return NULL;
}
