/*
 * mmu.c -- address translation: the two-level page walk and the software
 * TLB that caches its results per access type and ring.
 */
#include <string.h>

#include "machine/internal.h"

static bool phys_word(const machine *m, uint32_t pa, uint32_t *v)
{
    if (pa > m->cfg.mem_size - 4)
        return false;
    const uint8_t *p = m->mem + pa;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

unsigned mmu_walk(const machine *m, uint32_t va, isa_access acc, unsigned ring,
                  uint32_t *pa, uint32_t *fault_addr)
{
    *fault_addr = va;
    if (m->s.hv.guest) {
        bool nested, walk;
        uint32_t gpa;
        unsigned refs = 0;
        return hv_walk(m, va, acc, ring, pa, fault_addr, &nested, &gpa, &walk, &refs);
    }
    if (!(m->s.cpu.cr[CR_STATUS] & STATUS_PG)) {
        if (va >= m->cfg.mem_size)
            return CAUSE_BUS_ERROR;
        *pa = va;
        return CAUSE_NONE;
    }
    uint32_t l1, l2;
    uint32_t ptb = m->s.cpu.cr[CR_PTB] & ~0xfffu;
    if (!phys_word(m, ptb + VA_L1(va) * 4, &l1) || !(l1 & PTE_V))
        return CAUSE_PAGE_FAULT;
    if (!phys_word(m, PTE_FRAME(l1) + VA_L2(va) * 4, &l2) || !(l2 & PTE_V))
        return CAUSE_PAGE_FAULT;
    static const uint32_t need[3] = { PTE_R, PTE_W, PTE_X };
    if (!(l2 & need[acc]) || ring > PTE_RING(l2))
        return CAUSE_PAGE_FAULT;
    uint32_t frame = PTE_FRAME(l2);
    if (frame >= m->cfg.mem_size) {
        *fault_addr = frame | (va & 0xfffu);
        return CAUSE_BUS_ERROR;
    }
    *pa = frame | (va & 0xfffu);
    return CAUSE_NONE;
}

/* How many table reads the one-stage walk of va made (for the statistics). */
static unsigned walk_refs(const machine *m, uint32_t va)
{
    uint32_t l1;
    uint32_t ptb = m->s.cpu.cr[CR_PTB] & ~0xfffu;
    return phys_word(m, ptb + VA_L1(va) * 4, &l1) && (l1 & PTE_V) ? 2 : 1;
}

unsigned mmu_access(machine *m, uint32_t va, isa_access acc, uint64_t *cycles,
                    uint8_t **host, uint32_t *fault_addr)
{
    unsigned ring = m->s.cpu.cr[CR_STATUS] & STATUS_RING_MASK;
    if (!(m->s.cpu.cr[CR_STATUS] & STATUS_PG) && !m->s.hv.guest) {
        if (va >= m->cfg.mem_size) {
            *fault_addr = va;
            return CAUSE_BUS_ERROR;
        }
        *host = m->mem + va;
        return CAUSE_NONE;
    }
    uint32_t idx = (va >> PAGE_SHIFT) & (TLB_SIZE - 1);
    uint32_t tag = TLB_TAG(va, ring);
    if (m->s.tlb.tag[acc][idx] == tag) {
        m->s.stats.tlb_hits++;
        *host = m->mem + m->s.tlb.frame[acc][idx] + (va & 0xfffu);
        return CAUSE_NONE;
    }
    m->s.stats.tlb_misses++;
    uint32_t pa;
    unsigned c;
    if (m->s.hv.guest) {
        /* Guest mode's walk, its cost and counters (hvext.c). */
        c = hv_tlb_fill(m, va, acc, ring, &pa, fault_addr, cycles);
    } else {
        *cycles += m->cfg.costs.tlb_miss;
        c = mmu_walk(m, va, acc, ring, &pa, fault_addr);
        m->s.stats.walk_refs += walk_refs(m, va);
    }
    if (acc != ACCESS_EXEC)
        m->htlb.tag[acc][idx] = HTLB_NONE;     /* no longer a copy of this entry */
    if (c != CAUSE_NONE)
        return c;
    m->s.tlb.tag[acc][idx] = tag;
    m->s.tlb.frame[acc][idx] = pa & ~0xfffu;
    *host = m->mem + pa;
    return CAUSE_NONE;
}

void mmu_host_flush(machine *m)
{
    m->htlb.gen += HTLB_GEN_ONE;
    if (m->htlb.gen == 0) {          /* wrapped (after 2^28 flushes): start afresh */
        memset(m->htlb.tag, 0xff, sizeof m->htlb.tag);
        m->htlb.gen = HTLB_GEN_ONE;
    }
}

void mmu_host_drop_frame(machine *m, uint32_t frame)
{
    uintptr_t page = (uintptr_t)(m->mem + frame);
    for (unsigned i = 0; i < TLB_SIZE; i++)
        if (m->htlb.tag[ACCESS_WRITE][i] != HTLB_NONE &&
            m->htlb.add[ACCESS_WRITE][i] + ((uint32_t)m->htlb.tag[ACCESS_WRITE][i] & ~0xfffu) == page)
            m->htlb.tag[ACCESS_WRITE][i] = HTLB_NONE;
}

void mmu_flush(machine *m)
{
    memset(&m->s.tlb, 0, sizeof m->s.tlb);
    mmu_host_flush(m);
    m->s.stats.tlb_flushes++;
    m->s.code_va = 1;
    m->event_cycle = 0;
}
