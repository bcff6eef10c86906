/*
 * model.c -- the terminal UI's model and every key's action (see model.h).
 * No curses here.
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
#include "tui/explain.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"

#define CK_FIRST_EVERY 256u        /* K at the start; doubles when checkpoints thin out */
#define CK_DEFAULT_BUDGET ((size_t)256 << 20)
#define RUN_BUDGET 10000000u       /* t and n give up after this many instructions (about 0.2 s) */

static void set_status(tui_model *m, const char *fmt, ...)
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

/* ---- loading ------------------------------------------------------------ */

bool tui_load_image(machine *mach, const image *img, char *err, size_t errlen)
{
    return machine_load_image(mach, img, err, errlen);
}

bool tui_open_program(const char *path, image *img, char *err, size_t errlen)
{
    return asm_load_program(path, NULL, img, err, errlen);
}

/* ---- the bare-machine target ---------------------------------------------- */

typedef struct {
    machine *mach;
    tui_model *model;
} bare_target;

static bool bare_hook(machine *mach, const machine_trap *t, void *ud)
{
    bare_target *bt = ud;
    const machine_stats *st = machine_get_stats(mach);
    /* The machine stops fatally when there is no vector to deliver to. */
    bool nowhere = machine_get_cr(mach, CR_TVB) == 0;
    tui_event e = {
        .kind = TUI_EV_TRAP, .cause = t->cause, .pc = t->pc, .insn = t->insn, .addr = t->addr,
        .ring_from = t->ring, .ring_to = nowhere ? t->ring : 0,
        .handler = nowhere ? TUI_HANDLER_FATAL : TUI_HANDLER_HARDWARE,
        .vm = -1, .cycles = machine_get_config(mach)->costs.trap_entry,
        .at_cycle = t->cycle, .instret = st->instret, .traps = st->traps_total,
    };
    if (bt->model)
        tui_model_record(bt->model, &e);
    return false;
}

void *tui_bare_target_new(machine *mach)
{
    bare_target *bt = calloc(1, sizeof *bt);
    if (!bt)
        return NULL;
    bt->mach = mach;
    machine_set_trap_hook(mach, bare_hook, bt);
    return bt;
}

static machine *bare_machine(void *self) { return ((bare_target *)self)->mach; }
static machine_stop bare_run(void *self, uint64_t n) { return machine_run(((bare_target *)self)->mach, n); }
static unsigned bare_vm_count(void *self) { (void)self; return 0; }
static void bare_vm_info(void *self, unsigned vm, tui_vm_info *out) { (void)self; (void)vm; memset(out, 0, sizeof *out); }
static int bare_current_vm(void *self) { (void)self; return -1; }
static void *bare_save(void *self) { return machine_save(((bare_target *)self)->mach); }
static void bare_restore(void *self, const void *snap) { machine_restore(((bare_target *)self)->mach, snap); }
static void bare_snap_free(void *snap) { machine_snapshot_free(snap); }

static size_t bare_snap_size(void *self)
{
    machine *mach = ((bare_target *)self)->mach;
    return (size_t)machine_mem_size(mach) +
           (size_t)machine_get_config(mach)->disk_sectors * BLOCK_SECTOR_SIZE + 4096;
}

static void bare_attach(void *self, tui_model *m) { ((bare_target *)self)->model = m; }

static void bare_destroy(void *self)
{
    bare_target *bt = self;
    if (!bt)
        return;
    machine_free(bt->mach);
    free(bt);
}

const tui_target_ops tui_bare_target_ops = {
    .kind = "bare machine",
    .machine = bare_machine, .run = bare_run,
    .vm_count = bare_vm_count, .vm_info = bare_vm_info, .current_vm = bare_current_vm,
    .save = bare_save, .restore = bare_restore, .snap_free = bare_snap_free,
    .snap_size = bare_snap_size, .attach = bare_attach, .destroy = bare_destroy,
};

/* ---- lifetime ------------------------------------------------------------ */

static bool checkpoint_push(tui_model *m)
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
    if (!m->log || !m->ck || !checkpoint_push(m)) {
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
    set_status(m, lang == TUI_LANG_ES ? "Listo. Pulse ? para ver las teclas." : "Ready. Press ? for the keys.");
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
    free(m->bps);
    free(m);
}

/* ---- the lab's tasks ----------------------------------------------------------- */

