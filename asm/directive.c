/*
 * directive.c -- the assembler's directives (.org, .word, .equ, .if, ...),
 * dispatched by name from one table.
 */
#include "asm/asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

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
    if (!need_ops(c, st, 1, 1, "an address") || !asm_value_now(c, &st->ops[0], "'.org'", &v))
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
            asm_emit(c, (const uint8_t *)op->str, op->len);
            continue;
        }
        int64_t v = 0;
        if (asm_value_final(c, op, "data", &v) && (v < lo[size] || v > hi[size])) {
            err(c, op->col, "value %lld does not fit in %s (%lld..%lld)", (long long)v, what[size],
                (long long)lo[size], (long long)hi[size]);
            v = 0;
        }
        uint8_t b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };
        asm_emit(c, b, (size_t)size);
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
        asm_emit(c, (const uint8_t *)st->ops[i].str, st->ops[i].len);
        if (nul)
            asm_emit(c, (const uint8_t *)"", 1);
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
        asm_emit(c, buf, k);
        n -= k;
    }
}

static void d_space(asm_ctx *c, const asm_stmt *st)
{
    int64_t n, f = 0;
    if (!need_ops(c, st, 1, 2, "a size and an optional fill byte") || !asm_value_now(c, &st->ops[0], "'.space'", &n))
        return;
    if (n < 0 || n > MAX_SPACE) {
        err(c, st->ops[0].col, "'.space' size %lld is out of range (0..%u)", (long long)n, MAX_SPACE);
        return;
    }
    if (st->nops == 2 && asm_value_final(c, &st->ops[1], "'.space' fill", &f) && (f < -128 || f > 255)) {
        err(c, st->ops[1].col, "fill value %lld does not fit in a byte (-128..255)", (long long)f);
        f = 0;
    }
    fill(c, (size_t)n, (uint8_t)f);
}

static void d_align(asm_ctx *c, const asm_stmt *st)
{
    int64_t n;
    if (!need_ops(c, st, 1, 1, "a power of two") || !asm_value_now(c, &st->ops[0], "'.align'", &n))
        return;
    if (n < 1 || n > 65536 || (n & (n - 1))) {
        err(c, st->ops[0].col, "'.align' needs a power of two between 1 and 65536, not %lld", (long long)n);
        return;
    }
    fill(c, (size_t)((uint32_t)(0 - c->pc) & (uint32_t)(n - 1)), 0);
}

void asm_assign(asm_ctx *c, const asm_stmt *st, const asm_operand *name_op, const asm_operand *val, bool redefinable)
{
    const char *name = name_op ? asm_bare_name(name_op) : st->name;
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
    if (!asm_check_depth(c, val->e))
        return;
    if (c->pass == 1) {
        if (!asm_eval(c, val->e, MODE_NOW, &v, &known))
            return;
    } else if (!asm_eval(c, val->e, MODE_FINAL, &v, &known)) {
        return;
    }
    asm_define(c, name, col, v, known, false, redefinable);
}

static void d_equ(asm_ctx *c, const asm_stmt *st)
{
    if (need_ops(c, st, 2, 2, "NAME, value"))
        asm_assign(c, st, &st->ops[0], &st->ops[1], false);
}

static void d_set(asm_ctx *c, const asm_stmt *st)
{
    if (need_ops(c, st, 2, 2, "NAME, value"))
        asm_assign(c, st, &st->ops[0], &st->ops[1], true);
}

static void d_global(asm_ctx *c, const asm_stmt *st)
{
    if (!need_ops(c, st, 1, SIZE_MAX, "one or more symbol names"))
        return;
    for (size_t i = 0; i < st->nops; i++) {
        const char *name = asm_bare_name(&st->ops[i]);
        if (!name) {
            err(c, st->ops[i].col, "'.global' expects symbol names");
            continue;
        }
        symbol *s = asm_add_sym(c, name);
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
        asm_include(c, &st->ops[0]);
}

bool asm_cond_value(asm_ctx *c, const asm_stmt *st, bool *v)
{
    int64_t n;
    *v = false;
    if (!need_ops(c, st, 1, 1, "a condition") || !asm_value_now(c, &st->ops[0], st->name, &n))
        return false;
    *v = n != 0;
    return true;
}

static bool defined_now(asm_ctx *c, const asm_stmt *st)
{
    if (!need_ops(c, st, 1, 1, "a symbol name"))
        return false;
    const char *name = asm_bare_name(&st->ops[0]);
    if (!name) {
        err(c, st->ops[0].col, "'%s' expects a symbol name", st->name);
        return false;
    }
    symbol *s = asm_find_sym(c, name);
    return (s && s->def_pass == c->pass) || asm_find_macro(c, name) != NULL;
}

static void d_if(asm_ctx *c, const asm_stmt *st)
{
    bool v;
    asm_cond_value(c, st, &v);
    asm_push_cond(c, true, v, st->col);
}

static void d_ifdef(asm_ctx *c, const asm_stmt *st) { asm_push_cond(c, true, defined_now(c, st), st->col); }
static void d_ifndef(asm_ctx *c, const asm_stmt *st)
{
    bool d = defined_now(c, st);
    asm_push_cond(c, true, !d && st->nops == 1 && asm_bare_name(&st->ops[0]), st->col);
}

/* .elif/.else/.endif met in an active region: the branch that was active ends. */
static void d_elif(asm_ctx *c, const asm_stmt *st)
{
    if (!asm_cond_top(c, ".elif", st->col))
        return;
    cond *k = &c->conds[c->nconds - 1];
    if (k->in_else)
        err(c, st->col, ".elif after .else");
    k->active = false;
}

static void d_else(asm_ctx *c, const asm_stmt *st)
{
    if (!asm_cond_top(c, ".else", st->col))
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
    if (asm_cond_top(c, ".endif", st->col))
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
        asm_warn_col(c, st->col, "%.*s", (int)st->ops[0].len, st->ops[0].str);
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

void asm_directive(asm_ctx *c, const asm_stmt *st)
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

const char *asm_directive_name(size_t i)
{
    return i < NDIRECTIVES ? directives[i].name : NULL;
}
