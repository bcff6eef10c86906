/*
 * bench_hw.c -- host time of a cpu-bound guest (guest/kernel.s running
 * guest/cpu.s) on the bare machine and under the hardware-assisted design
 * (--design hw): the guest kernel and its user code run in guest mode on
 * the machine's fast path, with two-stage translation behind the TLB, so
 * the ratio should stay within 10% (the goal of issue 11).  The host clock
 * measures the host here, never simulated results; simulated cycles are
 * printed beside it.
 */
#include <stdio.h>
#include <time.h>

#include "asm/asm.h"
#include "vmm/vmm.h"

#define ITERS "ITERS=6000000"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(const char *path, image *img)
{
    static const char *dirs[] = { "guest" };
    static const char *defs[] = { ITERS };
    asm_options o = { 0 };
    o.include_dirs = dirs;
    o.ninclude_dirs = 1;
    o.defines = defs;
    o.ndefines = 1;
    image_init(img);
    return asm_assemble_file(path, &o, img) != 0 ? -1 : 0;
}

int main(void)
{
    image ki, pi;
    if (load("guest/kernel.s", &ki) || load("guest/cpu.s", &pi)) {
        fprintf(stderr, "bench_hw: cannot assemble guest/kernel.s and guest/cpu.s (run from the top folder)\n");
        return 1;
    }
    vmm_config cfg;
    vmm_default_config(&cfg);
    cfg.design = VMM_DESIGN_HW;
    char err[160];

    double best_native = 1e9, best_vmm = 1e9;
    uint64_t ncycles = 0, vcycles = 0, insns = 0;
    for (int round = 0; round < 2; round++) {
        vmm_native_result nr;
        double t0 = now();
        if (!vmm_run_native(&cfg, &ki, &pi, 0, &nr, err, sizeof err) || nr.stop != STOP_HALT) {
            fprintf(stderr, "bench_hw: native run failed\n");
            return 1;
        }
        double t1 = now();
        ncycles = nr.cycles;
        insns = nr.instret;
        vmm_native_result_free(&nr);
        vmm *v = vmm_new(&cfg, err, sizeof err);
        if (!v || !vmm_load(v, 0, &ki, &pi, err, sizeof err)) {
            fprintf(stderr, "bench_hw: %s\n", err);
            return 1;
        }
        double t2 = now();
        machine_stop s = vmm_run(v, 0);
        double t3 = now();
        vcycles = machine_cycles(vmm_machine(v));
        vmm_free(v);
        if (s != STOP_HALT) {
            fprintf(stderr, "bench_hw: VMM run stopped with %s\n", machine_stop_name(s));
            return 1;
        }
        if (t1 - t0 < best_native)
            best_native = t1 - t0;
        if (t3 - t2 < best_vmm)
            best_vmm = t3 - t2;
    }
    printf("hw: cpu-bound guest (%llu instructions): native %.3f s, --design hw %.3f s, "
           "host-time ratio %.3f (goal <= 1.10); simulated cycles %llu vs %llu (%+.1f%%)\n",
           (unsigned long long)insns, best_native, best_vmm, best_vmm / best_native,
           (unsigned long long)ncycles, (unsigned long long)vcycles,
           100.0 * ((double)vcycles / (double)ncycles - 1.0));
    image_free(&ki);
    image_free(&pi);
    return 0;
}
