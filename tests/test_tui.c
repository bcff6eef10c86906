/*
 * test_tui.c -- the terminal UI's model and explanations, without a
 * terminal: every key's action is called as a function and the tests check
 * what the screen would show (registers, the trap log, the explanation,
 * the console).
 */
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "tests/tests.h"
#include "tui/explain.h"
#include "tui/model.h"
#include "tui/target_vmm.h"

/* A kernel that drops to ring 3; the user code calls a function, then runs
 * a privileged instruction; the handler prints the cause and halts. */
static const char trap_src[] =
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        la s0, handler\n"
    "        mtcr tvb, s0\n"
    "        li s0, 3\n"
    "        mtcr estatus, s0\n"
    "        la s0, user\n"
    "        mtcr epc, s0\n"
    "        iret\n"
    "user:   li a0, 6\n"
    "        li a1, 7\n"
    "        call twice\n"
    "after:  add a1, a1, a0\n"
    "priv:   halt\n"
    "        b user\n"
    "twice:  add a0, a0, a0\n"
    "        ret\n"
    "handler: mfcr a0, cause\n"
    "        andi a0, a0, 0xff\n"
    "        addi a0, a0, '0'\n"
    "        out a0, 0x10\n"
    "        halt\n";

/* Forty system calls about a thousand instructions apart, each printing a
 * dot from the kernel: enough to thin the checkpoints several times. */
static const char loop_src[] =
    "        .org 0x1000\n"
    "_start: li sp, 0x8000\n"
    "        la s0, handler\n"
    "        mtcr tvb, s0\n"
    "        li s0, 3\n"
    "        mtcr estatus, s0\n"
    "        la s0, user\n"
    "        mtcr epc, s0\n"
    "        iret\n"
    "user:   li s1, 0\n"
    "        li s2, 40\n"
    "outer:  li s3, 500\n"
    "inner:  addi s3, s3, -1\n"
    "        bnez s3, inner\n"
    "        syscall\n"
    "        addi s1, s1, 1\n"
    "        bne s1, s2, outer\n"
    "        halt\n"
    "handler: mfcr k0, cause\n"
    "        andi k0, k0, 0xff\n"
    "        li at, 1\n"
    "        beq k0, at, sys\n"
    "        halt\n"
    "sys:    li at, '.'\n"
    "        out at, 0x10\n"
    "        iret\n";

static size_t snap_bytes;

static tui_model *make_model(const char *src, size_t ck_snapshots)
{
    return test_bare_model(src, ck_snapshots, &snap_bytes);
}

static uint32_t sym(const tui_model *m, const char *name)
{
    const image_symbol *s = image_find_symbol(&m->img, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s->value;
}

static const char *console(tui_model *m)
{
    return machine_console_output(tui_model_machine(m), NULL);
}

static void test_step_and_trap(void)
{
    tui_model *m = make_model(trap_src, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    machine *mach = tui_model_machine(m);
    CU_ASSERT_EQUAL(tui_model_pc(m), 0x1000);
    CU_ASSERT_PTR_NULL(tui_model_selected(m));

    CU_ASSERT(tui_action_step(m) & TUI_REDRAW);
    CU_ASSERT_EQUAL(machine_instret(mach), 1);
    CU_ASSERT_EQUAL(tui_model_pc(m), 0x1004);
    CU_ASSERT_EQUAL(machine_get_reg(mach, REG_SP), 0x8000);
    CU_ASSERT_EQUAL(m->prev_cpu.r[REG_SP], 0);          /* what the view highlights */
    CU_ASSERT_EQUAL(m->mem_addr, 0x1000);               /* memory follows the PC */

    tui_action_run_to_trap(m);
    CU_ASSERT_EQUAL(m->last_stop, STOP_TRAP);
    CU_ASSERT_EQUAL_FATAL(m->nlog, 1);
    const tui_event *e = tui_model_selected(m);
    CU_ASSERT_EQUAL(CAUSE_CODE(e->cause), CAUSE_ILLEGAL_PRIV);
    CU_ASSERT_EQUAL(e->pc, sym(m, "priv"));
    CU_ASSERT_EQUAL(e->ring_from, 3);
    CU_ASSERT_EQUAL(e->ring_to, 0);
    CU_ASSERT_EQUAL(e->handler, TUI_HANDLER_HARDWARE);
    CU_ASSERT_EQUAL(e->cycles, 1000);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "handler"));
    CU_ASSERT_EQUAL(m->mem_addr, sym(m, "handler") & ~0xfu);
    CU_ASSERT_EQUAL(machine_ring(mach), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "ILLEGAL_PRIV"));
    /* 6 doubled is 12, plus 7 */
    CU_ASSERT_EQUAL(machine_get_reg(mach, REG_A1), 19);

    tui_action_continue(m, 1000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_HALT);
    CU_ASSERT_FALSE(m->running);
    CU_ASSERT_STRING_EQUAL(console(m), "2");
    /* After halt, stepping refuses and says why. */
    uint64_t n = machine_instret(mach);
    tui_action_step(m);
    CU_ASSERT_EQUAL(machine_instret(mach), n);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "finished"));
    tui_model_free(m);
}

