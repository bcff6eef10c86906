/*
 * test_hvext.c -- the virtualization extension as a hypervisor sees it:
 * which guest instructions and events leave guest mode and with what exit
 * reason and qualification, where the guest's own traps go, a two-stage
 * walk against one computed by hand, and a guest that cannot reach host
 * memory through either stage.
 */
#include <string.h>

#include "machine/machine.h"
#include "tests/tests.h"

/* Host-physical layout of the test machine (1 MiB). */
#define HOST_HALT  0x00000u     /* the host's code: where it resumes after an exit */
#define VMCB       0x01000u
#define NPT_L1     0x02000u     /* second stage */
#define NPT_L2     0x03000u
#define PART       0x40000u     /* the guest's 32 pages, in reverse order */
#define GPAGES     32u
#define MARKER     0x0badc0deu  /* planted in host memory outside the partition */
#define SECRET     0x90000u

/* Guest physical page i lives at host PART + (GPAGES - 1 - i) * 4096: a
 * mapping nothing could get right by accident. */
static uint32_t hpa_of(uint32_t gpa) { return PART + (GPAGES - 1 - (gpa >> 12)) * 4096 + (gpa & 0xfffu); }

static struct { int n; machine_vmexit last; } seen;

static void on_exit(machine *m, const machine_vmexit *e, void *ud)
{
    (void)m; (void)ud;
    seen.n++;
    seen.last = *e;
}

/* A machine with a guest whose code (words w) is at guest-physical 0x1000,
 * paging off, tvb at guest-physical 0x800 (which halts: an exit). */
static machine *guest(const uint32_t *w, size_t n)
{
    machine_config cfg;
    machine_default_config(&cfg);
    cfg.mem_size = 1u << 20;
    machine *m = machine_new(&cfg);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    test_put32(m, HOST_HALT, E(HALT, 0, 0, 0, 0));
    for (uint32_t i = 0; i < GPAGES; i++)
        test_put32(m, NPT_L2 + 4 * i, hpa_of(i << 12) | PTE_V | PTE_R | PTE_W | PTE_X);
    test_put32(m, NPT_L1, NPT_L2 | PTE_V);
    for (size_t i = 0; i < n; i++)
        test_put32(m, hpa_of(0x1000 + 4 * (uint32_t)i), w[i]);
    test_put32(m, hpa_of(0x800), E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_GUEST_PC, 0x1000);
    test_put32(m, VMCB + VMCB_GUEST_TVB, 0x800);
    test_put32(m, VMCB + VMCB_NPTB, NPT_L1);
    test_put32(m, SECRET, MARKER);
    memset(&seen, 0, sizeof seen);
    machine_set_vmexit_hook(m, on_exit, NULL);
    return m;
}
#define GUEST(...) guest((const uint32_t[]){ __VA_ARGS__ }, \
                         sizeof((const uint32_t[]){ __VA_ARGS__ }) / sizeof(uint32_t))

/* Enters the guest from the host's ring 0 at HOST_HALT and runs until the
 * host halts again; returns the number of exits. */
static int run(machine *m)
{
    machine_cpu(m)->pc = HOST_HALT;
    CU_ASSERT_FATAL(machine_vmenter(m, VMCB));
    CU_ASSERT(machine_guest_mode(m));
    CU_ASSERT_EQUAL(machine_run(m, 10000), STOP_HALT);
    CU_ASSERT(!machine_guest_mode(m));
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, HOST_HALT + 4);   /* past its halt */
    return seen.n;
}

