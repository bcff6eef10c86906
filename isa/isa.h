/*
 * isa.h -- the traplab instruction set architecture.
 *
 * Everything a program can observe about the processor is defined here:
 * instruction encodings (from isa.def), registers, control registers, the
 * status word, trap causes and page-table entries.  isa/ depends on nothing;
 * the machine, the assembler and the tools all build on it.
 *
 * Instruction layout (32 bits, fixed width, little-endian in memory):
 *
 *     31      26 25   22 21   18 17   14 13                       0
 *    +----------+-------+-------+-------+---------------------------+
 *  R |  opcode  |  rd   |  rs1  |  rs2  |         (zero)            |
 *    +----------+-------+-------+-------+---------------------------+
 *  I |  opcode  |  rd   |  rs1  |            imm18                  |
 *    +----------+-------+-------+-----------------------------------+
 *  B |  opcode  |  rs1  |  rs2  |       word offset, signed 18      |
 *    +----------+-------+-------+-----------------------------------+
 *  U |  opcode  |  rd   | (0) |              imm20                  |
 *    +----------+-------+-----+-------------------------------------+
 *  J |  opcode  |            word offset, signed 26                 |
 *    +----------+---------------------------------------------------+
 *
 * The other formats reuse these fields (see isa_format below): loads and
 * stores are I (a store's value register sits in the rd field), a control
 * register number sits in the rs1 field (mfcr) or the rd field (mtcr), and
 * an I/O port number in the imm18 field.  Unused fields encode as zero.
 */
#ifndef TRAPLAB_ISA_H
#define TRAPLAB_ISA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ISA_VERSION "1.0"

/* ---- instruction fields -------------------------------------------- */
#define ISA_OP(w)      ((uint32_t)(w) >> 26)
#define ISA_RD(w)      (((uint32_t)(w) >> 22) & 0xf)
#define ISA_RS1(w)     (((uint32_t)(w) >> 18) & 0xf)
#define ISA_RS2(w)     (((uint32_t)(w) >> 14) & 0xf)
#define ISA_UIMM18(w)  ((uint32_t)(w) & 0x3ffff)
#define ISA_SIMM18(w)  ((int32_t)((uint32_t)(w) << 14) >> 14)
#define ISA_UIMM20(w)  ((uint32_t)(w) & 0xfffff)
#define ISA_SOFF26(w)  ((int32_t)((uint32_t)(w) << 6) >> 6)
/* Branch: rs1 in bits 25:22, rs2 in 21:18 (where rd and rs1 sit in I). */
#define ISA_BRS1(w)    ISA_RD(w)
#define ISA_BRS2(w)    ISA_RS1(w)

#define ISA_SIMM18_MIN (-(1 << 17))
#define ISA_SIMM18_MAX ((1 << 17) - 1)
#define ISA_UIMM18_MAX ((1 << 18) - 1)
#define ISA_UIMM20_MAX ((1 << 20) - 1)
#define ISA_SOFF26_MIN (-(1 << 25))
#define ISA_SOFF26_MAX ((1 << 25) - 1)

/* ---- the instruction table ------------------------------------------ */
typedef enum {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) OP_##NAME = op,
#include "isa.def"
#undef INSN
} isa_opcode;

#define ISA_NUM_OPCODES 64

/* Operand formats: how the fields are used and how the assembler spells them. */
#define ISA_FORMATS(X) \
    X(R,    "rd, rs1, rs2") \
    X(I,    "rd, rs1, simm18") \
    X(IU,   "rd, rs1, uimm18") \
    X(SH,   "rd, rs1, shamt") \
    X(U,    "rd, uimm20") \
    X(LOAD, "rd, simm18(rs1)") \
    X(STORE,"rs2, simm18(rs1)") \
    X(B,    "rs1, rs2, label") \
    X(J,    "label") \
    X(N,    "") \
    X(R1,   "rd") \
    X(CRR,  "rd, cr") \
    X(CRW,  "cr, rs1") \
    X(PIN,  "rd, port") \
    X(POUT, "rs1, port")

