/*
 * lab.c -- loads a lab in the sandbox and grades one submission in this
 * process.  The framework itself (questions, checks, hints, students'
 * environment) is Lua, in prelude.lua; this file gives it the few C powers
 * it needs (files through the sandbox, the instruction budget, text-only
 * load) and turns its verdict into a lab_report.
 */
#include "lab/lab.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lauxlib.h>

#include "lab/api.h"
#include "lab/sandbox.h"

extern const char lab_prelude_source[];
extern const size_t lab_prelude_length;

uint64_t lab_seed_from_student(const char *student)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)student; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return h;
}

/* ---- powers given to the prelude -------------------------------------------- */
static int c_read(lua_State *L)
{
    size_t rl;
    const char *root = luaL_checkstring(L, 1);
    const char *rel = luaL_checklstring(L, 2, &rl);
    char err[PATH_MAX + 128];
    if (strlen(rel) != rl) {
        lua_pushnil(L);
        lua_pushliteral(L, "a path cannot contain a NUL byte");
        return 2;
    }
    size_t len;
    char *buf = lab_sandbox_read(lab_sandbox_from(L), root, rel, &len, err, sizeof err);
    if (!buf) {
        lua_pushnil(L);
        lua_pushstring(L, err);
        return 2;
    }
    lua_pushlstring(L, buf, len);   /* may raise a memory error: buf is lost then, but tiny and rare */
    free(buf);
    return 1;
}

static int c_exists(lua_State *L)
{
    size_t rl;
    const char *root = luaL_checkstring(L, 1);
    const char *rel = luaL_checklstring(L, 2, &rl);
    char path[PATH_MAX], err[PATH_MAX + 128];
    lab_sandbox *sb = lab_sandbox_from(L);
    if (strlen(rel) == rl && lab_sandbox_resolve(sb, root, rel, path, sizeof path, err, sizeof err)) {
        lua_pushboolean(L, 1);
        return 1;
    }
    /* Missing is one answer; there but refused (a symlink out, `..`) is another, with its reason. */
    const char *dir = lab_sandbox_root(sb, root);
    struct stat st;
    lua_pushboolean(L, 0);
    if (strlen(rel) != rl || !dir || snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path ||
        lstat(path, &st) == 0) {
        lua_pushstring(L, strlen(rel) != rl ? "a path cannot contain a NUL byte" : err);
        return 2;
    }
    return 1;
}

/*
 * C.call(f, ...) -> true, results... | false, error: the prelude's pcall.
 * Unlike pcall it gives f a fresh instruction budget and, once f is done,
 * lifts a tripped budget: students' pcall cannot, so a runaway loop that
 * catches its own errors still ends here.
 */
static int c_call(lua_State *L)
{
    lab_sandbox *sb = lab_sandbox_from(L);
    luaL_checkany(L, 1);
    lua_pushcfunction(L, lab_error_where);
    lua_insert(L, 1);
    lab_sandbox_reset_budget(sb);
    int st = lua_pcall(L, lua_gettop(L) - 2, LUA_MULTRET, 1);
    lab_sandbox_reset_budget(sb);
    lua_remove(L, 1);
    lua_pushboolean(L, st == LUA_OK);
    lua_insert(L, 1);
    return lua_gettop(L);
}

static int c_load(lua_State *L)
{
    size_t len;
    const char *text = luaL_checklstring(L, 1, &len);
    const char *name = luaL_checkstring(L, 2);
    luaL_checktype(L, 3, LUA_TTABLE);
    if (lab_sandbox_load(lab_sandbox_from(L), text, len, name, 3) != LUA_OK) {
        lua_pushnil(L);
        lua_insert(L, -2);
        return 2;
    }
    return 1;
}

static int c_student_load(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lab_sandbox_push_load(L, 1);
    return 1;
}

/* ---- one item at a time in a child, under a CPU limit --------------------------- */
/*
 * A record per graded item, child to parent: index, passed, then the
 * message and the violation as length-prefixed bytes (length ~0u: none).
 */
static bool put(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        c += w;
        n -= (size_t)w;
    }
    return true;
}

static bool put_str(int fd, const char *s, size_t len)
{
    uint32_t n = s ? (uint32_t)len : UINT32_MAX;
    return put(fd, &n, sizeof n) && (!s || put(fd, s, len));
}

