; arch.s -- every privileged operation of the guest kernel, as macros, in one
; place.  The kernel never writes a privileged instruction anywhere else, so
; the paravirtualized build (-D PARAVIRT, `traplab vm --para`) replaces
; exactly these bodies with hypercalls and plain memory accesses, and each
; `.ifdef PARAVIRT` below, against its `.else`, is the lesson: "requiere
; modificaciones en el SO".  All of them may clobber `at`; the paravirtualized
; ones keep a0..a3 (the hypercall's registers) by saving them on the kernel
; stack.  The hypercall interface is in docs/hypercalls.md.

        .ifdef  PARAVIRT
        ; the page shared with the VMM: the one above the kernel stack
        ; (identity-mapped, so its virtual and physical addresses agree)
        .equ    SHARED_INFO, 0x1f000
        ; the hypercall numbers (HC_*) and the page's offsets (SH_*), made
        ; by `make docs` from the VMM's own tables (vmm/vmm.h)
        .include "abi.s"

        .macro  HC_SAVE                 ; a0..a3 to the kernel stack
        addi    sp, sp, -16
        sw      a0, 0(sp)
        sw      a1, 4(sp)
        sw      a2, 8(sp)
        sw      a3, 12(sp)
        .endm
        .macro  HC_RESTORE
        lw      a0, 0(sp)
        lw      a1, 4(sp)
        lw      a2, 8(sp)
        lw      a3, 12(sp)
        addi    sp, sp, 16
        .endm
        .endif

        .macro  SET_TRAP_VECTOR reg     ; where every trap and interrupt goes
        .ifdef  PARAVIRT
        HC_SAVE                         ; share a page with the VMM, then register the
        mov     at, \reg                ; vector and the same entry as the direct
        li      a0, HC_SHARED_INFO      ; system-call gate (the frame says why)
        li      a1, SHARED_INFO
        hcall
        li      a0, HC_SET_TRAP_TABLE
        mov     a1, at
        mov     a2, at
        hcall
        HC_RESTORE
        .else
        mtcr    tvb, \reg
        .endif
        .endm

        ; Boot only.  smsw is sensitive but not privileged on the legacy
        ; profile: in ring 1 it reads the real status without trapping and the
        ; kernel would print "ring 1".  The paravirtualized kernel knows it is
        ; the VM's ring 0, so it builds the word itself: ring 0, IE from the
        ; shared mask, paging still off at boot.  No exit, on any profile.
        .macro  READ_STATUS reg         ; the status word (ring, IE, PG)
        .ifdef  PARAVIRT
        li      \reg, SH_MASK
        lw      \reg, 0(\reg)           ; nonzero: virtual interrupts off
        sltiu   \reg, \reg, 1
        slli    \reg, \reg, 2           ; STATUS_IE
        .else
        smsw    \reg
        .endif
        .endm

        .macro  TRAP_CAUSE reg
        .ifdef  PARAVIRT
        lw      \reg, SH_CAUSE(zero)    ; the VMM wrote the frame: no exit
        .else
        mfcr    \reg, cause
        .endif
        .endm

        .macro  TRAP_SAVE_PC reg        ; epc and estatus of the trap
        .ifdef  PARAVIRT
        lw      \reg, SH_EPC(zero)
        .else
        mfcr    \reg, epc
        .endif
        .endm
        .macro  TRAP_SAVE_STATUS reg
        .ifdef  PARAVIRT
        lw      \reg, SH_ESTATUS(zero)
        .else
        mfcr    \reg, estatus
        .endif
        .endm

        ; A new address space: one exit either way (Xen makes it a hypercall,
        ; mmuext_op NEW_BASEPTR; an emulated mtcr costs the same here).
        .macro  SET_ADDRESS_SPACE reg   ; level-1 table of the next task
        mtcr    ptb, \reg
        .endm

        .macro  PAGING_ON               ; boot only: left trapping
        mfcr    at, status
        ori     at, at, 8               ; STATUS_PG
        mtcr    status, at
        .endm

        ; After page-table entries changed.  Paravirtualized: the queued
        ; updates go to the VMM in one validated batch with the flush.
        .macro  FLUSH_TLB
        .ifdef  PARAVIRT
        HC_SAVE
        li      a0, HC_MMU_UPDATE
        li      a1, SH_MMU_QUEUE
        lw      a2, SH_MMU_COUNT(zero)
        li      a3, 1                   ; and flush the TLB
        hcall
        sw      zero, SH_MMU_COUNT(zero)
        HC_RESTORE
        .else
        tlbflush
        .endif
        .endm

        .macro  SET_TIMER reg           ; period in cycles
        .ifdef  PARAVIRT
        HC_SAVE
        mov     at, \reg
        li      a0, HC_SET_TIMER
        mov     a1, at
        hcall
        HC_RESTORE
        .else
        mtcr    timecmp, \reg
        .endif
        .endm

        .macro  ACK_TIMER
        .ifdef  PARAVIRT
        ; nothing: delivering the virtual interrupt consumed it
        .else
        out     zero, TIMER_CTRL
        .endif
        .endm

        ; Interrupts off, saving the old state on the stack.  Paravirtualized:
        ; the mask in the shared page, plain loads and stores, no exit.
        .macro  IRQ_SAVE
        .ifdef  PARAVIRT
        ; TODO (lab 05): the virtual interrupt flag lives in the shared page
        ; (SH_MASK: nonzero = interrupts off).  Save it and turn interrupts off
        ; with plain loads and stores: no exit, no pushf.
        pushf
        di
        .else
        pushf
        di
        .endif
        .endm

        .macro  IRQ_RESTORE             ; pop the state pushed by IRQ_SAVE
        .ifdef  PARAVIRT
        ; TODO (lab 05): restore the saved mask into SH_MASK.  If that turns
        ; interrupts back on and the VMM left one pending (SH_PENDING), make
        ; any hypercall so that it can deliver it.
        popf
        .else
        popf
        .endif
        .endm

        .macro  PUTC reg                ; one character to the console
        .ifdef  PARAVIRT
        ; TODO (lab 05): one console_write hypercall (a0 = HC_CONSOLE_WRITE,
        ; a1 = buffer, a2 = length) with the character stored at SH_PUTC.
        out     \reg, CONSOLE
        .else
        out     \reg, CONSOLE
        .endif
        .endm

        ; len bytes at addr to the console, one port write (one exit under a
        ; VMM) per byte; clobbers both registers and at.  Paravirtualized: the
        ; whole buffer in one hypercall.
        .macro  CONSOLE_WRITE addr, len
        .ifdef  PARAVIRT
        ; TODO (lab 05): the whole buffer in one console_write hypercall.
        ; Keep a0..a3 (HC_SAVE / HC_RESTORE); addr or len may be a1 or a2.
pcw_loop\@: beqz \len, pcw_done\@
        lbu     at, 0(\addr)
        out     at, CONSOLE
        addi    \addr, \addr, 1
        addi    \len, \len, -1
        j       pcw_loop\@
pcw_done\@:
        .else
cw_loop\@: beqz  \len, cw_done\@
        lbu     at, 0(\addr)
        out     at, CONSOLE
        addi    \addr, \addr, 1
        addi    \len, \len, -1
        j       cw_loop\@
cw_done\@:
        .endif
        .endm

        ; Store a page-table entry of the running address space.  Natively a
        ; plain store; under a full-virtualization VMM it traps (the table is
        ; write-protected in the shadow) and is emulated.  Paravirtualized it
        ; is queued for the VMM (Xen's mmu_update), sent by FLUSH_TLB; value
        ; and addr must not be a0.
        .macro  PTE_WRITE value, addr
        .ifdef  PARAVIRT
        push    a0
        lw      a0, SH_MMU_COUNT(zero)
        slli    at, a0, 3
        addi    at, at, SH_MMU_QUEUE
        sw      \addr, 0(at)
        sw      \value, 4(at)
        addi    a0, a0, 1
        sw      a0, SH_MMU_COUNT(zero)
        pop     a0
        .else
        sw      \value, 0(\addr)
        .endif
        .endm

        ; One sector transfer; status |= its device status.  Natively the
        ; transfer is synchronous, four port accesses (four exits under a VMM).
        ; Paravirtualized: a request in the shared ring (status is scratch
        ; until BLOCK_SUBMIT), sent with one notification for the batch.
        .macro  BLOCK_QUEUE sector, pa, cmd, status
        .ifdef  PARAVIRT
        lw      \status, SH_RING_PROD(zero)
        andi    at, \status, 15
        slli    at, at, 4
        addi    at, at, SH_RING
        sw      \sector, 0(at)
        sw      \pa, 4(at)
        sw      \cmd, 8(at)
        addi    \status, \status, 1
        sw      \status, SH_RING_PROD(zero)
        .else
        out     \sector, BLK_SECTOR
        out     \pa, BLK_ADDR
        out     \cmd, BLK_CMD
        in      at, BLK_STATUS
        or      \status, \status, at
        .endif
        .endm

        .macro  BLOCK_SUBMIT status     ; status = OR of the queued transfers' statuses
        .ifdef  PARAVIRT
        HC_SAVE
        li      a0, HC_BLOCK_NOTIFY
        hcall
        mov     at, a0
        HC_RESTORE
        mov     \status, at
        .endif
        .endm

        ; Return to the task whose epc/estatus are in the two registers.
        .macro  RETURN_TO_USER epcreg, streg
        .ifdef  PARAVIRT
        sw      \epcreg, SH_EPC(zero)
        sw      \streg, SH_ESTATUS(zero)
        .else
        mtcr    epc, \epcreg
        mtcr    estatus, \streg
        .endif
        .endm
        .macro  ENTER_USER              ; status = estatus, pc = epc
        .ifdef  PARAVIRT
        sw      a0, SH_SAVED_A0(zero)   ; every register is the user's by now
        li      a0, HC_IRET
        hcall
        .else
        iret
        .endif
        .endm

        .macro  POWER_OFF
        .ifdef  PARAVIRT
        li      a0, HC_SHUTDOWN
        hcall
        .else
        halt
        .endif
        .endm
