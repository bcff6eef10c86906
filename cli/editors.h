/*
 * editors.h -- editor support for the assembly language, generated from the
 * ISA table and the assembler's own tables (cli/editors.c).
 */
#ifndef TRAPLAB_CLI_EDITORS_H
#define TRAPLAB_CLI_EDITORS_H

#include <stdbool.h>
#include <stdio.h>

/* kind: "vim", "vim-ftdetect", "emacs" or "textmate"; false when unknown. */
bool cli_write_editor(FILE *f, const char *kind);

#endif
