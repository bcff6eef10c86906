/*
 * report.c -- a graded lab as text for the student, JSON for tools, a CSV
 * row for a learning-management system, and the byte form a grading child
 * sends to its parent.
 */
#include "lab/lab.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

static lab_words words;

void lab_set_words(const lab_words *w)
{
    words = w ? *w : (lab_words){ 0 };
}

/* A fixed text of this file, in the caller's language. */
__attribute__((format_arg(1))) static const char *W(const char *msgid)
{
    return words.msg ? words.msg(msgid) : msgid;
}

/* A line the engine composed (a message, a fatal reason), in the caller's language. */
static const char *WL(const char *text, char *buf, size_t n)
{
    return words.line && text ? words.line(text, buf, n) : text;
}

static int percent(const lab_report *r)
{
    /* Rounded down, so that 100% means full marks and nothing less. */
    return r->max > 0 ? (int)floor(r->total * 100.0 / r->max + 1e-9) : 0;
}

/* The hint for an item: the one its failed attempts have unlocked. */
static const char *next_hint(const lab_item *it, size_t *num)
{
    if (it->passed || it->nhints == 0)
        return NULL;
    size_t k = it->attempts ? it->attempts : 1;
    if (k > it->nhints)
        k = it->nhints;
    *num = k;
    return it->hints[k - 1];
}

static void indent_lines(FILE *out, const char *s, const char *pad)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        fprintf(out, "%s%.*s\n", pad, (int)n, s);
        s += n;
        if (*s) s++;
    }
}

#define TITLE_COLS 58   /* the title column; points follow the first row */
#define TITLE_PAD  "                     "   /* the columns before it */

