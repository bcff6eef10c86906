/*
 * main.c -- build/proptest: the property-test driver.
 *
 *   build/proptest [-n N] [--seed S] [--configs LIST] [--out DIR] [--deep-every K]
 *   build/proptest --replay FILE --kind kernel|user [--slice C] [--slot V] [--configs LIST]
 *   build/proptest --seed S --guest I        one guest of a sequence, written to --out
 *
 * Guests run in a child process that reports each result on a pipe; a child
 * that dies (a crash of the simulator), takes more than --cpu-limit seconds
 * of CPU on one guest, or goes silent for --watchdog seconds of wall-clock
 * time (a hang) is a violation of the guest it was running, and a new child
 * carries on with the next guest.  The limits decide only that: no result
 * depends on time.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proptest/proptest.h"


typedef struct {
    uint64_t n, seed, deep_every, first, rerun_every;
    const char *out;
    bool configs[64];
    size_t nconfigs;
    bool fork;
    bool quiet;
    unsigned watchdog;            /* seconds of silence before a child counts as hung */
    unsigned cpu_limit;           /* seconds of CPU one guest may take (SIGXCPU-like: SIGPROF) */
    int64_t crash_at, hang_at;    /* self-tests of the driver: misbehave at this guest */
} options;

typedef struct {
    uint64_t guests, kernels, users, runs, reruns, deep, refused, insns, exits;
    uint64_t halted, failed, running;
    uint64_t nviol;
    uint64_t digest;
} totals;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: proptest [-n N] [--first I] [--seed S] [--configs LIST] [--out DIR] [--deep-every K]\n"
        "                [--rerun-every K] [--no-fork]\n"
        "       proptest --replay FILE --kind kernel|user [--slice C] [--slot V] [--configs LIST]\n"
        "       proptest --seed S --guest I [--out DIR]\n"
        "Also: --cpu-limit SECONDS of CPU per guest (default 30), --watchdog SECONDS of silence\n"
        "(wall clock, default 600) and, to test the driver itself,\n"
        "--selftest-crash I / --selftest-hang I (the child aborts or hangs at guest I).\n"
        "Runs N random guests (default 1000, seed 1; guests I..I+N-1 with --first, so a long run\n"
        "can be split into shards that give the same guests) next to two known-good VMs under every\n"
        "design and host (LIST: comma-separated, e.g. full/type1,para/type2), and reports every\n"
        "property violation with a reproducer in DIR (default build/proptest-out).  One guest in K\n"
        "(default 20) has every turn checked, and one in K (default 1) runs once more to compare traces.\n"
        "Exit status: 0 no violation, 1 violations, 2 usage or setup error.\n");
}

static uint64_t mix(uint64_t h, uint64_t x)
{
    h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0x100000001b3ull;
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out = v;
    return true;
}

static bool parse_configs(const char *list, options *o)
{
    memset(o->configs, 0, sizeof o->configs);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        size_t c;
        if (!pt_parse_config(tok, &c)) {
            fprintf(stderr, "proptest: unknown configuration '%s' (design/host, e.g. full/type1)\n", tok);
            return false;
        }
        o->configs[c] = true;
    }
    return true;
}

static const char *config_list(const options *o, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < pt_nconfigs(); c++) {
        char name[64];
        if (!o->configs[c])
            continue;
        len += (size_t)snprintf(buf + len, len < n ? n - len : 0, "%s%s", len ? "," : "",
                                pt_config_name(c, name, sizeof name));
    }
    return buf;
}

/* Writes the guest's source; the path in out. */
static bool write_reproducer(const options *o, const pt_guest *g, uint64_t index, char *out, size_t n)
{
    mkdir(o->out, 0777);
    snprintf(out, n, "%s/guest-%llu-%llu.s", o->out, (unsigned long long)o->seed,
             (unsigned long long)index);
    FILE *f = fopen(out, "w");
    if (!f)
        return false;
    fwrite(g->src, 1, g->len, f);
    return fclose(f) == 0;
}

