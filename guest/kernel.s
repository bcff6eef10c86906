; kernel.s -- the traplab guest kernel: a tiny operating system that boots
; on the bare machine in ring 0 and, unmodified, under the VMM in ring 1.
;
; It installs its trap vector, builds one address space per task (kernel
; identity-mapped for ring 0, the task's 64 KiB at USER_VA for ring 3), turns
; paging on, programs the timer and runs NTASKS copies of the user program
; round-robin on timer ticks, serving system calls (layout.s).  When every
; task has exited it prints each exit code and a checksum of them, and halts.
; The user program comes from the loader (docs/guest.md): it is copied from
; PROG_BASE into each task's own frames.
;
; Register use: a trap saves r1..r14 in the current task's frame; k0 is the
; kernel's (user code must not rely on it, as with MIPS k0).  The kernel runs
; with interrupts off and one stack.  Privileged instructions appear only in
; arch.s.

        .include "layout.s"
        .include "arch.s"

        .ifndef NTASKS
        .equ    NTASKS, 2
        .endif
        .ifndef TICK
        .equ    TICK, 1000000           ; cycles between timer interrupts (1 ms at 1 GHz)
        .endif
        .equ    KSTACK_TOP, 0x1f000
        .equ    PT_L1, 0x20000          ; task i's level-1 table: PT_L1 + i * 4096
        .equ    PT_KERNEL_L2, 0x24000   ; va 0..4 MiB, shared by every task
        .equ    PT_USER_L2, 0x25000     ; task i's va 4..8 MiB: PT_USER_L2 + i * 4096
        .equ    TASK_MEM, 0x90000       ; task i's frames: TASK_MEM + i * USER_SIZE
        .equ    MAP_POOL, 0xd0000       ; task i's SYS_MAP pages: MAP_POOL + i * 32 KiB
        .equ    KERNEL_PAGES, 256       ; the kernel maps the first 1 MiB
        .equ    PTE_KERNEL, 0x0f        ; V R W X, ring 0 only
        .equ    PTE_USER, 0x3f          ; V R W X, ring 3
        .equ    PTE_USER_DATA, 0x37     ; V R W, ring 3
        .equ    USER_STATUS, 0x0f       ; ring 3, IE, PG
        .equ    CAUSE_SYSCALL, 1
        .equ    CAUSE_TIMER, 10

        ; a task's frame: r1..r14 at 4 * n, then these
        .equ    FR_EPC, 64
        .equ    FR_ESTATUS, 68
        .equ    FR_STATE, 72            ; 1 runnable, 0 exited
        .equ    FR_EXIT, 76
        .equ    FRAME_SIZE, 80

        .if NTASKS < 1 || NTASKS > 4
        .error  "NTASKS must be 1 to 4"
        .endif

        .org    0x1000
_start:
        li      sp, KSTACK_TOP
        la      s0, trap_entry
        SET_TRAP_VECTOR s0
        la      a0, banner
        call    puts
        READ_STATUS s0                  ; ring 0 natively; a VMM must make it say so too
        andi    a0, s0, 3
        addi    a0, a0, '0'
        PUTC    a0
        li      a0, '\n'
        PUTC    a0

        li      s0, PROG_INFO           ; did the loader give us a program?
        lw      s1, 0(s0)
        li      s2, PROG_MAGIC
        beq     s1, s2, 1f
        la      a0, noprog_msg
        call    puts
        POWER_OFF
1:      lw      s1, 4(s0)
        la      s2, prog_entry
        sw      s1, 0(s2)
        lw      s1, 8(s0)
        la      s2, prog_size
        sw      s1, 0(s2)

        ; the kernel's level-2 table: identity-map pages 1..255 (page 0 stays
        ; unmapped so that a null pointer faults)
        li      s0, PT_KERNEL_L2 + 4
        li      s1, 0x1000 | PTE_KERNEL
        li      s2, KERNEL_PAGES - 1
        li      s3, 0x1000
2:      sw      s1, 0(s0)
        addi    s0, s0, 4
        add     s1, s1, s3
        addi    s2, s2, -1
        bnez    s2, 2b

        li      s4, 0
3:      mov     a0, s4
        call    setup_task
        addi    s4, s4, 1
        li      s5, NTASKS
        blt     s4, s5, 3b
        li      a0, NTASKS
        la      s0, nlive
        sw      a0, 0(s0)

        li      a0, 0
        call    select_task             ; task 0's address space
        PAGING_ON
        li      s0, TICK
        SET_TIMER s0
        j       return_to_user

; setup_task: a0 = task number.  Page tables, a copy of the program, a frame.
; Clobbers a1-a3, s0-s3.
setup_task:
        slli    s0, a0, 12
        li      s1, PT_L1
        add     s1, s1, s0              ; s1 = level-1 table
        li      a1, PT_KERNEL_L2 | 1
        sw      a1, 0(s1)
        li      s2, PT_USER_L2
        add     s2, s2, s0              ; s2 = user level-2 table
        ori     a1, s2, 1
        sw      a1, 4(s1)
        slli    s3, a0, 16
        li      a1, TASK_MEM
        add     s3, s3, a1              ; s3 = the task's frames
        ori     a1, s3, PTE_USER
        li      a2, USER_SIZE / 4096
        li      a3, 0x1000
1:      sw      a1, 0(s2)
        addi    s2, s2, 4
        add     a1, a1, a3
        addi    a2, a2, -1
        bnez    a2, 1b
        la      a1, prog_size           ; copy the program, word by word
        lw      a2, 0(a1)
        addi    a2, a2, 3
        srli    a2, a2, 2
        li      a1, PROG_BASE
2:      beqz    a2, 3f
        lw      a3, 0(a1)
        sw      a3, 0(s3)
        addi    a1, a1, 4
        addi    s3, s3, 4
        addi    a2, a2, -1
        j       2b
3:      li      a1, FRAME_SIZE
        mul     a1, a1, a0
        la      s0, frames
        add     s0, s0, a1
        sw      a0, 4(s0)               ; a0 = task number
        li      a1, USER_TOP
        sw      a1, 52(s0)              ; sp
        la      a1, prog_entry
        lw      a1, 0(a1)
        sw      a1, FR_EPC(s0)
        li      a1, USER_STATUS
        sw      a1, FR_ESTATUS(s0)
        li      a1, 1
        sw      a1, FR_STATE(s0)
        ret

; select_task: a0 = task number becomes current, with its address space.
; Clobbers a1, a2.
select_task:
        la      a1, cur_task
        sw      a0, 0(a1)
        li      a1, FRAME_SIZE
        mul     a1, a1, a0
        la      a2, frames
        add     a2, a2, a1
        la      a1, cur_frame
        sw      a2, 0(a1)
        slli    a1, a0, 12
        li      a2, PT_L1
        add     a1, a1, a2
        SET_ADDRESS_SPACE a1
        ret

; ---- every trap and interrupt arrives here ---------------------------------
trap_entry:
        la      k0, cur_frame
        lw      k0, 0(k0)
        sw      r1, 4(k0)
        sw      r2, 8(k0)
        sw      r3, 12(k0)
        sw      r4, 16(k0)
        sw      r5, 20(k0)
        sw      r6, 24(k0)
        sw      r7, 28(k0)
        sw      r8, 32(k0)
        sw      r9, 36(k0)
        sw      r10, 40(k0)
        sw      r11, 44(k0)
        sw      r12, 48(k0)
        sw      r13, 52(k0)
        sw      r14, 56(k0)
        TRAP_SAVE_PC r1
        sw      r1, FR_EPC(k0)
        TRAP_SAVE_STATUS r1
        sw      r1, FR_ESTATUS(k0)
        li      sp, KSTACK_TOP
        andi    r1, r1, 3
        beqz    r1, kernel_trap         ; from ring 0: a kernel bug
        TRAP_CAUSE s0
        andi    s0, s0, 0xff
        li      s1, CAUSE_SYSCALL
        beq     s0, s1, syscall
        li      s1, CAUSE_TIMER
        beq     s0, s1, timer_irq
        ; any other trap from user code kills the task
        la      a0, killed_msg
        call    puts
        la      a0, cur_task
        lw      a0, 0(a0)
        addi    a0, a0, '0'
        PUTC    a0
        la      a0, cause_msg
        call    puts
        mov     a0, s0
        call    puthex
        la      a0, pc_msg
        call    puts
        la      k0, cur_frame
        lw      k0, 0(k0)
        lw      a0, FR_EPC(k0)
        call    puthex
        li      a0, '\n'
        PUTC    a0
        li      a1, 0xdead0000
        or      a1, a1, s0
        j       do_exit

kernel_trap:
        la      a0, panic_msg
        call    puts
        TRAP_CAUSE a0
        call    puthex
        la      a0, pc_msg
        call    puts
        la      k0, cur_frame
        lw      k0, 0(k0)
        lw      a0, FR_EPC(k0)
        call    puthex
        li      a0, '\n'
        PUTC    a0
        POWER_OFF

timer_irq:
        ACK_TIMER
        j       schedule

; ---- system calls: a0 = number, a1..a3 arguments, a0 result ---------------------
syscall:
        lw      a0, 4(k0)
        lw      a1, 8(k0)
        lw      a2, 12(k0)
        lw      a3, 16(k0)
        li      s1, NSYSCALLS
        bgeu    a0, s1, sys_bad
        slli    s1, a0, 2
        la      s2, syscall_table
        add     s2, s2, s1
        lw      s2, 0(s2)
        jr      s2
