/*
 * model.h -- the terminal UI's model: everything the screen shows, and every
 * key's action as a plain function over it.  No curses here: unit tests
 * drive the actions directly, and the view (view.c) only reads the model.
 *
 * The model runs a "target": the bare machine with a loaded image, or (from
 * the hypervisor) a VMM with its VMs.  A target is a small table of
 * operations, so the hypervisor plugs in as one more target.  Every trap or
 * VM exit reaches the model as a tui_event, which goes into the log.
 *
 * Stepping backwards uses determinism: the model keeps checkpoints of the
 * whole target every K instructions (within a memory budget) and replays
 * forward from the nearest one.  Console output and device state come back
 * with the checkpoint, so nothing has to be undone by hand.
 */
#ifndef TRAPLAB_TUI_MODEL_H
#define TRAPLAB_TUI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "image/image.h"
#include "machine/machine.h"

struct tui_model;

typedef enum { TUI_LANG_EN, TUI_LANG_ES, TUI_LANG_COUNT } tui_lang;

/* Reaction flags an action returns (as in htop). */
typedef enum {
    TUI_OK = 0,
    TUI_REDRAW = 1 << 0,     /* the model changed: draw it again */
    TUI_RESIZE = 1 << 1,     /* the layout must be recomputed */
    TUI_QUIT = 1 << 2,       /* leave the UI */
} tui_reaction;

/* Who handled a trap or an exit. */
#define TUI_HANDLERS(X) \
    X(HARDWARE,  "hardware",   "hardware") \
    X(EMULATE,   "VMM emul.",  "VMM emula") \
    X(REFLECT,   "reflected",  "reflejada") \
    X(HOST,      "host OS",    "SO anfitr.") \
    X(HYPERCALL, "hypercall",  "hiperllam.") \
    X(SHADOW,    "VMM shadow", "VMM sombra") \
    X(SCHEDULER, "VMM sched.", "VMM planif") \
    X(FATAL,     "nobody",     "nadie")

typedef enum {
#define X(name, en, es) TUI_HANDLER_##name,
    TUI_HANDLERS(X)
#undef X
    TUI_HANDLER_COUNT
} tui_handler;

const char *tui_handler_name(tui_handler h, tui_lang lang);

/* What an event is: a trap on the bare machine, or one of the VMM's events. */
#define TUI_EVENT_KINDS(X) \
    X(TRAP,      "trap",   "trampa") \
    X(EXIT,      "exit",   "salida") \
    X(STEP,      "step",   "paso") \
    X(INJECT,    "inject", "inyecta") \
    X(SWITCH,    "switch", "cambio") \
    X(VIOLATION, "violat.", "violac.") \
    X(VM_STOP,   "vm stop", "fin VM")

typedef enum {
#define X(name, en, es) TUI_EV_##name,
    TUI_EVENT_KINDS(X)
#undef X
    TUI_EV_COUNT
} tui_event_kind;

const char *tui_event_kind_name(tui_event_kind k, tui_lang lang);

/* One trap or VM exit, as the log shows it. */
typedef struct {
    tui_event_kind kind;
    uint32_t cause;          /* CAUSE_* | access << 8 */
    uint32_t pc;             /* where it happened (guest-virtual) */
    uint32_t insn;           /* the instruction word (0 for interrupts) */
    uint32_t addr;           /* fault address or interrupt line */
    uint8_t ring_from, ring_to;      /* real rings */
    uint8_t vring_from, vring_to;    /* the guest's virtual rings (vm >= 0) */
    tui_handler handler;
    int vm;                  /* VM index, -1 on the bare machine */
    uint64_t cycles;         /* cycles charged for handling it */
    uint64_t at_cycle;       /* machine cycle counter when it happened */
    uint64_t instret, traps; /* machine position right after it (for R) */
    char what[96];           /* the VMM's one-line summary, "" on the bare machine */
    uint8_t host_type;       /* 0 bare machine, 1 or 2: the hypervisor's hosting type */
    bool para;               /* a paravirtualized guest (it knows it is virtualized) */
    uint8_t exit_reason;     /* --design hw: the VM exit reason (EXIT_*), 0 otherwise */
} tui_event;

