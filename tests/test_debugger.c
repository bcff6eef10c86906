/*
 * test_debugger.c -- the terminal UI's debugger (issue 16) without a
 * terminal: commands typed as a user types them after ':', and what the
 * screen would show after them (the status line, the registers, memory,
 * the breakpoint list), forwards and backwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asm/asm.h"
#include "tests/tests.h"
#include "tui/model.h"
#include "tui/target_vmm.h"

/* A loop that counts in memory: count is written ten times, and the program
 * makes a system call from ring 3 at the end. */
static const char count_src[] =
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
    "        la s2, count\n"
    "loop:   addi s1, s1, 1\n"
    "        sw s1, 0(s2)\n"
    "        lw a0, 0(s2)\n"
    "        li at, 10\n"
    "        bne s1, at, loop\n"
    "        syscall\n"
    "        halt\n"
    "handler: li a0, 'H'\n"
    "        out a0, 0x10\n"
    "        halt\n"
    "        .align 4\n"
    "count:  .word 0\n";

static tui_model *make(const char *src)
{
    return test_bare_model(src, 0, NULL);
}

static uint32_t sym(const tui_model *m, const char *name)
{
    const image_symbol *s = image_find_symbol(&m->img, name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s->value;
}

static uint32_t reg(tui_model *m, const char *name)
{
    return machine_get_reg(tui_model_machine(m), (unsigned)isa_parse_reg(name));
}

static uint32_t word_at(tui_model *m, uint32_t a)
{
    uint8_t b[4] = { 0 };
    machine_read_phys(tui_model_machine(m), a, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

#define STATUS_HAS(m, text) do { \
        if (!strstr((m)->status, (text))) \
            fprintf(stderr, "\n  status: '%s', wanted '%s'\n", (m)->status, (text)); \
        CU_ASSERT_PTR_NOT_NULL(strstr((m)->status, (text))); \
    } while (0)

/* Expressions: C operators, registers, symbols, memory. */
static void test_expressions(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint32_t v;
    char err[128];
    CU_ASSERT_TRUE(tui_eval(m, "1 + 2 * 3", &v, err, sizeof err) && v == 7);
    CU_ASSERT_TRUE(tui_eval(m, "(1 + 2) * 3 == 9 && !0", &v, err, sizeof err) && v == 1);
    CU_ASSERT_TRUE(tui_eval(m, "0x10 >> 2 | 1", &v, err, sizeof err) && v == 5);
    CU_ASSERT_TRUE(tui_eval(m, "count", &v, err, sizeof err) && v == sym(m, "count"));
    CU_ASSERT_TRUE(tui_eval(m, "pc", &v, err, sizeof err) && v == 0x1000);
    CU_ASSERT_TRUE(tui_eval(m, "*pc", &v, err, sizeof err) && v == word_at(m, 0x1000));
    CU_ASSERT_TRUE(tui_eval(m, "-1", &v, err, sizeof err) && v == 0xffffffffu);
    CU_ASSERT_TRUE(tui_eval(m, "'A'", &v, err, sizeof err) && v == 65);
    CU_ASSERT_TRUE(tui_eval(m, "vm", &v, err, sizeof err) && v == 0xffffffffu);   /* no VM */
    CU_ASSERT_FALSE(tui_eval(m, "1 +", &v, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "expression expected"));
    CU_ASSERT_FALSE(tui_eval(m, "frob == 1", &v, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "no register or symbol 'frob'"));
    CU_ASSERT_FALSE(tui_eval(m, "1 / 0", &v, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "division by zero"));
    CU_ASSERT_FALSE(tui_eval(m, "12ab", &v, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "bad number '12ab'"));
    CU_ASSERT_FALSE(tui_eval(m, "(1", &v, err, sizeof err));
    CU_ASSERT_FALSE(tui_eval(m, "*0x7fffffff", &v, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "not mapped"));
    tui_model_free(m);
}

/* break ... if: c stops only where the condition holds; info and delete. */
static void test_conditional_breakpoint(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_command(m, "break loop if s1 == 6");
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, "Breakpoint 1 at 0x");
    STATUS_HAS(m, "loop if s1 == 6");
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop"));
    CU_ASSERT_EQUAL(reg(m, "s1"), 6);
    STATUS_HAS(m, "Breakpoint at 0x");
    STATUS_HAS(m, "(number 1)");
    /* c again goes on to the end: the condition never holds again */
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_HALT);
    tui_command(m, "info breakpoints");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->output);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, "1    breakpoint"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, "loop if s1 == 6"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, " 1\n"));     /* hit once */
    tui_command(m, "delete 1");
    CU_ASSERT_FALSE(m->cmd_failed);
    CU_ASSERT_EQUAL(m->nbps, 0);
    tui_command(m, "delete 7");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "delete: no number 7");
    /* bad input: clear messages, nothing added */
    tui_command(m, "break nowhere");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "break nowhere: no register or symbol 'nowhere'");
    tui_command(m, "break loop if");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_command(m, "break loop if s1 ==");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_command(m, "frobnicate");
    STATUS_HAS(m, "Unknown command 'frobnicate' (help lists them)");
    CU_ASSERT_EQUAL(m->nbps, 0);
    tui_command(m, "help");
    CU_ASSERT_PTR_NOT_NULL(m->output);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, "watch [phys|gpa] ADDR [read|write|access]"));
    tui_model_free(m);
}

