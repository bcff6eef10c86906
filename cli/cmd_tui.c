/*
 * cmd_tui.c -- 'traplab tui': open a program in the terminal UI, on the bare
 * machine (and, once the hypervisor is built in, under it).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lang.h"
#include "machine/machine.h"
#include "tui/model.h"
#include "tui/target_vmm.h"
#include "tui/view.h"

static void usage(FILE *out)
{
    fprintf(out,
        TR("usage: traplab tui PROGRAM.s|IMAGE [options]\n"
        "       traplab tui --guest KERNEL --program WORKLOAD[,WORKLOAD...] [--vms N]\n"
        "                   [--host type1|type2|type2-user] [--design NAME] [options]\n"
        "\n"
        "Step through a program and its traps in a terminal UI: registers, code\n"
        "with source lines, memory, the trap log with an explanation of each trap,\n"
        "statistics.  Keys: s step, n next, t run to the next trap (or violation),\n"
        "c continue, b breakpoint, r step back, R back to the previous trap, v next VM,\n"
        "g go to (symbol, sym+N, address), Tab focus, m memory view, e the whole\n"
        "explanation, L language, T tasks, : command line (break, watch, set, examine,\n"
        "info, delete, source, save; 'help' lists them), C reverse continue, w save\n"
        "a snapshot, ? help, q quit.\n"
        "\n"
        "The second form runs the guest kernel with the workloads in VMs under the\n"
        "trap-and-emulate hypervisor and logs every VM exit (KERNEL and WORKLOAD as\n"
        "for 'traplab vm': short names such as kernel, cpu, io, or paths).\n"
        "\n"
        "options:\n"
        "  --guest KERNEL            the guest kernel (hypervisor mode); give it again for\n"
        "                            another kernel: VM i runs guest i modulo their number\n"
        "  --vm N:guest=KERNEL       VM N (from 0) runs its own kernel (a rogue one beside good ones)\n"
        "  --program W[,W...]        the workloads; VM i runs workload i modulo their number\n"
        "  --vms N                   number of VMs (default: one per workload)\n"
        "  --host type1|type2        hosting model (default type1)\n"
        "  --design NAME             full (default), para, bt, hw or hw-shadow: the design\n"
        "  --cpu NAME                p4, core2, sandybridge: VM exit and entry costs of\n"
        "                            that VT-x generation (docs/costs.md)\n"
        "  --para                    the same as --design para: paravirtualized guests\n"
        "                            (assembled with PARAVIRT defined)\n"
        "  --profile strict|legacy   ISA profile (default strict)\n"
        "  --lang es|en              language of the explanations (default: from LANG)\n"
        "  --tasks FILE              a Tasks pane with FILE (UTF-8 text; a first line '# Title'\n"
        "                            is its title); T shows or hides it ('traplab lab run')\n"
        "  --mem BYTES               physical memory (default 16 MiB)\n"
        "  -x, --source FILE         run FILE's debugger commands as the UI opens (break, watch, ...)\n"
        "  --ascii                   ASCII line drawing\n"
        "  --mono                    no colour (NO_COLOR does the same)\n"
        "  -h, --help                this help\n"));
}

static const char *source_file;     /* --source FILE: commands to run as the UI opens */

/* The Tasks pane's text and the --source commands, before curses starts, so
 * that errors stay readable. */
static bool add_tasks(tui_model *m, const char *path)
{
    if (source_file && !tui_command_source(m, source_file)) {
        fprintf(stderr, "traplab tui: --%s\n", m->status);
        return false;
    }
    char err[PATH_MAX + 200];
    if (!path || tui_model_load_tasks(m, path, err, sizeof err))
        return true;
    fprintf(stderr, "traplab tui: --tasks %s\n", err);
    return false;
}

#ifdef TUI_HAVE_VMM
/* The guest kernels: --guest K (repeatable: VM i runs guest i modulo their
 * number) and --vm N:guest=K (VM N's own). */
typedef struct {
    const char *names[VMM_MAX_VMS];
    size_t n;
    const char *vm_guest[VMM_MAX_VMS];   /* from --vm N:guest=K; NULL: from --guest */
} guest_list;

