/*
 * jit_x86_64.c -- translates the engine's decoded runs to x86-64 host code.
 *
 * What is translated: a run from one of its slots to its end, when it is
 * made of the plain forms (register and immediate ALU operations but
 * division, loads, stores, branches, j, jal, jalr); the run's first other
 * instruction (a division, a system instruction, syscall...) ends the
 * translation with an exit to the interpreter at that slot.  Within a
 * translation, the guest registers it uses most live in host registers,
 * loaded at entry and written back at every exit; a branch back into the
 * same run stays in host code, as a loop, after the same check the
 * interpreter makes (cycles + bound <= ev) and the same charge.
 *
 * Why it stays exact: host code is entered only where the interpreter would
 * run the same handlers with the run already charged (cpu.c's do_JIT), and
 * it does only what those handlers' fast paths do -- a load or store is the
 * host TLB's one compare; anything else (a miss, a misaligned address, a
 * store to a frame with decoded code) leaves at that slot, and the
 * interpreter runs it and the rest of the run itself, giving back charges
 * on a trap as it always does.  Host code calls nothing, so no event, hook
 * or invalidation can happen while it runs.
 *
 * The code buffer is mapped read-write, written, then made read-execute
 * (never both).  A page's translations go when any of its decoded code is
 * dropped (code.c calls jit_invalidate); when the buffer fills up, all go.
 *
 * Registers: rbx = the machine, r12 = cycles, r13 = instructions, r14 = ev,
 * r15 = the host TLB's generation and mode, rbp = host TLB hits, [rsp] =
 * the jit_ctx; rax, rcx, rdx scratch; rsi, rdi, r8-r11 guest registers.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "machine/internal.h"

#if !defined(__x86_64__)
#error "jit_x86_64.c is for x86-64 hosts; machine/module.mk picks jit_stub.c elsewhere"
#endif

#define JIT_BUF_SIZE   ((size_t)8 << 20)
#define JIT_SCRATCH    ((size_t)128 << 10)   /* the most one translation may take */
#define JIT_MAX_INSNS  256u                  /* a longer run goes on interpreted */
#define JIT_MIN_INSNS  3u                    /* shorter, without a loop: not worth a call */

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
static const uint8_t pool[] = { RSI, RDI, R8, R9, R10, R11 };
#define NPOOL (sizeof pool / sizeof pool[0])

/* x86 condition codes */
enum { CC_B = 2, CC_AE = 3, CC_E = 4, CC_NE = 5, CC_A = 7, CC_L = 0xc, CC_GE = 0xd };

struct jit_page {
    uint32_t off[CODE_SLOTS];     /* buffer offset of host code entered at this slot; 0: none */
};

/* Labels of one translation: slot k's code, its exit to the interpreter,
 * the exit to a block boundary at slot k (k up to CODE_SLOTS), and a few more. */
#define L_SLOT(k)  (k)
#define L_SIDE(k)  (CODE_SLOTS + (k))
#define L_ENTER(k) (2 * CODE_SLOTS + (k))
#define L_EXIT     (3 * CODE_SLOTS + 1)
#define L_NT       (L_EXIT + 1)
#define L_LINK0    (L_EXIT + 2)
#define L_LINK1    (L_EXIT + 3)
#define L_ENTRY    (L_EXIT + 4)
#define L_COUNT    (L_EXIT + 5)
#define L_NONE     INT64_MIN

typedef struct {
    uint8_t *p;
    size_t n, cap;
    bool full;
    int64_t label[L_COUNT];      /* position relative to the start of this code; L_NONE */
    struct { size_t at; unsigned label; } fix[4 * CODE_SLOTS];
    size_t nfix;
    bool need_side[CODE_SLOTS], need_enter[CODE_SLOTS + 1];
} emitter;

struct jit_state {
    uint8_t *buf;
    size_t used, code_start;     /* bump allocator; the trampoline comes first */
    size_t exit_off;
    uint32_t npages;             /* pages with translations */
    emitter *em;
    uint32_t (*enter)(machine *m, jit_ctx *ctx, const void *code);
};

bool jit_supported(void) { return true; }

/* ---- the encoder ---------------------------------------------------------- */

static void byte(emitter *e, unsigned v)
{
    if (e->n < e->cap)
        e->p[e->n++] = (uint8_t)v;
    else
        e->full = true;
}

static void d32(emitter *e, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        byte(e, (v >> (8 * i)) & 0xff);
}

static void rex(emitter *e, unsigned w, unsigned r, unsigned x, unsigned b, bool force)
{
    unsigned v = 0x40 | w << 3 | (r >> 3) << 2 | (x >> 3) << 1 | (b >> 3);
    if (v != 0x40 || force)
        byte(e, v);
}

static void opc(emitter *e, unsigned op)
{
    if (op > 0xff)
        byte(e, op >> 8);
    byte(e, op & 0xff);
}

