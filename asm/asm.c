/*
 * asm.c -- the traplab assembler's driver: sources (files, includes, macro
 * expansions), conditional assembly, symbols, two passes, directives,
 * instructions and pseudo-instructions, diagnostics, the listing and the
 * image.
 *
 * Both passes run the same statements in the same order.  Pass 1 is silent
 * and only learns addresses; pass 2 reports every error (once, in source
 * order) and emits the bytes.  Anything that decides a statement's size
 * (.org, .space, .align, .if, li's one-or-two-words) may only use values
 * defined earlier in the current pass, so both passes always agree.
 */
#include "asm/asm_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

/* ---- listing ------------------------------------------------------------- */
static void list_line(asm_ctx *c)
{
    FILE *f = c->opt->listing;
    if (!f || c->pass != 2 || c->stop)
        return;
    const segment *s = c->line_recorded ? &c->segs[c->line_seg] : NULL;
    size_t off = c->line_seg_off, n = s ? s->size - off : 0;
    const uint8_t *b = s ? s->data + off : NULL;
    char enc[32] = "";
    size_t shown = 0;
    if (c->line_is_code && n >= 4) {
        snprintf(enc, sizeof enc, "%08x", b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24);
        shown = 4;
    } else if (n) {
        size_t k = 0;
        for (; shown < n && shown < 8; shown++)
            k += (size_t)snprintf(enc + k, sizeof enc - k, "%02x", b[shown]);
        if (shown < n)
            snprintf(enc + k, sizeof enc - k, "..");
    }
    if (n)
        fprintf(f, "%08x  %-18s  ", c->line_start_pc, enc);
    else
        fprintf(f, "%-8s  %-18s  ", "", "");
    fwrite(c->line, 1, c->linelen, f);
    fputc('\n', f);
    if (c->line_is_code)
        for (; shown + 4 <= n; shown += 4) {
            uint32_t w = b[shown] | b[shown + 1] << 8 | b[shown + 2] << 16 | (uint32_t)b[shown + 3] << 24;
            fprintf(f, "%08x  %08x\n", c->line_start_pc + (uint32_t)shown, w);
        }
}

/* ---- one line, one pass -------------------------------------------------- */
static void free_stmt(asm_stmt *st)
{
    for (size_t i = 0; i < st->nlabels; i++)
        free(st->labels[i].name);
    for (size_t i = 0; i < st->nops; i++) {
        asm_expr_free(st->ops[i].e);
        asm_expr_free(st->ops[i].base);
        free(st->ops[i].str);
    }
    free(st->labels);
    free(st->ops);
    free(st->name);
    memset(st, 0, sizeof *st);
}

static void parse(asm_ctx *c, asm_stmt *st)
{
    asm_parse p = { .ctx = c, .st = st };
    memset(st, 0, sizeof *st);
    asm_parse_line(&p, c->line, c->linelen);
}

/* In a region that is not assembled, only conditional directives matter. */
static void inactive_line(asm_ctx *c)
{
    char dir[16];
    asm_raw_directive(c->line, c->linelen, dir, sizeof dir, NULL);
    if (!dir[0])
        return;
    cond *k = &c->conds[c->nconds - 1];
    if (!strcmp(dir, ".if") || !strcmp(dir, ".ifdef") || !strcmp(dir, ".ifndef")) {
        asm_push_cond(c, false, false, 1);
    } else if (!strcmp(dir, ".endif")) {
        c->nconds--;
    } else if (!strcmp(dir, ".else")) {
        if (k->in_else) {
            asm_stmt st;
            parse(c, &st);
            err(c, st.col, ".else after .else");
            free_stmt(&st);
        }
        k->in_else = true;
        k->active = k->parent_active && !k->taken;
        k->taken = true;
    } else if (!strcmp(dir, ".elif") && k->parent_active && !k->taken) {
        asm_stmt st;
        parse(c, &st);
        bool v = false;
        if (!st.syntax_error) {
            if (k->in_else)
                err(c, st.col, ".elif after .else");
            asm_cond_value(c, &st, &v);
        }
        k->active = k->taken = v;
        free_stmt(&st);
    }
}

