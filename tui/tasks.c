/*
 * tasks.c -- a lab's tasks in the Tasks pane: reading the text, and the word
 * wrapping the pane (and the tests) use.
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the lab's tasks ----------------------------------------------------------- */

/* Bytes in the UTF-8 sequence that starts with c (1 for a stray byte, so
 * that wrapping always moves on). */
static size_t utf8_len(unsigned char c)
{
    return c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? (c < 0xf0 ? 3 : 1) : c >= 0xc0 ? 2 : 1;
}

static bool utf8_valid(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        size_t n = utf8_len(c);
        if (c >= 0x80 && (n == 1 || c < 0xc2 || i + n > len))
            return false;
        for (size_t k = 1; k < n; k++)
            if (((unsigned char)s[i + k] & 0xc0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

/* Columns a line's continuation rows are indented by: its own indentation
 * and list marker, so that an item's text lines up under itself. */
static size_t hanging_indent(const char *p, size_t len)
{
    size_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    size_t j = i;
    while (j < len && j - i < 3 && p[j] >= '0' && p[j] <= '9')
        j++;
    if (j > i && j + 1 < len && (p[j] == '.' || p[j] == ')') && p[j + 1] == ' ')
        return j + 2;
    if (i + 1 < len && (p[i] == '-' || p[i] == '*') && p[i + 1] == ' ')
        return i + 2;
    return i;
}

size_t tui_wrap(const char *text, int width, tui_span *rows, size_t max)
{
    size_t n = 0;
    size_t w = width > 0 ? (size_t)width : 1;
    const char *p = text ? text : "";
#define EMIT(from, to, ind) do { \
        size_t e_ = (to); \
        while (e_ > (from) && p[e_ - 1] == ' ') e_--; \
        if (n < max) rows[n] = (tui_span){ (size_t)(p - text) + (from), e_ - (from), (int)(ind) }; \
        n++; \
    } while (0)
    for (;;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        size_t hang = hanging_indent(p, len);
        if (hang > w / 2)
            hang = 0;       /* a narrow pane needs the room more than the alignment */
        if (len == 0)
            EMIT(0, 0, 0);
        for (size_t i = 0; i < len;) {
            size_t ind = i > 0 ? hang : 0;
            if (i > 0) {
                while (i < len && p[i] == ' ')
                    i++;
                if (i == len)
                    break;
            }
            /* Take up to w - ind characters; break after the last space that
             * follows some text, unless the word alone is wider than the row. */
            size_t j = i, chars = 0, brk = 0;
            bool text_seen = false;
            while (j < len && chars < w - ind) {
                if (p[j] == ' ' && text_seen)
                    brk = j;
                else if (p[j] != ' ')
                    text_seen = true;
                size_t k = utf8_len((unsigned char)p[j]);
                j += j + k <= len ? k : len - j;
                chars++;
            }
            size_t end = (j < len && p[j] != ' ' && brk > i) ? brk : j;
            EMIT(i, end, ind);
            i = end;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
#undef EMIT
    return n;
}

static bool blank_line(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return *p == '\n';
}

bool tui_model_set_tasks(tui_model *m, const char *text, size_t len, char *err, size_t errlen)
{
    if (len > TUI_TASKS_MAX) {
        snprintf(err, errlen, "too long (%zu bytes; at most %u)", len, TUI_TASKS_MAX);
        return false;
    }
    if (memchr(text, '\0', len) || !utf8_valid(text, len)) {
        snprintf(err, errlen, "not a text file (UTF-8 expected)");
        return false;
    }
    char *copy = malloc(len + 2);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\t')
            c = ' ';
        if (c != '\r')
            copy[n++] = c;
    }
    copy[n++] = '\n';     /* every line ends with one, which keeps the parsing simple */
    copy[n] = '\0';
    char *p = copy;
    while (*p && blank_line(p))
        p = strchr(p, '\n') + 1;
    const char *title = "";
    if (p[0] == '#' && p[1] == ' ') {
        char *eol = strchr(p, '\n');
        *eol = '\0';
        title = p + 2;
        p = eol + 1;
        while (*p && blank_line(p))
            p = strchr(p, '\n') + 1;
    }
    size_t blen = strlen(p);
    while (blen > 0 && (p[blen - 1] == '\n' || p[blen - 1] == ' '))
        p[--blen] = '\0';
    char *t = strdup(title), *b = strdup(p);
    free(copy);
    if (!t || !b) {
        free(t);
        free(b);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    free(m->tasks_title);
    free(m->tasks);
    m->tasks_title = t;
    m->tasks = b;
    m->tasks_shown = true;
    m->tasks_top = 0;
    return true;
}

bool tui_model_load_tasks(tui_model *m, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(TUI_TASKS_MAX + 1);
    size_t n = buf ? fread(buf, 1, TUI_TASKS_MAX + 1, f) : 0;
    bool bad = !buf || ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path, buf ? strerror(e) : "out of memory");
        free(buf);
        return false;
    }
    char why[160];
    bool ok = tui_model_set_tasks(m, buf, n, why, sizeof why);
    if (!ok)
        snprintf(err, errlen, "%s: %s", path, n > TUI_TASKS_MAX ? "too long for the tasks pane" : why);
    free(buf);
    return ok;
}

