/*
 * command.c -- the debugger's command line (':' in the terminal UI), with
 * gdb's and SIMH's words: break, watch, delete, info, set, examine, source,
 * save, and the motions (step, next, continue, trap, reverse-step,
 * reverse-continue).  No curses: the view only edits the line and hands it
 * here, so the tests run commands as a user types them.  Completion and the
 * history live here too.
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOURCE_MAX_DEPTH 8
#define EXAMINE_MAX 1024
#define OUTPUT_MAX (64u << 10)

/* ---- helpers ------------------------------------------------------------------- */

static bool es(const tui_model *m) { return m->lang == TUI_LANG_ES; }

static tui_reaction fail(tui_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static tui_reaction fail(tui_model *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->status, sizeof m->status, fmt, ap);
    va_end(ap);
    m->cmd_failed = true;
    return TUI_REDRAW;
}

/* Appends to m->output (a growing text of lines). */
static void out(tui_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(tui_model *m, const char *fmt, ...)
{
    size_t have = m->output ? strlen(m->output) : 0;
    if (have >= OUTPUT_MAX)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    char *p = realloc(m->output, have + len + 1);
    if (!p)
        return;
    memcpy(p + have, line, len + 1);
    m->output = p;
}

static char *skip(char *p)
{
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

/* The next word of *p (NUL-terminated in place), or NULL at the end. */
static char *word(char **p)
{
    char *s = skip(*p);
    if (!*s)
        return NULL;
    char *e = s;
    while (*e && !isspace((unsigned char)*e))
        e++;
    if (*e)
        *e++ = '\0';
    *p = e;
    return s;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
}

/* An address: what g takes (sym, sym+N, hex without 0x), else an expression. */
static bool address(tui_model *m, const char *text, uint32_t *out, char *err, size_t errlen)
{
    if (tui_parse_where(m, text, out))
        return true;
    return tui_eval(m, text, out, err, errlen);
}

static bool parse_cause(const char *s, uint32_t *out)
{
    if (!s || strcmp(s, "any") == 0 || strcmp(s, "*") == 0) {
        *out = TUI_CAUSE_ANY;
        return true;
    }
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++) {
        const char *n = isa_cause_name(c);
        if (n && strcasecmp(n, s) == 0 && strcmp(n, "?") != 0) {
            *out = c;
            return true;
        }
    }
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    if (*s && !*end && v < ISA_NUM_CAUSES) {
        *out = (uint32_t)v;
        return true;
    }
    return false;
}

static void list_causes(char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (unsigned c = 1; c < ISA_NUM_CAUSES && o + 1 < n; c++) {
        const char *name = isa_cause_name(c);
        if (!name || strcmp(name, "?") == 0)
            continue;
        int k = snprintf(buf + o, n - o, "%s%s", o ? ", " : "", name);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

/* "phys" and "gpa" before an address choose the space (else virtual). */
static bool parse_space(tui_model *m, char **p, tui_mem_mode *space, int *vm)
{
    char *save = *p;
    char *w = word(p);
    *vm = m->sel_vm;
    if (w && (strcmp(w, "phys") == 0 || strcmp(w, "-p") == 0)) {
        *space = TUI_MEM_PHYSICAL;
        return true;
    }
    if (w && (strcmp(w, "gpa") == 0 || strcmp(w, "-g") == 0)) {
        if (!m->ops->read_guest_phys || m->sel_vm < 0) {
            fail(m, es(m) ? "gpa: solo bajo el hipervisor (direcciones físicas de una VM)" :
                 "gpa: only under the hypervisor (a VM's guest-physical addresses)");
            return false;
        }
        *space = TUI_MEM_GUEST_PHYSICAL;
        return true;
    }
    /* not a space word: put it back */
    if (w) {
        size_t len = strlen(w);
        if (w + len < *p)
            w[len] = ' ';
    }
    *p = save;
    *space = TUI_MEM_VIRTUAL;
    return true;
}

static const char *space_name(tui_mem_mode s, int vm, char *buf, size_t n)
{
    if (s == TUI_MEM_PHYSICAL)
        snprintf(buf, n, "phys ");
    else if (s == TUI_MEM_GUEST_PHYSICAL)
        snprintf(buf, n, "VM %d gpa ", vm);
    else
        buf[0] = '\0';
    return buf;
}

static bool read_word(tui_model *m, tui_mem_mode space, int vm, uint32_t addr, uint32_t *out)
{
    tui_bp b = { .kind = TUI_BP_WATCH, .addr = addr, .space = space, .vm = vm };
    return tui_bp_read_word(m, &b, out);
}

/* ---- the commands ---------------------------------------------------------------- */

static tui_reaction c_break(tui_model *m, char *args)
{
    char *p = args;
    char *first = word(&p);
    if (!first)
        return fail(m, es(m) ? "break SÍMBOLO|DIRECCIÓN [if EXPR], break trap CAUSA o break exit CAUSA" :
                    "break SYM|ADDR [if EXPR], break trap CAUSE or break exit CAUSE");
    if (strcmp(first, "trap") == 0 || strcmp(first, "exit") == 0) {
        bool ex = strcmp(first, "exit") == 0;
        char *c = word(&p);
        tui_bp b = { .kind = ex ? TUI_BP_EXIT : TUI_BP_TRAP };
        if (!parse_cause(c, &b.cause)) {
            char causes[512];
            list_causes(causes, sizeof causes);
            return fail(m, es(m) ? "Causa desconocida '%s' (%s o any)" : "Unknown cause '%s' (%s, or any)",
                        c, causes);
        }
        if (ex && !m->ops->vm_count(m->target))
            return fail(m, es(m) ? "break exit: no hay VMs (máquina sin hipervisor); use break trap" :
                        "break exit: there are no VMs on the bare machine; use break trap");
        unsigned id = tui_bp_add(m, &b);
        if (!id)
            return TUI_REDRAW;
        tui_set_status(m, es(m) ? "Captura %u: %s %s" : "Catchpoint %u: %s %s", id, ex ? "exit" : "trap",
                       b.cause == TUI_CAUSE_ANY ? "any" : isa_cause_name(b.cause));
        return TUI_REDRAW;
    }
    /* The location is everything up to " if ". */
    char *loc = first;
    if (*p) {
        size_t len = strlen(first);
        first[len] = ' ';      /* rejoin: the location may hold spaces (main + 8) */
    }
    char *cond = NULL;
    for (char *q = loc; (q = strstr(q, "if")) != NULL; q += 2) {
        bool start = q == loc || isspace((unsigned char)q[-1]);
        bool end = isspace((unsigned char)q[2]) || q[2] == '\0' || q[2] == '(';
        if (start && end) {
            cond = skip(q + 2);
            *q = '\0';
            break;
        }
    }
    trim(loc);
    if (cond) {
        trim(cond);
        if (!*cond)
            return fail(m, es(m) ? "break ... if: falta la condición" : "break ... if: the condition is missing");
    }
    uint32_t addr;
    char err[128];
    if (!*loc)
        return fail(m, es(m) ? "break: ¿dónde? (un símbolo o una dirección)" : "break: where? (a symbol or an address)");
    if (!address(m, loc, &addr, err, sizeof err))
        return fail(m, es(m) ? "break %s: %s" : "break %s: %s", loc, err);
    if (cond) {
        uint32_t v;
        if (!tui_eval(m, cond, &v, err, sizeof err) && strstr(err, "not mapped") == NULL)
            return fail(m, "break ... if %s: %s", cond, err);
    }
    const tui_bp *old = tui_bp_find_code(m, addr);
    if (old)
        tui_bp_delete(m, old->id);     /* one breakpoint per address: the new condition replaces it */
    tui_bp b = { .kind = TUI_BP_CODE, .addr = addr & ~3u, .cond = cond };
    unsigned id = tui_bp_add(m, &b);
    if (!id)
        return TUI_REDRAW;
    char sym[64];
    tui_model_symbolize(m, b.addr, sym, sizeof sym);
    if (cond)
        tui_set_status(m, es(m) ? "Punto de interrupción %u en 0x%08x %s si %s" : "Breakpoint %u at 0x%08x %s if %s",
                       id, b.addr, sym, cond);
    else
        tui_set_status(m, es(m) ? "Punto de interrupción %u en 0x%08x %s" : "Breakpoint %u at 0x%08x %s", id, b.addr, sym);
    return TUI_REDRAW;
}

static tui_reaction watch_kind(tui_model *m, char *args, unsigned access, bool from_word)
{
    char *p = args;
    tui_mem_mode space;
    int vm;
    if (!parse_space(m, &p, &space, &vm))
        return TUI_REDRAW;
    char *rest = skip(p);
    /* A last word read, write or access chooses the kind. */
    char *last = rest + strlen(rest);
    while (last > rest && isspace((unsigned char)last[-1]))
        last--;
    *last = '\0';
    char *lw = last;
    while (lw > rest && !isspace((unsigned char)lw[-1]))
        lw--;
    if (from_word && lw > rest) {
        if (strcmp(lw, "read") == 0) access = TUI_WATCH_READ;
        else if (strcmp(lw, "write") == 0) access = TUI_WATCH_WRITE;
        else if (strcmp(lw, "access") == 0 || strcmp(lw, "rw") == 0) access = TUI_WATCH_READ | TUI_WATCH_WRITE;
        else lw = NULL;
        if (lw)
            *lw = '\0';
        trim(rest);
    }
    if (!*rest)
        return fail(m, es(m) ? "watch [phys|gpa] DIRECCIÓN [read|write|access]" :
                    "watch [phys|gpa] ADDR [read|write|access]");
    uint32_t addr;
    char err[128];
    if (!address(m, rest, &addr, err, sizeof err))
        return fail(m, "watch %s: %s", rest, err);
    tui_bp b = { .kind = TUI_BP_WATCH, .addr = addr & ~3u, .space = space, .vm = vm, .access = access };
    uint32_t now;
    if (!tui_bp_read_word(m, &b, &now))
        return fail(m, es(m) ? "watch 0x%08x: dirección no accesible ahora" : "watch 0x%08x: not mapped now", b.addr);
    unsigned id = tui_bp_add(m, &b);
    if (!id)
        return TUI_REDRAW;
    char sp[24];
    tui_set_status(m, es(m) ? "Vigilancia %u (%s) en %s0x%08x = 0x%08x" : "Watchpoint %u (%s) on %s0x%08x = 0x%08x",
                   id, access == TUI_WATCH_READ ? "read" : access == TUI_WATCH_WRITE ? "write" : "access",
                   space_name(space, vm, sp, sizeof sp), b.addr, now);
    return TUI_REDRAW;
}

static tui_reaction c_watch(tui_model *m, char *args) { return watch_kind(m, args, TUI_WATCH_WRITE, true); }
static tui_reaction c_rwatch(tui_model *m, char *args) { return watch_kind(m, args, TUI_WATCH_READ, false); }
static tui_reaction c_awatch(tui_model *m, char *args)
{
    return watch_kind(m, args, TUI_WATCH_READ | TUI_WATCH_WRITE, false);
}

static tui_reaction c_delete(tui_model *m, char *args)
{
    char *p = args;
    char *w = word(&p);
    if (!w) {
        size_t n = m->nbps;
        while (m->nbps)
            tui_bp_delete(m, m->bps[0].id);
        tui_set_status(m, es(m) ? "%zu borrados" : "%zu deleted", n);
        return TUI_REDRAW;
    }
    size_t n = 0;
    for (; w; w = word(&p)) {
        char *end;
        unsigned long id = strtoul(w, &end, 10);
        if (*end || !tui_bp_delete(m, (unsigned)id))
            return fail(m, es(m) ? "delete: no hay número %s (info breakpoints los muestra)" :
                        "delete: no number %s (info breakpoints lists them)", w);
        n++;
    }
    tui_set_status(m, es(m) ? "%zu borrados" : "%zu deleted", n);
    return TUI_REDRAW;
}

static tui_reaction c_info(tui_model *m, char *args)
{
    char *p = args;
    char *w = word(&p);
    if (!w || !(strncmp(w, "breakpoints", strlen(w)) == 0 || strncmp(w, "watchpoints", strlen(w)) == 0))
        return fail(m, es(m) ? "info breakpoints (o info b)" : "info breakpoints (or info b)");
    if (m->nbps == 0) {
        tui_set_status(m, es(m) ? "Ningún punto de interrupción, vigilancia ni captura." :
                       "No breakpoints, watchpoints or catchpoints.");
        return TUI_REDRAW;
    }
    free(m->output);
    m->output = NULL;
    out(m, "%-4s %-11s %-28s %s\n", "Num", "Type", "What", "Hits");
    for (size_t i = 0; i < m->nbps; i++) {
        const tui_bp *b = &m->bps[i];
        char what[160], sym[64], sp[24];
        switch (b->kind) {
        case TUI_BP_CODE:
            tui_model_symbolize(m, b->addr, sym, sizeof sym);
            snprintf(what, sizeof what, "0x%08x %s%s%s", b->addr, sym, b->cond ? " if " : "", b->cond ? b->cond : "");
            break;
        case TUI_BP_WATCH:
            snprintf(what, sizeof what, "%s0x%08x %s", space_name(b->space, b->vm, sp, sizeof sp), b->addr,
                     b->access == TUI_WATCH_READ ? "read" : b->access == TUI_WATCH_WRITE ? "write" : "access");
            break;
        default:
            snprintf(what, sizeof what, "%s %s", b->kind == TUI_BP_EXIT ? "exit" : "trap",
                     b->cause == TUI_CAUSE_ANY ? "any" : isa_cause_name(b->cause));
            break;
        }
        static const char *const kinds[] = { "breakpoint", "watchpoint", "catchpoint", "catchpoint" };
        out(m, "%-4u %-11s %-28s %llu\n", b->id, kinds[b->kind], what, (unsigned long long)b->hits);
    }
    tui_set_status(m, es(m) ? "%zu en la lista (cualquier tecla cierra)" : "%zu in the list (any key closes it)",
                   m->nbps);
    return TUI_REDRAW;
}

/* set REG=V, set $REG=V, set pc=V, set CR=V, set mem [phys|gpa] ADDR=V */
static tui_reaction c_set(tui_model *m, char *args)
{
    char *p = skip(args);
    bool mem = strncmp(p, "mem", 3) == 0 && (isspace((unsigned char)p[3]));
    if (strncmp(p, "var", 3) == 0 && isspace((unsigned char)p[3]))
        p = skip(p + 3);          /* gdb's set var */
    if (mem)
        p += 3;
    tui_mem_mode space = TUI_MEM_VIRTUAL;
    int vm = -1;
    if (mem && !parse_space(m, &p, &space, &vm))
        return TUI_REDRAW;
    char *eq = strchr(p, '=');
    if (!eq)
        return fail(m, es(m) ? "set REG=VALOR o set mem DIRECCIÓN=VALOR" : "set REG=VALUE or set mem ADDR=VALUE");
    *eq = '\0';
    char *lhs = skip(p), *rhs = skip(eq + 1);
    trim(lhs);
    trim(rhs);
    uint32_t v;
    char err[128];
    if (!tui_eval(m, rhs, &v, err, sizeof err))
        return fail(m, "set: %s", err);
    machine *mach = tui_model_machine(m);
    if (mem) {
        uint32_t addr, pa;
        if (!address(m, lhs, &addr, err, sizeof err))
            return fail(m, "set mem %s: %s", lhs, err);
        if (addr & 3)
            return fail(m, es(m) ? "set mem 0x%08x: una palabra va alineada a 4" :
                        "set mem 0x%08x: a word must be 4-byte aligned", addr);
        if (space == TUI_MEM_PHYSICAL)
            pa = addr;
        else if (space == TUI_MEM_GUEST_PHYSICAL) {
            if (!m->ops->gpa_to_pa || !m->ops->gpa_to_pa(m->target, vm, addr, &pa))
                return fail(m, es(m) ? "set mem gpa 0x%08x: fuera de la memoria de la VM %d" :
                            "set mem gpa 0x%08x: outside VM %d's memory", addr, vm);
        } else if (machine_translate(mach, addr, ACCESS_WRITE, 0, &pa) != CAUSE_NONE) {
            return fail(m, es(m) ? "set mem 0x%08x: no está mapeada" : "set mem 0x%08x: not mapped", addr);
        }
        if (pa > machine_mem_size(mach) - 4)
            return fail(m, es(m) ? "set mem 0x%08x: fuera de la memoria" : "set mem 0x%08x: outside memory", addr);
        uint32_t old = 0;
        read_word(m, TUI_MEM_PHYSICAL, -1, pa, &old);
        tui_before_action(m);
        if (!tui_edit_record(m, TUI_EDIT_MEM, pa, v))
            return fail(m, "out of memory");
        char sp[24];
        tui_set_status(m, es(m) ? "%s0x%08x: 0x%08x -> 0x%08x (r lo deshace)" : "%s0x%08x: 0x%08x -> 0x%08x (r undoes it)",
                       space_name(space, vm, sp, sizeof sp), addr, old, v);
        tui_view_state_push(m);
        return TUI_REDRAW;
    }
    const char *name = *lhs == '$' ? lhs + 1 : lhs;
    tui_edit_kind kind;
    uint32_t index = 0, old;
    int r = isa_parse_reg(name), c = isa_parse_cr(name);
    if (strcmp(name, "pc") == 0) {
        kind = TUI_EDIT_PC;
        old = machine_cpu(mach)->pc;
        v &= ~3u;
    } else if (r >= 0 && r < ISA_NUM_REGS) {
        if (r == 0)
            return fail(m, es(m) ? "set: r0 (zero) siempre vale 0" : "set: r0 (zero) always reads 0");
        kind = TUI_EDIT_REG;
        index = (uint32_t)r;
        old = machine_get_reg(mach, (unsigned)r);
    } else if (c >= 0 && c < ISA_NUM_CRS) {
        kind = TUI_EDIT_CR;
        index = (uint32_t)c;
        old = machine_get_cr(mach, (unsigned)c);
    } else {
        return fail(m, es(m) ? "set: no hay registro '%s' (a0, sp, pc, status, ... o set mem DIRECCIÓN=V)" :
                    "set: no register '%s' (a0, sp, pc, status, ..., or set mem ADDR=V)", name);
    }
    tui_before_action(m);
    if (!tui_edit_record(m, kind, index, v))
        return fail(m, "out of memory");
    if (kind == TUI_EDIT_PC) {
        m->cursor = v;
        m->cursor_follow = true;
    }
    tui_set_status(m, es(m) ? "%s: 0x%08x -> 0x%08x (r lo deshace)" : "%s: 0x%08x -> 0x%08x (r undoes it)",
                   name, old, v);
    tui_view_state_push(m);
    return TUI_REDRAW;
}

static tui_reaction c_examine(tui_model *m, char *args)
{
    char *p = args;
    tui_mem_mode space;
    int vm;
    if (!parse_space(m, &p, &space, &vm))
        return TUI_REDRAW;
    char *rest = skip(p);
    trim(rest);
    if (!*rest)
        return fail(m, es(m) ? "examine [phys|gpa] DIRECCIÓN [N]" : "examine [phys|gpa] ADDR [N]");
    /* A last word that is a plain number is the count. */
    uint32_t count = 1;
    char *lw = rest + strlen(rest);
    while (lw > rest && !isspace((unsigned char)lw[-1]))
        lw--;
    if (lw > rest) {
        char *end;
        unsigned long n = strtoul(lw, &end, 0);
        if (!*end && n > 0) {
            count = n > EXAMINE_MAX ? EXAMINE_MAX : (uint32_t)n;
            *lw = '\0';
            trim(rest);
        }
    }
    uint32_t addr;
    char err[128];
    if (!address(m, rest, &addr, err, sizeof err))
        return fail(m, "examine %s: %s", rest, err);
    addr &= ~3u;
    char sp[24], line[200];
    space_name(space, vm, sp, sizeof sp);
    free(m->output);
    m->output = NULL;
    size_t o = 0;
    line[0] = '\0';
    for (uint32_t i = 0; i < count; i++) {
        uint32_t a = addr + i * 4, w;
        if (i % 4 == 0) {
            if (i)
                out(m, "%s\n", line);
            char sym[64] = "";
            if (space == TUI_MEM_VIRTUAL)
                tui_model_symbolize(m, a, sym, sizeof sym);
            o = (size_t)snprintf(line, sizeof line, "%s0x%08x%s%s%s:", sp, a, *sym ? " <" : "", sym, *sym ? ">" : "");
        }
        if (read_word(m, space, vm, a, &w))
            o += (size_t)snprintf(line + o, sizeof line - o, " %08x", w);
        else
            o += (size_t)snprintf(line + o, sizeof line - o, " %s", "--------");
    }
    m->mem_mode = space;
    m->mem_addr = addr & ~0xfu;
    m->mem_follow = false;
    if (count <= 4) {
        tui_set_status(m, "%s", line);
        free(m->output);
        m->output = NULL;
    } else {
        out(m, "%s\n", line);
        tui_set_status(m, es(m) ? "%u palabras en %s0x%08x (cualquier tecla cierra)" :
                       "%u words at %s0x%08x (any key closes it)", count, sp, addr);
    }
    return TUI_REDRAW;
}

static tui_reaction c_source(tui_model *m, char *args)
{
    char *path = skip(args);
    trim(path);
    if (!*path)
        return fail(m, "source FILE");
    tui_command_source(m, path);
    return TUI_REDRAW | TUI_RESIZE;
}

static tui_reaction c_save(tui_model *m, char *args)
{
    char *path = skip(args);
    trim(path);
    return tui_action_save(m, path);
}

static bool count_arg(tui_model *m, char *args, uint64_t *n)
{
    char *p = args;
    char *w = word(&p);
    *n = 1;
    if (!w)
        return true;
    char *end;
    unsigned long long v = strtoull(w, &end, 0);
    if (*end || v == 0) {
        fail(m, es(m) ? "se esperaba un número de veces, no '%s'" : "a count expected, not '%s'", w);
        return false;
    }
    *n = v;
    return true;
}

static tui_reaction c_step(tui_model *m, char *args)
{
    uint64_t n;
    if (!count_arg(m, args, &n))
        return TUI_REDRAW;
    if (n == 1 || tui_finished(m))
        return tui_action_step(m);
    /* step N: one action, so that r after it goes back by one instruction. */
    tui_before_action(m);
    size_t n0 = m->nlog;
    tui_run_for(m, n, true, false, false, 0);
    tui_after_run(m, n0);
    return TUI_REDRAW;
}

static tui_reaction c_next(tui_model *m, char *args) { (void)args; return tui_action_next(m); }
static tui_reaction c_trap(tui_model *m, char *args) { (void)args; return tui_action_run_to_trap(m); }

static tui_reaction c_continue(tui_model *m, char *args)
{
    (void)args;
    /* From a script, to the end of the run (bounded); from the keyboard the
     * view keeps it going in slices, any key stopping it. */
    if (m->source_depth) {
        tui_action_continue(m, m->run_budget);
        m->running = false;
        return TUI_REDRAW;
    }
    return tui_action_continue(m, 200000);
}

static tui_reaction c_rstep(tui_model *m, char *args)
{
    uint64_t n;
    if (!count_arg(m, args, &n))
        return TUI_REDRAW;
    tui_reaction re = TUI_REDRAW;
    for (uint64_t i = 0; i < n; i++)
        re |= tui_action_back_step(m);
    return re;
}

static tui_reaction c_rcontinue(tui_model *m, char *args) { (void)args; return tui_action_reverse_continue(m); }

static tui_reaction c_goto(tui_model *m, char *args) { return tui_action_goto(m, args); }

static tui_reaction c_help(tui_model *m, char *args);

typedef struct {
    const char *name;
    const char *alias;      /* gdb's short form, or NULL */
    tui_reaction (*fn)(tui_model *m, char *args);
    const char *usage;
    const char *help[TUI_LANG_COUNT];
} command;

static const command commands[] = {
    { "break", "b", c_break, "break SYM|ADDR [if EXPR]",
      { "stop when the pc gets there (and EXPR holds)", "parar al llegar el pc (y si EXPR se cumple)" } },
    { "break trap", NULL, NULL, "break trap CAUSE|any",
      { "stop right after the CPU takes that trap", "parar justo tras esa trampa" } },
    { "break exit", NULL, NULL, "break exit CAUSE|any",
      { "stop right after a VM exit of that cause", "parar justo tras una salida de VM" } },
    { "watch", NULL, c_watch, "watch [phys|gpa] ADDR [read|write|access]",
      { "stop after an instruction touches the word", "parar cuando una instrucción toca la palabra" } },
    { "rwatch", NULL, c_rwatch, "rwatch [phys|gpa] ADDR", { "watch ... read", "watch ... read" } },
    { "awatch", NULL, c_awatch, "awatch [phys|gpa] ADDR", { "watch ... access", "watch ... access" } },
    { "delete", "d", c_delete, "delete [N...]", { "delete those (all without N)", "borrar esos (todos sin N)" } },
    { "info", "i", c_info, "info breakpoints", { "list them, with their hits", "listarlos, con sus aciertos" } },
    { "set", NULL, c_set, "set REG=V | set mem [phys|gpa] ADDR=V",
      { "change a register or a word (r undoes it)", "cambiar un registro o una palabra (r lo deshace)" } },
    { "examine", "x", c_examine, "examine [phys|gpa] ADDR [N]",
      { "show N words at ADDR", "mostrar N palabras en ADDR" } },
    { "step", "s", c_step, "step [N]", { "N instructions", "N instrucciones" } },
    { "next", "n", c_next, "next", { "step over a call", "pasar sobre una llamada" } },
    { "continue", "c", c_continue, "continue", { "run until something stops it", "ejecutar hasta una parada" } },
    { "trap", "t", c_trap, "trap", { "run to the next trap or VM exit", "hasta la próxima trampa o salida" } },
    { "reverse-step", "rs", c_rstep, "reverse-step [N]", { "N instructions back", "N instrucciones atrás" } },
    { "reverse-continue", "rc", c_rcontinue, "reverse-continue",
      { "back to the previous stop (key C)", "atrás hasta la parada anterior (tecla C)" } },
    { "goto", "g", c_goto, "goto SYM|ADDR", { "move the code and memory panes", "mover los paneles de código y memoria" } },
    { "source", NULL, c_source, "source FILE", { "run the commands of FILE", "ejecutar las órdenes de FILE" } },
    { "save", "w", c_save, "save FILE", { "write a snapshot file (traplab run --restore)", "guardar una instantánea" } },
    { "help", "h", c_help, "help", { "this list", "esta lista" } },
};

static tui_reaction c_help(tui_model *m, char *args)
{
    (void)args;
    free(m->output);
    m->output = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        out(m, "%-42s %s\n", commands[i].usage, commands[i].help[m->lang]);
    out(m, "%s\n", es(m) ? "EXPR: operadores de C sobre números, registros (a0, $sp), pc, status, vm, símbolos, *DIR." :
                          "EXPR: C operators over numbers, registers (a0, $sp), pc, status, vm, symbols, *ADDR.");
    tui_set_status(m, es(m) ? "Órdenes (cualquier tecla cierra)" : "Commands (any key closes it)");
    return TUI_REDRAW;
}

tui_reaction tui_command(tui_model *m, const char *line)
{
    m->cmd_failed = false;
    free(m->output);
    m->output = NULL;
    char buf[512];
    if (strlen(line ? line : "") >= sizeof buf)
        return fail(m, es(m) ? "Orden demasiado larga" : "Command too long");
    snprintf(buf, sizeof buf, "%s", line ? line : "");
    char *p = skip(buf);
    if (*p == ':')
        p = skip(p + 1);
    trim(p);
    if (!*p || *p == '#') {
        tui_set_status(m, "%s", "");
        return TUI_REDRAW;
    }
    char *args = p;
    char *name = word(&args);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const command *c = &commands[i];
        if (!c->fn)
            continue;
        if (strcmp(name, c->name) == 0 || (c->alias && strcmp(name, c->alias) == 0) ||
            (strcmp(name, "br") == 0 && c->fn == c_break) ||
            (strcmp(name, "tb") == 0 && false))
            return c->fn(m, args);
    }
    /* A unique prefix of a command works too (gdb's "del", "cont"). */
    const command *found = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].fn && strncmp(commands[i].name, name, strlen(name)) == 0) {
            found = &commands[i];
            n++;
        }
    if (n == 1)
        return found->fn(m, args);
    return fail(m, es(m) ? "Orden desconocida '%s' (help las lista)" : "Unknown command '%s' (help lists them)", name);
}

