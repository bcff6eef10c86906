/*
 * api_machine.c -- traplab.machine{...}: the simulated machine as a Lua
 * object, in the manner of liolib.c's files: a userdata with a protected
 * metatable, __gc and __close, and a closed state every method checks.
 *
 * A trap hook may call Lua while machine_run is on the C stack, so a Lua
 * error must never unwind through the machine: the hook calls Lua under
 * lua_pcall, stops the machine, and the error is raised again once
 * machine_run has returned.  The same reason forbids closing or restoring
 * a machine from inside its own hook.
 */
#include "lab/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "asm/asm.h"
#include "lab/sandbox.h"
#include "machine/machine.h"

#define MACHINE_MT  "traplab.Machine"
#define SNAPSHOT_MT "traplab.Snapshot"
#define RUN_DEFAULT 1000000ull
#define RUN_MAX     100000000ull       /* no lab needs more; a guest hang stops here */
#define LAB_MEM_DEFAULT (1u << 20)
#define LAB_MEM_MAX     (16u << 20)

typedef struct {
    machine *m;
    size_t charged;
    image img;               /* the last image loaded, for symbols */
    int hook_ref;            /* LUA_NOREF when no trap hook */
    lua_State *L;            /* the thread running the machine, while it runs */
    int self_idx;
    bool running;
    bool halted;      /* ran into halt (or a fatal fault): step and run stop there, like the TUI */
    machine_stop ended;   /* which of the two */
    char *hook_error;
} lua_machine;

typedef struct {
    machine_snapshot *s;
    size_t charged;
    uint32_t mem_size;
} lua_snapshot;

static lua_machine *check_machine(lua_State *L, int idx)
{
    lua_machine *lm = luaL_checkudata(L, idx, MACHINE_MT);
    if (!lm->m)
        luaL_error(L, "attempt to use a closed machine");
    return lm;
}

static void not_running(lua_State *L, lua_machine *lm, const char *what)
{
    if (lm->running)
        luaL_error(L, "cannot %s a machine from inside its own trap hook", what);
}

static unsigned check_reg(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        int r = isa_parse_reg(lua_tostring(L, idx));
        if (r < 0)
            luaL_argerror(L, idx, "unknown register");
        return (unsigned)r;
    }
    lua_Integer r = luaL_checkinteger(L, idx);
    luaL_argcheck(L, r >= 0 && r < ISA_NUM_REGS, idx, "register number out of range");
    return (unsigned)r;
}

static unsigned check_cr(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        int r = isa_parse_cr(lua_tostring(L, idx));
        if (r < 0)
            luaL_argerror(L, idx, "unknown control register");
        return (unsigned)r;
    }
    lua_Integer r = luaL_checkinteger(L, idx);
    luaL_argcheck(L, r >= 0 && r < ISA_NUM_CRS, idx, "control register out of range");
    return (unsigned)r;
}

/* lua_pushfstring has no %x: addresses are formatted here. */
static const char *hex(char *buf, uint32_t v)
{
    snprintf(buf, 16, "0x%x", (unsigned)v);
    return buf;
}

static uint32_t check_u32(lua_State *L, int idx)
{
    return (uint32_t)luaL_checkinteger(L, idx);
}

