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
#include <sys/stat.h>
#include <unistd.h>

#include "asm/asm.h"
#include "image/image.h"
#include "tests/tests.h"

/* The lookup work of the last assemble() (asm_options.work). */
static unsigned long long last_work;

/* Assembles src; returns the error count and the diagnostics text. */
static int assemble(const char *src, char **diag)
{
    size_t dn = 0;
    char *d = NULL;
    asm_options opt = { 0 };
    opt.work = &last_work;
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

/* A source built by repeating a printf pattern n times with the counter. */
static char *repeat(const char *head, const char *fmt, int n, const char *tail)
{
    char *src = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&src, &len);
    fputs(head, f);
    for (int i = 0; i < n; i++)
        fprintf(f, fmt, i, i, i);
    fputs(tail, f);
    fclose(f);
    return src;
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): 60,000 distinct numeric labels took 8 s (a linear search per use). */
static void test_many_numeric_labels_are_linear(void)
{
    char *src = repeat("", "%d: nop\n b %db\n", 60000, "");
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 0);
    /* 427,092 steps today (about 7 per label); one linear search per use would be 3.6e9 */
    CU_ASSERT(last_work <= 20ull * 60000);
    CU_ASSERT_STRING_EQUAL(diag, "");
    free(diag);
    free(src);
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): 30,000 macros used once each took 23 s (a linear search per use). */
static void test_many_macros_are_linear(void)
{
    char *defs = repeat("", ".macro m%d\nnop\n.endm\n", 30000, "");
    char *uses = repeat(defs, " m%d\n", 30000, "");
    char *diag;
    CU_ASSERT_EQUAL(assemble(uses, &diag), 0);
    /* 949,350 steps today (about 32 per macro); a linear search per use would be 9e8 */
    CU_ASSERT(last_work <= 64ull * 30000);
    CU_ASSERT_STRING_EQUAL(diag, "");
    free(diag);
    free(defs);
    free(uses);
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): with 20,000 macros, 20,000 unknown mnemonics took 65 s: every one
 * searched all macros for a "did you mean", even in the silent pass 1 and
 * after the error limit. */
static void test_unknown_mnemonics_with_many_macros(void)
{
    char *defs = repeat("", ".macro mac%d\nnop\n.endm\n", 20000, "");
    char *src = repeat(defs, " zzq%d\n", 20000, "");
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 101);
    /* 3,082,782 today: the 100 reported errors each compare 20,000 names; a suggestion
     * search for all 20,000 (or in pass 1 too) would be 4e8 */
    CU_ASSERT(last_work <= 200ull * 20000);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "error: unknown mnemonic 'zzq0'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "error: too many errors; stopping"));
    free(diag);
    free(defs);
    free(src);
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): nested macros within every limit (depth 3, 10,000 expansions,
 * 1 MiB each) made 10 GB of text: minutes of work from 3 KB of source. */
static void test_expansion_text_is_bounded(void)
{
    char *src = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&src, &n);
    fprintf(f, ".macro a x\n;");
    for (int i = 0; i < 500; i++)
        fputs("\\x", f);
    fprintf(f, "\n.endm\n.macro bb x\n");
    for (int i = 0; i < 100; i++)
        fputs(" a \\x\n", f);
    fprintf(f, ".endm\n.macro cc x\n");
    for (int i = 0; i < 100; i++)
        fputs(" bb \\x\n", f);
    fprintf(f, ".endm\n cc ");
    for (int i = 0; i < 2000; i++)
        fputc('y', f);
    fputc('\n', f);
    fclose(f);
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "error: macro expansions make more than 16 MiB of text in all (runaway macros?)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "note: in expansion of macro 'cc', used here"));
    free(diag);
    free(src);
}

/* Memory: 255 x '.space 16 MiB' asked for 4 GiB of host memory. */
static void test_output_is_bounded(void)
{
    char *src = repeat(".org 0\n", ".space 16777216\n", 255, "");
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:6:1: error: the program is larger than 64 MiB (check .space and .org)"));
    free(diag);
    free(src);
}

/* A device or a folder is not a source: /dev/zero was read up to the 64 MiB
 * limit, and a FIFO or /dev/stdin blocked forever. */
static void test_include_needs_a_regular_file(void)
{
    char *diag;
    CU_ASSERT_EQUAL(assemble(".include \"/dev/zero\"\n.include \"/tmp\"\n", &diag), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:1:10: error: include file '/dev/zero' is not a regular file"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:2:10: error: include file '/tmp' is not a regular file"));
    free(diag);
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): including a big file many times read and assembled it each time. */
static void test_included_text_is_bounded(void)
{
    char dir[] = "/tmp/traplab-fuzz-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/big.s", dir);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static char line[1025];
    memset(line, 'x', 1023);
    line[0] = ';';
    line[1023] = '\n';
    for (int i = 0; i < 8 * 1024; i++)        /* 8 MiB of comments */
        fputs(line, f);
    fclose(f);
    char *src = NULL;
    size_t n = 0;
    f = open_memstream(&src, &n);
    for (int i = 0; i < 100; i++)
        fprintf(f, ".include \"%s\"\n", path);
    fclose(f);
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:9:10: error: included files make more than 64 MiB of text in all"));
    free(diag);
    free(src);
    remove(path);
    rmdir(dir);
}

/* Lost work: the assembler wrote images with more line-table entries than
 * image_read accepts, so the program assembled but never loaded. */
