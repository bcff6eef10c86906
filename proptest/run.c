/*
 * run.c -- one rogue guest next to two known-good VMs under one
 * configuration, and the checks (docs/fuzzing.md, "Property tests"):
 *
 *   equivalence  each good VM halts and prints exactly its native output;
 *   isolation    each good VM's partition, shadow page tables and disk, and
 *                the VMM's own page, end byte for byte as they end when the
 *                rogue is a guest that halts at once (the good guests never
 *                take a timer tick, so their memory depends on nothing but
 *                themselves); the rogue's shadow tables never map a frame
 *                outside its partition (checked whenever it leaves the CPU);
 *                with `deep`, also nothing outside the rogue's partition
 *                changes during any of its turns on the CPU;
 *   preemption   while another VM is runnable, no VM takes an exit later
 *                than its slice plus PT_PREEMPT_SLACK cycles after it got
 *                the CPU, and it leaves the CPU within one exit after that;
 *   robustness   every vmm_run call returns within its instruction limit,
 *                never with STOP_NONE (crashes and hangs are the driver's
 *                business: it runs this in a child with a watchdog);
 *   determinism  the trace hash (every event, console, register and
 *                counter) is the caller's to compare across two runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "proptest/proptest.h"

/* ---- the designs and hosts ---------------------------------------------------------- */
/*
 * The designs are the VMM's own table (VMM_DESIGNS in vmm/vmm.h): every
 * design this traplab has built in is covered, so a new one is tested the
 * day it lands.  (Before the VMM had the table, full and para were the two.)
 */
#define MAX_DESIGNS 8
#define NHOSTS 2

typedef struct {
    const char *name;
    const char *define;       /* how the known-good guests are built for it */
    int value;                /* the vmm_config design, -1 before the VMM had one */
} design;

static design designs[MAX_DESIGNS];
static size_t ndesigns;

static void init_designs(void)
{
    if (ndesigns)
        return;
#ifdef VMM_DESIGNS
    for (int d = 0; d < VMM_DESIGN_COUNT && ndesigns < MAX_DESIGNS; d++)
        if (vmm_design_available((vmm_design)d))
            designs[ndesigns++] = (design){ vmm_design_name((vmm_design)d),
                                            vmm_design_guest_define((vmm_design)d), d };
#else
    designs[ndesigns++] = (design){ "full", NULL, -1 };
    designs[ndesigns++] = (design){ "para", "PARAVIRT", -1 };
#endif
}

static void set_design(vmm_config *cfg, size_t d)
{
#ifdef VMM_DESIGNS
    cfg->design = (vmm_design)designs[d].value;
#else
    (void)cfg;
    (void)d;
#endif
}

size_t pt_ndesigns(void) { init_designs(); return ndesigns; }
const char *pt_design_name(size_t d) { init_designs(); return d < ndesigns ? designs[d].name : NULL; }
size_t pt_nconfigs(void) { init_designs(); return ndesigns * NHOSTS; }

const char *pt_config_name(size_t c, char *buf, size_t n)
{
    init_designs();
    snprintf(buf, n, "%s/%s", designs[c / NHOSTS].name, vmm_host_name((vmm_host)(c % NHOSTS)));
    return buf;
}

bool pt_parse_config(const char *s, size_t *out)
{
    char buf[64];
    for (size_t c = 0; c < pt_nconfigs(); c++)
        if (strcmp(pt_config_name(c, buf, sizeof buf), s) == 0) {
            *out = c;
            return true;
        }
    return false;
}

/* ---- the known-good guests ------------------------------------------------------------ */
#define NGOOD 2
static const char *const good_names[NGOOD] = { "io", "sys" };
#define NSLICES 4
#define REF_KEYS (MAX_DESIGNS * NHOSTS * PT_NVMS)

/* What the good VMs leave behind next to a guest that halts at once. */
enum { AREA_PART, AREA_SHADOW, AREA_DISK, NAREAS };
static const char *const area_names[NAREAS] = { "partition", "shadow page tables", "disk" };
typedef struct {
    bool done;
    uint8_t *area[NGOOD][NAREAS];
    size_t len[NGOOD][NAREAS];
} reference;

struct pt_env {
    image kernel[MAX_DESIGNS];
    image work[MAX_DESIGNS][NGOOD];
    char *native[MAX_DESIGNS][NGOOD];
    image halter;                     /* the rogue of the reference runs: halts at once */
    reference ref[REF_KEYS];
};