/* A bar of the statistics pane: value out of total. */
typedef struct {
    const char *label;
    uint64_t value, total;
} tui_bar;

/* A VM as the VMs pane shows it. */
typedef struct {
    char name[16];
    char state[16];          /* "running", "ready", "halted", ... */
    cpu_state vcpu;          /* the virtual CPU (ring from its virtual status) */
    uint64_t exits, emulated, reflected, hypercalls, cycles;
} tui_vm_info;

/* A target: what the model runs.  Every function gets the target's self. */
typedef struct {
    const char *kind;                                   /* "bare machine" */
    const char *(*kind_of)(void *self);                 /* optional, e.g. "Type-2 VMM" */
    machine *(*machine)(void *self);                    /* the real machine */
    machine_stop (*run)(void *self, uint64_t max_insns);
    unsigned (*vm_count)(void *self);                   /* 0 on the bare machine */
    void (*vm_info)(void *self, unsigned vm, tui_vm_info *out);
    int (*current_vm)(void *self);                      /* on the CPU now; -1 = none */
    void *(*save)(void *self);                          /* NULL when out of memory */
    void (*restore)(void *self, const void *snap);
    void (*snap_free)(void *snap);
    size_t (*snap_size)(void *self);                    /* bytes one snapshot takes */
    /* Optional (NULL): symbols and lines of what VM vm runs (else the model's image),
     * the console of VM vm (else the machine's), the statistics bars. */
    const image *(*image)(void *self, int vm);
    const char *(*console)(void *self, int vm, size_t *len);
    size_t (*bars)(void *self, tui_bar *out, size_t max);
    bool (*read_guest_phys)(void *self, int vm, uint32_t gpa, void *buf, size_t n);
    /* Optional: the real physical address of VM vm's guest-physical gpa (watchpoints). */
    bool (*gpa_to_pa)(void *self, int vm, uint32_t gpa, uint32_t *pa);
    /* Optional: writes the target's state to f as a snapshot file (save, w); false
     * with a message.  Reading one back is the command line's (--restore). */
    bool (*save_file)(void *self, FILE *f, char *err, size_t errlen);
    void (*attach)(void *self, struct tui_model *m);    /* where to send events */
    void (*destroy)(void *self);
} tui_target_ops;

typedef struct {
    uint64_t instret, traps;
    void *snap;
} tui_checkpoint;

/* The memory pane reads through the current address space, real physical
 * memory, or (under a VMM) the selected VM's guest-physical memory. */
typedef enum { TUI_MEM_VIRTUAL, TUI_MEM_PHYSICAL, TUI_MEM_GUEST_PHYSICAL } tui_mem_mode;

typedef struct {
    char *path;
    char **lines;            /* NULL when the file could not be read */
    size_t nlines;
} tui_source;

#define TUI_MAX_SOURCES 32

/* ---- the debugger: breakpoints, watchpoints, catchpoints, edits ---------- */
typedef enum {
    TUI_BP_CODE,             /* break SYM|ADDR [if EXPR]: the pc reaches addr */
    TUI_BP_WATCH,            /* watch ADDR [read|write]: an instruction accesses addr */
    TUI_BP_TRAP,             /* break trap CAUSE: the CPU takes a trap (under the VMM: any exit too) */
    TUI_BP_EXIT,             /* break exit CAUSE: a VM exit */
} tui_bp_kind;

#define TUI_WATCH_READ  1u
#define TUI_WATCH_WRITE 2u
#define TUI_CAUSE_ANY   0xffffffffu

typedef struct {
    unsigned id;             /* the number info breakpoints shows and delete takes */
    tui_bp_kind kind;
    uint32_t addr;           /* code: the pc; watch: the word watched */
    tui_mem_mode space;      /* watch: virtual, physical or guest-physical (of vm) */
    int vm;
    unsigned access;         /* watch: TUI_WATCH_READ | TUI_WATCH_WRITE */
    uint32_t cause;          /* trap, exit: the cause code, or TUI_CAUSE_ANY */
    char *cond;              /* "if EXPR": NULL when none */
    uint64_t hits;
} tui_bp;