/* Bytes in the UTF-8 sequence that starts with c (1 for a stray byte, so
 * that wrapping always moves on). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? (c < 0xf0 ? 3 : 1) : c >= 0xc0 ? 2 : 1;
}

static bool utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_len(c);
        if (c >= 0x80 && (n == 1 || c < 0xc2 || i + n > len))
            return false;
        for (size_t k = 1; k < n; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* Columns a line's continuation rows are indented by: its own indentation
 * and list marker, so that an item's text lines up under itself. */
static size_t hanging_indent(const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    size_t j = i;
    while (j < len && j - i < 3 && p[j] >= '0' && p[j] <= '9')
        j++;
    if (j > i && j + 1 < len && (p[j] == '.' || p[j] == ')') && p[j + 1] == ' ')
        return j + 2;
    if (i + 1 < len && (p[i] == '-' || p[i] == '*') && p[i + 1] == ' ')
        return i + 2;
    return i;
}

size_t tui_wrap(const char *text, int width, tui_span *rows, size_t max)
{
    size_t n = 0;
    size_t w = width > 0 ? (size_t)width : 1;
    const char *p = text ? text : "";
#define EMIT(from, to, ind) do { \
        size_t e_ = (to); \
        while (e_ > (from) && p[e_ - 1] == ' ') e_--; \
        if (n < max) rows[n] = (tui_span){ (size_t)(p - text) + (from), e_ - (from), (int)(ind) }; \
        n++; \
    } while (0)
    for (;;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        size_t hang = hanging_indent(p, len);
        if (hang > w / 2)
            hang = 0;       /* a narrow pane needs the room more than the alignment */
        if (len == 0)
            EMIT(0, 0, 0);
        for (size_t i = 0; i < len;) {
            size_t ind = i > 0 ? hang : 0;
            if (i > 0) {
                while (i < len && p[i] == ' ')
                    i++;
                if (i == len)
                    break;
            }
            /* Take up to w - ind characters; break after the last space that
             * follows some text, unless the word alone is wider than the row. */
            size_t j = i, chars = 0, brk = 0;
            bool text_seen = false;
            while (j < len && chars < w - ind) {
                if (p[j] == ' ' && text_seen)
                    brk = j;
                else if (p[j] != ' ')
                    text_seen = true;
                size_t k = utf8_len((unsigned char)p[j]);
                j += j + k <= len ? k : len - j;
                chars++;
            }
            size_t end = (j < len && p[j] != ' ' && brk > i) ? brk : j;
            EMIT(i, end, ind);
            i = end;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
#undef EMIT
    return n;
}

static bool blank_line(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\n';
}

bool tui_model_set_tasks(tui_model *m, const char *text, size_t len, char *err, size_t errlen)
{
    if (len > TUI_TASKS_MAX) {
        snprintf(err, errlen, "too long (%zu bytes; at most %u)", len, TUI_TASKS_MAX);
        return false;
    }
    if (memchr(text, '\0', len) || !utf8_valid(text, len)) {
        snprintf(err, errlen, "not a text file (UTF-8 expected)");
        return false;
    }
    char *copy = malloc(len + 2);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\t')
            c = ' ';
        if (c != '\r')
            copy[n++] = c;
    }
    copy[n++] = '\n';     /* every line ends with one, which keeps the parsing simple */
    copy[n] = '\0';
    char *p = copy;
    while (*p && blank_line(p))
        p = strchr(p, '\n') + 1;
    const char *title = "";
    if (p[0] == '#' && p[1] == ' ') {
        char *eol = strchr(p, '\n');
        *eol = '\0';
        title = p + 2;
        p = eol + 1;
        while (*p && blank_line(p))
            p = strchr(p, '\n') + 1;
    }
    size_t blen = strlen(p);
    while (blen > 0 && (p[blen - 1] == '\n' || p[blen - 1] == ' '))
        p[--blen] = '\0';
    char *t = strdup(title), *b = strdup(p);
    free(copy);
    if (!t || !b) {
        free(t);
        free(b);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    free(m->tasks_title);
    free(m->tasks);
    m->tasks_title = t;
    m->tasks = b;
    m->tasks_shown = true;
    m->tasks_top = 0;
    return true;
}

bool tui_model_load_tasks(tui_model *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(TUI_TASKS_MAX + 1);
    size_t n = buf ? fread(buf, 1, TUI_TASKS_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path, buf ? strerror(e) : "out of memory");
        free(buf);
        return false;
    }
    char why[160];
    bool ok = tui_model_set_tasks(m, buf, n, why, sizeof why);
    if (!ok)
        snprintf(err, errlen, "%s: %s", path, n > TUI_TASKS_MAX ? "too long for the tasks pane" : why);
    free(buf);
    return ok;
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
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i] == pc)
            return true;
    return false;
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