static bool assemble(const char *name, const char *src, const char *path, const char *define,
                     image *out, char *err, size_t errlen)
{
    static const char *dirs[] = { "guest" };
    const char *defs[2];
    size_t nd = 0;
    if (define)
        defs[nd++] = define;
    /* small workloads: the good VMs take about 1.3 million cycles together */
    if (path && strcmp(name, "sys") == 0)
        defs[nd++] = "ITERS=5";
    if (path && strcmp(name, "io") == 0)
        defs[nd++] = "SECTORS=1";
    char *diag = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&diag, &dlen);
    asm_options o;
    memset(&o, 0, sizeof o);
    o.include_dirs = dirs;
    o.ninclude_dirs = 1;
    o.defines = defs;
    o.ndefines = nd;
    o.diag = df;
    image_init(out);
    int n = path ? asm_assemble_file(path, &o, out) : asm_assemble_string(name, src, &o, out);
    if (df)
        fclose(df);
    if (n)
        snprintf(err, errlen, "%s: %.200s", path ? path : name, diag ? diag : "errors");
    free(diag);
    return n == 0;
}

pt_env *pt_env_new(char *err, size_t errlen)
{
    init_designs();
    pt_env *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t d = 0; d < ndesigns; d++) {
        if (!assemble("kernel", NULL, "guest/kernel.s", designs[d].define, &e->kernel[d], err, errlen))
            goto fail;
        for (size_t w = 0; w < NGOOD; w++) {
            char path[64];
            snprintf(path, sizeof path, "guest/%s.s", good_names[w]);
            if (!assemble(good_names[w], NULL, path, designs[d].define, &e->work[d][w], err, errlen))
                goto fail;
            /* Native means the unmodified guest on the bare machine, for every
             * design (a paravirtualized kernel cannot run natively). */
            vmm_config cfg;
            vmm_default_config(&cfg);
            vmm_native_result nr;
            if (!vmm_run_native(&cfg, &e->kernel[0], &e->work[0][w], 50000000, &nr, err, errlen))
                goto fail;
            if (nr.stop != STOP_HALT) {
                snprintf(err, errlen, "%s/%s does not halt natively: %s", designs[d].name,
                         good_names[w], nr.reason);
                vmm_native_result_free(&nr);
                goto fail;
            }
            e->native[d][w] = nr.console;
        }
    }
    if (!assemble("halt.s", "        .org 0x1000\n_start: halt\n", NULL, NULL, &e->halter, err, errlen))
        goto fail;
    return e;
fail:
    pt_env_free(e);
    return NULL;
}

void pt_env_free(pt_env *e)
{
    if (!e)
        return;
    for (size_t d = 0; d < MAX_DESIGNS; d++) {
        image_free(&e->kernel[d]);
        for (size_t w = 0; w < NGOOD; w++) {
            image_free(&e->work[d][w]);
            free(e->native[d][w]);
        }
    }
    image_free(&e->halter);
    for (size_t k = 0; k < REF_KEYS; k++)
        for (size_t g = 0; g < NGOOD; g++)
            for (size_t a = 0; a < NAREAS; a++)
                free(e->ref[k].area[g][a]);
    free(e);
}

/* ---- hashing ------------------------------------------------------------------------------ */
static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0x100000001b3ull;
}

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return mix(h, n);
}

/* ---- the run ------------------------------------------------------------------------------- */
#define PT_CHUNK          50000u      /* real instructions per vmm_run call */
#define PT_GOOD_CYCLES 30000000u      /* the good VMs must be done within this many cycles */
#define PT_INSN_LIMIT  30000000u      /* and real instructions (a spinning rogue runs one a cycle) */
#define PT_ROGUE_EXTRA     1000u      /* then the rogue alone runs this many more */
#define PT_PREEMPT_SLACK   2000u      /* an instruction, a TLB walk and the trap */
#define PT_BG_PERCENT        10u      /* Type-2: the host's background share (2% by default) */

typedef struct {
    vmm *v;
    pt_result *r;
    int rogue;
    uint32_t slice;               /* what the checker expects */
    pt_plant plant;
    bool planted;
    uint64_t trace;
    int cur;                      /* VM on the CPU, per the switch events */
    uint64_t t0, last_exit;       /* cycles when cur got the CPU; when its last exit began */
    uint64_t last_exit_end;
    uint32_t vm_switch;
    bool alone;                   /* cur was the only runnable VM at some exit */
    bool deep;
    uint8_t *snap;                /* deep: everything outside the rogue, at its switch-in */
    size_t snap_len;
    size_t nshadow_checks;
} run_ctx;