/* A register or memory edit (set), replayed at its position so that going
 * back and forth keeps it, and undone by going back past it. */
typedef enum { TUI_EDIT_REG, TUI_EDIT_CR, TUI_EDIT_PC, TUI_EDIT_MEM } tui_edit_kind;
typedef struct {
    uint64_t instret, traps; /* where it was made */
    tui_edit_kind kind;
    uint32_t index;          /* register, control register, or the physical address */
    uint32_t value;
} tui_edit;

#define TUI_HISTORY_MAX 64

/* What the panes showed after a forward action at a position (going back
 * to it shows the same screen). */
typedef struct {
    uint64_t instret, traps, log_dropped;
    size_t sel;
    cpu_state prev_cpu, prev_vcpu;
    int sel_vm;
} tui_view_state;
#define TUI_VIEW_STATES 256

#define TUI_LOG_MAX 4096     /* older events are dropped (counted in log_dropped) */
#define TUI_STATUS_LEN 200

typedef struct tui_model {
    const tui_target_ops *ops;
    void *target;
    image img;               /* symbols and lines; empty when unknown */
    tui_source srcs[TUI_MAX_SOURCES];   /* source files, read on first use */
    size_t nsrcs;
    tui_lang lang;

    /* breakpoints, watchpoints and catchpoints; code breakpoints (virtual
     * PCs) are installed in the machine only while running */
    tui_bp *bps;
    size_t nbps, bps_cap;
    unsigned next_bp_id;
    unsigned hit_bp;         /* the one the last run stopped at; 0 = none */
    char hit_what[160];      /* what it saw (a watchpoint's old and new value) */
    bool catching;           /* a run with breakpoints: catchpoints are live */
    tui_edit *edits;         /* sorted by position */
    size_t nedits, edits_cap;
    char *output;            /* a command's output of several lines (a box shows it); NULL = none */
    char *history[TUI_HISTORY_MAX];   /* the command line's, oldest first */
    size_t nhistory;
    int source_depth;        /* source FILE nesting */
    bool cmd_failed;         /* the last command was an error */
    tui_view_state vstate[TUI_VIEW_STATES];   /* a ring, oldest at vstate_head */
    size_t vstate_head, nvstate;

    /* the trap / exit log */
    tui_event *log;
    size_t nlog;
    uint64_t log_dropped;
    size_t sel;              /* selected entry; meaningless when nlog == 0 */

    cpu_state prev_cpu;      /* before the last action, to highlight changes */
    cpu_state prev_vcpu;
    int sel_vm;              /* VM whose virtual CPU is shown; -1 = none */
    int last_cur_vm;         /* the VM on the CPU after the last action */

    uint32_t cursor;         /* disassembly cursor */
    bool cursor_follow;      /* the cursor follows the PC */
    uint32_t mem_addr;
    bool mem_follow;         /* the memory pane follows the PC until moved */
    tui_mem_mode mem_mode;   /* how the memory pane reads */

    bool running;            /* a continue is in progress (view polls keys) */
    machine_stop last_stop;
    uint64_t run_budget;     /* instructions t and n may run before giving up */

    tui_checkpoint *ck;      /* sorted by instret; ck[0] is the start */
    size_t nck, ck_max;
    uint64_t ck_every;       /* K: a checkpoint every K instructions */
    bool stop_on_event;      /* t: a violation (no trap, but the lesson) stops the run too */
    bool replaying;          /* events are not logged while replaying */

    /* A lab's tasks (traplab lab run, or tui --tasks FILE), shown in the Tasks pane. */
    char *tasks_title;       /* the text's "# Title" line; NULL when there are no tasks */
    char *tasks;             /* the rest, word-wrapped by the pane */
    bool tasks_shown;
    size_t tasks_top;        /* first wrapped row the pane shows */

    char status[TUI_STATUS_LEN];   /* the message line */
} tui_model;

