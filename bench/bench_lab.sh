#!/bin/sh
# bench_lab.sh -- `make bench`: how fast `traplab lab grade` grades a class.
# Builds a class of 100 submissions of lab 01 (reference solutions, starters,
# and a few that loop forever or break the sandbox), grades it on every core,
# and prints submissions per second.
set -eu
cd "$(dirname "$0")/.."
TRAPLAB=${TRAPLAB:-build/traplab}
dir=$(mktemp -d /tmp/traplab-bench-lab.XXXXXX)
trap 'rm -rf "$dir"' EXIT
i=0
while [ $i -lt 100 ]; do
    s="$dir/class/s$(printf %03d $i)"
    mkdir -p "$s"
    case $((i % 10)) in
        8) echo 'while true do end' > "$s/answers.lua" ;;
        9) echo 'os.execute("true")' > "$s/answers.lua" ;;
        [0-4]) cp labs/01-rings/solution/answers.lua labs/01-rings/solution/user.s "$s/" ;;
        *) cp labs/01-rings/starter/answers.lua labs/01-rings/starter/user.s "$s/" ;;
    esac
    i=$((i + 1))
done
start=$(date +%s.%N)
"$TRAPLAB" lab check 01-rings --labs labs --submission labs/01-rings/solution --no-record > /dev/null
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { printf "lab check, one submission of lab 01: %.3f s\n", b - a }'
"$TRAPLAB" lab grade 01-rings --labs labs --submissions "$dir/class" --csv "$dir/grades.csv" | tail -1
