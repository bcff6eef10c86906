/*
 * test_labs_b.c -- labs 06, 07 and 08: each reference solution scores full
 * marks and each starter does not; wrong numbers fail; the guests a lab
 * measures (traplab.guest, traplab.native) are the ones `traplab vm` runs;
 * malformed lab folders and submission files that are not regular files get
 * clear errors instead of hanging.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "lab/lab.h"
#include "tests/tests.h"
#include "vmm/vmm.h"

#define FMT(buf, ...) \
    do { if (snprintf(buf, sizeof buf, __VA_ARGS__) >= (int)sizeof buf) CU_FAIL("path too long"); } while (0)

/* Runs a shell command line; its output (stdout and stderr) into out; returns the exit status. */
static int sh(const char *cmdline, char *out, size_t n)
{
    char cmd[4096];
    if (snprintf(cmd, sizeof cmd, "%s 2>&1", cmdline) >= (int)sizeof cmd) {
        CU_FAIL("command too long");
        return -1;
    }
    return test_sh(cmd, out, n);
}

static void grade_dir(const char *lab, const char *dir, const char *student, lab_report *r)
{
    char labdir[PATH_MAX], err[2048];
    FMT(labdir, "labs/%s", lab);
    lab_request rq = { .lab_dir = labdir, .submission_dir = dir,
                       .seed = lab_seed_from_student(student), .student = student };
    bool ok = lab_grade(&rq, r, err, sizeof err);
    if (!ok)
        fprintf(stderr, "\n  %s: %s\n", labdir, err);
    CU_ASSERT_TRUE_FATAL(ok);
    if (r->fatal)
        fprintf(stderr, "\n  %s (%s): %s\n", lab, dir, r->fatal);
}

static const lab_item *item(const lab_report *r, const char *id)
{
    for (size_t i = 0; i < r->nitems; i++)
        if (!strcmp(r->items[i].id, id))
            return &r->items[i];
    CU_FAIL("no such item");
    return &r->items[0];
}

/* The solution scores full marks, the starter less; each failure of the solution is printed. */
static void solution_and_starter(const char *lab, double max)
{
    char dir[PATH_MAX];
    lab_report r;
    FMT(dir, "labs/%s/solution", lab);
    grade_dir(lab, dir, "reference", &r);
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT_DOUBLE_EQUAL(r.max, max, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(r.total, r.max, 1e-9);
    for (size_t k = 0; k < r.nitems; k++)
        if (!r.items[k].passed)
            fprintf(stderr, "\n  %s solution fails %s: %s\n", lab, r.items[k].id, r.items[k].message);
    lab_report_free(&r);
    FMT(dir, "labs/%s/starter", lab);
    grade_dir(lab, dir, "reference", &r);
    CU_ASSERT_PTR_NULL(r.fatal);
    CU_ASSERT(r.total < r.max);
    lab_report_free(&r);
}

/* A copy of the lab's solution with answers.lua (or another file) replaced by text. */
static void grade_variant(const char *lab, const char *file, const char *text, const char *student,
                          lab_report *r)
{
    char *tmp = test_tmpdir("labsb"), cmd[PATH_MAX * 2];
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    FMT(cmd, "cp labs/%s/solution/* %s/", lab, tmp);
    CU_ASSERT_EQUAL(system(cmd), 0);
    test_write_file(tmp, file, text);
    grade_dir(lab, tmp, student, r);
    test_rm_rf(tmp);
    free(tmp);
}

/* ---- lab 06 ----------------------------------------------------------------------- */
static void test_lab06(void)
{
    solution_and_starter("06-type1-vs-type2", 34);
    /* The prices are the ones `traplab vm --trace` prints with the student's flags: read the
     * reference student's flags from `lab show`, run the CLI, and compare with the solution. */
    static char out[1 << 16], trace[1 << 20];
    char cmd[4096];
    FMT(cmd, "%s lab show 06 --labs labs --student reference", test_traplab_path);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, out, sizeof out), 0);
    char *flags = strstr(out, "--cost trap_entry=");
    CU_ASSERT_PTR_NOT_NULL_FATAL(flags);
    flags[strcspn(flags, "\n")] = '\0';
    FMT(cmd, "%s vm --guest kernel --program sys --trace --host type1 %s 2>&1 | grep -m1 'mtcr tvb'",
        test_traplab_path, flags);
    CU_ASSERT_EQUAL(sh(cmd, trace, sizeof trace), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(trace, " 2260 cyc  emulate mtcr"));
    /* Another student has other costs, so the reference answers fail there. */
    lab_report r;
    grade_dir("06-type1-vs-type2", "labs/06-type1-vs-type2/solution", "someone-else", &r);
    CU_ASSERT(r.total < r.max);
    CU_ASSERT_FALSE(item(&r, "t1_mtcr")->passed);
    CU_ASSERT_TRUE(item(&r, "why_shrinks")->passed);
    lab_report_free(&r);
    /* A price one cycle off fails; a ratio within 1% passes. */
    grade_variant("06-type1-vs-type2", "answers.lua",
                  "return { t1_mtcr = 2261, t1_out = 2240, t1_syscall = 2490, t1_fault = 2450,\n"
                  "  t2_mtcr = 8340, t2_out = 9790, t2_syscall = 8570, t2_fault = 8530,\n"
                  "  worst_kind = 'OUT', ratio_sys = 3.65, ratio_cpu = 1.33, why_shrinks = 'b', bg_growth = 8.0 }\n",
                  "reference", &r);
    CU_ASSERT_FALSE(item(&r, "t1_mtcr")->passed);
    CU_ASSERT_TRUE(item(&r, "t1_out")->passed);
    CU_ASSERT_TRUE(item(&r, "worst_kind")->passed);
    CU_ASSERT_TRUE(item(&r, "ratio_sys")->passed);
    CU_ASSERT_TRUE(item(&r, "ratio_cpu")->passed);
    CU_ASSERT_TRUE(item(&r, "bg_growth")->passed);
    CU_ASSERT_DOUBLE_EQUAL(r.total, 28, 1e-9);
    lab_report_free(&r);
}

