#!/bin/sh
# test-man.sh -- every man page in dist/man (and its translations in
# dist/man/LANG/) renders with man-db and groff without a warning, a
# translation names every option of the English page, and traplab-asm(5) names every directive and
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
for f in dist/man/*.[1-9] dist/man/*/*.[1-9]; do
    n=$((n + 1))
    w=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
    # -k: the translated pages are UTF-8 (preconv, as man-db does).
    g=$(groff -k -mandoc -ww -z "$f" 2>&1)
    if [ -n "$w$g" ]; then
        echo "man: $f renders with warnings:"; echo "$w$g"; fails=$((fails + 1))
    fi
    case $f in dist/man/es/*) name=NOMBRE ;; *) name=NAME ;; esac
    if ! MANWIDTH=80 man -l "$f" 2>/dev/null | grep -q "^$name"; then
        echo "man: $f renders without a $name section"; fails=$((fails + 1))
    fi
done
# A translated page keeps up with the English one: every option and command the English
# traplab(1) names, the Spanish names too.
for f in dist/man/*/*.[1-9]; do
    en=dist/man/$(basename "$f")
    words() { MANWIDTH=200 man -l "$1" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u; }
    missing=$(words "$en" | grep -vxF -e "$(words "$f")")
    [ -z "$missing" ] || { echo "man: $f does not name what $en does:" $missing; fails=$((fails + 1)); }
    for c in run asm disasm vm compare isa tui lab list show check grade merge; do
        MANWIDTH=200 man -l "$f" 2>/dev/null | grep -qw "$c" || { echo "man: $f does not name the command $c"; fails=$((fails + 1)); }
    done
done
[ "$n" -ge 4 ] || { echo "man: expected at least 4 pages in dist/man (traplab(1) in Spanish too), found $n"; fails=$((fails + 1)); }
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
echo "man: $n pages render without warnings (traplab(1) in English and Spanish, naming the same options); traplab-asm(5) names every directive and pseudo-instruction"
