/*
 * test_bt.c -- binary translation (--design bt): the legacy profile's
 * sensitive instructions, which trap-and-emulate cannot see, give the
 * native output once translated; every sensitive instruction is replaced;
 * the translation cache never serves code the guest has overwritten or
 * remapped; the counters count; stepping equals running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "asm/asm.h"
#include "tests/tests.h"
#include "tui/explain.h"
#include "vmm/vmm.h"

static bool assemble(const char *path, const char *src, const char *const *defs, size_t ndefs,
                     image *img)
{
    static const char *dirs[] = { "guest" };
    asm_options o;
    memset(&o, 0, sizeof o);
    o.include_dirs = dirs;
    o.ninclude_dirs = 1;
    o.defines = (const char **)defs;
    o.ndefines = ndefs;
    image_init(img);
    return (src ? asm_assemble_string("test.s", src, &o, img) : asm_assemble_file(path, &o, img)) == 0;
}

static char *native_of(const image *k, const image *p)
{
    vmm_config cfg;
    vmm_default_config(&cfg);
    vmm_native_result r;
    char err[128];
    if (!vmm_run_native(&cfg, k, p, 300000000, &r, err, sizeof err))
        return NULL;
    if (r.stop != STOP_HALT) {
        vmm_native_result_free(&r);
        return NULL;
    }
    return r.console;
}

/* One VM of design d on profile; the stats copied out, the console returned (malloc'd). */
static char *run_design(vmm_design d, isa_profile profile, vmm_host host, const image *k,
                        const image *p, vmm_stats *st)
{
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.design = d;
    cfg.profile = profile;
    cfg.host = host;
    char err[160];
    vmm *v = vmm_new(&cfg, err, sizeof err);
    if (!v)
        return NULL;
    char *out = NULL;
    if (vmm_load(v, 0, k, p, err, sizeof err) && vmm_run(v, 300000000) == STOP_HALT &&
        vmm_vm_state_of(v, 0) == VM_HALTED) {
        size_t n;
        const char *o = vmm_console(v, 0, &n);
        out = malloc(n + 1);
        memcpy(out, o, n);
        out[n] = '\0';
    } else if (vmm_vm_state_of(v, 0) == VM_FAILED) {
        fprintf(stderr, "\n  bt VM failed: %s\n", vmm_vm_reason(v, 0));
    }
    *st = *vmm_vm_stats(v, 0);
    vmm_free(v);
    return out;
}