/* op reg, rm (both registers) */
static void rr(emitter *e, unsigned w, unsigned op, unsigned reg, unsigned rm, bool force)
{
    rex(e, w, reg, 0, rm, force);
    opc(e, op);
    byte(e, 0xc0 | (reg & 7) << 3 | (rm & 7));
}

static void disp(emitter *e, unsigned mod, int32_t d)
{
    if (mod == 1)
        byte(e, (uint8_t)(int8_t)d);
    else if (mod == 2)
        d32(e, (uint32_t)d);
}

static unsigned mod_for(unsigned base, int32_t d)
{
    if (d == 0 && (base & 7) != RBP)
        return 0;
    return d >= -128 && d <= 127 ? 1 : 2;
}

/* op reg, [base + d] */
static void rm(emitter *e, unsigned w, unsigned op, unsigned reg, unsigned base, int32_t d)
{
    rex(e, w, reg, 0, base, false);
    opc(e, op);
    unsigned mod = mod_for(base, d);
    byte(e, mod << 6 | (reg & 7) << 3 | (base & 7));
    if ((base & 7) == RSP)
        byte(e, 0x24);
    disp(e, mod, d);
}

/* op reg, [base + index << scale + d] */
static void rsib(emitter *e, unsigned w, unsigned op, unsigned reg, unsigned base, unsigned index,
                 unsigned scale, int32_t d, bool force)
{
    rex(e, w, reg, index, base, force);
    opc(e, op);
    unsigned mod = mod_for(base, d);
    byte(e, mod << 6 | (reg & 7) << 3 | 4);
    byte(e, scale << 6 | (index & 7) << 3 | (base & 7));
    disp(e, mod, d);
}

/* group-1 operation (add, or, and, sub, xor, cmp: /0 /1 /4 /5 /6 /7) reg, imm */
static void alu_ri(emitter *e, unsigned w, unsigned digit, unsigned reg, int32_t imm)
{
    if (imm >= -128 && imm <= 127) {
        rr(e, w, 0x83, digit, reg, false);
        byte(e, (uint8_t)(int8_t)imm);
    } else {
        rr(e, w, 0x81, digit, reg, false);
        d32(e, (uint32_t)imm);
    }
}

static void mov_ri(emitter *e, unsigned reg, uint32_t imm)
{
    if (imm == 0) {
        rr(e, 0, 0x31, reg, reg, false);        /* xor reg, reg */
        return;
    }
    rex(e, 0, 0, 0, reg, false);
    byte(e, 0xb8 + (reg & 7));
    d32(e, imm);
}

static void mov_ri64(emitter *e, unsigned reg, uint64_t imm)
{
    rex(e, 1, 0, 0, reg, false);
    byte(e, 0xb8 + (reg & 7));
    d32(e, (uint32_t)imm);
    d32(e, (uint32_t)(imm >> 32));
}

static void jump_to(emitter *e, unsigned op, unsigned label)
{
    opc(e, op);
    if (e->nfix < sizeof e->fix / sizeof e->fix[0]) {
        e->fix[e->nfix].at = e->n;
        e->fix[e->nfix].label = label;
        e->nfix++;
    } else {
        e->full = true;
    }
    d32(e, 0);
}
static void jmp(emitter *e, unsigned label) { jump_to(e, 0xe9, label); }
static void jcc(emitter *e, unsigned cc, unsigned label) { jump_to(e, 0x0f80 | cc, label); }
static void here(emitter *e, unsigned label) { e->label[label] = (int64_t)e->n; }

/* ---- guest operands ------------------------------------------------------- */

enum { O_REG, O_MEM, O_IMM };
typedef struct { unsigned k, r; int32_t d; uint32_t imm; } opnd;

typedef struct {
    machine *m;
    code_page *pg;
    emitter *e;
    int8_t host[ISA_NUM_REGS];    /* guest register -> host register, -1: in memory */
    bool written[ISA_NUM_REGS];
} tctx;

static int32_t reg_disp(unsigned g)
{
    return (int32_t)(offsetof(machine, s) + offsetof(machine_state, cpu) + offsetof(cpu_state, r) +
                     4 * g);
}

static opnd G(const tctx *t, unsigned g)
{
    if (g == 0)
        return (opnd){ .k = O_IMM, .imm = 0 };
    if (t->host[g] >= 0)
        return (opnd){ .k = O_REG, .r = (unsigned)t->host[g] };
    return (opnd){ .k = O_MEM, .d = reg_disp(g) };
}

static opnd IMMO(uint32_t v) { return (opnd){ .k = O_IMM, .imm = v }; }

static void mov_r_o(emitter *e, unsigned dst, opnd s)
{
    switch (s.k) {
    case O_REG: if (s.r != dst) rr(e, 0, 0x8b, dst, s.r, false); break;
    case O_MEM: rm(e, 0, 0x8b, dst, RBX, s.d); break;
    default:    mov_ri(e, dst, s.imm); break;
    }
}

