/*
 * breakpoint.c -- the debugger's stop conditions and edits, without curses:
 * code breakpoints with an optional condition, memory watchpoints, catch-
 * points on a trap or VM exit cause, the expressions the conditions and the
 * commands use, and register and memory edits recorded at their position so
 * that replaying (going back) keeps them or, past them, undoes them.
 *
 * Watchpoints use only the machine's public API: before each instruction of
 * a watched run the model decodes the instruction at the pc and works out
 * the address a load or store would touch (machine_translate for physical
 * and guest-physical watches).  A run without watchpoints costs nothing
 * extra: the machine runs at full speed with its own breakpoints.
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the list ------------------------------------------------------------- */

unsigned tui_bp_add(tui_model *m, const tui_bp *b)
{
    if (m->nbps == m->bps_cap) {
        size_t cap = m->bps_cap ? m->bps_cap * 2 : 8;
        tui_bp *p = realloc(m->bps, cap * sizeof *p);
        if (!p) {
            tui_set_status(m, "out of memory");
            return 0;
        }
        m->bps = p;
        m->bps_cap = cap;
    }
    tui_bp *n = &m->bps[m->nbps];
    *n = *b;
    n->cond = NULL;
    if (b->cond && !(n->cond = strdup(b->cond))) {
        tui_set_status(m, "out of memory");
        return 0;
    }
    n->id = ++m->next_bp_id;
    n->hits = 0;
    m->nbps++;
    return n->id;
}

bool tui_bp_delete(tui_model *m, unsigned id)
{
    for (size_t i = 0; i < m->nbps; i++) {
        if (m->bps[i].id == id) {
            free(m->bps[i].cond);
            memmove(&m->bps[i], &m->bps[i + 1], (m->nbps - i - 1) * sizeof *m->bps);
            m->nbps--;
            return true;
        }
    }
    return false;
}

const tui_bp *tui_bp_find_code(const tui_model *m, uint32_t pc)
{
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i].kind == TUI_BP_CODE && m->bps[i].addr == pc)
            return &m->bps[i];
    return NULL;
}

void tui_bp_free_all(tui_model *m)
{
    for (size_t i = 0; i < m->nbps; i++)
        free(m->bps[i].cond);
    free(m->bps);
    m->bps = NULL;
    m->nbps = m->bps_cap = 0;
}

bool tui_has_watchpoints(const tui_model *m)
{
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i].kind == TUI_BP_WATCH)
            return true;
    return false;
}

/* ---- expressions ------------------------------------------------------------ */
/*
 * A small C expression language over 32-bit unsigned values, by precedence
 * climbing: || && | ^ & == != < <= > >= << >> + - * / % and the unary
 * - ! ~ *.  Names are registers (a0, $a0, r5), pc, control registers
 * (status, epc, ...), vm, or symbols of the image running now.
 */
typedef struct {
    const tui_model *m;
    const char *p;
    char *err;
    size_t errlen;
    bool failed;
} ev;

static void ev_fail(ev *e, const char *fmt, const char *arg)
{
    if (!e->failed)
        snprintf(e->err, e->errlen, fmt, arg);
    e->failed = true;
}

static void skip_ws(ev *e)
{
    while (isspace((unsigned char)*e->p))
        e->p++;
}

static uint32_t ev_binary(ev *e, int min_prec);

static bool name_value(const tui_model *m, const char *name, uint32_t *out)
{
    machine *mach = tui_model_machine(m);
    if (strcmp(name, "pc") == 0) {
        *out = machine_cpu(mach)->pc;
        return true;
    }
    if (strcmp(name, "vm") == 0) {
        *out = (uint32_t)m->ops->current_vm(m->target);
        return true;
    }
    int r = isa_parse_reg(name);
    if (r >= 0 && r < ISA_NUM_REGS) {
        *out = machine_get_reg(mach, (unsigned)r);
        return true;
    }
    int c = isa_parse_cr(name);
    if (c >= 0 && c < ISA_NUM_CRS) {
        *out = machine_get_cr(mach, (unsigned)c);
        return true;
    }
    const image_symbol *s = image_find_symbol(tui_model_image(m), name);
    if (s) {
        *out = s->value;
        return true;
    }
    return false;
}

