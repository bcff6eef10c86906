/*
 * isa.c -- lookups, encoding, disassembly and the reports, all driven by
 * the one table in isa.def.
 */
#include "isa.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

const isa_insn isa_table[ISA_NUM_OPCODES] = {
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) \
    [op] = { #NAME, #mn, op, FMT_##fmt, PRIV_##priv, SENS_##sens, cyc, doc },
#include "isa.def"
#undef INSN
};

const isa_insn *isa_lookup_opcode(uint32_t opcode)
{
    if (opcode >= ISA_NUM_OPCODES || !isa_table[opcode].mnemonic)
        return NULL;
    return &isa_table[opcode];
}

const isa_insn *isa_lookup_mnemonic(const char *mnemonic)
{
    for (int i = 0; i < ISA_NUM_OPCODES; i++)
        if (isa_table[i].mnemonic && strcasecmp(isa_table[i].mnemonic, mnemonic) == 0)
            return &isa_table[i];
    return NULL;
}

/* Levenshtein distance on short words, case-insensitive; 99 for long ones. */
int isa_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    int d[32][32];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best) best = d[i - 1][j - 1] + cost;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *isa_suggest_mnemonic(const char *word)
{
    const char *best = NULL;
    int best_d = 3;
    for (int i = 0; i < ISA_NUM_OPCODES; i++) {
        if (!isa_table[i].mnemonic)
            continue;
        int d = isa_edit_distance(word, isa_table[i].mnemonic);
        /* a two-letter word is only "close" at distance 1 */
        if (d < best_d && d <= (int)strlen(word) / 2 + 1) {
            best_d = d;
            best = isa_table[i].mnemonic;
        }
    }
    return best;
}

static const char *const format_syntax[FMT_COUNT] = {
#define X(name, syntax) [FMT_##name] = syntax,
    ISA_FORMATS(X)
#undef X
};
static const char *const format_names[FMT_COUNT] = {
#define X(name, syntax) [FMT_##name] = #name,
    ISA_FORMATS(X)
#undef X
};

const char *isa_format_syntax(isa_format f) { return f < FMT_COUNT ? format_syntax[f] : "?"; }
const char *isa_format_name(isa_format f) { return f < FMT_COUNT ? format_names[f] : "?"; }

bool isa_is_privileged(const isa_insn *in, isa_profile p)
{
    return in->privilege == PRIV_PRIV || (in->privilege == PRIV_LEGACY && p == PROFILE_STRICT);
}

bool isa_is_sensitive(const isa_insn *in) { return in->sensitivity != SENS_INNOCUOUS; }
bool isa_is_control_sensitive(const isa_insn *in) { return (in->sensitivity & SENS_CONTROL) != 0; }
bool isa_is_behavior_sensitive(const isa_insn *in) { return (in->sensitivity & SENS_BEHAVIOR) != 0; }
bool isa_is_user_sensitive(const isa_insn *in) { return in->sensitivity == SENS_BEHAVIOR; }

const char *isa_profile_name(isa_profile p) { return p == PROFILE_LEGACY ? "legacy" : "strict"; }

bool isa_parse_profile(const char *s, isa_profile *out)
{
    if (strcmp(s, "strict") == 0) { *out = PROFILE_STRICT; return true; }
    if (strcmp(s, "legacy") == 0) { *out = PROFILE_LEGACY; return true; }
    return false;
}

/* ---- registers ------------------------------------------------------ */
static const char *const reg_names[ISA_NUM_REGS] = {
    "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
};
static const char *const reg_aliases[ISA_NUM_REGS] = {
    "zero", "a0", "a1", "a2", "a3", "s0", "s1", "s2",
    "s3", "s4", "s5", "at", "fp", "sp", "lr", "k0",
};

const char *isa_reg_name(unsigned r) { return r < ISA_NUM_REGS ? reg_names[r] : "?"; }
const char *isa_reg_alias(unsigned r) { return r < ISA_NUM_REGS ? reg_aliases[r] : NULL; }

