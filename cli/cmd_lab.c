/*
 * cmd_lab.c -- `traplab lab`: list the labs, show one with a student's
 * numbers, check one submission (with hints that unlock one at a time),
 * and grade a whole class in parallel into a CSV for the LMS.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/lab_tasks.h"
#include "cli/lang.h"
#include "lab/lab.h"
#include "util/json.h"
#include "tui/model.h"


/* Joins a and b with a slash; false (and an empty out) when it does not fit. */
static bool join(char *out, size_t n, const char *a, const char *b)
{
    int k = snprintf(out, n, "%s/%s", a, b);
    if (k < 0 || (size_t)k >= n) {
        out[0] = '\0';
        return false;
    }
    return true;
}

static void copy(char *out, size_t n, const char *s)
{
    if (snprintf(out, n, "%s", s) >= (int)n)
        out[n - 1] = '\0';
}

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_lab(const char *dir)
{
    char p[PATH_MAX];
    struct stat st;
    return join(p, sizeof p, dir, "lab.lua") && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* lab.lua is there but is not a regular file (a directory, a FIFO...): say so rather than "no lab". */
static bool bad_lab_lua(const char *dir, const char *cmd)
{
    char p[PATH_MAX];
    struct stat st;
    if (!join(p, sizeof p, dir, "lab.lua") || stat(p, &st) != 0 || S_ISREG(st.st_mode))
        return false;
    fprintf(stderr, TR("traplab lab %s: %s is %s, not a file: a lab folder needs a lab.lua script\n"), cmd, p,
            S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
    return true;
}

/* --labs, $TRAPLAB_LABS, then $TRAPLAB_HOME/labs, ./labs, the source tree's or the installed labs. */
static bool find_labs_dir(const char *opt, char *out, size_t n)
{
    if (opt) {
        copy(out, n, opt);
        return is_dir(out);
    }
    const char *env = getenv("TRAPLAB_LABS");
    if (env && *env) {
        copy(out, n, env);
        return is_dir(out);
    }
    return cli_find_data("labs", out, n, is_dir);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int not_hidden(const struct dirent *d) { return d->d_name[0] != '.'; }

/* LAB is a folder with lab.lua, a name under the labs folder, or a unique prefix of one. */
static bool find_lab(const char *labs_opt, const char *name, char *out, size_t n, const char *cmd)
{
    if (strchr(name, '/') && has_lab(name)) {
        copy(out, n, name);
        return true;
    }
    if (strchr(name, '/') && bad_lab_lua(name, cmd))
        return false;
    char labs[PATH_MAX];
    if (!find_labs_dir(labs_opt, labs, sizeof labs)) {
        if (has_lab(name)) {
            copy(out, n, name);
            return true;
        }
        fprintf(stderr, TR("traplab lab %s: no labs folder (use --labs DIR or set TRAPLAB_LABS or TRAPLAB_HOME)\n"), cmd);
        return false;
    }
    if (join(out, n, labs, name) && has_lab(out))
        return true;
    if (join(out, n, labs, name) && bad_lab_lua(out, cmd))
        return false;
    struct dirent **ents;
    int ne = scandir(labs, &ents, not_hidden, by_name);
    int found = 0;
    for (int i = 0; i < ne; i++) {
        if (strncmp(ents[i]->d_name, name, strlen(name)) == 0) {
            char cand[PATH_MAX];
            if (join(cand, sizeof cand, labs, ents[i]->d_name) && has_lab(cand)) {
                if (!found++)
                    copy(out, n, cand);
            }
        }
        free(ents[i]);
    }
    if (ne >= 0)
        free(ents);
    if (found == 1)
        return true;
    fprintf(stderr, TR("traplab lab %s: %s lab '%s' in %s (see 'traplab lab list')\n"), cmd,
            found ? TR("more than one") : TR("no"), name, labs);
    return false;
}

/* ---- options shared by the subcommands ---------------------------------------------- */
typedef struct {
    const char *labs, *submission, *submissions, *csv, *student, *lang;
    const char *gradescope, *junit, *output;
    const char *canvas, *moodle, *assignment;   /* grade: the LMS imports, the grade column's name */
    uint64_t seed;
    bool have_seed, json, record, key;
    unsigned jobs, timeout;
    unsigned shard, nshards;     /* --shard K/N: grade submissions K, K+N, K+2N, ... (1-based) */
} lab_opts;

enum { OPT_LABS = 1000, OPT_STUDENT, OPT_NO_RECORD, OPT_TIMEOUT, OPT_LANG, OPT_GRADESCOPE, OPT_JUNIT, OPT_SHARD,
       OPT_KEY, OPT_CANVAS, OPT_MOODLE, OPT_ASSIGNMENT };

static int parse_opts(int argc, char **argv, const char *cmd, lab_opts *o, void (*help)(FILE *))
{
    static const struct option longs[] = {
        { "labs", required_argument, NULL, OPT_LABS },
        { "submission", required_argument, NULL, 's' },
        { "submissions", required_argument, NULL, 'S' },
        { "seed", required_argument, NULL, 'r' },
        { "student", required_argument, NULL, OPT_STUDENT },
        { "json", no_argument, NULL, 'J' },
        { "csv", required_argument, NULL, 'c' },
        { "jobs", required_argument, NULL, 'j' },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "no-record", no_argument, NULL, OPT_NO_RECORD },
        { "key", no_argument, NULL, OPT_KEY },
        { "lang", required_argument, NULL, OPT_LANG },
        { "gradescope", required_argument, NULL, OPT_GRADESCOPE },
        { "junit", required_argument, NULL, OPT_JUNIT },
        { "canvas", required_argument, NULL, OPT_CANVAS },
        { "moodle", required_argument, NULL, OPT_MOODLE },
        { "assignment", required_argument, NULL, OPT_ASSIGNMENT },
        { "shard", required_argument, NULL, OPT_SHARD },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof *o);
    o->record = true;
    optind = 1;
    opterr = 0;
    int c;
    uint32_t v;
    while ((c = getopt_long(argc, argv, ":s:j:o:h", longs, NULL)) != -1) {
        switch (c) {
        case OPT_LABS: o->labs = optarg; break;
        case 's': o->submission = optarg; break;
        case 'S': o->submissions = optarg; break;
        case 'r':
            if (!cli_parse_u64(optarg, &o->seed))
                return cli_usage_error(cmd, TR("--seed wants a number, not '%s'"), optarg);
            o->have_seed = true;
            break;
        case OPT_STUDENT: o->student = optarg; break;
        case 'J': o->json = true; break;
        case 'c': o->csv = optarg; break;
        case 'j':
            if (!cli_parse_u32(optarg, &v) || v == 0 || v > 256)
                return cli_usage_error(cmd, TR("--jobs wants 1..256, not '%s'"), optarg);
            o->jobs = v;
            break;
        case OPT_TIMEOUT:
            if (!cli_parse_u32(optarg, &v) || v == 0 || v > 3600)
                return cli_usage_error(cmd, TR("--timeout wants seconds 1..3600, not '%s'"), optarg);
            o->timeout = v;
            break;
        case OPT_NO_RECORD: o->record = false; break;
        case OPT_KEY: o->key = true; break;
        case OPT_LANG:
            if (!cli_set_lang_name(optarg))
                return cli_usage_error(cmd, TR("unknown language '%s' (es or en)"), optarg);
            o->lang = optarg;
            break;
        case OPT_GRADESCOPE: o->gradescope = optarg; break;
        case OPT_JUNIT: o->junit = optarg; break;
        case OPT_CANVAS: o->canvas = optarg; break;
        case OPT_MOODLE: o->moodle = optarg; break;
        case OPT_ASSIGNMENT: o->assignment = optarg; break;
        case 'o': o->output = optarg; break;
        case OPT_SHARD: {
            char extra;
            if (sscanf(optarg, "%u/%u%c", &o->shard, &o->nshards, &extra) != 2 || o->nshards == 0 ||
                o->nshards > 10000 || o->shard == 0 || o->shard > o->nshards)
                return cli_usage_error(cmd, TR("--shard wants K/N with 1 <= K <= N, not '%s'"), optarg);
            break;
        }
        case 'h': help(stdout); return -1;
        default:
            return cli_option_error(cmd, c, argv);
        }
    }
    return 0;
}

/* ---- attempts: the state that unlocks hints one failure at a time -------------------- */
/*
 * Kept per student in the user's data folder ($XDG_DATA_HOME/traplab/attempts/
 * STUDENT, else ~/.local/share/...), not in the submission: a fresh copy of
 * the starter, or a deleted file, cannot reset the hints.  Only lab check
 * counts them; lab grade never does.
 */
static bool mkdir_p(const char *path)
{
    char p[PATH_MAX];
    copy(p, sizeof p, path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            return false;
        *s = '/';
    }
    return mkdir(p, 0700) == 0 || errno == EEXIST;
}

static bool attempts_path(const char *student, uint64_t seed, char *out, size_t n, bool create)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    char dir[PATH_MAX];
    if (xdg && *xdg == '/')
        snprintf(dir, sizeof dir, "%s/traplab/attempts", xdg);
    else if (home && *home == '/')
        snprintf(dir, sizeof dir, "%s/.local/share/traplab/attempts", home);
    else
        return false;
    if (create && !mkdir_p(dir))
        return false;
    /* The student id as a file name: letters, digits, . - _ (others become _). */
    char name[128];
    size_t k = 0;
    if (student && *student) {
        for (const char *c = student; *c && k < sizeof name - 1; c++) {
            bool ok = isalnum((unsigned char)*c) || *c == '-' || *c == '_' || (*c == '.' && k > 0);
            name[k] = ok ? *c : '_';
            k++;
        }
        name[k] = '\0';
    } else {
        snprintf(name, sizeof name, "seed-%" PRIu64, seed);
    }
    return (size_t)snprintf(out, n, "%s/%s", dir, name) < n;
}

static void load_attempts(const char *student, uint64_t seed, lab_report *r)
{
    char path[PATH_MAX], line[512], lab[200], item[200];
    unsigned n;
    FILE *f = attempts_path(student, seed, path, sizeof path, false) ? fopen(path, "r") : NULL;
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%199s %199s %u", lab, item, &n) == 3 && strcmp(lab, r->id) == 0)
            for (size_t i = 0; i < r->nitems; i++)
                if (strcmp(r->items[i].id, item) == 0)
                    r->items[i].attempts = n;
    fclose(f);
}

/* Counts this run's failures and rewrites the file (other labs' lines kept). */
static void save_attempts(const char *student, uint64_t seed, lab_report *r)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8], line[512], lab[200];
    if (!attempts_path(student, seed, path, sizeof path, true) ||
        (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return;   /* no data folder: hints then stay at the first */
    for (size_t i = 0; i < r->nitems; i++)
        if (!r->items[i].passed)
            r->items[i].attempts++;
    FILE *out = fopen(tmp, "w");
    if (!out)
        return;
    FILE *in = fopen(path, "r");
    if (in) {
        while (fgets(line, sizeof line, in))
            if (sscanf(line, "%199s", lab) == 1 && strcmp(lab, r->id) != 0)
                fputs(line, out);
        fclose(in);
    }
    for (size_t i = 0; i < r->nitems; i++)
        if (r->items[i].attempts)
            fprintf(out, "%s %s %u\n", r->id, r->items[i].id, r->items[i].attempts);
    if (fclose(out) == 0)
        rename(tmp, path);
    else
        remove(tmp);
}

static const char *dir_base(const char *dir, char *buf, size_t n)
{
    char real[PATH_MAX];
    const char *p = realpath(dir, real) ? real : dir;
    const char *s = strrchr(p, '/');
    copy(buf, n, s && s[1] ? s + 1 : p);
    return buf;
}

/* --seed, else --student, else student.txt in the submission, else the folder's name. */
static void choose_seed(const lab_opts *o, const char *subdir, char *student, size_t n, uint64_t *seed)
{
    student[0] = '\0';
    if (o->student)
        copy(student, n, o->student);
    else if (subdir) {
        char p[PATH_MAX];
        FILE *f = join(p, sizeof p, subdir, "student.txt") ? fopen(p, "r") : NULL;
        if (f) {
            if (fgets(student, (int)n, f))
                student[strcspn(student, "\r\n")] = '\0';
            fclose(f);
        }
        if (!student[0])
            dir_base(subdir, student, n);
    }
    *seed = o->have_seed ? o->seed : student[0] ? lab_seed_from_student(student) : 0;
}

/* --csv FILE, where '-' is stdout; NULL after printing why. */
static FILE *open_out(const char *cmd, const char *path)
{
    if (strcmp(path, "-") == 0)
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        fprintf(stderr, "traplab lab %s: %s: %s\n", cmd, path, strerror(errno));
    return f;
}

static bool close_out(const char *cmd, const char *path, FILE *f)
{
    if ((f == stdout ? fflush(f) : fclose(f)) == 0)
        return true;
    fprintf(stderr, "traplab lab %s: %s: %s\n", cmd, path, strerror(errno));
    return false;
}

static void json_text(FILE *f, const char *s)
{
    s = s ? s : "";
    util_json_string(f, s, strlen(s), false);
}

/* ---- subcommands ---------------------------------------------------------------- */
static void list_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab list [--labs DIR] [--json | --csv FILE]\n\n"
               "Lists the labs with their titles, estimated times and points; --json as a JSON\n"
               "array, --csv FILE ('-' for stdout) as lab,title,minutes,points,status rows.\n"));
}

