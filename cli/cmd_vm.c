/*
 * cmd_vm.c -- `traplab vm`: run a guest kernel and its user program in one
 * or more VMs under the trap-and-emulate hypervisor, Type-1 or Type-2.
 * Same conventions as `traplab run`: stdout carries the guests' console
 * output (or, with --json, one JSON object); the trace, the statistics and
 * errors go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/image.h"
#include "cli/cli.h"
#include "cli/lang.h"
#include "cli/json.h"
#include "cli/plot.h"
#include "vmm/vmm.h"

#define DEFAULT_MAX_STEPS 500000000ull
#define MAX_PROGRAMS VMM_MAX_VMS
#define MAX_DEFINES CLI_MAX_DEFINES

static void help(void)
{
    printf(TR("usage: traplab vm --guest KERNEL --program WORKLOAD[,WORKLOAD...] [options]\n\n"
           "Runs the guest kernel KERNEL with the user program WORKLOAD in each VM under the\n"
           "trap-and-emulate hypervisor: the kernel runs deprivileged in ring 1, every\n"
           "privileged instruction traps and is emulated, user traps are reflected into the\n"
           "guest kernel, memory is virtualized with shadow page tables.  KERNEL and WORKLOAD\n"
           "are short names (kernel; cpu, sys, io, mm: guest/NAME.s) or paths to .s / .tlo\n"
           "files.  With several workloads, VM i runs workload i modulo their number.\n\n"
           "  --vms N           number of VMs, 1 to %d (default 1)\n"
           "  --guest KERNEL    again for another kernel: VM i runs guest i modulo their number\n"
           "  --vm N:guest=K    VM N (from 0) runs kernel K (a rogue kernel beside good ones)\n"
           "  -I DIR            search DIR for the guests' .include files (layout.s)\n"
           "  --save-at N FILE  after N instructions (of the real machine), save a snapshot of\n"
           "                    the VMM and its VMs to FILE; the run goes on\n"
           "  --restore FILE    go on from a snapshot (instead of --guest and --program; no\n"
           "                    native comparison: the snapshot holds no sources)\n"
           "  --host TYPE       type1 (default: the VMM handles every exit), type2 (hosted:\n"
           "                    a kernel-resident monitor handles CPU and MMU exits, device\n"
           "                    I/O and host interrupts go to a user-mode VMM process) or\n"
           "                    type2-user (every exit goes to the user-mode VMM process)\n"
           "  --profile NAME    strict (default) or legacy (pushf, popf, smsw, sidt do not\n"
           "                    trap: the VMM counts the equivalence violations)\n"
           "  --slice CYCLES    time slice of a VM on the real timer (default %u)\n"
           "  --mem BYTES       guest-physical memory per VM (default %u)\n"
           "  --cost NAME=VAL   set a cost parameter in cycles (repeatable; see\n"
           "                    --list-costs and docs/costs.md)\n"
           "  --list-costs      print every cost parameter with its value and meaning\n"
           "  --cpu NAME        VM exit and entry costs of one VT-x generation: p4, core2,\n"
           "                    sandybridge or default (a later --cost overrides them)\n"
           "  --list-cpus       print the --cpu profiles and the costs each one sets\n"
           "  --design NAME     full (default: trap-and-emulate, shadow page tables), para or\n"
           "                    bt (binary translation of the guest kernel's code; docs/vmm.md)\n"
           "                    or hw (hardware-assisted: guest mode, nested paging; docs/vmm.md)\n"
           "                    or hw-shadow (guest mode without nested paging: shadow page\n"
           "                    tables, as the first VT-x processors; docs/vmm.md)\n"
           "  --show-block ADDR with --design bt: after the run, VM 0's kernel block at ADDR as\n"
           "                    the translator makes it, beside the original (on stderr)\n"
           "  --exit-on LIST    hw: also exit on these privileged instructions or trap causes\n"
           "                    (mfcr,mtcr,iret,ei,di,tlbflush,pushf,popf,smsw,sidt,syscall,\n"
           "                    page_fault,...); in, out, halt, wfi and the timer always exit\n"
           "  --para            the same as --design para: the kernel is assembled with -D\n"
           "                    PARAVIRT (hypercalls instead of trapping instructions,\n"
           "                    docs/hypercalls.md); the native reference still runs the\n"
           "                    unmodified kernel\n"
           "  -D NAME[=VALUE]   define a symbol when assembling .s guests (e.g. BATCH=4)\n"
           "  --max-steps N     stop after N real instructions, counting every VM (default\n"
           "                    %llu per VM; 0 = no limit)\n"
           "  --no-native       do not run the guest natively (no overhead, no equivalence\n"
           "                    check)\n"
           "  --native          run the guest on the bare machine instead (no VMM), with the\n"
           "                    same loader: the reference for equivalence (one workload;\n"
           "                    --vms, --host and --design are usage errors)\n"
           "  --trace           one line per exit, step, injection and VM switch on stderr\n"
           "  --stats           per-VM and total statistics on stderr\n"
           "  --json            print the results as one JSON object on stdout\n"
           "  --csv             one CSV line per VM and one for the total on stdout\n"
           "  --plot FILE       draw each VM's overhead and exits per 1000 instructions into\n"
           "                    FILE.svg or FILE.png (with gnuplot; docs/json.md)\n"
           "  -h, --help        this help\n\n"
           "Each VM's console output is compared with the same workload run natively; a\n"
           "difference is reported (OUTPUT DIFFERS FROM NATIVE: Popek and Goldberg's\n"
           "equivalence is violated).\n\n"
           "Exit status: 0 when every VM halted with the native output, 1 when a VM failed,\n"
           "the step limit was reached, an output differed from native on the strict\n"
           "profile (on legacy the difference is the lesson: reported, exit 0) or the input\n"
           "is bad, 2 on a usage error.\n"),
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
    char dis[64] = "", what[512];
    if (e->insn && isa_lookup_opcode(ISA_OP(e->insn)))
        isa_disassemble(e->insn, e->pc, dis, sizeof dis, NULL, NULL);
    /* The VMM says what it did in English; the line is read in the user's language. */
    const char *w = cli_tr_line(vmm_event_what(e), what, sizeof what);
    /* Who handled it, padded in columns (a Spanish name may hold a 2-byte letter). */
    const char *h = TR(vmm_handler_name(e->handler)), *k = TR(vmm_event_kind_name(e->kind));
    int hw = cli_width(h, cli_es() ? 12 : 10);
    switch (e->kind) {
    case VMM_EV_EXIT:
        fprintf(stderr, TR("vm%d exit   %-14s pc=0x%08x %-22s ring %u->%u (virtual %u->%u) %-*s %6llu cyc  %s\n"),
                e->vm, e->reason ? isa_exit_name(e->reason) : isa_cause_name(CAUSE_CODE(e->cause)), e->pc, dis, e->ring_from, e->ring_to,
                e->vring_from, e->vring_to, hw, h, (unsigned long long)e->cycles, w);
        break;
    case VMM_EV_STEP:
        fprintf(stderr, TR("vm%d   step %-*s %6llu cyc  %s\n"), e->vm, hw, h, (unsigned long long)e->cycles, w);
        break;
    default:
        fprintf(stderr, TR("vm%d %-*s pc=0x%08x %-22s %6llu cyc  %s\n"), e->vm, cli_width(k, cli_es() ? 9 : 6), k,
                e->pc, dis, (unsigned long long)e->cycles, w);
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
    fprintf(out, TR("  guest instructions  %llu\n"), U(s->guest_insns));
    fprintf(out, TR("  cycles              %llu (guest %llu, vmm %llu, host %llu), idle %llu\n"),
            U(total_cycles(s)), U(s->guest_cycles), U(s->vmm_cycles), U(s->host_cycles),
            U(s->idle_cycles));
    if (native)
        fprintf(out, TR("  overhead            %+.1f%% against %llu cycles native\n"),
                100.0 * ((double)total_cycles(s) / (double)native - 1.0), U(native));
    fprintf(out, TR("  exits               %llu\n"), U(s->exits));
    for (unsigned c = 0; c < ISA_NUM_CAUSES; c++)
        if (s->exits_by_cause[c])
            fprintf(out, "    %-16s %llu\n", isa_cause_name(c), U(s->exits_by_cause[c]));
    fprintf(out, TR("  emulated            %llu\n"), U(s->emulated));
    for (unsigned o = 0; o < ISA_NUM_OPCODES; o++)
        if (s->emulated_by_op[o])
            fprintf(out, "    %-16s %llu\n", isa_lookup_opcode(o) ? isa_lookup_opcode(o)->mnemonic : "?",
                    U(s->emulated_by_op[o]));
    fprintf(out, TR("  reflected           %llu\n  injected            %llu\n"), U(s->reflected),
            U(s->injected));
    fprintf(out, TR("  shadow              %llu fills (hidden faults), %llu syncs, %llu flushes\n"),
            U(s->shadow_fills), U(s->shadow_syncs), U(s->shadow_flushes));
    bool hw = false;
    for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++)
        hw |= s->exits_by_reason[r] != 0;
    if (hw) {
        fprintf(out, TR("  VM exits by reason  (guest mode: --design hw, hw-shadow)\n"));
        for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++)
            if (s->exits_by_reason[r])
                fprintf(out, "    %-16s %llu\n", isa_exit_name(r), U(s->exits_by_reason[r]));
        if (s->nested_fills)    /* hw-shadow has no second stage */
            fprintf(out, TR("  nested              %llu second-stage fills (nested faults)\n"), U(s->nested_fills));
    }
    if (s->kernel_exits)
        fprintf(out, TR("  kernel-resident     %llu exits handled by the host kernel's monitor, no "
                "world switch\n"), U(s->kernel_exits));
    if (s->hypercalls) {
        fprintf(out, TR("  hypercalls          %llu (with the direct system calls, %llu exits replaced), "
                "%llu failed\n"), U(s->hypercalls), U(s->hc_replaced), U(s->hc_failed));
        for (unsigned h = 0; h < VMM_MAX_HCALLS; h++)
            if (s->hypercalls_by_nr[h]) {
                char num[16];
                snprintf(num, sizeof num, "%u", h);
                fprintf(out, TR("    %-16s %llu, replacing %llu\n"), vmm_hcall_name(h) ? vmm_hcall_name(h) : num,
                        U(s->hypercalls_by_nr[h]), U(s->hc_replaced_by_nr[h]));
            }
        if (s->hc_invalid)
            fprintf(out, TR("    %-16s %llu (no such hypercall: ENOSYS)\n"), "invalid", U(s->hc_invalid));
    }
    if (s->direct_syscalls)
        fprintf(out, TR("  direct syscalls     %llu (through the guest's gate, no exit; each replaces one)\n"),
                U(s->direct_syscalls));
    if (s->host_switches || s->host_syscalls)
        fprintf(out, TR("  host                %llu world switches, %llu system calls\n"),
                U(s->host_switches), U(s->host_syscalls));
    fprintf(out, TR("  vm switches         %llu\n"), U(s->vm_switches));
    if (s->blocked)
        fprintf(out, TR("  blocked accesses    %llu (outside the partition)\n"), U(s->blocked));
    if (s->violations)
        fprintf(out, TR("  EQUIVALENCE VIOLATIONS %llu (legacy profile: sensitive instructions "
                "that did not trap)\n"), U(s->violations));
    if (s->lost_ie)
        fprintf(out, TR("    popf lost IE     %llu (the guest's interrupt-enable change was dropped)\n"),
                U(s->lost_ie));
    if (s->bt_blocks) {
        fprintf(out, TR("  translation         %llu blocks (%llu instructions) translated, cache %llu hits, "
                "%llu misses, %llu invalidated\n"), U(s->bt_blocks), U(s->bt_insns), U(s->bt_hits),
                U(s->bt_misses), U(s->bt_invalidations));
        fprintf(out, TR("    replaced         %llu callouts (%llu of them adaptive stores), %llu inline; "
                "%llu stores retranslated\n"), U(s->bt_callouts), U(s->bt_store_callouts),
                U(s->bt_inline), U(s->bt_adaptive));
    }
}

