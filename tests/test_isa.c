/*
 * test_isa.c -- the ISA table checks itself: opcodes are unique, every
 * instruction encodes, decodes and disassembles back to itself, and
 * docs/isa.md is what the table prints today.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "isa/isa.h"
#include "tests/tests.h"

static void test_opcodes_unique(void)
{
    int seen[ISA_NUM_OPCODES] = { 0 };
    int n = 0;
#define INSN(NAME, mn, op, fmt, priv, sens, cyc, doc) \
    CU_ASSERT((op) > 0 && (op) < 0x3f); \
    if ((op) < ISA_NUM_OPCODES) { seen[op]++; } n++;
#include "isa/isa.def"
#undef INSN
    for (int i = 0; i < ISA_NUM_OPCODES; i++)
        CU_ASSERT(seen[i] <= 1);
    int used = 0;
    for (int i = 0; i < ISA_NUM_OPCODES; i++)
        used += isa_table[i].mnemonic != NULL;
    CU_ASSERT_EQUAL(used, n);
    CU_ASSERT_PTR_NULL(isa_lookup_opcode(0));
    CU_ASSERT_PTR_NULL(isa_lookup_opcode(0x3f));
}

/* Sample operands that use every field of the format with distinct values. */
static isa_operands sample(isa_format f, int variant)
{
    isa_operands o = { 0, 0, 0, 0 };
    int32_t neg = variant ? -1 : 1;
    switch (f) {
    case FMT_R:     o.rd = 3; o.rs1 = 7; o.rs2 = 15; break;
    case FMT_I: case FMT_LOAD: o.rd = 5; o.rs1 = 13; o.imm = neg * 1234; break;
    case FMT_IU:    o.rd = 1; o.rs1 = 2; o.imm = variant ? ISA_UIMM18_MAX : 77; break;
    case FMT_SH:    o.rd = 9; o.rs1 = 10; o.imm = variant ? 31 : 4; break;
    case FMT_U:     o.rd = 4; o.imm = variant ? ISA_UIMM20_MAX : 0x12345; break;
    case FMT_STORE: o.rs2 = 6; o.rs1 = 13; o.imm = neg * 64; break;
    case FMT_B:     o.rs1 = 8; o.rs2 = 11; o.imm = neg * 5; break;
    case FMT_J:     o.imm = variant ? ISA_SOFF26_MIN : 1000; break;
    case FMT_N:     break;
    case FMT_R1:    o.rd = 12; break;
    case FMT_CRR:   o.rd = 2; o.rs1 = CR_EPC; break;
    case FMT_CRW:   o.rd = CR_TVB; o.rs1 = 14; break;
    case FMT_PIN:   o.rd = 3; o.imm = 0x10; break;
    case FMT_POUT:  o.rs1 = 3; o.imm = 0x33; break;
    case FMT_COUNT: break;
    }
    return o;
}

static void test_encode_decode_roundtrip(void)
{
    for (int op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode(op);
        if (!in)
            continue;
        for (int v = 0; v < 2; v++) {
            isa_operands o = sample(in->format, v), d;
            uint32_t w = isa_encode(in, &o);
            const isa_insn *back = NULL;
            CU_ASSERT_FATAL(isa_decode(w, &back, &d));
            CU_ASSERT_PTR_EQUAL(back, in);
            CU_ASSERT_EQUAL(ISA_OP(w), (uint32_t)op);
            CU_ASSERT_EQUAL(isa_encode(back, &d), w);
            char text[80];
            isa_disassemble(w, 0x1000, text, sizeof text, NULL, NULL);
            CU_ASSERT_EQUAL(strncmp(text, in->mnemonic, strlen(in->mnemonic)), 0);
            CU_ASSERT_PTR_EQUAL(isa_lookup_mnemonic(in->mnemonic), in);
        }
    }
}

static void test_docs_isa_md_fresh(void)
{
    FILE *f = fopen("docs/isa.md", "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char *want = NULL, *have = NULL;
    size_t wlen = 0, hlen = 0;
    FILE *mem = open_memstream(&want, &wlen);
    isa_write_markdown(mem);
    fclose(mem);
    mem = open_memstream(&have, &hlen);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mem);
    fclose(mem);
    fclose(f);
    CU_ASSERT_EQUAL(wlen, hlen);
    CU_ASSERT(wlen == hlen && memcmp(want, have, wlen) == 0);
    if (wlen != hlen || memcmp(want, have, wlen) != 0)
        fprintf(stderr, "\ndocs/isa.md is stale: run 'make docs' and commit it\n");
    free(want);
    free(have);
}

/* The verdict follows from the tags: legacy leaves exactly the four x86-like
 * instructions sensitive but unprivileged; strict leaves none. */
