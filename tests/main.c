/*
 * main.c -- the one CUnit test runner: a table of suites, exit status
 * non-zero when any assertion fails.
 */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "tests/tests.h"

static const struct {
    const char *name;
    void (*register_fn)(void);
} suites[] = {
    { "asm", test_asm_register },
    { "lab", test_lab_register },
};

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        suites[i].register_fn();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    int framework = CU_get_error() != CUE_SUCCESS;
    CU_cleanup_registry();
    return failures || framework ? 1 : 0;
}
