/*
 * api.c -- the traplab table for Lua: the ISA queries a lab needs to ask
 * "is this instruction privileged?" from the one ISA table, plus the
 * machine objects (api_machine.c).
 */
#include "lab/api.h"

#include <lauxlib.h>

#include "isa/isa.h"

static const char *const class_names[] = { "user", "privileged", "legacy" };
static const char *const sens_names[] = { "innocuous", "control", "behavior", "control+behavior" };

static isa_profile check_profile(lua_State *L, int idx)
{
    isa_profile p = PROFILE_STRICT;
    if (!lua_isnoneornil(L, idx) && !isa_parse_profile(luaL_checkstring(L, idx), &p))
        luaL_argerror(L, idx, "profile must be 'strict' or 'legacy'");
    return p;
}

/* traplab.insn("mfcr") -> { mnemonic, opcode, privileged, sensitive, ... } or nil */
static int api_insn(lua_State *L)
{
    const isa_insn *in = isa_lookup_mnemonic(luaL_checkstring(L, 1));
    isa_profile p = check_profile(L, 2);
    if (!in) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 8);
    lua_pushstring(L, in->mnemonic); lua_setfield(L, -2, "mnemonic");
    lua_pushinteger(L, in->opcode); lua_setfield(L, -2, "opcode");
    lua_pushstring(L, isa_format_syntax(in->format)); lua_setfield(L, -2, "syntax");
    lua_pushboolean(L, isa_is_privileged(in, p)); lua_setfield(L, -2, "privileged");
    lua_pushboolean(L, isa_is_sensitive(in)); lua_setfield(L, -2, "sensitive");
    lua_pushstring(L, class_names[in->privilege]); lua_setfield(L, -2, "class");
    lua_pushstring(L, sens_names[in->sensitivity]); lua_setfield(L, -2, "sensitivity");
    lua_pushboolean(L, isa_is_control_sensitive(in)); lua_setfield(L, -2, "control_sensitive");
    lua_pushboolean(L, isa_is_behavior_sensitive(in)); lua_setfield(L, -2, "behavior_sensitive");
    lua_pushboolean(L, isa_is_user_sensitive(in)); lua_setfield(L, -2, "user_sensitive");
    lua_pushinteger(L, in->cycles); lua_setfield(L, -2, "cycles");
    lua_pushstring(L, in->meaning); lua_setfield(L, -2, "meaning");
    return 1;
}

/* traplab.mnemonics() -> { "add", "sub", ... }: every instruction, in opcode order */
static int api_mnemonics(lua_State *L)
{
    lua_newtable(L);
    lua_Integer n = 0;
    for (uint32_t op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode(op);
        if (in) {
            lua_pushstring(L, in->mnemonic);
            lua_rawseti(L, -2, ++n);
        }
    }
    return 1;
}

/* traplab.disassemble(word [, pc]) -> "addi r1, r0, 5" */
static int api_disassemble(lua_State *L)
{
    uint32_t w = (uint32_t)luaL_checkinteger(L, 1);
    uint32_t pc = (uint32_t)luaL_optinteger(L, 2, 0);
    char buf[128];
    lua_pushstring(L, isa_disassemble(w, pc, buf, sizeof buf, NULL, NULL));
    return 1;
}

static int api_cause_name(lua_State *L)
{
    lua_pushstring(L, isa_cause_name(CAUSE_CODE((uint32_t)luaL_checkinteger(L, 1))));
    return 1;
}

int lab_api_open(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "insn", api_insn }, { "mnemonics", api_mnemonics }, { "disassemble", api_disassemble },
        { "cause_name", api_cause_name }, { NULL, NULL },
    };
    luaL_newlib(L, fns);
    lua_pushstring(L, ISA_VERSION);
    lua_setfield(L, -2, "isa_version");
    /* traplab.cause.PAGE_FAULT == 4, and so on, from the one table. */
    lua_createtable(L, 0, ISA_NUM_CAUSES);
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++) {
        lua_pushinteger(L, c);
        lua_setfield(L, -2, isa_cause_name(c));
    }
    lua_setfield(L, -2, "cause");
    lua_createtable(L, 0, ISA_NUM_CRS);
    for (unsigned c = 0; c < ISA_NUM_CRS; c++) {
        lua_pushinteger(L, c);
        lua_setfield(L, -2, isa_cr_name(c));
    }
    lua_setfield(L, -2, "cr");
    lab_api_open_machine(L, lua_gettop(L));
    lab_api_open_vmm(L, lua_gettop(L));
    lab_api_open_guest(L, lua_gettop(L));
    lua_setglobal(L, "traplab");
    return 0;
}