/* Terminal columns of a UTF-8 string (one per code point: titles have no wide characters). */
static int utf8_columns(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static int lab_list(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab list", &o, list_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    char labs[PATH_MAX];
    if (!find_labs_dir(o.labs, labs, sizeof labs)) {
        fprintf(stderr, TR("traplab lab list: no labs folder (use --labs DIR or set TRAPLAB_LABS or TRAPLAB_HOME)\n"));
        return EXIT_FAIL;
    }
    struct dirent **ents;
    int n = scandir(labs, &ents, not_hidden, by_name);
    if (n < 0) {
        fprintf(stderr, "traplab lab list: %s: %s\n", labs, strerror(errno));
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    FILE *csv = o.csv ? open_out("list", o.csv) : NULL;
    if (o.csv && !csv)
        status = EXIT_FAIL;
    if (csv)
        fputs("lab,title,minutes,points,status\n", csv);
    if (o.json)
        fputs("[", stdout);
    size_t shown = 0;
    /* The text table: one row per lab, the name and title columns as wide as their longest. */
    struct { char *name, *title, *broken; int minutes; double points; } *text =
        o.json || csv ? NULL : calloc((size_t)n + 1, sizeof *text);
    size_t ntext = 0;
    if (!o.json && !csv && !text) {
        fprintf(stderr, TR("traplab lab list: out of memory\n"));
        for (int i = 0; i < n; i++)
            free(ents[i]);
        free(ents);
        return EXIT_FAIL;
    }
    for (int i = 0; i < n; i++) {
        char dir[PATH_MAX], err[2048];
        {
            if (join(dir, sizeof dir, labs, ents[i]->d_name) && has_lab(dir)) {
                lab_request rq = { .lab_dir = dir };
                lab_report r;
                bool ok = lab_describe(&rq, &r, err, sizeof err);
                double pts = 0;
                for (size_t k = 0; ok && k < r.nitems; k++)
                    pts += r.items[k].max;
                if (o.json) {
                    fputs(shown++ ? ",\n {\"lab\": " : "\n {\"lab\": ", stdout);
                    json_text(stdout, ents[i]->d_name);
                    fputs(", \"title\": ", stdout);
                    json_text(stdout, ok ? r.title : "");
                    printf(", \"minutes\": %d, \"points\": %g, \"broken\": ", ok ? r.minutes : 0, pts);
                    if (ok) fputs("null", stdout); else json_text(stdout, err);
                    fputc('}', stdout);
                } else if (csv) {
                    fprintf(csv, "\"%s\",", ents[i]->d_name);
                    fputc('"', csv);
                    for (const char *q = ok ? r.title : ""; *q; q++) {
                        if (*q == '"') fputc('"', csv);
                        fputc(*q == '\n' ? ' ' : *q, csv);
                    }
                    fprintf(csv, "\",%d,%g,%s\n", ok ? r.minutes : 0, pts, ok ? "ok" : "broken");
                } else if (ok && text) {
                    /* Printed below, once the columns' widths are known. */
                    text[ntext].name = strdup(ents[i]->d_name);
                    text[ntext].title = strdup(r.title);
                    text[ntext].minutes = r.minutes;
                    text[ntext++].points = pts;
                } else if (text) {
                    text[ntext].name = strdup(ents[i]->d_name);
                    text[ntext++].broken = strdup(err);
                }
                if (!ok)
                    status = EXIT_FAIL;
                lab_report_free(&r);
            }
        }
        free(ents[i]);
    }
    free(ents);
    int wname = 24, wtitle = 52;
    for (size_t i = 0; i < ntext; i++) {
        if ((int)strlen(text[i].name) > wname) wname = (int)strlen(text[i].name);
        if (text[i].title && utf8_columns(text[i].title) > wtitle) wtitle = utf8_columns(text[i].title);
    }
    for (size_t i = 0; i < ntext; i++) {
        if (text[i].title)
            printf(TR("%-*s %s%*s %3d min  %g points\n"), wname, text[i].name, text[i].title,
                   wtitle - utf8_columns(text[i].title), "", text[i].minutes, text[i].points);
        else
            printf(TR("%-*s (broken: %s)\n"), wname, text[i].name, text[i].broken ? text[i].broken : "?");
        free(text[i].name);
        free(text[i].title);
        free(text[i].broken);
    }
    free(text);
    if (o.json)
        fputs(shown ? "\n]\n" : "]\n", stdout);
    if (csv && !close_out("list", o.csv, csv))
        status = EXIT_FAIL;
    return status;
}

static void show_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab show LAB [--seed N | --student ID] [--submission DIR] [--key]\n\n"
               "Prints the lab's tasks and questions with your own numbers (they depend on the seed,\n"
               "which comes from --seed, --student, student.txt in the submission, or its folder name).\n"
               "--key (for instructors) prints instead the expected answers of the questions, as an\n"
               "answers file, computed by the lab for that seed (e.g. to refresh solution/answers.lua).\n"));
}