static void test_exit_reasons(void)
{
    /* Privileged instructions of the guest's ring 0 that the controls do
     * not intercept run on its own registers, without an exit. */
    machine *m = GUEST(E(ADDI, 1, 0, 0, 0x123), E(MTCR, CR_SCRATCH, 1, 0, 0),
                       E(MFCR, 2, CR_SCRATCH, 0, 0), E(EI, 0, 0, 0, 0), E(DI, 0, 0, 0, 0),
                       E(SMSW, 3, 0, 0, 0), E(OUT, 2, 0, 0, PORT_CONSOLE_DATA));
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_IO);
    CU_ASSERT_EQUAL(seen.last.qual, PORT_CONSOLE_DATA | VMCB_QUAL_OUT);
    CU_ASSERT_EQUAL(seen.last.pc, 0x1018);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 0x123);
    CU_ASSERT_EQUAL(machine_get_reg(m, 3) & STATUS_RING_MASK, 0);   /* smsw: the guest's ring 0 */
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_SCRATCH), 0x123);    /* the guest's bank, saved */
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_SCRATCH), 0);              /* the host's, untouched */
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_EXIT_REASON), EXIT_IO);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_PC), 0x1018);        /* the hypervisor advances */
    CU_ASSERT_EQUAL(machine_console_output(m, NULL)[0], '\0');      /* the real console: nothing */
    const machine_stats *st = machine_get_stats(m);
    CU_ASSERT_EQUAL(st->vm_entries, 1);
    CU_ASSERT_EQUAL(st->vm_exits, 1);
    CU_ASSERT_EQUAL(st->exits_by_reason[EXIT_IO], 1);
    machine_free(m);

    /* in, halt, wfi, timecmp and cycle always exit. */
    struct { uint32_t w; uint32_t reason, qual; } always[] = {
        { E(IN, 1, 0, 0, PORT_TIMER_PERIOD), EXIT_IO, PORT_TIMER_PERIOD },
        { E(HALT, 0, 0, 0, 0), EXIT_VIRTUAL_INSN, E(HALT, 0, 0, 0, 0) },
        { E(WFI, 0, 0, 0, 0), EXIT_VIRTUAL_INSN, E(WFI, 0, 0, 0, 0) },
        { E(MTCR, CR_TIMECMP, 1, 0, 0), EXIT_VIRTUAL_INSN, E(MTCR, CR_TIMECMP, 1, 0, 0) },
        { E(MFCR, 1, CR_CYCLE, 0, 0), EXIT_VIRTUAL_INSN, E(MFCR, 1, CR_CYCLE, 0, 0) },
        { E(VMENTER, 1, 0, 0, 0), EXIT_VIRTUAL_INSN, E(VMENTER, 1, 0, 0, 0) },
        { E(HCALL, 0, 0, 0, 0), EXIT_HYPERCALL, 0 },
    };
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) {
        m = GUEST(always[i].w);
        CU_ASSERT_EQUAL(run(m), 1);
        CU_ASSERT_EQUAL(seen.last.reason, always[i].reason);
        CU_ASSERT_EQUAL(seen.last.qual, always[i].qual);
        CU_ASSERT_EQUAL(seen.last.insn, always[i].w);
        CU_ASSERT_EQUAL(seen.last.pc, 0x1000);
        machine_free(m);
    }

    /* An exit control: mfcr now exits as a virtual instruction. */
    m = GUEST(E(MFCR, 2, CR_STATUS, 0, 0), E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_EXIT_INSNS_HI, 1u << (OP_MFCR - 32));
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_VIRTUAL_INSN);
    CU_ASSERT_EQUAL(seen.last.qual, E(MFCR, 2, CR_STATUS, 0, 0));
    machine_free(m);

    /* A system call goes to the guest's own vector (which halts: one exit,
     * at 0x800), with the guest's epc and cause... */
    m = GUEST(E(SYSCALL, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.pc, 0x800);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_EPC), 0x1004);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_CAUSE), CAUSE_SYSCALL);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_EPC), 0);
    machine_free(m);
    /* ...unless the exception bitmap intercepts it. */
    m = GUEST(E(SYSCALL, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_EXIT_EXCEPTIONS, 1u << CAUSE_SYSCALL);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_EXCEPTION);
    CU_ASSERT_EQUAL(seen.last.qual, CAUSE_SYSCALL);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_PC), 0x1004);   /* as the trap would have saved */
    machine_free(m);

    /* A host timer interrupt leaves the guest even with its interrupts off. */
    m = GUEST(E(DI, 0, 0, 0, 0), E(J, 0, 0, 0, 0));
    machine_set_cr(m, CR_TIMECMP, 3000);      /* past the vmenter's own cost */
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_INTERRUPT);
    CU_ASSERT_EQUAL(seen.last.qual, CAUSE_TIMER);
    CU_ASSERT_EQUAL(seen.last.pc, 0x1004);
    machine_free(m);

    /* The interrupt window: the exit comes when the guest turns IE on. */
    m = GUEST(E(ADDI, 1, 0, 0, 1), E(EI, 0, 0, 0, 0), E(ADDI, 1, 0, 0, 2));
    test_put32(m, VMCB + VMCB_CTRL, VMCB_CTRL_INTR_WINDOW);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_INTR_WINDOW);
    CU_ASSERT_EQUAL(seen.last.pc, 0x1008);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 1);
    machine_free(m);

    /* Event injection delivers a trap into the guest on the way in. */
    m = GUEST(E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_INJECT, VMCB_INJECT_VALID | CAUSE_TIMER);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.pc, 0x800);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_CAUSE), CAUSE_TIMER);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_GUEST_EPC), 0x1000);
    CU_ASSERT_EQUAL(test_get32(m, VMCB + VMCB_INJECT), 0);
    machine_free(m);

    /* A guest with no trap vector cannot take its trap: a triple fault,
     * never a fatal stop of the machine. */
    m = GUEST(E(SYSCALL, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_GUEST_TVB, 0);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_TRIPLE_FAULT);
    CU_ASSERT_EQUAL(seen.last.qual, CAUSE_SYSCALL);
    machine_free(m);

    /* In the guest's ring 3 a privileged instruction traps to the guest's
     * kernel, not to the hypervisor. */
    m = GUEST(E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_GUEST_STATUS, 3);
    test_put32(m, hpa_of(0x800), E(MFCR, 4, CR_CAUSE, 0, 0));
    test_put32(m, hpa_of(0x804), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.pc, 0x804);
    CU_ASSERT_EQUAL(machine_get_reg(m, 4), CAUSE_ILLEGAL_PRIV);
    machine_free(m);
}

