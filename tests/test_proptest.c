/*
 * test_proptest.c -- the property tests (proptest/, docs/fuzzing.md): a
 * fixed-seed sample of random guests under every design and host with no
 * violation and the same traces twice, checkers that do fail when a fault is
 * planted, and the driver's report of crashes, hangs and reproducers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proptest/proptest.h"
#include "tests/tests.h"

#define SAMPLE_SEED 20261202u
#if defined(__SANITIZE_ADDRESS__)
#define SAMPLE_N 40          /* make check: the sanitizers make each run ten times dearer */
#else
#define SAMPLE_N 150
#endif

static pt_env *the_env;

static pt_env *env(void)
{
    char err[256] = "";
    if (!the_env)
        the_env = pt_env_new(err, sizeof err);
    if (!the_env)
        fprintf(stderr, "pt_env_new: %s\n", err);
    return the_env;
}

static void test_generator_deterministic(void)
{
    pt_guest a, b, c;
    CU_ASSERT_FATAL(pt_generate(5, 17, &a));
    CU_ASSERT_FATAL(pt_generate(5, 17, &b));
    CU_ASSERT_FATAL(pt_generate(5, 18, &c));
    CU_ASSERT_EQUAL(a.len, b.len);
    CU_ASSERT(a.len == b.len && memcmp(a.src, b.src, a.len) == 0);
    CU_ASSERT(a.len != c.len || memcmp(a.src, c.src, a.len) != 0);
    /* the reproducer says how to rerun it */
    CU_ASSERT_PTR_NOT_NULL(strstr(a.src, "build/proptest --replay"));
    pt_guest_free(&a);
    pt_guest_free(&b);
    pt_guest_free(&c);
}

/* Covers every configuration (every design the VMM has, both hosts) and both kinds. */
static void test_sample(void)
{
    pt_env *e = env();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    size_t nc = pt_nconfigs();
    CU_ASSERT(nc >= 4);
    unsigned kinds[2] = { 0, 0 }, viol = 0, ended[3] = { 0, 0, 0 };
    for (uint64_t i = 0; i < SAMPLE_N; i++) {
        pt_guest g;
        CU_ASSERT_FATAL(pt_generate(SAMPLE_SEED, i, &g));
        g.deep = i % 25 == 0;
        kinds[g.kind]++;
        for (size_t c = 0; c < nc; c++) {
            pt_result r;
            char err[256], name[64];
            CU_ASSERT_FATAL(pt_run(e, &g, c, PT_PLANT_NONE, &r, err, sizeof err));
            for (unsigned k = 0; k < r.nviol; k++)
                fprintf(stderr, "\nguest %llu %s: %s\n", (unsigned long long)i,
                        pt_config_name(c, name, sizeof name), r.viol[k]);
            viol += r.nviol;
            if (c == i % nc) {      /* determinism: the same run again */
                pt_result r2;
                CU_ASSERT_FATAL(pt_run(e, &g, c, PT_PLANT_NONE, &r2, err, sizeof err));
                CU_ASSERT_EQUAL(r.trace, r2.trace);
            }
            ended[strncmp(r.rogue_state, "halted", 6) == 0 ? 0 : strncmp(r.rogue_state, "failed", 6) == 0 ? 1 : 2]++;
        }
        pt_guest_free(&g);
    }
    CU_ASSERT_EQUAL(viol, 0);
    /* the sample is varied: both kinds, and rogues that halt, fail and run on */
    CU_ASSERT(kinds[0] > SAMPLE_N / 8 && kinds[1] > SAMPLE_N / 8);
    CU_ASSERT(ended[0] > 0 && ended[1] > 0 && ended[2] > 0);
}

/* A guest that runs long enough to be preempted: kernel, interrupts off, spinning. */
static const char spin_src[] =
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        di\n"
    "1:      j 1b\n";

static unsigned plant_violations(pt_plant plant, const char *want)
{
    pt_env *e = env();
    pt_guest g = { .kind = PT_KIND_KERNEL, .slice = 5000, .slot = 1, .src = (char *)spin_src,
                   .len = sizeof spin_src - 1 };
    unsigned found = 0;
    for (size_t c = 0; c < pt_nconfigs(); c++) {
        pt_result r;
        char err[256];
        CU_ASSERT_FATAL(pt_run(e, &g, c, plant, &r, err, sizeof err));
        for (unsigned k = 0; k < r.nviol; k++)
            if (strstr(r.viol[k], want))
                found++;
        if (plant == PT_PLANT_NONE)
            found += r.nviol;
    }
    return found;
}

