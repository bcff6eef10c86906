/*
 * asm_priv.h -- what the assembler's own files share (asm.c, diag.c,
 * expr.c, insn.c, source.c, directive.c): limits, the per-run context and
 * the functions one file calls in another.  The lexer and the parser see
 * only asm_int.h; the rest of traplab only asm.h.
 */
#ifndef TRAPLAB_ASM_PRIV_H
#define TRAPLAB_ASM_PRIV_H

#include <stdio.h>

#include "asm/asm_int.h"

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
    unsigned long long work;           /* lookup steps (asm_options.work) */
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

enum { D_ERROR, D_WARNING, D_NOTE };

/* diag.c: allocation that aborts on failure, source files, diagnostics */
void *asm_xrealloc(void *p, size_t n);
char *asm_xstrdup(const char *s);
char *asm_xstrndup(const char *s, size_t n);
#define GROW(arr, n, cap) do { if ((n) >= (cap)) { (cap) = (cap) ? 2 * (cap) : 8; \
    (arr) = asm_xrealloc((arr), (cap) * sizeof *(arr)); } } while (0)
int asm_file_index(asm_ctx *c, const char *name);
void asm_report(asm_ctx *c, int kind, int file, int line, int col, const char *fmt, ...);
void asm_warn_col(asm_ctx *c, int col, const char *fmt, ...);
#define err asm_error_col

/* expr.c: hash indexes, symbols, local labels, expressions */
size_t asm_hash_lower(const char *s);
void asm_hindex_put(hindex *h, size_t hash, int k);
void asm_hindex_clear(hindex *h);
void asm_hindex_reserve(asm_ctx *c, hindex *h, size_t n, size_t (*hash_of)(const asm_ctx *, size_t));
symbol *asm_find_sym(asm_ctx *c, const char *name);
symbol *asm_add_sym(asm_ctx *c, const char *name);
bool asm_eval(asm_ctx *c, const asm_expr *e, eval_mode mode, int64_t *out, bool *known);
bool asm_check_depth(asm_ctx *c, const asm_expr *e);
bool asm_value_now(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v);
bool asm_value_final(asm_ctx *c, const asm_operand *op, const char *what, int64_t *v);
void asm_define(asm_ctx *c, const char *name, int col, int64_t v, bool known, bool label, bool redefinable);
void asm_define_labels(asm_ctx *c, const asm_stmt *st);

/* insn.c: output, instructions, pseudo-instructions */
typedef struct pseudo pseudo;
void asm_emit(asm_ctx *c, const uint8_t *bytes, size_t n);
const char *asm_bare_name(const asm_operand *op);
const pseudo *asm_find_pseudo(const char *name);
void asm_operation(asm_ctx *c, const asm_stmt *st);

/* source.c: files and .include, conditional assembly, macros */
char *asm_read_whole(const char *path, size_t *len, char *why, size_t whylen);
void asm_push_file(asm_ctx *c, int fi, char *text, size_t len, char *real);
void asm_pop_source(asm_ctx *c);
bool asm_next_line(asm_ctx *c);
void asm_include(asm_ctx *c, const asm_operand *op);
bool asm_active(const asm_ctx *c);
void asm_push_cond(asm_ctx *c, bool parent, bool value, int col);
bool asm_cond_top(asm_ctx *c, const char *dir, int col);
void asm_raw_directive(const char *line, size_t len, char *out, size_t n, size_t *end);
macro *asm_find_macro(asm_ctx *c, const char *name);
bool asm_ident_start(char ch);
bool asm_ident_char(char ch);
void asm_begin_macro(asm_ctx *c, size_t after);
void asm_macro_line(asm_ctx *c);
void asm_expand_macro(asm_ctx *c, const asm_stmt *st, const macro *m);

/* directive.c */
void asm_assign(asm_ctx *c, const asm_stmt *st, const asm_operand *name_op, const asm_operand *val, bool redefinable);
bool asm_cond_value(asm_ctx *c, const asm_stmt *st, bool *v);
void asm_directive(asm_ctx *c, const asm_stmt *st);

#endif