int isa_parse_reg(const char *s)
{
    for (int i = 0; i < ISA_NUM_REGS; i++)
        if (strcasecmp(s, reg_names[i]) == 0 || strcasecmp(s, reg_aliases[i]) == 0)
            return i;
    return -1;
}

/* ---- control registers, causes ---------------------------------------- */
static const char *const cr_names[ISA_NUM_CRS] = {
#define X(NAME, num, name, doc) [num] = #name,
    ISA_CONTROL_REGS(X)
#undef X
};
static const char *const cr_docs[ISA_NUM_CRS] = {
#define X(NAME, num, name, doc) [num] = doc,
    ISA_CONTROL_REGS(X)
#undef X
};

const char *isa_cr_name(unsigned cr) { return cr < ISA_NUM_CRS ? cr_names[cr] : NULL; }
const char *isa_cr_doc(unsigned cr) { return cr < ISA_NUM_CRS ? cr_docs[cr] : NULL; }

int isa_parse_cr(const char *s)
{
    for (int i = 0; i < ISA_NUM_CRS; i++)
        if (strcasecmp(s, cr_names[i]) == 0)
            return i;
    return -1;
}

static const char *const cause_names[ISA_NUM_CAUSES] = {
#define X(NAME, num, doc) [num] = #NAME,
    ISA_CAUSES(X)
#undef X
};
static const char *const cause_docs[ISA_NUM_CAUSES] = {
#define X(NAME, num, doc) [num] = doc,
    ISA_CAUSES(X)
#undef X
};

const char *isa_cause_name(unsigned c) { c = CAUSE_CODE(c); return c < ISA_NUM_CAUSES ? cause_names[c] : "?"; }
const char *isa_cause_doc(unsigned c) { c = CAUSE_CODE(c); return c < ISA_NUM_CAUSES ? cause_docs[c] : "unknown cause"; }
static const char *const exit_names[ISA_NUM_EXIT_REASONS] = {
#define X(NAME, num, doc) [num] = #NAME,
    ISA_EXIT_REASONS(X)
#undef X
};
static const char *const exit_docs[ISA_NUM_EXIT_REASONS] = {
#define X(NAME, num, doc) [num] = doc,
    ISA_EXIT_REASONS(X)
#undef X
};
const char *isa_exit_name(unsigned r) { return r < ISA_NUM_EXIT_REASONS ? exit_names[r] : "?"; }
const char *isa_exit_doc(unsigned r) { return r < ISA_NUM_EXIT_REASONS ? exit_docs[r] : "unknown exit reason"; }
bool isa_cause_is_interrupt(unsigned c) { c = CAUSE_CODE(c); return c == CAUSE_TIMER || c == CAUSE_DEVICE; }

const char *isa_access_name(unsigned a)
{
    static const char *const names[] = { "read", "write", "exec", "?" };
    return names[a & 3];
}

/* ---- encoding -------------------------------------------------------- */
uint32_t isa_encode(const isa_insn *in, const isa_operands *o)
{
    uint32_t w = (uint32_t)in->opcode << 26;
    uint32_t rd = (o->rd & 0xf) << 22, rs1 = (o->rs1 & 0xf) << 18, rs2 = (o->rs2 & 0xf) << 14;
    uint32_t imm18 = (uint32_t)o->imm & 0x3ffff;
    switch (in->format) {
    case FMT_R:     return w | rd | rs1 | rs2;
    case FMT_I: case FMT_IU: case FMT_LOAD:
                    return w | rd | rs1 | imm18;
    case FMT_SH:    return w | rd | rs1 | ((uint32_t)o->imm & 31);
    case FMT_STORE: return w | ((o->rs2 & 0xf) << 22) | rs1 | imm18;
    case FMT_B:     return w | ((o->rs1 & 0xf) << 22) | ((o->rs2 & 0xf) << 18) | imm18;
    case FMT_U:     return w | rd | ((uint32_t)o->imm & 0xfffff);
    case FMT_J:     return w | ((uint32_t)o->imm & 0x3ffffff);
    case FMT_N:     return w;
    case FMT_R1:    return w | rd;
    case FMT_CRR:   return w | rd | rs1;
    case FMT_CRW:   return w | rd | rs1;
    case FMT_PIN:   return w | rd | imm18;
    case FMT_POUT:  return w | rs1 | imm18;
    case FMT_COUNT: break;
    }
    return w;
}

