/*
 * sandbox.c -- the Lua state every lab and every student's code runs in.
 *
 * Built the way linit.c invites: open only base, string, table, math and
 * utf8, then take out of base whatever reaches the host (dofile, loadfile),
 * runs bytecode (load of binary chunks, string.dump) or tunes the collector.
 * Runaway code is stopped by a count hook and memory bombs by the
 * allocator refusing to grow past a cap; both surface as ordinary Lua
 * errors, so a pcall turns them into a message instead of a crash.
 */
#include "lab/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lauxlib.h>
#include <lualib.h>

#define HOOK_EVERY 1000            /* instructions between count-hook calls */
/*
 * Allocating and filling memory costs time the instruction count does not
 * see (string.rep of 1000 bytes is one instruction): every ALLOC_PER_INSN
 * bytes the heap grows by are charged as one instruction, so an
 * allocation-heavy loop meets the budget before the grader's CPU limit.
 * Deterministic, unlike a clock.  A lab's normal work allocates a few MiB.
 */
#define ALLOC_PER_INSN 16
#define PRINT_CAP  (64u << 10)     /* bytes print may write per sandbox */

struct lab_sandbox {
    lua_State *L;
    size_t mem, mem_cap;
    uint64_t insns, insn_cap;
    uint64_t allocated;           /* bytes of growth not yet charged to insns */
    bool tripped;                 /* the budget ran out: every instruction now fails */
    char trip_msg[256];           /* ... with this message, which says where it ran out */
    size_t printed;
    size_t ext, ext_cap;          /* host memory held by API objects (machines) */
    struct { char name[32]; char path[PATH_MAX]; } roots[LAB_MAX_ROOTS];
    int nroots;
};

static void *sandbox_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    lab_sandbox *sb = ud;
    size_t old = ptr ? osize : 0;   /* for a new block osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        sb->mem -= old;
        return NULL;
    }
    if (nsize > old && sb->mem - old + nsize > sb->mem_cap)
        return NULL;   /* Lua raises "not enough memory"; the state stays usable */
    void *p = realloc(ptr, nsize);
    if (p) {
        sb->mem = sb->mem - old + nsize;
        if (nsize > old)
            sb->allocated += nsize - old;
    }
    return p;
}

static void count_hook(lua_State *L, lua_Debug *ar)
{
    (void)ar;
    lab_sandbox *sb = lab_sandbox_from(L);
    sb->insns += HOOK_EVERY + sb->allocated / ALLOC_PER_INSN;
    sb->allocated %= ALLOC_PER_INSN;
    if (sb->tripped || sb->insns > sb->insn_cap) {
        /*
         * From now on every instruction fails, not just one in a thousand:
         * otherwise `while true do pcall(spin) end` would catch each error
         * inside spin and loop forever.  Only the engine's own protected
         * call (lab_sandbox_reset_budget after it) lifts this.
         */
        if (!sb->tripped) {
            sb->tripped = true;
            lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
            /*
             * Where the loop was is only known now: every later error (in the
             * lab's own code, unwinding) repeats this message, so the report
             * points at the student's line, not at the lab's wrapper.
             */
            luaL_where(L, 0);   /* in a hook, level 0 is the function that was running */
            snprintf(sb->trip_msg, sizeof sb->trip_msg,
                     "%sinstruction limit exceeded (%" PRIu64 " Lua instructions, each %d bytes "
                     "allocated counting as one): an endless loop?", lua_tostring(L, -1), sb->insn_cap,
                     ALLOC_PER_INSN);
            lua_pop(L, 1);
        }
        lua_pushstring(L, sb->trip_msg);
        lua_error(L);
    }
}

static int sandbox_panic(lua_State *L)
{
    /* Only reachable if the engine itself calls Lua outside a pcall: a bug. */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "traplab: internal Lua error outside a protected call: %s\n", msg ? msg : "?");
    abort();
}

/* Never calls a __tostring metamethod: the error object may be a student's. */
static int msghandler(lua_State *L)
{
    const char *msg = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
    if (!msg) {
        lab_error_where(L);
        msg = lua_tostring(L, -1);
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/*
 * error({...}) carries no position: say where it was raised, from the first
 * Lua frame up the stack.  Never calls a metamethod (the object may be a
 * student's); string messages already have their file:line.
 */
int lab_error_where(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TSTRING)
        return 1;
    lua_Debug ar;
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: error() was given a %s value, not a message", ar.short_src,
                            ar.currentline, luaL_typename(L, 1));
            return 1;
        }
    }
    lua_pushfstring(L, "error() was given a %s value, not a message", luaL_typename(L, 1));
    return 1;
}

int lab_pcall_where(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, lab_error_where);
    lua_insert(L, base);
    int st = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return st;
}