/* The group-1 operations: the "reg, r/m" opcode and the /digit of the immediate form. */
typedef struct { unsigned op, digit; } alu1;
static const alu1 A_ADD = { 0x03, 0 }, A_OR = { 0x0b, 1 }, A_AND = { 0x23, 4 }, A_SUB = { 0x2b, 5 },
                  A_XOR = { 0x33, 6 }, A_CMP = { 0x3b, 7 };

static void alu_r_o(emitter *e, alu1 a, unsigned dst, opnd s)
{
    switch (s.k) {
    case O_REG: rr(e, 0, a.op, dst, s.r, false); break;
    case O_MEM: rm(e, 0, a.op, dst, RBX, s.d); break;
    default:    alu_ri(e, 0, a.digit, dst, (int32_t)s.imm); break;
    }
}

/* Compares a with b, a first brought into rax unless it is a register. */
static void cmp_o(emitter *e, opnd a, opnd b)
{
    unsigned ar = RAX;
    if (a.k == O_REG)
        ar = a.r;
    else
        mov_r_o(e, RAX, a);
    alu_r_o(e, A_CMP, ar, b);
}

/* Where a result for guest register g is computed: its host register, or rax. */
static unsigned dst_of(const tctx *t, unsigned g)
{
    return t->host[g] >= 0 ? (unsigned)t->host[g] : RAX;
}

/* After computing into d: the guest register gets it. */
static void put(tctx *t, unsigned g, unsigned d)
{
    if (t->host[g] >= 0) {
        if ((unsigned)t->host[g] != d)
            rr(t->e, 0, 0x8b, (unsigned)t->host[g], d, false);
    } else {
        rm(t->e, 0, 0x89, d, RBX, reg_disp(g));
    }
}

static void writeback(tctx *t)
{
    for (unsigned g = 1; g < ISA_NUM_REGS; g++)
        if (t->host[g] >= 0 && t->written[g])
            rm(t->e, 0, 0x89, (unsigned)t->host[g], RBX, reg_disp(g));
}

static void load_regs(tctx *t)
{
    for (unsigned g = 1; g < ISA_NUM_REGS; g++)
        if (t->host[g] >= 0)
            rm(t->e, 0, 0x8b, (unsigned)t->host[g], RBX, reg_disp(g));
}

/* ---- what is translated --------------------------------------------------- */

/* The value of an operation on constants, as cpu.c computes it. */
static uint32_t fold(unsigned op, uint32_t a, uint32_t b)
{
    switch (op) {
    case OP_ADD: case OP_ADDI: return a + b;
    case OP_SUB:  return a - b;
    case OP_MUL:  return a * b;
    case OP_AND: case OP_ANDI: return a & b;
    case OP_OR:  case OP_ORI:  return a | b;
    case OP_XOR: case OP_XORI: return a ^ b;
    case OP_SLL: case OP_SLLI: return a << (b & 31);
    case OP_SRL: case OP_SRLI: return a >> (b & 31);
    case OP_SRA: case OP_SRAI: return (uint32_t)((int32_t)a >> (b & 31));
    case OP_SLT: case OP_SLTI: return (int32_t)a < (int32_t)b;
    case OP_SLTU: case OP_SLTIU: return a < b;
    default:      return 0;
    }
}

typedef enum { T_NO, T_ALU_R, T_ALU_I, T_LUI, T_LOAD, T_STORE, T_BRANCH, T_JUMP, T_JALR } tkind;

static tkind kind_of(unsigned op)
{
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_AND: case OP_OR: case OP_XOR:
    case OP_SLL: case OP_SRL: case OP_SRA: case OP_SLT: case OP_SLTU:
        return T_ALU_R;
    case OP_ADDI: case OP_ANDI: case OP_ORI: case OP_XORI: case OP_SLLI: case OP_SRLI:
    case OP_SRAI: case OP_SLTI: case OP_SLTIU:
        return T_ALU_I;
    case OP_LUI: return T_LUI;
    case OP_LW: case OP_LH: case OP_LHU: case OP_LB: case OP_LBU: return T_LOAD;
    case OP_SW: case OP_SH: case OP_SB: return T_STORE;
    case OP_BEQ: case OP_BNE: case OP_BLT: case OP_BGE: case OP_BLTU: case OP_BGEU: return T_BRANCH;
    case OP_J: case OP_JAL: return T_JUMP;
    case OP_JALR: return T_JALR;
    default: return T_NO;
    }
}

