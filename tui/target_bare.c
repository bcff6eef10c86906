/*
 * target_bare.c -- the bare machine as a target of the terminal UI: a
 * machine with an image loaded, its trap hook feeding the model's log.
 */
#include "tui/model.h"
#include "tui/model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "asm/asm.h"

/* ---- loading ------------------------------------------------------------ */

bool tui_load_image(machine *mach, const image *img, char *err, size_t errlen)
{
    return machine_load_image(mach, img, err, errlen);
}

bool tui_open_program(const char *path, image *img, char *err, size_t errlen)
{
    return asm_load_program(path, NULL, img, err, errlen);
}

/* ---- the bare-machine target ---------------------------------------------- */

typedef struct {
    machine *mach;
    tui_model *model;
} bare_target;

static bool bare_hook(machine *mach, const machine_trap *t, void *ud)
{
    bare_target *bt = ud;
    const machine_stats *st = machine_get_stats(mach);
    /* The machine stops fatally when there is no vector to deliver to. */
    bool nowhere = machine_get_cr(mach, CR_TVB) == 0;
    tui_event e = {
        .kind = TUI_EV_TRAP, .cause = t->cause, .pc = t->pc, .insn = t->insn, .addr = t->addr,
        .ring_from = t->ring, .ring_to = nowhere ? t->ring : 0,
        .handler = nowhere ? TUI_HANDLER_FATAL : TUI_HANDLER_HARDWARE,
        .vm = -1, .cycles = machine_get_config(mach)->costs.trap_entry,
        .at_cycle = t->cycle, .instret = st->instret, .traps = st->traps_total,
    };
    if (bt->model)
        tui_model_record(bt->model, &e);
    return false;
}

void *tui_bare_target_new(machine *mach)
{
    bare_target *bt = calloc(1, sizeof *bt);
    if (!bt)
        return NULL;
    bt->mach = mach;
    machine_set_trap_hook(mach, bare_hook, bt);
    return bt;
}

static machine *bare_machine(void *self) { return ((bare_target *)self)->mach; }
static machine_stop bare_run(void *self, uint64_t n) { return machine_run(((bare_target *)self)->mach, n); }
static unsigned bare_vm_count(void *self) { (void)self; return 0; }
static void bare_vm_info(void *self, unsigned vm, tui_vm_info *out) { (void)self; (void)vm; memset(out, 0, sizeof *out); }
static int bare_current_vm(void *self) { (void)self; return -1; }
static void *bare_save(void *self) { return machine_save(((bare_target *)self)->mach); }
static void bare_restore(void *self, const void *snap) { machine_restore(((bare_target *)self)->mach, snap); }
static void bare_snap_free(void *snap) { machine_snapshot_free(snap); }

static size_t bare_snap_size(void *self)
{
    machine *mach = ((bare_target *)self)->mach;
    return (size_t)machine_mem_size(mach) +
           (size_t)machine_get_config(mach)->disk_sectors * BLOCK_SECTOR_SIZE + 4096;
}

static bool bare_save_file(void *self, FILE *f, char *err, size_t errlen)
{
    return machine_snapshot_write(((bare_target *)self)->mach, f, err, errlen);
}

static void bare_attach(void *self, tui_model *m) { ((bare_target *)self)->model = m; }

static void bare_destroy(void *self)
{
    bare_target *bt = self;
    if (!bt)
        return;
    machine_free(bt->mach);
    free(bt);
}

const tui_target_ops tui_bare_target_ops = {
    .kind = "bare machine",
    .machine = bare_machine, .run = bare_run,
    .vm_count = bare_vm_count, .vm_info = bare_vm_info, .current_vm = bare_current_vm,
    .save = bare_save, .restore = bare_restore, .snap_free = bare_snap_free,
    .snap_size = bare_snap_size, .attach = bare_attach, .destroy = bare_destroy,
    .save_file = bare_save_file,
};

