/*
 * cpu.c -- the processor: the block engine (cpu_run), the events looked at
 * between instructions (cpu_events), and the system (PRIV and LEGACY)
 * instructions, which run in plain C, one sys_NAME function each, through a
 * table built from isa.def.  cpu_run's handler table is built from isa.def
 * too, so an instruction without a handler does not compile.  The code it
 * runs is predecoded once per page (code.c); docs/machine.md, "The engine",
 * says why traps, cycles and statistics stay exactly those of stepping.
 * Breakpoints and the instruction hook pin the event threshold at 0, so the
 * engine then runs one instruction at a time through the same handlers.
 */
#include <string.h>

#include "machine/internal.h"

static inline uint32_t ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

void cpu_sync_mmu(machine *m)
{
    uint32_t pg = m->s.cpu.cr[CR_STATUS] & STATUS_PG;
    if (pg != m->seen_pg || m->s.cpu.cr[CR_PTB] != m->seen_ptb) {
        m->seen_pg = pg;
        m->seen_ptb = m->s.cpu.cr[CR_PTB];
        mmu_flush(m);
    }
}

void cpu_write_cr(machine *m, unsigned cr, uint32_t v)
{
    switch (cr) {
    case CR_STATUS:  m->s.cpu.cr[CR_STATUS] = v & STATUS_WRITABLE; break;
    case CR_PTB:
        /* Every write flushes, even of the same value: kernels rely on it
         * after editing a page table, as with x86 CR3. */
        m->s.cpu.cr[CR_PTB] = v;
        m->seen_ptb = v;
        mmu_flush(m);
        break;
    case CR_TIMECMP: dev_timer_set_period(m, v); break;
    case CR_CYCLE:   break;
    default:
        if (cr < ISA_NUM_CRS)
            m->s.cpu.cr[cr] = v;
        break;
    }
    cpu_sync_mmu(m);
    m->event_cycle = 0;
}

static void sys_trap(machine *m, unsigned cause, unsigned acc, uint32_t addr, uint32_t w)
{
    machine_trap t = { .cause = CAUSE_MAKE(cause, acc), .pc = m->s.cpu.pc,
                       .epc = m->s.cpu.pc, .addr = addr, .insn = w };
    cpu_take_trap(m, &t);
}

/* A word access by pushf/popf, through the MMU like any load or store. */
static bool sys_word(machine *m, uint32_t va, isa_access acc, uint32_t *v, uint32_t w)
{
    if (va & 3) {
        sys_trap(m, CAUSE_MISALIGNED, acc, va, w);
        return false;
    }
    uint8_t *p;
    uint32_t fa;
    unsigned c = mmu_access(m, va, acc, &m->s.stats.cycles, &p, &fa);
    if (c != CAUSE_NONE) {
        sys_trap(m, c, acc, fa, w);
        return false;
    }
    if (acc == ACCESS_WRITE) {
        st32(p, *v);
        if (code_page_hot(m, (uint32_t)(p - m->mem)))
            code_written(m, (uint32_t)(p - m->mem), 4);
    } else
        *v = ld32(p);
    return true;
}

/* A load or store that missed the host's TLB (or is misaligned): the
 * machine's TLB and walk, as ever; then, when the host TLB may hold it
 * (internal.h says when), a copy of the translation there. */
static unsigned data_slow(machine *m, uint32_t va, isa_access acc, uint32_t align,
                          uint64_t *cycles, uint8_t **host, uint32_t *fa)
{
    if (va & (align - 1)) {
        *fa = va;
        return CAUSE_MISALIGNED;
    }
    unsigned c = mmu_access(m, va, acc, cycles, host, fa);
    if (c != CAUSE_NONE)
        return c;
    uint32_t pa = (uint32_t)(*host - m->mem), i = (va >> PAGE_SHIFT) & (TLB_SIZE - 1);
    uint32_t mode = !(m->s.cpu.cr[CR_STATUS] & STATUS_PG) && !m->s.hv.guest
                  ? HTLB_FLAT : m->s.tlb.tag[acc][i] & 0xfffu;
    m->htlb.tag[acc][i] = m->htlb.gen | (uint64_t)mode << 32 | (va & ~0xfffu) |
                          (acc == ACCESS_WRITE && code_page_hot(m, pa) ? HTLB_CODE : 0);
    m->htlb.add[acc][i] = (uintptr_t)(m->mem + (pa & ~0xfffu)) - (va & ~0xfffu);
    return c;
}

