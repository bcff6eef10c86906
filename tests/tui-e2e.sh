#!/bin/sh
# tui-e2e.sh -- drives the real 'traplab tui' inside a detached tmux session
# and checks what is on the screen: stepping to a trap shows it in the log
# with its explanation; stepping back restores the registers shown before;
# a resize to 80x24 keeps every pane readable; q exits with status 0 and
# leaves the terminal as it was; binary translation runs the legacy profile
# with the native output and early hardware assist takes --cpu p4's exit
# costs; 'traplab lab run' shows the lab's tasks in
# a Tasks pane, in English and in Spanish.  Polls for text instead of sleeping, with a
# timeout, and always kills the session.
#
# usage: tests/tui-e2e.sh [TRAPLAB]   (default: $TRAPLAB_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac

if ! command -v tmux >/dev/null 2>&1; then
    echo "tui-e2e: tmux is not installed (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
if [ ! -x "$BIN" ]; then
    echo "tui-e2e: $BIN not built" >&2
    exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/traplab-tui-e2e.XXXXXX") || exit 2
S="traplab-e2e-$$"
# A private tmux server, so the test never touches the user's sessions.
TM="tmux -L $S -f /dev/null"
cleanup() {
    $TM kill-server >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

fails=0
fail() {
    echo "tui-e2e: FAIL: $1" >&2
    echo "---- screen ----" >&2
    screen >&2
    echo "----------------" >&2
    fails=$((fails + 1))
}
pass() { echo "tui-e2e: ok: $1"; }
screen() { $TM capture-pane -t "$S" -p 2>/dev/null; }

# wait_for TEXT [SECONDS]: poll the screen until TEXT appears.
wait_for() {
    limit=$(( ${2:-10} * 10 ))
    i=0
    while [ $i -lt $limit ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# regs: the register pane's rows (between its title and the Code pane).
regs() { screen | sed -n '/Registers/,/Code/p' | cut -c1-36; }

cat > "$T/trap.s" <<'EOF'
; The kernel drops to ring 3; the user code runs a privileged halt.
        .org 0x1000
_start: li sp, 0x8000
        la s0, handler
        mtcr tvb, s0
        li s0, 3
        mtcr estatus, s0
        la s0, user
        mtcr epc, s0
        iret
user:   li a0, 6
        li a1, 7
        add a1, a1, a0
priv:   halt                    ; privileged: traps in ring 3
        b user
handler: mfcr a0, cause
        andi a0, a0, 0xff
        addi a0, a0, '0'
        out a0, 0x10
        halt
EOF

# No terminal: a clear error and status 2.
"$BIN" tui "$T/trap.s" </dev/null >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "must be a terminal" "$T/out"; then pass "no tty: exit 2 with a message"
else echo "tui-e2e: FAIL: no tty gave status $rc: $(cat "$T/out")" >&2; fails=$((fails + 1)); fi

# Bad options say what is allowed; --help lists every key.
"$BIN" tui --mem 8589934592 "$T/trap.s" </dev/null >"$T/out" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "multiple of 4096 from 4096 to 4294963200, not '8589934592'" "$T/out"; then
    pass "--mem out of range: the range in the message, exit 2"
else echo "tui-e2e: FAIL: --mem gave status $rc: $(cat "$T/out")" >&2; fails=$((fails + 1)); fi
"$BIN" tui --help >"$T/out" 2>&1
if grep -q "v next VM" "$T/out" && grep -q "Tab focus" "$T/out" && grep -q "m memory view" "$T/out" \
   && grep -q "e the whole" "$T/out" && grep -q "L language" "$T/out"; then pass "--help lists v, Tab, m, e, L"
else echo "tui-e2e: FAIL: --help keys: $(cat "$T/out")" >&2; fails=$((fails + 1)); fi

$TM new-session -d -s "$S" -x 100 -y 32 \
    "stty -g > '$T/before'; LANG=C TERM=xterm-256color '$BIN' tui --lang en '$T/trap.s'; echo \"EXIT=\$?\"; stty -g > '$T/after'; echo DONE; sleep 60" \
    || { echo "tui-e2e: cannot start tmux" >&2; exit 1; }

wait_for "Ready. Press ?" || fail "the UI did not start"

# Colour reaches the screen: the PC line has the yellow background (SGR 43)
# and the ring badge a red one (41); capture-pane -e keeps the escapes.
esc=$(printf '\033')
if $TM capture-pane -t "$S" -p -e | grep -q "${esc}\[43m> 00001000" \
   && $TM capture-pane -t "$S" -p -e | grep -q "${esc}\[41m RING 0"; then
    pass "colour on screen: the PC line and ring 0 are highlighted"
else fail "no colour on the PC line or the ring badge"; fi

# The first step sets sp: its row is drawn differently (highlighted) right
# after that step than after the next one, which leaves it alone.
$TM send-keys -t "$S" s
wait_for "insn 1 " || fail "first step"
hl1=$($TM capture-pane -t "$S" -p -e | grep "sp 00008000")
$TM send-keys -t "$S" s
wait_for "insn 2 " || fail "second step"
hl2=$($TM capture-pane -t "$S" -p -e | grep "sp 00008000")
if [ -n "$hl1" ] && [ "$hl1" != "$hl2" ]; then pass "a changed register is highlighted"
else fail "changed register not highlighted"; fi

# Step to three instructions, remember the registers, step once more, step back.
$TM send-keys -t "$S" s
wait_for "insn 3 " || fail "three steps"
before=$(regs)
$TM send-keys -t "$S" s
wait_for "insn 4 " || fail "fourth step"
changed=$(regs)
$TM send-keys -t "$S" r
wait_for "Back: pc" || fail "step back"
after=$(regs)
if [ "$before" = "$after" ] && [ "$before" != "$changed" ]; then pass "step back restores the registers shown before"
else fail "registers after r differ from before"; fi

# Run to the trap: the log line and the explanation.
$TM send-keys -t "$S" t
if wait_for "ILLEGAL_PRIV" && wait_for "Why: 'halt' is privileged and the CPU was in ring 3" \
   && screen | grep -q "ILLEGAL_PRIV.*3>0 hardware"; then pass "the trap is in the log with its explanation"
else fail "trap not shown with its explanation"; fi

# Resize to 80x24: every pane keeps its title and content.  The redraw
# follows the resize asynchronously, so poll until the whole check holds.
layout_ok() {
    scr=$(screen)
    for title in "Registers" "Code" "Memory" "Traps and exits" "Explanation" "VMs" "Statistics" "Console" "F1Help"; do
        printf '%s\n' "$scr" | grep -qF -- "$title" || return 1
    done
    printf '%s\n' "$scr" | grep -qE "ILLEGAL_PRIV [0-9a-f]{8} 3>0 hardware +1000" || return 1   # with its cycles
    printf '%s\n' "$scr" | grep -qF "Why: 'halt' is privileged" || return 1
    printf '%s\n' "$scr" | grep -qF "pc 0000" || return 1
    printf '%s\n' "$scr" | head -n 1 | grep -qE "cycles [0-9]+ " || return 1     # the top bar keeps the cycles
    printf '%s\n' "$scr" | grep -q "qqqq" && return 1      # line characters shown as letters
    [ "$(printf '%s\n' "$scr" | wc -l)" -eq 24 ] || return 1
    [ "$(printf '%s\n' "$scr" | awk '{ if (length($0) > 80) n++ } END { print n + 0 }')" -eq 0 ]
}
$TM resize-window -t "$S" -x 80 -y 24
i=0
until layout_ok || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
if layout_ok; then pass "80x24 keeps every pane readable"; else fail "layout at 80x24"; fi

# Too small a terminal says so; growing back restores every pane.
$TM resize-window -t "$S" -x 60 -y 20
wait_for "Terminal too small: 80x24 at least" 5 && pass "below 80x24: a clear message" || fail "too-small message"
$TM resize-window -t "$S" -x 80 -y 24
wait_for "Explanation" 5 && screen | grep -qF "Registers" && pass "back to 80x24" || fail "back to 80x24"

# The help overlay opens and closes.
$TM send-keys -t "$S" '?'
wait_for "step back one instruction" 5 && pass "help overlay" || fail "help overlay"
$TM send-keys -t "$S" x
wait_for "F10Quit" 5

# Back to the previous trap after continuing to the end.
$TM send-keys -t "$S" c
wait_for "The machine halted" || fail "continue to halt"
$TM send-keys -t "$S" R
wait_for "Back to trap ILLEGAL_PRIV" && pass "R goes back to the trap" || fail "R"

# q: status 0, terminal as it was.
$TM send-keys -t "$S" q
if wait_for "DONE" && screen | grep -q "EXIT=0"; then pass "q exits with status 0"
else fail "q did not exit with 0"; fi
if [ -s "$T/before" ] && cmp -s "$T/before" "$T/after"; then pass "terminal settings restored"
else fail "terminal settings differ after exit"; fi
if screen | grep -q "Registers"; then fail "the UI is still on the screen after exit"; fi

# another_session CMD: a new 80x24 session runs CMD, then the old one goes.
# In this order, the private server never runs out of sessions (it would
# exit, racing with the next new-session).
nsess=0
another_session() {
    old=$S
    nsess=$((nsess + 1))
    S="traplab-e2e-$$-$nsess"
    $TM new-session -d -s "$S" -x 80 -y 24 "$1"
    $TM kill-session -t "$old" >/dev/null 2>&1
}

# Under the hypervisor (when it is built in): VM exits in Spanish at 80x24.
if [ -f vmm/vmm.h ] && [ -f guest/kernel.s ]; then
    another_session \
        "LANG=C.UTF-8 '$BIN' tui --lang es --guest kernel --program cpu,io --vms 2; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    wait_for "Pulsa ? para ver las teclas" || fail "the UI did not start under the VMM"
    # The first screen shows VM 0's kernel at its entry, registers by alias.
    screen | grep -qF "> 00001000 addi sp, zero," && pass "first screen: the guest's code, not the VMM's data" \
        || fail "first screen under the VMM"
    $TM send-keys -t "$S" t t t t
    if wait_for "VMM emula" && wait_for "cree correr en el anillo 0" && screen | grep -q "Por qué: '.*' es privilegiada" \
       && screen | grep -qF "Trampas y salidas" && screen | grep -qF "Explicación" \
       && screen | grep -q "ANILLO 1.*VM0 v0"; then
        pass "a VM exit emulated by the VMM, explained in Spanish (with accents in UTF-8)"
    else fail "VM exit under the hypervisor"; fi
    # At 80x24: the top bar keeps the cycles, the VMs pane its counters whole
    # (compact units), every log line its cycles.
    if screen | head -n 1 | grep -qE "ciclos [0-9.]+[kMG]? " && screen | grep -qE "^.*│?>0 cpu +[a-z]+ +ex[0-9]+ .*cy[0-9.]+[kMG]?$" \
       && screen | grep -qE "ILLEGAL_PRIV [0-9a-f]{8} 1>1 VMM emula +[0-9]+$"; then
        pass "80x24 under the VMM: cycles in the top bar, the VMs pane and the log"
    else fail "counters at 80x24 under the VMM"; fi
    # e: the whole explanation in a box that scrolls when it does not fit.
    $TM send-keys -t "$S" e
    # (The Explanation pane's title is on the screen before the box: wait for what only the box
    # shows, so a slow machine is not a failure.)
    if wait_for "Apuntes, 'Hipervisor de Tipo 1'" 10 \
       && screen | grep -qE "Pulsa una tecla para cerrar|otra tecla cierra"; then pass "e shows the whole explanation at 80x24"
    else fail "e: the whole explanation"; fi
    $TM send-keys -t "$S" x
    wait_for "F10Salir" 5
    $TM send-keys -t "$S" v
    wait_for "CPU virtual: VM 1" 5 && pass "v selects the next VM" || fail "next VM"
    $TM send-keys -t "$S" r
    wait_for "Atrás: pc" && pass "step back under the hypervisor" || fail "step back under the hypervisor"
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "q under the hypervisor" || fail "q under the hypervisor"
fi

# Legacy profile: t stops at the smsw equivalence violation (no trap, but
# the lesson), about forty exits in (the banner is printed one out at a time).
if [ -f vmm/vmm.h ] && [ -f guest/kernel.s ]; then
    another_session \
        "LANG=C.UTF-8 '$BIN' tui --lang en --profile legacy --guest kernel --program cpu; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    wait_for "Ready. Press ?" || fail "the UI did not start (legacy profile)"
    n=0
    until screen | grep -qF "equivalence violation at" || [ $n -ge 80 ]; do
        $TM send-keys -t "$S" t
        n=$((n + 1))
        wait_for "insn" 1 >/dev/null
        sleep 0.05
    done
    if screen | grep -qF "equivalence violation at" && screen | grep -q "violat\. *[0-9a-f]\{8\}" \
       && screen | grep -q "> [0-9a-f]\{8\} smsw"; then
        pass "t stops at the legacy profile's smsw violation (after $n presses)"
    else fail "t at a violation"; fi
    $TM send-keys -t "$S" t
    wait_for "VM 0 exit" 5 && pass "the next t goes on past the violation" || fail "t after a violation"
    $TM send-keys -t "$S" q
    wait_for "DONE" 5
fi

# design_session DESIGN "ARGS": the TUI under --design DESIGN in a new session;
# its top bar must name the design.
design_session() {
    another_session \
        "LANG=C.UTF-8 '$BIN' tui --lang en --design $1 $2; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    wait_for "Ready. Press ?" || fail "the UI did not start ($1)"
    screen | head -n 1 | grep -qF "Type-1 VMM, $1 |" && pass "$1: the top bar names the design" \
        || fail "$1: the top bar"
}

# Binary translation on the legacy profile: the top bar names the design, and the
# kernel that trap-and-emulate cannot run correctly (above) gives the native output.
if [ -f vmm/vmm.h ] && [ -f guest/kernel.s ]; then
    want=$("$BIN" vm --guest kernel --program cpu --profile strict | grep '^checksum')
    design_session bt "--profile legacy --guest kernel --program cpu"
    $TM send-keys -t "$S" F8
    if [ -n "$want" ] && wait_for "The machine halted" 20 && screen | grep -qF "$want" \
       && screen | grep -qE "\+step +[0-9a-f]{8} 1>1 VMM emul\."; then
        pass "bt on the legacy profile: the translator's steps in the log, the native '$want'"
    else fail "bt on the legacy profile ($want)"; fi
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "bt: q" || fail "bt: q"
fi

# Early hardware assist with the Pentium 4's exit costs: the shadow's hidden faults exit,
# and --cpu p4 reaches every exit (an emulated one costs 2850 with the default costs, plus
# (1931 - 1000) for the exit and (2409 - 1000) for the entry: 5190).
if [ -f vmm/vmm.h ] && [ -f guest/kernel.s ]; then
    design_session hw-shadow "--cpu p4 --guest kernel --program mm"
    $TM send-keys -t "$S" t
    if wait_for "PAGE_FAULT   00001000 0>0 VMM shadow 5440" 5 && screen | grep -qF "A hidden page fault"; then
        pass "hw-shadow --cpu p4: the first exit is a hidden fault the shadow fills"
    else fail "hw-shadow: the first exit"; fi
    n=0
    until screen | grep -qE "ILLEGAL_PRIV +[0-9a-f]{8} 0>0 VMM emul\. +5190" || [ $n -ge 20 ]; do
        $TM send-keys -t "$S" t
        n=$((n + 1))
        sleep 0.1
    done
    if [ $n -lt 20 ] && screen | grep -qF "In guest mode"; then
        pass "hw-shadow --cpu p4: an emulated exit in guest ring 0 costs 5190 cycles"
    else fail "hw-shadow --cpu p4: the emulated exit's cost"; fi
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "hw-shadow: q" || fail "hw-shadow: q"
fi

# A lab: 'traplab lab run' opens its scenario with the tasks in a pane.
if [ -f labs/01-rings/lab.lua ]; then
    another_session \
        "LANG=C '$BIN' lab run 01-rings --student e2e --submission '$T'; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    if wait_for "Ready. Press ?" && wait_for "Tasks 1-" && screen | grep -qF "Rings: user and privileged" \
       && screen | grep -qF "1. Read the handout"; then
        pass "lab run: the Tasks pane shows the lab's title and first task at 80x24"
    else fail "lab run: tasks pane"; fi
    $TM send-keys -t "$S" NPage
    wait_for "Tasks 11-" 5 && pass "lab run: PgDn scrolls the tasks" || fail "lab run: scrolling the tasks"
    $TM send-keys -t "$S" T
    wait_for "Explanation" 5 && ! screen | grep -qF "Tasks 1" && pass "T hides the tasks" || fail "T hides the tasks"
    $TM send-keys -t "$S" T
    wait_for "Tasks 1" 5 && pass "T shows them again" || fail "T shows the tasks again"
    $TM send-keys -t "$S" q
    if wait_for "DONE" && screen | grep -q "EXIT=0" && screen | grep -qF "traplab lab check 01-rings"; then
        pass "lab run: q exits with status 0"
    else fail "lab run: q did not exit with 0"; fi

    # In Spanish, from the handout README.es.md; without UTF-8 the accents go.
    another_session \
        "LANG=C '$BIN' lab run 01-rings --lang es --student e2e --submission '$T'; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    if wait_for "Pulsa ? para ver las teclas" && wait_for "Tareas 1-" \
       && screen | grep -qF "Practica 01 - Anillos" && screen | grep -qF "Registros (sin hipervisor)" \
       && screen | grep -qF "F2Atras F3"; then
        pass "lab run --lang es: the handout's title in Spanish, ASCII without UTF-8"
    else fail "lab run --lang es"; fi
    $TM send-keys -t "$S" NPage
    wait_for "DEL ENUNCIADO (README.es.md)" 5 && wait_for "1. Predice (preguntas" 5 \
        && pass "lab run --lang es: the handout's tasks in Spanish" || fail "lab run --lang es: handout tasks"
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "lab run --lang es: q" || fail "lab run --lang es: q"
fi

# Lab 02's scenario runs the guest kernel in a VM under the Type-1 hypervisor: stepping shows
# its VM exits (the handout promises it), not the bare machine's "Traps and exits (0)".
if [ -f labs/02-trap-and-emulate/lab.lua ] && [ -f vmm/vmm.h ]; then
    another_session \
        "LANG=C '$BIN' lab run 02-trap-and-emulate --student e2e --submission '$T'; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    wait_for "Ready. Press ?" || fail "lab run 02: the UI did not start"
    $TM send-keys -t "$S" s s s s
    if wait_for "ILLEGAL_PRIV" 5 && screen | grep -qF "Type-1 VMM" && screen | grep -qE "(vm|[|])0 +ILLEGAL_PRIV"; then
        pass "lab run 02: the guest kernel's VM exits under the Type-1 hypervisor"
    else fail "lab run 02: no VM exits"; fi
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "lab run 02: q" || fail "lab run 02: q"
fi

# Lab 03's scenario runs the kernel under trap-and-emulate on the legacy profile: going from
# trap to trap reaches an equivalence violation (smsw, pushf or popf runs without an exit).
if [ -f labs/03-legacy-profile/lab.lua ] && [ -f vmm/vmm.h ]; then
    another_session \
        "LANG=C '$BIN' lab run 03-legacy-profile --student e2e; echo \"EXIT=\$?\"; echo DONE; sleep 60"
    wait_for "Ready. Press ?" || fail "lab run 03: the UI did not start"
    found=0
    for _ in $(seq 1 80); do
        $TM send-keys -t "$S" F7
        if screen | grep -q "equivalence violation at"; then found=1; break; fi
        sleep 0.1
    done
    if [ $found = 1 ] && screen | grep -qE "equivalence violation at 0x[0-9a-f]+, no trap \((smsw|pushf|popf|sidt) "; then
        pass "lab run 03: an equivalence violation on the legacy profile"
    else fail "lab run 03: no equivalence violation"; fi
    $TM send-keys -t "$S" q
    wait_for "DONE" && screen | grep -q "EXIT=0" && pass "lab run 03: q" || fail "lab run 03: q"
fi

if [ $fails -gt 0 ]; then
    echo "tui-e2e: $fails check(s) failed" >&2
    exit 1
fi
echo "tui-e2e: all checks passed"
