; writes.s -- the user program of lab 03, for running it yourself:
;   traplab vm --guest kernel --program writes.s --profile legacy --stats
; Put YOUR number of writes (traplab lab show 03-legacy-profile --student YOUR_ID)
; in WRITES: the lab runs exactly this program.
        .equ    WRITES, 3               ; your number of writes
        .include "layout.s"
        .org    USER_VA
_start: bnez    a0, 2f                  ; only task 0 writes
        li      s0, WRITES
1:      beqz    s0, 2f
        li      a0, SYS_WRITE
        la      a1, msg
        li      a2, 3
        syscall
        addi    s0, s0, -1
        j       1b
2:      li      a0, SYS_EXIT
        li      a1, 0
        syscall
msg:    .ascii  "ok\n"
