/*
 * test_run.c -- `traplab run` as a user runs it: images written with
 * image_write_file, the real binary started with popen, its stdout, stderr
 * and exit status checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/image.h"
#include "isa/isa.h"
#include "machine/devices.h"
#include "tests/tests.h"

static char dir[64];

static uint32_t enc(isa_opcode op, uint32_t rd, uint32_t rs1, int32_t imm)
{
    isa_operands o = { rd, rs1, 0, imm };
    return isa_encode(isa_lookup_opcode(op), &o);
}

static bool write_image(const char *name, const uint32_t *w, size_t n)
{
    uint8_t *bytes = malloc(n * 4);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 4; b++)
            bytes[4 * i + b] = (uint8_t)(w[i] >> (8 * b));
    image_segment seg = { 0x1000, (uint32_t)(n * 4), bytes };
    image img;
    image_init(&img);
    img.entry = 0x1000;
    img.segs = &seg;
    img.nsegs = 1;
    /* A symbol, as every assembled image has (image_write_file of an image
     * with an empty string table trips UBSan in asm/image.c's put()). */
    image_symbol sym = { (char *)"_start", 0x1000, true };
    img.syms = &sym;
    img.nsyms = 1;
    char path[128], err[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    bool ok = image_write_file(path, &img, err, sizeof err);
    free(bytes);
    return ok;
}

/* Runs "traplab run ARGS" in dir; returns the exit status, stdout in out. */
static int run(const char *args, char *out, size_t n, char *err, size_t en)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "cd %s && %s run %s 2>stderr.txt", dir, test_traplab_path, args);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    size_t len = fread(out, 1, n - 1, p);
    out[len] = '\0';
    int st = pclose(p);
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", dir);
    FILE *f = fopen(path, "r");
    size_t el = f ? fread(err, 1, en - 1, f) : 0;
    err[el] = '\0';
    if (f)
        fclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/traplab-run-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    /* hello: prints "hi\n" and halts */
    uint32_t hello[] = {
        enc(OP_ADDI, 1, 0, 'h'), enc(OP_OUT, 0, 1, PORT_CONSOLE_DATA),
        enc(OP_ADDI, 1, 0, 'i'), enc(OP_OUT, 0, 1, PORT_CONSOLE_DATA),
        enc(OP_ADDI, 1, 0, '\n'), enc(OP_OUT, 0, 1, PORT_CONSOLE_DATA),
        enc(OP_HALT, 0, 0, 0),
    };
    /* ring3: drops to ring 3 with iret, runs halt there, the kernel prints '!' and halts */
    uint32_t ring3[] = {
        enc(OP_ADDI, 1, 0, 0x1100), enc(OP_MTCR, CR_TVB, 1, 0),
        enc(OP_ADDI, 1, 0, 3), enc(OP_MTCR, CR_ESTATUS, 1, 0),
        enc(OP_ADDI, 1, 0, 0x1020), enc(OP_MTCR, CR_EPC, 1, 0),
        enc(OP_IRET, 0, 0, 0), 0,
        enc(OP_HALT, 0, 0, 0),            /* 0x1020, in ring 3 */
    };
    uint32_t loop[] = { enc(OP_J, 0, 0, 0) };
    uint32_t echo[] = {
        enc(OP_IN, 1, 0, PORT_CONSOLE_DATA), enc(OP_ADDI, 2, 0, -1),
        isa_encode(isa_lookup_opcode(OP_BEQ), &(isa_operands){ .rs1 = 1, .rs2 = 2, .imm = 3 }), enc(OP_OUT, 0, 1, PORT_CONSOLE_DATA), enc(OP_J, 0, 0, -4),
        enc(OP_HALT, 0, 0, 0),
    };
    bool ok = write_image("hello.tlo", hello, sizeof hello / 4);
    uint32_t full[0x44 + 2];
    memset(full, 0, sizeof full);
    memcpy(full, ring3, sizeof ring3);
    full[0x40] = enc(OP_ADDI, 1, 0, '!');      /* 0x1100 */
    full[0x41] = enc(OP_OUT, 0, 1, PORT_CONSOLE_DATA);
    full[0x42] = enc(OP_HALT, 0, 0, 0);
    ok = write_image("ring3.tlo", full, 0x43) && ok;
    ok = write_image("loop.tlo", loop, 1) && ok;
    ok = write_image("echo.tlo", echo, sizeof echo / 4) && ok;
    FILE *f = fopen(strcat(strcpy((char[128]){ 0 }, dir), "/junk.tlo"), "w");
    if (f) {
        fputs("not an image", f);
        fclose(f);
    }
    return ok ? 0 : 1;
}

static int teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}

