/*
 * grader.c -- grades submissions each in its own forked child, so that a
 * submission that crashes the process, spins inside one C call (a
 * pathological string pattern) or eats memory costs only its own grade.
 * The child runs under setrlimit (CPU seconds, address space, no file
 * writes) and a wall-clock watchdog in the parent; it sends its report back
 * through a pipe.  Up to `jobs` children run at once.
 *
 * The host clock is read here only to time out a child, never to compute
 * anything a grade depends on.
 */
#include "lab/lab.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define LAB_BROKEN_TAG "TRAPLAB-LAB-BROKEN:"

void lab_default_jail(lab_jail *j)
{
    *j = (lab_jail){ .cpu_seconds = 5, .item_cpu_seconds = 1, .wall_ms = 10000,
                     .memory_bytes = (size_t)1 << 30 };
}

typedef struct {
    pid_t pid;
    int fd;
    size_t req;
    char *buf;
    size_t len, cap;
    long long deadline_ms;
    bool killed_by_watchdog;
    bool eof;
} child;

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

static void limit(int res, rlim_t v)
{
    struct rlimit rl = { v, v };
    setrlimit(res, &rl);
}

static void run_child(const lab_request *rq, const lab_jail *j, int fd)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        if (!j->keep_stderr)
            dup2(null, 2);
        if (null > 2) close(null);
    }
    struct rlimit cpu = { j->cpu_seconds, j->cpu_seconds + 1 };
    setrlimit(RLIMIT_CPU, &cpu);
#ifndef UNDER_ASAN
    /* ASan reserves terabytes of address space; the Lua cap still holds there. */
    limit(RLIMIT_AS, j->memory_bytes);
#endif
    if (!j->keep_stderr)
        limit(RLIMIT_FSIZE, 0);   /* a grader writes no files (a kept stderr may be one) */
    limit(RLIMIT_CORE, 0);
    /* One slow check fails alone: the items run in children with a CPU limit each. */
    lab_request q = *rq;
    if (!q.limits.item_cpu_seconds)
        q.limits.item_cpu_seconds = j->item_cpu_seconds < j->cpu_seconds ? j->item_cpu_seconds : j->cpu_seconds;
    lab_report r;
    char err[2048];
    if (!lab_grade(&q, &r, err, sizeof err)) {
        write_all(fd, LAB_BROKEN_TAG, strlen(LAB_BROKEN_TAG));
        write_all(fd, err, strlen(err));
        _exit(0);
    }
    size_t len;
    char *s = lab_report_serialize(&r, &len);
    if (s)
        write_all(fd, s, len);
    _exit(s ? 0 : 3);
}

static bool start(child *c, const lab_request *rq, size_t i, const lab_jail *j)
{
    int p[2];
    memset(c, 0, sizeof *c);
    c->req = i;
    if (pipe(p) != 0)
        return false;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {
        close(p[0]);
        run_child(&rq[i], j, p[1]);
        _exit(3);
    }
    close(p[1]);
    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    c->pid = pid;
    c->fd = p[0];
    c->deadline_ms = now_ms() + j->wall_ms;
    return true;
}

/* What a zero needs from the lab when the child could not say: title and items. */
static void fill_from(lab_report *r, const lab_report *desc)
{
    if (!desc || r->nitems)
        return;
    free(r->title);
    r->title = strdup(desc->title);
    r->items = calloc(desc->nitems ? desc->nitems : 1, sizeof *r->items);
    for (size_t i = 0; r->items && i < desc->nitems; i++) {
        lab_item *it = &r->items[r->nitems++];
        it->id = strdup(desc->items[i].id);
        it->kind = strdup(desc->items[i].kind);
        it->title = strdup(desc->items[i].title);
        it->message = strdup("not graded");
        it->max = desc->items[i].max;
        r->max += it->max;
    }
}

static void zero_report(lab_report *r, const lab_request *rq, const char *why)
{
    memset(r, 0, sizeof *r);
    const char *slash = strrchr(rq->lab_dir, '/');
    r->id = strdup(slash && slash[1] ? slash + 1 : rq->lab_dir);
    r->title = strdup("");
    r->student = strdup(rq->student ? rq->student : "");
    r->seed = rq->seed;
    r->fatal = strdup(why);
}

