/*
 * parser.y -- the traplab assembler's grammar: one source line at a time,
 * into an asm_stmt (labels, a name, operands as expression trees).  The
 * grammar knows no mnemonics or directives; asm.c gives them meaning.
 */
%define api.pure full
%define api.prefix {asm_yy}
%locations
%define parse.error detailed
%param {asm_parse *p}

%code requires {
#include "asm/asm_int.h"
}

%code {
#include <stdlib.h>
#include <string.h>

/* Bound the parser's stack: a line of 100000 unary minuses is an error, not a crash. */
#define YYMAXDEPTH 2000

int asm_yylex(ASM_YYSTYPE *lval, ASM_YYLTYPE *lloc, void *scanner);
#define asm_yylex(v, l, p) asm_yylex(v, l, (p)->scanner)

static void asm_yyerror(ASM_YYLTYPE *loc, asm_parse *p, const char *msg)
{
    p->st->syntax_error = true;
    if (p->lex_error)
        return;
    if (strcmp(msg, "memory exhausted") == 0)
        msg = "statement too complex (parser stack exhausted)";
    asm_error_col(p->ctx, loc->first_column, "%s", msg);
}

static void *grow(void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return arr;
    *cap = *cap ? *cap * 2 : 4;
    void *q = realloc(arr, *cap * size);
    if (!q)
        abort();
    return q;
}

static void add_label(asm_parse *p, char *name, bool numeric, int col)
{
    asm_stmt *st = p->st;
    st->labels = grow(st->labels, &st->caplabels, st->nlabels, sizeof *st->labels);
    st->labels[st->nlabels++] = (asm_label){ name, numeric, col };
}

static void add_operand(asm_parse *p, asm_operand op)
{
    asm_stmt *st = p->st;
    st->ops = grow(st->ops, &st->capops, st->nops, sizeof *st->ops);
    st->ops[st->nops++] = op;
}

static asm_expr *leaf(asm_exkind k, int col) { return asm_expr_new(k, col); }
static asm_expr *bin(int op, asm_expr *a, asm_expr *b, int col) { return asm_expr_op(EX_BINARY, op, col, a, b, NULL); }
}

%union {
    int64_t num;
    char *str;
    struct { char *s; size_t len; } bytes;
    asm_expr *expr;
}

%token <num> NUMBER "number"
%token <str> IDENT "identifier" DIRECTIVE "directive" LOCALREF "local label reference"
%token <bytes> STRING "string"
%token EOL "end of line"
%token SHL "<<" SHR ">>" LE "<=" GE ">=" EQ "==" NE "!=" ANDAND "&&" OROR "||"
%token BAD "invalid token"

%type <expr> expr primary

%destructor { free($$); } <str>
%destructor { free($$.s); } <bytes>
%destructor { asm_expr_free($$); } <expr>

%precedence NOCALL
%precedence '('
%right '?' ':'
%left OROR
%left ANDAND
%left '|'
%left '^'
%left '&'
%left EQ NE
%left '<' LE '>' GE
%left SHL SHR
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY

%%

line
    : labels stmt EOL
    | error EOL                 { yyerrok; }
    ;

labels
    : %empty
    | labels IDENT ':'          { add_label(p, $2, false, @2.first_column); }
    | labels NUMBER ':'         {
                                  char buf[24];
                                  snprintf(buf, sizeof buf, "%lld", (long long)$2);
                                  add_label(p, strdup(buf), true, @2.first_column);
                                }
    ;

stmt
    : %empty
    | IDENT operands            { p->st->kind = ST_OP; p->st->name = $1; p->st->col = @1.first_column; }
    | DIRECTIVE operands        { p->st->kind = ST_DIRECTIVE; p->st->name = $1; p->st->col = @1.first_column; }
    | IDENT '=' expr            {
                                  p->st->kind = ST_ASSIGN; p->st->name = $1; p->st->col = @1.first_column;
                                  add_operand(p, (asm_operand){ .kind = OPND_EXPR, .e = $3,
                                              .col = @3.first_column, .endcol = @3.last_column });
                                }
    ;

