/*
 * devices.h -- the I/O ports of the simulated machine's devices.
 * Programs reach them with the privileged in and out instructions.
 */
#ifndef TRAPLAB_DEVICES_H
#define TRAPLAB_DEVICES_H

/* Console: one character at a time. */
#define PORT_CONSOLE_DATA    0x10  /* out: write a character; in: next input character, or 0xffffffff */
#define PORT_CONSOLE_STATUS  0x11  /* in: bit 0 = input available */
#define PORT_CONSOLE_CTRL    0x12  /* bit 0 = raise a DEVICE interrupt (line 1) while input is available */

/* Programmable interval timer: a TIMER interrupt every PERIOD cycles. */
#define PORT_TIMER_PERIOD    0x20  /* period in cycles, 0 = stopped (the same register as cr timecmp) */
#define PORT_TIMER_CTRL      0x21  /* in: bit 0 = interrupt pending; out: any value acknowledges it */
#define PORT_TIMER_COUNT     0x22  /* in: cycles left until the next tick */

/* Block device: 512-byte sectors, DMA to physical memory, synchronous. */
#define PORT_BLOCK_SECTOR    0x30  /* sector number */
#define PORT_BLOCK_ADDR      0x31  /* physical address of the 512-byte buffer */
#define PORT_BLOCK_CMD       0x32  /* out: 1 = read sector to memory, 2 = write memory to sector */
#define PORT_BLOCK_STATUS    0x33  /* in: 0 = ok, 1 = bad sector, 2 = bad address, 3 = bad command */
#define PORT_BLOCK_SIZE      0x34  /* in: number of sectors */

#define BLOCK_SECTOR_SIZE    512
#define BLOCK_CMD_READ       1
#define BLOCK_CMD_WRITE      2

#define IRQ_LINE_CONSOLE     1     /* badaddr of a DEVICE interrupt */

/* Reading a port no device answers gives all ones, as on a PC's floating bus. */
#define PORT_NONE_VALUE      0xffffffffu

#endif
