#!/bin/sh
# layers.sh -- fails when a lower layer depends on a higher one.
#
# The layering rule: util/ (small shared helpers) below all; isa/, image/ <- machine/ <- vmm/; isa/, image/ <- asm/;
# tui/ and lab/ on top (curses only in tui/, Lua only in lab/); cli/ ties all.
# Checked twice:
#   1. in the sources (.c .h .y .l), every #include, "dir/x.h" or "../dir/x.h";
#   2. in the built objects, every symbol they leave undefined: the core
#      library references no tui_, lab_, cli_, Lua or curses name, whatever
#      a macro or a declaration written by hand may have hidden from 1.
#
#   tests/layers.sh [--root DIR] [BUILD_DIR]    (default: the project, build/)
# tests/layers-selftest.sh plants violations and checks that this catches them.
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "$1" = "--root" ]; then root=$2; shift 2; fi
cd "$root" || exit 2
build=${1:-build}
bad=0

# ---- 1. includes ---------------------------------------------------------
check() { # dir pattern what
    [ -d "$1" ] || return 0
    hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"](\.\./)*($2)" \
        "$1"/*.c "$1"/*.h "$1"/*.y "$1"/*.l 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layers: $1/ must not include $3:"; echo "$hits"; bad=1
    fi
}
libs='curses|ncurses|lua|lauxlib|lualib|CUnit'
check isa     "image/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|$libs" "anything of ours, curses, Lua or CUnit"
check util    "isa/|image/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|$libs" "anything of ours, curses, Lua or CUnit"
check image   "isa/|machine/|vmm/|asm/|tui/|lab/|cli/|tests/|$libs" "anything of ours, curses, Lua or CUnit"
check machine "vmm/|asm/|tui/|lab/|cli/|tests/|$libs" "vmm/ asm/ tui/ lab/ cli/, curses, Lua or CUnit"
check vmm     "asm/|tui/|lab/|cli/|tests/|$libs" "asm/ tui/ lab/ cli/, curses, Lua or CUnit"
check asm     "machine/|vmm/|tui/|lab/|cli/|tests/|$libs" "machine/ vmm/ tui/ lab/ cli/, curses, Lua or CUnit"
check tui     "lab/|cli/|tests/|lua|lauxlib|lualib|CUnit" "lab/ cli/, Lua or CUnit"
check lab     "tui/|cli/|tests/|curses|ncurses|CUnit" "tui/ cli/, curses or CUnit"
check cli     "tests/|$libs" "tests/, curses, Lua or CUnit (they come through tui/ and lab/)"

# ---- 2. symbols of the built objects --------------------------------------
curses_names='initscr|endwin|newwin|delwin|wrefresh|wnoutrefresh|doupdate|wgetch|getch|keypad|start_color|init_pair|use_default_colors|mvwprintw|mvwaddstr|waddstr|waddch|wattr_on|wattr_off|wattron|wattroff|werase|wclear|stdscr|curscr|COLS|LINES|has_colors|cbreak|noecho|nodelay|curs_set|resizeterm|wresize|mvwin|box|wborder|mvwhline|mvwvline|setupterm|tigetstr'
lua_names='lua_[a-z_]*|luaL_[a-z_]*|luaopen_[a-z_]*'
undefined() { # objects... -> their undefined symbols, one a line
    nm -u "$@" 2>/dev/null | awk 'NF == 2 && $1 == "U" { print $2 } NF == 1 && $1 !~ /:$/ { print $1 }' | sort -u
}
refuse() { # what pattern objects...
    what=$1 pat=$2; shift 2
    set -- $(ls "$@" 2>/dev/null)
    [ $# -gt 0 ] || return 0
    hits=$(undefined "$@" | grep -E "^($pat)$")
    if [ -n "$hits" ]; then
        echo "layers: $what references names of a higher layer:"; echo "$hits" | sed 's/^/  /'; bad=1
    fi
}
if [ -d "$build/obj" ]; then
    o=$build/obj
    refuse "the core library ($build/libtraplab.a)" "tui_[A-Za-z0-9_]*|lab_[A-Za-z0-9_]*|cli_[A-Za-z0-9_]*|$lua_names|$curses_names" "$build/libtraplab.a"
    refuse "isa/, image/ and util/" "machine_[A-Za-z0-9_]*|vmm_[A-Za-z0-9_]*|asm_[A-Za-z0-9_]*" "$o"/isa/*.o "$o"/image/*.o "$o"/util/*.o
    refuse "machine/" "vmm_[A-Za-z0-9_]*|asm_[A-Za-z0-9_]*" "$o"/machine/*.o
    refuse "asm/" "machine_[A-Za-z0-9_]*|vmm_[A-Za-z0-9_]*" "$o"/asm/*.o
    refuse "tui/" "lab_[A-Za-z0-9_]*|cli_[A-Za-z0-9_]*|$lua_names" "$o"/tui/*.o
    refuse "lab/" "tui_[A-Za-z0-9_]*|cli_[A-Za-z0-9_]*|$curses_names" "$o"/lab/*.o
else
    echo "layers: no $build/obj (build first); the symbol check needs the objects" >&2
    bad=1
fi

[ $bad -eq 0 ] && echo "layers: ok"
exit $bad
