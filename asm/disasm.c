/*
 * disasm.c -- an image back to assembly text.  The output reassembles to
 * the same bytes: words that do not round-trip through the ISA table, and
 * bytes around a label that is not word-aligned, are written as data.
 * Bytes that the line table says came from a data line (.word, .ascii,
 * .space...; version 2 images) are written as data too -- as .ascii where
 * they read as text -- rather than as made-up instructions.
 */
#include "asm/disasm.h"

#include <string.h>

#include "isa/isa.h"

typedef struct {
    const image *img;
    char buf[128];
} symctx;

const char *asm_symbolize(const image *img, uint32_t addr, char *buf, size_t n)
{
    const image_symbol *s = image_symbol_at(img, addr);
    if (!s)
        return NULL;
    if (s->value == addr)
        snprintf(buf, n, "%s", s->name);
    else
        snprintf(buf, n, "%s+0x%x", s->name, addr - s->value);
    return buf;
}

static const char *symbolizer(uint32_t addr, void *ud)
{
    symctx *c = ud;
    return asm_symbolize(c->img, addr, c->buf, sizeof c->buf);
}

/* Index of the first symbol with value >= addr. */
static size_t first_sym(const image *img, uint32_t addr)
{
    size_t lo = 0, hi = img->nsyms;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (img->syms[mid].value < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void comment(FILE *out, const image *img, uint32_t addr, const char *bytes, const image_line **last)
{
    const image_line *l = image_line_at(img, addr);
    fprintf(out, "; %08x  %s", addr, bytes);
    if (l && l != *last && l->file < img->nfiles)
        fprintf(out, "  %s:%u", img->files[l->file], l->line);
    *last = l;
    fputc('\n', out);
}

static bool texty(uint8_t b) { return (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t' || b == '\r'; }

/* Length of the text at b (n bytes): printable bytes and a NUL ending them;
 * 0 unless at least 3 are printable, so that stray bytes stay numbers. */
static size_t text_run(const uint8_t *b, size_t n)
{
    size_t r = 0;
    while (r < n && texty(b[r]))
        r++;
    if (r < 3)
        return 0;
    return r < n && b[r] == 0 ? r + 1 : r;
}

/* Bytes [pos, end) of seg, which came from data lines. */
static void data_bytes(FILE *out, const image *img, const image_segment *seg, uint32_t pos, uint32_t end,
                       const image_line **last)
{
    while (pos < end) {
        uint32_t addr = seg->addr + pos;
        const uint8_t *b = seg->data + pos;
        size_t left = end - pos, run = text_run(b, left < 48 ? left : 48);
        char text[256], bytes[32];
        size_t k = 0, n;
        if (run) {
            k += (size_t)snprintf(text, sizeof text, ".ascii \"");
            for (size_t i = 0; i < run; i++) {
                uint8_t ch = b[i];
                const char *esc = ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : ch == '\n' ? "\\n"
                                : ch == '\t' ? "\\t" : ch == '\r' ? "\\r" : ch == 0 ? "\\0" : NULL;
                if (esc)
                    k += (size_t)snprintf(text + k, sizeof text - k, "%s", esc);
                else
                    text[k++] = (char)ch;
            }
            snprintf(text + k, sizeof text - k, "\"");
            snprintf(bytes, sizeof bytes, "(%zu bytes)", run);
            n = run;
        } else if (addr % 4 == 0 && left >= 4) {
            uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
            snprintf(text, sizeof text, ".word 0x%08x", w);
            snprintf(bytes, sizeof bytes, "%08x", w);
            n = 4;
        } else {
            /* Up to the next word boundary, or to where text starts. */
            n = 0;
            k = (size_t)snprintf(text, sizeof text, ".byte ");
            do {
                k += (size_t)snprintf(text + k, sizeof text - k, "%s0x%02x", n ? ", " : "", b[n]);
                n++;
            } while (n < left && (addr + n) % 4 != 0 && !text_run(b + n, left - n));
            bytes[0] = 0;
            for (size_t i = 0; i < n; i++)
                snprintf(bytes + 2 * i, sizeof bytes - 2 * i, "%02x", b[i]);
        }
        fprintf(out, "        %-36s", text);
        comment(out, img, addr, bytes, last);
        pos += (uint32_t)n;
    }
}

/* Where the data line that covers seg->addr + pos ends: the next line entry, or the segment's end. */
static uint32_t data_end(const image *img, const image_segment *seg, uint32_t pos, const image_line *l)
{
    uint32_t addr = seg->addr + pos;
    const image_line *stop = img->lines + img->nlines;
    for (const image_line *q = l + 1; q < stop; q++)
        if (q->addr > addr)
            return q->addr - seg->addr < seg->size ? q->addr - seg->addr : seg->size;
    return seg->size;
}

void asm_disassemble(FILE *out, const image *img)
{
    symctx sc = { .img = img };
    const image_line *last = NULL;
    fprintf(out, "; traplab disassembly; entry point 0x%08x", img->entry);
    const image_symbol *es = image_symbol_at(img, img->entry);
    if (es && es->value == img->entry)
        fprintf(out, " (%s)", es->name);
    fputc('\n', out);
    for (size_t i = 0; i < img->nsegs; i++) {
        const image_segment *seg = &img->segs[i];
        fprintf(out, "\n        .org    0x%08x\n", seg->addr);
        size_t si = first_sym(img, seg->addr);
        uint32_t pos = 0;
        while (pos < seg->size) {
            uint32_t addr = seg->addr + pos;
            for (; si < img->nsyms && img->syms[si].value <= addr; si++)
                if (img->syms[si].value == addr)
                    fprintf(out, "%s%s:\n", img->syms[si].global ? "" : "", img->syms[si].name);
            uint32_t next_sym = si < img->nsyms ? img->syms[si].value : UINT32_MAX;
            const image_line *l = img->line_kinds ? image_line_at(img, addr) : NULL;
            if (l && l->data) {
                uint32_t end = data_end(img, seg, pos, l);
                if (next_sym > addr && next_sym - seg->addr < end)
                    end = next_sym - seg->addr;
                data_bytes(out, img, seg, pos, end, &last);
                pos = end;
                continue;
            }
            const uint8_t *b = seg->data + pos;
            char text[200], bytes[16];
            if (addr % 4 == 0 && seg->size - pos >= 4 && (next_sym < addr || next_sym >= addr + 4)) {
                uint32_t w = b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
                const isa_insn *in;
                isa_operands o;
                /* mfcr/mtcr of a control register that does not exist would not reassemble. */
                if (isa_decode(w, &in, &o) && isa_encode(in, &o) == w
                    && !(in->format == FMT_CRR && !isa_cr_name(o.rs1)) && !(in->format == FMT_CRW && !isa_cr_name(o.rd)))
                    isa_disassemble(w, addr, text, sizeof text, symbolizer, &sc);
                else
                    snprintf(text, sizeof text, ".word 0x%08x", w);
                snprintf(bytes, sizeof bytes, "%08x", w);
                fprintf(out, "        %-36s", text);
                comment(out, img, addr, bytes, &last);
                pos += 4;
            } else {
                snprintf(text, sizeof text, ".byte 0x%02x", b[0]);
                snprintf(bytes, sizeof bytes, "%02x", b[0]);
                fprintf(out, "        %-36s", text);
                comment(out, img, addr, bytes, &last);
                pos += 1;
            }
        }
    }
}
