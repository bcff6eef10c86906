#!/bin/sh
# pinned.sh -- what a student sees, pinned: for every workload under every
# configuration, the simulated counts (cycles by layer, exits by cause,
# emulated, reflected, shadow fills, ...), the console output and the whole
# --trace, as hashes and numbers recorded in tests/pinned.txt.
#
# A speed-up of the engine or a refactoring of the exit path must leave every
# row as it is: a row that differs prints the counts before and after.
#
#   tests/pinned.sh [TRAPLAB]          check every row (default build/traplab)
#   tests/pinned.sh --add TRAPLAB ARGS record a new row (a new design or host);
#                                      existing rows are never rewritten by --add
#   tests/pinned.sh --correct TRAPLAB WHY ARGS
#                                      rewrite one row after a bug fix that
#                                      changes what a student sees, with the
#                                      reason kept in a comment above the row
#
# Each row of pinned.txt is "ARGS<TAB>DIGEST"; ARGS are traplab's arguments,
# run from the project root.  DIGEST is made by digest() below.
cd "$(dirname "$0")/.." || exit 2
# The rows are the English output: a Spanish environment must not translate the trace.
LC_ALL=C LC_MESSAGES=C LANG=C
export LC_ALL LC_MESSAGES LANG
table=tests/pinned.txt
tab=$(printf '\t')

# The numbers a student reads in --stats and --json, in the order they appear
# (one value per VM, then the totals), the exits by cause, and hashes of the
# console output (the JSON's output strings) and of the trace on stderr.
keys='instructions cycles guest_cycles vmm_cycles host_cycles idle_cycles native_cycles exits emulated reflected injected shadow_fills shadow_syncs shadow_flushes hypercalls host_switches host_syscalls vm_switches blocked violations lost_ie hypercall_replaced_exits hypercalls_failed direct_syscalls tlb_hits tlb_misses tlb_flushes traps_total'
digest() { # traplab args... -> one line
    out=$(mktemp) err=$(mktemp)
    # shellcheck disable=SC2086
    "$@" --json --trace >"$out" 2>"$err"
    rc=$?
    line="rc=$rc"
    for k in $keys; do
        v=$(grep -o "\"$k\": [0-9]*" "$out" | sed 's/.*: //' | tr '\n' ',' | sed 's/,$//')
        [ -n "$v" ] && line="$line $k=$v"
    done
    causes=$(grep -o '"exits_by_cause": {[^}]*}' "$out" | sed 's/"exits_by_cause": //; s/[ "]//g' | tr '\n' ';')
    [ -n "$causes" ] && line="$line causes=$causes"
    traps=$(grep -o '"traps": {[^}]*}' "$out" | sed 's/"traps": //; s/[ "{}]//g' | tr ',' '\n' | grep -v ':0$' | tr '\n' ',')
    [ -n "$traps" ] && line="$line traps=$traps"
    outh=$(grep -o '"output": "[^"]*\(\\"[^"]*\)*"' "$out" | sha256sum | cut -c1-16)
    trh=$(sha256sum <"$err" | cut -c1-16)
    line="$line output=$outh trace=$trh"
    rm -f "$out" "$err"
    printf '%s\n' "$line"
}

if [ "$1" = "--add" ]; then
    shift; bin=$1; shift
    args="$*"
    if grep -q "^$args$tab" "$table" 2>/dev/null; then
        echo "pinned: a row for '$args' exists; rows are never rewritten" >&2; exit 2
    fi
    # shellcheck disable=SC2086
    d=$(digest "$bin" $args)
    printf '%s\t%s\n' "$args" "$d" >>"$table"
    echo "pinned: added '$args'"
    exit 0
fi

if [ "$1" = "--correct" ]; then
    shift; bin=$1; why=$2; shift 2
    args="$*"
    [ -n "$why" ] || { echo "pinned: --correct needs the reason" >&2; exit 2; }
    grep -q "^$args$tab" "$table" || { echo "pinned: no row for '$args'" >&2; exit 2; }
    # shellcheck disable=SC2086
    d=$(digest "$bin" $args)
    tmp="$table.tmp"
    awk -F "$tab" -v a="$args" -v d="$d" -v why="$why" -v day="$(date -u +%Y-%m-%d)" '
        $1 == a { print "# corrected " day ": " why; print a "\t" d; next } { print }' "$table" >"$tmp" &&
        mv "$tmp" "$table"
    echo "pinned: corrected '$args'"
    exit 0
fi

bin=${1:-build/traplab}
[ -x "$bin" ] || { echo "pinned: no $bin (build first)" >&2; exit 2; }
n=0 bad=0
while IFS="$tab" read -r args want; do
    case "$args" in ''|'#'*) continue ;; esac
    n=$((n + 1))
    # shellcheck disable=SC2086
    got=$(digest "$bin" $args)
    if [ "$got" != "$want" ]; then
        bad=$((bad + 1))
        echo "pinned: CHANGED: traplab $args"
        echo "  was: $want"
        echo "  now: $got"
    fi
done <"$table"
echo "pinned: $((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
