#!/bin/bash
# test-completion.sh -- the bash completion (dist/completion/traplab.bash),
# called as bash calls it (COMP_WORDS, COMP_CWORD), against the real traplab:
# subcommands, options, --host/--program/--profile values, lab names and
# --cost names.
#
# usage: dist/test-completion.sh [TRAPLAB]   (default: $TRAPLAB_DIST_BIN, else build/traplab)
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${1:-${TRAPLAB_DIST_BIN:-build/traplab}}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
# shellcheck source=completion/traplab.bash
. dist/completion/traplab.bash
fails=0 n=0

# expect "words typed, the last one being completed" word-that-must-be-offered...
expect() {
    local line=$1; shift
    read -r -a COMP_WORDS <<<"$line"
    [[ $line == *' ' ]] && COMP_WORDS+=('')
    COMP_WORDS[0]=$BIN
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _traplab
    local want got=" ${COMPREPLY[*]} "
    for want in "$@"; do
        n=$((n + 1))
        if [[ $want == !* ]]; then
            [[ $got != *" ${want#!} "* ]] && continue
            echo "completion: '$line<TAB>' offers ${want#!}, which it should not: [${COMPREPLY[*]}]"
        else
            [[ $got == *" $want "* ]] && continue
            echo "completion: '$line<TAB>' does not offer $want: [${COMPREPLY[*]}]"
        fi
        fails=$((fails + 1))
    done
}

expect 'traplab ' run asm disasm vm compare isa tui lab
expect 'traplab v' vm '!run'
expect 'traplab --v' --version
expect 'traplab --l' --lang
expect 'traplab --lang ' es en
expect 'traplab --lang es v' vm '!es'
expect 'traplab --lang es vm --desi' --design
expect 'traplab vm --' --guest --program --host --vms --cost --list-costs --stats --json
expect 'traplab vm --ho' --host '!--guest'
expect 'traplab vm --host ' type1 type2
expect 'traplab vm --profile ' strict legacy
expect 'traplab vm --program ' cpu sys io mm mix
expect 'traplab vm --program cpu,s' cpu,sys '!cpu'
expect 'traplab compare --workloads io,' io,cpu io,mm
expect 'traplab vm --guest ' kernel
expect 'traplab vm --design ' full para hw hw-shadow
expect 'traplab vm --cpu ' default p4 core2 sandybridge
expect 'traplab vm --plot ' '!--json'
expect 'traplab vm --csv --' --json --plot
expect 'traplab vm --cost ' exit_dispatch= vm_entry=
expect 'traplab vm --cost vm_' vm_entry= '!exit_dispatch='
expect 'traplab tui --lang ' es en
# A Spanish locale translates the help the completion reads: it reads the English.
export LANG=es_ES.UTF-8
expect 'traplab ' run asm disasm vm compare isa tui lab
expect 'traplab lab ' list show check grade merge run
expect 'traplab vm --design ' full para bt hw hw-shadow
expect 'traplab compare --designs ' full para bt hw hw-shadow
expect 'traplab vm --' --guest --program --host --cpu --list-cpus --plot
expect 'traplab lab grade --' --canvas --moodle --assignment
unset LANG
expect 'traplab isa --editor ' vim emacs textmate
expect 'traplab lab ' list show check grade run merge
expect 'traplab lab check ' 01-rings 02-trap-and-emulate
expect 'traplab lab check 02' 02-trap-and-emulate '!01-rings'
expect 'traplab lab grade 01-rings --' --submissions --csv --junit --gradescope --shard
expect 'traplab run samples/r' samples/ring3-trap.s '!samples/hello.s'
expect 'traplab asm samples/' samples/hello.s

if [ "$fails" -ne 0 ]; then
    echo "completion: $fails of $n checks failed"
    exit 1
fi
echo "completion: $n checks passed"