/* ---- lifetime ------------------------------------------------------- */
/* Takes ownership of target (destroyed by tui_model_free) and of *img
 * (moved; may be NULL).  ck_budget: bytes the checkpoints may use (0 = 256 MiB).
 * NULL when out of memory. */
tui_model *tui_model_new(const tui_target_ops *ops, void *target, image *img,
                         tui_lang lang, size_t ck_budget);
void tui_model_free(tui_model *m);

/* The bare-machine target: a machine (taking ownership) with an image loaded. */
void *tui_bare_target_new(machine *mach);
extern const tui_target_ops tui_bare_target_ops;

/* Loads an image's segments into physical memory and sets the PC to its
 * entry; false with a message when a segment does not fit. */
bool tui_load_image(machine *mach, const image *img, char *err, size_t errlen);
/* Assembles a .s file or reads an image (by content, not by name). */
bool tui_open_program(const char *path, image *img, char *err, size_t errlen);

/* The target calls this for every trap or exit it sees. */
void tui_model_record(tui_model *m, const tui_event *e);

/* Language: from "es"/"en" (false when neither), or from the environment
 * (LC_ALL, LC_MESSAGES, LANG: "es..." means Spanish; anything else English). */
bool tui_parse_lang(const char *s, tui_lang *out);
tui_lang tui_lang_from_env(void);

/* The Tasks pane.  The text is UTF-8 (as the handouts are); a first line
 * "# Title" is the title shown on top, the rest scrolls below it.  Shows the
 * pane.  False with a message when the text is not text (NUL bytes, bad UTF-8)
 * or too long. */
#define TUI_TASKS_MAX (256u << 10)
bool tui_model_set_tasks(tui_model *m, const char *text, size_t len, char *err, size_t errlen);
bool tui_model_load_tasks(tui_model *m, const char *path, char *err, size_t errlen);

/* A row of wrapped text: indent blank columns, then a byte range of the text. */
typedef struct {
    size_t off, len;
    int indent;
} tui_span;

/* Word-wraps text into rows of at most width characters (a UTF-8 sequence is
 * one character; '\n' ends a row).  A line's continuation rows line up under
 * its text, after its indentation and a list marker ("1. ", "- ").  Fills at
 * most max rows and returns how many there are in all. */
size_t tui_wrap(const char *text, int width, tui_span *rows, size_t max);

/* ---- queries (for the view and the tests) ------------------------------ */
machine *tui_model_machine(const tui_model *m);
const char *tui_model_kind(const tui_model *m);
uint32_t tui_model_pc(const tui_model *m);
bool tui_model_has_breakpoint(const tui_model *m, uint32_t pc);
const tui_event *tui_model_selected(const tui_model *m);    /* NULL when the log is empty */
/* isa_disassemble with the registers by their aliases (sp, lr, a0, ...),
 * as the register panes name them. */
char *tui_disassemble(uint32_t word, uint32_t pc, char *buf, size_t n, isa_symbolizer sym, void *ud);

/* n in at most 4 characters, so that counters fit an 80-column pane:
 * "1234", "34k", "1.2M", "20M", "3.4G". */
const char *tui_fmt_count(uint64_t n, char *buf, size_t len);

/* "main+0x8" for addr, or "" when no symbol precedes it. */
const char *tui_model_symbolize(const tui_model *m, uint32_t addr, char *buf, size_t n);
/* The image that names the code running now (the current VM's, under a VMM). */
const image *tui_model_image(const tui_model *m);
/* The console output shown (the selected VM's, under a VMM). */
const char *tui_model_console(const tui_model *m, size_t *len);
/* The source text of addr ("file:line" in *where), or NULL. */
const char *tui_model_source(tui_model *m, uint32_t addr, char *where, size_t n);
/* The pc the code pane shows and how it reads the code there: the real
 * CPU's, except under a VMM before any VM ran (then the selected VM's). */
