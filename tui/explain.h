/*
 * explain.h -- the words of the terminal UI, in English and Spanish: the
 * explanation of a trap or VM exit (why it happened, what the hypervisor
 * did, and the sentence of the course notes it illustrates), and the labels
 * of the screen.  No curses: tests check the text directly.
 */
#ifndef TRAPLAB_TUI_EXPLAIN_H
#define TRAPLAB_TUI_EXPLAIN_H

#include <stddef.h>

#include "tui/model.h"

/*
 * Writes the explanation of e into buf as lines separated by '\n': a
 * headline, "Why", "What happened" and "Course notes".  Returns buf.
 */
char *tui_explain(const tui_event *e, tui_lang lang, char *buf, size_t n);

/* The screen's labels. */
#define TUI_TEXTS(X) \
    X(REGISTERS,   "Registers",        "Registros") \
    X(BARE,        "bare machine",     "sin hipervisor") \
    X(VCPU,        "Virtual CPU",      "CPU virtual") \
    X(REAL_CPU,    "real CPU",         "CPU real") \
    X(REAL_CPU_IDLE, "Real CPU: VMM, not started", "CPU real: VMM, sin empezar") \
    X(CODE,        "Code",             "Código") \
    X(MEMORY,      "Memory",           "Memoria") \
    X(VIRTUAL,     "virtual",          "virtual") \
    X(PHYSICAL,    "physical",         "física") \
    X(GUEST_PHYSICAL, "guest-physical", "física del invitado") \
    X(LOG,         "Traps and exits",  "Trampas y salidas") \
    X(VMS,         "VMs",              "VMs") \
    X(STATS,       "Statistics",       "Estadísticas") \
    X(EXPLAIN,     "Explanation",      "Explicación") \
    X(CONSOLE,     "Console",          "Consola") \
    X(TASKS,       "Tasks",            "Tareas") \
    X(RING,        "RING",             "ANILLO") \
    X(NO_TRAPS,    "No traps yet: press t to run to the next one.", \
                   "Aún no hay trampas: pulsa t para ir a la siguiente.") \
    X(NO_VMS,      "Bare machine: no hypervisor, no VMs.", \
                   "Máquina sin hipervisor: no hay VMs.") \
    X(HELP,        "Help",             "Ayuda") \
    X(GOTO_PROMPT, "Go to (symbol or address): ", "Ir a (símbolo o dirección): ") \
    X(SAVE_PROMPT, "Save a snapshot to: ", "Guardar una instantánea en: ") \
    X(TOO_SMALL,   "Terminal too small: 80x24 at least.", \
                   "Terminal demasiado pequeña: mínimo 80x24.") \
    X(UNMAPPED,    "(not mapped)",     "(no mapeada)") \
    X(INSNS,       "instructions",     "instrucciones") \
    X(CYCLES,      "cycles",           "ciclos") \
    X(TRAPS,       "traps",            "trampas") \
    X(HELP_CLOSE,  "Press any key to close.", "Pulsa una tecla para cerrar.") \
    X(SCROLL_CLOSE, "Arrows/PgUp/PgDn scroll; any other key closes.", \
                   "Flechas/RePag/AvPag desplazan; otra tecla cierra.")

typedef enum {
#define X(id, en, es) TUI_TXT_##id,
    TUI_TEXTS(X)
#undef X
    TUI_TXT_COUNT
} tui_text_id;

const char *tui_text(tui_lang lang, tui_text_id id);

#endif
