/*
 * bench_bt.c -- host time of binary translation (--design bt) against the
 * bare machine: the cpu workload (mostly user code, which runs directly)
 * and the system-call workload (mostly translated kernel code, run a block
 * at a time with callouts).  The goal is that translated code runs at
 * least half the interpreter's speed: guest instructions per host second
 * under bt against the native run's.  CPU time, best of two; the host
 * clock never enters simulated results.
 */
#include <stdio.h>
#include <time.h>

#include "asm/asm.h"
#include "vmm/vmm.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(const char *path, const char *def, image *img)
{
    static const char *dirs[] = { "guest" };
    const char *defs[1] = { def };
    asm_options o = { 0 };
    o.include_dirs = dirs;
    o.ninclude_dirs = 1;
    o.defines = defs;
    o.ndefines = def ? 1 : 0;
    image_init(img);
    return asm_assemble_file(path, &o, img) != 0 ? -1 : 0;
}

/* Best-of-two host seconds and guest instructions of native and bt runs. */
static int measure(const char *name, const image *k, const image *p)
{
    vmm_config cfg;
    vmm_default_config(&cfg);
    char err[160];
    double tn = 1e9, tb = 1e9;
    uint64_t ni = 0, bi = 0;
    for (int round = 0; round < 2; round++) {
        vmm_native_result nr;
        double t0 = now();
        if (!vmm_run_native(&cfg, k, p, 0, &nr, err, sizeof err) || nr.stop != STOP_HALT) {
            fprintf(stderr, "bench_bt: %s: native run failed\n", name);
            return 1;
        }
        double t1 = now();
        ni = nr.instret;
        vmm_native_result_free(&nr);
        cfg.design = VMM_DESIGN_BT;
        vmm *v = vmm_new(&cfg, err, sizeof err);
        cfg.design = VMM_DESIGN_FULL;
        if (!v || !vmm_load(v, 0, k, p, err, sizeof err)) {
            fprintf(stderr, "bench_bt: %s\n", err);
            return 1;
        }
        double t2 = now();
        machine_stop s = vmm_run(v, 0);
        double t3 = now();
        bi = vmm_vm_stats(v, 0)->guest_insns;
        vmm_free(v);
        if (s != STOP_HALT) {
            fprintf(stderr, "bench_bt: %s: bt run stopped with %s\n", name, machine_stop_name(s));
            return 1;
        }
        if (t1 - t0 < tn)
            tn = t1 - t0;
        if (t3 - t2 < tb)
            tb = t3 - t2;
    }
    double nrate = (double)ni / tn, brate = (double)bi / tb;
    printf("bt: %s: native %.3f s (%.0f M insns/s), bt %.3f s (%.0f M guest insns/s): bt runs at "
           "%.2f of the interpreter's speed (goal >= 0.5), host time ratio bt/native %.2f\n",
           name, tn, nrate / 1e6, tb, brate / 1e6, brate / nrate, tb / tn);
    return 0;
}

int main(void)
{
    image k, cpu, sys;
    if (load("guest/kernel.s", NULL, &k) || load("guest/cpu.s", "ITERS=6000000", &cpu) ||
        load("guest/sys.s", "ITERS=20000", &sys)) {
        fprintf(stderr, "bench_bt: cannot assemble the guests (run from the top folder)\n");
        return 1;
    }
    int rc = measure("cpu workload", &k, &cpu) || measure("sys workload (kernel-heavy)", &k, &sys);
    image_free(&k);
    image_free(&cpu);
    image_free(&sys);
    return rc;
}