static void test_explanation(void)
{
    tui_model *m = make_model(trap_src, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_action_run_to_trap(m);
    const tui_event *e = tui_model_selected(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    char buf[2048];
    tui_explain(e, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "'halt' is privileged and the CPU was in ring 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "from ring 3 to ring 0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "1000 cycles"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Course notes"));
    tui_explain(e, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "'halt' es privilegiada y la CPU estaba en el anillo 3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "anillo 0 en los sistemas con anillos de protección"));

    /* Under a hypervisor the handler kind decides the lesson. */
    tui_event ex = *e;
    ex.handler = TUI_HANDLER_EMULATE;
    ex.vm = 1;
    tui_explain(&ex, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "La VM 1 salió al VMM"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "las instrucciones sensibles que provienen de las "
                                       "máquinas virtuales son interceptadas por el hipervisor"));
    ex.cause = CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_WRITE);
    ex.addr = 0x00403000;
    ex.handler = TUI_HANDLER_REFLECT;
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "A write of virtual address 0x00403000"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "reflected it into VM 1's kernel"));
    /* Type-2 hosting: the same exit also crosses the host OS, and the notes say so. */
    ex.cause = CAUSE_ILLEGAL_PRIV;
    ex.kind = TUI_EV_EXIT;
    ex.handler = TUI_HANDLER_EMULATE;
    ex.host_type = 2;
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "went through the host OS"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "depends on the host operating system"));
    ex.host_type = 1;
    ex.cause = CAUSE_HYPERCALL;
    ex.handler = TUI_HANDLER_HYPERCALL;
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Paravirtualization"));
    /* A para kernel knows it is virtualized: no "believes it runs in ring 0". */
    ex.vring_from = 0;
    ex.ring_from = 1;
    ex.para = true;
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NULL(strstr(buf, "believes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "knows it is virtualized"));
    tui_explain(&ex, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NULL(strstr(buf, "cree correr"));
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "sabe que está virtualizado"));
    /* ...while a fully virtualized kernel is told where it really runs. */
    ex.para = false;
    ex.cause = CAUSE_ILLEGAL_PRIV;
    ex.handler = TUI_HANDLER_EMULATE;
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "believes it runs in ring 0"));
    /* Spanish uses the glossary's one term for each idea (docs/glossary.md). */
    tui_explain(&ex, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "El núcleo invitado cree correr en el anillo 0"));
    CU_ASSERT_PTR_NULL(strstr(buf, "El kernel"));
    tui_event brk = ex;
    brk.kind = TUI_EV_TRAP;
    brk.handler = TUI_HANDLER_REFLECT;
    brk.cause = CAUSE_BREAKPOINT;
    tui_explain(&brk, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "una trampa de punto de interrupción"));
    CU_ASSERT_PTR_NULL(strstr(buf, "parada"));
    brk.cause = CAUSE_HYPERCALL;
    tui_explain(&brk, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "una petición directa al hipervisor"));
    CU_ASSERT_PTR_NULL(strstr(buf, "pedido"));
    CU_ASSERT_STRING_EQUAL(tui_text(TUI_LANG_ES, TUI_TXT_GUEST_PHYSICAL), "física del invitado");
    CU_ASSERT_STRING_EQUAL(tui_text(TUI_LANG_ES, TUI_TXT_NO_VMS), "Máquina sin hipervisor: no hay VMs.");
    CU_ASSERT_PTR_NOT_NULL(strstr(tui_text(TUI_LANG_ES, TUI_TXT_HELP_CLOSE), "Pulsa una tecla"));
    /* English picks the article by sound. */
    ex.cause = CAUSE_MAKE(CAUSE_PAGE_FAULT, ACCESS_EXEC);
    tui_explain(&ex, TUI_LANG_EN, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "An instruction fetch of virtual address 0x00403000"));
    tui_explain(&ex, TUI_LANG_ES, buf, sizeof buf);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "Una lectura de instrucción de la dirección virtual 0x00403000"));
    /* A tiny buffer is truncated, never overrun. */
    char small[16];
    tui_explain(&ex, TUI_LANG_EN, small, sizeof small);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
    tui_model_free(m);
}

static void test_back_step_restores_registers(void)
{
    tui_model *m = make_model(trap_src, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    machine *mach = tui_model_machine(m);
    enum { N = 18 };
    cpu_state seen[N];
    for (int i = 0; i < N; i++) {
        seen[i] = *machine_cpu(mach);
        tui_action_step(m);
    }
    CU_ASSERT_EQUAL(m->nlog, 1);           /* the privileged halt trapped on the way */
    for (int i = N - 1; i >= 0; i--) {
        tui_action_back_step(m);
        CU_ASSERT_EQUAL(machine_instret(mach), (uint64_t)i);
        CU_ASSERT(memcmp(machine_cpu(mach), &seen[i], sizeof seen[i]) == 0);
    }
    CU_ASSERT_EQUAL(m->nlog, 0);           /* the trap was undone too */
    tui_action_back_step(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "beginning"));
    tui_model_free(m);
}

