/*
 * plot.c -- `--plot FILE.svg|FILE.png` for compare and vm: bar charts of the
 * overhead against native and of the VM exits per 1,000 guest instructions,
 * drawn by gnuplot (Debian's gnuplot-nox).  gnuplot because it is the plotting
 * tool every Debian machine can install without a desktop or a language
 * runtime, it writes SVG and PNG itself, and a script of twenty lines drives
 * it; the numbers come from the run, never from gnuplot.  The TUI keeps its
 * own text bars.
 */
#include "cli/plot.h"
#include "cli/lang.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_suffix(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcasecmp(s + a - b, suf) == 0;
}

bool cli_plot_check_path(const char *cmd, const char *path)
{
    if (!has_suffix(path, ".svg") && !has_suffix(path, ".png")) {
        cli_usage_error(cmd, TR("--plot writes FILE.svg or FILE.png, not '%s'"), path);
        return false;
    }
    return true;
}

/* A gnuplot single-quoted string: quotes doubled. */
static void gp_string(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('\'', f);
}

/* Index of s in names[0..*n), appended when new. */
static size_t intern(const char **names, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    names[*n] = s;
    return (*n)++;
}

/* A label for gnuplot's data file: tabs and newlines would split it. */
static void gp_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '"' ? ' ' : *s, f);
    fputc('"', f);
}

static void write_table(FILE *f, const char **groups, size_t ng, const char **series, size_t ns,
                        const double *cells)
{
    fputs("group", f);
    for (size_t s = 0; s < ns; s++) {
        fputc('\t', f);
        gp_label(f, series[s]);
    }
    fputc('\n', f);
    for (size_t g = 0; g < ng; g++) {
        gp_label(f, groups[g]);
        for (size_t s = 0; s < ns; s++) {
            double v = cells[g * ns + s];
            if (isnan(v))
                fputs("\t?", f);
            else
                fprintf(f, "\t%.6g", v);
        }
        fputc('\n', f);
    }
}

static void plot_panel(FILE *f, const char *data, size_t ns, const char *ylabel)
{
    fputs("set ylabel ", f);
    gp_string(f, ylabel);
    fputs("\nplot ", f);
    for (size_t s = 0; s < ns; s++) {
        if (s)
            fputs(", ", f);
        if (s == 0) {
            gp_string(f, data);
            fprintf(f, " using %zu:xtic(1) title columnheader(%zu)", s + 2, s + 2);
        } else {
            fprintf(f, "'' using %zu title columnheader(%zu)", s + 2, s + 2);
        }
    }
    fputc('\n', f);
}

/* Runs gnuplot on script; false with a message when it cannot start or fails. */
static bool run_gnuplot(const char *cmd, const char *script)
{
    const char *gp = getenv("TRAPLAB_GNUPLOT");
    if (!gp || !*gp)
        gp = "gnuplot";
    int pipefd[2];
    if (pipe(pipefd) != 0) {
        fprintf(stderr, "traplab %s: --plot: %s\n", cmd, strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "traplab %s: --plot: %s\n", cmd, strerror(errno));
        close(pipefd[0]);
        close(pipefd[1]);
        return false;
    }
    if (pid == 0) {
        close(pipefd[0]);
        dup2(pipefd[1], STDOUT_FILENO);   /* gnuplot's own chatter must not mix with our output */
        execlp(gp, gp, script, (char *)NULL);
        int e = errno;
        (void)!write(pipefd[1], &e, sizeof e);
        _exit(127);
    }
    close(pipefd[1]);
    int st = 0, e = 0;
    ssize_t got = read(pipefd[0], &e, sizeof e);
    close(pipefd[0]);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            break;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127 && got == (ssize_t)sizeof e) {
        fprintf(stderr, TR("traplab %s: --plot needs gnuplot, and '%s' could not be run (%s); install the "
                "gnuplot-nox package (scripts/install-deps.sh does)\n"), cmd, gp, strerror(e));
        return false;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, TR("traplab %s: --plot: gnuplot failed (see its message above)\n"), cmd);
        return false;
    }
    return true;
}

