/*
 * machine.c -- lifecycle, configuration, costs, the state accessors and
 * snapshots.  The interpreter is in cpu.c, translation in mmu.c, trap
 * delivery in trap.c and the devices in devices.c.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/internal.h"

void machine_default_config(machine_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->profile = PROFILE_STRICT;
    cfg->mem_size = 16u << 20;
    cfg->disk_sectors = 1024;
#define X(name, def, doc) cfg->costs.name = def;
    MACHINE_COSTS(X)
#undef X
}

bool machine_set_cost(machine_costs *c, const char *name, uint32_t value)
{
#define X(n, def, doc) if (strcmp(name, #n) == 0) { c->n = value; return true; }
    MACHINE_COSTS(X)
#undef X
    return false;
}

bool machine_get_cost(const machine_costs *c, const char *name, uint32_t *value)
{
#define X(n, def, doc) if (strcmp(name, #n) == 0) { *value = c->n; return true; }
    MACHINE_COSTS(X)
#undef X
    return false;
}

const char *machine_stop_name(machine_stop s)
{
    static const char *const names[] = {
        [STOP_NONE] = "none", [STOP_HALT] = "halt", [STOP_LIMIT] = "limit",
        [STOP_BREAKPOINT] = "breakpoint", [STOP_TRAP] = "trap",
        [STOP_REQUESTED] = "requested", [STOP_FATAL] = "fatal",
    };
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

machine *machine_new(const machine_config *cfg)
{
    machine_config def;
    if (!cfg) {
        machine_default_config(&def);
        cfg = &def;
    }
    if (cfg->mem_size == 0 || cfg->mem_size % PAGE_SIZE || cfg->disk_sectors > (1u << 22) ||
        (cfg->profile != PROFILE_STRICT && cfg->profile != PROFILE_LEGACY))
        return NULL;
    machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cfg = *cfg;
    m->mem = calloc(cfg->mem_size, 1);
    m->disk = calloc((size_t)cfg->disk_sectors * BLOCK_SECTOR_SIZE + 1, 1);
    if (!m->mem || !m->disk) {
        machine_free(m);
        return NULL;
    }
    for (unsigned op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode(op);
        m->cost[op] = in && in->cycles ? in->cycles : 1;   /* >= 1: cpu_events relies on it */
        m->priv[op] = in && isa_is_privileged(in, cfg->profile);
    }
    if (!code_init(m)) {
        machine_free(m);
        return NULL;
    }
    m->engine_init = true;          /* cpu_run hands out its handler table */
    cpu_run(m);
    m->engine_init = false;
    code_classes(m);
    /* TRAPLAB_JIT=0 turns the translator off; it never changes a result. */
    const char *jit = getenv("TRAPLAB_JIT");
    m->jit_on = jit_supported() && !(jit && strcmp(jit, "0") == 0);
    if (!code_page_of(m, 0)) {      /* the decoded-code pool is never empty */
        machine_free(m);
        return NULL;
    }
    machine_reset(m);
    return m;
}

void machine_free(machine *m)
{
    if (!m)
        return;
    free(m->mem);
    free(m->disk);
    free(m->out);
    free(m->in);
    free(m->bps);
    code_free(m);
    free(m);
}

void machine_reset(machine *m)
{
    memset(&m->s, 0, sizeof m->s);
    memset(m->mem, 0, m->cfg.mem_size);
    code_flush(m);
    m->out_len = 0;
    if (m->out)
        m->out[0] = '\0';
    m->in_head = m->in_len = 0;
    m->stop_req = STOP_NONE;
    m->bp_resume = false;
    m->seen_pg = m->seen_ptb = 0;
    m->s.code_va = 1;
    m->event_cycle = 0;
}

const machine_config *machine_get_config(const machine *m) { return &m->cfg; }

/* ---- running ------------------------------------------------------------ */

machine_stop machine_run(machine *m, uint64_t max_insns)
{
    machine_stop s;
    if (m->s.fatal) {
        s = STOP_FATAL;
    } else {
        uint64_t now = m->s.stats.instret;
        m->run_limit = max_insns && now + max_insns >= now ? now + max_insns : UINT64_MAX;
        m->event_cycle = 0;
        s = cpu_run(m);
    }
    m->s.last_stop = s;
    return s;
}

machine_stop machine_step(machine *m) { return machine_run(m, 1); }

void machine_request_stop(machine *m)
{
    m->stop_req = STOP_REQUESTED;
    m->event_cycle = 0;
}

void machine_set_stop_on_trap(machine *m, bool on) { m->stop_on_trap = on; }
machine_stop machine_last_stop(const machine *m) { return m->s.last_stop; }
const char *machine_fatal_reason(const machine *m) { return m->s.fatal ? m->s.fatal_reason : ""; }
const machine_trap *machine_last_trap(const machine *m) { return &m->s.last_trap; }

void machine_set_trap_hook(machine *m, machine_trap_hook fn, void *ud)
{
    m->trap_hook = fn;
    m->trap_ud = ud;
}

void machine_set_insn_hook(machine *m, machine_insn_hook fn, void *ud)
{
    m->insn_hook = fn;
    m->insn_ud = ud;
    m->event_cycle = 0;
}

void machine_set_breakpoint(machine *m, uint32_t pc, bool on)
{
    for (size_t i = 0; i < m->nbps; i++) {
        if (m->bps[i] == pc) {
            if (!on)
                m->bps[i] = m->bps[--m->nbps];
            return;
        }
    }
    if (!on)
        return;
    if (m->nbps == m->bps_cap) {
        size_t cap = m->bps_cap ? m->bps_cap * 2 : 8;
        uint32_t *p = realloc(m->bps, cap * sizeof *p);
        if (!p)
            return;
        m->bps = p;
        m->bps_cap = cap;
    }
    m->bps[m->nbps++] = pc;
    m->event_cycle = 0;
}

bool machine_has_breakpoint(const machine *m, uint32_t pc)
{
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i] == pc)
            return true;
    return false;
}

void machine_clear_breakpoints(machine *m) { m->nbps = 0; }

void machine_add_cycles(machine *m, uint64_t cycles)
{
    m->s.stats.cycles += cycles;
    m->event_cycle = 0;
}

/* ---- state -------------------------------------------------------------- */

cpu_state *machine_cpu(machine *m)
{
    m->event_cycle = 0;
    return &m->s.cpu;
}

unsigned machine_ring(const machine *m) { return m->s.cpu.cr[CR_STATUS] & STATUS_RING_MASK; }

uint32_t machine_get_reg(const machine *m, unsigned r)
{
    return r < ISA_NUM_REGS && r ? m->s.cpu.r[r] : 0;
}

void machine_set_reg(machine *m, unsigned r, uint32_t v)
{
    if (r && r < ISA_NUM_REGS)
        m->s.cpu.r[r] = v;
}

uint32_t machine_get_cr(const machine *m, unsigned cr)
{
    if (cr == CR_CYCLE)
        return (uint32_t)m->s.stats.cycles;
    return cr < ISA_NUM_CRS ? m->s.cpu.cr[cr] : 0;
}

void machine_set_cr(machine *m, unsigned cr, uint32_t v) { cpu_write_cr(m, cr, v); }
const machine_stats *machine_get_stats(const machine *m) { return &m->s.stats; }
uint64_t machine_cycles(const machine *m) { return m->s.stats.cycles; }
uint64_t machine_instret(const machine *m) { return m->s.stats.instret; }
uint32_t machine_mem_size(const machine *m) { return m->cfg.mem_size; }
uint8_t *machine_mem(machine *m)
{
    code_flush(m);
    return m->mem;
}

uint8_t *machine_mem_view(const machine *m) { return m->mem; }

static bool phys_range(const machine *m, uint32_t pa, size_t n)
{
    return pa <= m->cfg.mem_size && n <= m->cfg.mem_size - pa;
}

bool machine_read_phys(const machine *m, uint32_t pa, void *buf, size_t n)
{
    if (!phys_range(m, pa, n))
        return false;
    memcpy(buf, m->mem + pa, n);
    return true;
}

bool machine_write_phys(machine *m, uint32_t pa, const void *buf, size_t n)
{
    if (!phys_range(m, pa, n))
        return false;
    memcpy(m->mem + pa, buf, n);
    code_written(m, pa, (uint32_t)n);
    return true;
}

unsigned machine_translate(const machine *m, uint32_t va, isa_access acc, unsigned ring, uint32_t *pa)
{
    uint32_t fa;
    if ((unsigned)acc > ACCESS_EXEC)
        return CAUSE_ILLEGAL_INSN;
    return mmu_walk(m, va, acc, ring & 3u, pa, &fa);
}

bool machine_read_virt(const machine *m, uint32_t va, void *buf, size_t n)
{
    uint8_t *out = buf;
    for (size_t i = 0; i < n; i++) {
        uint32_t pa;
        if (machine_translate(m, va + (uint32_t)i, ACCESS_READ, 0, &pa) != CAUSE_NONE)
            return false;
        out[i] = m->mem[pa];
    }
    return true;
}

void machine_tlb_flush(machine *m) { mmu_flush(m); }

/* ---- devices ------------------------------------------------------------ */

void machine_set_console_sink(machine *m, machine_console_sink fn, void *ud)
{
    m->sink = fn;
    m->sink_ud = ud;
}

const char *machine_console_output(const machine *m, size_t *len)
{
    if (len)
        *len = m->out_len;
    return m->out ? m->out : "";
}

void machine_console_input(machine *m, const char *data, size_t n)
{
    if (n == 0)
        return;
    if (m->in_head == m->in_len)
        m->in_head = m->in_len = 0;
    if (m->in_len + n > m->in_cap) {
        size_t cap = m->in_cap ? m->in_cap : 64;
        while (cap < m->in_len + n)
            cap *= 2;
        char *p = realloc(m->in, cap);
        if (!p)
            return;
        m->in = p;
        m->in_cap = cap;
    }
    memcpy(m->in + m->in_len, data, n);
    m->in_len += n;
    m->event_cycle = 0;
}

