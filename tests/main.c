/*
 * main.c -- the one test runner: a table of suites, each registering its
 * tests; exits non-zero when any assertion failed.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "tests/tests.h"

static const struct { const char *name; void (*register_fn)(void); } suites[] = {
    { "isa",     test_isa_register },
    { "asm",     test_asm_register },
    { "machine", test_machine_register },
    { "jit",     test_jit_register },
    { "hvext",   test_hvext_register },
    { "hw",      test_hw_register },
    { "run",     test_run_register },
    { "vmm",     test_vmm_register },
    { "para",    test_para_register },
    { "bt",      test_bt_register },
    { "tui",     test_tui_register },
    { "debugger", test_debugger_register },
    { "lab",     test_lab_register },
    { "labs_a",  test_labs_a_register },
    { "labs_b",  test_labs_b_register },
    { "fuzz",    test_fuzz_register },
    { "proptest", test_proptest_register },
    { "limits",  test_limits_register },
};

const char *test_traplab_path = "build/traplab";

int main(int argc, char **argv)
{
    /* build/tests/run-tests -> build/traplab, build/check/tests/run-tests -> build/check/traplab */
    static char path[8192];
    char cwd[2048] = "";
    const char *slash = strrchr(argv[0], '/');
    int dirlen = slash ? (int)(slash - argv[0]) : 0;
    if (slash && dirlen < 2048) {
        if (argv[0][0] != '/' && !getcwd(cwd, sizeof cwd))
            cwd[0] = '\0';
        snprintf(path, sizeof path, "%s%s%.*s/../traplab", cwd, cwd[0] ? "/" : "", dirlen, argv[0]);
        test_traplab_path = path;
    }
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (argc < 2 || strcmp(argv[1], suites[i].name) == 0)
            suites[i].register_fn();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    int err = CU_get_error();
    CU_cleanup_registry();
    return failures > 0 || err != CUE_SUCCESS ? 1 : 0;
}
