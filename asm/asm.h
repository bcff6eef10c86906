/*
 * asm.h -- the traplab assembler: source text in, an image out.
 * Diagnostics are written as "file:line:col: error: message", followed by
 * the source line and a caret, like gcc and clang.
 */
#ifndef TRAPLAB_ASM_H
#define TRAPLAB_ASM_H

#include <stdbool.h>
#include <stdio.h>

#include "image/image.h"

typedef struct {
    const char **include_dirs;  size_t ninclude_dirs;
    const char **defines;       size_t ndefines;     /* "NAME" or "NAME=VALUE", as -D */
    FILE *diag;                 /* where diagnostics go; NULL = stderr */
    bool color;                 /* colour the diagnostics */
    FILE *listing;              /* when set, a listing: address, encoding, source line */
    bool no_include;            /* refuse .include: for sandboxed callers (the labs), whose
                                   sources must not reach files outside their folders */
    /* In-memory files that `.include "NAME"` finds by exact name before any folder (with
     * no_include, the only ones it finds): a lab hands the guest kernel its arch.s as text,
     * and diagnostics still name arch.s and its own lines. */
    const char *const *mem_names;
    const char *const *mem_texts;
    size_t nmem;
    /* When set, receives the run's lookup work: every probe of the symbol, label and
     * macro tables and every name compared for a "did you mean". Tests bound it, so a
     * return to a linear search per use (quadratic assembly) fails them. */
    unsigned long long *work;
} asm_options;

/* Return the number of errors (0 on success, *out filled; else *out is empty). */
int asm_assemble_file(const char *path, const asm_options *opt, image *out);
/* A program to run: an image when the file starts with the image magic number,
 * otherwise source to assemble (diagnostics go to opt->diag).  false with a
 * one-line message in err ("prog.s: 3 errors; nothing to run"). */
bool asm_load_program(const char *path, const asm_options *opt, image *out, char *err, size_t errlen);
int asm_assemble_string(const char *name, const char *src, const asm_options *opt, image *out);

/* The assembler's own tables, for generated editor support and docs: the
 * i-th directive (".org", with its dot) and the i-th pseudo-instruction
 * ("li"); NULL past the end.  The expression functions are hi() and lo(). */
const char *asm_directive_name(size_t i);
const char *asm_pseudo_name(size_t i);

#endif