static int lab_show(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab show", &o, show_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (optind != argc - 1)
        return cli_usage_error("lab show", TR("expected one LAB"));
    char dir[PATH_MAX], student[256], err[2048];
    if (!find_lab(o.labs, argv[optind], dir, sizeof dir, "show"))
        return EXIT_FAIL;
    lab_request rq = { .lab_dir = dir, .want_key = o.key };
    choose_seed(&o, o.submission ? o.submission : ".", student, sizeof student, &rq.seed);
    rq.student = student;
    lab_report r;
    if (!lab_describe(&rq, &r, err, sizeof err)) {
        fprintf(stderr, "traplab lab show: %s\n", err);
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    if (o.key) {
        fputs(r.key ? r.key : "", stdout);
        lab_report_free(&r);
        return EXIT_OK;
    }
    if (o.lang) {
        /* In the chosen language: the handout's own tasks, as lab run's Tasks pane shows them. */
        tui_lang lang;
        if (!tui_parse_lang(o.lang, &lang)) {
            lab_report_free(&r);
            return cli_usage_error("lab show", TR("unknown language '%s' (es or en)"), o.lang);
        }
        char *text = cli_lab_tasks_text(&r, dir, lang == TUI_LANG_ES, student, rq.seed);
        if (!text) {
            fprintf(stderr, TR("traplab lab show: out of memory\n"));
            lab_report_free(&r);
            return EXIT_FAIL;
        }
        fputs(text, stdout);
        free(text);
        lab_report_free(&r);
        return EXIT_OK;
    }
    printf(TR("# %s (%s, about %d minutes; student %s, seed %llu)\n\n"), r.title, r.id, r.minutes,
           student[0] ? student : "-", (unsigned long long)rq.seed);
    for (size_t i = 0; i < r.ntasks; i++)
        printf(TR("Task %zu. %s\n"), i + 1, r.tasks[i]);
    if (r.ntasks)
        putchar('\n');
    for (size_t i = 0; i < r.nitems; i++) {
        const lab_item *it = &r.items[i];
        printf(TR("[%s] %s (%g points): %s\n"), TR(it->kind), it->id, it->max, it->title);
        if (*it->message)
            printf("%s\n", it->message);
    }
    lab_report_free(&r);
    return EXIT_OK;
}

static void check_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab check LAB [--submission DIR] [--seed N | --student ID] [--json]\n"
               "                           [--csv FILE] [--no-record] [--labs DIR]\n\n"
               "Grades one submission (default: the current folder): each question and check with\n"
               "PASS or FAIL, its points and, for a failure, the next hint (one more unlocks after each\n"
               "failed attempt; attempts are kept per student in $XDG_DATA_HOME/traplab/attempts,\n"
               "else ~/.local/share/traplab/attempts, so a fresh copy of the starter does not reset\n"
               "them; --no-record counts nothing).  --json prints it as one JSON object, --csv FILE\n"
               "('-' for stdout) as the row 'lab grade --csv' writes.  Exit status 0 only at full marks.\n"));
}

