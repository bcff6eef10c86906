/*
 * fuzz_tui.c -- libFuzzer harness: the terminal UI's model (tui/model.c,
 * no curses) under random key sequences.
 *
 * Byte 0 picks a scenario: a bare-machine sample (samples/ring3-trap.s,
 * samples/paging.s) or the guest kernel with the io workload in two VMs
 * under the hypervisor (Type-1 or Type-2).  Every further byte is a key:
 * each of the UI's actions (step, next, run to the next trap, continue, stop,
 * breakpoint, step back, back to the previous trap, next VM, go to an
 * address or symbol, log and cursor moves, memory pane, language, tasks,
 * reverse continue, quit) and the command line (break, watch, delete, info,
 * examine, step, reverse-step, ... with conditions), with small run budgets.  After each key the harness reads the
 * model the way the view draws it (code, memory, source, symbols, log).
 *
 * Oracles: no sanitizer report; then going back to the start (R until there
 * is no earlier trap, then r until instruction 0; at most 24 and 48 of them,
 * since each restores a checkpoint and replays) gives the first screen's
 * model state again: the CPU's registers and control registers, PC,
 * instruction, cycle and trap counts, the console, every byte of memory,
 * the log, and each VM's virtual CPU and counters.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asm/asm.h"
#include "tui/model.h"
#include "tui/target_vmm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_KEYS 24
#define BACK_TRAPS_MAX 24      /* each step back restores a checkpoint and replays: keep it cheap */
#define BACK_STEPS_MAX 48

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_tui: %s\n", what);
    abort();
}

/* Scenarios are assembled once and kept as image files, read back fresh per run. */
static char paths[4][64];
static bool have[4];

static bool assemble_to(const char *src, const char *const *defs, size_t nd, int slot)
{
    static const char *dirs[] = { "guest", "samples" };
    asm_options o;
    memset(&o, 0, sizeof o);
    o.include_dirs = dirs;
    o.ninclude_dirs = 2;
    o.defines = (const char **)defs;
    o.ndefines = nd;
    FILE *devnull = fopen("/dev/null", "w");
    o.diag = devnull;
    image img;
    image_init(&img);
    bool ok = asm_assemble_file(src, &o, &img) == 0;
    if (devnull)
        fclose(devnull);
    snprintf(paths[slot], sizeof paths[slot], "/tmp/fuzz_tui_%d_%d.tlo", (int)getpid(), slot);
    char err[160];
    ok = ok && image_write_file(paths[slot], &img, err, sizeof err);
    image_free(&img);
    return have[slot] = ok;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    assemble_to("samples/ring3-trap.s", NULL, 0, 0);
    assemble_to("samples/paging.s", NULL, 0, 1);
    assemble_to("guest/kernel.s", NULL, 0, 2);
    static const char *const io_defs[] = { "SECTORS=2" };
    assemble_to("guest/io.s", io_defs, 1, 3);
    if (!have[0] || !have[1])
        fail("run it from the top of the source tree (samples/ not found)");
    return 0;
}

static tui_model *make(unsigned scenario)
{
    char err[160];
    if (scenario < 2) {
        image img;
        if (!image_read_file(paths[scenario], &img, err, sizeof err))
            fail(err);
        machine_config cfg;
        machine_default_config(&cfg);
        cfg.mem_size = 64u << 10;
        cfg.disk_sectors = 8;
        machine *mach = machine_new(&cfg);
        if (!mach || !tui_load_image(mach, &img, err, sizeof err))
            fail("cannot load the sample");
        void *t = tui_bare_target_new(mach);
        tui_model *m = tui_model_new(&tui_bare_target_ops, t, &img, TUI_LANG_EN, 8u << 20);
        image_free(&img);
        return m;
    }
    if (!have[2] || !have[3])
        return NULL;
    image k, p[1];
    if (!image_read_file(paths[2], &k, err, sizeof err) || !image_read_file(paths[3], &p[0], err, sizeof err))
        fail(err);
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 2;
    cfg.host = scenario == 3 ? VMM_HOST_TYPE2 : VMM_HOST_TYPE1;
    cfg.slice = 20000;
    cfg.disk_sectors = 32;
    const char *names[] = { "io" };
    void *t = tui_vmm_target_new(&cfg, &k, p, names, 1, err, sizeof err);
    image_free(&k);
    image_free(&p[0]);
    if (!t)
        fail(err);
    return tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_ES, 24u << 20);
}

/* What the first screen shows, to compare after going back. */
typedef struct {
    cpu_state cpu;
    uint64_t instret, cycles, traps;
    char *console;
    size_t console_len;
    uint8_t *mem;
    uint32_t mem_size;
    size_t nlog;
    unsigned nvms;
    tui_vm_info vms[VMM_MAX_VMS];
} screen;