typedef enum {
#define X(name, syntax) FMT_##name,
    ISA_FORMATS(X)
#undef X
    FMT_COUNT
} isa_format;

typedef enum { PRIV_USER, PRIV_PRIV, PRIV_LEGACY } isa_privilege;
/* A set of Popek and Goldberg's sensitive classes: test with &. */
typedef enum { SENS_INNOCUOUS = 0, SENS_CONTROL = 1, SENS_BEHAVIOR = 2,
               SENS_CONTROL_BEHAVIOR = SENS_CONTROL | SENS_BEHAVIOR } isa_sensitivity;
typedef enum { PROFILE_STRICT, PROFILE_LEGACY } isa_profile;

typedef struct {
    const char *name;       /* enum name, e.g. "ADD" */
    const char *mnemonic;   /* assembler spelling, e.g. "add" */
    uint8_t opcode;
    isa_format format;
    isa_privilege privilege;
    isa_sensitivity sensitivity;
    uint8_t cycles;
    const char *meaning;
} isa_insn;

/* The table, indexed by opcode; unused opcodes have mnemonic == NULL. */
extern const isa_insn isa_table[ISA_NUM_OPCODES];

/* NULL when the opcode is unused (executing it traps ILLEGAL_INSN). */
const isa_insn *isa_lookup_opcode(uint32_t opcode);
/* Case-insensitive; NULL when unknown. */
const isa_insn *isa_lookup_mnemonic(const char *mnemonic);
/* The closest mnemonic by edit distance, for "did you mean"; NULL if none is close. */
const char *isa_suggest_mnemonic(const char *word);
/* Case-insensitive edit distance, for suggestions among any names (99 when a word is long). */
int isa_edit_distance(const char *a, const char *b);
const char *isa_format_syntax(isa_format f);
const char *isa_format_name(isa_format f);

/* Does this instruction trap with ILLEGAL_PRIV outside ring 0 under profile p? */
bool isa_is_privileged(const isa_insn *in, isa_profile p);
bool isa_is_sensitive(const isa_insn *in);
bool isa_is_control_sensitive(const isa_insn *in);
bool isa_is_behavior_sensitive(const isa_insn *in);
/*
 * Sensitive when executed in user mode (ring 3), the condition of Popek and
 * Goldberg's Theorem 3: an instruction that reads the configuration
 * (BEHAVIOR alone) reads it in every ring; one that changes it has its change
 * dropped outside ring 0 or traps (CONTROL, CONTROL_BEHAVIOR), so in ring 3
 * it either traps or is innocuous.
 */
bool isa_is_user_sensitive(const isa_insn *in);
const char *isa_profile_name(isa_profile p);
/* Parses "strict" or "legacy"; false when neither. */
bool isa_parse_profile(const char *s, isa_profile *out);

/* ---- registers ------------------------------------------------------ */
/*
 * r0 always reads zero.  The aliases are a calling convention, not
 * hardware, except lr, which jal writes.
 *   r0 zero   r1-r4 a0-a3 (arguments, a0 the result)   r5-r10 (s0-s5)
 *   r11 at (assembler temporary)   r12 fp   r13 sp   r14 lr   r15 k0 (kernel scratch)
 */
#define ISA_NUM_REGS 16
enum { REG_ZERO = 0, REG_A0 = 1, REG_A1, REG_A2, REG_A3, REG_AT = 11,
       REG_FP = 12, REG_SP = 13, REG_LR = 14, REG_K0 = 15 };
/* The register's canonical name ("r5") and its alias ("s0"), or NULL for no alias. */
const char *isa_reg_name(unsigned r);
const char *isa_reg_alias(unsigned r);
/* Accepts r0..r15 and the aliases; -1 when unknown. */
int isa_parse_reg(const char *s);