bool isa_decode(uint32_t w, const isa_insn **out, isa_operands *o)
{
    const isa_insn *in = isa_lookup_opcode(ISA_OP(w));
    if (!in)
        return false;
    memset(o, 0, sizeof *o);
    switch (in->format) {
    case FMT_R:     o->rd = ISA_RD(w); o->rs1 = ISA_RS1(w); o->rs2 = ISA_RS2(w); break;
    case FMT_I: case FMT_LOAD:
                    o->rd = ISA_RD(w); o->rs1 = ISA_RS1(w); o->imm = ISA_SIMM18(w); break;
    case FMT_IU:    o->rd = ISA_RD(w); o->rs1 = ISA_RS1(w); o->imm = (int32_t)ISA_UIMM18(w); break;
    case FMT_SH:    o->rd = ISA_RD(w); o->rs1 = ISA_RS1(w); o->imm = (int32_t)(w & 31); break;
    case FMT_STORE: o->rs2 = ISA_RD(w); o->rs1 = ISA_RS1(w); o->imm = ISA_SIMM18(w); break;
    case FMT_B:     o->rs1 = ISA_BRS1(w); o->rs2 = ISA_BRS2(w); o->imm = ISA_SIMM18(w); break;
    case FMT_U:     o->rd = ISA_RD(w); o->imm = (int32_t)ISA_UIMM20(w); break;
    case FMT_J:     o->imm = ISA_SOFF26(w); break;
    case FMT_N:     break;
    case FMT_R1:    o->rd = ISA_RD(w); break;
    case FMT_CRR: case FMT_CRW:
                    o->rd = ISA_RD(w); o->rs1 = ISA_RS1(w); break;
    case FMT_PIN:   o->rd = ISA_RD(w); o->imm = (int32_t)ISA_UIMM18(w); break;
    case FMT_POUT:  o->rs1 = ISA_RS1(w); o->imm = (int32_t)ISA_UIMM18(w); break;
    case FMT_COUNT: break;
    }
    *out = in;
    return true;
}

/* ---- disassembly ------------------------------------------------------ */
static void target(char *buf, size_t n, uint32_t addr, isa_symbolizer sym, void *ud)
{
    const char *name = sym ? sym(addr, ud) : NULL;
    if (name)
        snprintf(buf, n, "%s", name);
    else
        snprintf(buf, n, "0x%x", addr);
}

static const char *cr_text(unsigned cr, char *tmp, size_t n)
{
    const char *name = isa_cr_name(cr);
    if (name)
        return name;
    snprintf(tmp, n, "cr%u", cr);
    return tmp;
}

char *isa_disassemble(uint32_t w, uint32_t pc, char *buf, size_t n,
                      isa_symbolizer sym, void *ud)
{
    const isa_insn *in;
    isa_operands o;
    char t[96], c[16];
    if (!isa_decode(w, &in, &o)) {
        snprintf(buf, n, ".word 0x%08x", w);
        return buf;
    }
    const char *m = in->mnemonic;
#define RN(x) reg_names[(x) & 15]
    switch (in->format) {
    case FMT_R:     snprintf(buf, n, "%s %s, %s, %s", m, RN(o.rd), RN(o.rs1), RN(o.rs2)); break;
    case FMT_I: case FMT_SH:
                    snprintf(buf, n, "%s %s, %s, %d", m, RN(o.rd), RN(o.rs1), o.imm); break;
    case FMT_IU:    snprintf(buf, n, "%s %s, %s, 0x%x", m, RN(o.rd), RN(o.rs1), (unsigned)o.imm); break;
    case FMT_U:     snprintf(buf, n, "%s %s, 0x%x", m, RN(o.rd), (unsigned)o.imm); break;
    case FMT_LOAD:  snprintf(buf, n, "%s %s, %d(%s)", m, RN(o.rd), o.imm, RN(o.rs1)); break;
    case FMT_STORE: snprintf(buf, n, "%s %s, %d(%s)", m, RN(o.rs2), o.imm, RN(o.rs1)); break;
    case FMT_B:
        target(t, sizeof t, pc + 4u * (uint32_t)o.imm, sym, ud);
        snprintf(buf, n, "%s %s, %s, %s", m, RN(o.rs1), RN(o.rs2), t);
        break;
    case FMT_J:
        target(t, sizeof t, pc + 4u * (uint32_t)o.imm, sym, ud);
        snprintf(buf, n, "%s %s", m, t);
        break;
    case FMT_N:     snprintf(buf, n, "%s", m); break;
    case FMT_R1:    snprintf(buf, n, "%s %s", m, RN(o.rd)); break;
    case FMT_CRR:   snprintf(buf, n, "%s %s, %s", m, RN(o.rd), cr_text(o.rs1, c, sizeof c)); break;
    case FMT_CRW:   snprintf(buf, n, "%s %s, %s", m, cr_text(o.rd, c, sizeof c), RN(o.rs1)); break;
    case FMT_PIN:   snprintf(buf, n, "%s %s, 0x%x", m, RN(o.rd), (unsigned)o.imm); break;
    case FMT_POUT:  snprintf(buf, n, "%s %s, 0x%x", m, RN(o.rs1), (unsigned)o.imm); break;
    case FMT_COUNT: snprintf(buf, n, "%s", m); break;
    }
#undef RN
    return buf;
}