/* A host written in the ISA itself: vmenter, then after the exit it reads
 * the reason from the VMCB (no hook: it resumes after its vmenter). */
static void test_vmenter_instruction(void)
{
    machine *m = GUEST(E(HCALL, 0, 0, 0, 0));
    machine_set_vmexit_hook(m, NULL, NULL);
    uint32_t host[] = { E(LUI, 1, 0, 0, VMCB >> 12), E(VMENTER, 1, 0, 0, 0),
                        E(LW, 2, 0, 0, VMCB + VMCB_EXIT_REASON), E(HALT, 0, 0, 0, 0) };
    for (unsigned i = 0; i < 4; i++)
        test_put32(m, 0x100 + 4 * i, host[i]);
    machine_cpu(m)->pc = 0x100;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), EXIT_HYPERCALL);
    CU_ASSERT_EQUAL(machine_cpu(m)->pc, 0x110);   /* resumed after vmenter, then halted */
    CU_ASSERT(!machine_guest_mode(m));
    /* Cost: the guest's instruction, vmenter and exit, besides the host's. */
    const machine_config *cfg = machine_get_config(m);
    CU_ASSERT(machine_cycles(m) >= (uint64_t)cfg->costs.vm_enter + cfg->costs.vm_exit);
    machine_free(m);

    /* A VMCB that is not a page in memory: ILLEGAL_INSN on the host. */
    m = GUEST(E(HALT, 0, 0, 0, 0));
    uint32_t bad[] = { E(ADDI, 1, 0, 0, 0x1004), E(VMENTER, 1, 0, 0, 0) };
    test_put32(m, 0x100, bad[0]);
    test_put32(m, 0x104, bad[1]);
    test_put32(m, 0x200, E(HALT, 0, 0, 0, 0));
    machine_set_cr(m, CR_TVB, 0x200);
    machine_cpu(m)->pc = 0x100;
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(CAUSE_CODE(machine_get_cr(m, CR_CAUSE)), CAUSE_ILLEGAL_INSN);
    CU_ASSERT_EQUAL(machine_get_cr(m, CR_EPC), 0x104);
    CU_ASSERT(!machine_vmenter(m, 0xfffff000u));
    machine_free(m);

    /* Outside ring 0 vmenter is privileged. */
    m = GUEST(E(HALT, 0, 0, 0, 0));
    test_put32(m, 0x100, E(VMENTER, 1, 0, 0, 0));
    machine_set_cr(m, CR_TVB, 0x200);
    test_put32(m, 0x200, E(HALT, 0, 0, 0, 0));
    machine_set_cr(m, CR_STATUS, 3);
    machine_cpu(m)->pc = 0x100;
    machine_run(m, 100);
    CU_ASSERT_EQUAL(CAUSE_CODE(machine_get_cr(m, CR_CAUSE)), CAUSE_ILLEGAL_PRIV);
    machine_free(m);
}

/*
 * The guest's own table maps va 0x00403123 and the hardware walks both
 * stages.  By hand:
 *   guest ptb = gpa 0x2000; L1 index va[31:22] = 1 -> entry at gpa 0x2004
 *     second stage of 0x2004: L1[0] -> NPT_L2, L2[2] -> host PART + 29 * 4096 = 0x5d000
 *     so the entry is read at host 0x5d004; it says: L2 table at gpa 0x3000
 *   L2 index va[21:12] = 3 -> entry at gpa 0x300c -> host PART + 28 * 4096 + 0xc = 0x5c00c
 *     it says: frame gpa 0x7000, R|W, any ring
 *   data gpa 0x7123 -> host PART + 24 * 4096 + 0x123 = 0x58123
 * Memory references: 2 + 1 (L1 entry) + 2 + 1 (L2 entry) + 2 (data) = 8.
 */