static void set_reg(machine *m, unsigned rd, uint32_t v)
{
    if (rd)
        m->s.cpu.r[rd] = v;
}

static void sys_wfi(machine *m)
{
    dev_timer_update(m);
    if (m->s.timer_pending || dev_console_irq(m))
        return;
    if (m->s.cpu.cr[CR_TIMECMP] == 0) {
        if (m->s.console_ctrl & 1u)
            cpu_fatal(m, "wfi at pc 0x%08x: waiting for console input, but none is queued "
                      "and the timer is stopped", m->s.cpu.pc);
        else
            cpu_fatal(m, "wfi at pc 0x%08x: the timer is stopped and no device interrupt is "
                      "enabled, so nothing can wake the machine", m->s.cpu.pc);
        return;
    }
    uint64_t idle = m->s.next_tick - m->s.stats.cycles;
    m->s.stats.cycles = m->s.next_tick;
    m->s.stats.idle_cycles += idle;
    dev_timer_update(m);
}

/*
 * The system instructions, one function each, named after isa.def: the
 * table below is built from the PRIV and LEGACY lines of the table, so an
 * instruction added there without its sys_NAME here does not compile.
 * Each returns true when execution goes on at pc + 4, false when it set the
 * pc itself or trapped.
 */
static bool sys_MFCR(machine *m, uint32_t w)
{
    cpu_state *c = &m->s.cpu;
    unsigned cr = ISA_RS1(w);
    if (cr >= ISA_NUM_CRS) {
        sys_trap(m, CAUSE_ILLEGAL_INSN, ACCESS_READ, w, w);
        return false;
    }
    set_reg(m, ISA_RD(w), cr == CR_CYCLE ? (uint32_t)m->s.stats.cycles : c->cr[cr]);
    return true;
}

static bool sys_MTCR(machine *m, uint32_t w)
{
    unsigned cr = ISA_RD(w);
    if (cr >= ISA_NUM_CRS) {
        sys_trap(m, CAUSE_ILLEGAL_INSN, ACCESS_READ, w, w);
        return false;
    }
    cpu_write_cr(m, cr, m->s.cpu.r[ISA_RS1(w)]);
    return true;
}

static bool sys_IRET(machine *m, uint32_t w)
{
    (void)w;
    cpu_state *c = &m->s.cpu;
    c->cr[CR_STATUS] = c->cr[CR_ESTATUS] & STATUS_WRITABLE;
    cpu_sync_mmu(m);
    c->pc = c->cr[CR_EPC];
    m->s.stats.cycles += m->cfg.costs.trap_return;
    return false;
}

static bool sys_HALT(machine *m, uint32_t w) { (void)w; m->stop_req = STOP_HALT; return true; }

static bool sys_WFI(machine *m, uint32_t w)
{
    (void)w;
    sys_wfi(m);
    return !m->s.fatal;
}

static bool sys_EI(machine *m, uint32_t w) { (void)w; m->s.cpu.cr[CR_STATUS] |= STATUS_IE; return true; }
static bool sys_DI(machine *m, uint32_t w) { (void)w; m->s.cpu.cr[CR_STATUS] &= ~STATUS_IE; return true; }
static bool sys_TLBFLUSH(machine *m, uint32_t w) { (void)w; mmu_flush(m); return true; }

static bool sys_IN(machine *m, uint32_t w)
{
    set_reg(m, ISA_RD(w), dev_port_in(m, ISA_UIMM18(w)));
    return true;
}

static bool sys_OUT(machine *m, uint32_t w)
{
    dev_port_out(m, ISA_UIMM18(w), m->s.cpu.r[ISA_RS1(w)]);
    return true;
}

static bool sys_PUSHF(machine *m, uint32_t w)
{
    cpu_state *c = &m->s.cpu;
    uint32_t v = c->cr[CR_STATUS];
    if (!sys_word(m, c->r[REG_SP] - 4, ACCESS_WRITE, &v, w))
        return false;
    c->r[REG_SP] -= 4;
    return true;
}

static bool sys_POPF(machine *m, uint32_t w)
{
    cpu_state *c = &m->s.cpu;
    unsigned ring = c->cr[CR_STATUS] & STATUS_RING_MASK;
    uint32_t v;
    if (!sys_word(m, c->r[REG_SP], ACCESS_READ, &v, w))
        return false;
    c->r[REG_SP] += 4;
    if (ring == 0)
        c->cr[CR_STATUS] = v & STATUS_WRITABLE;
    else   /* legacy profile: like x86 POPF, IE and the ring silently stay */
        c->cr[CR_STATUS] = (c->cr[CR_STATUS] & ~STATUS_UF_MASK) | (v & STATUS_UF_MASK);
    cpu_sync_mmu(m);
    return true;
}

