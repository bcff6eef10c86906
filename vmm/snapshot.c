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
    return true;
}
