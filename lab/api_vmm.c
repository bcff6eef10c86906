/*
 * api_vmm.c -- traplab.hypervisor{...}: the trap-and-emulate VMM as a Lua
 * object, with hooks on its exits and on the emulation of any privileged
 * instruction, so that a student's Lua function can be the emulation the
 * VMM calls.  VMs are numbered from 0, as in the
 * terminal UI and `traplab vm --trace` (vm0, vm1, ...).
 *
 * As with machines (api_machine.c), Lua runs inside vmm_run through C
 * callbacks: each call is a lua_pcall, an error stops the machine and is
 * raised again once vmm_run has returned, and the object cannot be closed
 * or restored from inside its own hooks.
 */
#include "lab/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "asm/asm.h"
#include "lab/sandbox.h"
#include "vmm/vmm.h"

#define VMM_MT       "traplab.Hypervisor"
#define VSNAP_MT     "traplab.HypervisorSnapshot"
#define RUN_DEFAULT  1000000ull
#define RUN_MAX      100000000ull

typedef struct {
    vmm *v;
    size_t charged;
    int event_ref;                    /* on_exit hook, LUA_NOREF when none */
    int emul_ref[ISA_NUM_OPCODES];    /* emulate hooks by opcode */
    int hcall_ref[VMM_MAX_HCALLS];    /* hypercall handlers by number */
    vmm_design design;                /* mode: "para" assembles the guests with PARAVIRT defined */
    lua_State *L;                     /* the running thread, while running */
    int self_idx;
    bool running;
    char *hook_error;
} lua_vmm;

typedef struct {
    vmm_snapshot *s;
    size_t charged;
} lua_vsnap;

static lua_vmm *check_vmm(lua_State *L, int idx)
{
    lua_vmm *h = luaL_checkudata(L, idx, VMM_MT);
    if (!h->v)
        luaL_error(L, "attempt to use a closed hypervisor");
    return h;
}

static void not_running(lua_State *L, lua_vmm *h, const char *what)
{
    if (h->running)
        luaL_error(L, "cannot %s a hypervisor from inside its own hooks", what);
}

static unsigned check_vm(lua_State *L, lua_vmm *h, int idx)
{
    lua_Integer i = luaL_checkinteger(L, idx);
    luaL_argcheck(L, i >= 0 && (lua_Unsigned)i < vmm_nvms(h->v), idx, "no such VM (they are numbered from 0)");
    return (unsigned)i;
}

static unsigned check_reg(lua_State *L, int idx)
{
    int r = lua_type(L, idx) == LUA_TSTRING ? isa_parse_reg(lua_tostring(L, idx))
                                            : (int)luaL_checkinteger(L, idx);
    luaL_argcheck(L, r >= 0 && r < ISA_NUM_REGS, idx, "unknown register");
    return (unsigned)r;
}

static unsigned check_cr(lua_State *L, int idx)
{
    int r = lua_type(L, idx) == LUA_TSTRING ? isa_parse_cr(lua_tostring(L, idx))
                                            : (int)luaL_checkinteger(L, idx);
    luaL_argcheck(L, r >= 0 && r < ISA_NUM_CRS, idx, "unknown control register");
    return (unsigned)r;
}

