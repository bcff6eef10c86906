/*
 * model.c -- the terminal UI's model: names, lifetime, queries and the log
 * (see model.h).  The rest lives by concern: target_bare.c (the bare
 * machine as a target), tasks.c (the Tasks pane and word wrapping), run.c
 * (running and going back), keys.c (the other keys).  No curses here.
 *
 * Positions.  A point in a run is named by the machine's (instret, traps):
 * instructions retired and traps taken.  A run that stops on its
 * instruction limit stops before any interrupt pending at that boundary, so
 * "the limit position at instret N" is one well-defined state; checkpoints
 * are only taken there.  A trap's position is (instret, traps) right after
 * it was taken; replaying to it means running to instret, then delivering
 * the remaining traps one at a time with stop-on-trap.
 */
#include "tui/model.h"
#include "tui/model_internal.h"
#include "tui/explain.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define CK_FIRST_EVERY 256u        /* K at the start; doubles when checkpoints thin out */
#define CK_DEFAULT_BUDGET ((size_t)256 << 20)
#define RUN_BUDGET 10000000u       /* t and n give up after this many instructions (about 0.2 s) */

void tui_set_status(tui_model *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->status, sizeof m->status, fmt, ap);
    va_end(ap);
}

const char *tui_handler_name(tui_handler h, tui_lang lang)
{
    static const char *const names[TUI_LANG_COUNT][TUI_HANDLER_COUNT] = {
#define X(name, en, es) [TUI_HANDLER_##name] = en,
        [TUI_LANG_EN] = { TUI_HANDLERS(X) },
#undef X
#define X(name, en, es) [TUI_HANDLER_##name] = es,
        [TUI_LANG_ES] = { TUI_HANDLERS(X) },
#undef X
    };
    if ((unsigned)h >= TUI_HANDLER_COUNT || (unsigned)lang >= TUI_LANG_COUNT)
        return "?";
    return names[lang][h];
}

const char *tui_event_kind_name(tui_event_kind k, tui_lang lang)
{
    static const char *const names[TUI_LANG_COUNT][TUI_EV_COUNT] = {
#define X(name, en, es) [TUI_EV_##name] = en,
        [TUI_LANG_EN] = { TUI_EVENT_KINDS(X) },
#undef X
#define X(name, en, es) [TUI_EV_##name] = es,
        [TUI_LANG_ES] = { TUI_EVENT_KINDS(X) },
#undef X
    };
    if ((unsigned)k >= TUI_EV_COUNT || (unsigned)lang >= TUI_LANG_COUNT)
        return "?";
    return names[lang][k];
}

bool tui_parse_lang(const char *s, tui_lang *out)
{
    if (!s)
        return false;
    if (strcmp(s, "en") == 0) { *out = TUI_LANG_EN; return true; }
    if (strcmp(s, "es") == 0) { *out = TUI_LANG_ES; return true; }
    return false;
}

tui_lang tui_lang_from_env(void)
{
    /* The POSIX precedence: LC_ALL overrides LC_MESSAGES overrides LANG. */
    static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "es", 2) == 0 ? TUI_LANG_ES : TUI_LANG_EN;
    }
    return TUI_LANG_EN;
}

/* ---- lifetime ------------------------------------------------------------ */

bool tui_checkpoint_push(tui_model *m)
{
    void *snap = m->ops->save(m->target);
    if (!snap)
        return false;
    machine *mach = tui_model_machine(m);
    m->ck[m->nck++] = (tui_checkpoint){ machine_instret(mach), machine_get_stats(mach)->traps_total, snap };
    return true;
}

