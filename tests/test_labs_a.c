/*
 * test_labs_a.c -- labs 03 (legacy profile), 04 (shadow paging and
 * isolation) and 05 (paravirtualization): each lab's reference solution
 * scores full marks, its starter does not and fails where the handout says,
 * broken variants fail the right check, and the Lua API these labs stand on
 * (traplab.native, h:load with in-memory files, traplab.guest_source,
 * traplab.mnemonics) behaves as docs/labs.md says.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <lauxlib.h>

#include "lab/api.h"
#include "lab/lab.h"
#include "lab/sandbox.h"
#include "tests/tests.h"

/* ---- helpers ------------------------------------------------------------------ */
static void grade(const char *lab, const char *subdir, lab_report *r)
{
    char labdir[PATH_MAX], err[2048];
    snprintf(labdir, sizeof labdir, "labs/%s", lab);
    lab_request rq = { .lab_dir = labdir, .submission_dir = subdir,
                       .seed = lab_seed_from_student("reference"), .student = "reference" };
    bool ok = lab_grade(&rq, r, err, sizeof err);
    if (!ok)
        fprintf(stderr, "\n  %s: %s\n", labdir, err);
    CU_ASSERT_TRUE_FATAL(ok);
    if (r->fatal)
        fprintf(stderr, "\n  %s/%s: %s\n", lab, subdir, r->fatal);
}

static const lab_item *find_item(const lab_report *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (!strcmp(r->items[i].id, id))
            return &r->items[i];
    fprintf(stderr, "\n  no item %s\n", id);
    CU_FAIL_FATAL("no such item");
    return NULL;
}

/* The solution folder copied to a temporary one, with one file replaced (text NULL: removed). */
static char *variant(const char *lab, const char *file, const char *text)
{
    char tmpl[] = "/tmp/traplab-labsa-XXXXXX";
    char *d = mkdtemp(tmpl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd, "cp labs/%s/solution/* %s/", lab, d);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", d, file);
    if (text) {
        FILE *f = fopen(p, "w");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
    } else {
        unlink(p);
    }
    return strdup(d);
}

static void drop(char *dir)
{
    char cmd[PATH_MAX + 16];
    if (dir && strncmp(dir, "/tmp/traplab-labsa-", 19) == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    }
    free(dir);
}