/* ---- creation ----------------------------------------------------------------- */
static int api_vmm_new(lua_State *L)
{
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 1;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        if (lua_getfield(L, 1, "vms") != LUA_TNIL) {
            lua_Integer n = luaL_checkinteger(L, -1);
            if (n < 1 || n > VMM_MAX_VMS)
                return luaL_error(L, "traplab.hypervisor: vms must be 1..%d", VMM_MAX_VMS);
            cfg.nvms = (unsigned)n;
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "hosting") != LUA_TNIL &&
            !vmm_parse_host(luaL_checkstring(L, -1), &cfg.host))
            return luaL_error(L, "traplab.hypervisor: hosting must be 'type1', 'type2' or 'type2-user'");
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "profile") != LUA_TNIL &&
            !isa_parse_profile(luaL_checkstring(L, -1), &cfg.profile))
            return luaL_error(L, "traplab.hypervisor: profile must be 'strict' or 'legacy'");
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "mode") != LUA_TNIL) {
            const char *mode = luaL_checkstring(L, -1);
            char derr[160];
            if (!vmm_parse_design(mode, &cfg.design, derr, sizeof derr)) {
                bool known = false;
                for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++)
                    known |= strcmp(mode, vmm_design_name((vmm_design)d)) == 0;
                if (known)
                    return luaL_error(L, "traplab.hypervisor: mode: %s", derr);
                return luaL_error(L, "traplab.hypervisor: mode must be 'full' or 'para'");
            }
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "slice") != LUA_TNIL) {
            lua_Integer s = luaL_checkinteger(L, -1);
            if (s < 1000 || s > 100000000)
                return luaL_error(L, "traplab.hypervisor: slice must be 1000..100000000 cycles");
            cfg.slice = (uint32_t)s;
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "cpu") != LUA_TNIL) {
            char cerr[160];
            if (!vmm_apply_cpu_profile(&cfg, luaL_checkstring(L, -1), cerr, sizeof cerr))
                return luaL_error(L, "traplab.hypervisor: cpu: %s", cerr);
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "costs") == LUA_TTABLE) {
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                char a[96];
                const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
                snprintf(a, sizeof a, "%.60s=0", k);
                vmm_costs probe = cfg.costs;
                machine_costs mprobe = cfg.mcosts;
                if (!vmm_set_cost(&probe, &mprobe, a))
                    return luaL_error(L, "traplab.hypervisor: unknown cost '%s'", k);
                if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > UINT32_MAX)
                    return luaL_error(L, "traplab.hypervisor: cost %s must be a whole number 0..4294967295, "
                                      "not %s", k, luaL_tolstring(L, -1, NULL));
                snprintf(a, sizeof a, "%.60s=%lld", k, (long long)lua_tointeger(L, -1));
                vmm_set_cost(&cfg.costs, &cfg.mcosts, a);
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    size_t charge = (size_t)cfg.part_size * cfg.nvms + ((size_t)4 << 20);
    lab_sandbox *sb = lab_sandbox_from(L);
    if (!lab_sandbox_charge(sb, charge))
        return luaL_error(L, "too many hypervisors open: close some with h:close()");
    lua_vmm *h = lua_newuserdatauv(L, sizeof *h, 0);
    memset(h, 0, sizeof *h);
    h->event_ref = LUA_NOREF;
    for (unsigned i = 0; i < ISA_NUM_OPCODES; i++)
        h->emul_ref[i] = LUA_NOREF;
    for (unsigned i = 0; i < VMM_MAX_HCALLS; i++)
        h->hcall_ref[i] = LUA_NOREF;
    luaL_setmetatable(L, VMM_MT);
    char err[256];
    h->v = vmm_new(&cfg, err, sizeof err);
    if (!h->v) {
        lab_sandbox_uncharge(sb, charge);
        return luaL_error(L, "traplab.hypervisor: %s", err);
    }
    h->charged = charge;
    h->design = cfg.design;
    return 1;
}

static void vmm_release(lua_State *L, lua_vmm *h)
{
    if (!h->v)
        return;
    vmm_free(h->v);
    h->v = NULL;
    luaL_unref(L, LUA_REGISTRYINDEX, h->event_ref);
    for (unsigned i = 0; i < ISA_NUM_OPCODES; i++)
        luaL_unref(L, LUA_REGISTRYINDEX, h->emul_ref[i]);
    for (unsigned i = 0; i < VMM_MAX_HCALLS; i++)
        luaL_unref(L, LUA_REGISTRYINDEX, h->hcall_ref[i]);
    free(h->hook_error);
    h->hook_error = NULL;
    lab_sandbox_uncharge(lab_sandbox_from(L), h->charged);
}

