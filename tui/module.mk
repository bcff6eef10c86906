# tui/: the terminal UI.  model.c and explain.c hold no curses, so the unit
# tests (tests/test_tui.c) link them directly; view.c is the only file that
# includes curses.
UI_SRCS += tui/model.c tui/explain.c tui/view.c
TEST_SRCS += tui/model.c tui/explain.c
# The end-to-end test drives the real binary in tmux; it reads TRAPLAB_BIN.
TEST_RUNS += tests/tui-e2e.sh
export TRAPLAB_BIN = $(B)/traplab
# The hypervisor target compiles to nothing until vmm/vmm.h is in the tree.
UI_SRCS += tui/target_vmm.c
TEST_SRCS += tui/target_vmm.c
