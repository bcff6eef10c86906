/*
 * cmd_tui.c -- 'traplab tui': open a program in the terminal UI, on the bare
 * machine (and, once the hypervisor is built in, under it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "machine/machine.h"
#include "tui/model.h"
#include "tui/view.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: traplab tui PROGRAM.s|IMAGE [options]\n"
        "\n"
        "Step through a program and its traps in a terminal UI: registers, code\n"
        "with source lines, memory, the trap log with an explanation of each trap,\n"
        "statistics.  Keys: s step, n next, t run to the next trap, c continue,\n"
        "b breakpoint, r step back, R back to the previous trap, g go to, ? help, q quit.\n"
        "\n"
        "options:\n"
        "  --profile strict|legacy   ISA profile (default strict)\n"
        "  --lang es|en              language of the explanations (default: from LANG)\n"
        "  --mem BYTES               physical memory (default 16 MiB)\n"
        "  --ascii                   ASCII line drawing\n"
        "  --mono                    no colour (NO_COLOR does the same)\n"
        "  -h, --help                this help\n");
}

int cmd_tui(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "profile", required_argument, NULL, 'p' },
        { "lang",    required_argument, NULL, 'l' },
        { "mem",     required_argument, NULL, 'M' },
        { "ascii",   no_argument,       NULL, 'a' },
        { "mono",    no_argument,       NULL, 'o' },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    machine_config cfg;
    machine_default_config(&cfg);
    tui_lang lang = tui_lang_from_env();
    tui_view_options vopt = { 0 };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!isa_parse_profile(optarg, &cfg.profile))
                return cli_usage_error("tui", "unknown profile '%s' (strict or legacy)", optarg);
            break;
        case 'l':
            if (!tui_parse_lang(optarg, &lang))
                return cli_usage_error("tui", "unknown language '%s' (es or en)", optarg);
            break;
        case 'M':
            if (!cli_parse_u32(optarg, &cfg.mem_size) || cfg.mem_size == 0 || cfg.mem_size % PAGE_SIZE)
                return cli_usage_error("tui", "--mem needs a multiple of 4096, not '%s'", optarg);
            break;
        case 'a': vopt.ascii = true; break;
        case 'o': vopt.mono = true; break;
        case 'h': usage(stdout); return EXIT_OK;
        default:  return cli_usage_error("tui", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("tui", optind >= argc ? "missing PROGRAM" : "one PROGRAM only");
    const char *path = argv[optind];

    /* Fail before loading anything: a UI without a terminal is a usage error. */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "traplab tui: standard input and output must be a terminal "
                        "(use 'traplab run' for a batch run)\n");
        return EXIT_USAGE;
    }

    char err[256];
    image img;
    if (!tui_open_program(path, &img, err, sizeof err)) {
        fprintf(stderr, "traplab tui: %s\n", err);
        image_free(&img);
        return EXIT_FAIL;
    }
    machine *mach = machine_new(&cfg);
    if (!mach) {
        fprintf(stderr, "traplab tui: cannot create the machine (out of memory?)\n");
        image_free(&img);
        return EXIT_FAIL;
    }
    if (!tui_load_image(mach, &img, err, sizeof err)) {
        fprintf(stderr, "traplab tui: %s: %s\n", path, err);
        image_free(&img);
        machine_free(mach);
        return EXIT_FAIL;
    }
    void *target = tui_bare_target_new(mach);
    tui_model *m = target ? tui_model_new(&tui_bare_target_ops, target, &img, lang, 0) : NULL;
    if (!m) {
        fprintf(stderr, "traplab tui: out of memory\n");
        if (target)
            tui_bare_target_ops.destroy(target);
        else
            machine_free(mach);
        image_free(&img);
        return EXIT_FAIL;
    }
    int rc = tui_view_run(m, &vopt);
    tui_model_free(m);
    return rc ? EXIT_FAIL : EXIT_OK;
}
