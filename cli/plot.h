/*
 * plot.h -- bar charts of a run's overhead and VM exits, drawn by gnuplot into
 * an SVG or PNG file (cli/plot.c; compare --plot and vm --stats --plot).
 */
#ifndef TRAPLAB_CLI_PLOT_H
#define TRAPLAB_CLI_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"

/* One bar in each panel: in the cluster group (a workload, a VM), the series
 * (a design and host).  overhead is a fraction (0.25 = 25% over native). */
typedef struct {
    const char *group, *series;
    double overhead, exits_per_1k;
} cli_plot_bar;

/* false (after a usage error for cmd) unless path ends in .svg or .png. */
bool cli_plot_check_path(const char *cmd, const char *path);
/* Draws the bars into path with gnuplot ($TRAPLAB_GNUPLOT, else gnuplot in
 * PATH); false after printing why (gnuplot missing or failing). */
bool cli_plot(const char *cmd, const char *path, const char *title, const cli_plot_bar *bars, size_t n);

#endif