static void test_writer_refuses_what_the_reader_rejects(void)
{
    image img;
    image_init(&img);
    img.nlines = (1u << 20) + 1;
    img.lines = calloc(img.nlines, sizeof *img.lines);
    img.nfiles = 1;
    img.files = calloc(1, sizeof *img.files);
    img.files[0] = strdup("t.s");
    char path[] = "/tmp/traplab-fuzz-img-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    remove(path);
    char err[256] = "";
    CU_ASSERT_FALSE(image_write_file(path, &img, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(err, "too many line-table entries for an image (1048577; the format allows 1048576)");
    struct stat sb;
    CU_ASSERT_NOT_EQUAL(stat(path, &sb), 0);   /* nothing written */
    image_free(&img);
}

/* Was slow (tests bound the lookup work, never the time; docs/fuzzing.md has the timings): image_line_at searched the segments linearly, so disassembling
 * 100,000 small segments (one '.org' per instruction) took 5 s, and a
 * loader's maximum of 1,048,576 would take hours. */
static void test_line_lookup_with_many_segments(void)
{
    enum { N = 100000 };
    image img;
    image_init(&img);
    img.segs = calloc(N + 1, sizeof *img.segs);
    img.lines = calloc(N, sizeof *img.lines);
    img.files = calloc(1, sizeof *img.files);
    img.files[0] = strdup("t.s");
    img.nfiles = 1;
    for (uint32_t i = 0; i < N; i++) {
        img.segs[i] = (image_segment){ 0x1000 + 16 * i, 8, calloc(8, 1) };
        img.lines[i] = (image_line){ 0x1000 + 16 * i, 0, i + 1, false };
    }
    img.segs[N] = (image_segment){ 0x1000 + 16 * N, 4, calloc(4, 1) };   /* a segment with no line */
    img.nsegs = N + 1;
    img.nlines = N;
    size_t found = 0;
    for (uint32_t i = 0; i < N; i++) {
        const image_line *l = image_line_at(&img, 0x1000 + 16 * i + 4);
        found += l && l->line == i + 1;
        found += image_line_at(&img, 0x1000 + 16 * i + 8) == NULL;   /* the gap after it */
    }
    CU_ASSERT_EQUAL(found, 2 * N);
    CU_ASSERT_PTR_NULL(image_line_at(&img, 0x1000 + 16 * N));
    CU_ASSERT_PTR_NULL(image_line_at(&img, 0xfff));
    image_free(&img);
}

/* fuzz_asm: errors found while building the image (.global of an undefined
 * name, overlapping code) came after "too many errors; stopping", which was
 * then printed again, and the count went past the limit. */
static void test_error_limit_holds_for_image_errors(void)
{
    char *src = repeat(".global nothere\n", "bogus%d\n", 120, "");
    char *diag;
    CU_ASSERT_EQUAL(assemble(src, &diag), 101);
    const char *stop = strstr(diag, "error: too many errors; stopping");
    CU_ASSERT_PTR_NOT_NULL_FATAL(stop);
    CU_ASSERT_PTR_NULL(strstr(stop + 10, "too many errors"));
    CU_ASSERT_PTR_NULL(strstr(diag, "nothere', which is never defined"));
    free(diag);
    free(src);
}

/* fuzz_asm (slow unit, 1 s for 2 KB): a macro that uses itself twice
 * expanded until the 100,000-expansion budget ran out, reporting "too deep"
 * again at every leaf.  Now the first time it is too deep the whole
 * expansion is dropped: one error, and the lines after the use go on. */
static void test_recursive_macro_is_dropped_at_once(void)
{
    char *diag;
    CU_ASSERT_EQUAL(assemble(".macro m\n"
                             ".if 1\n"
                             "m\n"
                             "m\n"
                             ".endm\n"
                             "m\n"
                             "after: nop\n"
                             ".word after\n", &diag), 1);
    const char *e = strstr(diag, "t.s:3:1: error: macro expansion deeper than 32 levels ('m' is already being expanded: a recursive macro?)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NULL(strstr(e + 10, "error:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(diag, "t.s:6:1: note: in expansion of macro 'm', used here"));
    free(diag);
}

void test_fuzz_register(void)
{
    CU_pSuite s = CU_add_suite("fuzz regressions", NULL, NULL);
    CU_add_test(s, "macro defined inside an expansion", test_macro_defined_inside_expansion);
    CU_add_test(s, "many numeric labels: linear time", test_many_numeric_labels_are_linear);
    CU_add_test(s, "many macros: linear time", test_many_macros_are_linear);
    CU_add_test(s, "unknown mnemonics with many macros", test_unknown_mnemonics_with_many_macros);
    CU_add_test(s, "macro expansion text is bounded", test_expansion_text_is_bounded);
    CU_add_test(s, "output size is bounded", test_output_is_bounded);
    CU_add_test(s, ".include needs a regular file", test_include_needs_a_regular_file);
    CU_add_test(s, "included text is bounded", test_included_text_is_bounded);
    CU_add_test(s, "writer refuses what the reader rejects", test_writer_refuses_what_the_reader_rejects);
    CU_add_test(s, "line lookup with many segments", test_line_lookup_with_many_segments);
    CU_add_test(s, "the error limit holds for image errors", test_error_limit_holds_for_image_errors);
    CU_add_test(s, "a recursive macro is dropped at once", test_recursive_macro_is_dropped_at_once);
}