/* Counts the guest registers a slot reads and writes. */
static void uses(const cpu_slot *s, unsigned *count, bool *written)
{
    switch (kind_of(s->op)) {
    case T_ALU_R: count[s->rs1]++; count[s->rs2]++; count[s->rd]++; written[s->rd] = true; break;
    case T_ALU_I: case T_LOAD: case T_JALR:
        count[s->rs1]++; count[s->rd]++; written[s->rd] = true; break;
    case T_LUI: count[s->rd]++; written[s->rd] = true; break;
    case T_STORE: case T_BRANCH: count[s->rs1]++; count[s->rs2]++; break;
    case T_JUMP:
        if (s->op == OP_JAL) { count[REG_LR]++; written[REG_LR] = true; }
        break;
    default: break;
    }
}

/* ---- code for one slot ---------------------------------------------------- */

static int32_t htlb_disp(bool tag, unsigned acc)
{
    size_t o = offsetof(machine, htlb) +
               (tag ? offsetof(host_tlb, tag) + acc * sizeof(((host_tlb *)0)->tag[0])
                    : offsetof(host_tlb, add) + acc * sizeof(((host_tlb *)0)->add[0]));
    return (int32_t)o;
}

/* rax = va; rdx = the host address of va's page minus its page; or to the
 * slot's exit on a host TLB miss (as HTLB_HIT in cpu.c). */
static void tlb_lookup(tctx *t, unsigned k, const cpu_slot *s, unsigned acc, uint32_t align)
{
    emitter *e = t->e;
    opnd a = G(t, s->rs1);
    if (a.k == O_IMM)
        mov_ri(e, RAX, a.imm + s->imm);
    else {
        mov_r_o(e, RAX, a);
        if (s->imm)
            alu_ri(e, 0, 0, RAX, (int32_t)s->imm);
    }
    rr(e, 0, 0x8b, RCX, RAX, false);                 /* mov ecx, eax */
    rr(e, 0, 0xc1, 5, RCX, false); byte(e, PAGE_SHIFT);   /* shr ecx, 12 */
    rr(e, 0, 0x81, 4, RCX, false); d32(e, TLB_SIZE - 1);  /* and ecx, 255 */
    rr(e, 0, 0x8b, RDX, RAX, false);                 /* mov edx, eax */
    rr(e, 0, 0x81, 4, RDX, false); d32(e, ~0xfffu | (align - 1u));   /* and edx, mask */
    rr(e, 1, 0x0b, RDX, R15, false);                 /* or rdx, r15 */
    rsib(e, 1, 0x3b, RDX, RBX, RCX, 3, htlb_disp(true, acc), false);    /* cmp rdx, tag[acc][ecx] */
    jcc(e, CC_NE, L_SIDE(k));
    e->need_side[k] = true;
    rsib(e, 1, 0x8b, RDX, RBX, RCX, 3, htlb_disp(false, acc), false);   /* mov rdx, add[acc][ecx] */
}

static void count_hit(emitter *e) { rr(e, 1, 0xff, 0, RBP, false); }   /* inc rbp */

static void emit_load(tctx *t, unsigned k, const cpu_slot *s)
{
    static const struct { unsigned op; uint32_t align; unsigned x86; } f[] = {
        { OP_LW, 4, 0x8b }, { OP_LH, 2, 0x0fbf }, { OP_LHU, 2, 0x0fb7 }, { OP_LB, 1, 0x0fbe },
        { OP_LBU, 1, 0x0fb6 },
    };
    unsigned i = 0;
    while (f[i].op != s->op)
        i++;
    tlb_lookup(t, k, s, ACCESS_READ, f[i].align);
    if (s->rd) {
        unsigned d = dst_of(t, s->rd);
        rsib(t->e, 0, f[i].x86, d, RDX, RAX, 0, 0, false);   /* d = [rdx + rax] */
        put(t, s->rd, d);
    }
    count_hit(t->e);
}

static void emit_store(tctx *t, unsigned k, const cpu_slot *s)
{
    uint32_t align = s->op == OP_SW ? 4 : s->op == OP_SH ? 2 : 1;
    tlb_lookup(t, k, s, ACCESS_WRITE, align);
    opnd v = G(t, s->rs2);
    unsigned r = RCX;
    if (v.k == O_REG)
        r = v.r;
    else
        mov_r_o(t->e, RCX, v);
    if (s->op == OP_SH)
        byte(t->e, 0x66);
    rsib(t->e, 0, s->op == OP_SB ? 0x88 : 0x89, r, RDX, RAX, 0, 0, s->op == OP_SB);
    count_hit(t->e);
}

static bool commutes(unsigned op)
{
    return op == OP_ADD || op == OP_MUL || op == OP_AND || op == OP_OR || op == OP_XOR;
}

