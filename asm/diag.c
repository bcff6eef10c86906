/*
 * diag.c -- the assembler's allocation helpers, its table of source files,
 * and its diagnostics: "file:line:col: error: ...", the source line (a
 * window of it when long) and a caret, notes that say where a macro was
 * used.  Diagnostics are printed in pass 2 only.
 */
#include "asm/asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ------------------------------------------------------ */
void *asm_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "traplab: out of memory\n");
        abort();
    }
    return q;
}

char *asm_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

char *asm_xstrndup(const char *s, size_t n)
{
    char *d = asm_xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

int asm_file_index(asm_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i], name) == 0)
            return (int)i;
    c->files = asm_xrealloc(c->files, (c->nfiles + 1) * sizeof *c->files);
    c->ftext = asm_xrealloc(c->ftext, (c->nfiles + 1) * sizeof *c->ftext);
    c->files[c->nfiles] = asm_xstrdup(name);
    memset(&c->ftext[c->nfiles], 0, sizeof *c->ftext);
    c->nftext = c->nfiles + 1;
    return (int)c->nfiles++;
}

/* Line number line of file, from the kept file texts; NULL when unknown. */
static const char *file_line(asm_ctx *c, int file, int line, size_t *len)
{
    if (file < 0 || (size_t)file >= c->nfiles || line <= 0 || !c->ftext[file].text)
        return NULL;
    file_text *f = &c->ftext[file];
    if (!f->starts) {
        size_t n = 1;
        for (const char *q = f->text; (q = memchr(q, '\n', f->len - (size_t)(q - f->text))) != NULL; q++)
            n++;
        f->starts = asm_xrealloc(NULL, n * sizeof *f->starts);
        f->starts[0] = 0;
        f->nstarts = 1;
        for (size_t i = 0; i < f->len; i++)
            if (f->text[i] == '\n')
                f->starts[f->nstarts++] = i + 1;
    }
    if ((size_t)line > f->nstarts)
        return NULL;
    size_t start = f->starts[line - 1];
    size_t end = (size_t)line < f->nstarts ? f->starts[line] - 1 : f->len;
    if (end > start && f->text[end - 1] == '\r')
        end--;
    *len = end - start;
    return f->text + start;
}

/* ---- diagnostics -------------------------------------------------------- */

static void show_source(asm_ctx *c, const char *text, size_t len, int col)
{
    bool color = c->opt->color;
    /* A long line (a 1 MB line of binary) is shown as a window around the
     * column, and bytes that would drive the terminal are shown as '?', one
     * column each, so the caret stays under the right character. */
    size_t start = 0, end = len, at = col > 0 ? (size_t)col - 1 : 0;
    if (at > len)
        at = len;
    if (len > SHOW_WIDTH) {
        start = at > SHOW_WIDTH / 2 ? at - SHOW_WIDTH / 2 : 0;
        if (start + SHOW_WIDTH > len)
            start = len - SHOW_WIDTH;
        end = start + SHOW_WIDTH;
    }
    fputs(start ? "    ..." : "    ", c->diag);
    for (size_t i = start; i < end; i++) {
        unsigned char ch = (unsigned char)text[i];
        fputc(ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? ch : '?', c->diag);
    }
    fputs(end < len ? "...\n    " : "\n    ", c->diag);
    if (start)
        fputs("   ", c->diag);
    for (size_t i = start; i < at; i++)
        fputc(text[i] == '\t' ? '\t' : ' ', c->diag);
    fprintf(c->diag, "%s^%s\n", color ? "\033[1;32m" : "", color ? "\033[0m" : "");
}

static void vreport(asm_ctx *c, int kind, int file, int line, int col,
                    const char *text, size_t len, const char *fmt, va_list ap)
{
    static const char *const names[] = { "error", "warning", "note" };
    static const char *const colors[] = { "\033[1;31m", "\033[1;35m", "\033[1;36m" };
    if (c->pass != 2 || c->stop || c->quiet)
        return;
    if (kind == D_ERROR && ++c->errors > MAX_ERRORS) {
        fprintf(c->diag, "%s: error: too many errors; stopping\n", c->files[0]);
        c->stop = true;
        return;
    }
    bool color = c->opt->color;
    if (color)
        fputs("\033[1m", c->diag);
    fprintf(c->diag, "%s:", c->files[file]);
    if (line > 0)
        fprintf(c->diag, "%d:", line);
    if (line > 0 && col > 0)
        fprintf(c->diag, "%d:", col);
    fprintf(c->diag, " %s%s:%s ", color ? colors[kind] : "", names[kind], color ? "\033[0m\033[1m" : "");
    vfprintf(c->diag, fmt, ap);
    fprintf(c->diag, "%s\n", color ? "\033[0m" : "");
    if (!text && line > 0)
        text = file_line(c, file, line, &len);
    if (text)
        show_source(c, text, len, col);
}

void asm_report(asm_ctx *c, int kind, int file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(c, kind, file, line, col, NULL, 0, fmt, ap);
    va_end(ap);
}

/*
 * After an error inside a macro expansion, say where the macro was used: the
 * innermost use and, for nested macros, the line the user wrote.
 */
static void expansion_notes(asm_ctx *c)
{
    if (c->pass != 2 || c->stop || c->quiet)
        return;
    size_t inner = SIZE_MAX, outer = SIZE_MAX;
    for (size_t i = 0; i < c->nsrc; i++)
        if (c->src[i].mac) {
            if (outer == SIZE_MAX)
                outer = i;
            inner = i;
        }
    if (inner == SIZE_MAX)
        return;
    asm_report(c, D_NOTE, c->src[inner].inv_file, c->src[inner].inv_line, c->src[inner].inv_col,
           "in expansion of macro '%s'", c->src[inner].mac->name);
    if (outer != inner)
        asm_report(c, D_NOTE, c->src[outer].inv_file, c->src[outer].inv_line, c->src[outer].inv_col,
               "in expansion of macro '%s', used here", c->src[outer].mac->name);
}

static void vline_diag(asm_ctx *c, int kind, int col, const char *fmt, va_list ap)
{
    vreport(c, kind, c->line_file, c->line_no, col, c->line, c->linelen, fmt, ap);
    expansion_notes(c);
}

void asm_error_col(asm_ctx *c, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline_diag(c, D_ERROR, col, fmt, ap);
    va_end(ap);
}

void asm_warn_col(asm_ctx *c, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline_diag(c, D_WARNING, col, fmt, ap);
    va_end(ap);
}