/* watch: c stops right after the store, with the old and new value; read
 * watchpoints stop after the load; reverse continue goes back to the
 * previous hit; r after it is one instruction back. */
static void test_watchpoints_and_reverse_continue(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint32_t count = sym(m, "count");
    tui_command(m, "watch count");
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, "Watchpoint 1 (write) on 0x");
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_REQUESTED);
    STATUS_HAS(m, "Watchpoint 1: 0x");
    STATUS_HAS(m, "0x00000000 -> 0x00000001");
    CU_ASSERT_EQUAL(word_at(m, count), 1);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop") + 8);   /* right after the sw */
    tui_action_continue(m, 1000000);
    tui_action_continue(m, 1000000);
    STATUS_HAS(m, "0x00000002 -> 0x00000003");
    uint64_t at3 = machine_instret(tui_model_machine(m));
    /* C: back to the previous write, 2 */
    tui_action_reverse_continue(m);
    STATUS_HAS(m, "Back to stop 1");
    CU_ASSERT_EQUAL(word_at(m, count), 2);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop") + 8);
    CU_ASSERT(machine_instret(tui_model_machine(m)) < at3);
    tui_action_reverse_continue(m);
    CU_ASSERT_EQUAL(word_at(m, count), 1);
    tui_action_reverse_continue(m);
    STATUS_HAS(m, "Nothing stops a run before this point");
    CU_ASSERT_EQUAL(word_at(m, count), 1);          /* it stays where it was */
    /* a read watchpoint stops after the lw */
    tui_command(m, "delete");
    tui_command(m, "watch count read");
    STATUS_HAS(m, "(read)");
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop") + 12);
    CU_ASSERT_EQUAL(reg(m, "a0"), 1);
    tui_command(m, "rwatch 0x7ffffff0");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "not mapped now");
    /* physical watch: paging is off, so the same word */
    tui_command(m, "delete");
    tui_command(m, "watch phys count");
    STATUS_HAS(m, "on phys 0x");
    tui_action_continue(m, 1000000);
    STATUS_HAS(m, "0x00000001 -> 0x00000002");
    tui_command(m, "watch gpa count");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "only under the hypervisor");
    tui_model_free(m);
}

/* break trap CAUSE stops c right after that trap; a cause that does not
 * exist is said plainly; break exit needs VMs. */
static void test_catchpoints(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_command(m, "break trap SYSCALL");
    STATUS_HAS(m, "Catchpoint 1: trap SYSCALL");
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_REQUESTED);
    STATUS_HAS(m, "Catchpoint 1: trap SYSCALL at 0x");
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "handler"));   /* delivered, not yet handled */
    tui_command(m, "break trap SEGFAULT");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "Unknown cause 'SEGFAULT' (");
    STATUS_HAS(m, "SYSCALL");
    tui_command(m, "break exit any");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "no VMs");
    tui_action_reverse_continue(m);                 /* from right after it: nothing before */
    STATUS_HAS(m, "Nothing stops");
    tui_model_free(m);
}

/* set changes registers and memory; going back past it undoes it, going
 * back to after it keeps it; the run after it sees it. */