static void jail_from(const lab_opts *o, lab_jail *j)
{
    lab_default_jail(j);
    if (o->timeout) {
        j->cpu_seconds = o->timeout;
        j->wall_ms = o->timeout * 2000u;
    }
}

static int lab_check(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab check", &o, check_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (optind != argc - 1)
        return cli_usage_error("lab check", TR("expected one LAB"));
    const char *sub = o.submission ? o.submission : ".";
    if (!is_dir(sub)) {
        fprintf(stderr, TR("traplab lab check: %s: no such folder\n"), sub);
        return EXIT_FAIL;
    }
    char dir[PATH_MAX], student[256], err[2048] = "";
    if (!find_lab(o.labs, argv[optind], dir, sizeof dir, "check"))
        return EXIT_FAIL;
    lab_request rq = { .lab_dir = dir, .submission_dir = sub };
    choose_seed(&o, sub, student, sizeof student, &rq.seed);
    rq.student = student;
    lab_jail jail;
    jail_from(&o, &jail);
    jail.keep_stderr = true;   /* the student's own prints, and traces a lab offers */
    lab_report r;
    if (!lab_grade_many(&rq, 1, 1, &jail, &r, err, sizeof err)) {
        fprintf(stderr, TR("traplab lab check: the lab is broken:\n%s\n"), err);
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    load_attempts(student, rq.seed, &r);
    if (o.record && !r.fatal)
        save_attempts(student, rq.seed, &r);
    int status = !r.fatal && r.max > 0 && r.total >= r.max ? EXIT_OK : EXIT_FAIL;
    if (o.json)
        lab_write_json(stdout, &r);
    else if (!o.csv || strcmp(o.csv, "-") != 0)
        lab_write_text(stdout, &r);
    if (o.csv) {
        FILE *f = open_out("check", o.csv);
        if (f) {
            lab_write_csv_header(f);
            lab_write_csv_row(f, &r);
        }
        if (!f || !close_out("check", o.csv, f))
            status = EXIT_FAIL;
    }
    lab_report_free(&r);
    return status;
}

static void grade_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab grade LAB --submissions DIR [--jobs N] [--csv FILE] [--junit FILE]\n"
               "                           [--canvas FILE] [--moodle FILE] [--assignment NAME]\n"
               "                           [--shard K/N] [--json] [--timeout S] [--labs DIR]\n"
               "       traplab lab grade LAB --submission DIR [--student ID] [--gradescope FILE]\n"
               "                           [--junit FILE] [--csv FILE]\n\n"
               "Grades every folder in DIR (one per student, named by student id), each in its own\n"
               "process under CPU, memory and wall-clock limits, N at a time (default: every core).\n"
               "A submission that crashes, hangs or breaks the sandbox scores zero with a reason.\n"
               "--csv writes one row per student: student,lab,seed,points,max,percent,status,reason\n"
               "(docs/grading.md).  --canvas and --moodle write the files Canvas's and Moodle's\n"
               "grade-book imports take (the student id as SIS Login ID, or as Username and ID\n"
               "number), with one grade column named NAME (default 'traplab LAB'; for an existing\n"
               "Canvas assignment, its exported name, 'Lab 01 (12345)').  --junit writes JUnit XML, one\n"
               "testsuite per student; --json prints a JSON array of 'lab check --json' objects\n"
               "instead of the table.  --shard K/N grades only the K-th of every N submissions (in\n"
               "name order), for spreading a class over N machines; 'traplab lab merge' joins the CSVs.\n"
               "The second form grades one submission in the same sandbox; --gradescope writes\n"
               "Gradescope's autograder results.json (the seed comes from --student, student.txt or\n"
               "the folder's name).\n"));
}