/* ---- the legacy profile, every workload ---------------------------------------------- */
static void test_legacy_equals_native(void)
{
    static const char *const wl[] = { "cpu", "sys", "io", "mm", "mix" };
    static const char *kdefs[] = { "TICK=200000" }, *wdefs[] = { "ITERS=20000" };
    image k;
    CU_ASSERT_FATAL(assemble("guest/kernel.s", NULL, kdefs, 1, &k));
    unsigned full_differs = 0;
    for (size_t i = 0; i < sizeof wl / sizeof wl[0]; i++) {
        char path[64];
        snprintf(path, sizeof path, "guest/%s.s", wl[i]);
        image p;
        CU_ASSERT_FATAL(assemble(path, NULL, wdefs, 1, &p));
        char *native = native_of(&k, &p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(native);
        for (int host = 0; host < 2; host++) {
            vmm_stats st;
            char *bt = run_design(VMM_DESIGN_BT, PROFILE_LEGACY, (vmm_host)host, &k, &p, &st);
            CU_ASSERT_PTR_NOT_NULL(bt);
            if (bt && strcmp(bt, native) != 0)
                fprintf(stderr, "\n  %s: bt on legacy differs from native\n", wl[i]);
            CU_ASSERT(bt && strcmp(bt, native) == 0);
            CU_ASSERT_EQUAL(st.violations, 0);
            CU_ASSERT_EQUAL(st.exits_by_cause[CAUSE_ILLEGAL_PRIV], 0);   /* nothing trapped */
            CU_ASSERT(st.bt_blocks > 0 && st.bt_callouts > 0);
            free(bt);
            /* the strict profile too */
            bt = run_design(VMM_DESIGN_BT, PROFILE_STRICT, (vmm_host)host, &k, &p, &st);
            CU_ASSERT(bt && strcmp(bt, native) == 0);
            CU_ASSERT_EQUAL(st.exits_by_cause[CAUSE_ILLEGAL_PRIV], 0);
            free(bt);
        }
        vmm_stats fs;
        char *full = run_design(VMM_DESIGN_FULL, PROFILE_LEGACY, VMM_HOST_TYPE1, &k, &p, &fs);
        CU_ASSERT(fs.violations > 0);
        full_differs += !full || strcmp(full, native) != 0;
        free(full);
        free(native);
        image_free(&p);
    }
    /* where trap-and-emulate is not enough, translation is */
    CU_ASSERT(full_differs > 0);
    image_free(&k);
}

/* ---- every sensitive instruction is replaced ------------------------------------------ */
/* A kernel that runs every privileged and legacy-sensitive instruction in
 * ring 0 (paging off), then some user code, then its trap handler. */
static const char every_src[] =
    "        .equ CONSOLE, 0x10\n"
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        la s0, handler\n"
    "        mtcr tvb, s0\n"
    "        sidt a0\n"
    "        call puthex\n"
    "        li s1, 0x1234\n"
    "        mtcr scratch, s1\n"
    "        mfcr a0, scratch\n"
    "        call puthex\n"
    "        ei\n"
    "        smsw a0\n"
    "        call puthex\n"
    "        di\n"
    "        pushf\n"
    "        pop a0\n"
    "        call puthex\n"
    "        li a0, 0x0700\n"
    "        push a0\n"
    "        popf\n"
    "        smsw a0\n"
    "        call puthex\n"
    "        li a0, 5000\n"
    "        out a0, 0x20\n"
    "        wfi\n"
    "        in a0, 0x21\n"
    "        call puthex\n"
    "        out zero, 0x21\n"
    "        out zero, 0x20\n"
    "        tlbflush\n"
    "        la s0, user\n"
    "        mtcr epc, s0\n"
    "        li s0, 0x0503\n"
    "        mtcr estatus, s0\n"
    "        iret\n"
    "user:   li a0, 7\n"
    "        syscall\n"
    "handler: mfcr a0, cause\n"
    "        call puthex\n"
    "        mfcr a0, estatus\n"
    "        call puthex\n"
    "        halt\n"
    "puthex: li a2, 8\n"
    "        mov a1, a0\n"
    "1:      srli a0, a1, 28\n"
    "        addi a0, a0, 'a'\n"
    "        out a0, CONSOLE\n"
    "        slli a1, a1, 4\n"
    "        addi a2, a2, -1\n"
    "        bnez a2, 1b\n"
    "        li a0, ' '\n"
    "        out a0, CONSOLE\n"
    "        ret\n";

static void test_every_sensitive_replaced(void)
{
    image k;
    CU_ASSERT_FATAL(assemble(NULL, every_src, NULL, 0, &k));
    char *native = native_of(&k, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(native);
    for (int prof = 0; prof < 2; prof++) {
        vmm_stats st;
        char *bt = run_design(VMM_DESIGN_BT, (isa_profile)prof, VMM_HOST_TYPE1, &k, NULL, &st);
        CU_ASSERT(bt && strcmp(bt, native) == 0);
        CU_ASSERT_EQUAL(st.exits_by_cause[CAUSE_ILLEGAL_PRIV], 0);
        CU_ASSERT_EQUAL(st.violations, 0);
        static const unsigned ops[] = { OP_MFCR, OP_MTCR, OP_IRET, OP_HALT, OP_WFI, OP_EI, OP_DI,
                                        OP_TLBFLUSH, OP_IN, OP_OUT, OP_PUSHF, OP_POPF, OP_SMSW, OP_SIDT };
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            if (st.emulated_by_op[ops[i]] == 0)
                fprintf(stderr, "\n  bt did not replace %s\n", isa_lookup_opcode(ops[i])->mnemonic);
            CU_ASSERT(st.emulated_by_op[ops[i]] > 0);
        }
        CU_ASSERT(st.bt_inline > 0);                 /* smsw, sidt, pushf, mfcr */
        CU_ASSERT(st.bt_callouts > 0);
        free(bt);
    }
    free(native);
    image_free(&k);

    /* From the table: every PRIV or LEGACY instruction, alone in a block of
     * kernel code, is shown replaced (a callout or inline code), and every
     * other one copied. */
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.design = VMM_DESIGN_BT;
    char err[160];
    for (unsigned op = 0; op < ISA_NUM_OPCODES; op++) {
        const isa_insn *in = isa_lookup_opcode(op);
        if (!in)
            continue;
        char src[128];
        snprintf(src, sizeof src, "        .org 0x1000\n_start: .word 0x%08x\n        halt\n",
                 (unsigned)op << 26);
        CU_ASSERT_FATAL(assemble(NULL, src, NULL, 0, &k));
        vmm *v = vmm_new(&cfg, err, sizeof err);
        CU_ASSERT_FATAL(v != NULL);
        CU_ASSERT_FATAL(vmm_load(v, 0, &k, NULL, err, sizeof err));
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT(vmm_bt_show_block(v, 0, 0x1000, f));
        fclose(f);
        bool sensitive = in->privilege != PRIV_USER;
        bool replaced = strstr(text, "callout") || strstr(text, "inline");
        /* the first line after the header is the instruction itself */
        const char *row = strstr(text, "0x00001000  ");
        CU_ASSERT_PTR_NOT_NULL(row);
        bool first_replaced = row && (strncmp(row + 42, "callout", 7) == 0 || strncmp(row + 42, "inline", 6) == 0);
        if (sensitive != first_replaced)
            fprintf(stderr, "\n  %s: %s\n%s", in->mnemonic, sensitive ? "not replaced" : "replaced", text);
        CU_ASSERT_EQUAL(sensitive, first_replaced);
        (void)replaced;
        free(text);
        vmm_free(v);
        image_free(&k);
    }
}

/* ---- the cache never serves stale code -------------------------------------------------- */
/* The kernel calls f, then overwrites f's first instruction (li a0, 1 ->
 * li a0, 2) and calls it again; then maps page 0x5000 to one frame holding
 * "li a0, 3; ret", runs it, remaps the page to another frame holding
 * "li a0, 4; ret" (a page-table change, no code write) and runs it again. */
static const char smc_src[] =
    "        .equ CONSOLE, 0x10\n"
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        call f\n"
    "        call putdig\n"
    "        la s0, f\n"
    "        la s1, patch\n"
    "        lw s1, 0(s1)\n"
    "        sw s1, 0(s0)\n"               /* self-modifying code */
    "        call f\n"
    "        call putdig\n"
    /* paging: identity-map 0..4 MiB, except page 0x5000 -> frame 0x6000 */
    "        li s0, 0x20000\n"             /* level 1 */
    "        li s1, 0x21000\n"             /* level 2 */
    "        ori s2, s1, 1\n"
    "        sw s2, 0(s0)\n"
    "        li s3, 0\n"
    "        li s4, 1024\n"
    "2:      slli s5, s3, 12\n"
    "        ori s5, s5, 0x0f\n"
    "        slli a3, s3, 2\n"
    "        add a3, a3, s1\n"
    "        sw s5, 0(a3)\n"
    "        addi s3, s3, 1\n"
    "        blt s3, s4, 2b\n"
    "        li s5, 0x600f\n"
    "        sw s5, 20(s1)\n"              /* pte of page 5 */
    "        mtcr ptb, s0\n"
    "        smsw a0\n"
    "        ori a0, a0, 8\n"              /* STATUS_PG */
    "        mtcr status, a0\n"
    "        li a3, 0x5000\n"
    "        jalr lr, a3, 0\n"
    "        call putdig\n"
    "        li s5, 0x700f\n"
    "        sw s5, 20(s1)\n"              /* page 5 -> frame 0x7000: remapped */
    "        tlbflush\n"
    "        li a3, 0x5000\n"
    "        jalr lr, a3, 0\n"
    "        call putdig\n"
    "        halt\n"
    "f:      li a0, 1\n"
    "        ret\n"
    "patch:  li a0, 2\n"
    "putdig: addi a0, a0, '0'\n"
    "        out a0, CONSOLE\n"
    "        ret\n"
    "        .org 0x6000\n"
    "        li a0, 3\n"
    "        ret\n"
    "        .org 0x7000\n"
    "        li a0, 4\n"
    "        ret\n";

/* Runs kernel src natively and under bt on both profiles: the output is
 * want, and at least min_drops blocks were dropped, never serving stale
 * code (no sensitive instruction reaches the CPU). */
static void check_code_writes(const char *src, const char *want, uint64_t min_drops)
{
    image k;
    CU_ASSERT_FATAL(assemble(NULL, src, NULL, 0, &k));
    char *native = native_of(&k, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(native);
    CU_ASSERT_STRING_EQUAL(native, want);
    for (int prof = 0; prof < 2; prof++) {
        vmm_stats st;
        char *bt = run_design(VMM_DESIGN_BT, (isa_profile)prof, VMM_HOST_TYPE1, &k, NULL, &st);
        CU_ASSERT_PTR_NOT_NULL(bt);
        if (bt)
            CU_ASSERT_STRING_EQUAL(bt, want);
        CU_ASSERT(st.bt_invalidations >= min_drops);
        CU_ASSERT(st.bt_misses >= st.bt_blocks);
        CU_ASSERT_EQUAL(st.exits_by_cause[CAUSE_ILLEGAL_PRIV], 0);
        free(bt);
    }
    free(native);
    image_free(&k);
}

static void test_cache_invalidation(void)
{
    check_code_writes(smc_src, "1234", 1);         /* f's block was dropped */
}

/* Code on three pages, and g across the end of one page into the next
 * (two blocks: a page's end ends a block).  The kernel calls each, patches
 * a word on every page that holds translated code -- g's second page, then
 * its first page twice, the last time with a sensitive instruction -- and
 * calls again: every write must drop the block it overwrote, whichever
 * page of the cache's index it falls in (a stale block would let smsw run
 * untranslated: ring 1 on the real CPU, or a trap on the strict profile). */
static const char pages_src[] =
    "        .equ CONSOLE, 0x10\n"
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        call f\n"
    "        call g\n"
    "        call h\n"
    "        la s0, pf\n"
    "        lw s1, 0(s0)\n"
    "        la s2, f\n"
    "        sw s1, 0(s2)\n"               /* f: li a0, 4 */
    "        lw s1, 4(s0)\n"
    "        la s2, g2\n"
    "        sw s1, 0(s2)\n"               /* g, second page: addi a0, a0, 3 */
    "        lw s1, 8(s0)\n"
    "        la s2, h\n"
    "        sw s1, 0(s2)\n"               /* h: li a0, 6 */
    "        call f\n"
    "        call g\n"
    "        call h\n"
    "        lw s1, 12(s0)\n"
    "        la s2, g1\n"
    "        sw s1, 0(s2)\n"               /* g, first page: addi a0, a0, 1 */
    "        call g\n"
    "        lw s1, 16(s0)\n"
    "        la s2, g\n"
    "        sw s1, 0(s2)\n"               /* g, first page: smsw a0 (sensitive: 0 in ring 0) */
    "        call g\n"
    "        halt\n"
    "pf:     li a0, 4\n"
    "        addi a0, a0, 3\n"
    "        li a0, 6\n"
    "        addi a0, a0, 1\n"
    "        smsw a0\n"
    "putdig: addi a0, a0, '0'\n"
    "        out a0, CONSOLE\n"
    "        ret\n"
    "        .org 0x2100\n"             /* (cache slots apart: 4 KiB apart is one slot) */
    "f:      li a0, 1\n"
    "        j putdig\n"
    "        .org 0x2ff8\n"
    "g:      li a0, 2\n"
    "g1:     addi a0, a0, 0\n"
    "g2:     addi a0, a0, 0\n"             /* 0x3000: the next page */
    "        j putdig\n"
    "        .org 0x4200\n"
    "h:      li a0, 3\n"
    "        j putdig\n";

static void test_invalidation_by_page(void)
{
    check_code_writes(pages_src, "12345664", 5);   /* f, g's two blocks (one twice), h */
}

/* ---- counters, adaptive stores, stepping ------------------------------------------------- */
static void test_counters_and_stepping(void)
{
    static const char *kdefs[] = { "TICK=200000" };
    image k, p;
    CU_ASSERT_FATAL(assemble("guest/kernel.s", NULL, kdefs, 1, &k));
    CU_ASSERT_FATAL(assemble("guest/sys.s", NULL, NULL, 0, &p));
    vmm_stats st;
    char *out = run_design(VMM_DESIGN_BT, PROFILE_STRICT, VMM_HOST_TYPE1, &k, &p, &st);
    CU_ASSERT_PTR_NOT_NULL(out);
    free(out);
    /* sys makes a system call in a loop: the kernel's blocks are translated
     * once and found in the cache ever after */
    CU_ASSERT(st.bt_blocks > 10);
    CU_ASSERT(st.bt_hits > 100 * st.bt_blocks);
    CU_ASSERT_EQUAL(st.bt_misses, st.bt_blocks);
    CU_ASSERT(st.bt_insns >= st.bt_blocks);
    /* its trap entry stores registers beside its code: those stores fault
     * twice, then become callouts (adaptive translation) */
    CU_ASSERT(st.bt_adaptive > 0);
    CU_ASSERT(st.bt_store_callouts > 100 * st.bt_adaptive);
    CU_ASSERT(st.emulated_by_op[OP_SW] <= 2 * st.bt_adaptive + 8);
    /* the system calls still exit (to be reflected), the mfcr/mtcr/iret around them do not */
    CU_ASSERT(st.exits_by_cause[CAUSE_SYSCALL] > 1000);
    CU_ASSERT_EQUAL(st.exits_by_cause[CAUSE_ILLEGAL_PRIV], 0);

    /* Stepping one instruction at a time gives what one run gives. */
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.design = VMM_DESIGN_BT;
    char err[160];
    vmm *a = vmm_new(&cfg, err, sizeof err), *b = vmm_new(&cfg, err, sizeof err);
    CU_ASSERT_FATAL(a && b);
    CU_ASSERT_FATAL(vmm_load(a, 0, &k, &p, err, sizeof err) && vmm_load(b, 0, &k, &p, err, sizeof err));
    vmm_run(a, 30000);
    for (int i = 0; i < 30000; i++)
        vmm_step(b);
    CU_ASSERT_EQUAL(machine_cycles(vmm_machine(a)), machine_cycles(vmm_machine(b)));
    CU_ASSERT_EQUAL(machine_instret(vmm_machine(a)), machine_instret(vmm_machine(b)));
    CU_ASSERT_EQUAL(vmm_vm_stats(a, 0)->bt_blocks, vmm_vm_stats(b, 0)->bt_blocks);
    CU_ASSERT_EQUAL(vmm_vm_stats(a, 0)->bt_callouts, vmm_vm_stats(b, 0)->bt_callouts);
    CU_ASSERT_EQUAL(vmm_guest_pc(a, 0), vmm_guest_pc(b, 0));
    /* and a snapshot restored runs on to the same state */
    vmm_snapshot *s = vmm_save(a);
    CU_ASSERT_FATAL(s != NULL);
    vmm_run(a, 20000);
    uint64_t cyc = machine_cycles(vmm_machine(a));
    CU_ASSERT(vmm_restore(a, s));
    vmm_run(a, 20000);
    CU_ASSERT_EQUAL(machine_cycles(vmm_machine(a)), cyc);
    vmm_snapshot_free(s);
    vmm_free(a);
    vmm_free(b);
    image_free(&k);
    image_free(&p);
}

/* ---- on the command line ------------------------------------------------------------------ */
static void test_cli(void)
{
    static char out[1 << 17];
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s vm --guest kernel --program io --design bt --profile legacy --stats "
             "--show-block 0x1000 2>&1", test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NULL(strstr(out, "DIFFERS"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "translation         "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "block at 0x00001000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "callout: the VMM emulates mtcr"));
    snprintf(cmd, sizeof cmd, "%s vm --guest kernel --program io --design full --profile legacy 2>&1",
             test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "OUTPUT DIFFERS FROM NATIVE"));
    snprintf(cmd, sizeof cmd, "%s vm --guest kernel --program sys --design bt --json 2>/dev/null",
             test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"design\": \"bt\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"bt\": {\"blocks\": "));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"invalidations\": "));
    snprintf(cmd, sizeof cmd, "%s vm --guest kernel --program sys --design bt --trace 2>&1 >/dev/null | head -400",
             test_traplab_path);
    test_sh(cmd, out, sizeof out);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "translate the block at 0x00001000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "sensitive mtcr at 0x0000100c replaced by a callout into the VMM"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "callout: emulate"));
    snprintf(cmd, sizeof cmd, "%s vm --guest kernel --program sys --show-block 0x1000 2>&1", test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 2);
    /* compare: the design axis */
    snprintf(cmd, sizeof cmd, "%s compare --workloads io --designs bt,full --csv 2>&1", test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"io\",native,-,true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"io\",bt,type1,true"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "\"io\",full,type2,true"));
    CU_ASSERT_PTR_NULL(strstr(out, ",para,"));
    snprintf(cmd, sizeof cmd, "%s compare --designs bt,bt 2>&1", test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 2);
    snprintf(cmd, sizeof cmd, "%s compare --designs warp 2>&1", test_traplab_path);
    CU_ASSERT_EQUAL(test_sh(cmd, out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "unknown design 'warp'"));
}

