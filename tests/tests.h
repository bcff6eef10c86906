/*
 * tests.h -- each area's CUnit suite registers itself through one function;
 * tests/main.c runs them all from one table.
 */
#ifndef TRAPLAB_TESTS_H
#define TRAPLAB_TESTS_H

void test_lab_register(void);

#endif
