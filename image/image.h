/*
 * image.h -- the traplab image format (.tlo): what the assembler writes and
 * every loader reads.  An image holds load segments, an entry point, the
 * symbol table and a line table (address -> file:line), so that the
 * disassembler and the terminal UI can show symbols and source.
 *
 * The byte layout is documented in docs/image-format.md.  image_read
 * validates every field and rejects a malformed file with a message; it
 * never trusts a size or offset it has not checked against the file.
 */
#ifndef TRAPLAB_IMAGE_H
#define TRAPLAB_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t addr;        /* load address */
    uint32_t size;        /* bytes */
    uint8_t *data;
} image_segment;

typedef struct {
    char *name;
    uint32_t value;
    bool global;
} image_symbol;

typedef struct {
    uint32_t addr;        /* address of the first byte the line produced */
    uint32_t file;        /* index into files[] */
    uint32_t line;        /* 1-based */
    bool data;            /* the line emitted data (.word, .ascii, .space...), not instructions */
} image_line;

typedef struct {
    uint32_t entry;
    image_segment *segs;  size_t nsegs;   /* sorted by addr, disjoint */
    image_symbol *syms;   size_t nsyms;    /* sorted by value */
    image_line *lines;    size_t nlines;   /* sorted by addr */
    char **files;         size_t nfiles;   /* source file names */
    bool line_kinds;      /* lines[].data is known (version 2 images; version 1 did not say) */
} image;

void image_init(image *img);
void image_free(image *img);

/* false with a message in err ("truncated segment table", ...) */
bool image_read_file(const char *path, image *img, char *err, size_t errlen);
bool image_read_mem(const uint8_t *buf, size_t len, image *img, char *err, size_t errlen);
bool image_write_file(const char *path, const image *img, char *err, size_t errlen);

/* Symbol lookups; NULL / false when none. */
const image_symbol *image_find_symbol(const image *img, const char *name);
/* The symbol at or before addr, for "main+0x8"; NULL when none. */
const image_symbol *image_symbol_at(const image *img, uint32_t addr);
/* Source position of addr; NULL when unknown. */
const image_line *image_line_at(const image *img, uint32_t addr);

#endif
