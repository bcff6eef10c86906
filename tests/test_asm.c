/*
 * test_asm.c -- the assembler, the disassembler and the image loader, as a
 * user sees them: the bytes a source produces, the listing text, the symbols,
 * each error message with its line and column, and what the loader does with
 * damaged images.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asm/asm.h"
#include "asm/disasm.h"
#include "isa/isa.h"
#include "tests/tests.h"

/* Assembles src; returns the error count, with the diagnostics and listing texts. */
static int assemble(const char *src, image *img, char **diag, char **listing, const asm_options *base)
{
    size_t dn = 0, ln = 0;
    char *d = NULL, *l = NULL;
    asm_options opt = base ? *base : (asm_options){ 0 };
    opt.diag = open_memstream(&d, &dn);
    opt.listing = listing ? open_memstream(&l, &ln) : NULL;
    int errors = asm_assemble_string("t.s", src, &opt, img);
    fclose(opt.diag);
    if (opt.listing)
        fclose(opt.listing);
    if (diag)
        *diag = d;
    else
        free(d);
    if (listing)
        *listing = l;
    return errors;
}

static bool word_at(const image *img, uint32_t addr, uint32_t *w)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const image_segment *s = &img->segs[i];
        if (addr >= s->addr && addr - s->addr + 4 <= s->size) {
            const uint8_t *b = s->data + (addr - s->addr);
            *w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
            return true;
        }
    }
    return false;
}

static uint32_t W(const image *img, uint32_t addr)
{
    uint32_t w = 0xdeadbeef;
    CU_ASSERT_TRUE(word_at(img, addr, &w));
    return w;
}

