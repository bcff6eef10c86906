/*
 * json.h -- the one JSON string writer the commands share (run, vm,
 * compare), so every command escapes output the same way.
 */
#ifndef TRAPLAB_CLI_JSON_H
#define TRAPLAB_CLI_JSON_H

#include <stddef.h>
#include <stdio.h>

/* s[0..n) as a JSON string; bytes outside printable ASCII become \u00XX
 * (the guests' output is bytes, not UTF-8: the JSON stays valid). */
void cli_json_string(FILE *out, const char *s, size_t n);

#endif