static int h_close(lua_State *L)
{
    lua_vmm *h = luaL_checkudata(L, 1, VMM_MT);
    if (h->v)
        not_running(L, h, "close");
    vmm_release(L, h);
    return 0;
}

static int h_gc(lua_State *L)
{
    lua_vmm *h = luaL_checkudata(L, 1, VMM_MT);
    if (!h->running)
        vmm_release(L, h);
    return 0;
}

static int h_tostring(lua_State *L)
{
    lua_vmm *h = luaL_checkudata(L, 1, VMM_MT);
    if (!h->v)
        lua_pushliteral(L, "hypervisor (closed)");
    else
        lua_pushfstring(L, "hypervisor (%s, %s, %d VM%s)", vmm_host_name(vmm_get_config(h->v)->host),
                        vmm_design_name(h->design), (int)vmm_nvms(h->v), vmm_nvms(h->v) == 1 ? "" : "s");
    return 1;
}

/* ---- loading ----------------------------------------------------------------------- */
/* The in-memory files `.include` may name: a table { ["arch.s"] = text, ... } at idx. */
void lab_api_check_files(lua_State *L, int idx, lab_mem_files *f)
{
    f->n = 0;
    if (lua_isnoneornil(L, idx))
        return;
    idx = lua_absindex(L, idx);
    luaL_checktype(L, idx, LUA_TTABLE);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
            luaL_argerror(L, idx, "files: a table of name = source strings");
        if (f->n == LAB_MAX_MEM_FILES)
            luaL_argerror(L, idx, "files: at most 16");
        /* The caller's table keeps both strings alive for the call. */
        f->names[f->n] = lua_tostring(L, -2);
        f->texts[f->n] = lua_tostring(L, -1);
        f->n++;
        lua_pop(L, 1);
    }
}

/* Assembles src; on failure pushes nothing and returns the diagnostics (malloc'd). */
static char *assemble(const char *name, const char *src, vmm_design design,
                      const lab_mem_files *files, image *img)
{
    /* As `traplab vm --para` does it: one source, paravirtualized when PARAVIRT is defined. */
    const char *defs[1];
    size_t ndefs = vmm_design_defines(design, NULL, 0, defs, 1);
    char *diag = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&diag, &dlen);
    if (!df)
        return strdup("out of memory");
    asm_options opt = { 0 };
    opt.diag = df;
    opt.no_include = true;
    if (files) {
        opt.mem_names = files->names;
        opt.mem_texts = files->texts;
        opt.nmem = files->n;
    }
    opt.defines = defs;
    opt.ndefines = ndefs;
    image_init(img);
    int errors = asm_assemble_string(name, src, &opt, img);
    fclose(df);
    if (!errors) {
        free(diag);
        return NULL;
    }
    image_free(img);
    return diag ? diag : strdup("assembly failed");
}

/* h:load(vm, kernel_source [, program_source [, files]]) -> true | nil, diagnostics;
 * files = { ["arch.s"] = text, ... } are what the sources' .include lines find. */