/* ---- reports ---------------------------------------------------------- */
static const char *privilege_text(const isa_insn *in)
{
    switch (in->privilege) {
    case PRIV_USER:   return "user";
    case PRIV_PRIV:   return "privileged";
    case PRIV_LEGACY: return "privileged in strict only";
    }
    return "?";
}

static const char *sensitivity_text(isa_sensitivity s)
{
    switch (s) {
    case SENS_INNOCUOUS:        return "innocuous";
    case SENS_CONTROL:          return "control-sensitive";
    case SENS_BEHAVIOR:         return "behaviour-sensitive";
    case SENS_CONTROL_BEHAVIOR: return "control- and behaviour-sensitive";
    }
    return "?";
}

/* The four classes, one line each: the report and docs/isa.md say the same. */
static const struct { const char *name, *definition; } pg_classes[] = {
    { "privileged", "traps (ILLEGAL_PRIV) when executed outside ring 0, so a VMM sees it" },
    { "control-sensitive", "changes the machine's configuration: ring, interrupts, memory map, devices" },
    { "behaviour-sensitive", "what it does depends on that configuration: the ring, the trap table, devices" },
    { "innocuous", "neither control- nor behaviour-sensitive: it may run directly on the real CPU" },
};

/* A table cell: '|' would end the cell, so it is escaped. */
static void md_cell(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputc('\\', out);
        fputc(*p, out);
    }
}