static void emit_alu(tctx *t, const cpu_slot *s)
{
    emitter *e = t->e;
    unsigned op = s->op;
    if (s->rd == 0)
        return;                         /* a pure result for r0: a no-op */
    bool imm = kind_of(op) == T_ALU_I;
    opnd a = G(t, s->rs1), b = imm ? IMMO(s->imm) : G(t, s->rs2);
    if (a.k == O_IMM && b.k == O_IMM) {
        unsigned d = dst_of(t, s->rd);
        mov_ri(e, d, fold(op, a.imm, b.imm));
        put(t, s->rd, d);
        return;
    }
    unsigned d = dst_of(t, s->rd);
    if (op == OP_SLT || op == OP_SLTU || op == OP_SLTI || op == OP_SLTIU) {
        cmp_o(e, a, b);
        rr(e, 0, 0x0f90 | (op == OP_SLT || op == OP_SLTI ? CC_L : CC_B), 0, RAX, false);  /* setcc al */
        rr(e, 0, 0x0fb6, d, RAX, false);                                                   /* movzx d, al */
        put(t, s->rd, d);
        return;
    }
    if (op == OP_SLL || op == OP_SRL || op == OP_SRA || op == OP_SLLI || op == OP_SRLI ||
        op == OP_SRAI) {
        unsigned digit = op == OP_SLL || op == OP_SLLI ? 4 : op == OP_SRL || op == OP_SRLI ? 5 : 7;
        if (b.k == O_IMM) {
            mov_r_o(e, d, a);
            if (b.imm & 31) {
                rr(e, 0, 0xc1, digit, d, false);
                byte(e, b.imm & 31);
            }
        } else {
            mov_r_o(e, RCX, b);
            mov_r_o(e, d, a);
            rr(e, 0, 0xd3, digit, d, false);        /* shift d, cl (x86 masks it to 5 bits) */
        }
        put(t, s->rd, d);
        return;
    }
    /* Two-address: d = a; d op= b, without overwriting b first. */
    if (b.k == O_REG && b.r == d && !(a.k == O_REG && a.r == d)) {
        if (commutes(op)) {
            opnd x = a; a = b; b = x;
        } else {
            d = RAX;
        }
    }
    if (op == OP_MUL) {
        if (b.k == O_IMM) {                         /* (r0: the result is 0) */
            mov_ri(e, d, 0);
        } else {
            mov_r_o(e, d, a);
            if (b.k == O_REG)
                rr(e, 0, 0x0faf, d, b.r, false);
            else
                rm(e, 0, 0x0faf, d, RBX, b.d);
        }
        put(t, s->rd, d);
        return;
    }
    alu1 al = op == OP_ADD || op == OP_ADDI ? A_ADD : op == OP_SUB ? A_SUB
            : op == OP_AND || op == OP_ANDI ? A_AND : op == OP_OR || op == OP_ORI ? A_OR : A_XOR;
    mov_r_o(e, d, a);
    if (!(b.k == O_IMM && b.imm == 0 && al.digit != A_AND.digit))
        alu_r_o(e, al, d, b);
    put(t, s->rd, d);
}

/* pc = the page's virtual address + off; leave for a block boundary. */
static void exit_pc(tctx *t, uint32_t off)
{
    emitter *e = t->e;
    writeback(t);
    rm(e, 1, 0x8b, RCX, RSP, 0);                                      /* mov rcx, [rsp]: ctx */
    rm(e, 0, 0x8b, RAX, RCX, (int32_t)offsetof(jit_ctx, pcbase));
    if (off)
        alu_ri(e, 0, 0, RAX, (int32_t)off);
    rm(e, 0, 0x89, RAX, RCX, (int32_t)offsetof(jit_ctx, pc));
    mov_ri(e, RAX, JIT_ENTER);
    jmp(e, L_EXIT);
}

/* The check and charge of a block entered at slot tk (CHAIN in cpu.c). */
static void check_and_charge(tctx *t, const cpu_slot *ts, unsigned tk)
{
    emitter *e = t->e;
    if (ts->bound <= INT32_MAX) {
        rm(e, 1, 0x8d, RAX, R12, (int32_t)ts->bound);     /* lea rax, [r12 + bound] */
    } else {
        mov_ri64(e, RAX, ts->bound);
        rr(e, 1, 0x03, RAX, R12, false);
    }
    rr(e, 1, 0x3b, RAX, R14, false);                     /* cmp rax, r14 */
    jcc(e, CC_A, L_ENTER(tk));
    e->need_enter[tk] = true;
    if (ts->cost <= INT32_MAX) {
        alu_ri(e, 1, 0, R12, (int32_t)ts->cost);
    } else {
        mov_ri64(e, RAX, ts->cost);
        rr(e, 1, 0x03, R12, RAX, false);
    }
    alu_ri(e, 1, 0, R13, ts->len);
}

/* Go on at slot tk of this page: inside this translation, into another
 * one of the page, or back to the interpreter at a block boundary. */
