/*
 * cpus.c -- processor profiles for the cost model (--cpu NAME): the
 * hardware's VM exit and VM entry by generation of Intel's VT-x, so that a
 * lab can show what later generations did to the balance between binary
 * translation and hardware assist.  A profile sets only the costs it has a
 * figure (or a stated estimate) for; docs/costs.md gives each value's source
 * exactly and says which are estimates.  Nothing here is the default: the
 * default costs stay the round numbers of docs/costs.md.
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

static const struct {
    const char *name, *doc;
    uint32_t vm_exit, vm_enter;
} cpus[] = {
    /* The machine's own defaults, to go back to them. */
    { "default", "traplab's round numbers (docs/costs.md)", 0, 0 },
    /* Adams and Agesen, ASPLOS 2006, as issue 11 quotes them (their tables
     * could not be read here: docs/costs.md). */
    { "p4", "Pentium 4 with the first VT-x (Adams and Agesen 2006): a #PF exit 1,931, a VM entry 2,409",
      1931, 2409 },
    /* Estimate: the P4 round trip halved, the middle of the "25 to 75
     * percent" Intel announced for Penryn's VM transitions (vmblog.com,
     * 2007-03-29); split as the P4's exit and entry are. */
    { "core2", "Core 2 (Penryn): an estimate, the p4 round trip less 50%", 966, 1205 },
    /* Estimate: Nehalem's round trip of about 2,000 cycles (SplitX, Landau
     * et al., Xeon X5570), less 25% for each of two later generations. */
    { "sandybridge", "Sandy Bridge: an estimate, about 1,125 cycles a round trip", 500, 625 },
};
#define NCPUS (sizeof cpus / sizeof cpus[0])

const char *vmm_cpu_profile_name(size_t i) { return i < NCPUS ? cpus[i].name : NULL; }
const char *vmm_cpu_profile_doc(size_t i) { return i < NCPUS ? cpus[i].doc : NULL; }

bool vmm_apply_cpu_profile(vmm_config *cfg, const char *name, char *err, size_t errlen)
{
    for (size_t i = 0; i < NCPUS; i++) {
        if (strcmp(name, cpus[i].name) != 0)
            continue;
        if (!cpus[i].vm_exit) {
            vmm_config d;
            vmm_default_config(&d);
            cfg->mcosts.vm_exit = d.mcosts.vm_exit;
            cfg->mcosts.vm_enter = d.mcosts.vm_enter;
        } else {
            cfg->mcosts.vm_exit = cpus[i].vm_exit;
            cfg->mcosts.vm_enter = cpus[i].vm_enter;
        }
        return true;
    }
    char list[96] = "";
    for (size_t i = 0; i < NCPUS; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", cpus[i].name);
    snprintf(err, errlen, "unknown cpu '%s' (%s)", name, list);
    return false;
}