static bool pos_after(uint64_t ai, uint64_t at, uint64_t bi, uint64_t bt)
{
    return ai > bi || (ai == bi && at > bt);
}

/* ---- running ------------------------------------------------------------ */

static bool finished(const tui_model *m)
{
    return m->last_stop == STOP_HALT || m->last_stop == STOP_FATAL;
}

static void thin_checkpoints(tui_model *m)
{
    /* Keep the start and every checkpoint on the doubled grid, so the
     * memory stays bounded and replays stay at most 2K long. */
    m->ck_every *= 2;
    size_t keep = 1;
    for (size_t i = 1; i < m->nck; i++) {
        if (m->ck[i].instret % m->ck_every == 0 && keep < m->ck_max - 1)
            m->ck[keep++] = m->ck[i];
        else
            m->ops->snap_free(m->ck[i].snap);
    }
    m->nck = keep;
}

static void maybe_checkpoint(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    uint64_t n = machine_instret(mach);
    if (m->replaying || n % m->ck_every || n <= m->ck[m->nck - 1].instret)
        return;
    if (m->nck == m->ck_max)
        thin_checkpoints(m);
    if (n % m->ck_every == 0 && m->nck < m->ck_max)
        checkpoint_push(m);
}

static void install_breakpoints(tui_model *m, bool on, bool has_extra, uint32_t extra)
{
    machine *mach = tui_model_machine(m);
    machine_clear_breakpoints(mach);
    if (!on)
        return;
    for (size_t i = 0; i < m->nbps; i++)
        machine_set_breakpoint(mach, m->bps[i], true);
    if (has_extra)
        machine_set_breakpoint(mach, extra, true);
}

/*
 * Runs up to max instructions, in slices that end on the checkpoint grid so
 * that checkpoints are taken at limit positions.  Starting on a breakpoint
 * steps over it, as gdb does.
 */
static machine_stop run_for(tui_model *m, uint64_t max, bool bps, bool stop_on_trap,
                            bool has_extra, uint32_t extra)
{
    machine *mach = tui_model_machine(m);
    install_breakpoints(m, bps, has_extra, extra);
    machine_set_stop_on_trap(mach, stop_on_trap);
    m->stop_on_event = stop_on_trap;
    uint64_t done = 0;
    machine_stop s = STOP_LIMIT;
    bool first = true;
    while (done < max) {
        uint64_t i0 = machine_instret(mach);
        uint64_t to_grid = m->ck_every - i0 % m->ck_every;
        uint64_t n = max - done < to_grid ? max - done : to_grid;
        s = m->ops->run(m->target, n);
        done += machine_instret(mach) - i0;
        if (s == STOP_LIMIT) {
            maybe_checkpoint(m);
            first = false;
            continue;
        }
        if (s == STOP_BREAKPOINT && first && machine_instret(mach) == i0) {
            first = false;      /* the machine now steps over it */
            continue;
        }
        break;
    }
    install_breakpoints(m, false, false, 0);
    machine_set_stop_on_trap(mach, false);
    m->stop_on_event = false;
    m->last_stop = s;
    return s;
}

static void before_action(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    m->prev_cpu = *machine_cpu(mach);
    if (m->sel_vm >= 0 && (unsigned)m->sel_vm < m->ops->vm_count(m->target)) {
        tui_vm_info vi;
        m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
        m->prev_vcpu = vi.vcpu;
    }
}

