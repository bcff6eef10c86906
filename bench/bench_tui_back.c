/*
 * bench_tui_back.c -- host time of the terminal UI's step back (r) and back
 * to the previous trap (R) at the end of a long run under the hypervisor:
 * the make run scenario (guest kernel, workloads cpu and io, two VMs,
 * Type-1) continued to its end, as `c` does, then r and R pressed a few
 * times.  Goes through the UI's model, without a terminal.  The host clock
 * measures the host only (CPU time of this process, so that other processes
 * on a shared machine count less); the simulated counters are printed beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "asm/asm.h"
#include "tui/model.h"
#include "tui/target_vmm.h"

#define PRESSES 9

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool load(const char *path, image *img)
{
    static const char *dirs[] = { "guest" };
    asm_options o = { .include_dirs = dirs, .ninclude_dirs = 1 };
    image_init(img);
    if (asm_assemble_file(path, &o, img) == 0)
        return true;
    fprintf(stderr, "bench_tui_back: cannot assemble %s\n", path);
    return false;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median host time of PRESSES presses of one key. */
static double press(tui_model *m, tui_reaction (*key)(tui_model *))
{
    double t[PRESSES];
    for (int i = 0; i < PRESSES; i++) {
        double a = now();
        key(m);
        t[i] = now() - a;
    }
    qsort(t, PRESSES, sizeof t[0], by_double);
    return t[PRESSES / 2];
}

int main(void)
{
    image k, p[2];
    if (!load("guest/kernel.s", &k) || !load("guest/cpu.s", &p[0]) || !load("guest/io.s", &p[1]))
        return 1;
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.nvms = 2;
    const char *names[] = { "cpu", "io" };
    char err[160];
    void *t = tui_vmm_target_new(&cfg, &k, p, names, 2, err, sizeof err);
    if (!t) {
        fprintf(stderr, "bench_tui_back: %s\n", err);
        return 1;
    }
    tui_model *m = tui_model_new(&tui_vmm_target_ops, t, NULL, TUI_LANG_EN, TUI_VMM_CK_BUDGET);
    if (!m)
        return 1;
    double a = now();
    m->running = true;
    while (m->running)
        tui_action_continue(m, 200000);
    double run = now() - a;
    machine *mach = tui_model_machine(m);
    printf("tui under the VMM, two VMs (cpu, io), to the end: %llu instructions, %llu cycles, "
           "%.3f s; %zu checkpoints, %.1f MiB\n",
           (unsigned long long)machine_instret(mach), (unsigned long long)machine_cycles(mach), run,
           m->nck, (double)tui_model_checkpoint_bytes(m) / (1 << 20));
    double r = press(m, tui_action_back_step);
    double R = press(m, tui_action_back_to_previous_trap);
    printf("  r (step back) at the end: %.2f ms CPU time (median of %d; goal < 5 ms)\n", r * 1e3, PRESSES);
    printf("  R (back to the previous trap): %.2f ms (median of %d)\n", R * 1e3, PRESSES);
    tui_model_free(m);
    return 0;
}