/* Returns 1 when the lab itself is broken (message copied to err). */
static int finish(child *c, const lab_request *rq, const lab_jail *j, const lab_report *desc,
                  lab_report *out, char *err, size_t errlen)
{
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(c->fd);
    const lab_request *q = &rq[c->req];
    char why[256];
    int broken = 0;
    size_t tl = strlen(LAB_BROKEN_TAG);
    if (c->killed_by_watchdog) {
        snprintf(why, sizeof why, "wall-clock limit exceeded (%u ms): the submission hangs",
                 j->wall_ms);
        zero_report(out, q, why);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU || sig == SIGKILL)
            snprintf(why, sizeof why, "CPU time limit exceeded (%u s): the submission hangs",
                     j->cpu_seconds);
        else
            snprintf(why, sizeof why, "grading crashed (signal %d, %s)", sig, strsignal(sig));
        zero_report(out, q, why);
    } else if (c->len >= tl && memcmp(c->buf, LAB_BROKEN_TAG, tl) == 0) {
        snprintf(err, errlen, "%.*s", (int)(c->len - tl), c->buf + tl);
        zero_report(out, q, err);
        broken = 1;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
               !lab_report_deserialize(c->buf ? c->buf : "", c->len, out)) {
        snprintf(why, sizeof why, "grading failed (exit status %d, %zu bytes of report)",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, c->len);
        zero_report(out, q, why);
    }
    if (out->fatal)
        fill_from(out, desc);
    free(c->buf);
    c->buf = NULL;
    return broken;
}

static void drain(child *c)
{
    for (;;) {
        if (c->len + 4096 > c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 8192;
            char *nb = realloc(c->buf, cap);
            if (!nb) {   /* cannot hold the report: stop the child, call it truncated */
                kill(c->pid, SIGKILL);
                c->eof = true;
                return;
            }
            c->buf = nb;
            c->cap = cap;
        }
        ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
        if (n > 0) {
            c->len += (size_t)n;
            continue;
        }
        if (n == 0)
            c->eof = true;
        else if (errno == EINTR)
            continue;
        return;
    }
}

bool lab_grade_many(const lab_request *rq, size_t n, unsigned jobs, const lab_jail *jail,
                    lab_report *reports, char *err, size_t errlen)
{
    lab_jail dj;
    if (!jail) {
        lab_default_jail(&dj);
        jail = &dj;
    }
    if (jobs == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = nc > 0 ? (unsigned)nc : 1;
    }
    if (jobs > 256) jobs = 256;
    child *run = calloc(jobs, sizeof *run);
    struct pollfd *pfd = calloc(jobs, sizeof *pfd);
    if (!run || !pfd) {
        free(run);
        free(pfd);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    /* The lab's own description, for the title and points of zeroed submissions. */
    lab_report descr, *desc = NULL;
    char derr[256];
    if (n > 0 && lab_describe(&rq[0], &descr, derr, sizeof derr))
        desc = &descr;
    size_t next = 0, done = 0, broken = 0;
    unsigned active = 0;
    while (done < n) {
        while (active < jobs && next < n) {
            if (!start(&run[active], rq, next, jail)) {
                zero_report(&reports[next], &rq[next], "could not start a grading process");
                fill_from(&reports[next], desc);
                done++;
                next++;
                continue;
            }
            active++;
            next++;
        }
        if (active == 0)
            continue;
        for (unsigned i = 0; i < active; i++) {
            pfd[i].fd = run[i].fd;
            pfd[i].events = POLLIN;
            pfd[i].revents = 0;
        }
        long long now = now_ms(), wait = 1000;
        for (unsigned i = 0; i < active; i++)
            if (run[i].deadline_ms - now < wait)
                wait = run[i].deadline_ms - now;
        /* An error here (EINTR) is a timeout: the deadlines below still apply. */
        (void)poll(pfd, active, wait < 0 ? 0 : (int)wait);
        now = now_ms();
        for (unsigned i = 0; i < active; ) {
            child *c = &run[i];
            if (pfd[i].revents)
                drain(c);
            if (!c->eof && now >= c->deadline_ms) {
                kill(c->pid, SIGKILL);
                c->killed_by_watchdog = true;
                c->eof = true;
            }
            if (c->eof) {
                broken += (size_t)finish(c, rq, jail, desc, &reports[c->req], err, errlen);
                done++;
                run[i] = run[--active];
                pfd[i] = pfd[active];
                continue;
            }
            i++;
        }
    }
    free(run);
    free(pfd);
    if (desc)
        lab_report_free(desc);
    else if (n > 0)
        lab_report_free(&descr);
    return n == 0 || broken < n;
}