/* load, but text only; with upvalue 2 set, that table is the default env. */
static int safe_load(lua_State *L)
{
    int n = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    if (n >= 2) lua_pushvalue(L, 2); else lua_pushnil(L);
    lua_pushliteral(L, "t");
    if (n >= 4)
        lua_pushvalue(L, 4);
    else if (!lua_isnil(L, lua_upvalueindex(2)))
        lua_pushvalue(L, lua_upvalueindex(2));
    int nargs = lua_gettop(L) - n - 1;
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L) - n;
}

static int safe_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");
    if (strcmp(opt, "count") == 0) {
        int kb = lua_gc(L, LUA_GCCOUNT), b = lua_gc(L, LUA_GCCOUNTB);
        lua_pushnumber(L, (lua_Number)kb + (lua_Number)b / 1024);
        return 1;
    }
    if (strcmp(opt, "collect") == 0) {
        lua_gc(L, LUA_GCCOLLECT);
        lua_pushinteger(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage('%s') is not allowed in a lab", opt);
}

static int safe_print(lua_State *L)
{
    lab_sandbox *sb = lab_sandbox_from(L);
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = 1; i <= n; i++) {
        if (i > 1) luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_addchar(&b, '\n');
    luaL_pushresult(&b);
    size_t len;
    const char *s = lua_tolstring(L, -1, &len);
    if (sb->printed < PRINT_CAP) {
        size_t room = PRINT_CAP - sb->printed;
        fwrite(s, 1, len < room ? len : room, stderr);
        if (len >= room)
            fputs("[lab output truncated]\n", stderr);
        sb->printed += len;
    }
    return 0;
}

void lab_sandbox_push_load(lua_State *L, int env_idx)
{
    env_idx = lua_absindex(L, env_idx);
    lua_getfield(L, LUA_REGISTRYINDEX, "traplab.load");
    lua_pushvalue(L, env_idx);
    lua_pushcclosure(L, safe_load, 2);
}

void lab_protect_metatable(lua_State *L, int idx)
{
    idx = lua_absindex(L, idx);
    lua_pushliteral(L, "protected");
    lua_setfield(L, idx, "__metatable");
}

static void open_safe_libs(lua_State *L)
{
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base }, { LUA_STRLIBNAME, luaopen_string },
        { LUA_TABLIBNAME, luaopen_table }, { LUA_MATHLIBNAME, luaopen_math },
        { LUA_UTF8LIBNAME, luaopen_utf8 }, { NULL, NULL },
    };
    for (const luaL_Reg *l = libs; l->name; l++) {
        luaL_requiref(L, l->name, l->func, 1);
        lua_pop(L, 1);
    }
    lua_pushglobaltable(L);
    static const char *const drop[] = { "dofile", "loadfile", "require", NULL };
    for (const char *const *d = drop; *d; d++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *d);
    }
    lua_getfield(L, -1, "load");
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, "traplab.load");
    lua_pushnil(L);
    lua_pushcclosure(L, safe_load, 2);
    lua_setfield(L, -2, "load");
    lua_pushcfunction(L, safe_collectgarbage);
    lua_setfield(L, -2, "collectgarbage");
    lua_pushcfunction(L, safe_print);
    lua_setfield(L, -2, "print");
    lua_getfield(L, -1, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 2);
    /* The string metatable's __index is the real string table: hide it. */
    lua_pushliteral(L, "");
    if (lua_getmetatable(L, -1)) {
        lab_protect_metatable(L, -1);
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    /* A fixed seed: the same lab and submission give the same run. */
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, 42);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
}

lab_sandbox *lab_sandbox_new(const lab_limits *lim)
{
    lab_sandbox *sb = calloc(1, sizeof *sb);
    if (!sb)
        return NULL;
    sb->mem_cap = lim && lim->max_memory ? lim->max_memory : LAB_DEFAULT_MEMORY;
    sb->insn_cap = lim && lim->max_instructions ? lim->max_instructions : LAB_DEFAULT_INSTRUCTIONS;
    sb->ext_cap = LAB_MAX_EXTERNAL;
    sb->L = lua_newstate(sandbox_alloc, sb);
    if (!sb->L) {
        free(sb);
        return NULL;
    }
    lua_atpanic(sb->L, sandbox_panic);
    open_safe_libs(sb->L);
    lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    return sb;
}

void lab_sandbox_free(lab_sandbox *sb)
{
    if (!sb)
        return;
    lua_close(sb->L);
    free(sb);
}

lua_State *lab_sandbox_lua(lab_sandbox *sb) { return sb->L; }

lab_sandbox *lab_sandbox_from(lua_State *L)
{
    void *ud;
    lua_getallocf(L, &ud);
    return ud;
}

size_t lab_sandbox_memory(const lab_sandbox *sb) { return sb->mem; }

bool lab_sandbox_charge(lab_sandbox *sb, size_t bytes)
{
    if (bytes > sb->ext_cap - sb->ext) {
        /* Unreachable machines may still be waiting for the collector. */
        lua_gc(sb->L, LUA_GCCOLLECT);
        if (bytes > sb->ext_cap - sb->ext)
            return false;
    }
    sb->ext += bytes;
    return true;
}

