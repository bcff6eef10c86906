/*
 * fuzz_asm.c -- libFuzzer harness: the assembler on arbitrary source text.
 * Any input must give an image or errors, never a crash, a leak, UB or a
 * hang; the sanitizers and libFuzzer's -timeout/-rss_limit_mb are the oracle.
 * The invariant checked here: success and "no errors" go together, and a
 * failed run leaves the image empty (asm.h promises both).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The API takes a C string: an embedded NUL simply ends the source. */
    char *src = malloc(size + 1);
    if (!src)
        return 0;
    memcpy(src, data, size);
    src[size] = '\0';

    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w")))
        abort();
    static const char *defines[] = { "FUZZ", "LEVEL=2" };
    asm_options opt = { .defines = defines, .ndefines = 2, .diag = null };

    image img;
    image_init(&img);
    int errors = asm_assemble_string("fuzz.s", src, &opt, &img);
    if (errors < 0)
        abort();
    if (errors > 0 && (img.nsegs || img.nsyms || img.nlines || img.nfiles))
        abort();      /* a failed run must leave *out empty */
    for (size_t i = 0; i < img.nsegs; i++)
        if (img.segs[i].size && !img.segs[i].data)
            abort();
    image_free(&img);
    free(src);
    return 0;
}
