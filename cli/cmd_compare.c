/*
 * cmd_compare.c -- `traplab compare`: the same guest workloads natively,
 * under full virtualization (the unmodified kernel, trap-and-emulate),
 * binary translation and paravirtualization (the kernel assembled with
 * PARAVIRT) -- each design a value of vmm_config -- on a
 * Type-1 and a Type-2 host; one table of simulated cycles, overhead, exits
 * per thousand guest instructions and top exit causes, and a bar chart.
 * Everything is simulated time, so the table is the same on every run.
 * docs/compare.md puts the default table beside the published numbers.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "cli/cli.h"
#include "cli/lang.h"
#include "cli/json.h"
#include "cli/plot.h"
#include "vmm/vmm.h"

#define MAX_WORKLOADS 8
#define MAX_DEFINES CLI_MAX_DEFINES
#define MAX_STEPS 2000000000ull
#define NTOP 3
/* 100 Hz, the HZ of the Linux 2.4 kernels the 2003 measurements ran; and
 * six million rounds, so the cpu-bound row measures computation rather
 * than the boot's console output (docs/compare.md). */
#define DEFAULT_TICK "TICK=10000000"
#define DEFAULT_CPU_ITERS "ITERS=6000000"

/* A row's design: native (no VMM) or one of the VMM's. */
typedef struct {
    bool native;
    vmm_design d;
} design;

static const char *design_name(design d) { return d.native ? "native" : vmm_design_name(d.d); }

/* The designs compare runs by default, in this order on each host (after
 * native); a design not built into this traplab is left out. */
static const vmm_design default_designs[] = { VMM_DESIGN_FULL, VMM_DESIGN_BT, VMM_DESIGN_HW,
                                              VMM_DESIGN_PARA };

typedef struct {
    const char *workload;
    design d;
    const char *host;             /* "-" for native */
    bool ok;                      /* halted, and the same console output as native */
    uint64_t cycles, native, insns, exits, hypercalls, replaced;
    double overhead;              /* cycles / native - 1 */
    double exits_per_k;
    unsigned top[NTOP];           /* causes, by count; ISA_NUM_CAUSES = none */
    uint64_t top_n[NTOP];
} row;

static void help(void)
{
    printf(TR("usage: traplab compare [options]\n\n"
           "Runs each workload natively, under full virtualization (the unmodified guest\n"
           "kernel, trap-and-emulate), under binary translation (the unmodified kernel's code\n"
           "translated, bt), under hardware-assisted virtualization (the unmodified kernel in\n"
           "guest mode, nested paging, hw; without nested paging, as the first VT-x, hw-shadow)\n"
           "and under paravirtualization (the same kernel\n"
           "assembled with -D PARAVIRT: hypercalls), on a Type-1 and a Type-2 host, and prints\n"
           "simulated\n"
           "cycles, the overhead against native, exits per 1000 guest instructions, the top\n"
           "exit causes and a bar chart.  Deterministic: simulated time only.\n\n"
           "  --workloads LIST  comma-separated: cpu, sys, io, mm (default all four), mix (a\n"
           "                    compiler-like mix of computation and kernel work) or .s files\n"
           "  --host LIST       type1,type2 (default both); also type2-user (every exit to\n"
           "                    the user-mode VMM process)\n"
           "  --designs LIST    which designs, in this order: full, bt, hw, para (the default)\n"
           "                    or hw-shadow (hw without nested paging); native always runs\n"
           "  --exit-on LIST    the hw design's extra exit controls (traplab vm --help)\n"
           "  --vms N           run N copies of each workload side by side (default 1); the\n"
           "                    overhead is against N native runs\n"
           "  --batch N         sectors (io) and pages (mm) per system call: 1, 2, 4 or 8\n"
           "                    (default 1); batching cuts exits, most of all paravirtualized\n"
           "  --cost NAME=VAL   set a cost parameter (repeatable; --list-costs names them)\n"
           "  --list-costs      print every cost parameter with its value and meaning\n"
           "  --cpu NAME        VM exit and entry costs of one VT-x generation: p4, core2,\n"
           "                    sandybridge or default (a later --cost overrides them)\n"
           "  --list-cpus       print the --cpu profiles and the costs each one sets\n"
           "  -D NAME[=VALUE]   define a symbol for every guest (defaults: %s for all,\n"
           "                    %s for cpu; a -D of the same name wins)\n"
           "  --json            one JSON object with every row on stdout\n"
           "  --csv             one CSV line per row on stdout\n"
           "  --plot FILE       also draw the overhead and exits per 1000 instructions of\n"
           "                    every workload, design and host into FILE.svg or FILE.png\n"
           "                    (with gnuplot; docs/compare.md)\n"
           "  -h, --help        this help\n\n"
           "Exit status: 0 when every run halted with the native output, 1 otherwise, 2 on a\n"
           "usage error.\n"), DEFAULT_TICK, DEFAULT_CPU_ITERS);
}

