/*
 * image.c -- reading and writing traplab images (.tlo).  The layout is in
 * docs/image-format.md.  The reader treats the file as hostile: every count,
 * offset and size is checked against the bytes actually present before it
 * is used, so a truncated or corrupted image gets a message, never a crash.
 */
#include "image/image.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAGE_MAGIC      "TLO\0"
#define IMAGE_VERSION    2         /* written; version 1 (no data bit in line entries) is still read */
#define LINE_DATA        0x80000000u   /* in a line entry's line field, version 2 */
#define HEADER_SIZE      32
#define MAX_ENTRIES      (1u << 20)   /* per table: far above anything the assembler makes */
#define MAX_FILE_SIZE    (256u << 20)

void image_init(image *img) { memset(img, 0, sizeof *img); }

void image_free(image *img)
{
    for (size_t i = 0; i < img->nsegs; i++) free(img->segs[i].data);
    for (size_t i = 0; i < img->nsyms; i++) free(img->syms[i].name);
    for (size_t i = 0; i < img->nfiles; i++) free(img->files[i]);
    free(img->segs); free(img->syms); free(img->lines); free(img->files);
    image_init(img);
}

static bool fail(char *err, size_t n, const char *fmt, ...)
{
    if (err && n) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, n, fmt, ap);
        va_end(ap);
    }
    return false;
}