/* ---- the TUI's explanation of the translator's events ----------------------------------- */
typedef struct { char what[4][112]; bool seen[4]; } bt_seen;

static void collect(vmm *v, const vmm_event *e, void *ud)
{
    (void)v;
    bt_seen *b = ud;
    static const char *const prefix[4] = { "translate the block", "sensitive ", "callout", "inline" };
    for (int k = 0; k < 4; k++)
        if (e->kind == VMM_EV_STEP && !b->seen[k] && strncmp(vmm_event_what(e), prefix[k], strlen(prefix[k])) == 0) {
            snprintf(b->what[k], sizeof b->what[k], "%s", vmm_event_what(e));
            b->seen[k] = true;
        }
}

static void test_explained(void)
{
    static const char *kdefs[] = { "TICK=200000" };
    image k, p;
    CU_ASSERT_FATAL(assemble("guest/kernel.s", NULL, kdefs, 1, &k));
    CU_ASSERT_FATAL(assemble("guest/io.s", NULL, NULL, 0, &p));
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.design = VMM_DESIGN_BT;
    char err[160];
    vmm *v = vmm_new(&cfg, err, sizeof err);
    CU_ASSERT_FATAL(v && vmm_load(v, 0, &k, &p, err, sizeof err));
    bt_seen b;
    memset(&b, 0, sizeof b);
    vmm_set_event_fn(v, collect, &b);
    CU_ASSERT_EQUAL(vmm_run(v, 0), STOP_HALT);
    static const char *const en[4] = { "Binary translation: before this block", "did not copy it",
                                       "A call, not a trap", "inline instructions" };
    static const char *const es[4] = { "Traducción binaria", "no la copió", "Una llamada, no una trampa",
                                       "en línea" };
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_TRUE(b.seen[i]);
        tui_event e;
        memset(&e, 0, sizeof e);
        e.kind = TUI_EV_STEP;
        e.vm = 0;
        e.cycles = 43;
        snprintf(e.what, sizeof e.what, "%s", b.what[i]);
        char buf[2048];
        tui_explain(&e, TUI_LANG_EN, buf, sizeof buf);
        if (!strstr(buf, en[i]))
            fprintf(stderr, "\n  %s ->\n%s\n", b.what[i], buf);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, en[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, b.what[i]));
        tui_explain(&e, TUI_LANG_ES, buf, sizeof buf);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, es[i]));
    }
    vmm_free(v);
    image_free(&k);
    image_free(&p);
}

void test_bt_register(void)
{
    CU_pSuite s = CU_add_suite("bt", NULL, NULL);
    CU_add_test(s, "legacy profile: bt gives the native output on every workload", test_legacy_equals_native);
    CU_add_test(s, "every sensitive instruction is replaced", test_every_sensitive_replaced);
    CU_add_test(s, "code writes and remapping invalidate the cache", test_cache_invalidation);
    CU_add_test(s, "a write to any page of translated code drops its blocks", test_invalidation_by_page);
    CU_add_test(s, "counters, adaptive stores, stepping equals running", test_counters_and_stepping);
    CU_add_test(s, "traplab vm --design bt and compare --designs", test_cli);
    CU_add_test(s, "the TUI explains the translator's events (en, es)", test_explained);
}