/* ---- control registers (mfcr/mtcr) ------------------------------------ */
#define ISA_CONTROL_REGS(X) \
    X(STATUS,  0, status,  "status word: ring, interrupt enable, paging (see STATUS_*)") \
    X(TVB,     1, tvb,     "trap vector base: every trap and interrupt jumps here") \
    X(PTB,     2, ptb,     "page-table base: physical address of the level-1 table") \
    X(EPC,     3, epc,     "saved PC of the last trap") \
    X(ESTATUS, 4, estatus, "saved status of the last trap") \
    X(CAUSE,   5, cause,   "cause of the last trap (CAUSE_* | access << 8)") \
    X(BADADDR, 6, badaddr, "fault address of the last trap (or the interrupt line)") \
    X(TIMECMP, 7, timecmp, "timer period in cycles (0 stops the timer); same as port TIMER_PERIOD") \
    X(SCRATCH, 8, scratch, "free for the kernel, e.g. its stack pointer while user code runs") \
    X(CYCLE,   9, cycle,   "low 32 bits of the cycle counter (writes ignored)")

enum {
#define X(NAME, num, name, doc) CR_##NAME = num,
    ISA_CONTROL_REGS(X)
#undef X
    ISA_NUM_CRS
};
const char *isa_cr_name(unsigned cr);     /* NULL when not a control register */
int isa_parse_cr(const char *s);          /* -1 when unknown */
const char *isa_cr_doc(unsigned cr);

/* ---- the status word ----------------------------------------------- */
#define STATUS_RING_MASK  0x3u         /* current ring, 0 (most privileged) to 3 */
#define STATUS_IE         (1u << 2)    /* interrupts enabled */
#define STATUS_PG         (1u << 3)    /* paging enabled */
#define STATUS_UF_MASK    0xff00u      /* user flags: free for programs in any ring */
#define STATUS_WRITABLE   (STATUS_RING_MASK | STATUS_IE | STATUS_PG | STATUS_UF_MASK)

/* ---- traps ---------------------------------------------------------- */
/* Lower numbers are synchronous exceptions; interrupts come last. */
#define ISA_CAUSES(X) \
    X(NONE,          0, "no trap") \
    X(SYSCALL,       1, "system call") \
    X(ILLEGAL_PRIV,  2, "privileged instruction outside ring 0") \
    X(ILLEGAL_INSN,  3, "illegal instruction") \
    X(PAGE_FAULT,    4, "page fault") \
    X(MISALIGNED,    5, "misaligned access") \
    X(BUS_ERROR,     6, "physical address outside memory") \
    X(DIVIDE_BY_ZERO,7, "divide by zero") \
    X(BREAKPOINT,    8, "breakpoint") \
    X(HYPERCALL,     9, "hypercall") \
    X(TIMER,        10, "timer interrupt") \
    X(DEVICE,       11, "device interrupt")

typedef enum {
#define X(NAME, num, doc) CAUSE_##NAME = num,
    ISA_CAUSES(X)
#undef X
    ISA_NUM_CAUSES
} isa_cause;

/* For memory faults the cause register also holds the access type. */
typedef enum { ACCESS_READ = 0, ACCESS_WRITE = 1, ACCESS_EXEC = 2 } isa_access;
#define CAUSE_CODE(c)    ((c) & 0xffu)
#define CAUSE_ACCESS(c)  (((c) >> 8) & 0x3u)
#define CAUSE_MAKE(code, access) ((uint32_t)(code) | ((uint32_t)(access) << 8))

const char *isa_cause_name(unsigned cause);   /* "PAGE_FAULT"; "?" when unknown */
const char *isa_cause_doc(unsigned cause);    /* "page fault" */
const char *isa_access_name(unsigned access); /* "read", "write", "exec" */
bool isa_cause_is_interrupt(unsigned cause);

/* ---- paging --------------------------------------------------------- */
/*
 * 4 KiB pages, two levels: va[31:22] indexes the level-1 table at ptb,
 * va[21:12] the level-2 table, va[11:0] is the offset.  Both levels use the
 * same 32-bit entry; a level-1 entry needs only V and the frame number.
 */
