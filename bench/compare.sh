#!/bin/sh
# compare.sh -- host time of `traplab compare` over all four workloads and
# every configuration (the goal: under 5 seconds).  Host time measures the
# simulator; the table it prints is simulated time and the same every run.
traplab=${TRAPLAB:-build/traplab}
start=$(date +%s.%N)
"$traplab" compare > /dev/null || { echo "bench compare: traplab compare failed" >&2; exit 1; }
end=$(date +%s.%N)
echo "$start $end" | awk '{ printf "compare: all workloads, native/full/para x type1/type2: %.2f s host time (goal < 5 s)\n", $2 - $1 }'