/* ---- lab 07 ----------------------------------------------------------------------- */
static void test_lab07(void)
{
    /* The software-against-hardware part exists only when traplab has --design hw. */
    solution_and_starter("07-cost-model", vmm_design_available(VMM_DESIGN_HW) ? 39 : 30);
    lab_report r;
    /* The starter's settings (no host cost changed) lose both races for this student. */
    grade_dir("07-cost-model", "labs/07-cost-model/starter", "reference", &r);
    CU_ASSERT_FALSE(item(&r, "para_wins")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "para_wins")->message, "para on Type-2 takes"));
    CU_ASSERT_FALSE(item(&r, "full_wins")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "break_even")->message, "settings.lua has no break_even"));
    lab_report_free(&r);
    /* Only host costs may change; a break-even far too low is caught; one far too high too. */
    grade_variant("07-cost-model", "settings.lua",
                  "return { para_type2_wins = { trap_entry = 1 }, full_type1_wins = { host_world_switch = 20000 },\n"
                  "         break_even = 500 }\n", "reference", &r);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "para_wins")->message, "only the host's costs may change"));
    CU_ASSERT_TRUE(item(&r, "full_wins")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "break_even")->message, "still wins: the break-even is higher"));
    lab_report_free(&r);
    grade_variant("07-cost-model", "settings.lua",
                  "return { para_type2_wins = { host_world_switch = 500 }, full_type1_wins = { host_world_switch = 2000 },\n"
                  "         break_even = 1200 }\n", "reference", &r);
    CU_ASSERT_TRUE(item(&r, "para_wins")->passed);
    CU_ASSERT_FALSE(item(&r, "full_wins")->passed);
    CU_ASSERT_PTR_NOT_NULL(strstr(item(&r, "break_even")->message, "already loses"));
    lab_report_free(&r);
    /* The model's numbers are the tool's: `traplab vm --stats` with the reference flags prints
     * the solution's native and measured cycles. */
    static char out[1 << 16];
    char cmd[4096];
    FMT(cmd, "%s lab show 07 --labs labs --student reference", test_traplab_path);
    CU_ASSERT_EQUAL_FATAL(sh(cmd, out, sizeof out), 0);
    char *flags = strstr(out, "--cost trap_entry=");
    CU_ASSERT_PTR_NOT_NULL_FATAL(flags);
    flags[strcspn(flags, "\n")] = '\0';
    FMT(cmd, "%s vm --guest kernel --program sys --stats %s", test_traplab_path, flags);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "against 3577895 cycles native"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cycles              42047723 "));
}

