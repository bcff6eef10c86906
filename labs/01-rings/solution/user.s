; user.s -- reference solution of lab 01 for student "reference": the same
; program as the starter, with every privileged instruction replaced by a
; system call to the lab's kernel.

        .equ    SYS_EXIT, 0
        .equ    SYS_PUTC, 1

        .macro  putc ch
        li      a0, SYS_PUTC
        li      a1, \ch
        syscall
        .endm

main:
        putc    'h'
        putc    'i'
        putc    ' '
        putc    'g'
        putc    'u'
        putc    'e'
        putc    's'
        putc    't'
        putc    '\n'
        li      a0, SYS_EXIT
        syscall
