/*
 * cpu.c -- the interpreter.  Dispatch is a computed-goto table built from
 * isa.def, so an instruction without a handler does not compile.  The inner
 * loop keeps pc and the counters in locals and compares the cycle counter
 * with one threshold per instruction; everything rare (timer ticks, the
 * instruction limit, stop requests, interrupts, breakpoints, hooks) lives
 * behind that threshold in cpu_events, and the system (PRIV and LEGACY)
 * instructions run in plain C, one sys_NAME function each, through a table
 * and labels that are also built from isa.def.  Breakpoints and the instruction hook simply
 * pin the threshold at 0, so the slow path runs the very same code.
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
    if (acc == ACCESS_WRITE)
        st32(p, *v);
    else
        *v = ld32(p);
    return true;
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
        m->event_cycle = 0;
    } else {
        uint64_t ev = UINT64_MAX;
        if (m->s.cpu.cr[CR_TIMECMP])
            ev = m->s.next_tick;
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

machine_stop cpu_run(machine *m)
{
    const void *tab0[ISA_NUM_OPCODES], *tabu[ISA_NUM_OPCODES];
    for (unsigned i = 0; i < ISA_NUM_OPCODES; i++)
        tab0[i] = &&do_ILLEGAL;
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) tab0[OP_##NAME] = &&do_##NAME;
#include "isa/isa.def"
#undef INSN
    for (unsigned i = 0; i < ISA_NUM_OPCODES; i++)
        tabu[i] = m->priv[i] ? &&do_PRIV : tab0[i];

    uint32_t *const r = m->s.cpu.r;
    uint8_t *const mem = m->mem;
    const uint32_t memsize = m->cfg.mem_size;
    const uint8_t *const cost = m->cost;
    const mmu_tlb *const tlb = &m->s.tlb;
    const void *const *tab = tab0;
    uint32_t pc = 0, w = 0, rtag = 1, pg = 0;
    uint64_t cycles = 0, instret = 0, ev = 0, hits = 0;
    const uint8_t *cpage = mem;
    uint32_t cpage_va = 1;          /* never a page address: forces a refill */
    machine_stop stop;

#define SYNC_OUT() (m->s.cpu.pc = pc, m->s.stats.cycles = cycles, m->s.stats.instret = instret, \
                    m->s.stats.tlb_hits += hits, hits = 0)
#define SYNC_IN() do { \
        pc = m->s.cpu.pc; cycles = m->s.stats.cycles; instret = m->s.stats.instret; \
        ev = m->event_cycle; \
        uint32_t st_ = m->s.cpu.cr[CR_STATUS]; \
        if ((st_ & (STATUS_RING_MASK | STATUS_PG)) != m->s.code_key || (pc & 3)) \
            m->s.code_va = 1; \
        cpage_va = m->s.code_va; cpage = mem + m->s.code_frame; \
        rtag = ((st_ & STATUS_RING_MASK) << 1) | 1u; pg = (st_ & STATUS_PG) | m->s.hv.pg; \
        tab = (st_ & STATUS_RING_MASK) ? tabu : tab0; \
    } while (0)
#define TRAP(cause_, acc_, addr_, epc_) do { \
        machine_trap t_ = { .cause = CAUSE_MAKE(cause_, acc_), .pc = pc, .epc = (epc_), \
                            .addr = (addr_), .insn = w }; \
        SYNC_OUT(); cpu_take_trap(m, &t_); SYNC_IN(); goto next; \
    } while (0)
#define DISPATCH() do { \
        if (__builtin_expect(cycles >= ev, 0)) goto events; \
        if (__builtin_expect((pc & ~0xfffu) != cpage_va, 0)) goto refill; \
        w = ld32(cpage + (pc & 0xfffu)); \
        cycles += cost[w >> 26]; instret++; \
        goto *tab[w >> 26]; \
    } while (0)
