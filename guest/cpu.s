; cpu.s -- workload: pure computation in ring 3 (a linear congruential
; generator folded into a checksum).  No system call until the end, so under
; the VMM the only exits are timer ticks: innocuous instructions run directly.

        .include "layout.s"
        .ifndef ITERS
        .equ    ITERS, 1000000
        .endif

        .org    USER_VA
_start:                                 ; a0 = task number
        li      s1, 0x12345678
        add     s1, s1, a0              ; each task its own seed
        li      s2, ITERS
        li      s3, 0
        li      s4, 1103515245
1:      mul     s1, s1, s4
        addi    s1, s1, 12345
        srli    s5, s1, 7
        xor     s3, s3, s5
        add     s3, s3, s1
        addi    s2, s2, -1
        bnez    s2, 1b
        li      a0, SYS_EXIT
        mov     a1, s3
        syscall
