/*
 * util.c -- what several suites need: a command's output and exit status,
 * and scratch folders under /tmp that are removed afterwards.
 */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <lua.h>

#include "asm/asm.h"
#include "lab/sandbox.h"
#include "machine/machine.h"
#include "tests/tests.h"
#include "tui/model.h"

uint32_t test_enc(isa_opcode op, uint32_t a, uint32_t b, uint32_t c, int32_t imm)
{
    isa_operands o = { a, b, c, imm };
    const isa_insn *in = isa_lookup_opcode(op);
    /* B and STORE name their registers rs1/rs2; callers pass them in order. */
    if (in->format == FMT_B) { o.rs1 = a; o.rs2 = b; }
    if (in->format == FMT_STORE) { o.rs2 = a; o.rs1 = b; }
    if (in->format == FMT_POUT) { o.rs1 = a; }
    if (in->format == FMT_CRW) { o.rd = a; o.rs1 = b; }
    return isa_encode(in, &o);
}

void test_put32(machine *m, uint32_t pa, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    CU_ASSERT_FATAL(machine_write_phys(m, pa, b, 4));
}

uint32_t test_get32(machine *m, uint32_t pa)
{
    uint8_t b[4] = { 0 };
    machine_read_phys(m, pa, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void test_load(machine *m, uint32_t at, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        test_put32(m, at + 4 * (uint32_t)i, w[i]);
}

void test_map(machine *m, uint32_t va, uint32_t pa, uint32_t flags)
{
    test_put32(m, 0x10000 + 4 * VA_L1(va), 0x11000 | PTE_V);
    test_put32(m, 0x11000 + 4 * VA_L2(va), pa | PTE_V | flags);
}

int test_sh(const char *cmd, char *out, size_t n)
{
    FILE *p = popen(cmd, "r");
    if (!p) {
        out[0] = '\0';
        return -1;
    }
    size_t len = fread(out, 1, n - 1, p);
    out[len] = '\0';
    /* The rest is read and dropped, so the command is not stopped by a full pipe and the
     * status is its own. */
    char sink[4096];
    while (fread(sink, 1, sizeof sink, p) > 0)
        ;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int test_traplab(const char *args, char *out, size_t n)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s", test_traplab_path, args);
    return test_sh(cmd, out, n);
}

char *test_tmpdir(const char *what)
{
    char tmpl[PATH_MAX];
    snprintf(tmpl, sizeof tmpl, "/tmp/traplab-%s-XXXXXX", what);
    char *d = mkdtemp(tmpl);
    return d ? strdup(d) : NULL;
}

void test_write_file(const char *dir, const char *name, const char *text)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    CU_ASSERT_EQUAL(fclose(f), 0);
}

void test_rm_rf(const char *dir)
{
    /* Only what test_tmpdir made: a wrong pointer cannot remove anything else. */
    if (!dir || strncmp(dir, "/tmp/traplab-", 13) != 0 || strstr(dir, ".."))
        return;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

tui_model *test_bare_model(const char *src, size_t ck_snapshots, size_t *snap_bytes)
{
    image img;
    image_init(&img);
    asm_options opt = { 0 };
    if (asm_assemble_string("test.s", src, &opt, &img) != 0)
        return NULL;
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.mem_size = 64 * 1024;
    cfg.disk_sectors = 8;
    machine *mach = machine_new(&cfg);
    char err[128];
    if (!mach || !tui_load_image(mach, &img, err, sizeof err)) {
        machine_free(mach);
        image_free(&img);
        return NULL;
    }
    void *t = tui_bare_target_new(mach);
    size_t snap = tui_bare_target_ops.snap_size(t);
    if (snap_bytes)
        *snap_bytes = snap;
    tui_model *m = tui_model_new(&tui_bare_target_ops, t, &img, TUI_LANG_EN, ck_snapshots * snap);
    image_free(&img);
    return m;
}

char *test_lua_error(lab_sandbox *sb, const char *code, const char *chunk)
{
    lua_State *L = lab_sandbox_lua(sb);
    int st = lab_sandbox_load(sb, code, strlen(code), chunk, 0);
    if (st == LUA_OK)
        st = lab_sandbox_pcall(sb, 0, 0);
    char *msg = NULL;
    if (st != LUA_OK) {
        msg = strdup(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
        lua_pop(L, 1);
    }
    return msg;
}