static void test_set_and_undo(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    uint32_t count = sym(m, "count");
    tui_command(m, "break loop");
    tui_action_continue(m, 1000000);
    tui_command(m, "delete");
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop"));
    tui_command(m, "set s1=5");
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, "s1: 0x00000000 -> 0x00000005 (r undoes it)");
    CU_ASSERT_EQUAL(reg(m, "s1"), 5);
    tui_command(m, "set mem count = 0x77");
    CU_ASSERT_FALSE(m->cmd_failed);
    CU_ASSERT_EQUAL(word_at(m, count), 0x77);
    tui_action_step(m);                             /* addi s1, s1, 1 */
    CU_ASSERT_EQUAL(reg(m, "s1"), 6);
    tui_action_step(m);                             /* sw */
    tui_action_step(m);
    CU_ASSERT_EQUAL(word_at(m, count), 6);
    /* back one: still after the edits */
    tui_action_back_step(m);
    CU_ASSERT_EQUAL(reg(m, "s1"), 6);
    CU_ASSERT_EQUAL(word_at(m, count), 6);
    tui_action_back_step(m);
    CU_ASSERT_EQUAL(reg(m, "s1"), 6);
    CU_ASSERT_EQUAL(word_at(m, count), 0x77);
    tui_action_back_step(m);                        /* at the edits' position: kept */
    CU_ASSERT_EQUAL(reg(m, "s1"), 5);
    CU_ASSERT_EQUAL(word_at(m, count), 0x77);
    tui_action_back_step(m);                        /* before them: undone */
    CU_ASSERT_EQUAL(reg(m, "s1"), 0);
    CU_ASSERT_EQUAL(word_at(m, count), 0);
    CU_ASSERT_EQUAL(m->nedits, 0);
    /* and forward again runs as if they never were */
    tui_action_continue(m, 1000000);
    CU_ASSERT_EQUAL(m->last_stop, STOP_HALT);
    CU_ASSERT_EQUAL(word_at(m, count), 10);
    /* set pc; bad sets */
    tui_action_back_to_previous_trap(m);
    tui_command(m, "set r0=1");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_command(m, "set frob=1");
    STATUS_HAS(m, "no register 'frob'");
    tui_command(m, "set mem 0x3=1");
    STATUS_HAS(m, "4-byte aligned");
    tui_command(m, "set mem 0x7ffffff0=1");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_command(m, "set a0");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_command(m, "set $a0 = a0 + 1");
    CU_ASSERT_FALSE(m->cmd_failed);
    tui_model_free(m);
}

/* examine: a few words in the status line, more in the output; the memory
 * pane follows. */
static void test_examine(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char want[64];
    snprintf(want, sizeof want, "0x00001000 <_start>: %08x %08x", word_at(m, 0x1000), word_at(m, 0x1004));
    tui_command(m, "x _start 2");
    STATUS_HAS(m, want);
    CU_ASSERT_PTR_NULL(m->output);
    CU_ASSERT_EQUAL(m->mem_addr, 0x1000);
    tui_command(m, "examine phys 0x1000 9");
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->output);
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, "phys 0x00001010:"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m->output, "phys 0x00001020:"));
    CU_ASSERT_EQUAL(m->mem_mode, TUI_MEM_PHYSICAL);
    tui_command(m, "x 0xfff8 4");
    STATUS_HAS(m, "-------- --------");     /* past the end of memory */
    tui_command(m, "x");
    CU_ASSERT_TRUE(m->cmd_failed);
    tui_model_free(m);
}

/* source runs a file of commands and stops at the first error, naming its line. */
static void test_source(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char path[] = "/tmp/traplab-source-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# a session\nbreak loop if s1 == 3\n\ncontinue\nset s1 = 8\nfrobnicate\nstep\n", f);
    fclose(f);
    CU_ASSERT_FALSE(tui_command_source(m, path));
    STATUS_HAS(m, ":6: Unknown command 'frobnicate'");
    CU_ASSERT_EQUAL(reg(m, "s1"), 8);            /* the lines before it ran */
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop"));
    f = fopen(path, "w");
    fputs("delete\nstep 3\n", f);
    fclose(f);
    char line[128];
    snprintf(line, sizeof line, "source %s", path);
    tui_command(m, line);
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, ": 2 commands.");
    remove(path);
    tui_command(m, "source /nonexistent/file");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "No such file");
    tui_model_free(m);
}