static bool sys_SMSW(machine *m, uint32_t w) { set_reg(m, ISA_RD(w), m->s.cpu.cr[CR_STATUS]); return true; }
static bool sys_SIDT(machine *m, uint32_t w) { set_reg(m, ISA_RD(w), m->s.cpu.cr[CR_TVB]); return true; }

/* vmenter: the virtualization extension (hvext.c). */
static bool sys_VMENTER(machine *m, uint32_t w) { hv_vmenter_insn(m, w); return false; }

#define SYS_ENTRY_USER(NAME)
#define SYS_ENTRY_PRIV(NAME)   [OP_##NAME] = sys_##NAME,
#define SYS_ENTRY_LEGACY(NAME) [OP_##NAME] = sys_##NAME,
static bool (*const sys_table[ISA_NUM_OPCODES])(machine *m, uint32_t w) = {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) SYS_ENTRY_##priv(NAME)
#include "isa/isa.def"
#undef INSN
};

void cpu_exec_system(machine *m, uint32_t w)
{
    m->event_cycle = 0;
    if (m->s.hv.guest && hv_intercept_insn(m, w))
        return;                  /* a VM exit (hvext.c) */
    bool (*fn)(machine *, uint32_t) = sys_table[ISA_OP(w)];
    if (!fn) {
        sys_trap(m, CAUSE_ILLEGAL_INSN, ACCESS_READ, w, w);
        return;
    }
    if (fn(m, w))
        m->s.cpu.pc += 4;
}

static bool has_bp(const machine *m, uint32_t pc)
{
    for (size_t i = 0; i < m->nbps; i++)
        if (m->bps[i] == pc)
            return true;
    return false;
}

static machine_stop take_stop_req(machine *m)
{
    if (m->s.fatal)
        return STOP_FATAL;
    machine_stop s = m->stop_req;
    m->stop_req = STOP_NONE;
    return s;
}

machine_stop cpu_events(machine *m)
{
    machine_stop s = take_stop_req(m);
    if (s != STOP_NONE)
        return s;
    if (m->s.stats.instret >= m->run_limit)
        return STOP_LIMIT;
    dev_timer_update(m);
    if (m->s.hv.guest) {
        if (hv_events(m) && (s = take_stop_req(m)) != STOP_NONE)
            return s;
    } else if (m->s.cpu.cr[CR_STATUS] & STATUS_IE) {
        unsigned cause = m->s.timer_pending ? CAUSE_TIMER
                       : dev_console_irq(m) ? CAUSE_DEVICE : CAUSE_NONE;
        if (cause != CAUSE_NONE) {
            machine_trap t = { .cause = cause, .pc = m->s.cpu.pc, .epc = m->s.cpu.pc,
                               .addr = cause == CAUSE_DEVICE ? IRQ_LINE_CONSOLE : 0 };
            cpu_take_trap(m, &t);
            if ((s = take_stop_req(m)) != STOP_NONE)
                return s;
        }
    }
    if (m->nbps && has_bp(m, m->s.cpu.pc)) {
        if (m->bp_resume && m->bp_resume_pc == m->s.cpu.pc) {
            m->bp_resume = false;
        } else {
            m->bp_resume = true;
            m->bp_resume_pc = m->s.cpu.pc;
            return STOP_BREAKPOINT;
        }
    } else {
        m->bp_resume = false;
    }
    if (m->insn_hook) {
        m->insn_hook(m, m->s.cpu.pc, m->insn_ud);
        if ((s = take_stop_req(m)) != STOP_NONE)
            return s;
    }
    cpu_sync_mmu(m);
    if (m->insn_hook || m->nbps) {
        m->event_cycle = m->event_tick = 0;
    } else {
        uint64_t ev = UINT64_MAX;
        if (m->s.cpu.cr[CR_TIMECMP])
            ev = m->s.next_tick;
        m->event_tick = ev;
        if (m->run_limit != UINT64_MAX) {
            /* Every instruction costs at least one cycle, so the limit
             * cannot pass before this many cycles have. */
            uint64_t left = m->run_limit - m->s.stats.instret;
            uint64_t at = m->s.stats.cycles + left;
            if (at < m->s.stats.cycles)
                at = UINT64_MAX;
            if (at < ev)
                ev = at;
        }
        m->event_cycle = ev;
    }
    return STOP_NONE;
}