static void test_back_to_previous_trap_with_thinned_checkpoints(void)
{
    tui_model *m = make_model(loop_src, 6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    machine *mach = tui_model_machine(m);
    enum { MAXT = 64 };
    struct { cpu_state cpu; uint64_t cycles, instret; size_t out; } at[MAXT];
    int n = 0;
    while (n < MAXT) {
        tui_action_run_to_trap(m);
        if (m->last_stop != STOP_TRAP)
            break;
        at[n].cpu = *machine_cpu(mach);
        at[n].cycles = machine_cycles(mach);
        at[n].instret = machine_instret(mach);
        machine_console_output(mach, &at[n].out);
        n++;
    }
    /* 40 system calls, then the final privileged halt */
    CU_ASSERT_EQUAL_FATAL(n, 41);
    tui_action_continue(m, 100);
    CU_ASSERT_EQUAL(m->last_stop, STOP_HALT);
    CU_ASSERT_EQUAL(strlen(console(m)), 40);
    CU_ASSERT(m->nck <= m->ck_max);
    CU_ASSERT(tui_model_checkpoint_bytes(m) <= 6 * snap_bytes);
    CU_ASSERT(m->ck_every > 256);          /* the grid was coarsened to stay in budget */

    for (int i = n - 1; i >= 0; i--) {
        tui_action_back_to_previous_trap(m);
        CU_ASSERT_EQUAL(m->nlog, (size_t)i + 1);
        CU_ASSERT_EQUAL(machine_instret(mach), at[i].instret);
        CU_ASSERT_EQUAL(machine_cycles(mach), at[i].cycles);
        CU_ASSERT(memcmp(machine_cpu(mach), &at[i].cpu, sizeof at[i].cpu) == 0);
        size_t len;
        machine_console_output(mach, &len);
        CU_ASSERT_EQUAL(len, at[i].out);
    }
    tui_action_back_to_previous_trap(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "No earlier trap"));

    /* Forward again from the past gives the same trace. */
    tui_action_run_to_trap(m);
    CU_ASSERT_EQUAL(machine_instret(mach), at[1].instret);
    CU_ASSERT_EQUAL(machine_cycles(mach), at[1].cycles);
    tui_model_free(m);
}

static void test_breakpoints_next_and_goto(void)
{
    tui_model *m = make_model(trap_src, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    machine *mach = tui_model_machine(m);

    tui_action_goto(m, "twice");
    CU_ASSERT_EQUAL(m->cursor, sym(m, "twice"));
    CU_ASSERT_FALSE(m->cursor_follow);
    tui_action_toggle_breakpoint(m);
    CU_ASSERT(tui_model_has_breakpoint(m, sym(m, "twice")));
    tui_action_continue(m, 10000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_BREAKPOINT);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "twice"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "Breakpoint at"));
    tui_action_goto(m, "twice");
    tui_action_toggle_breakpoint(m);
    CU_ASSERT_FALSE(tui_model_has_breakpoint(m, sym(m, "twice")));

    /* Back to the call, then next steps over it. */
    tui_action_back_step(m);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "after") - 4);
    tui_action_next(m);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "after"));
    CU_ASSERT_EQUAL(machine_get_reg(mach, REG_A0), 12);

    tui_action_goto(m, "twice+4");
    CU_ASSERT_EQUAL(m->cursor, sym(m, "twice") + 4);
    tui_action_goto(m, "0x1000");
    CU_ASSERT_EQUAL(m->cursor, 0x1000);
    CU_ASSERT_EQUAL(m->mem_addr, 0x1000);
    tui_action_goto(m, "nosuchthing");
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "No symbol or address 'nosuchthing'"));
    CU_ASSERT_EQUAL(m->cursor, 0x1000);
    /* Cancelling (empty input) clears the old error and moves nothing. */
    tui_action_goto(m, "  ");
    CU_ASSERT_STRING_EQUAL(m->status, "");
    CU_ASSERT_EQUAL(m->cursor, 0x1000);
    tui_action_goto(m, "handler-8");
    CU_ASSERT_EQUAL(m->cursor, sym(m, "handler") - 8);
    tui_action_goto(m, "twice + 0x4");
    CU_ASSERT_EQUAL(m->cursor, sym(m, "twice") + 4);
    tui_action_goto(m, "twice-x");
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "No symbol or address"));
    /* Far from every symbol (past the program's segment): no "handler+0xffffe..." */
    char name[64];
    CU_ASSERT_STRING_EQUAL(tui_model_symbolize(m, 0xfffffff0, name, sizeof name), "");
    CU_ASSERT_STRING_EQUAL(tui_model_symbolize(m, sym(m, "twice") + 4, name, sizeof name), "twice+0x4");
    tui_action_cursor_to_pc(m);
    CU_ASSERT(m->cursor_follow);

    /* A breakpoint at the PC: continue steps over it instead of sticking. */
    tui_action_toggle_breakpoint(m);
    uint64_t n = machine_instret(mach);
    tui_action_continue(m, 10000);
    CU_ASSERT(machine_instret(mach) > n);
    tui_model_free(m);
}

