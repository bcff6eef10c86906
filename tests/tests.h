/*
 * tests.h -- each area's CUnit suite registration, called by tests/main.c.
 */
#ifndef TRAPLAB_TESTS_H
#define TRAPLAB_TESTS_H

void test_asm_register(void);
void test_lab_register(void);

#endif
