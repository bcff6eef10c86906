#!/bin/sh
# test-env.sh -- traplab outside the TUI respects NO_COLOR and --lang, and
# --version names the ISA table: asm --color=auto colours on a terminal (a
# pseudo-terminal from script(1)) unless NO_COLOR is set, --color=always
# still wins; lab show --lang es|en prints the handout in that language;
# --version prints the version and the first 12 hex digits of isa.def's
# SHA-256.
#
# usage: dist/test-env.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "env: $*"; fails=$((fails + 1)); }
esc=$(printf '\033')

printf 'foo a0\n' > "$tmp/bad.s"
if command -v script >/dev/null 2>&1; then
    out=$(env -u NO_COLOR TERM=xterm script -qec "$BIN asm $tmp/bad.s --color=auto" /dev/null 2>&1)
    case $out in *"$esc["*) ;; *) fail "asm --color=auto on a terminal did not colour: $out" ;; esac
    out=$(NO_COLOR=1 TERM=xterm script -qec "$BIN asm $tmp/bad.s --color=auto" /dev/null 2>&1)
    case $out in *"$esc["*) fail "asm --color=auto coloured with NO_COLOR set" ;; *"unknown mnemonic 'foo'"*) ;;
                 *) fail "asm under NO_COLOR said: $out" ;; esac
    out=$(NO_COLOR=1 TERM=xterm script -qec "$BIN asm $tmp/bad.s --color=always" /dev/null 2>&1)
    case $out in *"$esc["*) ;; *) fail "asm --color=always did not win over NO_COLOR" ;; esac
else
    fail "script(1) is missing (util-linux)"
fi
out=$("$BIN" asm "$tmp/bad.s" --color=auto 2>&1)
case $out in *"$esc["*) fail "asm --color=auto coloured a pipe" ;; esac

es=$("$BIN" lab show 01 --student x --lang es) || fail "lab show --lang es failed"
en=$("$BIN" lab show 01 --student x --lang en) || fail "lab show --lang en failed"
case $es in *README.es.md*) ;; *) fail "lab show --lang es does not show the Spanish handout: $es" ;; esac
case $en in *README.en.md*) ;; *) fail "lab show --lang en does not show the English handout: $en" ;; esac
"$BIN" lab show 01 --lang fr > /dev/null 2>&1; [ $? -eq 2 ] || fail "lab show --lang fr is not a usage error"

v=$("$BIN" --version)
h=$(sha256sum isa/isa.def | cut -c1-12)
case $v in "traplab "[0-9]*"(ISA "*", isa/isa.def sha256 $h)") ;; *) fail "--version printed '$v', not the hash $h of isa/isa.def" ;; esac

[ $fails -eq 0 ] || { echo "env: $fails problems"; exit 1; }
echo "env: NO_COLOR and --color, lab show --lang es|en, --version with the ISA table's hash"