static uint32_t ev_unary(ev *e)
{
    skip_ws(e);
    char c = *e->p;
    if (c == '-' || c == '!' || c == '~' || c == '*') {
        e->p++;
        uint32_t v = ev_unary(e);
        if (c == '-') return 0u - v;
        if (c == '!') return !v;
        if (c == '~') return ~v;
        uint8_t b[4];
        if (!e->failed && !machine_read_virt(tui_model_machine(e->m), v, b, 4)) {
            char a[16];
            snprintf(a, sizeof a, "0x%08x", v);
            ev_fail(e, "*%s: not mapped", a);
            return 0;
        }
        return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    }
    if (c == '(') {
        e->p++;
        uint32_t v = ev_binary(e, 0);
        skip_ws(e);
        if (*e->p != ')')
            ev_fail(e, "missing ')'%s", "");
        else
            e->p++;
        return v;
    }
    if (isdigit((unsigned char)c)) {
        char *end;
        unsigned long long v = strtoull(e->p, &end, 0);
        if (isalnum((unsigned char)*end) || *end == '_' || v > UINT32_MAX) {
            char tok[32];
            size_t n = 0;
            while ((isalnum((unsigned char)e->p[n]) || e->p[n] == '_') && n < sizeof tok - 1)
                n++;
            snprintf(tok, sizeof tok, "%.*s", (int)n, e->p);
            ev_fail(e, "bad number '%s' (decimal, or hex with 0x)", tok);
            return 0;
        }
        e->p = end;
        return (uint32_t)v;
    }
    if (c == '\'' && e->p[1] && e->p[2] == '\'') {
        uint32_t v = (unsigned char)e->p[1];
        e->p += 3;
        return v;
    }
    if (c == '$' || isalpha((unsigned char)c) || c == '_' || c == '.') {
        if (c == '$')
            e->p++;
        char name[64];
        size_t n = 0;
        while ((isalnum((unsigned char)e->p[n]) || e->p[n] == '_' || e->p[n] == '.') && n < sizeof name - 1)
            n++;
        snprintf(name, sizeof name, "%.*s", (int)n, e->p);
        e->p += n;
        uint32_t v = 0;
        if (!name_value(e->m, name, &v))
            ev_fail(e, "no register or symbol '%s'", name);
        return v;
    }
    if (!c)
        ev_fail(e, "expression expected%s", "");
    else {
        char t[2] = { c, 0 };
        ev_fail(e, "unexpected '%s'", t);
    }
    return 0;
}

static const struct { const char *op; int prec; } binops[] = {
    { "||", 1 }, { "&&", 2 }, { "==", 6 }, { "!=", 6 }, { "<=", 7 }, { ">=", 7 },
    { "<<", 8 }, { ">>", 8 }, { "|", 3 }, { "^", 4 }, { "&", 5 }, { "<", 7 }, { ">", 7 },
    { "+", 9 }, { "-", 9 }, { "*", 10 }, { "/", 10 }, { "%", 10 },
};

static uint32_t apply(ev *e, const char *op, uint32_t a, uint32_t b)
{
    switch (op[0]) {
    case '|': return op[1] == '|' ? (a || b) : a | b;
    case '&': return op[1] == '&' ? (a && b) : a & b;
    case '^': return a ^ b;
    case '=': return a == b;
    case '!': return a != b;
    case '<': return op[1] == '=' ? a <= b : op[1] == '<' ? (b < 32 ? a << b : 0) : a < b;
    case '>': return op[1] == '=' ? a >= b : op[1] == '>' ? (b < 32 ? a >> b : 0) : a > b;
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    default:
        if (b == 0) {
            ev_fail(e, "division by zero%s", "");
            return 0;
        }
        return op[0] == '/' ? a / b : a % b;
    }
}

static uint32_t ev_binary(ev *e, int min_prec)
{
    uint32_t lhs = ev_unary(e);
    for (;;) {
        skip_ws(e);
        const char *op = NULL;
        int prec = 0;
        for (size_t i = 0; i < sizeof binops / sizeof binops[0]; i++) {
            size_t n = strlen(binops[i].op);
            if (strncmp(e->p, binops[i].op, n) == 0) {
                op = binops[i].op;
                prec = binops[i].prec;
                break;
            }
        }
        if (!op || prec <= min_prec || e->failed)
            return lhs;
        e->p += strlen(op);
        uint32_t rhs = ev_binary(e, prec);
        lhs = apply(e, op, lhs, rhs);
    }
}

