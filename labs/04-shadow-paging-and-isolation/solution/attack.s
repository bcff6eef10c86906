; attack.s -- reference attacker: a guest kernel that tries to leave its
; partition and then to keep the CPU with its interrupts off.  The lab
; prepends `.equ TARGET, ...` and `.equ MARKER, ...` with your own numbers.
        .org    0x1000
_start: la      s0, vector
        mtcr    tvb, s0                 ; exit: so that the fault comes back to me
        li      s1, TARGET              ; guest-physical, past my 1 MiB: VM 1's memory?
        li      s2, MARKER
        sw      s2, 0(s1)               ; paging is off: the shadow maps nothing there
after:  di                              ; exit: the virtual IE goes off, the real one stays on
spin:   j       spin                    ; keep the CPU forever

vector: la      a0, after               ; the VMM reflected BUS_ERROR into my vector:
        mtcr    epc, a0                 ; skip the store and go on with the attack
        iret