/* A lab file's text with `from` replaced by `to` (the first occurrence); malloc'd. */
static char *edited(const char *path, const char *from, const char *to)
{
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *at = strstr(buf, from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    size_t out_len = n - strlen(from) + strlen(to) + 1;
    char *out = malloc(out_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    snprintf(out, out_len, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    return out;
}

static void expect_full_and_starter(const char *lab)
{
    char sol[PATH_MAX], start[PATH_MAX];
    snprintf(sol, sizeof sol, "labs/%s/solution", lab);
    snprintf(start, sizeof start, "labs/%s/starter", lab);
    lab_report r;
    grade(lab, sol, &r);
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT(r.max > 0);
    CU_ASSERT_DOUBLE_EQUAL(r.total, r.max, 1e-9);
    for (size_t k = 0; k < r.nitems; k++)
        if (!r.items[k].passed)
            fprintf(stderr, "\n  %s solution fails %s: %s\n", lab, r.items[k].id, r.items[k].message);
    lab_report_free(&r);
    grade(lab, start, &r);
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT(r.total < r.max);
    lab_report_free(&r);
}

/* The student starts from the kernel traplab ships: labs 03 and 05 keep copies of guest/arch.s
 * (lab 03's starter, lab 05's solution) that must not drift from it. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strdup(buf);
}

static void test_arch_copies(void)
{
    static const char *const copies[] = { "labs/03-legacy-profile/starter/arch.s",
                                          "labs/05-paravirtualization/solution/arch.s" };
    char *want = slurp("guest/arch.s");
    CU_ASSERT_PTR_NOT_NULL_FATAL(want);
    for (size_t i = 0; i < 2; i++) {
        char *have = slurp(copies[i]);
        bool same = have && strcmp(have, want) == 0;
        if (!same)
            fprintf(stderr, "\n  %s is not guest/arch.s: copy it again (and redo the lab's edits in "
                    "labs/03-legacy-profile/solution/arch.s and labs/05-paravirtualization/starter/arch.s)\n",
                    copies[i]);
        CU_ASSERT_TRUE(same);
        free(have);
    }
    free(want);
}

/* ---- the API the labs use ------------------------------------------------------- */
static char *run_code(const char *code)
{
    lab_limits lim = { .max_instructions = 0, .max_memory = 0 };
    lab_sandbox *sb = lab_sandbox_new(&lim);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
    lua_State *L = lab_sandbox_lua(sb);
    lua_pushcfunction(L, lab_api_open);
    CU_ASSERT_EQUAL_FATAL(lab_sandbox_pcall(sb, 0, 0), LUA_OK);
    int st = lab_sandbox_load(sb, code, strlen(code), "=test", 0);
    if (st == LUA_OK)
        st = lab_sandbox_pcall(sb, 0, 0);
    char *msg = NULL;
    if (st != LUA_OK)
        msg = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
    lab_sandbox_free(sb);
    return msg;
}

static void expect_lua_ok(const char *code)
{
    char *msg = run_code(code);
    if (msg)
        fprintf(stderr, "\n  error: %s\n", msg);
    CU_ASSERT_PTR_NULL(msg);
    free(msg);
}

static void test_api(void)
{
    /* Every instruction, in opcode order, from the one table. */
    expect_lua_ok("local t = traplab.mnemonics(); assert(t[1] == 'add');"
                  "local seen = {} for _, m in ipairs(t) do seen[m] = true end;"
                  "assert(seen.popf and seen.smsw and seen.syscall)");
    /* popf is in two classes; smsw is user-sensitive, popf is not. */
    expect_lua_ok("local p = traplab.insn('popf', 'legacy');"
                  "assert(p.sensitivity == 'control+behavior' and p.control_sensitive and p.behavior_sensitive);"
                  "assert(not p.user_sensitive and not p.privileged);"
                  "assert(traplab.insn('smsw').user_sensitive and traplab.insn('add').sensitivity == 'innocuous')");
    /* A guest file as it is (its .include lines kept), served to the kernel from memory. */
    expect_lua_ok("assert(traplab.guest('kernel.s'):find('.include \"arch.s\"', 1, true));"
                  "assert(not pcall(traplab.guest, 'nope.s')); assert(not pcall(traplab.guest, '../x.s'));"
                  "assert(not pcall(traplab.guest, 'arch.s', { X = 1 }))");
    /* The real kernel and a workload: native and under the VMM, with .include served from memory. */
    expect_lua_ok("local g = traplab.guest; local f = { ['layout.s'] = g('layout.s'), ['arch.s'] = g('arch.s') };"
                  "local n = traplab.native{ kernel = g('kernel.s'), program = g('cpu.s'), files = f };"
                  "assert(n.halted and n.console:find('checksum 0x381f25c5', 1, true), n.console);"
                  "local h <close> = traplab.hypervisor{ profile = 'legacy' };"
                  "assert(h:load(0, g('kernel.s'), g('cpu.s'), f)); h:run(100000000);"
                  "assert(h:console(0):find('running in ring 1', 1, true));"
                  "local s = h:stats(0); assert(s.violations == 1 and s.lost_ie == 0)");
    /* A broken arch.s is reported in arch.s, at its own line. */
    expect_lua_ok("local g = traplab.guest;"
                  "local h <close> = traplab.hypervisor{};"
                  "local ok, d = h:load(0, g('kernel.s'), nil, { ['layout.s'] = g('layout.s'), ['arch.s'] = '\\n  bogus r1\\n' });"
                  "assert(not ok and d:find('arch.s:2:3: error', 1, true), d);"
                  "local ok2, d2 = pcall(traplab.native, { kernel = 'bogus\\n' }); assert(not ok2 and d2:find('kernel.s:1'), d2);"
                  "assert(not pcall(traplab.native, { kernel = 'halt', files = { 1 } }))");
    /* An include loop through in-memory files is an error, not a hang. */
    expect_lua_ok("local h <close> = traplab.hypervisor{};"
                  "local ok, d = h:load(0, '.include \"a.s\"\\n', nil, { ['a.s'] = '.include \"a.s\"\\n' });"
                  "assert(not ok and d:find('include loop', 1, true), d)");
}

/* ---- lab 03 ------------------------------------------------------------------------ */
static void test_lab03(void)
{
    expect_full_and_starter("03-legacy-profile");
    lab_report r;
    grade("03-legacy-profile", "labs/03-legacy-profile/starter", &r);
    /* The starter's probe assembles bare mnemonics and counts every trap. */
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "probe")->message, "instructions probed wrong"));
    /* The unpatched kernel says ring 1 under the VMM, and still equals native on the bare machine. */
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "equal_native")->message, "running in ring 1"));
    CU_ASSERT_TRUE(find_item(&r, "still_native")->passed);
    lab_report_free(&r);

    /* Patching only READ_STATUS leaves the popfs: equal output is not enough, violations remain
     * (the output here is the same, so the check must count them). */
    char *arch = edited("labs/03-legacy-profile/starter/arch.s", "        smsw    \\reg\n",
                        "        mfcr    \\reg, status\n");
    char *d = variant("03-legacy-profile", "arch.s", arch);
    grade("03-legacy-profile", d, &r);
    const lab_item *eq = find_item(&r, "equal_native");
    CU_ASSERT_FALSE(eq->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(eq->message, "equivalence violations remain"));
    lab_report_free(&r);
    drop(d);
    free(arch);

    /* A patch that "fixes" the ring by printing 0 natively too is caught by the native check... */
    arch = edited("labs/03-legacy-profile/solution/arch.s", "        mfcr    \\reg, status",
                  "        li      \\reg, 1              ;");
    d = variant("03-legacy-profile", "arch.s", arch);
    grade("03-legacy-profile", d, &r);
    CU_ASSERT_FALSE(find_item(&r, "still_native")->passed);
    CU_ASSERT_FALSE(find_item(&r, "equal_native")->passed);
    lab_report_free(&r);
    drop(d);
    free(arch);

    /* ...and an arch.s that does not assemble names its own line. */
    d = variant("03-legacy-profile", "arch.s", "        .macro READ_STATUS reg\n        smsw\n");
    grade("03-legacy-profile", d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "equal_native")->message, "arch.s:"));
    lab_report_free(&r);
    drop(d);

    /* A wrong class set fails: popf belongs in both sensitive sets. */
    char *ans = edited("labs/03-legacy-profile/solution/answers.lua",
                       "behaviour = { \"smsw\", \"pushf\", \"popf\",", "behaviour = { \"smsw\", \"pushf\",");
    d = variant("03-legacy-profile", "answers.lua", ans);
    grade("03-legacy-profile", d, &r);
    CU_ASSERT_FALSE(find_item(&r, "behaviour")->passed);
    CU_ASSERT_TRUE(find_item(&r, "control")->passed);
    lab_report_free(&r);
    drop(d);
    free(ans);
}

