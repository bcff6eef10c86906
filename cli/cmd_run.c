/*
 * cmd_run.c -- `traplab run`: load an image (or assemble a .s file) and run
 * it on the bare machine.  stdout carries only the guest's console output
 * (or, with --json, one JSON object); traces, stats and errors go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"
#include "image/image.h"
#include "cli/cli.h"
#include "cli/json.h"
#include "cli/lang.h"
#include "machine/machine.h"

#define DEFAULT_MAX_STEPS 100000000ull

static void help(void)
{
    printf(TR("usage: traplab run IMAGE|SOURCE.s [options]\n"
           "       traplab run --restore FILE [options]\n\n"
           "Runs IMAGE (a .tlo image, or a .s source assembled first) on the bare machine:\n"
           "ring 0, paging and interrupts off, pc at the image's entry point.  The guest's\n"
           "console output goes to stdout as it happens.\n\n"
           "  --max-steps N     stop after N instructions (default %llu; 0 = no limit)\n"
           "  --profile NAME    strict (default) or legacy (pushf, popf, smsw, sidt run\n"
           "                    unprivileged, like x86)\n"
           "  --trace           one line per trap or interrupt on stderr\n"
           "  --trace=insn      also one line per instruction, with the registers it wrote\n"
           "  --save-at N FILE  after N instructions, save a snapshot of the machine to FILE\n"
           "                    (the run goes on)\n"
           "  --restore FILE    go on from a snapshot (instead of IMAGE): its console output\n"
           "                    so far is printed first, so the output is the whole run's\n"
           "  --stats           instructions, cycles, TLB and traps by cause on stderr\n"
           "  --json            after the run, print the result, stats and console output\n"
           "                    as one JSON object on stdout (console output is then not\n"
           "                    echoed)\n"
           "  --csv             the same numbers as a CSV header and one row on stdout\n"
           "                    (console output is then not echoed)\n"
           "  --input TEXT      queue TEXT as console input\n"
           "  -I DIR            for a source: search DIR for .include files\n"
           "  -D NAME[=VALUE]   for a source: define NAME (as traplab asm -D)\n"
           "  -h, --help        this help\n\n"
           "Exit status: 0 when the program halts, 1 on a fatal fault, the step limit or a\n"
           "bad image, 2 on a usage error.\n"), DEFAULT_MAX_STEPS);
}

typedef struct {
    bool trace, json, insns;
    uint64_t ntraps;
    bool csv;            /* --csv: the numbers as CSV on stdout (the console is not echoed) */
} run_ctx;

/* One line per instruction: where, what, and the registers it wrote. */
static void trace_insn(machine *m, const cpu_state *before, uint64_t n)
{
    const cpu_state *now = machine_cpu(m);
    uint8_t b[4] = { 0 };
    uint32_t w = 0;
    char dis[64] = "?";
    /* The word is read after the fact, through the address space the
     * instruction ran in (an iret may have left it). */
    uint32_t pa = before->pc;
    unsigned ring = before->cr[CR_STATUS] & STATUS_RING_MASK;
    bool pg = (before->cr[CR_STATUS] & STATUS_PG) != 0;
    if ((!pg || machine_translate(m, before->pc, ACCESS_EXEC, ring, &pa) == CAUSE_NONE) &&
        machine_read_phys(m, pa, b, 4)) {
        w = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        isa_disassemble(w, before->pc, dis, sizeof dis, NULL, NULL);
    }
    fprintf(stderr, "insn #%-6llu pc=0x%08x 0x%08x %-24s", (unsigned long long)n, before->pc, w, dis);
    for (unsigned r = 1; r < ISA_NUM_REGS; r++)
        if (now->r[r] != before->r[r])
            fprintf(stderr, " r%u=0x%08x", r, now->r[r]);
    for (unsigned c = 0; c < ISA_NUM_CRS; c++)
        if (now->cr[c] != before->cr[c] && isa_cr_name(c))
            fprintf(stderr, " %s=0x%08x", isa_cr_name(c), now->cr[c]);
    fputc('\n', stderr);
}

/* Runs up to max instructions (0 = no limit): all at once, or one at a time
 * with --trace=insn. */
static machine_stop run_some(machine *m, run_ctx *ctx, uint64_t max)
{
    if (!ctx->insns)
        return machine_run(m, max);
    uint64_t end = max ? machine_instret(m) + max : UINT64_MAX;
    machine_stop s = STOP_LIMIT;
    /* Stopping at each trap keeps a trap's handler from running inside the
     * step of the instruction that trapped. */
    machine_set_stop_on_trap(m, true);
    while (machine_instret(m) < end) {
        cpu_state before = *machine_cpu(m);
        uint64_t i0 = machine_instret(m);
        s = machine_run(m, 1);
        if (machine_instret(m) != i0) {
            fflush(stdout);
            trace_insn(m, &before, machine_instret(m));
        }
        if (s != STOP_LIMIT && s != STOP_TRAP)
            break;
        s = STOP_LIMIT;
    }
    machine_set_stop_on_trap(m, false);
    return s;
}