static void test_two_stage_walk(void)
{
    machine *m = GUEST(E(LUI, 1, 0, 0, 0x403), E(LW, 2, 1, 0, 0x123), E(HALT, 0, 0, 0, 0));
    test_put32(m, 0x5d004, 0x3000 | PTE_V);
    test_put32(m, 0x5c00c, 0x7000 | PTE_V | PTE_R | PTE_W | (3u << PTE_RING_SHIFT));
    uint8_t val[4] = { 0x78, 0x56, 0x34, 0x12 };
    /* lw needs alignment: read the word at 0x120 instead, planted at host 0x58120. */
    CU_ASSERT_FATAL(machine_write_phys(m, 0x58120, val, 4));
    test_put32(m, hpa_of(0x1004), E(LW, 2, 1, 0, 0x120));
    /* The code must stay reachable once paging is on: identity-map gpa 0x1000. */
    test_put32(m, 0x5d000, 0x4000 | PTE_V);                       /* guest L1[0] -> gpa 0x4000 */
    test_put32(m, hpa_of(0x4000) + 4, 0x1000 | PTE_V | PTE_R | PTE_X);   /* L2[1]: gpa 0x1000 */
    test_put32(m, VMCB + VMCB_GUEST_PTB, 0x2000);
    test_put32(m, VMCB + VMCB_GUEST_STATUS, STATUS_PG);
    CU_ASSERT_EQUAL(hpa_of(0x2004), 0x5d004);
    CU_ASSERT_EQUAL(hpa_of(0x300c), 0x5c00c);
    CU_ASSERT_EQUAL(hpa_of(0x7120), 0x58120);

    /* The walk itself, without running anything. */
    uint32_t cr[ISA_NUM_CRS] = { 0 };
    cr[CR_STATUS] = STATUS_PG;
    cr[CR_PTB] = 0x2000;
    uint32_t hpa = 0, gpa = 0;
    bool nested, walk;
    unsigned refs = 0;
    CU_ASSERT_EQUAL(machine_walk2(m, cr, NPT_L1, 0x00403123, ACCESS_READ, 0, &hpa, &gpa, &nested,
                                  &walk, &refs), CAUSE_NONE);
    CU_ASSERT_EQUAL(hpa, 0x58123);
    CU_ASSERT_EQUAL(refs, 8);
    /* The first stage says no write to code; a write to the data page is fine. */
    refs = 0;
    CU_ASSERT_EQUAL(machine_walk2(m, cr, NPT_L1, 0x00001000, ACCESS_WRITE, 0, &hpa, &gpa, &nested,
                                  &walk, &refs), CAUSE_PAGE_FAULT);
    CU_ASSERT(!nested);
    /* With the guest's paging off only the second stage is walked: 2 references. */
    cr[CR_STATUS] = 0;
    refs = 0;
    CU_ASSERT_EQUAL(machine_walk2(m, cr, NPT_L1, 0x7123, ACCESS_READ, 0, &hpa, &gpa, &nested,
                                  &walk, &refs), CAUSE_NONE);
    CU_ASSERT_EQUAL(hpa, 0x58123);
    CU_ASSERT_EQUAL(refs, 2);

    /* Running it: the load reads the planted word; the misses are nested
     * and cost tlb_miss_nested each. */
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_VIRTUAL_INSN);   /* the halt */
    CU_ASSERT_EQUAL(machine_get_reg(m, 2), 0x12345678);
    const machine_stats *st = machine_get_stats(m);
    CU_ASSERT_EQUAL(st->tlb_misses_nested, 2);               /* code page, data page */
    CU_ASSERT_EQUAL(st->tlb_misses, 2);
    CU_ASSERT_EQUAL(st->walk_refs, 16);
    machine_free(m);
}

/* Nothing the guest puts in its own tables, and no address it uses with
 * paging off, reaches host memory outside its partition. */
