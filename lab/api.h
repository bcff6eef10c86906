/*
 * api.h -- the traplab table that lab scripts see: the ISA, and machines
 * (and, when a hypervisor is built in, hypervisors) as Lua objects.
 */
#ifndef TRAPLAB_LAB_API_H
#define TRAPLAB_LAB_API_H

#include <lua.h>

#include "vmm/vmm.h"

/* A lua_CFunction: creates the global table `traplab` with the API. */
int lab_api_open(lua_State *L);
/* Part of it: traplab.machine and the Machine and Snapshot types. */
void lab_api_open_machine(lua_State *L, int traplab_idx);
/* Part of it: traplab.hypervisor and the Hypervisor type. */
void lab_api_open_vmm(lua_State *L, int traplab_idx);
/* Part of it: traplab.guest (the shipped guest sources) and traplab.native. */
void lab_api_open_guest(lua_State *L, int traplab_idx);
/* In-memory files for `.include` (asm_options.mem_names): h:load's and traplab.native's
 * `files = { ["arch.s"] = text }`.  The strings belong to the Lua table at idx. */
#define LAB_MAX_MEM_FILES 16
typedef struct {
    const char *names[LAB_MAX_MEM_FILES], *texts[LAB_MAX_MEM_FILES];
    size_t n;
} lab_mem_files;
void lab_api_check_files(lua_State *L, int idx, lab_mem_files *f);
/* Reads a Lua table of costs { name = cycles } into cfg; raises "who: ..." on a bad one. */
int lab_api_read_costs(lua_State *L, int idx, vmm_config *cfg, const char *who);

#endif
