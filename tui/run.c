/*
 * run.c -- running forwards (s, n, t, c) and backwards (r, R): checkpoints
 * on a grid, breakpoints installed only while running, and seeking to a
 * position by restoring a checkpoint and replaying (see the positions
 * comment in model.c).
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- running ------------------------------------------------------------ */

bool tui_finished(const tui_model *m)
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
        tui_checkpoint_push(m);
}

static void install_breakpoints(tui_model *m, bool on, bool has_extra, uint32_t extra)
{
    machine *mach = tui_model_machine(m);
    machine_clear_breakpoints(mach);
    if (!on)
        return;
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i].kind == TUI_BP_CODE)
            machine_set_breakpoint(mach, m->bps[i].addr, true);
    if (has_extra)
        machine_set_breakpoint(mach, extra, true);
}

static tui_bp *bp_by_id(tui_model *m, unsigned id)
{
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i].id == id)
            return &m->bps[i];
    return NULL;
}

/* A code breakpoint the machine stopped at, whose condition holds (the
 * extra breakpoint of n is not one of the user's). */
static tui_bp *code_hit(tui_model *m, bool has_extra, uint32_t extra)
{
    uint32_t pc = tui_model_pc(m);
    tui_bp *b = (tui_bp *)tui_bp_find_code(m, pc);
    if (!b || (has_extra && pc == extra && !b->cond))
        return b;
    return tui_bp_condition_holds(m, b) ? b : NULL;
}

/*
 * Up to n instructions one at a time, checking the watchpoints before each:
 * STOP_REQUESTED with m->hit_bp set right after an instruction that touched
 * a watched word.
 */
static machine_stop run_watched(tui_model *m, uint64_t n)
{
    machine *mach = tui_model_machine(m);
    for (uint64_t k = 0; k < n; k++) {
        uint32_t old = 0, pc = machine_cpu(mach)->pc;
        tui_bp *b = tui_watch_check(m, &old);
        unsigned id = b ? b->id : 0;
        machine_stop s = m->ops->run(m->target, 1);
        if (s != STOP_LIMIT)
            return s;
        if (id) {
            b = bp_by_id(m, id);
            uint32_t now = 0;
            tui_bp_read_word(m, b, &now);
            m->hit_bp = id;
            if (now != old)
                snprintf(m->hit_what, sizeof m->hit_what, "0x%08x: 0x%08x -> 0x%08x (pc 0x%08x)",
                         b->addr, old, now, pc);
            else
                snprintf(m->hit_what, sizeof m->hit_what, "0x%08x = 0x%08x (pc 0x%08x)", b->addr, now, pc);
            return STOP_REQUESTED;
        }
    }
    return STOP_LIMIT;
}

/*
 * Runs up to max instructions, in slices that end on the checkpoint grid so
 * that checkpoints are taken at limit positions.  Starting on a breakpoint
 * steps over it, as gdb does.  With bps, the user's breakpoints (with their
 * conditions), watchpoints and catchpoints stop it; m->hit_bp says which.
 */
machine_stop tui_run_for(tui_model *m, uint64_t max, bool bps, bool stop_on_trap,
                         bool has_extra, uint32_t extra)
{
    machine *mach = tui_model_machine(m);
    install_breakpoints(m, bps, has_extra, extra);
    machine_set_stop_on_trap(mach, stop_on_trap);
    m->stop_on_event = stop_on_trap;
    m->catching = bps;
    m->hit_bp = 0;
    m->hit_what[0] = '\0';
    bool watch = bps && tui_has_watchpoints(m);
    uint64_t done = 0;
    machine_stop s = STOP_LIMIT;
    bool first = true;
    while (done < max) {
        uint64_t i0 = machine_instret(mach);
        uint64_t to_grid = m->ck_every - i0 % m->ck_every;
        uint64_t n = max - done < to_grid ? max - done : to_grid;
        s = watch ? run_watched(m, n) : m->ops->run(m->target, n);
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
        if (s == STOP_BREAKPOINT) {
            tui_bp *b = code_hit(m, has_extra, extra);
            bool extra_hit = has_extra && tui_model_pc(m) == extra;
            if (!b && !extra_hit) {
                first = false;  /* its condition is false: on past it */
                continue;
            }
            if (b)
                m->hit_bp = b->id;
        }
        break;
    }
    tui_bp *hit = m->hit_bp ? bp_by_id(m, m->hit_bp) : NULL;
    if (hit)
        hit->hits++;
    install_breakpoints(m, false, false, 0);
    machine_set_stop_on_trap(mach, false);
    m->stop_on_event = false;
    m->catching = false;
    m->last_stop = s;
    return s;
}

