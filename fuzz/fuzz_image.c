/*
 * fuzz_image.c -- libFuzzer harness: image_read_mem on arbitrary bytes
 * (seeded with the samples' real images).  A damaged image must be rejected
 * with a message; an accepted one must keep the promises image.h makes
 * (sorted symbols and lines, file indices in range, NUL-terminated names)
 * and survive the lookups and the disassembler that every loader runs on it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/disasm.h"
#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);

    image img;
    image_init(&img);
    char err[256] = "";
    bool ok = image_read_mem(buf, size, &img, err, sizeof err);
    if (!ok) {
        if (!err[0] || !memchr(err, 0, sizeof err))
            abort();          /* a rejection always says why */
    } else {
        for (size_t i = 0; i < img.nsegs; i++)
            if (img.segs[i].size && !img.segs[i].data)
                abort();
        for (size_t i = 0; i < img.nsyms; i++) {
            if (!img.syms[i].name || (i && img.syms[i - 1].value > img.syms[i].value))
                abort();
            if (image_find_symbol(&img, img.syms[i].name) == NULL)
                abort();
            (void)image_symbol_at(&img, img.syms[i].value);
        }
        for (size_t i = 0; i < img.nlines; i++) {
            if (img.lines[i].file >= img.nfiles || (i && img.lines[i - 1].addr > img.lines[i].addr))
                abort();
            (void)image_line_at(&img, img.lines[i].addr);
        }
        for (size_t i = 0; i < img.nfiles; i++)
            if (!img.files[i])
                abort();
        (void)image_symbol_at(&img, img.entry);
        (void)image_line_at(&img, img.entry);

        static FILE *null;
        if (!null && !(null = fopen("/dev/null", "w")))
            abort();
        asm_disassemble(null, &img);
    }
    image_free(&img);
    free(buf);
    return 0;
}
