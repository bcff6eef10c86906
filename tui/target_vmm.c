/*
 * target_vmm.c -- the hypervisor as a target of the terminal UI (see
 * target_vmm.h).  Going back uses the VMM's own snapshots (vmm_save: the
 * machine plus the VMM's state outside it, such as virtual CPUs, shadow
 * tables and statistics), so the model keeps checkpoints along the run as
 * it does for the bare machine and a step back replays at most one
 * checkpoint interval, however long the run has been.
 */
#include "tui/target_vmm.h"

#ifdef TUI_HAVE_VMM

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    vmm_config cfg;
    image kernels[VMM_MAX_VMS];
    size_t nkernels;
    unsigned kernel_of[VMM_MAX_VMS]; /* VM i runs kernels[kernel_of[i]] */
    image progs[VMM_MAX_VMS];
    char names[VMM_MAX_VMS][16];    /* per VM */
    size_t nprogs;
    image merged[VMM_MAX_VMS];      /* VM i's kernel + program: what the code pane names */
    vmm *v;
    tui_model *model;
    char kind[32];                  /* the top bar's "Type-1 VMM, bt" */
} vmm_target;

static const tui_handler handler_map[VMM_BY_COUNT] = {
    [VMM_BY_HARDWARE] = TUI_HANDLER_HARDWARE,
    [VMM_BY_EMULATION] = TUI_HANDLER_EMULATE,
    [VMM_BY_REFLECTION] = TUI_HANDLER_REFLECT,
    [VMM_BY_SHADOW] = TUI_HANDLER_SHADOW,
    [VMM_BY_HOST] = TUI_HANDLER_HOST,
    [VMM_BY_HYPERCALL] = TUI_HANDLER_HYPERCALL,
    [VMM_BY_SCHEDULER] = TUI_HANDLER_SCHEDULER,
    [VMM_BY_TRANSLATION] = TUI_HANDLER_EMULATE,     /* a callout emulates; explain.c says "translat" */
};

static const tui_event_kind kind_map[VMM_EV_COUNT] = {
    [VMM_EV_EXIT] = TUI_EV_EXIT,
    [VMM_EV_STEP] = TUI_EV_STEP,
    [VMM_EV_INJECT] = TUI_EV_INJECT,
    [VMM_EV_SWITCH] = TUI_EV_SWITCH,
    [VMM_EV_VIOLATION] = TUI_EV_VIOLATION,
    [VMM_EV_VM_STOP] = TUI_EV_VM_STOP,
};

static void on_event(vmm *v, const vmm_event *e, void *ud)
{
    vmm_target *t = ud;
    if (!t->model)
        return;
    machine *m = vmm_machine(v);
    tui_event te = {
        .kind = (unsigned)e->kind < VMM_EV_COUNT ? kind_map[e->kind] : TUI_EV_EXIT,
        .cause = e->cause, .pc = e->pc, .insn = e->insn, .addr = e->addr,
        .ring_from = e->ring_from, .ring_to = e->ring_to,
        .vring_from = e->vring_from, .vring_to = e->vring_to,
        .handler = (unsigned)e->handler < VMM_BY_COUNT ? handler_map[e->handler] : TUI_HANDLER_EMULATE,
        .vm = e->vm, .cycles = e->cycles, .at_cycle = e->at,
        .instret = machine_instret(m), .traps = machine_get_stats(m)->traps_total,
        .host_type = vmm_host_is_hosted(t->cfg.host) ? 2 : 1,
        .para = t->cfg.design == VMM_DESIGN_PARA,
        .exit_reason = (uint8_t)e->reason,
    };
    snprintf(te.what, sizeof te.what, "%s", vmm_event_what(e));
    tui_model_record(t->model, &te);
}

static vmm *build(vmm_target *t, char *err, size_t errlen)
{
    vmm *v = vmm_new(&t->cfg, err, errlen);
    if (!v)
        return NULL;
    for (unsigned i = 0; i < t->cfg.nvms; i++) {
        if (!vmm_load(v, i, &t->kernels[t->kernel_of[i]], &t->progs[i % t->nprogs], err, errlen)) {
            vmm_free(v);
            return NULL;
        }
    }
    vmm_set_event_fn(v, on_event, t);
    return v;
}