void lab_sandbox_uncharge(lab_sandbox *sb, size_t bytes)
{
    sb->ext -= bytes < sb->ext ? bytes : sb->ext;
}

void lab_sandbox_reset_budget(lab_sandbox *sb)
{
    sb->insns = 0;
    sb->allocated = 0;
    if (sb->tripped) {
        sb->tripped = false;
        lua_sethook(sb->L, count_hook, LUA_MASKCOUNT, HOOK_EVERY);
    }
}

int lab_sandbox_pcall(lab_sandbox *sb, int nargs, int nresults)
{
    lua_State *L = sb->L;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, msghandler);
    lua_insert(L, base);
    lab_sandbox_reset_budget(sb);
    int st = lua_pcall(L, nargs, nresults, base);
    lab_sandbox_reset_budget(sb);
    lua_remove(L, base);
    if (st == LUA_ERRMEM) {
        lua_pop(L, 1);
        lua_pushfstring(L, "memory limit exceeded (%d MiB): a memory bomb?", (int)(sb->mem_cap >> 20));
    }
    return st;
}

int lab_sandbox_load(lab_sandbox *sb, const char *text, size_t len, const char *name, int env_idx)
{
    lua_State *L = sb->L;
    if (env_idx)
        env_idx = lua_absindex(L, env_idx);
    int st = luaL_loadbufferx(L, text, len, name, "t");
    if (st == LUA_OK && env_idx) {
        lua_pushvalue(L, env_idx);
        lua_setupvalue(L, -2, 1);
    }
    return st;
}

bool lab_sandbox_add_root(lab_sandbox *sb, const char *name, const char *dir)
{
    if (sb->nroots >= LAB_MAX_ROOTS || strlen(name) >= sizeof sb->roots[0].name)
        return false;
    char real[PATH_MAX];
    if (!realpath(dir, real))
        return false;
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    snprintf(sb->roots[sb->nroots].name, sizeof sb->roots[0].name, "%s", name);
    memcpy(sb->roots[sb->nroots].path, real, sizeof real);
    sb->nroots++;
    return true;
}

const char *lab_sandbox_root(const lab_sandbox *sb, const char *name)
{
    for (int i = 0; i < sb->nroots; i++)
        if (strcmp(sb->roots[i].name, name) == 0)
            return sb->roots[i].path;
    return NULL;
}

bool lab_sandbox_resolve(const lab_sandbox *sb, const char *name, const char *rel,
                         char *out, size_t outlen, char *err, size_t errlen)
{
    const char *root = lab_sandbox_root(sb, name);
    if (!root) {
        snprintf(err, errlen, "no %s folder is open", name);
        return false;
    }
    if (!*rel || rel[0] == '/') {
        snprintf(err, errlen, "'%s': only paths relative to the %s folder are allowed", rel, name);
        return false;
    }
    /* Refuse any `..` component outright, before the file system is asked. */
    for (const char *p = rel; *p; ) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            snprintf(err, errlen, "'%s': '..' is not allowed in a lab path", rel);
            return false;
        }
        p += n;
        while (*p == '/') p++;
    }
    char joined[PATH_MAX], real[PATH_MAX];
    if ((size_t)snprintf(joined, sizeof joined, "%s/%s", root, rel) >= sizeof joined) {
        snprintf(err, errlen, "'%s': path too long", rel);
        return false;
    }
    if (!realpath(joined, real)) {
        snprintf(err, errlen, "%s: %s", rel, strerror(errno));
        return false;
    }
    /* A symlink may point anywhere: the real path must still be inside. */
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
        snprintf(err, errlen, "'%s' leads outside the %s folder (a symbolic link out of it is refused)",
                 rel, name);
        return false;
    }
    if (strlen(real) >= outlen) {
        snprintf(err, errlen, "'%s': path too long", rel);
        return false;
    }
    strcpy(out, real);
    return true;
}

char *lab_sandbox_read(const lab_sandbox *sb, const char *name, const char *rel,
                       size_t *len, char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (!lab_sandbox_resolve(sb, name, rel, path, sizeof path, err, errlen))
        return NULL;
    /* A FIFO or a device would block fopen (or read forever): refuse it before opening, and
     * open without blocking in case it was swapped in between. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file (%s)", rel,
                 S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                 S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        snprintf(err, errlen, "%s: %s", rel, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", rel);
        fclose(f);
        return NULL;
    }
    if (st.st_size > (off_t)LAB_MAX_FILE) {
        snprintf(err, errlen, "%s: larger than %u bytes", rel, LAB_MAX_FILE);
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", rel);
        fclose(f);
        return NULL;
    }
    size_t n = fread(buf, 1, (size_t)st.st_size, f);
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}