static int h_load(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    not_running(L, h, "load");
    unsigned vm = check_vm(L, h, 2);
    const char *ksrc = luaL_checkstring(L, 3);
    const char *psrc = luaL_optstring(L, 4, NULL);
    lab_mem_files files;
    lab_api_check_files(L, 5, &files);
    image kimg, pimg;
    char *diag = assemble("kernel.s", ksrc, h->design, &files, &kimg);
    if (!diag && psrc) {
        diag = assemble("program.s", psrc, h->design, &files, &pimg);
        if (diag)
            image_free(&kimg);
    }
    if (diag) {
        lua_pushnil(L);
        lua_pushstring(L, diag);
        free(diag);
        return 2;
    }
    char err[256];
    bool ok = vmm_load(h->v, vm, &kimg, psrc ? &pimg : NULL, err, sizeof err);
    image_free(&kimg);
    if (psrc) image_free(&pimg);
    if (!ok) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* ---- hooks ---------------------------------------------------------------------------- */
static void hook_failed(lua_vmm *h, lua_State *L)
{
    const char *e = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error in a hypervisor hook";
    if (!h->hook_error)
        h->hook_error = strdup(strcmp(e, "not enough memory") == 0 ? "memory limit exceeded" : e);
    lua_pop(L, 1);
    machine_request_stop(vmm_machine(h->v));
}

static void push_event(lua_State *L, const vmm_event *e)
{
    lua_createtable(L, 0, 12);
    lua_pushstring(L, vmm_event_kind_name(e->kind)); lua_setfield(L, -2, "kind");
    lua_pushinteger(L, e->vm); lua_setfield(L, -2, "vm");
    lua_pushstring(L, isa_cause_name(CAUSE_CODE(e->cause))); lua_setfield(L, -2, "cause");
    lua_pushinteger(L, e->pc); lua_setfield(L, -2, "pc");
    lua_pushinteger(L, e->insn); lua_setfield(L, -2, "insn");
    if (e->mnemonic) { lua_pushstring(L, e->mnemonic); lua_setfield(L, -2, "mnemonic"); }
    lua_pushstring(L, vmm_handler_name(e->handler)); lua_setfield(L, -2, "handler");
    lua_pushinteger(L, (lua_Integer)e->cycles); lua_setfield(L, -2, "cycles");
    lua_pushinteger(L, (lua_Integer)e->at); lua_setfield(L, -2, "at");
    lua_pushinteger(L, e->vring_from); lua_setfield(L, -2, "vring_from");
    lua_pushinteger(L, e->vring_to); lua_setfield(L, -2, "vring_to");
    lua_pushinteger(L, e->ring_from); lua_setfield(L, -2, "ring_from");
    lua_pushinteger(L, e->ring_to); lua_setfield(L, -2, "ring_to");
    lua_pushstring(L, vmm_event_what(e)); lua_setfield(L, -2, "what");
}

static void event_hook(vmm *v, const vmm_event *e, void *ud)
{
    (void)v;
    lua_vmm *h = ud;
    lua_State *L = h->L;
    if (!L || h->event_ref == LUA_NOREF || h->hook_error)
        return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->event_ref);
    push_event(L, e);
    lua_pushvalue(L, h->self_idx);
    if (lab_pcall_where(L, 2, 0) != LUA_OK)
        hook_failed(h, L);
}

static vmm_emul_result emul_hook(vmm *v, unsigned vm, uint32_t insn, void *ud)
{
    (void)v;
    lua_vmm *h = ud;
    lua_State *L = h->L;
    unsigned op = ISA_OP(insn);
    if (!L || h->emul_ref[op] == LUA_NOREF || h->hook_error)
        return VMM_EMUL_DEFAULT;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->emul_ref[op]);
    lua_pushvalue(L, h->self_idx);
    lua_pushinteger(L, vm);
    const isa_insn *in;
    isa_operands o;
    char buf[128];
    lua_createtable(L, 0, 8);
    if (isa_decode(insn, &in, &o)) {
        uint32_t pc = vmm_guest_pc(h->v, vm);
        lua_pushstring(L, in->mnemonic); lua_setfield(L, -2, "mnemonic");
        lua_pushinteger(L, o.rd); lua_setfield(L, -2, "rd");
        lua_pushinteger(L, o.rs1); lua_setfield(L, -2, "rs1");
        lua_pushinteger(L, o.rs2); lua_setfield(L, -2, "rs2");
        lua_pushinteger(L, o.imm); lua_setfield(L, -2, "imm");
        lua_pushinteger(L, pc); lua_setfield(L, -2, "pc");
        lua_pushstring(L, isa_disassemble(insn, pc, buf, sizeof buf, NULL, NULL));
        lua_setfield(L, -2, "text");
    }
    lua_pushinteger(L, insn); lua_setfield(L, -2, "word");
    if (lab_pcall_where(L, 3, 1) != LUA_OK) {
        hook_failed(h, L);
        return VMM_EMUL_JUMP;   /* leave the PC alone; the machine is stopping */
    }
    const char *r = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    vmm_emul_result res = !r ? VMM_EMUL_DEFAULT : strcmp(r, "next") == 0 ? VMM_EMUL_NEXT
                        : strcmp(r, "jump") == 0 ? VMM_EMUL_JUMP : VMM_EMUL_DEFAULT;
    lua_pop(L, 1);
    return res;
}

