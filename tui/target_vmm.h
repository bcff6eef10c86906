/*
 * target_vmm.h -- the hypervisor as a target of the terminal UI: several
 * VMs running a guest kernel and its workloads under the trap-and-emulate
 * VMM, every VMM event going to the model's log.
 *
 * Built only when the hypervisor (vmm/vmm.h) is part of the tree.
 */
#ifndef TRAPLAB_TUI_TARGET_VMM_H
#define TRAPLAB_TUI_TARGET_VMM_H

#if defined(__has_include)
#if __has_include("vmm/vmm.h")
#define TUI_HAVE_VMM 1
#endif
#endif

#ifdef TUI_HAVE_VMM
#include "tui/model.h"
#include "vmm/vmm.h"

/*
 * A VMM with cfg->nvms VMs, each running kernel with progs[i % nprogs]
 * (names[i % nprogs] in the VMs pane).  Takes ownership of the images
 * (moved).  NULL with a message in err.
 */
void *tui_vmm_target_new(const vmm_config *cfg, image *kernel, image *progs,
                         const char *const *names, size_t nprogs, char *err, size_t errlen);
/*
 * The same with a guest kernel per VM: VM i runs kernels[kernel_of[i]]
 * (kernel_of NULL: kernels[i % nkernels]) with progs[i % nprogs].  A VM
 * whose kernel is not kernels[0] is named by kernel_names[k] (may be NULL).
 */
void *tui_vmm_target_new_guests(const vmm_config *cfg, image *kernels, size_t nkernels,
                                const unsigned *kernel_of, const char *const *kernel_names,
                                image *progs, const char *const *names, size_t nprogs,
                                char *err, size_t errlen);
extern const tui_target_ops tui_vmm_target_ops;

/* The checkpoint budget for tui_model_new under the VMM.  The VMM replays
 * about 250 million instructions a second but a snapshot (all of real
 * memory) takes about a millisecond to copy, so a few checkpoints are the
 * better trade: with 32 MiB (7 snapshots of the two-VM scenario) a step back
 * at the end of its 14-million-instruction run takes about 3 ms, and the run
 * itself 0.07 s instead of 0.55 s with the 256 MiB default. */
#define TUI_VMM_CK_BUDGET ((size_t)32 << 20)
#endif

#endif