sys_bad:
        li      a0, -1
sys_return:
        la      k0, cur_frame
        lw      k0, 0(k0)
        sw      a0, 4(k0)
        j       return_to_user

sys_exit:
do_exit:                                ; a1 = exit code
        la      k0, cur_frame
        lw      k0, 0(k0)
        sw      a1, FR_EXIT(k0)
        sw      zero, FR_STATE(k0)
        la      s0, nlive
        lw      s1, 0(s0)
        addi    s1, s1, -1
        sw      s1, 0(s0)
        j       schedule

sys_write:                              ; a1 = buffer, a2 = length
        li      s0, 4096
        bltu    s0, a2, sys_bad
        li      s0, USER_VA
        bltu    a1, s0, sys_bad
        add     s1, a1, a2
        li      s0, USER_TOP
        bltu    s0, s1, sys_bad
        IRQ_SAVE
        mov     s2, a1
        mov     s3, a2
        CONSOLE_WRITE s2, s3
        IRQ_RESTORE
        mov     a0, a2
        j       sys_return

sys_yield:
        la      k0, cur_frame
        lw      k0, 0(k0)
        sw      zero, 4(k0)
        j       schedule

sys_bread:
        li      s5, 1                   ; BLOCK_CMD_READ
        li      a3, 1
        j       block_io
sys_bwrite:
        li      s5, 2                   ; BLOCK_CMD_WRITE
        li      a3, 1
        j       block_io
sys_breadv:
        li      s5, 1
        j       block_io
sys_bwritev:
        li      s5, 2
block_io:                               ; a1 = first sector, a2 = buffer, a3 = count, s5 = command
        li      s0, 1
        bltu    a3, s0, sys_bad
        li      s0, BLOCK_BATCH
        bltu    s0, a3, sys_bad
        li      s0, USER_VA
        bltu    a2, s0, sys_bad
        slli    s1, a3, 9
        add     s1, a2, s1
        li      s0, USER_TOP
        bltu    s0, s1, sys_bad
        la      s0, cur_task            ; the device wants a physical address
        lw      s0, 0(s0)
        slli    s0, s0, 16
        li      s1, TASK_MEM
        add     s0, s0, s1
        li      s1, USER_VA
        sub     s1, a2, s1
        add     s0, s0, s1
        li      a0, 0
1:      BLOCK_QUEUE a1, s0, s5, a0      ; natively each sector is a synchronous transfer;
        addi    a1, a1, 1               ; paravirtualized, a request in the shared ring
        addi    s0, s0, 512
        addi    a3, a3, -1
        bnez    a3, 1b
        BLOCK_SUBMIT a0                 ; ... and one notification for the batch
        j       sys_return

; map_pte: s1 = address of the page-table entry for page a1 of SYS_MAP
map_pte:
        la      s0, cur_task
        lw      s0, 0(s0)
        slli    s1, s0, 12
        li      s2, PT_USER_L2 + (MAP_VA - USER_VA) / 1024
        add     s1, s1, s2
        slli    s2, a1, 2
        add     s1, s1, s2
        ret

sys_map:                                ; a1 = k
        li      a2, 1
sys_mapv:                               ; a1 = first k, a2 = count
        li      s0, MAP_PAGES
        bgeu    a1, s0, sys_bad
        beqz    a2, sys_bad
        add     s1, a1, a2
        bltu    s0, s1, sys_bad
        call    map_pte
        slli    s2, s0, 15              ; this task's pool
        li      s3, MAP_POOL
        add     s2, s2, s3
        slli    s3, a1, 12
        add     s2, s2, s3
        mov     s4, a2
1:      ori     s3, s2, PTE_USER_DATA
        PTE_WRITE s3, s1                ; a page-table write: the VMM must see it
        addi    s1, s1, 4
        addi    s2, s2, 4096
        addi    s4, s4, -1
        bnez    s4, 1b
        FLUSH_TLB                       ; one flush for the batch
        slli    a0, a1, 12
        li      s0, MAP_VA
        add     a0, a0, s0
        j       sys_return

sys_unmap:                              ; a1 = k
        li      a2, 1
sys_unmapv:                             ; a1 = first k, a2 = count
        li      s0, MAP_PAGES
        bgeu    a1, s0, sys_bad
        beqz    a2, sys_bad
        add     s1, a1, a2
        bltu    s0, s1, sys_bad
        call    map_pte
        mov     s4, a2
1:      PTE_WRITE zero, s1
        addi    s1, s1, 4
        addi    s4, s4, -1
        bnez    s4, 1b
        FLUSH_TLB
        li      a0, 0
        j       sys_return