static void after_run(tui_model *m, size_t nlog_before)
{
    machine *mach = tui_model_machine(m);
    if (m->nlog != nlog_before) {
        /* Select the newest trap or exit, not the steps that followed it. */
        m->sel = m->nlog - 1;
        for (size_t i = m->nlog; i-- > nlog_before;)
            if (m->log[i].kind != TUI_EV_STEP && m->log[i].kind != TUI_EV_VM_STOP) {
                m->sel = i;
                break;
            }
    }
    m->cursor_follow = true;
    m->cursor = machine_cpu(mach)->pc;
    if (m->mem_follow)
        m->mem_addr = m->cursor & ~0xfu;
    /* Follow the CPU to another VM, but keep a VM the user picked with v
     * while the same one runs. */
    int cur = m->ops->current_vm(m->target);
    if (cur >= 0 && cur != m->last_cur_vm)
        m->sel_vm = cur;
    m->last_cur_vm = cur;
    bool es = m->lang == TUI_LANG_ES;
    char sym[64];
    switch (m->last_stop) {
    case STOP_HALT:
        set_status(m, es ? "La máquina se detuvo (halt). r/R vuelven atrás." :
                   "The machine halted. r/R go back.");
        break;
    case STOP_FATAL:
        set_status(m, "%s: %s", es ? "Error fatal" : "Fatal", machine_fatal_reason(mach));
        break;
    case STOP_BREAKPOINT:
        tui_model_symbolize(m, machine_cpu(mach)->pc, sym, sizeof sym);
        set_status(m, es ? "Punto de parada en 0x%08x %s" : "Breakpoint at 0x%08x %s",
                   machine_cpu(mach)->pc, sym);
        break;
    case STOP_TRAP: {
        const tui_event *e = tui_model_selected(m);
        if (e && e->kind == TUI_EV_VIOLATION)
            set_status(m, es ? "VM %d: violación de equivalencia en 0x%08x, sin trampa (%s)" :
                       "VM %d: equivalence violation at 0x%08x, no trap (%s)", e->vm, e->pc, e->what);
        else if (e && e->vm >= 0)
            set_status(m, es ? "Salida de la VM %d: %s en 0x%08x (%s)" : "VM %d exit: %s at 0x%08x (%s)",
                       e->vm, isa_cause_name(CAUSE_CODE(e->cause)), e->pc,
                       tui_handler_name(e->handler, m->lang));
        else if (e)
            set_status(m, es ? "Trampa %s en 0x%08x (anillo %u -> %u)" : "Trap %s at 0x%08x (ring %u -> %u)",
                       isa_cause_name(CAUSE_CODE(e->cause)), e->pc, e->ring_from, e->ring_to);
        break;
    }
    default:
        set_status(m, "pc 0x%08x, %s %llu", machine_cpu(mach)->pc,
                   es ? "instrucciones" : "instructions",
                   (unsigned long long)machine_instret(mach));
        break;
    }
}

static bool refuse_if_finished(tui_model *m)
{
    if (!finished(m))
        return false;
    set_status(m, m->lang == TUI_LANG_ES ?
               "El programa ya terminó: r o R para volver atrás, q para salir." :
               "The program has finished: r or R to go back, q to quit.");
    return true;
}

tui_reaction tui_action_step(tui_model *m)
{
    if (refuse_if_finished(m))
        return TUI_REDRAW;
    before_action(m);
    size_t n0 = m->nlog;
    run_for(m, 1, false, false, false, 0);
    after_run(m, n0);
    return TUI_REDRAW;
}

tui_reaction tui_action_next(tui_model *m)
{
    if (refuse_if_finished(m))
        return TUI_REDRAW;
    machine *mach = tui_model_machine(m);
    uint32_t pc = machine_cpu(mach)->pc;
    uint8_t b[4];
    bool call = false;
    if (machine_read_virt(mach, pc, b, sizeof b)) {
        uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        call = ISA_OP(w) == OP_JAL || (ISA_OP(w) == OP_JALR && ISA_RD(w) == REG_LR);
    }
    if (!call)
        return tui_action_step(m);
    before_action(m);
    size_t n0 = m->nlog;
    uint32_t sp0 = machine_get_reg(mach, REG_SP);
    uint64_t left = m->run_budget;
    machine_stop s;
    for (;;) {
        uint64_t i0 = machine_instret(mach);
        s = run_for(m, left, true, false, true, pc + 4);
        uint64_t used = machine_instret(mach) - i0;
        left = used < left ? left - used : 0;
        /* A recursive call reaches pc + 4 in a deeper frame first: go on. */
        if (s == STOP_BREAKPOINT && machine_cpu(mach)->pc == pc + 4 &&
            machine_get_reg(mach, REG_SP) < sp0 && left && !tui_model_has_breakpoint(m, pc + 4))
            continue;
        break;
    }
    if (s == STOP_BREAKPOINT && machine_cpu(mach)->pc == pc + 4 && !tui_model_has_breakpoint(m, pc + 4))
        m->last_stop = STOP_NONE;
    after_run(m, n0);
    if (s == STOP_LIMIT)
        set_status(m, m->lang == TUI_LANG_ES ? "La llamada no volvió en %llu instrucciones" :
                   "The call did not return within %llu instructions", (unsigned long long)m->run_budget);
    return TUI_REDRAW;
}

