/*
 * design.c -- which two halves make which virtualization design, and the
 * one parser of a design's name that the command line, the terminal UI and
 * the labs share.  Adding a design: write its file (its vmm_cpu_ops and,
 * when it virtualizes memory its own way, its vmm_mem_ops), add one line
 * to the table below and, in vmm.h, to VMM_DESIGNS (docs/architecture.md).
 */
#include <stdio.h>
#include <string.h>

#include "vmm/internal.h"

static const struct {
    const char *name, *define, *doc;
} designs[VMM_DESIGN_COUNT] = {
#define X(NAME, name, def, doc) [VMM_DESIGN_##NAME] = { #name, def, doc },
    VMM_DESIGNS(X)
#undef X
};

/* The halves of each design that is built; a design without its line is refused. */
static const struct { const vmm_cpu_ops *cpu; const vmm_mem_ops *mem; } halves[VMM_DESIGN_COUNT] = {
    [VMM_DESIGN_FULL] = { &vmm_full_cpu, &vmm_shadow_mem },
    [VMM_DESIGN_PARA] = { &vmm_para_cpu, &vmm_shadow_mem },
    [VMM_DESIGN_BT]   = { &vmm_bt_cpu,   &vmm_bt_mem },
    [VMM_DESIGN_HW]   = { &vmm_hw_cpu,   &vmm_nested_mem },
    [VMM_DESIGN_HW_SHADOW] = { &vmm_hw_shadow_cpu, &vmm_hw_shadow_mem },
};

const char *vmm_design_name(vmm_design d) { return (unsigned)d < VMM_DESIGN_COUNT ? designs[d].name : "?"; }
const char *vmm_design_doc(vmm_design d) { return (unsigned)d < VMM_DESIGN_COUNT ? designs[d].doc : ""; }
bool vmm_design_available(vmm_design d) { return (unsigned)d < VMM_DESIGN_COUNT && halves[d].cpu; }
const vmm_cpu_ops *vmm_design_cpu(vmm_design d) { return vmm_design_available(d) ? halves[d].cpu : NULL; }
const vmm_mem_ops *vmm_design_mem(vmm_design d) { return vmm_design_available(d) ? halves[d].mem : NULL; }

const char *vmm_design_guest_define(vmm_design d)
{
    return (unsigned)d < VMM_DESIGN_COUNT ? designs[d].define : NULL;
}

bool vmm_parse_design(const char *s, vmm_design *out, char *err, size_t errlen)
{
    for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++) {
        if (strcmp(s, designs[d].name) != 0)
            continue;
        if (!halves[d].cpu) {
            snprintf(err, errlen, "design '%s' (%s) is not built into this traplab yet", s,
                     designs[d].doc);
            return false;
        }
        *out = (vmm_design)d;
        return true;
    }
    char list[96] = "";
    for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++)
        if (halves[d].cpu)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "",
                     designs[d].name);
    snprintf(err, errlen, "unknown design '%s' (%s)", s, list);
    return false;
}

size_t vmm_design_defines(vmm_design d, const char *const *defs, size_t n, const char **out,
                          size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++)
        out[k++] = defs[i];
    const char *own = vmm_design_guest_define(d);
    if (own && k < max)
        out[k++] = own;
    return k;
}
