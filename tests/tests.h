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

/* Hand-built machine programs (tests/util.c): test_enc is isa_encode with the
 * operands in reading order (a branch's or store's registers, out's source);
 * E(ADDI, 1, 0, 0, 5) is test_enc(OP_ADDI, ...).  test_put32 and test_get32
 * write and read a little-endian word of physical memory (a failed write
 * stops the test), test_load writes n words from at, LOAD(m, at, w, ...) a
 * list of them.  test_map maps va to pa with flags through the page table of
 * the machine tests: level 1 at 0x10000, one level-2 table at 0x11000. */
#include "machine/machine.h"
uint32_t test_enc(isa_opcode op, uint32_t a, uint32_t b, uint32_t c, int32_t imm);
#define E(op, a, b, c, imm) test_enc(OP_##op, a, b, c, imm)
void test_put32(machine *m, uint32_t pa, uint32_t v);
uint32_t test_get32(machine *m, uint32_t pa);
void test_load(machine *m, uint32_t at, const uint32_t *w, size_t n);
#define LOAD(m, at, ...) test_load(m, at, (const uint32_t[]){ __VA_ARGS__ }, \
                                   sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))
void test_map(machine *m, uint32_t va, uint32_t pa, uint32_t flags);

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