/* Tab completion and the history. */
static void test_completion_and_history(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    char line[128], list[256];
    snprintf(line, sizeof line, "exa");
    CU_ASSERT_EQUAL(tui_command_complete(m, line, sizeof line, list, sizeof list), 1);
    CU_ASSERT_STRING_EQUAL(line, "examine ");
    snprintf(line, sizeof line, "re");
    CU_ASSERT_EQUAL(tui_command_complete(m, line, sizeof line, list, sizeof list), 2);
    CU_ASSERT_STRING_EQUAL(line, "reverse-");
    CU_ASSERT_PTR_NOT_NULL(strstr(list, "reverse-step"));
    snprintf(line, sizeof line, "break han");
    CU_ASSERT_EQUAL(tui_command_complete(m, line, sizeof line, list, sizeof list), 1);
    CU_ASSERT_STRING_EQUAL(line, "break handler ");
    snprintf(line, sizeof line, "break trap SYS");
    tui_command_complete(m, line, sizeof line, list, sizeof list);
    CU_ASSERT_STRING_EQUAL(line, "break trap SYSCALL ");
    snprintf(line, sizeof line, "set s");
    CU_ASSERT(tui_command_complete(m, line, sizeof line, list, sizeof list) > 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(list, "sp"));
    snprintf(line, sizeof line, "zzz");
    CU_ASSERT_EQUAL(tui_command_complete(m, line, sizeof line, list, sizeof list), 0);
    CU_ASSERT_STRING_EQUAL(line, "zzz");
    tui_history_add(m, "break loop");
    tui_history_add(m, "watch count");
    tui_history_add(m, "watch count");
    tui_history_add(m, "   ");
    CU_ASSERT_STRING_EQUAL(tui_history_get(m, 0), "watch count");
    CU_ASSERT_STRING_EQUAL(tui_history_get(m, 1), "break loop");
    CU_ASSERT_PTR_NULL(tui_history_get(m, 2));
    for (int i = 0; i < 100; i++) {
        snprintf(line, sizeof line, "x %d", i);
        tui_history_add(m, line);
    }
    CU_ASSERT_EQUAL(m->nhistory, TUI_HISTORY_MAX);
    CU_ASSERT_STRING_EQUAL(tui_history_get(m, 0), "x 99");
    tui_model_free(m);
}

/* Breakpoints stop t too; a t that starts on a breakpoint steps over it. */
static void test_breakpoints_stop_t(void)
{
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_command(m, "b loop");
    tui_action_run_to_trap(m);
    CU_ASSERT_EQUAL(m->last_stop, STOP_BREAKPOINT);
    CU_ASSERT_EQUAL(tui_model_pc(m), sym(m, "loop"));
    tui_command(m, "d");
    tui_command(m, "watch count");
    tui_action_run_to_trap(m);
    STATUS_HAS(m, "Watchpoint");
    tui_model_free(m);
}

/* ---- snapshot files and the instruction trace (traplab run) ------------------------ */

/* Runs "traplab ARGS" from the repository; stdout (and stderr, with 2>&1 in
 * args) into out; the exit status, or -1 when it died of a signal. */