/* ---- creation and closing ---------------------------------------------------- */
static int api_machine_new(lua_State *L)
{
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.mem_size = LAB_MEM_DEFAULT;
    cfg.disk_sectors = 64;
    if (!lua_isnoneornil(L, 1)) {
        luaL_checktype(L, 1, LUA_TTABLE);
        if (lua_getfield(L, 1, "profile") != LUA_TNIL &&
            !isa_parse_profile(luaL_checkstring(L, -1), &cfg.profile))
            return luaL_error(L, "traplab.machine: profile must be 'strict' or 'legacy'");
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "memory") != LUA_TNIL) {
            lua_Integer mem = luaL_checkinteger(L, -1);
            if (mem < 4096 || mem > LAB_MEM_MAX || mem % 4096)
                return luaL_error(L, "traplab.machine: memory must be a multiple of 4096 up to %d",
                                  (int)LAB_MEM_MAX);
            cfg.mem_size = (uint32_t)mem;
        }
        lua_pop(L, 1);
        if (lua_getfield(L, 1, "costs") == LUA_TTABLE) {
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
                uint32_t probe;
                if (!machine_get_cost(&cfg.costs, k, &probe))
                    return luaL_error(L, "traplab.machine: unknown cost '%s'", k);
                if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 0 || lua_tointeger(L, -1) > UINT32_MAX)
                    return luaL_error(L, "traplab.machine: cost %s must be a whole number of cycles "
                                      "0..4294967295, not %s", k, luaL_tolstring(L, -1, NULL));
                machine_set_cost(&cfg.costs, k, (uint32_t)lua_tointeger(L, -1));
                lua_pop(L, 1);
            }
        }
        lua_pop(L, 1);
    }
    size_t charge = (size_t)cfg.mem_size + (size_t)cfg.disk_sectors * BLOCK_SECTOR_SIZE;
    lab_sandbox *sb = lab_sandbox_from(L);
    if (!lab_sandbox_charge(sb, charge))
        return luaL_error(L, "too many machines open: close some with m:close()");
    lua_machine *lm = lua_newuserdatauv(L, sizeof *lm, 0);
    memset(lm, 0, sizeof *lm);
    lm->hook_ref = LUA_NOREF;
    image_init(&lm->img);
    luaL_setmetatable(L, MACHINE_MT);
    lm->m = machine_new(&cfg);
    if (!lm->m) {
        lab_sandbox_uncharge(sb, charge);
        return luaL_error(L, "traplab.machine: out of memory");
    }
    lm->charged = charge;
    return 1;
}

static void machine_release(lua_State *L, lua_machine *lm)
{
    if (!lm->m)
        return;
    machine_free(lm->m);
    lm->m = NULL;
    image_free(&lm->img);
    luaL_unref(L, LUA_REGISTRYINDEX, lm->hook_ref);
    lm->hook_ref = LUA_NOREF;
    free(lm->hook_error);
    lm->hook_error = NULL;
    lab_sandbox_uncharge(lab_sandbox_from(L), lm->charged);
}

static int m_close(lua_State *L)
{
    lua_machine *lm = luaL_checkudata(L, 1, MACHINE_MT);
    if (lm->m)
        not_running(L, lm, "close");
    machine_release(L, lm);
    return 0;
}

static int m_gc(lua_State *L)
{
    lua_machine *lm = luaL_checkudata(L, 1, MACHINE_MT);
    if (!lm->running)
        machine_release(L, lm);
    return 0;
}

static int m_tostring(lua_State *L)
{
    lua_machine *lm = luaL_checkudata(L, 1, MACHINE_MT);
    if (!lm->m)
        lua_pushliteral(L, "machine (closed)");
    else
        lua_pushfstring(L, "machine (%s, %d KiB, ring %d)",
                        isa_profile_name(machine_get_config(lm->m)->profile),
                        (int)(machine_mem_size(lm->m) >> 10), (int)machine_ring(lm->m));
    return 1;
}

/* ---- loading programs ---------------------------------------------------------- */
static void load_image(lua_State *L, lua_machine *lm, image *img)
{
    char err[160];
    lm->halted = false;
    if (!machine_load_image(lm->m, img, err, sizeof err)) {
        image_free(img);
        luaL_error(L, "%s", err);
    }
    image_free(&lm->img);
    lm->img = *img;
}

/*
 * m:assemble{ {"kernel.s", text}, {"user.s", text} }: the files are
 * assembled as one source, as if each included the next, but every
 * diagnostic names the file and line it came from.  Pushes the joined
 * source and leaves in starts[]/names the first line of each part.
 */
