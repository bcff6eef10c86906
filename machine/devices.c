/*
 * devices.c -- the console, the interval timer and the block device, as
 * seen through I/O ports.  Device work that takes time (a sector transfer)
 * is charged to the simulated clock, never measured on the host.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/internal.h"

/* Output beyond this is passed to the sink but not kept (a runaway guest
 * must not eat the host's memory). */
#define CONSOLE_KEEP_MAX (8u << 20)

void dev_console_putc(machine *m, int ch)
{
    if (m->out_len < CONSOLE_KEEP_MAX) {
        if (m->out_len + 1 >= m->out_cap) {
            size_t cap = m->out_cap ? m->out_cap * 2 : 256;
            char *p = realloc(m->out, cap);
            if (p) {
                m->out = p;
                m->out_cap = cap;
            }
        }
        if (m->out_len + 1 < m->out_cap) {
            m->out[m->out_len++] = (char)ch;
            m->out[m->out_len] = '\0';
        }
    }
    if (m->sink)
        m->sink(ch, m->sink_ud);
}

bool dev_console_irq(const machine *m)
{
    return (m->s.console_ctrl & 1u) && m->in_head < m->in_len;
}

void dev_timer_set_period(machine *m, uint32_t period)
{
    m->s.cpu.cr[CR_TIMECMP] = period;
    m->s.next_tick = m->s.stats.cycles + period;
    m->event_cycle = 0;
}

void dev_timer_update(machine *m)
{
    uint64_t p = m->s.cpu.cr[CR_TIMECMP];
    uint64_t now = m->s.stats.cycles;
    if (p == 0 || now < m->s.next_tick)
        return;
    uint64_t ticks = (now - m->s.next_tick) / p + 1;
    m->s.next_tick += ticks * p;
    m->s.timer_pending = true;
}

static uint32_t block_cmd(machine *m, uint32_t cmd)
{
    if (cmd != BLOCK_CMD_READ && cmd != BLOCK_CMD_WRITE)
        return 3;
    if (m->s.blk_sector >= m->cfg.disk_sectors)
        return 1;
    uint32_t a = m->s.blk_addr;
    if (a > m->cfg.mem_size || m->cfg.mem_size - a < BLOCK_SECTOR_SIZE)
        return 2;
    uint8_t *sec = m->disk + (size_t)m->s.blk_sector * BLOCK_SECTOR_SIZE;
    if (cmd == BLOCK_CMD_READ) {
        memcpy(m->mem + a, sec, BLOCK_SECTOR_SIZE);
        code_written(m, a, BLOCK_SECTOR_SIZE);
    } else
        memcpy(sec, m->mem + a, BLOCK_SECTOR_SIZE);
    m->s.stats.cycles += m->cfg.costs.block_sector;
    return 0;
}

uint32_t dev_port_in(machine *m, uint32_t port)
{
    switch (port) {
    case PORT_CONSOLE_DATA:
        if (m->in_head < m->in_len)
            return (uint8_t)m->in[m->in_head++];
        return PORT_NONE_VALUE;
    case PORT_CONSOLE_STATUS: return m->in_head < m->in_len;
    case PORT_CONSOLE_CTRL:   return m->s.console_ctrl;
    case PORT_TIMER_PERIOD:   return m->s.cpu.cr[CR_TIMECMP];
    case PORT_TIMER_CTRL:     dev_timer_update(m); return m->s.timer_pending;
    case PORT_TIMER_COUNT:
        if (m->s.cpu.cr[CR_TIMECMP] == 0)
            return 0;
        dev_timer_update(m);
        return (uint32_t)(m->s.next_tick - m->s.stats.cycles);
    case PORT_BLOCK_SECTOR:   return m->s.blk_sector;
    case PORT_BLOCK_ADDR:     return m->s.blk_addr;
    case PORT_BLOCK_STATUS:   return m->s.blk_status;
    case PORT_BLOCK_SIZE:     return m->cfg.disk_sectors;
    default:                  return PORT_NONE_VALUE;
    }
}

void dev_port_out(machine *m, uint32_t port, uint32_t v)
{
    switch (port) {
    case PORT_CONSOLE_DATA:   dev_console_putc(m, (int)(v & 0xff)); break;
    case PORT_CONSOLE_CTRL:   m->s.console_ctrl = v & 1u; break;
    case PORT_TIMER_PERIOD:   dev_timer_set_period(m, v); break;
    case PORT_TIMER_CTRL:     dev_timer_update(m); m->s.timer_pending = false; break;
    case PORT_BLOCK_SECTOR:   m->s.blk_sector = v; break;
    case PORT_BLOCK_ADDR:     m->s.blk_addr = v; break;
    case PORT_BLOCK_CMD:      m->s.blk_status = block_cmd(m, v); break;
    default: break;
    }
    m->event_cycle = 0;
}