static void test_snapshot_files(void)
{
    static char full[1 << 16], part[1 << 16], out[1 << 16];
    char args[512];
    /* A folder of its own: other sessions may run this suite at the same time. */
    char dir[] = "/tmp/traplab-snap-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char snap[64], bad_path[64], x_path[64], tui_path[64];
    snprintf(snap, sizeof snap, "%s/test.snap", dir);
    snprintf(bad_path, sizeof bad_path, "%s/bad.snap", dir);
    snprintf(x_path, sizeof x_path, "%s/x.snap", dir);
    snprintf(tui_path, sizeof tui_path, "%s/tui.snap", dir);
    const char *progs[] = { "samples/ring3-trap.s", "samples/paging.s" };
    for (size_t i = 0; i < 2; i++) {
        /* The run saved at N and restored gives the uninterrupted run's
         * output and statistics, TLB hits and misses included. */
        snprintf(args, sizeof args, "run %s --json", progs[i]);
        CU_ASSERT_EQUAL(test_traplab(args, full, sizeof full), 0);
        snprintf(args, sizeof args, "run %s --json --save-at 20 %s 2>/dev/null", progs[i], snap);
        CU_ASSERT_EQUAL(test_traplab(args, part, sizeof part), 0);
        CU_ASSERT_STRING_EQUAL(part, full);
        snprintf(args, sizeof args, "run --restore %s --json", snap);
        CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 0);
        CU_ASSERT_STRING_EQUAL(out, full);
        CU_ASSERT_PTR_NOT_NULL(strstr(full, "\"tlb_hits\""));
        /* without --json: the output so far, then the rest */
        snprintf(args, sizeof args, "run %s", progs[i]);
        test_traplab(args, full, sizeof full);
        snprintf(args, sizeof args, "run --restore %s", snap);
        test_traplab(args, out, sizeof out);
        CU_ASSERT_STRING_EQUAL(out, full);
    }
    /* Bad files: a message and status 1, never a crash. */
    FILE *f = fopen(snap, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    static uint8_t buf[1 << 20];
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    CU_ASSERT(len > 64);
    static const struct { size_t cut, flip; const char *why; } bad[] = {
        { 100, 0, "truncated or damaged" },
        { 0, 300, "truncated or damaged" },
        { 3, 0, "not a traplab snapshot" },
        { 0, 2, "not a traplab snapshot" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, buf, len);
        size_t n = bad[i].cut ? bad[i].cut : len;
        if (bad[i].flip)
            copy[bad[i].flip] ^= 0x55;
        f = fopen(bad_path, "wb");
        fwrite(copy, 1, n, f);
        fclose(f);
        free(copy);
        snprintf(args, sizeof args, "run --restore %s 2>&1", bad_path);
        CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 1);
        CU_ASSERT_PTR_NOT_NULL(strstr(out, bad[i].why));
    }
    /* another version, a version this traplab does not read */
    memcpy(buf + 8, "\x07\0\0\0", 4);
    f = fopen(bad_path, "wb");
    fwrite(buf, 1, len, f);
    fclose(f);
    snprintf(args, sizeof args, "run --restore %s 2>&1", bad_path);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "snapshot format version 7; this traplab reads version 1"));
    CU_ASSERT_EQUAL(test_traplab("run --restore /nonexistent.snap 2>&1", out, sizeof out), 1);
    snprintf(args, sizeof args, "run --restore %s samples/hello.s 2>&1", snap);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 2);
    CU_ASSERT_EQUAL(test_traplab("run samples/hello.s --save-at 5 2>&1", out, sizeof out), 2);
    snprintf(args, sizeof args, "run samples/hello.s --save-at 100000 %s 2>&1", x_path);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "no snapshot written"));
    CU_ASSERT_EQUAL(access(x_path, F_OK), -1);

    /* w in the TUI writes the same kind of file: run --restore goes on from it. */
    tui_model *m = make(count_src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_command(m, "break trap SYSCALL");
    tui_action_continue(m, 100000);
    snprintf(args, sizeof args, "save %s", tui_path);
    tui_command(m, args);
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, "Snapshot saved to ");
    snprintf(args, sizeof args, "run --restore %s", tui_path);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 0);
    CU_ASSERT_STRING_EQUAL(out, "H");
    tui_command(m, "save /nonexistent/dir/x.snap");
    CU_ASSERT_TRUE(m->cmd_failed);
    STATUS_HAS(m, "No such file or directory");
    tui_model_free(m);
    remove(snap);
    remove(bad_path);
    remove(tui_path);
    rmdir(dir);
}

/* --trace=insn: every instruction with the registers it wrote, the trap
 * lines between them, the same every time. */