static void test_continue_in_slices(void)
{
    tui_model *m = make_model(".org 0x1000\n_start: addi a0, a0, 1\n b _start\n", 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    machine *mach = tui_model_machine(m);
    tui_action_continue(m, 1000);
    CU_ASSERT(m->running);                 /* the view polls the keyboard between slices */
    CU_ASSERT_EQUAL(machine_instret(mach), 1000);
    tui_action_continue(m, 1000);
    CU_ASSERT_EQUAL(machine_instret(mach), 2000);
    CU_ASSERT(tui_action_stop(m) & TUI_REDRAW);
    CU_ASSERT_FALSE(m->running);
    /* t on a program that never traps gives up with a message. */
    m->run_budget = 5000;
    tui_action_run_to_trap(m);
    CU_ASSERT_EQUAL(machine_instret(mach), 7000);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "No trap within 5000"));
    CU_ASSERT(tui_action_quit(m) & TUI_QUIT);
    tui_model_free(m);
}

static void test_language_and_queries(void)
{
    tui_lang l;
    CU_ASSERT(tui_parse_lang("es", &l) && l == TUI_LANG_ES);
    CU_ASSERT(tui_parse_lang("en", &l) && l == TUI_LANG_EN);
    CU_ASSERT_FALSE(tui_parse_lang("fr", &l));
    /* The environment is the whole runner's: put it back afterwards, or the
     * suites after this one (lab run's default language) see Spanish. */
    char *old_all = getenv("LC_ALL") ? strdup(getenv("LC_ALL")) : NULL;
    char *old_msg = getenv("LC_MESSAGES") ? strdup(getenv("LC_MESSAGES")) : NULL;
    char *old_lang = getenv("LANG") ? strdup(getenv("LANG")) : NULL;
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    setenv("LANG", "es_AR.UTF-8", 1);
    CU_ASSERT_EQUAL(tui_lang_from_env(), TUI_LANG_ES);
    setenv("LC_ALL", "C", 1);
    CU_ASSERT_EQUAL(tui_lang_from_env(), TUI_LANG_EN);
    unsetenv("LC_ALL");
    const char *names[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
    char *olds[] = { old_all, old_msg, old_lang };
    for (int i = 0; i < 3; i++) {
        if (olds[i])
            setenv(names[i], olds[i], 1);
        else
            unsetenv(names[i]);
        free(olds[i]);
    }
    CU_ASSERT_STRING_EQUAL(tui_text(TUI_LANG_ES, TUI_TXT_REGISTERS), "Registros");
    CU_ASSERT_STRING_EQUAL(tui_handler_name(TUI_HANDLER_HYPERCALL, TUI_LANG_EN), "hypercall");

    tui_model *m = make_model(trap_src, 16);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char buf[64], where[64];
    CU_ASSERT_STRING_EQUAL(tui_model_symbolize(m, sym(m, "twice") + 4, buf, sizeof buf), "twice+0x4");
    /* Sources assembled from a string have no file to read: no line, no crash. */
    (void)tui_model_source(m, 0x1000, where, sizeof where);
    /* The memory pane: virtual, then physical, then virtual again (no VMs). */
    uint8_t w[4], p[4];
    CU_ASSERT(tui_model_read_mem(m, 0x1000, w, 4));
    tui_action_toggle_mem_mode(m);
    CU_ASSERT_EQUAL(m->mem_mode, TUI_MEM_PHYSICAL);
    CU_ASSERT(tui_model_read_mem(m, 0x1000, p, 4));
    CU_ASSERT(memcmp(w, p, 4) == 0);        /* paging is off */
    CU_ASSERT_FALSE(tui_model_read_mem(m, 0xfffffff0u, p, 4));
    tui_action_toggle_mem_mode(m);
    CU_ASSERT_EQUAL(m->mem_mode, TUI_MEM_VIRTUAL);
    tui_action_toggle_lang(m);
    CU_ASSERT_EQUAL(m->lang, TUI_LANG_ES);
    tui_action_next_vm(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "no hay VMs"));
    tui_model_free(m);
}

/* The rows tui_wrap makes of text at width, as "indent|text" strings joined by '/'. */
static void wrapped(const char *text, int width, char *out, size_t n)
{
    tui_span rows[32];
    size_t count = tui_wrap(text, width, rows, 32);
    out[0] = '\0';
    for (size_t i = 0; i < count && i < 32; i++) {
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%d|%.*s", i ? "/" : "", rows[i].indent, (int)rows[i].len,
                 text + rows[i].off);
    }
}

