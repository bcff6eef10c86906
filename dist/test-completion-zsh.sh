#!/bin/sh
# test-completion-zsh.sh -- the zsh completion as a user meets it: `make
# install` into a temporary DESTDIR, then a real interactive zsh (driven
# through a pseudo-terminal by zsh/zpty) with the installed _traplab on its
# fpath and compinit, typing a line and TAB and reading what zsh inserts or
# lists: subcommands, options, --design/--host/--lang values, lab names and
# --cost names.  The first TAB of a session counts (it is the one that loads
# the file).
#
# usage: dist/test-completion-zsh.sh   (uses the build of $TRAPLAB_MODE, default release)
cd "$(dirname "$0")/.." || exit 2
command -v zsh >/dev/null 2>&1 || { echo "completion-zsh: zsh is missing (make deps installs it)"; exit 1; }
NAME=completion-zsh
. dist/testlib.sh
install_copy
[ -f "$tmp/root/usr/share/zsh/vendor-completions/_traplab" ] || { echo "completion-zsh: _traplab not installed"; exit 1; }
mkdir -p "$tmp/home"
cd "$tmp/home" || exit 2
# The cost names the completion must offer, from the program itself.
costs=$("$bin" vm --list-costs | awk 'NR <= 3 { print $1 }' | tr '\n' ' ')

cat >"$tmp/drive.zsh" <<'EOF'
# The driver: one interactive zsh in a pseudo-terminal, as a user's.
zmodload zsh/zpty || exit 2
root=$1 costs=$2
zpty z env -i HOME=$PWD TERM=dumb PATH=$root/usr/bin:/usr/bin:/bin zsh -f -i
zpty -w z "PS1='> '; fpath=($root/usr/share/zsh/vendor-completions \$fpath); autoload -U compinit; compinit -u -d $PWD/.zcompdump; print -r -- @@\$((40+2))@@"
zpty -r -m z junk '*@@42@@*' || { print "completion-zsh: zsh did not start"; exit 1 }
fails=0 n=0 k=0
# complete LINE [TABS]: LINE, then TAB (or TABS), then what zsh printed (a list) and the line
# it left.
complete() {
  k=$((k + 1))
  zpty -w -n z "$1"${2:-$'\t'}
  sleep 1
  # Make the line a command that prints it after a marker, and run it.
  zpty -w -n z $'\C-a'"print -r -- @@\$(($k*1000))@@ "$'\n'
  out=
  zpty -r -m z out "*@@$((k*1000))@@*"$'\n''*' || { print "completion-zsh: no answer to '$1<TAB>'"; exit 1 }
}
# expect LINE WORD...: each WORD is listed after LINE<TAB><TAB> (the first TAB inserts what the
# matches have in common, the second lists them, as zsh does by default); !WORD is not.
expect() {
  local line=$1 w; shift
  complete "$line" $'\t\t'
  local seen=${out//$'\r'/}
  for w in "$@"; do
    n=$((n + 1))
    if [[ $w == !* ]]; then
      [[ $seen != *[[:space:]]${w#!}[[:space:]]* ]] && continue
      print -r -- "completion-zsh: '$line<TAB>' offers ${w#!}"
    else
      [[ $seen == *[[:space:]]${w}[[:space:]]* ]] && continue
      print -r -- "completion-zsh: '$line<TAB>' does not offer $w; zsh printed: $seen"
    fi
    fails=$((fails + 1))
  done
}
# inserts LINE RESULT: after LINE<TAB> the line reads RESULT (a single match, inserted).
inserts() {
  n=$((n + 1))
  complete "$1"
  local got=${${out//$'\r'/}##*@@$((k*1000))@@ }
  got=${got%%$'\n'*}
  [[ $got == "$2" ]] && return
  print -r -- "completion-zsh: '$1<TAB>' left '$got', not '$2'"
  fails=$((fails + 1))
}
inserts 'traplab vm --desi' 'traplab vm --design'            # the first TAB of the session
expect 'traplab ' run asm disasm vm compare isa tui lab
expect 'traplab vm --' --guest --program --design --host --cost --stats --trace --json
expect 'traplab vm --design ' full para bt hw
expect 'traplab compare --designs full,' full,bt full,hw full,para
expect 'traplab vm --host ' type1 type2
expect 'traplab --lang ' es en
inserts 'traplab --lang es com' 'traplab --lang es compare'
expect 'traplab lab ' list show check grade merge run
expect 'traplab lab check ' 01-rings 02-trap-and-emulate 08-many-vms-and-batching
inserts 'traplab lab show 03' 'traplab lab show 03-legacy-profile'
expect 'traplab vm --program ' cpu sys io mm mix
for c in ${=costs}; do
  inserts "traplab vm --cost ${c[1,-2]}" "traplab vm --cost $c="
done
zpty -d z
(( fails == 0 )) || { print "completion-zsh: $fails of $n checks failed"; exit 1 }
print "completion-zsh: $n checks in a real zsh (zpty, compinit, TAB): subcommands, options, --design, --host, --lang, lab names, --cost names"
EOF
timeout 300 zsh -f "$tmp/drive.zsh" "$tmp/root" "$costs"
