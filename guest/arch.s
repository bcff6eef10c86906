; arch.s -- every privileged operation of the guest kernel, as macros, in one
; place.  The kernel never writes a privileged instruction anywhere else, so
; that a paravirtualized build (-D PARAVIRT, issue 5) replaces exactly these
; bodies with hypercalls and `diff` of the two is the lesson: "requiere
; modificaciones en el SO".  All of them may clobber `at`.

        .macro  SET_TRAP_VECTOR reg     ; where every trap and interrupt goes
        mtcr    tvb, \reg
        .endm

        .macro  READ_STATUS reg         ; the status word (ring, IE, PG)
        smsw    \reg
        .endm

        .macro  TRAP_CAUSE reg
        mfcr    \reg, cause
        .endm

        .macro  TRAP_SAVE_PC reg        ; epc and estatus of the trap
        mfcr    \reg, epc
        .endm
        .macro  TRAP_SAVE_STATUS reg
        mfcr    \reg, estatus
        .endm

        .macro  SET_ADDRESS_SPACE reg   ; level-1 table of the next task
        mtcr    ptb, \reg
        .endm

        .macro  PAGING_ON
        mfcr    at, status
        ori     at, at, 8               ; STATUS_PG
        mtcr    status, at
        .endm

        .macro  FLUSH_TLB               ; after a page-table entry changed
        tlbflush
        .endm

        .macro  SET_TIMER reg           ; period in cycles
        mtcr    timecmp, \reg
        .endm

        .macro  ACK_TIMER
        out     zero, TIMER_CTRL
        .endm

        .macro  IRQ_SAVE                ; push the status, interrupts off
        pushf
        di
        .endm

        .macro  IRQ_RESTORE             ; pop the status pushed by IRQ_SAVE
        popf
        .endm

        .macro  PUTC reg                ; one character to the console
        out     \reg, CONSOLE
        .endm

        ; len bytes at addr to the console, one port write (one exit under a
        ; VMM) per byte; clobbers both registers and at.  A paravirtualized
        ; kernel sends the whole buffer in one hypercall instead.
        .macro  CONSOLE_WRITE addr, len
cw_loop\@: beqz  \len, cw_done\@
        lbu     at, 0(\addr)
        out     at, CONSOLE
        addi    \addr, \addr, 1
        addi    \len, \len, -1
        j       cw_loop\@
cw_done\@:
        .endm

        ; Store a page-table entry of the running address space.  Natively a
        ; plain store; under a full-virtualization VMM it traps (the table is
        ; write-protected in the shadow) and is emulated; a paravirtualized
        ; kernel asks the VMM (Xen's mmu_update) instead.
        .macro  PTE_WRITE value, addr
        sw      \value, 0(\addr)
        .endm

        .macro  BLOCK_IO sector, pa, cmd, status   ; synchronous sector transfer
        out     \sector, BLK_SECTOR
        out     \pa, BLK_ADDR
        out     \cmd, BLK_CMD
        in      \status, BLK_STATUS
        .endm

        ; Return to the task whose epc/estatus are in the two registers.
        .macro  RETURN_TO_USER epcreg, streg
        mtcr    epc, \epcreg
        mtcr    estatus, \streg
        .endm
        .macro  ENTER_USER              ; status = estatus, pc = epc
        iret
        .endm

        .macro  POWER_OFF
        halt
        .endm