#define MAX_PARTS 8
static int join_parts(lua_State *L, int idx, const char *names[MAX_PARTS], long starts[MAX_PARTS + 1])
{
    /* Raw access only: no metamethod may hand out a pair (or name) nothing else holds. */
    int n = (int)lua_rawlen(L, idx);
    luaL_argcheck(L, n >= 1 && n <= MAX_PARTS, idx, "a list of 1..8 {name, source} pairs");
    int top = lua_gettop(L);
    long line = 1;
    for (int i = 0; i < n; i++) {
        lua_rawgeti(L, idx, i + 1);
        if (lua_type(L, -1) != LUA_TTABLE || lua_rawgeti(L, -1, 1) != LUA_TSTRING ||
            lua_rawgeti(L, -2, 2) != LUA_TSTRING)
            luaL_argerror(L, idx, "each part is a {name, source} pair of strings");
        /* The caller's list (still at idx) keeps each pair, and so each name, alive. */
        names[i] = lua_tostring(L, -2);
        lua_replace(L, -3);   /* the text takes the pair's slot */
        lua_pop(L, 1);
        size_t len;
        const char *text = lua_tolstring(L, -1, &len);
        starts[i] = line;
        for (size_t k = 0; k < len; k++)
            line += text[k] == '\n';
        if (len == 0 || text[len - 1] != '\n') {
            lua_pushliteral(L, "\n");
            lua_concat(L, 2);
            line++;
        }
    }
    starts[n] = line;
    lua_concat(L, lua_gettop(L) - top);
    return n;
}

/* Rewrites "joined:LINE:" at the start of diagnostic lines to the part's own name and line. */
static void map_diagnostics(lua_State *L, const char *diag, const char *joined, int n,
                            const char *const names[], const long starts[])
{
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t jl = strlen(joined);
    for (const char *p = diag; *p; ) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) + 1 : strlen(p);
        char *end;
        long ln;
        if (strncmp(p, joined, jl) == 0 && p[jl] == ':' &&
            (ln = strtol(p + jl + 1, &end, 10)) > 0 && *end == ':') {
            int i = n - 1;
            while (i > 0 && ln < starts[i])
                i--;
            char head[64];
            snprintf(head, sizeof head, ":%ld", ln - starts[i] + 1);
            luaL_addstring(&b, names[i]);
            luaL_addstring(&b, head);
            luaL_addlstring(&b, end, len - (size_t)(end - p));
        } else {
            luaL_addlstring(&b, p, len);
        }
        p += len;
    }
    luaL_pushresult(&b);
}

/* m:assemble(source [, name]) or m:assemble{ {name, source}, ... } -> true | nil, diagnostics */
static int m_assemble(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    not_running(L, lm, "load");
    const char *names[MAX_PARTS];
    long starts[MAX_PARTS + 1];
    int nparts = 0;
    const char *src, *name;
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_settop(L, 2);
        nparts = join_parts(L, 2, names, starts);
        src = lua_tostring(L, -1);
        name = "\x01joined";   /* never a real file name: every diagnostic line gets mapped */
    } else {
        src = luaL_checkstring(L, 2);
        name = luaL_optstring(L, 3, "program.s");
    }
    char *diag = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&diag, &dlen);
    if (!df)
        return luaL_error(L, "out of memory");
    asm_options opt = { 0 };
    opt.diag = df;
    opt.no_include = true;   /* `.include "/etc/passwd"` would read around the sandbox */
    image img;
    image_init(&img);
    int errors = asm_assemble_string(name, src, &opt, &img);
    fclose(df);
    if (errors) {
        image_free(&img);
        lua_pushnil(L);
        if (nparts && diag)
            map_diagnostics(L, diag, name, nparts, names, starts);
        else
            lua_pushstring(L, diag ? diag : "assembly failed");
        free(diag);
        return 2;
    }
    free(diag);
    load_image(L, lm, &img);
    lua_pushboolean(L, 1);
    return 1;
}