/* Grades items from..n in this (child) process, each under a fresh CPU limit; never returns. */
static void isolate_child(lua_State *L, int fn, int from, int n, unsigned cpu, int fd)
{
    int top = lua_gettop(L);
    for (int i = from; i <= n; i++) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        rlim_t used = (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 1;
        struct rlimit rl = { used + cpu, used + cpu + 1 };
        setrlimit(RLIMIT_CPU, &rl);
        lua_pushvalue(L, fn);
        lua_pushinteger(L, i);
        bool passed = false;
        const char *msg = "internal error grading this item", *viol = NULL;
        size_t ml = strlen(msg), vl = 0;
        if (lua_pcall(L, 1, 3, 0) == LUA_OK) {
            passed = lua_toboolean(L, -3);
            if (lua_type(L, -2) == LUA_TSTRING) msg = lua_tolstring(L, -2, &ml);
            if (lua_type(L, -1) == LUA_TSTRING) viol = lua_tolstring(L, -1, &vl);
        }
        uint32_t idx = (uint32_t)i;
        uint8_t ok = passed;
        if (!put(fd, &idx, sizeof idx) || !put(fd, &ok, 1) || !put_str(fd, msg, ml) || !put_str(fd, viol, vl))
            _exit(3);
        lua_settop(L, top);
        if (viol)
            break;
    }
    fflush(NULL);
    _exit(0);
}

static bool get(const char *buf, size_t len, size_t *pos, void *out, size_t n)
{
    if (len - *pos < n) return false;
    memcpy(out, buf + *pos, n);
    *pos += n;
    return true;
}

/*
 * C.isolate(n, cpu_seconds, fn) -> { {passed, message, violation}, ... }:
 * fn(i) grades item i.  A child process grades the items in order, each
 * under its own CPU limit, and reports each as it finishes; when one
 * exceeds its limit (or crashes), that item fails with the reason and a new
 * child goes on with the next.  So one slow check costs only its points,
 * and the caches the items share still work in the common case.
 */
