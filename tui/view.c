/*
 * view.c -- the curses view: layout, drawing, and the key table.  The only
 * file of traplab that includes curses.
 *
 * Drawing goes to stdscr and reaches the terminal with wnoutrefresh +
 * doupdate, so a step only sends the cells that changed (no flicker).  One
 * layout function computes every pane's rectangle from LINES and COLS; it
 * runs on KEY_RESIZE.  Colours are a role enum plus a scheme table; with
 * NO_COLOR or a terminal without colours the roles fall back to attributes.
 */
#include "tui/view.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/explain.h"

#define MIN_COLS 80
#define MIN_LINES 24
#define CONTINUE_SLICE 200000u   /* instructions between two keyboard polls */

/* ---- colour roles ------------------------------------------------------------ */

typedef enum {
    ROLE_NORMAL, ROLE_TOPBAR, ROLE_TITLE, ROLE_TITLE_FOCUS, ROLE_RING0, ROLE_RING_USER,
    ROLE_CHANGED, ROLE_PC, ROLE_BREAK, ROLE_CURSOR, ROLE_SELECTED, ROLE_DIM, ROLE_KEY,
    ROLE_KEYLABEL, ROLE_STATUS, ROLE_ERROR, ROLE_BAR, ROLE_COUNT
} role;

static const struct {
    short fg, bg;
    attr_t attr;   /* with colour */
    attr_t mono;   /* without */
} scheme[ROLE_COUNT] = {
    [ROLE_NORMAL]      = { -1, -1, 0, 0 },
    [ROLE_TOPBAR]      = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [ROLE_TITLE]       = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
    [ROLE_TITLE_FOCUS] = { COLOR_BLACK, COLOR_CYAN, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_RING0]       = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_RING_USER]   = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_BOLD | A_REVERSE },
    [ROLE_CHANGED]     = { COLOR_YELLOW, -1, A_BOLD, A_BOLD | A_UNDERLINE },
    [ROLE_PC]          = { COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE },
    [ROLE_BREAK]       = { COLOR_RED, -1, A_BOLD, A_BOLD },
    [ROLE_CURSOR]      = { COLOR_BLACK, COLOR_WHITE, 0, A_UNDERLINE },
    [ROLE_SELECTED]    = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [ROLE_DIM]         = { COLOR_BLUE, -1, A_BOLD, A_DIM },
    [ROLE_KEY]         = { COLOR_WHITE, COLOR_BLACK, A_BOLD, A_BOLD },
    [ROLE_KEYLABEL]    = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
    [ROLE_STATUS]      = { COLOR_GREEN, -1, 0, 0 },
    [ROLE_ERROR]       = { COLOR_RED, -1, A_BOLD, A_BOLD },
    [ROLE_BAR]         = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
};

typedef struct { int y, x, h, w; } rect;

typedef enum { FOCUS_CODE, FOCUS_LOG, FOCUS_MEM, FOCUS_TASKS, FOCUS_COUNT } focus;

typedef struct {
    tui_model *m;
    bool mono, ascii, too_small;
    bool utf8;      /* the terminal takes UTF-8 text (else the tasks are transliterated) */
    focus focus;
    rect top, regs, vcpu, code, mem, log, explain, vms, stats, console, status, footer;
    rect tasks;     /* h == 0 while the Tasks pane is hidden */
    int sep_x, body_y, body_h;
    char symbuf[80];
} tui_view;

/* The one global: a signal handler can reach nothing else. */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

static attr_t role_attr(const tui_view *v, role r)
{
    return v->mono ? scheme[r].mono : (COLOR_PAIR(r) | scheme[r].attr);
}

/* ---- drawing helpers ------------------------------------------------------------ */

/* attr_set's pair argument replaces the colour pair held in the attribute,
 * so it must carry the role's pair, or every colour is lost. */
