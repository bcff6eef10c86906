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
#include "asm/asm_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "asm/parser.h"
#include "isa/isa.h"

#define MAX_ERRORS        100
#define MAX_INCLUDE_DEPTH 32
#define MAX_MACRO_DEPTH   32
#define MAX_EXPANSIONS    100000
#define MAX_EXPANSION_LEN (1u << 20)
#define MAX_COND_DEPTH    64
#define MAX_SOURCE_SIZE   (64u << 20)
#define MAX_SPACE         (16u << 20)
/* Budgets per pass, so that a small source cannot make the assembler work
 * for minutes or eat the host's memory: text from macro expansions, text
 * read by .include, and bytes of output. */
#define MAX_EXPANDED_TOTAL (16u << 20)
#define MAX_INCLUDED_TOTAL (64u << 20)
#define MAX_OUTPUT_TOTAL   (64u << 20)
#define DEFAULT_ORIGIN    0x1000u
#define SHOW_WIDTH        120     /* columns of a long source line shown under a diagnostic */

typedef enum { MODE_NOW, MODE_FINAL } eval_mode;

typedef struct {
    char *name;
    int64_t value;
    bool known;          /* value is known (an .equ of a forward reference is not, in pass 1) */
    int def_pass;        /* pass of the last definition; 0 = never defined */
    bool label, global, redefinable;
    int file, line, col; /* where defined (files[] index) */
    int gfile, gline, gcol; /* where .global named it */
} symbol;

typedef struct {
    int64_t num;
    uint32_t *addrs; size_t n, cap;   /* definitions in pass 1 */
    size_t seen;                      /* definitions met so far in this pass */
} numlabel;

typedef struct {
    char *name;
    char **params; size_t nparams;
    char *body; size_t len, cap;
    int file, line, col; /* the .macro line */
} macro;

typedef struct {
    char *text; size_t len, pos;
    int file;            /* files[] index */
    int line;            /* line number of the line last read */
    char *path;          /* for include loop detection; NULL for macros */
    bool borrowed;       /* text belongs to the file texts (ftext), not to this source */
    const macro *mac;    /* expansion of this macro, else NULL */
    int inv_file, inv_line, inv_col;
    size_t cond_base;    /* conditional depth when this file was entered */
} source;

typedef struct {
    bool parent_active, active, taken, in_else;
    int file, line, col;
} cond;

typedef struct {
    uint32_t addr;
    uint8_t *data; size_t size, cap;
    size_t seq;          /* creation order, to tell which of two overlapping segments came later */
    int file, line, col; /* the line whose bytes started the segment */
} segment;

/* A source file's text, kept for the whole run so that a diagnostic about
 * any earlier line (an unclosed .if, a previous definition) can show it. */
typedef struct {
    char *text; size_t len;
    size_t *starts; size_t nstarts;    /* line start offsets, built on first use */
} file_text;

/* Positions in an array, by hash: open addressing, at most half full, -1 = empty.
 * Lookups stay O(1) however many macros or numeric labels a source defines. */
typedef struct {
    int *slot; size_t cap;
} hindex;

struct asm_ctx {
    const asm_options *opt;
    FILE *diag;
    int pass;
    int quiet;           /* > 0: a trial evaluation, report nothing */
    int errors;
    bool stop;

    char **files; size_t nfiles;
    file_text *ftext; size_t nftext;   /* parallel to files[] (which build_image hands over) */

    source *src; size_t nsrc;
    cond *conds; size_t nconds, capconds;

    symbol *syms; size_t nsyms, capsyms;
    int *buckets; size_t nbuckets;     /* hash of syms by lower-case name; -1 = empty */
    numlabel *nums; size_t nnums, capnums;
    hindex num_index;                  /* nums by number */
    macro **macros; size_t nmacros, capmacros;  /* each macro has its own block: sources point at it */
    hindex macro_index;                /* macros by lower-case name */
    macro *defining;                   /* collecting a .macro body */
    int defining_depth;
    unsigned long expansions;
    size_t expanded, included, output;  /* against the MAX_*_TOTAL budgets */
    bool expand_overflow, include_overflow, output_overflow;
    bool abandon;                      /* drop the expansion in progress (too deep) */

    uint32_t pc;
    bool pc_overflow;
    bool pc_end;         /* the last byte emitted was at 0xffffffff: pc wrapped to 0 */
    int mac_file, mac_line, mac_col;   /* the open .macro, for ".macro without .endm" */
    bool emitted_any;
    uint32_t first_addr;
    segment *segs; size_t nsegs;
    image_line *lines; size_t nlines, caplines;

    /* the line being assembled */
    const char *line; size_t linelen;
    int line_file, line_no;
    int stmt_col;        /* the statement's column, for errors found while emitting its bytes */
    uint32_t line_start_pc;
    size_t line_seg, line_seg_off;
    bool line_recorded, line_is_code;
};

/* ---- small helpers ------------------------------------------------------ */
static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "traplab: out of memory\n");
        abort();
    }
    return q;
}

