/*
 * api.h -- the traplab table that lab scripts see: the ISA, and machines
 * (and, when a hypervisor is built in, hypervisors) as Lua objects.
 */
#ifndef TRAPLAB_LAB_API_H
#define TRAPLAB_LAB_API_H

#include <lua.h>

/* A lua_CFunction: creates the global table `traplab` with the API. */
int lab_api_open(lua_State *L);
/* Part of it: traplab.machine and the Machine and Snapshot types. */
void lab_api_open_machine(lua_State *L, int traplab_idx);
/* Part of it: traplab.hypervisor and the Hypervisor type. */
void lab_api_open_vmm(lua_State *L, int traplab_idx);

#endif
