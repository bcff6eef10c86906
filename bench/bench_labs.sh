#!/bin/sh
# bench_labs.sh -- `make bench`: `traplab lab grade` on a class of 200 generated submissions for
# every lab in labs/ (issue 12: each in under a minute on 2 cores).  The class mixes correct work
# (40%: the solution's files with the student's own answers from `lab show --key`), starters
# (25%), partial work (the solution's files with the starter's answers, 15%), and broken
# submissions (10% a runaway loop, 5% a sandbox escape, 5% a Lua syntax error).  Prints the
# wall-clock and CPU time of each lab's grading and its grade distribution.
set -eu
cd "$(dirname "$0")/.."
TRAPLAB=${TRAPLAB:-build/traplab}
N=${BENCH_CLASS:-200}
JOBS=${BENCH_JOBS:-2}
dir=$(mktemp -d /tmp/traplab-bench-labs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
for lab in labs/*/; do
    lab=${lab%/}
    name=$(basename "$lab")
    [ -f "$lab/lab.lua" ] && [ -d "$lab/solution" ] && [ -d "$lab/starter" ] || continue
    answers=answers.lua
    class="$dir/$name"
    i=0
    while [ $i -lt "$N" ]; do
        s="$class/s$(printf %03d $i)"
        mkdir -p "$s"
        case $((i % 20)) in
            0|1|2|3|4|5|6|7) cp "$lab"/solution/* "$s/"; rm -f "$s/student.txt"
                "$TRAPLAB" lab show "$name" --labs labs --student "$(basename "$s")" --key > "$s/$answers" ;;
            8|9|10|11|12) cp "$lab"/starter/* "$s/" ;;
            13|14|15) cp "$lab"/solution/* "$s/"; rm -f "$s/student.txt"
                      [ -f "$lab/starter/$answers" ] && cp "$lab/starter/$answers" "$s/" ;;
            16|17) cp "$lab"/starter/* "$s/"; echo 'while true do end' > "$s/$answers" ;;
            18) cp "$lab"/starter/* "$s/"; echo 'return { x = os.getenv("HOME") }' > "$s/$answers" ;;
            *) cp "$lab"/starter/* "$s/"; echo 'return {' > "$s/$answers" ;;
        esac
        i=$((i + 1))
    done
    times > "$dir/t0"; cpu0=$(tail -1 "$dir/t0")
    start=$(date +%s.%N)
    "$TRAPLAB" lab grade "$name" --labs labs --submissions "$class" --jobs "$JOBS" --csv "$dir/$name.csv" > /dev/null
    end=$(date +%s.%N)
    times > "$dir/t1"; cpu1=$(tail -1 "$dir/t1")
    full=$(grep -c ',100,graded,' "$dir/$name.csv" || true)
    zero=$(grep -c ',zero,' "$dir/$name.csv" || true)
    rows=$(($(wc -l < "$dir/$name.csv") - 1))
    # times: "XmY.YYs XmY.YYs" (children's user, system), cumulative
    awk -v a="$start" -v b="$end" -v c0="$cpu0" -v c1="$cpu1" -v n="$rows" -v l="$name" -v f="$full" -v z="$zero" -v j="$JOBS" '
        function secs(t,   m) { m = t; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", t); sub(/s$/, "", t); return m * 60 + t }
        function cpu(s,   p) { split(s, p, " "); return secs(p[1]) + secs(p[2]) }
        BEGIN { printf "lab grade %-26s %d submissions, %d jobs: %6.2f s wall, %6.2f s CPU (%.1f s on 2 idle cores); %d full marks, %d zero\n",
                       l, n, j, b - a, cpu(c1) - cpu(c0), (cpu(c1) - cpu(c0)) / 2, f, z }'
done