/* ---- golden tests -------------------------------------------------------- */
static void test_golden_bytes(void)
{
    image img;
    char *diag;
    int e = assemble("        .equ CONSOLE, 0x10\n"
                     "_start: li a0, 'H'\n"
                     "        out a0, CONSOLE\n"
                     "        la s0, msg\n"
                     "1:      lbu a0, 0(s0)\n"
                     "        beq a0, zero, 2f\n"
                     "        j 1b\n"
                     "2:      mfcr a1, status\n"
                     "        halt\n"
                     "msg:    .asciz \"hi\"\n", &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_STRING_EQUAL(diag, "");
    CU_ASSERT_EQUAL(img.entry, 0x1000);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 0x40400048);   /* addi r1, r0, 72 */
    CU_ASSERT_EQUAL(W(&img, 0x1004), 0xe4040010);   /* out r1, 0x10 */
    CU_ASSERT_EQUAL(W(&img, 0x1008), 0x65400001);   /* lui r5, 1 */
    CU_ASSERT_EQUAL(W(&img, 0x100c), 0x49540024);   /* ori r5, r5, 0x24 */
    CU_ASSERT_EQUAL(W(&img, 0x1010), 0x78540000);   /* lbu r1, 0(r5) */
    CU_ASSERT_EQUAL(W(&img, 0x1014), 0x88400002);   /* beq r1, r0, +2 */
    CU_ASSERT_EQUAL(W(&img, 0x1018), 0xa3fffffe);   /* j -2 */
    CU_ASSERT_EQUAL(W(&img, 0x101c), 0xc0800000);   /* mfcr r2, status */
    CU_ASSERT_EQUAL(W(&img, 0x1020), 0xcc000000);   /* halt */
    CU_ASSERT_EQUAL(img.nsegs, 1);
    CU_ASSERT_EQUAL(img.segs[0].size, 0x27);
    CU_ASSERT_EQUAL(memcmp(img.segs[0].data + 0x24, "hi", 3), 0);
    const image_symbol *msg = image_find_symbol(&img, "msg");
    CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
    CU_ASSERT_EQUAL(msg->value, 0x1024);
    CU_ASSERT_PTR_NULL(image_find_symbol(&img, "CONSOLE"));   /* constants are not addresses */
    const image_line *l = image_line_at(&img, 0x100c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL(l->line, 4);
    CU_ASSERT_STRING_EQUAL(img.files[l->file], "t.s");
    free(diag);
    image_free(&img);
}

static void test_listing(void)
{
    image img;
    char *lst;
    int e = assemble("x:  nop\n    la a0, x ; load\n    .byte 1, 2\n", &img, NULL, &lst, NULL);
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_STRING_EQUAL(lst,
        "00001000  04000000            x:  nop\n"
        "00001004  64400001                la a0, x ; load\n"
        "00001008  48440000\n"
        "0000100c  0102                    .byte 1, 2\n");
    free(lst);
    image_free(&img);
}

static void test_pseudos(void)
{
    image img;
    int e = assemble("li a0, 5\n li a1, fwd\n li a2, 0x12345678\n mov a0, a1\n nop\n not a0, a1\n neg a0, a1\n"
                     " call fwd\n ret\n push s0\n pop s0\n bgt a0, a1, fwd\n jr a0\n callr a0\nfwd: .word -1\n",
                     &img, NULL, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(e, 0);
    uint32_t a = 0x1000;
    CU_ASSERT_EQUAL(W(&img, a), 0x40400005); a += 4;                   /* addi a0, zero, 5 */
    CU_ASSERT_EQUAL(W(&img, a), 0x64800001); a += 4;                   /* forward ref: lui + ori */
    CU_ASSERT_EQUAL(W(&img, a) & 0xfc000000, 0x48000000); a += 4;
    CU_ASSERT_EQUAL(W(&img, a), 0x64c12345); a += 4;                   /* lui a2, 0x12345 */
    CU_ASSERT_EQUAL(W(&img, a), 0x48cc0678); a += 4;                   /* ori a2, a2, 0x678 */
    CU_ASSERT_EQUAL(W(&img, a), 0x04480000); a += 4;                   /* add a0, a1, zero */
    CU_ASSERT_EQUAL(W(&img, a), 0x04000000); a += 4;                   /* add zero, zero, zero */
    CU_ASSERT_EQUAL(W(&img, a), 0x08408000); a += 4;                   /* sub a0, zero, a1 */
    CU_ASSERT_EQUAL(W(&img, a), 0x4047ffff); a += 4; /* addi a0, a0, -1 */
    CU_ASSERT_EQUAL(W(&img, a), 0x08408000); a += 4;                   /* neg */
    CU_ASSERT_EQUAL(W(&img, a) >> 26, OP_JAL); a += 4;
    CU_ASSERT_EQUAL(W(&img, a), 0xa8380000); a += 4;                   /* jalr zero, lr, 0 */
    CU_ASSERT_EQUAL(W(&img, a), 0x4377fffc); a += 4; /* addi sp, sp, -4 */
    CU_ASSERT_EQUAL(W(&img, a), 0x7d740000); a += 4;                   /* sw s0, 0(sp) */
    CU_ASSERT_EQUAL(W(&img, a), 0x69740000); a += 4;                   /* lw s0, 0(sp) */
    CU_ASSERT_EQUAL(W(&img, a), 0x43740004); a += 4;                   /* addi sp, sp, 4 */
    CU_ASSERT_EQUAL(W(&img, a) >> 18, (OP_BLT << 8) | (2 << 4) | 1); a += 4; /* blt a1, a0 */
    CU_ASSERT_EQUAL(W(&img, a), 0xa8040000); a += 4;                   /* jalr zero, a0, 0 */
    CU_ASSERT_EQUAL(W(&img, a), 0xab840000); a += 4;                   /* jalr lr, a0, 0 */
    CU_ASSERT_EQUAL(W(&img, a), 0xffffffff);
    image_free(&img);
}

static void test_expressions(void)
{
    image img;
    int e = assemble(".word 1+2*3, (1+2)*3, 7/2, -7%3, 1<<4, 0x80>>3, 3<4, 4<=3, 5==5, 5!=5\n"
                     ".word 6&3, 6^3, 6|3, 1&&0, 1||0, 0?1:2, -1, ~0, !0, 0b101, '\\n', 'a'\n"
                     ".word hi(0x12345678), lo(0x12345678), . , end-start\n"
                     "start: .half 0xffff, -1\n .byte 255, -128\nend:\n", &img, NULL, NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(e, 0);
    static const uint32_t want[] = { 7, 9, 3, (uint32_t)-1, 16, 16, 1, 0, 1, 0,
                                     2, 5, 7, 0, 1, 2, 0xffffffff, 0xffffffff, 1, 5, 10, 97,
                                     0x12345, 0x678, 0x1000 + 22 * 4 /* '.' is where the statement starts */, 6 };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint32_t got = W(&img, 0x1000 + 4 * (uint32_t)i);
        if (got != want[i])
            fprintf(stderr, "\nexpression %zu: got 0x%x, want 0x%x\n", i, got, want[i]);
        CU_ASSERT_EQUAL(got, want[i]);
    }
    image_free(&img);
}

/* ---- errors: text, line and column --------------------------------------- */
static const struct {
    const char *src;
    const char *want;    /* the first diagnostic line */
} error_cases[] = {
    { "  addd a0, a0, a1\n", "t.s:1:3: error: unknown mnemonic 'addd'; did you mean 'add'?" },
    /* a tie goes to the word with a letter missing or extra, pseudo-instructions included */
    { "  hlt\n", "t.s:1:3: error: unknown mnemonic 'hlt'; did you mean 'halt'?" },
    { "  lii a0, 5\n", "t.s:1:3: error: unknown mnemonic 'lii'; did you mean 'li'?" },
    { "  cal f\n", "t.s:1:3: error: unknown mnemonic 'cal'; did you mean 'call'?" },
    { "\n  add r16, a0, a1\n", "t.s:2:7: error: unknown register 'r16'" },
    { "  addi a0, a0, 300000\n", "t.s:1:16: error: immediate 300000 does not fit in a signed 18-bit field (-131072..131071)" },
    { "  ori a0, a0, -1\n", "t.s:1:15: error: immediate -1 does not fit in an unsigned 18-bit field (0..262143)" },
    { "  j nowhere\n", "t.s:1:5: error: undefined symbol 'nowhere'" },
    { "x: nop\nx: nop\n", "t.s:2:1: error: duplicate label 'x'" },
    { "  .org 0\n  beq a0, a0, far\n  .org 0x100000\nfar: nop\n", "t.s:2:15: error: branch target out of range: 0x100000 is 262144 words away; 'beq' reaches -131072..131071 words" },
    { "  .include \"no-such-file.s\"\n", "t.s:1:12: error: include file 'no-such-file.s' not found" },
    { ".macro m\n  m\n.endm\n  m\n", "t.s:2:3: error: macro expansion deeper than 32 levels ('m' is already being expanded: a recursive macro?)" },
    { "  .if 1\n  nop\n", "t.s:1:3: error: .if without .endif (the file ends first)" },
    { "  .ascii \"abc\n", "t.s:1:10: error: unterminated string" },
    { "  add a0, a0, @\n", "t.s:1:15: error: bad character '@'" },
    { "  add a0, a0\n", "t.s:1:7: error: 'add' expects rd, rs1, rs2" },
    { "  halt a0\n", "t.s:1:3: error: 'halt' takes no operands" },
    { "  .orgg 5\n", "t.s:1:3: error: unknown directive '.orgg'; did you mean '.org'?" },
    { "  .error \"stop here\"\n", "t.s:1:3: error: stop here" },
    { "  li a0, 1/0\n", "t.s:1:11: error: division by zero in expression" },
    { "  slli a0, a0, 32\n", "t.s:1:16: error: shift amount 32 is out of range (0..31)" },
    { "  mfcr a0, foo\n", "t.s:1:12: error: unknown control register 'foo'" },
    { "  .endif\n", "t.s:1:3: error: .endif without .if" },
    { "  .endm\n", "t.s:1:3: error: .endm without .macro" },
    { "  .byte 256\n", "t.s:1:9: error: value 256 does not fit in a byte (-128..255)" },
    { "  add a0, a0, a1 a2\n", "t.s:1:18: error: syntax error, unexpected identifier, expecting end of line" },
    { "  .word 12abc\n", "t.s:1:9: error: bad number '12abc'" },
    { "  .ascii \"\\q\"\n", "t.s:1:11: error: unknown escape sequence '\\q' in string" },
    { "  .org x\nx:\n", "t.s:1:8: error: '.org' needs a value known here; define its symbols before this line" },
    { "  .align 3\n", "t.s:1:10: error: '.align' needs a power of two between 1 and 65536, not 3" },
    { "  lw a0, a1\n", "t.s:1:10: error: 'lw' expects rd, simm18(rs1); this operand must be offset(register)" },
    { "  out a0, 300000\n", "t.s:1:11: error: port 300000 does not exist (ports are 0..262143)" },
    { ".macro m a\n  nop\n.endm\n  m 1, 2\n", "t.s:4:5: error: macro 'm' expects 1 argument, got 2" },
    { "  .word foo(1)\n", "t.s:1:9: error: unknown function 'foo' (there are hi() and lo())" },
    { "  .word 1f\n", "t.s:1:9: error: no local label '1' after this line" },
    { "  .global nothere\n", "t.s:1:11: error: '.global' names 'nothere', which is never defined" },
    { "  mfcr r1, 12\n", "t.s:1:12: error: no control register 12; they are status, tvb, ptb, epc, estatus, "
                        "cause, badaddr, timecmp, scratch, cycle" },
    { "  mtcr 15, r1\n", "t.s:1:8: error: no control register 15; they are status," },
    { "  mtcr cr10, r1\n", "t.s:1:8: error: no control register 10; they are status," },
    { "  .byte 'ab'\n", "t.s:1:9: error: character constant has more than one character" },
};

static void test_errors(void)
{
    for (size_t i = 0; i < sizeof error_cases / sizeof error_cases[0]; i++) {
        image img;
        char *diag;
        int e = assemble(error_cases[i].src, &img, &diag, NULL, NULL);
        CU_ASSERT(e > 0);
        CU_ASSERT_EQUAL(img.nsegs, 0);
        bool ok = strncmp(diag, error_cases[i].want, strlen(error_cases[i].want)) == 0;
        if (!ok)
            fprintf(stderr, "\ncase %zu: want \"%s\"\n         got  \"%.*s\"\n", i, error_cases[i].want,
                    (int)strcspn(diag, "\n"), diag);
        CU_ASSERT_TRUE(ok);
        free(diag);
    }
}

static void test_error_caret_and_note(void)
{
    image img;
    char *diag;
    int e = assemble("a: nop\n\tnop\na:\n", &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_STRING_EQUAL(diag,
        "t.s:3:1: error: duplicate label 'a'\n"
        "    a:\n"
        "    ^\n"
        "t.s:1:1: note: previous definition of 'a' is here\n"
        "    a: nop\n"
        "    ^\n");
    free(diag);
    e = assemble("\tbeq\ta0, a0, nowhere\n", &img, &diag, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(diag,
        "t.s:1:14: error: undefined symbol 'nowhere'\n"
        "    \tbeq\ta0, a0, nowhere\n"
        "    \t   \t        ^\n");
    free(diag);
}

static void test_every_error_reported(void)
{
    image img;
    char *diag;
    int e = assemble("  foo\n  nop\n  add a0\n  .bogus\n  j undefined\n", &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:1:3:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:3:7:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:4:3:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:5:5:"));
    free(diag);
}

/* Exactly the diagnostics text for src (and an error count > 0). */
static void expect_diag(const char *src, const char *want)
{
    image img;
    char *diag;
    CU_ASSERT(assemble(src, &img, &diag, NULL, NULL) > 0);
    CU_ASSERT_STRING_EQUAL(diag, want);
    if (strcmp(diag, want) != 0)
        fprintf(stderr, "\nwant:\n%s\ngot:\n%s\n", want, diag);
    free(diag);
}

/* Errors that are about a place in the source show that line and a caret,
 * even when found after the pass (overlaps, .global, an unclosed .macro). */
static void test_positions_everywhere(void)
{
    expect_diag(".org 0x1000\n  nop\n  nop\n  .org 0x1004\n  add a0, a0, a0\n",
                "t.s:5:3: error: code at 0x00001004..0x00001007 overlaps code emitted earlier (check the .org directives)\n"
                "      add a0, a0, a0\n"
                "      ^\n"
                "t.s:2:3: note: the earlier code, at 0x00001000..0x00001007, starts here\n"
                "      nop\n"
                "      ^\n");
    expect_diag("  nop\n  .macro twice x\n  nop\n",
                "t.s:2:3: error: .macro without .endm (the file ends first)\n"
                "      .macro twice x\n"
                "      ^\n");
    expect_diag("  .global main, nothere\nmain: nop\n",
                "t.s:1:17: error: '.global' names 'nothere', which is never defined\n"
                "      .global main, nothere\n"
                "                    ^\n");
    expect_diag("  nop\n  .if 1\n  nop\n",
                "t.s:2:3: error: .if without .endif (the file ends first)\n"
                "      .if 1\n"
                "      ^\n");
}

/* The 4 GiB end of the address space and the 64 MiB output cap are errors at
 * the line that crosses them, not a wrap to address 0 or an image too big to load. */
static void test_output_limits(void)
{
    expect_diag(".org 0xfffffffc\n_start: .word 3, 4\n",
                "t.s:2:9: error: code runs past the end of the 32-bit address space (0xffffffff)\n"
                "    _start: .word 3, 4\n"
                "            ^\n");
    expect_diag(".org 0xfffffff8\n  nop\n  nop\n  nop\n",
                "t.s:4:3: error: code runs past the end of the 32-bit address space (0xffffffff)\n"
                "      nop\n"
                "      ^\n");
    image img;
    CU_ASSERT_EQUAL_FATAL(assemble(".org 0xfffffffc\n_start: .word 3\n", &img, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL(W(&img, 0xfffffffc), 3);
    image_free(&img);
    /* 4 x 16 MiB is exactly the cap; the fifth line crosses it. */
    expect_diag(" .space 16777216\n .space 16777216\n .space 16777216\n .space 16777216\n .space 16777216\n"
                " .space 16777216\n",
                "t.s:5:2: error: the program is larger than 64 MiB (check .space and .org)\n"
                "     .space 16777216\n"
                "     ^\n");
}

/* Binary bytes in an echoed line cannot drive the terminal, and a long line
 * is cut to a window around the column with the caret still under it. */
static void test_source_echo(void)
{
    expect_diag("  .byte 1, \x1b[2J\x80, 2\n",
                "t.s:1:12: error: bad character 0x1b\n"
                "      .byte 1, ?[2J?, 2\n"
                "               ^\n");
    char src[500];
    memset(src, ' ', 400);
    memcpy(src + 250, "@", 1);
    memcpy(src + 400, "\n", 2);
    char want[600];
    snprintf(want, sizeof want, "t.s:1:251: error: bad character '@'\n"
             "    ...%*s@%*s...\n"
             "       %*s^\n", 60, "", 59, "", 60, "");
    expect_diag(src, want);
}

/* Macro limits: a deep chain that is not recursive is not called recursive,
 * and the expansion budget is reported once. */
static void test_macro_limits(void)
{
    char src[8192];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(src + n, sizeof src - n, ".macro m%d\n  %s%d\n.endm\n", i, i < 39 ? "m" : "nop ; ", i + 1);
    n += (size_t)snprintf(src + n, sizeof src - n, "  m0\n");
    image img;
    char *diag;
    CU_ASSERT(assemble(src, &img, &diag, NULL, NULL) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "error: macro expansion deeper than 32 levels\n"));
    CU_ASSERT_PTR_NULL(strstr(diag, "recursive"));
    free(diag);

    /* 10^5 leaves + the inner levels: 111,111 expansions, one error. */
    n = 0;
    for (int i = 0; i < 5; i++) {
        n += (size_t)snprintf(src + n, sizeof src - n, ".macro f%d\n", i);
        for (int k = 0; k < 10; k++)
            n += (size_t)snprintf(src + n, sizeof src - n, "  f%d\n", i + 1);
        n += (size_t)snprintf(src + n, sizeof src - n, ".endm\n");
    }
    n += (size_t)snprintf(src + n, sizeof src - n, ".macro f5\n.endm\n  f0\n");
    CU_ASSERT_EQUAL(assemble(src, &img, &diag, NULL, NULL), 1);
    const char *first = strstr(diag, "too many macro expansions (more than 100000)");
    CU_ASSERT_PTR_NOT_NULL(first);
    CU_ASSERT_PTR_NULL(first ? strstr(first + 1, "too many macro expansions") : NULL);
    free(diag);
}

/* Runs "traplab ARGS" with stderr; returns the exit status and the output in out. */
static int traplab(const char *args, char *out, size_t n)
{
    char cmd[1024];
    if (snprintf(cmd, sizeof cmd, "%s 2>&1", args) >= (int)sizeof cmd) {
        CU_FAIL("command too long");
        return -1;
    }
    return test_traplab(cmd, out, n);
}

static void test_command_line(void)
{
    static const struct { const char *args; int rc; const char *want; } cases[] = {
        { "asm samples/hello.s -D 1BAD=3",
          2, "traplab asm: -D 1BAD=3: '1BAD' is not a valid symbol name\nTry 'traplab asm --help'.\n" },
        { "asm samples/hello.s -D X=abc",
          2, "traplab asm: -D X=abc: the value must be a 32-bit number\nTry 'traplab asm --help'.\n" },
        { "asm --nope samples/hello.s", 2, "traplab asm: unknown option '--nope'\nTry 'traplab asm --help'.\n" },
        { "asm samples/hello.s -o", 2, "traplab asm: option '-o' needs an argument\nTry 'traplab asm --help'.\n" },
        { "asm samples/hello.s -o /nonexistent/x.tlo", 1, "traplab asm: /nonexistent/x.tlo: No such file or directory\n" },
        { "asm samples/hello.s -l /nonexistent/x.lst", 1, "traplab asm: /nonexistent/x.lst: No such file or directory\n" },
        { "disasm --nope x.tlo", 2, "traplab disasm: unknown option '--nope'\nTry 'traplab disasm --help'.\n" },
        { "disasm -q x.tlo", 2, "traplab disasm: unknown option '-q'\nTry 'traplab disasm --help'.\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[4096];
        int rc = traplab(cases[i].args, out, sizeof out);
        CU_ASSERT_EQUAL(rc, cases[i].rc);
        CU_ASSERT_STRING_EQUAL(out, cases[i].want);
        if (rc != cases[i].rc || strcmp(out, cases[i].want) != 0)
            fprintf(stderr, "\ntraplab %s: %d\n%s", cases[i].args, rc, out);
    }
}

/* ---- garbage never crashes ---------------------------------------------- */
static void test_garbage(void)
{
    image img;
    size_t n = 1 << 20;
    char *s = malloc(n + 16);
    /* a 1 MB line */
    memset(s, 'a', n);
    strcpy(s + n, "\n");
    CU_ASSERT(assemble(s, &img, NULL, NULL, NULL) > 0);
    /* 10000 nested parentheses */
    strcpy(s, ".word ");
    for (int i = 0; i < 10000; i++) strcat(s + 6 + i, "(");
    size_t k = strlen(s);
    s[k] = '1';
    memset(s + k + 1, ')', 10000);
    strcpy(s + k + 10001, "\n");
    CU_ASSERT(assemble(s, &img, NULL, NULL, NULL) > 0);
    /* 100000 unary minuses */
    strcpy(s, ".word ");
    memset(s + 6, '-', 100000);
    strcpy(s + 100006, "1\n");
    CU_ASSERT(assemble(s, &img, NULL, NULL, NULL) > 0);
    /* 10000 nested .if */
    s[0] = 0;
    char *p = s;
    for (int i = 0; i < 10000; i++) p += sprintf(p, ".if 1\n");
    for (int i = 0; i < 10000; i++) p += sprintf(p, ".endif\n");
    CU_ASSERT(assemble(s, &img, NULL, NULL, NULL) > 0);
    /* binary data */
    unsigned seed = 1;
    for (size_t i = 0; i < 100000; i++) {
        seed = seed * 1103515245 + 12345;
        s[i] = (char)(1 + (seed >> 16) % 255);
    }
    s[100000] = 0;
    char *diag;
    CU_ASSERT(assemble(s, &img, &diag, NULL, NULL) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "too many errors"));
    free(diag);
    free(s);
}

/* ---- round trip over the whole ISA --------------------------------------- */
static uint32_t rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_round_trip(void)
{
    uint32_t seed = 12345, pc = 0x1000;
    size_t cap = 1 << 20, n = 0, count = 0;
    char *src = malloc(cap);
    uint32_t *words = malloc(64 * 16 * sizeof *words);
    n += (size_t)sprintf(src + n, ".org 0x1000\n");
    for (int rep = 0; rep < 16; rep++)
        for (unsigned op = 0; op < ISA_NUM_OPCODES; op++) {
            const isa_insn *in = isa_lookup_opcode(op);
            if (!in)
                continue;
            isa_operands o = { rnd(&seed) & 15, rnd(&seed) & 15, rnd(&seed) & 15, (int32_t)rnd(&seed) };
            if (in->format == FMT_CRR)
                o.rs1 = rnd(&seed) % ISA_NUM_CRS;
            if (in->format == FMT_CRW)
                o.rd = rnd(&seed) % ISA_NUM_CRS;
            if (in->format == FMT_J)
                o.imm = (int32_t)(rnd(&seed) % 20000) - 10000;   /* stay inside the address space */
            if (in->format == FMT_B)
                o.imm = (int32_t)(rnd(&seed) % 200) - 100;
            uint32_t w = isa_encode(in, &o);
            char text[128];
            isa_disassemble(w, pc, text, sizeof text, NULL, NULL);
            n += (size_t)snprintf(src + n, cap - n, "%s\n", text);
            words[count++] = w;
            pc += 4;
        }
    image img;
    char *diag;
    int e = assemble(src, &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 0);
    if (e)
        fprintf(stderr, "%.500s", diag);
    for (size_t i = 0; i < count && !e; i++)
        CU_ASSERT_EQUAL(W(&img, 0x1000 + 4 * (uint32_t)i), words[i]);

    /* And the disassembler's whole output (labels, data) reassembles to the same bytes. */
    if (!e) {
        char *text = NULL;
        size_t tn = 0;
        FILE *f = open_memstream(&text, &tn);
        asm_disassemble(f, &img);
        fclose(f);
        image img2;
        char *diag2;
        CU_ASSERT_EQUAL(assemble(text, &img2, &diag2, NULL, NULL), 0);
        CU_ASSERT_EQUAL(img2.nsegs, img.nsegs);
        if (img2.nsegs == img.nsegs)
            for (size_t i = 0; i < img.nsegs; i++) {
                CU_ASSERT_EQUAL(img2.segs[i].size, img.segs[i].size);
                CU_ASSERT_EQUAL(memcmp(img2.segs[i].data, img.segs[i].data, img.segs[i].size), 0);
            }
        image_free(&img2);
        free(diag2);
        free(text);
        image_free(&img);
    }
    free(diag);
    free(src);
    free(words);
}

static void test_disasm_symbols(void)
{
    image img;
    CU_ASSERT_EQUAL_FATAL(assemble("main: nop\n nop\n nop\n beq a0, a1, main+8\nmsg: .byte 1, 2, 3\nodd: .byte 4\n .align 4\n"
                                   "_start: j main\n", &img, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL(img.entry, 0x1014);
    char *text = NULL;
    size_t tn = 0;
    FILE *f = open_memstream(&text, &tn);
    asm_disassemble(f, &img);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "main:\n        add r0, r0, r0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "beq r1, r2, main+0x8"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "t.s:4"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "odd:\n        .byte 0x04"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "j main "));
    image img2;
    CU_ASSERT_EQUAL(assemble(text, &img2, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL(img2.entry, img.entry);
    CU_ASSERT_EQUAL(memcmp(img2.segs[0].data, img.segs[0].data, img.segs[0].size), 0);
    image_free(&img2);
    free(text);
    image_free(&img);
}

/* Data is shown as data: the line table says which lines emitted data, even
 * where the bytes would decode as an instruction. */
static void test_disasm_data(void)
{
    const isa_insn *lw = isa_lookup_mnemonic("lw");
    isa_operands o = { 1, 2, 0, 8 };
    uint32_t lookalike = isa_encode(lw, &o);
    char src[512];
    snprintf(src, sizeof src, "_start: la a0, msg\n halt\nmsg: .asciz \"Hi \\\"you\\\"\\n\"\n .align 4\n"
             "tab: .word 0x%08x, 7\n .byte 1, 2, 3\n", lookalike);
    image img;
    char *diag = NULL;
    CU_ASSERT_EQUAL_FATAL(assemble(src, &img, &diag, NULL, NULL), 0);
    free(diag);
    CU_ASSERT_TRUE(img.line_kinds);
    char *text = NULL;
    size_t tn = 0;
    FILE *f = open_memstream(&text, &tn);
    asm_disassemble(f, &img);
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "msg:\n        .ascii \"Hi \\\"you\\\"\\n\\0\""));
    char want[64];
    snprintf(want, sizeof want, "tab:\n        .word 0x%08x", lookalike);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ".word 0x00000007"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, ".byte 0x01, 0x02, 0x03 "));
    CU_ASSERT_PTR_NULL(strstr(text, "lw "));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "halt"));
    image img2;
    CU_ASSERT_EQUAL(assemble(text, &img2, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL(img2.nsegs, 1);
    if (img2.nsegs == 1) {
        CU_ASSERT_EQUAL(img2.segs[0].size, img.segs[0].size);
        CU_ASSERT_EQUAL(memcmp(img2.segs[0].data, img.segs[0].data, img.segs[0].size), 0);
    }
    image_free(&img2);
    free(text);

    /* The data bit survives a write and a read; a version 1 image still loads, without it. */
    char path[] = "/tmp/traplab-img-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    char err[256];
    CU_ASSERT_TRUE_FATAL(image_write_file(path, &img, err, sizeof err));
    FILE *g = fopen(path, "rb");
    uint8_t buf[4096];
    size_t len = fread(buf, 1, sizeof buf, g);
    fclose(g);
    unlink(path);
    CU_ASSERT_EQUAL(buf[4], 2);
    image back;
    CU_ASSERT_TRUE_FATAL(image_read_mem(buf, len, &back, err, sizeof err));
    CU_ASSERT_TRUE(back.line_kinds);
    CU_ASSERT_EQUAL(back.nlines, img.nlines);
    for (size_t i = 0; i < back.nlines && i < img.nlines; i++) {
        CU_ASSERT_EQUAL(back.lines[i].line, img.lines[i].line);
        CU_ASSERT_EQUAL(back.lines[i].data, img.lines[i].data);
    }
    const image_line *ml = image_line_at(&back, image_find_symbol(&back, "msg")->value);
    CU_ASSERT_TRUE(ml && ml->data && ml->line == 3);
    image_free(&back);
    buf[4] = 1;     /* version 1: the line field is the whole line number */
    uint32_t nsegs = buf[12] | buf[13] << 8, nsyms = buf[16] | buf[17] << 8, nlines = buf[20] | buf[21] << 8,
             nfiles = buf[24] | buf[25] << 8;
    for (uint32_t i = 0; i < nlines; i++)
        buf[32 + 12 * (nsegs + nsyms) + 4 * nfiles + 12 * i + 11] &= 0x7f;
    CU_ASSERT_TRUE_FATAL(image_read_mem(buf, len, &back, err, sizeof err));
    CU_ASSERT_FALSE(back.line_kinds);
    CU_ASSERT_EQUAL(back.lines[1].line, img.lines[1].line);
    image_free(&back);
    buf[4] = 3;
    CU_ASSERT_FALSE(image_read_mem(buf, len, &back, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "image format version 3 is not supported (this traplab reads versions 1 and 2)");
    image_free(&img);
}

/* ---- include, macros, conditional assembly -------------------------------- */
static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

static void test_include(void)
{
    strcpy(tmpdir, "/tmp/traplab-asm-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpdir));
    char sub[128], path[128];
    snprintf(sub, sizeof sub, "%s/inc", tmpdir);
    CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
    write_file("main.s", "  .include \"local.s\"\n  .include \"lib.s\"\n  .word LOCAL, LIB\n");
    write_file("local.s", "  .equ LOCAL, 11\n");
    write_file("inc/lib.s", "  .equ LIB, 22\n");
    write_file("loop-a.s", "  .include \"loop-b.s\"\n");
    write_file("loop-b.s", "  .include \"loop-a.s\"\n");
    const char *dirs[] = { sub };
    size_t dn = 0;
    char *d = NULL;
    asm_options opt = { .include_dirs = dirs, .ninclude_dirs = 1 };
    opt.diag = open_memstream(&d, &dn);
    image img;
    snprintf(path, sizeof path, "%s/main.s", tmpdir);
    CU_ASSERT_EQUAL(asm_assemble_file(path, &opt, &img), 0);
    fflush(opt.diag);
    if (dn)
        fprintf(stderr, "%s", d);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 11);
    CU_ASSERT_EQUAL(W(&img, 0x1004), 22);
    image_free(&img);
    opt.ninclude_dirs = 0;
    CU_ASSERT_EQUAL(asm_assemble_file(path, &opt, &img), 2);   /* lib.s not found, so LIB is undefined */
    snprintf(path, sizeof path, "%s/loop-a.s", tmpdir);
    CU_ASSERT_EQUAL(asm_assemble_file(path, &opt, &img), 1);
    fclose(opt.diag);
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "main.s:2:12: error: include file 'lib.s' not found"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d, "loop-b.s:1:12: error: include loop"));
    free(d);
    const char *files[] = { "main.s", "local.s", "inc/lib.s", "loop-a.s", "loop-b.s" };
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(tmpdir);
}

static void test_macros(void)
{
    image img;
    char *diag;
    int e = assemble(".macro putc ch, port\n  li at, \\ch\n  out at, \\port\n.endm\n"
                     ".macro twice x\n  putc \\x, 0x10\n  putc \\x, 0x10\n.endm\n"
                     ".macro uniq\nL\\@: .word L\\@\n.endm\n"
                     "  twice 'a'\n  uniq\n  uniq\n", &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 0);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 0x42c00061);   /* addi at, zero, 'a' */
    CU_ASSERT_EQUAL(W(&img, 0x1004), 0xe42c0010);   /* out at, 0x10 */
    CU_ASSERT_EQUAL(W(&img, 0x1008), 0x42c00061);
    CU_ASSERT_EQUAL(W(&img, 0x1010), 0x1010);       /* \@ makes each label unique */
    CU_ASSERT_EQUAL(W(&img, 0x1014), 0x1014);
    free(diag);
    image_free(&img);
    /* an error inside an expansion points at the body and at the use */
    e = assemble(".macro bad\n  addi a0, a0, 999999\n.endm\n  bad\n", &img, &diag, NULL, NULL);
    CU_ASSERT_EQUAL(e, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:2:16: error: immediate 999999"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:4:3: note: in expansion of macro 'bad'"));
    free(diag);
}

static void test_conditionals(void)
{
    const char *src = ".ifdef PARAVIRT\n  hcall\n.elif LEVEL > 2\n  .word 3\n.elif LEVEL > 1\n  .word 2\n"
                      ".else\n  .word 1\n  .if 1\n  .endif\n.endif\n.ifndef PARAVIRT\n  .byte 9\n.endif\n";
    const char *d1[] = { "PARAVIRT", "LEVEL=0" }, *d2[] = { "LEVEL=2" }, *d3[] = { "LEVEL=0x10" }, *d4[] = { "LEVEL=0" };
    asm_options o1 = { .defines = d1, .ndefines = 2 }, o2 = { .defines = d2, .ndefines = 1 },
                o3 = { .defines = d3, .ndefines = 1 }, o4 = { .defines = d4, .ndefines = 1 };
    image img;
    CU_ASSERT_EQUAL_FATAL(assemble(src, &img, NULL, NULL, &o1), 0);
    CU_ASSERT_EQUAL(img.segs[0].size, 4);
    CU_ASSERT_EQUAL(W(&img, 0x1000) >> 26, OP_HCALL);
    image_free(&img);
    CU_ASSERT_EQUAL_FATAL(assemble(src, &img, NULL, NULL, &o2), 0);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 2);
    CU_ASSERT_EQUAL(img.segs[0].data[4], 9);
    image_free(&img);
    CU_ASSERT_EQUAL_FATAL(assemble(src, &img, NULL, NULL, &o3), 0);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 3);
    image_free(&img);
    CU_ASSERT_EQUAL_FATAL(assemble(src, &img, NULL, NULL, &o4), 0);
    CU_ASSERT_EQUAL(W(&img, 0x1000), 1);
    image_free(&img);
    /* an inactive region may hold anything */
    CU_ASSERT_EQUAL(assemble(".if 0\n  this is not assembly @@@\n.endif\n nop\n", &img, NULL, NULL, NULL), 0);
    image_free(&img);
}

/* ---- the loader against damaged images ----------------------------------- */
static void test_loader(void)
{
    image img;
    CU_ASSERT_EQUAL_FATAL(assemble("_start: la a0, msg\n halt\nmsg: .asciz \"abc\"\n .org 0x2000\n .word 7\n",
                                   &img, NULL, NULL, NULL), 0);
    char path[] = "/tmp/traplab-img-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    char err[256];
    CU_ASSERT_TRUE_FATAL(image_write_file(path, &img, err, sizeof err));
    FILE *f = fopen(path, "rb");
    uint8_t buf[4096];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    image back;
    CU_ASSERT_TRUE_FATAL(image_read_mem(buf, len, &back, err, sizeof err));
    CU_ASSERT_EQUAL(back.entry, img.entry);
    CU_ASSERT_EQUAL(back.nsegs, 2);
    CU_ASSERT_PTR_NOT_NULL(image_find_symbol(&back, "msg"));
    CU_ASSERT_EQUAL(back.nlines, img.nlines);
    image_free(&back);
    /* every truncation is refused with a message */
    for (size_t n = 0; n < len; n++) {
        err[0] = 0;
        bool ok = image_read_mem(buf, n, &back, err, sizeof err);
        if (ok)
            image_free(&back);
        CU_ASSERT_FALSE(ok && n < len - 4);   /* only the last padding bytes may go */
        CU_ASSERT(ok || err[0] != 0);
    }
    /* every single-byte corruption is either refused or loads without harm */
    uint8_t bad[4096];
    for (size_t i = 0; i < len; i++)
        for (int v = 0; v < 3; v++) {
            memcpy(bad, buf, len);
            bad[i] = v == 0 ? 0xff : v == 1 ? 0x00 : (uint8_t)(buf[i] ^ 0x80);
            if (image_read_mem(bad, len, &back, err, sizeof err))
                image_free(&back);
        }
    memcpy(bad, buf, len);
    bad[0] = 'X';
    CU_ASSERT_FALSE(image_read_mem(bad, len, &back, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "magic"));
    image_free(&img);
}

/* ---- samples -------------------------------------------------------------- */
static void test_samples(void)
{
    const char *samples[] = { "samples/hello.s", "samples/ring3-trap.s", "samples/paging.s" };
    for (size_t i = 0; i < 3; i++) {
        image img;
        char *d = NULL;
        size_t dn = 0;
        asm_options opt = { .diag = open_memstream(&d, &dn) };
        int e = asm_assemble_file(samples[i], &opt, &img);
        fclose(opt.diag);
        CU_ASSERT_EQUAL(e, 0);
        if (e)
            fprintf(stderr, "%s", d);
        CU_ASSERT(img.nsegs > 0);
        CU_ASSERT_PTR_NOT_NULL(image_find_symbol(&img, "_start"));
        free(d);
        image_free(&img);
    }
}

void test_asm_register(void)
{
    CU_pSuite s = CU_add_suite("asm", NULL, NULL);
    CU_add_test(s, "golden bytes, symbols, lines", test_golden_bytes);
    CU_add_test(s, "listing", test_listing);
    CU_add_test(s, "pseudo-instructions", test_pseudos);
    CU_add_test(s, "expressions", test_expressions);
    CU_add_test(s, "each error message", test_errors);
    CU_add_test(s, "caret and note", test_error_caret_and_note);
    CU_add_test(s, "one run reports every error", test_every_error_reported);
    CU_add_test(s, "garbage input", test_garbage);
    CU_add_test(s, "positions and carets everywhere", test_positions_everywhere);
    CU_add_test(s, "end of address space, output cap", test_output_limits);
    CU_add_test(s, "source echo: binary bytes, long lines", test_source_echo);
    CU_add_test(s, "macro depth and budget messages", test_macro_limits);
    CU_add_test(s, "traplab asm/disasm command line", test_command_line);
    CU_add_test(s, "round trip over the ISA", test_round_trip);
    CU_add_test(s, "disassembler symbols", test_disasm_symbols);
    CU_add_test(s, "disassembler shows data as data", test_disasm_data);
    CU_add_test(s, "include", test_include);
    CU_add_test(s, "macros", test_macros);
    CU_add_test(s, "conditional assembly", test_conditionals);
    CU_add_test(s, "loader against damaged images", test_loader);
    CU_add_test(s, "samples assemble", test_samples);
}