sys_getid:
        la      a0, cur_task
        lw      a0, 0(a0)
        j       sys_return

; ---- scheduling: round robin over the runnable tasks ------------------------------
schedule:
        la      s0, nlive
        lw      s0, 0(s0)
        beqz    s0, all_done
        la      s1, cur_task
        lw      s1, 0(s1)
        li      s3, NTASKS
1:      addi    s1, s1, 1
        blt     s1, s3, 2f
        li      s1, 0
2:      li      s2, FRAME_SIZE
        mul     s2, s2, s1
        la      s4, frames
        add     s4, s4, s2
        lw      s2, FR_STATE(s4)
        beqz    s2, 1b
        mov     a0, s1
        call    select_task
return_to_user:
        la      k0, cur_frame
        lw      k0, 0(k0)
        lw      r1, FR_EPC(k0)
        lw      r2, FR_ESTATUS(k0)
        RETURN_TO_USER r1, r2
        lw      r1, 4(k0)
        lw      r2, 8(k0)
        lw      r3, 12(k0)
        lw      r4, 16(k0)
        lw      r5, 20(k0)
        lw      r6, 24(k0)
        lw      r7, 28(k0)
        lw      r8, 32(k0)
        lw      r9, 36(k0)
        lw      r10, 40(k0)
        lw      r11, 44(k0)
        lw      r12, 48(k0)
        lw      r13, 52(k0)
        lw      r14, 56(k0)
        ENTER_USER

all_done:
        la      a0, done_msg
        call    puts
        li      s0, 0
        li      s1, 0                   ; checksum = rotl(checksum, 5) ^ exit code
1:      la      a0, task_msg
        call    puts
        addi    a0, s0, '0'
        PUTC    a0
        la      a0, exit_msg
        call    puts
        li      s2, FRAME_SIZE
        mul     s2, s2, s0
        la      s3, frames
        add     s3, s3, s2
        lw      s2, FR_EXIT(s3)
        mov     a0, s2
        call    puthex
        li      a0, '\n'
        PUTC    a0
        slli    s3, s1, 5
        srli    s4, s1, 27
        or      s1, s3, s4
        xor     s1, s1, s2
        addi    s0, s0, 1
        li      s2, NTASKS
        blt     s0, s2, 1b
        la      a0, sum_msg
        call    puts
        mov     a0, s1
        call    puthex
        li      a0, '\n'
        PUTC    a0
        POWER_OFF

; ---- console helpers ----------------------------------------------------------------
; puts: the NUL-terminated string at a0, in one CONSOLE_WRITE.  Clobbers a0-a3.
puts:
        mov     a1, a0
        mov     a2, a0
1:      lbu     a3, 0(a2)
        beqz    a3, 2f
        addi    a2, a2, 1
        j       1b
2:      sub     a2, a2, a1
        CONSOLE_WRITE a1, a2
        ret

; puthex: a0 as 8 hex digits, in one CONSOLE_WRITE.  Clobbers a0-a3.
puthex:
        mov     a1, a0
        la      a3, hexbuf
        li      a2, 8
1:      srli    a0, a1, 28
        slti    at, a0, 10
        beqz    at, 2f
        addi    a0, a0, '0'
        j       3f
2:      addi    a0, a0, 'a' - 10
3:      sb      a0, 0(a3)
        addi    a3, a3, 1
        slli    a1, a1, 4
        addi    a2, a2, -1
        bnez    a2, 1b
        la      a1, hexbuf
        li      a2, 8
        CONSOLE_WRITE a1, a2
        ret

syscall_table:
        .word   sys_exit, sys_write, sys_yield, sys_bread, sys_bwrite, sys_map, sys_unmap, sys_getid
        .word   sys_breadv, sys_bwritev, sys_mapv, sys_unmapv

banner:     .asciz  "traplab guest kernel: running in ring "
noprog_msg: .asciz  "no user program loaded (see docs/guest.md)\n"
killed_msg: .asciz  "task "
cause_msg:  .asciz  ": killed by trap cause 0x"
pc_msg:     .asciz  " at pc 0x"
panic_msg:  .asciz  "kernel panic: trap cause 0x"
done_msg:   .asciz  "all tasks done\n"
task_msg:   .asciz  "task "
exit_msg:   .asciz  " exit 0x"
sum_msg:    .asciz  "checksum 0x"
hexbuf:     .space  8

        .align  4
cur_task:   .word   0
cur_frame:  .word   0
nlive:      .word   0
prog_entry: .word   0
prog_size:  .word   0
frames:     .space  NTASKS * FRAME_SIZE

        .if . > KSTACK_TOP - 0x2000
        .error  "the kernel has grown into its stack"
        .endif