static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static int cmp_sym(const void *a, const void *b)
{
    const image_symbol *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_line(const void *a, const void *b)
{
    const image_line *x = a, *y = b;
    if (x->addr != y->addr) return x->addr < y->addr ? -1 : 1;
    if (x->file != y->file) return x->file < y->file ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int cmp_seg(const void *a, const void *b)
{
    const image_segment *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

/* A string of the string table, checked to end inside it. */
static char *strtab_dup(const uint8_t *tab, uint32_t size, uint32_t off)
{
    if (off >= size)
        return NULL;
    const void *nul = memchr(tab + off, 0, size - off);
    if (!nul)
        return NULL;
    return strdup((const char *)tab + off);
}

bool image_read_mem(const uint8_t *buf, size_t len, image *img, char *err, size_t errlen)
{
    image_init(img);
    if (len < HEADER_SIZE)
        return fail(err, errlen, "not a traplab image: %zu bytes is shorter than the header", len);
    if (memcmp(buf, IMAGE_MAGIC, 4) != 0)
        return fail(err, errlen, "not a traplab image (bad magic number; assemble a .s file with 'traplab asm')");
    uint16_t version = get16(buf + 4), flags = get16(buf + 6);
    if (version != 1 && version != IMAGE_VERSION)
        return fail(err, errlen, "image format version %u is not supported (this traplab reads versions 1 and %u)",
                    version, IMAGE_VERSION);
    if (flags != 0)
        return fail(err, errlen, "corrupted image: unknown header flags 0x%x", flags);
    uint32_t entry = get32(buf + 8), nsegs = get32(buf + 12), nsyms = get32(buf + 16),
             nlines = get32(buf + 20), nfiles = get32(buf + 24), strsize = get32(buf + 28);
    if (nsegs > MAX_ENTRIES || nsyms > MAX_ENTRIES || nlines > MAX_ENTRIES || nfiles > MAX_ENTRIES)
        return fail(err, errlen, "corrupted image: implausible table sizes");
    uint64_t tables = HEADER_SIZE + 12ull * nsegs + 12ull * nsyms + 4ull * nfiles + 12ull * nlines;
    if (tables + strsize > len)
        return fail(err, errlen, "truncated image: the tables need %llu bytes, the file has %zu",
                    (unsigned long long)(tables + strsize), len);
    const uint8_t *segtab = buf + HEADER_SIZE;
    const uint8_t *symtab = segtab + 12 * (size_t)nsegs;
    const uint8_t *filetab = symtab + 12 * (size_t)nsyms;
    const uint8_t *linetab = filetab + 4 * (size_t)nfiles;
    const uint8_t *strtab = linetab + 12 * (size_t)nlines;

    img->entry = entry;
    img->line_kinds = version >= 2;
    img->segs = calloc(nsegs ? nsegs : 1, sizeof *img->segs);
    img->syms = calloc(nsyms ? nsyms : 1, sizeof *img->syms);
    img->files = calloc(nfiles ? nfiles : 1, sizeof *img->files);
    img->lines = calloc(nlines ? nlines : 1, sizeof *img->lines);
    if (!img->segs || !img->syms || !img->files || !img->lines) {
        image_free(img);
        return fail(err, errlen, "out of memory");
    }
    for (uint32_t i = 0; i < nsegs; i++) {
        const uint8_t *e = segtab + 12 * (size_t)i;
        uint32_t addr = get32(e), size = get32(e + 4), off = get32(e + 8);
        if ((uint64_t)off + size > len) {
            image_free(img);
            return fail(err, errlen, "truncated image: segment %u (0x%08x, %u bytes) runs past the end of the file",
                        i, addr, size);
        }
        if ((uint64_t)addr + size > 0x100000000ull) {
            image_free(img);
            return fail(err, errlen, "corrupted image: segment %u at 0x%08x wraps around the address space", i, addr);
        }
        img->segs[i].addr = addr;
        img->segs[i].size = size;
        img->segs[i].data = malloc(size ? size : 1);
        img->nsegs = i + 1;
        if (!img->segs[i].data) {
            image_free(img);
            return fail(err, errlen, "out of memory");
        }
        memcpy(img->segs[i].data, buf + off, size);
    }
    qsort(img->segs, img->nsegs, sizeof *img->segs, cmp_seg);
    for (size_t i = 1; i < img->nsegs; i++)
        if ((uint64_t)img->segs[i - 1].addr + img->segs[i - 1].size > img->segs[i].addr) {
            uint32_t a = img->segs[i].addr;
            image_free(img);
            return fail(err, errlen, "corrupted image: segments overlap at 0x%08x", a);
        }
    for (uint32_t i = 0; i < nsyms; i++) {
        const uint8_t *e = symtab + 12 * (size_t)i;
        uint32_t fl = get32(e + 8);
        char *name = strtab_dup(strtab, strsize, get32(e));
        if (!name || !*name || (fl & ~1u)) {
            free(name);
            image_free(img);
            return fail(err, errlen, "corrupted image: symbol %u has a bad name or flags", i);
        }
        img->syms[i] = (image_symbol){ name, get32(e + 4), fl & 1 };
        img->nsyms = i + 1;
    }
    qsort(img->syms, img->nsyms, sizeof *img->syms, cmp_sym);
    for (uint32_t i = 0; i < nfiles; i++) {
        char *name = strtab_dup(strtab, strsize, get32(filetab + 4 * (size_t)i));
        if (!name) {
            image_free(img);
            return fail(err, errlen, "corrupted image: source file name %u is outside the string table", i);
        }
        img->files[i] = name;
        img->nfiles = i + 1;
    }
    for (uint32_t i = 0; i < nlines; i++) {
        const uint8_t *e = linetab + 12 * (size_t)i;
        image_line l = { get32(e), get32(e + 4), get32(e + 8), false };
        if (version >= 2) {
            l.data = (l.line & LINE_DATA) != 0;
            l.line &= ~LINE_DATA;
        }
        if (l.file >= nfiles || l.line == 0) {
            image_free(img);
            return fail(err, errlen, "corrupted image: line entry %u names file %u, line %u", i, l.file, l.line);
        }
        img->lines[i] = l;
        img->nlines = i + 1;
    }
    qsort(img->lines, img->nlines, sizeof *img->lines, cmp_line);
    if (img->nsegs) {
        bool inside = false;
        for (size_t i = 0; i < img->nsegs; i++)
            inside |= entry >= img->segs[i].addr && entry - img->segs[i].addr < img->segs[i].size;
        if (!inside) {
            image_free(img);
            return fail(err, errlen, "corrupted image: entry point 0x%08x is outside every segment", entry);
        }
    }
    return true;
}

bool image_read_file(const char *path, image *img, char *err, size_t errlen)
{
    image_init(img);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "%s: %s", path, strerror(errno));
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            if (cap >= MAX_FILE_SIZE) {
                free(buf);
                fclose(f);
                return fail(err, errlen, "%s: larger than %u MiB: not a traplab image", path, MAX_FILE_SIZE >> 20);
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    bool ioerr = ferror(f);
    fclose(f);
    if (!buf)
        return fail(err, errlen, "%s: out of memory", path);
    if (ioerr) {
        free(buf);
        return fail(err, errlen, "%s: read error", path);
    }
    char inner[256];
    bool ok = image_read_mem(buf, len, img, inner, sizeof inner);
    free(buf);
    if (!ok)
        return fail(err, errlen, "%s: %s", path, inner);
    return true;
}

/* ---- writing ---------------------------------------------------------- */
typedef struct { uint8_t *p; size_t len, cap; bool oom; } wbuf;

static void put(wbuf *b, const void *data, size_t n)
{
    if (b->oom || n == 0) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        uint8_t *np = realloc(b->p, cap);
        if (!np) { b->oom = true; return; }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void put32(wbuf *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(b, x, 4);
}

bool image_write_file(const char *path, const image *img, char *err, size_t errlen)
{
    /* Never write what image_read would refuse: that would lose the work. */
    static const char *const what[] = { "segments", "symbols", "line-table entries", "source files" };
    size_t counts[] = { img->nsegs, img->nsyms, img->nlines, img->nfiles };
    for (size_t i = 0; i < 4; i++)
        if (counts[i] > MAX_ENTRIES)
            return fail(err, errlen, "too many %s for an image (%zu; the format allows %u)",
                        what[i], counts[i], MAX_ENTRIES);
    for (size_t i = 0; i < img->nlines; i++)
        if (img->lines[i].line == 0 || img->lines[i].line & LINE_DATA)
            return fail(err, errlen, "line entry %zu has line number %u (1 to 2^31-1 can be written)", i,
                        img->lines[i].line);
    /* The string table first, so that the tables can point into it. */
    wbuf strs = { 0 };
    uint32_t *symoff = calloc(img->nsyms + 1, sizeof *symoff);
    uint32_t *fileoff = calloc(img->nfiles + 1, sizeof *fileoff);
    if (!symoff || !fileoff) {
        free(symoff); free(fileoff);
        return fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < img->nsyms; i++) {
        symoff[i] = (uint32_t)strs.len;
        put(&strs, img->syms[i].name, strlen(img->syms[i].name) + 1);
    }
    for (size_t i = 0; i < img->nfiles; i++) {
        fileoff[i] = (uint32_t)strs.len;
        put(&strs, img->files[i], strlen(img->files[i]) + 1);
    }
    while (strs.len % 4) put(&strs, "", 1);

    wbuf b = { 0 };
    put(&b, IMAGE_MAGIC, 4);
    uint8_t vf[4] = { IMAGE_VERSION, 0, 0, 0 };
    put(&b, vf, 4);
    put32(&b, img->entry);
    put32(&b, (uint32_t)img->nsegs);
    put32(&b, (uint32_t)img->nsyms);
    put32(&b, (uint32_t)img->nlines);
    put32(&b, (uint32_t)img->nfiles);
    put32(&b, (uint32_t)strs.len);
    size_t data_off = HEADER_SIZE + 12 * img->nsegs + 12 * img->nsyms + 4 * img->nfiles
                      + 12 * img->nlines + strs.len;
    for (size_t i = 0; i < img->nsegs; i++) {
        put32(&b, img->segs[i].addr);
        put32(&b, img->segs[i].size);
        put32(&b, (uint32_t)data_off);
        data_off += (img->segs[i].size + 3u) & ~3u;
    }
    for (size_t i = 0; i < img->nsyms; i++) {
        put32(&b, symoff[i]);
        put32(&b, img->syms[i].value);
        put32(&b, img->syms[i].global ? 1 : 0);
    }
    for (size_t i = 0; i < img->nfiles; i++)
        put32(&b, fileoff[i]);
    for (size_t i = 0; i < img->nlines; i++) {
        put32(&b, img->lines[i].addr);
        put32(&b, img->lines[i].file);
        put32(&b, (img->lines[i].line & ~LINE_DATA) | (img->lines[i].data ? LINE_DATA : 0));
    }
    put(&b, strs.p, strs.len);
    for (size_t i = 0; i < img->nsegs; i++) {
        put(&b, img->segs[i].data, img->segs[i].size);
        while (b.len % 4) put(&b, "", 1);
    }
    free(symoff); free(fileoff); free(strs.p);
    if (b.oom || strs.oom) {
        free(b.p);
        return fail(err, errlen, "out of memory");
    }
    if (b.len > MAX_FILE_SIZE) {
        free(b.p);
        return fail(err, errlen, "the image would be larger than %u MiB, more than a loader accepts",
                    MAX_FILE_SIZE >> 20);
    }
    /* Write to a temporary and rename, so a failed write never leaves half an image. */
    size_t tl = strlen(path) + 8;
    char *tmp = malloc(tl);
    if (!tmp) { free(b.p); return fail(err, errlen, "out of memory"); }
    snprintf(tmp, tl, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        free(tmp); free(b.p);
        return false;
    }
    bool ok = fwrite(b.p, 1, b.len, f) == b.len;
    ok = (fclose(f) == 0) && ok;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp); free(b.p);
    return ok;
}

/* ---- lookups ------------------------------------------------------------ */
const image_symbol *image_find_symbol(const image *img, const char *name)
{
    for (size_t i = 0; i < img->nsyms; i++)
        if (strcmp(img->syms[i].name, name) == 0)
            return &img->syms[i];
    return NULL;
}

const image_symbol *image_symbol_at(const image *img, uint32_t addr)
{
    size_t lo = 0, hi = img->nsyms;           /* first symbol with value > addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->syms[mid].value <= addr) lo = mid + 1; else hi = mid;
    }
    if (lo == 0)
        return NULL;
    /* Among equal values, the first in name order is the canonical one. */
    size_t i = lo - 1;
    while (i > 0 && img->syms[i - 1].value == img->syms[i].value) i--;
    return &img->syms[i];
}

/* The segment holding addr, by binary search (segments are sorted and
 * disjoint); NULL when none. */
static const image_segment *segment_at(const image *img, uint32_t addr)
{
    size_t lo = 0, hi = img->nsegs;           /* first segment starting after addr */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->segs[mid].addr <= addr) lo = mid + 1; else hi = mid;
    }
    if (lo == 0)
        return NULL;
    const image_segment *s = &img->segs[lo - 1];
    return addr - s->addr < s->size ? s : NULL;
}

const image_line *image_line_at(const image *img, uint32_t addr)
{
    size_t lo = 0, hi = img->nlines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (img->lines[mid].addr <= addr) lo = mid + 1; else hi = mid;
    }
    if (lo == 0)
        return NULL;
    const image_line *l = &img->lines[lo - 1];
    /* A line covers the bytes up to the next line's address, within its
     * segment.  (A linear search here made the disassembler quadratic.) */
    const image_segment *s = segment_at(img, addr);
    return s && l->addr >= s->addr ? l : NULL;
}