/* The translator's counters, for --design bt's JSON. */
static void json_bt(FILE *out, const vmm_stats *s)
{
    fprintf(out, ", \"bt\": {\"blocks\": %llu, \"instructions\": %llu, \"cache_hits\": %llu, "
            "\"cache_misses\": %llu, \"invalidations\": %llu, \"callouts\": %llu, \"inline\": %llu, "
            "\"adaptive\": %llu, \"store_callouts\": %llu}", U(s->bt_blocks), U(s->bt_insns),
            U(s->bt_hits), U(s->bt_misses), U(s->bt_invalidations), U(s->bt_callouts),
            U(s->bt_inline), U(s->bt_adaptive), U(s->bt_store_callouts));
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
    /* Only where they happen, so that other runs print what they always did. */
    bool hw = false;
    for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++)
        hw |= s->exits_by_reason[r] != 0;
    if (hw) {
        fprintf(out, ", \"nested_fills\": %llu, \"exits_by_reason\": {", U(s->nested_fills));
        first = true;
        for (unsigned r = 0; r < ISA_NUM_EXIT_REASONS; r++)
            if (s->exits_by_reason[r]) {
                fprintf(out, "%s\"%s\": %llu", first ? "" : ", ", isa_exit_name(r), U(s->exits_by_reason[r]));
                first = false;
            }
        fputs("}", out);
    }
    if (s->kernel_exits)
        fprintf(out, ", \"kernel_exits\": %llu", U(s->kernel_exits));
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