#define GROW(arr, n, cap) do { if ((n) >= (cap)) { (cap) = (cap) ? 2 * (cap) : 8; \
    (arr) = xrealloc((arr), (cap) * sizeof *(arr)); } } while (0)

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static char *xstrndup(const char *s, size_t n)
{
    char *d = xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

static int file_index(asm_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->nfiles; i++)
        if (strcmp(c->files[i], name) == 0)
            return (int)i;
    c->files = xrealloc(c->files, (c->nfiles + 1) * sizeof *c->files);
    c->ftext = xrealloc(c->ftext, (c->nfiles + 1) * sizeof *c->ftext);
    c->files[c->nfiles] = xstrdup(name);
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
        f->starts = xrealloc(NULL, n * sizeof *f->starts);
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
enum { D_ERROR, D_WARNING, D_NOTE };

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

static void report(asm_ctx *c, int kind, int file, int line, int col, const char *fmt, ...)
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
    report(c, D_NOTE, c->src[inner].inv_file, c->src[inner].inv_line, c->src[inner].inv_col,
           "in expansion of macro '%s'", c->src[inner].mac->name);
    if (outer != inner)
        report(c, D_NOTE, c->src[outer].inv_file, c->src[outer].inv_line, c->src[outer].inv_col,
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

static void warn_col(asm_ctx *c, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline_diag(c, D_WARNING, col, fmt, ap);
    va_end(ap);
}

#define err asm_error_col

/* ---- expressions -------------------------------------------------------- */
asm_expr *asm_expr_new(asm_exkind k, int col)
{
    asm_expr *e = xrealloc(NULL, sizeof *e);
    memset(e, 0, sizeof *e);
    e->kind = k;
    e->col = col;
    e->depth = 1;
    return e;
}

asm_expr *asm_expr_op(asm_exkind k, int op, int col, asm_expr *a, asm_expr *b, asm_expr *c)
{
    asm_expr *e = asm_expr_new(k, col);
    e->op = op;
    e->a = a; e->b = b; e->c = c;
    int d = 0;
    if (a && a->depth > d) d = a->depth;
    if (b && b->depth > d) d = b->depth;
    if (c && c->depth > d) d = c->depth;
    e->depth = d + 1;
    return e;
}

void asm_expr_free(asm_expr *e)
{
    if (!e)
        return;
    asm_expr_free(e->a);
    asm_expr_free(e->b);
    asm_expr_free(e->c);
    free(e->name);
    free(e);
}

static size_t hash_name(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)*s;
    return h;
}

static size_t hash_lower(const char *s)
{
    size_t h = 5381;
    for (; *s; s++)
        h = h * 33 + (unsigned char)tolower((unsigned char)*s);
    return h;
}

static size_t hash_num(int64_t n)
{
    uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ull;
    return (size_t)(h ^ (h >> 29));
}

static void hindex_put(hindex *h, size_t hash, int k)
{
    size_t i = hash & (h->cap - 1);
    while (h->slot[i] >= 0)
        i = (i + 1) & (h->cap - 1);
    h->slot[i] = k;
}

static void hindex_clear(hindex *h)
{
    for (size_t i = 0; i < h->cap; i++)
        h->slot[i] = -1;
}

/* Makes room for entry n (entries 0..n-1 exist); hash_of(c, k) rehashes entry k. */
static void hindex_reserve(asm_ctx *c, hindex *h, size_t n, size_t (*hash_of)(const asm_ctx *, size_t))
{
    if (2 * (n + 1) <= h->cap)
        return;
    free(h->slot);
    h->cap = h->cap ? 2 * h->cap : 256;
    h->slot = xrealloc(NULL, h->cap * sizeof *h->slot);
    hindex_clear(h);
    for (size_t k = 0; k < n; k++)
        hindex_put(h, hash_of(c, k), (int)k);
}

static symbol *find_sym(asm_ctx *c, const char *name)
{
    if (!c->nbuckets)
        return NULL;
    for (size_t i = hash_name(name) & (c->nbuckets - 1);; i = (i + 1) & (c->nbuckets - 1)) {
        int k = c->buckets[i];
        if (k < 0)
            return NULL;
        if (strcmp(c->syms[k].name, name) == 0)
            return &c->syms[k];
    }
}

static symbol *add_sym(asm_ctx *c, const char *name)
{
    symbol *s = find_sym(c, name);
    if (s)
        return s;
    if (2 * (c->nsyms + 1) > c->nbuckets) {
        size_t nb = c->nbuckets ? 2 * c->nbuckets : 256;
        free(c->buckets);
        c->buckets = xrealloc(NULL, nb * sizeof *c->buckets);
        for (size_t i = 0; i < nb; i++)
            c->buckets[i] = -1;
        c->nbuckets = nb;
        for (size_t k = 0; k < c->nsyms; k++) {
            size_t i = hash_name(c->syms[k].name) & (nb - 1);
            while (c->buckets[i] >= 0)
                i = (i + 1) & (nb - 1);
            c->buckets[i] = (int)k;
        }
    }
    GROW(c->syms, c->nsyms, c->capsyms);
    s = &c->syms[c->nsyms];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    size_t i = hash_name(name) & (c->nbuckets - 1);
    while (c->buckets[i] >= 0)
        i = (i + 1) & (c->nbuckets - 1);
    c->buckets[i] = (int)c->nsyms++;
    return s;
}

static size_t num_hash_of(const asm_ctx *c, size_t k) { return hash_num(c->nums[k].num); }

static numlabel *find_num(asm_ctx *c, int64_t n, bool create)
{
    if (c->num_index.cap)
        for (size_t i = hash_num(n) & (c->num_index.cap - 1);; i = (i + 1) & (c->num_index.cap - 1)) {
            int k = c->num_index.slot[i];
            if (k < 0)
                break;
            if (c->nums[k].num == n)
                return &c->nums[k];
        }
    if (!create)
        return NULL;
    hindex_reserve(c, &c->num_index, c->nnums, num_hash_of);
    GROW(c->nums, c->nnums, c->capnums);
    numlabel *l = &c->nums[c->nnums];
    memset(l, 0, sizeof *l);
    l->num = n;
    hindex_put(&c->num_index, hash_num(n), (int)c->nnums++);
    return l;
}

/*
 * Evaluates e.  Returns false after reporting an error.  *known is false when
 * a symbol is not (yet) defined: in MODE_NOW that means "not defined earlier
 * in this pass"; in pass 2 MODE_FINAL it is an error.
 */
static bool eval(asm_ctx *c, const asm_expr *e, eval_mode mode, int64_t *out, bool *known)
{
    int64_t a = 0, b = 0;
    bool ka = true, kb = true;
    *out = 0;
    *known = true;
    switch (e->kind) {
    case EX_NUM: *out = e->num; return true;
    case EX_DOT: *out = c->line_start_pc; return true;
    case EX_SYM: {
        symbol *s = find_sym(c, e->name);
        bool ok = s && s->known && s->def_pass > 0 && (mode == MODE_FINAL || s->def_pass == c->pass);
        if (!ok) {
            *known = false;
            if (mode == MODE_FINAL && c->pass == 2) {
                if (isa_parse_reg(e->name) >= 0)
                    err(c, e->col, "register '%s' cannot be used as a value here", e->name);
                else if (s && s->def_pass > 0 && !s->known)
                    err(c, e->col, "the value of '%s' depends on a symbol defined after it", e->name);
                else
                    err(c, e->col, "undefined symbol '%s'", e->name);
                return false;
            }
            return true;
        }
        *out = s->value;
        return true;
    }
    case EX_LOCAL: {
        numlabel *l = find_num(c, e->num, false);
        size_t idx = l ? l->seen : 0;
        if (e->forward) {
            if (l && idx < l->n && (c->pass == 2 && mode == MODE_FINAL)) {
                *out = l->addrs[idx];
                return true;
            }
        } else if (l && idx > 0) {
            *out = l->addrs[idx - 1];
            return true;
        }
        *known = false;
        if (mode == MODE_FINAL && c->pass == 2) {
            err(c, e->col, "no local label '%lld' %s this line", (long long)e->num,
                e->forward ? "after" : "before");
            return false;
        }
        return true;
    }
    case EX_CALL: {
        bool hi = strcasecmp(e->name, "hi") == 0, lo = strcasecmp(e->name, "lo") == 0;
        if (!hi && !lo) {
            err(c, e->col, "unknown function '%s' (there are hi() and lo())", e->name);
            return false;
        }
        if (!eval(c, e->a, mode, &a, known))
            return false;
        uint32_t v = (uint32_t)a;
        *out = hi ? (int64_t)(v >> 12) : (int64_t)(v & 0xfff);
        return true;
    }
    case EX_UNARY:
        if (!eval(c, e->a, mode, &a, known))
            return false;
        *out = e->op == '-' ? (int64_t)(0 - (uint64_t)a) : e->op == '~' ? ~a : !a;
        return true;
    case EX_COND:
        if (!eval(c, e->a, mode, &a, &ka))
            return false;
        if (!ka) {
            *known = false;
            return true;
        }
        return eval(c, a ? e->b : e->c, mode, out, known);
    case EX_BINARY:
        break;
    }
    if (!eval(c, e->a, mode, &a, &ka) || !eval(c, e->b, mode, &b, &kb))
        return false;
    if (!ka || !kb) {
        *known = false;
        return true;
    }
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (e->op) {
    case '*': *out = (int64_t)(ua * ub); break;
    case '/': case '%':
        if (b == 0) {
            err(c, e->col, "division by zero in expression");
            return false;
        }
        if (a == INT64_MIN && b == -1)
            *out = e->op == '/' ? INT64_MIN : 0;
        else
            *out = e->op == '/' ? a / b : a % b;
        break;
    case '+': *out = (int64_t)(ua + ub); break;
    case '-': *out = (int64_t)(ua - ub); break;
    case SHL: case SHR:
        if (b < 0 || b > 63) {
            err(c, e->col, "shift count %lld is out of range (0..63)", (long long)b);
            return false;
        }
        *out = e->op == SHL ? (int64_t)(ua << b) : a >> b;
        break;
    case '<': *out = a < b; break;
    case LE: *out = a <= b; break;
    case '>': *out = a > b; break;
    case GE: *out = a >= b; break;
    case EQ: *out = a == b; break;
    case NE: *out = a != b; break;
    case '&': *out = a & b; break;
    case '^': *out = a ^ b; break;
    case '|': *out = a | b; break;
    case ANDAND: *out = a && b; break;
    case OROR: *out = a || b; break;
    default: *out = 0; break;
    }
    return true;
}

static bool check_depth(asm_ctx *c, const asm_expr *e)
{
    if (e && e->depth > ASM_MAX_EXPR_DEPTH) {
        err(c, e->col, "expression too deeply nested (more than %d levels)", ASM_MAX_EXPR_DEPTH);
        return false;
    }
    return true;
}

/* A value that must be known at this point of the pass (it decides sizes). */
static bool value_now(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v)
{
    bool known;
    if (op->kind != OPND_EXPR) {
        err(c, op->col, "%s needs a number", what);
        return false;
    }
    if (!check_depth(c, op->e) || !eval(c, op->e, MODE_NOW, v, &known))
        return false;
    if (!known) {
        err(c, op->col, "%s needs a value known here; define its symbols before this line", what);
        return false;
    }
    return true;
}

/* A value that may use symbols defined anywhere (0 in pass 1 if not yet known). */
static bool value_final(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v)
{
    bool known;
    if (op->kind == OPND_STRING) {
        err(c, op->col, "%s needs a number, not a string", what);
        return false;
    }
    if (op->kind == OPND_MEM) {
        err(c, op->col, "%s needs a number, not a memory operand", what);
        return false;
    }
    if (!check_depth(c, op->e))
        return false;
    return eval(c, op->e, MODE_FINAL, v, &known);
}

/* ---- output -------------------------------------------------------------- */
static void emit(asm_ctx *c, const uint8_t *bytes, size_t n)
{
    if (n == 0)
        return;
    /* pc_end: the previous byte went to 0xffffffff and pc wrapped to 0; the
     * next byte would silently land at address 0. */
    if (c->pc_end || (uint64_t)c->pc + n > 0x100000000ull) {
        if (!c->pc_overflow)
            err(c, c->stmt_col, "code runs past the end of the 32-bit address space (0xffffffff)");
        c->pc_overflow = true;
        return;
    }
    if (c->output_overflow)
        return;
    if (c->output + n > MAX_OUTPUT_TOTAL) {
        err(c, c->stmt_col, "the program is larger than %u MiB (check .space and .org)", MAX_OUTPUT_TOTAL >> 20);
        c->output_overflow = true;
        return;
    }
    c->output += n;
    if (!c->emitted_any) {
        c->emitted_any = true;
        c->first_addr = c->pc;
    }
    if (c->pass == 2) {
        segment *s = c->nsegs ? &c->segs[c->nsegs - 1] : NULL;
        if (!s || s->addr + s->size != c->pc) {
            c->segs = xrealloc(c->segs, (c->nsegs + 1) * sizeof *c->segs);
            s = &c->segs[c->nsegs];
            memset(s, 0, sizeof *s);
            s->addr = c->pc;
            s->seq = c->nsegs++;
            s->file = c->line_file;
            s->line = c->line_no;
            s->col = c->stmt_col;
        }
        if (!c->line_recorded) {
            c->line_recorded = true;
            c->line_seg = c->nsegs - 1;
            c->line_seg_off = s->size;
            GROW(c->lines, c->nlines, c->caplines);
            /* emit_insn marks a line as code before its first byte. */
            c->lines[c->nlines++] = (image_line){ c->pc, (uint32_t)c->line_file, (uint32_t)c->line_no,
                                                  !c->line_is_code };
        }
        while (s->size + n > s->cap) {
            s->cap = s->cap ? 2 * s->cap : 256;
            s->data = xrealloc(s->data, s->cap);
        }
        if (bytes)
            memcpy(s->data + s->size, bytes, n);
        else
            memset(s->data + s->size, 0, n);
        s->size += n;
    }
    c->pc += (uint32_t)n;
    c->pc_end = c->pc == 0;
}

static void emit_word(asm_ctx *c, uint32_t w)
{
    uint8_t b[4] = { w & 0xff, (w >> 8) & 0xff, (w >> 16) & 0xff, w >> 24 };
    emit(c, b, 4);
}

static void emit_insn(asm_ctx *c, isa_opcode op, unsigned rd, unsigned rs1, unsigned rs2, int32_t imm)
{
    if (c->pc % 4 && !c->line_is_code)
        err(c, c->stmt_col, "instruction at unaligned address 0x%x (add '.align 4' before it)", c->pc);
    c->line_is_code = true;
    isa_operands o = { rd, rs1, rs2, imm };
    emit_word(c, isa_encode(isa_lookup_opcode(op), &o));
}

/* ---- operands ----------------------------------------------------------- */
static const char *bare_name(const asm_operand *op)
{
    return op->kind == OPND_EXPR && op->e->kind == EX_SYM && !op->e->paren ? op->e->name : NULL;
}

static bool want_reg(asm_ctx *c, const asm_operand *op, const char *mn, const char *syntax, unsigned *r)
{
    const char *name = bare_name(op);
    if (!name) {
        err(c, op->col, "'%s' expects %s; this operand must be a register", mn, syntax);
        return false;
    }
    int n = isa_parse_reg(name);
    if (n < 0) {
        if (isa_parse_cr(name) >= 0)
            err(c, op->col, "'%s' is a control register; read it with mfcr, write it with mtcr", name);
        else
            err(c, op->col, "unknown register '%s' (registers are r0..r15, zero, a0-a3, s0-s5, at, fp, sp, lr, k0)", name);
        return false;
    }
    *r = (unsigned)n;
    return true;
}

/* "status, tvb, ptb, ...": the control registers, from the ISA table. */
static void cr_list(char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (unsigned i = 0; i < ISA_NUM_CRS && k < n; i++)
        if (isa_cr_name(i))
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? ", " : "", isa_cr_name(i));
}

