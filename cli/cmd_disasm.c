/*
 * cmd_disasm.c -- 'traplab disasm': print an image as assembly text that
 * reassembles to the same bytes.
 */
#include <getopt.h>
#include <stdio.h>

#include "asm/disasm.h"
#include "image/image.h"
#include "cli/cli.h"
#include "cli/lang.h"

static void help(FILE *out)
{
    fprintf(out,
            TR("usage: traplab disasm FILE.tlo\n"
            "\n"
            "Prints every segment of the image as assembly: symbol labels, instructions with\n"
            "branch targets named after symbols (main+0x8), and comments with the address,\n"
            "the encoding and the source file:line. The output reassembles with 'traplab asm'.\n"
            "\n"
            "  -h, --help   show this help\n"));
}

int cmd_disasm(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (ch == 'h') {
            help(stdout);
            return EXIT_OK;
        }
        return cli_option_error("disasm", ch, argv);
    }
    if (optind != argc - 1)
        return cli_usage_error("disasm", TR("give exactly one image file"));
    image img;
    char err[256];
    if (!image_read_file(argv[optind], &img, err, sizeof err)) {
        fprintf(stderr, "traplab disasm: %s\n", err);
        return EXIT_FAIL;
    }
    asm_disassemble(stdout, &img);
    image_free(&img);
    return EXIT_OK;
}