/* ---- lab 08 ----------------------------------------------------------------------- */
static void test_lab08(void)
{
    solution_and_starter("08-many-vms-and-batching", 30);
    lab_report r;
    static const struct { const char *vms, *why; } bad[] = {
        { "return { programs = { 'sys', 'io', 'mm' }, slice = 20000 }", "only 3 VMs: at least 4" },
        { "return { programs = { 'sys', 'io', 'io', 'io' }, slice = 20000 }", "no VM runs mm" },
        { "return { programs = { 'sys', 'io', 'mm', 'cpu' }, slice = 20000 }", "programs may be sys, io or mm, not cpu" },
        { "return { programs = { 'sys', 'io', 'mm', 'mm' }, slice = 1000000 }", "VM switches, fewer than 450" },
        { "return { programs = { 'sys', 'io', 'mm', 'mm' }, slice = 5 }", "slice must be a whole number" },
        { "return 7", "vms.lua must return a table" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        grade_variant("08-many-vms-and-batching", "vms.lua", bad[i].vms, "reference", &r);
        CU_ASSERT_FALSE(item(&r, "my_vms")->passed);
        if (!strstr(item(&r, "my_vms")->message, bad[i].why)) {
            fprintf(stderr, "\n  vms.lua %s: %s\n", bad[i].vms, item(&r, "my_vms")->message);
            CU_FAIL("the reason is not given");
        }
        CU_ASSERT_DOUBLE_EQUAL(r.total, 26, 1e-9);
        lab_report_free(&r);
    }
    /* The exits per batch size are compare's: the reference student's batch is 4. */
    static char out[1 << 16];
    char cmd[4096];
    FMT(cmd, "%s compare --workloads io,mm --host type1 --batch 4", test_traplab_path);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "mm       full    type1         4056291   +1633.5%      1933"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "mm       para    type1         2100860    +797.8%       767"));
    FMT(cmd, "%s vm --guest kernel --program mm,mm --vms 2 --slice 80000 --stats", test_traplab_path);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm switches         204"));
    /* A student with other numbers fails the reference answers but keeps the fixed ones. */
    grade_dir("08-many-vms-and-batching", "labs/08-many-vms-and-batching/solution", "someone-else", &r);
    CU_ASSERT(r.total < r.max);
    CU_ASSERT_TRUE(item(&r, "why_rises")->passed);
    lab_report_free(&r);
}

/* ---- all eight labs ------------------------------------------------------------------- */
static void test_lab_list(void)
{
    static char out[1 << 16];
    char cmd[1024];
    FMT(cmd, "%s lab list --labs labs", test_traplab_path);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "06-type1-vs-type2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "75 min  34 points"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "07-cost-model"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "08-many-vms-and-batching"));
    /* One table: every row's minutes in the same column, however long the names and titles. */
    long col = -1;
    int rows = 0;
    for (char *line = out; *line; rows++) {
        char *end = strchr(line, '\n'), *min = strstr(line, " min  ");
        CU_ASSERT_PTR_NOT_NULL_FATAL(min);
        long c = 0;
        for (char *q = line; q < min; q++)
            c += ((unsigned char)*q & 0xc0) != 0x80;
        if (col < 0) col = c;
        CU_ASSERT_EQUAL(c, col);
        if (!end) break;
        line = end + 1;
    }
    CU_ASSERT(rows >= 5);
    /* `lab run` opens each lab's hypervisor scenario. */
    static const struct { const char *lab, *says; } runs[] = {
        { "06", "Opening kernel.s in 1 VM under the type2-user hypervisor" },
        { "07", "Opening kernel.s in 1 VM under the type1 hypervisor" },
        { "08", "Opening kernel.s in 2 VMs under the type1 hypervisor" },
    };
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        FMT(cmd, "%s lab run %s --labs labs --student reference", test_traplab_path, runs[i].lab);
        CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
        if (!strstr(out, runs[i].says)) {
            fprintf(stderr, "\n  lab run %s: %.300s\n", runs[i].lab, out);
            CU_FAIL("lab run does not open the scenario");
        }
    }
}