static int c_isolate(lua_State *L)
{
    int n = (int)luaL_checkinteger(L, 1);
    unsigned cpu = (unsigned)luaL_checkinteger(L, 2);
    luaL_checktype(L, 3, LUA_TFUNCTION);
    lua_settop(L, 3);
    lua_createtable(L, n, 0);
    int res = lua_gettop(L);
    int from = 1;
    while (from <= n) {
        int p[2];
        if (pipe(p) != 0)
            return luaL_error(L, "cannot grade in a child: %s", strerror(errno));
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            close(p[0]);
            close(p[1]);
            return luaL_error(L, "cannot grade in a child: %s", strerror(errno));
        }
        if (pid == 0) {
            close(p[0]);
            isolate_child(L, 3, from, n, cpu, p[1]);
        }
        close(p[1]);
        char *buf = NULL;
        size_t len = 0, cap = 0;
        /* A wall-clock guard too, for a busy host; the clock only times the child out. */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long long wall_ms = (long long)cpu * 3000;
        bool timed_out = false;
        for (;;) {
            struct pollfd pf = { .fd = p[0], .events = POLLIN };
            clock_gettime(CLOCK_MONOTONIC, &t1);
            long long left = wall_ms - ((long long)(t1.tv_sec - t0.tv_sec) * 1000 +
                                        (t1.tv_nsec - t0.tv_nsec) / 1000000);
            if (left <= 0) {
                kill(pid, SIGKILL);
                timed_out = true;
                break;
            }
            if (poll(&pf, 1, (int)left) == 0)
                continue;
            if (len == cap) {
                size_t nc = cap ? cap * 2 : 4096;
                char *nb = realloc(buf, nc);
                if (!nb) break;
                buf = nb;
                cap = nc;
            }
            ssize_t r = read(p[0], buf + len, cap - len);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            len += (size_t)r;
        }
        close(p[0]);
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        /* The records that came through, in order from `from`. */
        size_t pos = 0;
        bool stop = false;
        for (;;) {
            uint32_t idx, ml, vl;
            uint8_t ok;
            size_t save = pos;
            if (!get(buf, len, &pos, &idx, 4) || !get(buf, len, &pos, &ok, 1) || !get(buf, len, &pos, &ml, 4) ||
                (ml != UINT32_MAX && len - pos < ml)) { pos = save; break; }
            const char *m = buf + pos;
            pos += ml == UINT32_MAX ? 0 : ml;
            if (!get(buf, len, &pos, &vl, 4) || (vl != UINT32_MAX && len - pos < vl)) { pos = save; break; }
            const char *v = buf + pos;
            pos += vl == UINT32_MAX ? 0 : vl;
            if ((int)idx != from) { pos = save; break; }
            lua_createtable(L, 3, 0);
            lua_pushboolean(L, ok);
            lua_rawseti(L, -2, 1);
            lua_pushlstring(L, ml == UINT32_MAX ? "" : m, ml == UINT32_MAX ? 0 : ml);
            lua_rawseti(L, -2, 2);
            if (vl != UINT32_MAX) {
                lua_pushlstring(L, v, vl);
                lua_rawseti(L, -2, 3);
                stop = true;
            }
            lua_rawseti(L, res, from++);
            if (stop) break;
        }
        free(buf);
        if (stop)
            break;
        if (from <= n) {
            /* The child died in item `from`: that item fails, the next child goes on. */
            char why[160];
            if (timed_out)
                snprintf(why, sizeof why, "time limit exceeded (%lld s of wall-clock time for this item): "
                         "an endless loop?", wall_ms / 1000);
            else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGXCPU || WTERMSIG(st) == SIGKILL))
                snprintf(why, sizeof why, "CPU time limit exceeded (%u s for this item): an endless loop?", cpu);
            else if (WIFSIGNALED(st))
                snprintf(why, sizeof why, "grading this item crashed (signal %d, %s)", WTERMSIG(st),
                         strsignal(WTERMSIG(st)));
            else
                snprintf(why, sizeof why, "grading this item failed (exit status %d)",
                         WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            lua_createtable(L, 3, 0);
            lua_pushboolean(L, 0);
            lua_rawseti(L, -2, 1);
            lua_pushstring(L, why);
            lua_rawseti(L, -2, 2);
            lua_rawseti(L, res, from++);
        }
    }
    /* After a violation nothing more is graded; the caller zeroes the submission. */
    for (; from <= n; from++) {
        lua_createtable(L, 3, 0);
        lua_pushboolean(L, 0);
        lua_rawseti(L, -2, 1);
        lua_pushliteral(L, "not graded");
        lua_rawseti(L, -2, 2);
        lua_rawseti(L, res, from);
    }
    lua_settop(L, res);
    return 1;
}

static void push_c_powers(lua_State *L, const lab_limits *lim)
{
    static const luaL_Reg fns[] = {
        { "read", c_read }, { "exists", c_exists }, { "call", c_call },
        { "load", c_load }, { "student_load", c_student_load }, { "isolate", c_isolate },
        { NULL, NULL },
    };
    luaL_newlib(L, fns);
    lua_pushinteger(L, (lua_Integer)(lim->max_memory ? lim->max_memory : LAB_DEFAULT_MEMORY));
    lua_setfield(L, -2, "memcap");
    lua_pushinteger(L, (lua_Integer)lim->item_cpu_seconds);
    lua_setfield(L, -2, "item_cpu");
}

/* ---- the Lua verdict as a lab_report ------------------------------------------ */
static char *dupfield(lua_State *L, int t, const char *k)
{
    lua_pushstring(L, k);
    lua_rawget(L, t);
    const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
    char *d = strdup(s);
    lua_pop(L, 1);
    return d;
}

static double numfield(lua_State *L, int t, const char *k)
{
    lua_pushstring(L, k);
    lua_rawget(L, t);
    double v = lua_type(L, -1) == LUA_TNUMBER ? (double)lua_tonumber(L, -1) : 0;
    lua_pop(L, 1);
    return v;
}