bool tui_eval(const tui_model *m, const char *expr, uint32_t *out, char *err, size_t errlen)
{
    char dummy[8];
    ev e = { m, expr ? expr : "", err ? err : dummy, err ? errlen : sizeof dummy, false };
    uint32_t v = ev_binary(&e, 0);
    skip_ws(&e);
    if (!e.failed && *e.p) {
        char t[24];
        snprintf(t, sizeof t, "%.20s", e.p);
        ev_fail(&e, "unexpected '%s'", t);
    }
    if (e.failed)
        return false;
    *out = v;
    return true;
}

/* ---- checks while running -------------------------------------------------------- */

/* The condition of a breakpoint holds (a condition that cannot be evaluated
 * counts as true, so that the user sees it stop and the message says why). */
bool tui_bp_condition_holds(tui_model *m, tui_bp *b)
{
    if (!b->cond)
        return true;
    uint32_t v;
    char err[96];
    if (!tui_eval(m, b->cond, &v, err, sizeof err)) {
        snprintf(m->hit_what, sizeof m->hit_what, "condition '%s': %s", b->cond, err);
        return true;
    }
    return v != 0;
}

/* The load or store the instruction at the pc will make: false when it makes none. */
static bool next_access(machine *mach, uint32_t *va, uint32_t *size, unsigned *access)
{
    uint32_t pc = machine_cpu(mach)->pc;
    uint8_t b[4];
    if (!machine_read_virt(mach, pc, b, 4))
        return false;
    uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    const isa_insn *in;
    isa_operands o;
    if (!isa_decode(w, &in, &o))
        return false;
    if (in->format != FMT_LOAD && in->format != FMT_STORE)
        return false;
    *va = machine_get_reg(mach, o.rs1) + (uint32_t)o.imm;
    switch (in->opcode) {
    case OP_LW: case OP_SW: *size = 4; break;
    case OP_LH: case OP_LHU: case OP_SH: *size = 2; break;
    default: *size = 1; break;
    }
    *access = in->format == FMT_STORE ? TUI_WATCH_WRITE : TUI_WATCH_READ;
    return true;
}

/* Where the watched word is, as the address the access is compared with. */
static bool watch_matches(const tui_model *m, const tui_bp *b, uint32_t va, uint32_t size, unsigned access)
{
    if (!(b->access & access))
        return false;
    machine *mach = tui_model_machine(m);
    uint32_t a = va;
    uint32_t w = b->addr;
    if (b->space != TUI_MEM_VIRTUAL) {
        uint32_t pa;
        if (machine_translate(mach, va, access == TUI_WATCH_WRITE ? ACCESS_WRITE : ACCESS_READ,
                              machine_ring(mach), &pa) != CAUSE_NONE)
            return false;
        a = pa;
        if (b->space == TUI_MEM_GUEST_PHYSICAL &&
            !(m->ops->gpa_to_pa && m->ops->gpa_to_pa(m->target, b->vm, b->addr, &w)))
            return false;
    }
    /* [a, a + size) overlaps the word [w, w + 4) */
    return a - w < 4 || w - a < size;
}

/* Before one instruction of a watched run: the watchpoint it will hit, or
 * NULL; *old gets the watched word's value before the access. */
tui_bp *tui_watch_check(tui_model *m, uint32_t *old)
{
    machine *mach = tui_model_machine(m);
    uint32_t va, size;
    unsigned access;
    if (!next_access(mach, &va, &size, &access))
        return NULL;
    for (size_t i = 0; i < m->nbps; i++) {
        tui_bp *b = &m->bps[i];
        if (b->kind == TUI_BP_WATCH && watch_matches(m, b, va, size, access)) {
            *old = 0;
            tui_bp_read_word(m, b, old);
            return b;
        }
    }
    return NULL;
}

