/*
 * cmd_vm.c -- `traplab vm`: run a guest kernel and its user program in one
 * or more VMs under the trap-and-emulate hypervisor, Type-1 or Type-2.
 * Same conventions as `traplab run`: stdout carries the guests' console
 * output (or, with --json, one JSON object); the trace, the statistics and
 * errors go to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "cli/cli.h"
#include "cli/json.h"
#include "vmm/vmm.h"

#define DEFAULT_MAX_STEPS 500000000ull
#define MAX_PROGRAMS VMM_MAX_VMS
#define MAX_DEFINES CLI_MAX_DEFINES

static void help(void)
{
    printf("usage: traplab vm --guest KERNEL --program WORKLOAD[,WORKLOAD...] [options]\n\n"
           "Runs the guest kernel KERNEL with the user program WORKLOAD in each VM under the\n"
           "trap-and-emulate hypervisor: the kernel runs deprivileged in ring 1, every\n"
           "privileged instruction traps and is emulated, user traps are reflected into the\n"
           "guest kernel, memory is virtualized with shadow page tables.  KERNEL and WORKLOAD\n"
           "are short names (kernel; cpu, sys, io, mm: guest/NAME.s) or paths to .s / .tlo\n"
           "files.  With several workloads, VM i runs workload i modulo their number.\n\n"
           "  --vms N           number of VMs, 1 to %d (default 1)\n"
           "  --host TYPE       type1 (default: the VMM handles every exit) or type2 (every\n"
           "                    exit goes through a host OS to a user-mode VMM process)\n"
           "  --profile NAME    strict (default) or legacy (pushf, popf, smsw, sidt do not\n"
           "                    trap: the VMM counts the equivalence violations)\n"
           "  --slice CYCLES    time slice of a VM on the real timer (default %u)\n"
           "  --mem BYTES       guest-physical memory per VM (default %u)\n"
           "  --cost NAME=VAL   set a cost parameter in cycles (repeatable; see\n"
           "                    --list-costs and docs/costs.md)\n"
           "  --list-costs      print every cost parameter with its value and meaning\n"
           "  --para            paravirtualization: the kernel is assembled with -D PARAVIRT\n"
           "                    (hypercalls instead of trapping instructions, docs/hypercalls.md);\n"
           "                    the native reference still runs the unmodified kernel\n"
           "  -D NAME[=VALUE]   define a symbol when assembling .s guests (e.g. BATCH=4)\n"
           "  --max-steps N     stop after N real instructions, counting every VM (default\n"
           "                    %llu per VM; 0 = no limit)\n"
           "  --no-native       do not run the guest natively (no overhead, no equivalence\n"
           "                    check)\n"
           "  --native          run the guest on the bare machine instead (no VMM), with the\n"
           "                    same loader: the reference for equivalence (one workload;\n"
           "                    --vms, --host and --para are usage errors)\n"
           "  --trace           one line per exit, step, injection and VM switch on stderr\n"
           "  --stats           per-VM and total statistics on stderr\n"
           "  --json            print the results as one JSON object on stdout\n"
           "  -h, --help        this help\n\n"
           "Each VM's console output is compared with the same workload run natively; a\n"
           "difference is reported (OUTPUT DIFFERS FROM NATIVE: Popek and Goldberg's\n"
           "equivalence is violated).\n\n"
           "Exit status: 0 when every VM halted with the native output, 1 when a VM failed,\n"
           "the step limit was reached, an output differed from native on the strict\n"
           "profile (on legacy the difference is the lesson: reported, exit 0) or the input\n"
           "is bad, 2 on a usage error.\n",
           VMM_MAX_VMS, 1000000u, GUEST_MIN_MEM, DEFAULT_MAX_STEPS);
}

typedef struct {
    bool trace;
    uint64_t n;
} trace_ctx;

static void on_event(vmm *v, const vmm_event *e, void *ud)
{
    trace_ctx *t = ud;
    (void)v;
    t->n++;
    if (!t->trace)
        return;
    char dis[64] = "";
    if (e->insn && isa_lookup_opcode(ISA_OP(e->insn)))
        isa_disassemble(e->insn, e->pc, dis, sizeof dis, NULL, NULL);
    switch (e->kind) {
    case VMM_EV_EXIT:
        fprintf(stderr, "vm%d exit   %-14s pc=0x%08x %-22s ring %u->%u (virtual %u->%u) %-10s %6llu cyc  %s\n",
                e->vm, isa_cause_name(CAUSE_CODE(e->cause)), e->pc, dis, e->ring_from, e->ring_to,
                e->vring_from, e->vring_to, vmm_handler_name(e->handler),
                (unsigned long long)e->cycles, e->what);
        break;
    case VMM_EV_STEP:
        fprintf(stderr, "vm%d   step %-10s %6llu cyc  %s\n", e->vm, vmm_handler_name(e->handler),
                (unsigned long long)e->cycles, e->what);
        break;
    default:
        fprintf(stderr, "vm%d %-6s pc=0x%08x %-22s %6llu cyc  %s\n", e->vm,
                vmm_event_kind_name(e->kind), e->pc, dis, (unsigned long long)e->cycles, e->what);
        break;
    }
}

static unsigned long long U(uint64_t x) { return (unsigned long long)x; }

static uint64_t total_cycles(const vmm_stats *s)
{
    return s->guest_cycles + s->vmm_cycles + s->host_cycles;
}

static void print_stats(FILE *out, const char *title, const vmm_stats *s, uint64_t native)
{
    fprintf(out, "%s\n", title);
    fprintf(out, "  guest instructions  %llu\n", U(s->guest_insns));
    fprintf(out, "  cycles              %llu (guest %llu, vmm %llu, host %llu), idle %llu\n",
            U(total_cycles(s)), U(s->guest_cycles), U(s->vmm_cycles), U(s->host_cycles),
            U(s->idle_cycles));
    if (native)
        fprintf(out, "  overhead            %+.1f%% against %llu cycles native\n",
                100.0 * ((double)total_cycles(s) / (double)native - 1.0), U(native));
    fprintf(out, "  exits               %llu\n", U(s->exits));
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++)
        if (s->exits_by_cause[c])
            fprintf(out, "    %-16s %llu\n", isa_cause_name(c), U(s->exits_by_cause[c]));
    fprintf(out, "  emulated            %llu\n", U(s->emulated));
    for (unsigned o = 0; o < ISA_NUM_OPCODES; o++)
        if (s->emulated_by_op[o])
            fprintf(out, "    %-16s %llu\n", isa_lookup_opcode(o) ? isa_lookup_opcode(o)->mnemonic : "?",
                    U(s->emulated_by_op[o]));
    fprintf(out, "  reflected           %llu\n  injected            %llu\n", U(s->reflected),
            U(s->injected));
    fprintf(out, "  shadow              %llu fills (hidden faults), %llu syncs, %llu flushes\n",
            U(s->shadow_fills), U(s->shadow_syncs), U(s->shadow_flushes));
    if (s->hypercalls) {
        fprintf(out, "  hypercalls          %llu (with the direct system calls, %llu exits replaced), "
                "%llu failed\n", U(s->hypercalls), U(s->hc_replaced), U(s->hc_failed));
        for (unsigned h = 0; h < VMM_MAX_HCALLS; h++)
            if (s->hypercalls_by_nr[h]) {
                char num[16];
                snprintf(num, sizeof num, "%u", h);
                fprintf(out, "    %-16s %llu, replacing %llu\n", vmm_hcall_name(h) ? vmm_hcall_name(h) : num,
                        U(s->hypercalls_by_nr[h]), U(s->hc_replaced_by_nr[h]));
            }
        if (s->hc_invalid)
            fprintf(out, "    %-16s %llu (no such hypercall: ENOSYS)\n", "invalid", U(s->hc_invalid));
    }
    if (s->direct_syscalls)
        fprintf(out, "  direct syscalls     %llu (through the guest's gate, no exit; each replaces one)\n",
                U(s->direct_syscalls));
    if (s->host_switches || s->host_syscalls)
        fprintf(out, "  host                %llu world switches, %llu system calls\n",
                U(s->host_switches), U(s->host_syscalls));
    fprintf(out, "  vm switches         %llu\n", U(s->vm_switches));
    if (s->blocked)
        fprintf(out, "  blocked accesses    %llu (outside the partition)\n", U(s->blocked));
    if (s->violations)
        fprintf(out, "  EQUIVALENCE VIOLATIONS %llu (legacy profile: sensitive instructions "
                "that did not trap)\n", U(s->violations));
    if (s->lost_ie)
        fprintf(out, "    popf lost IE     %llu (the guest's interrupt-enable change was dropped)\n",
                U(s->lost_ie));
}

static void json_stats(FILE *out, const vmm_stats *s, uint64_t native)
{
    fprintf(out, "\"instructions\": %llu, \"cycles\": %llu, \"guest_cycles\": %llu, "
            "\"vmm_cycles\": %llu, \"host_cycles\": %llu, \"idle_cycles\": %llu, ",
            U(s->guest_insns), U(total_cycles(s)), U(s->guest_cycles), U(s->vmm_cycles),
            U(s->host_cycles), U(s->idle_cycles));
    if (native)
        fprintf(out, "\"native_cycles\": %llu, \"overhead\": %.4f, ", U(native),
                (double)total_cycles(s) / (double)native - 1.0);
    fprintf(out, "\"exits\": %llu, \"exits_by_cause\": {", U(s->exits));
    bool first = true;
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++)
        if (s->exits_by_cause[c]) {
            fprintf(out, "%s\"%s\": %llu", first ? "" : ", ", isa_cause_name(c), U(s->exits_by_cause[c]));
            first = false;
        }
    fprintf(out, "}, \"emulated\": %llu, \"emulated_by_insn\": {", U(s->emulated));
    first = true;
    for (unsigned o = 0; o < ISA_NUM_OPCODES; o++)
        if (s->emulated_by_op[o] && isa_lookup_opcode(o)) {
            fprintf(out, "%s\"%s\": %llu", first ? "" : ", ", isa_lookup_opcode(o)->mnemonic,
                    U(s->emulated_by_op[o]));
            first = false;
        }
    fprintf(out, "}, \"reflected\": %llu, \"injected\": %llu, \"shadow_fills\": %llu, "
            "\"shadow_syncs\": %llu, \"shadow_flushes\": %llu, \"hypercalls\": %llu, "
            "\"host_switches\": %llu, \"host_syscalls\": %llu, \"vm_switches\": %llu, "
            "\"blocked\": %llu, \"violations\": %llu, \"lost_ie\": %llu, "
            "\"hypercall_replaced_exits\": %llu, \"hypercalls_failed\": %llu, "
            "\"direct_syscalls\": %llu, \"hypercalls_by_name\": {",
            U(s->reflected), U(s->injected), U(s->shadow_fills), U(s->shadow_syncs),
            U(s->shadow_flushes), U(s->hypercalls), U(s->host_switches), U(s->host_syscalls),
            U(s->vm_switches), U(s->blocked), U(s->violations), U(s->lost_ie), U(s->hc_replaced),
            U(s->hc_failed), U(s->direct_syscalls));
    first = true;
    for (unsigned h = 0; h < VMM_MAX_HCALLS; h++)
        if (s->hypercalls_by_nr[h]) {
            if (vmm_hcall_name(h))
                fprintf(out, "%s\"%s\": %llu", first ? "" : ", ", vmm_hcall_name(h),
                        U(s->hypercalls_by_nr[h]));
            else
                fprintf(out, "%s\"%u\": %llu", first ? "" : ", ", h, U(s->hypercalls_by_nr[h]));
            first = false;
        }
    if (s->hc_invalid)
        fprintf(out, "%s\"invalid\": %llu", first ? "" : ", ", U(s->hc_invalid));
    fputs("}", out);
}

static void print_console(const char *s, size_t n, const char *prefix)
{
    bool bol = true;
    for (size_t i = 0; i < n; i++) {
        if (bol && prefix)
            fputs(prefix, stdout);
        putchar(s[i]);
        bol = s[i] == '\n';
    }
    if (!bol && prefix)
        putchar('\n');
}

static void list_costs(const vmm_config *cfg)
{
    for (size_t i = 0; vmm_cost_name(i); i++) {
        uint32_t val = 0;
        vmm_get_cost(&cfg->costs, vmm_cost_name(i), &val);
        char range[24];
        snprintf(range, sizeof range, "0-%u", vmm_cost_max(vmm_cost_name(i)));
        printf("%-18s %6u  %-12s %s\n", vmm_cost_name(i), val, range, vmm_cost_doc(i));
    }
    static const char *const mnames[] = { "trap_entry", "trap_return", "tlb_miss", "block_sector" };
    for (size_t i = 0; i < sizeof mnames / sizeof mnames[0]; i++) {
        uint32_t val = 0;
        if (machine_get_cost(&cfg->mcosts, mnames[i], &val))
            printf("%-18s %6u  %-12s (machine) see docs/costs.md\n", mnames[i], val, "0-4294967295");
    }
}

/* --native: the same guest on the bare machine, for equivalence by eye. */
static int run_bare(const vmm_config *cfg, const image *k, const image *p,
                    uint64_t max_steps, bool json, bool stats)
{
    vmm_native_result nr;
    char err[256];
    if (!vmm_run_native(cfg, k, p, max_steps, &nr, err, sizeof err)) {
        fprintf(stderr, "traplab vm: %s\n", err);
        return EXIT_FAIL;
    }
    if (json) {
        printf("{\"stop\": \"%s\", \"native\": true, \"instructions\": %llu, \"cycles\": %llu, "
               "\"output\": ", machine_stop_name(nr.stop), U(nr.instret), U(nr.cycles));
        cli_json_string(stdout, nr.console ? nr.console : "", nr.console_len);
        printf("}\n");
    } else {
        fwrite(nr.console ? nr.console : "", 1, nr.console_len, stdout);
    }
    fflush(stdout);
    if (nr.stop == STOP_FATAL)
        fprintf(stderr, "traplab vm: fatal: %s\n", nr.reason);
    if (stats)
        fprintf(stderr, "native\n  instructions        %llu\n  cycles              %llu\n",
                U(nr.instret), U(nr.cycles));
    int rc = nr.stop == STOP_HALT ? EXIT_OK : EXIT_FAIL;
    vmm_native_result_free(&nr);
    return rc;
}