static int lab_grade_cmd(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab grade", &o, grade_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (optind != argc - 1)
        return cli_usage_error("lab grade", TR("expected one LAB"));
    if (!o.submissions && !o.submission)
        return cli_usage_error("lab grade", TR("--submissions DIR is required (or --submission DIR for one)"));
    if (o.submissions && o.submission)
        return cli_usage_error("lab grade", TR("give --submissions DIR (a class) or --submission DIR (one), not both"));
    if (o.gradescope && !o.submission)
        return cli_usage_error("lab grade", TR("--gradescope grades one submission: use --submission DIR"));
    if (o.shard && !o.submissions)
        return cli_usage_error("lab grade", TR("--shard splits a class: use --submissions DIR"));
    const char *dropped = o.canvas && o.assignment ? lab_canvas_dropped(o.assignment) : NULL;
    if (dropped)
        return cli_usage_error("lab grade", TR("--assignment '%s': Canvas's grade-book import takes a column whose "
                                               "name contains '%s' for one of its totals and drops it; give "
                                               "another name"), o.assignment, dropped);
    char dir[PATH_MAX], err[2048] = "", student[256] = "";
    if (!find_lab(o.labs, argv[optind], dir, sizeof dir, "grade"))
        return EXIT_FAIL;
    const char *where = o.submissions ? o.submissions : o.submission;
    if (o.submission && !is_dir(o.submission)) {
        fprintf(stderr, TR("traplab lab grade: %s: no such folder\n"), o.submission);
        return EXIT_FAIL;
    }
    struct dirent **ents = NULL;
    int n = o.submissions ? scandir(o.submissions, &ents, not_hidden, by_name) : 1;
    if (n < 0) {
        fprintf(stderr, "traplab lab grade: %s: %s\n", where, strerror(errno));
        return EXIT_FAIL;
    }
    lab_request *rq = calloc((size_t)n + 1, sizeof *rq);
    char (*paths)[PATH_MAX] = calloc((size_t)n + 1, PATH_MAX);
    lab_report *reps = calloc((size_t)n + 1, sizeof *reps);
    size_t count = 0, ndirs = 0;
    if (o.submission && rq && paths && reps) {
        copy(paths[0], PATH_MAX, o.submission);
        rq[0].lab_dir = dir;
        rq[0].submission_dir = paths[0];
        choose_seed(&o, o.submission, student, sizeof student, &rq[0].seed);
        rq[0].student = student;
        count = 1;
    }
    for (int i = 0; ents && rq && paths && reps && i < n; i++) {
        if (join(paths[count], PATH_MAX, o.submissions, ents[i]->d_name) && is_dir(paths[count])) {
            if (o.shard && ndirs++ % o.nshards != o.shard - 1)
                continue;
            rq[count].lab_dir = dir;
            rq[count].submission_dir = paths[count];
            rq[count].student = ents[i]->d_name;
            rq[count].seed = lab_seed_from_student(ents[i]->d_name);
            count++;
        }
    }
    int status = EXIT_OK;
    /* Every file the grades go to, opened before grading so that a bad path costs no time. */
    enum { OUT_CSV, OUT_JUNIT, OUT_GS, OUT_CANVAS, OUT_MOODLE, NOUT };
    struct { const char *path; FILE *f; } outs[NOUT] = {
        [OUT_CSV] = { o.csv, NULL }, [OUT_JUNIT] = { o.junit, NULL }, [OUT_GS] = { o.gradescope, NULL },
        [OUT_CANVAS] = { o.canvas, NULL }, [OUT_MOODLE] = { o.moodle, NULL },
    };
    if (!rq || !paths || !reps) {
        fprintf(stderr, TR("traplab lab grade: out of memory\n"));
        status = EXIT_FAIL;
        goto out;
    }
    for (int k = 0; k < NOUT; k++)
        if (outs[k].path && !(outs[k].f = fopen(outs[k].path, "w"))) {
            fprintf(stderr, "traplab lab grade: %s: %s\n", outs[k].path, strerror(errno));
            status = EXIT_FAIL;
            goto out;
        }
    FILE *csv = outs[OUT_CSV].f, *junit = outs[OUT_JUNIT].f, *gs = outs[OUT_GS].f;
    lab_jail jail;
    jail_from(&o, &jail);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    unsigned jobs = o.jobs ? o.jobs : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    if (!lab_grade_many(rq, count, jobs, &jail, reps, err, sizeof err)) {
        fprintf(stderr, TR("traplab lab grade: the lab is broken:\n%s\n"), err);
        status = EXIT_FAIL;
    } else {
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (csv) lab_write_csv_header(csv);
        /* The grade column: --assignment, else "traplab LAB" (a new assignment in the grade book). */
        char column[256];
        if (o.assignment)
            snprintf(column, sizeof column, "%s", o.assignment);
        else
            snprintf(column, sizeof column, "traplab %s", count && reps[0].id ? reps[0].id : "");
        double max = 0;   /* the lab's maximum: every report has it, a zero's too */
        for (size_t i = 0; i < count; i++)
            max = reps[i].max > max ? reps[i].max : max;
        if (outs[OUT_CANVAS].f) lab_write_lms_header(outs[OUT_CANVAS].f, LAB_LMS_CANVAS, column, max);
        if (outs[OUT_MOODLE].f) lab_write_lms_header(outs[OUT_MOODLE].f, LAB_LMS_MOODLE, column, max);
        double sum = 0;
        size_t zeros = 0;
        for (size_t i = 0; i < count; i++) {
            const lab_report *r = &reps[i];
            if (csv) lab_write_csv_row(csv, r);
            if (outs[OUT_CANVAS].f) lab_write_lms_row(outs[OUT_CANVAS].f, LAB_LMS_CANVAS, r);
            if (outs[OUT_MOODLE].f) lab_write_lms_row(outs[OUT_MOODLE].f, LAB_LMS_MOODLE, r);
            int pct = r->max > 0 ? (int)(r->total * 100.0 / r->max + 1e-9) : 0;
            char first[160] = "";
            if (r->fatal) {
                char fbuf[2048];
                snprintf(first, sizeof first, TR("  ZERO: %s"), cli_tr_line(r->fatal, fbuf, sizeof fbuf));
                first[strcspn(first, "\n")] = '\0';
                zeros++;
            }
            if (o.json) {
                fputs(i ? ",\n" : "[\n", stdout);
                lab_write_json(stdout, r);
            } else {
                printf("%-24s %6g/%-6g %3d%%%s\n", r->student, r->total, r->max, pct, first);
            }
            sum += r->max > 0 ? r->total / r->max : 0;
        }
        if (o.json)
            fputs(count ? "]\n" : "[]\n", stdout);
        fprintf(o.json ? stderr : stdout, TR("Graded %zu submissions in %.2f s (%.1f per second, %u jobs); mean %.0f%%, %zu zeroed\n"),
               count, secs, secs > 0 ? (double)count / secs : 0.0, jobs,
               count ? sum * 100.0 / (double)count : 0.0, zeros);
        if (junit)
            lab_write_junit(junit, reps, count);
        if (gs)
            lab_write_gradescope(gs, &reps[0]);
    }
out:
    for (int k = 0; k < NOUT; k++)
        if (outs[k].f && fclose(outs[k].f) != 0) {
            fprintf(stderr, "traplab lab grade: %s: %s\n", outs[k].path, strerror(errno));
            status = EXIT_FAIL;
        }
    for (size_t i = 0; reps && i < count; i++)
        lab_report_free(&reps[i]);
    for (int i = 0; ents && i < n; i++)
        free(ents[i]);
    free(ents);
    free(rq);
    free(paths);
    free(reps);
    return status;
}

