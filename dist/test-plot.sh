#!/bin/sh
# test-plot.sh -- compare --plot and vm --stats --plot draw with gnuplot: an
# SVG that parses as XML with an <svg> root and names the workloads, a PNG
# with the PNG signature and an IHDR chunk; without gnuplot, or when it
# fails, a clear error and exit 1; a file that is neither .svg nor .png is a
# usage error.
#
# usage: dist/test-plot.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
PY=/usr/bin/python3
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "plot: $*"; fails=$((fails + 1)); }
command -v gnuplot >/dev/null 2>&1 || { echo "plot: gnuplot is not installed (scripts/install-deps.sh installs gnuplot-nox)"; exit 1; }

"$BIN" compare --workloads sys,io --host type1,type2 -D ITERS=2000 --plot "$tmp/c.svg" > "$tmp/out" 2>&1 ||
    fail "compare --plot c.svg failed: $(cat "$tmp/out")"
$PY - "$tmp/c.svg" <<'PY' || fail "compare --plot did not write a valid SVG naming the workloads and designs"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
text = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text") or t.tag.endswith("tspan"))
for w in ("sys", "io", "full, type1", "para, type2", "overhead against native"):
    assert w in text, w
PY
grep -q 'sys' "$tmp/out" || fail "compare --plot no longer prints the table"
"$BIN" vm --guest kernel --program cpu,io --vms 2 -D ITERS=2000 --stats --plot "$tmp/v.png" > /dev/null 2>&1 ||
    fail "vm --stats --plot v.png failed"
$PY - "$tmp/v.png" <<'PY' || fail "vm --plot did not write a PNG"
import sys, struct
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR", b[:16]
w, h = struct.unpack(">II", b[16:24])
assert w >= 400 and h >= 300, (w, h)
PY

mkdir -p "$tmp/empty"
out=$(PATH=$tmp/empty "$BIN" compare --workloads sys --host type1 -D ITERS=2000 --plot "$tmp/none.svg" 2>&1 >/dev/null); st=$?
[ $st -eq 1 ] || fail "compare --plot without gnuplot: exit $st, not 1"
case $out in *"needs gnuplot"*gnuplot-nox*) ;; *) fail "compare --plot without gnuplot said: $out" ;; esac
[ ! -s "$tmp/none.svg" ] || fail "a plot appeared without gnuplot"
out=$(TRAPLAB_GNUPLOT=false "$BIN" vm --guest kernel --program cpu -D ITERS=2000 --plot "$tmp/f.svg" 2>&1 >/dev/null); st=$?
[ $st -eq 1 ] && case $out in *"gnuplot failed"*) true ;; *) false ;; esac || fail "a failing gnuplot: exit $st, $out"
"$BIN" compare --plot "$tmp/c.pdf" > /dev/null 2>&1; [ $? -eq 2 ] || fail "--plot c.pdf is not a usage error"
"$BIN" vm --guest kernel --program cpu --plot x.txt > /dev/null 2>&1; [ $? -eq 2 ] || fail "vm --plot x.txt is not a usage error"

[ $fails -eq 0 ] || { echo "plot: $fails problems"; exit 1; }
echo "plot: compare and vm draw SVG and PNG with gnuplot; a missing or failing gnuplot is a clear error"