static void test_insn_trace(void)
{
    static char a[1 << 16], b[1 << 16];
    CU_ASSERT_EQUAL(test_traplab("run samples/ring3-trap.s --trace=insn 2>&1 >/dev/null", a, sizeof a), 0);
    CU_ASSERT_EQUAL(test_traplab("run samples/ring3-trap.s --trace=insn 2>&1 >/dev/null", b, sizeof b), 0);
    CU_ASSERT_STRING_EQUAL(a, b);
    CU_ASSERT_PTR_NOT_NULL(strstr(a, "insn #1      pc=0x00001000 0x43408000 addi r13, r0, 32768      r13=0x00008000\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(a, "mtcr tvb, r5             tvb=0x0000103c\n"));
    char *trap = strstr(a, "trap #1   ILLEGAL_PRIV");
    CU_ASSERT_PTR_NOT_NULL_FATAL(trap);
    CU_ASSERT_PTR_NOT_NULL(strstr(trap, "insn #14     pc=0x00001034 0xcc000000 halt"));
    /* the trap lines are today's --trace lines */
    CU_ASSERT_EQUAL(test_traplab("run samples/ring3-trap.s --trace 2>&1 >/dev/null", b, sizeof b), 0);
    char *eol = strchr(trap, '\n');
    CU_ASSERT_PTR_NOT_NULL(strstr(b, "trap #1   ILLEGAL_PRIV"));
    CU_ASSERT_EQUAL(strncmp(b, trap, (size_t)(eol - trap)), 0);
    CU_ASSERT_EQUAL(test_traplab("run samples/hello.s --trace=bogus 2>&1", b, sizeof b), 2);
}

/* traplab vm: a kernel per VM, -I, and what misled a new user. */
static void test_vm_command_line(void)
{
    static char out[1 << 16];
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel --guest rogue --program cpu --vms 3 2>&1", out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm1| rogue kernel: writing outside my memory"));
    CU_ASSERT_PTR_NULL(strstr(out, "ESCAPED"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "traplab vm: VM 1 failed and was stopped: unhandled trap BUS_ERROR"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm0| checksum 0x381f25c5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm2| checksum 0x381f25c5"));        /* VM 2 runs kernel again */
    CU_ASSERT_PTR_NULL(strstr(out, "OUTPUT DIFFERS"));
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel --vm 1:guest=rogue --program cpu --vms 3 --json 2>/dev/null",
                            out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"vm\": 1, \"program\": \"cpu\", \"guest\": \"rogue\", \"state\": \"failed\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "{\"vm\": 2, \"program\": \"cpu\", \"guest\": \"kernel\", \"state\": \"halted\""));
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel,rogue.s --program cpu 2>&1", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "give one --guest per kernel (VM i runs guest i), e.g. --guest kernel --guest rogue.s"));
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel --vm 3:guest=rogue --program cpu 2>&1", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "there are only 1 VM (numbered from 0"));
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel --program cpu --stats 2>&1 >/dev/null", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "total (1 VM, type1, strict)"));
    /* -I: a workload's .include found in another folder */
    char dir[] = "/tmp/traplab-vmI-XXXXXX", cmd[512];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "mkdir %s/lib %s/prog && echo '        .equ EXTRA_VALUE, 1' > %s/lib/extra.s && "
             "{ echo '        .include \"extra.s\"'; cat guest/cpu.s; } > %s/prog/w.s", dir, dir, dir, dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "vm --guest kernel --program %s/prog/w.s 2>&1", dir);
    CU_ASSERT_EQUAL(test_traplab(cmd, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "extra.s"));
    snprintf(cmd, sizeof cmd, "vm --guest kernel --program %s/prog/w.s -I %s/lib 2>&1", dir, dir);
    CU_ASSERT_EQUAL(test_traplab(cmd, out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "checksum 0x381f25c5"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    /* compare names --list-costs in its cost errors, and now takes it */
    CU_ASSERT_EQUAL(test_traplab("compare --cost bogus=3 2>&1", out, sizeof out), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "--list-costs"));
    CU_ASSERT_EQUAL(test_traplab("compare --list-costs --cost exit_dispatch=7 2>&1", out, sizeof out), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "exit_dispatch           7  0-4294967295"));
    /* vm --save-at and --restore: the restored run's outputs and totals are the whole run's */
    static char full[1 << 16], rest[1 << 16];
    char sdir[] = "/tmp/traplab-vmsnap-XXXXXX", snap[64], args[256];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(sdir));
    snprintf(snap, sizeof snap, "%s/v.snap", sdir);
    CU_ASSERT_EQUAL(test_traplab("vm --guest kernel --program cpu,io --vms 2 --host type2 --json", full, sizeof full), 0);
    snprintf(args, sizeof args, "vm --guest kernel --program cpu,io --vms 2 --host type2 --save-at 40000 %s "
             "2>/dev/null >/dev/null", snap);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 0);
    snprintf(args, sizeof args, "vm --restore %s --json", snap);
    CU_ASSERT_EQUAL(test_traplab(args, rest, sizeof rest), 0);
    /* the same but for the names: the restored VMs have no workload names */
    char *t1 = strstr(full, "\"total\""), *t2 = strstr(rest, "\"total\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t2);
    CU_ASSERT_STRING_EQUAL(t1, t2);
    CU_ASSERT_PTR_NOT_NULL(strstr(rest, "\"host\": \"type2\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(rest, "checksum 0x381f25c5"));
    snprintf(args, sizeof args, "run --restore %s 2>&1", snap);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "a snapshot of the hypervisor: restore it with traplab vm --restore"));
    snprintf(args, sizeof args, "head -c 5000 %s > %s.cut && %s vm --restore %s.cut 2>&1", snap, snap,
             test_traplab_path, snap);
    CU_ASSERT_EQUAL(test_sh(args, out, sizeof out), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "truncated or damaged"));
    snprintf(args, sizeof args, "vm --restore %s --guest kernel 2>&1", snap);
    CU_ASSERT_EQUAL(test_traplab(args, out, sizeof out), 2);
    snprintf(args, sizeof args, "rm -rf %s", sdir);
    CU_ASSERT_EQUAL(system(args), 0);
    /* run --json ends its line */
    CU_ASSERT_EQUAL(test_traplab("run samples/hello.s --json", out, sizeof out), 0);
    size_t n = strlen(out);
    CU_ASSERT(n > 2 && out[n - 1] == '\n' && out[n - 2] == '}');
}