bool tui_command_source(tui_model *m, const char *path)
{
    if (m->source_depth >= SOURCE_MAX_DEPTH) {
        fail(m, "source %s: %s", path, es(m) ? "demasiado anidado" : "nested too deep");
        return false;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fail(m, "source %s: %s", path, strerror(errno));
        return false;
    }
    m->source_depth++;
    char line[512];
    unsigned ln = 0, ran = 0;
    bool ok = true;
    while (fgets(line, sizeof line, f)) {
        ln++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            fail(m, "%s:%u: %s", path, ln, es(m) ? "línea demasiado larga" : "line too long");
            ok = false;
            break;
        }
        if (memchr(line, '\0', len) != NULL || strspn(line, " \t\r\n") == len)
            continue;
        tui_command(m, line);
        if (m->cmd_failed) {
            char why[TUI_STATUS_LEN];
            snprintf(why, sizeof why, "%s", m->status);
            fail(m, "%s:%u: %s", path, ln, why);
            ok = false;
            break;
        }
        ran++;
    }
    fclose(f);
    m->source_depth--;
    if (ok && !m->source_depth) {
        char last[TUI_STATUS_LEN];
        snprintf(last, sizeof last, "%s", m->status);
        tui_set_status(m, es(m) ? "source %s: %u órdenes. %s" : "source %s: %u commands. %s", path, ran, last);
    }
    m->cmd_failed = !ok;
    return ok;
}