/* h:on_exit(function(event, h) ... end) or h:on_exit(nil) */
static int h_on_exit(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    if (!lua_isnil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, h->event_ref);
    h->event_ref = LUA_NOREF;
    if (!lua_isnil(L, 2)) {
        lua_pushvalue(L, 2);
        h->event_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    vmm_set_event_fn(h->v, h->event_ref == LUA_NOREF ? NULL : event_hook, h);
    return 0;
}

/*
 * h:emulate("mfcr", function(h, vm, insn) ... return "next" end): the Lua
 * function becomes the emulation of that privileged instruction.  It
 * returns "next" (resume after it), "jump" (it set the PC itself) or nil
 * (let the VMM's built-in emulation run).  h:emulate("mfcr", nil) removes it.
 */
static int h_emulate(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    const isa_insn *in = isa_lookup_mnemonic(luaL_checkstring(L, 2));
    if (!in)
        return luaL_argerror(L, 2, "unknown instruction");
    if (!isa_is_privileged(in, vmm_get_config(h->v)->profile))
        return luaL_error(L, "h:emulate('%s'): only instructions that trap can be emulated, and '%s' "
                          "is not privileged (it runs natively in the guest)", in->mnemonic, in->mnemonic);
    if (!lua_isnil(L, 3))
        luaL_checktype(L, 3, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, h->emul_ref[in->opcode]);
    h->emul_ref[in->opcode] = LUA_NOREF;
    if (!lua_isnil(L, 3)) {
        lua_pushvalue(L, 3);
        h->emul_ref[in->opcode] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    vmm_set_emulator(h->v, in->opcode, h->emul_ref[in->opcode] == LUA_NOREF ? NULL : emul_hook, h);
    return 0;
}

static bool hcall_hook(vmm *v, unsigned vm, uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3,
                       uint32_t *ret, void *ud)
{
    (void)v;
    lua_vmm *h = ud;
    lua_State *L = h->L;
    if (!L || nr >= VMM_MAX_HCALLS || h->hcall_ref[nr] == LUA_NOREF || h->hook_error)
        return false;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->hcall_ref[nr]);
    lua_pushvalue(L, h->self_idx);
    lua_pushinteger(L, vm);
    lua_pushinteger(L, a1);
    lua_pushinteger(L, a2);
    lua_pushinteger(L, a3);
    if (lab_pcall_where(L, 5, 1) != LUA_OK) {
        hook_failed(h, L);
        *ret = VMM_HC_EINVAL;
        return true;
    }
    bool handled = lua_isinteger(L, -1);
    if (handled)
        *ret = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 1);
    return handled;
}

/*
 * h:hypercall(n, function(h, vm, a1, a2, a3) return result end): handles
 * hypercall number n (0..31) in Lua; returning nil falls through to the
 * VMM's own table.  h:hypercall(n, nil) removes it.
 */