static unsigned long long U(uint64_t x) { return (unsigned long long)x; }

/* Is NAME (of "NAME=VALUE") among the defines? */
static bool defined(const char *const *defs, size_t n, const char *assign)
{
    size_t len = strcspn(assign, "=");
    for (size_t i = 0; i < n; i++)
        if (strncmp(defs[i], assign, len) == 0 && (defs[i][len] == '=' || defs[i][len] == '\0'))
            return true;
    return false;
}

static void top_causes(const vmm_stats *s, row *r)
{
    for (unsigned k = 0; k < NTOP; k++) {
        r->top[k] = ISA_NUM_CAUSES;
        r->top_n[k] = 0;
    }
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++) {
        uint64_t n = s->exits_by_cause[c];
        for (unsigned k = 0; k < NTOP; k++)
            if (n > r->top_n[k]) {
                memmove(&r->top[k + 1], &r->top[k], (NTOP - 1 - k) * sizeof r->top[0]);
                memmove(&r->top_n[k + 1], &r->top_n[k], (NTOP - 1 - k) * sizeof r->top_n[0]);
                r->top[k] = c;
                r->top_n[k] = n;
                break;
            }
    }
}

/* One virtualized run: nvms copies of prog on kernel; false on a setup error. */
static bool run_vmm(const vmm_config *cfg, const image *kernel, const image *prog,
                    const char *native_out, size_t native_len, row *r)
{
    char err[256];
    vmm *v = vmm_new(cfg, err, sizeof err);
    if (!v) {
        fprintf(stderr, "traplab compare: %s\n", err);
        return false;
    }
    for (unsigned i = 0; i < cfg->nvms; i++)
        if (!vmm_load(v, i, kernel, prog, err, sizeof err)) {
            fprintf(stderr, "traplab compare: %s: %s\n", r->workload, err);
            vmm_free(v);
            return false;
        }
    machine_stop s = vmm_run(v, MAX_STEPS);
    r->ok = s == STOP_HALT;
    for (unsigned i = 0; i < cfg->nvms; i++) {
        size_t n;
        const char *o = vmm_console(v, i, &n);
        if (vmm_vm_state_of(v, i) != VM_HALTED || n != native_len || memcmp(o, native_out, n) != 0)
            r->ok = false;
    }
    vmm_stats st;
    vmm_total_stats(v, &st);
    r->cycles = st.guest_cycles + st.vmm_cycles + st.host_cycles;
    r->insns = st.guest_insns;
    r->exits = st.exits;
    r->hypercalls = st.hypercalls;
    r->replaced = st.hc_replaced;
    top_causes(&st, r);
    vmm_free(v);
    return true;
}

static void finish_row(row *r)
{
    r->overhead = r->native ? (double)r->cycles / (double)r->native - 1.0 : 0.0;
    r->exits_per_k = r->insns ? 1000.0 * (double)r->exits / (double)r->insns : 0.0;
}