uint8_t *machine_disk(machine *m) { return m->disk; }

uint32_t machine_port_in(machine *m, uint32_t port) { return dev_port_in(m, port); }
void machine_port_out(machine *m, uint32_t port, uint32_t value) { dev_port_out(m, port, value); }

void machine_timer_restart(machine *m, uint32_t period) { machine_timer_restart_after(m, 0, period); }

void machine_timer_restart_after(machine *m, uint64_t cycles, uint32_t period)
{
    /* The acknowledgement's dev_timer_update only moves next_tick, which
     * the new period sets anyway, and sets the pending flag it clears.
     * dev_timer_set_period and cpu_sync_mmu's test are written out: this
     * runs at every exit, and a call for each showed in the profile. */
    m->s.stats.cycles += cycles;
    m->s.timer_pending = false;
    m->s.cpu.cr[CR_TIMECMP] = period;
    m->s.next_tick = m->s.stats.cycles + period;
    m->event_cycle = 0;
    if ((m->s.cpu.cr[CR_STATUS] & STATUS_PG) != m->seen_pg || m->s.cpu.cr[CR_PTB] != m->seen_ptb)
        cpu_sync_mmu(m);
}

/* ---- snapshots ---------------------------------------------------------- */

struct machine_snapshot {
    machine_config cfg;
    machine_state s;
    uint8_t *mem, *disk;
    char *out; size_t out_len;
    char *in;  size_t in_len;      /* the unread part of the input queue */
    machine_stop stop_req;
    bool bp_resume; uint32_t bp_resume_pc;
};

static void *dup_bytes(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (q && n)
        memcpy(q, p, n);
    return q;
}

machine_snapshot *machine_save(const machine *m)
{
    machine_snapshot *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = m->cfg;
    s->s = m->s;
    s->mem = dup_bytes(m->mem, m->cfg.mem_size);
    s->disk = dup_bytes(m->disk, (size_t)m->cfg.disk_sectors * BLOCK_SECTOR_SIZE);
    s->out_len = m->out_len;
    s->out = dup_bytes(m->out ? m->out : "", m->out_len);
    s->in_len = m->in_len - m->in_head;
    s->in = dup_bytes(m->in ? m->in + m->in_head : "", s->in_len);
    s->stop_req = m->stop_req;
    s->bp_resume = m->bp_resume;
    s->bp_resume_pc = m->bp_resume_pc;
    if (!s->mem || !s->disk || !s->out || !s->in) {
        machine_snapshot_free(s);
        return NULL;
    }
    return s;
}

void machine_restore(machine *m, const machine_snapshot *s)
{
    /* A snapshot only fits a machine built with the same sizes. */
    if (!s || s->cfg.mem_size != m->cfg.mem_size || s->cfg.disk_sectors != m->cfg.disk_sectors)
        return;
    m->s = s->s;
    memcpy(m->mem, s->mem, m->cfg.mem_size);
    code_flush(m);
    memcpy(m->disk, s->disk, (size_t)m->cfg.disk_sectors * BLOCK_SECTOR_SIZE);
    m->out_len = 0;
    for (size_t i = 0; i < s->out_len; i++) {   /* rebuild the buffer without echoing to the sink */
        machine_console_sink sink = m->sink;
        m->sink = NULL;
        dev_console_putc(m, s->out[i]);
        m->sink = sink;
    }
    m->in_head = m->in_len = 0;
    machine_console_input(m, s->in, s->in_len);
    m->stop_req = s->stop_req;
    m->bp_resume = s->bp_resume;
    m->bp_resume_pc = s->bp_resume_pc;
    m->seen_pg = m->s.cpu.cr[CR_STATUS] & STATUS_PG;
    m->seen_ptb = m->s.cpu.cr[CR_PTB];
    m->event_cycle = 0;
}

void machine_snapshot_free(machine_snapshot *s)
{
    if (!s)
        return;
    free(s->mem);
    free(s->disk);
    free(s->out);
    free(s->in);
    free(s);
}

bool machine_load_image(machine *m, const image *img, char *err, size_t errlen)
{
    if (img->nsegs == 0) {
        /* Running zeroed memory would only trap ILLEGAL_INSN at address 0. */
        snprintf(err, errlen, "the image is empty: nothing to run");
        return false;
    }
    for (size_t i = 0; i < img->nsegs; i++) {
        const image_segment *s = &img->segs[i];
        if (!machine_write_phys(m, s->addr, s->data, s->size)) {
            snprintf(err, errlen, "segment at 0x%08x (%u bytes) does not fit in the %u bytes of memory",
                     s->addr, s->size, machine_mem_size(m));
            return false;
        }
    }
    machine_cpu(m)->pc = img->entry;
    return true;
}