static void list_costs(const vmm_config *cfg) { cli_list_costs(cfg); }

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
        fprintf(stderr, TR("traplab vm: fatal: %s\n"), cli_tr_line(nr.reason, err, sizeof err));
    if (stats)
        fprintf(stderr, TR("native\n  instructions        %llu\n  cycles              %llu\n"),
                U(nr.instret), U(nr.cycles));
    int rc = nr.stop == STOP_HALT ? EXIT_OK : EXIT_FAIL;
    vmm_native_result_free(&nr);
    return rc;
}

/* ---- parse ----------------------------------------------------------------------------- */
typedef struct {
    vmm_config cfg;
    const char *kernel_name, *program_arg;
    const char *restore, *save_file;       /* --restore FILE; --save-at N FILE */
    uint64_t save_at;
    const char *knames[VMM_MAX_VMS];       /* --guest, repeatable: VM i runs kernel i modulo nk */
    size_t nk;
    const char *vm_guest[VMM_MAX_VMS];     /* --vm N:guest=KERNEL */
    const char *kuniq[VMM_MAX_VMS];        /* the distinct kernels; VM i runs kuniq[kernel_of[i]] */
    size_t nku;
    unsigned kernel_of[VMM_MAX_VMS];
    const char *defines[MAX_DEFINES];
    size_t ndefines;
    uint64_t max_steps;
    bool stats, json, native, list, list_cpus, bare, help;
    bool show_block;                 /* --show-block ADDR (bt) */
    uint32_t block_addr;
    bool csv;                        /* --csv: per-VM rows on stdout */
    const char *plot;                /* --plot FILE.svg|FILE.png */
    const char *design_opt;          /* "--para" or "--design NAME" as given, NULL for none */
    char design_buf[32];
    trace_ctx tc;
    char *plist;                     /* the workloads, split in place into pnames */
    const char *pnames[MAX_PROGRAMS];
    size_t nprog;
} vm_args;