/* ---- lab 04 ------------------------------------------------------------------------ */
static void test_lab04(void)
{
    const char *L4 = "04-shadow-paging-and-isolation";
    expect_full_and_starter(L4);
    lab_report r;
    /* The starter has no trap vector: its store is blocked, but the VM fails instead of spinning;
     * the other VMs finish all the same (a problem in one VM does not affect the others). */
    grade(L4, "labs/04-shadow-paging-and-isolation/starter", &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "blocked")->message, "VM 0 failed instead of handling the fault"));
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "preempted")->message, "VM 0 is failed, not spinning"));
    CU_ASSERT_TRUE(find_item(&r, "others")->passed);
    lab_report_free(&r);

    /* An attacker that stores inside its own partition was never blocked. */
    char *a = edited("labs/04-shadow-paging-and-isolation/solution/attack.s", "li      s1, TARGET",
                     "li      s1, 0x8000");
    char *d = variant(L4, "attack.s", a);
    grade(L4, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "blocked")->message, "no access of VM 0 was blocked"));
    CU_ASSERT_TRUE(find_item(&r, "preempted")->passed);
    lab_report_free(&r);
    drop(d);
    free(a);

    /* One that keeps its interrupts on is not starving anyone the way the task asks... */
    a = edited("labs/04-shadow-paging-and-isolation/solution/attack.s", "after:  di", "after:  ei");
    d = variant(L4, "attack.s", a);
    grade(L4, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "preempted")->message, "virtual interrupts are on"));
    lab_report_free(&r);
    drop(d);
    free(a);

    /* ...and one that halts is not spinning; a syntax error names attack.s and its line. */
    a = edited("labs/04-shadow-paging-and-isolation/solution/attack.s", "spin:   j       spin", "spin:   halt");
    d = variant(L4, "attack.s", a);
    grade(L4, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "preempted")->message, "VM 0 is halted"));
    CU_ASSERT_TRUE(find_item(&r, "others")->passed);
    lab_report_free(&r);
    drop(d);
    free(a);
    d = variant(L4, "attack.s", "_start: nop\n        bogus\n");
    grade(L4, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "assembles")->message, "attack.s:2:"));
    lab_report_free(&r);
    drop(d);
}