void isa_write_markdown(FILE *out)
{
    fprintf(out, "# The traplab ISA, version %s\n\n", ISA_VERSION);
    fprintf(out, "<!-- Generated by `traplab isa` from isa/isa.def. Do not edit by hand. -->\n\n");
    fprintf(out, "32-bit fixed-width instructions, sixteen 32-bit registers (r0 reads zero), "
                 "byte-addressed little-endian memory, four privilege rings (0 most privileged).\n\n");
    fprintf(out, "## Instructions\n\n");
    fprintf(out, "| mnemonic | operands | opcode | format | privilege | class | cycles | meaning |\n");
    fprintf(out, "|---|---|---|---|---|---|---|---|\n");
    for (int i = 0; i < ISA_NUM_OPCODES; i++) {
        const isa_insn *in = &isa_table[i];
        if (!in->mnemonic)
            continue;
        fprintf(out, "| `%s` | `%s` | 0x%02x | %s | %s | %s | %u | ", in->mnemonic,
                isa_format_syntax(in->format), in->opcode, isa_format_name(in->format),
                privilege_text(in), sensitivity_text(in->sensitivity), in->cycles);
        md_cell(out, in->meaning);
        fputs(" |\n", out);
    }
    fprintf(out, "\nPrivileged instructions trap with `ILLEGAL_PRIV` when executed outside ring 0. "
                 "Opcodes not listed trap with `ILLEGAL_INSN`.\n");
    fprintf(out, "\n## Operand formats\n\n| format | operands |\n|---|---|\n");
    for (int f = 0; f < FMT_COUNT; f++)
        fprintf(out, "| %s | `%s` |\n", isa_format_name((isa_format)f), isa_format_syntax((isa_format)f));
    fprintf(out, "\n## Registers\n\n| register | alias |\n|---|---|\n");
    for (unsigned r = 0; r < ISA_NUM_REGS; r++)
        fprintf(out, "| `%s` | `%s` |\n", reg_names[r], reg_aliases[r]);
    fprintf(out, "\n## Control registers\n\n| number | name | meaning |\n|---|---|---|\n");
    for (unsigned c = 0; c < ISA_NUM_CRS; c++)
    {
        fprintf(out, "| %u | `%s` | ", c, cr_names[c]);
        md_cell(out, cr_docs[c]);
        fputs(" |\n", out);
    }
    fprintf(out, "\n## Status word\n\n| bits | meaning |\n|---|---|\n"
                 "| 1:0 | current ring |\n| 2 | IE: interrupts enabled |\n"
                 "| 3 | PG: paging enabled |\n| 15:8 | user flags, writable in any ring |\n");
    fprintf(out, "\n## Trap causes\n\n| code | name | meaning |\n|---|---|---|\n");
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++)
        fprintf(out, "| %u | `%s` | %s |\n", c, cause_names[c], cause_docs[c]);
    fprintf(out, "\nFor memory faults, bits 9:8 of `cause` hold the access: 0 read, 1 write, 2 execute, "
                 "and `badaddr` holds the faulting address.\n");
    fprintf(out, "\n## Guest mode: the virtualization extension\n\n"
                 "Modelled on the RISC-V H extension and on Intel VT-x and AMD SVM. Beside the ring, "
                 "the processor has a **guest-mode flag**. `vmenter rd` (ring 0, host mode) enters "
                 "guest mode with the VM control block (VMCB) at physical address `rd`: the host's "
                 "banked control registers (`status`, `tvb`, `ptb`, `epc`, `estatus`, `cause`, "
                 "`badaddr`, `scratch`) are saved inside the processor and the guest's are loaded "
                 "from the VMCB. In guest mode the guest's ring 0 runs its privileged instructions on "
                 "its own control registers without leaving, except those the exit controls "
                 "intercept, and its traps go to its own `tvb`. A **VM exit** writes the guest's "
                 "state, the exit reason and the qualification into the VMCB, restores the host's "
                 "registers and resumes the host after its `vmenter` (a hypervisor in C takes the exit "
                 "through the machine's exit hook instead). General registers are not switched. "
                 "Accesses to `timecmp` and `cycle` (the real timer and counter), `in`, `out`, "
                 "`halt`, `wfi` and `vmenter` always exit, as do host interrupts.\n\n"
                 "Translation in guest mode is **two-stage**: guest virtual to guest physical by the "
                 "guest's own table at its `ptb`, guest physical to host physical by the "
                 "second-stage table at the VMCB's `nptb`, both in the page-table format above "
                 "(second-stage entries need V and R/W/X; their ring field is ignored). A TLB miss "
                 "walks both: each of the guest's two table reads is itself a second-stage walk, "
                 "so a miss makes up to (2 + 1) x (2 + 1) - 1 = 8 memory references instead of 2 "
                 "(with x86-64's four levels the same product gives 24 instead of 4). The TLB is "
                 "flushed at every vmenter and VM exit (no address-space tags).\n\n");
    fprintf(out, "### Exit reasons\n\n| code | name | meaning |\n|---|---|---|\n");
    for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++) {
        fprintf(out, "| %u | `%s` | ", r, exit_names[r]);
        md_cell(out, exit_docs[r]);
        fputs(" |\n", out);
    }
    fprintf(out, "\n### The VM control block\n\n| offset | field | meaning |\n|---|---|---|\n");
#define X(NAME, off, doc) fprintf(out, "| 0x%02x | `%s` | ", off, #NAME); md_cell(out, doc); fputs(" |\n", out);
    ISA_VMCB_FIELDS(X)