static void sink_stdout(int ch, void *ud)
{
    (void)ud;
    putchar(ch);
    if (ch == '\n')
        fflush(stdout);
}

static bool trace_hook(machine *m, const machine_trap *t, void *ud)
{
    run_ctx *c = ud;
    c->ntraps++;
    if (!c->trace)
        return false;
    char dis[64] = "-";
    if (!isa_cause_is_interrupt(CAUSE_CODE(t->cause)) && isa_lookup_opcode(ISA_OP(t->insn)))
        isa_disassemble(t->insn, t->pc, dis, sizeof dis, NULL, NULL);
    char addr[40] = "";
    unsigned code = CAUSE_CODE(t->cause);
    if (code == CAUSE_PAGE_FAULT || code == CAUSE_MISALIGNED || code == CAUSE_BUS_ERROR)
        snprintf(addr, sizeof addr, "  %s 0x%08x", TR(isa_access_name(CAUSE_ACCESS(t->cause))), t->addr);
    fflush(stdout);
    /* The hook runs before delivery: with no trap vector the machine stops
     * where it is instead of entering ring 0. */
    unsigned ring_to = machine_get_cr(m, CR_TVB) ? 0 : t->ring;
    fprintf(stderr, TR("trap #%-3llu %-15s pc=0x%08x insn=0x%08x %-22s ring %u -> %u  cycle=%llu%s\n"),
            (unsigned long long)c->ntraps, isa_cause_name(code), t->pc, t->insn, dis,
            (unsigned)t->ring, ring_to, (unsigned long long)t->cycle, addr);
    return false;
}

static void print_stats(FILE *out, const machine *m)
{
    const machine_stats *st = machine_get_stats(m);
    fprintf(out, TR("instructions  %llu\ncycles        %llu\nidle cycles   %llu\n"
                    "tlb           %llu hits, %llu misses, %llu flushes\ntraps         %llu\n"),
            (unsigned long long)st->instret, (unsigned long long)st->cycles,
            (unsigned long long)st->idle_cycles, (unsigned long long)st->tlb_hits,
            (unsigned long long)st->tlb_misses, (unsigned long long)st->tlb_flushes,
            (unsigned long long)st->traps_total);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++)
        if (st->traps[c])
            fprintf(out, "  %-15s %llu\n", isa_cause_name(c), (unsigned long long)st->traps[c]);
}

static void print_json(FILE *out, machine *m, machine_stop s)
{
    const machine_stats *st = machine_get_stats(m);
    fprintf(out, "{\"stop\": \"%s\", \"pc\": %u, ", machine_stop_name(s), machine_cpu(m)->pc);
    fputs("\"fatal\": ", out);
    const char *why = machine_fatal_reason(m);
    cli_json_string(out, why, strlen(why));
    fprintf(out, ", \"instructions\": %llu, \"cycles\": %llu, \"idle_cycles\": %llu, "
            "\"tlb_hits\": %llu, \"tlb_misses\": %llu, \"tlb_flushes\": %llu, \"traps_total\": %llu, "
            "\"traps\": {",
            (unsigned long long)st->instret, (unsigned long long)st->cycles,
            (unsigned long long)st->idle_cycles, (unsigned long long)st->tlb_hits,
            (unsigned long long)st->tlb_misses, (unsigned long long)st->tlb_flushes,
            (unsigned long long)st->traps_total);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++)
        fprintf(out, "%s\"%s\": %llu", c > 1 ? ", " : "", isa_cause_name(c),
                (unsigned long long)st->traps[c]);
    fputs("}, \"output\": ", out);
    size_t n;
    const char *o = machine_console_output(m, &n);
    cli_json_string(out, o, n);
    fputs("}\n", out);
}

static void print_csv(FILE *out, machine *m, machine_stop s)
{
    const machine_stats *st = machine_get_stats(m);
    fputs("stop,pc,instructions,cycles,idle_cycles,tlb_hits,tlb_misses,tlb_flushes,traps_total", out);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++)
        fprintf(out, ",traps_%s", isa_cause_name(c));
    fprintf(out, "\n%s,%u,%llu,%llu,%llu,%llu,%llu,%llu,%llu", machine_stop_name(s), machine_cpu(m)->pc,
            (unsigned long long)st->instret, (unsigned long long)st->cycles,
            (unsigned long long)st->idle_cycles, (unsigned long long)st->tlb_hits,
            (unsigned long long)st->tlb_misses, (unsigned long long)st->tlb_flushes,
            (unsigned long long)st->traps_total);
    for (unsigned c = 1; c < ISA_NUM_CAUSES; c++)
        fprintf(out, ",%llu", (unsigned long long)st->traps[c]);
    fputc('\n', out);
}