/* ---- lab 05 ------------------------------------------------------------------------ */
static void test_lab05(void)
{
    const char *L5 = "05-paravirtualization";
    expect_full_and_starter(L5);
    lab_report r;
    /* The starter's PARAVIRT bodies are the native ones: right output, but pushf/popf violate
     * equivalence on the legacy profile and every byte is an exit. */
    grade(L5, "labs/05-paravirtualization/starter", &r);
    CU_ASSERT_TRUE(find_item(&r, "equal_native")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "no_violations")->message, "equivalence violations"));
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "exits")->message, "more than your threshold"));
    CU_ASSERT_TRUE(find_item(&r, "still_full")->passed);
    lab_report_free(&r);

    /* A console hypercall but the old interrupt flag: fewer exits, still violations. */
    char *a = edited("labs/05-paravirtualization/solution/arch.s",
                     "        lw      at, SH_MASK(zero)\n        push    at\n        li      at, 1\n"
                     "        sw      at, SH_MASK(zero)\n", "        pushf\n        di\n");
    char *d = variant(L5, "arch.s", a);
    grade(L5, d, &r);
    CU_ASSERT_FALSE(find_item(&r, "no_violations")->passed);
    lab_report_free(&r);
    drop(d);
    free(a);

    /* A change to a native body is caught by the full-virtualization check. */
    a = edited("labs/05-paravirtualization/solution/arch.s", "        .else\n        smsw    \\reg\n",
               "        .else\n        smsw    \\reg\n        smsw    \\reg\n");
    d = variant(L5, "arch.s", a);
    grade(L5, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "still_full")->message, "the native bodies changed"));
    CU_ASSERT_TRUE(find_item(&r, "exits")->passed);
    lab_report_free(&r);
    drop(d);
    free(a);

    /* A console_write that forgets the length prints nothing: not the native output. */
    a = edited("labs/05-paravirtualization/solution/arch.s", "        mov     a2, at\n        li      a0, HC_CONSOLE_WRITE\n",
               "        li      a2, 0\n        li      a0, HC_CONSOLE_WRITE\n");
    d = variant(L5, "arch.s", a);
    grade(L5, d, &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(find_item(&r, "equal_native")->message, "differs from native"));
    lab_report_free(&r);
    drop(d);
    free(a);
}

/* The starter's writes.s, set to the reference student's numbers, is the program the lab runs:
 * `traplab vm` on it reports what the reference answers say. */
static void test_writes_programs(void)
{
    char cmd[PATH_MAX * 2], out[4096], w3[64], w5[64];
    snprintf(w3, sizeof w3, "/tmp/traplab-labsa-w3-%d.s", (int)getpid());
    snprintf(w5, sizeof w5, "/tmp/traplab-labsa-w5-%d.s", (int)getpid());
    /* Lab 03: 6 writes -> 13 violations, 6 popfs that lost IE (solution/answers.lua). */
    snprintf(cmd, sizeof cmd, "sed 's/WRITES, 3 /WRITES, 6 /' labs/03-legacy-profile/starter/writes.s > %s && "
             "%s vm --guest kernel --program %s --profile legacy --stats 2>&1", w3, test_traplab_path, w3);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "EQUIVALENCE VIOLATIONS 13 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "popf lost IE     6 "));
    /* Lab 05: "batch batch" 11 times -> 399 exits fully virtualized, 253 of them out. */
    snprintf(cmd, sizeof cmd, "sed 's/WRITES, 3 /WRITES, 11 /; s/\"your message/\"batch batch/' "
             "labs/05-paravirtualization/starter/writes.s > %s && "
             "%s vm --guest kernel --program %s --json", w5, test_traplab_path, w5);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"exits\": 399,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"out\": 253"));
    unlink(w3);
    unlink(w5);
}