/* ---- the answer key ------------------------------------------------------------------- */
/* `lab show --key` for another student, used as that student's answers, passes every question:
 * the key is what the lab computes from the tool for that seed. */
static void test_answer_key(void)
{
    static const char *const labs[] = { "06-type1-vs-type2", "07-cost-model", "08-many-vms-and-batching",
                                        "01-rings", "02-trap-and-emulate" };
    static char key[1 << 16];
    char cmd[2048];
    for (size_t i = 0; i < sizeof labs / sizeof labs[0]; i++) {
        FMT(cmd, "%s lab show %s --labs labs --student key-student --key", test_traplab_path, labs[i]);
        CU_ASSERT_EQUAL_FATAL(sh(cmd, key, sizeof key), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(key, "return {"));
        lab_report r;
        grade_variant(labs[i], "answers.lua", key, "key-student", &r);
        CU_ASSERT_PTR_NULL(r.fatal);
        for (size_t k = 0; k < r.nitems; k++)
            if (!strcmp(r.items[k].kind, "question") && !r.items[k].passed) {
                fprintf(stderr, "\n  %s key fails %s: %s\n", labs[i], r.items[k].id, r.items[k].message);
                CU_FAIL("the key does not pass its own question");
            }
        lab_report_free(&r);
    }
    /* The reference student's key is the shipped solution's numbers. */
    FMT(cmd, "%s lab show 06 --labs labs --student reference --key", test_traplab_path);
    CU_ASSERT_EQUAL(sh(cmd, key, sizeof key), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(key, "  t1_mtcr = 2260,\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(key, "  worst_kind = \"out\",\n"));
}

/* ---- the API the labs measure with ------------------------------------------------------ */
static void test_guest_api(void)
{
    char *tmp = test_tmpdir("labsb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    char labs[PATH_MAX], labdir[PATH_MAX], cmd[4096];
    static char out[1 << 16];
    FMT(labs, "%s/labs", tmp);
    FMT(labdir, "%s/labs/probe", tmp);
    FMT(cmd, "mkdir -p %s", labdir);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    /* io with BATCH=4 on Type-1: the numbers `traplab compare --batch 4` prints for io. */
    test_write_file(labdir, "lab.lua",
               "local lab = traplab.lab{ title = 'probe' }\n"
               "lab:check{ id = 'c', points = 1, title = 'probe', run = function()\n"
               "  local k = traplab.guest('kernel', { TICK = 10000000 })\n"
               "  local p = traplab.guest('io', { TICK = 10000000, BATCH = 4 })\n"
               "  local n = traplab.native{ kernel = k, program = p }\n"
               "  local h <close> = traplab.hypervisor{ vms = 1 }\n"
               "  assert(h:load(0, k, p))\n"
               "  assert(h:run(100000000) == 'halt')\n"
               "  local s = h:stats()\n"
               "  print(string.format('native=%d exits=%d cycles=%d same=%s', n.cycles, s.exits, s.cycles,\n"
               "        tostring(n.console == h:console(0))))\n"
               "  print('bad name: ' .. select(2, pcall(traplab.guest, '../etc/passwd')))\n"
               "  print('missing: ' .. select(2, pcall(traplab.guest, 'nosuch')))\n"
               "  print('cost: ' .. select(2, pcall(traplab.native, { kernel = k, costs = { bogus = 1 } })))\n"
               "  print(string.format('designs: full=%s para=%s hw=%s', tostring(traplab.designs.full),\n"
               "        tostring(traplab.designs.para), tostring(traplab.designs.hw)))\n"
               "  return true end }\nreturn lab\n");
    FMT(cmd, "%s lab check probe --labs %s --no-record --submission %s", test_traplab_path, labs, tmp);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "native=147664 exits=554 cycles=1163142 same=true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "bad name: traplab.guest: '../etc/passwd' is not a guest name"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "missing: traplab.guest: no guest 'nosuch'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "cost: traplab.native: unknown cost 'bogus'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, vmm_design_available(VMM_DESIGN_HW) ? "designs: full=true para=true hw=true"
                                                                          : "designs: full=true para=true hw=false"));
    FMT(cmd, "%s compare --workloads io --host type1 --batch 4", test_traplab_path);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "io       native  -              147664"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "io       full    type1         1163142"));
    test_rm_rf(tmp);
    free(tmp);
}