static void test_popek_goldberg(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_FALSE(isa_write_popek_goldberg(f, PROFILE_LEGACY));
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Theorem 1's condition does not hold. 4 sensitive instructions"));
    /* Theorem 1 is sufficient, not necessary: the report must not call the ISA unvirtualizable. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "no trap-and-emulate VMM can be built by Theorem 1's construction"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "sufficient, not necessary"));
    CU_ASSERT_PTR_NULL(strstr(text, "NOT VIRTUALIZABLE"));
    /* The four classes, each with its definition. */
    static const char *const classes[] = { "\n  privileged           traps",
        "\n  control-sensitive    changes", "\n  behaviour-sensitive  what it does depends",
        "\n  innocuous            neither" };
    for (size_t i = 0; i < 4; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(text, classes[i]));
    /* popf is in two classes. */
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n  popf      control- and behaviour-sensitive  no"));
    /* Every innocuous instruction of the table is listed, and counted. */
    const char *inn = strstr(text, "Innocuous, not privileged (");
    CU_ASSERT_PTR_NOT_NULL_FATAL(inn);
    const char *inn_end = strstr(inn, "\n\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(inn_end);
    int ninn = 0;
    for (int op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode((uint32_t)op);
        if (!in || isa_is_sensitive(in) || isa_is_privileged(in, PROFILE_LEGACY))
            continue;
        ninn++;
        char word[32];
        snprintf(word, sizeof word, " %s", in->mnemonic);
        const char *at = strstr(inn, word);
        while (at && at < inn_end && at[strlen(word)] != ' ' && at[strlen(word)] != '\n')
            at = strstr(at + 1, word);
        CU_ASSERT(at != NULL && at < inn_end);
    }
    char count[64];
    snprintf(count, sizeof count, "Innocuous, not privileged (%d)", ninn);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, count));
    /* Theorem 3: the hybrid VMM's condition, and the instructions that break it. */
    const char *t3 = strstr(text, "Theorem 3 (hybrid VMM)");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t3);
    /* The instructions that break it, from the table (new instructions included): user-sensitive
     * and not trapping on legacy.  popf is not among them: in ring 3 it changes only user flags. */
    char want[512] = "real configuration:\n ";
    int nuser = 0;
    for (int op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode((uint32_t)op);
        if (in && isa_is_user_sensitive(in) && !isa_is_privileged(in, PROFILE_LEGACY)) {
            nuser++;
            strncat(want, " ", sizeof want - strlen(want) - 1);
            strncat(want, in->mnemonic, sizeof want - strlen(want) - 1);
            CU_ASSERT_STRING_NOT_EQUAL(in->mnemonic, "popf");
        }
    }
    strncat(want, "\n", sizeof want - strlen(want) - 1);
    CU_ASSERT(nuser > 0);
    snprintf(count, sizeof count, "its condition does not hold either. %d user-sensitive", nuser);
    CU_ASSERT_PTR_NOT_NULL(strstr(t3, count));
    CU_ASSERT_PTR_NOT_NULL(strstr(t3, want));
    const char *offenders[] = { "pushf", "popf", "smsw", "sidt" };
    for (size_t i = 0; i < 4; i++) {
        char line[32];
        snprintf(line, sizeof line, "\n  %s: ", offenders[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(text, line));
    }
    CU_ASSERT_PTR_NULL(strstr(text, "\n  mtcr: "));
    free(text);

    f = open_memstream(&text, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_TRUE(isa_write_popek_goldberg(f, PROFILE_STRICT));
    fclose(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Verdict: VIRTUALIZABLE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "Verdict (Theorem 3): a hybrid VMM can be built"));
    CU_ASSERT_PTR_NULL(strstr(text, "<- sensitive, not privileged"));
    free(text);

    /* The same verdict from the table directly, and through the command. */
    int legacy_bad = 0, strict_bad = 0;
    for (int op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode((uint32_t)op);
        if (!in || !isa_is_sensitive(in))
            continue;
        legacy_bad += !isa_is_privileged(in, PROFILE_LEGACY);
        strict_bad += !isa_is_privileged(in, PROFILE_STRICT);
    }
    CU_ASSERT_EQUAL(legacy_bad, 4);
    const isa_insn *popf = isa_lookup_mnemonic("popf"), *smsw = isa_lookup_mnemonic("smsw");
    CU_ASSERT_TRUE(isa_is_control_sensitive(popf) && isa_is_behavior_sensitive(popf));
    CU_ASSERT_FALSE(isa_is_user_sensitive(popf));
    CU_ASSERT_TRUE(isa_is_user_sensitive(smsw) && !isa_is_control_sensitive(smsw));
    CU_ASSERT_EQUAL(strict_bad, 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s isa --check --profile legacy >/dev/null", test_traplab_path);
    int st = system(cmd);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    snprintf(cmd, sizeof cmd, "%s isa --check --profile strict >/dev/null", test_traplab_path);
    st = system(cmd);
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

void test_isa_register(void)
{
    CU_pSuite s = CU_add_suite("isa", NULL, NULL);
    CU_add_test(s, "opcodes are unique and 0x00/0x3f stay illegal", test_opcodes_unique);
    CU_add_test(s, "every instruction encodes, decodes and disassembles back", test_encode_decode_roundtrip);
    CU_add_test(s, "docs/isa.md matches the table", test_docs_isa_md_fresh);
    CU_add_test(s, "Popek-Goldberg verdict computed from the table", test_popek_goldberg);
}