static void test_hello(void)
{
    char out[4096], err[4096];
    CU_ASSERT_EQUAL(run("hello.tlo", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "hi\n");
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_EQUAL(run("--stats hello.tlo", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "instructions  7\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "cycles        34\n"));   /* 3 addi + 3 out*10 + halt */
}

static void test_trace_and_json(void)
{
    char out[4096], err[4096];
    CU_ASSERT_EQUAL(run("--trace ring3.tlo", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "!");
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ILLEGAL_PRIV"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "pc=0x00001020"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ring 3 -> 0"));
    CU_ASSERT_EQUAL(run("--json ring3.tlo", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"stop\": \"halt\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"ILLEGAL_PRIV\": 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"output\": \"!\""));
    CU_ASSERT_EQUAL(run("--json --input 'a\"b' echo.tlo", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"output\": \"a\\\"b\""));
}

static void test_failures(void)
{
    char out[4096], err[4096];
    CU_ASSERT_EQUAL(run("--max-steps 1000 loop.tlo", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "step limit of 1000 reached at pc 0x00001000"));
    CU_ASSERT_EQUAL(run("--profile legacy junk.tlo", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "junk.tlo"));
    CU_ASSERT_EQUAL(run("missing.tlo", out, sizeof out, err, sizeof err), 1);
    /* A well-formed image that does not fit the machine's 16 MiB. */
    uint8_t word[4] = { 0 };
    image_segment seg = { 0x01fff000, 4, word };
    image_symbol sym = { (char *)"_start", 0x01fff000, true };
    image big = { .entry = 0x01fff000, .segs = &seg, .nsegs = 1, .syms = &sym, .nsyms = 1 };
    char path[128];
    snprintf(path, sizeof path, "%s/big.tlo", dir);
    CU_ASSERT_FATAL(image_write_file(path, &big, err, sizeof err));
    CU_ASSERT_EQUAL(run("big.tlo", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "segment at 0x01fff000 (4 bytes) does not fit"));
    CU_ASSERT_EQUAL(run("--bogus hello.tlo", out, sizeof out, err, sizeof err), 2);
    CU_ASSERT_EQUAL(run("--max-steps x hello.tlo", out, sizeof out, err, sizeof err), 2);
    CU_ASSERT_EQUAL(run("--profile vax hello.tlo", out, sizeof out, err, sizeof err), 2);
    CU_ASSERT_EQUAL(run("", out, sizeof out, err, sizeof err), 2);
    CU_ASSERT_EQUAL(run("--help", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--max-steps"));
}

static void test_assembles_source(void)
{
    char out[4096], err[4096], args[2300], cwd[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "%s/samples/hello.s", cwd);
    CU_ASSERT_EQUAL(run(args, out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "Hello, world!\n");
    snprintf(args, sizeof args, "%s/bad.s", dir);
    FILE *f = fopen(args, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("        addx r1, r2, r3\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run("bad.s", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad.s:1:"));
    /* An image renamed to .s still runs (told by its magic number); binary
     * junk named .s gets one message, not one error per line of garbage. */
    snprintf(args, sizeof args, "cp %s/hello.tlo %s/hello-image.s", dir, dir);
    CU_ASSERT_EQUAL(system(args), 0);
    CU_ASSERT_EQUAL(run("hello-image.s", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "hi\n");
    snprintf(args, sizeof args, "%s/binary.s", dir);
    f = fopen(args, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (int i = 0; i < 4096; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    CU_ASSERT_EQUAL(run("binary.s", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "binary file"));
    CU_ASSERT_PTR_NULL(strstr(err, ":2:"));
}

/* The samples that ship with traplab run as their comments promise. */
static void test_samples_run(void)
{
    char out[4096], err[4096], args[2400], cwd[2048];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
    snprintf(args, sizeof args, "--trace %s/samples/ring3-trap.s", cwd);
    CU_ASSERT_EQUAL(run(args, out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "trap in ring 3, cause 2\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ILLEGAL_PRIV"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "halt"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ring 3 -> 0"));
    snprintf(args, sizeof args, "--trace %s/samples/paging.s", cwd);
    CU_ASSERT_EQUAL(run(args, out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "paging on\npage fault at 0x00400000\n");
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "PAGE_FAULT"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "read 0x00400000"));
    /* -D reaches the assembler; a malformed one is a usage error. */
    snprintf(args, sizeof args, "%s/defs.s", dir);
    FILE *f = fopen(args, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("_start: li a0, GREETING\n  out a0, 0x10\n  halt\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run("-D GREETING=0x41 defs.s", out, sizeof out, err, sizeof err), 0);
    CU_ASSERT_STRING_EQUAL(out, "A");
    CU_ASSERT_EQUAL(run("-D 9X=1 defs.s", out, sizeof out, err, sizeof err), 2);
    CU_ASSERT_EQUAL(run("defs.s", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "GREETING"));
    /* An empty program is refused rather than run into zeroed memory. */
    CU_ASSERT_EQUAL(run("/dev/null", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "nothing to run"));
    /* The trace does not claim ring 0 when there is no trap vector to enter. */
    snprintf(args, sizeof args, "%s/notvec.s", dir);
    f = fopen(args, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("_start: li a0, 3\n  mtcr estatus, a0\n  la a0, u\n  mtcr epc, a0\n  iret\nu: halt\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(run("--trace notvec.s", out, sizeof out, err, sizeof err), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ring 3 -> 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "unhandled trap"));
}

void test_run_register(void)
{
    CU_pSuite s = CU_add_suite("run", setup, teardown);
    CU_add_test(s, "traplab run prints the console output", test_hello);
    CU_add_test(s, "traplab run --trace and --json", test_trace_and_json);
    CU_add_test(s, "traplab run fails clearly", test_failures);
    CU_add_test(s, "traplab run assembles a .s file first", test_assembles_source);
    CU_add_test(s, "the samples run as promised; -D; empty images; fatal traces", test_samples_run);
}
