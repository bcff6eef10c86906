/*
 * expr.c -- expressions and symbols: the expression trees the parser builds,
 * their evaluation (MODE_NOW: only what is defined earlier in this pass;
 * MODE_FINAL: anything), the symbol table, numeric local labels (1b/1f),
 * and the hash indexes they and the macros use.
 */
#include "asm/asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "asm/parser.h"
#include "isa/isa.h"

/* ---- expressions -------------------------------------------------------- */
asm_expr *asm_expr_new(asm_exkind k, int col)
{
    asm_expr *e = asm_xrealloc(NULL, sizeof *e);
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

size_t asm_hash_lower(const char *s)
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

void asm_hindex_put(hindex *h, size_t hash, int k)
{
    size_t i = hash & (h->cap - 1);
    while (h->slot[i] >= 0)
        i = (i + 1) & (h->cap - 1);
    h->slot[i] = k;
}

void asm_hindex_clear(hindex *h)
{
    for (size_t i = 0; i < h->cap; i++)
        h->slot[i] = -1;
}

/* Makes room for entry n (entries 0..n-1 exist); hash_of(c, k) rehashes entry k. */
void asm_hindex_reserve(asm_ctx *c, hindex *h, size_t n, size_t (*hash_of)(const asm_ctx *, size_t))
{
    if (2 * (n + 1) <= h->cap)
        return;
    free(h->slot);
    h->cap = h->cap ? 2 * h->cap : 256;
    h->slot = asm_xrealloc(NULL, h->cap * sizeof *h->slot);
    asm_hindex_clear(h);
    c->work += n;
    for (size_t k = 0; k < n; k++)
        asm_hindex_put(h, hash_of(c, k), (int)k);
}

symbol *asm_find_sym(asm_ctx *c, const char *name)
{
    if (!c->nbuckets)
        return NULL;
    for (size_t i = hash_name(name) & (c->nbuckets - 1);; i = (i + 1) & (c->nbuckets - 1)) {
        int k = c->buckets[i];
        c->work++;
        if (k < 0)
            return NULL;
        if (strcmp(c->syms[k].name, name) == 0)
            return &c->syms[k];
    }
}

symbol *asm_add_sym(asm_ctx *c, const char *name)
{
    symbol *s = asm_find_sym(c, name);
    if (s)
        return s;
    if (2 * (c->nsyms + 1) > c->nbuckets) {
        size_t nb = c->nbuckets ? 2 * c->nbuckets : 256;
        free(c->buckets);
        c->buckets = asm_xrealloc(NULL, nb * sizeof *c->buckets);
        for (size_t i = 0; i < nb; i++)
            c->buckets[i] = -1;
        c->nbuckets = nb;
        c->work += c->nsyms;
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
    s->name = asm_xstrdup(name);
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
            c->work++;
            if (k < 0)
                break;
            if (c->nums[k].num == n)
                return &c->nums[k];
        }
    if (!create)
        return NULL;
    asm_hindex_reserve(c, &c->num_index, c->nnums, num_hash_of);
    GROW(c->nums, c->nnums, c->capnums);
    numlabel *l = &c->nums[c->nnums];
    memset(l, 0, sizeof *l);
    l->num = n;
    asm_hindex_put(&c->num_index, hash_num(n), (int)c->nnums++);
    return l;
}

/*
 * Evaluates e.  Returns false after reporting an error.  *known is false when
 * a symbol is not (yet) defined: in MODE_NOW that means "not defined earlier
 * in this pass"; in pass 2 MODE_FINAL it is an error.
 */
bool asm_eval(asm_ctx *c, const asm_expr *e, eval_mode mode, int64_t *out, bool *known)
{
    int64_t a = 0, b = 0;
    bool ka = true, kb = true;
    *out = 0;
    *known = true;
    switch (e->kind) {
    case EX_NUM: *out = e->num; return true;
    case EX_DOT: *out = c->line_start_pc; return true;
    case EX_SYM: {
        symbol *s = asm_find_sym(c, e->name);
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
        if (!asm_eval(c, e->a, mode, &a, known))
            return false;
        uint32_t v = (uint32_t)a;
        *out = hi ? (int64_t)(v >> 12) : (int64_t)(v & 0xfff);
        return true;
    }
    case EX_UNARY:
        if (!asm_eval(c, e->a, mode, &a, known))
            return false;
        *out = e->op == '-' ? (int64_t)(0 - (uint64_t)a) : e->op == '~' ? ~a : !a;
        return true;
    case EX_COND:
        if (!asm_eval(c, e->a, mode, &a, &ka))
            return false;
        if (!ka) {
            *known = false;
            return true;
        }
        return asm_eval(c, a ? e->b : e->c, mode, out, known);
    case EX_BINARY:
        break;
    }
    if (!asm_eval(c, e->a, mode, &a, &ka) || !asm_eval(c, e->b, mode, &b, &kb))
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

bool asm_check_depth(asm_ctx *c, const asm_expr *e)
{
    if (e && e->depth > ASM_MAX_EXPR_DEPTH) {
        err(c, e->col, "expression too deeply nested (more than %d levels)", ASM_MAX_EXPR_DEPTH);
        return false;
    }
    return true;
}

/* A value that must be known at this point of the pass (it decides sizes). */
bool asm_value_now(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v)
{
    bool known;
    if (op->kind != OPND_EXPR) {
        err(c, op->col, "%s needs a number", what);
        return false;
    }
    if (!asm_check_depth(c, op->e) || !asm_eval(c, op->e, MODE_NOW, v, &known))
        return false;
    if (!known) {
        err(c, op->col, "%s needs a value known here; define its symbols before this line", what);
        return false;
    }
    return true;
}

/* A value that may use symbols defined anywhere (0 in pass 1 if not yet known). */
bool asm_value_final(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v)
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
    if (!asm_check_depth(c, op->e))
        return false;
    return asm_eval(c, op->e, MODE_FINAL, v, &known);
}


/* ---- symbols and labels -------------------------------------------------- */
void asm_define(asm_ctx *c, const char *name, int col, int64_t v, bool known, bool label, bool redefinable)
{
    symbol *s = asm_add_sym(c, name);
    if (s->def_pass == c->pass && !(redefinable && s->redefinable)) {
        err(c, col, "duplicate %s '%s'", label ? "label" : "definition of", name);
        asm_report(c, D_NOTE, s->file, s->line, s->col, "previous definition of '%s' is here", name);
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

void asm_define_labels(asm_ctx *c, const asm_stmt *st)
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
        asm_define(c, l->name, l->col, c->pc, true, true, false);
    }
}
