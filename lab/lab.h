/*
 * lab.h -- the lab engine: loads a lab (lab.lua) in the sandbox, grades a
 * submission against it, and grades whole classes in isolated children.
 * The command line (cli/cmd_lab.c) and the tests build on this.
 */
#ifndef TRAPLAB_LAB_H
#define TRAPLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lab/limits.h"

/* One question or check, as graded (or described, before grading). */
typedef struct {
    char *id;
    char *kind;            /* "question" or "check" */
    char *title;           /* the question text or the check's title */
    double points, max;
    bool passed;
    char *message;         /* why it failed; for a description, the choices */
    char **hints;
    size_t nhints;
    unsigned attempts;     /* failed attempts so far (filled by the caller that tracks them) */
} lab_item;

typedef struct {
    char *id;              /* the lab's folder name, "01-rings" */
    char *title;
    int minutes;
    uint64_t seed;
    char *student;         /* "" when none */
    lab_item *items;
    size_t nitems;
    char **tasks;          /* from a description only */
    size_t ntasks;
    double total, max;
    char *fatal;           /* non-NULL: the submission scores zero, and this is why */
    char *scenario;        /* describe with want_scenario: assembly source to open, or NULL;
                              under a hypervisor (scenario_vms > 0), the guest kernel */
    char *scenario_name;   /* its file name, e.g. "lab01.s" */
    unsigned scenario_vms; /* 0: the bare machine; else VMs under the hypervisor */
    char *scenario_program;       /* hypervisor: the workload each VM runs */
    char *scenario_program_name;
    char *scenario_host;          /* hypervisor: "type1", "type2" or "type2-user" */
    char *scenario_design;        /* hypervisor: "full", "para", ... (vmm_parse_design) */
    char *scenario_profile;       /* hypervisor: "strict" or "legacy" */
    /* hypervisor: VM i's own guest kernel (vm_guests[i] in the scenario), or NULL */
    char *scenario_vm_guest[16];
    char *scenario_vm_guest_name[16];
    char *key;             /* describe with want_key: the expected answers as an answers file */
} lab_report;

typedef struct {
    const char *lab_dir;         /* folder with lab.lua */
    const char *submission_dir;  /* NULL: no submission (describe) */
    uint64_t seed;
    const char *student;         /* may be NULL */
    lab_limits limits;
    bool want_scenario;          /* describe: also build the lab's scenario (lab run) */
    bool want_key;               /* describe: also the answer key (lab show --key) */
} lab_request;

void lab_report_free(lab_report *r);

/* A stable 64-bit hash of a student id (FNV-1a): the seed of their lab. */
uint64_t lab_seed_from_student(const char *student);

/*
 * Grades in this process.  Returns false only when the lab itself is broken
 * (message in err); a bad submission is a report with fatal set.
 */
bool lab_grade(const lab_request *rq, lab_report *out, char *err, size_t errlen);
/* Loads the lab and lists its tasks and items with this seed's parameters;
 * with want_scenario, also the program the lab opens in the terminal UI
 * (built from the submission folder when one is given). */
bool lab_describe(const lab_request *rq, lab_report *out, char *err, size_t errlen);

/* ---- isolation ----------------------------------------------------------- */
typedef struct {
    unsigned cpu_seconds;    /* RLIMIT_CPU of each child: the last resort for a whole submission */
    unsigned item_cpu_seconds;   /* each question and check, in a child of its own (0: no limit) */
    unsigned wall_ms;        /* watchdog: SIGKILL after this */
    size_t memory_bytes;     /* RLIMIT_AS of each child (skipped under ASan) */
    bool keep_stderr;        /* let the lab's print() through (lab check), else /dev/null */
} lab_jail;

void lab_default_jail(lab_jail *j);

/*
 * Grades n submissions, each in a forked child under the jail, at most
 * jobs at a time.  A child that crashes, hangs or exceeds a limit yields a
 * report with fatal set and zero points; the run always completes.
 * reports[i] belongs to rq[i].  Returns false only when the lab is broken
 * (every child said so); err then holds the message.
 */
bool lab_grade_many(const lab_request *rq, size_t n, unsigned jobs, const lab_jail *jail,
                    lab_report *reports, char *err, size_t errlen);

/* ---- output ---------------------------------------------------------------- */
/*
 * The words of the reports below, English unless the caller translates them
 * (the CLI does, for --lang es): msg() gets one of report.c's fixed texts or
 * printf formats, line() a line the engine composed and the report passes on
 * ("wrong answer", "CPU time limit exceeded (...)", a fatal reason) and may
 * write its translation into buf.  An item's message goes through line()
 * whoever wrote it, so a check's own message comes back as the lab wrote it;
 * titles and hints are the lab's and are never passed.  NULL restores English.
 */
typedef struct {
    const char *(*msg)(const char *msgid);
    const char *(*line)(const char *text, char *buf, size_t n);
} lab_words;
void lab_set_words(const lab_words *w);

/* Text report: one line per item, the next hint of failed ones, the total. */
void lab_write_text(FILE *out, const lab_report *r);
void lab_write_json(FILE *out, const lab_report *r);
/* One CSV row: student,seed,points,max,percent,status,reason */
void lab_write_csv_header(FILE *out);
void lab_write_csv_row(FILE *out, const lab_report *r);
/*
 * The grade-book imports of two learning-management systems (docs/grading.md
 * cites their formats): Canvas's Grades > Import (Student, ID, SIS User ID,
 * SIS Login ID, Section, then the assignment's column; the student id goes in
 * Student and SIS Login ID; a "Points Possible" row with max under the
 * assignment) and Moodle's Import > CSV file (Username and ID number, both the
 * student id, to map from; the points; the reason as feedback).  assignment
 * names the grade column.
 */
typedef enum { LAB_LMS_CANVAS, LAB_LMS_MOODLE } lab_lms;
void lab_write_lms_header(FILE *out, lab_lms lms, const char *assignment, double max);
/* The column name Canvas's importer takes for one of its totals and drops
 * (docs/grading.md), or NULL when name is a column Canvas imports. */
const char *lab_canvas_dropped(const char *name);
void lab_write_lms_row(FILE *out, lab_lms lms, const lab_report *r);

/* Gradescope's autograder results.json for one submission (docs/grading.md). */
void lab_write_gradescope(FILE *out, const lab_report *r);
/* JUnit XML for CI-based courses: one testsuite per submission, one testcase per item. */
void lab_write_junit(FILE *out, const lab_report *reps, size_t n);

/* Serialization between a grading child and its parent. */
char *lab_report_serialize(const lab_report *r, size_t *len);
bool lab_report_deserialize(const char *buf, size_t len, lab_report *r);

/* Where traplab.guest looks for NAME.s (default "guest"; the CLI sets the folder `traplab vm` uses). */
void lab_api_set_guest_dir(const char *dir);

#endif