/* EXIT_OK with a filled, checked a; otherwise the usage error's status. */
static int parse_args(int argc, char **argv, vm_args *a)
{
    static const struct option opts[] = {
        { "guest", required_argument, NULL, 'g' },
        { "vm", required_argument, NULL, 'W' },
        { "restore", required_argument, NULL, 'R' },
        { "save-at", required_argument, NULL, 'A' },
        { "save-file", required_argument, NULL, 'F' },
        { "include", required_argument, NULL, 'I' },
        { "program", required_argument, NULL, 'P' },
        { "vms", required_argument, NULL, 'v' },
        { "host", required_argument, NULL, 'H' },
        { "profile", required_argument, NULL, 'p' },
        { "slice", required_argument, NULL, 'S' },
        { "mem", required_argument, NULL, 'm' },
        { "cost", required_argument, NULL, 'c' },
        { "list-costs", no_argument, NULL, 'L' },
        { "cpu", required_argument, NULL, 'Q' },
        { "list-cpus", no_argument, NULL, 'K' },
        { "define", required_argument, NULL, 'D' },
        { "max-steps", required_argument, NULL, 'n' },
        { "no-native", no_argument, NULL, 'N' },
        { "native", no_argument, NULL, 'B' },
        { "para", no_argument, NULL, 'V' },
        { "design", required_argument, NULL, 'd' },
        { "show-block", required_argument, NULL, 'k' },
        { "exit-on", required_argument, NULL, 'X' },
        { "trace", no_argument, NULL, 't' },
        { "stats", no_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "csv", no_argument, NULL, 'C' },
        { "plot", required_argument, NULL, 'G' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    vmm_default_config(&a->cfg);
    a->native = true;
    bool set_steps = false, set_vms = false, set_host = false;
    char err[160];
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hD:I:", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            if (a->nk == VMM_MAX_VMS)
                return cli_usage_error("vm", TR("at most %d --guest kernels"), VMM_MAX_VMS);
            if (strchr(optarg, ',') && access(optarg, F_OK) != 0)
                return cli_usage_error("vm", TR("--guest takes one kernel, not a list ('%s'): give one "
                                       "--guest per kernel (VM i runs guest i), e.g. --guest kernel "
                                       "--guest rogue.s --vms 2, or one VM's own with --vm 1:guest=rogue.s"),
                                       optarg);
            if (!a->kernel_name)
                a->kernel_name = optarg;
            a->knames[a->nk++] = optarg;
            break;
        case 'W': {
            char *end;
            unsigned long i = strtoul(optarg, &end, 10);
            if (end == optarg || strncmp(end, ":guest=", 7) != 0 || !end[7] || i >= VMM_MAX_VMS)
                return cli_usage_error("vm", TR("--vm needs N:guest=KERNEL with N from 0 to %d, not '%s'"),
                                       VMM_MAX_VMS - 1, optarg);
            a->vm_guest[i] = end + 7;
            break;
        }
        case 'I': cli_guest_include(optarg); break;
        case 'R': a->restore = optarg; break;
        case 'F': a->save_file = optarg; break;
        case 'A':
            if (!cli_parse_u64(optarg, &a->save_at))
                return cli_usage_error("vm", TR("--save-at needs a number of instructions, not '%s'"), optarg);
            break;
        case 'P': a->program_arg = optarg; break;
        case 'v':
            if (cli_vmm_option("vm", c, optarg, &a->cfg, a->defines, &a->ndefines) != EXIT_OK)
                return EXIT_USAGE;
            set_vms = true;
            break;
        case 'H':
            if (!vmm_parse_host(optarg, &a->cfg.host))
                return cli_usage_error("vm", TR("unknown host '%s' (type1, type2 or type2-user)"), optarg);
            set_host = true;
            break;
        case 'p':
            if (!isa_parse_profile(optarg, &a->cfg.profile))
                return cli_usage_error("vm", TR("unknown profile '%s' (strict or legacy)"), optarg);
            break;
        case 'S':
            if (!cli_parse_u32(optarg, &a->cfg.slice) || a->cfg.slice < 100)
                return cli_usage_error("vm", TR("--slice needs a number of cycles >= 100, not '%s'"), optarg);
            break;
        case 'm':
            if (!cli_parse_u32(optarg, &a->cfg.part_size) || a->cfg.part_size < GUEST_MIN_MEM ||
                a->cfg.part_size % PAGE_SIZE || a->cfg.part_size > (64u << 20))
                return cli_usage_error("vm", TR("--mem needs a multiple of 4096 from %u to %u, not '%s'"),
                                       GUEST_MIN_MEM, 64u << 20, optarg);
            break;
        case 'L': a->list = true; break;
        case 'K': a->list = a->list_cpus = true; break;
        case 'n':
            if (!cli_parse_u64(optarg, &a->max_steps))
                return cli_usage_error("vm", TR("--max-steps needs a number, not '%s'"), optarg);
            set_steps = true;
            break;
        case 'N': a->native = false; break;
        case 'B': a->bare = true; break;
        case 'V':
        case 'd': {
            vmm_design d = VMM_DESIGN_PARA;
            char es[256];
            if (c == 'd' && !vmm_parse_design(optarg, &d, err, sizeof err))
                return cli_usage_error("vm", TR("--design: %s"), cli_tr_line(err, es, sizeof es));
            if (a->design_opt && d != a->cfg.design)
                return cli_usage_error("vm", TR("%s and --design %s contradict each other"),
                                       a->design_opt, vmm_design_name(d));
            a->cfg.design = d;
            snprintf(a->design_buf, sizeof a->design_buf, c == 'V' ? "--para" : "--design %s",
                     vmm_design_name(d));
            a->design_opt = a->design_buf;
            break;
        }
        case 'k':
            if (!cli_parse_u32(optarg, &a->block_addr))
                return cli_usage_error("vm", TR("--show-block needs an address (e.g. 0x1000), not '%s'"), optarg);
            a->show_block = true;
            break;
        case 't': a->tc.trace = true; break;
        case 's': a->stats = true; break;
        case 'j': a->json = true; break;
        case 'C': a->csv = true; break;
        case 'G':
            if (!cli_plot_check_path("vm", optarg))
                return EXIT_USAGE;
            a->plot = optarg;
            break;
        case 'h': a->help = true; return EXIT_OK;
        default: {
            int rc = cli_vmm_option("vm", c, optarg, &a->cfg, a->defines, &a->ndefines);
            if (rc < 0)
                return cli_option_error("vm", c, argv);
            if (rc != EXIT_OK)
                return rc;
        }
        }
    }
    if (a->list)
        return EXIT_OK;
    if (optind < argc)
        return cli_usage_error("vm", TR("unexpected argument '%s'"), argv[optind]);
    if (a->design_opt && a->bare)
        return cli_usage_error("vm", TR("%s needs the hypervisor; it cannot run with --native"),
                               a->design_opt);
    if (a->bare && (set_vms || set_host))
        return cli_usage_error("vm", TR("--native runs one guest on the bare machine: --%s needs the "
                               "hypervisor"), set_vms ? "vms" : "host");
    if (a->show_block && a->cfg.design != VMM_DESIGN_BT)
        return cli_usage_error("vm", TR("--show-block shows a translated block: it needs --design bt"));
    if (a->bare && !a->native)
        return cli_usage_error("vm", TR("--native and --no-native contradict each other"));
    if (a->restore) {
        /* The snapshot holds its VMs, their memory and configuration. */
        if (a->kernel_name || a->program_arg || set_vms || set_host || a->design_opt || a->bare ||
            a->ndefines)
            return cli_usage_error("vm", TR("--restore goes on from the snapshot's own VMs: --guest, "
                                   "--program, --vms, --host, --para, --native and -D do not apply"));
        a->pnames[0] = "restored";
        a->nprog = 1;
        a->native = false;     /* no sources to run natively: equivalence is not checked */
        if (!set_steps)
            a->max_steps = DEFAULT_MAX_STEPS * VMM_MAX_VMS;
        return EXIT_OK;
    }
    if (!a->kernel_name)
        return cli_usage_error("vm", TR("no guest kernel given (--guest kernel)"));
    if (!a->program_arg)
        return cli_usage_error("vm", TR("no workload given (--program cpu, sys, io, mm or a file)"));
    if (a->json && a->csv)
        return cli_usage_error("vm", TR("choose one of --json and --csv"));
    if (a->bare && (a->csv || a->plot))
        return cli_usage_error("vm", TR("--csv and --plot are for VMs: not with --native (use traplab run --csv)"));
    for (unsigned i = a->cfg.nvms; i < VMM_MAX_VMS; i++)
        if (a->vm_guest[i])
            return cli_usage_error("vm", TR("--vm %u:guest=%s: there are only %u VM%s (numbered from 0; "
                                   "--vms N gives more)"), i, a->vm_guest[i], a->cfg.nvms,
                                   a->cfg.nvms == 1 ? "" : "s");
    if (a->bare && (a->nk > 1 || a->vm_guest[0] || a->vm_guest[1]))
        return cli_usage_error("vm", TR("--native runs one guest on the bare machine: give one --guest"));
    /* The kernel of each VM, each distinct one loaded once. */
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        const char *k = a->vm_guest[i] ? a->vm_guest[i] : a->knames[i % a->nk];
        size_t j = 0;
        while (j < a->nku && strcmp(a->kuniq[j], k) != 0)
            j++;
        if (j == a->nku)
            a->kuniq[a->nku++] = k;
        a->kernel_of[i] = (unsigned)j;
    }
    /* An image is already assembled: PARAVIRT and -D would be silently lost,
     * and a run labelled paravirtualized would run the unmodified kernel. */
    bool own_define = vmm_design_guest_define(a->cfg.design) != NULL;
    for (size_t k = 0; k < a->nku; k++)
        if ((own_define || a->ndefines) && cli_guest_is_image(a->kuniq[k]))
            return cli_usage_error("vm", TR("%s needs the kernel's source (.s): '%s' is an image, already "
                                   "assembled"), own_define ? a->design_opt : "-D", a->kuniq[k]);
    /* Counting every VM: the default grows with them so 8 VMs of mix finish. */
    if (!set_steps)
        a->max_steps = DEFAULT_MAX_STEPS * a->cfg.nvms;

    a->plist = strdup(a->program_arg);
    if (!a->plist)
        return EXIT_FAIL;
    if (!cli_split_list("vm", a->plist, a->program_arg, "workload", a->pnames, MAX_PROGRAMS,
                        &a->nprog, false))
        return EXIT_USAGE;
    for (size_t i = 0; i < a->nprog; i++)
        if (a->ndefines && cli_guest_is_image(a->pnames[i]))
            return cli_usage_error("vm", TR("-D needs the workload's source (.s): '%s' is an image, "
                                   "already assembled"), a->pnames[i]);
    if (a->nprog > a->cfg.nvms)
        return cli_usage_error("vm", TR("%zu workloads for %u VM%s: give at most one per VM (--vms)"),
                               a->nprog, a->cfg.nvms, a->cfg.nvms == 1 ? "" : "s");
    return EXIT_OK;
}