static void causes_text(const row *r, char *buf, size_t n, const char *sep, const char *eq)
{
    buf[0] = '\0';
    size_t used = 0;
    for (unsigned k = 0; k < NTOP && r->top[k] < ISA_NUM_CAUSES; k++) {
        int w = snprintf(buf + used, n - used, "%s%s%s%llu", k ? sep : "", isa_cause_name(r->top[k]),
                         eq, U(r->top_n[k]));
        if (w < 0 || (size_t)w >= n - used)
            break;
        used += (size_t)w;
    }
}

static void print_table(const row *rows, size_t n, unsigned nvms)
{
    /* Workloads may be long paths: the first column is as wide as the longest. */
    int ww = 8, hw = 6;     /* and the host column as wide as type2-user when it is there */
    int dw = 7;             /* and the design's as wide as hw-shadow when it is there */
    for (size_t i = 0; i < n; i++) {
        if ((int)strlen(design_name(rows[i].d)) > dw)
            dw = (int)strlen(design_name(rows[i].d));
        if ((int)strlen(rows[i].workload) > ww)
            ww = (int)strlen(rows[i].workload);
        if ((int)strlen(rows[i].host) > hw)
            hw = (int)strlen(rows[i].host);
    }
    const char *wh = TR("workload"), *hh = TR("host"), *dh = TR("design");
    ww = cli_columns(wh) > ww ? cli_columns(wh) : ww;
    hw = cli_columns(hh) > hw ? cli_columns(hh) : hw;
    for (size_t i = 0; i < n; i++)
        if (cli_columns(TR(design_name(rows[i].d))) > dw)
            dw = cli_columns(TR(design_name(rows[i].d)));
    dw = cli_columns(dh) > dw ? cli_columns(dh) : dw;
    printf("%-*s %-*s %-*s %*s %*s %*s %*s  %s\n", cli_width(wh, ww), wh, cli_width(dh, dw),
           dh, cli_width(hh, hw), hh, cli_width(TR("cycles"), 14), TR("cycles"),
           cli_width(TR("overhead"), 10), TR("overhead"), cli_width(TR("exits"), 9), TR("exits"),
           cli_width(TR("exits/1k"), 11), TR("exits/1k"), TR("top exit causes"));
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        char ov[32], causes[128];
        if (r->d.native)
            snprintf(ov, sizeof ov, "-");
        else
            snprintf(ov, sizeof ov, "%+.1f%%", 100.0 * r->overhead);
        causes_text(r, causes, sizeof causes, ", ", " ");
        /* No trailing blanks on a native row, which has no causes. */
        const char *dn = TR(design_name(r->d));
        printf("%-*s %-*s %-*s %14llu %10s %9llu %11.3f%s%s%s\n", ww, r->workload, cli_width(dn, dw), dn,
               hw, r->host, U(r->cycles), ov, U(r->exits), r->exits_per_k, causes[0] ? "  " : "", causes,
               r->ok ? "" : TR("  [OUTPUT DIFFERS FROM NATIVE]"));
    }
    if (nvms > 1)
        printf(TR("(%u VMs per run; native is %u runs one after the other)\n"), nvms, nvms);
    /* The chart: cycles against the slowest run of the same workload. */
    printf(TR("\ncycles, against the slowest configuration of each workload\n"));
    for (size_t i = 0; i < n; i++) {
        uint64_t max = 1;
        for (size_t j = 0; j < n; j++)
            if (strcmp(rows[j].workload, rows[i].workload) == 0 && rows[j].cycles > max)
                max = rows[j].cycles;
        if (i == 0 || strcmp(rows[i - 1].workload, rows[i].workload) != 0)
            printf("%s\n", rows[i].workload);
        char label[32];
        snprintf(label, sizeof label, "%s %s", TR(design_name(rows[i].d)),
                 rows[i].d.native ? "" : rows[i].host);
        unsigned len = (unsigned)(50.0 * (double)rows[i].cycles / (double)max + 0.5);
        if (len == 0 && rows[i].cycles)
            len = 1;
        printf("  %-13s |", label);
        for (unsigned k = 0; k < len; k++)
            putchar('#');
        if (rows[i].d.native)
            printf(TR(" native\n"));
        else
            printf(" %+.1f%%\n", 100.0 * rows[i].overhead);
    }
}

