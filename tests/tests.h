/*
 * tests.h -- one registration function per test suite; tests/main.c lists
 * them in its table.
 */
#ifndef TRAPLAB_TESTS_H
#define TRAPLAB_TESTS_H

#include <stddef.h>

#include <CUnit/CUnit.h>

void test_isa_register(void);
void test_asm_register(void);
void test_machine_register(void);
void test_engine_add(CU_pSuite s);   /* test_engine.c: in the machine suite */
void test_jit_register(void);
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

/* tests/util.c.  test_sh runs cmd with /bin/sh: its standard output into out
 * (NUL-terminated, at most n - 1 bytes; the rest is read and dropped), and
 * returns its exit status, or -1 when it could not run or died of a signal.
 * test_traplab runs test_traplab_path ARGS the same way (ARGS may redirect,
 * e.g. "vm --guest kernel 2>&1"). */
int test_sh(const char *cmd, char *out, size_t n);
int test_traplab(const char *args, char *out, size_t n);
/* A new folder /tmp/traplab-WHAT-XXXXXX (malloc'd; NULL on failure), a file
 * written into one (a failure stops the test), and the folder removed (only
 * a /tmp/traplab-* path is). */
char *test_tmpdir(const char *what);
void test_write_file(const char *dir, const char *name, const char *text);
void test_rm_rf(const char *dir);
/* A terminal-UI model of src assembled on a bare 64 KiB machine, with room for
 * ck_snapshots checkpoints (the size of one in *snap_bytes, if not NULL); NULL
 * when src does not assemble or load. */
struct tui_model;
struct tui_model *test_bare_model(const char *src, size_t ck_snapshots, size_t *snap_bytes);
/* Runs code (chunk name e.g. "=test") in a lab sandbox: NULL when it ran, else
 * its error message (malloc'd). */
struct lab_sandbox;
char *test_lua_error(struct lab_sandbox *sb, const char *code, const char *chunk);

#endif
