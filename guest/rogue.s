; rogue.s -- a rogue guest kernel, to run beside good ones:
;   traplab vm --guest kernel --guest rogue --program cpu --vms 2
; It says hello on its console, then writes far outside its own
; guest-physical memory (where a neighbour VM's memory or the VMM's would
; be, were the VMs not isolated) and, if that ever returned, would print
; "ESCAPED".  The VMM stops the access; the other VMs go on undisturbed.

        .org 0x1000
_start: la      s0, hello
        call    puts
        li      a0, 0x00f00000          ; 15 MiB: outside this VM's 1 MiB
        li      a1, 0x0bad0bad
        sw      a1, 0(a0)               ; isolation stops this
        la      s0, escaped
        call    puts
        halt

; puts: prints the string at s0 on the console (port 0x10).
puts:   lbu     a0, 0(s0)
        beq     a0, zero, 1f
        out     a0, 0x10
        addi    s0, s0, 1
        b       puts
1:      ret

hello:  .asciz  "rogue kernel: writing outside my memory\n"
escaped: .asciz "ESCAPED\n"
