/*
 * lang.c -- looking up the Spanish of the traplab command's texts (the
 * table is cli/lang_es.c; lang.h explains the approach).
 */
#include "cli/lang.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tui_lang lang = TUI_LANG_EN;

void cli_set_lang(tui_lang l) { lang = l; }
tui_lang cli_lang(void) { return lang; }

bool cli_set_lang_name(const char *name)
{
    tui_lang l;
    if (!tui_parse_lang(name, &l))
        return false;
    lang = l;
    return true;
}

static int by_en(const void *a, const void *b)
{
    return strcmp(((const cli_msg *)a)->en, ((const cli_msg *)b)->en);
}

const char *cli_tr(const char *msgid)
{
    if (lang != TUI_LANG_ES)
        return msgid;
    /* Sorted once, on the first Spanish lookup; the table is written in the
     * order of the sources, for the translator. */
    static cli_msg *sorted;
    if (!sorted) {
        sorted = malloc(cli_nmsgs_es * sizeof *sorted);
        if (!sorted)
            return msgid;
        memcpy(sorted, cli_msgs_es, cli_nmsgs_es * sizeof *sorted);
        qsort(sorted, cli_nmsgs_es, sizeof *sorted, by_en);
    }
    cli_msg key = { msgid, NULL };
    const cli_msg *m = bsearch(&key, sorted, cli_nmsgs_es, sizeof *sorted, by_en);
    return m ? m->es : msgid;
}

#define MAX_HOLES 4

/* Does s match the pattern p, each %s standing for any text (shortest first)?
 * fnmatch(3) matches such patterns but does not say where the holes are, and
 * regex(3) would want every pattern escaped and matches leftmost-longest. */
static bool match(const char *p, const char *s, const char **hole, size_t *len, int k)
{
    if (p[0] == '%' && p[1] == 's') {
        if (k == MAX_HOLES)
            return false;
        for (const char *e = s;; e++) {
            hole[k] = s;
            len[k] = (size_t)(e - s);
            if (match(p + 2, e, hole, len, k + 1))
                return true;
            if (!*e)
                return false;
        }
    }
    if (!*p)
        return !*s;
    return *p == *s && match(p + 1, s + 1, hole, len, k);
}

static size_t put(char *buf, size_t n, size_t at, const char *s, size_t len)
{
    for (size_t i = 0; i < len && at + 1 < n; i++)
        buf[at++] = s[i];
    if (n)
        buf[at < n ? at : n - 1] = '\0';
    return at;
}

const char *cli_tr_line(const char *line, char *buf, size_t n)
{
    if (lang != TUI_LANG_ES || !line || n == 0)
        return line;
    for (size_t i = 0; i < cli_nlines_es; i++) {
        const char *hole[MAX_HOLES];
        size_t len[MAX_HOLES];
        if (!match(cli_lines_es[i].en, line, hole, len, 0))
            continue;
        size_t at = put(buf, n, 0, "", 0);
        int k = 0;
        for (const char *p = cli_lines_es[i].es; *p; p++) {
            if (p[0] == '%' && p[1] == 's' && k < MAX_HOLES) {
                /* What a hole holds may be a line of the table itself
                 * ("%s [user-mode VMM process]"). */
                char in[512], out[512];
                snprintf(in, sizeof in, "%.*s", (int)len[k], hole[k]);
                const char *t = cli_tr_line(in, out, sizeof out);
                at = put(buf, n, at, t, strlen(t));
                k++;
                p++;
            } else {
                at = put(buf, n, at, p, 1);
            }
        }
        return buf;
    }
    return line;
}

/* By hand rather than mbstowcs + wcswidth, which count in the locale's
 * encoding: traplab never calls setlocale (lang.h), and the text is UTF-8. */
int cli_columns(const char *s)
{
    int c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xc0) != 0x80;
    return c;
}

int cli_width(const char *s, int cols)
{
    return cols + (int)strlen(s) - cli_columns(s);
}
