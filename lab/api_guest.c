/*
 * api_guest.c -- the shipped guest software for labs: traplab.guest(name)
 * returns the source of guest/NAME.s (the kernel and workloads `traplab vm`
 * and `traplab compare` run) with its .include files inlined, so a lab can
 * hand exactly those guests to traplab.hypervisor (whose h:load refuses
 * .include); traplab.native{...} runs a kernel and a workload on the bare
 * machine, as `traplab vm` does for its comparison with native.  With them a
 * lab computes every expected answer from the tool at grading time.
 *
 * Only names of one word are looked up, in one folder (lab_api_set_guest_dir,
 * set by the command line to the folder `traplab vm` uses): a lab cannot read
 * other files through this.
 */
#include "lab/api.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "asm/asm.h"
#include "lab/sandbox.h"
#include "vmm/vmm.h"

#define GUEST_MAX_BYTES  (1u << 20)    /* one guest source with its includes */
#define GUEST_MAX_DEPTH  4
#define NATIVE_DEFAULT   100000000ull
#define NATIVE_MAX       500000000ull

static char guest_dir[PATH_MAX] = "guest";

void lab_api_set_guest_dir(const char *dir)
{
    if (dir && *dir)
        snprintf(guest_dir, sizeof guest_dir, "%s", dir);
}