/* ---- run ------------------------------------------------------------------------------- */
/* The natives are per (kernel, workload) pair: NATIVE(a, i) is VM i's. */
#define NATIVES (VMM_MAX_VMS * MAX_PROGRAMS)
#define NATIVE(a, i) ((a)->kernel_of[i] * MAX_PROGRAMS + (i) % (a)->nprog)
typedef struct {
    image kimg[VMM_MAX_VMS];         /* the unmodified kernels: the native reference */
    image dkimg[VMM_MAX_VMS];        /* the design's own build of them (para), when it has one */
    size_t kloaded;
    bool own_kernel;
    image pimg[MAX_PROGRAMS];
    size_t loaded;
    vmm *v;
    uint64_t native_cycles[NATIVES];
    vmm_native_result nres[NATIVES];
    bool have_native[NATIVES];
    machine_stop stop;
    bool ok, any_differs, save_failed;
    bool differs[VMM_MAX_VMS];
} vm_run;

static bool load_guests(const vm_args *a, vm_run *r)
{
    if (a->restore)
        return true;
    r->own_kernel = vmm_design_guest_define(a->cfg.design) != NULL;
    for (; r->kloaded < a->nku; r->kloaded++) {
        size_t k = r->kloaded;
        if (!cli_load_kernel("vm", a->kuniq[k], a->defines, a->ndefines, VMM_DESIGN_FULL, &r->kimg[k]))
            return false;
        if (r->own_kernel &&
            !cli_load_kernel("vm", a->kuniq[k], a->defines, a->ndefines, a->cfg.design, &r->dkimg[k])) {
            image_free(&r->kimg[k]);
            return false;
        }
    }
    /* A workload outside guest/ still finds layout.s beside the kernel. */
    char kdir[4096];
    snprintf(kdir, sizeof kdir, "%s", a->kernel_name);
    char *slash = strrchr(kdir, '/');
    if (slash && cli_resolve_guest(a->kernel_name, kdir, sizeof kdir) && (slash = strrchr(kdir, '/'))) {
        *slash = '\0';
        static char kdir_kept[4096];
        snprintf(kdir_kept, sizeof kdir_kept, "%s", kdir);
        cli_guest_include(kdir_kept);
    }
    for (; r->loaded < a->nprog; r->loaded++)
        if (!cli_load_guest("vm", a->pnames[r->loaded], a->defines, a->ndefines, &r->pimg[r->loaded]))
            return false;
    return true;
}

