# bash completion for traplab -*- shell-script -*-
# Subcommands and options are read from traplab's own --help, lab names from
# 'traplab lab list' and cost names from 'traplab vm --list-costs', so the
# completion follows the program it completes.  The help is read in English
# (--lang en): a Spanish locale translates it, and the words looked for.  Installed by 'make install'
# (docs/install.md); zsh loads it through bashcompinit (_traplab).

# The words of the comma-separated list in cur, completed from the words
# given: "cpu,s" -> "cpu,sys".
_traplab_list()
{
    local cur=$1 head='' w
    shift
    case $cur in *,*) head=${cur%,*},; cur=${cur##*,} ;; esac
    for w in "$@"; do
        [[ $w == "$cur"* ]] && COMPREPLY+=("$head$w")
    done
}

_traplab_files()    # the suffixes to offer (s tlo), none for any file; folders always
{
    local IFS=$'\n' f e
    compopt -o filenames 2>/dev/null
    for f in $(compgen -f -- "$cur"); do
        if [[ -d $f || $# -eq 0 ]]; then COMPREPLY+=("$f"); continue; fi
        for e in "$@"; do [[ $f == *."$e" ]] && COMPREPLY+=("$f"); done
    done
}

_traplab()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local prog=${COMP_WORDS[0]} cmd='' sub='' i
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --lang) [[ -z $cmd ]] && i=$((i + 1)) ;;   # traplab --lang es CMD: es is no command
            -*) ;;
            *) if [[ -z $cmd ]]; then cmd=${COMP_WORDS[i]}
               elif [[ $cmd == lab && -z $sub ]]; then sub=${COMP_WORDS[i]}; fi ;;
        esac
    done
    if [[ -z $cmd ]]; then
        if [[ $prev == --lang ]]; then
            COMPREPLY=($(compgen -W 'es en' -- "$cur"))
        elif [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W '--help --version --lang' -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$("$prog" --lang en --help 2>/dev/null | awk '/^  [a-z]/ {print $1}')" -- "$cur"))
        fi
        return
    fi
    if [[ $cmd == lab && -z $sub ]]; then
        COMPREPLY=($(compgen -W "$("$prog" --lang en lab --help 2>/dev/null | awk '/^  [a-z]/ {print $1}')" -- "$cur"))
        return
    fi
    case $prev in
        --host) _traplab_list "$cur" type1 type2; return ;;
        --profile) COMPREPLY=($(compgen -W 'strict legacy' -- "$cur")); return ;;
        --lang) COMPREPLY=($(compgen -W 'es en' -- "$cur")); return ;;
        --editor) COMPREPLY=($(compgen -W 'vim vim-ftdetect emacs textmate' -- "$cur")); return ;;
        --color) COMPREPLY=($(compgen -W 'always never auto' -- "$cur")); return ;;
        --design|--designs)
            # the designs this traplab names in its help (full, bt, hw, para, ...)
            _traplab_list "$cur" $("$prog" --lang en "$cmd" --help 2>/dev/null | grep -A4 -- '--designs\{0,1\} ' |
                grep -ow 'full\|bt\|hw-shadow\|hw\|para' | awk '!seen[$0]++')
            return ;;
        --cpu)
            COMPREPLY=($(compgen -W "$("$prog" vm --list-cpus 2>/dev/null | awk '{print $1}')" -- "$cur"))
            return ;;
        --program|--workloads)
            _traplab_list "$cur" cpu sys io mm mix
            [[ $cur != *,* ]] && _traplab_files s tlo
            return ;;
        --guest) COMPREPLY=($(compgen -W kernel -- "$cur")); _traplab_files s tlo; return ;;
        --cost)
            local IFS=$'\n'
            COMPREPLY=($(compgen -S = -W "$("$prog" vm --list-costs 2>/dev/null | awk '{print $1}')" -- "$cur"))
            compopt -o nospace 2>/dev/null
            return ;;
        --labs|--submission|--submissions|-I|--include|--tasks|-S)
            compopt -o dirnames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")); return ;;
        --csv|--junit|--gradescope|--canvas|--moodle|--plot|-o|--output|-l|--listing)
            [[ $cmd != lab && $prev == --csv ]] || { _traplab_files; return; } ;;
        --vms|--max-steps|--slice|--mem|--batch|--jobs|-j|--seed|--timeout|--student|--input|--shard|--assignment|-D|--define)
            return ;;
    esac
    if [[ $cur == -* ]]; then
        local help
        if [[ $cmd == lab ]]; then help=$("$prog" --lang en lab "$sub" --help 2>/dev/null)
        else help=$("$prog" --lang en "$cmd" --help 2>/dev/null); fi
        COMPREPLY=($(compgen -W "$(grep -o -- '--[a-z][a-z-]*' <<<"$help" | sort -u)" -- "$cur"))
        return
    fi
    case $cmd in
        lab)
            case $sub in
                merge) _traplab_files csv ;;
                *) COMPREPLY=($(compgen -W "$("$prog" lab list 2>/dev/null | awk '{print $1}')" -- "$cur")) ;;
            esac ;;
        run|tui) _traplab_files s tlo ;;
        asm) _traplab_files s ;;
        disasm) _traplab_files tlo ;;
    esac
}
complete -F _traplab traplab
