#!/bin/sh
# determinism.sh -- simulation never depends on the host: every workload under
# every configuration (the rows of tests/pinned.txt, the one matrix) runs
# twice, then a third time while another process keeps a core busy, and its
# whole output (--json on stdout, --trace on stderr, the exit status) must be
# byte for byte the same each time.  Then `lab grade` of a class (every lab's
# starter and solution, several students each) must give the same CSV with
# --jobs 1 and --jobs 2, and again with --jobs 2 under load.
#
#   tests/determinism.sh [TRAPLAB]      (default build/traplab)
cd "$(dirname "$0")/.." || exit 2
bin=${1:-build/traplab}
[ -x "$bin" ] || { echo "determinism: no $bin (build first)" >&2; exit 2; }
tab=$(printf '\t')
tmp=$(mktemp -d "${TMPDIR:-/tmp}/traplab-det.XXXXXX") || exit 2
busy=
cleanup() { [ -n "$busy" ] && kill "$busy" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM

# One pass over the matrix: a hash of each row's whole output, one per line.
pass() { # file
    : >"$1"
    while IFS="$tab" read -r args _; do
        case "$args" in ''|'#'*) continue ;; esac
        # shellcheck disable=SC2086
        "$bin" $args --json --trace >"$tmp/out" 2>"$tmp/err"
        echo "rc=$?" >>"$tmp/out"
        printf '%s\t%s\n' "$args" "$(cat "$tmp/out" "$tmp/err" | sha256sum | cut -c1-32)" >>"$1"
    done <tests/pinned.txt
}
load_on() { (while :; do :; done) & busy=$!; }
load_off() { kill "$busy" 2>/dev/null; wait "$busy" 2>/dev/null; busy=; }

bad=0
pass "$tmp/a"
pass "$tmp/b"
load_on
pass "$tmp/c"
load_off
rows=$(wc -l <"$tmp/a")
for other in b c; do
    if ! cmp -s "$tmp/a" "$tmp/$other"; then
        bad=1
        echo "determinism: runs differ ($([ $other = b ] && echo 'second run' || echo 'under load')):"
        diff "$tmp/a" "$tmp/$other" | sed 's/^/  /' | head -20
    fi
done
[ "$rows" -gt 0 ] || { echo "determinism: tests/pinned.txt has no rows"; bad=1; }

# A class: every lab with a starter and a solution, two students on each
# (different ids, so different seeds and numbers).
graded=0
for lab in labs/*/; do
    lab=${lab%/}; id=${lab##*/}
    [ -d "$lab/solution" ] && [ -d "$lab/starter" ] || continue
    class=$tmp/class-$id
    mkdir -p "$class"
    for s in ana beto; do cp -R "$lab/solution" "$class/$s-sol"; cp -R "$lab/starter" "$class/$s-start"; done
    "$bin" lab grade "$id" --submissions "$class" --jobs 1 --csv "$tmp/$id-j1.csv" >/dev/null 2>&1
    "$bin" lab grade "$id" --submissions "$class" --jobs 2 --csv "$tmp/$id-j2.csv" >/dev/null 2>&1
    load_on
    "$bin" lab grade "$id" --submissions "$class" --jobs 2 --csv "$tmp/$id-j2-load.csv" >/dev/null 2>&1
    load_off
    for v in j2 j2-load; do
        if [ ! -s "$tmp/$id-j1.csv" ] || ! cmp -s "$tmp/$id-j1.csv" "$tmp/$id-$v.csv"; then
            bad=1
            echo "determinism: lab grade $id: --jobs 1 and $v differ:"
            diff "$tmp/$id-j1.csv" "$tmp/$id-$v.csv" 2>&1 | sed 's/^/  /' | head -10
        fi
    done
    graded=$((graded + 1))
done
[ "$graded" -gt 0 ] || { echo "determinism: no lab to grade"; bad=1; }

[ $bad -eq 0 ] && echo "determinism: ok ($rows configurations x 3 runs, one under load; lab grade of $graded labs, --jobs 1 = --jobs 2)"
exit $bad
