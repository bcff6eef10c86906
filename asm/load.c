/*
 * load.c -- "run this file": every command that runs a program accepts an
 * image or a source file, told apart by the image's magic number rather than
 * by the file name, so a student's prog.txt assembles too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asm/asm.h"

bool asm_load_program(const char *path, const asm_options *opt, image *out, char *err, size_t errlen)
{
    image_init(out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char magic[4] = { 0 };
    size_t n = fread(magic, 1, sizeof magic, f);
    fclose(f);
    size_t len = strlen(path);
    bool named_image = len > 4 && strcmp(path + len - 4, ".tlo") == 0;
    if (named_image || (n == 4 && memcmp(magic, "TLO", 4) == 0))
        return image_read_file(path, out, err, errlen);
    asm_options none = { 0 };
    int errors = asm_assemble_file(path, opt ? opt : &none, out);
    if (errors) {
        snprintf(err, errlen, "%s: %d error%s; nothing to run", path, errors, errors == 1 ? "" : "s");
        return false;
    }
    return true;
}
