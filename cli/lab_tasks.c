/*
 * lab_tasks.c -- what `traplab lab run` puts in the terminal UI's Tasks pane
 * (see lab_tasks.h).  The lab's tasks come from lab.lua with the student's
 * numbers; the handout in the chosen language adds its own Tasks section, so
 * a Spanish-speaking student reads them in Spanish.  The pane word-wraps, so
 * Markdown paragraphs are joined into one line each here.
 */
#include "cli/lab_tasks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HANDOUT_MAX (1u << 20)

static char *read_small_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(HANDOUT_MAX + 1);
    size_t n = buf ? fread(buf, 1, HANDOUT_MAX, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static bool starts_list_item(const char *p)
{
    while (*p == ' ')
        p++;
    const char *q = p;
    while (*q >= '0' && *q <= '9')
        q++;
    if (q > p && (*q == '.' || *q == ')') && q[1] == ' ')
        return true;
    return (*p == '-' || *p == '*') && p[1] == ' ';
}

static size_t indent_of(const char *p)
{
    size_t n = 0;
    while (p[n] == ' ')
        n++;
    return n;
}

/* Writes one Markdown line without the bold markers, which the pane cannot show. */
static void put_md(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '*' && i + 1 < len && s[i + 1] == '*') {
            i++;
            continue;
        }
        fputc(s[i], out);
    }
}

/*
 * The body of the handout's "## Tasks" / "## Tareas" section, with each
 * paragraph or list item on one line; code blocks (indented four spaces
 * after a blank line) keep their lines.  Sets *title from the "# " line.
 */
static void handout_tasks(FILE *out, char *md, const char **title)
{
    bool in_tasks = false, any = false, gap = false, code = false;
    for (char *line = md; line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        size_t len = strlen(line);
        if (len && line[len - 1] == '\r')
            line[--len] = '\0';
        size_t ind = indent_of(line);
        if (strncmp(line, "# ", 2) == 0) {
            if (!*title)
                *title = line + 2;
        } else if (strncmp(line, "## ", 3) == 0) {
            in_tasks = strcmp(line + 3, "Tasks") == 0 || strcmp(line + 3, "Tareas") == 0;
        } else if (in_tasks && ind == len) {
            gap = any;
        } else if (in_tasks) {
            bool item = starts_list_item(line);
            bool code_line = (gap || code) && ind >= 4 && !item;
            if (!any || gap || code_line || item) {
                if (any)
                    fputs(gap ? "\n\n" : "\n", out);
                put_md(out, code_line || item ? line : line + ind, len - (code_line || item ? 0 : ind));
            } else {
                fputc(' ', out);
                put_md(out, line + ind, len - ind);
            }
            any = true;
            gap = false;
            code = code_line;
        }
        line = eol ? eol + 1 : NULL;
    }
    if (any)
        fputc('\n', out);
}

bool cli_lab_handout_title(const char *lab_dir, bool spanish, char *buf, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/README.%s.md", lab_dir, spanish ? "es" : "en");
    char *md = read_small_file(path);
    bool ok = false;
    for (char *line = md; line && *line && !ok;) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        if (len > 2 && strncmp(line, "# ", 2) == 0) {
            snprintf(buf, n, "%.*s", (int)(len - 2), line + 2);
            ok = true;
        }
        line = eol ? eol + 1 : NULL;
    }
    free(md);
    return ok;
}

char *cli_lab_tasks_text(const lab_report *r, const char *lab_dir, bool spanish,
                         const char *student, uint64_t seed)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/README.%s.md", lab_dir, spanish ? "es" : "en");
    char *md = read_small_file(path);
    const char *title = NULL;
    char *handout = NULL;
    size_t hlen = 0;
    FILE *h = md ? open_memstream(&handout, &hlen) : NULL;
    if (h) {
        handout_tasks(h, md, &title);
        fclose(h);
    }
    fprintf(out, "# %s\n", title ? title : r->title);
    fprintf(out, spanish ? "Práctica %s, estudiante %s, semilla %" PRIu64 "\n"
                         : "Lab %s, student %s, seed %" PRIu64 "\n",
            r->id, student && *student ? student : "-", seed);
    fprintf(out, "\n%s\n", spanish ? "TAREAS (con tus números)" : "TASKS");
    for (size_t i = 0; i < r->ntasks; i++)
        fprintf(out, "%zu. %s\n", i + 1, r->tasks[i]);
    if (handout && hlen) {
        fprintf(out, "\n%s (README.%s.md)\n", spanish ? "DEL ENUNCIADO" : "FROM THE HANDOUT",
                spanish ? "es" : "en");
        fputs(handout, out);
    }
    if (r->nitems) {
        fprintf(out, "\n%s\n", spanish ? "PREGUNTAS Y COMPROBACIONES" : "QUESTIONS AND CHECKS");
        for (size_t i = 0; i < r->nitems; i++) {
            const lab_item *it = &r->items[i];
            fprintf(out, "- [%s] %s (%g %s): %s\n", it->kind, it->id, it->max,
                    spanish ? "puntos" : "points", it->title);
            if (*it->message)
                fprintf(out, "%s\n", it->message);
        }
    }
    free(handout);
    free(md);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}