/* The checkers can fail: each planted fault is reported under every configuration. */
static void test_checkers_fail(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(env());
    CU_ASSERT_EQUAL(plant_violations(PT_PLANT_NONE, ""), 0);
    CU_ASSERT(plant_violations(PT_PLANT_NEIGHBOUR_WRITE, "isolation: good VM") >= pt_nconfigs());
    CU_ASSERT(plant_violations(PT_PLANT_NEIGHBOUR_WRITE, "during its turn") >= pt_nconfigs());
    CU_ASSERT(plant_violations(PT_PLANT_VMM_WRITE, "the VMM's own page") >= pt_nconfigs());
    CU_ASSERT(plant_violations(PT_PLANT_LATE_SLICE, "preemption:") >= pt_nconfigs());
}

static void test_guest_that_does_not_assemble(void)
{
    pt_guest g = { .kind = PT_KIND_USER, .slice = 5000, .slot = 0, .src = (char *)"bogus r99\n", .len = 10 };
    pt_result r;
    char err[256];
    CU_ASSERT_FATAL(pt_run(env(), &g, 0, PT_PLANT_NONE, &r, err, sizeof err));
    CU_ASSERT_EQUAL(r.nviol, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.viol[0], "generator:"));
}

/* ---- the driver ------------------------------------------------------------------------ */
static int run_driver(const char *args, char **out)
{
    char bin[8192], cmd[9000];
    snprintf(bin, sizeof bin, "%s", test_traplab_path);
    char *slash = strrchr(bin, '/');
    snprintf(slash ? slash + 1 : bin, sizeof bin - (size_t)(slash ? slash + 1 - bin : 0), "proptest");
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t len = 0, cap = 1 << 16;
    *out = calloc(cap, 1);
    size_t n;
    while (*out && (n = fread(*out + len, 1, cap - 1 - len, p)) > 0)
        len += n;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_driver(void)
{
    char *out = NULL;
    CU_ASSERT_EQUAL(run_driver("-n 6 --seed 3 --quiet --out build/tests/proptest-out", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "6 guests ran"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "full/type1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "para/type2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "0 violations"));
    char *digest = strstr(out, "trace digest 0x");
    CU_ASSERT_PTR_NOT_NULL_FATAL(digest);
    char first[40];
    snprintf(first, sizeof first, "%.34s", digest);
    free(out);
    /* the same seed, the same traces, in another process */
    CU_ASSERT_EQUAL(run_driver("-n 6 --seed 3 --quiet --out build/tests/proptest-out", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, first));
    free(out);

    /* a crash of the child is a violation with a reproducer, and the run goes on */
    CU_ASSERT_EQUAL(run_driver("-n 4 --seed 3 --quiet --configs full/type1 --selftest-crash 1 "
                               "--out build/tests/proptest-out", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "VIOLATION guest 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "crash: the simulator died of signal"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "reproducer: build/tests/proptest-out/guest-3-1.s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "3 guests ran"));
    free(out);
    /* a hang too */
    CU_ASSERT_EQUAL(run_driver("-n 3 --seed 3 --quiet --configs para/type1 --selftest-hang 2 "
                               "--cpu-limit 1 --out build/tests/proptest-out", &out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "hang: the guest took more than 1 s of CPU"));
    free(out);
    /* the reproducer reruns */
    CU_ASSERT_EQUAL(run_driver("--seed 3 --guest 1 --out build/tests/proptest-out", &out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "guest-3-1.s"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "para/type2: rogue "));
    free(out);
    CU_ASSERT_EQUAL(run_driver("--replay build/tests/proptest-out/guest-3-1.s", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--replay needs --kind"));
    free(out);
    CU_ASSERT_EQUAL(run_driver("-n x", &out), 2);
    free(out);
    CU_ASSERT_EQUAL(run_driver("--configs full/type9", &out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown configuration 'full/type9'"));
    free(out);
}

static int cleanup(void)
{
    pt_env_free(the_env);
    the_env = NULL;
    return 0;
}

void test_proptest_register(void)
{
    CU_pSuite s = CU_add_suite("proptest", NULL, cleanup);
    CU_add_test(s, "the generator is deterministic", test_generator_deterministic);
    CU_add_test(s, "random guests: a fixed-seed sample, every design and host", test_sample);
    CU_add_test(s, "the checkers report planted faults", test_checkers_fail);
    CU_add_test(s, "a guest that does not assemble is a generator violation", test_guest_that_does_not_assemble);
    CU_add_test(s, "build/proptest: report, crashes, hangs, reproducers", test_driver);
}