/* ---- history -------------------------------------------------------------------- */

void tui_history_add(tui_model *m, const char *line)
{
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p || (m->nhistory && strcmp(m->history[m->nhistory - 1], line) == 0))
        return;
    char *copy = strdup(line);
    if (!copy)
        return;
    if (m->nhistory == TUI_HISTORY_MAX) {
        free(m->history[0]);
        memmove(m->history, m->history + 1, (TUI_HISTORY_MAX - 1) * sizeof *m->history);
        m->nhistory--;
    }
    m->history[m->nhistory++] = copy;
}

const char *tui_history_get(const tui_model *m, size_t back)
{
    return back < m->nhistory ? m->history[m->nhistory - 1 - back] : NULL;
}

/* ---- completion ------------------------------------------------------------------ */

typedef struct {
    const char *prefix;
    size_t plen;
    char common[128];
    size_t n;
    char *list;
    size_t listlen, listused;
} completion;

static void candidate(completion *c, const char *s)
{
    if (strncmp(s, c->prefix, c->plen) != 0)
        return;
    if (c->n == 0) {
        snprintf(c->common, sizeof c->common, "%s", s);
    } else {
        size_t k = 0;
        while (c->common[k] && c->common[k] == s[k])
            k++;
        c->common[k] = '\0';
    }
    c->n++;
    if (c->list && c->listused + strlen(s) + 2 < c->listlen) {
        int w = snprintf(c->list + c->listused, c->listlen - c->listused, "%s%s", c->listused ? " " : "", s);
        if (w > 0)
            c->listused += (size_t)w;
    }
}