static void go_slot(tctx *t, unsigned first, unsigned last, unsigned tk, unsigned link)
{
    emitter *e = t->e;
    if (tk >= first && tk <= last) {
        check_and_charge(t, &t->pg->slot[tk], tk);
        jmp(e, L_SLOT(tk));
        return;
    }
    const cpu_slot *ts = tk < CODE_SLOTS ? &t->pg->slot[tk] : NULL;
    if (ts && ts->len && t->pg->jit && t->pg->jit->off[tk] &&
        ts->h == t->m->code.handlers[KIND_JIT]) {
        writeback(t);
        check_and_charge(t, ts, tk);
        e->label[link] = (int64_t)t->pg->jit->off[tk] - (int64_t)t->m->jit->used;
        jmp(e, link);
        return;
    }
    e->need_enter[tk] = true;
    jmp(e, L_ENTER(tk));
}

/* A branch or jump taken from slot k. */
static void taken(tctx *t, unsigned first, unsigned last, unsigned k, const cpu_slot *s)
{
    if (s->target != CPU_NO_TARGET)
        go_slot(t, first, last, s->target, L_LINK0);
    else
        exit_pc(t, 4 * k + s->imm);
}

static void emit_term(tctx *t, unsigned first, unsigned last, unsigned k, const cpu_slot *s)
{
    emitter *e = t->e;
    switch (kind_of(s->op)) {
    case T_BRANCH: {
        opnd a = G(t, s->rs1), b = G(t, s->rs2);
        unsigned cc = s->op == OP_BEQ ? CC_E : s->op == OP_BNE ? CC_NE : s->op == OP_BLT ? CC_L
                    : s->op == OP_BGE ? CC_GE : s->op == OP_BLTU ? CC_B : CC_AE;
        if (a.k == O_IMM && b.k == O_IMM) {     /* r0 with r0: known now */
            bool yes = cc == CC_E || cc == CC_GE || cc == CC_AE;
            if (yes)
                taken(t, first, last, k, s);
            else
                go_slot(t, first, last, k + 1, L_LINK1);
            return;
        }
        cmp_o(e, a, b);
        jcc(e, cc ^ 1, L_NT);
        taken(t, first, last, k, s);
        here(e, L_NT);
        go_slot(t, first, last, k + 1, L_LINK1);
        return;
    }
    case T_JUMP:
        if (s->op == OP_JAL) {
            unsigned d = dst_of(t, REG_LR);
            rm(e, 1, 0x8b, RCX, RSP, 0);
            rm(e, 0, 0x8b, d, RCX, (int32_t)offsetof(jit_ctx, pcbase));
            alu_ri(e, 0, 0, d, (int32_t)(4 * k + 4));
            put(t, REG_LR, d);
        }
        taken(t, first, last, k, s);
        return;
    case T_JALR: {
        /* t = (a + imm) & ~3 first: rd may be rs1. */
        mov_r_o(e, RAX, G(t, s->rs1));
        if (s->imm)
            alu_ri(e, 0, 0, RAX, (int32_t)s->imm);
        alu_ri(e, 0, 4, RAX, -4);                            /* and eax, ~3 */
        rm(e, 1, 0x8b, RCX, RSP, 0);
        rm(e, 0, 0x89, RAX, RCX, (int32_t)offsetof(jit_ctx, pc));
        if (s->rd) {
            unsigned d = dst_of(t, s->rd);
            rm(e, 0, 0x8b, d, RCX, (int32_t)offsetof(jit_ctx, pcbase));
            alu_ri(e, 0, 0, d, (int32_t)(4 * k + 4));
            put(t, s->rd, d);
        }
        writeback(t);
        mov_ri(e, RAX, JIT_ENTER);
        jmp(e, L_EXIT);
        return;
    }
    default:
        return;
    }
}

/* ---- the buffer ------------------------------------------------------------- */

static bool protect(jit_state *j, size_t from, size_t to, int prot)
{
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    size_t a = from & ~(ps - 1), b = (to + ps - 1) & ~(ps - 1);
    return mprotect(j->buf + a, b - a, prot) == 0;
}

/* The trampoline: uint32_t enter(machine *m, jit_ctx *ctx, const void *code),
 * and the exit every translation leaves by (eax: what jit_run returns). */