#define PAGE_SHIFT     12
#define PAGE_SIZE      4096u
#define PTE_V          (1u << 0)   /* valid */
#define PTE_R          (1u << 1)   /* readable */
#define PTE_W          (1u << 2)   /* writable */
#define PTE_X          (1u << 3)   /* executable */
#define PTE_RING_SHIFT 4           /* bits 5:4: least privileged ring allowed */
#define PTE_RING(p)    (((p) >> PTE_RING_SHIFT) & 3u)
#define PTE_FRAME(p)   ((p) & ~0xfffu)
#define VA_L1(va)      ((uint32_t)(va) >> 22)
#define VA_L2(va)      (((uint32_t)(va) >> 12) & 0x3ffu)

/* ---- the virtualization extension: guest mode ------------------------ */
/*
 * Modelled on the RISC-V H extension and on Intel VT-x / AMD SVM.  Beside
 * the ring, the processor has a guest-mode flag.  vmenter rd enters guest
 * mode with the VM control block (VMCB) at physical address rd: the host's
 * banked control registers are saved inside the processor (like SVM's host
 * save area) and the guest's are loaded from the VMCB.  In guest mode the
 * guest's ring 0 runs its privileged instructions itself, on its own
 * control registers, except those the exit controls intercept; its traps
 * go to its own vector.  A VM exit stores the guest's state and the exit's
 * reason and qualification in the VMCB and restores the host's state.
 * The general registers are not switched (the hypervisor saves them, as
 * with SVM).  Translation in guest mode is two-stage: guest virtual to
 * guest physical by the guest's own page table (its ptb), guest physical
 * to host physical by the hypervisor's second-stage table (VMCB nptb),
 * both in the format above; second-stage entries need V and R/W/X, their
 * ring field is ignored.
 *
 * Banked control registers: status, tvb, ptb, epc, estatus, cause,
 * badaddr, scratch.  timecmp and cycle belong to the real timer and
 * counter: the guest's accesses to them always exit.
 */
#define ISA_EXIT_REASONS(X) \
    X(NONE,         0, "no exit yet") \
    X(VIRTUAL_INSN, 1, "a privileged instruction the exit controls intercept (always: halt, wfi, vmenter, timecmp and cycle); qualification = the instruction word") \
    X(IO,           2, "in or out (always intercepted); qualification = port | 1 << 31 for out") \
    X(EXCEPTION,    3, "a guest trap its exception bitmap intercepts; qualification = the cause register value") \
    X(HYPERCALL,    4, "hcall in guest ring 0; qualification = 0") \
    X(NESTED_FAULT, 5, "the second stage has no entry for a guest-physical address or forbids the access; qualification = the guest-physical address") \
    X(INTERRUPT,    6, "a host interrupt arrived in guest mode (always exits, whatever the guest's IE); qualification = its cause") \
    X(INTR_WINDOW,  7, "the guest has interrupts on and the control asks to be told (to inject a pending one)") \
    X(TRIPLE_FAULT, 8, "the guest cannot take a trap (its tvb is 0, or its vector cannot be fetched); qualification = the cause")

typedef enum {
#define X(NAME, num, doc) EXIT_##NAME = num,
    ISA_EXIT_REASONS(X)
#undef X
    ISA_NUM_EXIT_REASONS
} isa_exit_reason;
const char *isa_exit_name(unsigned reason);   /* "NESTED_FAULT"; "?" when unknown */
const char *isa_exit_doc(unsigned reason);