/* ---- malformed lab folders and submissions ----------------------------------------------- */
static void test_malformed(void)
{
    char *tmp = test_tmpdir("labsb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
    char cmd[4096], sub[PATH_MAX];
    static char out[1 << 16];
    /* lab.lua that is a directory: said so, by name or by path, exit 1. */
    FMT(cmd, "mkdir -p %s/labs/09-broken/lab.lua", tmp);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    FMT(cmd, "%s lab show 09-broken --labs %s/labs", test_traplab_path, tmp);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "09-broken/lab.lua is a directory, not a file"));
    CU_ASSERT_PTR_NULL(strstr(out, "no lab"));
    FMT(cmd, "%s lab check %s/labs/09-broken --no-record", test_traplab_path, tmp);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "lab.lua is a directory, not a file"));
    /* A submission file that is a FIFO is refused before it is opened: no hang, no "endless loop". */
    FMT(sub, "%s/fifo", tmp);
    FMT(cmd, "mkdir -p %s && cp labs/02-trap-and-emulate/solution/* %s/ && rm %s/emulate.lua && mkfifo %s/emulate.lua",
        sub, sub, sub, sub);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    FMT(cmd, "%s lab check 02 --labs labs --no-record --submission %s", test_traplab_path, sub);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "emulate.lua: not a regular file (a FIFO)"));
    CU_ASSERT_PTR_NULL(strstr(out, "limit exceeded"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "Total: 12/30 (40%)"));
    /* The answers file as a FIFO: the whole submission is refused, with the reason. */
    FMT(cmd, "rm %s/answers.lua && mkfifo %s/answers.lua", sub, sub);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    FMT(cmd, "%s lab check 02 --labs labs --no-record --submission %s", test_traplab_path, sub);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "answers.lua: not a regular file (a FIFO)"));
    /* A device too (a symbolic link to /dev/null would be refused as leading outside; a
     * device node inside the folder is what a tar archive could carry). */
    FMT(cmd, "rm %s/answers.lua && mknod %s/answers.lua c 1 3", sub, sub);
    if (system(cmd) == 0) {
        FMT(cmd, "%s lab check 02 --labs labs --no-record --submission %s", test_traplab_path, sub);
        CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, "answers.lua: not a regular file (a device)"));
    }
    /* A loop inside __gc escapes the instruction count (Lua runs finalizers without hooks):
     * the CPU limit stops it, and the class still grades. */
    FMT(sub, "%s/class/gc", tmp);
    FMT(cmd, "mkdir -p %s", sub);
    CU_ASSERT_EQUAL_FATAL(system(cmd), 0);
    test_write_file(sub, "answers.lua", "setmetatable({}, { __gc = function() while true do end end })\n"
                                   "collectgarbage('collect')\nreturn {}\n");
    FMT(cmd, "%s lab grade 01 --labs labs --submissions %s/class --timeout 1 --csv %s/g.csv && cat %s/g.csv",
        test_traplab_path, tmp, tmp, tmp);
    CU_ASSERT_EQUAL(sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"gc\",\"01-rings\","));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, ",0,30,0,zero,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "the submission hangs"));
    test_rm_rf(tmp);
    free(tmp);
}

void test_labs_b_register(void)
{
    CU_pSuite s = CU_add_suite("labs_b", NULL, NULL);
    CU_add_test(s, "lab 06: solution full marks, starter not, prices from the tool", test_lab06);
    CU_add_test(s, "lab 07: solution full marks, starter not, settings run through the VMM", test_lab07);
    CU_add_test(s, "lab 08: solution full marks, starter not, the student's VMs against native", test_lab08);
    CU_add_test(s, "lab list shows the labs; lab run opens their scenarios", test_lab_list);
    CU_add_test(s, "lab show --key: the expected answers for any student pass", test_answer_key);
    CU_add_test(s, "traplab.guest and traplab.native measure what vm and compare run", test_guest_api);
    CU_add_test(s, "malformed lab folders, FIFO and device files, loops in __gc", test_malformed);
}
