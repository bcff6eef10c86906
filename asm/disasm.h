/*
 * disasm.h -- the traplab disassembler: an image back to assembly text that
 * reassembles to the same bytes, with labels and source-line comments.
 */
#ifndef TRAPLAB_DISASM_H
#define TRAPLAB_DISASM_H

#include <stdio.h>

#include "image/image.h"

/* Writes the listing of every segment; "target" names addresses as main+0x8. */
void asm_disassemble(FILE *out, const image *img);
/* The name of addr for an image ("main", "main+0x8"), in buf; NULL when no symbol precedes it. */
const char *asm_symbolize(const image *img, uint32_t addr, char *buf, size_t n);

#endif
