; sys.s -- workload: a system-call loop.  Every iteration traps into the guest
; kernel (natively) or exits to the VMM and is reflected (virtualized).

        .include "layout.s"
        .ifndef ITERS
        .equ    ITERS, 2000
        .endif

        .org    USER_VA
_start:
        li      s2, ITERS
        li      s3, 7
1:      li      a0, SYS_GETID
        syscall
        li      s4, 31
        mul     s3, s3, s4
        add     s3, s3, a0
        add     s3, s3, s2
        addi    s2, s2, -1
        bnez    s2, 1b
        li      a0, SYS_EXIT
        mov     a1, s3
        syscall