#ifdef TUI_HAVE_VMM
static bool load_guest(const char *path, image *img)
{
    const char *dirs[] = { "guest" };
    asm_options opt = { .include_dirs = dirs, .ninclude_dirs = 1 };
    image_init(img);
    return asm_assemble_file(path, &opt, img) == 0;
}

/* Under the hypervisor: watch a guest-physical word of VM 1 (its kernel's
 * tick counter or whatever it writes first), break exit on a cause, and a
 * different kernel per VM. */
static void test_under_the_vmm(void)
{
    image k[2], p[1];
    CU_ASSERT_TRUE_FATAL(load_guest("guest/kernel.s", &k[0]) && load_guest("guest/rogue.s", &k[1]) &&
                         load_guest("guest/cpu.s", &p[0]));
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 3;
    const char *names[] = { "cpu" }, *knames[] = { "kernel", "guest/rogue.s" };
    unsigned kernel_of[] = { 0, 1, 0 };
    char err[160];
    void *t = tui_vmm_target_new_guests(&cfg, k, 2, kernel_of, knames, p, names, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    tui_model *m = tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_EN, TUI_VMM_CK_BUDGET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    tui_vm_info vi;
    m->ops->vm_info(m->target, 1, &vi);
    CU_ASSERT_STRING_EQUAL(vi.name, "rogue");
    m->ops->vm_info(m->target, 2, &vi);
    CU_ASSERT_STRING_EQUAL(vi.name, "cpu");
    /* break exit OUT... the rogue kernel's first exit is its out */
    tui_command(m, "break exit ILLEGAL_PRIV");
    CU_ASSERT_FALSE(m->cmd_failed);
    tui_action_continue(m, 10000000);
    STATUS_HAS(m, "Catchpoint 1: exit ILLEGAL_PRIV at 0x");
    STATUS_HAS(m, "in VM 0");
    tui_command(m, "delete");
    /* A guest-physical watchpoint on VM 2's program header (the loader's
     * GUEST_PROG_INFO), which its kernel reads as it boots: it stops in VM 2,
     * not in VM 0, whose kernel reads the same guest-physical address. */
    m->sel_vm = 2;
    tui_command(m, "watch gpa 0x7f000 access");
    CU_ASSERT_FALSE(m->cmd_failed);
    STATUS_HAS(m, "on VM 2 gpa 0x0007f000");
    tui_action_continue(m, 50000000);
    STATUS_HAS(m, "Watchpoint 2: 0x0007f000 = 0x47504c54");
    CU_ASSERT_EQUAL(m->ops->current_vm(m->target), 2);
    /* The rogue VM failed alone; run to the end: VMs 0 and 2 halt */
    tui_command(m, "delete");
    for (int i = 0; i < 200 && !(m->last_stop == STOP_HALT || m->last_stop == STOP_FATAL); i++)
        tui_action_continue(m, 10000000);
    m->ops->vm_info(m->target, 1, &vi);
    CU_ASSERT_STRING_EQUAL(vi.state, "failed");
    m->ops->vm_info(m->target, 0, &vi);
    CU_ASSERT_STRING_EQUAL(vi.state, "halted");
    m->ops->vm_info(m->target, 2, &vi);
    CU_ASSERT_STRING_EQUAL(vi.state, "halted");
    /* w under the hypervisor: traplab vm --restore reads it back */
    char dir[] = "/tmp/traplab-tuivmm-XXXXXX", cmd[160];
    static char out[1 << 16];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(cmd, sizeof cmd, "%s/h.snap", dir);
    tui_action_save(m, cmd);
    CU_ASSERT_FALSE(m->cmd_failed);
    snprintf(cmd, sizeof cmd, "vm --restore %s/h.snap 2>&1", dir);
    CU_ASSERT_EQUAL(test_traplab(cmd, out, sizeof out), 1);     /* VM 1 failed, as in the UI */
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm1| rogue kernel: writing outside my memory"));
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "vm2| checksum 0x381f25c5"));
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    image_free(&k[0]);
    image_free(&k[1]);
    image_free(&p[0]);
    tui_model_free(m);
}
#endif