static bool want_cr(asm_ctx *c, const asm_operand *op, unsigned *r)
{
    const char *name = bare_name(op);
    int n = name ? isa_parse_cr(name) : -1;
    char list[160];
    if (n >= 0) {
        *r = (unsigned)n;
        return true;
    }
    /* A number is accepted too, and "cr12" (how the disassembler spells a
     * number), but only for a control register that exists. */
    int64_t v = 0;
    bool numeric = false;
    unsigned num;
    char extra;
    if (name && name[0] == 'c' && name[1] == 'r' && isdigit((unsigned char)name[2])
        && sscanf(name, "cr%u%c", &num, &extra) == 1) {
        v = num;
        numeric = true;
    } else if (!name && op->kind == OPND_EXPR) {
        bool known;
        if (!check_depth(c, op->e) || !eval(c, op->e, MODE_NOW, &v, &known))
            return false;
        if (!known) {
            err(c, op->col, "a control register number needs a value known here; define its symbols before this line");
            return false;
        }
        numeric = true;
    }
    cr_list(list, sizeof list);
    if (numeric) {
        if (v >= 0 && v < ISA_NUM_CRS && isa_cr_name((unsigned)v)) {
            *r = (unsigned)v;
            return true;
        }
        err(c, op->col, "no control register %lld; they are %s", (long long)v, list);
        return false;
    }
    err(c, op->col, "unknown control register '%s' (there are %s)", name ? name : "?", list);
    return false;
}

static bool fits(asm_ctx *c, const asm_operand *op, int64_t v, int64_t lo, int64_t hi, const char *what)
{
    if (v >= lo && v <= hi)
        return true;
    err(c, op->col, "%s %lld does not fit in %s (%lld..%lld)", what, (long long)v,
        lo < 0 ? (hi == ISA_SIMM18_MAX ? "a signed 18-bit field" : "a signed field")
               : hi == ISA_UIMM18_MAX ? "an unsigned 18-bit field"
               : hi == ISA_UIMM20_MAX ? "an unsigned 20-bit field" : "the field",
        (long long)lo, (long long)hi);
    return false;
}

static bool want_imm(asm_ctx *c, const asm_operand *op, isa_format f, int32_t *imm)
{
    int64_t v;
    if (!value_final(c, op, "an immediate", &v))
        return false;
    switch (f) {
    case FMT_I: case FMT_LOAD: case FMT_STORE:
        if (!fits(c, op, v, ISA_SIMM18_MIN, ISA_SIMM18_MAX, "immediate"))
            return false;
        break;
    case FMT_IU:
        if (!fits(c, op, v, 0, ISA_UIMM18_MAX, "immediate"))
            return false;
        break;
    case FMT_SH:
        if (v < 0 || v > 31) {
            err(c, op->col, "shift amount %lld is out of range (0..31)", (long long)v);
            return false;
        }
        break;
    case FMT_U:
        if (!fits(c, op, v, 0, ISA_UIMM20_MAX, "immediate"))
            return false;
        break;
    case FMT_PIN: case FMT_POUT:
        if (v < 0 || v > ISA_UIMM18_MAX) {
            err(c, op->col, "port %lld does not exist (ports are 0..%d)", (long long)v, ISA_UIMM18_MAX);
            return false;
        }
        break;
    default: break;
    }
    *imm = (int32_t)v;
    return true;
}

