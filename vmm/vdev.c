/*
 * vdev.c -- each VM's virtual devices: console, interval timer and block
 * device, behind the same ports as the real ones (machine/devices.h), so an
 * unmodified guest drives them with the in and out it would use natively.
 *
 * Type-1: the VMM drives the devices itself.  Type-2: device work is a host
 * system call made by the VMM process (a write to the terminal, a pread or
 * pwrite on the disk image), which the trace shows as a host step.
 */
#include <stdlib.h>
#include <string.h>

#include "vmm/internal.h"

/* A guest printing forever must not eat the host's memory. */
#define VCONSOLE_MAX (4u << 20)

void vmm_console_put(vmm *v, vmm_vm *vm, int ch)
{
    (void)v;
    if (vm->out_len + 1 >= VCONSOLE_MAX)
        return;
    if (vm->out_len + 1 >= vm->out_cap) {
        size_t cap = vm->out_cap ? vm->out_cap * 2 : 256;
        char *p = realloc(vm->out, cap);
        if (!p)
            return;
        vm->out = p;
        vm->out_cap = cap;
    }
    vm->out[vm->out_len++] = (char)ch;
    vm->out[vm->out_len] = '\0';
}

uint32_t vmm_block_transfer(vmm *v, vmm_vm *vm, uint32_t sector, uint32_t gpa, uint32_t cmd,
                            bool host_call)
{
    if (cmd != BLOCK_CMD_READ && cmd != BLOCK_CMD_WRITE)
        return 3;
    if (sector >= v->cfg.disk_sectors)
        return 1;
    /* The DMA address is guest-physical: it must lie in the partition. */
    if (!vmm_gpa_ok(v, gpa, BLOCK_SECTOR_SIZE)) {
        vm->st.blocked++;
        return 2;
    }
    uint8_t *sec = vm->disk + (size_t)sector * BLOCK_SECTOR_SIZE;
    uint8_t *mem = vmm_gpa_ptr(v, vm, gpa);
    bool type2 = vmm_host_is_hosted(v->cfg.host);
    if (cmd == BLOCK_CMD_READ) {
        if (host_call)
            vmm_host_syscall(v, vm, "host pread() on the VM's disk image");
        memcpy(mem, sec, BLOCK_SECTOR_SIZE);
        vmm_mem_written(v, vm, gpa, BLOCK_SECTOR_SIZE);
    } else {
        if (host_call)
            vmm_host_syscall(v, vm, "host pwrite() on the VM's disk image");
        memcpy(sec, mem, BLOCK_SECTOR_SIZE);
    }
    vmm_charge(v, vm, type2 ? LAYER_HOST : LAYER_VMM, v->cfg.mcosts.block_sector);
    return 0;
}

uint32_t vmm_port_in(vmm *v, vmm_vm *vm, uint32_t port)
{
    switch (port) {
    case PORT_CONSOLE_DATA:   return PORT_NONE_VALUE;    /* no input is queued for a VM */
    case PORT_CONSOLE_STATUS: return 0;
    case PORT_CONSOLE_CTRL:   return vm->console_ctrl;
    case PORT_TIMER_PERIOD:   return vm->vc.cr[CR_TIMECMP];
    case PORT_TIMER_CTRL:     vmm_vtimer_update(v, vm); return vm->vc.vtimer_pending;
    case PORT_TIMER_COUNT:
        if (vm->vc.cr[CR_TIMECMP] == 0)
            return 0;
        vmm_vtimer_update(v, vm);
        return (uint32_t)(vm->vc.vnext - vmm_vtime(v, vm));
    case PORT_BLOCK_SECTOR:   return vm->blk_sector;
    case PORT_BLOCK_ADDR:     return vm->blk_addr;
    case PORT_BLOCK_STATUS:   return vm->blk_status;
    case PORT_BLOCK_SIZE:     return v->cfg.disk_sectors;
    default:                  return PORT_NONE_VALUE;
    }
}

void vmm_port_out(vmm *v, vmm_vm *vm, uint32_t port, uint32_t value)
{
    switch (port) {
    case PORT_CONSOLE_DATA:
        vmm_host_syscall(v, vm, "host write() of one character to the terminal");
        vmm_console_put(v, vm, (int)(value & 0xff));
        break;
    case PORT_CONSOLE_CTRL:   vm->console_ctrl = value & 1u; break;
    case PORT_TIMER_PERIOD:
        vm->vc.cr[CR_TIMECMP] = value;
        vm->vc.vnext = vmm_vtime(v, vm) + value;
        break;
    case PORT_TIMER_CTRL:
        vmm_vtimer_update(v, vm);
        vm->vc.vtimer_pending = false;
        break;
    case PORT_BLOCK_SECTOR:   vm->blk_sector = value; break;
    case PORT_BLOCK_ADDR:     vm->blk_addr = value; break;
    case PORT_BLOCK_CMD:      vm->blk_status = vmm_block_transfer(v, vm, vm->blk_sector, vm->blk_addr, value, true); break;
    default: break;
    }
}