#define NEXT() do { pc += 4; DISPATCH(); } while (0)
#define JUMP(t) do { pc = (t); DISPATCH(); } while (0)
#define RD   ISA_RD(w)
#define A    r[ISA_RS1(w)]
#define B    r[ISA_RS2(w)]
#define SIMM ((uint32_t)ISA_SIMM18(w))
#define SET(v) do { r[RD] = (v); r[0] = 0; } while (0)
#define DATA(p, va, acc, align) do { \
        if ((va) & ((align) - 1)) TRAP(CAUSE_MISALIGNED, acc, va, pc); \
        if (!pg) { \
            if ((va) >= memsize) TRAP(CAUSE_BUS_ERROR, acc, va, pc); \
            p = mem + (va); \
        } else { \
            uint32_t i_ = ((va) >> PAGE_SHIFT) & (TLB_SIZE - 1); \
            if (tlb->tag[acc][i_] == (((va) & ~0xfffu) | rtag)) { \
                hits++; \
                p = mem + tlb->frame[acc][i_] + ((va) & 0xfffu); \
            } else { \
                uint32_t fa_; \
                unsigned c_ = mmu_access(m, va, acc, &cycles, &p, &fa_); \
                if (c_ != CAUSE_NONE) TRAP(c_, acc, fa_, pc); \
            } \
        } \
    } while (0)
#define BRANCH(cond) do { if (cond) JUMP(pc + (SIMM << 2)); NEXT(); } while (0)

    SYNC_IN();
next:
    DISPATCH();

events:
    SYNC_OUT();
    stop = cpu_events(m);
    if (stop != STOP_NONE)
        return stop;
    SYNC_IN();
    goto fetch;
fetch:
    if ((pc & ~0xfffu) != cpage_va)
        goto refill;
    w = ld32(cpage + (pc & 0xfffu));
    cycles += cost[w >> 26];
    instret++;
    goto *tab[w >> 26];

refill:
    /* A fetch fault counts as an executed instruction, so that the
     * instruction limit bounds even a hook that keeps handling one. */
    w = 0;
    if (pc & 3) {
        instret++;
        TRAP(CAUSE_MISALIGNED, ACCESS_EXEC, pc, pc);
    }
    {
        uint8_t *h;
        uint32_t fa;
        unsigned c = mmu_access(m, pc, ACCESS_EXEC, &cycles, &h, &fa);
        if (c != CAUSE_NONE) {
            instret++;
            TRAP(c, ACCESS_EXEC, fa, pc);
        }
        cpage = h - (pc & 0xfffu);
        cpage_va = pc & ~0xfffu;
        m->s.code_va = cpage_va;
        m->s.code_frame = (uint32_t)(cpage - mem);
        m->s.code_key = m->s.cpu.cr[CR_STATUS] & (STATUS_RING_MASK | STATUS_PG);
    }
    goto fetch;

do_ILLEGAL: TRAP(CAUSE_ILLEGAL_INSN, ACCESS_READ, w, pc);
do_PRIV:    TRAP(CAUSE_ILLEGAL_PRIV, ACCESS_READ, w, pc);

do_ADD:  SET(A + B); NEXT();
do_SUB:  SET(A - B); NEXT();
do_MUL:  SET(A * B); NEXT();
do_DIV: {
        uint32_t a = A, b = B;
        if (b == 0) TRAP(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, pc);
        SET(a == 0x80000000u && b == 0xffffffffu ? a : (uint32_t)((int32_t)a / (int32_t)b));
        NEXT();
    }
do_DIVU: {
        uint32_t b = B;
        if (b == 0) TRAP(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, pc);
        SET(A / b);
        NEXT();
    }
do_REM: {
        uint32_t a = A, b = B;
        if (b == 0) TRAP(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, pc);
        SET(b == 0xffffffffu ? 0 : (uint32_t)((int32_t)a % (int32_t)b));
        NEXT();
    }
do_REMU: {
        uint32_t b = B;
        if (b == 0) TRAP(CAUSE_DIVIDE_BY_ZERO, ACCESS_READ, 0, pc);
        SET(A % b);
        NEXT();
    }