/*
 * The block engine.  pc enters a block at `enter`: the slot for pc in the
 * current code page says how many instructions and table cycles remain to
 * the end of its run, and a bound that also counts a TLB miss for each data
 * access.  When cycles + bound <= ev, no event (timer tick, instruction
 * limit, anything that zeroed event_cycle) can come due at any instruction
 * boundary inside the block, so the whole block is charged at once and its
 * handlers jump straight from one slot to the next.  Otherwise the
 * instruction runs alone ("single"), exactly as one step, and the next
 * boundary checks again.  A trap in the middle of a block gives back what
 * was charged for the instructions after it, so cycles and instret are
 * those of the trapping instruction, as if it had been stepped.
 */
machine_stop cpu_run(machine *m)
{
    static const void *const labels[KIND_COUNT] = {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) [OP_##NAME] = &&do_##NAME,
#include "isa/isa.def"
#undef INSN
        [KIND_NOP] = &&do_NOP, [KIND_END] = &&do_END, [KIND_DECODE] = &&do_DECODE,
        [KIND_SYS] = &&do_SYS, [KIND_ILLEGAL] = &&do_ILLEGAL,
        [KIND_J_NEAR] = &&do_J_NEAR, [KIND_JAL_NEAR] = &&do_JAL_NEAR,
        [KIND_HOT] = &&do_HOT, [KIND_JIT] = &&do_JIT,
    };
    if (m->engine_init) {
        m->code.handlers = labels;
        return STOP_NONE;
    }

    /* The registers stay in the machine: hooks and system instructions
     * read and write them there, and a copy would cost every trap. */
#define R (m->s.cpu.r)   /* m + a constant: one addressing mode, no register of its own */
    uint8_t *const mem = m->mem;
    const host_tlb *const htlb = &m->htlb;
    uint32_t pc = 0;
    uint32_t rtag = 0;                     /* TLB tag bits of the ring; 0: paging is off */
    uint64_t hmode = 0;                    /* the host TLB's generation and mode for rtag */
    uint64_t cycles = 0, instret = 0, ev = 0, hits = 0;
    code_page *cpg = NULL;                 /* the decoded page pc is in */
    const cpu_slot *ip = NULL, *ipbase = NULL;
    uint32_t cpage_va = 1;                 /* what enter compares pc's page with (1: no page) */
    uint32_t pcbase = 0;                   /* the pc of ipbase[0] */
    cpu_slot one[2];                       /* an instruction run alone, and an END */
    cpu_slot part[CPU_PART_MAX + 1];       /* the part of a run up to the limit, and an END */
    uint32_t wpa = 0, wn = 0;              /* a store that hit a decoded page */
    machine_stop stop;

#define SYNC_OUT() do { \
        m->s.cpu.pc = pc; m->s.stats.cycles = cycles; m->s.stats.instret = instret; \
        if (rtag) m->s.stats.tlb_hits += hits; /* (flat: not a TLB) */ \
        hits = 0; \
    } while (0)
#define SYNC_IN() do { \
        R[0] = 0; \
        pc = m->s.cpu.pc; cycles = m->s.stats.cycles; instret = m->s.stats.instret; \
        ev = m->event_cycle; \
        uint32_t st_ = m->s.cpu.cr[CR_STATUS]; \
        if ((st_ & (STATUS_RING_MASK | STATUS_PG)) != m->s.code_key || (pc & 3)) \
            m->s.code_va = 1; \
        rtag = ((st_ & STATUS_PG) | m->s.hv.pg) ? ((st_ & STATUS_RING_MASK) << 1) | 1u : 0; \
        hmode = m->htlb.gen | (uint64_t)(rtag ? rtag : HTLB_FLAT) << 32; \
        cpage_va = pcbase = m->s.code_va; \
        if (cpage_va != 1) { \
            if (!cpg || cpg->frame != m->s.code_frame) cpg = code_page_of(m, m->s.code_frame); \
            ipbase = cpg->slot; \
        } \
    } while (0)
    /* The pc of a slot; valid for the current page and for one[]. */
#define PC_OF(p) (pcbase + ((uint32_t)((p) - ipbase) << 2))
    /* Give back what was charged for the rest of the block after ip. */