/* Columns (UTF-8 characters) in s[0..n). */
static size_t columns(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

/*
 * The title word-wrapped to TITLE_COLS columns, its own line breaks kept,
 * the points after the first row and later rows under the title column.
 */
static void write_wrapped(FILE *out, const char *title, double points, double max)
{
    bool first = true;
    const char *p = title && *title ? title : "";
    do {
        size_t line = strcspn(p, "\n");
        const char *end = p + line;
        do {
            /* The longest run of whole words that fits; a longer word is cut. */
            const char *cut = p, *q = p;
            while (q < end) {
                const char *w = q;
                while (w < end && *w == ' ') w++;
                const char *we = w;
                while (we < end && *we != ' ') we++;
                if (columns(p, (size_t)(we - p)) > TITLE_COLS)
                    break;
                cut = q = we;
            }
            if (cut == p) {   /* one word wider than the column */
                size_t c = 0;
                while (cut < end && (c < TITLE_COLS || ((unsigned char)*cut & 0xc0) == 0x80)) {
                    c += ((unsigned char)*cut & 0xc0) != 0x80;
                    cut++;
                }
            }
            int len = (int)(cut - p);
            if (first) {
                int pad = TITLE_COLS - (int)columns(p, (size_t)len);
                fprintf(out, "%.*s%*s %g/%g\n", len, p, pad > 0 ? pad : 0, "", points, max);
                first = false;
            } else {
                fprintf(out, TITLE_PAD "%.*s\n", len, p);
            }
            p = cut;
            while (p < end && *p == ' ') p++;
        } while (p < end);
        p = *end ? end + 1 : end;
    } while (*p);
}

void lab_write_text(FILE *out, const lab_report *r)
{
    char buf[2048];
    fprintf(out, W("Lab %s: %s"), r->id, r->title);
    if (r->student && *r->student)
        fprintf(out, W(" (student %s, seed %llu)\n"), r->student, (unsigned long long)r->seed);
    else
        fprintf(out, W(" (seed %llu)\n"), (unsigned long long)r->seed);
    if (r->fatal) {
        fputs(W("  ZERO  the submission cannot be graded:\n"), out);
        indent_lines(out, WL(r->fatal, buf, sizeof buf), "        ");
    }
    for (size_t i = 0; i < r->nitems && !r->fatal; i++) {
        const lab_item *it = &r->items[i];
        fprintf(out, "  %s  %-12s ", it->passed ? W("PASS") : W("FAIL"), it->id);
        write_wrapped(out, it->title, it->points, it->max);
        if (!it->passed && it->message && *it->message)
            indent_lines(out, WL(it->message, buf, sizeof buf), "        ");
        size_t k;
        const char *h = next_hint(it, &k);
        if (h) {
            fprintf(out, W("        hint %zu/%zu: "), k, it->nhints);
            indent_lines(out, h, "");
        }
    }
    fprintf(out, W("Total: %g/%g (%d%%)\n"), r->total, r->max, percent(r));
}

static void json_str(FILE *out, const char *s)
{
    s = s ? s : "";
    util_json_string(out, s, strlen(s), false);
}

void lab_write_json(FILE *out, const lab_report *r)
{
    fputs("{\"lab\": ", out); json_str(out, r->id);
    fputs(", \"title\": ", out); json_str(out, r->title);
    /* A string: a 64-bit seed does not survive a JavaScript number. */
    fprintf(out, ", \"seed\": \"%" PRIu64 "\", \"student\": ", r->seed);
    json_str(out, r->student);
    fputs(", \"fatal\": ", out);
    if (r->fatal) json_str(out, r->fatal); else fputs("null", out);
    fputs(", \"items\": [", out);
    for (size_t i = 0; i < r->nitems; i++) {
        const lab_item *it = &r->items[i];
        fputs(i ? ",\n  {\"id\": " : "\n  {\"id\": ", out); json_str(out, it->id);
        fputs(", \"kind\": ", out); json_str(out, it->kind);
        fputs(", \"title\": ", out); json_str(out, it->title);
        fprintf(out, ", \"passed\": %s, \"points\": %g, \"max\": %g, \"message\": ",
                it->passed ? "true" : "false", it->points, it->max);
        json_str(out, it->message);
        fprintf(out, ", \"attempts\": %u, \"hint\": ", it->attempts);
        size_t k;
        const char *h = next_hint(it, &k);
        if (h) json_str(out, h); else fputs("null", out);
        fputc('}', out);
    }
    fprintf(out, "],\n \"total\": %g, \"max\": %g, \"percent\": %d}\n", r->total, r->max, percent(r));
}

/* What a student reads about one item: the failure's message and the hint
 * its attempts have unlocked. */
static void item_output(char *buf, size_t n, const lab_item *it)
{
    size_t k = 0;
    const char *h = next_hint(it, &k);
    char msg[2048];
    const char *m = it->message ? WL(it->message, msg, sizeof msg) : "";
    snprintf(buf, n, "%s%s%s", it->passed ? W("PASS") : W("FAIL"), *m ? ": " : "", m);
    if (h) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, W("\nHint %zu: %s"), k, h);
    }
}

void lab_write_gradescope(FILE *out, const lab_report *r)
{
    /* Gradescope's autograder results.json: a total and one test per item,
     * each with score, max_score, status, name, output and visibility. */
    fprintf(out, "{\"score\": %g,\n \"output\": ", r->fatal ? 0.0 : r->total);
    char head[512], fatal[2048];
    snprintf(head, sizeof head, W("%s (%s), seed %llu%s%s"), r->title ? r->title : "", r->id ? r->id : "",
             (unsigned long long)r->seed, r->fatal ? W(": ZERO: ") : "", r->fatal ? WL(r->fatal, fatal, sizeof fatal) : "");
    json_str(out, head);
    fputs(",\n \"visibility\": \"visible\", \"stdout_visibility\": \"hidden\",\n \"tests\": [", out);
    for (size_t i = 0; i < r->nitems; i++) {
        const lab_item *it = &r->items[i];
        char name[512], text[4096];
        snprintf(name, sizeof name, "%s: %s", it->id, it->title ? it->title : "");
        name[strcspn(name, "\n")] = '\0';
        item_output(text, sizeof text, it);
        fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
        json_str(out, name);
        fprintf(out, ", \"number\": \"%zu\", \"score\": %g, \"max_score\": %g, \"status\": \"%s\", \"output\": ",
                i + 1, it->points, it->max, it->passed ? "passed" : "failed");
        json_str(out, text);
        fputs(", \"visibility\": \"visible\"}", out);
    }
    fputs("]}\n", out);
}