static void merge_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab merge FILE.csv... [-o OUT.csv]\n\n"
               "Joins the CSVs of 'traplab lab grade --csv' (for instance one per machine, from\n"
               "--shard K/N) into one, sorted by student, on stdout or in OUT.csv.  Every file must\n"
               "have the same header and the same lab; a student graded twice is an error.\n"));
}

typedef struct {
    char *line;        /* the row as written, without its newline */
    char *student, *lab;
    const char *file;
} csv_row;

/* The first two fields of a row of lab_write_csv_row: quoted, "" inside. */
static bool csv_fields(const char *line, char **student, char **lab)
{
    char *out[2] = { NULL, NULL };
    const char *p = line;
    for (int k = 0; k < 2; k++) {
        if (*p != '"')
            goto bad;
        size_t cap = strlen(p) + 1, n = 0;
        out[k] = malloc(cap);
        if (!out[k])
            goto bad;
        for (p++;; p++) {
            if (!*p)
                goto bad;
            if (*p == '"') {
                if (p[1] != '"')
                    break;
                p++;
            }
            out[k][n++] = *p;
        }
        out[k][n] = '\0';
        p++;
        if (*p != ',')
            goto bad;
        p++;
    }
    *student = out[0];
    *lab = out[1];
    return true;
bad:
    free(out[0]);
    free(out[1]);
    return false;
}

static int by_student(const void *a, const void *b)
{
    return strcmp(((const csv_row *)a)->student, ((const csv_row *)b)->student);
}

static int lab_merge(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab merge", &o, merge_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (optind >= argc)
        return cli_usage_error("lab merge", TR("expected one or more CSV files"));
    static const char header[] = "student,lab,seed,points,max,percent,status,reason";
    csv_row *rows = NULL;
    size_t nrows = 0, cap = 0;
    int status = EXIT_OK;
    char line[8192];
    for (int i = optind; i < argc && status == EXIT_OK; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "traplab lab merge: %s: %s\n", argv[i], strerror(errno));
            status = EXIT_FAIL;
            break;
        }
        unsigned lineno = 0;
        while (status == EXIT_OK && fgets(line, sizeof line, f)) {
            lineno++;
            size_t len = strcspn(line, "\r\n");
            if (line[len] == '\0' && !feof(f)) {
                fprintf(stderr, TR("traplab lab merge: %s:%u: line too long\n"), argv[i], lineno);
                status = EXIT_FAIL;
                break;
            }
            line[len] = '\0';
            if (lineno == 1) {
                if (strcmp(line, header) != 0) {
                    fprintf(stderr, TR("traplab lab merge: %s:1: not a 'traplab lab grade --csv' file (the header "
                            "should be %s)\n"), argv[i], header);
                    status = EXIT_FAIL;
                }
                continue;
            }
            if (!len)
                continue;
            csv_row r = { .file = argv[i] };
            if (!csv_fields(line, &r.student, &r.lab) || !(r.line = strdup(line))) {
                fprintf(stderr, TR("traplab lab merge: %s:%u: not a row of 'traplab lab grade --csv'\n"), argv[i], lineno);
                status = EXIT_FAIL;
                break;
            }
            if (nrows == cap) {
                cap = cap ? 2 * cap : 256;
                csv_row *g = realloc(rows, cap * sizeof *rows);
                if (!g) {
                    fprintf(stderr, TR("traplab lab merge: out of memory\n"));
                    status = EXIT_FAIL;
                    free(r.line); free(r.student); free(r.lab);
                    break;
                }
                rows = g;
            }
            if (nrows && strcmp(r.lab, rows[0].lab) != 0) {
                fprintf(stderr, TR("traplab lab merge: %s:%u: lab '%s', but %s has lab '%s'\n"), argv[i], lineno,
                        r.lab, rows[0].file, rows[0].lab);
                status = EXIT_FAIL;
            }
            rows[nrows++] = r;
        }
        if (status == EXIT_OK && lineno == 0) {
            fprintf(stderr, TR("traplab lab merge: %s: empty file\n"), argv[i]);
            status = EXIT_FAIL;
        }
        fclose(f);
    }
    if (status == EXIT_OK && nrows > 1) {
        qsort(rows, nrows, sizeof *rows, by_student);
        for (size_t i = 1; i < nrows; i++)
            if (strcmp(rows[i - 1].student, rows[i].student) == 0) {
                fprintf(stderr, TR("traplab lab merge: student '%s' is in %s and in %s\n"), rows[i].student,
                        rows[i - 1].file, rows[i].file);
                status = EXIT_FAIL;
                break;
            }
    }
    FILE *out = stdout;
    if (status == EXIT_OK && o.output && !(out = fopen(o.output, "w"))) {
        fprintf(stderr, "traplab lab merge: %s: %s\n", o.output, strerror(errno));
        status = EXIT_FAIL;
    }
    if (status == EXIT_OK) {
        fprintf(out, "%s\n", header);
        for (size_t i = 0; i < nrows; i++)
            fprintf(out, "%s\n", rows[i].line);
        if ((out == stdout ? fflush(out) : fclose(out)) != 0) {
            fprintf(stderr, "traplab lab merge: %s: %s\n", o.output ? o.output : "stdout", strerror(errno));
            status = EXIT_FAIL;
        } else {
            fprintf(stderr, TR("traplab lab merge: %zu students from %d files\n"), nrows, argc - optind);
        }
    }
    for (size_t i = 0; i < nrows; i++) {
        free(rows[i].line);
        free(rows[i].student);
        free(rows[i].lab);
    }
    free(rows);
    return status;
}