/* The word a watchpoint watches, read in its own space. */
bool tui_bp_read_word(const tui_model *m, const tui_bp *b, uint32_t *out)
{
    uint8_t x[4];
    machine *mach = tui_model_machine(m);
    bool ok;
    if (b->space == TUI_MEM_PHYSICAL)
        ok = machine_read_phys(mach, b->addr, x, 4);
    else if (b->space == TUI_MEM_GUEST_PHYSICAL)
        ok = m->ops->read_guest_phys && m->ops->read_guest_phys(m->target, b->vm, b->addr, x, 4);
    else
        ok = machine_read_virt(mach, b->addr, x, 4);
    if (ok)
        *out = (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
    return ok;
}

/* From tui_model_record: a catchpoint that this event hits (during a run
 * with breakpoints) stops the run right after it. */
void tui_catch_check(tui_model *m, const tui_event *e)
{
    if (!m->catching || m->hit_bp)
        return;
    bool trap = e->kind == TUI_EV_TRAP || e->kind == TUI_EV_EXIT;
    bool exit = e->kind == TUI_EV_EXIT;
    for (size_t i = 0; i < m->nbps; i++) {
        tui_bp *b = &m->bps[i];
        if ((b->kind == TUI_BP_TRAP && trap) || (b->kind == TUI_BP_EXIT && exit)) {
            if (b->cause != TUI_CAUSE_ANY && b->cause != CAUSE_CODE(e->cause))
                continue;
            m->hit_bp = b->id;
            snprintf(m->hit_what, sizeof m->hit_what, "%s %s at 0x%08x%s", exit ? "exit" : "trap",
                     isa_cause_name(CAUSE_CODE(e->cause)), e->pc, e->vm >= 0 ? " (VM)" : "");
            if (e->vm >= 0) {
                char *p = strstr(m->hit_what, " (VM)");
                snprintf(p, sizeof m->hit_what - (size_t)(p - m->hit_what), " in VM %d", e->vm);
            }
            machine_request_stop(tui_model_machine(m));
            return;
        }
    }
}

/* ---- edits -------------------------------------------------------------------------- */

void tui_edit_apply(tui_model *m, const tui_edit *e)
{
    machine *mach = tui_model_machine(m);
    uint8_t b[4] = { (uint8_t)e->value, (uint8_t)(e->value >> 8), (uint8_t)(e->value >> 16),
                     (uint8_t)(e->value >> 24) };
    switch (e->kind) {
    case TUI_EDIT_REG: machine_set_reg(mach, e->index, e->value); break;
    case TUI_EDIT_CR:  machine_set_cr(mach, e->index, e->value); break;
    case TUI_EDIT_PC:  machine_cpu(mach)->pc = e->value; break;
    case TUI_EDIT_MEM: machine_write_phys(mach, e->index, b, 4); break;
    }
}

/* The checkpoints taken at or after instret hold a future an edit changed. */
static void drop_checkpoints_from(tui_model *m, uint64_t instret)
{
    size_t keep = m->nck;
    while (keep > 1 && m->ck[keep - 1].instret >= instret)
        keep--;
    for (size_t i = keep; i < m->nck; i++)
        m->ops->snap_free(m->ck[i].snap);
    m->nck = keep;
}

bool tui_edit_record(tui_model *m, tui_edit_kind kind, uint32_t index, uint32_t value)
{
    if (m->nedits == m->edits_cap) {
        size_t cap = m->edits_cap ? m->edits_cap * 2 : 16;
        tui_edit *p = realloc(m->edits, cap * sizeof *p);
        if (!p)
            return false;
        m->edits = p;
        m->edits_cap = cap;
    }
    machine *mach = tui_model_machine(m);
    tui_edit e = { machine_instret(mach), machine_get_stats(mach)->traps_total, kind, index, value };
    m->edits[m->nedits++] = e;
    drop_checkpoints_from(m, e.instret);
    tui_edit_apply(m, &e);
    return true;
}

/* Going back to (instret, traps): the edits made after it are undone (they
 * leave the list), and so are the checkpoints taken with them. */
void tui_edits_forget_after(tui_model *m, uint64_t instret, uint64_t traps)
{
    while (m->nedits && tui_pos_after(m->edits[m->nedits - 1].instret, m->edits[m->nedits - 1].traps,
                                      instret, traps)) {
        drop_checkpoints_from(m, m->edits[m->nedits - 1].instret);
        m->nedits--;
    }
}
