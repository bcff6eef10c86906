; mm.s -- workload: page-table updates and context switches.  Each round maps
; MAP_PAGES fresh pages (a page-table write and a TLB flush each), fills them,
; yields (a context switch: another address space), reads them back and
; unmaps them.  -D BATCH=N maps and unmaps N pages per system call: for a
; paravirtualized kernel one mmu_update hypercall per batch.

        .include "layout.s"
        .ifndef ROUNDS
        .equ    ROUNDS, 12
        .endif
        .ifndef BATCH                   ; pages per map/unmap system call
        .equ    BATCH, 1
        .endif
        .if BATCH != 1 && BATCH != 2 && BATCH != 4 && BATCH != 8
        .error  "BATCH must be 1, 2, 4 or 8"
        .endif

        .org    USER_VA
_start:
        mov     s0, a0                  ; task number
        addi    s5, s0, 1               ; checksum, seeded by the task number
        li      s1, 0                   ; round
1:      li      s2, 0                   ; k
2:      li      a0, SYS_MAPV            ; pages k .. k + BATCH - 1
        mov     a1, s2
        li      a2, BATCH
        syscall
        addi    s3, s2, BATCH
6:      li      a2, 16                  ; 16 words per page
        slli    a3, s1, 8
        add     a3, a3, s2
        slli    at, s0, 20
        add     a3, a3, at
3:      sw      a3, 0(a0)
        addi    a3, a3, 7
        addi    a0, a0, 256
        addi    a2, a2, -1
        bnez    a2, 3b
        addi    s2, s2, 1               ; a0 is at the next page now
        blt     s2, s3, 6b
        li      at, MAP_PAGES
        blt     s2, at, 2b

        li      a0, SYS_YIELD
        syscall

        li      s2, 0
4:      li      a0, MAP_VA
        slli    at, s2, 12
        add     a0, a0, at
        li      a2, 16
5:      lw      a3, 0(a0)
        li      at, 31                  ; checksum = checksum * 31 + word
        mul     s5, s5, at
        add     s5, s5, a3
        addi    a0, a0, 256
        addi    a2, a2, -1
        bnez    a2, 5b
        addi    s2, s2, 1
        andi    at, s2, BATCH - 1       ; a whole batch read: unmap it
        bnez    at, 4b
        li      a0, SYS_UNMAPV
        addi    a1, s2, -BATCH
        li      a2, BATCH
        syscall
        li      at, MAP_PAGES
        blt     s2, at, 4b

        addi    s1, s1, 1
        li      at, ROUNDS
        blt     s1, at, 1b
        li      a0, SYS_EXIT
        mov     a1, s5
        syscall