#define UNCHARGE(p) (cycles -= (p)->cost - m->cost[(p)->op], instret -= (uint64_t)(p)->len - 1u)
#define TRAP_HERE(cause_, acc_, addr_, epc_add) do { \
        UNCHARGE(ip); \
        pc = PC_OF(ip); \
        machine_trap t_ = { .cause = CAUSE_MAKE(cause_, acc_), .pc = pc, .epc = pc + (epc_add), \
                            .addr = (addr_), .insn = ld32(mem + m->s.code_frame + (pc & 0xfffu)) }; \
        SYNC_OUT(); cpu_take_trap(m, &t_); goto after_callout; \
    } while (0)
    /* Each handler ends in its own indirect jump (threaded code); the build
     * compiles this file with -fno-gcse so that they stay separate. */
#define NEXT() do { ip++; goto *ip->h; } while (0)
#define JUMP(t) do { pc = (t); goto enter; } while (0)
#define RD  R[ip->rd]
    /* A result that may go to r0 (loads, divisions, jalr: they run anyway). */
#define SETZ(v) do { R[ip->rd] = (v); R[0] = 0; } while (0)
#define A   R[ip->rs1]
#define B   R[ip->rs2]
#define IMM ip->imm
    /* A data access: a hit in the host's TLB (internal.h) is one compare,
     * which also fails for a misaligned address, and one add; anything
     * else goes through data_slow, exactly as before. */
#define HTLB_HIT(va, acc, align, i_) \
        (i_ = ((va) >> PAGE_SHIFT) & (TLB_SIZE - 1), \
         __builtin_expect(htlb->tag[acc][i_] == (hmode | ((va) & (~0xfffu | ((align) - 1u)))), 1))
#define DATA_SLOW(p, va, acc, align) do { \
        /* Through copies: a local whose address escapes would live \
         * on the stack in every handler. */ \
        uint32_t fa_; uint64_t cy_ = cycles; uint8_t *h_; \
        unsigned c_ = data_slow(m, va, acc, align, &cy_, &h_, &fa_); \
        cycles = cy_; \
        if (c_ != CAUSE_NONE) TRAP_HERE(c_, acc, fa_, 0); \
        p = h_; \
    } while (0)
#define LOAD(va, align, get) do { \
        uint32_t i_; uint8_t *p; \
        if (HTLB_HIT(va, ACCESS_READ, align, i_)) { \
            hits++; \
            p = (uint8_t *)(htlb->add[ACCESS_READ][i_] + (va)); \
        } else \
            DATA_SLOW(p, va, ACCESS_READ, align); \
        SETZ(get); \
        NEXT(); \
    } while (0)
    /* A store into a frame with decoded code (a write entry marked
     * HTLB_CODE, or a miss) must make the page forget what it overwrote. */
#define STORE(va, align, put) do { \
        uint32_t i_; uint8_t *p; \
        if (HTLB_HIT(va, ACCESS_WRITE, align, i_)) { \
            hits++; \
            p = (uint8_t *)(htlb->add[ACCESS_WRITE][i_] + (va)); \
            put; \
            NEXT(); \
        } \
        if (htlb->tag[ACCESS_WRITE][i_] == (hmode | ((va) & (~0xfffu | ((align) - 1u))) | HTLB_CODE)) { \
            hits++; \
            p = (uint8_t *)(htlb->add[ACCESS_WRITE][i_] + (va)); \
            put; \
        } else { \
            DATA_SLOW(p, va, ACCESS_WRITE, align); \
            put; \
        } \
        wpa = (uint32_t)(p - mem); \
        if (__builtin_expect(code_word_live(m, wpa), 0)) { wn = (align); goto code_store; } \
        NEXT(); \
    } while (0)
    /* Straight on to the block at slot p of this page (a direct jump or
     * branch, or the fall-through of one not taken). */
#define CHAIN(p) do { \
        ip = (p); \
        if (__builtin_expect(cycles + ip->bound > ev, 0)) { pc = PC_OF(ip); goto cross; } \
        cycles += ip->cost; instret += ip->len; \
        goto *ip->h; \
    } while (0)
#define TAKEN() do { \
        if (ip->target != CPU_NO_TARGET) CHAIN(ipbase + ip->target); \
        JUMP(PC_OF(ip) + IMM); \
    } while (0)
#define BRANCH(cond) do { if (cond) TAKEN(); CHAIN(ip + 1); } while (0)

    SYNC_IN();
    goto enter;