static void run_help(FILE *f)
{
    fprintf(f, TR("usage: traplab lab run LAB [--submission DIR] [--seed N | --student ID] [--lang es|en]\n"
               "                         [--labs DIR]\n\n"
               "Opens the lab's scenario (built from your submission, else the starter) in the terminal\n"
               "UI ('traplab tui') with the lab's tasks, questions and handout tasks in a Tasks pane\n"
               "(T shows or hides it; Tab, then the arrows, scroll it), in the language of --lang\n"
               "(default: from LANG).  Step through it, then 'traplab lab check'.\n"));
}

/* Runs `traplab tui` (this very binary) with args, as a child; its exit status. */
static int open_in_tui(char *const *args)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = '\0';
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execv(self, args);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Writes text to path; false with errno set. */
static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    bool ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

/* The scenario's vm_guests: VM i's own kernel, written beside the others and
 * given to the TUI as --vm i:guest=PATH. */
static bool write_vm_guests(const lab_report *r, const char *dir, char path[][PATH_MAX],
                            char arg[][PATH_MAX + 16])
{
    for (unsigned i = 0; i < 16; i++) {
        if (!r->scenario_vm_guest[i])
            continue;
        if (!join(path[i], PATH_MAX, dir, r->scenario_vm_guest_name[i] ? r->scenario_vm_guest_name[i]
                                                                        : "vm-kernel.s"))
            return false;
        if (!write_file(path[i], r->scenario_vm_guest[i])) {
            path[i][0] = '\0';
            return false;
        }
        snprintf(arg[i], PATH_MAX + 16, "%u:guest=%s", i, path[i]);
    }
    return true;
}

