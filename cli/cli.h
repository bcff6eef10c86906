/*
 * cli.h -- the traplab command's subcommands and the helpers they share.
 * Exit codes follow one rule everywhere: 0 success, 1 a failure in the
 * input or the simulated run, 2 a usage error.
 */
#ifndef TRAPLAB_CLI_H
#define TRAPLAB_CLI_H

#include <stdbool.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

int cmd_isa(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_asm(int argc, char **argv);
int cmd_disasm(int argc, char **argv);
int cmd_lab(int argc, char **argv);

/* Prints "traplab CMD: message" to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Strict number parsing (decimal or 0x hex); false on junk or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_u32(const char *s, uint32_t *out);

#endif