tui_model *tui_model_new(const tui_target_ops *ops, void *target, image *img,
                         tui_lang lang, size_t ck_budget)
{
    tui_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ops = ops;
    m->target = target;
    image_init(&m->img);
    if (img) {
        m->img = *img;
        image_init(img);
    }
    m->lang = lang;
    m->sel_vm = ops->vm_count(target) ? 0 : -1;
    m->last_cur_vm = -1;
    m->cursor_follow = true;
    m->mem_follow = true;
    m->run_budget = RUN_BUDGET;
    m->last_stop = STOP_NONE;
    m->log = calloc(TUI_LOG_MAX, sizeof *m->log);
    size_t per = ops->snap_size(target);
    size_t budget = ck_budget ? ck_budget : CK_DEFAULT_BUDGET;
    m->ck_max = budget / (per ? per : 1);
    if (m->ck_max < 4)
        m->ck_max = 4;     /* fewer would make every step back a replay from the start */
    if (m->ck_max > 1024)
        m->ck_max = 1024;
    m->ck_every = CK_FIRST_EVERY;
    m->ck = calloc(m->ck_max, sizeof *m->ck);
    if (!m->log || !m->ck || !tui_checkpoint_push(m)) {
        m->ops = NULL;     /* the caller still owns the target on failure */
        tui_model_free(m);
        return NULL;
    }
    if (ops->attach)
        ops->attach(target, m);
    machine *mach = tui_model_machine(m);
    m->prev_cpu = *machine_cpu(mach);
    m->cursor = m->prev_cpu.pc;
    m->mem_addr = m->prev_cpu.pc & ~0xfu;
    tui_set_status(m, lang == TUI_LANG_ES ? "Listo. Pulsa ? para ver las teclas." : "Ready. Press ? for the keys.");
    return m;
}

void tui_model_free(tui_model *m)
{
    if (!m)
        return;
    if (m->ops) {
        for (size_t i = 0; i < m->nck; i++)
            m->ops->snap_free(m->ck[i].snap);
        m->ops->destroy(m->target);
    }
    for (size_t i = 0; i < m->nsrcs; i++) {
        for (size_t j = 0; j < m->srcs[i].nlines; j++)
            free(m->srcs[i].lines[j]);
        free(m->srcs[i].lines);
        free(m->srcs[i].path);
    }
    image_free(&m->img);
    free(m->tasks_title);
    free(m->tasks);
    free(m->ck);
    free(m->log);
    tui_bp_free_all(m);
    free(m->edits);
    free(m->output);
    for (size_t i = 0; i < m->nhistory; i++)
        free(m->history[i]);
    free(m);
}

/* ---- queries --------------------------------------------------------------- */

machine *tui_model_machine(const tui_model *m) { return m->ops->machine(m->target); }

const char *tui_model_kind(const tui_model *m)
{
    if (m->ops == &tui_bare_target_ops)
        return tui_text(m->lang, TUI_TXT_BARE);
    return m->ops->kind_of ? m->ops->kind_of(m->target) : m->ops->kind;
}
uint32_t tui_model_pc(const tui_model *m) { return machine_cpu(tui_model_machine(m))->pc; }

bool tui_model_has_breakpoint(const tui_model *m, uint32_t pc)
{
    return tui_bp_find_code(m, pc) != NULL;
}

const tui_event *tui_model_selected(const tui_model *m)
{
    return m->nlog ? &m->log[m->sel < m->nlog ? m->sel : m->nlog - 1] : NULL;
}

const image *tui_model_image(const tui_model *m)
{
    const image *img = m->ops->image ? m->ops->image(m->target, m->ops->current_vm(m->target)) : NULL;
    return img ? img : &m->img;
}

const char *tui_model_console(const tui_model *m, size_t *len)
{
    if (m->ops->console)
        return m->ops->console(m->target, m->sel_vm, len);
    return machine_console_output(tui_model_machine(m), len);
}

