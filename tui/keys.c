/*
 * keys.c -- the keys that do not run the machine: breakpoints, VMs, go to,
 * moving in the panes, language, tasks, quit.
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the rest of the keys --------------------------------------------------- */

tui_reaction tui_action_toggle_breakpoint(tui_model *m)
{
    uint32_t at = m->cursor_follow ? tui_model_pc(m) : m->cursor;
    bool es = m->lang == TUI_LANG_ES;
    const tui_bp *old = tui_bp_find_code(m, at);
    if (old) {
        unsigned id = old->id;
        tui_bp_delete(m, id);
        tui_set_status(m, es ? "Punto de interrupción %u quitado en 0x%08x" : "Breakpoint %u removed at 0x%08x", id, at);
        return TUI_REDRAW;
    }
    tui_bp b = { .kind = TUI_BP_CODE, .addr = at };
    unsigned id = tui_bp_add(m, &b);
    if (id)
        tui_set_status(m, es ? "Punto de interrupción %u en 0x%08x" : "Breakpoint %u set at 0x%08x", id, at);
    return TUI_REDRAW;
}

tui_reaction tui_action_next_vm(tui_model *m)
{
    unsigned n = m->ops->vm_count(m->target);
    if (n == 0) {
        tui_set_status(m, m->lang == TUI_LANG_ES ? "Máquina sin hipervisor: no hay VMs." :
                   "Bare machine: there are no VMs.");
        return TUI_REDRAW;
    }
    m->sel_vm = (m->sel_vm + 1) % (int)n;
    tui_vm_info vi;
    m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
    m->prev_vcpu = vi.vcpu;
    tui_set_status(m, "VM %d: %s", m->sel_vm, vi.name);
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

bool tui_parse_where(const tui_model *m, const char *s, uint32_t *out)
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
        tui_set_status(m, "%s", "");
        return TUI_REDRAW;
    }
    if (!tui_parse_where(m, where, &addr)) {
        tui_set_status(m, es ? "No se encontró '%s': escribe un símbolo o una dirección" :
                   "No symbol or address '%s'", where ? where : "");
        return TUI_REDRAW;
    }
    m->cursor = addr & ~3u;
    m->cursor_follow = false;
    m->mem_addr = addr & ~0xfu;
    m->mem_follow = false;
    char sym[64];
    tui_model_symbolize(m, addr, sym, sizeof sym);
    tui_set_status(m, es ? "Cursor en 0x%08x %s (b pone un punto de interrupción)" :
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
    tui_set_status(m, m->lang == TUI_LANG_ES ? "Idioma: español" : "Language: English");
    return TUI_REDRAW | TUI_RESIZE;
}

tui_reaction tui_action_toggle_tasks(tui_model *m)
{
    bool es = m->lang == TUI_LANG_ES;
    if (!m->tasks_title) {
        tui_set_status(m, es ? "No hay tareas: vienen con traplab lab run PRACTICA." :
                           "No tasks: they come with traplab lab run LAB.");
        return TUI_REDRAW;
    }
    m->tasks_shown = !m->tasks_shown;
    if (m->tasks_shown)
        tui_set_status(m, es ? "Tareas a la vista (Tab y flechas para desplazarlas; T las oculta)." :
                           "Tasks shown (Tab, then arrows, scroll them; T hides them).");
    else
        tui_set_status(m, es ? "Tareas ocultas (T las muestra)." : "Tasks hidden (T shows them).");
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