static char **strlist(lua_State *L, int t, const char *k, size_t *n)
{
    lua_pushstring(L, k);
    lua_rawget(L, t);
    *n = 0;
    char **v = NULL;
    if (lua_type(L, -1) == LUA_TTABLE) {
        size_t len = (size_t)lua_rawlen(L, -1);
        v = calloc(len ? len : 1, sizeof *v);
        for (size_t i = 0; v && i < len; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            v[(*n)++] = strdup(lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "");
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    return v;
}

/* Runs under a pcall: lua_touserdata(1) is the report, 2 the verdict table. */
static int convert_report(lua_State *L)
{
    lab_report *r = lua_touserdata(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    free(r->title);
    r->title = dupfield(L, 2, "title");
    r->minutes = (int)numfield(L, 2, "minutes");
    lua_pushliteral(L, "fatal");
    if (lua_rawget(L, 2) == LUA_TSTRING)
        r->fatal = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    r->tasks = strlist(L, 2, "tasks", &r->ntasks);
    lua_pushliteral(L, "key");
    if (lua_rawget(L, 2) == LUA_TSTRING)
        r->key = strdup(lua_tostring(L, -1));
    lua_pop(L, 1);
    lua_pushliteral(L, "scenario");
    if (lua_rawget(L, 2) == LUA_TSTRING) {
        r->scenario = strdup(lua_tostring(L, -1));
        r->scenario_name = dupfield(L, 2, "scenario_name");
        r->scenario_vms = (unsigned)numfield(L, 2, "scenario_vms");
        if (r->scenario_vms) {
            r->scenario_program = dupfield(L, 2, "scenario_program");
            r->scenario_program_name = dupfield(L, 2, "scenario_program_name");
            r->scenario_host = dupfield(L, 2, "scenario_host");
            r->scenario_design = dupfield(L, 2, "scenario_design");
            r->scenario_profile = dupfield(L, 2, "scenario_profile");
            for (unsigned i = 0; i < 16 && i < r->scenario_vms; i++) {
                char k[48];
                snprintf(k, sizeof k, "scenario_vm_guest_%u", i);
                lua_pushstring(L, k);
                bool has = lua_rawget(L, 2) == LUA_TSTRING;
                lua_pop(L, 1);
                if (!has)
                    continue;
                r->scenario_vm_guest[i] = dupfield(L, 2, k);
                snprintf(k, sizeof k, "scenario_vm_guest_name_%u", i);
                r->scenario_vm_guest_name[i] = dupfield(L, 2, k);
            }
        }
    }
    lua_pop(L, 1);
    lua_pushliteral(L, "items");
    lua_rawget(L, 2);
    if (lua_type(L, -1) == LUA_TTABLE) {
        size_t n = (size_t)lua_rawlen(L, -1);
        r->items = calloc(n ? n : 1, sizeof *r->items);
        for (size_t i = 0; r->items && i < n; i++) {
            lua_rawgeti(L, -1, (lua_Integer)i + 1);
            int t = lua_gettop(L);
            if (lua_type(L, t) == LUA_TTABLE) {
                lab_item *it = &r->items[r->nitems++];
                it->id = dupfield(L, t, "id");
                it->kind = dupfield(L, t, "kind");
                it->title = dupfield(L, t, "title");
                it->message = dupfield(L, t, "message");
                it->points = numfield(L, t, "points");
                it->max = numfield(L, t, "max");
                lua_pushliteral(L, "passed");
                lua_rawget(L, t);
                it->passed = lua_toboolean(L, -1);
                lua_pop(L, 1);
                it->hints = strlist(L, t, "hints", &it->nhints);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    r->total = r->max = 0;
    for (size_t i = 0; i < r->nitems; i++) {
        r->total += r->items[i].points;
        r->max += r->items[i].max;
    }
    if (r->fatal)
        r->total = 0;
    return 0;
}

static const char *base_name(const char *path, char *buf, size_t n)
{
    char real[PATH_MAX];
    const char *p = realpath(path, real) ? real : path;
    const char *slash = strrchr(p, '/');
    if (snprintf(buf, n, "%s", slash && slash[1] ? slash + 1 : p) >= (int)n)
        buf[n - 1] = '\0';
    return buf;
}

static bool run_lab(const lab_request *rq, bool grade, lab_report *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char idbuf[256];
    out->id = strdup(base_name(rq->lab_dir, idbuf, sizeof idbuf));
    out->student = strdup(rq->student ? rq->student : "");
    out->seed = rq->seed;
    out->title = strdup("");
    lab_sandbox *sb = lab_sandbox_new(&rq->limits);
    if (!sb) {
        snprintf(err, errlen, "cannot create a Lua state (out of memory)");
        return false;
    }
    lua_State *L = lab_sandbox_lua(sb);
    bool ok = false;
    if (!lab_sandbox_add_root(sb, "lab", rq->lab_dir)) {
        snprintf(err, errlen, "%s: not a lab folder", rq->lab_dir);
        goto done;
    }
    if (rq->submission_dir && !lab_sandbox_add_root(sb, "submission", rq->submission_dir)) {
        snprintf(err, errlen, "%s: no such submission folder", rq->submission_dir);
        goto done;
    }
    /* The traplab API first, so that the prelude can extend the same table. */
    lua_pushcfunction(L, lab_api_open);
    if (lab_sandbox_pcall(sb, 0, 0) != LUA_OK)
        goto lua_error;
    if (lab_sandbox_load(sb, lab_prelude_source, lab_prelude_length, "=prelude", 0) != LUA_OK)
        goto lua_error;
    push_c_powers(L, &rq->limits);
    if (lab_sandbox_pcall(sb, 1, 1) != LUA_OK)
        goto lua_error;
    int fw = lua_gettop(L);

    char lerr[PATH_MAX + 128], chunk[PATH_MAX + 16];
    size_t len;
    char *text = lab_sandbox_read(sb, "lab", "lab.lua", &len, lerr, sizeof lerr);
    if (!text) {
        snprintf(err, errlen, "%s: %s", rq->lab_dir, lerr);
        goto done;
    }
    snprintf(chunk, sizeof chunk, "@%s/lab.lua", rq->lab_dir);
    int st = lab_sandbox_load(sb, text, len, chunk, 0);
    free(text);
    if (st != LUA_OK || lab_sandbox_pcall(sb, 0, 1) != LUA_OK)
        goto lua_error;
    int labobj = lua_gettop(L);

    lua_getfield(L, fw, grade ? "grade" : "describe");
    lua_pushvalue(L, labobj);
    lua_createtable(L, 0, 4);
    lua_pushboolean(L, rq->want_scenario);
    lua_setfield(L, -2, "want_scenario");
    lua_pushboolean(L, rq->want_key);
    lua_setfield(L, -2, "want_key");
    lua_pushstring(L, out->id);
    lua_setfield(L, -2, "id");
    lua_pushinteger(L, (lua_Integer)rq->seed);
    lua_setfield(L, -2, "seed");
    lua_pushstring(L, out->student);
    lua_setfield(L, -2, "student");
    if (lab_sandbox_pcall(sb, 2, 1) != LUA_OK)
        goto lua_error;
    lua_pushcfunction(L, convert_report);
    lua_insert(L, -2);
    lua_pushlightuserdata(L, out);
    lua_insert(L, -2);
    if (lab_sandbox_pcall(sb, 2, 0) != LUA_OK)
        goto lua_error;
    ok = true;
    goto done;
lua_error:
    snprintf(err, errlen, "%s", lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "error in the lab");
done:
    lab_sandbox_free(sb);
    return ok;
}

bool lab_grade(const lab_request *rq, lab_report *out, char *err, size_t errlen)
{
    return run_lab(rq, true, out, err, errlen);
}

bool lab_describe(const lab_request *rq, lab_report *out, char *err, size_t errlen)
{
    lab_request d = *rq;
    if (!d.want_scenario)
        d.submission_dir = NULL;
    return run_lab(&d, false, out, err, errlen);
}

void lab_report_free(lab_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nitems; i++) {
        lab_item *it = &r->items[i];
        free(it->id); free(it->kind); free(it->title); free(it->message);
        for (size_t h = 0; h < it->nhints; h++)
            free(it->hints[h]);
        free(it->hints);
    }
    for (size_t i = 0; i < r->ntasks; i++)
        free(r->tasks[i]);
    free(r->tasks);
    free(r->items);
    free(r->id); free(r->title); free(r->student); free(r->fatal);
    free(r->scenario); free(r->scenario_name); free(r->key);
    free(r->scenario_program); free(r->scenario_program_name); free(r->scenario_host);
    free(r->scenario_design); free(r->scenario_profile);
    for (unsigned i = 0; i < 16; i++) {
        free(r->scenario_vm_guest[i]);
        free(r->scenario_vm_guest_name[i]);
    }
    memset(r, 0, sizeof *r);
}
