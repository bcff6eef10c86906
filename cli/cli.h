/*
 * cli.h -- the traplab command's subcommands and the helpers they share.
 * Exit codes follow one rule everywhere: 0 success, 1 a failure in the
 * input or the simulated run, 2 a usage error.
 */
#ifndef TRAPLAB_CLI_H
#define TRAPLAB_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"
#include "vmm/vmm.h"

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
int cmd_vm(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_tui(int argc, char **argv);
int cmd_lab(int argc, char **argv);

/* Prints "traplab CMD: message" to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* --save-at N FILE takes two words: rewrites them as --save-at=N --save-file FILE
 * before getopt sees them, then calls fn (run and vm read both). */
int cli_run_with_save_at(const char *cmd, int argc, char **argv, int (*fn)(int, char **));
/* The usage error for getopt_long's '?' or ':' (give every optstring a
 * leading ':' and set opterr = 0), worded the same in every command. */
int cli_option_error(const char *cmd, int c, char **argv);
/* -D NAME or -D NAME=NUMBER, as the assembler takes it; false after
 * printing the usage error. */
#define CLI_MAX_ASM_ARGS 64
bool cli_check_define(const char *cmd, const char *def);
/* Splits "a,b,c" in place into at most max names; an empty name, too many,
 * or (when unique) a repeated one is a usage error, printed for cmd. */
bool cli_split_list(const char *cmd, char *list, const char *arg, const char *what,
                    const char **names, size_t max, size_t *n, bool unique);
/* Colour for --color=auto: fd is a terminal, NO_COLOR is unset or empty
 * (no-color.org) and TERM is not "dumb".  An explicit --color=always wins. */
bool cli_color_auto(int fd);
/* Strict number parsing (decimal or 0x hex); false on junk or overflow. */
bool cli_parse_u64(const char *s, uint64_t *out);
bool cli_parse_u32(const char *s, uint32_t *out);
/* Finds rel (e.g. "guest/cpu.s", "labs") in the folders above the traplab
 * binary, so that build/traplab works from anywhere; ok() decides. */
bool cli_find_beside_binary(const char *rel, char *out, size_t n, bool (*ok)(const char *path));
/* traplab's data (rel is "labs", "guest/cpu.s", ...): $TRAPLAB_HOME/rel alone
 * when TRAPLAB_HOME is set; else ./rel, the source tree of the binary, or
 * PREFIX/share/traplab/rel for an installed PREFIX/bin/traplab. */
bool cli_find_data(const char *rel, char *out, size_t n, bool (*ok)(const char *path));

/* Guest software (cli/guest.c): a short name ("kernel", "cpu") means
 * guest/NAME.s; else a path to a .s (assembled with defines) or a .tlo. */
bool cli_resolve_guest(const char *name, char *path, size_t n);
/* A .tlo image: already assembled, so -D and PARAVIRT cannot change it. */
bool cli_guest_is_image(const char *name);
/* Every cost parameter of cfg with its value, range and meaning (--list-costs). */
void cli_list_costs(const vmm_config *cfg);
/* The --cpu profiles with the vm_exit and vm_enter each sets (--list-cpus). */
void cli_list_cpus(const vmm_config *cfg);
/* Adds a folder that guests' .include lines search (after the file's own). */
void cli_guest_include(const char *dir);
/* Prints "traplab CMD: ..." on failure. */
bool cli_load_guest(const char *cmd, const char *name, const char *const *defines,
                    size_t ndefines, image *img);
/* The options vm and compare take the same way, with the same letters:
 * 'v' --vms N, 'c' --cost NAME=VALUE, 'X' --exit-on LIST (the hw design's exit
 * controls), 'D' -D NAME[=VALUE] (up to CLI_MAX_DEFINES).  Returns -1 when c is none of them, EXIT_OK when it was
 * applied to cfg or defs, EXIT_USAGE after printing the error. */
#define CLI_MAX_DEFINES 32
int cli_vmm_option(const char *cmd, int c, const char *arg, vmm_config *cfg,
                   const char **defs, size_t *ndefs);
/* The guest kernel as the design runs it: with the design's own define
 * (para: -D PARAVIRT, the paravirtualized kernel of docs/hypercalls.md)
 * after the caller's (vmm_design_defines); VMM_DESIGN_FULL for the
 * unmodified kernel.  What vm, compare and tui use. */
bool cli_load_kernel(const char *cmd, const char *name, const char *const *defines,
                     size_t ndefines, vmm_design design, image *img);

#endif