static int h_hypercall(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_argcheck(L, n >= 0 && n < VMM_MAX_HCALLS, 2, "hypercall number must be 0..31");
    if (!lua_isnil(L, 3))
        luaL_checktype(L, 3, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, h->hcall_ref[n]);
    h->hcall_ref[n] = LUA_NOREF;
    if (!lua_isnil(L, 3)) {
        lua_pushvalue(L, 3);
        h->hcall_ref[n] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    vmm_set_hypercall_hook(h->v, hcall_hook, h);
    return 0;
}

/* ---- running --------------------------------------------------------------------------- */
static int finish(lua_State *L, lua_vmm *h, machine_stop st)
{
    h->running = false;
    h->L = NULL;
    if (h->hook_error) {
        lua_pushstring(L, h->hook_error);
        free(h->hook_error);
        h->hook_error = NULL;
        return lua_error(L);
    }
    lua_pushstring(L, machine_stop_name(st));
    return 1;
}

static void begin(lua_State *L, lua_vmm *h)
{
    not_running(L, h, "run");
    lua_settop(L, 1);
    h->running = true;
    h->L = L;
    h->self_idx = 1;
}

static int h_run(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    lua_Integer max = luaL_optinteger(L, 2, (lua_Integer)RUN_DEFAULT);
    luaL_argcheck(L, max > 0 && (uint64_t)max <= RUN_MAX, 2, "instruction limit must be 1..100000000");
    begin(L, h);
    return finish(L, h, vmm_run(h->v, (uint64_t)max));
}

static int h_step(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    begin(L, h);
    return finish(L, h, vmm_step(h->v));
}

/* h:stop(): from a hook, stop the run after this exit */
static int h_stop(lua_State *L)
{
    machine_request_stop(vmm_machine(check_vmm(L, 1)->v));
    return 0;
}

/* ---- state ------------------------------------------------------------------------------ */
static int h_reg(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    lua_pushinteger(L, vmm_guest_reg(h->v, vm, check_reg(L, 3)));
    return 1;
}

static int h_set_reg(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    unsigned r = check_reg(L, 3);
    vmm_set_guest_reg(h->v, vm, r, (uint32_t)luaL_checkinteger(L, 4));
    return 0;
}

static int h_pc(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    lua_pushinteger(L, vmm_guest_pc(h->v, check_vm(L, h, 2)));
    return 1;
}

static int h_set_pc(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    vmm_set_guest_pc(h->v, vm, (uint32_t)luaL_checkinteger(L, 3));
    return 0;
}

static int h_vcr(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    lua_pushinteger(L, vmm_vcpu_of(h->v, vm)->cr[check_cr(L, 3)]);
    return 1;
}

static int h_set_vcr(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    unsigned cr = check_cr(L, 3);
    vmm_vcpu_mut(h->v, vm)->cr[cr] = (uint32_t)luaL_checkinteger(L, 4);
    return 0;
}

static int h_read(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    uint32_t gpa = (uint32_t)luaL_checkinteger(L, 3);
    lua_Integer n = luaL_checkinteger(L, 4);
    luaL_argcheck(L, n >= 0 && n <= 65536, 4, "length must be 0..65536");
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, (size_t)n);
    if (!vmm_read_gpa(h->v, vm, gpa, p, (size_t)n))
        return luaL_error(L, "read: outside VM %d's memory", (int)vm + 1);
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

static int h_console(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    size_t len = 0;
    const char *s = vmm_console(h->v, check_vm(L, h, 2), &len);
    lua_pushlstring(L, s ? s : "", s ? len : 0);
    return 1;
}

static int h_state(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    unsigned vm = check_vm(L, h, 2);
    lua_pushstring(L, vmm_vm_state_name(vmm_vm_state_of(h->v, vm)));
    lua_pushstring(L, vmm_vm_reason(h->v, vm));
    return 2;
}

static void push_stats(lua_State *L, const vmm_stats *s)
{
    lua_createtable(L, 0, 20);
#define F(name) lua_pushinteger(L, (lua_Integer)s->name); lua_setfield(L, -2, #name);
    F(guest_insns) F(guest_cycles) F(vmm_cycles) F(host_cycles) F(idle_cycles) F(exits)
    F(emulated) F(reflected) F(injected) F(shadow_fills) F(shadow_syncs) F(shadow_flushes)
    F(hypercalls) F(host_switches) F(host_syscalls) F(violations) F(lost_ie) F(blocked) F(vm_switches)
#undef F
    lua_createtable(L, 0, ISA_NUM_CAUSES);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++) {
        lua_pushinteger(L, (lua_Integer)s->exits_by_cause[c]);
        lua_setfield(L, -2, isa_cause_name(c));
    }
    lua_setfield(L, -2, "exits_by_cause");
    lua_newtable(L);
    for (unsigned o = 0; o < ISA_NUM_OPCODES; o++) {
        const isa_insn *in = isa_lookup_opcode(o);
        if (in && s->emulated_by_op[o]) {
            lua_pushinteger(L, (lua_Integer)s->emulated_by_op[o]);
            lua_setfield(L, -2, in->mnemonic);
        }
    }
    lua_setfield(L, -2, "emulated_by_insn");
}