static void capture(tui_model *m, screen *s)
{
    machine *mach = tui_model_machine(m);
    memset(s, 0, sizeof *s);
    s->cpu = *machine_cpu(mach);
    s->instret = machine_instret(mach);
    s->cycles = machine_cycles(mach);
    s->traps = machine_get_stats(mach)->traps_total;
    size_t len = 0;
    const char *c = tui_model_console(m, &len);
    s->console = malloc(len + 1);
    memcpy(s->console, c ? c : "", c ? len : 0);
    s->console_len = c ? len : 0;
    s->mem_size = machine_mem_size(mach);
    s->mem = malloc(s->mem_size);
    memcpy(s->mem, machine_mem(mach), s->mem_size);
    s->nlog = m->nlog;
    s->nvms = m->ops->vm_count(m->target);
    for (unsigned i = 0; i < s->nvms && i < VMM_MAX_VMS; i++)
        m->ops->vm_info(m->target, i, &s->vms[i]);
}

static void screen_free(screen *s)
{
    free(s->console);
    free(s->mem);
}

static void compare(const screen *a, const screen *b)
{
    if (a->instret != b->instret || a->traps != b->traps)
        fail("back at the start: a different position (instructions or traps)");
    if (a->cycles != b->cycles)
        fail("back at the start: a different cycle count");
    if (memcmp(a->cpu.r, b->cpu.r, sizeof a->cpu.r) != 0 || a->cpu.pc != b->cpu.pc)
        fail("back at the start: different registers or pc");
    if (memcmp(a->cpu.cr, b->cpu.cr, sizeof a->cpu.cr) != 0)
        fail("back at the start: different control registers");
    if (a->console_len != b->console_len || memcmp(a->console, b->console, a->console_len) != 0)
        fail("back at the start: a different console");
    if (a->mem_size != b->mem_size || memcmp(a->mem, b->mem, a->mem_size) != 0)
        fail("back at the start: different memory");
    if (a->nlog != b->nlog)
        fail("back at the start: a different log");
    if (a->nvms != b->nvms)
        fail("back at the start: a different number of VMs");
    for (unsigned i = 0; i < a->nvms && i < VMM_MAX_VMS; i++) {
        const tui_vm_info *x = &a->vms[i], *y = &b->vms[i];
        if (strcmp(x->state, y->state) != 0 || memcmp(x->vcpu.r, y->vcpu.r, sizeof x->vcpu.r) != 0 ||
            x->vcpu.pc != y->vcpu.pc || memcmp(x->vcpu.cr, y->vcpu.cr, sizeof x->vcpu.cr) != 0 ||
            x->exits != y->exits || x->emulated != y->emulated || x->reflected != y->reflected ||
            x->hypercalls != y->hypercalls || x->cycles != y->cycles)
            fail("back at the start: a VM's virtual CPU or counters differ");
    }
}

/* Reads the model as the view draws it. */
static void draw(tui_model *m)
{
    char buf[256], where[128];
    (void)tui_model_kind(m);
    (void)tui_model_selected(m);
    size_t len;
    (void)tui_model_console(m, &len);
    uint32_t pc = tui_model_code_pc(m);
    for (int i = -4; i < 8; i++) {
        uint32_t a = pc + (uint32_t)(4 * i), w = 0;
        if (tui_model_read_code(m, a, &w, 4))
            tui_disassemble(w, a, buf, sizeof buf, NULL, NULL);
        (void)tui_model_symbolize(m, a, buf, sizeof buf);
        (void)tui_model_source(m, a, where, sizeof where);
    }
    uint8_t mem[64];
    (void)tui_model_read_mem(m, m->mem_addr, mem, sizeof mem);
    for (size_t i = m->nlog > 8 ? m->nlog - 8 : 0; i < m->nlog; i++)
        (void)tui_model_symbolize(m, m->log[i].pc, buf, sizeof buf);
    tui_vm_info vi;
    for (unsigned i = 0; i < m->ops->vm_count(m->target); i++)
        m->ops->vm_info(m->target, i, &vi);
    if (m->tasks_shown) {
        tui_span rows[64];
        (void)tui_wrap(m->tasks ? m->tasks : "", 30, rows, 64);
    }
}

/* A command line for ':' from fragments: gdb- and SIMH-style commands with
 * symbols, numbers, registers and expressions (not set, source or save: they
 * edit the state or touch files). */