static void test_wrap(void)
{
    char buf[512];
    wrapped("one two three four", 9, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0|one two/0|three/0|four");
    /* A word wider than the row is cut; UTF-8 letters count as one column. */
    wrapped("abcdefghij", 4, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0|abcd/0|efgh/0|ij");
    wrapped("\xc2\xbf" "Cu\xc3\xa1les? s\xc3\xad", 8, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0|\xc2\xbf" "Cu\xc3\xa1les?/0|s\xc3\xad");
    /* A list item's text lines up under itself; indentation stays; blank lines stay. */
    wrapped("1. Predict which trap\n\n    1  halt", 13, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0|1. Predict/3|which trap/0|/0|    1  halt");
    wrapped("- a b c d e f", 6, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "0|- a b/2|c d/2|e f");
    CU_ASSERT_EQUAL(tui_wrap("x\ny\nz", 10, NULL, 0), 3);
}

static void test_tasks_pane(void)
{
    tui_model *m = make_model(trap_src, 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char err[200];
    /* Without tasks, T only says where they come from. */
    CU_ASSERT_EQUAL(tui_action_toggle_tasks(m), TUI_REDRAW);
    CU_ASSERT_FALSE(m->tasks_shown);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "lab run"));

    const char text[] = "\n# Rings: user and privileged instructions\r\n\r\n"
                        "Task 1. Read the handout.\r\nTask 2. Predict.\n"
                        "a\nb\nc\nd\ne\nf\n\n\n";
    CU_ASSERT_FATAL(tui_model_set_tasks(m, text, strlen(text), err, sizeof err));
    CU_ASSERT_STRING_EQUAL(m->tasks_title, "Rings: user and privileged instructions");
    CU_ASSERT_STRING_EQUAL(m->tasks, "Task 1. Read the handout.\nTask 2. Predict.\na\nb\nc\nd\ne\nf");
    CU_ASSERT(m->tasks_shown);      /* opening with tasks shows them */

    /* Scrolling stops at the last page and at the top (8 rows, 3 shown). */
    tui_action_tasks_scroll(m, 100, 40, 3);
    CU_ASSERT_EQUAL(m->tasks_top, 5);
    tui_action_tasks_scroll(m, -2, 40, 3);
    CU_ASSERT_EQUAL(m->tasks_top, 3);
    tui_action_tasks_scroll(m, -100, 40, 3);
    CU_ASSERT_EQUAL(m->tasks_top, 0);
    /* Narrower: the first task wraps, so there is more to scroll. */
    tui_action_tasks_scroll(m, 100, 10, 3);
    CU_ASSERT_EQUAL(m->tasks_top, 11 - 3);
    tui_action_tasks_scroll(m, 1, 40, 20);
    CU_ASSERT_EQUAL(m->tasks_top, 0);

    CU_ASSERT(tui_action_toggle_tasks(m) & TUI_RESIZE);
    CU_ASSERT_FALSE(m->tasks_shown);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "hidden"));
    tui_action_toggle_lang(m);
    tui_action_toggle_tasks(m);
    CU_ASSERT(m->tasks_shown);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "Tareas"));

    /* Text without a title; bad text is refused and the old tasks stay. */
    CU_ASSERT(tui_model_set_tasks(m, "just this", 9, err, sizeof err));
    CU_ASSERT_STRING_EQUAL(m->tasks_title, "");
    CU_ASSERT_STRING_EQUAL(m->tasks, "just this");
    CU_ASSERT_FALSE(tui_model_set_tasks(m, "a\0b", 3, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a text file"));
    CU_ASSERT_FALSE(tui_model_set_tasks(m, "caf\xe9", 4, err, sizeof err));   /* Latin-1, not UTF-8 */
    CU_ASSERT_STRING_EQUAL(m->tasks, "just this");
    CU_ASSERT_FALSE(tui_model_load_tasks(m, "/nonexistent/tasks.txt", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/tasks.txt: No such file"));
    tui_model_free(m);
}

#ifdef TUI_HAVE_VMM
static bool load_guest(const char *path, image *img)
{
    const char *dirs[] = { "guest" };
    asm_options opt = { .include_dirs = dirs, .ninclude_dirs = 1 };
    image_init(img);
    return asm_assemble_file(path, &opt, img) == 0;
}

static tui_model *make_vmm_model_profile(unsigned nvms, isa_profile profile)
{
    image k, p[1];
    if (!load_guest("guest/kernel.s", &k) || !load_guest("guest/cpu.s", &p[0]))
        return NULL;
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = nvms;
    cfg.profile = profile;
    const char *names[] = { "cpu" };
    char err[160];
    void *t = tui_vmm_target_new(&cfg, &k, p, names, 1, err, sizeof err);
    image_free(&k);
    image_free(&p[0]);
    return t ? tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_ES, 0) : NULL;
}

static tui_model *make_vmm_model(unsigned nvms)
{
    return make_vmm_model_profile(nvms, PROFILE_STRICT);
}

/* t stops at a legacy-profile violation (no trap, but the lesson), the
 * next t goes on past it, and the VMM counts it once, as c does. */
static void test_vmm_t_stops_at_violations(void)
{
    tui_model *m = make_vmm_model_profile(1, PROFILE_LEGACY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const tui_event *v = NULL;
    for (int i = 0; i < 400 && !v; i++) {
        tui_action_run_to_trap(m);
        const tui_event *e = tui_model_selected(m);
        if (e && e->kind == TUI_EV_VIOLATION)
            v = e;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(m->last_stop, STOP_TRAP);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->status, "violación"));
    uint32_t at = v->pc;
    size_t n = m->nlog;
    CU_ASSERT_EQUAL(tui_model_pc(m), at);          /* stopped on the instruction */
    tui_action_run_to_trap(m);
    CU_ASSERT(tui_model_pc(m) != at || m->nlog > n);
    for (size_t i = n; i < m->nlog; i++)            /* not reported twice */
        CU_ASSERT_FALSE(m->log[i].kind == TUI_EV_VIOLATION && m->log[i].pc == at &&
                        m->log[i].instret == m->log[n - 1].instret);

    /* The same run with c only: the same number of violations. */
    tui_model *ref = make_vmm_model_profile(1, PROFILE_LEGACY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    tui_model *both[] = { m, ref };
    for (int k = 0; k < 2; k++)
        while (both[k]->last_stop != STOP_HALT && both[k]->last_stop != STOP_FATAL &&
               machine_instret(tui_model_machine(both[k])) < 2000000)
            tui_action_continue(both[k], 100000);
    size_t va = 0, vb = 0;
    for (size_t i = 0; i < m->nlog; i++)
        va += m->log[i].kind == TUI_EV_VIOLATION;
    for (size_t i = 0; i < ref->nlog; i++)
        vb += ref->log[i].kind == TUI_EV_VIOLATION;
    CU_ASSERT(vb > 0);
    CU_ASSERT_EQUAL(va, vb);
    tui_model_free(ref);
    tui_model_free(m);
}

/* The log lists an exit before the steps of its handling and before the
 * stop of the VM it halted. */
static void test_vmm_log_order(void)
{
    tui_model *m = make_vmm_model(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    while (m->last_stop != STOP_HALT && m->last_stop != STOP_FATAL &&
           machine_instret(tui_model_machine(m)) < 20000000)
        tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL_FATAL(m->last_stop, STOP_HALT);
    size_t steps = 0, stops = 0;
    for (size_t i = 0; i < m->nlog; i++) {
        const tui_event *e = &m->log[i];
        if (e->kind != TUI_EV_STEP && e->kind != TUI_EV_VM_STOP)
            continue;
        /* Nothing at the same position comes after it but more of the same. */
        for (size_t j = i + 1; j < m->nlog && m->log[j].instret == e->instret &&
                               m->log[j].traps == e->traps && m->log[j].vm == e->vm; j++)
            CU_ASSERT(m->log[j].kind == TUI_EV_STEP || m->log[j].kind == TUI_EV_VM_STOP);
        steps += e->kind == TUI_EV_STEP;
        if (e->kind == TUI_EV_VM_STOP) {
            stops++;
            CU_ASSERT_FATAL(i > 0);
            CU_ASSERT_EQUAL(m->log[i - 1].kind, TUI_EV_EXIT);      /* the halt that stopped it */
            CU_ASSERT_EQUAL(m->log[i - 1].pc, e->pc);
        }
    }
    CU_ASSERT(stops >= 1);
    CU_ASSERT(steps >= 1);
    tui_model_free(m);

    /* t selects the exit, not a step that came after it. */
    m = make_vmm_model(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    size_t followed = 0;
    for (int i = 0; i < 300; i++) {
        tui_action_run_to_trap(m);
        if (m->last_stop != STOP_TRAP)
            break;
        const tui_event *sel = tui_model_selected(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sel);
        CU_ASSERT(sel->kind != TUI_EV_STEP && sel->kind != TUI_EV_VM_STOP);
        followed += sel != &m->log[m->nlog - 1];
    }
    CU_ASSERT(followed >= 1);
    tui_model_free(m);
}

/* The code pane names registers as the register panes do. */
static void test_disassemble_aliases(void)
{
    char buf[96];
    isa_operands o = { .rd = 0, .rs1 = REG_LR, .imm = 0 };
    tui_disassemble(isa_encode(isa_lookup_mnemonic("jalr"), &o), 0x1000, buf, sizeof buf, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(buf, "jalr zero, lr, 0");
    o = (isa_operands){ .rd = REG_SP, .rs1 = REG_SP, .imm = -16 };
    tui_disassemble(isa_encode(isa_lookup_mnemonic("addi"), &o), 0x1000, buf, sizeof buf, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(buf, "addi sp, sp, -16");
    o = (isa_operands){ .rd = 5, .rs1 = 13, .imm = 8 };
    tui_disassemble(isa_encode(isa_lookup_mnemonic("lw"), &o), 0x1000, buf, sizeof buf, NULL, NULL);
    CU_ASSERT_STRING_EQUAL(buf, "lw s0, 8(sp)");
    char small[6];
    tui_disassemble(isa_encode(isa_lookup_mnemonic("lw"), &o), 0x1000, small, sizeof small, NULL, NULL);
    CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

/* Counters fit in 4 columns. */
static void test_fmt_count(void)
{
    char b[16];
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(0, b, sizeof b), "0");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(9999, b, sizeof b), "9999");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(34453, b, sizeof b), "34k");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(99999, b, sizeof b), "99k");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(999999, b, sizeof b), "999k");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(1234567, b, sizeof b), "1.2M");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(20172347, b, sizeof b), "20M");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(3400000000ull, b, sizeof b), "3.4G");
    CU_ASSERT_STRING_EQUAL(tui_fmt_count(UINT64_MAX, b, sizeof b), "18E");
}

