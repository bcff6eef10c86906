# tui/: the terminal UI.  the model (model.c, target_bare.c, tasks.c, run.c, keys.c) and explain.c hold no curses, so the unit
# tests (tests/test_tui.c) link them directly; view.c is the only file that
# includes curses.
TUI_MODEL_SRCS := tui/model.c tui/target_bare.c tui/tasks.c tui/run.c tui/keys.c tui/breakpoint.c tui/command.c
UI_SRCS += $(TUI_MODEL_SRCS) tui/explain.c tui/view.c
TEST_SRCS += $(TUI_MODEL_SRCS) tui/explain.c
# The end-to-end test drives the real binary in tmux; it reads TRAPLAB_BIN.
TEST_RUNS += tests/tui-e2e.sh tests/tui-debugger-e2e.sh
export TRAPLAB_BIN = $(B)/traplab
# make run: the default scenario, the guest kernel running two workloads in
# two VMs under Type-1 full virtualization (once the hypervisor is in the tree).
ifneq ($(wildcard vmm/vmm.h),)
RUN_COMMAND := ./$(B)/traplab tui --guest kernel --program cpu,io --vms 2 --host type1
endif
# The hypervisor target compiles to nothing until vmm/vmm.h is in the tree.
UI_SRCS += tui/target_vmm.c
TEST_SRCS += tui/target_vmm.c
# Objects that test for vmm/vmm.h with __has_include rebuild when it appears.
$(B)/obj/tui/target_vmm.o $(B)/obj/cli/cmd_tui.o $(B)/obj/tests/test_tui.o: $(wildcard vmm/vmm.h)