static int run_main(int argc, char **argv, run_ctx *cp, asm_options *aop, uint64_t max_steps,
                    isa_profile profile, bool profile_given, bool stats, const char *input,
                    uint64_t save_at, const char *save_file, const char *restore);

static int run_options(int argc, char **argv)
{
    static const struct option opts[] = {
        { "max-steps", required_argument, NULL, 'n' },
        { "profile", required_argument, NULL, 'p' },
        { "trace", optional_argument, NULL, 't' },
        { "save-at", required_argument, NULL, 'A' },
        { "save-file", required_argument, NULL, 'F' },
        { "restore", required_argument, NULL, 'R' },
        { "stats", no_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "csv", no_argument, NULL, 'C' },
        { "input", required_argument, NULL, 'i' },
        { "include", required_argument, NULL, 'I' },
        { "define", required_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    uint64_t max_steps = DEFAULT_MAX_STEPS;
    isa_profile profile = PROFILE_STRICT;
    bool stats = false;
    const char *input = NULL;
    run_ctx ctx = { false, false, false, 0, false };
    uint64_t save_at = 0;
    const char *save_file = NULL, *restore = NULL;
    bool profile_given = false;
    const char *dirs[CLI_MAX_ASM_ARGS], *defs[CLI_MAX_ASM_ARGS];
    asm_options ao = { .include_dirs = dirs, .defines = defs };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hI:D:", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_parse_u64(optarg, &max_steps))
                return cli_usage_error("run", TR("--max-steps needs a number, not '%s'"), optarg);
            break;
        case 'p':
            if (!isa_parse_profile(optarg, &profile))
                return cli_usage_error("run", TR("unknown profile '%s' (strict or legacy)"), optarg);
            profile_given = true;
            break;
        case 't':
            if (optarg && strcmp(optarg, "insn") != 0 && strcmp(optarg, "traps") != 0)
                return cli_usage_error("run", TR("--trace takes traps (the default) or insn, not '%s'"), optarg);
            ctx.trace = true;
            ctx.insns = optarg && strcmp(optarg, "insn") == 0;
            break;
        case 'A':
            if (!cli_parse_u64(optarg, &save_at))
                return cli_usage_error("run", TR("--save-at needs a number of instructions, not '%s'"), optarg);
            break;
        case 'F': save_file = optarg; break;
        case 'R': restore = optarg; break;
        case 's': stats = true; break;
        case 'j': ctx.json = true; break;
        case 'C': ctx.csv = true; break;
        case 'i': input = optarg; break;
        case 'I':
        case 'D':
            if (ao.ninclude_dirs + ao.ndefines >= CLI_MAX_ASM_ARGS)
                return cli_usage_error("run", TR("too many -I and -D options"));
            if (c == 'D' && !cli_check_define("run", optarg))
                return EXIT_USAGE;
            if (c == 'I')
                dirs[ao.ninclude_dirs++] = optarg;
            else
                defs[ao.ndefines++] = optarg;
            break;
        case 'h': help(); return EXIT_OK;
        default:
            return cli_option_error("run", c, argv);
        }
    }
    if (ctx.csv && ctx.json)
        return cli_usage_error("run", TR("give either --json or --csv, not both"));
    return run_main(argc, argv, &ctx, &ao, max_steps, profile, profile_given, stats, input,
                    save_at, save_file, restore);
}