/* The reference: the unmodified kernel on the bare machine, for the
 * overhead and for equivalence (the same output, Popek and Goldberg). */
static void run_natives(const vm_args *a, vm_run *r)
{
    char err[256];
    bool done[NATIVES] = { false };
    for (unsigned i = 0; a->native && i < a->cfg.nvms; i++) {
        size_t n = NATIVE(a, i), p = i % a->nprog;
        if (done[n])
            continue;
        done[n] = true;
        vmm_native_result *nr = &r->nres[n];
        char name[160];
        if (a->nku > 1)
            snprintf(name, sizeof name, TR("%s on %s"), a->pnames[p], a->kuniq[a->kernel_of[i]]);
        else
            snprintf(name, sizeof name, "%s", a->pnames[p]);
        if (!vmm_run_native(&a->cfg, &r->kimg[a->kernel_of[i]], &r->pimg[p], a->max_steps, nr, err,
                            sizeof err)) {
            fprintf(stderr, TR("traplab vm: %s: the native run failed: %s\n"), name, err);
            continue;
        }
        if (nr->stop == STOP_HALT) {
            r->native_cycles[n] = nr->cycles;
            r->have_native[n] = true;
        } else {
            char why[512];
            fprintf(stderr, TR("traplab vm: %s: the native run did not halt (%s), so equivalence is "
                    "not checked\n"), name, nr->reason[0] ? cli_tr_line(nr->reason, why, sizeof why)
                                                    : machine_stop_name(nr->stop));
            vmm_native_result_free(nr);
        }
    }
}

/* Builds and runs the VMs; false on a setup error (already printed). */
static bool run_vms(vm_args *a, vm_run *r)
{
    char err[256];
    if (a->restore) {
        FILE *f = fopen(a->restore, "rb");
        if (!f) {
            fprintf(stderr, "traplab vm: %s: %s\n", a->restore, strerror(errno));
            return false;
        }
        r->v = vmm_load_file(f, err, sizeof err);
        fclose(f);
        if (!r->v) {
            fprintf(stderr, "traplab vm: %s: %s\n", a->restore, err);
            return false;
        }
        a->cfg = *vmm_get_config(r->v);
    } else {
        r->v = vmm_new(&a->cfg, err, sizeof err);
        if (!r->v) {
            fprintf(stderr, "traplab vm: %s\n", err);
            return false;
        }
    }
    for (unsigned i = 0; !a->restore && i < a->cfg.nvms; i++)
        if (!vmm_load(r->v, i, r->own_kernel ? &r->dkimg[a->kernel_of[i]] : &r->kimg[a->kernel_of[i]],
                      &r->pimg[i % a->nprog], err, sizeof err)) {
            fprintf(stderr, "traplab vm: %s: %s\n", a->pnames[i % a->nprog], err);
            return false;
        }
    run_natives(a, r);
    vmm_set_event_fn(r->v, on_event, &a->tc);
    if (a->save_file) {
        /* --save-at N FILE: the machine's instruction counter, as run's */
        uint64_t now = machine_instret(vmm_machine(r->v));
        if (a->save_at < now) {
            fprintf(stderr, TR("traplab vm: --save-at %llu: the snapshot is already at instruction %llu\n"),
                    U(a->save_at), U(now));
            return false;
        }
        uint64_t first = a->save_at - now;
        if (a->max_steps && first > a->max_steps)
            first = a->max_steps;
        r->stop = first ? vmm_run(r->v, first) : STOP_LIMIT;
        if (r->stop == STOP_LIMIT && machine_instret(vmm_machine(r->v)) == a->save_at) {
            FILE *f = fopen(a->save_file, "wb");
            bool ok = f && vmm_save_file(r->v, f, err, sizeof err);
            if (f && fclose(f) != 0)
                ok = false;
            if (!ok) {
                fprintf(stderr, "traplab vm: %s: %s\n", a->save_file, f ? err : strerror(errno));
                return false;
            }
            fprintf(stderr, TR("traplab vm: snapshot at instruction %llu saved to %s\n"), U(a->save_at),
                    a->save_file);
            uint64_t left = a->max_steps ? a->max_steps - first : 0;
            r->stop = a->max_steps && left == 0 ? STOP_LIMIT : vmm_run(r->v, left);
        } else {
            fprintf(stderr, TR("traplab vm: the run stopped (%s) at instruction %llu, before --save-at "
                    "%llu: no snapshot written\n"), machine_stop_name(r->stop),
                    U(machine_instret(vmm_machine(r->v))), U(a->save_at));
            r->save_failed = true;
        }
    } else {
        r->stop = vmm_run(r->v, a->max_steps);
    }
    r->ok = r->stop == STOP_HALT;
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        if (vmm_vm_state_of(r->v, i) != VM_HALTED) {
            r->ok = false;
            continue;
        }
        size_t n, p = NATIVE(a, i);
        const char *o = vmm_console(r->v, i, &n);
        if (r->have_native[p] && (n != r->nres[p].console_len || memcmp(o, r->nres[p].console, n) != 0))
            r->differs[i] = r->any_differs = true;
    }
    return true;
}