void tui_before_action(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    m->prev_cpu = *machine_cpu(mach);
    if (m->sel_vm >= 0 && (unsigned)m->sel_vm < m->ops->vm_count(m->target)) {
        tui_vm_info vi;
        m->ops->vm_info(m->target, (unsigned)m->sel_vm, &vi);
        m->prev_vcpu = vi.vcpu;
    }
}

void tui_after_run(tui_model *m, size_t nlog_before)
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
    tui_bp *hit = m->hit_bp ? bp_by_id(m, m->hit_bp) : NULL;
    if (hit && (m->last_stop == STOP_BREAKPOINT || m->last_stop == STOP_REQUESTED)) {
        static const char *const what[2][4] = {
            { "Breakpoint", "Watchpoint", "Catchpoint", "Catchpoint" },
            { "Punto de interrupción", "Vigilancia", "Captura", "Captura" },
        };
        tui_model_symbolize(m, machine_cpu(mach)->pc, sym, sizeof sym);
        if (hit->kind == TUI_BP_CODE && !m->hit_what[0])
            tui_set_status(m, es ? "Punto de interrupción en 0x%08x %s (número %u)" :
                           "Breakpoint at 0x%08x %s (number %u)", machine_cpu(mach)->pc, sym, hit->id);
        else
            tui_set_status(m, "%s %u: %s", what[es][hit->kind], hit->id, m->hit_what);
        tui_view_state_push(m);
        return;
    }
    switch (m->last_stop) {
    case STOP_HALT:
        tui_set_status(m, es ? "La máquina se detuvo (halt). r/R vuelven atrás." :
                   "The machine halted. r/R go back.");
        break;
    case STOP_FATAL:
        tui_set_status(m, "%s: %s", es ? "Error fatal" : "Fatal", machine_fatal_reason(mach));
        break;
    case STOP_BREAKPOINT:
        tui_model_symbolize(m, machine_cpu(mach)->pc, sym, sizeof sym);
        tui_set_status(m, es ? "Punto de interrupción en 0x%08x %s" : "Breakpoint at 0x%08x %s",
                   machine_cpu(mach)->pc, sym);
        break;
    case STOP_TRAP: {
        const tui_event *e = tui_model_selected(m);
        if (e && e->kind == TUI_EV_VIOLATION)
            tui_set_status(m, es ? "VM %d: violación de equivalencia en 0x%08x, sin trampa (%s)" :
                       "VM %d: equivalence violation at 0x%08x, no trap (%s)", e->vm, e->pc, e->what);
        else if (e && e->vm >= 0)
            tui_set_status(m, es ? "Salida de la VM %d: %s en 0x%08x (%s)" : "VM %d exit: %s at 0x%08x (%s)",
                       e->vm, isa_cause_name(CAUSE_CODE(e->cause)), e->pc,
                       tui_handler_name(e->handler, m->lang));
        else if (e)
            tui_set_status(m, es ? "Trampa %s en 0x%08x (anillo %u -> %u)" : "Trap %s at 0x%08x (ring %u -> %u)",
                       isa_cause_name(CAUSE_CODE(e->cause)), e->pc, e->ring_from, e->ring_to);
        break;
    }
    default:
        tui_set_status(m, "pc 0x%08x, %s %llu", machine_cpu(mach)->pc,
                   es ? "instrucciones" : "instructions",
                   (unsigned long long)machine_instret(mach));
        break;
    }
    tui_view_state_push(m);
}

static bool refuse_if_finished(tui_model *m)
{
    if (!tui_finished(m))
        return false;
    tui_set_status(m, m->lang == TUI_LANG_ES ?
               "El programa ya terminó: r o R para volver atrás, q para salir." :
               "The program has finished: r or R to go back, q to quit.");
    return true;
}