/* A page fault under the VMM names the faulting address, not 0. */
static void test_vmm_page_fault_address(void)
{
    tui_model *m = make_vmm_model(1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    const tui_event *pf = NULL;
    for (int i = 0; i < 200 && !pf; i++) {
        tui_action_run_to_trap(m);
        const tui_event *e = tui_model_selected(m);
        if (e && e->kind == TUI_EV_EXIT && CAUSE_CODE(e->cause) == CAUSE_PAGE_FAULT)
            pf = e;
        if (m->last_stop != STOP_TRAP)
            break;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(pf);
    CU_ASSERT(pf->addr != 0);
    char buf[2048], want[32];
    tui_explain(pf, TUI_LANG_EN, buf, sizeof buf);
    snprintf(want, sizeof want, "address 0x%08x", pf->addr);
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, want));
    tui_model_free(m);
}

static void test_vmm_exits_and_going_back(void)
{
    tui_model *m = make_vmm_model(2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_STRING_EQUAL(tui_model_kind(m), "Type-1 VMM");
    CU_ASSERT_EQUAL(m->ops->vm_count(m->target), 2);
    /* Before any VM ran, the code pane shows VM 0's kernel at its entry,
     * not the VMM's data at real pc 0. */
    {
        image k0;
        CU_ASSERT_FATAL(load_guest("guest/kernel.s", &k0));
        uint32_t cpc = tui_model_code_pc(m);
        uint8_t w0[4];
        CU_ASSERT_EQUAL(tui_model_pc(m), 0);
        CU_ASSERT_EQUAL(cpc, k0.segs[0].addr);
        CU_ASSERT(tui_model_read_code(m, cpc, w0, 4) && memcmp(w0, k0.segs[0].data, 4) == 0);
        image_free(&k0);
    }
    enum { N = 12 };
    struct { cpu_state cpu; uint64_t cycles; size_t nlog; } at[N];
    bool emulated = false;
    for (int i = 0; i < N; i++) {
        tui_action_run_to_trap(m);
        CU_ASSERT_EQUAL_FATAL(m->last_stop, STOP_TRAP);
        machine *mach = tui_model_machine(m);
        at[i].cpu = *machine_cpu(mach);
        at[i].cycles = machine_cycles(mach);
        at[i].nlog = m->nlog;
        const tui_event *e = tui_model_selected(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        CU_ASSERT_EQUAL(e->vm, 0);
        if (e->handler == TUI_HANDLER_EMULATE && !emulated) {
            emulated = true;
            /* The guest kernel runs deprivileged: real ring 1, virtual ring 0. */
            CU_ASSERT_EQUAL(e->ring_from, 1);
            CU_ASSERT_EQUAL(e->vring_from, 0);
            char buf[2048];
            tui_explain(e, TUI_LANG_ES, buf, sizeof buf);
            CU_ASSERT_PTR_NOT_NULL(strstr(buf, "interceptadas por el hipervisor"));
            CU_ASSERT_PTR_NOT_NULL(strstr(buf, "cree correr en el anillo 0"));
        }
    }
    CU_ASSERT(emulated);
    /* The code pane names the guest kernel's symbols. */
    char sym[64];
    CU_ASSERT(tui_model_symbolize(m, tui_model_pc(m), sym, sizeof sym)[0] != '\0');
    /* R walks back through the exits: the VMM is rebuilt and replayed. */
    for (int i = N - 2; i >= 0; i--) {
        tui_action_back_to_previous_trap(m);
        machine *mach = tui_model_machine(m);
        CU_ASSERT(memcmp(machine_cpu(mach), &at[i].cpu, sizeof at[i].cpu) == 0);
        CU_ASSERT_EQUAL(machine_cycles(mach), at[i].cycles);
        CU_ASSERT_EQUAL(m->nlog, at[i].nlog);
    }
    /* Guest-physical memory of the selected VM holds the kernel at its own address. */
    tui_action_toggle_mem_mode(m);
    tui_action_toggle_mem_mode(m);
    CU_ASSERT_EQUAL(m->mem_mode, TUI_MEM_GUEST_PHYSICAL);
    image k;
    CU_ASSERT_FATAL(load_guest("guest/kernel.s", &k));
    uint8_t word[4];
    CU_ASSERT(tui_model_read_mem(m, k.segs[0].addr, word, 4));
    CU_ASSERT(memcmp(word, k.segs[0].data, 4) == 0);
    image_free(&k);
    tui_action_next_vm(m);
    CU_ASSERT_EQUAL(m->sel_vm, 1);
    tui_vm_info vi;
    m->ops->vm_info(m->target, 1, &vi);
    CU_ASSERT_STRING_EQUAL(vi.name, "cpu");
    tui_model_free(m);
}

/* A step back late in a run under the VMM lands where a fresh forward run to
 * the same instruction does (registers, cycles, console, VM statistics), and
 * the checkpoints along the way stay within the budget given. */
static void test_vmm_back_step_from_checkpoints(void)
{
    enum { FAR = 300000 };
    size_t budget = (size_t)64 << 20;
    tui_model *ref = make_vmm_model(2), *m = NULL;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ref);
    {   /* the same scenario with a smaller checkpoint budget */
        image k, p[1];
        CU_ASSERT_FATAL(load_guest("guest/kernel.s", &k) && load_guest("guest/cpu.s", &p[0]));
        vmm_config cfg;
        vmm_default_config(&cfg);
        cfg.nvms = 2;
        const char *names[] = { "cpu" };
        char err[160];
        void *t = tui_vmm_target_new(&cfg, &k, p, names, 1, err, sizeof err);
        image_free(&k);
        image_free(&p[0]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        m = tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_EN, budget);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    }
    tui_action_continue(m, FAR);
    uint64_t n = machine_instret(tui_model_machine(m));
    CU_ASSERT_FATAL(n > 1000);
    CU_ASSERT(m->nck > 1);      /* checkpoints along the run, not only the start */
    CU_ASSERT(tui_model_checkpoint_bytes(m) <= budget);
    tui_action_back_step(m);
    tui_action_back_step(m);
    machine *a = tui_model_machine(m);
    CU_ASSERT_EQUAL_FATAL(machine_instret(a), n - 2);

    tui_action_continue(ref, n - 2);
    machine *b = tui_model_machine(ref);
    CU_ASSERT_EQUAL_FATAL(machine_instret(b), n - 2);
    CU_ASSERT(memcmp(machine_cpu(a), machine_cpu(b), sizeof *machine_cpu(a)) == 0);
    CU_ASSERT_EQUAL(machine_cycles(a), machine_cycles(b));
    for (int vm = 0; vm < 2; vm++) {
        size_t la, lb;
        const char *ca = m->ops->console(m->target, vm, &la);
        const char *cb = ref->ops->console(ref->target, vm, &lb);
        CU_ASSERT(la == lb && memcmp(ca, cb, la) == 0);
        tui_vm_info va, vb;
        m->ops->vm_info(m->target, (unsigned)vm, &va);
        ref->ops->vm_info(ref->target, (unsigned)vm, &vb);
        CU_ASSERT_EQUAL(va.exits, vb.exits);
        CU_ASSERT_EQUAL(va.cycles, vb.cycles);
        CU_ASSERT(memcmp(&va.vcpu, &vb.vcpu, sizeof va.vcpu) == 0);
    }
    /* And forward again from there reaches the same end. */
    tui_action_continue(m, 2);
    tui_action_continue(ref, 2);
    CU_ASSERT_EQUAL(machine_instret(tui_model_machine(m)), n);
    CU_ASSERT_EQUAL(machine_cycles(tui_model_machine(m)), machine_cycles(tui_model_machine(ref)));
    tui_model_free(m);
    tui_model_free(ref);
}
#endif

void test_tui_register(void)
{
    CU_pSuite s = CU_add_suite("tui", NULL, NULL);
    CU_add_test(s, "step and run to a trap", test_step_and_trap);
    CU_add_test(s, "explanations in English and Spanish", test_explanation);
    CU_add_test(s, "step back restores registers and undoes traps", test_back_step_restores_registers);
    CU_add_test(s, "back to previous trap with thinned checkpoints", test_back_to_previous_trap_with_thinned_checkpoints);
    CU_add_test(s, "breakpoints, next and goto", test_breakpoints_next_and_goto);
    CU_add_test(s, "continue runs in slices", test_continue_in_slices);
    CU_add_test(s, "language and queries", test_language_and_queries);
    CU_add_test(s, "word wrapping", test_wrap);
    CU_add_test(s, "compact counters", test_fmt_count);
    CU_add_test(s, "disassembly with register aliases", test_disassemble_aliases);
    CU_add_test(s, "the tasks pane", test_tasks_pane);
#ifdef TUI_HAVE_VMM
    CU_add_test(s, "VM exits under the hypervisor, and going back", test_vmm_exits_and_going_back);
    CU_add_test(s, "t stops at legacy-profile violations", test_vmm_t_stops_at_violations);
    CU_add_test(s, "an exit is logged before its steps and the VM stop", test_vmm_log_order);
    CU_add_test(s, "a page fault under the VMM names its address", test_vmm_page_fault_address);
    CU_add_test(s, "step back under the hypervisor from checkpoints", test_vmm_back_step_from_checkpoints);
#endif
}
