/*
 * test_limits.c -- what a guest, a lab script or a submission can make
 * traplab spend, at most (docs/limits.md): a guest that never stops ends at
 * the step limit with the documented message and a bounded memory; a lab's
 * Lua heap, its machines and hypervisors, and a check that keeps the machine
 * running all stop at their caps with a message; a submission that runs
 * past its CPU limit scores zero with a reason while the class completes.
 * traplab runs the guests under a 256 MiB address-space limit; time is never
 * asserted.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lua.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/sandbox.h"
#include "tests/tests.h"

/* The address space a guest's run may take: the documented bound
 * (docs/limits.md).  Under AddressSanitizer, whose shadow memory reserves
 * terabytes, the bound cannot be set. */
#if defined(__SANITIZE_ADDRESS__)
#define AS_LIMIT ""
#else
#define AS_LIMIT "ulimit -v 262144 && "
#endif

/* Runs traplab ARGS under the address-space limit (256 MiB: past it an
 * allocation fails and traplab says so); stdout and stderr in out; returns
 * the exit status. */
static int traplab(const char *args, char *out, size_t n)
{
    char cmd[8192];
    if (snprintf(cmd, sizeof cmd, "%sexec %s %s 2>&1", AS_LIMIT, test_traplab_path, args) >= (int)sizeof cmd) {
        CU_FAIL("command too long");
        return -1;
    }
    return test_sh(cmd, out, n);
}

/* ---- guests ----------------------------------------------------------------------- */
static void test_guest_loop_stops_at_the_step_limit(void)
{
    char *d = test_tmpdir("limits");
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    test_write_file(d, "spin.s", "        .org 0x1000\n_start: di\n1:      j 1b\n");
    test_write_file(d, "user.s", "        .org 0x400000\n_start: j _start\n");
    char args[PATH_MAX + 64], out[4096];
    /* the default: 100,000,000 instructions on the bare machine */
    snprintf(args, sizeof args, "run %s/spin.s", d);
    CU_ASSERT_EQUAL(traplab(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "step limit of 100000000 reached at pc 0x00001004"));
    /* under the hypervisor, the same guest in four VMs, none of which ever stops */
    snprintf(args, sizeof args, "vm --guest %s/spin.s --program %s/user.s --vms 4 --no-native "
             "--max-steps 3000000", d, d);
    CU_ASSERT_EQUAL(traplab(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "stopped after 3000000 instructions"));
    test_rm_rf(d);
    free(d);
}

/* ---- lab scripts -------------------------------------------------------------------- */
static char *run_lua(lab_sandbox *sb, const char *code)
{
    return test_lua_error(sb, code, "=limits");
}

static lab_sandbox *sandbox(void)
{
    lab_limits lim = { 0 };           /* the defaults a lab gets */
    lab_sandbox *sb = lab_sandbox_new(&lim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    lua_pushcfunction(lab_sandbox_lua(sb), lab_api_open);
    CU_ASSERT_EQUAL_FATAL(lab_sandbox_pcall(sb, 0, 0), LUA_OK);
    return sb;
}

static void test_lab_heap_cap(void)
{
    lab_sandbox *sb = sandbox();
    char *msg = run_lua(sb, "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(1000) .. i end");
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "memory limit exceeded"));
    CU_ASSERT(lab_sandbox_memory(sb) <= LAB_DEFAULT_MEMORY);
    free(msg);
    lab_sandbox_free(sb);
}

/* Machines and hypervisors hold memory outside the Lua heap: 256 MiB in all. */
static void test_lab_machine_cap(void)
{
    lab_sandbox *sb = sandbox();
    char *msg = run_lua(sb, "n = 0 keep = {}\n"
                            "for i = 1, 1000 do keep[i] = traplab.machine{ memory = 16 * 1048576 } n = i end");
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "too many machines open"));
    free(msg);
    lua_State *L = lab_sandbox_lua(sb);
    lua_getglobal(L, "n");
    lua_Integer made = lua_tointeger(L, -1);
    lua_pop(L, 1);
    CU_ASSERT(made >= 1 && made <= (lua_Integer)(LAB_MAX_EXTERNAL / (16u << 20)));
    /* closing them gives the memory back */
    msg = run_lua(sb, "for i = 1, n do keep[i]:close() end keep = nil\n"
                      "local m = traplab.machine{ memory = 16 * 1048576 } m:close()");
    CU_ASSERT_PTR_NULL(msg);
    free(msg);
    /* snapshots of a hypervisor count too */
    msg = run_lua(sb, "local h = traplab.hypervisor{ vms = 16 } s = {}\n"
                      "for i = 1, 1000 do s[i] = h:snapshot() end");
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT(strstr(msg, "too many") != NULL || strstr(msg, "memory") != NULL);
    free(msg);
    lab_sandbox_free(sb);
}

/* A check that keeps the machine running: each m:run is one Lua call, so
 * the instruction budget does not stop it; the item's CPU limit does, and
 * the next check still grades. */