void lab_write_junit(FILE *out, const lab_report *reps, size_t n)
{
    size_t tests = 0, failures = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        tests += reps[i].fatal ? 1 : reps[i].nitems;
        errors += reps[i].fatal != NULL;
        for (size_t k = 0; !reps[i].fatal && k < reps[i].nitems; k++)
            failures += !reps[i].items[k].passed;
    }
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites name=\"traplab\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
            tests, failures, errors);
    for (size_t i = 0; i < n; i++) {
        const lab_report *r = &reps[i];
        size_t f = 0;
        for (size_t k = 0; !r->fatal && k < r->nitems; k++)
            f += !r->items[k].passed;
        /* One suite per submission: "01-rings.alice", its items as test cases. */
        fputs("  <testsuite name=\"", out);
        util_xml_text(out, r->id);
        if (r->student && *r->student) {
            fputc('.', out);
            util_xml_text(out, r->student);
        }
        fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%d\">\n", r->fatal ? (size_t)1 : r->nitems, f,
                r->fatal != NULL);
        fprintf(out, "    <properties><property name=\"seed\" value=\"%" PRIu64 "\"/>"
                     "<property name=\"points\" value=\"%g\"/><property name=\"max\" value=\"%g\"/></properties>\n",
                r->seed, r->fatal ? 0.0 : r->total, r->max);
        if (r->fatal) {
            fputs("    <testcase classname=\"", out);
            util_xml_text(out, r->id);
            fputs("\" name=\"submission\">\n      <error message=\"", out);
            util_xml_text(out, W("the submission scores zero"));
            fputs("\">", out);
            char fatal[2048];
            util_xml_text(out, WL(r->fatal, fatal, sizeof fatal));
            fputs("</error>\n    </testcase>\n", out);
        }
        for (size_t k = 0; !r->fatal && k < r->nitems; k++) {
            const lab_item *it = &r->items[k];
            fputs("    <testcase classname=\"", out);
            util_xml_text(out, r->id);
            fputs("\" name=\"", out);
            util_xml_text(out, it->id);
            fprintf(out, "\" points=\"%g\" max=\"%g\"", it->points, it->max);
            if (it->passed) {
                fputs("/>\n", out);
                continue;
            }
            char text[4096], title[256];
            item_output(text, sizeof text, it);
            snprintf(title, sizeof title, "%s", it->title ? it->title : "");
            title[strcspn(title, "\n")] = '\0';   /* an attribute keeps no line breaks */
            fputs(">\n      <failure message=\"", out);
            util_xml_text(out, title);
            fputs("\">", out);
            util_xml_text(out, text);
            fputs("</failure>\n    </testcase>\n", out);
        }
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
}

static void csv_field(FILE *out, const char *s)
{
    fputc('"', out);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '"') fputc('"', out);
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, out);
    }
    fputc('"', out);
}

void lab_write_csv_header(FILE *out)
{
    fputs("student,lab,seed,points,max,percent,status,reason\n", out);
}

/* The CSV's reason: a zero's first line, or why every failure was the memory limit. */
static void csv_reason(const lab_report *r, char *reason, size_t n)
{
    reason[0] = '\0';
    if (r->fatal) {
        /* The first line is the reason; a traceback would drown the LMS cell. */
        char fbuf[2048];
        snprintf(reason, n < 256 ? n : 256, "%s", WL(r->fatal, fbuf, sizeof fbuf));
        reason[strcspn(reason, "\n")] = '\0';
        return;
    }
    /* A submission whose every failure is the memory limit scores what
     * it scores, but a teacher reading the CSV must see why. */
    size_t failed = 0, mem = 0;
    const char *why = NULL;
    for (size_t i = 0; i < r->nitems; i++) {
        if (r->items[i].passed)
            continue;
        failed++;
        if (r->items[i].message && strstr(r->items[i].message, "memory limit")) {
            mem++;
            if (!why)
                why = r->items[i].message;
        }
    }
    char wbuf[256];
    if (failed && mem == failed) {
        why = WL(why, wbuf, sizeof wbuf);
        if (failed == 1)
            snprintf(reason, n, W("1 item failed on the memory limit: %s"), why);
        else
            snprintf(reason, n, W("all %zu failed items hit the memory limit: %s"), failed, why);
        reason[strcspn(reason, "\n")] = '\0';
    }
}