static void print_json(const row *rows, size_t n, unsigned nvms, unsigned batch)
{
    printf("{\"vms\": %u, \"batch\": %u, \"rows\": [", nvms, batch);
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        printf("%s\n  {\"workload\": ", i ? "," : "");
        cli_json_string(stdout, r->workload, strlen(r->workload));
        printf(", \"design\": \"%s\", \"host\": \"%s\", \"ok\": %s, \"cycles\": %llu, "
               "\"native_cycles\": %llu, \"overhead\": %.6f, \"guest_instructions\": %llu, "
               "\"exits\": %llu, \"exits_per_1k_insns\": %.4f, \"hypercalls\": %llu, "
               "\"exits_replaced\": %llu, \"top_exit_causes\": {",
               design_name(r->d), r->host, r->ok ? "true" : "false", U(r->cycles), U(r->native),
               r->overhead, U(r->insns), U(r->exits), r->exits_per_k, U(r->hypercalls),
               U(r->replaced));
        for (unsigned k = 0; k < NTOP && r->top[k] < ISA_NUM_CAUSES; k++)
            printf("%s\"%s\": %llu", k ? ", " : "", isa_cause_name(r->top[k]), U(r->top_n[k]));
        printf("}}");
    }
    printf("\n]}\n");
}

static void print_csv(const row *rows, size_t n)
{
    printf("workload,design,host,ok,cycles,native_cycles,overhead,guest_instructions,exits,"
           "exits_per_1k_insns,hypercalls,exits_replaced,top_exit_causes\n");
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        char causes[128];
        causes_text(r, causes, sizeof causes, ";", ":");
        /* Workload names are file names: quote them in case of a comma. */
        printf("\"%s\",%s,%s,%s,%llu,%llu,%.6f,%llu,%llu,%.4f,%llu,%llu,%s\n", r->workload,
               design_name(r->d), r->host, r->ok ? "true" : "false", U(r->cycles), U(r->native),
               r->overhead, U(r->insns), U(r->exits), r->exits_per_k, U(r->hypercalls),
               U(r->replaced), causes);
    }
}

/* ---- parse ------------------------------------------------------------------------------ */
typedef struct {
    vmm_config cfg;
    const char *user_defs[MAX_DEFINES];
    size_t nuser;
    unsigned batch;
    bool json, csv, help, list, list_cpus;
    const char *plot;                /* --plot FILE.svg|FILE.png */
    vmm_host hosts[2];
    size_t nhosts;
    vmm_design designs[VMM_DESIGN_COUNT];
    size_t ndesigns;
    char *wbuf;                      /* the workloads, split in place into wl */
    const char *wl[MAX_WORKLOADS];
    size_t nwl;
} cmp_args;

static int parse_hosts(const char *host_arg, cmp_args *a)
{
    char hbuf[64];
    if (strlen(host_arg) >= sizeof hbuf)
        return cli_usage_error("compare", TR("--host takes type1, type2 or both, not '%s'"), host_arg);
    snprintf(hbuf, sizeof hbuf, "%s", host_arg);
    const char *hnames[MAX_WORKLOADS];
    size_t nh = 0;
    if (!cli_split_list("compare", hbuf, host_arg, "host", hnames, MAX_WORKLOADS, &nh, true))
        return EXIT_USAGE;
    for (size_t k = 0; k < nh; k++) {
        vmm_host h;
        if (!vmm_parse_host(hnames[k], &h))
            return cli_usage_error("compare", TR("unknown host '%s' (type1 or type2)"), hnames[k]);
        for (size_t i = 0; i < a->nhosts; i++)
            if (a->hosts[i] == h)
                return cli_usage_error("compare", TR("host %s given twice in '%s'"), vmm_host_name(h),
                                       host_arg);
        a->hosts[a->nhosts++] = h;
    }
    return EXIT_OK;
}

