; ring3-trap.s -- trap and emulate in miniature: the kernel installs a trap
; handler, drops to ring 3 with mtcr estatus + iret, and the user code runs a
; privileged instruction (halt).  The processor traps to the handler, which
; prints the cause and stops the machine.
;   traplab asm samples/ring3-trap.s && traplab run --trace samples/ring3-trap.tlo

        .equ    CONSOLE, 0x10
        .equ    RING3, 3                ; status bits 1:0 = ring

        .macro  putc ch                 ; print one character (clobbers at)
        li      at, \ch
        out     at, CONSOLE
        .endm

        .org    0x1000
_start:
        li      sp, 0x8000
        la      s0, handler
        mtcr    tvb, s0                ; every trap now jumps to handler
        li      s0, RING3              ; ring 3, interrupts and paging off
        mtcr    estatus, s0
        la      s0, user
        mtcr    epc, s0
        iret                            ; status = estatus, pc = epc: we are in ring 3

user:                                   ; ring 3 from here on: no out, no mfcr
        li      a0, 6
        li      a1, 7
        mul     a0, a0, a1              ; ordinary instructions run natively
        halt                            ; privileged: traps ILLEGAL_PRIV in ring 3
        b       user                    ; never reached

handler:
        la      a0, msg
        call    puts
        mfcr    a0, cause
        andi    a0, a0, 0xff            ; the low byte is the cause code
        addi    a0, a0, '0'             ; causes below 10 print as one digit
        out     a0, CONSOLE
        putc    '\n'
        mfcr    a0, epc                 ; epc = address of the faulting halt (a0 shows it in the trace)
        halt                            ; ring 0 now: this halt stops the machine

; puts: print the NUL-terminated string at a0 (clobbers a0, a1)
puts:
        mov     a1, a0
1:      lbu     a0, 0(a1)
        beqz    a0, 2f
        out     a0, CONSOLE
        addi    a1, a1, 1
        b       1b
2:      ret

msg:    .asciz  "trap in ring 3, cause "