/* ---- one guest, every configuration (in the child) --------------------------------------- */
static void run_guest(pt_env *env, const options *o, uint64_t index, FILE *to)
{
    if (o->crash_at >= 0 && (uint64_t)o->crash_at == index)
        abort();
    if (o->hang_at >= 0 && (uint64_t)o->hang_at == index)
        for (volatile unsigned long spin = 0;; spin++)
            ;
    pt_guest g;
    if (!pt_generate(o->seed, index, &g)) {
        fprintf(to, "V %llu - generator: out of memory\n", (unsigned long long)index);
        return;
    }
    g.deep = o->deep_every && index % o->deep_every == 0;
    uint64_t trace = 0, insns = 0, exits = 0;
    unsigned runs = 0, reruns = 0, refused = 0;
    char state = 'r';
    size_t nc = pt_nconfigs(), rerun_cfg = index % nc;
    while (!o->configs[rerun_cfg])
        rerun_cfg = (rerun_cfg + 1) % nc;
    for (size_t c = 0; c < nc; c++) {
        if (!o->configs[c])
            continue;
        char cname[64], err[256];
        pt_config_name(c, cname, sizeof cname);
        pt_result r;
        if (!pt_run(env, &g, c, PT_PLANT_NONE, &r, err, sizeof err)) {
            fprintf(to, "V %llu %s setup: %s\n", (unsigned long long)index, cname, err);
            continue;
        }
        runs++;
        for (unsigned k = 0; k < r.nviol; k++)
            fprintf(to, "V %llu %s %s\n", (unsigned long long)index, cname, r.viol[k]);
        if (c == rerun_cfg && o->rerun_every && index % o->rerun_every == 0) {
            pt_result r2;
            if (pt_run(env, &g, c, PT_PLANT_NONE, &r2, err, sizeof err)) {
                reruns++;
                if (r2.trace != r.trace)
                    fprintf(to, "V %llu %s determinism: the same guest gave trace 0x%016llx, then "
                            "0x%016llx\n", (unsigned long long)index, cname,
                            (unsigned long long)r.trace, (unsigned long long)r2.trace);
            }
        }
        if (!r.loaded)
            refused++;
        trace = mix(trace, r.trace);
        insns += r.insns;
        exits += r.exits;
        state = strncmp(r.rogue_state, "halted", 6) == 0 ? 'h'
              : strncmp(r.rogue_state, "failed", 6) == 0 ? 'f' : 'r';
    }
    fprintf(to, "D %llu %c %c %u %u %u %d %llu %llu %llu\n", (unsigned long long)index,
            g.kind == PT_KIND_KERNEL ? 'k' : 'u', state, runs, reruns, refused, g.deep ? 1 : 0,
            (unsigned long long)insns, (unsigned long long)exits, (unsigned long long)trace);
    fflush(to);
    pt_guest_free(&g);
}

/* ---- the parent: results, crashes and hangs ------------------------------------------------ */
static void report(const options *o, totals *t, uint64_t index, const char *cfg, const char *text)
{
    t->nviol++;
    pt_guest g;
    char path[512] = "(could not regenerate the guest)";
    if (pt_generate(o->seed, index, &g)) {
        if (!write_reproducer(o, &g, index, path, sizeof path))
            snprintf(path, sizeof path, "(cannot write to %s)", o->out);
        printf("VIOLATION guest %llu (%s, %s): %s\n  reproducer: %s\n"
               "  rerun:      build/proptest --replay %s --kind %s --slice %u --slot %u%s%s\n"
               "         or:  build/proptest --seed %llu --guest %llu\n",
               (unsigned long long)index, pt_kind_name(g.kind), cfg, text, path, path,
               pt_kind_name(g.kind), g.slice, g.slot, strcmp(cfg, "-") ? " --configs " : "",
               strcmp(cfg, "-") ? cfg : "", (unsigned long long)o->seed, (unsigned long long)index);
        pt_guest_free(&g);
    }
    fflush(stdout);
}

