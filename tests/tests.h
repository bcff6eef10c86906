/*
 * tests.h -- one registration function per test suite; tests/main.c lists
 * them in its table.
 */
#ifndef TRAPLAB_TESTS_H
#define TRAPLAB_TESTS_H

#include <CUnit/CUnit.h>

void test_isa_register(void);
void test_asm_register(void);
void test_machine_register(void);
void test_engine_add(CU_pSuite s);   /* test_engine.c: in the machine suite */
void test_hvext_register(void);
void test_hw_register(void);
void test_run_register(void);
void test_vmm_register(void);
void test_para_register(void);
void test_bt_register(void);
void test_tui_register(void);
void test_debugger_register(void);
void test_lab_register(void);
void test_labs_a_register(void);
void test_labs_b_register(void);
void test_fuzz_register(void);
void test_proptest_register(void);
void test_limits_register(void);

/* The traplab binary next to the runner (build/traplab for build/tests/run-tests). */
extern const char *test_traplab_path;

#endif
