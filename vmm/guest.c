/*
 * guest.c -- what the VMM and a native run share: loading a guest (kernel
 * plus user program) into guest-physical memory by the agreed layout, running
 * the same guest on the bare machine for comparison, and the cost table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "vmm/vmm.h"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

bool vmm_load_guest(uint8_t *mem, uint32_t size, const image *kernel,
                    const image *prog, char *err, size_t errlen)
{
    if (!kernel || kernel->nsegs == 0) {
        snprintf(err, errlen, "the kernel image is empty");
        return false;
    }
    if (size < GUEST_MIN_MEM) {
        snprintf(err, errlen, "the guest needs at least %u bytes of memory", GUEST_MIN_MEM);
        return false;
    }
    for (size_t i = 0; i < kernel->nsegs; i++) {
        const image_segment *s = &kernel->segs[i];
        uint64_t end = (uint64_t)s->addr + s->size;
        if (end > GUEST_PROG_INFO) {
            snprintf(err, errlen, "kernel segment 0x%08x..0x%08llx overlaps the program area "
                     "(the kernel must end below 0x%08x)", s->addr, (unsigned long long)end,
                     GUEST_PROG_INFO);
            return false;
        }
        memcpy(mem + s->addr, s->data, s->size);
    }
    if (!prog)
        return true;
    uint32_t hi = 0;
    for (size_t i = 0; i < prog->nsegs; i++) {
        const image_segment *s = &prog->segs[i];
        uint64_t end = (uint64_t)s->addr + s->size;
        if (s->addr < GUEST_PROG_VA || end > (uint64_t)GUEST_PROG_VA + GUEST_PROG_MAX) {
            snprintf(err, errlen, "program segment 0x%08x..0x%08llx is outside 0x%08x..0x%08x "
                     "(link user programs with .org 0x%x)", s->addr, (unsigned long long)end,
                     GUEST_PROG_VA, GUEST_PROG_VA + GUEST_PROG_MAX, GUEST_PROG_VA);
            return false;
        }
        memcpy(mem + GUEST_PROG_BASE + (s->addr - GUEST_PROG_VA), s->data, s->size);
        if (end - GUEST_PROG_VA > hi)
            hi = (uint32_t)(end - GUEST_PROG_VA);
    }
    if (prog->entry < GUEST_PROG_VA || prog->entry >= GUEST_PROG_VA + hi) {
        snprintf(err, errlen, "program entry 0x%08x is outside the program", prog->entry);
        return false;
    }
    put32(mem + GUEST_PROG_INFO, GUEST_PROG_MAGIC);
    put32(mem + GUEST_PROG_INFO + 4, prog->entry);
    put32(mem + GUEST_PROG_INFO + 8, hi);
    return true;
}

bool vmm_run_native(const vmm_config *cfg, const image *kernel, const image *prog,
                    uint64_t max_insns, vmm_native_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    machine_config mc;
    machine_default_config(&mc);
    mc.profile = cfg->profile;
    mc.mem_size = cfg->part_size;
    mc.disk_sectors = cfg->disk_sectors;
    mc.costs = cfg->mcosts;
    machine *m = machine_new(&mc);
    if (!m) {
        snprintf(err, errlen, "cannot build the machine");
        return false;
    }
    if (!vmm_load_guest(machine_mem(m), cfg->part_size, kernel, prog, err, errlen)) {
        machine_free(m);
        return false;
    }
    machine_cpu(m)->pc = kernel->entry;
    out->stop = machine_run(m, max_insns);
    if (out->stop == STOP_FATAL)
        snprintf(out->reason, sizeof out->reason, "%s", machine_fatal_reason(m));
    out->instret = machine_instret(m);
    out->cycles = machine_cycles(m);
    size_t n;
    const char *s = machine_console_output(m, &n);
    out->console = malloc(n + 1);
    if (out->console) {
        memcpy(out->console, s, n);
        out->console[n] = '\0';
        out->console_len = n;
    }
    machine_free(m);
    return true;
}

void vmm_native_result_free(vmm_native_result *r)
{
    free(r->console);
    r->console = NULL;
}

/* ---- the cost table ---------------------------------------------------------- */
static const struct { const char *name; uint32_t def; size_t off; const char *doc; } costs[] = {
#define X(name, def, doc) { #name, def, offsetof(vmm_costs, name), doc },
    VMM_COSTS(X)
#undef X
};
#define NCOSTS (sizeof costs / sizeof costs[0])

void vmm_default_costs(vmm_costs *c)
{
#define X(name, def, doc) c->name = def;
    VMM_COSTS(X)
#undef X
}

const char *vmm_cost_name(size_t i) { return i < NCOSTS ? costs[i].name : NULL; }
const char *vmm_cost_doc(size_t i) { return i < NCOSTS ? costs[i].doc : NULL; }

bool vmm_get_cost(const vmm_costs *c, const char *name, uint32_t *value)
{
    for (size_t i = 0; i < NCOSTS; i++)
        if (strcmp(name, costs[i].name) == 0) {
            memcpy(value, (const char *)c + costs[i].off, sizeof *value);
            return true;
        }
    return false;
}

/* host_bg_share is a share of the cycles: above 90% the guest would starve. */
#define BG_SHARE_MAX 90u

uint32_t vmm_cost_max(const char *name)
{
    return strcmp(name, "host_bg_share") == 0 ? BG_SHARE_MAX : UINT32_MAX;
}

bool vmm_set_cost_err(vmm_costs *c, machine_costs *m, const char *assignment, char *err,
                      size_t errlen)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1]) {
        snprintf(err, errlen, "bad cost '%s': NAME=VALUE", assignment);
        return false;
    }
    char name[64];
    size_t n = (size_t)(eq - assignment);
    if (n >= sizeof name) {
        snprintf(err, errlen, "unknown cost '%.*s' (--list-costs shows the names)", 40, assignment);
        return false;
    }
    memcpy(name, assignment, n);
    name[n] = '\0';
    uint32_t probe;
    bool known = vmm_get_cost(c, name, &probe) || (m && machine_get_cost(m, name, &probe));
    if (!known) {
        snprintf(err, errlen, "unknown cost '%s' (--list-costs shows the names)", name);
        return false;
    }
    uint32_t max = vmm_cost_max(name);
    char *end;
    errno = 0;
    unsigned long long val = strtoull(eq + 1, &end, 0);
    if (*end || eq[1] == '-' || errno || val > max) {
        snprintf(err, errlen, "cost %s needs a whole number from 0 to %u%s, not '%s'", name, max,
                 max == BG_SHARE_MAX ? " (percent)" : "", eq + 1);
        return false;
    }
    for (size_t i = 0; i < NCOSTS; i++)
        if (strcmp(name, costs[i].name) == 0) {
            uint32_t v32 = (uint32_t)val;
            memcpy((char *)c + costs[i].off, &v32, sizeof v32);
            return true;
        }
    return machine_set_cost(m, name, (uint32_t)val);
}

bool vmm_set_cost(vmm_costs *c, machine_costs *m, const char *assignment)
{
    char err[8];
    return vmm_set_cost_err(c, m, assignment, err, sizeof err);
}