void lab_write_csv_row(FILE *out, const lab_report *r)
{
    csv_field(out, r->student);
    fputc(',', out);
    csv_field(out, r->id);
    /* Quoted, as in the JSON: spreadsheets and JavaScript keep only 15-17 digits of a number. */
    fprintf(out, ",\"%" PRIu64 "\",%g,%g,%d,%s,", r->seed, r->total, r->max, percent(r),
            r->fatal ? "zero" : "graded");
    char reason[320];
    csv_reason(r, reason, sizeof reason);
    csv_field(out, reason);
    fputc('\n', out);
}

void lab_write_lms_header(FILE *out, lab_lms lms, const char *assignment, double max)
{
    /* docs/grading.md cites where each layout comes from. */
    if (lms == LAB_LMS_CANVAS) {
        fputs("\"Student\",\"ID\",\"SIS User ID\",\"SIS Login ID\",\"Section\",", out);
        csv_field(out, assignment);
        /* Canvas's importer reads this row, as its exporter writes it, for the
         * assignment's points possible: a new assignment gets the lab's maximum. */
        fprintf(out, "\n\"    Points Possible\",\"\",\"\",\"\",\"\",%g", max);
    } else {
        fputs("\"Username\",\"ID number\",", out);
        csv_field(out, assignment);
        char fb[512];
        snprintf(fb, sizeof fb, "Feedback: %s", assignment);
        fputc(',', out);
        csv_field(out, fb);
    }
    fputc('\n', out);
}

const char *lab_canvas_dropped(const char *name)
{
    /* NON_ASSIGNMENT_COLUMN_HEADERS of Canvas's lib/gradebook_importer.rb, matched
     * anywhere in a header as its regexp does ("Unposted Final Score" too). */
    static const char *const totals[] = { "Current Score", "Current Points", "Current Grade",
                                          "Final Score", "Final Points", "Final Grade",
                                          "Override Score", "Override Grade", "Override Status" };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        if (strstr(name, totals[i]))
            return totals[i];
    return NULL;
}

void lab_write_lms_row(FILE *out, lab_lms lms, const lab_report *r)
{
    double points = r->fatal ? 0.0 : r->total;
    if (lms == LAB_LMS_CANVAS) {
        /* The student id as the login, the one identity a folder name can carry. */
        csv_field(out, r->student);
        fputs(",\"\",\"\",", out);
        csv_field(out, r->student);
        fprintf(out, ",\"\",%g\n", points);
        return;
    }
    csv_field(out, r->student);
    fputc(',', out);
    csv_field(out, r->student);
    char reason[320];
    csv_reason(r, reason, sizeof reason);
    fprintf(out, ",%g,", points);
    csv_field(out, reason);
    fputc('\n', out);
}

/* ---- the child-to-parent byte form: netstrings ------------------------------- */
typedef struct { char *buf; size_t len, cap; bool oom; } sbuf;

static void put(sbuf *b, const char *s, size_t n)
{
    if (b->oom) return;
    if (b->len + n + 32 > b->cap) {
        size_t cap = (b->cap + n + 32) * 2;
        char *nb = realloc(b->buf, cap);
        if (!nb) { b->oom = true; return; }
        b->buf = nb;
        b->cap = cap;
    }
    b->len += (size_t)sprintf(b->buf + b->len, "%zu:", n);
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len++] = ',';
}

static void puts_(sbuf *b, const char *s) { s = s ? s : ""; put(b, s, strlen(s)); }

static void putnum(sbuf *b, double v)
{
    char t[64];
    snprintf(t, sizeof t, "%.17g", v);
    puts_(b, t);
}