static int run_vmm(const guest_list *gl, const char *programs, uint32_t nvms, const char *host,
                   vmm_design design, isa_profile profile, tui_lang lang, const char *tasks,
                   const tui_view_options *vopt, const char *cpu)
{
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.profile = profile;
    cfg.design = design;
    char cerr[160];
    char ces[256];
    if (cpu && !vmm_apply_cpu_profile(&cfg, cpu, cerr, sizeof cerr))
        return cli_usage_error("tui", "--cpu: %s", cli_tr_line(cerr, ces, sizeof ces));
    if (host && !vmm_parse_host(host, &cfg.host))
        return cli_usage_error("tui", TR("unknown host '%s' (type1 or type2)"), host);
    char list[512];
    snprintf(list, sizeof list, "%s", programs);
    const char *names[VMM_MAX_VMS];
    size_t nprog = 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        if (nprog == VMM_MAX_VMS)
            return cli_usage_error("tui", TR("at most %d workloads"), VMM_MAX_VMS);
        names[nprog++] = tok;
    }
    if (nprog == 0)
        return cli_usage_error("tui", TR("--program needs at least one workload"));
    cfg.nvms = nvms ? nvms : (uint32_t)nprog;
    for (unsigned i = cfg.nvms; i < VMM_MAX_VMS; i++)
        if (gl->vm_guest[i])
            return cli_usage_error("tui", TR("--vm %u:guest=%s: there are only %u VMs (numbered from 0; "
                                   "--vms N gives more)"), i, gl->vm_guest[i], cfg.nvms);
    /* Kernels and programs alike, as the design builds its guests. */
    const char *defines[1];
    size_t ndef = vmm_design_defines(design, NULL, 0, defines, 1);

    /* One image per distinct kernel name; kernel_of says which one VM i runs. */
    const char *knames[VMM_MAX_VMS];
    unsigned kernel_of[VMM_MAX_VMS];
    size_t nk = 0;
    for (unsigned i = 0; i < cfg.nvms; i++) {
        const char *k = gl->vm_guest[i] ? gl->vm_guest[i] : gl->names[i % gl->n];
        size_t j = 0;
        while (j < nk && strcmp(knames[j], k) != 0)
            j++;
        if (j == nk)
            knames[nk++] = k;
        kernel_of[i] = (unsigned)j;
    }
    image kimg[VMM_MAX_VMS], pimg[VMM_MAX_VMS];
    size_t loaded = 0, kloaded = 0;
    int rc = EXIT_FAIL;
    for (; kloaded < nk; kloaded++)
        if (!cli_load_kernel("tui", knames[kloaded], NULL, 0, design, &kimg[kloaded]))
            goto out;
    for (; loaded < nprog; loaded++)
        if (!cli_load_guest("tui", names[loaded], defines, ndef, &pimg[loaded]))
            goto out;
    char err[256];
    void *t = tui_vmm_target_new_guests(&cfg, kimg, nk, kernel_of, knames, pimg, names, nprog,
                                        err, sizeof err);
    if (!t) {
        fprintf(stderr, "traplab tui: %s\n", err);
        goto out;
    }
    tui_model *m = tui_model_new(&tui_vmm_target_ops, t, NULL, lang, TUI_VMM_CK_BUDGET);
    if (!m) {
        fprintf(stderr, TR("traplab tui: out of memory\n"));
        tui_vmm_target_ops.destroy(t);
        goto out;
    }
    rc = !add_tasks(m, tasks) || tui_view_run(m, vopt) ? EXIT_FAIL : EXIT_OK;
    tui_model_free(m);
out:
    for (size_t i = 0; i < kloaded; i++)
        image_free(&kimg[i]);
    for (size_t i = 0; i < loaded; i++)
        image_free(&pimg[i]);
    return rc;
}
#else
typedef struct { const char *names[16]; size_t n; const char *vm_guest[16]; } guest_list;
static int run_vmm(const guest_list *guest, const char *programs, uint32_t nvms, const char *host,
                   vmm_design design, isa_profile profile, tui_lang lang, const char *tasks,
                   const tui_view_options *vopt, const char *cpu)
{
    (void)guest; (void)programs; (void)nvms; (void)host; (void)design; (void)profile;
    (void)lang; (void)tasks; (void)vopt; (void)cpu;
    fprintf(stderr, TR("traplab tui: this traplab is built without the hypervisor\n"));
    return EXIT_FAIL;
}
#endif

