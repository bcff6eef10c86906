/*
 * main.c -- the one CUnit runner: a table of suites, and a non-zero exit
 * when any assertion failed (CU_get_error() alone reports only framework
 * errors).  Optional argument: run only the suites whose name contains it.
 */
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests/tests.h"

static const struct {
    const char *name;
    void (*reg)(void);
} suites[] = {
    { "lab", test_lab_register },
};

int main(int argc, char **argv)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (argc < 2 || strstr(suites[i].name, argv[1]))
            suites[i].reg();
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    int framework = CU_get_error();
    CU_cleanup_registry();
    return failures || framework ? 1 : 0;
}