#undef X
    fprintf(out, "\n## Popek and Goldberg\n\n");
    fprintf(out, "Popek and Goldberg (\"Formal Requirements for Virtualizable Third Generation "
                 "Architectures\", Communications of the ACM 17(7), July 1974) sort instructions into "
                 "these classes. The two sensitive "
                 "classes are a property of the instruction; being privileged depends on the profile. "
                 "An instruction may be in more than one class: `popf` is control-sensitive (in ring 0 "
                 "it sets the ring and the interrupt flag) and behaviour-sensitive (outside ring 0, on "
                 "the legacy profile, it silently keeps them).\n\n| class | definition |\n|---|---|\n");
    for (size_t i = 0; i < sizeof pg_classes / sizeof pg_classes[0]; i++)
        fprintf(out, "| %s | %s |\n", pg_classes[i].name, pg_classes[i].definition);
    fprintf(out, "\n**Theorem 1** gives a *sufficient* condition: if every sensitive instruction is "
                 "privileged, a trap-and-emulate VMM can be built (run everything directly, trap and "
                 "emulate the sensitive instructions). When the condition fails, no trap-and-emulate VMM "
                 "can be built by Theorem 1's construction; the ISA may still be virtualized another way "
                 "(binary translation, a paravirtualized guest, hardware assist).\n\n"
                 "**Theorem 3** is weaker: a *hybrid* VMM interprets in software every instruction the "
                 "guest runs in its virtual supervisor mode (its kernel) and runs only its user mode "
                 "directly, so it needs only the *user-sensitive* instructions (sensitive when executed in "
                 "ring 3) to be privileged. An instruction that reads the configuration (behaviour-"
                 "sensitive only) reads it in ring 3 too; one that changes it either traps or, like "
                 "`popf` outside ring 0, has its change dropped, so in ring 3 it is innocuous.\n\n");
    fprintf(out, "### Profile `strict`\n\n```\n");
    isa_write_popek_goldberg(out, PROFILE_STRICT);
    fprintf(out, "```\n\n### Profile `legacy`\n\n```\n");
    isa_write_popek_goldberg(out, PROFILE_LEGACY);
    fprintf(out, "```\n");
}

/* Mnemonics of the instructions that pass the filter, wrapped at 78 columns. */
static int list_mnemonics(FILE *out, const char *indent, bool (*keep)(const isa_insn *, isa_profile),
                          isa_profile p)
{
    int n = 0, col = 0;
    for (int i = 0; i < ISA_NUM_OPCODES; i++) {
        const isa_insn *in = &isa_table[i];
        if (!in->mnemonic || !keep(in, p))
            continue;
        int w = (int)strlen(in->mnemonic) + 1;
        if (col == 0 || col + w > 78) {
            fprintf(out, "%s%s", col ? "\n" : "", indent);
            col = (int)strlen(indent);
        } else {
            fputc(' ', out);
        }
        fputs(in->mnemonic, out);
        col += w;
        n++;
    }
    if (col)
        fputc('\n', out);
    return n;
}

static bool keep_innocuous(const isa_insn *in, isa_profile p)
{
    return !isa_is_sensitive(in) && !isa_is_privileged(in, p);
}
static bool keep_unprivileged_sensitive(const isa_insn *in, isa_profile p)
{
    return isa_is_sensitive(in) && !isa_is_privileged(in, p);
}
static bool keep_unprivileged_user_sensitive(const isa_insn *in, isa_profile p)
{
    return isa_is_user_sensitive(in) && !isa_is_privileged(in, p);
}
static bool keep_user_sensitive(const isa_insn *in, isa_profile p)
{
    (void)p;
    return isa_is_user_sensitive(in);
}