/* The VM control block: one page, little-endian words at these offsets. */
#define ISA_VMCB_FIELDS(X) \
    X(EXIT_REASON,   0x00, "written on exit: EXIT_*") \
    X(EXIT_QUAL,     0x04, "written on exit: the qualification (see the exit reasons)") \
    X(EXIT_PC,       0x08, "written on exit: the guest pc of the instruction or event that exited") \
    X(EXIT_ADDR,     0x0c, "written on exit: the guest-virtual address of a nested fault or an intercepted memory fault") \
    X(EXIT_INSN,     0x10, "written on exit: the instruction word, 0 when none") \
    X(EXIT_INFO,     0x14, "written on exit: bits 1:0 the access (0 read, 1 write, 2 execute); bit 2 set when a nested fault hit a read of the guest's own page table") \
    X(GUEST_PC,      0x20, "the guest's pc: where vmenter resumes it; written on exit") \
    X(GUEST_STATUS,  0x24, "the guest's status (its ring, IE, PG)") \
    X(GUEST_TVB,     0x28, "the guest's trap vector base") \
    X(GUEST_PTB,     0x2c, "the guest's page-table base (guest physical): the first stage") \
    X(GUEST_EPC,     0x30, "the guest's epc") \
    X(GUEST_ESTATUS, 0x34, "the guest's estatus") \
    X(GUEST_CAUSE,   0x38, "the guest's cause") \
    X(GUEST_BADADDR, 0x3c, "the guest's badaddr") \
    X(GUEST_SCRATCH, 0x40, "the guest's scratch") \
    X(NPTB,          0x50, "second-stage page-table base (host physical): guest physical to host physical; with VMCB_CTRL_NO_NPT the one table the guest runs on, guest virtual to host physical (a shadow page table)") \
    X(CTRL,          0x54, "exit controls: bit 0 VMCB_CTRL_INTR_WINDOW; bit 1 VMCB_CTRL_NO_NPT (no nested paging, as VT-x before EPT: one-stage walks of NPTB, TLB misses cost tlb_miss, faults are guest traps for the exception bitmap; mtcr ptb, and mtcr status or iret that switch PG, exit)") \
    X(EXIT_INSNS_LO, 0x58, "exit controls: bit n set = opcode n exits (opcodes 0-31)") \
    X(EXIT_INSNS_HI, 0x5c, "exit controls: bit n set = opcode 32 + n exits (opcodes 32-63)") \
    X(EXIT_EXCEPTIONS, 0x60, "exception bitmap: bit n set = a guest trap with cause n exits instead of reaching the guest's vector") \
    X(INJECT,        0x64, "event injection: bit 31 set = deliver the trap with cause value bits 15:0 into the guest at vmenter (the hardware clears it)") \
    X(INJECT_ADDR,   0x68, "event injection: the badaddr of the injected trap")

enum {
#define X(NAME, off, doc) VMCB_##NAME = off,
    ISA_VMCB_FIELDS(X)
#undef X
};
#define VMCB_CTRL_INTR_WINDOW  (1u << 0)
#define VMCB_CTRL_NO_NPT       (1u << 1)
#define VMCB_INJECT_VALID      (1u << 31)
#define VMCB_INFO_WALK         (1u << 2)
#define VMCB_QUAL_OUT          (1u << 31)

/* ---- encoding and text ---------------------------------------------- */
typedef struct {
    uint32_t rd, rs1, rs2;   /* register fields (or cr number / value register) */
    int32_t imm;             /* immediate, offset (in words for B and J) or port */
} isa_operands;

/* Builds the word for opcode op; fields outside the format's range are masked. */
uint32_t isa_encode(const isa_insn *in, const isa_operands *o);
/* Decodes a word; false (and *in untouched) for an unused opcode. */
bool isa_decode(uint32_t word, const isa_insn **in, isa_operands *o);
/*
 * Writes the disassembly of word (at address pc, to resolve branch targets)
 * into buf: "addi r1, r0, 5".  Targets print as absolute hex addresses; the
 * callback, when given, may name them ("main+0x8").  Returns buf.
 */
typedef const char *(*isa_symbolizer)(uint32_t addr, void *ud);
char *isa_disassemble(uint32_t word, uint32_t pc, char *buf, size_t n,
                      isa_symbolizer sym, void *ud);

/* ---- reports produced from the table --------------------------------- */
void isa_write_markdown(FILE *out);
/* Prints the verdict; returns true when the profile is virtualizable. */
bool isa_write_popek_goldberg(FILE *out, isa_profile p);

#endif