operands
    : %empty
    | oplist
    ;

oplist
    : operand
    | oplist ',' operand
    ;

operand
    : expr                      { add_operand(p, (asm_operand){ .kind = OPND_EXPR, .e = $1,
                                              .col = @1.first_column, .endcol = @1.last_column }); }
    | expr '(' expr ')'         { add_operand(p, (asm_operand){ .kind = OPND_MEM, .e = $1, .base = $3,
                                              .col = @1.first_column, .endcol = @4.last_column }); }
    | STRING                    { add_operand(p, (asm_operand){ .kind = OPND_STRING, .str = $1.s, .len = $1.len,
                                              .col = @1.first_column, .endcol = @1.last_column }); }
    ;

expr
    : primary
    | '-' expr %prec UNARY      { $$ = asm_expr_op(EX_UNARY, '-', @1.first_column, $2, NULL, NULL); }
    | '+' expr %prec UNARY      { $$ = $2; }
    | '~' expr %prec UNARY      { $$ = asm_expr_op(EX_UNARY, '~', @1.first_column, $2, NULL, NULL); }
    | '!' expr %prec UNARY      { $$ = asm_expr_op(EX_UNARY, '!', @1.first_column, $2, NULL, NULL); }
    | expr '*' expr             { $$ = bin('*', $1, $3, @2.first_column); }
    | expr '/' expr             { $$ = bin('/', $1, $3, @2.first_column); }
    | expr '%' expr             { $$ = bin('%', $1, $3, @2.first_column); }
    | expr '+' expr             { $$ = bin('+', $1, $3, @2.first_column); }
    | expr '-' expr             { $$ = bin('-', $1, $3, @2.first_column); }
    | expr SHL expr             { $$ = bin(SHL, $1, $3, @2.first_column); }
    | expr SHR expr             { $$ = bin(SHR, $1, $3, @2.first_column); }
    | expr '<' expr             { $$ = bin('<', $1, $3, @2.first_column); }
    | expr LE expr              { $$ = bin(LE, $1, $3, @2.first_column); }
    | expr '>' expr             { $$ = bin('>', $1, $3, @2.first_column); }
    | expr GE expr              { $$ = bin(GE, $1, $3, @2.first_column); }
    | expr EQ expr              { $$ = bin(EQ, $1, $3, @2.first_column); }
    | expr NE expr              { $$ = bin(NE, $1, $3, @2.first_column); }
    | expr '&' expr             { $$ = bin('&', $1, $3, @2.first_column); }
    | expr '^' expr             { $$ = bin('^', $1, $3, @2.first_column); }
    | expr '|' expr             { $$ = bin('|', $1, $3, @2.first_column); }
    | expr ANDAND expr          { $$ = bin(ANDAND, $1, $3, @2.first_column); }
    | expr OROR expr            { $$ = bin(OROR, $1, $3, @2.first_column); }
    | expr '?' expr ':' expr    { $$ = asm_expr_op(EX_COND, '?', @2.first_column, $1, $3, $5); }
    ;

primary
    : NUMBER                    { $$ = leaf(EX_NUM, @1.first_column); $$->num = $1; }
    | IDENT %prec NOCALL        { $$ = leaf(EX_SYM, @1.first_column); $$->name = $1; }
    | LOCALREF                  {
                                  $$ = leaf(EX_LOCAL, @1.first_column);
                                  size_t n = strlen($1);
                                  $$->forward = $1[n - 1] == 'f' || $1[n - 1] == 'F';
                                  $$->num = strtoll($1, NULL, 10);
                                  free($1);
                                }
    | '.'                       { $$ = leaf(EX_DOT, @1.first_column); }
    | '(' expr ')'              { $$ = $2; $$->paren = true; }
    | IDENT '(' expr ')'        { $$ = asm_expr_op(EX_CALL, 0, @1.first_column, $3, NULL, NULL); $$->name = $1; }
    ;

%%

