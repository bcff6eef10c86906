; user.s -- runs in ring 3, started by the lab's kernel (guest/kernel.s) at `main`.
;
; It does not work: `out` and `halt` are privileged, so the first `out` traps
; and the kernel stops the machine with "!2" (cause 2, ILLEGAL_PRIV).
; Rewrite it with the kernel's system calls so that it prints YOUR message
; (see `traplab lab show 01-rings`) and exits cleanly:
;     li a0, 1 / li a1, 'x' / syscall      print the character 'x'
;     li a0, 0 / syscall                   exit

main:
        li      a1, 'h'
        out     a1, 0x10
        li      a1, 'i'
        out     a1, 0x10
        li      a1, '\n'
        out     a1, 0x10
        halt
