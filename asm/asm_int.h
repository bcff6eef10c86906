/*
 * asm_int.h -- what the assembler's lexer, parser and driver share: the
 * per-run context, the parsed statement and expression trees.  Not part of
 * the public API (asm.h).
 */
#ifndef TRAPLAB_ASM_INT_H
#define TRAPLAB_ASM_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asm/asm.h"

typedef struct asm_ctx asm_ctx;

typedef enum { EX_NUM, EX_SYM, EX_LOCAL, EX_DOT, EX_UNARY, EX_BINARY, EX_COND, EX_CALL } asm_exkind;

typedef struct asm_expr {
    asm_exkind kind;
    int op;                     /* operator token for UNARY/BINARY */
    int64_t num;                /* EX_NUM; label number for EX_LOCAL */
    char *name;                 /* EX_SYM, EX_CALL */
    bool forward;               /* EX_LOCAL: 1f (true) or 1b */
    bool paren;                 /* written inside parentheses */
    int depth;
    int col;
    struct asm_expr *a, *b, *c;
} asm_expr;

typedef enum { OPND_EXPR, OPND_MEM, OPND_STRING } asm_opkind;

typedef struct {
    asm_opkind kind;
    asm_expr *e;                /* EXPR: the value; MEM: the offset (may be NULL) */
    asm_expr *base;             /* MEM: the register */
    char *str; size_t len;      /* STRING: the bytes (escapes decoded) */
    int col, endcol;            /* columns of the operand text, 1-based, end exclusive */
} asm_operand;

typedef struct {
    char *name; bool numeric; int col;
} asm_label;

typedef enum { ST_EMPTY, ST_OP, ST_DIRECTIVE, ST_ASSIGN } asm_stkind;

typedef struct {
    asm_label *labels; size_t nlabels, caplabels;
    asm_stkind kind;
    char *name; int col;        /* mnemonic / directive (with the dot) / assigned symbol */
    asm_operand *ops; size_t nops, capops;
    bool syntax_error;
} asm_stmt;

/* Lexer/parser support, implemented in asm.c. */
void asm_error_col(asm_ctx *c, int col, const char *fmt, ...);

asm_expr *asm_expr_new(asm_exkind k, int col);
asm_expr *asm_expr_op(asm_exkind k, int op, int col, asm_expr *a, asm_expr *b, asm_expr *c);
void asm_expr_free(asm_expr *e);

#define ASM_MAX_EXPR_DEPTH 200
#define ASM_MAX_PARENS 100

/* One parse: the lexer's and the parser's shared state (bison %param). */
typedef struct asm_parse {
    void *scanner;
    asm_ctx *ctx;
    asm_stmt *st;
    int col;                    /* next column, 1-based */
    int parens;                 /* open parentheses on this line */
    bool lex_error;             /* the lexer already reported this line */
} asm_parse;

/* Parses one line (text need not end in a newline) into p->st. */
void asm_parse_line(asm_parse *p, const char *text, size_t len);

#endif