int cmd_tui(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "profile", required_argument, NULL, 'p' },
        { "lang",    required_argument, NULL, 'l' },
        { "mem",     required_argument, NULL, 'M' },
        { "ascii",   no_argument,       NULL, 'a' },
        { "mono",    no_argument,       NULL, 'o' },
        { "guest",   required_argument, NULL, 'G' },
        { "program", required_argument, NULL, 'P' },
        { "vms",     required_argument, NULL, 'N' },
        { "host",    required_argument, NULL, 'H' },
        { "para",    no_argument,       NULL, 'V' },
        { "design",  required_argument, NULL, 'd' },
        { "cpu",     required_argument, NULL, 'Q' },
        { "tasks",   required_argument, NULL, 'T' },
        { "vm",      required_argument, NULL, 'W' },
        { "source",  required_argument, NULL, 'x' },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    machine_config cfg;
    machine_default_config(&cfg);
    tui_lang lang = cli_lang();
    tui_view_options vopt = { 0 };
    guest_list gl = { 0 };
    const char *guest = NULL, *programs = NULL, *host = NULL, *tasks = NULL, *cpu = NULL;
    uint32_t nvms = 0;
    vmm_design design = VMM_DESIGN_FULL;
    const char *design_opt = NULL;
    char design_buf[32], derr[160];
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hx:", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!isa_parse_profile(optarg, &cfg.profile))
                return cli_usage_error("tui", TR("unknown profile '%s' (strict or legacy)"), optarg);
            break;
        case 'l':
            if (!cli_set_lang_name(optarg))
                return cli_usage_error("tui", TR("unknown language '%s' (es or en)"), optarg);
            lang = cli_lang();
            break;
        case 'M':
            if (!cli_parse_u32(optarg, &cfg.mem_size) || cfg.mem_size == 0 || cfg.mem_size % PAGE_SIZE)
                return cli_usage_error("tui", TR("--mem needs a multiple of 4096 from 4096 to %u, not '%s'"),
                                       UINT32_MAX & ~(uint32_t)(PAGE_SIZE - 1), optarg);
            break;
        case 'G':
            if (gl.n == VMM_MAX_VMS)
                return cli_usage_error("tui", TR("at most %d --guest kernels"), VMM_MAX_VMS);
            if (strchr(optarg, ',') && access(optarg, F_OK) != 0)
                return cli_usage_error("tui", TR("--guest takes one kernel, not a list ('%s'): give one "
                                       "--guest per kernel (VM i runs guest i), e.g. --guest kernel "
                                       "--guest rogue.s, or one VM's own with --vm 1:guest=rogue.s"), optarg);
            guest = gl.names[gl.n++] = optarg;
            break;
        case 'W': {
            /* --vm N:guest=KERNEL */
            char *end;
            unsigned long i = strtoul(optarg, &end, 10);
            if (end == optarg || strncmp(end, ":guest=", 7) != 0 || !end[7] || i >= VMM_MAX_VMS)
                return cli_usage_error("tui", TR("--vm needs N:guest=KERNEL with N from 0 to %d, not '%s'"),
                                       VMM_MAX_VMS - 1, optarg);
            gl.vm_guest[i] = end + 7;
            break;
        }
        case 'P': programs = optarg; break;
        case 'H': host = optarg; break;
        case 'V':
        case 'd': {
            vmm_design d = VMM_DESIGN_PARA;
            char des[256];
            if (c == 'd' && !vmm_parse_design(optarg, &d, derr, sizeof derr))
                return cli_usage_error("tui", TR("--design: %s"), cli_tr_line(derr, des, sizeof des));
            if (design_opt && d != design)
                return cli_usage_error("tui", TR("%s and --design %s contradict each other"),
                                       design_opt, vmm_design_name(d));
            design = d;
            snprintf(design_buf, sizeof design_buf, c == 'V' ? "--para" : "--design %s",
                     vmm_design_name(d));
            design_opt = design_buf;
            break;
        }
        case 'T': tasks = optarg; break;
        case 'Q': {
            vmm_config probe;
            vmm_default_config(&probe);
            char des[256];
            if (!vmm_apply_cpu_profile(&probe, optarg, derr, sizeof derr))
                return cli_usage_error("tui", "--cpu: %s", cli_tr_line(derr, des, sizeof des));
            cpu = optarg;
            break;
        }
        case 'x': source_file = optarg; break;
        case 'N':
            if (!cli_parse_u32(optarg, &nvms) || nvms < 1 || nvms > 16)
                return cli_usage_error("tui", TR("--vms needs a number from 1 to 16, not '%s'"), optarg);
            break;
        case 'a': vopt.ascii = true; break;
        case 'o': vopt.mono = true; break;
        case 'h': usage(stdout); return EXIT_OK;
        default:  return cli_option_error("tui", c, argv);
        }
    }
    for (size_t i = 0; !guest && i < VMM_MAX_VMS; i++)
        if (gl.vm_guest[i])
            return cli_usage_error("tui", TR("--vm N:guest=KERNEL gives one VM its own kernel: the others "
                                   "need --guest KERNEL too"));
    bool vmm_mode = guest || programs || nvms || host || design_opt || cpu;
    if (vmm_mode) {
        if (!guest || !programs)
            return cli_usage_error("tui", TR("the hypervisor needs both --guest KERNEL and --program WORKLOAD"));
        if (optind != argc)
            return cli_usage_error("tui", TR("give either PROGRAM or --guest/--program, not both"));
    } else if (optind != argc - 1) {
        return cli_usage_error("tui", optind >= argc ? TR("missing PROGRAM") : TR("one PROGRAM only"));
    }

    for (size_t i = 0; vmm_design_guest_define(design) && i < VMM_MAX_VMS; i++) {
        const char *k = i < gl.n ? gl.names[i] : gl.vm_guest[i];
        if (k && cli_guest_is_image(k))
            return cli_usage_error("tui", TR("%s needs the kernel's source (.s): '%s' is an image, "
                                   "already assembled"), design_opt, k);
    }

    /* Fail before loading anything: a UI without a terminal is a usage error. */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, TR("traplab tui: standard input and output must be a terminal "
                        "(use 'traplab run' or 'traplab vm' for a batch run)\n"));
        return EXIT_USAGE;
    }
    const char *term = getenv("TERM");
    if (!term || !*term || strcmp(term, "dumb") == 0) {
        fprintf(stderr, TR("traplab tui: the terminal (TERM=%s) cannot move the cursor; "
                        "run it in a terminal emulator such as xterm\n"), term ? term : "");
        return EXIT_USAGE;
    }
    if (vmm_mode)
        return run_vmm(&gl, programs, nvms, host, design, cfg.profile, lang, tasks, &vopt, cpu);
    const char *path = argv[optind];

    char err[256];
    image img;
    if (!tui_open_program(path, &img, err, sizeof err)) {
        fprintf(stderr, "traplab tui: %s\n", err);
        image_free(&img);
        return EXIT_FAIL;
    }
    machine *mach = machine_new(&cfg);
    if (!mach) {
        fprintf(stderr, TR("traplab tui: cannot create the machine (out of memory?)\n"));
        image_free(&img);
        return EXIT_FAIL;
    }
    if (!tui_load_image(mach, &img, err, sizeof err)) {
        fprintf(stderr, "traplab tui: %s: %s\n", path, err);
        image_free(&img);
        machine_free(mach);
        return EXIT_FAIL;
    }
    void *target = tui_bare_target_new(mach);
    tui_model *m = target ? tui_model_new(&tui_bare_target_ops, target, &img, lang, 0) : NULL;
    if (!m) {
        fprintf(stderr, TR("traplab tui: out of memory\n"));
        if (target)
            tui_bare_target_ops.destroy(target);
        else
            machine_free(mach);
        image_free(&img);
        return EXIT_FAIL;
    }
    int rc = !add_tasks(m, tasks) || tui_view_run(m, &vopt);
    tui_model_free(m);
    return rc ? EXIT_FAIL : EXIT_OK;
}
