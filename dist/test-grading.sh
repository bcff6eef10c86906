#!/bin/sh
# test-grading.sh -- the formats grades leave in (docs/grading.md): the
# shards of a class merged with 'lab merge' equal one whole run (by a loop
# and by the documented GNU parallel command), merge refuses mixed labs,
# duplicate students and foreign files, JUnit XML parses and counts the
# failures, Gradescope's results.json adds up, Canvas's and Moodle's import
# files have their columns and the same points, and a sandbox violation
# reaches them all as a zero with its reason.
#
# usage: dist/test-grading.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PY=/usr/bin/python3
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "grading: $*"; fails=$((fails + 1)); }

mkdir -p "$tmp/class"
for s in alice bob carol dave erin frank grace; do cp -r labs/01-rings/starter "$tmp/class/$s"; done
cp labs/01-rings/solution/* "$tmp/class/alice/"
cp labs/01-rings/solution/* "$tmp/class/erin/"
rm -f "$tmp/class"/*/student.txt
mkdir -p "$tmp/class/mallory" && cp labs/01-rings/starter/* "$tmp/class/mallory/" &&
    printf 'return { ring3_traps = os.getenv("HOME") }\n' > "$tmp/class/mallory/answers.lua"

"$BIN" lab grade 01 --submissions "$tmp/class" --jobs 2 --csv "$tmp/all.csv" --junit "$tmp/all.xml" \
    --canvas "$tmp/canvas.csv" --moodle "$tmp/moodle.csv" >/dev/null || fail "lab grade of the class failed"
[ "$(wc -l < "$tmp/all.csv")" -eq 9 ] || fail "all.csv has $(wc -l < "$tmp/all.csv") lines, not 9"
for k in 1 2 3; do
    "$BIN" lab grade 01 --submissions "$tmp/class" --shard $k/3 --csv "$tmp/part$k.csv" >/dev/null || fail "shard $k/3 failed"
done
[ "$(cat "$tmp"/part*.csv | grep -vc '^student,')" -eq 8 ] || fail "the shards do not add up to 8 students"
"$BIN" lab merge "$tmp/part3.csv" "$tmp/part1.csv" "$tmp/part2.csv" -o "$tmp/merged.csv" 2>/dev/null || fail "lab merge failed"
cmp -s "$tmp/merged.csv" "$tmp/all.csv" || fail "merged shards differ from one run: $(diff "$tmp/merged.csv" "$tmp/all.csv")"
"$BIN" lab merge "$tmp/part1.csv" "$tmp/part1.csv" > /dev/null 2> "$tmp/err" && fail "merge accepted a student twice"
grep -q "student '.*' is in" "$tmp/err" || fail "merge of duplicates said: $(cat "$tmp/err")"
sed 's/"01-rings"/"02-trap-and-emulate"/' "$tmp/part2.csv" > "$tmp/other.csv"
"$BIN" lab merge "$tmp/part1.csv" "$tmp/other.csv" > /dev/null 2> "$tmp/err" && fail "merge accepted two labs"
grep -q "lab '02-trap-and-emulate', but" "$tmp/err" || fail "merge of two labs said: $(cat "$tmp/err")"
printf 'name,grade\nx,1\n' > "$tmp/foreign.csv"
"$BIN" lab merge "$tmp/foreign.csv" > /dev/null 2> "$tmp/err" && fail "merge accepted a foreign CSV"
grep -q "not a 'traplab lab grade --csv' file" "$tmp/err" || fail "merge of a foreign CSV said: $(cat "$tmp/err")"
"$BIN" lab grade 01 --submissions "$tmp/class" --shard 4/3 > /dev/null 2>&1; [ $? -eq 2 ] || fail "--shard 4/3 is not a usage error"

# The documented GNU parallel command, on the local machine (--sshlogin :).
if command -v parallel >/dev/null 2>&1; then
    mkdir -p "$tmp/par" && cd "$tmp/par" || exit 2
    parallel --will-cite --sshlogin : --return part{}.csv --cleanup \
        "$BIN" lab grade 01-rings --labs "$OLDPWD/labs" --submissions "$tmp/class" --shard {}/4 --csv part{}.csv ::: 1 2 3 4 \
        > /dev/null 2> "$tmp/par.err" || fail "GNU parallel run failed: $(cat "$tmp/par.err")"
    "$BIN" lab merge part1.csv part2.csv part3.csv part4.csv -o grades.csv 2>/dev/null || fail "merge after parallel failed"
    cmp -s grades.csv "$tmp/all.csv" || fail "GNU parallel shards merged differ from one run"
    cd "$OLDPWD" || exit 2
else
    fail "GNU parallel is not installed (scripts/install-deps.sh installs it)"
fi

$PY - "$tmp/all.xml" <<'PY' || fail "JUnit XML: see above"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = root.findall("testsuite")
assert root.tag == "testsuites" and len(suites) == 8, (root.tag, len(suites))
by = {s.get("name"): s for s in suites}
alice = by["01-rings.alice"]
cases = alice.findall("testcase")
fails = [c for c in cases if c.find("failure") is not None]
assert int(alice.get("tests")) == len(cases) and int(alice.get("failures")) == len(fails), "counts"
total = sum(int(s.get("failures")) for s in suites)
assert int(root.get("failures")) == total, "total failures"
bob = by["01-rings.bob"]
assert any(c.find("failure") is not None and "Hint" in c.find("failure").text for c in bob.findall("testcase")), "bob's hints"
PY
"$BIN" lab grade 01 --submission "$tmp/class/mallory" --gradescope "$tmp/mallory.json" >/dev/null
"$BIN" lab grade 01 --submission labs/01-rings/solution --gradescope "$tmp/sol.json" >/dev/null
$PY - "$tmp/sol.json" "$tmp/mallory.json" <<'PY' || fail "Gradescope results: see above"
import json, sys
sol, mal = (json.load(open(p)) for p in sys.argv[1:3])
assert sol["score"] == sum(t["score"] for t in sol["tests"]) == sum(t["max_score"] for t in sol["tests"]) > 0, "full marks"
assert all(t["status"] == "passed" for t in sol["tests"]), "statuses"
assert mal["score"] == 0 and "ZERO" in mal["output"], mal["output"]
PY
# Canvas's and Moodle's grade-book imports (docs/grading.md cites both layouts): the identity columns
# each importer reads (for Canvas, the checks of its lib/gradebook_importer.rb, in Python), Canvas's
# "Points Possible" row with the lab's maximum, one row per submission with the points of the
# traplab CSV, every row as wide as the header (Moodle refuses a file whose rows are not), numbers
# where grades go.
"$BIN" lab grade 01 --submissions "$tmp/class" --jobs 2 --assignment 'Lab 01 (12345)' --canvas "$tmp/canvas-named.csv" >/dev/null ||
    fail "lab grade --assignment failed"
$PY - "$tmp/all.csv" "$tmp/canvas.csv" "$tmp/moodle.csv" "$tmp/canvas-named.csv" <<'PY' || fail "Canvas/Moodle CSV: see above"
import csv, sys
ours, canvas, moodle, named = (list(csv.reader(open(p, encoding="utf-8", newline=""))) for p in sys.argv[1:5])
points = {r[0]: float(r[3]) for r in ours[1:]}
assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "traplab 01-rings"], canvas[0]
assert named[0][-1] == "Lab 01 (12345)", named[0]
# lib/gradebook_importer.rb: row_has_student_headers?, update_column_count, header?.
import re
def canvas_header(row):
    assert len(row) > 3 and "Student" in row[0] and "ID" in row[1], "not a Canvas header: %r" % row
    cols = 3
    if re.search(r"SIS\s+Login\s+ID", row[2]): cols += 1
    elif re.search(r"SIS\s+User\s+ID", row[2]) and re.search(r"SIS\s+Login\s+ID", row[3]): cols += 2
    assert "Section" in row[cols - 1], "Canvas wants Section after the ids: %r" % row
    totals = "Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|Override Score|Override Grade|Override Status"
    return [h for h in row[cols:] if not re.search(totals, h)], cols
for f in (canvas, named):
    assignments, cols = canvas_header(f[0])
    assert assignments == f[0][5:] and cols == 5, (assignments, cols)
    # check_for_non_student_row: the second row gives the points possible, as the exporter writes it.
    assert f[1][0] == "    Points Possible" and f[1][1:5] == [""] * 4, f[1]
    assert float(f[1][5]) == float(ours[1][4]) == 30, (f[1], ours[1])
canvas = canvas[:1] + canvas[2:]
assert moodle[0] == ["Username", "ID number", "traplab 01-rings", "Feedback: traplab 01-rings"], moodle[0]
for name, rows in (("canvas", canvas), ("moodle", moodle)):
    assert len(rows) == len(ours), (name, len(rows), len(ours))
    assert all(len(r) == len(rows[0]) for r in rows), name + ": a row is not as wide as the header"
for r in canvas[1:]:
    assert r[0] == r[3] and r[1] == r[2] == r[4] == "", r
    assert float(r[5]) == points[r[3]], r
for r in moodle[1:]:
    assert r[0] == r[1] and float(r[2]) == points[r[0]], r
mal = [r for r in moodle if r[0] == "mallory"][0]
assert float(mal[2]) == 0 and "sandbox" in mal[3], mal
assert points["alice"] > 0 and [r for r in canvas if r[0] == "alice"][0][5] == ours[[r[0] for r in ours].index("alice")][3]
PY
grep -q '"mallory".*,0,30,0,zero,' "$tmp/all.csv" || fail "mallory's sandbox violation is not a zero in the CSV: $(grep mallory "$tmp/all.csv")"
"$BIN" lab grade 01 --submissions "$tmp/class" --gradescope x.json > /dev/null 2>&1; [ $? -eq 2 ] || fail "--gradescope with a class is not a usage error"
out=$("$BIN" lab grade 01 --submissions "$tmp/class" --canvas "$tmp/x.csv" --assignment 'Lab 01 Final Grade' 2>&1); st=$?
[ $st -eq 2 ] && case $out in *"contains 'Final Grade' for one of its totals"*) true ;; *) false ;; esac ||
    fail "--canvas --assignment 'Lab 01 Final Grade' (Canvas drops the column): exit $st, $out"
"$BIN" lab grade 01 --submissions "$tmp/class" --jobs 2 --moodle "$tmp/x.csv" --assignment 'Final Grade' >/dev/null 2>&1 ||
    fail "--moodle --assignment 'Final Grade' is refused, but only Canvas drops it"

[ $fails -eq 0 ] || { echo "grading: $fails problems"; exit 1; }
echo "grading: shards merge to one run (a loop and GNU parallel), merge refuses bad input, JUnit, Gradescope, Canvas (its importer's header checks, Points Possible) and Moodle outputs check out"