static void violation(pt_result *r, const char *fmt, ...)
{
    if (r->nviol >= PT_MAX_VIOLATIONS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->viol[r->nviol++], sizeof r->viol[0], fmt, ap);
    va_end(ap);
}

static bool others_runnable(const vmm *v, int cur)
{
    for (unsigned i = 0; i < vmm_nvms(v); i++)
        if ((int)i != cur && vmm_vm_state_of(v, i) == VM_RUNNABLE)
            return true;
    return false;
}

/* Everything outside the rogue's partition and shadow pages, in one buffer. */
static size_t outside_rogue(vmm *v, int rogue, uint8_t *out)
{
    machine *m = vmm_machine(v);
    const uint8_t *mem = machine_mem(m);
    uint32_t size = machine_mem_size(m);
    uint32_t pb = vmm_partition_base(v, (unsigned)rogue), ps = vmm_get_config(v)->part_size;
    uint32_t sb = 0, ss = 0;
    vmm_shadow_range(v, (unsigned)rogue, &sb, &ss);
    size_t n = 0;
    /* [0, sb) [sb+ss, pb) [pb+ps, size): the layout puts shadows below partitions */
    uint32_t cuts[4][2] = { { 0, sb }, { sb + ss, pb }, { pb + ps, size }, { 0, 0 } };
    for (int k = 0; k < 3; k++) {
        if (cuts[k][1] <= cuts[k][0])
            continue;
        if (out)
            memcpy(out + n, mem + cuts[k][0], cuts[k][1] - cuts[k][0]);
        n += cuts[k][1] - cuts[k][0];
    }
    for (unsigned i = 0; i < vmm_nvms(v); i++) {
        if ((int)i == rogue)
            continue;
        size_t len = 0;
        const uint8_t *d = vmm_disk_data(v, i, &len);
        if (out && d)
            memcpy(out + n, d, len);
        n += len;
    }
    return n;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The rogue's shadow page tables map nothing but its own partition. */
static void check_shadow(run_ctx *c)
{
    vmm *v = c->v;
    machine *m = vmm_machine(v);
    const uint8_t *mem = machine_mem(m);
    uint32_t sb, ss;
    if (!vmm_shadow_range(v, (unsigned)c->rogue, &sb, &ss))
        return;
    uint32_t pb = vmm_partition_base(v, (unsigned)c->rogue), pe = pb + vmm_get_config(v)->part_size;
    c->nshadow_checks++;
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t l1 = rd32(mem + sb + 4 * i);
        if (!(l1 & PTE_V))
            continue;
        uint32_t l2 = PTE_FRAME(l1);
        if (l2 < sb + PAGE_SIZE || l2 >= sb + ss) {
            violation(c->r, "isolation: the rogue's shadow level-1 entry %u points at 0x%08x, "
                      "outside its shadow pool 0x%08x..0x%08x", i, l2, sb + PAGE_SIZE, sb + ss);
            return;
        }
        for (uint32_t j = 0; j < 1024; j++) {
            uint32_t pte = rd32(mem + l2 + 4 * j);
            if ((pte & PTE_V) && (PTE_FRAME(pte) < pb || PTE_FRAME(pte) >= pe)) {
                violation(c->r, "isolation: the rogue's shadow maps va 0x%08x to real 0x%08x, "
                          "outside its partition 0x%08x..0x%08x", i << 22 | j << 12,
                          PTE_FRAME(pte), pb, pe);
                return;
            }
        }
    }
}

static void compare_snapshot(run_ctx *c, const char *when)
{
    if (!c->deep || !c->snap)
        return;
    uint8_t *now = malloc(c->snap_len);
    if (!now)
        return;
    outside_rogue(c->v, c->rogue, now);
    if (memcmp(now, c->snap, c->snap_len) != 0) {
        size_t k = 0;
        while (now[k] == c->snap[k])
            k++;
        violation(c->r, "isolation: byte %zu outside the rogue's partition and shadows "
                  "(of %zu checked) changed during its turn on the CPU (%s)", k, c->snap_len, when);
    }
    free(now);
}