bool cli_plot(const char *cmd, const char *path, const char *title, const cli_plot_bar *bars, size_t n)
{
    if (!cli_plot_check_path(cmd, path))
        return false;
    if (n == 0) {
        fprintf(stderr, TR("traplab %s: --plot: nothing to plot\n"), cmd);
        return false;
    }
    const char **groups = calloc(n, sizeof *groups), **series = calloc(n, sizeof *series);
    size_t ng = 0, ns = 0;
    double *over = NULL, *exits = NULL;
    bool ok = false;
    char dir[] = "/tmp/traplab-plot-XXXXXX", script[PATH_MAX], d1[PATH_MAX], d2[PATH_MAX];
    bool made = false;
    if (!groups || !series)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        intern(groups, &ng, bars[i].group);
        intern(series, &ns, bars[i].series);
    }
    over = malloc(ng * ns * sizeof *over);
    exits = malloc(ng * ns * sizeof *exits);
    if (!over || !exits)
        goto oom;
    for (size_t i = 0; i < ng * ns; i++)
        over[i] = exits[i] = NAN;
    for (size_t i = 0; i < n; i++) {
        size_t g = intern(groups, &ng, bars[i].group), s = intern(series, &ns, bars[i].series);
        over[g * ns + s] = bars[i].overhead * 100.0;
        exits[g * ns + s] = bars[i].exits_per_1k;
    }
    if (!mkdtemp(dir)) {
        fprintf(stderr, TR("traplab %s: --plot: cannot make a temporary folder: %s\n"), cmd, strerror(errno));
        goto out;
    }
    made = true;
    snprintf(script, sizeof script, "%s/plot.gp", dir);
    snprintf(d1, sizeof d1, "%s/overhead.tsv", dir);
    snprintf(d2, sizeof d2, "%s/exits.tsv", dir);
    FILE *f1 = fopen(d1, "w"), *f2 = fopen(d2, "w"), *gs = fopen(script, "w");
    if (f1) write_table(f1, groups, ng, series, ns, over);
    if (f2) write_table(f2, groups, ng, series, ns, exits);
    bool png = has_suffix(path, ".png");
    if (gs) {
        fprintf(gs, "set terminal %s size 1000,760 font 'sans,10'\nset output ", png ? "pngcairo" : "svg dynamic");
        gp_string(gs, path);
        fputs("\nset encoding utf8\nset datafile separator '\\t'\nset datafile missing '?'\n"
              "set style data histograms\nset style histogram clustered gap 1\n"
              "set style fill solid 0.85 border -1\nset boxwidth 0.9\nset grid ytics\n"
              "set key outside right top\nset yrange [0:*]\nset xtics noenhanced\nset key noenhanced\n"
              "set multiplot layout 2,1 title ", gs);
        gp_string(gs, title);
        fputs(" noenhanced\n", gs);
        plot_panel(gs, d1, ns, TR("overhead against native (%)"));
        plot_panel(gs, d2, ns, TR("VM exits per 1,000 guest instructions"));
        fputs("unset multiplot\nset output\n", gs);
    }
    bool wrote = f1 && f2 && gs;
    if (f1 && fclose(f1) != 0) wrote = false;
    if (f2 && fclose(f2) != 0) wrote = false;
    if (gs && fclose(gs) != 0) wrote = false;
    if (!wrote) {
        fprintf(stderr, TR("traplab %s: --plot: cannot write in %s: %s\n"), cmd, dir, strerror(errno));
        goto out;
    }
    if (!run_gnuplot(cmd, script))
        goto out;
    FILE *chk = fopen(path, "rb");
    int first = chk ? fgetc(chk) : EOF;
    if (chk)
        fclose(chk);
    if (first == EOF) {
        fprintf(stderr, TR("traplab %s: --plot: gnuplot wrote nothing to %s\n"), cmd, path);
        goto out;
    }
    ok = true;
    goto out;
oom:
    fprintf(stderr, TR("traplab %s: out of memory\n"), cmd);
out:
    if (made) {
        remove(script);
        remove(d1);
        remove(d2);
        rmdir(dir);
    }
    free(over);
    free(exits);
    free(groups);
    free(series);
    return ok;
}