static int by_value(const void *a, const void *b)
{
    const image_symbol *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int by_addr(const void *a, const void *b)
{
    const image_line *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* The symbols, lines and segments of two images as one (deep copies), so
 * that the code pane names both the kernel and the program. */
static bool merge(image *out, const image *a, const image *b)
{
    image_init(out);
    const image *in[2] = { a, b };
    size_t nsegs = a->nsegs + b->nsegs, nsyms = a->nsyms + b->nsyms;
    size_t nlines = a->nlines + b->nlines, nfiles = a->nfiles + b->nfiles;
    out->segs = calloc(nsegs ? nsegs : 1, sizeof *out->segs);
    out->syms = calloc(nsyms ? nsyms : 1, sizeof *out->syms);
    out->lines = calloc(nlines ? nlines : 1, sizeof *out->lines);
    out->files = calloc(nfiles ? nfiles : 1, sizeof *out->files);
    if (!out->segs || !out->syms || !out->lines || !out->files)
        goto fail;
    out->entry = a->entry;
    for (int k = 0; k < 2; k++) {
        size_t file_base = out->nfiles;
        for (size_t i = 0; i < in[k]->nsegs; i++) {
            /* Only the ranges matter here (image_line_at checks them), not the bytes. */
            out->segs[out->nsegs] = (image_segment){ in[k]->segs[i].addr, in[k]->segs[i].size, NULL };
            out->nsegs++;
        }
        for (size_t i = 0; i < in[k]->nsyms; i++) {
            char *name = strdup(in[k]->syms[i].name);
            if (!name)
                goto fail;
            out->syms[out->nsyms++] = (image_symbol){ name, in[k]->syms[i].value, in[k]->syms[i].global };
        }
        for (size_t i = 0; i < in[k]->nfiles; i++) {
            if (!(out->files[out->nfiles] = strdup(in[k]->files[i])))
                goto fail;
            out->nfiles++;
        }
        for (size_t i = 0; i < in[k]->nlines; i++) {
            image_line l = in[k]->lines[i];
            l.file += (uint32_t)file_base;
            out->lines[out->nlines++] = l;
        }
    }
    qsort(out->syms, out->nsyms, sizeof *out->syms, by_value);
    qsort(out->lines, out->nlines, sizeof *out->lines, by_addr);
    return true;
fail:
    image_free(out);
    return false;
}

static void target_free(vmm_target *t)
{
    if (!t)
        return;
    vmm_free(t->v);
    for (size_t i = 0; i < t->nprogs; i++)
        image_free(&t->progs[i]);
    for (size_t i = 0; i < VMM_MAX_VMS; i++)
        image_free(&t->merged[i]);
    for (size_t i = 0; i < t->nkernels; i++)
        image_free(&t->kernels[i]);
    free(t);
}

/* "prog" from "/tmp/x/prog.s": a VM's name, which a path would fill with its folders. */
static void short_name(char *out, size_t n, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strlen(base);
    if (len > 2 && (strcmp(base + len - 2, ".s") == 0))
        len -= 2;
    else if (len > 4 && strcmp(base + len - 4, ".tlo") == 0)
        len -= 4;
    snprintf(out, n, "%.*s", (int)len, base);
}

void *tui_vmm_target_new_guests(const vmm_config *cfg, image *kernels, size_t nkernels,
                                const unsigned *kernel_of, const char *const *kernel_names,
                                image *progs, const char *const *names, size_t nprogs,
                                char *err, size_t errlen)
{
    if (nprogs == 0 || nprogs > VMM_MAX_VMS) {
        snprintf(err, errlen, "between 1 and %d workloads", VMM_MAX_VMS);
        return NULL;
    }
    if (nkernels == 0 || nkernels > VMM_MAX_VMS || cfg->nvms > VMM_MAX_VMS) {
        snprintf(err, errlen, "between 1 and %d guest kernels", VMM_MAX_VMS);
        return NULL;
    }
    for (unsigned i = 0; kernel_of && i < cfg->nvms; i++)
        if (kernel_of[i] >= nkernels) {
            snprintf(err, errlen, "VM %u: no such guest kernel", i);
            return NULL;
        }
    vmm_target *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->cfg = *cfg;
    t->nkernels = nkernels;
    for (size_t i = 0; i < nkernels; i++) {
        t->kernels[i] = kernels[i];
        image_init(&kernels[i]);
    }
    t->nprogs = nprogs;
    for (size_t i = 0; i < nprogs; i++) {
        t->progs[i] = progs[i];
        image_init(&progs[i]);
    }
    bool ok = true;
    for (unsigned i = 0; i < cfg->nvms; i++) {
        t->kernel_of[i] = kernel_of ? kernel_of[i] : i % (unsigned)nkernels;
        /* A VM with a kernel of its own is named by it (a rogue kernel beside
         * good ones), the others by their workload. */
        const char *name = names && names[i % nprogs] ? names[i % nprogs] : "guest";
        if (t->kernel_of[i] != 0 && kernel_names && kernel_names[t->kernel_of[i]])
            name = kernel_names[t->kernel_of[i]];
        short_name(t->names[i], sizeof t->names[i], name);
        if (ok)
            ok = merge(&t->merged[i], &t->kernels[t->kernel_of[i]], &t->progs[i % nprogs]);
    }
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        target_free(t);
        return NULL;
    }
    t->v = build(t, err, errlen);
    if (!t->v) {
        target_free(t);
        return NULL;
    }
    return t;
}

void *tui_vmm_target_new(const vmm_config *cfg, image *kernel, image *progs,
                         const char *const *names, size_t nprogs, char *err, size_t errlen)
{
    return tui_vmm_target_new_guests(cfg, kernel, 1, NULL, NULL, progs, names, nprogs, err, errlen);
}

static machine *t_machine(void *self) { return vmm_machine(((vmm_target *)self)->v); }
static machine_stop t_run(void *self, uint64_t n) { return vmm_run(((vmm_target *)self)->v, n); }
static unsigned t_vm_count(void *self) { return vmm_nvms(((vmm_target *)self)->v); }
static int t_current_vm(void *self) { return vmm_current(((vmm_target *)self)->v); }

static void t_vm_info(void *self, unsigned i, tui_vm_info *out)
{
    vmm_target *t = self;
    memset(out, 0, sizeof *out);
    if (i >= vmm_nvms(t->v))
        return;
    snprintf(out->name, sizeof out->name, "%s", t->names[i]);
    snprintf(out->state, sizeof out->state, "%s", vmm_vm_state_name(vmm_vm_state_of(t->v, i)));
    for (unsigned r = 1; r < ISA_NUM_REGS; r++)
        out->vcpu.r[r] = vmm_guest_reg(t->v, i, r);
    out->vcpu.pc = vmm_guest_pc(t->v, i);
    const vmm_vcpu *vc = vmm_vcpu_of(t->v, i);
    if (vc)
        memcpy(out->vcpu.cr, vc->cr, sizeof out->vcpu.cr);
    /* --design hw: while the VM is in guest mode its control registers are
     * the processor's own (banked); the VMM's copy is as of the last exit. */
    machine *m = vmm_machine(t->v);
    if (machine_guest_mode(m) && (int)i == vmm_current(t->v))
        for (unsigned c = 0; c < ISA_NUM_CRS; c++)
            if (c != CR_TIMECMP && c != CR_CYCLE)
                out->vcpu.cr[c] = machine_get_cr(m, c);
    const vmm_stats *st = vmm_vm_stats(t->v, i);
    if (st) {
        out->exits = st->exits;
        out->emulated = st->emulated;
        out->reflected = st->reflected;
        out->hypercalls = st->hypercalls;
        out->cycles = st->guest_cycles + st->vmm_cycles + st->host_cycles;
    }
}

static void *t_save(void *self) { return vmm_save(((vmm_target *)self)->v); }

static void t_restore(void *self, const void *snap)
{
    /* Fails only for a snapshot of another VMM shape (never here: every
     * snapshot the model holds was taken from this VMM) or when a console
     * buffer cannot grow, and then leaves the VMM untouched, as the bare
     * machine's restore cannot report either. */
    (void)vmm_restore(((vmm_target *)self)->v, snap);
}

static void t_snap_free(void *snap) { vmm_snapshot_free(snap); }

/* An upper estimate (the model sizes its checkpoint budget with it): the real
 * memory and disk, and per VM its page map, virtual disk and console so far. */
static size_t t_snap_size(void *self)
{
    vmm_target *t = self;
    machine *m = vmm_machine(t->v);
    size_t n = (size_t)machine_mem_size(m) +
               (size_t)machine_get_config(m)->disk_sectors * BLOCK_SECTOR_SIZE + 4096;
    for (unsigned i = 0; i < vmm_nvms(t->v); i++) {
        size_t out = 0;
        vmm_console(t->v, i, &out);
        n += t->cfg.part_size / PAGE_SIZE / 8 + 1 + (size_t)t->cfg.disk_sectors * BLOCK_SECTOR_SIZE +
             out + sizeof(tui_vm_info);
    }
    return n;
}

static void t_attach(void *self, tui_model *m) { ((vmm_target *)self)->model = m; }
static void t_destroy(void *self) { target_free(self); }

static const image *t_image(void *self, int vm)
{
    vmm_target *t = self;
    return &t->merged[vm < 0 || (unsigned)vm >= t->cfg.nvms ? 0 : (size_t)vm];
}

static const char *t_console(void *self, int vm, size_t *len)
{
    vmm_target *t = self;
    if (vm < 0) {
        if (len)
            *len = 0;
        return "";
    }
    return vmm_console(t->v, (unsigned)vm, len);
}

/* The host and, beside trap-and-emulate, the design: "Type-1 VMM, bt". */
static const char *t_kind(void *self)
{
    vmm_target *t = self;
    const vmm_config *c = &t->cfg;
    snprintf(t->kind, sizeof t->kind, "%s VMM%s%s", vmm_host_is_hosted(c->host) ? "Type-2" : "Type-1",
             c->design == VMM_DESIGN_FULL ? "" : ", ", c->design == VMM_DESIGN_FULL ? "" : vmm_design_name(c->design));
    return t->kind;
}

static bool t_read_gpa(void *self, int vm, uint32_t gpa, void *buf, size_t n)
{
    return vm >= 0 && vmm_read_gpa(((vmm_target *)self)->v, (unsigned)vm, gpa, buf, n);
}

static bool t_gpa_to_pa(void *self, int vm, uint32_t gpa, uint32_t *pa)
{
    vmm_target *t = self;
    if (vm < 0 || (unsigned)vm >= vmm_nvms(t->v) || gpa > t->cfg.part_size - 4)
        return false;
    *pa = vmm_partition_base(t->v, (unsigned)vm) + gpa;
    return true;
}

static bool t_save_file(void *self, FILE *f, char *err, size_t errlen)
{
    return vmm_save_file(((vmm_target *)self)->v, f, err, errlen);
}

static size_t t_bars(void *self, tui_bar *out, size_t max)
{
    vmm_target *t = self;
    vmm_stats s;
    vmm_total_stats(t->v, &s);
    uint64_t total = s.guest_cycles + s.vmm_cycles + s.host_cycles;
    size_t n = 0;
    if (n < max) out[n++] = (tui_bar){ "guest", s.guest_cycles, total };
    if (n < max) out[n++] = (tui_bar){ "VMM", s.vmm_cycles, total };
    if (n < max && vmm_host_is_hosted(t->cfg.host))
        out[n++] = (tui_bar){ "host OS", s.host_cycles, total };
    return n;
}

const tui_target_ops tui_vmm_target_ops = {
    .kind = "VMM", .kind_of = t_kind,
    .machine = t_machine, .run = t_run,
    .vm_count = t_vm_count, .vm_info = t_vm_info, .current_vm = t_current_vm,
    .save = t_save, .restore = t_restore, .snap_free = t_snap_free, .snap_size = t_snap_size,
    .image = t_image, .console = t_console, .bars = t_bars, .read_guest_phys = t_read_gpa,
    .gpa_to_pa = t_gpa_to_pa, .save_file = t_save_file,
    .attach = t_attach, .destroy = t_destroy,
};

#endif
