; kernel.s -- the tiny kernel of lab 01.  It installs a trap handler, drops to
; ring 3 at the student's `main` (user.s is assembled right after this file),
; and offers two system calls:
;     a0 = 1: print the character in a1        a0 = 0: exit (halt the machine)
; Any other trap prints '!' and the cause code, then halts: that is what a
; privileged instruction in ring 3 looks like to the program.

        .equ    CONSOLE, 0x10
        .equ    RING3, 3

        .org    0x1000
_start:
        la      s0, trap
        mtcr    tvb, s0                 ; every trap lands in `trap`
        li      s0, RING3
        mtcr    estatus, s0             ; iret will switch to ring 3...
        la      s0, main
        mtcr    epc, s0                 ; ...and continue at the user's main
        li      sp, 0x8000              ; the user's stack
        iret

trap:
        mfcr    k0, cause
        andi    k0, k0, 0xff            ; the cause code, without the access type
        li      at, 1                   ; CAUSE_SYSCALL
        bne     k0, at, fault
        beqz    a0, exit
        out     a1, CONSOLE             ; syscall 1: putc(a1)
        iret                            ; epc already points after the syscall
exit:
        halt                            ; syscall 0: exit
fault:
        li      at, '!'
        out     at, CONSOLE
        addi    k0, k0, '0'
        out     k0, CONSOLE
        halt
