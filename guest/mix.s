; mix.s -- workload: mostly computation with some operating-system work in
; between, the shape of a compiler run (the "Linux build" of the Xen paper):
; ROUNDS times, WORK rounds of the cpu workload's loop, then a page mapped,
; touched and unmapped (two system calls and their page-table updates) and
; a system call that asks for the task's number.

        .include "layout.s"
        .ifndef ROUNDS
        .equ    ROUNDS, 50
        .endif
        .ifndef WORK
        .equ    WORK, 90000
        .endif

        .org    USER_VA
_start:
        li      s1, 0x12345678
        add     s1, s1, a0              ; each task its own seed
        li      s0, ROUNDS
        li      s3, 0
        li      s4, 1103515245
1:      li      s2, WORK
2:      mul     s1, s1, s4
        addi    s1, s1, 12345
        srli    s5, s1, 7
        xor     s3, s3, s5
        add     s3, s3, s1
        addi    s2, s2, -1
        bnez    s2, 2b
        li      a0, SYS_MAP             ; the operating system's part
        li      a1, 0
        syscall
        sw      s3, 0(a0)
        lw      a2, 0(a0)
        add     s3, s3, a2
        li      a0, SYS_UNMAP
        li      a1, 0
        syscall
        li      a0, SYS_GETID
        syscall
        add     s3, s3, a0
        addi    s0, s0, -1
        bnez    s0, 1b
        li      a0, SYS_EXIT
        mov     a1, s3
        syscall