/* A VM leaves the CPU: was it on time, and (the rogue) did it stay inside? */
static void turn_ends(run_ctx *c, uint64_t at, const char *why)
{
    if (c->cur < 0)
        return;
    if (!c->alone) {
        /* The last exit began within the slice (plus one instruction and the
         * trap), and the switch followed it (the Type-2 host's background
         * share, PT_BG_PERCENT of the slice at most, comes in between). */
        uint64_t late = c->t0 + c->slice + PT_PREEMPT_SLACK;
        if (c->last_exit > late)
            violation(c->r, "preemption: VM %d began an exit at cycle %llu, %llu cycles after it got "
                      "the CPU (slice %u): it should have been preempted (%s)", c->cur,
                      (unsigned long long)c->last_exit, (unsigned long long)(c->last_exit - c->t0),
                      c->slice, why);
        uint64_t after = c->last_exit_end + c->vm_switch + (uint64_t)c->slice * PT_BG_PERCENT / 100 +
                         PT_PREEMPT_SLACK;
        if (strcmp(why, "switched away") == 0 && at > after)
            violation(c->r, "preemption: VM %d left the CPU at cycle %llu, %llu cycles after its "
                      "last exit ended", c->cur, (unsigned long long)at,
                      (unsigned long long)(at - c->last_exit_end));
    }
    if (c->cur == c->rogue) {
        check_shadow(c);
        compare_snapshot(c, why);
    }
}

static void turn_starts(run_ctx *c, int vm, uint64_t at)
{
    c->cur = vm;
    c->t0 = at;
    c->last_exit = c->last_exit_end = at;
    c->alone = !others_runnable(c->v, vm);
    if (vm == c->rogue && c->deep && c->snap)
        outside_rogue(c->v, c->rogue, c->snap);
}

static void on_event(vmm *v, const vmm_event *e, void *ud)
{
    run_ctx *c = ud;
    uint64_t h = c->trace;
    h = mix(h, (uint64_t)e->kind << 32 | (uint32_t)(e->vm + 1));
    h = mix(h, (uint64_t)e->cause << 32 | e->pc);
    h = mix(h, (uint64_t)e->insn << 32 | e->addr);
    h = mix(h, (uint64_t)e->vring_from << 24 | (uint64_t)e->vring_to << 16 | e->ring_from << 8 | e->ring_to);
    h = mix(h, (uint64_t)e->handler);
    h = mix(h, e->cycles);
    h = mix(h, e->at);
    /* An exit's line is a function of its fields (vmm_event_what): hash
     * them rather than format it. */
    const char *w = e->what ? e->what : e->note;
    if (w)
        h = hash_bytes(h, w, strlen(w));
    h = mix(h, (uint64_t)e->a0 << 8 | e->detail);
    h = mix(h, (uint64_t)e->args[0] << 32 | e->args[1]);
    h = mix(h, e->args[2]);
    c->trace = h;

    if (e->kind == VMM_EV_SWITCH) {
        if (e->vm != c->cur) {
            turn_ends(c, e->at, "switched away");
            turn_starts(c, e->vm, e->at);
        }
        return;
    }
    if (e->vm == c->cur && e->vm >= 0 && e->kind != VMM_EV_EXIT)
        c->last_exit_end = e->at;        /* a step of the VMM's work (translation, a callout, ...) */
    if (e->vm == c->cur && e->vm >= 0 && e->kind == VMM_EV_EXIT) {
        c->last_exit = e->at - (e->cycles < e->at ? e->cycles : e->at);
        c->last_exit_end = e->at;
        if (!others_runnable(v, c->cur))
            c->alone = true;
    }
    if (e->vm == c->rogue && e->vm == c->cur && !c->planted) {
        machine *m = vmm_machine(v);
        if (c->plant == PT_PLANT_NEIGHBOUR_WRITE) {
            unsigned good = (unsigned)(c->rogue + 1) % PT_NVMS;
            machine_mem(m)[vmm_partition_base(v, good) + 0xf0000] ^= 0x40;
            c->planted = true;
        } else if (c->plant == PT_PLANT_VMM_WRITE) {
            machine_mem(m)[100] ^= 0x01;
            c->planted = true;
        }
    }
}

/* A good VM's partition, shadow pages or disk, where they are now. */
static const uint8_t *area_of(vmm *v, unsigned i, int a, size_t *len)
{
    uint8_t *mem = machine_mem(vmm_machine(v));
    uint32_t b = 0, sz = 0;
    switch (a) {
    case AREA_PART:
        *len = vmm_get_config(v)->part_size;
        return mem + vmm_partition_base(v, i);
    case AREA_SHADOW:
        vmm_shadow_range(v, i, &b, &sz);
        *len = sz;
        return mem + b;
    default:
        return vmm_disk_data(v, i, len);
    }
}

