/*
 * source.c -- where lines come from: source files and .include (with its
 * limits and loop check), macro definitions and expansions, and the stack of
 * conditional-assembly regions.
 */
#include "asm/asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "isa/isa.h"

/* ---- sources ------------------------------------------------------------- */
char *asm_read_whole(const char *path, size_t *len, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = asm_xrealloc(NULL, cap);
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_SOURCE_SIZE) {
                snprintf(why, whylen, "file is larger than %u MiB", MAX_SOURCE_SIZE >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = asm_xrealloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0)
            break;
        n += r;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, whylen, "read error");
        free(buf);
        return NULL;
    }
    if (memchr(buf, '\0', n)) {
        /* Reporting every line of a binary file helps nobody. */
        snprintf(why, whylen, "binary file (it contains NUL bytes), not assembly source");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

static void push_source(asm_ctx *c, char *text, size_t len, int file, char *path, const macro *mac, int line0)
{
    c->src = asm_xrealloc(c->src, (c->nsrc + 1) * sizeof *c->src);
    source *s = &c->src[c->nsrc++];
    memset(s, 0, sizeof *s);
    s->text = text;
    s->len = len;
    s->file = file;
    s->path = path;
    s->mac = mac;
    s->line = line0;
    s->cond_base = c->nconds;
    s->inv_file = c->line_file;
    s->inv_line = c->line_no;
}

/* A file's text is kept (in ftext) until the end of the run; text is NULL or
 * a fresh copy, dropped when the file was read before (pass 1 or an earlier .include). */
void asm_push_file(asm_ctx *c, int fi, char *text, size_t len, char *real)
{
    file_text *f = &c->ftext[fi];
    if (!f->text) {
        f->text = text;
        f->len = len;
    } else {
        free(text);
    }
    push_source(c, f->text, f->len, fi, real, NULL, 0);
    c->src[c->nsrc - 1].borrowed = true;
}

void asm_pop_source(asm_ctx *c)
{
    source *s = &c->src[c->nsrc - 1];
    if (!s->mac && c->nconds > s->cond_base) {
        cond *k = &c->conds[s->cond_base];
        asm_report(c, D_ERROR, k->file, k->line, k->col, ".if without .endif (the file ends first)");
        c->nconds = s->cond_base;
    }
    if (!s->borrowed)
        free(s->text);
    free(s->path);
    c->nsrc--;
}

/*
 * Drops the whole expansion in progress, back to the line that used the
 * outermost macro.  A macro that recurses with two or more uses of itself
 * would otherwise expand 2^32 times, cut only by the expansion budgets
 * after seconds of work; this way it costs at most MAX_MACRO_DEPTH
 * expansions per use.  Conditionals opened inside are dropped with it.
 */
static void abandon_expansion(asm_ctx *c)
{
    c->abandon = false;
    size_t outer = 0;
    while (outer < c->nsrc && !c->src[outer].mac)
        outer++;
    if (outer == c->nsrc)
        return;
    c->nconds = c->src[outer].cond_base;
    while (c->nsrc > outer)
        asm_pop_source(c);
}

bool asm_next_line(asm_ctx *c)
{
    if (c->abandon)
        abandon_expansion(c);
    while (c->nsrc) {
        source *s = &c->src[c->nsrc - 1];
        if (s->pos >= s->len) {
            asm_pop_source(c);
            continue;
        }
        const char *start = s->text + s->pos;
        const char *nl = memchr(start, '\n', s->len - s->pos);
        size_t n = nl ? (size_t)(nl - start) : s->len - s->pos;
        s->pos += n + (nl != NULL);
        s->line++;
        c->line = start;
        c->linelen = n;
        if (n && start[n - 1] == '\r')
            c->linelen--;
        c->line_file = s->file;
        c->line_no = s->line;
        return true;
    }
    return false;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? asm_xstrndup(path, (size_t)(slash - path)) : asm_xstrdup(".");
}

void asm_include(asm_ctx *c, const asm_operand *op)
{
    if (op->kind != OPND_STRING || memchr(op->str, 0, op->len)) {
        err(c, op->col, "'.include' needs a file name in double quotes");
        return;
    }
    for (size_t i = 0; i < c->opt->nmem; i++) {
        if (strcmp(c->opt->mem_names[i], op->str) != 0)
            continue;
        char real[300];
        snprintf(real, sizeof real, "\x01mem:%s", op->str);   /* never a real path */
        for (size_t k = 0; k < c->nsrc; k++)
            if (c->src[k].path && strcmp(c->src[k].path, real) == 0) {
                err(c, op->col, "include loop: '%s' includes itself (through the files being assembled)",
                    op->str);
                return;
            }
        size_t len = strlen(c->opt->mem_texts[i]);
        if (c->included + len > MAX_INCLUDED_TOTAL) {
            err(c, op->col, "included files make more than %u MiB of text in all", MAX_INCLUDED_TOTAL >> 20);
            return;
        }
        c->included += len;
        asm_push_file(c, asm_file_index(c, op->str), asm_xstrndup(c->opt->mem_texts[i], len), len,
                      asm_xstrndup(real, strlen(real)));
        return;
    }
    if (c->opt->no_include) {
        err(c, op->col, "'.include' is not available here: put everything in one source");
        return;
    }
    size_t files_on_stack = 0;
    for (size_t i = 0; i < c->nsrc; i++)
        files_on_stack += c->src[i].mac == NULL;
    if (files_on_stack >= MAX_INCLUDE_DEPTH) {
        err(c, op->col, "includes nested too deeply (more than %d files)", MAX_INCLUDE_DEPTH);
        return;
    }
    const char *name = op->str;
    char *found = NULL;
    char *here = dir_of(c->files[c->line_file]);
    size_t ndirs = 1 + c->opt->ninclude_dirs;
    for (size_t i = 0; i < ndirs && !found; i++) {
        const char *d = i == 0 ? here : c->opt->include_dirs[i - 1];
        size_t n = strlen(d) + strlen(name) + 2;
        char *p = asm_xrealloc(NULL, n);
        if (name[0] == '/' || (i == 0 && !strchr(c->files[c->line_file], '/')))
            snprintf(p, n, "%s", name);
        else
            snprintf(p, n, "%s/%s", d, name);
        /* stat, not fopen: opening a FIFO or a terminal would block. */
        struct stat sb;
        if (stat(p, &sb) == 0) {
            if (!S_ISREG(sb.st_mode)) {
                err(c, op->col, "include file '%s' is not a regular file", p);
                free(p);
                free(here);
                return;
            }
            found = p;
        } else {
            free(p);
        }
    }
    free(here);
    if (!found) {
        err(c, op->col, "include file '%s' not found", name);
        return;
    }
    char *real = realpath(found, NULL);
    if (!real)
        real = asm_xstrdup(found);
    for (size_t i = 0; i < c->nsrc; i++)
        if (c->src[i].path && strcmp(c->src[i].path, real) == 0) {
            err(c, op->col, "include loop: '%s' includes itself (through the files being assembled)", found);
            free(real);
            free(found);
            return;
        }
    char why[128];
    size_t len;
    if (c->include_overflow) {      /* reported once; reading more would only waste time */
        free(real);
        free(found);
        return;
    }
    char *text = asm_read_whole(found, &len, why, sizeof why);
    if (!text) {
        err(c, op->col, "cannot read include file '%s': %s", found, why);
        free(real);
        free(found);
        return;
    }
    if (c->included + len > MAX_INCLUDED_TOTAL) {
        if (!c->include_overflow)
            err(c, op->col, "included files make more than %u MiB of text in all", MAX_INCLUDED_TOTAL >> 20);
        c->include_overflow = true;
        free(text);
        free(real);
        free(found);
        return;
    }
    c->included += len;
    int fi = asm_file_index(c, found);
    free(found);
    asm_push_file(c, fi, text, len, real);
}

/* ---- conditional assembly ---------------------------------------------- */
bool asm_active(const asm_ctx *c)
{
    return c->nconds == 0 || c->conds[c->nconds - 1].active;
}

void asm_push_cond(asm_ctx *c, bool parent, bool value, int col)
{
    if (c->nconds == MAX_COND_DEPTH)
        err(c, col, "conditional assembly nested too deeply (more than %d levels)", MAX_COND_DEPTH);
    GROW(c->conds, c->nconds, c->capconds);
    c->conds[c->nconds++] = (cond){ parent, parent && value, parent && value, false,
                                    c->line_file, c->line_no, col };
}

bool asm_cond_top(asm_ctx *c, const char *dir, int col)
{
    size_t base = c->nsrc ? c->src[c->nsrc - 1].cond_base : 0;
    if (c->nconds <= base) {
        err(c, col, "%s without .if", dir);
        return false;
    }
    return true;
}

/* The first word of a raw line when it is a directive, lower-cased ("" if not). */
void asm_raw_directive(const char *line, size_t len, char *out, size_t n, size_t *end)
{
    size_t i = 0, k = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    out[0] = 0;
    if (i >= len || line[i] != '.')
        return;
    out[k++] = '.';
    i++;
    while (i < len && k + 1 < n && (isalnum((unsigned char)line[i]) || line[i] == '_'))
        out[k++] = (char)tolower((unsigned char)line[i++]);
    if (i < len && (isalnum((unsigned char)line[i]) || line[i] == '_'))
        k = 0;     /* too long to be a directive we know */
    out[k] = 0;
    if (end)
        *end = i;
}

/* ---- macros ------------------------------------------------------------- */
macro *asm_find_macro(asm_ctx *c, const char *name)
{
    if (!c->macro_index.cap)
        return NULL;
    for (size_t i = asm_hash_lower(name) & (c->macro_index.cap - 1);; i = (i + 1) & (c->macro_index.cap - 1)) {
        int k = c->macro_index.slot[i];
        c->work++;
        if (k < 0)
            return NULL;
        if (strcasecmp(c->macros[k]->name, name) == 0)
            return c->macros[k];
    }
}

static size_t macro_hash_of(const asm_ctx *c, size_t k) { return asm_hash_lower(c->macros[k]->name); }

bool asm_ident_start(char ch) { return isalpha((unsigned char)ch) || ch == '_'; }
bool asm_ident_char(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '$'; }

void asm_begin_macro(asm_ctx *c, size_t after)
{
    c->mac_file = c->line_file;
    c->mac_line = c->line_no;
    c->mac_col = (int)after - 5;     /* after is just past ".macro" */
    const char *p = c->line + after, *end = c->line + c->linelen;
    char *words[65];
    size_t nw = 0;
    int name_col = (int)after + 2;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        if (p >= end || *p == ';' || (*p == '/' && p + 1 < end && p[1] == '/') || *p == '#')
            break;
        const char *s = p;
        if (!asm_ident_start(*p)) {
            err(c, (int)(p - c->line) + 1, "bad macro parameter: parameters are names");
            for (size_t i = 0; i < nw; i++) free(words[i]);
            c->defining = NULL;
            c->defining_depth = 1;   /* still skip to .endm */
            return;
        }
        while (p < end && asm_ident_char(*p))
            p++;
        if (nw == 65) {
            err(c, (int)(s - c->line) + 1, "too many macro parameters (at most 64)");
            break;
        }
        if (nw == 0)
            name_col = (int)(s - c->line) + 1;
        words[nw++] = asm_xstrndup(s, (size_t)(p - s));
    }
    c->defining_depth = 1;
    if (nw == 0) {
        err(c, (int)after + 1, "'.macro' needs a name");
        c->defining = NULL;
        return;
    }
    if (isa_lookup_mnemonic(words[0]) || asm_find_pseudo(words[0])) {
        err(c, name_col, "macro '%s' would hide the instruction '%s'", words[0], words[0]);
        for (size_t i = 0; i < nw; i++) free(words[i]);
        c->defining = NULL;
        return;
    }
    macro *m = asm_find_macro(c, words[0]);
    if (m) {
        if (c->pass == 2 && m->line > 0) {
            err(c, name_col, "duplicate macro '%s'", words[0]);
            asm_report(c, D_NOTE, m->file, m->line, m->col, "previous definition of '%s' is here", words[0]);
        }
        for (size_t i = 0; i < nw; i++) free(words[i]);
        c->defining = NULL;
        return;
    }
    /* Not an array of macros: an expansion being read points at its macro,
     * and may define more macros while it runs. */
    asm_hindex_reserve(c, &c->macro_index, c->nmacros, macro_hash_of);
    GROW(c->macros, c->nmacros, c->capmacros);
    m = c->macros[c->nmacros] = asm_xrealloc(NULL, sizeof *m);
    memset(m, 0, sizeof *m);
    asm_hindex_put(&c->macro_index, asm_hash_lower(words[0]), (int)c->nmacros++);
    m->name = words[0];
    m->nparams = nw - 1;
    m->params = asm_xrealloc(NULL, (nw - 1) * sizeof *m->params);
    for (size_t i = 1; i < nw; i++)
        m->params[i - 1] = words[i];
    m->file = c->line_file;
    m->line = c->line_no;
    m->col = name_col;
    c->defining = m;
}