/* h:stats() for all VMs, h:stats(vm) for one */
static int h_stats(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    if (lua_isnoneornil(L, 2)) {
        vmm_stats s;
        vmm_total_stats(h->v, &s);
        push_stats(L, &s);
    } else {
        push_stats(L, vmm_vm_stats(h->v, check_vm(L, h, 2)));
    }
    lua_pushinteger(L, (lua_Integer)machine_cycles(vmm_machine(h->v)));
    lua_setfield(L, -2, "cycles");
    return 1;
}

/* ---- snapshots ---------------------------------------------------------------------------- */
static int h_snapshot(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    lab_sandbox *sb = lab_sandbox_from(L);
    if (!lab_sandbox_charge(sb, h->charged))
        return luaL_error(L, "too many snapshots held: drop some");
    lua_vsnap *s = lua_newuserdatauv(L, sizeof *s, 0);
    memset(s, 0, sizeof *s);
    luaL_setmetatable(L, VSNAP_MT);
    s->s = vmm_save(h->v);
    if (!s->s) {
        lab_sandbox_uncharge(sb, h->charged);
        return luaL_error(L, "snapshot: out of memory");
    }
    s->charged = h->charged;
    return 1;
}

static int h_restore(lua_State *L)
{
    lua_vmm *h = check_vmm(L, 1);
    lua_vsnap *s = luaL_checkudata(L, 2, VSNAP_MT);
    not_running(L, h, "restore");
    if (!s->s || !vmm_restore(h->v, s->s))
        return luaL_error(L, "restore: the snapshot is of another hypervisor shape");
    return 0;
}

static int vs_gc(lua_State *L)
{
    lua_vsnap *s = luaL_checkudata(L, 1, VSNAP_MT);
    if (s->s) {
        vmm_snapshot_free(s->s);
        s->s = NULL;
        lab_sandbox_uncharge(lab_sandbox_from(L), s->charged);
    }
    return 0;
}

static const luaL_Reg vmm_methods[] = {
    { "load", h_load }, { "run", h_run }, { "step", h_step }, { "stop", h_stop },
    { "on_exit", h_on_exit }, { "emulate", h_emulate }, { "hypercall", h_hypercall },
    { "reg", h_reg }, { "set_reg", h_set_reg }, { "pc", h_pc }, { "set_pc", h_set_pc },
    { "vcr", h_vcr }, { "set_vcr", h_set_vcr }, { "read", h_read },
    { "console", h_console }, { "state", h_state }, { "stats", h_stats },
    { "snapshot", h_snapshot }, { "restore", h_restore }, { "close", h_close },
    { NULL, NULL },
};

void lab_api_open_vmm(lua_State *L, int traplab_idx)
{
    traplab_idx = lua_absindex(L, traplab_idx);
    luaL_newmetatable(L, VMM_MT);
    luaL_newlib(L, vmm_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, h_gc); lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, h_close); lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, h_tostring); lua_setfield(L, -2, "__tostring");
    lab_protect_metatable(L, -1);
    lua_pop(L, 1);
    luaL_newmetatable(L, VSNAP_MT);
    lua_pushcfunction(L, vs_gc); lua_setfield(L, -2, "__gc");
    lab_protect_metatable(L, -1);
    lua_pop(L, 1);
    lua_pushcfunction(L, api_vmm_new);
    lua_setfield(L, traplab_idx, "hypervisor");
    lua_pushinteger(L, VMM_MAX_VMS);
    lua_setfield(L, traplab_idx, "MAX_VMS");
}