/* --designs full,bt,...: which designs run, in that order (native always does). */
static int parse_designs(const char *arg, cmp_args *a)
{
    char buf[64];
    if (strlen(arg) >= sizeof buf)
        return cli_usage_error("compare", TR("--designs takes a list of designs, not '%s'"), arg);
    snprintf(buf, sizeof buf, "%s", arg);
    const char *names[VMM_DESIGN_COUNT + 1];
    size_t n = 0;
    if (!cli_split_list("compare", buf, arg, "design", names, VMM_DESIGN_COUNT + 1, &n, true))
        return EXIT_USAGE;
    char err[160], es[256];
    for (size_t k = 0; k < n; k++) {
        if (strcmp(names[k], "native") == 0)
            continue;                       /* the reference row is always there */
        vmm_design d;
        if (!vmm_parse_design(names[k], &d, err, sizeof err))
            return cli_usage_error("compare", TR("--designs: %s"), cli_tr_line(err, es, sizeof es));
        a->designs[a->ndesigns++] = d;
    }
    return EXIT_OK;
}

static int parse_args(int argc, char **argv, cmp_args *a)
{
    static const struct option opts[] = {
        { "workloads", required_argument, NULL, 'w' },
        { "host", required_argument, NULL, 'H' },
        { "designs", required_argument, NULL, 'E' },
        { "exit-on", required_argument, NULL, 'X' },
        { "vms", required_argument, NULL, 'v' },
        { "batch", required_argument, NULL, 'b' },
        { "cost", required_argument, NULL, 'c' },
        { "list-costs", no_argument, NULL, 'L' },
        { "cpu", required_argument, NULL, 'Q' },
        { "list-cpus", no_argument, NULL, 'K' },
        { "define", required_argument, NULL, 'D' },
        { "json", no_argument, NULL, 'j' },
        { "csv", no_argument, NULL, 'C' },
        { "plot", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    vmm_default_config(&a->cfg);
    const char *wl_arg = "cpu,sys,io,mm", *host_arg = "type1,type2", *designs_arg = NULL;
    a->batch = 1;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hD:", opts, NULL)) != -1) {
        switch (c) {
        case 'w': wl_arg = optarg; break;
        case 'H': host_arg = optarg; break;
        case 'E': designs_arg = optarg; break;
        case 'b':
            if (!cli_parse_u32(optarg, &a->batch) ||
                (a->batch != 1 && a->batch != 2 && a->batch != 4 && a->batch != 8))
                return cli_usage_error("compare", TR("--batch needs 1, 2, 4 or 8, not '%s'"), optarg);
            break;
        case 'j': a->json = true; break;
        case 'C': a->csv = true; break;
        case 'P':
            if (!cli_plot_check_path("compare", optarg))
                return EXIT_USAGE;
            a->plot = optarg;
            break;
        case 'L': a->list = true; break;
        case 'K': a->list = a->list_cpus = true; break;
        case 'h': a->help = true; return EXIT_OK;
        default: {
            int rc = cli_vmm_option("compare", c, optarg, &a->cfg, a->user_defs, &a->nuser);
            if (rc < 0)
                return cli_option_error("compare", c, argv);
            if (rc != EXIT_OK)
                return rc;
        }
        }
    }
    if (optind < argc)
        return cli_usage_error("compare", TR("unexpected argument '%s'"), argv[optind]);
    if (a->json && a->csv)
        return cli_usage_error("compare", TR("choose one of --json and --csv"));
    int rc = parse_hosts(host_arg, a);
    if (rc != EXIT_OK)
        return rc;
    if (designs_arg && (rc = parse_designs(designs_arg, a)) != EXIT_OK)
        return rc;
    for (size_t i = 0; !designs_arg && i < sizeof default_designs / sizeof default_designs[0]; i++)
        if (vmm_design_available(default_designs[i]))
            a->designs[a->ndesigns++] = default_designs[i];

    a->wbuf = strdup(wl_arg);
    if (!a->wbuf)
        return EXIT_FAIL;
    if (!cli_split_list("compare", a->wbuf, wl_arg, "workload", a->wl, MAX_WORKLOADS, &a->nwl, true))
        return EXIT_USAGE;
    for (size_t w = 0; w < a->nwl; w++)
        if (a->nuser && cli_guest_is_image(a->wl[w]))
            return cli_usage_error("compare", TR("-D needs the workload's source (.s): '%s' is an "
                                   "image, already assembled"), a->wl[w]);
    return EXIT_OK;
}

/* ---- run -------------------------------------------------------------------------------- */
typedef struct {
    const char *kdefs[MAX_DEFINES + 3];     /* the user's defines, then the defaults */
    size_t nk;
    char batch_def[32];
    image kimg[VMM_DESIGN_COUNT];           /* the kernel as each design runs it */
    row *rows;
    size_t nrows;
    bool all_ok;
} cmp_run;

/* The workload's defines: the kernel's, then the workload's own defaults. */
static size_t workload_defines(const cmp_args *a, const cmp_run *r, const char *wl, const char **out)
{
    size_t n = r->nk;
    memcpy(out, r->kdefs, r->nk * sizeof *r->kdefs);
    if (strcmp(wl, "cpu") == 0 && !defined(a->user_defs, a->nuser, DEFAULT_CPU_ITERS))
        out[n++] = DEFAULT_CPU_ITERS;
    if ((strcmp(wl, "io") == 0 || strcmp(wl, "mm") == 0) && !defined(a->user_defs, a->nuser, "BATCH"))
        out[n++] = r->batch_def;
    return n;
}

/* One workload: the native row, then each host and design; false on a setup error. */
static bool run_workload(const cmp_args *a, cmp_run *r, const char *wl)
{
    const char *wdefs[MAX_DEFINES + 3];
    size_t nw = workload_defines(a, r, wl, wdefs);
    image pimg;
    if (!cli_load_guest("compare", wl, wdefs, nw, &pimg))
        return false;
    vmm_native_result nr;
    char err[256];
    bool ok = vmm_run_native(&a->cfg, &r->kimg[VMM_DESIGN_FULL], &pimg, MAX_STEPS, &nr, err, sizeof err);
    if (!ok || nr.stop != STOP_HALT) {
        fprintf(stderr, TR("traplab compare: %s: the native run failed: %s\n"), wl,
                ok ? (nr.reason[0] ? cli_tr_line(nr.reason, err, sizeof err) : machine_stop_name(nr.stop)) : err);
        if (ok)
            vmm_native_result_free(&nr);
        image_free(&pimg);
        return false;
    }
    uint64_t native = nr.cycles * a->cfg.nvms;
    row *rw = &r->rows[r->nrows++];
    *rw = (row){ .workload = wl, .d = { .native = true }, .host = "-", .ok = true, .cycles = native,
                 .native = native, .insns = nr.instret * a->cfg.nvms };
    top_causes(&(vmm_stats){ 0 }, rw);
    finish_row(rw);
    bool done = true;
    for (size_t h = 0; done && h < a->nhosts; h++)
        for (size_t k = 0; k < a->ndesigns; k++) {
            vmm_design d = a->designs[k];
            vmm_config hc = a->cfg;
            hc.host = a->hosts[h];
            hc.design = d;
            rw = &r->rows[r->nrows++];
            *rw = (row){ .workload = wl, .d = { .d = d }, .host = vmm_host_name(a->hosts[h]),
                         .native = native };
            const image *k = &r->kimg[vmm_design_guest_define(d) ? d : VMM_DESIGN_FULL];
            if (!run_vmm(&hc, k, &pimg, nr.console ? nr.console : "", nr.console_len, rw)) {
                done = false;
                break;
            }
            finish_row(rw);
            if (!rw->ok) {
                r->all_ok = false;
                fprintf(stderr, TR("traplab compare: %s, %s, %s: the run did not end with the "
                        "native output\n"), wl, vmm_design_name(d), rw->host);
            }
        }
    vmm_native_result_free(&nr);
    image_free(&pimg);
    return done;
}

static bool run_all(const cmp_args *a, cmp_run *r)
{
    /* Defines: the user's, then the defaults they do not override. */
    for (size_t i = 0; i < a->nuser; i++)
        r->kdefs[r->nk++] = a->user_defs[i];
    if (!defined(a->user_defs, a->nuser, DEFAULT_TICK))
        r->kdefs[r->nk++] = DEFAULT_TICK;
    snprintf(r->batch_def, sizeof r->batch_def, "BATCH=%u", a->batch);
    r->rows = calloc(a->nwl * (1 + a->ndesigns * a->nhosts), sizeof *r->rows);
    if (!r->rows)
        return false;
    /* The unmodified kernel (the native reference), and each design's own build. */
    if (!cli_load_kernel("compare", "kernel", r->kdefs, r->nk, VMM_DESIGN_FULL, &r->kimg[VMM_DESIGN_FULL]))
        return false;
    for (size_t k = 0; k < a->ndesigns; k++) {
        vmm_design d = a->designs[k];
        if (vmm_design_guest_define(d) &&
            !cli_load_kernel("compare", "kernel", r->kdefs, r->nk, d, &r->kimg[d]))
            return false;
    }
    r->all_ok = true;
    for (size_t w = 0; w < a->nwl; w++)
        if (!run_workload(a, r, a->wl[w]))
            return false;
    return true;
}

/* --plot: one cluster of bars per workload, one bar per design and host (native is the baseline). */
static bool plot_rows(const char *path, const row *rows, size_t n)
{
    cli_plot_bar *bars = calloc(n ? n : 1, sizeof *bars);
    char (*names)[48] = calloc(n ? n : 1, sizeof *names);
    size_t nb = 0;
    bool ok = bars && names;
    for (size_t i = 0; ok && i < n; i++) {
        if (rows[i].d.native)
            continue;
        snprintf(names[nb], sizeof names[nb], "%s, %s", design_name(rows[i].d), rows[i].host);
        bars[nb] = (cli_plot_bar){ rows[i].workload, names[nb], rows[i].overhead, rows[i].exits_per_k };
        nb++;
    }
    if (!ok)
        fprintf(stderr, "traplab compare: out of memory\n");
    else
        ok = cli_plot("compare", path, "traplab compare: simulated overhead against native, and VM exits", bars, nb);
    free(bars);
    free(names);
    return ok;
}

int cmd_compare(int argc, char **argv)
{
    cmp_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK || a.help || a.list) {
        if (rc == EXIT_OK && a.help)
            help();
        else if (rc == EXIT_OK && a.list_cpus)
            cli_list_cpus(&a.cfg);
        else if (rc == EXIT_OK)
            cli_list_costs(&a.cfg);       /* with any --cost already applied */
        free(a.wbuf);
        return rc;
    }
    cmp_run r;
    memset(&r, 0, sizeof r);
    for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++)
        image_init(&r.kimg[d]);
    rc = EXIT_FAIL;
    if (run_all(&a, &r)) {
        if (a.json)
            print_json(r.rows, r.nrows, a.cfg.nvms, a.batch);
        else if (a.csv)
            print_csv(r.rows, r.nrows);
        else
            print_table(r.rows, r.nrows, a.cfg.nvms);
        fflush(stdout);
        rc = r.all_ok ? EXIT_OK : EXIT_FAIL;
        if (a.plot && !plot_rows(a.plot, r.rows, r.nrows))
            rc = EXIT_FAIL;
    }
    for (unsigned d = 0; d < VMM_DESIGN_COUNT; d++)
        image_free(&r.kimg[d]);
    free(r.rows);
    free(a.wbuf);
    return rc;
}