void asm_macro_line(asm_ctx *c)
{
    char dir[16];
    asm_raw_directive(c->line, c->linelen, dir, sizeof dir, NULL);
    if (strcmp(dir, ".macro") == 0)
        c->defining_depth++;
    else if (strcmp(dir, ".endm") == 0 && --c->defining_depth == 0) {
        c->defining = NULL;
        return;
    }
    macro *m = c->defining;
    if (!m)
        return;
    while (m->len + c->linelen + 1 > m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->body = asm_xrealloc(m->body, m->cap);
    }
    memcpy(m->body + m->len, c->line, c->linelen);
    m->len += c->linelen;
    m->body[m->len++] = '\n';
}

void asm_expand_macro(asm_ctx *c, const asm_stmt *st, const macro *m)
{
    size_t depth = 0;
    for (size_t i = 0; i < c->nsrc; i++)
        depth += c->src[i].mac != NULL;
    if (depth >= MAX_MACRO_DEPTH) {
        bool on_stack = false;
        for (size_t i = 0; i < c->nsrc; i++)
            on_stack |= c->src[i].mac == m;
        if (on_stack)
            err(c, st->col, "macro expansion deeper than %d levels ('%s' is already being expanded: a recursive macro?)",
                MAX_MACRO_DEPTH, m->name);
        else
            err(c, st->col, "macro expansion deeper than %d levels", MAX_MACRO_DEPTH);
        c->abandon = true;      /* done in next_line: this line's text is still in use */
        return;
    }
    if (++c->expansions > MAX_EXPANSIONS) {
        if (c->expansions == MAX_EXPANSIONS + 1ul)     /* once: every later use would say the same */
            err(c, st->col, "too many macro expansions (more than %d)", MAX_EXPANSIONS);
        return;
    }
    if (st->nops != m->nparams) {
        err(c, st->nops ? st->ops[0].col : st->col, "macro '%s' expects %zu argument%s, got %zu", m->name,
            m->nparams, m->nparams == 1 ? "" : "s", st->nops);
        return;
    }
    size_t cap = m->len + 64, n = 0;
    char *out = asm_xrealloc(NULL, cap);
    char num[24];
    snprintf(num, sizeof num, "%lu", c->expansions);
    for (size_t i = 0; i < m->len;) {
        const char *rep = NULL;
        size_t replen = 0, skip = 1;
        if (m->body[i] == '\\' && i + 1 < m->len && m->body[i + 1] == '@') {
            rep = num; replen = strlen(num); skip = 2;
        } else if (m->body[i] == '\\' && i + 1 < m->len && asm_ident_start(m->body[i + 1])) {
            size_t j = i + 1;
            while (j < m->len && asm_ident_char(m->body[j]))
                j++;
            for (size_t k = 0; k < m->nparams; k++)
                if (strlen(m->params[k]) == j - i - 1 && strncmp(m->params[k], m->body + i + 1, j - i - 1) == 0) {
                    const asm_operand *op = &st->ops[k];
                    rep = c->line + op->col - 1;
                    replen = (size_t)(op->endcol - op->col);
                    skip = j - i;
                }
            if (!rep) {
                err(c, st->col, "macro '%s' uses unknown parameter '\\%.*s'", m->name, (int)(j - i - 1), m->body + i + 1);
                free(out);
                return;
            }
        }
        if (!rep) {
            rep = m->body + i;
            replen = 1;
        }
        if (n + replen > MAX_EXPANSION_LEN) {
            err(c, st->col, "expansion of macro '%s' is too large (over 1 MiB)", m->name);
            free(out);
            return;
        }
        while (n + replen > cap) {
            cap *= 2;
            out = asm_xrealloc(out, cap);
        }
        memcpy(out + n, rep, replen);
        n += replen;
        i += skip;
    }
    if (c->expanded + n > MAX_EXPANDED_TOTAL) {
        if (!c->expand_overflow)
            err(c, st->col, "macro expansions make more than %u MiB of text in all (runaway macros?)",
                MAX_EXPANDED_TOTAL >> 20);
        c->expand_overflow = true;
        free(out);
        return;
    }
    c->expanded += n;
    push_source(c, out, n, m->file, NULL, m, m->line);
    c->src[c->nsrc - 1].inv_col = st->col;
}
