/*
 * view.h -- the curses view of the terminal UI.  It reads the model, maps
 * keys to the model's actions through one table, and draws; nothing else
 * in traplab includes curses.
 */
#ifndef TRAPLAB_TUI_VIEW_H
#define TRAPLAB_TUI_VIEW_H

#include <stdbool.h>

#include "tui/model.h"

typedef struct {
    bool ascii;     /* ASCII line drawing instead of the terminal's line characters */
    bool mono;      /* no colour (also when NO_COLOR is set or the terminal has none) */
} tui_view_options;

/* Runs the UI until the user quits; returns 0, or 1 when curses cannot start
 * or a signal (SIGTERM, SIGHUP) ended it.  The terminal is always restored. */
int tui_view_run(tui_model *m, const tui_view_options *opt);

#endif