int cmd_vm(int argc, char **argv)
{
    static const struct option opts[] = {
        { "guest", required_argument, NULL, 'g' },
        { "program", required_argument, NULL, 'P' },
        { "vms", required_argument, NULL, 'v' },
        { "host", required_argument, NULL, 'H' },
        { "profile", required_argument, NULL, 'p' },
        { "slice", required_argument, NULL, 'S' },
        { "mem", required_argument, NULL, 'm' },
        { "cost", required_argument, NULL, 'c' },
        { "list-costs", no_argument, NULL, 'L' },
        { "define", required_argument, NULL, 'D' },
        { "max-steps", required_argument, NULL, 'n' },
        { "no-native", no_argument, NULL, 'N' },
        { "native", no_argument, NULL, 'B' },
        { "para", no_argument, NULL, 'V' },
        { "trace", no_argument, NULL, 't' },
        { "stats", no_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    vmm_config cfg;
    vmm_default_config(&cfg);
    const char *kernel_name = NULL, *program_arg = NULL;
    const char *defines[MAX_DEFINES];
    size_t ndefines = 0;
    uint64_t max_steps = 0;
    bool stats = false, json = false, native = true, list = false, bare = false, para = false;
    bool set_steps = false, set_vms = false, set_host = false;
    trace_ctx tc = { false, 0 };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hD:", opts, NULL)) != -1) {
        switch (c) {
        case 'g': kernel_name = optarg; break;
        case 'P': program_arg = optarg; break;
        case 'v':
            if (cli_vmm_option("vm", c, optarg, &cfg, defines, &ndefines) != EXIT_OK)
                return EXIT_USAGE;
            set_vms = true;
            break;
        case 'H':
            if (!vmm_parse_host(optarg, &cfg.host))
                return cli_usage_error("vm", "unknown host '%s' (type1 or type2)", optarg);
            set_host = true;
            break;
        case 'p':
            if (!isa_parse_profile(optarg, &cfg.profile))
                return cli_usage_error("vm", "unknown profile '%s' (strict or legacy)", optarg);
            break;
        case 'S':
            if (!cli_parse_u32(optarg, &cfg.slice) || cfg.slice < 100)
                return cli_usage_error("vm", "--slice needs a number of cycles >= 100, not '%s'", optarg);
            break;
        case 'm':
            if (!cli_parse_u32(optarg, &cfg.part_size) || cfg.part_size < GUEST_MIN_MEM ||
                cfg.part_size % PAGE_SIZE || cfg.part_size > (64u << 20))
                return cli_usage_error("vm", "--mem needs a multiple of 4096 from %u to %u, not '%s'",
                                       GUEST_MIN_MEM, 64u << 20, optarg);
            break;
        case 'L': list = true; break;
        case 'n':
            if (!cli_parse_u64(optarg, &max_steps))
                return cli_usage_error("vm", "--max-steps needs a number, not '%s'", optarg);
            set_steps = true;
            break;
        case 'N': native = false; break;
        case 'B': bare = true; break;
        case 'V': para = true; break;
        case 't': tc.trace = true; break;
        case 's': stats = true; break;
        case 'j': json = true; break;
        case 'h': help(); return EXIT_OK;
        default: {
            int rc = cli_vmm_option("vm", c, optarg, &cfg, defines, &ndefines);
            if (rc < 0)
                return cli_option_error("vm", c, argv);
            if (rc != EXIT_OK)
                return rc;
        }
        }
    }
    if (list) {
        list_costs(&cfg);
        return EXIT_OK;
    }
    if (optind < argc)
        return cli_usage_error("vm", "unexpected argument '%s'", argv[optind]);
    if (para && bare)
        return cli_usage_error("vm", "--para needs the hypervisor; it cannot run with --native");
    if (bare && (set_vms || set_host))
        return cli_usage_error("vm", "--native runs one guest on the bare machine: --%s needs the "
                               "hypervisor", set_vms ? "vms" : "host");
    if (bare && !native)
        return cli_usage_error("vm", "--native and --no-native contradict each other");
    if (!kernel_name)
        return cli_usage_error("vm", "no guest kernel given (--guest kernel)");
    if (!program_arg)
        return cli_usage_error("vm", "no workload given (--program cpu, sys, io, mm or a file)");
    /* An image is already assembled: PARAVIRT and -D would be silently lost,
     * and a run labelled paravirtualized would run the unmodified kernel. */
    if ((para || ndefines) && cli_guest_is_image(kernel_name))
        return cli_usage_error("vm", "%s needs the kernel's source (.s): '%s' is an image, already "
                               "assembled", para ? "--para" : "-D", kernel_name);
    /* Counting every VM: the default grows with them so 8 VMs of mix finish. */
    if (!set_steps)
        max_steps = DEFAULT_MAX_STEPS * cfg.nvms;

    char *plist = strdup(program_arg);
    if (!plist)
        return EXIT_FAIL;
    const char *pnames[MAX_PROGRAMS];
    size_t nprog = 0;
    if (!cli_split_list("vm", plist, program_arg, "workload", pnames, MAX_PROGRAMS, &nprog, false)) {
        free(plist);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < nprog; i++)
        if (ndefines && cli_guest_is_image(pnames[i])) {
            free(plist);
            return cli_usage_error("vm", "-D needs the workload's source (.s): '%s' is an image, "
                                   "already assembled", pnames[i]);
        }
    if (nprog > cfg.nvms) {
        free(plist);
        return cli_usage_error("vm", "%zu workloads for %u VM%s: give at most one per VM (--vms)",
                               nprog, cfg.nvms, cfg.nvms == 1 ? "" : "s");
    }

    int rc = EXIT_FAIL;
    image kimg, pkimg, pimg[MAX_PROGRAMS];
    size_t loaded = 0;
    vmm *v = NULL;
    uint64_t native_cycles[MAX_PROGRAMS] = { 0 };
    vmm_native_result nres[MAX_PROGRAMS];
    bool have_native[MAX_PROGRAMS] = { false };
    image_init(&kimg);
    image_init(&pkimg);
    if (!cli_load_kernel("vm", kernel_name, defines, ndefines, false, &kimg))
        goto out;
    if (para && !cli_load_kernel("vm", kernel_name, defines, ndefines, true, &pkimg))
        goto out;
    for (; loaded < nprog; loaded++) {
        if (!cli_load_guest("vm", pnames[loaded], defines, ndefines, &pimg[loaded]))
            goto out;
    }
    char err[256];
    if (bare) {
        rc = run_bare(&cfg, &kimg, &pimg[0], max_steps, json, stats);
        goto out;
    }
    v = vmm_new(&cfg, err, sizeof err);
    if (!v) {
        fprintf(stderr, "traplab vm: %s\n", err);
        goto out;
    }
    for (unsigned i = 0; i < cfg.nvms; i++)
        if (!vmm_load(v, i, para ? &pkimg : &kimg, &pimg[i % nprog], err, sizeof err)) {
            fprintf(stderr, "traplab vm: %s: %s\n", pnames[i % nprog], err);
            goto out;
        }
    /* The reference: the unmodified kernel on the bare machine, for the
     * overhead and for equivalence (the same output, Popek and Goldberg). */
    for (size_t p = 0; native && p < nprog; p++) {
        if (!vmm_run_native(&cfg, &kimg, &pimg[p], max_steps, &nres[p], err, sizeof err)) {
            fprintf(stderr, "traplab vm: %s: the native run failed: %s\n", pnames[p], err);
            continue;
        }
        if (nres[p].stop == STOP_HALT) {
            native_cycles[p] = nres[p].cycles;
            have_native[p] = true;
        } else {
            fprintf(stderr, "traplab vm: %s: the native run did not halt (%s), so equivalence is "
                    "not checked\n", pnames[p], nres[p].reason[0] ? nres[p].reason
                                                               : machine_stop_name(nres[p].stop));
            vmm_native_result_free(&nres[p]);
        }
    }
    vmm_set_event_fn(v, on_event, &tc);
    machine_stop s = vmm_run(v, max_steps);

    bool ok = s == STOP_HALT;
    bool differs[VMM_MAX_VMS] = { false }, any_differs = false;
    for (unsigned i = 0; i < cfg.nvms; i++) {
        if (vmm_vm_state_of(v, i) != VM_HALTED) {
            ok = false;
            continue;
        }
        size_t n, p = i % nprog;
        const char *o = vmm_console(v, i, &n);
        if (have_native[p] && (n != nres[p].console_len || memcmp(o, nres[p].console, n) != 0))
            differs[i] = any_differs = true;
    }
    bool legacy = cfg.profile == PROFILE_LEGACY;
    /* On legacy the difference is the lesson: reported, but not a failure. */
    bool pass = ok && (!any_differs || legacy);
    if (json) {
        const char *stop = machine_stop_name(s);
        if (s == STOP_HALT && !ok)
            stop = "vm_failed";
        printf("{\"stop\": \"%s\", \"ok\": %s, \"host\": \"%s\", \"profile\": \"%s\", \"para\": %s, "
               "\"vms\": [", stop, pass ? "true" : "false", vmm_host_name(cfg.host),
               isa_profile_name(cfg.profile), para ? "true" : "false");
        for (unsigned i = 0; i < cfg.nvms; i++) {
            printf("%s{\"vm\": %u, \"program\": ", i ? ", " : "", i);
            cli_json_string(stdout, pnames[i % nprog], strlen(pnames[i % nprog]));
            printf(", \"state\": \"%s\", \"reason\": ", vmm_vm_state_name(vmm_vm_state_of(v, i)));
            cli_json_string(stdout, vmm_vm_reason(v, i), strlen(vmm_vm_reason(v, i)));
            printf(", \"native_output_matches\": %s",
                   !have_native[i % nprog] || vmm_vm_state_of(v, i) != VM_HALTED ? "null"
                   : differs[i] ? "false" : "true");
            fputs(", \"output\": ", stdout);
            size_t n;
            const char *o = vmm_console(v, i, &n);
            cli_json_string(stdout, o, n);
            fputs(", ", stdout);
            json_stats(stdout, vmm_vm_stats(v, i), native_cycles[i % nprog]);
            fputs("}", stdout);
        }
        vmm_stats tot;
        vmm_total_stats(v, &tot);
        fputs("], \"total\": {", stdout);
        json_stats(stdout, &tot, 0);
        printf(", \"machine_cycles\": %llu}}\n", U(machine_cycles(vmm_machine(v))));
    } else {
        for (unsigned i = 0; i < cfg.nvms; i++) {
            size_t n;
            const char *o = vmm_console(v, i, &n);
            char prefix[16];
            snprintf(prefix, sizeof prefix, "vm%u| ", i);
            print_console(o, n, cfg.nvms > 1 ? prefix : NULL);
        }
    }
    fflush(stdout);
    for (unsigned i = 0; i < cfg.nvms; i++) {
        if (vmm_vm_state_of(v, i) == VM_FAILED)
            fprintf(stderr, "traplab vm: VM %u failed and was stopped: %s\n", i, vmm_vm_reason(v, i));
        if (differs[i])
            fprintf(stderr, "traplab vm: vm%u: OUTPUT DIFFERS FROM NATIVE (Popek and Goldberg's "
                    "equivalence is violated)%s\n", i,
                    legacy ? "; expected on the legacy profile, where sensitive instructions do "
                             "not trap" : "");
    }
    if (s == STOP_LIMIT)
        fprintf(stderr, "traplab vm: stopped after %llu instructions (--max-steps, counting every "
                "VM)\n", U(max_steps));
    else if (s == STOP_FATAL)
        fprintf(stderr, "traplab vm: machine stopped: %s\n", machine_fatal_reason(vmm_machine(v)));
    if (stats) {
        char title[64];
        for (unsigned i = 0; i < cfg.nvms; i++) {
            snprintf(title, sizeof title, "VM %u (%s, %s)", i, pnames[i % nprog],
                     vmm_vm_state_name(vmm_vm_state_of(v, i)));
            print_stats(stderr, title, vmm_vm_stats(v, i), native_cycles[i % nprog]);
        }
        vmm_stats tot;
        vmm_total_stats(v, &tot);
        snprintf(title, sizeof title, "total (%u VMs, %s, %s%s)", cfg.nvms, vmm_host_name(cfg.host),
                 isa_profile_name(cfg.profile), para ? ", paravirtualized" : "");
        print_stats(stderr, title, &tot, 0);
        fprintf(stderr, "  machine cycles      %llu\n", U(machine_cycles(vmm_machine(v))));
        if (tot.violations) {
            fprintf(stderr, "note: on the legacy profile pure trap-and-emulate is not enough: "
                    "%llu sensitive instruction%s ran without trapping and saw or changed the real "
                    "state", U(tot.violations), tot.violations == 1 ? "" : "s");
            if (tot.lost_ie)
                fprintf(stderr, "; %llu popf%s lost the guest's interrupt-enable change",
                        U(tot.lost_ie), tot.lost_ie == 1 ? "" : "s");
            fprintf(stderr, " (Popek and Goldberg's equivalence is violated).\n");
        }
    }
    rc = pass ? EXIT_OK : EXIT_FAIL;
out:
    for (size_t p = 0; p < nprog; p++)
        if (have_native[p])
            vmm_native_result_free(&nres[p]);
    vmm_free(v);
    for (size_t i = 0; i < loaded; i++)
        image_free(&pimg[i]);
    image_free(&kimg);
    image_free(&pkimg);
    free(plist);
    return rc;
}
