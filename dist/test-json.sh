#!/bin/sh
# test-json.sh -- every --json output is valid against its schema in
# docs/schema/ (python3-jsonschema, from Debian), and every --csv output is a
# header and rows with the same number of columns: run, vm, compare, lab list,
# lab check, lab grade and Gradescope's results.json.  Also: a schema that
# the output does not meet makes the check fail.
#
# usage: dist/test-json.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
PY=/usr/bin/python3
if ! $PY -c 'import jsonschema' 2>/dev/null; then
    echo "json: python3-jsonschema is not installed (scripts/install-deps.sh installs it)"
    exit 1
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
fail() { echo "json: $*"; fails=$((fails + 1)); }

# validate SCHEMA FILE WHAT: FILE must be valid JSON that meets docs/schema/SCHEMA.schema.json.
validate() {
    n=$((n + 1))
    $PY - "docs/schema/$1.schema.json" "$2" <<'PY' || fail "$3 does not meet docs/schema/$1.schema.json"
import json, os, sys
import jsonschema
schema_path, data_path = sys.argv[1], sys.argv[2]
schema = json.load(open(schema_path))
base = "file://" + os.path.abspath(os.path.dirname(schema_path)) + "/"
resolver = jsonschema.RefResolver(base, schema)
try:
    data = json.load(open(data_path))
except ValueError as e:
    print("  not JSON:", e); sys.exit(1)
v = jsonschema.Draft7Validator(schema, resolver=resolver)
errs = sorted(v.iter_errors(data), key=lambda e: list(e.path))
for e in errs[:5]:
    print("  at", "/".join(map(str, e.path)) or "(top)", ":", e.message)
sys.exit(1 if errs else 0)
PY
}

# csv FILE WHAT: a header and at least one row, every row with the header's column count.
csv() {
    n=$((n + 1))
    $PY - "$1" <<'PY' || fail "$2 is not a well-formed CSV"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
ok = len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
if not ok: print("  rows:", rows[:3])
sys.exit(0 if ok else 1)
PY
}

"$BIN" run --json samples/ring3-trap.s > "$tmp/run.json" 2>/dev/null
validate run "$tmp/run.json" "run --json"
"$BIN" run --json --max-steps 10 samples/hello.s > "$tmp/run2.json" 2>/dev/null
validate run "$tmp/run2.json" "run --json at the step limit"
"$BIN" run --csv samples/hello.s > "$tmp/run.csv" 2>/dev/null
csv "$tmp/run.csv" "run --csv"
"$BIN" vm --guest kernel --program cpu,io --vms 2 -D ITERS=2000 --json > "$tmp/vm.json" 2>/dev/null
validate vm "$tmp/vm.json" "vm --json"
"$BIN" vm --guest kernel --program sys --para --host type2 --no-native --json > "$tmp/vm2.json" 2>/dev/null
validate vm "$tmp/vm2.json" "vm --para --host type2 --no-native --json"
"$BIN" vm --guest kernel --program io --profile legacy --json > "$tmp/vm3.json" 2>/dev/null
validate vm "$tmp/vm3.json" "vm --profile legacy --json"
"$BIN" vm --guest kernel --program cpu,io --vms 3 -D ITERS=2000 --csv > "$tmp/vm.csv" 2>/dev/null
csv "$tmp/vm.csv" "vm --csv"
[ "$(wc -l < "$tmp/vm.csv")" -eq 5 ] || fail "vm --csv --vms 3: $(wc -l < "$tmp/vm.csv") lines, not a header, 3 VMs and the total"
"$BIN" compare --workloads sys,io --host type1 --json > "$tmp/compare.json" 2>/dev/null
validate compare "$tmp/compare.json" "compare --json"
"$BIN" compare --workloads sys,io --host type1 --csv > "$tmp/compare.csv" 2>/dev/null
csv "$tmp/compare.csv" "compare --csv"
"$BIN" lab list --json > "$tmp/list.json"
validate lab-list "$tmp/list.json" "lab list --json"
"$BIN" lab list --csv - > "$tmp/list.csv"
csv "$tmp/list.csv" "lab list --csv -"
"$BIN" lab check 01 --submission labs/01-rings/solution --no-record --json > "$tmp/check.json"
validate lab-check "$tmp/check.json" "lab check --json"
"$BIN" lab check 01 --submission labs/01-rings/starter --no-record --csv - > "$tmp/check.csv"
csv "$tmp/check.csv" "lab check --csv -"
mkdir -p "$tmp/class"
cp -r labs/01-rings/solution "$tmp/class/alice"
cp -r labs/01-rings/starter "$tmp/class/bob"
printf 'error("boom")\n' > "$tmp/class/bob/answers.lua"
"$BIN" lab grade 01 --submissions "$tmp/class" --json --jobs 2 > "$tmp/grade.json" 2>/dev/null
validate lab-grade "$tmp/grade.json" "lab grade --json"
"$BIN" lab grade 01 --submission labs/01-rings/solution --gradescope "$tmp/results.json" >/dev/null
validate gradescope "$tmp/results.json" "lab grade --gradescope"

# The check itself can fail: a required field the output lacks.
sed 's/"required": \[/"required": ["no_such_field", /' docs/schema/run.schema.json > "$tmp/strict.json"
mkdir -p "$tmp/docs/schema" && cp "$tmp/strict.json" "$tmp/docs/schema/run.schema.json"
before=$fails
(cd "$tmp" && $PY -c 'import json,jsonschema,sys; jsonschema.validate(json.load(open("run.json")), json.load(open("docs/schema/run.schema.json")))' 2>/dev/null) &&
    fail "a schema requiring a missing field still validated run --json"
[ $fails -eq $before ] && n=$((n + 1))

[ $fails -eq 0 ] || { echo "json: $fails of $n checks failed"; exit 1; }
echo "json: $n outputs meet docs/schema/ or are well-formed CSV"
