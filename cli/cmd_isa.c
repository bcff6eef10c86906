/*
 * cmd_isa.c -- `traplab isa`: the ISA reference and the Popek-Goldberg
 * verdict, both printed from the one table in isa/isa.def.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/lang.h"
#include "cli/editors.h"
#include "isa/isa.h"

static void help(void)
{
    printf(TR("usage: traplab isa [--check] [--profile strict|legacy] [--editor KIND]\n\n"
           "Without options, prints the ISA reference as Markdown (docs/isa.md is this output).\n\n"
           "  --check            print Popek and Goldberg's verdict for the profile: which\n"
           "                     instructions are sensitive, which privileged, and the\n"
           "                     sensitive ones that are not; exit 0 when virtualizable, 1 not\n"
           "  --profile NAME     strict (default: every sensitive instruction traps) or\n"
           "                     legacy (x86-like flaws: pushf, popf, smsw, sidt do not)\n"
           "  --editor KIND      print syntax highlighting for the assembly language, made\n"
           "                     from this table: vim (syntax/traplab.vim), vim-ftdetect\n"
           "                     (ftdetect/traplab.vim), emacs (traplab-mode.el) or textmate\n"
           "                     (a TextMate / VS Code grammar, traplab.tmLanguage.json)\n"
           "  -h, --help         this help\n"));
}

int cmd_isa(int argc, char **argv)
{
    static const struct option opts[] = {
        { "check", no_argument, NULL, 'c' },
        { "profile", required_argument, NULL, 'p' },
        { "editor", required_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    bool check = false;
    const char *editor = NULL;
    isa_profile profile = PROFILE_STRICT;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hcp:", opts, NULL)) != -1) {
        switch (c) {
        case 'c': check = true; break;
        case 'p':
            if (!isa_parse_profile(optarg, &profile))
                return cli_usage_error("isa", TR("unknown profile '%s' (strict or legacy)"), optarg);
            break;
        case 'e': editor = optarg; break;
        case 'h': help(); return EXIT_OK;
        default: return cli_option_error("isa", c, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error("isa", TR("unexpected argument '%s'"), argv[optind]);
    if (editor) {
        if (check)
            return cli_usage_error("isa", TR("give either --check or --editor, not both"));
        if (!cli_write_editor(stdout, editor))
            return cli_usage_error("isa", TR("unknown editor '%s' (vim, vim-ftdetect, emacs or textmate)"), editor);
        return EXIT_OK;
    }
    if (!check) {
        isa_write_markdown(stdout);
        return EXIT_OK;
    }
    return isa_write_popek_goldberg(stdout, profile) ? EXIT_OK : EXIT_FAIL;
}