static void set_attr(attr_t a)
{
    attr_set(a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
}

/* Prints at most w columns of text at (y, x); control bytes become spaces. */
static void put_text(int y, int x, int w, attr_t a, const char *s)
{
    if (w <= 0)
        return;
    set_attr(a);
    move(y, x);
    for (int i = 0; i < w && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        addch(c < 0x20 || c >= 0x7f ? ' ' : c);
    }
    set_attr(A_NORMAL);
}

/* Up to w characters of UTF-8 text (len bytes).  A terminal without UTF-8
 * gets ASCII look-alikes, so that Spanish text stays readable there. */
static void put_utf8(const tui_view *v, int y, int x, int w, attr_t a, const char *s, size_t len)
{
    /* Latin-1 letters U+00C0..U+00FF without their accents. */
    static const char latin1[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
    set_attr(a);
    move(y, x);
    for (size_t i = 0; i < len && w > 0; w--) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        if (i + n > len)
            n = len - i;
        if (c < 0x80) {
            addch(c < 0x20 || c == 0x7f ? ' ' : c);
        } else if (v->utf8) {
            addnstr(s + i, (int)n);
        } else {
            unsigned cp = n == 2 ? (c & 0x1fu) << 6 | ((unsigned char)s[i + 1] & 0x3fu) :
                          n == 3 ? (c & 0x0fu) << 12 | ((unsigned char)s[i + 1] & 0x3fu) << 6 |
                                   ((unsigned char)s[i + 2] & 0x3fu) : 0;
            char r = cp >= 0xc0 && cp <= 0xff ? latin1[cp - 0xc0] : cp == 0xa1 ? '!' : cp == 0xbf ? '?' :
                     cp == 0x2013 || cp == 0x2014 ? '-' : cp == 0x2018 || cp == 0x2019 ? '\'' :
                     cp == 0x201c || cp == 0x201d || cp == 0xab || cp == 0xbb ? '"' : '?';
            addch((unsigned char)r);
        }
        i += n;
    }
    set_attr(A_NORMAL);
}

/* Text of the interface (titles, explanations, messages), which may hold
 * accented Spanish; put_text stays for the guest's bytes. */
static void put_ui(const tui_view *v, int y, int x, int w, attr_t a, const char *s)
{
    put_utf8(v, y, x, w, a, s, strlen(s));
}

/* Columns of UTF-8 text: continuation bytes take none. */
static int utf8_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void put_fmt(const tui_view *v, int y, int x, int w, attr_t a, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void put_fmt(const tui_view *v, int y, int x, int w, attr_t a, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put_ui(v, y, x, w, a, buf);
}

static void fill(int y, int x, int w, attr_t a)
{
    set_attr(a);
    for (int i = 0; i < w; i++)
        mvaddch(y, x + i, ' ');
    set_attr(A_NORMAL);
}

static void hline_at(const tui_view *v, int y, int x, int w)
{
    for (int i = 0; i < w; i++)
        mvaddch(y, x + i, v->ascii ? '-' : ACS_HLINE);
}

/* "── Title ─────" across the pane's first row. */
static void pane_title(const tui_view *v, const rect *r, const char *title, bool focused)
{
    set_attr(role_attr(v, ROLE_DIM));
    hline_at(v, r->y, r->x, r->w);
    set_attr(A_NORMAL);
    char buf[160];
    snprintf(buf, sizeof buf, " %s ", title);
    put_ui(v, r->y, r->x + 1, r->w - 2, role_attr(v, focused ? ROLE_TITLE_FOCUS : ROLE_TITLE), buf);
}

/* Word-wraps text (lines split on '\n') into the rectangle; returns rows used. */
static int wrap_text(const tui_view *v, int y, int x, int w, int h, attr_t a, const char *text)
{
    if (w <= 0 || h <= 0)
        return 0;
    tui_span rows[64];
    size_t n = tui_wrap(text, w, rows, sizeof rows / sizeof rows[0]);
    int row = 0;
    for (; row < h && (size_t)row < n && row < (int)(sizeof rows / sizeof rows[0]); row++)
        put_utf8(v, y + row, x + rows[row].indent, w - rows[row].indent, a, text + rows[row].off, rows[row].len);
    return row;
}

/* ---- layout ------------------------------------------------------------------------ */

static void layout(tui_view *v)
{
    int H = LINES, W = COLS;
    tui_model *m = v->m;
    unsigned nvms = m->ops->vm_count(m->target);
    v->too_small = H < MIN_LINES || W < MIN_COLS;
    v->top = (rect){ 0, 0, 1, W };
    v->status = (rect){ H - 2, 0, 1, W };
    v->footer = (rect){ H - 1, 0, 1, W };
    v->body_y = 1;
    v->body_h = H - 3;
    int bh = v->body_h;
    /* The right column (log, explanation) gets the extra width: its text wraps. */
    int lw = W * 45 / 100;
    if (lw < 36)
        lw = 36;
    v->sep_x = lw;
    int rx = lw + 1, rw = W - rx;
    int y = v->body_y;

    /* Left: registers, the virtual CPU (under a VMM), code, memory.  The
     * registers take 3 or 5 columns (see draw_cpu), plus the pc and trap rows. */
    int regs_h = 1 + (lw >= 65 ? 3 : 5) + 2;
    int vcpu_h = nvms ? (bh >= 32 ? regs_h : 4) : 0;
    int mem_h = (bh - regs_h - vcpu_h) / 4;
    if (mem_h < (nvms ? 3 : 4))
        mem_h = nvms ? 3 : 4;
    int code_h = bh - regs_h - vcpu_h - mem_h;
    v->regs = (rect){ y, 0, regs_h, lw };
    v->vcpu = (rect){ y + regs_h, 0, vcpu_h, lw };
    v->code = (rect){ y + regs_h + vcpu_h, 0, code_h, lw };
    v->mem = (rect){ y + regs_h + vcpu_h + code_h, 0, mem_h, lw };

    /* Right: the log, the explanation, the VMs, statistics, console. */
    int log_h = bh * 22 / 100;
    if (log_h < 4)
        log_h = 4;
    int vms_h = 1 + (nvms ? (int)(nvms < 4 ? nvms : 4) : 1);
    int stats_h = 3 + (nvms ? 1 : 0) + (bh >= 30 ? 2 : 0);   /* a VMM has two cycle bars */
    int con_h = 2 + (bh > 21 ? (bh - 21) / 5 : 0);
    int exp_h = bh - log_h - vms_h - stats_h - con_h;
    v->log = (rect){ y, rx, log_h, rw };
    v->explain = (rect){ y + log_h, rx, exp_h, rw };
    v->vms = (rect){ y + log_h + exp_h, rx, vms_h, rw };
    v->stats = (rect){ y + log_h + exp_h + vms_h, rx, stats_h, rw };
    v->console = (rect){ y + log_h + exp_h + vms_h + stats_h, rx, con_h, rw };
    /* The lab's tasks take the place of the explanation, VMs and statistics
     * (e explains a trap in full meanwhile): at 80x24 that is 15 rows of 44
     * columns, enough to read a task without scrolling. */
    v->tasks = (rect){ y + log_h, rx, 0, rw };
    if (m->tasks_shown && m->tasks_title) {
        v->tasks.h = exp_h + vms_h + stats_h;
        v->explain.h = v->vms.h = v->stats.h = 0;
    } else if (v->focus == FOCUS_TASKS) {
        v->focus = FOCUS_CODE;
    }
}

/* ---- panes ----------------------------------------------------------------------- */

static const char *reg_label(unsigned r)
{
    const char *a = isa_reg_alias(r);
    return a ? a : isa_reg_name(r);
}

static void draw_ring_badge(const tui_view *v, int y, int x, unsigned ring)
{
    put_fmt(v, y, x, 12, role_attr(v, ring == 0 ? ROLE_RING0 : ROLE_RING_USER), " %s %u ",
            tui_text(v->m->lang, TUI_TXT_RING), ring);
}

static void draw_cpu(const tui_view *v, const rect *r, const char *title, const cpu_state *c,
                     const cpu_state *prev)
{
    pane_title(v, r, title, false);
    int rows = r->h - 1;
    int cols = r->w >= 65 ? 5 : 3;     /* as layout() assumes */
    int cw = r->w / cols;
    int nreg_rows = (15 + cols - 1) / cols;
    if (nreg_rows > rows - 1)
        nreg_rows = rows - 1 > 0 ? rows - 1 : 0;
    for (unsigned i = 1; i < ISA_NUM_REGS; i++) {
        int row = (int)(i - 1) / cols, col = (int)(i - 1) % cols;
        if (row >= nreg_rows)
            break;
        bool changed = c->r[i] != prev->r[i];
        put_fmt(v, r->y + 1 + row, r->x + col * cw, cw - 1, role_attr(v, changed ? ROLE_CHANGED : ROLE_NORMAL),
                "%-2s %08x", reg_label(i), c->r[i]);
    }
    int y = r->y + 1 + nreg_rows;
    if (y >= r->y + r->h)
        return;
    uint32_t st = c->cr[CR_STATUS];
    put_fmt(v, y, r->x, 12, role_attr(v, c->pc != prev->pc ? ROLE_CHANGED : ROLE_NORMAL), "pc %08x", c->pc);
    draw_ring_badge(v, y, r->x + 12, st & STATUS_RING_MASK);
    put_fmt(v, y, r->x + 23, r->w - 23, role_attr(v, st != prev->cr[CR_STATUS] ? ROLE_CHANGED : ROLE_NORMAL),
            "%s %s", st & STATUS_IE ? "IE" : "--", st & STATUS_PG ? "PG" : "--");
    if (++y >= r->y + r->h)
        return;
    static const unsigned crs[] = { CR_EPC, CR_CAUSE, CR_TVB, CR_BADADDR, CR_PTB };
    static const int crw[] = { 13, 19, 13, 17, 13 };
    int x = r->x;
    for (int i = 0; i < 5 && x + crw[i] <= r->x + r->w; i++) {
        unsigned cr = crs[i];
        bool changed = c->cr[cr] != prev->cr[cr];
        if (cr == CR_CAUSE)
            put_fmt(v, y, x, crw[i] - 1, role_attr(v, changed ? ROLE_CHANGED : ROLE_NORMAL), "cause %s",
                    c->cr[cr] ? isa_cause_name(CAUSE_CODE(c->cr[cr])) : "-");
        else
            put_fmt(v, y, x, crw[i] - 1, role_attr(v, changed ? ROLE_CHANGED : ROLE_NORMAL), "%s %08x",
                    isa_cr_name(cr), c->cr[cr]);
        x += crw[i];
    }
}

static const char *symbolizer(uint32_t addr, void *ud)
{
    tui_view *v = ud;
    tui_model_symbolize(v->m, addr, v->symbuf, sizeof v->symbuf);
    return v->symbuf[0] ? v->symbuf : NULL;
}

static void draw_code(tui_view *v)
{
    tui_model *m = v->m;
    const rect *r = &v->code;
    uint32_t pc = tui_model_code_pc(m);
    uint32_t cur = m->cursor_follow ? pc : m->cursor;
    char title[96], sym[64];
    tui_model_symbolize(m, cur, sym, sizeof sym);
    snprintf(title, sizeof title, "%s %s", tui_text(m->lang, TUI_TXT_CODE), sym);
    pane_title(v, r, title, v->focus == FOCUS_CODE);
    bool wide = r->w >= 70;
    int rows = r->h - 1 - (wide ? 0 : 1);   /* narrow: the last row shows the source line */
    if (rows < 1)
        return;
    uint32_t start = cur - 4u * (uint32_t)(rows / 3);
    for (int i = 0; i < rows; i++) {
        uint32_t a = start + 4u * (uint32_t)i;
        int y = r->y + 1 + i;
        uint8_t b[4];
        char dis[80];
        if (tui_model_read_code(m, a, b, 4)) {
            uint32_t w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            tui_disassemble(w, a, dis, sizeof dis, symbolizer, v);
        } else {
            snprintf(dis, sizeof dis, "%s", tui_text(m->lang, TUI_TXT_UNMAPPED));
        }
        bool is_pc = a == pc, bp = tui_model_has_breakpoint(m, a);
        role ro = is_pc ? ROLE_PC : (!m->cursor_follow && a == cur) ? ROLE_CURSOR : ROLE_NORMAL;
        if (ro != ROLE_NORMAL)
            fill(y, r->x, r->w, role_attr(v, ro));
        put_text(y, r->x, 1, role_attr(v, ro), is_pc ? ">" : " ");
        put_text(y, r->x + 1, 1, role_attr(v, bp ? ROLE_BREAK : ro) | (bp ? A_BOLD : 0), bp ? "*" : " ");
        const image_symbol *s = image_symbol_at(tui_model_image(m), a);
        int dw = wide ? r->w / 2 : r->w;
        put_fmt(v, y, r->x + 2, dw - 2, role_attr(v, ro), "%08x %s", a, dis);
        if (s && s->value == a) {
            /* The label, right-aligned where the line has room. */
            int lx = r->x + 2 + 9 + (int)strlen(dis) + 1, lw = (int)strlen(s->name) + 2;
            if (lx + lw <= r->x + dw)
                put_fmt(v, y, r->x + dw - lw, lw, role_attr(v, ro == ROLE_NORMAL ? ROLE_TITLE : ro), "<%s>", s->name);
        }
        if (wide) {
            char where[64];
            const char *src = tui_model_source(m, a, where, sizeof where);
            const image_line *l = image_line_at(tui_model_image(m), a);
            while (src && *src == ' ')
                src++;
            if (src && l && l->addr == a)
                put_fmt(v, y, r->x + dw + 1, r->w - dw - 1, role_attr(v, ro == ROLE_NORMAL ? ROLE_DIM : ro), "%s", src);
        }
    }
    if (!wide) {
        char where[64];
        const char *src = tui_model_source(m, cur, where, sizeof where);
        while (src && *src == ' ')
            src++;
        if (src)
            put_fmt(v, r->y + r->h - 1, r->x, r->w, role_attr(v, ROLE_DIM), "%s: %s", where, src);
    }
}

static void draw_mem(const tui_view *v)
{
    tui_model *m = v->m;
    const rect *r = &v->mem;
    char title[96];
    static const tui_text_id mode_text[] = {
        [TUI_MEM_VIRTUAL] = TUI_TXT_VIRTUAL, [TUI_MEM_PHYSICAL] = TUI_TXT_PHYSICAL,
        [TUI_MEM_GUEST_PHYSICAL] = TUI_TXT_GUEST_PHYSICAL,
    };
    char vmname[16] = "";
    if (m->mem_mode == TUI_MEM_GUEST_PHYSICAL)
        snprintf(vmname, sizeof vmname, " VM %d", m->sel_vm);
    snprintf(title, sizeof title, "%s (%s%s) 0x%08x", tui_text(m->lang, TUI_TXT_MEMORY),
             tui_text(m->lang, mode_text[m->mem_mode]), vmname, m->mem_addr);
    pane_title(v, r, title, v->focus == FOCUS_MEM);
    int words = (r->w - 10) / 9;
    if (words < 1)
        words = 1;
    for (int row = 0; row < r->h - 1; row++) {
        uint32_t a = m->mem_addr + (uint32_t)(row * words * 4);
        char line[256];
        int len = snprintf(line, sizeof line, "%08x:", a);
        for (int i = 0; i < words && len < (int)sizeof line - 10; i++) {
            uint8_t b[4];
            uint32_t wa = a + (uint32_t)i * 4;
            bool ok = tui_model_read_mem(m, wa, b, 4);
            if (ok)
                len += snprintf(line + len, sizeof line - (size_t)len, " %08x",
                                (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
            else
                len += snprintf(line + len, sizeof line - (size_t)len, " --------");
        }
        put_text(r->y + 1 + row, r->x, r->w, A_NORMAL, line);
    }
}

static void draw_log(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->log;
    char title[96];
    /* It counts every line (steps, switches, ...), not only the traps that
     * Statistics counts: say so. */
    snprintf(title, sizeof title, "%s (%llu %s)", tui_text(m->lang, TUI_TXT_LOG),
             (unsigned long long)(m->log_dropped + m->nlog),
             m->log_dropped + m->nlog == 1 ? (m->lang == TUI_LANG_ES ? "evento" : "event")
                                           : (m->lang == TUI_LANG_ES ? "eventos" : "events"));
    pane_title(v, r, title, v->focus == FOCUS_LOG);
    int rows = r->h - 1;
    if (m->nlog == 0) {
        wrap_text(v, r->y + 1, r->x, r->w, rows, role_attr(v, ROLE_DIM), tui_text(m->lang, TUI_TXT_NO_TRAPS));
        return;
    }
    size_t sel = m->sel < m->nlog ? m->sel : m->nlog - 1;
    size_t top = sel + 1 > (size_t)rows ? sel + 1 - (size_t)rows : 0;
    bool wide = r->w >= 60;
    for (int i = 0; i < rows && top + (size_t)i < m->nlog; i++) {
        size_t k = top + (size_t)i;
        const tui_event *e = &m->log[k];
        char line[256], insn[64] = "", num[16], what[16], cyc[16];
        /* A step of handling the exit above it is indented under it. */
        if (e->kind == TUI_EV_TRAP || e->kind == TUI_EV_EXIT)
            snprintf(what, sizeof what, "%s", isa_cause_name(CAUSE_CODE(e->cause)));
        else
            snprintf(what, sizeof what, "%s%s", e->kind == TUI_EV_STEP ? " +" : "",
                     tui_event_kind_name(e->kind, m->lang));
        if (wide && e->vm >= 0)
            snprintf(num, sizeof num, "vm%-2d ", e->vm);
        else if (wide)
            snprintf(num, sizeof num, "%4llu ", (unsigned long long)(m->log_dropped + k + 1));
        else if (e->vm >= 0)
            snprintf(num, sizeof num, "%d ", e->vm);
        else
            num[0] = '\0';
        /* Every line says what it cost; at 80 columns in compact units. */
        tui_fmt_count(e->cycles, cyc, sizeof cyc);
        int len = snprintf(line, sizeof line, "%s%-12.12s %08x %u>%u %-10.10s", num, what,
                           e->pc, e->ring_from, e->ring_to, tui_handler_name(e->handler, m->lang));
        if (wide) {
            if (e->insn)
                tui_disassemble(e->insn, e->pc, insn, sizeof insn, NULL, NULL);
            if (e->vm >= 0)
                len += snprintf(line + len, sizeof line - (size_t)len, " v%u>%u", e->vring_from, e->vring_to);
            snprintf(line + len, sizeof line - (size_t)len, " %6llu %-18s %s", (unsigned long long)e->cycles,
                     insn[0] ? insn : e->what, insn[0] ? e->what : "");
        } else {
            snprintf(line + len, sizeof line - (size_t)len, " %4s", cyc);
        }
        role ro = k == sel ? ROLE_SELECTED : ROLE_NORMAL;
        if (ro != ROLE_NORMAL)
            fill(r->y + 1 + i, r->x, r->w, role_attr(v, ro));
        put_text(r->y + 1 + i, r->x, r->w, role_attr(v, ro), line);
    }
}

static void draw_explain(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->explain;
    pane_title(v, r, tui_text(m->lang, TUI_TXT_EXPLAIN), false);
    const tui_event *e = tui_model_selected(m);
    if (!e) {
        wrap_text(v, r->y + 1, r->x, r->w, r->h - 1, role_attr(v, ROLE_DIM), tui_text(m->lang, TUI_TXT_NO_TRAPS));
        return;
    }
    char buf[2048];
    tui_explain(e, m->lang, buf, sizeof buf);
    /* The headline repeats the selected log line; the pane is for the why. */
    const char *body = strchr(buf, '\n');
    wrap_text(v, r->y + 1, r->x, r->w, r->h - 1, A_NORMAL, body ? body + 1 : buf);
}

static void draw_vms(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->vms;
    pane_title(v, r, tui_text(m->lang, TUI_TXT_VMS), false);
    unsigned n = m->ops->vm_count(m->target);
    if (n == 0) {
        put_ui(v, r->y + 1, r->x, r->w, role_attr(v, ROLE_DIM), tui_text(m->lang, TUI_TXT_NO_VMS));
        return;
    }
    int cur = m->ops->current_vm(m->target);
    for (unsigned i = 0; i < n && (int)i < r->h - 1; i++) {
        tui_vm_info vi;
        m->ops->vm_info(m->target, i, &vi);
        role ro = (int)i == m->sel_vm ? ROLE_SELECTED : ROLE_NORMAL;
        fill(r->y + 1 + (int)i, r->x, r->w, role_attr(v, ro));
        char ex[16], em[16], rf[16], hc[16], cy[16];
        if (r->w >= 60)
            put_fmt(v, r->y + 1 + (int)i, r->x, r->w, role_attr(v, ro),
                    "%c%u %-8.8s %-8.8s exits %llu emul %llu refl %llu hcall %llu cycles %llu",
                    (int)i == cur ? '>' : ' ', i, vi.name, vi.state, (unsigned long long)vi.exits,
                    (unsigned long long)vi.emulated, (unsigned long long)vi.reflected,
                    (unsigned long long)vi.hypercalls, (unsigned long long)vi.cycles);
        else    /* compact units: a cut-off "cy 34" for 34453 would be wrong */
            put_fmt(v, r->y + 1 + (int)i, r->x, r->w, role_attr(v, ro),
                    "%c%u %-5.5s %-7.7s ex%s em%s rf%s hc%s cy%s",
                    (int)i == cur ? '>' : ' ', i, vi.name, vi.state, tui_fmt_count(vi.exits, ex, sizeof ex),
                    tui_fmt_count(vi.emulated, em, sizeof em), tui_fmt_count(vi.reflected, rf, sizeof rf),
                    tui_fmt_count(vi.hypercalls, hc, sizeof hc), tui_fmt_count(vi.cycles, cy, sizeof cy));
    }
}

static void draw_bar(const tui_view *v, int y, int x, int w, const char *label, double frac, const char *value)
{
    if (frac < 0) frac = 0;
    if (frac > 1) frac = 1;
    int lw = 13, vw = (int)strlen(value) + 1;
    int bw = w - lw - vw - 2;
    put_fmt(v, y, x, lw, A_NORMAL, "%-12.12s", label);
    if (bw < 3) {
        put_text(y, x + lw, w - lw, A_NORMAL, value);
        return;
    }
    put_text(y, x + lw, 1, role_attr(v, ROLE_DIM), "[");
    int filled = (int)(frac * bw + 0.5);
    set_attr(role_attr(v, ROLE_BAR));
    for (int i = 0; i < bw; i++)
        mvaddch(y, x + lw + 1 + i, i < filled ? (v->ascii ? '#' : ACS_CKBOARD) : ' ');
    set_attr(A_NORMAL);
    put_text(y, x + lw + 1 + bw, 1, role_attr(v, ROLE_DIM), "]");
    put_text(y, x + lw + bw + 3, vw, A_NORMAL, value);
}

static const char *count_text(bool compact, uint64_t n, char *buf, size_t len)
{
    if (compact)
        return tui_fmt_count(n, buf, len);
    snprintf(buf, len, "%llu", (unsigned long long)n);
    return buf;
}

static void draw_stats(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->stats;
    pane_title(v, r, tui_text(m->lang, TUI_TXT_STATS), false);
    machine *mach = tui_model_machine(m);
    const machine_stats *st = machine_get_stats(mach);
    char ni[24], nc[24], nt[24];
    bool narrow = r->w < 60;
    /* "CPU traps": what the machine took, fewer than the log's events. */
    put_fmt(v, r->y + 1, r->x, r->w, A_NORMAL, "%s %s  %s %s  %s %s",
            narrow ? "insn" : tui_text(m->lang, TUI_TXT_INSNS), count_text(narrow, st->instret, ni, sizeof ni),
            tui_text(m->lang, TUI_TXT_CYCLES), count_text(narrow, st->cycles, nc, sizeof nc),
            m->lang == TUI_LANG_ES ? "trampas CPU" : "CPU traps",
            count_text(narrow, st->traps_total, nt, sizeof nt));
    char val[32];
    int row = 2;
    if (m->ops->bars) {
        /* The target's own bars (under a VMM: where the cycles went). */
        tui_bar bars[8];
        size_t nb = m->ops->bars(m->target, bars, 8);
        for (size_t i = 0; i < nb && row < r->h; i++) {
            double f = bars[i].total ? (double)bars[i].value / (double)bars[i].total : 0;
            snprintf(val, sizeof val, "%3.0f%%", f * 100);
            draw_bar(v, r->y + row++, r->x, r->w, bars[i].label, f, val);
        }
    } else {
        /* How much of the time went to traps: the overhead virtualization is about. */
        double trap_cycles = (double)st->traps_total * machine_get_config(mach)->costs.trap_entry;
        double frac = st->cycles ? trap_cycles / (double)st->cycles : 0;
        snprintf(val, sizeof val, "%3.0f%%", frac * 100);
        draw_bar(v, r->y + row++, r->x, r->w, m->lang == TUI_LANG_ES ? "trampas" : "trap cost", frac, val);
    }
    /* The most frequent causes, as bars relative to the total. */
    for (unsigned c = 1; c < ISA_NUM_CAUSES && row < r->h; c++) {
        if (!st->traps[c])
            continue;
        snprintf(val, sizeof val, "%llu", (unsigned long long)st->traps[c]);
        draw_bar(v, r->y + row++, r->x, r->w, isa_cause_name(c),
                 (double)st->traps[c] / (double)st->traps_total, val);
    }
}

static void draw_console(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->console;
    pane_title(v, r, tui_text(m->lang, TUI_TXT_CONSOLE), false);
    size_t len;
    const char *out = tui_model_console(m, &len);
    int rows = r->h - 1;
    /* Find the start of the last `rows` lines. */
    size_t start = len;
    int lines = 0;
    if (start > 0 && out[start - 1] == '\n')
        start--;
    while (start > 0) {
        if (out[start - 1] == '\n' && ++lines == rows)
            break;
        start--;
    }
    int row = 0;
    while (start < len && row < rows) {
        const char *eol = memchr(out + start, '\n', len - start);
        size_t n = eol ? (size_t)(eol - (out + start)) : len - start;
        char line[256];
        size_t k = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, out + start, k);
        line[k] = '\0';
        put_text(r->y + 1 + row++, r->x, r->w, A_NORMAL, line);
        start += n + 1;
    }
}

/* The rows of the Tasks pane the text scrolls in (below the title). */
static int tasks_title_rows(const tui_view *v)
{
    const tui_model *m = v->m;
    if (!m->tasks_title || !*m->tasks_title)
        return 0;
    size_t n = tui_wrap(m->tasks_title, v->tasks.w, NULL, 0);
    return 1 + (n < 3 ? (int)n : 3);    /* and a blank row under it */
}

static int tasks_text_rows(const tui_view *v)
{
    int h = v->tasks.h - 1 - tasks_title_rows(v);
    return h > 1 ? h : 1;
}

static void draw_tasks(const tui_view *v)
{
    const tui_model *m = v->m;
    const rect *r = &v->tasks;
    int th = tasks_title_rows(v), h = tasks_text_rows(v);
    size_t total = tui_wrap(m->tasks, r->w, NULL, 0);
    tui_span *rows = malloc((total ? total : 1) * sizeof *rows);
    if (!rows)
        return;
    tui_wrap(m->tasks, r->w, rows, total);
    /* A resize may have left the position past the end: show the last page. */
    size_t max_top = total > (size_t)h ? total - (size_t)h : 0;
    size_t top = m->tasks_top < max_top ? m->tasks_top : max_top;
    char title[96];
    if (total > (size_t)h)
        snprintf(title, sizeof title, "%s %zu-%zu/%zu", tui_text(m->lang, TUI_TXT_TASKS), top + 1,
                 top + (size_t)h, total);
    else
        snprintf(title, sizeof title, "%s", tui_text(m->lang, TUI_TXT_TASKS));
    pane_title(v, r, title, v->focus == FOCUS_TASKS);
    if (th > 0) {
        tui_span trows[3];
        size_t n = tui_wrap(m->tasks_title, r->w, trows, 3);
        for (int i = 0; i < th - 1 && (size_t)i < n; i++)
            put_utf8(v, r->y + 1 + i, r->x, r->w, role_attr(v, ROLE_TITLE),
                     m->tasks_title + trows[i].off, trows[i].len);
    }
    for (int i = 0; i < h && top + (size_t)i < total; i++) {
        const tui_span *sp = &rows[top + (size_t)i];
        put_utf8(v, r->y + 1 + th + i, r->x + sp->indent, r->w - sp->indent, A_NORMAL,
                 m->tasks + sp->off, sp->len);
    }
    free(rows);
}

static void draw_top(const tui_view *v)
{
    tui_model *m = v->m;
    machine *mach = tui_model_machine(m);
    fill(0, 0, COLS, role_attr(v, ROLE_TOPBAR));
    char sym[64];
    tui_model_symbolize(m, tui_model_pc(m), sym, sizeof sym);
    /* At 80 columns the name gives way to the cycle count. */
    bool narrow = COLS < 90;
    put_fmt(v, 0, 0, 36, role_attr(v, ROLE_TOPBAR) | A_BOLD, "%s %s |", narrow ? "" : " traplab |",
            tui_model_kind(m));
    int x = utf8_width(tui_model_kind(m)) + (narrow ? 4 : 14);
    draw_ring_badge(v, 0, x, machine_ring(mach));
    x += 10;
    int cur = m->ops->current_vm(m->target);
    if (cur >= 0) {
        /* Under a VMM the guest's own idea of its ring matters as much as the real one. */
        tui_vm_info vi;
        m->ops->vm_info(m->target, (unsigned)cur, &vi);
        put_fmt(v, 0, x, COLS - x, role_attr(v, ROLE_TOPBAR) | A_BOLD, " VM%d v%u |", cur,
                vi.vcpu.cr[CR_STATUS] & STATUS_RING_MASK);
        x += 9;
    }
    /* The counters before the symbol, so that a narrow screen cuts the
     * symbol (the Code pane's title has it too), never the cycles. */
    char ni[16], nc[16];
    put_fmt(v, 0, x, COLS - x, role_attr(v, ROLE_TOPBAR), " pc %08x | insn %s | %s %s | %s",
            tui_model_pc(m), tui_fmt_count(machine_instret(mach), ni, sizeof ni),
            tui_text(m->lang, TUI_TXT_CYCLES), tui_fmt_count(machine_cycles(mach), nc, sizeof nc), sym);
}

/* The footer, htop style: a key in one colour, its label in another. */
static const struct {
    const char *key;
    const char *label[TUI_LANG_COUNT];
} footer_keys[] = {
    { "F1", { "Help", "Ayuda" } },   { "F2", { "Back", "Atrás" } },
    { "F3", { "BkTrap", "AtTram" } }, { "F4", { "VM", "VM" } },
    { "F5", { "Step", "Paso" } },    { "F6", { "Next", "Sig" } },
    { "F7", { "Trap", "Trampa" } },  { "F8", { "Cont", "Cont" } },
    { "F9", { "Break", "PtoInt" } }, { "F10", { "Quit", "Salir" } },
    { "T", { "Tasks", "Tareas" } },     /* only with a lab's tasks */
};

static void draw_footer(const tui_view *v)
{
    int x = 0, y = v->footer.y;
    fill(y, 0, COLS, role_attr(v, ROLE_KEYLABEL));
    for (size_t i = 0; i < sizeof footer_keys / sizeof footer_keys[0]; i++) {
        const char *k = footer_keys[i].key, *l = footer_keys[i].label[v->m->lang];
        if (strcmp(k, "T") == 0 && !v->m->tasks_title)
            continue;
        int need = (int)strlen(k) + utf8_width(l) + 1;
        if (x + need > COLS)
            break;
        put_text(y, x, COLS - x, role_attr(v, ROLE_KEY), k);
        x += (int)strlen(k);
        put_ui(v, y, x, COLS - x, role_attr(v, ROLE_KEYLABEL), l);
        x += utf8_width(l) + 1;
    }
}

static void draw(tui_view *v)
{
    tui_model *m = v->m;
    erase();
    if (v->too_small) {
        put_fmt(v, 0, 0, COLS, role_attr(v, ROLE_ERROR), "%s (%dx%d)", tui_text(m->lang, TUI_TXT_TOO_SMALL),
                COLS, LINES);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_top(v);
    machine *mach = tui_model_machine(m);
    char title[96];
    if (m->ops->vm_count(m->target) && machine_instret(mach) == 0 && m->ops->current_vm(m->target) < 0)
        /* pc 0 is the VMM's, which has not run yet: say so beside VM 0's 0x1000 */
        snprintf(title, sizeof title, "%s", tui_text(m->lang, TUI_TXT_REAL_CPU_IDLE));
    else
        snprintf(title, sizeof title, "%s (%s)", tui_text(m->lang, TUI_TXT_REGISTERS),
                 m->ops->vm_count(m->target) ? tui_text(m->lang, TUI_TXT_REAL_CPU) : tui_model_kind(m));
    draw_cpu(v, &v->regs, title, machine_cpu(mach), &m->prev_cpu);
    if (v->vcpu.h > 0 && m->sel_vm >= 0) {
        tui_vm_info vi;
        m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
        snprintf(title, sizeof title, "%s: VM %d %s (%s)", tui_text(m->lang, TUI_TXT_VCPU), m->sel_vm,
                 vi.name, vi.state);
        draw_cpu(v, &v->vcpu, title, &vi.vcpu, &m->prev_vcpu);
    }
    draw_code(v);
    draw_mem(v);
    set_attr(role_attr(v, ROLE_DIM));
    for (int y = v->body_y; y < v->body_y + v->body_h; y++)
        mvaddch(y, v->sep_x, v->ascii ? '|' : ACS_VLINE);
    set_attr(A_NORMAL);
    draw_log(v);
    if (v->tasks.h > 0) {
        draw_tasks(v);
    } else {
        draw_explain(v);
        draw_vms(v);
        draw_stats(v);
    }
    draw_console(v);
    bool bad = m->last_stop == STOP_FATAL;
    put_ui(v, v->status.y, 0, COLS, role_attr(v, bad ? ROLE_ERROR : ROLE_STATUS), m->status);
    draw_footer(v);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- overlays -------------------------------------------------------------------- */

static const struct {
    const char *keys;
    const char *text[TUI_LANG_COUNT];
} help_lines[] = {
    { "s  F5",      { "step one instruction", "ejecutar una instrucción" } },
    { "n  F6",      { "next: step over a call", "siguiente: pasar sobre una llamada" } },
    { "t  F7",      { "run to the next trap or VM exit", "correr hasta la próxima trampa o salida" } },
    { "c  F8",      { "continue (any key stops)", "continuar (cualquier tecla detiene)" } },
    { "b  F9",      { "toggle a breakpoint at the cursor", "poner/quitar punto de interrupción en el cursor" } },
    { "r  F2",      { "step back one instruction", "retroceder una instrucción" } },
    { "R  F3",      { "back to the previous trap", "volver a la trampa anterior" } },
    { "v  F4",      { "next VM", "siguiente VM" } },
    { "g",          { "go to a symbol or address", "ir a un símbolo o dirección" } },
    { "Tab Up/Dn",  { "focus code, log, memory, tasks; move in it", "foco: código, registro, memoria, tareas" } },
    { ".",          { "cursor back to the PC", "cursor de vuelta al PC" } },
    { "e  Enter",   { "the whole explanation", "la explicación completa" } },
    { "m",          { "memory: virtual / physical / guest-physical", "memoria: virtual / física / física del invitado" } },
    { "L  T",       { "English/Spanish; the lab's tasks", "inglés/español; las tareas de la práctica" } },
    { ":",          { "command line (help lists the commands)", "línea de órdenes (help las lista)" } },
    { "C",          { "reverse continue: back to the last stop", "continuar hacia atrás: a la parada anterior" } },
    { "w",          { "save a snapshot file", "guardar una instantánea en un fichero" } },
    { "?  F1",      { "this help", "esta ayuda" } },
    { "q  F10",     { "quit", "salir" } },
};

static void overlay_box(const tui_view *v, int y, int x, int h, int w, const char *title)
{
    for (int i = 0; i < h; i++)
        fill(y + i, x, w, A_NORMAL);
    set_attr(role_attr(v, ROLE_TITLE));
    if (v->ascii) {
        for (int i = 0; i < w; i++) {
            mvaddch(y, x + i, '-');
            mvaddch(y + h - 1, x + i, '-');
        }
        for (int i = 0; i < h; i++) {
            mvaddch(y + i, x, '|');
            mvaddch(y + i, x + w - 1, '|');
        }
    } else {
        WINDOW *b = derwin(stdscr, h, w, y, x);
        if (b) {
            wattrset(b, role_attr(v, ROLE_TITLE));
            box(b, 0, 0);
            delwin(b);
        }
    }
    set_attr(A_NORMAL);
    put_fmt(v, y, x + 2, w - 4, role_attr(v, ROLE_TITLE_FOCUS), " %s ", title);
}

static void wait_key(void)
{
    wnoutrefresh(stdscr);
    doupdate();
    timeout(-1);
    int ch;
    do
        ch = getch();
    while (ch == KEY_RESIZE);
}

static void show_help(tui_view *v)
{
    tui_lang lang = v->m->lang;
    int n = (int)(sizeof help_lines / sizeof help_lines[0]);
    int h = n + 4, w = 60;
    if (h > LINES) h = LINES;
    if (w > COLS) w = COLS;
    int y = (LINES - h) / 2, x = (COLS - w) / 2;
    overlay_box(v, y, x, h, w, tui_text(lang, TUI_TXT_HELP));
    for (int i = 0; i < n && i < h - 4; i++) {
        put_text(y + 1 + i, x + 2, 10, role_attr(v, ROLE_KEY), help_lines[i].keys);
        put_ui(v, y + 1 + i, x + 13, w - 15, A_NORMAL, help_lines[i].text[lang]);
    }
    put_ui(v, y + h - 2, x + 2, w - 4, role_attr(v, ROLE_DIM), tui_text(lang, TUI_TXT_HELP_CLOSE));
    wait_key();
}

/* The whole explanation, word-wrapped to the box; arrows and PgUp/PgDn
 * scroll what does not fit (80x24 holds about a dozen rows), any other
 * key closes it. */
static void show_explanation(tui_view *v)
{
    const tui_event *e = tui_model_selected(v->m);
    if (!e)
        return;
    char buf[2048];
    tui_explain(e, v->m->lang, buf, sizeof buf);
    int h = LINES - 4, w = COLS - 8;
    int y = 2, x = 4;
    int page = h - 3;       /* the borders and the hint row */
    if (page < 1 || w < 8)
        return;
    size_t blen = strlen(buf);
    while (blen && buf[blen - 1] == '\n')      /* no empty row to scroll to */
        buf[--blen] = '\0';
    size_t total = tui_wrap(buf, w - 4, NULL, 0);
    tui_span *rows = malloc((total ? total : 1) * sizeof *rows);
    if (!rows)
        return;
    tui_wrap(buf, w - 4, rows, total);
    size_t max_top = total > (size_t)page ? total - (size_t)page : 0, top = 0;
    for (;;) {
        char title[64];
        if (total > (size_t)page)
            snprintf(title, sizeof title, "%s %zu-%zu/%zu", tui_text(v->m->lang, TUI_TXT_EXPLAIN),
                     top + 1, top + (size_t)page, total);
        else
            snprintf(title, sizeof title, "%s", tui_text(v->m->lang, TUI_TXT_EXPLAIN));
        overlay_box(v, y, x, h, w, title);
        for (int i = 0; i < page && top + (size_t)i < total; i++) {
            const tui_span *sp = &rows[top + (size_t)i];
            put_utf8(v, y + 1 + i, x + 2 + sp->indent, w - 4 - sp->indent, A_NORMAL, buf + sp->off, sp->len);
        }
        put_ui(v, y + h - 2, x + 2, w - 4, role_attr(v, ROLE_DIM),
                 tui_text(v->m->lang, total > (size_t)page ? TUI_TXT_SCROLL_CLOSE : TUI_TXT_HELP_CLOSE));
        wnoutrefresh(stdscr);
        doupdate();
        timeout(-1);
        int ch = getch();
        if (ch == KEY_RESIZE)
            continue;
        if (ch == KEY_DOWN || ch == 'j')
            top = top < max_top ? top + 1 : max_top;
        else if (ch == KEY_UP || ch == 'k')
            top = top > 0 ? top - 1 : 0;
        else if (ch == KEY_NPAGE || ch == ' ')
            top = top + (size_t)page < max_top ? top + (size_t)page : max_top;
        else if (ch == KEY_PPAGE)
            top = top > (size_t)page ? top - (size_t)page : 0;
        else
            break;
    }
    free(rows);
}

/*
 * A one-line editor on the status row: Left/Right, Home/End (^A/^E),
 * Backspace, ^U, ^W; with history (Up/Down) and Tab completion for the
 * command line.  True on Enter, false on Esc (or ^C, ^G).
 */
static bool edit_line(tui_view *v, const char *prompt, char *buf, size_t n, bool command)
{
    size_t len = strlen(buf), cur = len;
    long hist = -1;          /* -1: the line being typed */
    char typed[256] = "";
    char hint[256] = "";
    curs_set(1);
    bool ok = false;
    for (;;) {
        int pw = (int)strlen(prompt);
        int room = COLS - pw - 1;
        if (room < 1)
            room = 1;
        size_t off = cur > (size_t)room ? cur - (size_t)room : 0;
        fill(v->status.y, 0, COLS, A_NORMAL);
        put_ui(v, v->status.y, 0, COLS, role_attr(v, ROLE_TITLE), prompt);
        put_text(v->status.y, pw, room, A_NORMAL, buf + off);
        if (hint[0]) {
            fill(v->footer.y, 0, COLS, role_attr(v, ROLE_KEYLABEL));
            put_text(v->footer.y, 0, COLS, role_attr(v, ROLE_KEYLABEL), hint);
        }
        move(v->status.y, pw + (int)(cur - off));
        wnoutrefresh(stdscr);
        doupdate();
        timeout(-1);
        int ch = getch();
        if (ch == '\r' || ch == '\n' || ch == KEY_ENTER) {
            ok = true;
            break;
        }
        if (ch == 27 || ch == 3 || ch == 7)
            break;
        if (ch == KEY_RESIZE)
            continue;
        if (ch == KEY_LEFT && cur > 0) cur--;
        else if (ch == KEY_RIGHT && cur < len) cur++;
        else if (ch == KEY_HOME || ch == 1) cur = 0;
        else if (ch == KEY_END || ch == 5) cur = len;
        else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && cur > 0) {
            memmove(buf + cur - 1, buf + cur, len - cur + 1);
            cur--, len--;
        } else if (ch == KEY_DC && cur < len) {
            memmove(buf + cur, buf + cur + 1, len - cur);
            len--;
        } else if (ch == 21) {              /* ^U */
            memmove(buf, buf + cur, len - cur + 1);
            len -= cur;
            cur = 0;
        } else if (ch == 23) {              /* ^W: the word before the cursor */
            size_t s0 = cur;
            while (s0 > 0 && buf[s0 - 1] == ' ') s0--;
            while (s0 > 0 && buf[s0 - 1] != ' ') s0--;
            memmove(buf + s0, buf + cur, len - cur + 1);
            len -= cur - s0;
            cur = s0;
        } else if (command && (ch == KEY_UP || ch == KEY_DOWN)) {
            if (hist == -1)
                snprintf(typed, sizeof typed, "%s", buf);
            long next = hist + (ch == KEY_UP ? 1 : -1);
            const char *h = next >= 0 ? tui_history_get(v->m, (size_t)next) : NULL;
            if (next < -1 || (next >= 0 && !h))
                continue;
            hist = next;
            snprintf(buf, n, "%s", hist == -1 ? typed : h);
            len = cur = strlen(buf);
        } else if (command && ch == '\t') {
            buf[cur] = '\0';          /* complete what is before the cursor */
            char tail[256];
            snprintf(tail, sizeof tail, "%s", buf + cur + 1 <= buf + len ? buf + cur + 1 : "");
            size_t k = tui_command_complete(v->m, buf, n, hint, sizeof hint);
            if (k <= 1)
                hint[0] = '\0';
            cur = strlen(buf);
            snprintf(buf + cur, n - cur, "%s", tail);
            len = strlen(buf);
            if (!hint[0])
                draw_footer(v);
        } else if (ch >= 0x20 && ch < 0x7f && len + 1 < n) {
            memmove(buf + cur + 1, buf + cur, len - cur + 1);
            buf[cur++] = (char)ch;
            len++;
        }
    }
    curs_set(0);
    return ok;
}

static void prompt_goto(tui_view *v)
{
    char buf[100] = "";
    if (edit_line(v, tui_text(v->m->lang, TUI_TXT_GOTO_PROMPT), buf, sizeof buf, false))
        tui_action_goto(v->m, buf);     /* empty: cancelled */
}

/* A command's output of several lines, in a box that scrolls. */
static void show_output(tui_view *v)
{
    char *text = v->m->output;
    if (!text)
        return;
    v->m->output = NULL;
    int h = LINES - 4, w = COLS - 4, y = 2, x = 2, page = h - 3;
    size_t total = tui_wrap(text, w - 4, NULL, 0);
    while (total && page > 0) {
        tui_span *rows = malloc(total * sizeof *rows);
        if (!rows)
            break;
        tui_wrap(text, w - 4, rows, total);
        if (total <= (size_t)page) {
            h = (int)total + 3;
            page = (int)total;
        }
        size_t max_top = total > (size_t)page ? total - (size_t)page : 0, top = 0;
        for (;;) {
            overlay_box(v, y, x, h, w, "traplab");
            for (int i = 0; i < page && top + (size_t)i < total; i++) {
                const tui_span *sp = &rows[top + (size_t)i];
                put_utf8(v, y + 1 + i, x + 2 + sp->indent, w - 4 - sp->indent, A_NORMAL, text + sp->off, sp->len);
            }
            put_ui(v, y + h - 2, x + 2, w - 4, role_attr(v, ROLE_DIM),
                   tui_text(v->m->lang, total > (size_t)page ? TUI_TXT_SCROLL_CLOSE : TUI_TXT_HELP_CLOSE));
            wnoutrefresh(stdscr);
            doupdate();
            timeout(-1);
            int ch = getch();
            if (ch == KEY_RESIZE)
                continue;
            if (ch == KEY_DOWN || ch == 'j') top = top < max_top ? top + 1 : max_top;
            else if (ch == KEY_UP || ch == 'k') top = top > 0 ? top - 1 : 0;
            else if (ch == KEY_NPAGE || ch == ' ') top = top + (size_t)page < max_top ? top + (size_t)page : max_top;
            else if (ch == KEY_PPAGE) top = top > (size_t)page ? top - (size_t)page : 0;
            else break;
        }
        free(rows);
        break;
    }
    free(text);
}

static tui_reaction prompt_command(tui_view *v)
{
    char buf[256] = "";
    if (!edit_line(v, ":", buf, sizeof buf, true))
        return TUI_REDRAW | TUI_RESIZE;
    tui_history_add(v->m, buf);
    tui_reaction re = tui_command(v->m, buf);
    if (v->m->output) {
        draw(v);
        show_output(v);
    }
    return re | TUI_REDRAW | TUI_RESIZE;
}

static tui_reaction prompt_save(tui_view *v)
{
    char buf[256] = "traplab.snap";
    if (!edit_line(v, tui_text(v->m->lang, TUI_TXT_SAVE_PROMPT), buf, sizeof buf, false) || !buf[0])
        return TUI_REDRAW | TUI_RESIZE;
    return tui_action_save(v->m, buf) | TUI_RESIZE;
}

/* ---- the key table ------------------------------------------------------------------ */

typedef tui_reaction (*key_action)(tui_view *v);

static tui_reaction k_step(tui_view *v) { return tui_action_step(v->m); }
static tui_reaction k_next(tui_view *v) { return tui_action_next(v->m); }
static tui_reaction k_trap(tui_view *v) { return tui_action_run_to_trap(v->m); }
static tui_reaction k_cont(tui_view *v) { return tui_action_continue(v->m, CONTINUE_SLICE); }
static tui_reaction k_break(tui_view *v) { return tui_action_toggle_breakpoint(v->m); }
static tui_reaction k_back(tui_view *v) { return tui_action_back_step(v->m); }
static tui_reaction k_back_trap(tui_view *v) { return tui_action_back_to_previous_trap(v->m); }
static tui_reaction k_vm(tui_view *v) { return tui_action_next_vm(v->m); }
static tui_reaction k_quit(tui_view *v) { return tui_action_quit(v->m); }
static tui_reaction k_mem_mode(tui_view *v) { return tui_action_toggle_mem_mode(v->m); }
static tui_reaction k_lang(tui_view *v) { return tui_action_toggle_lang(v->m); }
static tui_reaction k_pc(tui_view *v) { return tui_action_cursor_to_pc(v->m); }
/* The overlays may outlive a terminal resize: lay out again after them. */
static tui_reaction k_help(tui_view *v) { show_help(v); return TUI_REDRAW | TUI_RESIZE; }
static tui_reaction k_explain(tui_view *v) { show_explanation(v); return TUI_REDRAW | TUI_RESIZE; }
static tui_reaction k_goto(tui_view *v) { prompt_goto(v); return TUI_REDRAW | TUI_RESIZE; }
static tui_reaction k_command(tui_view *v) { return prompt_command(v); }
static tui_reaction k_save(tui_view *v) { return prompt_save(v); }
static tui_reaction k_rcont(tui_view *v) { return tui_action_reverse_continue(v->m); }
static tui_reaction k_resize(tui_view *v) { (void)v; return TUI_RESIZE | TUI_REDRAW; }
static tui_reaction k_redraw(tui_view *v) { (void)v; clearok(curscr, TRUE); return TUI_REDRAW; }

static tui_reaction k_focus(tui_view *v)
{
    v->focus = (focus)((v->focus + 1) % FOCUS_COUNT);
    if (v->focus == FOCUS_TASKS && v->tasks.h == 0)
        v->focus = FOCUS_CODE;
    return TUI_REDRAW;
}

static tui_reaction k_tasks(tui_view *v)
{
    tui_reaction re = tui_action_toggle_tasks(v->m);
    /* Showing the tasks focuses them, so that the arrows scroll at once. */
    v->focus = v->m->tasks_shown && v->m->tasks_title ? FOCUS_TASKS : FOCUS_CODE;
    return re;
}

static tui_reaction move_focused(tui_view *v, long d, long page)
{
    switch (v->focus) {
    case FOCUS_CODE: return tui_action_cursor_move(v->m, d * page);
    case FOCUS_LOG:  return tui_action_log_select(v->m, d * page);
    case FOCUS_TASKS:
        return tui_action_tasks_scroll(v->m, d * (page > 1 ? tasks_text_rows(v) - 1 : 1),
                                       v->tasks.w, tasks_text_rows(v));
    default:         return tui_action_mem_scroll(v->m, d * page * 16);
    }
}

static tui_reaction k_up(tui_view *v) { return move_focused(v, -1, 1); }
static tui_reaction k_down(tui_view *v) { return move_focused(v, 1, 1); }
static tui_reaction k_pgup(tui_view *v) { return move_focused(v, -1, 8); }
static tui_reaction k_pgdn(tui_view *v) { return move_focused(v, 1, 8); }

static const key_action keymap[KEY_MAX + 1] = {
    ['s'] = k_step,      [KEY_F(5)] = k_step,
    ['n'] = k_next,      [KEY_F(6)] = k_next,
    ['t'] = k_trap,      [KEY_F(7)] = k_trap,
    ['c'] = k_cont,      [KEY_F(8)] = k_cont,
    ['b'] = k_break,     [KEY_F(9)] = k_break,
    ['r'] = k_back,      [KEY_F(2)] = k_back,
    ['R'] = k_back_trap, [KEY_F(3)] = k_back_trap,
    ['v'] = k_vm,        [KEY_F(4)] = k_vm,
    ['g'] = k_goto,
    ['?'] = k_help,      [KEY_F(1)] = k_help,  ['h'] = k_help,
    ['q'] = k_quit,      [KEY_F(10)] = k_quit, [3] = k_quit,   /* ^C in raw mode */
    ['e'] = k_explain,   ['\n'] = k_explain,   ['\r'] = k_explain, [KEY_ENTER] = k_explain,
    ['m'] = k_mem_mode,  ['L'] = k_lang,       ['.'] = k_pc,
    ['T'] = k_tasks,
    [':'] = k_command,   ['w'] = k_save,       ['C'] = k_rcont,
    ['\t'] = k_focus,
    [KEY_UP] = k_up,     [KEY_DOWN] = k_down,  ['k'] = k_up,   ['j'] = k_down,
    [KEY_PPAGE] = k_pgup, [KEY_NPAGE] = k_pgdn,
    [KEY_RESIZE] = k_resize, [12] = k_redraw,   /* ^L */
};

/* ---- the loop ---------------------------------------------------------------------------- */

int tui_view_run(tui_model *m, const tui_view_options *opt)
{
    /* The terminal's character set, so that line drawing works in UTF-8 terminals. */
    setlocale(LC_CTYPE, "");
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        fprintf(stderr, "traplab tui: cannot start the terminal (TERM=%s)\n",
                getenv("TERM") ? getenv("TERM") : "");
        return 1;
    }
    tui_view v = { .m = m, .focus = m->tasks_shown && m->tasks_title ? FOCUS_TASKS : FOCUS_CODE };
    const char *nc = getenv("NO_COLOR");
    v.mono = (opt && opt->mono) || (nc && *nc) || !has_colors();
    /* In a UTF-8 locale ncursesw draws lines as UTF-8, which every modern
     * terminal shows.  Elsewhere it would switch to the VT100 alternate
     * character set, which tmux and screen often show as letters ("qqqq"):
     * ASCII is the safe choice there.  --ascii or TRAPLAB_ASCII force it. */
    const char *asc = getenv("TRAPLAB_ASCII");
    const char *codeset = nl_langinfo(CODESET);
    bool utf8 = codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    v.ascii = (opt && opt->ascii) || (asc && *asc) || !utf8;
    v.utf8 = utf8;
    if (!v.mono) {
        start_color();
        /* -1 means the terminal's own colours, where it can keep them. */
        bool defaults = use_default_colors() == OK;
        for (int r = 1; r < ROLE_COUNT; r++) {
            short fg = scheme[r].fg, bg = scheme[r].bg;
            if (!defaults) {
                fg = fg < 0 ? COLOR_WHITE : fg;
                bg = bg < 0 ? COLOR_BLACK : bg;
            }
            init_pair((short)r, fg, bg);
        }
    }
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    struct sigaction old_term, old_hup, old_int;
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sigaction(SIGINT, &sa, &old_int);

    layout(&v);
    bool redraw = true;
    for (;;) {
        if (got_signal)
            break;
        if (redraw)
            draw(&v);
        redraw = false;
        tui_reaction re;
        if (m->running) {
            /* Poll, so that a long run stays responsive to any key. */
            timeout(0);
            int ch = getch();
            if (ch == KEY_RESIZE) {
                re = k_resize(&v);
            } else if (ch != ERR) {
                re = tui_action_stop(m);
                if (ch == 'q' || ch == KEY_F(10) || ch == 3)
                    re |= TUI_QUIT;
            } else {
                re = tui_action_continue(m, CONTINUE_SLICE);
            }
        } else {
            timeout(250);          /* wake up now and then to notice signals */
            int ch = getch();
            if (ch == ERR)
                continue;
            key_action fn = ch >= 0 && ch <= KEY_MAX ? keymap[ch] : NULL;
            re = fn ? fn(&v) : TUI_OK;
        }
        if (re & TUI_QUIT)
            break;
        if (re & TUI_RESIZE)
            layout(&v);
        if (re & (TUI_REDRAW | TUI_RESIZE))
            redraw = true;
    }
    endwin();
    delscreen(scr);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGINT, &old_int, NULL);
    return got_signal ? 1 : 0;
}