static void assemble_line(asm_ctx *c)
{
    c->line_start_pc = c->pc;
    c->stmt_col = 1;
    c->line_recorded = false;
    c->line_is_code = false;
    if (c->defining || c->defining_depth) {
        asm_macro_line(c);
        return;
    }
    if (!asm_active(c)) {
        inactive_line(c);
        return;
    }
    char dir[16];
    size_t after = 0;
    asm_raw_directive(c->line, c->linelen, dir, sizeof dir, &after);
    if (strcmp(dir, ".macro") == 0) {
        asm_begin_macro(c, after);
        list_line(c);
        return;
    }
    asm_stmt st;
    parse(c, &st);
    if (!st.syntax_error) {
        if (st.kind != ST_EMPTY)
            c->stmt_col = st.col;
        asm_define_labels(c, &st);
        switch (st.kind) {
        case ST_EMPTY: break;
        case ST_ASSIGN: asm_assign(c, &st, NULL, &st.ops[0], true); break;
        case ST_DIRECTIVE: asm_directive(c, &st); break;
        case ST_OP: asm_operation(c, &st); break;
        }
    }
    list_line(c);
    free_stmt(&st);
}

static void reset_pass(asm_ctx *c, int pass)
{
    c->pass = pass;
    c->pc = DEFAULT_ORIGIN;
    c->pc_overflow = false;
    c->pc_end = false;
    c->emitted_any = false;
    c->nconds = 0;
    c->expansions = 0;
    c->expanded = c->included = c->output = 0;
    c->expand_overflow = c->include_overflow = c->output_overflow = false;
    c->abandon = false;
    c->defining = NULL;
    c->defining_depth = 0;
    for (size_t i = 0; i < c->nnums; i++)
        c->nums[i].seen = 0;
    for (size_t i = 0; i < c->nmacros; i++) {
        free(c->macros[i]->name);
        for (size_t k = 0; k < c->macros[i]->nparams; k++)
            free(c->macros[i]->params[k]);
        free(c->macros[i]->params);
        free(c->macros[i]->body);
        free(c->macros[i]);
    }
    c->nmacros = 0;
    asm_hindex_clear(&c->macro_index);
}

static void define_cmdline(asm_ctx *c)
{
    for (size_t i = 0; i < c->opt->ndefines; i++) {
        const char *d = c->opt->defines[i], *eq = strchr(d, '=');
        char *name = eq ? asm_xstrndup(d, (size_t)(eq - d)) : asm_xstrdup(d);
        int64_t v = 1;
        if (eq) {
            char *end;
            errno = 0;
            v = strtoll(eq + 1, &end, 0);
            if (errno || !eq[1] || *end || v < INT32_MIN || v > (int64_t)UINT32_MAX) {
                asm_report(c, D_ERROR, 0, 0, 0, "-D %s: the value must be a 32-bit number", d);
                v = 0;
            }
        }
        bool ok = name[0] && asm_ident_start(name[0]);
        for (const char *q = name; *q; q++)
            ok &= asm_ident_char(*q);
        if (!ok)
            asm_report(c, D_ERROR, 0, 0, 0, "-D %s: '%s' is not a valid symbol name", d, name);
        else {
            symbol *s = asm_add_sym(c, name);
            s->value = v;
            s->known = true;
            s->def_pass = c->pass;
            s->redefinable = true;
        }
        free(name);
    }
}

static void run_pass(asm_ctx *c, int pass, const char *text, size_t len, const char *path)
{
    reset_pass(c, pass);
    c->line_file = 0;
    c->line_no = 0;
    define_cmdline(c);
    char *real = path ? realpath(path, NULL) : NULL;
    asm_push_file(c, 0, c->ftext[0].text ? NULL : asm_xstrndup(text, len), len, real);
    while (!c->stop && asm_next_line(c))
        assemble_line(c);
    while (c->nsrc)
        asm_pop_source(c);
    if (c->defining || c->defining_depth)
        asm_report(c, D_ERROR, c->mac_file, c->mac_line, c->mac_col, ".macro without .endm (the file ends first)");
}

