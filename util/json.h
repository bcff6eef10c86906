/*
 * json.h -- the one JSON string writer of traplab, below every layer, so that
 * the commands (cli/json.c) and the lab reports (lab/report.c) escape the
 * same way.  Depends on nothing.
 */
#ifndef TRAPLAB_UTIL_JSON_H
#define TRAPLAB_UTIL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* s[0..n) as a JSON string.  Control characters become escapes; bytes from
 * 0x7f up become \u00XX when ascii is set (guest output is bytes, not
 * UTF-8), else they pass through (lab texts are UTF-8). */
void util_json_string(FILE *out, const char *s, size_t n, bool ascii);

/* s (NUL-terminated, NULL as "") as XML character data or an attribute
 * value: & < > " ' escaped, control characters other than tab and newline
 * (which XML 1.0 cannot carry) written as spaces. */
void util_xml_text(FILE *out, const char *s);

#endif
