/*
 * lab_tasks.h -- the text of the terminal UI's Tasks pane for
 * `traplab lab run`: a lab's tasks, questions and handout, in one language.
 */
#ifndef TRAPLAB_CLI_LAB_TASKS_H
#define TRAPLAB_CLI_LAB_TASKS_H

#include <stdbool.h>
#include <stdint.h>

#include "lab/lab.h"

/*
 * "# Title" (from the handout README.es.md / README.en.md in lab_dir when
 * there is one, else the lab's own), the student and seed, the lab's tasks
 * with the student's numbers, the handout's Tasks section (reflowed), and the
 * questions and checks.  Malloc'd; NULL when out of memory.
 */
char *cli_lab_tasks_text(const lab_report *r, const char *lab_dir, bool spanish,
                         const char *student, uint64_t seed);

/* The handout's "# " title in that language; false when there is none. */
bool cli_lab_handout_title(const char *lab_dir, bool spanish, char *buf, size_t n);

#endif