char *tui_disassemble(uint32_t word, uint32_t pc, char *buf, size_t n, isa_symbolizer sym, void *ud)
{
    char raw[128];
    isa_disassemble(word, pc, raw, sizeof raw, sym, ud);
    if (!n)
        return buf;
    /* An operand "rN" (after the mnemonic, a comma or '(') becomes its alias;
     * a symbol such as <r1_loop> is left alone. */
    size_t o = 0;
    for (const char *p = raw; *p && o + 1 < n;) {
        bool start = p > raw && (p[-1] == ' ' || p[-1] == ',' || p[-1] == '(');
        if (start && p[0] == 'r' && isdigit((unsigned char)p[1])) {
            char *end;
            unsigned long r = strtoul(p + 1, &end, 10);
            if (r < ISA_NUM_REGS && (*end == '\0' || *end == ',' || *end == ')' || *end == ' ')) {
                const char *a = isa_reg_alias((unsigned)r);
                for (; *a && o + 1 < n; a++)
                    buf[o++] = *a;
                p = end;
                continue;
            }
        }
        buf[o++] = *p++;
    }
    buf[o] = '\0';
    return buf;
}

const char *tui_fmt_count(uint64_t n, char *buf, size_t len)
{
    static const char units[] = "kMGTPE";
    if (n < 10000) {
        snprintf(buf, len, "%llu", (unsigned long long)n);
        return buf;
    }
    /* Truncated, not rounded: 99999 is "99k", never "100k" (5 characters). */
    double x = (double)n;
    int u = -1;
    do {
        x /= 1000;
        u++;
    } while (x >= 1000 && units[u + 1]);
    if (x < 10)
        snprintf(buf, len, "%.1f%c", (double)(uint64_t)(x * 10) / 10, units[u]);
    else
        snprintf(buf, len, "%llu%c", (unsigned long long)x, units[u]);
    return buf;
}

/* "msg+0xffffefd0" names nothing: a symbol names addr only from within
 * 64 KiB and inside the same segment. */
static bool symbol_reaches(const image *img, const image_symbol *s, uint32_t addr)
{
    if (addr - s->value >= 0x10000u)
        return false;
    for (size_t i = 0; i < img->nsegs; i++) {
        const image_segment *g = &img->segs[i];
        if (s->value - g->addr < g->size)
            return addr - g->addr < g->size;
    }
    return true;
}

const char *tui_model_symbolize(const tui_model *m, uint32_t addr, char *buf, size_t n)
{
    const image *img = tui_model_image(m);
    const image_symbol *s = img ? image_symbol_at(img, addr) : NULL;
    if (s && !symbol_reaches(img, s, addr))
        s = NULL;
    if (!s || !n) {
        if (n)
            buf[0] = '\0';
        return buf;
    }
    if (s->value == addr)
        snprintf(buf, n, "%s", s->name);
    else
        snprintf(buf, n, "%s+0x%x", s->name, addr - s->value);
    return buf;
}

static void load_source(tui_source *src, const char *path)
{
    src->path = strdup(path);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        for (ssize_t i = 0; i < len; i++)      /* tabs and control bytes would break the panes */
            if (line[i] == '\t' || (unsigned char)line[i] < 0x20)
                line[i] = ' ';
        if (src->nlines == alloc) {
            size_t na = alloc ? alloc * 2 : 64;
            char **p = realloc(src->lines, na * sizeof *p);
            if (!p)
                break;
            src->lines = p;
            alloc = na;
        }
        char *copy = strdup(line);
        if (!copy)
            break;
        src->lines[src->nlines++] = copy;
    }
    free(line);
    fclose(f);
}

const char *tui_model_source(tui_model *m, uint32_t addr, char *where, size_t n)
{
    const image *img = tui_model_image(m);
    const image_line *l = image_line_at(img, addr);
    if (!l || l->file >= img->nfiles)
        return NULL;
    const char *path = img->files[l->file];
    tui_source *src = NULL;
    for (size_t i = 0; i < m->nsrcs && !src; i++)
        if (m->srcs[i].path && strcmp(m->srcs[i].path, path) == 0)
            src = &m->srcs[i];
    if (!src) {
        if (m->nsrcs == TUI_MAX_SOURCES)
            return NULL;
        src = &m->srcs[m->nsrcs++];
        load_source(src, path);
    }
    if (where && n) {
        const char *base = strrchr(path, '/');
        snprintf(where, n, "%s:%u", base ? base + 1 : path, l->line);
    }
    if (l->line == 0 || l->line > src->nlines)
        return NULL;
    return src->lines[l->line - 1];
}