tui_reaction tui_action_run_to_trap(tui_model *m)
{
    if (refuse_if_finished(m))
        return TUI_REDRAW;
    before_action(m);
    size_t n0 = m->nlog;
    machine_stop s = run_for(m, m->run_budget, true, true, false, 0);
    if (s == STOP_REQUESTED && m->nlog > n0 && m->log[m->nlog - 1].kind == TUI_EV_VIOLATION)
        m->last_stop = STOP_TRAP;
    after_run(m, n0);
    if (s == STOP_LIMIT)
        set_status(m, m->lang == TUI_LANG_ES ? "Ninguna trampa en %llu instrucciones" :
                   "No trap within %llu instructions", (unsigned long long)m->run_budget);
    return TUI_REDRAW;
}

tui_reaction tui_action_continue(tui_model *m, uint64_t budget)
{
    if (refuse_if_finished(m)) {
        m->running = false;
        return TUI_REDRAW;
    }
    if (!m->running)
        before_action(m);
    size_t n0 = m->nlog;
    machine_stop s = run_for(m, budget ? budget : 1, true, false, false, 0);
    m->running = s == STOP_LIMIT;
    after_run(m, n0);
    if (m->running)
        set_status(m, m->lang == TUI_LANG_ES ? "Ejecutando... (cualquier tecla detiene)" :
                   "Running... (any key stops)");
    return TUI_REDRAW;
}

tui_reaction tui_action_stop(tui_model *m)
{
    if (!m->running)
        return TUI_OK;
    m->running = false;
    set_status(m, m->lang == TUI_LANG_ES ? "Detenido en 0x%08x" : "Stopped at 0x%08x", tui_model_pc(m));
    return TUI_REDRAW;
}

/* ---- going back ------------------------------------------------------------ */

/* Restores the state at (instret, traps); traps == UINT64_MAX means the limit
 * position at instret.  Events after it leave the log. */
static void seek(tui_model *m, uint64_t instret, uint64_t traps)
{
    size_t i = m->nck - 1;
    while (i > 0 && m->ck[i].instret > instret)
        i--;
    m->ops->restore(m->target, m->ck[i].snap);
    /* A target may rebuild its machine on restore: fetch it only now. */
    machine *mach = tui_model_machine(m);
    m->replaying = true;
    install_breakpoints(m, false, false, 0);
    machine_set_stop_on_trap(mach, false);
    while (machine_instret(mach) < instret) {
        if (m->ops->run(m->target, instret - machine_instret(mach)) != STOP_LIMIT)
            break;
    }
    if (traps != UINT64_MAX) {
        machine_set_stop_on_trap(mach, true);
        uint64_t here = machine_instret(mach);
        while (machine_get_stats(mach)->traps_total < traps && machine_instret(mach) == here) {
            machine_stop s = m->ops->run(m->target, 1);
            if (s != STOP_TRAP && s != STOP_LIMIT)
                break;
        }
        machine_set_stop_on_trap(mach, false);
    }
    m->replaying = false;
    uint64_t ni = machine_instret(mach), nt = machine_get_stats(mach)->traps_total;
    while (m->nlog && pos_after(m->log[m->nlog - 1].instret, m->log[m->nlog - 1].traps, ni, nt))
        m->nlog--;
    /* Back at the start the target is as the first screen showed it, before
     * anything ran: events logged at position 0 (the VMM starting VM 0)
     * happen again on the next step, so they leave the log too. */
    if (ni == 0 && nt == 0 && i == 0)
        m->nlog = 0;
    m->sel = m->nlog ? m->nlog - 1 : 0;
    m->last_stop = STOP_NONE;
    m->running = false;
    m->cursor_follow = true;
    m->cursor = machine_cpu(mach)->pc;
    if (m->mem_follow)
        m->mem_addr = m->cursor & ~0xfu;
}