static void command(tui_model *m, unsigned a, unsigned b)
{
    static const char *const cmds[] = { "break", "b", "break trap", "break exit", "watch", "watch phys",
                                        "watch gpa", "rwatch", "awatch", "delete", "d", "info", "i",
                                        "examine", "x", "x phys", "x gpa", "step", "s", "next", "continue",
                                        "trap", "reverse-step", "rs", "reverse-continue", "rc", "goto",
                                        "help", "", "#", "nosuch", "b" };
    static const char *const args[] = { "", " _start", " 0x1000", " user+4", " 4", " 3", " any",
                                        " SYSCALL", " ILLEGAL_PRIV", " PAGE_FAULT", " 0x400000 write",
                                        " 0x8000 read", " 0x7ffc access", " _start if a0 == 65",
                                        " 0x1008 if *0x1000 > (sp >> 2) % 0", " 1 2 3", " 0xffffffff 99",
                                        " handler if pc", " if", " 0x1000 if (((", " $sp", " breakpoints",
                                        " 1000000000" };
    char line[128];
    snprintf(line, sizeof line, "%s%s", cmds[a % (sizeof cmds / sizeof cmds[0])],
             args[b % (sizeof args / sizeof args[0])]);
    tui_command(m, line);
    char list[512];
    snprintf(line, sizeof line, "%s", cmds[b % (sizeof cmds / sizeof cmds[0])]);
    (void)tui_command_complete(m, line, sizeof line, list, sizeof list);
}

static void key(tui_model *m, unsigned k, unsigned arg)
{
    static const char *const places[] = { "_start", "_start+8", "main", "0x1000", "0x400000", "user",
                                          "nosuch", "", "+", "_start+", "0xffffffff", "handler+0x10",
                                          "99999999999", "-4" };
    long d = (long)(arg % 33) - 16;
    switch (k % 25) {
    case 0: case 1: tui_action_step(m); break;
    case 2: tui_action_next(m); break;
    case 3: case 4: tui_action_run_to_trap(m); break;
    case 5: tui_action_continue(m, 1 + arg * 8); break;
    case 6: tui_action_stop(m); break;
    case 7: tui_action_toggle_breakpoint(m); break;
    case 8: case 9: tui_action_back_step(m); break;
    case 10: tui_action_back_to_previous_trap(m); break;
    case 11: tui_action_next_vm(m); break;
    case 12: tui_action_goto(m, places[arg % (sizeof places / sizeof places[0])]); break;
    case 13: tui_action_log_select(m, d); break;
    case 14: tui_action_cursor_move(m, d); break;
    case 15: tui_action_cursor_to_pc(m); break;
    case 16: tui_action_toggle_mem_mode(m); break;
    case 17: tui_action_mem_scroll(m, d * 16); break;
    case 18: tui_action_toggle_lang(m); break;
    case 19: tui_action_toggle_tasks(m); break;
    case 20: tui_action_tasks_scroll(m, d, 40, 10); break;
    case 21: case 22: command(m, arg, k / 25); break;
    case 23: tui_action_reverse_continue(m); break;
    default: tui_action_quit(m); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    tui_model *m = make(data[0] % 4);
    if (!m)
        return 0;
    m->run_budget = 5000;            /* t and n give up after this many instructions */
    if (data[0] & 0x80) {
        static const char tasks[] = "# Tasks\n1. Step to the first trap.\n- then back\n";
        char err[64];
        (void)tui_model_set_tasks(m, tasks, sizeof tasks - 1, err, sizeof err);
    }
    screen first;
    capture(m, &first);
    draw(m);
    size_t nkeys = 0;
    for (size_t i = 1; i + 1 < size && nkeys < MAX_KEYS; i += 2, nkeys++) {
        key(m, data[i], data[i + 1]);
        draw(m);
    }
    /* back to the start: R while there is an earlier trap, then r */
    machine *mach = tui_model_machine(m);
    for (int i = 0; i < BACK_TRAPS_MAX && m->nlog; i++) {
        uint64_t before = machine_instret(mach), bt = machine_get_stats(mach)->traps_total;
        tui_action_back_to_previous_trap(m);
        mach = tui_model_machine(m);
        if (machine_instret(mach) == before && machine_get_stats(mach)->traps_total == bt)
            break;
    }
    for (int i = 0; i < BACK_STEPS_MAX; i++) {
        mach = tui_model_machine(m);
        if (machine_instret(mach) == 0 && machine_get_stats(mach)->traps_total == 0)
            break;
        tui_action_back_step(m);
    }
    mach = tui_model_machine(m);
    if (machine_instret(mach) == 0 && machine_get_stats(mach)->traps_total == 0) {
        screen back;
        capture(m, &back);
        compare(&first, &back);
        screen_free(&back);
    }
    screen_free(&first);
    tui_model_free(m);
    return 0;
}
