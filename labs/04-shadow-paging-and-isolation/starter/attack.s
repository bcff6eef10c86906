; attack.s -- your attacker: a guest kernel (it starts at _start in virtual
; ring 0, paging and interrupts off) that runs in VM 0 beside VMs running the
; real guest kernel.  It must
;   1. try to write MARKER at guest-physical address TARGET, past the end of
;      its own 1 MiB (where the next VM's memory would be without isolation),
;   2. then keep the CPU forever with its interrupts off.
; The lab prepends `.equ TARGET, ...` and `.equ MARKER, ...` (your numbers:
; `traplab lab show 04-shadow-paging-and-isolation --student YOUR_ID`).
        .org    0x1000
_start: li      s1, TARGET
        li      s2, MARKER
        sw      s2, 0(s1)               ; TODO: what happens to this store?
        di
spin:   j       spin
