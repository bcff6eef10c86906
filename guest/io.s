; io.s -- workload: the console and the block device.  Each task writes
; SECTORS sectors of its own (task n uses sectors 16n..), reads them back
; into another buffer and sums them; task 0 also reports on the console (only
; one task prints, so the output is the same whatever the interleaving).
; -D BATCH=N moves N sectors per system call: the same bytes, fewer calls,
; and for a paravirtualized kernel one ring notification per batch.

        .include "layout.s"
        .ifndef SECTORS
        .equ    SECTORS, 8
        .endif
        .ifndef BATCH                   ; sectors per system call (a batch of requests)
        .equ    BATCH, 1
        .endif
        .if BATCH < 1 || BATCH > BLOCK_BATCH || SECTORS % BATCH
        .error  "BATCH must be 1 to 8 and divide SECTORS"
        .endif

        .org    USER_VA
_start:
        mov     s0, a0                  ; task number
        addi    s5, s0, 1               ; checksum, seeded by the task number
        li      s1, 0                   ; k
1:      la      a1, wbuf                ; fill BATCH sectors with a pattern of (task, k, j)
        mov     s2, s1
        addi    s3, s1, BATCH
7:      li      a2, 128
        slli    a3, s0, 16
        add     a3, a3, s2
2:      sw      a3, 0(a1)
        li      at, 0x9e3779b9
        add     a3, a3, at
        addi    a1, a1, 4
        addi    a2, a2, -1
        bnez    a2, 2b
        addi    s2, s2, 1
        blt     s2, s3, 7b
        slli    a1, s0, 4
        add     a1, a1, s1              ; sector 16 * task + k
        la      a2, wbuf
        li      a3, BATCH
        li      a0, SYS_BWRITEV
        syscall
        bnez    a0, fail
        mov     s1, s3
        li      at, SECTORS
        blt     s1, at, 1b

        li      s1, 0
3:      slli    a1, s0, 4
        add     a1, a1, s1
        la      a2, rbuf
        li      a3, BATCH
        li      a0, SYS_BREADV
        syscall
        bnez    a0, fail
        la      a1, rbuf
        li      a2, 128 * BATCH
4:      lw      a3, 0(a1)
        li      at, 31                  ; checksum = checksum * 31 + word
        mul     s5, s5, at
        add     s5, s5, a3
        addi    a1, a1, 4
        addi    a2, a2, -1
        bnez    a2, 4b
        addi    s1, s1, BATCH
        li      at, SECTORS
        blt     s1, at, 3b

        bnez    s0, 6f                  ; only task 0 talks
        li      s1, 0
5:      la      a1, line
        li      a2, line_end - line
        li      a0, SYS_WRITE
        syscall
        addi    s1, s1, 1
        li      at, 4
        blt     s1, at, 5b
6:      li      a0, SYS_EXIT
        mov     a1, s5
        syscall

fail:   li      a0, SYS_EXIT
        li      a1, -1
        syscall

line:   .ascii  "io: sectors written, read back and summed\n"
line_end:
        .align  4
wbuf:   .space  512 * BATCH
rbuf:   .space  512 * BATCH
