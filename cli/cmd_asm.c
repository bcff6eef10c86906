/*
 * cmd_asm.c -- 'traplab asm': assemble a source file into an image (.tlo),
 * optionally with a listing.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asm/asm.h"
#include "cli/cli.h"
#include "cli/lang.h"

static void help(FILE *out)
{
    fprintf(out,
            TR("usage: traplab asm FILE.s [-o FILE.tlo] [-l FILE.lst] [-I DIR]... [-D NAME[=VALUE]]...\n"
            "\n"
            "Assembles FILE.s into an image (default: FILE.tlo beside the source).\n"
            "\n"
            "  -o, --output FILE    write the image to FILE\n"
            "  -l, --listing FILE   write a listing (address, encoding, source line); '-' = stdout\n"
            "  -I, --include DIR    search DIR for .include files (after the including file's folder)\n"
            "  -D, --define N[=V]   define symbol N as V (default 1), visible to .ifdef and expressions\n"
            "      --color[=WHEN]   colour diagnostics: always, never, auto (a terminal, and\n"
            "                       NO_COLOR unset; default: never)\n"
            "  -h, --help           show this help\n"
            "\n"
            "Exit status: 0 assembled, 1 errors in the source, 2 usage error.\n"
            "The language is described in docs/asm.md.\n"));
}

static char *default_output(const char *src)
{
    size_t n = strlen(src);
    const char *slash = strrchr(src, '/');
    const char *dot = strrchr(src, '.');
    if (dot && (!slash || dot > slash))
        n = (size_t)(dot - src);
    char *out = malloc(n + 5);
    if (!out)
        return NULL;
    memcpy(out, src, n);
    strcpy(out + n, ".tlo");
    return out;
}

int cmd_asm(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "listing", required_argument, NULL, 'l' },
        { "include", required_argument, NULL, 'I' },
        { "define", required_argument, NULL, 'D' },
        { "color", optional_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL, *listing = NULL;
    const char **dirs = calloc((size_t)argc, sizeof *dirs);
    const char **defs = calloc((size_t)argc, sizeof *defs);
    asm_options opt = { .include_dirs = dirs, .defines = defs };
    int rc = EXIT_OK, ch;
    optind = 1;
    opterr = 0;
    while (rc == EXIT_OK && (ch = getopt_long(argc, argv, ":o:l:I:D:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o': output = optarg; break;
        case 'l': listing = optarg; break;
        case 'I': dirs[opt.ninclude_dirs++] = optarg; break;
        case 'D':
            defs[opt.ndefines++] = optarg;
            /* checked here so that a typo is a usage error before any assembling */
            if (!cli_check_define("asm", optarg))
                rc = EXIT_USAGE;
            break;
        case 'C':
            if (!optarg || strcmp(optarg, "always") == 0)
                opt.color = true;
            else if (strcmp(optarg, "auto") == 0)
                opt.color = cli_color_auto(2);
            else if (strcmp(optarg, "never") != 0)
                rc = cli_usage_error("asm", TR("--color takes always, never or auto, not '%s'"), optarg);
            break;
        case 'h': help(stdout); free(dirs); free(defs); return EXIT_OK;
        default: rc = cli_option_error("asm", ch, argv); break;
        }
    }
    if (rc == EXIT_OK && optind != argc - 1)
        rc = cli_usage_error("asm", optind >= argc ? TR("no source file given") : TR("give exactly one source file"));
    if (rc != EXIT_OK) {
        free(dirs);
        free(defs);
        return rc;
    }
    const char *src = argv[optind];
    char *defout = output ? NULL : default_output(src);
    if (!output)
        output = defout;
    FILE *lst = NULL;
    if (listing) {
        lst = strcmp(listing, "-") == 0 ? stdout : fopen(listing, "w");
        if (!lst) {
            fprintf(stderr, "traplab asm: %s: %s\n", listing, strerror(errno));
            free(defout); free(dirs); free(defs);
            return EXIT_FAIL;
        }
        opt.listing = lst;
    }
    image img;
    int errors = asm_assemble_file(src, &opt, &img);
    if (lst && lst != stdout && fclose(lst) != 0) {
        fprintf(stderr, "traplab asm: %s: %s\n", listing, strerror(errno));
        errors += errors ? 0 : 1;
    }
    if (errors) {
        fprintf(stderr, errors == 1 ? TR("%d error; no image written\n") : TR("%d errors; no image written\n"), errors);
        rc = EXIT_FAIL;
    } else {
        char err[256];
        if (!image_write_file(output, &img, err, sizeof err)) {
            fprintf(stderr, "traplab asm: %s\n", err);   /* err names the file */
            rc = EXIT_FAIL;
        }
    }
    image_free(&img);
    free(defout);
    free(dirs);
    free(defs);
    return rc;
}