/* Under a VMM with no VM on the CPU yet, the real pc is the VMM's (its
 * banner at 0 is no code to show): the code pane shows the selected VM's
 * own pc, through its guest-physical memory while its paging is off. */
static bool code_from_vm(const tui_model *m)
{
    if (!m->ops->vm_count(m->target) || !m->ops->read_guest_phys || m->sel_vm < 0 ||
        m->ops->current_vm(m->target) >= 0 || machine_instret(tui_model_machine(m)) != 0)
        return false;
    tui_vm_info vi;
    m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
    return !(vi.vcpu.cr[CR_STATUS] & STATUS_PG);
}

uint32_t tui_model_code_pc(const tui_model *m)
{
    if (code_from_vm(m)) {
        tui_vm_info vi;
        m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
        return vi.vcpu.pc;
    }
    return tui_model_pc(m);
}

bool tui_model_read_code(const tui_model *m, uint32_t addr, void *buf, size_t n)
{
    if (code_from_vm(m))
        return m->ops->read_guest_phys(m->target, m->sel_vm, addr, buf, n);
    return machine_read_virt(tui_model_machine(m), addr, buf, n);
}

bool tui_model_read_mem(const tui_model *m, uint32_t addr, void *buf, size_t n)
{
    machine *mach = tui_model_machine(m);
    switch (m->mem_mode) {
    case TUI_MEM_PHYSICAL:
        return machine_read_phys(mach, addr, buf, n);
    case TUI_MEM_GUEST_PHYSICAL:
        return m->ops->read_guest_phys && m->sel_vm >= 0 &&
               m->ops->read_guest_phys(m->target, m->sel_vm, addr, buf, n);
    default:
        return machine_read_virt(mach, addr, buf, n);
    }
}

size_t tui_model_checkpoint_bytes(const tui_model *m)
{
    return m->nck * m->ops->snap_size(m->target);
}

/* ---- the log --------------------------------------------------------------- */

void tui_model_record(tui_model *m, const tui_event *e)
{
    tui_catch_check(m, e);      /* also while replaying: reverse continue scans for them */
    if (m->replaying)
        return;
    if (m->nlog == TUI_LOG_MAX) {
        /* Drop the oldest half: a long continue must not grow without bound. */
        size_t half = TUI_LOG_MAX / 2;
        memmove(m->log, m->log + half, (m->nlog - half) * sizeof *m->log);
        m->nlog -= half;
        m->log_dropped += half;
        m->sel = m->sel >= half ? m->sel - half : 0;
    }
    /* The VMM reports the steps of handling an exit (and the stop of a VM
     * that halted) before the exit itself: the log puts the exit first, then
     * what it led to, at the same position in the run. */
    size_t at = m->nlog;
    if (e->kind == TUI_EV_EXIT)
        while (at > 0 && m->log[at - 1].vm == e->vm && m->log[at - 1].instret == e->instret &&
               m->log[at - 1].traps == e->traps &&
               (m->log[at - 1].kind == TUI_EV_STEP || m->log[at - 1].kind == TUI_EV_VM_STOP))
            at--;
    memmove(m->log + at + 1, m->log + at, (m->nlog - at) * sizeof *m->log);
    m->log[at] = *e;
    m->nlog++;
    if (m->stop_on_event && e->kind == TUI_EV_VIOLATION)
        machine_request_stop(tui_model_machine(m));
}

bool tui_pos_after(uint64_t ai, uint64_t at, uint64_t bi, uint64_t bt)
{
    return ai > bi || (ai == bi && at > bt);
}