/* off(rs1), (rs1), or sym(rs1) (which the grammar reads as a call). */
static bool want_mem(asm_ctx *c, const asm_operand *op, const char *mn, const char *syntax,
                     int32_t *imm, unsigned *base)
{
    asm_operand off = *op, reg = *op;
    asm_expr tmp;
    if (op->kind == OPND_MEM) {
        reg.kind = OPND_EXPR;
        reg.e = op->base;
        off.kind = OPND_EXPR;
    } else if (op->kind == OPND_EXPR && op->e->kind == EX_SYM && op->e->paren) {
        reg.e = op->e;
        tmp = *op->e;
        tmp.paren = false;
        reg.e = &tmp;
        off.e = NULL;
    } else if (op->kind == OPND_EXPR && op->e->kind == EX_CALL && strcasecmp(op->e->name, "hi") != 0
               && strcasecmp(op->e->name, "lo") != 0) {
        tmp = (asm_expr){ .kind = EX_SYM, .name = op->e->name, .col = op->e->col, .depth = 1 };
        reg.e = op->e->a;
        off.e = &tmp;
    } else {
        err(c, op->col, "'%s' expects %s; this operand must be offset(register)", mn, syntax);
        return false;
    }
    reg.col = reg.e->col;
    if (!want_reg(c, &reg, mn, syntax, base))
        return false;
    if (!off.e) {
        *imm = 0;
        return true;
    }
    return want_imm(c, &off, FMT_LOAD, imm);
}

static bool want_target(asm_ctx *c, const asm_operand *op, isa_format f, const char *mn, int32_t *imm)
{
    int64_t v;
    if (!value_final(c, op, "a branch target", &v))
        return false;
    if (c->pass == 1) {
        *imm = 0;
        return true;
    }
    /* Addresses wrap at 4 GiB, as the processor's pc does. */
    int64_t diff = (int32_t)((uint32_t)v - c->pc);
    if (diff % 4) {
        err(c, op->col, "branch target 0x%llx is not word-aligned", (long long)v);
        return false;
    }
    int64_t words = diff / 4;
    int64_t lo = f == FMT_J ? ISA_SOFF26_MIN : ISA_SIMM18_MIN, hi = f == FMT_J ? ISA_SOFF26_MAX : ISA_SIMM18_MAX;
    if (words < lo || words > hi) {
        err(c, op->col, "branch target out of range: 0x%llx is %lld words away; '%s' reaches %lld..%lld words",
            (long long)v, (long long)words, mn, (long long)lo, (long long)hi);
        return false;
    }
    *imm = (int32_t)words;
    return true;
}

static bool count_ok(asm_ctx *c, const asm_stmt *st, size_t n, const char *syntax)
{
    if (st->nops == n)
        return true;
    if (n == 0)
        err(c, st->col, "'%s' takes no operands", st->name);
    else
        err(c, st->nops ? st->ops[0].col : st->col, "'%s' expects %s", st->name, syntax);
    return false;
}

static void assemble_insn(asm_ctx *c, const asm_stmt *st, const isa_insn *in)
{
    const char *syn = isa_format_syntax(in->format), *mn = st->name;
    static const size_t nops[FMT_COUNT] = {
        [FMT_R] = 3, [FMT_I] = 3, [FMT_IU] = 3, [FMT_SH] = 3, [FMT_U] = 2, [FMT_LOAD] = 2,
        [FMT_STORE] = 2, [FMT_B] = 3, [FMT_J] = 1, [FMT_N] = 0, [FMT_R1] = 1, [FMT_CRR] = 2,
        [FMT_CRW] = 2, [FMT_PIN] = 2, [FMT_POUT] = 2,
    };
    if (!count_ok(c, st, nops[in->format], syn))
        return;
    const asm_operand *o = st->ops;
    unsigned rd = 0, rs1 = 0, rs2 = 0;
    int32_t imm = 0;
    bool ok = true;
    switch (in->format) {
    case FMT_R:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_reg(c, &o[1], mn, syn, &rs1) && want_reg(c, &o[2], mn, syn, &rs2);
        break;
    case FMT_I: case FMT_IU: case FMT_SH:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_reg(c, &o[1], mn, syn, &rs1) && want_imm(c, &o[2], in->format, &imm);
        break;
    case FMT_U:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_imm(c, &o[1], FMT_U, &imm);
        break;
    case FMT_LOAD:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_mem(c, &o[1], mn, syn, &imm, &rs1);
        break;
    case FMT_STORE:
        ok = want_reg(c, &o[0], mn, syn, &rs2) && want_mem(c, &o[1], mn, syn, &imm, &rs1);
        break;
    case FMT_B:
        ok = want_reg(c, &o[0], mn, syn, &rs1) && want_reg(c, &o[1], mn, syn, &rs2)
             && want_target(c, &o[2], FMT_B, mn, &imm);
        break;
    case FMT_J:
        ok = want_target(c, &o[0], FMT_J, mn, &imm);
        break;
    case FMT_N:
        break;
    case FMT_R1:
        ok = want_reg(c, &o[0], mn, syn, &rd);
        break;
    case FMT_CRR:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_cr(c, &o[1], &rs1);
        break;
    case FMT_CRW:
        ok = want_cr(c, &o[0], &rd) && want_reg(c, &o[1], mn, syn, &rs1);
        break;
    case FMT_PIN:
        ok = want_reg(c, &o[0], mn, syn, &rd) && want_imm(c, &o[1], FMT_PIN, &imm);
        break;
    case FMT_POUT:
        ok = want_reg(c, &o[0], mn, syn, &rs1) && want_imm(c, &o[1], FMT_POUT, &imm);
        break;
    case FMT_COUNT:
        break;
    }
    (void)ok;   /* on an error the word is still emitted, so later addresses stay right */
    emit_insn(c, (isa_opcode)in->opcode, rd, rs1, rs2, imm);
}

/* ---- pseudo-instructions ------------------------------------------------ */
typedef void pseudo_fn(asm_ctx *c, const asm_stmt *st, const char *syntax);

typedef struct {
    const char *name;
    const char *syntax;
    size_t nops;
    pseudo_fn *fn;
    const char *expansion;    /* for docs and --help */
} pseudo;

static bool regs(asm_ctx *c, const asm_stmt *st, const char *syn, size_t n, unsigned *r)
{
    for (size_t i = 0; i < n; i++)
        if (!want_reg(c, &st->ops[i], st->name, syn, &r[i]))
            return false;
    return true;
}

static void li_words(asm_ctx *c, unsigned rd, uint32_t v)
{
    emit_insn(c, OP_LUI, rd, 0, 0, (int32_t)(v >> 12));
    emit_insn(c, OP_ORI, rd, rd, 0, (int32_t)(v & 0xfff));
}

static bool word_value(asm_ctx *c, const asm_operand *op, int64_t v)
{
    if (v < INT32_MIN || v > (int64_t)UINT32_MAX) {
        err(c, op->col, "value %lld does not fit in 32 bits", (long long)v);
        return false;
    }
    return true;
}

static void p_li(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned rd = 0;
    int64_t v = 0;
    bool known = false;
    if (!want_reg(c, &st->ops[0], st->name, syn, &rd))
        rd = 0;
    const asm_operand *op = &st->ops[1];
    if (op->kind == OPND_EXPR && op->e->depth <= ASM_MAX_EXPR_DEPTH) {
        /* Quietly: the evaluation below reports any error once. */
        c->quiet++;
        if (!eval(c, op->e, MODE_NOW, &v, &known))
            known = false;
        c->quiet--;
        if (known && v >= ISA_SIMM18_MIN && v <= ISA_SIMM18_MAX) {
            emit_insn(c, OP_ADDI, rd, 0, 0, (int32_t)v);
            return;
        }
    }
    if (!value_final(c, op, "'li'", &v) || !word_value(c, op, v))
        v = 0;
    li_words(c, rd, (uint32_t)v);
}