size_t tui_command_complete(const tui_model *m, char *line, size_t n, char *list, size_t listlen)
{
    if (list && listlen)
        list[0] = '\0';
    size_t len = strlen(line);
    /* the word being completed, and the words before it */
    size_t ws = len;
    while (ws > 0 && !isspace((unsigned char)line[ws - 1]))
        ws--;
    char before[256];
    snprintf(before, sizeof before, "%.*s", (int)ws, line);
    char *b = before;
    char *w0 = word(&b);
    char *w1 = w0 ? word(&b) : NULL;
    completion c = { line + ws, len - ws, "", 0, list, listlen, 0 };
    if (!w0) {
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            if (commands[i].fn)
                candidate(&c, commands[i].name);
    } else if ((strcmp(w0, "break") == 0 || strcmp(w0, "b") == 0) && w1 &&
               (strcmp(w1, "trap") == 0 || strcmp(w1, "exit") == 0)) {
        candidate(&c, "any");
        for (unsigned k = 1; k < ISA_NUM_CAUSES; k++) {
            const char *nm = isa_cause_name(k);
            if (nm && strcmp(nm, "?") != 0)
                candidate(&c, nm);
        }
    } else if (strcmp(w0, "info") == 0 || strcmp(w0, "i") == 0) {
        candidate(&c, "breakpoints");
    } else if (strcmp(w0, "set") == 0 && !w1) {
        candidate(&c, "mem");
        candidate(&c, "pc");
        for (unsigned r = 1; r < ISA_NUM_REGS; r++)
            candidate(&c, isa_reg_alias(r));
        for (unsigned k = 0; k < ISA_NUM_CRS; k++)
            if (isa_cr_name(k))
                candidate(&c, isa_cr_name(k));
    } else {
        if ((strcmp(w0, "break") == 0 || strcmp(w0, "b") == 0) && !w1) {
            candidate(&c, "trap");
            candidate(&c, "exit");
        }
        if (!w1 && (strcmp(w0, "watch") == 0 || strcmp(w0, "examine") == 0 || strcmp(w0, "x") == 0)) {
            candidate(&c, "phys");
            if (m->ops->read_guest_phys)
                candidate(&c, "gpa");
        }
        const image *img = tui_model_image(m);
        for (size_t i = 0; img && i < img->nsyms; i++)
            candidate(&c, img->syms[i].name);
    }
    if (c.n == 0)
        return 0;
    /* Fill in the common part; a unique candidate gets a space after it. */
    char done[512];
    snprintf(done, sizeof done, "%.*s%s%s", (int)ws, line, c.common, c.n == 1 ? " " : "");
    if (strlen(done) < n)
        snprintf(line, n, "%s", done);
    return c.n;
}

/* ---- snapshots to a file ----------------------------------------------------------- */

tui_reaction tui_action_save(tui_model *m, const char *path)
{
    if (!path || !*path)
        return fail(m, es(m) ? "save FICHERO (w pregunta el nombre)" : "save FILE (w asks for the name)");
    if (!m->ops->save_file)
        return fail(m, es(m) ? "Este objetivo no guarda instantáneas" : "This target cannot save snapshots");
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(m, "save %s: %s", path, strerror(errno));
    char err[160] = "";
    bool ok = m->ops->save_file(m->target, f, err, sizeof err);
    if (fclose(f) != 0 && ok) {
        ok = false;
        snprintf(err, sizeof err, "%s", strerror(errno));
    }
    if (!ok) {
        remove(path);
        return fail(m, "save %s: %s", path, err);
    }
    tui_set_status(m, es(m) ? "Instantánea en %s (instrucción %llu): traplab run|vm --restore %s" :
                   "Snapshot saved to %s (instruction %llu): traplab run|vm --restore %s", path,
                   (unsigned long long)machine_instret(tui_model_machine(m)), path);
    return TUI_REDRAW;
}