/* ---- print ----------------------------------------------------------------------------- */
static void print_json(const vm_args *a, const vm_run *r, bool pass)
{
    vmm *v = r->v;
    const char *stop = machine_stop_name(r->stop);
    if (r->stop == STOP_HALT && !r->ok)
        stop = "vm_failed";
    printf("{\"stop\": \"%s\", \"ok\": %s, \"host\": \"%s\", \"profile\": \"%s\", \"para\": %s, ",
           stop, pass ? "true" : "false", vmm_host_name(a->cfg.host),
           isa_profile_name(a->cfg.profile), a->cfg.design == VMM_DESIGN_PARA ? "true" : "false");
    /* (full and para keep the keys they always had) */
    if (a->cfg.design != VMM_DESIGN_FULL && a->cfg.design != VMM_DESIGN_PARA)
        printf("\"design\": \"%s\", ", vmm_design_name(a->cfg.design));
    printf("\"vms\": [");
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        size_t p = NATIVE(a, i);
        printf("%s{\"vm\": %u, \"program\": ", i ? ", " : "", i);
        cli_json_string(stdout, a->pnames[i % a->nprog], strlen(a->pnames[i % a->nprog]));
        if (a->nku > 1) {
            fputs(", \"guest\": ", stdout);
            cli_json_string(stdout, a->kuniq[a->kernel_of[i]], strlen(a->kuniq[a->kernel_of[i]]));
        }
        printf(", \"state\": \"%s\", \"reason\": ", vmm_vm_state_name(vmm_vm_state_of(v, i)));
        cli_json_string(stdout, vmm_vm_reason(v, i), strlen(vmm_vm_reason(v, i)));
        printf(", \"native_output_matches\": %s",
               !r->have_native[p] || vmm_vm_state_of(v, i) != VM_HALTED ? "null"
               : r->differs[i] ? "false" : "true");
        fputs(", \"output\": ", stdout);
        size_t n;
        const char *o = vmm_console(v, i, &n);
        cli_json_string(stdout, o, n);
        fputs(", ", stdout);
        json_stats(stdout, vmm_vm_stats(v, i), r->native_cycles[p]);
        if (a->cfg.design == VMM_DESIGN_BT)
            json_bt(stdout, vmm_vm_stats(v, i));
        fputs("}", stdout);
    }
    vmm_stats tot;
    vmm_total_stats(v, &tot);
    fputs("], \"total\": {", stdout);
    json_stats(stdout, &tot, 0);
    if (a->cfg.design == VMM_DESIGN_BT)
        json_bt(stdout, &tot);
    printf(", \"machine_cycles\": %llu}}\n", U(machine_cycles(vmm_machine(v))));
}

static void print_outputs(const vm_args *a, const vm_run *r)
{
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        size_t n;
        const char *o = vmm_console(r->v, i, &n);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "vm%u| ", i);
        print_console(o, n, a->cfg.nvms > 1 ? prefix : NULL);
    }
}

/* Failures, differences from native and the step limit, on stderr. */
static void print_verdicts(const vm_args *a, const vm_run *r)
{
    bool legacy = a->cfg.profile == PROFILE_LEGACY;
    char why[512];
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        if (vmm_vm_state_of(r->v, i) == VM_FAILED)
            fprintf(stderr, TR("traplab vm: VM %u failed and was stopped: %s\n"), i,
                    cli_tr_line(vmm_vm_reason(r->v, i), why, sizeof why));
        if (r->differs[i])
            fprintf(stderr, TR("traplab vm: vm%u: OUTPUT DIFFERS FROM NATIVE (Popek and Goldberg's "
                    "equivalence is violated)%s\n"), i,
                    legacy ? TR("; expected on the legacy profile, where sensitive instructions do "
                                "not trap") : "");
    }
    if (r->stop == STOP_LIMIT)
        fprintf(stderr, TR("traplab vm: stopped after %llu instructions (--max-steps, counting every "
                "VM)\n"), U(a->max_steps));
    else if (r->stop == STOP_FATAL)
        fprintf(stderr, TR("traplab vm: machine stopped: %s\n"),
                cli_tr_line(machine_fatal_reason(vmm_machine(r->v)), why, sizeof why));
}

static void print_all_stats(const vm_args *a, const vm_run *r)
{
    char title[64];
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        snprintf(title, sizeof title, "VM %u (%s%s%s, %s)", i, a->pnames[i % a->nprog],
                 a->nku > 1 ? TR(" on ") : "", a->nku > 1 ? a->kuniq[a->kernel_of[i]] : "",
                 TR(vmm_vm_state_name(vmm_vm_state_of(r->v, i))));
        print_stats(stderr, title, vmm_vm_stats(r->v, i), r->native_cycles[NATIVE(a, i)]);
    }
    vmm_stats tot;
    vmm_total_stats(r->v, &tot);
    snprintf(title, sizeof title, TR("total (%u VM%s, %s, %s%s)"), a->cfg.nvms, a->cfg.nvms == 1 ? "" : "s",
             vmm_host_name(a->cfg.host),
             isa_profile_name(a->cfg.profile),
             a->cfg.design == VMM_DESIGN_PARA ? TR(", paravirtualized")
             : a->cfg.design == VMM_DESIGN_BT ? TR(", binary translation") : "");
    print_stats(stderr, title, &tot, 0);
    fprintf(stderr, TR("  machine cycles      %llu\n"), U(machine_cycles(vmm_machine(r->v))));
    const machine_stats *ms = machine_get_stats(vmm_machine(r->v));
    if (ms->tlb_misses_nested)    /* --design hw: the price of nested paging */
        fprintf(stderr, TR("  TLB misses          %llu, %llu of them in guest mode (two-stage walks, "
                "%llu table reads in all)\n"), U(ms->tlb_misses), U(ms->tlb_misses_nested),
                U(ms->walk_refs));
    if (tot.violations) {
        fprintf(stderr, tot.violations == 1
                ? TR("note: on the legacy profile pure trap-and-emulate is not enough: "
                     "%llu sensitive instruction ran without trapping and saw or changed the real state")
                : TR("note: on the legacy profile pure trap-and-emulate is not enough: "
                     "%llu sensitive instructions ran without trapping and saw or changed the real state"),
                U(tot.violations));
        if (tot.lost_ie)
            fprintf(stderr, TR("; %llu popf%s lost the guest's interrupt-enable change"),
                    U(tot.lost_ie), tot.lost_ie == 1 ? "" : "s");
        fprintf(stderr, TR(" (Popek and Goldberg's equivalence is violated).\n"));
    }
}

