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

/* keys.c: "sym", "sym+N", "sym-N", a number (C style, or hex without 0x). */
bool tui_parse_where(const tui_model *m, const char *s, uint32_t *out);

/* breakpoint.c */
void tui_bp_free_all(tui_model *m);
bool tui_has_watchpoints(const tui_model *m);
bool tui_bp_condition_holds(tui_model *m, tui_bp *b);
tui_bp *tui_watch_check(tui_model *m, uint32_t *old);
bool tui_bp_read_word(const tui_model *m, const tui_bp *b, uint32_t *out);
void tui_catch_check(tui_model *m, const tui_event *e);
void tui_edit_apply(tui_model *m, const tui_edit *e);
/* Records an edit at the current position and applies it; false when out of memory. */
bool tui_edit_record(tui_model *m, tui_edit_kind kind, uint32_t index, uint32_t value);
void tui_edits_forget_after(tui_model *m, uint64_t instret, uint64_t traps);

/* run.c: what the actions share with the command line. */
bool tui_finished(const tui_model *m);
void tui_before_action(tui_model *m);
void tui_after_run(tui_model *m, size_t nlog_before);
machine_stop tui_run_for(tui_model *m, uint64_t max, bool bps, bool stop_on_trap,
                         bool has_extra, uint32_t extra);
void tui_seek(tui_model *m, uint64_t instret, uint64_t traps);
void tui_view_state_push(tui_model *m);

#endif