bool isa_write_popek_goldberg(FILE *out, isa_profile p)
{
    int nsens = 0, npriv = 0, nbad = 0, ninn = 0, nuser_bad = 0;
    fprintf(out, "Popek-Goldberg report for profile %s\n\n", isa_profile_name(p));
    fprintf(out, "The four classes (Popek and Goldberg 1974; an instruction may be in more than one):\n");
    for (size_t i = 0; i < sizeof pg_classes / sizeof pg_classes[0]; i++)
        fprintf(out, "  %-20s %s\n", pg_classes[i].name, pg_classes[i].definition);
    fprintf(out, "\n  %-9s %-33s %-11s\n", "insn", "class", "privileged");
    for (int i = 0; i < ISA_NUM_OPCODES; i++) {
        const isa_insn *in = &isa_table[i];
        if (!in->mnemonic)
            continue;
        bool priv = isa_is_privileged(in, p);
        if (!isa_is_sensitive(in) && !priv) {
            ninn++;
            continue;
        }
        nsens += isa_is_sensitive(in);
        npriv += priv;
        fprintf(out, "  %-9s %-33s %-11s%s\n", in->mnemonic, sensitivity_text(in->sensitivity),
                priv ? "yes" : "no", isa_is_sensitive(in) && !priv ? "  <- sensitive, not privileged" : "");
        nbad += isa_is_sensitive(in) && !priv;
        nuser_bad += isa_is_user_sensitive(in) && !priv;
    }
    fprintf(out, "\nInnocuous, not privileged (%d): they run directly on the real CPU:\n", ninn);
    list_mnemonics(out, "  ", keep_innocuous, p);
    fprintf(out, "\n%d sensitive instructions, %d privileged, %d innocuous.\n", nsens, npriv, ninn);
    fprintf(out, "\nTheorem 1 (a sufficient condition): if every sensitive instruction is privileged, a\n"
                 "trap-and-emulate VMM can be built.\n");
    if (nbad == 0) {
        fprintf(out, "Verdict: VIRTUALIZABLE. Every sensitive instruction is privileged, so a\n"
                     "trap-and-emulate VMM can run guests unmodified (Popek and Goldberg, Theorem 1).\n");
    } else {
        fprintf(out, "Verdict: Theorem 1's condition does not hold. %d sensitive instruction%s do%s not\n"
                     "trap outside ring 0:\n", nbad, nbad == 1 ? "" : "s", nbad == 1 ? "es" : "");
        for (int i = 0; i < ISA_NUM_OPCODES; i++) {
            const isa_insn *in = &isa_table[i];
            if (in->mnemonic && keep_unprivileged_sensitive(in, p))
                fprintf(out, "  %s: %s\n", in->mnemonic, in->meaning);
        }
        fprintf(out, "So no trap-and-emulate VMM can be built by Theorem 1's construction: the VMM never\n"
                     "sees them. The condition is sufficient, not necessary: this does not say the ISA\n"
                     "cannot be virtualized; binary translation, a paravirtualized guest or hardware\n"
                     "assist can do it.\n");
    }
    fprintf(out, "\nTheorem 3 (hybrid VMM): a VMM that interprets every instruction of the guest's\n"
                 "virtual supervisor mode (its kernel) and runs only its user mode directly can be\n"
                 "built if every user-sensitive instruction (sensitive in ring 3) is privileged.\n"
                 "User-sensitive:\n");
    list_mnemonics(out, "  ", keep_user_sensitive, p);
    if (nuser_bad == 0) {
        fprintf(out, "Verdict (Theorem 3): a hybrid VMM can be built: every user-sensitive instruction\n"
                     "is privileged%s.\n", nbad ? " (control-sensitive ones that do not trap only change\n"
                     "the configuration in ring 0, which the hybrid VMM interprets)" : "");
    } else {
        fprintf(out, "Verdict (Theorem 3): its condition does not hold either. %d user-sensitive\n"
                     "instruction%s do%s not trap in ring 3, so even the guest's user code would read the\n"
                     "real configuration:\n", nuser_bad, nuser_bad == 1 ? "" : "s", nuser_bad == 1 ? "es" : "");
        list_mnemonics(out, "  ", keep_unprivileged_user_sensitive, p);
        fprintf(out, "The others that fail Theorem 1 only change the configuration in ring 0 (in ring 3\n"
                     "they are innocuous), so the hybrid VMM's interpreter would handle them.\n");
    }
    return nbad == 0;
}