static void line(const options *o, totals *t, char *s, uint64_t *done_upto)
{
    unsigned long long idx;
    if (s[0] == 'V') {
        char cfg[64];
        int off = 0;
        if (sscanf(s, "V %llu %63s %n", &idx, cfg, &off) >= 2) {
            s[strcspn(s, "\n")] = '\0';
            report(o, t, idx, cfg, s + off);
        }
    } else if (s[0] == 'D') {
        char kind, state;
        unsigned runs, reruns, refused;
        int deep;
        unsigned long long insns, exits, trace;
        if (sscanf(s, "D %llu %c %c %u %u %u %d %llu %llu %llu", &idx, &kind, &state, &runs, &reruns,
                   &refused, &deep, &insns, &exits, &trace) == 10) {
            t->guests++;
            if (kind == 'k')
                t->kernels++;
            else
                t->users++;
            t->halted += state == 'h';
            t->failed += state == 'f';
            t->running += state == 'r';
            t->runs += runs;
            t->reruns += reruns;
            t->refused += refused;
            t->deep += (uint64_t)deep;
            t->insns += insns;
            t->exits += exits;
            t->digest = mix(t->digest, trace);
            *done_upto = idx + 1;
            if (!o->quiet && t->guests % 1000 == 0)
                fprintf(stderr, "proptest: %llu guests (up to %llu), %llu runs, %llu reruns, %llu violations\n",
                        (unsigned long long)t->guests, idx, (unsigned long long)t->runs,
                        (unsigned long long)t->reruns, (unsigned long long)t->nviol);
        }
    }
}

static int run_all(const options *o, pt_env *env, totals *t)
{
    uint64_t next = o->first, end = o->first + o->n;
    while (next < end) {
        if (!o->fork) {
            for (uint64_t i = next; i < end; i++) {
                char *buf = NULL;
                size_t len = 0;
                FILE *mf = open_memstream(&buf, &len);
                run_guest(env, o, i, mf);
                fclose(mf);
                for (char *p = buf, *nl; p && *p; p = nl + 1) {
                    nl = strchr(p, '\n');
                    if (!nl)
                        break;
                    char saved = nl[1];
                    nl[1] = '\0';
                    line(o, t, p, &next);
                    nl[1] = saved;
                }
                free(buf);
            }
            return 0;
        }
        int fd[2];
        if (pipe(fd) != 0) {
            perror("proptest: pipe");
            return 2;
        }
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("proptest: fork");
            return 2;
        }
        if (pid == 0) {
            close(fd[0]);
            FILE *to = fdopen(fd[1], "w");
            for (uint64_t i = next; i < end; i++) {
                fprintf(to, "S %llu\n", (unsigned long long)i);
                fflush(to);
                /* A guest that takes more CPU than this is a hang, however
                 * loaded the machine is (the wall-clock watchdog is the
                 * backstop for a child that sleeps). */
                struct itimerval it = { { 0, 0 }, { (time_t)o->cpu_limit, 0 } };
                setitimer(ITIMER_PROF, &it, NULL);
                run_guest(env, o, i, to);
            }
            fclose(to);
            _exit(0);
        }
        close(fd[1]);
        uint64_t current = next;
        bool hung = false;
        char buf[8192];
        size_t have = 0;
        for (;;) {
            struct pollfd p = { fd[0], POLLIN, 0 };
            int ready = poll(&p, 1, (int)o->watchdog * 1000);
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0) {
                hung = true;
                kill(pid, SIGKILL);
                break;
            }
            ssize_t got = read(fd[0], buf + have, sizeof buf - 1 - have);
            if (got <= 0)
                break;
            have += (size_t)got;
            buf[have] = '\0';
            char *p0 = buf, *nl;
            while ((nl = strchr(p0, '\n')) != NULL) {
                *nl = '\0';
                if (p0[0] == 'S') {
                    unsigned long long i;
                    if (sscanf(p0, "S %llu", &i) == 1)
                        current = i;
                } else {
                    line(o, t, p0, &next);
                }
                p0 = nl + 1;
            }
            have = strlen(p0);
            memmove(buf, p0, have);
            if (have == sizeof buf - 1)       /* a line longer than the buffer: drop it */
                have = 0;
        }
        close(fd[0]);
        int status = 0;
        waitpid(pid, &status, 0);
        if (hung) {
            char why[128];
            snprintf(why, sizeof why, "hang: no result for %u s of wall-clock time (killed)", o->watchdog);
            report(o, t, current, "-", why);
            next = current + 1;
        } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPROF) {
            char why[128];
            snprintf(why, sizeof why, "hang: the guest took more than %u s of CPU (killed)", o->cpu_limit);
            report(o, t, current, "-", why);
            next = current + 1;
        } else if (WIFSIGNALED(status)) {
            char why[128];
            snprintf(why, sizeof why, "crash: the simulator died of signal %d (%s)", WTERMSIG(status),
                     strsignal(WTERMSIG(status)));
            report(o, t, current, "-", why);
            next = current + 1;
        } else if (next < end) {
            report(o, t, current, "-", "crash: the child exited before it finished");
            next = current + 1;
        }
    }
    return 0;
}

