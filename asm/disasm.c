/*
 * disasm.c -- an image back to assembly text.  The output reassembles to
 * the same bytes: words that do not round-trip through the ISA table, and
 * bytes around a label that is not word-aligned, are written as data.
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