typedef struct {
    bool deep;
    const image *rogue_kernel, *rogue_prog;
} run_spec;

/* One run: builds the VMM, loads the guests, runs, checks. */
static bool run_once(pt_env *e, const pt_guest *g, size_t config, const run_spec *sp,
                     pt_plant plant, pt_result *r, reference *ref_out, char *err, size_t errlen)
{
    size_t d = config / NHOSTS;
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = PT_NVMS;
    set_design(&cfg, d);
    cfg.host = (vmm_host)(config % NHOSTS);
    cfg.slice = g->slice;
    cfg.disk_sectors = 64;
    vmm *v = vmm_new(&cfg, err, errlen);
    if (!v)
        return false;
    int rogue = (int)g->slot;
    unsigned goodvm[NGOOD], ng = 0;
    for (unsigned i = 0; i < PT_NVMS; i++) {
        if ((int)i == rogue)
            continue;
        goodvm[ng] = i;
        if (!vmm_load(v, i, &e->kernel[d], &e->work[d][ng], err, errlen)) {
            vmm_free(v);
            return false;
        }
        ng++;
    }
    char lerr[160];
    r->loaded = vmm_load(v, (unsigned)rogue, sp->rogue_kernel, sp->rogue_prog, lerr, sizeof lerr);
    if (!r->loaded)
        snprintf(r->rogue_state, sizeof r->rogue_state, "refused: %.140s", lerr);
    uint8_t vmm_page0[PAGE_SIZE];
    memcpy(vmm_page0, machine_mem(vmm_machine(v)), PAGE_SIZE);

    run_ctx c;
    memset(&c, 0, sizeof c);
    c.v = v;
    c.r = r;
    c.rogue = rogue;
    c.slice = plant == PT_PLANT_LATE_SLICE ? g->slice / 10 : g->slice;
    c.plant = plant;
    c.cur = -1;
    c.vm_switch = cfg.costs.vm_switch;
    c.trace = 0xcbf29ce484222325ull;
    c.deep = sp->deep;
    if (c.deep) {
        c.snap_len = outside_rogue(v, rogue, NULL);
        c.snap = malloc(c.snap_len);
    }
    vmm_set_event_fn(v, on_event, &c);

    machine *m = vmm_machine(v);
    uint64_t total = 0, extra = 0;
    bool goods_done = false;
    for (;;) {
        uint64_t before = machine_instret(m);
        uint64_t want = goods_done ? PT_ROGUE_EXTRA - extra : PT_CHUNK;
        machine_stop s = vmm_run(v, want);
        uint64_t ran = machine_instret(m) - before;
        total += ran;
        if (s == STOP_NONE)
            violation(r, "robustness: vmm_run returned STOP_NONE");
        if (ran > want)
            violation(r, "robustness: vmm_run ran %llu instructions, past its limit of %llu",
                      (unsigned long long)ran, (unsigned long long)want);
        if (s != STOP_LIMIT || ran == 0)
            break;
        if (goods_done) {
            extra += ran;
            if (extra >= PT_ROGUE_EXTRA)
                break;
            continue;
        }
        goods_done = true;
        for (unsigned k = 0; k < NGOOD; k++)
            if (vmm_vm_state_of(v, goodvm[k]) == VM_RUNNABLE)
                goods_done = false;
        if (!goods_done && (machine_cycles(m) >= PT_GOOD_CYCLES || total >= PT_INSN_LIMIT))
            break;
    }
    if (c.cur >= 0)
        turn_ends(&c, machine_cycles(m), "end of the run");
    r->insns = machine_instret(m);

    /* the good VMs: native output, halted, memory as in the reference */
    for (unsigned k = 0; k < NGOOD; k++) {
        unsigned i = goodvm[k];
        size_t len;
        const char *out = vmm_console(v, i, &len);
        if (vmm_vm_state_of(v, i) != VM_HALTED)
            violation(r, "equivalence: good VM %u (%s) is %s after %llu instructions and %llu "
                      "cycles%s%s", i, good_names[k], vmm_vm_state_name(vmm_vm_state_of(v, i)),
                      (unsigned long long)r->insns, (unsigned long long)machine_cycles(m),
                      *vmm_vm_reason(v, i) ? ": " : "", vmm_vm_reason(v, i));
        else if (strlen(e->native[d][k]) != len || memcmp(out, e->native[d][k], len) != 0)
            violation(r, "equivalence: good VM %u (%s) printed %zu bytes that differ from its "
                      "native output (%zu bytes)", i, good_names[k], len, strlen(e->native[d][k]));
    }
    if (memcmp(vmm_page0, machine_mem(m), PAGE_SIZE) != 0)
        violation(r, "isolation: the VMM's own page (real 0x0..0xfff) changed during the run");
    if (ref_out) {
        ref_out->done = true;
        for (unsigned k = 0; k < NGOOD; k++)
            for (int a = 0; a < NAREAS; a++) {
                size_t len = 0;
                const uint8_t *p = area_of(v, goodvm[k], a, &len);
                ref_out->area[k][a] = malloc(len ? len : 1);
                if (ref_out->area[k][a] && p)
                    memcpy(ref_out->area[k][a], p, len);
                ref_out->len[k][a] = len;
            }
    } else {
        size_t key = (config * PT_NVMS + (size_t)rogue);
        reference *ref = &e->ref[key];
        if (!ref->done) {
            run_spec rs = { false, &e->halter, NULL };
            pt_result rr;
            memset(&rr, 0, sizeof rr);
            if (!run_once(e, g, config, &rs, PT_PLANT_NONE, &rr, ref, err, errlen)) {
                free(c.snap);
                vmm_free(v);
                return false;
            }
            for (unsigned k = 0; k < rr.nviol; k++)
                violation(r, "reference run: %s", rr.viol[k]);
        }
        for (unsigned k = 0; k < NGOOD; k++)
            for (int a = 0; a < NAREAS; a++) {
                size_t len = 0;
                const uint8_t *p = area_of(v, goodvm[k], a, &len);
                if (!p || !ref->area[k][a] || len != ref->len[k][a])
                    continue;
                if (memcmp(p, ref->area[k][a], len) != 0) {
                    size_t off = 0;
                    while (p[off] == ref->area[k][a][off])
                        off++;
                    violation(r, "isolation: good VM %u's %s differ at byte 0x%zx from the run next "
                              "to a guest that halts at once", goodvm[k], area_names[a], off);
                }
            }
    }

    /* the rogue's end, and the trace */
    if (r->loaded) {
        vmm_vm_state st = vmm_vm_state_of(v, (unsigned)rogue);
        snprintf(r->rogue_state, sizeof r->rogue_state, "%s%s%.140s", vmm_vm_state_name(st),
                 st == VM_FAILED ? ": " : "", st == VM_FAILED ? vmm_vm_reason(v, (unsigned)rogue) : "");
        r->exits = vmm_vm_stats(v, (unsigned)rogue)->exits;
    }
    uint64_t h = c.trace;
    for (unsigned i = 0; i < PT_NVMS; i++) {
        size_t len;
        const char *out = vmm_console(v, i, &len);
        h = hash_bytes(h, out, len);
        h = mix(h, vmm_vm_state_of(v, i));
        h = mix(h, vmm_guest_pc(v, i));
        for (unsigned reg = 0; reg < ISA_NUM_REGS; reg++)
            h = mix(h, vmm_guest_reg(v, i, reg));
        const vmm_stats *st = vmm_vm_stats(v, i);
        h = mix(h, st->guest_insns);
        h = mix(h, st->exits);
        h = mix(h, st->guest_cycles);
        h = mix(h, st->vmm_cycles);
        h = mix(h, st->host_cycles);
    }
    h = mix(h, machine_cycles(m));
    h = mix(h, machine_instret(m));
    r->trace = h;
    free(c.snap);
    vmm_free(v);
    return true;
}

bool pt_run(pt_env *e, const pt_guest *g, size_t config, pt_plant plant, pt_result *r,
            char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    if (config >= pt_nconfigs() || g->slot >= PT_NVMS) {
        snprintf(err, errlen, "no such configuration or VM");
        return false;
    }
    size_t d = config / NHOSTS;
    image img;
    char aerr[300];
    if (!assemble("rogue.s", g->src, NULL, NULL, &img, aerr, sizeof aerr)) {
        violation(r, "generator: the guest does not assemble: %s", aerr);
        return true;
    }
    run_spec sp = { plant != PT_PLANT_NONE || g->deep, NULL, NULL };
    if (g->kind == PT_KIND_KERNEL) {
        sp.rogue_kernel = &img;
    } else {
        sp.rogue_kernel = &e->kernel[d];
        sp.rogue_prog = &img;
    }
    bool ok = run_once(e, g, config, &sp, plant, r, NULL, err, errlen);
    image_free(&img);
    return ok;
}