/* ---- the image ----------------------------------------------------------- */
static int cmp_seg(const void *a, const void *b)
{
    const segment *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

static int cmp_sym(const void *a, const void *b)
{
    const image_symbol *x = a, *y = b;
    if (x->value != y->value)
        return (x->value > y->value) - (x->value < y->value);
    return strcmp(x->name, y->name);
}

static int cmp_line(const void *a, const void *b)
{
    const image_line *x = a, *y = b;
    return (x->addr > y->addr) - (x->addr < y->addr);
}

static void build_image(asm_ctx *c, image *out)
{
    if (c->nsegs > 1)
        qsort(c->segs, c->nsegs, sizeof *c->segs, cmp_seg);
    for (size_t i = 1; i < c->nsegs; i++)
        if ((uint64_t)c->segs[i - 1].addr + c->segs[i - 1].size > c->segs[i].addr) {
            /* The error goes to the code written later in the source; the note to the code it hits. */
            const segment *later = &c->segs[i], *earlier = &c->segs[i - 1];
            if (later->seq < earlier->seq) {
                later = &c->segs[i - 1];
                earlier = &c->segs[i];
            }
            asm_report(c, D_ERROR, later->file, later->line, later->col,
                   "code at 0x%08x..0x%08zx overlaps code emitted earlier (check the .org directives)",
                   later->addr, later->addr + later->size - 1);
            asm_report(c, D_NOTE, earlier->file, earlier->line, earlier->col,
                   "the earlier code, at 0x%08x..0x%08zx, starts here", earlier->addr,
                   earlier->addr + earlier->size - 1);
        }
    for (size_t i = 0; i < c->nsyms; i++) {
        symbol *s = &c->syms[i];
        if (s->global && s->def_pass == 0)
            asm_report(c, D_ERROR, s->gfile, s->gline, s->gcol, "'.global' names '%s', which is never defined", s->name);
    }
    if (c->errors)
        return;
    out->segs = asm_xrealloc(NULL, c->nsegs * sizeof *out->segs);
    for (size_t i = 0; i < c->nsegs; i++) {
        out->segs[i] = (image_segment){ c->segs[i].addr, (uint32_t)c->segs[i].size, c->segs[i].data };
        c->segs[i].data = NULL;
    }
    out->nsegs = c->nsegs;
    size_t nl = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        nl += c->syms[i].label && c->syms[i].def_pass;
    out->syms = asm_xrealloc(NULL, nl * sizeof *out->syms);
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i].label && c->syms[i].def_pass)
            out->syms[out->nsyms++] = (image_symbol){ asm_xstrdup(c->syms[i].name), (uint32_t)c->syms[i].value,
                                                      c->syms[i].global };
    if (out->nsyms > 1)
        qsort(out->syms, out->nsyms, sizeof *out->syms, cmp_sym);
    out->lines = c->lines;
    out->nlines = c->nlines;
    c->lines = NULL;
    c->nlines = 0;
    if (out->nlines > 1)
        qsort(out->lines, out->nlines, sizeof *out->lines, cmp_line);
    out->line_kinds = true;
    out->files = c->files;
    out->nfiles = c->nfiles;
    c->files = NULL;
    c->nfiles = 0;
    const symbol *start = asm_find_sym(c, "_start");
    out->entry = start && start->def_pass ? (uint32_t)start->value : c->first_addr;
}

static void free_ctx(asm_ctx *c)
{
    reset_pass(c, 0);
    free(c->macros);
    free(c->macro_index.slot);
    free(c->num_index.slot);
    for (size_t i = 0; i < c->nsyms; i++)
        free(c->syms[i].name);
    free(c->syms);
    free(c->buckets);
    for (size_t i = 0; i < c->nnums; i++)
        free(c->nums[i].addrs);
    free(c->nums);
    for (size_t i = 0; i < c->nsegs; i++)
        free(c->segs[i].data);
    free(c->segs);
    free(c->lines);
    for (size_t i = 0; i < c->nfiles; i++)
        free(c->files[i]);
    free(c->files);
    for (size_t i = 0; i < c->nftext; i++) {
        free(c->ftext[i].text);
        free(c->ftext[i].starts);
    }
    free(c->ftext);
    free(c->conds);
    free(c->src);
}

static int assemble(const char *name, const char *path, const char *src, size_t len, const asm_options *opt, image *out)
{
    static const asm_options defaults;
    asm_ctx c;
    memset(&c, 0, sizeof c);
    c.opt = opt ? opt : &defaults;
    c.diag = c.opt->diag ? c.opt->diag : stderr;
    image_init(out);
    asm_file_index(&c, name);
    run_pass(&c, 1, src, len, path);
    c.stop = false;
    run_pass(&c, 2, src, len, path);
    build_image(&c, out);      /* its errors, too, stay quiet after "too many errors" */
    int errors = c.errors;
    if (c.opt->work)
        *c.opt->work = c.work;
    free_ctx(&c);
    if (errors)
        image_free(out);
    return errors;
}

int asm_assemble_string(const char *name, const char *src, const asm_options *opt, image *out)
{
    return assemble(name, NULL, src, strlen(src), opt, out);
}

int asm_assemble_file(const char *path, const asm_options *opt, image *out)
{
    char why[128];
    size_t len;
    image_init(out);
    char *text = asm_read_whole(path, &len, why, sizeof why);
    if (!text) {
        fprintf(opt && opt->diag ? opt->diag : stderr, "%s: error: cannot read the source: %s\n", path, why);
        return 1;
    }
    int errors = assemble(path, path, text, len, opt, out);
    free(text);
    return errors;
}