static int run_main(int argc, char **argv, run_ctx *cp, asm_options *aop, uint64_t max_steps,
                    isa_profile profile, bool profile_given, bool stats, const char *input,
                    uint64_t save_at, const char *save_file, const char *restore)
{
    run_ctx ctx = *cp;
    asm_options ao = *aop;
    char err[1024];
    machine *m = NULL;
    if (restore) {
        if (optind < argc)
            return cli_usage_error("run", TR("give either IMAGE or --restore FILE, not both"));
        if (profile_given || ao.ninclude_dirs || ao.ndefines)
            return cli_usage_error("run", TR("a snapshot keeps its own profile and program: "
                                   "--profile, -I and -D do not apply to --restore"));
        FILE *f = fopen(restore, "rb");
        if (!f) {
            fprintf(stderr, "traplab run: %s: %s\n", restore, strerror(errno));
            return EXIT_FAIL;
        }
        m = machine_snapshot_read(f, err, sizeof err);
        fclose(f);
        if (!m) {
            fprintf(stderr, "traplab run: %s: %s\n", restore, err);
            return EXIT_FAIL;
        }
        if (!ctx.json && !ctx.csv) {
            /* The output so far, so that the whole run's output is on stdout. */
            size_t n;
            const char *o = machine_console_output(m, &n);
            fwrite(o, 1, n, stdout);
        }
    } else {
        if (optind >= argc)
            return cli_usage_error("run", TR("no image given"));
        if (optind + 1 < argc)
            return cli_usage_error("run", TR("unexpected argument '%s'"), argv[optind + 1]);
        const char *path = argv[optind];
        image img;
        if (!asm_load_program(path, &ao, &img, err, sizeof err)) {
            fprintf(stderr, "traplab run: %s\n", err);
            return EXIT_FAIL;
        }
        machine_config cfg;
        machine_default_config(&cfg);
        cfg.profile = profile;
        m = machine_new(&cfg);
        if (!m) {
            fprintf(stderr, TR("traplab run: out of memory\n"));
            image_free(&img);
            return EXIT_FAIL;
        }
        if (!machine_load_image(m, &img, err, sizeof err)) {
            fprintf(stderr, "traplab run: %s: %s\n", path, err);
            machine_free(m);
            image_free(&img);
            return EXIT_FAIL;
        }
        image_free(&img);
    }
    if (input)
        machine_console_input(m, input, strlen(input));
    if (!ctx.json && !ctx.csv)
        machine_set_console_sink(m, sink_stdout, NULL);
    machine_set_trap_hook(m, trace_hook, &ctx);

    machine_stop s;
    if (save_file) {
        uint64_t now = machine_instret(m);
        if (save_at < now) {
            fprintf(stderr, TR("traplab run: --save-at %llu: the snapshot is already at instruction %llu\n"),
                    (unsigned long long)save_at, (unsigned long long)now);
            machine_free(m);
            return EXIT_USAGE;
        }
        uint64_t first = save_at - now;
        if (max_steps && first > max_steps)
            first = max_steps;
        s = first ? run_some(m, &ctx, first) : STOP_LIMIT;
        if (s == STOP_LIMIT && machine_instret(m) == save_at) {
            FILE *f = fopen(save_file, "wb");
            bool ok = f && machine_snapshot_write(m, f, err, sizeof err);
            if (f && fclose(f) != 0)
                ok = false;
            if (!ok) {
                fprintf(stderr, "traplab run: %s: %s\n", save_file, f ? err : strerror(errno));
                machine_free(m);
                return EXIT_FAIL;
            }
            fprintf(stderr, TR("traplab run: snapshot at instruction %llu saved to %s\n"),
                    (unsigned long long)save_at, save_file);
            uint64_t left = max_steps ? max_steps - first : 0;
            s = max_steps && left == 0 ? STOP_LIMIT : run_some(m, &ctx, left);
        } else if (s != STOP_LIMIT) {
            fprintf(stderr, TR("traplab run: the run stopped (%s) at instruction %llu, before --save-at %llu: "
                    "no snapshot written\n"), machine_stop_name(s), (unsigned long long)machine_instret(m),
                    (unsigned long long)save_at);
            fflush(stdout);
            if (stats)
                print_stats(stderr, m);
            if (ctx.json)
                print_json(stdout, m, s);
            if (ctx.csv)
                print_csv(stdout, m, s);
            machine_free(m);
            return EXIT_FAIL;
        }
    } else {
        s = run_some(m, &ctx, max_steps);
    }
    fflush(stdout);
    int rc = EXIT_OK;
    if (s == STOP_LIMIT) {
        fprintf(stderr, TR("traplab run: step limit of %llu reached at pc 0x%08x\n"),
                (unsigned long long)max_steps, machine_cpu(m)->pc);
        rc = EXIT_FAIL;
    } else if (s == STOP_FATAL) {
        fprintf(stderr, TR("traplab run: fatal: %s\n"), cli_tr_line(machine_fatal_reason(m), err, sizeof err));
        rc = EXIT_FAIL;
    } else if (s != STOP_HALT) {
        fprintf(stderr, TR("traplab run: stopped (%s) at pc 0x%08x\n"), machine_stop_name(s),
                machine_cpu(m)->pc);
        rc = EXIT_FAIL;
    }
    if (stats)
        print_stats(stderr, m);
    if (ctx.json)
        print_json(stdout, m, s);
    if (ctx.csv)
        print_csv(stdout, m, s);
    machine_free(m);
    return rc;
}

int cmd_run(int argc, char **argv)
{
    return cli_run_with_save_at("run", argc, argv, run_options);
}