/* m:load(bytes of a .tlo image) -> true | nil, message */
static int m_load(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    not_running(L, lm, "load");
    size_t len;
    const char *bytes = luaL_checklstring(L, 2, &len);
    char err[256];
    image img;
    image_init(&img);
    if (!image_read_mem((const uint8_t *)bytes, len, &img, err, sizeof err)) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    load_image(L, lm, &img);
    lua_pushboolean(L, 1);
    return 1;
}

static int m_symbol(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    const image_symbol *s = image_find_symbol(&lm->img, luaL_checkstring(L, 2));
    if (s) lua_pushinteger(L, s->value); else lua_pushnil(L);
    return 1;
}

/* ---- running ------------------------------------------------------------------- */
static void push_trap(lua_State *L, const machine_trap *t)
{
    char buf[128];
    lua_createtable(L, 0, 10);
    lua_pushstring(L, isa_cause_name(CAUSE_CODE(t->cause))); lua_setfield(L, -2, "cause");
    lua_pushinteger(L, CAUSE_CODE(t->cause)); lua_setfield(L, -2, "code");
    lua_pushstring(L, isa_access_name(CAUSE_ACCESS(t->cause))); lua_setfield(L, -2, "access");
    lua_pushinteger(L, t->pc); lua_setfield(L, -2, "pc");
    lua_pushinteger(L, t->epc); lua_setfield(L, -2, "epc");
    lua_pushinteger(L, t->addr); lua_setfield(L, -2, "addr");
    lua_pushinteger(L, t->insn); lua_setfield(L, -2, "insn");
    lua_pushinteger(L, t->ring); lua_setfield(L, -2, "ring");
    lua_pushinteger(L, (lua_Integer)t->cycle); lua_setfield(L, -2, "cycle");
    const isa_insn *in;
    isa_operands o;
    if (t->insn && isa_decode(t->insn, &in, &o)) {
        lua_pushstring(L, in->mnemonic); lua_setfield(L, -2, "mnemonic");
        lua_pushstring(L, isa_disassemble(t->insn, t->pc, buf, sizeof buf, NULL, NULL));
        lua_setfield(L, -2, "text");
        lua_pushinteger(L, o.rd); lua_setfield(L, -2, "rd");
        lua_pushinteger(L, o.rs1); lua_setfield(L, -2, "rs1");
        lua_pushinteger(L, o.rs2); lua_setfield(L, -2, "rs2");
        lua_pushinteger(L, o.imm); lua_setfield(L, -2, "imm");
    }
}

static bool trap_hook(machine *m, const machine_trap *t, void *ud)
{
    lua_machine *lm = ud;
    lua_State *L = lm->L;
    if (!L || lm->hook_ref == LUA_NOREF || lm->hook_error)
        return false;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lm->hook_ref);
    push_trap(L, t);
    lua_pushvalue(L, lm->self_idx);
    if (lab_pcall_where(L, 2, 1) != LUA_OK) {
        const char *e = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error in the trap hook";
        lm->hook_error = strdup(strcmp(e, "not enough memory") == 0 ? "memory limit exceeded" : e);
        lua_pop(L, 1);
        machine_request_stop(m);
        return false;
    }
    bool handled = lua_toboolean(L, -1);
    lua_pop(L, 1);
    return handled;
}

static int finish_run(lua_State *L, lua_machine *lm, machine_stop st)
{
    lm->running = false;
    lm->L = NULL;
    if (lm->hook_error) {
        lua_pushstring(L, lm->hook_error);
        free(lm->hook_error);
        lm->hook_error = NULL;
        return lua_error(L);
    }
    if (st == STOP_HALT || st == STOP_FATAL) {
        lm->halted = true;
        lm->ended = st;
    }
    lua_pushstring(L, machine_stop_name(st));
    if (st == STOP_FATAL) {
        lua_pushstring(L, machine_fatal_reason(lm->m));
        return 2;
    }
    return 1;
}

static void begin_run(lua_State *L, lua_machine *lm)
{
    not_running(L, lm, "run");
    lm->running = true;
    lm->L = L;
    lm->self_idx = 1;
    machine_set_trap_hook(lm->m, lm->hook_ref == LUA_NOREF ? NULL : trap_hook, lm);
}