static void test_guest_cannot_reach_host(void)
{
    /* Paging off: the host address of the secret, as a guest-physical one. */
    machine *m = GUEST(E(LUI, 1, 0, 0, SECRET >> 12), E(SW, 0, 1, 0, 0), E(HALT, 0, 0, 0, 0));
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_NESTED_FAULT);
    CU_ASSERT_EQUAL(seen.last.qual, SECRET);
    CU_ASSERT_EQUAL(seen.last.info & 3u, ACCESS_WRITE);
    CU_ASSERT_EQUAL(seen.last.info & VMCB_INFO_WALK, 0);
    CU_ASSERT_EQUAL(test_get32(m, SECRET), MARKER);
    machine_free(m);

    /* Its own page table maps a frame at the secret's host address: the
     * second stage still translates that guest-physical address, and has
     * nothing for it. */
    m = GUEST(E(LUI, 1, 0, 0, 0x400), E(LW, 2, 1, 0, 0), E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_GUEST_PTB, 0x2000);
    test_put32(m, VMCB + VMCB_GUEST_STATUS, STATUS_PG);
    test_put32(m, hpa_of(0x2000), 0x4000 | PTE_V);
    test_put32(m, hpa_of(0x2004), 0x3000 | PTE_V);
    test_put32(m, hpa_of(0x4000) + 4, 0x1000 | PTE_V | PTE_R | PTE_X);
    test_put32(m, hpa_of(0x3000), SECRET | PTE_V | PTE_R | PTE_W);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_NESTED_FAULT);
    CU_ASSERT_EQUAL(seen.last.qual, SECRET);
    CU_ASSERT_EQUAL(seen.last.addr, 0x00400000);
    CU_ASSERT_NOT_EQUAL(machine_get_reg(m, 2), MARKER);
    machine_free(m);

    /* Its page table itself outside the partition: the walk's read exits. */
    m = GUEST(E(LW, 2, 0, 0, 0x1000), E(HALT, 0, 0, 0, 0));
    test_put32(m, VMCB + VMCB_GUEST_PTB, SECRET);
    test_put32(m, VMCB + VMCB_GUEST_STATUS, STATUS_PG);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_NESTED_FAULT);
    CU_ASSERT_EQUAL(seen.last.qual, SECRET);      /* L1 index 0 of the table at SECRET */
    CU_ASSERT(seen.last.info & VMCB_INFO_WALK);
    CU_ASSERT_EQUAL(seen.last.info & 3u, ACCESS_EXEC);
    machine_free(m);

    /* A second-stage table that points outside memory, or at the host's
     * own tables, read-only: no crash, no write. */
    m = GUEST(E(LUI, 1, 0, 0, 0x20), E(SW, 0, 1, 0, 0), E(HALT, 0, 0, 0, 0));
    test_put32(m, NPT_L2 + 4 * 0x20, 0xfffff000u | PTE_V | PTE_R | PTE_W);
    test_put32(m, NPT_L2 + 4 * 0x21, NPT_L1 | PTE_V | PTE_R);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_NESTED_FAULT);
    CU_ASSERT_EQUAL(seen.last.qual, 0x20000);
    machine_free(m);
    m = GUEST(E(LUI, 1, 0, 0, 0x21), E(SW, 0, 1, 0, 0), E(HALT, 0, 0, 0, 0));
    test_put32(m, NPT_L2 + 4 * 0x21, NPT_L1 | PTE_V | PTE_R);
    CU_ASSERT_EQUAL(run(m), 1);
    CU_ASSERT_EQUAL(seen.last.reason, EXIT_NESTED_FAULT);
    CU_ASSERT_EQUAL(test_get32(m, NPT_L1), NPT_L2 | PTE_V);
    machine_free(m);
}

/* Guest mode survives a snapshot: restoring and running again gives the same result. */
static void test_snapshot_in_guest_mode(void)
{
    machine *m = GUEST(E(ADDI, 1, 0, 0, 7), E(ADDI, 1, 1, 0, 1), E(HALT, 0, 0, 0, 0));
    machine_cpu(m)->pc = HOST_HALT;
    CU_ASSERT_FATAL(machine_vmenter(m, VMCB));
    CU_ASSERT_EQUAL(machine_run(m, 1), STOP_LIMIT);
    machine_snapshot *s = machine_save(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    uint64_t cycles = machine_cycles(m);
    machine_restore(m, s);
    CU_ASSERT(machine_guest_mode(m));
    CU_ASSERT_EQUAL(machine_run(m, 100), STOP_HALT);
    CU_ASSERT_EQUAL(machine_cycles(m), cycles);
    CU_ASSERT_EQUAL(machine_get_reg(m, 1), 8);
    machine_snapshot_free(s);
    machine_free(m);
}

void test_hvext_register(void)
{
    CU_pSuite s = CU_add_suite("hvext", NULL, NULL);
    CU_add_test(s, "exit reasons and qualifications; what does not exit", test_exit_reasons);
    CU_add_test(s, "vmenter as an instruction; bad VMCB; privileged", test_vmenter_instruction);
    CU_add_test(s, "two-stage walk against a hand-computed walk", test_two_stage_walk);
    CU_add_test(s, "a guest cannot reach host memory through either stage", test_guest_cannot_reach_host);
    CU_add_test(s, "guest mode in a snapshot", test_snapshot_in_guest_mode);
}