/* ---- --replay: a file, every configuration ---------------------------------------------------- */
static int replay(const options *o, pt_env *env, const char *file, pt_kind kind, uint32_t slice,
                  unsigned slot)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "proptest: cannot open '%s': %s\n", file, strerror(errno));
        return 2;
    }
    char *src = NULL;
    size_t len = 0;
    FILE *mf = open_memstream(&src, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, n, mf);
    fclose(f);
    fclose(mf);
    pt_guest g = { .kind = kind, .slice = slice, .slot = slot, .src = src, .len = len, .deep = true };
    unsigned bad = 0;
    for (size_t c = 0; c < pt_nconfigs(); c++) {
        if (!o->configs[c])
            continue;
        char cname[64], err[256];
        pt_config_name(c, cname, sizeof cname);
        pt_result r, r2;
        if (!pt_run(env, &g, c, PT_PLANT_NONE, &r, err, sizeof err) ||
            !pt_run(env, &g, c, PT_PLANT_NONE, &r2, err, sizeof err)) {
            fprintf(stderr, "proptest: %s: %s\n", cname, err);
            free(src);
            return 2;
        }
        printf("%s: rogue %s, %llu instructions, %llu exits, trace 0x%016llx\n", cname,
               r.rogue_state, (unsigned long long)r.insns, (unsigned long long)r.exits,
               (unsigned long long)r.trace);
        for (unsigned k = 0; k < r.nviol; k++)
            printf("  VIOLATION %s\n", r.viol[k]);
        if (r2.trace != r.trace)
            printf("  VIOLATION determinism: a second run gave trace 0x%016llx\n",
                   (unsigned long long)r2.trace);
        bad += r.nviol + (r2.trace != r.trace);
    }
    free(src);
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    options o = { .n = 1000, .seed = 1, .deep_every = 20, .rerun_every = 1, .out = "build/proptest-out", .fork = true,
                  .watchdog = 600, .cpu_limit = 30, .crash_at = -1, .hang_at = -1 };
    uint64_t u;
    for (size_t c = 0; c < pt_nconfigs(); c++)
        o.configs[c] = true;
    const char *replay_file = NULL;
    pt_kind kind = PT_KIND_KERNEL;
    bool have_kind = false, one = false;
    uint64_t slice = 5000, slot = 0, guest = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--no-fork") == 0) {
            o.fork = false;
            continue;
        } else if (strcmp(a, "--quiet") == 0) {
            o.quiet = true;
            continue;
        }
        if (!v) {
            fprintf(stderr, "proptest: %s needs a value\n", a);
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "-n") == 0)
            ok = parse_u64(v, &o.n);
        else if (strcmp(a, "--seed") == 0)
            ok = parse_u64(v, &o.seed);
        else if (strcmp(a, "--deep-every") == 0)
            ok = parse_u64(v, &o.deep_every);
        else if (strcmp(a, "--rerun-every") == 0)
            ok = parse_u64(v, &o.rerun_every);
        else if (strcmp(a, "--first") == 0)
            ok = parse_u64(v, &o.first) && o.first < (1ull << 62);
        else if (strcmp(a, "--out") == 0)
            o.out = v;
        else if (strcmp(a, "--configs") == 0)
            ok = parse_configs(v, &o);
        else if (strcmp(a, "--replay") == 0)
            replay_file = v;
        else if (strcmp(a, "--kind") == 0)
            ok = have_kind = pt_parse_kind(v, &kind);
        else if (strcmp(a, "--slice") == 0)
            ok = parse_u64(v, &slice) && slice >= 100 && slice <= UINT32_MAX;
        else if (strcmp(a, "--slot") == 0)
            ok = parse_u64(v, &slot) && slot < PT_NVMS;
        else if (strcmp(a, "--guest") == 0)
            ok = one = parse_u64(v, &guest);
        else if (strcmp(a, "--watchdog") == 0)
            ok = parse_u64(v, &u) && u >= 1 && u <= 3600 && (o.watchdog = (unsigned)u);
        else if (strcmp(a, "--cpu-limit") == 0)
            ok = parse_u64(v, &u) && u >= 1 && u <= 3600 && (o.cpu_limit = (unsigned)u);
        else if (strcmp(a, "--selftest-crash") == 0)
            ok = parse_u64(v, &u) && (o.crash_at = (int64_t)u, true);
        else if (strcmp(a, "--selftest-hang") == 0)
            ok = parse_u64(v, &u) && (o.hang_at = (int64_t)u, true);
        else {
            fprintf(stderr, "proptest: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "proptest: bad value '%s' for %s\n", v, a);
            return 2;
        }
    }
    size_t ncfg = 0;
    for (size_t c = 0; c < pt_nconfigs(); c++)
        ncfg += o.configs[c];
    if (ncfg == 0) {
        fprintf(stderr, "proptest: no configuration\n");
        return 2;
    }
    char err[512];
    pt_env *env = pt_env_new(err, sizeof err);
    if (!env) {
        fprintf(stderr, "proptest: %s (run it from the top of the source tree)\n", err);
        return 2;
    }
    int rc;
    if (replay_file) {
        if (!have_kind) {
            fprintf(stderr, "proptest: --replay needs --kind kernel|user (the file's second line says)\n");
            pt_env_free(env);
            return 2;
        }
        rc = replay(&o, env, replay_file, kind, (uint32_t)slice, (unsigned)slot);
        pt_env_free(env);
        return rc;
    }
    if (one) {
        pt_guest g;
        char path[512];
        if (!pt_generate(o.seed, guest, &g) || !write_reproducer(&o, &g, guest, path, sizeof path)) {
            fprintf(stderr, "proptest: cannot write the guest to %s\n", o.out);
            pt_env_free(env);
            return 2;
        }
        printf("guest %llu of seed %llu: %s\n", (unsigned long long)guest, (unsigned long long)o.seed, path);
        rc = replay(&o, env, path, g.kind, g.slice, g.slot);
        pt_guest_free(&g);
        pt_env_free(env);
        return rc;
    }

    totals t = { .digest = 0xcbf29ce484222325ull };
    char list[512];
    printf("proptest: seed %llu, %llu guests from %llu, configurations %s, %d VMs each (a rogue and %d known-good)\n",
           (unsigned long long)o.seed, (unsigned long long)o.n, (unsigned long long)o.first,
           config_list(&o, list, sizeof list),
           PT_NVMS, PT_NVMS - 1);
    fflush(stdout);
    rc = run_all(&o, env, &t);
    pt_env_free(env);
    if (rc)
        return rc;
    printf("proptest: %llu guests ran (%llu kernels, %llu user programs): %llu runs, %llu determinism "
           "reruns, %llu with every turn checked\n",
           (unsigned long long)t.guests, (unsigned long long)t.kernels, (unsigned long long)t.users,
           (unsigned long long)t.runs, (unsigned long long)t.reruns, (unsigned long long)t.deep);
    printf("proptest: rogues ended halted %llu, failed %llu, still running %llu (in the last "
           "configuration); images refused %llu; %llu real instructions, %llu rogue exits\n",
           (unsigned long long)t.halted, (unsigned long long)t.failed, (unsigned long long)t.running,
           (unsigned long long)t.refused, (unsigned long long)t.insns, (unsigned long long)t.exits);
    printf("proptest: trace digest 0x%016llx\n", (unsigned long long)t.digest);
    printf("proptest: %llu violations\n", (unsigned long long)t.nviol);
    return t.nviol ? 1 : 0;
}