/* m:run([max_instructions]) -> stop reason ("halt", "limit", ...) */
static int m_run(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_Integer max = luaL_optinteger(L, 2, (lua_Integer)RUN_DEFAULT);
    luaL_argcheck(L, max > 0 && (uint64_t)max <= RUN_MAX, 2, "instruction limit must be 1..100000000");
    lua_settop(L, 1);
    if (lm->halted)   /* past halt is zeroed memory, not more program */
        return finish_run(L, lm, lm->ended);
    begin_run(L, lm);
    machine_stop st = machine_run(lm->m, (uint64_t)max);
    return finish_run(L, lm, st);
}

static int m_step(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_settop(L, 1);
    if (lm->halted)
        return finish_run(L, lm, lm->ended);
    begin_run(L, lm);
    machine_stop st = machine_step(lm->m);
    return finish_run(L, lm, st);
}

/* m:on_trap(function(trap, m) ... return handled end) or m:on_trap(nil) */
static int m_on_trap(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    if (!lua_isnil(L, 2))
        luaL_checktype(L, 2, LUA_TFUNCTION);
    luaL_unref(L, LUA_REGISTRYINDEX, lm->hook_ref);
    lm->hook_ref = LUA_NOREF;
    if (!lua_isnil(L, 2)) {
        lua_pushvalue(L, 2);
        lm->hook_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    return 0;
}

static int m_stop_on_trap(lua_State *L)
{
    machine_set_stop_on_trap(check_machine(L, 1)->m, lua_toboolean(L, 2));
    return 0;
}

static int m_breakpoint(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    machine_set_breakpoint(lm->m, check_u32(L, 2), lua_isnone(L, 3) || lua_toboolean(L, 3));
    return 0;
}

static int m_last_trap(lua_State *L)
{
    const machine_trap *t = machine_last_trap(check_machine(L, 1)->m);
    if (CAUSE_CODE(t->cause) == CAUSE_NONE)
        lua_pushnil(L);
    else
        push_trap(L, t);
    return 1;
}

static int m_reset(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    not_running(L, lm, "reset");
    machine_reset(lm->m);
    return 0;
}

static int m_request_stop(lua_State *L)
{
    machine_request_stop(check_machine(L, 1)->m);
    return 0;
}

/* ---- state --------------------------------------------------------------------- */
static int m_reg(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_pushinteger(L, machine_get_reg(lm->m, check_reg(L, 2)));
    return 1;
}

static int m_set_reg(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    machine_set_reg(lm->m, check_reg(L, 2), check_u32(L, 3));
    return 0;
}

static int m_cr(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_pushinteger(L, machine_get_cr(lm->m, check_cr(L, 2)));
    return 1;
}

static int m_set_cr(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    machine_set_cr(lm->m, check_cr(L, 2), check_u32(L, 3));
    return 0;
}

static int m_pc(lua_State *L)
{
    lua_pushinteger(L, machine_cpu(check_machine(L, 1)->m)->pc);
    return 1;
}

static int m_set_pc(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    machine_cpu(lm->m)->pc = check_u32(L, 2);
    lm->halted = false;   /* the lab moved on past the halt on purpose */
    return 0;
}

static int m_ring(lua_State *L)
{
    lua_pushinteger(L, machine_ring(check_machine(L, 1)->m));
    return 1;
}

/* m:set_ring(r): the ring bits of status, leaving the rest alone */
static int m_set_ring(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_Integer r = luaL_checkinteger(L, 2);
    luaL_argcheck(L, r >= 0 && r <= 3, 2, "ring must be 0..3");
    uint32_t st = machine_get_cr(lm->m, CR_STATUS);
    machine_set_cr(lm->m, CR_STATUS, (st & ~STATUS_RING_MASK) | (uint32_t)r);
    return 0;
}

static int m_read_word(lua_State *L)
{
    char h[16];
    lua_machine *lm = check_machine(L, 1);
    uint8_t b[4];
    if (!machine_read_phys(lm->m, check_u32(L, 2), b, 4))
        return luaL_error(L, "read_word: address %s outside memory", hex(h, check_u32(L, 2)));
    lua_pushinteger(L, (lua_Integer)((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                                     (uint32_t)b[3] << 24));
    return 1;
}

static int m_write_word(lua_State *L)
{
    char h[16];
    lua_machine *lm = check_machine(L, 1);
    uint32_t v = check_u32(L, 3);
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    if (!machine_write_phys(lm->m, check_u32(L, 2), b, 4))
        return luaL_error(L, "write_word: address %s outside memory", hex(h, check_u32(L, 2)));
    return 0;
}

static int m_read(lua_State *L)
{
    char h[16];
    lua_machine *lm = check_machine(L, 1);
    uint32_t addr = check_u32(L, 2);
    lua_Integer n = luaL_checkinteger(L, 3);
    luaL_argcheck(L, n >= 0 && n <= (lua_Integer)machine_mem_size(lm->m), 3, "bad length");
    if (n == 0 || (uint64_t)addr + (uint64_t)n > machine_mem_size(lm->m))
        return n == 0 ? (lua_pushliteral(L, ""), 1)
                      : luaL_error(L, "read: %s+%d outside memory", hex(h, addr), (int)n);
    lua_pushlstring(L, (const char *)machine_mem_view(lm->m) + addr, (size_t)n);
    return 1;
}

static int m_write(lua_State *L)
{
    char h[16];
    lua_machine *lm = check_machine(L, 1);
    size_t n;
    uint32_t addr = check_u32(L, 2);
    const char *s = luaL_checklstring(L, 3, &n);
    if (!machine_write_phys(lm->m, addr, s, n))
        return luaL_error(L, "write: %s+%d outside memory", hex(h, addr), (int)n);
    return 0;
}

static int m_console(lua_State *L)
{
    size_t len;
    const char *s = machine_console_output(check_machine(L, 1)->m, &len);
    lua_pushlstring(L, s ? s : "", s ? len : 0);
    return 1;
}

static int m_input(lua_State *L)
{
    size_t n;
    lua_machine *lm = check_machine(L, 1);
    const char *s = luaL_checklstring(L, 2, &n);
    machine_console_input(lm->m, s, n);
    return 0;
}

/* Port I/O as in and out do it, for a hypervisor that emulates them. */
static int m_port_in(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_pushinteger(L, machine_port_in(lm->m, check_u32(L, 2)));
    return 1;
}

static int m_port_out(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    machine_port_out(lm->m, check_u32(L, 2), check_u32(L, 3));
    return 0;
}

static int m_add_cycles(lua_State *L)
{
    lua_Integer c = luaL_checkinteger(L, 2);
    luaL_argcheck(L, c >= 0, 2, "cycles must be >= 0");
    machine_add_cycles(check_machine(L, 1)->m, (uint64_t)c);
    return 0;
}

static int m_stats(lua_State *L)
{
    const machine_stats *s = machine_get_stats(check_machine(L, 1)->m);
    lua_createtable(L, 0, 9);
    lua_pushinteger(L, (lua_Integer)s->instret); lua_setfield(L, -2, "instret");
    lua_pushinteger(L, (lua_Integer)s->cycles); lua_setfield(L, -2, "cycles");
    lua_pushinteger(L, (lua_Integer)s->traps_total); lua_setfield(L, -2, "traps_total");
    lua_pushinteger(L, (lua_Integer)s->tlb_hits); lua_setfield(L, -2, "tlb_hits");
    lua_pushinteger(L, (lua_Integer)s->tlb_misses); lua_setfield(L, -2, "tlb_misses");
    lua_pushinteger(L, (lua_Integer)s->tlb_flushes); lua_setfield(L, -2, "tlb_flushes");
    lua_pushinteger(L, (lua_Integer)s->idle_cycles); lua_setfield(L, -2, "idle_cycles");
    lua_createtable(L, 0, ISA_NUM_CAUSES);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++) {
        lua_pushinteger(L, (lua_Integer)s->traps[c]);
        lua_setfield(L, -2, isa_cause_name(c));
    }
    lua_setfield(L, -2, "traps");
    return 1;
}

/* ---- snapshots ------------------------------------------------------------------- */
static int m_snapshot(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    const machine_config *cfg = machine_get_config(lm->m);
    size_t charge = (size_t)cfg->mem_size + (size_t)cfg->disk_sectors * BLOCK_SECTOR_SIZE;
    lab_sandbox *sb = lab_sandbox_from(L);
    if (!lab_sandbox_charge(sb, charge))
        return luaL_error(L, "too many snapshots held: drop some");
    lua_snapshot *ls = lua_newuserdatauv(L, sizeof *ls, 0);
    memset(ls, 0, sizeof *ls);
    luaL_setmetatable(L, SNAPSHOT_MT);
    ls->s = machine_save(lm->m);
    if (!ls->s) {
        lab_sandbox_uncharge(sb, charge);
        return luaL_error(L, "snapshot: out of memory");
    }
    ls->charged = charge;
    ls->mem_size = cfg->mem_size;
    return 1;
}

static int m_restore(lua_State *L)
{
    lua_machine *lm = check_machine(L, 1);
    lua_snapshot *ls = luaL_checkudata(L, 2, SNAPSHOT_MT);
    not_running(L, lm, "restore");
    if (!ls->s)
        return luaL_error(L, "attempt to use a freed snapshot");
    if (ls->mem_size != machine_mem_size(lm->m))
        return luaL_error(L, "snapshot is of a machine with a different memory size");
    machine_restore(lm->m, ls->s);
    lm->halted = false;
    return 0;
}

static int s_gc(lua_State *L)
{
    lua_snapshot *ls = luaL_checkudata(L, 1, SNAPSHOT_MT);
    if (ls->s) {
        machine_snapshot_free(ls->s);
        ls->s = NULL;
        lab_sandbox_uncharge(lab_sandbox_from(L), ls->charged);
    }
    return 0;
}

static const luaL_Reg machine_methods[] = {
    { "assemble", m_assemble }, { "load", m_load }, { "symbol", m_symbol },
    { "run", m_run }, { "step", m_step }, { "on_trap", m_on_trap },
    { "stop_on_trap", m_stop_on_trap }, { "breakpoint", m_breakpoint },
    { "last_trap", m_last_trap }, { "reset", m_reset }, { "request_stop", m_request_stop },
    { "reg", m_reg }, { "set_reg", m_set_reg }, { "cr", m_cr }, { "set_cr", m_set_cr },
    { "pc", m_pc }, { "set_pc", m_set_pc }, { "ring", m_ring }, { "set_ring", m_set_ring },
    { "read_word", m_read_word }, { "write_word", m_write_word },
    { "read", m_read }, { "write", m_write }, { "console", m_console }, { "input", m_input },
    { "port_in", m_port_in }, { "port_out", m_port_out }, { "add_cycles", m_add_cycles }, { "stats", m_stats },
    { "snapshot", m_snapshot }, { "restore", m_restore }, { "close", m_close },
    { NULL, NULL },
};

void lab_api_open_machine(lua_State *L, int traplab_idx)
{
    traplab_idx = lua_absindex(L, traplab_idx);
    luaL_newmetatable(L, MACHINE_MT);
    luaL_newlib(L, machine_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, m_gc); lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, m_close); lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, m_tostring); lua_setfield(L, -2, "__tostring");
    lab_protect_metatable(L, -1);
    lua_pop(L, 1);
    luaL_newmetatable(L, SNAPSHOT_MT);
    lua_pushcfunction(L, s_gc); lua_setfield(L, -2, "__gc");
    lab_protect_metatable(L, -1);
    lua_pop(L, 1);
    lua_pushcfunction(L, api_machine_new);
    lua_setfield(L, traplab_idx, "machine");
}
