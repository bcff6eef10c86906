; layout.s -- the guest-physical layout and system-call numbers that the
; kernel, the user programs and the loader (vmm/vmm.h GUEST_*) agree on.

        .equ    CONSOLE, 0x10           ; PORT_CONSOLE_DATA
        .equ    TIMER_CTRL, 0x21        ; PORT_TIMER_CTRL: out acknowledges a tick
        .equ    BLK_SECTOR, 0x30
        .equ    BLK_ADDR, 0x31
        .equ    BLK_CMD, 0x32
        .equ    BLK_STATUS, 0x33

        .equ    PROG_INFO, 0x7f000      ; loader's header: magic, entry, size
        .equ    PROG_BASE, 0x80000      ; the user program as loaded
        .equ    PROG_MAGIC, 0x47504c54  ; "TLPG"
        .equ    USER_VA, 0x400000       ; user programs are linked here
        .equ    USER_SIZE, 0x10000      ; 64 KiB per task: program, data, stack
        .equ    USER_TOP, USER_VA + USER_SIZE
        .equ    MAP_VA, 0x500000        ; SYS_MAP puts page k at MAP_VA + k * 4096
        .equ    MAP_PAGES, 8

        ; system calls: a0 = number, a1..a3 = arguments, result in a0
        .equ    SYS_EXIT, 0             ; a1 = exit code (the task's checksum)
        .equ    SYS_WRITE, 1            ; a1 = buffer, a2 = length -> bytes written
        .equ    SYS_YIELD, 2
        .equ    SYS_BREAD, 3            ; a1 = sector, a2 = 512-byte buffer -> device status
        .equ    SYS_BWRITE, 4           ; a1 = sector, a2 = 512-byte buffer -> device status
        .equ    SYS_MAP, 5              ; a1 = k (0..7) -> address of the fresh page
        .equ    SYS_UNMAP, 6            ; a1 = k
        .equ    SYS_GETID, 7            ; -> task number
        .equ    SYS_BREADV, 8           ; a1 = first sector, a2 = buffer, a3 = count (1..BLOCK_BATCH)
        .equ    SYS_BWRITEV, 9          ;   -> OR of the device statuses (0 = ok)
        .equ    SYS_MAPV, 10            ; a1 = first k, a2 = count -> address of page k
        .equ    SYS_UNMAPV, 11          ; a1 = first k, a2 = count
        .equ    NSYSCALLS, 12
        .equ    BLOCK_BATCH, 8          ; at most this many sectors per vector call
