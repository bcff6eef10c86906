/*
 * test_fuzz_regressions.c -- one test per problem the fuzzers (fuzz/) or
 * the timing experiments found: the smallest input that showed it and what
 * the user must see instead.  Each failed before its fix (some only under
 * `make check`, where ASan turns a stray read into a failure).
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asm/asm.h"
#include "tests/tests.h"

/* Assembles src; returns the error count and the diagnostics text. */
static int assemble(const char *src, char **diag)
{
    size_t dn = 0;
    char *d = NULL;
    asm_options opt = { 0 };
    opt.diag = open_memstream(&d, &dn);
    image img;
    int errors = asm_assemble_string("t.s", src, &opt, &img);
    fclose(opt.diag);
    if (errors == 0)
        image_free(&img);
    *diag = d;
    return errors;
}

/* fuzz_asm: an expansion that defines macros moved the macro table under
 * the expansion, and the "in expansion of macro" note read freed memory. */
static void test_macro_defined_inside_expansion(void)
{
    char *src = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&src, &n);
    fprintf(f, ".macro outer\n");
    for (int i = 0; i < 40; i++)
        fprintf(f, ".macro inner%d\nnop\n.endm\n", i);
    fprintf(f, "add r1\n.endm\nouter\n");
    fclose(f);
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:122:5: error: 'add' expects rd, rs1, rs2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:124:1: note: in expansion of macro 'outer'"));
    free(diag);
    free(src);
}

void test_fuzz_register(void)
{
    CU_pSuite s = CU_add_suite("fuzz regressions", NULL, NULL);
    CU_add_test(s, "macro defined inside an expansion", test_macro_defined_inside_expansion);
}
