/*
 * model_internal.h -- what the files of the model (model.c, run.c, keys.c,
 * tasks.c, target_bare.c) share and nothing else includes.
 */
#ifndef TRAPLAB_TUI_MODEL_INTERNAL_H
#define TRAPLAB_TUI_MODEL_INTERNAL_H

#include "tui/model.h"

/* The message line. */
void tui_set_status(tui_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Saves the target at its current position as the newest checkpoint. */
bool tui_checkpoint_push(tui_model *m);
/* Position (ai, at) comes after (bi, bt). */
bool tui_pos_after(uint64_t ai, uint64_t at, uint64_t bi, uint64_t bt);

#endif