enter:
    /* A block boundary: pc is the next instruction. */
    if (__builtin_expect((pc & ~0xfffu) != cpage_va, 0))
        goto cross;
    ip = ipbase + ((pc & 0xfffu) >> 2);
    if (__builtin_expect(cycles + ip->bound > ev, 0))
        goto cross;
    cycles += ip->cost;
    instret += ip->len;
    goto *ip->h;

cross:
    /* Something to look at: an event, a page change, a block to decode, a
     * block too long for the next event, or the end of a single step. */
    if (cycles >= ev)
        goto events;
fresh:
    /* From here one instruction runs before events are looked at again. */
    cpage_va = pcbase = m->s.code_va;
    if (cpage_va != 1)
        ipbase = cpg->slot;
    if ((pc & ~0xfffu) != cpage_va)
        goto refill;
    ip = ipbase + ((pc & 0xfffu) >> 2);
    if (!ip->len)
        code_decode(m, cpg, (unsigned)(ip - ipbase));
    if (cycles + ip->bound <= ev) {
        cycles += ip->cost;
        instret += ip->len;
        goto *ip->h;
    }
    if (ev && m->run_limit - instret >= ip->len && cycles + ip->bound <= m->event_tick) {
        /* Only the limit's share of ev was in the way (it counts a cycle per
         * instruction left), but the run ends before the limit. */
        cycles += ip->cost;
        instret += ip->len;
        goto *ip->h;
    }
    if (ev && m->run_limit - instret > 1 && m->run_limit - instret < ip->len &&
        m->run_limit - instret <= CPU_PART_MAX) {
        /* The instruction limit ends the run early (a translator's short
         * runs, stepping N): when nothing else can come due before, the
         * instructions up to the limit run as one block of their own -- a
         * copy of their slots, charged for themselves, then an END -- where
         * each would otherwise run alone.  Within a run, cost, len and
         * bound are sums to its end, so a part's are differences. */
        unsigned k = (unsigned)(m->run_limit - instret);
        const cpu_slot *rest = ip + k;
        if (cycles + ip->bound - rest->bound <= m->event_tick) {
            for (unsigned i = 0; i < k; i++) {
                part[i] = ip[i];
                part[i].cost -= rest->cost;
                part[i].len = (uint16_t)(k - i);
                part[i].bound -= rest->bound;
            }
            part[k] = cpg->slot[CODE_SLOTS];
            ipbase = ip = part;
            pcbase = pc;
            cpage_va = 1;           /* the next enter goes through cross */
            cycles += part[0].cost;
            instret += k;
            goto *ip->h;
        }
    }
    /* Run this instruction alone: a copy charged for itself, then an END. */
    one[0] = *ip;
    one[0].cost = m->cost[ip->op];
    one[0].len = 1;
    if (m->code.cls[ip->op] & CLS_TERM) {   /* a jump from the copy goes through enter */
        one[0].target = CPU_NO_TARGET;
        if (ip->op == OP_J || ip->op == OP_JAL)
            one[0].h = m->code.handlers[ip->op];
    }
    one[1] = cpg->slot[CODE_SLOTS];
    ipbase = ip = one;
    pcbase = pc;
    cpage_va = 1;               /* the next enter goes through cross */
    cycles += one[0].cost;
    instret++;
    goto *ip->h;

events:
    SYNC_OUT();
    stop = cpu_events(m);
    goto after_events;
after_callout:
    /* A trap and a system instruction always zero event_cycle, so the next
     * boundary would come straight to cpu_events: go there with the state
     * still out, checking first (as SYNC_IN would) whether the ring or PG
     * changed under the fetch page. */
    if ((m->s.cpu.cr[CR_STATUS] & (STATUS_RING_MASK | STATUS_PG)) != m->s.code_key || (m->s.cpu.pc & 3))
        m->s.code_va = 1;
    stop = cpu_events(m);
after_events:
    if (stop != STOP_NONE)
        return stop;
    SYNC_IN();
    goto fresh;

refill:
    /* A new code page: translate the fetch, as every page change always
     * has (a fault counts as an executed instruction, so that the limit
     * bounds even a hook that keeps handling one). */
    if (pc & 3) {
        instret++;
        machine_trap t = { .cause = CAUSE_MAKE(CAUSE_MISALIGNED, ACCESS_EXEC), .pc = pc, .epc = pc,
                           .addr = pc };
        SYNC_OUT(); cpu_take_trap(m, &t);
        goto after_callout;
    }
    {
        uint8_t *h;
        uint32_t fa;
        uint64_t cy = cycles;
        unsigned c = mmu_access(m, pc, ACCESS_EXEC, &cy, &h, &fa);
        cycles = cy;
        if (c != CAUSE_NONE) {
            instret++;
            machine_trap t = { .cause = CAUSE_MAKE(c, ACCESS_EXEC), .pc = pc, .epc = pc, .addr = fa };
            SYNC_OUT(); cpu_take_trap(m, &t);
            goto after_callout;
        }
        m->s.code_va = pc & ~0xfffu;
        m->s.code_frame = (uint32_t)(h - mem) & ~0xfffu;
        m->s.code_key = m->s.cpu.cr[CR_STATUS] & (STATUS_RING_MASK | STATUS_PG);
        cpg = code_page_of(m, m->s.code_frame);
    }
    goto fresh;

code_store: {
        /* The store may have overwritten this very block: end it here. */
        uint32_t next = PC_OF(ip) + 4;
        uint32_t rest_c = ip->cost - m->cost[ip->op], rest_n = ip->len - 1u;
        if (!code_written(m, wpa, wn))
            NEXT();
        cycles -= rest_c;
        instret -= rest_n;
        JUMP(next);
    }

do_HOT:
    /* The first block to start at a run's first slot: translate the run.
     * A copy (one[], part[]) runs as the interpreter would. */
    if (ipbase != cpg->slot || !jit_compile(m, cpg, (unsigned)(ip - ipbase)))
        goto *code_handler(m, ip);
    /* fall through: the slot is KIND_JIT now */
do_JIT: {
        /* Host code for the rest of the run (charged, as every handler is
         * entered); a copy of the slot charged for less runs interpreted. */
        if (ipbase != cpg->slot)
            goto *code_handler(m, ip);
        jit_ctx jc = { .cycles = cycles, .instret = instret, .ev = ev, .hmode = hmode,
                       .pcbase = pcbase };
        uint32_t k = jit_run(m, cpg, (unsigned)(ip - ipbase), &jc);
        cycles = jc.cycles;
        instret = jc.instret;
        hits += jc.hits;
        if (k == JIT_ENTER)
            JUMP(jc.pc);
        ip = ipbase + k;        /* the rest of the run, interpreted */
        /* Its slot's own handler, unless a block start marked it for the
         * translator (or it is undecoded): those are entered uncharged. */
        const void *h = ip->h;
        if (h == labels[KIND_HOT] || h == labels[KIND_JIT] || h == labels[KIND_DECODE])
            h = code_handler(m, ip);
        goto *h;
    }

do_DECODE:
    /* Entered with nothing charged (an undecoded slot has bound 0). */
    pc = PC_OF(ip);
    code_decode(m, cpg, (unsigned)(ip - ipbase));
    goto enter;
do_END:
    JUMP(PC_OF(ip));
do_NOP:
    NEXT();
do_ILLEGAL: {
        uint32_t w_ = ld32(mem + m->s.code_frame + (PC_OF(ip) & 0xfffu));
        TRAP_HERE(CAUSE_ILLEGAL_INSN, ACCESS_READ, w_, 0);
    }

do_ADD:  RD = A + B; NEXT();
do_SUB:  RD = A - B; NEXT();
do_MUL:  RD = A * B; NEXT();
do_DIV: {
        uint32_t a = A, b = B;
        if (b == 0) TRAP_HERE(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, 0);
        SETZ(a == 0x80000000u && b == 0xffffffffu ? a : (uint32_t)((int32_t)a / (int32_t)b));
        NEXT();
    }
do_DIVU: {
        uint32_t b = B;
        if (b == 0) TRAP_HERE(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, 0);
        SETZ(A / b);
        NEXT();
    }
do_REM: {
        uint32_t a = A, b = B;
        if (b == 0) TRAP_HERE(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, 0);
        SETZ(b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b));
        NEXT();
    }
do_REMU: {
        uint32_t b = B;
        if (b == 0) TRAP_HERE(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, 0);
        SETZ(A % b);
        NEXT();
    }
