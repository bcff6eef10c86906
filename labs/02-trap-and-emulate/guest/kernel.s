; kernel.s -- the guest kernel of lab 02.  Written for ring 0, it runs
; deprivileged (in ring 1) under the lab's Type-1 hypervisor, so every
; privileged instruction below traps to the hypervisor: a VM exit.
;
; It checks that it believes it is in ring 0, installs a trap vector, folds
; the N words at `data` into a checksum kept in the scratch control register
; (sum = sum * 31 + word), prints the checksum in hex and halts.
; The lab prepends `.equ N, ...` and appends the words after `data:`.

        .equ    CONSOLE, 0x10

        .org    0x1000
_start:
        mfcr    a0, status              ; exit: which ring am I in?
        andi    a0, a0, 3
        bnez    a0, panic               ; a kernel must run in (virtual) ring 0
        la      s0, vector
        mtcr    tvb, s0                 ; exit: install the trap vector
        mtcr    scratch, zero           ; exit: sum = 0
        la      s1, data
        li      s2, N
        li      s3, 31
loop:
        beqz    s2, done
        lw      a1, 0(s1)
        mfcr    a0, scratch             ; exit: read the sum
        mul     a0, a0, s3
        add     a0, a0, a1
        mtcr    scratch, a0             ; exit: write it back
        li      a0, 0                   ; the sum lives only in scratch
        addi    s1, s1, 4
        addi    s2, s2, -1
        b       loop
done:
        mfcr    a0, scratch             ; exit
        li      s2, 8                   ; eight hex digits, most significant first
digit:
        srli    a1, a0, 28
        slli    a0, a0, 4
        li      at, 10
        blt     a1, at, 1f
        addi    a1, a1, 'a' - 10 - '0'
1:      addi    a1, a1, '0'
        out     a1, CONSOLE             ; exit: one per character
        addi    s2, s2, -1
        bnez    s2, digit
        li      a1, '\n'
        out     a1, CONSOLE             ; exit
        halt                            ; exit: the hypervisor stops the VM

panic:
        la      s1, panicmsg
2:      lbu     a1, 0(s1)
        beqz    a1, 3f
        out     a1, CONSOLE
        addi    s1, s1, 1
        b       2b
3:      halt

vector:                                 ; no trap is expected: stop
        halt

panicmsg:
        .asciz  "panic: not in ring 0\n"
        .align  4
data:
