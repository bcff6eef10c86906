; hello.s -- hello world on the console: the smallest complete traplab program.
;   traplab asm samples/hello.s && traplab run samples/hello.tlo

        .equ    CONSOLE, 0x10           ; console data port (machine/devices.h)

        .org    0x1000
_start:
        li      sp, 0x8000              ; the machine starts with sp = 0
        la      s0, msg
1:      lbu     a0, 0(s0)               ; next character
        beqz    a0, 2f                  ; the string ends with a NUL
        out     a0, CONSOLE
        addi    s0, s0, 1
        b       1b
2:      halt

msg:    .asciz  "Hello, world!\n"