do_AND:  SET(A & B); NEXT();
do_OR:   SET(A | B); NEXT();
do_XOR:  SET(A ^ B); NEXT();
do_SLL:  SET(A << (B & 31)); NEXT();
do_SRL:  SET(A >> (B & 31)); NEXT();
do_SRA:  SET((uint32_t)((int32_t)A >> (B & 31))); NEXT();
do_SLT:  SET((int32_t)A < (int32_t)B); NEXT();
do_SLTU: SET(A < B); NEXT();
do_ADDI: SET(A + SIMM); NEXT();
do_ANDI: SET(A & ISA_UIMM18(w)); NEXT();
do_ORI:  SET(A | ISA_UIMM18(w)); NEXT();
do_XORI: SET(A ^ ISA_UIMM18(w)); NEXT();
do_SLLI: SET(A << (w & 31)); NEXT();
do_SRLI: SET(A >> (w & 31)); NEXT();
do_SRAI: SET((uint32_t)((int32_t)A >> (w & 31))); NEXT();
do_SLTI: SET((int32_t)A < ISA_SIMM18(w)); NEXT();
do_SLTIU: SET(A < SIMM); NEXT();
do_LUI:  SET(ISA_UIMM20(w) << 12); NEXT();

do_LW: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_READ, 4); SET(ld32(p)); NEXT(); }
do_LH: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_READ, 2);
         SET((uint32_t)(int32_t)(int16_t)(uint16_t)(p[0] | p[1] << 8)); NEXT(); }
do_LHU: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_READ, 2);
         SET((uint32_t)p[0] | (uint32_t)p[1] << 8); NEXT(); }
do_LB: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_READ, 1);
         SET((uint32_t)(int32_t)(int8_t)p[0]); NEXT(); }
do_LBU: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_READ, 1); SET(p[0]); NEXT(); }
do_SW: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_WRITE, 4); st32(p, r[RD]); NEXT(); }
do_SH: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_WRITE, 2);
         uint32_t v = r[RD]; p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); NEXT(); }
do_SB: { uint32_t va = A + SIMM; uint8_t *p; DATA(p, va, ACCESS_WRITE, 1);
         p[0] = (uint8_t)r[RD]; NEXT(); }

do_BEQ:  BRANCH(r[ISA_BRS1(w)] == r[ISA_BRS2(w)]);
do_BNE:  BRANCH(r[ISA_BRS1(w)] != r[ISA_BRS2(w)]);
do_BLT:  BRANCH((int32_t)r[ISA_BRS1(w)] < (int32_t)r[ISA_BRS2(w)]);
do_BGE:  BRANCH((int32_t)r[ISA_BRS1(w)] >= (int32_t)r[ISA_BRS2(w)]);
do_BLTU: BRANCH(r[ISA_BRS1(w)] < r[ISA_BRS2(w)]);
do_BGEU: BRANCH(r[ISA_BRS1(w)] >= r[ISA_BRS2(w)]);
do_J:    JUMP(pc + ((uint32_t)ISA_SOFF26(w) << 2));
do_JAL:  r[REG_LR] = pc + 4; JUMP(pc + ((uint32_t)ISA_SOFF26(w) << 2));
do_JALR: { uint32_t t = (A + SIMM) & ~3u; SET(pc + 4); JUMP(t); }
do_SYSCALL: TRAP(CAUSE_SYSCALL, ACCESS_READ, 0, pc + 4);
do_BRK:     TRAP(CAUSE_BREAKPOINT, ACCESS_READ, 0, pc + 4);
do_HCALL:   TRAP(CAUSE_HYPERCALL, ACCESS_READ, 0, pc + 4);

    /* Every PRIV and LEGACY line of isa.def gets its label here. */
#define SYS_LABEL_USER(NAME)
#define SYS_LABEL_PRIV(NAME)   do_##NAME:
#define SYS_LABEL_LEGACY(NAME) do_##NAME:
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) SYS_LABEL_##priv(NAME)
#include "isa/isa.def"
#undef INSN
    SYNC_OUT();
    cpu_exec_system(m, w);
    SYNC_IN();
    goto next;
}
