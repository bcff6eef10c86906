/*
 * stub_run.c -- a placeholder 'traplab run' so the asm branch links before
 * the machine branch lands.  It is weak: the real cmd_run (cli/cmd_run.c)
 * replaces it, and this file can then be deleted.
 */
#include <stdio.h>

#include "cli/cli.h"

__attribute__((weak)) int cmd_run(int argc, char **argv)
{
    (void)argc; (void)argv;
    fprintf(stderr, "traplab run: the machine is not built into this traplab yet\n");
    return EXIT_FAIL;
}