static void csv_row(const char *vm, const char *program, const char *state, const vmm_stats *s, uint64_t native)
{
    printf("%s,\"%s\",%s,%llu,%llu,%llu,%llu,%llu,%llu,", vm, program, state, U(s->guest_insns),
           U(total_cycles(s)), U(s->guest_cycles), U(s->vmm_cycles), U(s->host_cycles), U(s->idle_cycles));
    if (native)
        printf("%llu,%.4f", U(native), (double)total_cycles(s) / (double)native - 1.0);
    else
        fputc(',', stdout);
    printf(",%llu,%.4f,%llu,%llu,%llu,%llu,%llu,%llu\n", U(s->exits),
           s->guest_insns ? 1000.0 * (double)s->exits / (double)s->guest_insns : 0.0, U(s->emulated),
           U(s->reflected), U(s->injected), U(s->hypercalls), U(s->vm_switches), U(s->violations));
}

/* --csv: one line per VM, then the total (native_cycles and overhead empty without a native run). */
static void print_csv(const vm_args *a, const vm_run *r)
{
    printf("vm,program,state,instructions,cycles,guest_cycles,vmm_cycles,host_cycles,idle_cycles,"
           "native_cycles,overhead,exits,exits_per_1k_insns,emulated,reflected,injected,hypercalls,"
           "vm_switches,violations\n");
    char num[16];
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        snprintf(num, sizeof num, "%u", i);
        csv_row(num, a->pnames[i % a->nprog], vmm_vm_state_name(vmm_vm_state_of(r->v, i)),
                vmm_vm_stats(r->v, i), r->native_cycles[i % a->nprog]);
    }
    vmm_stats tot;
    vmm_total_stats(r->v, &tot);
    csv_row("total", "", r->ok ? "ok" : "failed", &tot, 0);
}

/* --plot: one cluster per VM, one bar for this run's design and host. */
static bool plot_vms(const vm_args *a, const vm_run *r)
{
    cli_plot_bar bars[VMM_MAX_VMS];
    char groups[VMM_MAX_VMS][64], series[48];
    snprintf(series, sizeof series, "%s, %s", vmm_design_name(a->cfg.design), vmm_host_name(a->cfg.host));
    for (unsigned i = 0; i < a->cfg.nvms; i++) {
        const vmm_stats *s = vmm_vm_stats(r->v, i);
        uint64_t native = r->native_cycles[i % a->nprog];
        snprintf(groups[i], sizeof groups[i], "VM %u: %s", i, a->pnames[i % a->nprog]);
        bars[i] = (cli_plot_bar){ groups[i], series,
                                  native ? (double)total_cycles(s) / (double)native - 1.0 : NAN,
                                  s->guest_insns ? 1000.0 * (double)s->exits / (double)s->guest_insns : 0.0 };
    }
    char title[128];
    snprintf(title, sizeof title, "traplab vm: %u VM%s, %s", a->cfg.nvms, a->cfg.nvms == 1 ? "" : "s", series);
    return cli_plot("vm", a->plot, title, bars, a->cfg.nvms);
}

static void run_free(const vm_args *a, vm_run *r)
{
    (void)a;
    for (size_t p = 0; p < NATIVES; p++)
        if (r->have_native[p])
            vmm_native_result_free(&r->nres[p]);
    vmm_free(r->v);
    for (size_t i = 0; i < r->loaded; i++)
        image_free(&r->pimg[i]);
    for (size_t k = 0; k < r->kloaded; k++) {
        image_free(&r->kimg[k]);
        image_free(&r->dkimg[k]);
    }
}

static int vm_options(int argc, char **argv)
{
    vm_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK || a.help || a.list) {
        if (rc == EXIT_OK && a.help)
            help();
        else if (rc == EXIT_OK && a.list_cpus)
            cli_list_cpus(&a.cfg);
        else if (rc == EXIT_OK)
            list_costs(&a.cfg);
        free(a.plist);
        return rc;
    }
    static vm_run r;      /* 256 native results: too big for the stack */
    memset(&r, 0, sizeof r);
    for (size_t k = 0; k < VMM_MAX_VMS; k++) {
        image_init(&r.kimg[k]);
        image_init(&r.dkimg[k]);
    }
    rc = EXIT_FAIL;
    if (!load_guests(&a, &r))
        goto out;
    if (a.bare) {
        rc = run_bare(&a.cfg, &r.kimg[0], &r.pimg[0], a.max_steps, a.json, a.stats);
        goto out;
    }
    if (!run_vms(&a, &r))
        goto out;
    /* On legacy the difference is the lesson: reported, but not a failure. */
    bool pass = r.ok && (!r.any_differs || a.cfg.profile == PROFILE_LEGACY);
    if (a.json)
        print_json(&a, &r, pass);
    else if (a.csv)
        print_csv(&a, &r);
    else
        print_outputs(&a, &r);
    fflush(stdout);
    print_verdicts(&a, &r);
    if (a.stats)
        print_all_stats(&a, &r);
    if (a.show_block && !vmm_bt_show_block(r.v, 0, a.block_addr, stderr))
        fprintf(stderr, TR("traplab vm: --show-block: VM 0's kernel cannot fetch code at 0x%08x\n"),
                a.block_addr);
    rc = pass && !r.save_failed ? EXIT_OK : EXIT_FAIL;
    if (a.plot && !plot_vms(&a, &r))
        rc = EXIT_FAIL;
out:
    run_free(&a, &r);
    free(a.plist);
    return rc;
}

int cmd_vm(int argc, char **argv)
{
    return cli_run_with_save_at("vm", argc, argv, vm_options);
}