/* After s, s, r the model shows what it showed after the first s: the
 * selected exit (not one of its steps), the highlighted registers, the VM. */
static void test_back_restores_the_screen(void)
{
    image k, p[1];
    CU_ASSERT_TRUE_FATAL(load_guest("guest/kernel.s", &k) && load_guest("guest/cpu.s", &p[0]));
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 2;
    cfg.host = VMM_HOST_TYPE2;      /* every exit has steps after it in the log */
    const char *names[] = { "cpu" };
    char err[160];
    void *t = tui_vmm_target_new(&cfg, &k, p, names, 1, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    tui_model *m = tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_EN, TUI_VMM_CK_BUDGET);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    int checked = 0;
    for (int i = 0; i < 3000 && checked < 3; i++) {
        size_t n0 = m->nlog;
        tui_action_step(m);
        if (m->nlog == n0 || m->log[m->nlog - 1].kind != TUI_EV_STEP)
            continue;
        /* this s logged an exit and its steps: the exit is selected */
        size_t sel = m->sel;
        cpu_state prev = m->prev_cpu, prev_v = m->prev_vcpu;
        int vm = m->sel_vm;
        CU_ASSERT_EQUAL(m->log[sel].kind, TUI_EV_EXIT);
        tui_action_step(m);
        tui_action_back_step(m);
        CU_ASSERT_EQUAL(m->sel, sel);
        CU_ASSERT_EQUAL(m->log[m->sel].kind, TUI_EV_EXIT);
        CU_ASSERT_EQUAL(memcmp(&m->prev_cpu, &prev, sizeof prev), 0);
        CU_ASSERT_EQUAL(memcmp(&m->prev_vcpu, &prev_v, sizeof prev_v), 0);
        CU_ASSERT_EQUAL(m->sel_vm, vm);
        checked++;
    }
    CU_ASSERT_EQUAL(checked, 3);
    image_free(&k);
    image_free(&p[0]);
    tui_model_free(m);
}

void test_debugger_register(void)
{
    CU_pSuite s = CU_add_suite("debugger", NULL, NULL);
    CU_add_test(s, "expressions", test_expressions);
    CU_add_test(s, "conditional breakpoints, info, delete", test_conditional_breakpoint);
    CU_add_test(s, "watchpoints and reverse continue", test_watchpoints_and_reverse_continue);
    CU_add_test(s, "catchpoints on a trap cause", test_catchpoints);
    CU_add_test(s, "set, and going back undoes it", test_set_and_undo);
    CU_add_test(s, "examine", test_examine);
    CU_add_test(s, "source FILE", test_source);
    CU_add_test(s, "completion and history", test_completion_and_history);
    CU_add_test(s, "breakpoints and watchpoints stop t", test_breakpoints_stop_t);
    CU_add_test(s, "snapshot files: run --save-at, --restore, the TUI's save", test_snapshot_files);
    CU_add_test(s, "run --trace=insn", test_insn_trace);
    CU_add_test(s, "vm: a kernel per VM, -I, --guest a,b; compare --list-costs", test_vm_command_line);
#ifdef TUI_HAVE_VMM
    CU_add_test(s, "under the hypervisor: exits, gpa watchpoints, a kernel per VM", test_under_the_vmm);
    CU_add_test(s, "s s r shows the screen of the first s", test_back_restores_the_screen);
#endif
}