static bool is_word(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* Appends guest/name.s to b, inlining `.include "x.s"` lines; false with a message in err. */
static bool append_guest(luaL_Buffer *b, const char *name, size_t nlen, int depth, size_t *total,
                         char *err, size_t errlen)
{
    if (depth > GUEST_MAX_DEPTH) {
        snprintf(err, errlen, "includes nested more than %d deep", GUEST_MAX_DEPTH);
        return false;
    }
    char path[PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/%.*s.s", guest_dir, (int)(nlen & 127), name);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "no guest '%.*s' (looked for %s)", (int)nlen, name, path);
        return false;
    }
    char line[1024];
    bool ok = true;
    while (ok && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        *total += len;
        if (*total > GUEST_MAX_BYTES) {
            snprintf(err, errlen, "guest '%.*s' is larger than %u bytes", (int)nlen, name, GUEST_MAX_BYTES);
            ok = false;
            break;
        }
        const char *p = line + strspn(line, " \t");
        if (strncmp(p, ".include", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
            const char *q = strchr(p, '"');
            const char *e = q ? strchr(q + 1, '"') : NULL;
            size_t n = e ? (size_t)(e - q - 1) : 0;
            if (!e || n < 3 || strncmp(e - 2, ".s", 2) != 0 || !is_word(q + 1, n - 2)) {
                snprintf(err, errlen, "guest '%.*s': cannot inline %.*s", (int)nlen, name,
                         (int)strcspn(p, "\n"), p);
                ok = false;
                break;
            }
            ok = append_guest(b, q + 1, n - 2, depth + 1, total, err, errlen);
            continue;
        }
        luaL_addlstring(b, line, len);
    }
    fclose(f);
    return ok;
}

/*
 * traplab.guest("arch.s"): the file itself, its .include lines kept, for a lab
 * that hands the kernel a student's arch.s through h:load's files (so the
 * assembler's messages name arch.s and its own lines).
 */
static int guest_file(lua_State *L, const char *name, size_t nlen)
{
    if (!is_word(name, nlen))
        return luaL_error(L, "traplab.guest: '%s' is not a guest file name (a word and .s, such as \"arch.s\")",
                          name);
    if (!lua_isnoneornil(L, 2))
        return luaL_error(L, "traplab.guest: a file (%s) is returned as it is, without defines", name);
    char path[PATH_MAX + 80];
    snprintf(path, sizeof path, "%s/%.*s.s", guest_dir, (int)(nlen & 127), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return luaL_error(L, "traplab.guest: no guest file '%s' (looked for %s)", name, path);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char buf[4096];
    size_t n, total = 0;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        total += n;
        if (total > GUEST_MAX_BYTES) {
            fclose(f);
            return luaL_error(L, "traplab.guest: '%s' is larger than %u bytes", name, GUEST_MAX_BYTES);
        }
        luaL_addlstring(&b, buf, n);
    }
    fclose(f);
    luaL_pushresult(&b);
    return 1;
}

/* traplab.guest(name [, defines]) -> source text; defines { BATCH = 4, PARAVIRT = true } */
static int api_guest(lua_State *L)
{
    size_t nlen;
    const char *name = luaL_checklstring(L, 1, &nlen);
    if (nlen > 2 && strcmp(name + nlen - 2, ".s") == 0)
        return guest_file(L, name, nlen - 2);
    if (!is_word(name, nlen))
        return luaL_error(L, "traplab.guest: '%s' is not a guest name (a word such as \"kernel\" or \"sys\")", name);
    bool has_defs = !lua_isnoneornil(L, 2);
    if (has_defs)
        luaL_checktype(L, 2, LUA_TTABLE);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    if (has_defs) {
        lua_pushnil(L);
        while (lua_next(L, 2)) {
            size_t klen;
            const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
            if (!k || !is_word(k, klen) || strchr(k, '-'))
                return luaL_error(L, "traplab.guest: define names must be words");
            lua_Integer v;
            if (lua_isboolean(L, -1) && lua_toboolean(L, -1))
                v = 1;
            else if (lua_isinteger(L, -1))
                v = lua_tointeger(L, -1);
            else
                return luaL_error(L, "traplab.guest: define %s must be an integer or true", k);
            char line[128];
            snprintf(line, sizeof line, "        .equ    %s, %lld\n", k, (long long)v);
            lua_pop(L, 1);
            luaL_addstring(&b, line);
        }
    }
    char err[PATH_MAX + 128];
    size_t total = 0;
    if (!append_guest(&b, name, nlen, 0, &total, err, sizeof err))
        return luaL_error(L, "traplab.guest: %s", err);
    luaL_pushresult(&b);
    return 1;
}

int lab_api_read_costs(lua_State *L, int idx, vmm_config *cfg, const char *who)
{
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        char a[96], e[160];
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
        if (!lua_isinteger(L, -1))
            return luaL_error(L, "%s: cost %s must be a whole number of cycles, not %s", who, k,
                              luaL_tolstring(L, -1, NULL));
        snprintf(a, sizeof a, "%.60s=%lld", k, (long long)lua_tointeger(L, -1));
        if (!vmm_set_cost_err(&cfg->costs, &cfg->mcosts, a, e, sizeof e))
            return luaL_error(L, "%s: %s", who, e);
        lua_pop(L, 1);
    }
    return 0;
}

static char *assemble_text(const char *name, const char *src, const lab_mem_files *files, image *img)
{
    char *diag = NULL;
    size_t dlen = 0;
    FILE *df = open_memstream(&diag, &dlen);
    if (!df)
        return strdup("out of memory");
    asm_options opt = { 0 };
    opt.diag = df;
    opt.no_include = true;
    opt.mem_names = files->names;
    opt.mem_texts = files->texts;
    opt.nmem = files->n;
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

/* traplab.native{ kernel = src, program = src, profile = "strict", costs = {...}, max = N,
 *                 files = { ["arch.s"] = text } }
 * -> { halted, stop, reason, instret, cycles, console } */
static int api_native(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 1;
    lua_getfield(L, 1, "kernel");
    const char *ksrc = luaL_optstring(L, -1, NULL);
    lua_getfield(L, 1, "program");
    const char *psrc = luaL_optstring(L, -1, NULL);
    if (!ksrc)
        return luaL_error(L, "traplab.native: kernel (assembly source) is required");
    lua_getfield(L, 1, "files");
    lab_mem_files files;
    lab_api_check_files(L, -1, &files);     /* the table stays on the stack for the call */
    if (lua_getfield(L, 1, "profile") != LUA_TNIL &&
        !isa_parse_profile(luaL_checkstring(L, -1), &cfg.profile))
        return luaL_error(L, "traplab.native: profile must be 'strict' or 'legacy'");
    lua_pop(L, 1);
    if (lua_getfield(L, 1, "costs") != LUA_TNIL) {
        luaL_checktype(L, -1, LUA_TTABLE);
        lab_api_read_costs(L, -1, &cfg, "traplab.native");
    }
    lua_pop(L, 1);
    unsigned long long max = NATIVE_DEFAULT;
    if (lua_getfield(L, 1, "max") != LUA_TNIL) {
        lua_Integer m = luaL_checkinteger(L, -1);
        if (m < 1 || (unsigned long long)m > NATIVE_MAX)
            return luaL_error(L, "traplab.native: max must be 1..%llu instructions", NATIVE_MAX);
        max = (unsigned long long)m;
    }
    lua_pop(L, 1);
    size_t charge = (size_t)cfg.part_size + ((size_t)1 << 20);
    lab_sandbox *sb = lab_sandbox_from(L);
    if (!lab_sandbox_charge(sb, charge))
        return luaL_error(L, "traplab.native: machine memory limit exceeded");
    image kimg, pimg;
    char *diag = assemble_text("kernel.s", ksrc, &files, &kimg);
    if (!diag && psrc) {
        diag = assemble_text("program.s", psrc, &files, &pimg);
        if (diag)
            image_free(&kimg);
    }
    if (diag) {
        lab_sandbox_uncharge(sb, charge);
        lua_pushstring(L, diag);
        free(diag);
        return lua_error(L);
    }
    vmm_native_result r;
    char err[256];
    bool ok = vmm_run_native(&cfg, &kimg, psrc ? &pimg : NULL, max, &r, err, sizeof err);
    image_free(&kimg);
    if (psrc)
        image_free(&pimg);
    lab_sandbox_uncharge(sb, charge);
    if (!ok)
        return luaL_error(L, "traplab.native: %s", err);
    lua_createtable(L, 0, 6);
    lua_pushboolean(L, r.stop == STOP_HALT); lua_setfield(L, -2, "halted");
    lua_pushstring(L, machine_stop_name(r.stop)); lua_setfield(L, -2, "stop");
    lua_pushstring(L, r.reason); lua_setfield(L, -2, "reason");
    lua_pushinteger(L, (lua_Integer)r.instret); lua_setfield(L, -2, "instret");
    lua_pushinteger(L, (lua_Integer)r.cycles); lua_setfield(L, -2, "cycles");
    lua_pushlstring(L, r.console ? r.console : "", r.console_len); lua_setfield(L, -2, "console");
    vmm_native_result_free(&r);
    return 1;
}

void lab_api_open_guest(lua_State *L, int traplab_idx)
{
    traplab_idx = lua_absindex(L, traplab_idx);
    lua_pushcfunction(L, api_guest);
    lua_setfield(L, traplab_idx, "guest");
    lua_pushcfunction(L, api_native);
    lua_setfield(L, traplab_idx, "native");
    /* traplab.designs.hw == true when `--design hw` is built in: labs offer what exists. */
    lua_createtable(L, 0, VMM_DESIGN_COUNT);
    for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++) {
        lua_pushboolean(L, vmm_design_available((vmm_design)d));
        lua_setfield(L, -2, vmm_design_name((vmm_design)d));
    }
    lua_setfield(L, traplab_idx, "designs");
}
