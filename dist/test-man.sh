#!/bin/sh
# test-man.sh -- every man page in dist/man renders with man-db and groff
# without a warning, and traplab-asm(5) names every directive and
# pseudo-instruction of the assembler's own tables (through the generated
# Vim syntax, which lists them), so the page cannot fall behind the language.
#
# usage: dist/test-man.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
for t in man groff; do
    command -v $t >/dev/null 2>&1 || { echo "man: $t is not installed (scripts/install-deps.sh installs it)"; exit 1; }
done
fails=0 n=0
for f in dist/man/*.[1-9]; do
    n=$((n + 1))
    w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
    g=$(groff -mandoc -ww -z "$f" 2>&1)
    if [ -n "$w$g" ]; then
        echo "man: $f renders with warnings:"; echo "$w$g"; fails=$((fails + 1))
    fi
    if ! MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q '^NAME'; then
        echo "man: $f renders without a NAME section"; fails=$((fails + 1))
    fi
done
[ "$n" -ge 3 ] || { echo "man: expected at least 3 pages in dist/man, found $n"; fails=$((fails + 1)); }
vim=$("$BIN" isa --editor vim) || { echo "man: traplab isa --editor vim failed"; exit 1; }
words=$(printf '%s\n' "$vim" | sed -n 's/^syn keyword traplabPseudo //p')
dirs=$(printf '%s\n' "$vim" | sed -n 's/^syn match traplabDirective .*%(\(.*\)\\)\\>\/$/\1/p' | sed 's/\\|/ /g')
[ -n "$words" ] && [ -n "$dirs" ] || { echo "man: no pseudo-instructions or directives in the Vim syntax"; exit 1; }
page=$(MANWIDTH=200 man -l dist/man/traplab-asm.5 2>/dev/null)
for w in $words; do
    printf '%s\n' "$page" | grep -qw -- "$w" || { echo "man: traplab-asm(5) does not name the pseudo-instruction $w"; fails=$((fails + 1)); }
done
for d in $dirs; do
    printf '%s\n' "$page" | grep -q -- "\\.$d\\b" || { echo "man: traplab-asm(5) does not name the directive .$d"; fails=$((fails + 1)); }
done
[ $fails -eq 0 ] || { echo "man: $fails problems"; exit 1; }
echo "man: $n pages render without warnings; traplab-asm(5) names every directive and pseudo-instruction"
