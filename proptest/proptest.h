/*
 * proptest.h -- property tests of the hypervisor over random guests.
 *
 * A generator writes random guests as assembly source (so that every
 * reproducer is a file a person can read and rerun): either a guest
 * *kernel* that runs in ring 1 under the VMM with its own trap vector,
 * random page tables, interrupts on or off, wild stores, self-modifying
 * code, device I/O with bad addresses and hypercalls with bad arguments; or
 * a *user* program that the real guest kernel (guest/kernel.s) runs in
 * ring 3, with the same kinds of misbehaviour aimed at the guest kernel.
 *
 * pt_run puts one such rogue guest in one VM, next to known-good VMs (the
 * guest kernel with small workloads), under one configuration (a design
 * from the VMM's table and a host), and checks the properties a VMM
 * promises; see docs/fuzzing.md for the list and what each check compares.
 * Everything here is deterministic: the same seed and index give the same
 * source, and the same run gives the same trace hash.
 */
#ifndef TRAPLAB_PROPTEST_H
#define TRAPLAB_PROPTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/vmm.h"

/* ---- guests ------------------------------------------------------------------ */
typedef enum { PT_KIND_KERNEL, PT_KIND_USER } pt_kind;
const char *pt_kind_name(pt_kind k);
bool pt_parse_kind(const char *s, pt_kind *out);

typedef struct {
    pt_kind kind;
    uint32_t slice;          /* the VMM's slice for this guest (cycles) */
    unsigned slot;           /* which VM the rogue is (0..PT_NVMS-1) */
    bool deep;               /* also compare everything outside the rogue at each of its turns */
    char *src;               /* malloc'd assembly source */
    size_t len;
} pt_guest;

/* Writes guest `index` of the sequence `seed` (malloc'd source in g->src). */
bool pt_generate(uint64_t seed, uint64_t index, pt_guest *g);
void pt_guest_free(pt_guest *g);

/* ---- configurations ---------------------------------------------------------- */
/* The designs come from the VMM's table; the hosts are Type-1 and Type-2. */
size_t pt_ndesigns(void);
const char *pt_design_name(size_t d);
size_t pt_nconfigs(void);                     /* designs x hosts */
const char *pt_config_name(size_t c, char *buf, size_t n);   /* "full/type1" */
bool pt_parse_config(const char *s, size_t *out);

#define PT_NVMS 3            /* the rogue and two known-good VMs */

/* ---- running and checking ------------------------------------------------------ */
typedef struct pt_env pt_env;

/* Assembles the known-good guests of every design and runs them natively once. */
pt_env *pt_env_new(char *err, size_t errlen);
void pt_env_free(pt_env *e);

#define PT_MAX_VIOLATIONS 8
typedef struct {
    uint64_t trace;              /* hash of every event, the consoles, states and counters */
    uint64_t insns;              /* real instructions run */
    uint64_t exits;              /* exits of the rogue */
    bool loaded;                 /* false: the VMM refused the rogue's image (with a message) */
    char rogue_state[160];       /* "halted", "failed: ...", "running" */
    unsigned nviol;
    char viol[PT_MAX_VIOLATIONS][240];
} pt_result;

/* Test hooks: make the checker see a planted fault (tests prove it can fail). */
typedef enum {
    PT_PLANT_NONE,
    PT_PLANT_NEIGHBOUR_WRITE,    /* a byte of a good VM's partition changes while the rogue runs */
    PT_PLANT_VMM_WRITE,          /* a byte of the VMM's own page changes */
    PT_PLANT_LATE_SLICE,         /* the checker expects a slice ten times shorter than the VMM's */
} pt_plant;

/* Runs g under configuration c; fills r.  false only when the run could not
 * be set up (message in err); property violations go into r->viol. */
bool pt_run(pt_env *e, const pt_guest *g, size_t config, pt_plant plant, pt_result *r,
            char *err, size_t errlen);

#endif
