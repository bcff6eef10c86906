/*
 * lang.h -- the language of everything the traplab command writes for a
 * person: English or Spanish, chosen once by `traplab --lang es|en` (or a
 * subcommand's --lang) and else from LC_ALL, LC_MESSAGES and LANG, like the
 * terminal UI.  English is the source text and the default; JSON, CSV and
 * the names of causes, instructions and options never change.
 *
 * gettext's shape without its catalogs (docs/architecture.md says why): the
 * English string is the key, TR("...") at the call site, and the Spanish
 * lives in one table, cli/lang_es.c, in the glossary's terms.  In English
 * TR returns its argument, so the English output is byte for byte what it
 * was (tests/pinned.sh hashes the English --trace).
 */
#ifndef TRAPLAB_CLI_LANG_H
#define TRAPLAB_CLI_LANG_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/model.h"

void cli_set_lang(tui_lang lang);
/* "es" or "en" (what --lang takes); false, and nothing changed, otherwise. */
bool cli_set_lang_name(const char *name);
tui_lang cli_lang(void);
static inline bool cli_es(void) { return cli_lang() == TUI_LANG_ES; }

/* msgid in the current language: a printf format keeps its conversions
 * (the compiler checks the English one against the arguments). */
const char *cli_tr(const char *msgid) __attribute__((format_arg(1)));
#define TR(s) cli_tr(s)
/* A text translated later, where it is printed (a table's entry, as gettext's
 * N_): marked so that dist/test-lang.sh checks that it has its Spanish. */
#define N_(s) (s)

/*
 * A line the core or the lab engine composed in English (an event's text, a
 * VM's failure, a grading limit), in the current language: the first
 * pattern of cli/lang_es.c's line table that matches it, each %s of the
 * pattern standing for any text, itself translated where a pattern matches
 * it.  A line no pattern matches is returned as it is.  Returns buf, or
 * line itself in English.
 */
const char *cli_tr_line(const char *line, char *buf, size_t n);

/* Columns on a terminal of a UTF-8 string ("diseño" is 6), and the printf
 * width that pads it to cols columns (%-*s counts bytes). */
int cli_columns(const char *s);
int cli_width(const char *s, int cols);

/* The tables (cli/lang_es.c): the English key and its Spanish. */
typedef struct { const char *en, *es; } cli_msg;
extern const cli_msg cli_msgs_es[], cli_lines_es[];
extern const size_t cli_nmsgs_es, cli_nlines_es;

#endif