static void p_la(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned rd = 0;
    int64_t v = 0;
    if (!want_reg(c, &st->ops[0], st->name, syn, &rd))
        rd = 0;
    if (!value_final(c, &st->ops[1], "'la'", &v) || !word_value(c, &st->ops[1], v))
        v = 0;
    li_words(c, rd, (uint32_t)v);
}

static void p_mov(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r[2] = { 0, 0 };
    regs(c, st, syn, 2, r);
    emit_insn(c, OP_ADD, r[0], r[1], 0, 0);
}

static void p_nop(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    (void)st; (void)syn;
    emit_insn(c, OP_ADD, 0, 0, 0, 0);
}

static void p_not(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r[2] = { 0, 0 };
    regs(c, st, syn, 2, r);
    emit_insn(c, OP_SUB, r[0], 0, r[1], 0);
    emit_insn(c, OP_ADDI, r[0], r[0], 0, -1);
}

static void p_neg(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r[2] = { 0, 0 };
    regs(c, st, syn, 2, r);
    emit_insn(c, OP_SUB, r[0], 0, r[1], 0);
}

static void jump(asm_ctx *c, const asm_stmt *st, isa_opcode op)
{
    int32_t imm = 0;
    want_target(c, &st->ops[0], FMT_J, st->name, &imm);
    emit_insn(c, op, 0, 0, 0, imm);
}

static void p_call(asm_ctx *c, const asm_stmt *st, const char *syn) { (void)syn; jump(c, st, OP_JAL); }
static void p_b(asm_ctx *c, const asm_stmt *st, const char *syn) { (void)syn; jump(c, st, OP_J); }

static void p_ret(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    (void)st; (void)syn;
    emit_insn(c, OP_JALR, 0, REG_LR, 0, 0);
}

static void p_push(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r = 0;
    regs(c, st, syn, 1, &r);
    emit_insn(c, OP_ADDI, REG_SP, REG_SP, 0, -4);
    emit_insn(c, OP_SW, 0, REG_SP, r, 0);
}

static void p_pop(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r = 0;
    regs(c, st, syn, 1, &r);
    emit_insn(c, OP_LW, r, REG_SP, 0, 0);
    emit_insn(c, OP_ADDI, REG_SP, REG_SP, 0, 4);
}

static void branch(asm_ctx *c, const asm_stmt *st, const char *syn, isa_opcode op, bool zero, bool swap)
{
    unsigned r[2] = { 0, 0 };
    int32_t imm = 0;
    size_t nr = zero ? 1 : 2;
    if (regs(c, st, syn, nr, r))
        want_target(c, &st->ops[nr], FMT_B, st->name, &imm);
    if (swap)
        emit_insn(c, op, 0, r[1], r[0], imm);
    else
        emit_insn(c, op, 0, r[0], r[1], imm);
}

static void p_beqz(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BEQ, true, false); }
static void p_bnez(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BNE, true, false); }
static void p_bgt(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BLT, false, true); }
static void p_ble(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BGE, false, true); }
static void p_bgtu(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BLTU, false, true); }
static void p_bleu(asm_ctx *c, const asm_stmt *st, const char *syn) { branch(c, st, syn, OP_BGEU, false, true); }

static void p_jr(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r = 0;
    regs(c, st, syn, 1, &r);
    emit_insn(c, OP_JALR, 0, r, 0, 0);
}

static void p_callr(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned r = 0;
    regs(c, st, syn, 1, &r);
    emit_insn(c, OP_JALR, REG_LR, r, 0, 0);
}

static const pseudo pseudos[] = {
    { "li",    "rd, imm",          2, p_li,    "addi rd, zero, imm (if imm is known and fits 18 bits) or lui rd, hi(imm); ori rd, rd, lo(imm)" },
    { "la",    "rd, symbol",       2, p_la,    "lui rd, hi(sym); ori rd, rd, lo(sym)" },
    { "mov",   "rd, rs",           2, p_mov,   "add rd, rs, zero" },
    { "nop",   "",                 0, p_nop,   "add zero, zero, zero" },
    { "not",   "rd, rs",           2, p_not,   "sub rd, zero, rs; addi rd, rd, -1" },
    { "neg",   "rd, rs",           2, p_neg,   "sub rd, zero, rs" },
    { "call",  "label",            1, p_call,  "jal label" },
    { "ret",   "",                 0, p_ret,   "jalr zero, lr, 0" },
    { "push",  "rs",               1, p_push,  "addi sp, sp, -4; sw rs, 0(sp)" },
    { "pop",   "rd",               1, p_pop,   "lw rd, 0(sp); addi sp, sp, 4" },
    { "b",     "label",            1, p_b,     "j label" },
    { "beqz",  "rs, label",        2, p_beqz,  "beq rs, zero, label" },
    { "bnez",  "rs, label",        2, p_bnez,  "bne rs, zero, label" },
    { "bgt",   "rs1, rs2, label",  3, p_bgt,   "blt rs2, rs1, label" },
    { "ble",   "rs1, rs2, label",  3, p_ble,   "bge rs2, rs1, label" },
    { "bgtu",  "rs1, rs2, label",  3, p_bgtu,  "bltu rs2, rs1, label" },
    { "bleu",  "rs1, rs2, label",  3, p_bleu,  "bgeu rs2, rs1, label" },
    { "jr",    "rs",               1, p_jr,    "jalr zero, rs, 0" },
    { "callr", "rs",               1, p_callr, "jalr lr, rs, 0" },
};

static const pseudo *find_pseudo(const char *name)
{
    for (size_t i = 0; i < sizeof pseudos / sizeof pseudos[0]; i++)
        if (strcasecmp(pseudos[i].name, name) == 0)
            return &pseudos[i];
    return NULL;
}

/* ---- symbols and labels -------------------------------------------------- */
static void define(asm_ctx *c, const char *name, int col, int64_t v, bool known, bool label, bool redefinable)
{
    symbol *s = add_sym(c, name);
    if (s->def_pass == c->pass && !(redefinable && s->redefinable)) {
        err(c, col, "duplicate %s '%s'", label ? "label" : "definition of", name);
        report(c, D_NOTE, s->file, s->line, s->col, "previous definition of '%s' is here", name);
        return;
    }
    if (label && c->pass == 2 && s->def_pass == 1 && s->value != v)
        err(c, col, "internal error: label '%s' moved between passes (0x%llx -> 0x%llx)", name,
            (long long)s->value, (long long)v);
    s->value = v;
    s->known = known;
    s->def_pass = c->pass;
    s->label = label;
    s->redefinable = redefinable;
    s->file = c->line_file;
    s->line = c->line_no;
    s->col = col;
}

static void define_labels(asm_ctx *c, const asm_stmt *st)
{
    for (size_t i = 0; i < st->nlabels; i++) {
        const asm_label *l = &st->labels[i];
        if (l->numeric) {
            numlabel *n = find_num(c, strtoll(l->name, NULL, 10), true);
            if (c->pass == 1) {
                GROW(n->addrs, n->n, n->cap);
                n->addrs[n->n++] = c->pc;
            }
            n->seen++;
            continue;
        }
        if (isa_parse_reg(l->name) >= 0) {
            err(c, l->col, "'%s' is a register name and cannot be a label", l->name);
            continue;
        }
        define(c, l->name, l->col, c->pc, true, true, false);
    }
}

