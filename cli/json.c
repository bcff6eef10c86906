/*
 * json.c -- the JSON string writer shared by the commands: util/json.c,
 * with bytes outside printable ASCII escaped.
 */
#include "cli/json.h"

#include "util/json.h"

void cli_json_string(FILE *out, const char *s, size_t n)
{
    util_json_string(out, s, n, true);
}
