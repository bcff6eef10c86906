/*
 * insn.c -- bytes out: emitting into segments, instructions and their
 * operands (registers, control registers, immediates, memory, branch
 * targets), the pseudo-instructions, and the dispatch of an operation to an
 * instruction, a pseudo-instruction or a macro.
 */
#include "asm/asm_priv.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "isa/isa.h"

/* ---- output -------------------------------------------------------------- */
void asm_emit(asm_ctx *c, const uint8_t *bytes, size_t n)
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
            c->segs = asm_xrealloc(c->segs, (c->nsegs + 1) * sizeof *c->segs);
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
            s->data = asm_xrealloc(s->data, s->cap);
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
    asm_emit(c, b, 4);
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
const char *asm_bare_name(const asm_operand *op)
{
    return op->kind == OPND_EXPR && op->e->kind == EX_SYM && !op->e->paren ? op->e->name : NULL;
}

static bool want_reg(asm_ctx *c, const asm_operand *op, const char *mn, const char *syntax, unsigned *r)
{
    const char *name = asm_bare_name(op);
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
    const char *name = asm_bare_name(op);
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
        if (!asm_check_depth(c, op->e) || !asm_eval(c, op->e, MODE_NOW, &v, &known))
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
    if (!asm_value_final(c, op, "an immediate", &v))
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
    if (!asm_value_final(c, op, "a branch target", &v))
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

struct pseudo {
    const char *name;
    const char *syntax;
    size_t nops;
    pseudo_fn *fn;
    const char *expansion;    /* for docs and --help */
};

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
        if (!asm_eval(c, op->e, MODE_NOW, &v, &known))
            known = false;
        c->quiet--;
        if (known && v >= ISA_SIMM18_MIN && v <= ISA_SIMM18_MAX) {
            emit_insn(c, OP_ADDI, rd, 0, 0, (int32_t)v);
            return;
        }
    }
    if (!asm_value_final(c, op, "'li'", &v) || !word_value(c, op, v))
        v = 0;
    li_words(c, rd, (uint32_t)v);
}

static void p_la(asm_ctx *c, const asm_stmt *st, const char *syn)
{
    unsigned rd = 0;
    int64_t v = 0;
    if (!want_reg(c, &st->ops[0], st->name, syn, &rd))
        rd = 0;
    if (!asm_value_final(c, &st->ops[1], "'la'", &v) || !word_value(c, &st->ops[1], v))
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

const pseudo *asm_find_pseudo(const char *name)
{
    for (size_t i = 0; i < sizeof pseudos / sizeof pseudos[0]; i++)
        if (strcasecmp(pseudos[i].name, name) == 0)
            return &pseudos[i];
    return NULL;
}

/* ---- operations ---------------------------------------------------------- */
void asm_operation(asm_ctx *c, const asm_stmt *st)
{
    const isa_insn *in = isa_lookup_mnemonic(st->name);
    if (in) {
        assemble_insn(c, st, in);
        return;
    }
    const pseudo *p = asm_find_pseudo(st->name);
    if (p) {
        if (count_ok(c, st, p->nops, p->syntax))
            p->fn(c, st, p->syntax);
        return;
    }
    const macro *m = asm_find_macro(c, st->name);
    if (m) {
        asm_expand_macro(c, st, m);
        return;
    }
    if (c->pass != 2 || c->stop || c->quiet) {
        /* Nothing will be printed: skip the search for a suggestion, which
         * is a loop over every macro and would make errors quadratic. */
        err(c, st->col, "unknown mnemonic '%s'", st->name);
        return;
    }
    /* The closest of every instruction, pseudo-instruction and macro; on a
     * tie, the one reached by adding or dropping letters only ("hlt" is
     * "halt" with a letter missing, not "slt" with one changed; "lii" is
     * "li" with one too many, not "lui"), then a pseudo-instruction or
     * macro over a plain instruction. */
    const char *best = NULL;
    int bestd = 3, bestk = 3;
    size_t wl = strlen(st->name);
    for (int pass = 0; pass < 3; pass++) {
        size_t n = pass == 0 ? ISA_NUM_OPCODES : pass == 1 ? sizeof pseudos / sizeof pseudos[0] : c->nmacros;
        for (size_t i = 0; i < n; i++) {
            const char *name = pass == 0 ? isa_table[i].mnemonic : pass == 1 ? pseudos[i].name
                                                                       : c->macros[i]->name;
            if (!name)
                continue;
            int d = isa_edit_distance(name, st->name);
            if (d > (int)wl / 2 + 1)
                continue;    /* a two-letter word is only "close" at distance 1 */
            size_t nl = strlen(name);
            int kind = (size_t)d == (nl > wl ? nl - wl : wl - nl) ? 0 : 1;
            int k = kind * 2 + (pass == 0);
            if (d < bestd || (d == bestd && k < bestk)) {
                bestd = d;
                bestk = k;
                best = name;
            }
        }
    }
    c->work += c->nmacros;
    if (best && bestd <= 2)
        err(c, st->col, "unknown mnemonic '%s'; did you mean '%s'?", st->name, best);
    else
        err(c, st->col, "unknown mnemonic '%s'", st->name);
}

const char *asm_pseudo_name(size_t i)
{
    return i < sizeof pseudos / sizeof pseudos[0] ? pseudos[i].name : NULL;
}
