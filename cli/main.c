/*
 * main.c -- the traplab command: git-style subcommands over every layer.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/isa_hash.h"
#include "cli/lang.h"
#include "isa/isa.h"

#define TRAPLAB_VERSION "0.1.0"

static const cli_command commands[] = {
    { "run",    cmd_run,    N_("run a program on the bare machine") },
    { "asm",    cmd_asm,    N_("assemble a source file into an image") },
    { "disasm", cmd_disasm, N_("disassemble an image") },
    { "vm",     cmd_vm,     N_("run guest kernels in VMs under the trap-and-emulate hypervisor") },
    { "compare", cmd_compare, N_("native against every design (full, bt, hw, hw-shadow, para), Type-1 and Type-2") },
    { "isa",    cmd_isa,    N_("print the ISA reference or the Popek-Goldberg verdict") },
    { "tui",    cmd_tui,    N_("step through a program and its traps in a terminal UI") },
    { "lab",    cmd_lab,    N_("list, check and grade the Lua labs") },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, TR("usage: traplab [--version] [--help] [--lang es|en] <command> [<args>]\n\ncommands:\n"));
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, TR(commands[i].summary));
    fprintf(out, TR("\n'traplab <command> --help' explains one command.\n"
                    "--lang es|en: the language of what traplab writes (default: from LC_ALL,\n"
                    "LC_MESSAGES or LANG; English when none says es).\n"));
}

int cli_run_with_save_at(const char *cmd, int argc, char **argv, int (*fn)(int, char **))
{
    char **av = calloc((size_t)argc + 2, sizeof *av);
    if (!av) {
        fprintf(stderr, TR("traplab %s: out of memory\n"), cmd);
        return EXIT_FAIL;
    }
    char save_at_buf[64];
    int ac = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--save-at") == 0) {
            if (i + 2 >= argc) {
                free(av);
                return cli_usage_error(cmd, TR("--save-at needs N and FILE: --save-at N FILE"));
            }
            snprintf(save_at_buf, sizeof save_at_buf, "--save-at=%.50s", argv[i + 1]);
            av[ac++] = save_at_buf;
            av[ac++] = "--save-file";
            av[ac++] = argv[i + 2];
            i += 2;
            continue;
        }
        av[ac++] = argv[i];
    }
    av[ac] = NULL;
    int rc = fn(ac, av);
    free(av);
    return rc;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "traplab %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, TR("\nTry 'traplab %s --help'.\n"), cmd);
    return EXIT_USAGE;
}

int cli_option_error(const char *cmd, int c, char **argv)
{
    /* getopt leaves the offending word at argv[optind - 1], except for an
     * unknown short option inside a cluster ("-xv"), named by optopt. */
    const char *word = argv[optind - 1];
    if (c == ':')
        return cli_usage_error(cmd, TR("option '%s' needs an argument"), word);
    if (optopt && optopt != '?' && (strncmp(word, "--", 2) != 0)) {
        char opt[3] = { '-', (char)optopt, 0 };
        return cli_usage_error(cmd, TR("unknown option '%s'"), opt);
    }
    char name[64];
    snprintf(name, sizeof name, "%s", word);
    char *eq = strchr(name, '=');
    if (eq)
        *eq = '\0';
    return cli_usage_error(cmd, TR("unknown option '%s'"), name);
}

bool cli_check_define(const char *cmd, const char *def)
{
    const char *eq = strchr(def, '=');
    size_t n = eq ? (size_t)(eq - def) : strlen(def);
    bool ok = n > 0 && (isalpha((unsigned char)def[0]) || def[0] == '_');
    for (size_t i = 1; ok && i < n; i++)
        ok = isalnum((unsigned char)def[i]) || def[i] == '_' || def[i] == '$';
    if (!ok) {
        cli_usage_error(cmd, TR("-D %s: '%.*s' is not a valid symbol name"), def, (int)n, def);
        return false;
    }
    if (eq) {
        char *end;
        errno = 0;
        long long v = strtoll(eq + 1, &end, 0);
        if (!eq[1] || *end || errno || v < INT32_MIN || v > (long long)UINT32_MAX) {
            cli_usage_error(cmd, TR("-D %s: the value must be a 32-bit number"), def);
            return false;
        }
    }
    return true;
}

bool cli_split_list(const char *cmd, char *list, const char *arg, const char *what,
                    const char **names, size_t max, size_t *n, bool unique)
{
    *n = 0;
    for (char *p = list;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!*p) {
            cli_usage_error(cmd, TR("empty %s name in '%s'"), TR(what), arg);
            return false;
        }
        for (size_t i = 0; unique && i < *n; i++)
            if (strcmp(names[i], p) == 0) {
                cli_usage_error(cmd, TR("%s '%s' given twice in '%s'"), TR(what), p, arg);
                return false;
            }
        if (*n == max) {
            cli_usage_error(cmd, TR("at most %zu %ss"), max, TR(what));
            return false;
        }
        names[(*n)++] = p;
        if (!comma)
            return true;
        p = comma + 1;
    }
}

bool cli_color_auto(int fd)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    return isatty(fd) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

bool cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool cli_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (!cli_parse_u64(s, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

/* The language: --lang es|en before the command (git-style), else the
 * environment.  Returns how many words it took, or -1 after the error. */
static int global_lang(int argc, char **argv)
{
    cli_set_lang(tui_lang_from_env());
    int used = 0;
    while (1 + used < argc) {
        const char *a = argv[1 + used], *v = NULL;
        int words = 1;
        if (strncmp(a, "--lang=", 7) == 0)
            v = a + 7;
        else if (strcmp(a, "--lang") == 0) {
            v = 2 + used < argc ? argv[2 + used] : "";
            words = 2;
        } else
            break;
        if (!cli_set_lang_name(v)) {
            fprintf(stderr, TR("traplab: unknown language '%s' (es or en)\n"), v);
            return -1;
        }
        used += words;
    }
    return used;
}

int main(int argc, char **argv)
{
    int used = global_lang(argc, argv);
    if (used < 0)
        return EXIT_USAGE;
    argc -= used;
    argv += used;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0) {
        printf("traplab %s (ISA %s, isa/isa.def sha256 %s)\n", TRAPLAB_VERSION, ISA_VERSION, TRAPLAB_ISA_HASH);
        return EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(name, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, TR("traplab: '%s' is not a traplab command.\n"), name);
    usage(stderr);
    return EXIT_USAGE;
}
