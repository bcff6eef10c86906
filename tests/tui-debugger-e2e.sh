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

# ---- the command line on the bare machine ---------------------------------------
cat > "$T/count.s" <<'EOT'
        .org 0x1000
_start: li sp, 0x8000
        la s0, handler
        mtcr tvb, s0
        li s0, 3
        mtcr estatus, s0
        la s0, user
        mtcr epc, s0
        iret
user:   li s1, 0
        la s2, count
loop:   addi s1, s1, 1
        sw s1, 0(s2)
        li at, 10
        bne s1, at, loop
        syscall
        halt
handler: li a0, 'H'
        out a0, 0x10
        halt
        .align 4
count:  .word 0
EOT
session "LANG=C '$BIN' tui --lang en '$T/count.s'"
wait_for "Ready. Press ?" || fail "bare: the UI did not start"
cmd "break loop if s1 == 4"
wait_for "Breakpoint 1 at 0x" 5 && pass ":break SYM if EXPR" || fail ":break"
$TM send-keys -t "$S" c
if wait_for "Breakpoint at 0x" 5 && screen | grep -q "s1 00000004"; then
    pass "c stops where the condition holds (s1 = 4)"
else fail "conditional breakpoint"; fi
cmd "watch count"
wait_for "Watchpoint 2 (write)" 5 || fail ":watch"
$TM send-keys -t "$S" c
wait_for "0x00000004 -> 0x00000005" 5 && pass "c stops after the store, with the old and new value" \
    || fail "watchpoint hit"
$TM send-keys -t "$S" c
wait_for "0x00000005 -> 0x00000006" 5 || fail "second watchpoint hit"
$TM send-keys -t "$S" C
wait_for "Back to stop 2" 5 && pass "C runs back to the previous watchpoint hit" || fail "reverse continue"
screen | grep -q "s1 00000005" && pass "C: the registers are those of the earlier hit" || fail "C registers"
# info breakpoints: a box, any key closes it
cmd "info breakpoints"
if wait_for "Num  Type" 5 && screen | grep -q "1    breakpoint" && screen | grep -q "2    watchpoint"; then
    pass ":info breakpoints lists both, with their numbers"
else fail ":info breakpoints"; fi
$TM send-keys -t "$S" x
wait_for "F10Quit" 5
# set, and r undoes it
cmd "set a0 = 0x1234"
wait_for "a0: 0x00000000 -> 0x00001234" 5 && screen | grep -q "a0 00001234" && pass ":set a0 changes the register pane" \
    || fail ":set"
$TM send-keys -t "$S" r
wait_for "Back: pc" 5
screen | grep -q "a0 00000000" && pass "r undoes the set" || fail "r after set"
# Tab completion and the history
$TM send-keys -t "$S" ':'
$TM send-keys -t "$S" -l "exa"
$TM send-keys -t "$S" Tab
$TM send-keys -t "$S" -l "count 2"
$TM send-keys -t "$S" Enter
wait_for "<count>:" 5 && pass "Tab completes exa to examine" || fail "completion"
$TM send-keys -t "$S" ':' Up Up Up Enter
wait_for "1    breakpoint" 5 && pass "Up recalls the history" || fail "history"
$TM send-keys -t "$S" x
wait_for "F10Quit" 5
cmd "frobnicate"
wait_for "Unknown command 'frobnicate' (help lists them)" 5 && pass "a bad command says so" || fail "bad command"
# source: a script of commands
printf 'delete\nbreak trap SYSCALL\ncontinue\n' > "$T/session.gdb"
cmd "source $T/session.gdb"
wait_for "session.gdb: 3 commands. Catchpoint 3: trap S" 10 && pass ":source runs a script" \
    || fail ":source"
# w saves a snapshot file that traplab run --restore goes on from
$TM send-keys -t "$S" w
wait_for "Save a snapshot to: traplab.snap" 5 || fail "w: the prompt"
$TM send-keys -t "$S" C-u
$TM send-keys -t "$S" -l "$T/w.snap"
$TM send-keys -t "$S" Enter
wait_for "Snapshot saved to" 5 && [ -s "$T/w.snap" ] && "$BIN" run --restore "$T/w.snap" >"$T/w.out" 2>&1 \
    && grep -q "H" "$T/w.out" && pass "w saves a snapshot; run --restore goes on from it" || fail "w"
quit "bare command line"

# --source FILE runs a session as the UI opens; a missing file is an error before it starts
printf 'break loop if s1 == 7\ncontinue\n' > "$T/seven.gdb"
session "LANG=C '$BIN' tui --lang en --source '$T/seven.gdb' '$T/count.s'"
wait_for "seven.gdb: 2 commands. Breakpoint at" 10 && screen | grep -q "s1 00000007" \
    && pass "--source runs the commands as the UI opens" || fail "--source"
quit "--source"
session "LANG=C '$BIN' tui --source '$T/nothere.gdb' '$T/count.s'"
wait_for "DONE" 10 && screen | grep -q "EXIT=1" && screen | grep -q "traplab tui: --source .*nothere.gdb: No" \
    && pass "--source with a missing file: a message and status 1" || fail "--source missing file"

# ---- s s r: the whole screen of the first s -----------------------------------------
if [ -f vmm/vmm.h ]; then
    session "LANG=C '$BIN' tui --lang en --guest kernel --program cpu --host type2"
    wait_for "Ready. Press ?" || fail "s s r: the UI did not start"
    screen | grep -q "Real CPU: VMM, not started" && pass "first frame: the real CPU is said to be the VMM's, not started" \
        || fail "first frame under the VMM"
    # step until an exit with its steps is in the log
    n=0
    until screen | grep -q "+" && screen | grep -q "host OS" || [ $n -ge 60 ]; do
        $TM send-keys -t "$S" s; n=$((n + 1)); sleep 0.05
    done
    sleep 0.3
    after1=$(screen | sed '23d')
    $TM send-keys -t "$S" s
    sleep 0.3
    $TM send-keys -t "$S" r
    wait_for "Back: pc" 5
    sleep 0.2
    after3=$(screen | sed '23d')
    if [ "$after1" = "$after3" ]; then pass "after s s r every pane equals the screen after the first s"
    else
        fail "s s r screen differs"
        printf '%s\n' "$after1" > "$T/a1"; printf '%s\n' "$after3" > "$T/a3"; diff "$T/a1" "$T/a3" >&2
    fi
    quit "s s r"
fi

# lab run under the hypervisor: the VM is named by its program, not a cut temporary path
if [ -f labs/02-trap-and-emulate/lab.lua ] && [ -f vmm/vmm.h ]; then
    mkdir -p "$T/stu"
    session "cd '$T/stu' && LANG=C '$BIN' lab run 02-trap-and-emulate --labs '$PWD/labs' --lang es"
    if wait_for "para ver las teclas" 10 && screen | grep -q "VM 0 lab02-idle" && ! screen | grep -q "/tmp/"; then
        pass "lab run 02: the VM is named lab02-idle, no temporary path"
    else fail "lab run 02: the VM's name"; fi
    screen | grep -q "CPU real: VMM, sin empezar" && pass "lab run 02 in Spanish: the real CPU's pane says the VMM has not started" \
        || fail "lab run 02: the real CPU's title in Spanish"
    quit "lab run 02 --lang es"
fi

if [ $fails -gt 0 ]; then
    echo "tui-debugger-e2e: $fails check(s) failed" >&2
    exit 1
fi
echo "tui-debugger-e2e: all checks passed"