uint32_t tui_model_code_pc(const tui_model *m);
bool tui_model_read_code(const tui_model *m, uint32_t addr, void *buf, size_t n);
/* Reads n bytes at addr as the memory pane does (m->mem_mode); false where unmapped. */
bool tui_model_read_mem(const tui_model *m, uint32_t addr, void *buf, size_t n);
/* Bytes the checkpoints hold now. */
size_t tui_model_checkpoint_bytes(const tui_model *m);

/* ---- actions: one per key ---------------------------------------------- */
tui_reaction tui_action_step(tui_model *m);
tui_reaction tui_action_next(tui_model *m);
tui_reaction tui_action_run_to_trap(tui_model *m);
/* Runs at most budget instructions; m->running stays true while more remain. */
tui_reaction tui_action_continue(tui_model *m, uint64_t budget);
tui_reaction tui_action_stop(tui_model *m);
tui_reaction tui_action_toggle_breakpoint(tui_model *m);   /* at the cursor */
tui_reaction tui_action_back_step(tui_model *m);
tui_reaction tui_action_back_to_previous_trap(tui_model *m);
tui_reaction tui_action_next_vm(tui_model *m);
tui_reaction tui_action_goto(tui_model *m, const char *where);
tui_reaction tui_action_log_select(tui_model *m, long delta);   /* move the selection */
tui_reaction tui_action_cursor_move(tui_model *m, long insns);   /* move the disassembly cursor */
tui_reaction tui_action_cursor_to_pc(tui_model *m);
tui_reaction tui_action_toggle_mem_mode(tui_model *m);
tui_reaction tui_action_mem_scroll(tui_model *m, long bytes);
tui_reaction tui_action_toggle_lang(tui_model *m);
tui_reaction tui_action_quit(tui_model *m);
/* Shows or hides the Tasks pane (a message when there are no tasks). */
tui_reaction tui_action_toggle_tasks(tui_model *m);
/* Scrolls the tasks by rows, for a pane of width x height text cells. */
tui_reaction tui_action_tasks_scroll(tui_model *m, long rows, int width, int height);

/* ---- the debugger's command line (tui/command.c, tui/breakpoint.c) ------------- */
/* Runs one command line (':' in the UI): break, tbreak-free gdb and SIMH
 * spellings, see docs/tui.md.  The result goes to the status line, and a
 * longer one to m->output.  Empty or '#' lines do nothing. */
tui_reaction tui_command(tui_model *m, const char *line);
/* Runs the commands of a file, one a line; stops at the first error
 * ("FILE:LINE: ..." in the status line).  False on an error. */
bool tui_command_source(tui_model *m, const char *path);
/* Tab: completes the command line in place (a command word, a subcommand,
 * a symbol, a register, a cause); returns how many candidates there were,
 * and lists them in list when there are several. */
size_t tui_command_complete(const tui_model *m, char *line, size_t n, char *list, size_t listlen);
/* The history: adds a line (not a repeat of the last); entry i from the newest (0). */
void tui_history_add(tui_model *m, const char *line);
const char *tui_history_get(const tui_model *m, size_t back);
/* C: back to the last position before this one where a breakpoint,
 * watchpoint or catchpoint would have stopped a forward run. */
tui_reaction tui_action_reverse_continue(tui_model *m);
/* w: saves a snapshot file (with the target's save_file). */
tui_reaction tui_action_save(tui_model *m, const char *path);
/* Expressions (break ... if, set, examine): C operators over numbers, registers
 * (a0, $sp, r5), pc, control registers, vm (the VM on the CPU, -1 none),
 * symbols and *ADDR (the word at ADDR).  False with a message. */
bool tui_eval(const tui_model *m, const char *expr, uint32_t *out, char *err, size_t errlen);
/* Breakpoints: add one (returns its id, 0 with a message in the status line), delete by id. */
unsigned tui_bp_add(tui_model *m, const tui_bp *b);
bool tui_bp_delete(tui_model *m, unsigned id);
const tui_bp *tui_bp_find_code(const tui_model *m, uint32_t pc);

#endif