do_AND:  RD = A & B; NEXT();
do_OR:   RD = A | B; NEXT();
do_XOR:  RD = A ^ B; NEXT();
do_SLL:  RD = A << (B & 31); NEXT();
do_SRL:  RD = A >> (B & 31); NEXT();
do_SRA:  RD = (uint32_t)((int32_t)A >> (B & 31)); NEXT();
do_SLT:  RD = (int32_t)A < (int32_t)B; NEXT();
do_SLTU: RD = A < B; NEXT();
do_ADDI: RD = A + IMM; NEXT();
do_ANDI: RD = A & IMM; NEXT();
do_ORI:  RD = A | IMM; NEXT();
do_XORI: RD = A ^ IMM; NEXT();
do_SLLI: RD = A << IMM; NEXT();
do_SRLI: RD = A >> IMM; NEXT();
do_SRAI: RD = (uint32_t)((int32_t)A >> IMM); NEXT();
do_SLTI: RD = (int32_t)A < (int32_t)IMM; NEXT();
do_SLTIU: RD = A < IMM; NEXT();
do_LUI:  RD = IMM; NEXT();

do_LW:  { uint32_t va = A + IMM; LOAD(va, 4, ld32(p)); }
do_LH:  { uint32_t va = A + IMM; LOAD(va, 2, (uint32_t)(int32_t)(int16_t)(uint16_t)(p[0] | p[1] << 8)); }
do_LHU: { uint32_t va = A + IMM; LOAD(va, 2, (uint32_t)p[0] | (uint32_t)p[1] << 8); }
do_LB:  { uint32_t va = A + IMM; LOAD(va, 1, (uint32_t)(int32_t)(int8_t)p[0]); }
do_LBU: { uint32_t va = A + IMM; LOAD(va, 1, p[0]); }
do_SW:  { uint32_t va = A + IMM, v = B; STORE(va, 4, st32(p, v)); }
do_SH:  { uint32_t va = A + IMM, v = B; STORE(va, 2, (p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8))); }
do_SB:  { uint32_t va = A + IMM, v = B; STORE(va, 1, p[0] = (uint8_t)v); }

do_BEQ:  BRANCH(A == B);
do_BNE:  BRANCH(A != B);
do_BLT:  BRANCH((int32_t)A < (int32_t)B);
do_BGE:  BRANCH((int32_t)A >= (int32_t)B);
do_BLTU: BRANCH(A < B);
do_BGEU: BRANCH(A >= B);
do_J:    TAKEN();
do_JAL:  R[REG_LR] = PC_OF(ip) + 4; TAKEN();
do_J_NEAR:   CHAIN(ipbase + ip->target);
do_JAL_NEAR: R[REG_LR] = PC_OF(ip) + 4; CHAIN(ipbase + ip->target);
do_JALR: { uint32_t t = (A + IMM) & ~3u; SETZ(PC_OF(ip) + 4); JUMP(t); }
do_SYSCALL: TRAP_HERE(CAUSE_SYSCALL, ACCESS_READ, 0, 4);
do_BRK:     TRAP_HERE(CAUSE_BREAKPOINT, ACCESS_READ, 0, 4);
do_HCALL:   TRAP_HERE(CAUSE_HYPERCALL, ACCESS_READ, 0, 4);

    /* System instructions end their block, so the counters are exact here. */
    /* Every PRIV and LEGACY line of isa.def gets its label here; decoding
     * sends them all to do_SYS, which runs them in plain C. */
#define SYS_LABEL_USER(NAME)
#define SYS_LABEL_PRIV(NAME)   do_##NAME:
#define SYS_LABEL_LEGACY(NAME) do_##NAME:
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) SYS_LABEL_##priv(NAME)
#include "isa/isa.def"
#undef INSN
do_SYS: {
        pc = PC_OF(ip);
        uint32_t w = ld32(mem + m->s.code_frame + (pc & 0xfffu));
        if ((m->s.cpu.cr[CR_STATUS] & STATUS_RING_MASK) && m->priv[ip->op])
            TRAP_HERE(CAUSE_ILLEGAL_PRIV, ACCESS_READ, w, 0);
        SYNC_OUT();
        cpu_exec_system(m, w);
        goto after_callout;
    }
#undef R
#undef SYNC_OUT
#undef SYNC_IN
#undef PC_OF
#undef UNCHARGE
#undef TRAP_HERE
#undef NEXT
#undef JUMP
#undef RD
#undef SETZ
#undef A
#undef B
#undef IMM
#undef HTLB_HIT
#undef DATA_SLOW
#undef LOAD
#undef STORE
#undef BRANCH
#undef CHAIN
#undef TAKEN
}