/* ---- lab run: the scenarios of labs 03, 04 and 05 -------------------------------------- */
static void test_scenarios(void)
{
    lab_report r;
    char err[1024];
    /* Lab 04: the attacker in VM 0 (with the student's numbers), the real kernel and mm elsewhere. */
    lab_request rq = { .lab_dir = "labs/04-shadow-paging-and-isolation",
                       .submission_dir = "labs/04-shadow-paging-and-isolation/solution", .want_scenario = true,
                       .seed = lab_seed_from_student("reference") };
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq, &r, err, sizeof err));
    CU_ASSERT_EQUAL(r.scenario_vms, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r.scenario_vm_guest[0]);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_vm_guest[0], ".equ TARGET, 0x00106000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_vm_guest[0], "mtcr    tvb, s0"));
    CU_ASSERT_PTR_NULL(r.scenario_vm_guest[1]);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario, "running in ring"));
    CU_ASSERT_PTR_NULL(strstr(r.scenario, ".include"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_program, "ROUNDS, 9"));
    lab_report_free(&r);
    /* Lab 05: the student's arch.s inlined into the kernel, paravirtualized; the starter's without one. */
    lab_request rq5 = { .lab_dir = "labs/05-paravirtualization", .submission_dir = NULL, .want_scenario = true,
                        .seed = lab_seed_from_student("reference") };
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq5, &r, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(r.scenario_design, "para");
    CU_ASSERT_STRING_EQUAL(r.scenario_profile, "legacy");
    CU_ASSERT_STRING_EQUAL(r.scenario_name, "lab05-kernel.s");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario, "TODO (lab 05)"));
    CU_ASSERT_PTR_NULL(strstr(r.scenario, ".include"));
    CU_ASSERT_PTR_NULL(strstr(r.scenario_program, ".include"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_program, "\"batch batch\\n\""));
    lab_report_free(&r);
    /* Lab 03: the kernel with the student's arch.s under trap-and-emulate on the legacy
     * profile, where pushf and popf run without an exit; guest/arch.s without one. */
    lab_request rq3 = { .lab_dir = "labs/03-legacy-profile", .submission_dir = "labs/03-legacy-profile/solution",
                        .want_scenario = true, .seed = lab_seed_from_student("reference") };
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq3, &r, err, sizeof err));
    CU_ASSERT_EQUAL(r.scenario_vms, 1);
    CU_ASSERT_STRING_EQUAL(r.scenario_design, "full");
    CU_ASSERT_STRING_EQUAL(r.scenario_profile, "legacy");
    CU_ASSERT_STRING_EQUAL(r.scenario_name, "lab03-kernel.s");
    CU_ASSERT_PTR_NULL(strstr(r.scenario, ".include"));
    CU_ASSERT_PTR_NULL(strstr(r.scenario_program, ".include"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario_program, ".equ WRITES, "));
    lab_report_free(&r);
    rq3.submission_dir = NULL;
    CU_ASSERT_TRUE_FATAL(lab_describe(&rq3, &r, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.scenario, "pushf"));
    lab_report_free(&r);
}

void test_labs_a_register(void)
{
    CU_pSuite s = CU_add_suite("labs_a", NULL, NULL);
    CU_add_test(s, "the Lua API of labs 03-05: native runs, in-memory includes, the guest sources", test_api);
    CU_add_test(s, "labs 03 and 05 start from the shipped guest/arch.s", test_arch_copies);
    CU_add_test(s, "lab 03: legacy profile, classes, a patched kernel equal to native", test_lab03);
    CU_add_test(s, "lab 04: shadow fills and flushes; an attacker blocked and preempted", test_lab04);
    CU_add_test(s, "lab 05: paravirtual macros equal native, under the threshold, no violation", test_lab05);
    CU_add_test(s, "lab run opens labs 04 and 05 under the hypervisor", test_scenarios);
    CU_add_test(s, "the starters' writes.s are the programs the labs run", test_writes_programs);
}