static int lab_run(int argc, char **argv)
{
    lab_opts o;
    int rc = parse_opts(argc, argv, "lab run", &o, run_help);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (optind != argc - 1)
        return cli_usage_error("lab run", TR("expected one LAB"));
    tui_lang lang = cli_lang();
    bool es = lang == TUI_LANG_ES;
    const char *sub = o.submission ? o.submission : ".";
    char dir[PATH_MAX], student[256], err[2048];
    if (!find_lab(o.labs, argv[optind], dir, sizeof dir, "run"))
        return EXIT_FAIL;
    lab_request rq = { .lab_dir = dir, .submission_dir = is_dir(sub) ? sub : NULL, .want_scenario = true };
    choose_seed(&o, sub, student, sizeof student, &rq.seed);
    rq.student = student;
    lab_report r;
    if (!lab_describe(&rq, &r, err, sizeof err)) {
        fprintf(stderr, "traplab lab run: %s\n", err);
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    if (!r.scenario) {
        fprintf(stderr, TR("traplab lab run: lab %s has no scenario to open\n"), r.id);
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    char *tasks = cli_lab_tasks_text(&r, dir, es, student, rq.seed);
    if (!tasks) {
        fprintf(stderr, TR("traplab lab run: out of memory\n"));
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    /* The tasks stay in the scrollback too, for after the UI closes, in the
     * language asked for: the handout's title, and where the student id came from. */
    char title[512];
    if (!cli_lab_handout_title(dir, es, title, sizeof title))
        copy(title, sizeof title, r.title);
    printf("# %s (%s %s, %s %" PRIu64 ")\n", title, es ? "estudiante" : "student",
           student[0] ? student : "-", es ? "semilla" : "seed", rq.seed);
    if (!o.student && !o.have_seed && student[0]) {
        char p[PATH_MAX];
        bool from_file = join(p, sizeof p, sub, "student.txt") && access(p, R_OK) == 0;
        if (from_file)
            printf(es ? "(El id de estudiante viene de %s; --student ID elige otro.)\n"
                      : "(The student id comes from %s; --student ID chooses another.)\n", p);
        else
            printf(es ? "(El id de estudiante es el nombre de la carpeta, %s; --student ID elige otro.)\n"
                      : "(The student id is the folder's name, %s; --student ID chooses another.)\n", student);
    }
    for (size_t i = 0; i < r.ntasks; i++)
        printf("%s %zu. %s\n", es ? "Tarea" : "Task", i + 1, r.tasks[i]);
    /* The scenario and the tasks go to a private folder that is removed afterwards. */
    char tmpl[] = "/tmp/traplab-lab-run-XXXXXX", path[PATH_MAX], tpath[PATH_MAX];
    int status = EXIT_FAIL;
    char ppath[PATH_MAX] = "";
    static char vgpath[16][PATH_MAX], vgarg[16][PATH_MAX + 16];
    memset(vgpath, 0, sizeof vgpath);
    memset(vgarg, 0, sizeof vgarg);
    if (!mkdtemp(tmpl) || !join(path, sizeof path, tmpl, r.scenario_name) ||
        !join(tpath, sizeof tpath, tmpl, "tasks.txt") ||
        (r.scenario_vms && !join(ppath, sizeof ppath, tmpl, r.scenario_program_name))) {
        fprintf(stderr, TR("traplab lab run: cannot make a temporary folder: %s\n"), strerror(errno));
        free(tasks);
        lab_report_free(&r);
        return EXIT_FAIL;
    }
    if (!write_file(path, r.scenario)) {
        fprintf(stderr, "traplab lab run: %s: %s\n", path, strerror(errno));
    } else if (!write_file(tpath, tasks)) {
        fprintf(stderr, "traplab lab run: %s: %s\n", tpath, strerror(errno));
    } else if (r.scenario_vms && !write_file(ppath, r.scenario_program)) {
        fprintf(stderr, "traplab lab run: %s: %s\n", ppath, strerror(errno));
    } else if (!write_vm_guests(&r, tmpl, vgpath, vgarg)) {
        fprintf(stderr, TR("traplab lab run: cannot write a VM's guest kernel: %s\n"), strerror(errno));
    } else {
        char *args[24 + 2 * 16], vms[16];
        size_t na = 0;
        args[na++] = "traplab";
        args[na++] = "tui";
        args[na++] = "--lang";
        args[na++] = es ? "es" : "en";
        args[na++] = "--tasks";
        args[na++] = tpath;
        if (r.scenario_vms) {
            /* The guest kernel in VMs under the hypervisor, as `traplab tui --guest` runs it. */
            snprintf(vms, sizeof vms, "%u", r.scenario_vms);
            args[na++] = "--guest";
            args[na++] = path;
            args[na++] = "--program";
            args[na++] = ppath;
            args[na++] = "--vms";
            args[na++] = vms;
            const char *host = r.scenario_host && *r.scenario_host ? r.scenario_host : "type1";
            args[na++] = "--host";
            args[na++] = (char *)host;
            const char *design = r.scenario_design && *r.scenario_design ? r.scenario_design : "full";
            const char *profile = r.scenario_profile && *r.scenario_profile ? r.scenario_profile : "strict";
            args[na++] = "--design";
            args[na++] = (char *)design;
            args[na++] = "--profile";
            args[na++] = (char *)profile;
            for (unsigned i = 0; i < 16; i++)
                if (vgarg[i][0]) {
                    args[na++] = "--vm";
                    args[na++] = vgarg[i];
                }
            /* The design and profile are named when they are not the defaults. */
            char how[96] = "";
            if (strcmp(design, "full") != 0 || strcmp(profile, "strict") != 0)
                snprintf(how, sizeof how, es ? " (diseño %s, perfil %s)" : " (design %s, %s profile)",
                         design, profile);
            if (es)
                printf("Abriendo %s en %s %s bajo el hipervisor %s%s en la interfaz de terminal...\n",
                       r.scenario_name, vms, r.scenario_vms == 1 ? "VM" : "VMs", host, how);
            else
                printf("Opening %s in %s %s under the %s hypervisor%s in the terminal UI...\n",
                       r.scenario_name, vms, r.scenario_vms == 1 ? "VM" : "VMs", host, how);
        } else {
            args[na++] = path;
            printf(es ? "Abriendo %s en la máquina sin hipervisor en la interfaz de terminal...\n"
                      : "Opening %s on the bare machine in the terminal UI...\n", r.scenario_name);
        }
        args[na] = NULL;
        int t = open_in_tui(args);
        if (t == 127 || t < 0)
            fprintf(stderr, TR("traplab lab run: could not start 'traplab tui' (is the terminal UI built in?)\n"));
        else
            status = t == 0 ? EXIT_OK : EXIT_FAIL;
        printf(es ? "Cuando termines: traplab lab check %s\n" : "When you are done: traplab lab check %s\n", r.id);
    }
    remove(tpath);
    remove(path);
    if (ppath[0])
        remove(ppath);
    for (unsigned i = 0; i < 16; i++)
        if (vgpath[i][0])
            remove(vgpath[i]);
    rmdir(tmpl);
    free(tasks);
    lab_report_free(&r);
    return status;
}

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} subs[] = {
    { "list",  lab_list,      N_("list the labs with titles and estimated times") },
    { "show",  lab_show,      N_("print a lab's tasks and questions with your numbers") },
    { "check", lab_check,     N_("grade one submission, with hints") },
    { "grade", lab_grade_cmd, N_("grade a class in parallel into a CSV (or JUnit, or Gradescope's JSON)") },
    { "merge", lab_merge,     N_("join the CSVs of several 'lab grade' runs (one per machine)") },
    { "run",   lab_run,       N_("open the lab's scenario in the terminal UI") },
};

static void usage(FILE *f)
{
    fprintf(f, TR("usage: traplab lab <subcommand> [<args>]\n\n"));
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        fprintf(f, "  %-6s %s\n", subs[i].name, TR(subs[i].summary));
    fprintf(f, TR("\nLabs live in ./labs, or --labs DIR, or $TRAPLAB_LABS. 'traplab lab <subcommand> --help'.\n"));
}

int cmd_lab(int argc, char **argv)
{
    /* The reports' framing in the user's language; the lab's own words stay as written. */
    static const lab_words words = { cli_tr, cli_tr_line };
    lab_set_words(&words);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    /* traplab.guest() in labs reads the guests `traplab vm` runs. */
    char kpath[PATH_MAX], kreal[PATH_MAX];
    if (cli_resolve_guest("kernel", kpath, sizeof kpath) && realpath(kpath, kreal)) {
        char *slash = strrchr(kreal, '/');
        if (slash) {
            *slash = '\0';
            lab_api_set_guest_dir(kreal);
        }
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    return cli_usage_error("lab", TR("unknown subcommand '%s'"), argv[1]);
}