static size_t emit_trampoline(emitter *e, size_t *exit_off)
{
    static const uint8_t saved[] = { RBX, RBP, R12, R13, R14, R15, RSI };
    for (unsigned i = 0; i < sizeof saved; i++) {
        rex(e, 0, 0, 0, saved[i], false);
        byte(e, 0x50 + (saved[i] & 7));              /* push */
    }
    rr(e, 1, 0x8b, RBX, RDI, false);                 /* mov rbx, rdi */
    rm(e, 1, 0x8b, R12, RSI, (int32_t)offsetof(jit_ctx, cycles));
    rm(e, 1, 0x8b, R13, RSI, (int32_t)offsetof(jit_ctx, instret));
    rm(e, 1, 0x8b, R14, RSI, (int32_t)offsetof(jit_ctx, ev));
    rm(e, 1, 0x8b, R15, RSI, (int32_t)offsetof(jit_ctx, hmode));
    rr(e, 0, 0x31, RBP, RBP, false);                 /* xor ebp, ebp */
    rr(e, 0, 0xff, 4, RDX, false);                   /* jmp rdx */
    *exit_off = e->n;
    byte(e, 0x5e);                                   /* pop rsi: ctx */
    rm(e, 1, 0x89, R12, RSI, (int32_t)offsetof(jit_ctx, cycles));
    rm(e, 1, 0x89, R13, RSI, (int32_t)offsetof(jit_ctx, instret));
    rm(e, 1, 0x89, RBP, RSI, (int32_t)offsetof(jit_ctx, hits));
    for (unsigned i = sizeof saved - 1; i-- > 0;) {
        rex(e, 0, 0, 0, saved[i], false);
        byte(e, 0x58 + (saved[i] & 7));              /* pop */
    }
    byte(e, 0xc3);                                   /* ret */
    return e->n;
}

static jit_state *state_new(void)
{
    jit_state *j = calloc(1, sizeof *j);
    emitter *e = malloc(sizeof *e);
    uint8_t *scratch = malloc(JIT_SCRATCH);
    void *buf = mmap(NULL, JIT_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!j || !e || !scratch || buf == MAP_FAILED) {
        free(j);
        free(e);
        free(scratch);
        if (buf != MAP_FAILED)
            munmap(buf, JIT_BUF_SIZE);
        return NULL;
    }
    j->buf = buf;
    j->em = e;
    e->p = scratch;
    e->cap = JIT_SCRATCH;
    e->n = 0;
    e->full = false;
    size_t n = emit_trampoline(e, &j->exit_off);
    memcpy(j->buf, scratch, n);
    j->code_start = j->used = (n + 63) & ~(size_t)63;
    const void *entry = j->buf;
    memcpy(&j->enter, &entry, sizeof j->enter);
    if (!protect(j, 0, j->used, PROT_READ | PROT_EXEC)) {
        munmap(buf, JIT_BUF_SIZE);
        free(scratch);
        free(e);
        free(j);
        return NULL;
    }
    return j;
}

void jit_free(machine *m)
{
    jit_state *j = m->jit;
    if (!j)
        return;
    munmap(j->buf, JIT_BUF_SIZE);
    free(j->em->p);
    free(j->em);
    free(j);
    m->jit = NULL;
}

void jit_invalidate(machine *m, code_page *pg)
{
    jit_page *jp = pg->jit;
    if (!jp)
        return;
    const void *jh = m->code.handlers[KIND_JIT];
    for (unsigned i = 0; i < CODE_SLOTS; i++)
        if (jp->off[i] && pg->slot[i].h == jh)
            pg->slot[i].h = code_handler(m, &pg->slot[i]);
    free(jp);
    pg->jit = NULL;
    if (m->jit && --m->jit->npages == 0)
        m->jit->used = m->jit->code_start;      /* nothing can jump into the buffer now */
}

/* Forgets every translation (the buffer is full). */
static void drop_all(machine *m)
{
    for (uint32_t i = 0; i < m->code.npool; i++)
        jit_invalidate(m, m->code.pool[i]);
    m->jit->used = m->jit->code_start;
}

/* ---- translating a run ------------------------------------------------------- */