tui_reaction tui_action_back_step(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    uint64_t n = machine_instret(mach);
    bool es = m->lang == TUI_LANG_ES;
    if (n == 0 && machine_get_stats(mach)->traps_total == 0) {
        set_status(m, es ? "Ya está al principio." : "Already at the beginning.");
        return TUI_REDRAW;
    }
    before_action(m);
    seek(m, n ? n - 1 : 0, UINT64_MAX);
    mach = tui_model_machine(m);
    set_status(m, es ? "Atrás: pc 0x%08x, %llu instrucciones" : "Back: pc 0x%08x, %llu instructions",
               machine_cpu(mach)->pc, (unsigned long long)machine_instret(mach));
    return TUI_REDRAW;
}

tui_reaction tui_action_back_to_previous_trap(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    uint64_t ni = machine_instret(mach), nt = machine_get_stats(mach)->traps_total;
    bool es = m->lang == TUI_LANG_ES;
    size_t i = m->nlog;
    while (i > 0 && !pos_after(ni, nt, m->log[i - 1].instret, m->log[i - 1].traps))
        i--;
    if (i == 0) {
        set_status(m, es ? "No hay una trampa anterior." : "No earlier trap.");
        return TUI_REDRAW;
    }
    const tui_event e = m->log[i - 1];
    before_action(m);
    seek(m, e.instret, e.traps);
    set_status(m, es ? "Atrás hasta la trampa %s en 0x%08x" : "Back to trap %s at 0x%08x",
               isa_cause_name(CAUSE_CODE(e.cause)), e.pc);
    return TUI_REDRAW;
}

/* ---- the rest of the keys --------------------------------------------------- */

tui_reaction tui_action_toggle_breakpoint(tui_model *m)
{
    uint32_t at = m->cursor_follow ? tui_model_pc(m) : m->cursor;
    bool es = m->lang == TUI_LANG_ES;
    for (size_t i = 0; i < m->nbps; i++) {
        if (m->bps[i] == at) {
            m->bps[i] = m->bps[--m->nbps];
            set_status(m, es ? "Punto de parada quitado en 0x%08x" : "Breakpoint removed at 0x%08x", at);
            return TUI_REDRAW;
        }
    }
    if (m->nbps == m->bps_cap) {
        size_t cap = m->bps_cap ? m->bps_cap * 2 : 8;
        uint32_t *p = realloc(m->bps, cap * sizeof *p);
        if (!p) {
            set_status(m, "out of memory");
            return TUI_REDRAW;
        }
        m->bps = p;
        m->bps_cap = cap;
    }
    m->bps[m->nbps++] = at;
    set_status(m, es ? "Punto de parada en 0x%08x" : "Breakpoint set at 0x%08x", at);
    return TUI_REDRAW;
}

tui_reaction tui_action_next_vm(tui_model *m)
{
    unsigned n = m->ops->vm_count(m->target);
    if (n == 0) {
        set_status(m, m->lang == TUI_LANG_ES ? "Máquina sin hipervisor: no hay VMs." :
                   "Bare machine: there are no VMs.");
        return TUI_REDRAW;
    }
    m->sel_vm = (m->sel_vm + 1) % (int)n;
    tui_vm_info vi;
    m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
    m->prev_vcpu = vi.vcpu;
    set_status(m, "VM %d: %s", m->sel_vm, vi.name);
    return TUI_REDRAW;
}