char *lab_report_serialize(const lab_report *r, size_t *len)
{
    sbuf b = { 0 };
    char t[32];
    puts_(&b, "TRAPLAB-REPORT-1");
    puts_(&b, r->id); puts_(&b, r->title); putnum(&b, r->minutes);
    snprintf(t, sizeof t, "%" PRIu64, r->seed);
    puts_(&b, t);
    puts_(&b, r->student);
    puts_(&b, r->fatal ? "1" : "0"); puts_(&b, r->fatal);
    putnum(&b, r->total); putnum(&b, r->max);
    putnum(&b, (double)r->nitems);
    for (size_t i = 0; i < r->nitems; i++) {
        const lab_item *it = &r->items[i];
        puts_(&b, it->id); puts_(&b, it->kind); puts_(&b, it->title); puts_(&b, it->message);
        putnum(&b, it->points); putnum(&b, it->max); puts_(&b, it->passed ? "1" : "0");
        putnum(&b, (double)it->nhints);
        for (size_t h = 0; h < it->nhints; h++)
            puts_(&b, it->hints[h]);
    }
    if (b.oom) {
        free(b.buf);
        return NULL;
    }
    *len = b.len;
    return b.buf;
}

typedef struct { const char *p, *end; bool bad; } rd;

static char *get(rd *r)
{
    if (r->bad) return NULL;
    char *colon = memchr(r->p, ':', (size_t)(r->end - r->p));
    char *endp;
    unsigned long long n = colon ? strtoull(r->p, &endp, 10) : 0;
    if (!colon || endp != colon || n > (size_t)(r->end - colon - 1) ||
        colon + 1 + n >= r->end || colon[1 + n] != ',') {
        r->bad = true;
        return NULL;
    }
    char *s = malloc(n + 1);
    if (!s) { r->bad = true; return NULL; }
    memcpy(s, colon + 1, n);
    s[n] = '\0';
    r->p = colon + 2 + n;
    return s;
}

static double getnum(rd *r)
{
    char *s = get(r);
    double v = s ? strtod(s, NULL) : 0;
    free(s);
    return v;
}

static size_t getcount(rd *r, size_t max)
{
    double v = getnum(r);
    if (v < 0 || v > (double)max) { r->bad = true; return 0; }
    return (size_t)v;
}

bool lab_report_deserialize(const char *buf, size_t len, lab_report *out)
{
    memset(out, 0, sizeof *out);
    rd r = { buf, buf + len, false };
    char *magic = get(&r);
    bool ok = magic && strcmp(magic, "TRAPLAB-REPORT-1") == 0;
    free(magic);
    if (!ok) return false;
    out->id = get(&r); out->title = get(&r); out->minutes = (int)getnum(&r);
    char *seed = get(&r);
    out->seed = seed ? strtoull(seed, NULL, 10) : 0;
    free(seed);
    out->student = get(&r);
    char *hasf = get(&r), *fatal = get(&r);
    if (hasf && strcmp(hasf, "1") == 0) out->fatal = fatal; else free(fatal);
    free(hasf);
    out->total = getnum(&r); out->max = getnum(&r);
    size_t n = getcount(&r, 100000);
    out->items = calloc(n ? n : 1, sizeof *out->items);
    if (!out->items) r.bad = true;
    for (size_t i = 0; i < n && !r.bad; i++) {
        lab_item *it = &out->items[out->nitems++];
        it->id = get(&r); it->kind = get(&r); it->title = get(&r); it->message = get(&r);
        it->points = getnum(&r); it->max = getnum(&r);
        char *p = get(&r);
        it->passed = p && strcmp(p, "1") == 0;
        free(p);
        size_t nh = getcount(&r, 1000);
        it->hints = calloc(nh ? nh : 1, sizeof *it->hints);
        if (!it->hints) { r.bad = true; break; }
        for (size_t h = 0; h < nh && !r.bad; h++)
            it->hints[it->nhints++] = get(&r);
    }
    if (r.bad || !out->id || !out->title || !out->student) {
        lab_report_free(out);
        return false;
    }
    return true;
}