bool jit_compile(machine *m, code_page *pg, unsigned idx)
{
    cpu_slot *s0 = &pg->slot[idx];
    s0->h = code_handler(m, s0);            /* unless translated below */
    if (!m->jit_on || !s0->len || kind_of(s0->op) == T_NO)
        return false;
    if (!m->jit && !(m->jit = state_new())) {
        m->jit_on = false;
        return false;
    }
    jit_state *j = m->jit;
    unsigned last = idx + s0->len - 1u;      /* the run's last slot */
    if (last >= CODE_SLOTS)
        return false;

    /* How far: up to the first slot not translated (its exit goes to the
     * interpreter), or through the terminator. */
    unsigned stop = idx, count[ISA_NUM_REGS] = { 0 };
    tctx t = { .m = m, .pg = pg, .e = j->em };
    bool loop = false;
    while (stop <= last && stop - idx < JIT_MAX_INSNS && kind_of(pg->slot[stop].op) != T_NO) {
        const cpu_slot *s = &pg->slot[stop];
        uses(s, count, t.written);
        if (stop == last && (m->code.cls[s->op] & CLS_TERM) && s->target != CPU_NO_TARGET &&
            s->target >= idx && s->target <= last && kind_of(s->op) != T_JALR)
            loop = true;
        stop++;
    }
    if (stop - idx < JIT_MIN_INSNS && !loop)
        return false;
    /* The most used guest registers get host registers. */
    for (unsigned g = 0; g < ISA_NUM_REGS; g++)
        t.host[g] = -1;
    count[0] = 0;
    for (unsigned i = 0; i < NPOOL; i++) {
        unsigned best = 0;
        for (unsigned g = 1; g < ISA_NUM_REGS; g++)
            if (t.host[g] < 0 && count[g] > count[best])
                best = g;
        if (!best)
            break;
        t.host[best] = (int8_t)pool[i];
    }
    t.written[0] = false;

    if (j->used + JIT_SCRATCH > JIT_BUF_SIZE)
        drop_all(m);
    emitter *e = j->em;
    e->n = 0;
    e->full = false;
    e->nfix = 0;
    for (unsigned i = 0; i < L_COUNT; i++)
        e->label[i] = L_NONE;
    memset(e->need_side, 0, sizeof e->need_side);
    memset(e->need_enter, 0, sizeof e->need_enter);
    e->label[L_EXIT] = (int64_t)j->exit_off - (int64_t)j->used;

    /* The entry: the run is charged; the registers come in. */
    load_regs(&t);
    bool translated_all = stop > last;
    for (unsigned k = idx; k < stop; k++) {
        const cpu_slot *s = &pg->slot[k];
        here(e, L_SLOT(k));
        switch (kind_of(s->op)) {
        case T_ALU_R: case T_ALU_I: emit_alu(&t, s); break;
        case T_LUI:
            if (s->rd) {
                unsigned d = dst_of(&t, s->rd);
                mov_ri(e, d, s->imm);
                put(&t, s->rd, d);
            }
            break;
        case T_LOAD: emit_load(&t, k, s); break;
        case T_STORE: emit_store(&t, k, s); break;
        default: emit_term(&t, idx, last, k, s); break;
        }
    }
    if (!translated_all) {
        /* The interpreter goes on at the first slot not translated. */
        writeback(&t);
        mov_ri(e, RAX, stop);
        jmp(e, L_EXIT);
    } else if (!(m->code.cls[pg->slot[last].op] & CLS_TERM)) {
        exit_pc(&t, 4 * (last + 1));        /* the page's last word: on to the next page */
    }
    /* Exits, out of the way. */
    for (unsigned k = idx; k < stop; k++)
        if (e->need_side[k]) {
            here(e, L_SIDE(k));
            writeback(&t);
            mov_ri(e, RAX, k);
            jmp(e, L_EXIT);
        }
    for (unsigned k = 0; k <= CODE_SLOTS; k++)
        if (e->need_enter[k]) {
            here(e, L_ENTER(k));
            exit_pc(&t, 4 * k);
        }
    /* Entries for the slots the run branches back to (the interpreter
     * chains there after an exit): the registers come in, then the slot. */
    unsigned entry_slot = CODE_SLOTS;
    if (loop && translated_all) {
        unsigned tk = pg->slot[last].target;
        if (tk != idx && pg->slot[tk].h != m->code.handlers[KIND_JIT]) {
            entry_slot = tk;
            here(e, L_ENTRY);
            load_regs(&t);
            jmp(e, L_SLOT(tk));
        }
    }
    if (e->full)
        return false;
    for (size_t i = 0; i < e->nfix; i++) {
        int64_t to = e->label[e->fix[i].label];
        if (to == L_NONE)
            return false;                   /* (a bug: a label never placed) */
        int64_t rel = to - (int64_t)(e->fix[i].at + 4);
        uint32_t r = (uint32_t)(int32_t)rel;
        memcpy(e->p + e->fix[i].at, &r, 4);
    }

    /* Into the buffer: writable while it is written, then executable. */
    size_t base = j->used;
    if (!pg->jit) {
        pg->jit = calloc(1, sizeof *pg->jit);
        if (!pg->jit)
            return false;
        j->npages++;
    }
    if (!protect(j, base, base + e->n, PROT_READ | PROT_WRITE)) {
        m->jit_on = false;
        return false;
    }
    memcpy(j->buf + base, e->p, e->n);
    if (!protect(j, base, base + e->n, PROT_READ | PROT_EXEC)) {
        m->jit_on = false;
        return false;
    }
    j->used = (base + e->n + 15) & ~(size_t)15;
    pg->jit->off[idx] = (uint32_t)base;
    s0->h = m->code.handlers[KIND_JIT];
    if (entry_slot < CODE_SLOTS) {
        pg->jit->off[entry_slot] = (uint32_t)(base + (size_t)e->label[L_ENTRY]);
        pg->slot[entry_slot].h = m->code.handlers[KIND_JIT];
    }
    m->code.st.translated++;
    return true;
}

uint32_t jit_run(machine *m, code_page *pg, unsigned idx, jit_ctx *ctx)
{
    m->code.st.host_runs++;
    return m->jit->enter(m, ctx, m->jit->buf + pg->jit->off[idx]);
}