static bool parse_number(const char *s, uint32_t *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || v > UINT32_MAX) {
        /* gdb users type addresses in hex without the 0x */
        errno = 0;
        v = strtoull(s, &end, 16);
        if (errno || *end || v > UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool parse_where(const tui_model *m, const char *s, uint32_t *out)
{
    char buf[128];
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    const image *img = tui_model_image(m);
    const image_symbol *sym = image_find_symbol(img, buf);
    if (sym) {
        *out = sym->value;
        return true;
    }
    /* sym+N and sym-N, as gdb takes them. */
    char *op = strpbrk(buf, "+-");
    if (op && op > buf) {
        bool minus = *op == '-';
        char *name_end = op;
        while (name_end > buf && isspace((unsigned char)name_end[-1]))
            name_end--;
        char *num = op + 1;
        while (isspace((unsigned char)*num))
            num++;
        *name_end = '\0';
        uint32_t off;
        sym = image_find_symbol(img, buf);
        if (sym && parse_number(num, &off)) {
            *out = minus ? sym->value - off : sym->value + off;
            return true;
        }
        return false;
    }
    return parse_number(buf, out);
}

tui_reaction tui_action_goto(tui_model *m, const char *where)
{
    uint32_t addr;
    bool es = m->lang == TUI_LANG_ES;
    const char *p = where ? where : "";
    while (isspace((unsigned char)*p))
        p++;
    if (!*p) {
        /* Cancelled: nothing to go to, and an old error no longer applies. */
        set_status(m, "%s", "");
        return TUI_REDRAW;
    }
    if (!parse_where(m, where, &addr)) {
        set_status(m, es ? "No se encontró '%s': escriba un símbolo o una dirección" :
                   "No symbol or address '%s'", where ? where : "");
        return TUI_REDRAW;
    }
    m->cursor = addr & ~3u;
    m->cursor_follow = false;
    m->mem_addr = addr & ~0xfu;
    m->mem_follow = false;
    char sym[64];
    tui_model_symbolize(m, addr, sym, sizeof sym);
    set_status(m, es ? "Cursor en 0x%08x %s (b pone un punto de parada)" :
               "Cursor at 0x%08x %s (b sets a breakpoint there)", addr, sym);
    return TUI_REDRAW;
}

tui_reaction tui_action_log_select(tui_model *m, long delta)
{
    if (m->nlog == 0)
        return TUI_OK;
    long s = (long)(m->sel < m->nlog ? m->sel : m->nlog - 1) + delta;
    if (s < 0)
        s = 0;
    if (s >= (long)m->nlog)
        s = (long)m->nlog - 1;
    m->sel = (size_t)s;
    return TUI_REDRAW;
}

tui_reaction tui_action_cursor_move(tui_model *m, long insns)
{
    uint32_t base = m->cursor_follow ? tui_model_pc(m) : m->cursor;
    m->cursor = base + (uint32_t)(insns * 4);
    m->cursor_follow = false;
    return TUI_REDRAW;
}

tui_reaction tui_action_cursor_to_pc(tui_model *m)
{
    m->cursor_follow = true;
    m->cursor = tui_model_pc(m);
    return TUI_REDRAW;
}

tui_reaction tui_action_toggle_mem_mode(tui_model *m)
{
    /* guest-physical only exists under a hypervisor */
    m->mem_mode = (tui_mem_mode)((m->mem_mode + 1) % (m->ops->read_guest_phys ? 3 : 2));
    return TUI_REDRAW;
}

tui_reaction tui_action_mem_scroll(tui_model *m, long bytes)
{
    m->mem_addr += (uint32_t)bytes;
    m->mem_follow = false;
    return TUI_REDRAW;
}

tui_reaction tui_action_toggle_lang(tui_model *m)
{
    m->lang = m->lang == TUI_LANG_ES ? TUI_LANG_EN : TUI_LANG_ES;
    set_status(m, m->lang == TUI_LANG_ES ? "Idioma: español" : "Language: English");
    return TUI_REDRAW | TUI_RESIZE;
}

tui_reaction tui_action_toggle_tasks(tui_model *m)
{
    bool es = m->lang == TUI_LANG_ES;
    if (!m->tasks_title) {
        set_status(m, es ? "No hay tareas: vienen con traplab lab run PRACTICA." :
                           "No tasks: they come with traplab lab run LAB.");
        return TUI_REDRAW;
    }
    m->tasks_shown = !m->tasks_shown;
    if (m->tasks_shown)
        set_status(m, es ? "Tareas a la vista (Tab y flechas para desplazarlas; T las oculta)." :
                           "Tasks shown (Tab, then arrows, scroll them; T hides them).");
    else
        set_status(m, es ? "Tareas ocultas (T las muestra)." : "Tasks hidden (T shows them).");
    return TUI_REDRAW | TUI_RESIZE;
}

tui_reaction tui_action_tasks_scroll(tui_model *m, long rows, int width, int height)
{
    if (!m->tasks)
        return TUI_OK;
    size_t total = tui_wrap(m->tasks, width, NULL, 0);
    size_t h = height > 0 ? (size_t)height : 1;
    size_t max_top = total > h ? total - h : 0;
    long top = (long)(m->tasks_top < max_top ? m->tasks_top : max_top) + rows;
    m->tasks_top = top < 0 ? 0 : (size_t)top > max_top ? max_top : (size_t)top;
    return TUI_REDRAW;
}

tui_reaction tui_action_quit(tui_model *m)
{
    m->running = false;
    return TUI_QUIT;
}