tui_reaction tui_action_step(tui_model *m)
{
    if (refuse_if_finished(m))
        return TUI_REDRAW;
    tui_before_action(m);
    size_t n0 = m->nlog;
    tui_run_for(m, 1, false, false, false, 0);
    tui_after_run(m, n0);
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
    tui_before_action(m);
    size_t n0 = m->nlog;
    uint32_t sp0 = machine_get_reg(mach, REG_SP);
    uint64_t left = m->run_budget;
    machine_stop s;
    for (;;) {
        uint64_t i0 = machine_instret(mach);
        s = tui_run_for(m, left, true, false, true, pc + 4);
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
    tui_after_run(m, n0);
    if (s == STOP_LIMIT)
        tui_set_status(m, m->lang == TUI_LANG_ES ? "La llamada no volvió en %llu instrucciones" :
                   "The call did not return within %llu instructions", (unsigned long long)m->run_budget);
    return TUI_REDRAW;
}

tui_reaction tui_action_run_to_trap(tui_model *m)
{
    if (refuse_if_finished(m))
        return TUI_REDRAW;
    tui_before_action(m);
    size_t n0 = m->nlog;
    machine_stop s = tui_run_for(m, m->run_budget, true, true, false, 0);
    if (s == STOP_REQUESTED && m->nlog > n0 && m->log[m->nlog - 1].kind == TUI_EV_VIOLATION)
        m->last_stop = STOP_TRAP;
    tui_after_run(m, n0);
    if (s == STOP_LIMIT)
        tui_set_status(m, m->lang == TUI_LANG_ES ? "Ninguna trampa en %llu instrucciones" :
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
        tui_before_action(m);
    size_t n0 = m->nlog;
    machine_stop s = tui_run_for(m, budget ? budget : 1, true, false, false, 0);
    m->running = s == STOP_LIMIT;
    tui_after_run(m, n0);
    if (m->running)
        tui_set_status(m, m->lang == TUI_LANG_ES ? "Ejecutando... (cualquier tecla detiene)" :
                   "Running... (any key stops)");
    return TUI_REDRAW;
}

tui_reaction tui_action_stop(tui_model *m)
{
    if (!m->running)
        return TUI_OK;
    m->running = false;
    tui_set_status(m, m->lang == TUI_LANG_ES ? "Detenido en 0x%08x" : "Stopped at 0x%08x", tui_model_pc(m));
    return TUI_REDRAW;
}

/* ---- going back ------------------------------------------------------------ */

/* Replays forward, without events or checkpoints, to (instret, traps);
 * traps == UINT64_MAX means the limit position at instret. */
static void replay_to(tui_model *m, uint64_t instret, uint64_t traps)
{
    machine *mach = tui_model_machine(m);
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
}

/* Restores checkpoint i and replays the edits made after it up to (instret, traps). */
static void restore_checkpoint(tui_model *m, size_t i, uint64_t instret, uint64_t traps)
{
    m->ops->restore(m->target, m->ck[i].snap);
    /* A target may rebuild its machine on restore: fetch it only now. */
    machine *mach = tui_model_machine(m);
    (void)mach;
    install_breakpoints(m, false, false, 0);
    machine_set_stop_on_trap(tui_model_machine(m), false);
    for (size_t k = 0; k < m->nedits; k++) {
        const tui_edit *e = &m->edits[k];
        if (e->instret < m->ck[i].instret || tui_pos_after(e->instret, e->traps, instret, traps))
            continue;
        replay_to(m, e->instret, e->traps);
        tui_edit_apply(m, e);
    }
}

static size_t checkpoint_before(const tui_model *m, uint64_t instret)
{
    size_t i = m->nck - 1;
    while (i > 0 && m->ck[i].instret > instret)
        i--;
    return i;
}

/* What the panes showed after a forward action, by position, so that going
 * back to it shows the same screen (the selected trap, the highlighted
 * registers, the VM shown). */
void tui_view_state_push(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    tui_view_state v = {
        machine_instret(mach), machine_get_stats(mach)->traps_total, m->log_dropped,
        m->sel, m->prev_cpu, m->prev_vcpu, m->sel_vm,
    };
    if (m->nvstate && m->vstate[(m->vstate_head + m->nvstate - 1) % TUI_VIEW_STATES].instret == v.instret &&
        m->vstate[(m->vstate_head + m->nvstate - 1) % TUI_VIEW_STATES].traps == v.traps) {
        m->vstate[(m->vstate_head + m->nvstate - 1) % TUI_VIEW_STATES] = v;
        return;
    }
    if (m->nvstate == TUI_VIEW_STATES) {
        m->vstate_head = (m->vstate_head + 1) % TUI_VIEW_STATES;
        m->nvstate--;
    }
    m->vstate[(m->vstate_head + m->nvstate++) % TUI_VIEW_STATES] = v;
}

static void view_state_restore(tui_model *m, uint64_t ni, uint64_t nt)
{
    /* Forget what comes after; take what was shown here, if anything. */
    while (m->nvstate) {
        const tui_view_state *v = &m->vstate[(m->vstate_head + m->nvstate - 1) % TUI_VIEW_STATES];
        if (!tui_pos_after(v->instret, v->traps, ni, nt))
            break;
        m->nvstate--;
    }
    if (!m->nvstate)
        return;
    const tui_view_state *v = &m->vstate[(m->vstate_head + m->nvstate - 1) % TUI_VIEW_STATES];
    if (v->instret != ni || v->traps != nt || v->log_dropped != m->log_dropped || v->sel >= m->nlog)
        return;
    m->sel = v->sel;
    m->prev_cpu = v->prev_cpu;
    m->prev_vcpu = v->prev_vcpu;
    m->sel_vm = v->sel_vm;
}

/* Restores the state at (instret, traps); traps == UINT64_MAX means the limit
 * position at instret.  Events and edits after it leave the log. */
void tui_seek(tui_model *m, uint64_t instret, uint64_t traps)
{
    tui_edits_forget_after(m, instret, traps);
    m->replaying = true;
    restore_checkpoint(m, checkpoint_before(m, instret), instret, traps);
    replay_to(m, instret, traps);
    m->replaying = false;
    machine *mach = tui_model_machine(m);
    uint64_t ni = machine_instret(mach), nt = machine_get_stats(mach)->traps_total;
    while (m->nlog && tui_pos_after(m->log[m->nlog - 1].instret, m->log[m->nlog - 1].traps, ni, nt))
        m->nlog--;
    m->sel = m->nlog ? m->nlog - 1 : 0;
    /* Select the newest trap or exit, not the steps of its handling (as a forward run does). */
    for (size_t i = m->nlog; i-- > 0;)
        if (m->log[i].kind != TUI_EV_STEP && m->log[i].kind != TUI_EV_VM_STOP) {
            m->sel = i;
            break;
        }
    view_state_restore(m, ni, nt);
    m->last_stop = STOP_NONE;
    m->running = false;
    m->cursor_follow = true;
    m->cursor = machine_cpu(mach)->pc;
    if (m->mem_follow)
        m->mem_addr = m->cursor & ~0xfu;
}

/* ---- reverse continue ----------------------------------------------------------- */

/* Replays from checkpoint i to instret end with every stop condition live,
 * and keeps the last hit strictly before (ci, ct). */
static bool scan_segment(tui_model *m, size_t i, uint64_t end, uint64_t ci, uint64_t ct,
                         uint64_t *hi, uint64_t *ht, unsigned *hid)
{
    bool found = false;
    m->replaying = true;
    restore_checkpoint(m, i, ci, ct);
    machine *mach = tui_model_machine(m);
    /* The edits were applied up to (ci, ct); replaying them again as the
     * scan passes them is not needed: restore_checkpoint applied them in
     * order, so scan from there only when none lies inside this segment. */
    install_breakpoints(m, true, false, 0);
    m->catching = true;
    bool watch = tui_has_watchpoints(m);
    while (machine_instret(mach) < end) {
        m->hit_bp = 0;
        uint64_t i0 = machine_instret(mach), t0 = machine_get_stats(mach)->traps_total;
        machine_stop s = watch ? run_watched(m, end - i0) : m->ops->run(m->target, end - i0);
        unsigned id = 0;
        if (s == STOP_BREAKPOINT) {
            tui_bp *b = code_hit(m, false, 0);
            id = b ? b->id : 0;
        } else if (s == STOP_REQUESTED) {
            id = m->hit_bp;
        } else if (s != STOP_LIMIT) {
            break;
        }
        uint64_t ni = machine_instret(mach), nt = machine_get_stats(mach)->traps_total;
        if (id && tui_pos_after(ci, ct, ni, nt)) {
            found = true;
            *hi = ni;
            *ht = nt;
            *hid = id;
        }
        if (s == STOP_LIMIT || (s != STOP_BREAKPOINT && ni == i0 && nt == t0))
            break;
    }
    install_breakpoints(m, false, false, 0);
    m->catching = false;
    m->hit_bp = 0;
    m->replaying = false;
    return found;
}

tui_reaction tui_action_reverse_continue(tui_model *m)
{
    bool es = m->lang == TUI_LANG_ES;
    machine *mach = tui_model_machine(m);
    uint64_t ci = machine_instret(mach), ct = machine_get_stats(mach)->traps_total;
    if (m->nbps == 0) {
        tui_set_status(m, es ? "No hay puntos de interrupción, vigilancias ni capturas (:break, :watch)." :
                       "No breakpoints, watchpoints or catchpoints to go back to (:break, :watch).");
        return TUI_REDRAW;
    }
    if (ci == 0 && ct == 0) {
        tui_set_status(m, es ? "Ya está al principio." : "Already at the beginning.");
        return TUI_REDRAW;
    }
    /* An edit inside a segment changes what the scan must see: scan only
     * from the last edit on (earlier positions are reached through it). */
    uint64_t floor = m->nedits ? m->edits[m->nedits - 1].instret : 0;
    tui_before_action(m);
    uint64_t hi = 0, ht = 0;
    unsigned hid = 0;
    bool found = false;
    size_t last = checkpoint_before(m, ci);
    for (size_t i = last + 1; i-- > 0 && !found;) {
        uint64_t end = i == last ? ci : m->ck[i + 1].instret;
        if (i < last && m->ck[i + 1].instret <= floor)
            break;
        found = scan_segment(m, i, end, ci, ct, &hi, &ht, &hid);
    }
    if (!found) {
        tui_seek(m, ci, ct);
        tui_set_status(m, es ? "Ninguna parada antes de este punto." :
                       "Nothing stops a run before this point.");
        return TUI_REDRAW;
    }
    tui_seek(m, hi, ht);
    tui_bp *b = bp_by_id(m, hid);
    char sym[64];
    tui_model_symbolize(m, tui_model_pc(m), sym, sizeof sym);
    tui_set_status(m, es ? "Atrás hasta la parada %u: pc 0x%08x %s, %llu instrucciones" :
                   "Back to stop %u: pc 0x%08x %s, %llu instructions", b ? b->id : hid,
                   tui_model_pc(m), sym, (unsigned long long)machine_instret(tui_model_machine(m)));
    return TUI_REDRAW;
}

tui_reaction tui_action_back_step(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    uint64_t n = machine_instret(mach);
    bool es = m->lang == TUI_LANG_ES;
    if (n == 0 && machine_get_stats(mach)->traps_total == 0) {
        tui_set_status(m, es ? "Ya está al principio." : "Already at the beginning.");
        return TUI_REDRAW;
    }
    tui_before_action(m);
    tui_seek(m, n ? n - 1 : 0, UINT64_MAX);
    mach = tui_model_machine(m);
    tui_set_status(m, es ? "Atrás: pc 0x%08x, %llu instrucciones" : "Back: pc 0x%08x, %llu instructions",
               machine_cpu(mach)->pc, (unsigned long long)machine_instret(mach));
    return TUI_REDRAW;
}

tui_reaction tui_action_back_to_previous_trap(tui_model *m)
{
    machine *mach = tui_model_machine(m);
    uint64_t ni = machine_instret(mach), nt = machine_get_stats(mach)->traps_total;
    bool es = m->lang == TUI_LANG_ES;
    size_t i = m->nlog;
    while (i > 0 && !tui_pos_after(ni, nt, m->log[i - 1].instret, m->log[i - 1].traps))
        i--;
    if (i == 0) {
        tui_set_status(m, es ? "No hay una trampa anterior." : "No earlier trap.");
        return TUI_REDRAW;
    }
    const tui_event e = m->log[i - 1];
    tui_before_action(m);
    tui_seek(m, e.instret, e.traps);
    tui_set_status(m, es ? "Atrás hasta la trampa %s en 0x%08x" : "Back to trap %s at 0x%08x",
               isa_cause_name(CAUSE_CODE(e.cause)), e.pc);
    return TUI_REDRAW;
}

