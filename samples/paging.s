; paging.s -- a two-level page table: identity-map the first 128 KiB, turn
; paging on, then touch an unmapped page.  The page-fault handler prints the
; faulting address (badaddr) and halts.
;   traplab asm samples/paging.s && traplab run samples/paging.tlo

        .equ    CONSOLE, 0x10
        .equ    L1, 0x10000             ; level-1 table (4 KiB aligned, memory starts zeroed)
        .equ    L2, 0x11000             ; level-2 table for va 0x00000000..0x003fffff
        .equ    NPAGES, 32              ; 32 pages = 128 KiB mapped
        .equ    PTE_V, 1
        .equ    PTE_RWX, 0xe            ; R | W | X; ring field 0: ring 0 only
        .equ    STATUS_PG, 8
        .equ    UNMAPPED, 0x00400000    ; L1 entry 1 is invalid

        .org    0x1000
_start:
        li      sp, 0x8000
        la      s0, fault
        mtcr    tvb, s0

        ; level 1: entry 0 points to the level-2 table
        li      s0, L1
        li      s1, L2 | PTE_V
        sw      s1, 0(s0)

        ; level 2: page i maps to frame i
        li      s0, L2                  ; entry pointer
        li      s1, PTE_V | PTE_RWX     ; frame 0 with its bits
        li      s2, NPAGES
1:      sw      s1, 0(s0)
        addi    s0, s0, 4
        li      s3, 0x1000
        add     s1, s1, s3              ; next frame
        addi    s2, s2, -1
        bnez    s2, 1b

        li      s0, L1
        mtcr    ptb, s0
        mfcr    s0, status
        ori     s0, s0, STATUS_PG
        mtcr    status, s0              ; paging is on; this code is identity-mapped

        la      a0, on
        call    puts
        li      s0, UNMAPPED
        lw      a0, 0(s0)               ; page fault
        halt                            ; not reached

fault:
        la      a0, pf
        call    puts
        mfcr    a0, badaddr
        call    puthex
        li      a0, '\n'
        out     a0, CONSOLE
        halt

; puts: print the NUL-terminated string at a0 (clobbers a0, a1)
puts:
        mov     a1, a0
1:      lbu     a0, 0(a1)
        beqz    a0, 2f
        out     a0, CONSOLE
        addi    a1, a1, 1
        b       1b
2:      ret

; puthex: print a0 as 8 hex digits (clobbers a1-a3)
puthex:
        mov     a1, a0
        li      a2, 8
1:      srli    a3, a1, 28
        slli    a1, a1, 4
        addi    a3, a3, '0'
        li      at, '9'
        ble     a3, at, 2f
        addi    a3, a3, 'a' - '0' - 10
2:      out     a3, CONSOLE
        addi    a2, a2, -1
        bnez    a2, 1b
        ret

on:     .asciz  "paging on\n"
pf:     .asciz  "page fault at 0x"