/* ---- sources ------------------------------------------------------------- */
static char *read_whole(const char *path, size_t *len, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xrealloc(NULL, cap);
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_SOURCE_SIZE) {
                snprintf(why, whylen, "file is larger than %u MiB", MAX_SOURCE_SIZE >> 20);
                free(buf);
                fclose(f);
                return NULL;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
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
    c->src = xrealloc(c->src, (c->nsrc + 1) * sizeof *c->src);
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
static void push_file(asm_ctx *c, int fi, char *text, size_t len, char *real)
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

static void pop_source(asm_ctx *c)
{
    source *s = &c->src[c->nsrc - 1];
    if (!s->mac && c->nconds > s->cond_base) {
        cond *k = &c->conds[s->cond_base];
        report(c, D_ERROR, k->file, k->line, k->col, ".if without .endif (the file ends first)");
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
        pop_source(c);
}

static bool next_line(asm_ctx *c)
{
    if (c->abandon)
        abandon_expansion(c);
    while (c->nsrc) {
        source *s = &c->src[c->nsrc - 1];
        if (s->pos >= s->len) {
            pop_source(c);
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
    return slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup(".");
}

static void do_include(asm_ctx *c, const asm_operand *op)
{
    if (op->kind != OPND_STRING || memchr(op->str, 0, op->len)) {
        err(c, op->col, "'.include' needs a file name in double quotes");
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
        char *p = xrealloc(NULL, n);
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
        real = xstrdup(found);
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
    char *text = read_whole(found, &len, why, sizeof why);
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
    int fi = file_index(c, found);
    free(found);
    push_file(c, fi, text, len, real);
}

/* ---- conditional assembly ---------------------------------------------- */
static bool active(const asm_ctx *c)
{
    return c->nconds == 0 || c->conds[c->nconds - 1].active;
}

static void push_cond(asm_ctx *c, bool parent, bool value, int col)
{
    if (c->nconds == MAX_COND_DEPTH)
        err(c, col, "conditional assembly nested too deeply (more than %d levels)", MAX_COND_DEPTH);
    GROW(c->conds, c->nconds, c->capconds);
    c->conds[c->nconds++] = (cond){ parent, parent && value, parent && value, false,
                                    c->line_file, c->line_no, col };
}

static bool cond_top(asm_ctx *c, const char *dir, int col)
{
    size_t base = c->nsrc ? c->src[c->nsrc - 1].cond_base : 0;
    if (c->nconds <= base) {
        err(c, col, "%s without .if", dir);
        return false;
    }
    return true;
}

/* The first word of a raw line when it is a directive, lower-cased ("" if not). */
static void raw_directive(const char *line, size_t len, char *out, size_t n, size_t *end)
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
static macro *find_macro(asm_ctx *c, const char *name)
{
    if (!c->macro_index.cap)
        return NULL;
    for (size_t i = hash_lower(name) & (c->macro_index.cap - 1);; i = (i + 1) & (c->macro_index.cap - 1)) {
        int k = c->macro_index.slot[i];
        if (k < 0)
            return NULL;
        if (strcasecmp(c->macros[k]->name, name) == 0)
            return c->macros[k];
    }
}

static size_t macro_hash_of(const asm_ctx *c, size_t k) { return hash_lower(c->macros[k]->name); }

static bool ident_start(char ch) { return isalpha((unsigned char)ch) || ch == '_'; }
static bool ident_char(char ch) { return isalnum((unsigned char)ch) || ch == '_' || ch == '$'; }

static void begin_macro(asm_ctx *c, size_t after)
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
        if (!ident_start(*p)) {
            err(c, (int)(p - c->line) + 1, "bad macro parameter: parameters are names");
            for (size_t i = 0; i < nw; i++) free(words[i]);
            c->defining = NULL;
            c->defining_depth = 1;   /* still skip to .endm */
            return;
        }
        while (p < end && ident_char(*p))
            p++;
        if (nw == 65) {
            err(c, (int)(s - c->line) + 1, "too many macro parameters (at most 64)");
            break;
        }
        if (nw == 0)
            name_col = (int)(s - c->line) + 1;
        words[nw++] = xstrndup(s, (size_t)(p - s));
    }
    c->defining_depth = 1;
    if (nw == 0) {
        err(c, (int)after + 1, "'.macro' needs a name");
        c->defining = NULL;
        return;
    }
    if (isa_lookup_mnemonic(words[0]) || find_pseudo(words[0])) {
        err(c, name_col, "macro '%s' would hide the instruction '%s'", words[0], words[0]);
        for (size_t i = 0; i < nw; i++) free(words[i]);
        c->defining = NULL;
        return;
    }
    macro *m = find_macro(c, words[0]);
    if (m) {
        if (c->pass == 2 && m->line > 0) {
            err(c, name_col, "duplicate macro '%s'", words[0]);
            report(c, D_NOTE, m->file, m->line, m->col, "previous definition of '%s' is here", words[0]);
        }
        for (size_t i = 0; i < nw; i++) free(words[i]);
        c->defining = NULL;
        return;
    }
    /* Not an array of macros: an expansion being read points at its macro,
     * and may define more macros while it runs. */
    hindex_reserve(c, &c->macro_index, c->nmacros, macro_hash_of);
    GROW(c->macros, c->nmacros, c->capmacros);
    m = c->macros[c->nmacros] = xrealloc(NULL, sizeof *m);
    memset(m, 0, sizeof *m);
    hindex_put(&c->macro_index, hash_lower(words[0]), (int)c->nmacros++);
    m->name = words[0];
    m->nparams = nw - 1;
    m->params = xrealloc(NULL, (nw - 1) * sizeof *m->params);
    for (size_t i = 1; i < nw; i++)
        m->params[i - 1] = words[i];
    m->file = c->line_file;
    m->line = c->line_no;
    m->col = name_col;
    c->defining = m;
}

static void macro_line(asm_ctx *c)
{
    char dir[16];
    raw_directive(c->line, c->linelen, dir, sizeof dir, NULL);
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
        m->body = xrealloc(m->body, m->cap);
    }
    memcpy(m->body + m->len, c->line, c->linelen);
    m->len += c->linelen;
    m->body[m->len++] = '\n';
}

static void expand_macro(asm_ctx *c, const asm_stmt *st, const macro *m)
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
    char *out = xrealloc(NULL, cap);
    char num[24];
    snprintf(num, sizeof num, "%lu", c->expansions);
    for (size_t i = 0; i < m->len;) {
        const char *rep = NULL;
        size_t replen = 0, skip = 1;
        if (m->body[i] == '\\' && i + 1 < m->len && m->body[i + 1] == '@') {
            rep = num; replen = strlen(num); skip = 2;
        } else if (m->body[i] == '\\' && i + 1 < m->len && ident_start(m->body[i + 1])) {
            size_t j = i + 1;
            while (j < m->len && ident_char(m->body[j]))
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
            out = xrealloc(out, cap);
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

/* ---- directives ---------------------------------------------------------- */
typedef void directive_fn(asm_ctx *c, const asm_stmt *st);

static bool need_ops(asm_ctx *c, const asm_stmt *st, size_t lo, size_t hi, const char *syntax)
{
    if (st->nops >= lo && st->nops <= hi)
        return true;
    err(c, st->nops > hi ? st->ops[hi].col : st->col, "'%s' expects %s", st->name, syntax);
    return false;
}

static void d_org(asm_ctx *c, const asm_stmt *st)
{
    int64_t v;
    if (!need_ops(c, st, 1, 1, "an address") || !value_now(c, &st->ops[0], "'.org'", &v))
        return;
    if (v < 0 || v > (int64_t)UINT32_MAX) {
        err(c, st->ops[0].col, "'.org' address 0x%llx is outside the 32-bit address space", (long long)v);
        return;
    }
    c->pc = (uint32_t)v;
    c->pc_overflow = false;
    c->pc_end = false;
}

static void data(asm_ctx *c, const asm_stmt *st, int size)
{
    static const char *const what[] = { NULL, "a byte", "a half-word", NULL, "a word" };
    static const int64_t lo[] = { 0, -128, -32768, 0, INT32_MIN };
    static const int64_t hi[] = { 0, 255, 65535, 0, UINT32_MAX };
    if (!need_ops(c, st, 1, SIZE_MAX, "one or more values"))
        return;
    for (size_t i = 0; i < st->nops; i++) {
        const asm_operand *op = &st->ops[i];
        if (op->kind == OPND_STRING && size == 1) {
            emit(c, (const uint8_t *)op->str, op->len);
            continue;
        }
        int64_t v = 0;
        if (value_final(c, op, "data", &v) && (v < lo[size] || v > hi[size])) {
            err(c, op->col, "value %lld does not fit in %s (%lld..%lld)", (long long)v, what[size],
                (long long)lo[size], (long long)hi[size]);
            v = 0;
        }
        uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
        emit(c, b, (size_t)size);
    }
}

static void d_word(asm_ctx *c, const asm_stmt *st) { data(c, st, 4); }
static void d_half(asm_ctx *c, const asm_stmt *st) { data(c, st, 2); }
static void d_byte(asm_ctx *c, const asm_stmt *st) { data(c, st, 1); }

static void strings(asm_ctx *c, const asm_stmt *st, bool nul)
{
    if (!need_ops(c, st, 1, SIZE_MAX, "one or more strings"))
        return;
    for (size_t i = 0; i < st->nops; i++) {
        if (st->ops[i].kind != OPND_STRING) {
            err(c, st->ops[i].col, "'%s' expects a string in double quotes", st->name);
            continue;
        }
        emit(c, (const uint8_t *)st->ops[i].str, st->ops[i].len);
        if (nul)
            emit(c, (const uint8_t *)"", 1);
    }
}

static void d_ascii(asm_ctx *c, const asm_stmt *st) { strings(c, st, false); }
static void d_asciz(asm_ctx *c, const asm_stmt *st) { strings(c, st, true); }

static void fill(asm_ctx *c, size_t n, uint8_t byte)
{
    uint8_t buf[256];
    memset(buf, byte, sizeof buf);
    while (n > 0 && !c->pc_overflow && !c->output_overflow) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        emit(c, buf, k);
        n -= k;
    }
}

static void d_space(asm_ctx *c, const asm_stmt *st)
{
    int64_t n, f = 0;
    if (!need_ops(c, st, 1, 2, "a size and an optional fill byte") || !value_now(c, &st->ops[0], "'.space'", &n))
        return;
    if (n < 0 || n > MAX_SPACE) {
        err(c, st->ops[0].col, "'.space' size %lld is out of range (0..%u)", (long long)n, MAX_SPACE);
        return;
    }
    if (st->nops == 2 && value_final(c, &st->ops[1], "'.space' fill", &f) && (f < -128 || f > 255)) {
        err(c, st->ops[1].col, "fill value %lld does not fit in a byte (-128..255)", (long long)f);
        f = 0;
    }
    fill(c, (size_t)n, (uint8_t)f);
}

static void d_align(asm_ctx *c, const asm_stmt *st)
{
    int64_t n;
    if (!need_ops(c, st, 1, 1, "a power of two") || !value_now(c, &st->ops[0], "'.align'", &n))
        return;
    if (n < 1 || n > 65536 || (n & (n - 1))) {
        err(c, st->ops[0].col, "'.align' needs a power of two between 1 and 65536, not %lld", (long long)n);
        return;
    }
    fill(c, (size_t)((uint32_t)(0 - c->pc) & (uint32_t)(n - 1)), 0);
}

static void assign(asm_ctx *c, const asm_stmt *st, const asm_operand *name_op, const asm_operand *val, bool redefinable)
{
    const char *name = name_op ? bare_name(name_op) : st->name;
    int col = name_op ? name_op->col : st->col;
    if (!name) {
        err(c, col, "'%s' needs a symbol name first", st->name);
        return;
    }
    if (isa_parse_reg(name) >= 0) {
        err(c, col, "'%s' is a register name and cannot be a symbol", name);
        return;
    }
    int64_t v = 0;
    bool known = true;
    if (val->kind != OPND_EXPR) {
        err(c, val->col, "a symbol's value must be a number");
        return;
    }
    if (!check_depth(c, val->e))
        return;
    if (c->pass == 1) {
        if (!eval(c, val->e, MODE_NOW, &v, &known))
            return;
    } else if (!eval(c, val->e, MODE_FINAL, &v, &known)) {
        return;
    }
    define(c, name, col, v, known, false, redefinable);
}

static void d_equ(asm_ctx *c, const asm_stmt *st)
{
    if (need_ops(c, st, 2, 2, "NAME, value"))
        assign(c, st, &st->ops[0], &st->ops[1], false);
}

static void d_set(asm_ctx *c, const asm_stmt *st)
{
    if (need_ops(c, st, 2, 2, "NAME, value"))
        assign(c, st, &st->ops[0], &st->ops[1], true);
}

static void d_global(asm_ctx *c, const asm_stmt *st)
{
    if (!need_ops(c, st, 1, SIZE_MAX, "one or more symbol names"))
        return;
    for (size_t i = 0; i < st->nops; i++) {
        const char *name = bare_name(&st->ops[i]);
        if (!name) {
            err(c, st->ops[i].col, "'.global' expects symbol names");
            continue;
        }
        symbol *s = add_sym(c, name);
        if (!s->global) {
            s->global = true;
            s->gfile = c->line_file;
            s->gline = c->line_no;
            s->gcol = st->ops[i].col;
        }
    }
}

static void d_include(asm_ctx *c, const asm_stmt *st)
{
    if (need_ops(c, st, 1, 1, "a file name in double quotes"))
        do_include(c, &st->ops[0]);
}

static bool cond_value(asm_ctx *c, const asm_stmt *st, bool *v)
{
    int64_t n;
    *v = false;
    if (!need_ops(c, st, 1, 1, "a condition") || !value_now(c, &st->ops[0], st->name, &n))
        return false;
    *v = n != 0;
    return true;
}

static bool defined_now(asm_ctx *c, const asm_stmt *st)
{
    if (!need_ops(c, st, 1, 1, "a symbol name"))
        return false;
    const char *name = bare_name(&st->ops[0]);
    if (!name) {
        err(c, st->ops[0].col, "'%s' expects a symbol name", st->name);
        return false;
    }
    symbol *s = find_sym(c, name);
    return (s && s->def_pass == c->pass) || find_macro(c, name) != NULL;
}

static void d_if(asm_ctx *c, const asm_stmt *st)
{
    bool v;
    cond_value(c, st, &v);
    push_cond(c, true, v, st->col);
}

static void d_ifdef(asm_ctx *c, const asm_stmt *st) { push_cond(c, true, defined_now(c, st), st->col); }
static void d_ifndef(asm_ctx *c, const asm_stmt *st)
{
    bool d = defined_now(c, st);
    push_cond(c, true, !d && st->nops == 1 && bare_name(&st->ops[0]), st->col);
}

/* .elif/.else/.endif met in an active region: the branch that was active ends. */
static void d_elif(asm_ctx *c, const asm_stmt *st)
{
    if (!cond_top(c, ".elif", st->col))
        return;
    cond *k = &c->conds[c->nconds - 1];
    if (k->in_else)
        err(c, st->col, ".elif after .else");
    k->active = false;
}

static void d_else(asm_ctx *c, const asm_stmt *st)
{
    if (!cond_top(c, ".else", st->col))
        return;
    cond *k = &c->conds[c->nconds - 1];
    if (k->in_else)
        err(c, st->col, ".else after .else");
    k->in_else = true;
    k->active = false;
    k->taken = true;
}

static void d_endif(asm_ctx *c, const asm_stmt *st)
{
    if (cond_top(c, ".endif", st->col))
        c->nconds--;
}

static void d_endm(asm_ctx *c, const asm_stmt *st) { err(c, st->col, ".endm without .macro"); }
static void d_macro(asm_ctx *c, const asm_stmt *st)
{
    err(c, st->col, "'.macro' must start its line (no label before it)");
}

static void d_error(asm_ctx *c, const asm_stmt *st)
{
    if (st->nops == 1 && st->ops[0].kind == OPND_STRING)
        err(c, st->col, "%.*s", (int)st->ops[0].len, st->ops[0].str);
    else
        err(c, st->col, "'.error' expects a message in double quotes");
}

static void d_warning(asm_ctx *c, const asm_stmt *st)
{
    if (st->nops == 1 && st->ops[0].kind == OPND_STRING)
        warn_col(c, st->col, "%.*s", (int)st->ops[0].len, st->ops[0].str);
    else
        err(c, st->col, "'.warning' expects a message in double quotes");
}

static const struct { const char *name; directive_fn *fn; } directives[] = {
    { ".org", d_org }, { ".word", d_word }, { ".half", d_half }, { ".byte", d_byte },
    { ".ascii", d_ascii }, { ".asciz", d_asciz }, { ".space", d_space }, { ".align", d_align },
    { ".equ", d_equ }, { ".set", d_set }, { ".global", d_global }, { ".include", d_include },
    { ".if", d_if }, { ".ifdef", d_ifdef }, { ".ifndef", d_ifndef }, { ".elif", d_elif },
    { ".else", d_else }, { ".endif", d_endif }, { ".macro", d_macro }, { ".endm", d_endm },
    { ".error", d_error }, { ".warning", d_warning },
};
#define NDIRECTIVES (sizeof directives / sizeof directives[0])

static void directive(asm_ctx *c, const asm_stmt *st)
{
    const char *best = NULL;
    int bestd = 3;
    for (size_t i = 0; i < NDIRECTIVES; i++) {
        if (strcasecmp(directives[i].name, st->name) == 0) {
            directives[i].fn(c, st);
            return;
        }
        int d = isa_edit_distance(directives[i].name, st->name);
        if (d < bestd) {
            bestd = d;
            best = directives[i].name;
        }
    }
    if (best)
        err(c, st->col, "unknown directive '%s'; did you mean '%s'?", st->name, best);
    else
        err(c, st->col, "unknown directive '%s'", st->name);
}

static void operation(asm_ctx *c, const asm_stmt *st)
{
    const isa_insn *in = isa_lookup_mnemonic(st->name);
    if (in) {
        assemble_insn(c, st, in);
        return;
    }
    const pseudo *p = find_pseudo(st->name);
    if (p) {
        if (count_ok(c, st, p->nops, p->syntax))
            p->fn(c, st, p->syntax);
        return;
    }
    const macro *m = find_macro(c, st->name);
    if (m) {
        expand_macro(c, st, m);
        return;
    }
    if (c->pass != 2 || c->stop || c->quiet) {
        /* Nothing will be printed: skip the search for a suggestion, which
         * is a loop over every macro and would make errors quadratic. */
        err(c, st->col, "unknown mnemonic '%s'", st->name);
        return;
    }
    const char *best = isa_suggest_mnemonic(st->name);
    int bestd = best ? isa_edit_distance(best, st->name) : 3;
    for (size_t i = 0; i < sizeof pseudos / sizeof pseudos[0]; i++) {
        int d = isa_edit_distance(pseudos[i].name, st->name);
        if (d < bestd) {
            bestd = d;
            best = pseudos[i].name;
        }
    }
    for (size_t i = 0; i < c->nmacros; i++) {
        int d = isa_edit_distance(c->macros[i]->name, st->name);
        if (d < bestd) {
            bestd = d;
            best = c->macros[i]->name;
        }
    }
    if (best && bestd <= 2)
        err(c, st->col, "unknown mnemonic '%s'; did you mean '%s'?", st->name, best);
    else
        err(c, st->col, "unknown mnemonic '%s'", st->name);
}

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
    raw_directive(c->line, c->linelen, dir, sizeof dir, NULL);
    if (!dir[0])
        return;
    cond *k = &c->conds[c->nconds - 1];
    if (!strcmp(dir, ".if") || !strcmp(dir, ".ifdef") || !strcmp(dir, ".ifndef")) {
        push_cond(c, false, false, 1);
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
            cond_value(c, &st, &v);
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
        macro_line(c);
        return;
    }
    if (!active(c)) {
        inactive_line(c);
        return;
    }
    char dir[16];
    size_t after = 0;
    raw_directive(c->line, c->linelen, dir, sizeof dir, &after);
    if (strcmp(dir, ".macro") == 0) {
        begin_macro(c, after);
        list_line(c);
        return;
    }
    asm_stmt st;
    parse(c, &st);
    if (!st.syntax_error) {
        if (st.kind != ST_EMPTY)
            c->stmt_col = st.col;
        define_labels(c, &st);
        switch (st.kind) {
        case ST_EMPTY: break;
        case ST_ASSIGN: assign(c, &st, NULL, &st.ops[0], true); break;
        case ST_DIRECTIVE: directive(c, &st); break;
        case ST_OP: operation(c, &st); break;
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
    hindex_clear(&c->macro_index);
}

static void define_cmdline(asm_ctx *c)
{
    for (size_t i = 0; i < c->opt->ndefines; i++) {
        const char *d = c->opt->defines[i], *eq = strchr(d, '=');
        char *name = eq ? xstrndup(d, (size_t)(eq - d)) : xstrdup(d);
        int64_t v = 1;
        if (eq) {
            char *end;
            errno = 0;
            v = strtoll(eq + 1, &end, 0);
            if (errno || !eq[1] || *end || v < INT32_MIN || v > (int64_t)UINT32_MAX) {
                report(c, D_ERROR, 0, 0, 0, "-D %s: the value must be a 32-bit number", d);
                v = 0;
            }
        }
        bool ok = name[0] && ident_start(name[0]);
        for (const char *q = name; *q; q++)
            ok &= ident_char(*q);
        if (!ok)
            report(c, D_ERROR, 0, 0, 0, "-D %s: '%s' is not a valid symbol name", d, name);
        else {
            symbol *s = add_sym(c, name);
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
    push_file(c, 0, c->ftext[0].text ? NULL : xstrndup(text, len), len, real);
    while (!c->stop && next_line(c))
        assemble_line(c);
    while (c->nsrc)
        pop_source(c);
    if (c->defining || c->defining_depth)
        report(c, D_ERROR, c->mac_file, c->mac_line, c->mac_col, ".macro without .endm (the file ends first)");
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
            report(c, D_ERROR, later->file, later->line, later->col,
                   "code at 0x%08x..0x%08zx overlaps code emitted earlier (check the .org directives)",
                   later->addr, later->addr + later->size - 1);
            report(c, D_NOTE, earlier->file, earlier->line, earlier->col,
                   "the earlier code, at 0x%08x..0x%08zx, starts here", earlier->addr,
                   earlier->addr + earlier->size - 1);
        }
    for (size_t i = 0; i < c->nsyms; i++) {
        symbol *s = &c->syms[i];
        if (s->global && s->def_pass == 0)
            report(c, D_ERROR, s->gfile, s->gline, s->gcol, "'.global' names '%s', which is never defined", s->name);
    }
    if (c->errors)
        return;
    out->segs = xrealloc(NULL, c->nsegs * sizeof *out->segs);
    for (size_t i = 0; i < c->nsegs; i++) {
        out->segs[i] = (image_segment){ c->segs[i].addr, (uint32_t)c->segs[i].size, c->segs[i].data };
        c->segs[i].data = NULL;
    }
    out->nsegs = c->nsegs;
    size_t nl = 0;
    for (size_t i = 0; i < c->nsyms; i++)
        nl += c->syms[i].label && c->syms[i].def_pass;
    out->syms = xrealloc(NULL, nl * sizeof *out->syms);
    for (size_t i = 0; i < c->nsyms; i++)
        if (c->syms[i].label && c->syms[i].def_pass)
            out->syms[out->nsyms++] = (image_symbol){ xstrdup(c->syms[i].name), (uint32_t)c->syms[i].value,
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
    const symbol *start = find_sym(c, "_start");
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
    file_index(&c, name);
    run_pass(&c, 1, src, len, path);
    c.stop = false;
    run_pass(&c, 2, src, len, path);
    build_image(&c, out);      /* its errors, too, stay quiet after "too many errors" */
    int errors = c.errors;
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
    char *text = read_whole(path, &len, why, sizeof why);
    if (!text) {
        fprintf(opt && opt->diag ? opt->diag : stderr, "%s: error: cannot read the source: %s\n", path, why);
        return 1;
    }
    int errors = assemble(path, path, text, len, opt, out);
    free(text);
    return errors;
}