static void test_lab_check_time_limit(void)
{
    char *lab = test_tmpdir("limits"), *sub = test_tmpdir("limits");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lab);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    test_write_file(lab, "lab.lua",
        "local lab = traplab.lab{ title = 'limits', minutes = 1 }\n"
        "lab:check{ id = 'forever', points = 1, title = 'runs the machine forever',\n"
        "  run = function(ctx, p)\n"
        "    local m = traplab.machine{ memory = 65536 }\n"
        "    m:assemble('        .org 0x1000\\n_start: j _start\\n')\n"
        "    while true do m:run(100000000) end\n"
        "  end }\n"
        "lab:check{ id = 'quick', points = 1, title = 'returns at once',\n"
        "  run = function(ctx, p) return true end }\n"
        "return lab\n");
    test_write_file(sub, "answers.lua", "return {}\n");
    lab_request rq = { .lab_dir = lab, .submission_dir = sub, .seed = 1 };
    rq.limits.item_cpu_seconds = 1;
    lab_report r;
    char err[512];
    CU_ASSERT_FATAL(lab_grade(&rq, &r, err, sizeof err));
    CU_ASSERT_EQUAL_FATAL(r.nitems, 2);
    CU_ASSERT_FALSE(r.items[0].passed);
    CU_ASSERT_PTR_NOT_NULL(r.items[0].message && strstr(r.items[0].message, "time limit exceeded"));
    CU_ASSERT_TRUE(r.items[1].passed);
    CU_ASSERT_DOUBLE_EQUAL(r.total, 1.0, 1e-9);
    lab_report_free(&r);
    test_rm_rf(lab);
    test_rm_rf(sub);
    free(lab);
    free(sub);
}

/* ---- submissions ------------------------------------------------------------------------- */
/* A whole submission past its CPU limit scores zero with a reason; its
 * neighbour in the class grades normally. */
static void test_submission_cpu_limit(void)
{
    char *lab = test_tmpdir("limits"), *class = test_tmpdir("limits");
    CU_ASSERT_PTR_NOT_NULL_FATAL(lab);
    CU_ASSERT_PTR_NOT_NULL_FATAL(class);
    test_write_file(lab, "lab.lua",
        "local lab = traplab.lab{ title = 'limits', minutes = 1 }\n"
        "lab:check{ id = 'student', points = 1, title = 'runs the machine for the student',\n"
        "  run = function(ctx, p)\n"
        "    local steps = ctx.submission:lua('work.lua')\n"
        "    local m = traplab.machine{ memory = 65536 }\n"
        "    m:assemble('        .org 0x1000\\n_start: j _start\\n')\n"
        "    for i = 1, steps do m:run(100000000) end\n"
        "    return true\n"
        "  end }\n"
        "return lab\n");
    char good[PATH_MAX], bad[PATH_MAX];
    snprintf(good, sizeof good, "%s/good", class);
    snprintf(bad, sizeof bad, "%s/bad", class);
    CU_ASSERT_FATAL(mkdir(good, 0777) == 0 && mkdir(bad, 0777) == 0);
    test_write_file(good, "work.lua", "return 0\n");
    test_write_file(bad, "work.lua", "return 1e9\n");      /* a billion runs of the machine */
    lab_request rq[2] = { { .lab_dir = lab, .submission_dir = good, .seed = 1, .student = "good" },
                          { .lab_dir = lab, .submission_dir = bad, .seed = 2, .student = "bad" } };
    lab_jail jail;
    lab_default_jail(&jail);
    jail.cpu_seconds = 1;
    jail.item_cpu_seconds = 1;
    lab_report r[2];
    char err[512];
    CU_ASSERT_FATAL(lab_grade_many(rq, 2, 2, &jail, r, err, sizeof err));
    CU_ASSERT_DOUBLE_EQUAL(r[0].total, 1.0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r[1].total, 0.0, 1e-9);
    const char *why = r[1].fatal ? r[1].fatal : (r[1].nitems ? r[1].items[0].message : NULL);
    if (!why || !strstr(why, "time limit exceeded"))
        fprintf(stderr, "\nthe bad submission: %s\n", why ? why : "(no reason)");
    CU_ASSERT_PTR_NOT_NULL(why && strstr(why, "time limit exceeded"));
    lab_report_free(&r[0]);
    lab_report_free(&r[1]);
    test_rm_rf(lab);
    test_rm_rf(class);
    free(lab);
    free(class);
}

void test_limits_register(void)
{
    CU_pSuite s = CU_add_suite("limits", NULL, NULL);
    CU_add_test(s, "a guest that never stops ends at the step limit", test_guest_loop_stops_at_the_step_limit);
    CU_add_test(s, "a lab's Lua heap stops at 64 MiB", test_lab_heap_cap);
    CU_add_test(s, "a lab's machines and snapshots stop at 256 MiB", test_lab_machine_cap);
    CU_add_test(s, "a check that runs the machine forever stops at its CPU limit", test_lab_check_time_limit);
    CU_add_test(s, "a submission past its CPU limit scores zero, the class completes", test_submission_cpu_limit);
}
